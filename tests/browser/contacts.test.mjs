// The contact log on a 360×740 phone: quick entry offline, editing, sync,
// drafts, Japanese-aware search, the crisis card.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeAll, createGroup, joinThroughApp, launchBrowser, loginThroughApp, openFresh, phone, startServer, waitForServiceWorker } from './harness.mjs';
import { Session, contacts, passphraseOf } from './seed.mjs';

/** Counts taps (clicks) made through this helper. */
function tapper(page) {
  const counter = { taps: 0 };
  counter.tap = async (locator) => {
    counter.taps += 1;
    await locator.click();
  };
  return counter;
}

describe('contact log', () => {
  let server;
  let browser;
  let context;
  let page;
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    context = await phone(browser);
    page = await openFresh(context, server);
    await joinThroughApp(page, await createGroup(server), 'peer1');
    await waitForServiceWorker(page);
  });
  after(() => closeAll({ contexts: [context], browser, server }));

  test('a phone call with one worry and a note takes at most 5 taps, offline', async () => {
    await server.stop();
    await page.reload();
    await page.getByTestId('connection').filter({ hasText: 'オフライン' }).waitFor();
    const u = tapper(page);
    await u.tap(page.getByTestId('new-contact'));
    await page.getByTestId('contact-form').waitFor();
    // 電話 is already chosen: the common case needs no tap for the mode.
    assert.equal(await page.getByTestId('mode').locator('[data-value="phone"]').getAttribute('aria-checked'), 'true');
    await u.tap(page.getByTestId('worries').locator('[data-value="housing"]'));
    await page.getByTestId('note').fill('家賃のことで電話。でいけあにも通っている');
    await u.tap(page.getByTestId('save'));
    await page.getByTestId('flash').filter({ hasText: '保存しました' }).waitFor();
    assert.ok(u.taps <= 5, `${u.taps} taps`);
    const row = page.getByTestId('contact-list').locator('li').first();
    assert.match(await row.textContent(), /住まい/);
    assert.match(await row.textContent(), /家賃のことで電話/);
    await page.getByTestId('unsent-badge').filter({ hasText: '未送信 1件' }).waitFor();
    assert.deepEqual(page.problems, []);
  });

  test('the contact can be edited offline', async () => {
    await page.getByTestId('contact-list').locator('li a').first().click();
    await page.getByTestId('contact-form').waitFor();
    await page.getByTestId('note').fill('家賃のことで電話。でいけあにも通っている。来週また話す');
    await page.getByTestId('person').fill('Aさん');
    await page.getByTestId('save').click();
    await page.getByTestId('flash').waitFor();
    const row = page.getByTestId('contact-list').locator('li').first();
    assert.match(await row.textContent(), /Aさん/);
    await page.getByTestId('unsent-badge').filter({ hasText: '未送信 2件' }).waitFor();
  });

  test('search finds a note typed in hiragana by its katakana', async () => {
    await page.getByTestId('search').fill('デイケア');
    assert.equal(await page.getByTestId('contact-list').locator('li').count(), 1);
    await page.getByTestId('search').fill('ﾃﾞｲｹｱ');
    assert.equal(await page.getByTestId('contact-list').locator('li').count(), 1);
    await page.getByTestId('search').fill('訪問看護');
    await page.getByTestId('empty').waitFor();
    await page.getByTestId('search').fill('');
  });

  test('the crisis card appears at once when the risk flag is set, offline', async () => {
    await page.getByTestId('new-contact').click();
    await page.getByTestId('risk').check();
    const card = page.getByTestId('crisis-card');
    await card.waitFor();
    const text = await card.textContent();
    for (const expected of ['119', '110', 'いのちの電話', 'よりそいホットライン']) assert.match(text, new RegExp(expected));
    assert.equal(await card.locator('a[href="tel:119"]').count(), 1);
    await card.getByRole('button', { name: '閉じる' }).click();
    await page.goto(`${server.url}/#/`);
    await page.locator('main h1', { hasText: '記録' }).waitFor();
  });

  test('a draft survives a reload', async () => {
    await page.getByTestId('new-contact').click();
    await page.getByTestId('contact-form').waitFor();
    // On a loaded machine the test before can leave its new contact (risk
    // flag set) behind as a draft (seen once, in a run that shared the
    // machine with a build), and restoring it opens the crisis card again
    // over the form. Start from an empty form either way.
    if (await page.getByTestId('draft-restored').count()) {
      if (await page.getByTestId('crisis-card').count()) await page.getByTestId('crisis-card').getByRole('button', { name: '閉じる' }).click();
      await page.getByRole('button', { name: '下書きを捨てる' }).click();
    }
    await page.getByTestId('note').fill('書きかけのメモ：ひきこもりの息子さんのこと');
    await page.waitForTimeout(600);
    await page.reload();
    await page.getByTestId('contact-form').waitFor();
    await page.getByText('入力途中の下書きを戻しました').waitFor();
    assert.equal(await page.getByTestId('note').inputValue(), '書きかけのメモ：ひきこもりの息子さんのこと');
    await page.getByRole('button', { name: '下書きを捨てる' }).click();
    assert.equal(await page.getByTestId('note').inputValue(), '');
    await page.goto(`${server.url}/#/`);
  });

  test('it syncs when the server is back, and another device of the user sees it', async () => {
    server = await server.restart();
    await page.getByTestId('connection').filter({ hasText: 'オンライン' }).waitFor({ timeout: 20_000 });
    await page.getByTestId('unsent-badge').waitFor({ state: 'detached', timeout: 20_000 });
    const other = await phone(browser);
    const second = await openFresh(other, server);
    await loginThroughApp(second, 'peer1');
    await second.getByTestId('contact-list').locator('li', { hasText: 'Aさん' }).waitFor();
    assert.match(await second.getByTestId('contact-list').textContent(), /来週また話す/);
    await other.close();
  });

  test('a note in every kind of character reads back the same after a reload', async () => {
    // A stored record is read back as UTF-8 through one reused buffer
    // (platform::utf8): characters outside the BMP are two UTF-16 units and
    // four bytes, and a quote or a backslash is escaped in the stored JSON.
    const note = 'ASCII "quoted" \\ back, かな カナ 漢字, 𠮷野家 and 👨‍👩‍👧 — 終わり';
    // Near the 4,000 characters a note may hold: the largest text a record reads.
    const long = `${'長い'.repeat(1999)}。`;
    const device = await phone(browser);
    const reader = await openFresh(device, server);
    await joinThroughApp(reader, await createGroup(server), 'everyscript');
    for (const text of [note, 'short', long]) {
      await reader.getByTestId('new-contact').click();
      await reader.getByTestId('contact-form').waitFor();
      await reader.getByTestId('worries').locator('[data-value="housing"]').click();
      await reader.getByTestId('note').fill(text);
      await reader.getByTestId('save').click();
      await reader.getByTestId('flash').waitFor();
    }
    await reader.reload();
    const rows = reader.getByTestId('contact-list').locator('li a');
    await rows.nth(2).waitFor();
    const notes = [];
    for (let i = 0; i < 3; i++) {
      await rows.nth(i).click();
      await reader.getByTestId('contact-form').waitFor();
      notes.push(await reader.getByTestId('note').inputValue());
      await reader.goBack();
      await reader.getByTestId('contact-list').waitFor();
    }
    assert.deepEqual(notes.sort(), [note, 'short', long].sort());
    assert.deepEqual(reader.problems, []);
    await device.close();
  });
});

