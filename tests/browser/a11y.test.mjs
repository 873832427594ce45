// Accessibility: axe-core (WCAG 2.1 A and AA rules) over every screen, in
// Japanese and in English, on a 360 px phone and at 200% text size. Zero
// violations is the bar. At 200% nothing may be wider than the screen.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { closeAll, createGroup, joinThroughApp, keepKeys, launchBrowser, openFresh, phone, startServer } from './harness.mjs';

const require = createRequire(import.meta.url);
const AXE = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Runs axe on the page; returns the violations, summarised. */
async function axe(page) {
  // evaluate() runs outside the page's CSP, which forbids inline script.
  await page.evaluate(AXE);
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  });
  return result;
}

async function check(page, label, problems) {
  for (const size of ['100%', '200%']) {
    await page.evaluate((s) => { document.documentElement.style.fontSize = s; }, size);
    await page.waitForTimeout(50);
    const violations = await axe(page);
    for (const v of violations) problems.push(`${label} @${size}: ${v}`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (overflow > 1) problems.push(`${label} @${size}: the page is ${overflow}px wider than the screen`);
    // The top bar and the tab bar together take at most a quarter of the
    // screen, even at 200 % text (the rest is for the person's work).
    const chrome = await page.evaluate(() => {
      const h = (sel) => document.querySelector(sel)?.getBoundingClientRect().height ?? 0;
      return { bars: h('header.topbar') + h('nav.tabbar'), screen: window.innerHeight };
    });
    if (chrome.bars > chrome.screen * 0.25) problems.push(`${label} @${size}: the bars take ${Math.round(chrome.bars)} of ${chrome.screen}px`);
  }
  await page.evaluate(() => { document.documentElement.style.fontSize = ''; });
}

describe('accessibility', () => {
  let server;
  let browser;
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });
  after(() => closeAll({ browser, server }));

  for (const lang of ['ja', 'en']) {
    test(`every screen, ${lang}, 360 px and 200% text: no axe violations`, async () => {
      const context = await phone(browser);
      const page = await openFresh(context, server);
      const origin = new URL(server.url).origin;
      const problems = [];
      const go = async (hash, ready) => {
        await page.goto(`${origin}/${hash}`);
        await page.locator(ready).first().waitFor();
      };
      if (lang === 'en') {
        await page.getByRole('button', { name: 'English', exact: true }).click();
        await page.locator('main h1', { hasText: 'Welcome' }).waitFor();
      }
      await check(page, 'welcome / join', problems);
      await page.locator('.switch button').click();
      await check(page, 'welcome / sign in', problems);
      await page.getByTestId('forgot-passphrase').click();
      await page.getByTestId('recover-form').waitFor();
      await check(page, 'welcome / recover with the recovery key', problems);
      await page.locator('.switch button').click();
      await page.locator('.switch button').last().click();

      const code = await createGroup(server, `a11y ${lang}`);
      await page.getByTestId('join-code').fill(code);
      await page.getByTestId('join-login').fill(`a11y${lang}`);
      await page.getByTestId('join-display').fill(`a11y ${lang}`);
      await page.getByTestId('join-pass').fill('correct horse battery');
      await page.getByTestId('join-pass2').fill('correct horse battery');
      await page.locator('form button[type="submit"]').click();
      await page.getByTestId('keep-keys').waitFor({ timeout: 60_000 });
      await check(page, 'the keys to write down (personal and the group\'s)', problems);
      await keepKeys(page);

      // A hospital visitor's training, for the hospital visit below.
      await go('#/settings/profile', '[data-testid="profile-panel"]');
      await page.getByTestId('visitor_trained_on').fill('2025-06-01');
      await page.getByTestId('visitor_prefecture').locator('input').fill('ひょうご');
      await page.locator('.suggestion').first().click();
      await page.getByTestId('save-profile').click();
      await page.getByTestId('profile-panel').locator('.notice.info').waitFor();

      // Some data, so that lists and details have something to show.
      await go('#/contact/new', '[data-testid="contact-form"]');
      await page.getByTestId('details').click();
      await page.getByTestId('mode').locator('[data-value="hospital"]').click();
      await page.getByTestId('worries').locator('[data-value="housing"]').click();
      await page.getByTestId('note').fill('a11y note');
      await page.getByTestId('hospital-section').waitFor();
      await page.getByTestId('partner').fill('Bさん');
      await page.getByTestId('wish_method').locator('[data-value="letter"]').click();
      await page.getByTestId('wish_date').fill('2026-01-05');
      await check(page, 'contact form (all details, hospital visit)', problems);
      await page.getByTestId('risk').check();
      await page.getByTestId('crisis-card').waitFor();
      await check(page, 'crisis card', problems);
      await page.getByTestId('crisis-card').locator('button').click();
      await page.getByTestId('save').click();
      await page.getByTestId('flash').waitFor();
      await check(page, 'records list', problems);
      await page.getByTestId('contact-list').locator('a').first().click();
      await page.getByTestId('contact-form').waitFor();
      await check(page, 'contact, editing', problems);
      const contactUrl = page.url();
      await page.goto(`${contactUrl}/report`);
      await page.getByTestId('visit-report').waitFor();
      await check(page, 'visit report', problems);
      // The read-only rendering a member gets of another's shared record.
      await go(new URL(contactUrl).hash.replace('#/contact/', '#/record/contact/'), '[data-testid="record-view"]');
      await check(page, 'a record, read-only', problems);

      await go('#/windows', '[data-testid="finder-worries"]');
      await page.getByTestId('finder-worries').locator('[data-value="housing"]').click();
      await page.locator('[data-testid="window-card"]').first().waitFor();
      await check(page, 'window finder with results', problems);
      await go('#/window/new', '[data-testid="window-form"]');
      await page.getByTestId('name').fill('a11y window');
      await page.getByTestId('type').locator('[data-value="municipal_welfare"]').click();
      await page.getByTestId('window-area').locator('input').fill('こうべ');
      await page.locator('.suggestion').first().waitFor();
      await check(page, 'window form', problems);
      await page.locator('.suggestion').first().click();
      await page.getByTestId('add-area').click();
      await page.getByTestId('save-window').click();
      await page.getByTestId('edit-window').waitFor();
      await check(page, 'window detail', problems);
      await go('#/directory', '[data-testid="directory"]');
      await check(page, 'directory', problems);
      await go('#/directory/import', '[data-testid="import-file"]');
      await check(page, 'import', problems);

      await go('#/meeting/new', '[data-testid="meeting-form"]');
      await page.getByTestId('body').fill('a11y 協議の場');
      await page.getByTestId('save-meeting').click();
      await page.getByTestId('attendance').waitFor();
      await page.getByTestId('new-item').click();
      await page.getByTestId('title').fill('a11y item');
      await check(page, 'meeting', problems);
      await page.getByTestId('save-item').click();
      await page.getByTestId('item-list').locator('a').first().click();
      await page.getByTestId('evidence').waitFor();
      await check(page, 'raised item', problems);
      await go('#/meetings', '[data-testid="upcoming"]');
      await check(page, 'meetings', problems);
      await go('#/report', '[data-testid="report"]');
      await check(page, 'year report', problems);
      await go('#/settings', '[data-testid="sync-panel"]');
      await page.getByTestId('members').locator('li').first().waitFor();
      await check(page, 'settings', problems);

      await page.getByTestId('new-pin').fill('246813');
      await page.getByTestId('new-pin2').fill('246813');
      await page.getByTestId('enable-lock').click();
      await page.getByTestId('lock-now').waitFor({ timeout: 30_000 });
      await page.getByTestId('lock-now').click();
      await page.getByTestId('lock').waitFor();
      await check(page, 'lock screen', problems);

      assert.deepEqual(problems, []);
      await context.close();
    });
  }
});