// A member with more contacts than one page of the list: the page, its
// 「もっと見る」, and the filters (built when opened).
describe('a long contact list', () => {
  let server;
  let browser;
  let context;
  let page;
  const seeded = contacts(60);
  before(async () => {
    server = await startServer();
    const seed = new Session(server.url);
    await seed.join(await createGroup(server), 'longlist');
    await seed.create(seeded);
    browser = await launchBrowser();
    context = await phone(browser);
    page = await openFresh(context, server);
    await loginThroughApp(page, 'longlist', passphraseOf('longlist'));
    await page.getByTestId('record-count').filter({ hasText: '60' }).waitFor({ timeout: 30_000 });
  });
  after(() => closeAll({ contexts: [context], browser, server }));

  const rows = () => page.getByTestId('contact-list').locator('li');
  const more = () => page.getByRole('button', { name: 'もっと見る' });

  test('shows a page of 50, newest first, and the rest on 「もっと見る」', async () => {
    await more().waitFor();
    assert.equal(await rows().count(), 50);
    // contacts(n) puts the i-th contact i days back: the first row is the
    // newest, 0件目, the last on the page 49件目.
    assert.match(await rows().first().textContent(), /（0件目）/);
    assert.match(await rows().last().textContent(), /（49件目）/);
    await more().click();
    await rows().nth(59).waitFor();
    assert.equal(await rows().count(), 60);
    assert.equal(await more().count(), 0);
  });

  test('the filters narrow the list by worry, then by mode', async () => {
    await page.getByTestId('filters').locator('summary').click();
    await page.getByTestId('filter-worry').selectOption('housing');
    const housing = seeded.filter((c) => c.fields.worries.includes('housing'));
    await page.getByTestId('record-count').waitFor();
    await rows().nth(housing.length - 1).waitFor();
    assert.equal(await rows().count(), housing.length);
    for (const text of await rows().allTextContents()) assert.match(text, /住まい/);
    await page.getByTestId('filters').getByRole('radio', { name: '電話' }).click();
    const byPhone = housing.filter((c) => c.fields.mode === 'phone');
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="contact-list"] li').length === n, byPhone.length);
    for (const text of await rows().allTextContents()) assert.match(text, /電話/);
    // Closing and opening again keeps what was picked.
    await page.getByTestId('filters').locator('summary').click();
    await page.getByTestId('filters').locator('summary').click();
    assert.equal(await page.getByTestId('filter-worry').inputValue(), 'housing');
    assert.equal(await rows().count(), byPhone.length);
    assert.deepEqual(page.problems, []);
  });
});
