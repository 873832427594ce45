// Flows a 70-year-old must be able to finish on a phone with large text
// (issue 16), each driven as the person would: by visible labels and roles.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeAll, createGroup, joinThroughApp, keepKeys, launchBrowser, openFresh, phone, startServer, waitForFocus, waitForServiceWorker } from './harness.mjs';

const BIG = 200;

async function bigText(page, percent = BIG) {
  await page.evaluate((p) => { document.documentElement.style.fontSize = `${p}%`; }, percent);
}

function jstDate(offsetDays = 0) {
  return new Date(Date.now() + 9 * 3600_000 + offsetDays * 86400_000).toISOString().slice(0, 10);
}

/** A new contact's form, clear of any draft an earlier step left. */
async function newContact(page) {
  await page.goto(`${new URL(page.url()).origin}/#/`);
  await page.getByTestId('new-contact').click();
  await page.getByTestId('contact-form').waitFor();
  await page.waitForTimeout(300);
  if (await page.getByTestId('draft-restored').count()) await page.getByRole('button', { name: '下書きを捨てる' }).click();
}

describe('flows at 200 % text', () => {
  let server;
  let browser;
  let context;
  let page;
  let origin;
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    context = await phone(browser);
    page = await openFresh(context, server);
    origin = new URL(server.url).origin;
    await joinThroughApp(page, await createGroup(server), 'hanako');
    await waitForServiceWorker(page);
  });
  after(() => closeAll({ contexts: [context], browser, server }));

  test('1. a refused save opens the section of the problem, focuses it, and names it as a link', async () => {
    await newContact(page);
    await bigText(page);
    await page.getByTestId('worries').locator('[data-value="money"]').click();
    await page.getByTestId('details').click();
    await page.getByTestId('follow_up').fill(jstDate(-3));
    // The details are closed again, as after restoring a draft.
    await page.getByTestId('details').click();
    await page.getByRole('button', { name: '保存' }).click();
    const summary = page.getByTestId('form-problems');
    await summary.waitFor();
    assert.match(await summary.textContent(), /フォローアップ日/);
    assert.equal(await page.locator('details.card').evaluate((d) => d.open), true, 'the section with the problem is open');
    await waitForFocus(page, 'follow_up');
    assert.ok(await page.getByTestId('follow_up').isVisible());
    // The link moves to the field too.
    await page.getByTestId('note').focus();
    await summary.getByRole('button', { name: 'フォローアップ日' }).click();
    await page.waitForFunction(() => document.activeElement?.dataset.testid === 'follow_up');
    await bigText(page, 100);
  });

  test('2. a hospital visit: the section opens by itself and 保存 stays in reach below the last field', async () => {
    await page.goto(`${origin}/#/settings/profile`);
    await page.getByTestId('visitor_trained_on').fill('2025-06-01');
    await page.getByTestId('visitor_prefecture').locator('input').fill('ひょうご');
    await page.getByRole('button', { name: /^兵庫県 ひょうごけん/ }).click();
    await page.getByTestId('save-profile').click();
    await page.getByTestId('profile-panel').getByText('保存しました').waitFor();

    await newContact(page);
    await bigText(page);
    await page.getByTestId('mode').getByRole('radio', { name: '病院訪問' }).click();
    const section = page.getByTestId('hospital-section');
    await section.waitFor();
    assert.ok(await section.isVisible(), 'no need to open くわしく入力');
    // At the last field of the hospital section, 保存 is on screen and
    // does not cover the field.
    const last = page.getByTestId('next_visit');
    await last.scrollIntoViewIfNeeded();
    const save = page.getByRole('button', { name: '保存' });
    const [fieldBox, saveBox, viewport] = [await last.boundingBox(), await save.boundingBox(), page.viewportSize()];
    assert.ok(saveBox.y >= 0 && saveBox.y + saveBox.height <= viewport.height, `保存 is on screen: ${JSON.stringify(saveBox)}`);
    assert.ok(fieldBox.y + fieldBox.height <= saveBox.y + 1 || fieldBox.y >= saveBox.y + saveBox.height, 'the save bar does not cover the field');
    // Without a partner the visit is refused, at the field.
    await page.getByTestId('worries').locator('[data-value="mental_health"]').click();
    await save.click();
    const problems = page.getByTestId('form-problems');
    await problems.waitFor();
    assert.match(await problems.textContent(), /ペアの訪問者/);
    assert.match(await page.locator('.field', { has: page.getByTestId('partner') }).textContent(), /入力してください/);
    await bigText(page, 100);
  });

  test('3. records of the same minute list newest first, and a far-off date asks first', async () => {
    for (const note of ['同じ分の一件目', '同じ分の二件目']) {
      await newContact(page);
      await page.getByTestId('note').fill(note);
      await page.getByRole('button', { name: '保存' }).click();
      await page.getByTestId('flash').waitFor();
    }
    const rows = await page.getByTestId('contact-list').locator('li').allTextContents();
    assert.ok(rows[0].includes('同じ分の二件目'), rows.slice(0, 2).join(' | '));
    await newContact(page);
    await page.getByTestId('note').fill('未来の日付');
    await page.getByTestId('details').click();
    await page.getByTestId('date').fill('2030-01-01');
    await page.getByRole('button', { name: '保存' }).click();
    const warning = page.locator('.field .warning');
    await warning.waitFor();
    assert.match(await warning.textContent(), /ずっと先/);
    assert.equal(await page.getByTestId('flash').count(), 0, 'not saved yet');
    await page.getByRole('button', { name: 'このまま保存する' }).click();
    await page.getByTestId('flash').waitFor();
  });

  test('4. 「記録に紹介先として追加」 opens a fresh form with the referral on top and the area; an older draft is kept', async () => {
    await newContact(page);
    await page.getByTestId('note').fill('書きかけの別の記録');
    await page.waitForTimeout(500);
    await page.goto(`${origin}/#/windows`);
    await page.getByTestId('finder-worries').locator('[data-value="money"]').click();
    await page.getByTestId('finder-area').locator('input').fill('こうべ');
    await page.getByRole('button', { name: /兵庫県 神戸市/ }).click();
    await page.locator('[data-testid="window-card"]', { hasText: 'よりそいホットライン' }).getByTestId('add-referral').click();
    await page.getByTestId('contact-form').waitFor();
    assert.equal(await page.getByTestId('draft-restored').count(), 0, 'no draft greets the person');
    assert.equal(await page.getByTestId('note').inputValue(), '', 'the older draft is not mixed in');
    const form = await page.getByTestId('contact-form').innerHTML();
    assert.ok(form.indexOf('よりそいホットライン') < form.indexOf('data-testid="worries"'), 'the referral comes first');
    await page.getByTestId('details').click();
    assert.match(await page.getByTestId('area').textContent(), /兵庫県 神戸市/);
    await page.getByRole('button', { name: '保存' }).click();
    await page.getByTestId('flash').waitFor();
    // The older draft is still there.
    await page.getByTestId('new-contact').click();
    await page.getByTestId('draft-restored').waitFor();
    assert.equal(await page.getByTestId('note').inputValue(), '書きかけの別の記録');
    await page.getByRole('button', { name: '下書きを捨てる' }).click();
  });

  test('5. an empty save is refused at the worries, and makes no record', async () => {
    await page.goto(`${origin}/#/`);
    const before = await page.getByTestId('record-count').textContent();
    await newContact(page);
    await page.getByRole('button', { name: '保存' }).click();
    await page.getByTestId('form-problems').waitFor();
    assert.match(await page.locator('.field', { has: page.getByTestId('worries') }).first().textContent(), /悩み・メモ・紹介先のどれか/);
    await page.goto(`${origin}/#/`);
    assert.equal(await page.getByTestId('record-count').textContent(), before);
  });

  test('6. a draft older than an hour asks whether to use the time now', async () => {
    await newContact(page);
    await page.getByTestId('note').fill('昨日の書きかけ');
    await page.waitForTimeout(600);
    // Three hours later, on the same phone (a page of its own, so that the
    // moved clock stays with it).
    const later = await context.newPage();
    await later.clock.setFixedTime(new Date(Date.now() + 3 * 3600_000));
    await later.goto(`${origin}/#/contact/new`);
    await later.getByTestId('stale-draft').waitFor();
    await later.getByRole('button', { name: '今の日時にする' }).click();
    await later.getByTestId('details').click();
    const now = await later.evaluate(() => new Date(Date.now() + 9 * 3600_000).toISOString().slice(11, 16));
    assert.equal(await later.getByTestId('time').inputValue(), now);
    await later.getByRole('button', { name: '下書きを捨てる' }).click();
    await later.close();
  });

  test('11. at 200 % the floating button never covers a row, and counts are not tables', async () => {
    await page.goto(`${origin}/#/`);
    await bigText(page);
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await page.waitForTimeout(100);
    const fab = await page.getByTestId('new-contact').boundingBox();
    const lastRow = await page.getByTestId('contact-list').locator('li').last().boundingBox();
    assert.ok(lastRow.y + lastRow.height <= fab.y || lastRow.y >= fab.y + fab.height, 'the last row is clear of the button');
    await page.getByTestId('exports').locator('summary').click();
    await page.getByTestId('monthly').locator('.month-card').first().waitFor();
    assert.equal(await page.locator('main table').count(), 0, 'monthly counts are cards');
    await bigText(page, 100);
  });

  test('12. labels: chips are read without the check mark; a long note shows how many characters are left', async () => {
    await newContact(page);
    const chip = page.getByTestId('worries').getByRole('button', { name: 'お金・生活', exact: true });
    await chip.click();
    assert.equal(await chip.getAttribute('aria-pressed'), 'true');
    assert.equal(await chip.count(), 1, 'still named 「お金・生活」 once chosen, without 「✓」');
    await page.getByTestId('note').fill('あ'.repeat(3_500));
    assert.match(await page.locator('.counter').textContent(), /あと 500 文字/);
  });
});

describe('an empty directory says what should be there', () => {
  let server;
  let browser;
  let context;
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    context = await phone(browser);
  });
  after(() => closeAll({ contexts: [context], browser, server }));

  test('10. the finder lists the kinds of window the area needs, with what to search for and, for a coordinator, how to add', async () => {
    const page = await openFresh(context, server);
    await joinThroughApp(page, await createGroup(server), 'coord');
    await page.goto(`${new URL(server.url).origin}/#/windows`);
    await page.getByTestId('finder-worries').locator('[data-value="welfare_services"]').click();
    await page.getByTestId('finder-area').locator('input').fill('さっぽろ');
    await page.getByRole('button', { name: /北海道 札幌市/ }).click();
    const missing = page.getByTestId('missing-kinds');
    await missing.waitFor();
    assert.match(await missing.textContent(), /札幌市の 基幹相談支援センター — まだ登録されていません/);
    assert.match(await missing.textContent(), /さがし方/);
    await missing.getByRole('link', { name: '追加する', exact: true }).waitFor();
    await missing.getByRole('link', { name: 'オープンデータを読み込む' }).waitFor();
  });
});

describe('the first run', () => {
  let server;
  let browser;
  let context;
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    context = await phone(browser);
  });
  after(() => closeAll({ contexts: [context], browser, server }));

  test('13. the printed setup link opens 「最初のグループを作る」 and works once', async () => {
    for (let i = 0; i < 50 && !server.setupLink; i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(server.setupLink, 'the server prints a setup link on an empty database');
    const page = await context.newPage();
    await page.goto(server.setupLink);
    await page.getByRole('heading', { name: '最初のグループを作る' }).waitFor();
    await page.getByTestId('setup-group').fill('○○市家族会');
    await page.getByTestId('setup-login').fill('firstcoord');
    await page.getByTestId('setup-display').fill('はじめ');
    await page.getByTestId('setup-pass').fill('correct horse battery');
    await page.getByTestId('setup-pass2').fill('correct horse battery');
    await page.getByRole('button', { name: 'グループを作って始める' }).click();
    // The keys to write down come first, once: the coordinator's own and
    // the new group's, each in groups of four with a check group at the end.
    const kept = await keepKeys(page);
    assert.match(kept.recovery, /^([0-9A-HJKMNP-TV-Z]{4}-){13}[0-9A-HJKMNP-TV-Z]{4}$/, kept.recovery);
    assert.ok(kept.group && kept.group !== kept.recovery, 'the group\'s recovery key too');
    await page.getByTestId('invites').waitFor();
    assert.match(await page.locator('main').textContent(), /○○市家族会.*コーディネーター/s);
    // The link does not work a second time.
    const other = await (await browser.newContext()).newPage();
    await other.goto(server.setupLink);
    await other.getByTestId('setup-group').fill('別のグループ');
    await other.getByTestId('setup-login').fill('someoneelse');
    await other.getByTestId('setup-display').fill('だれか');
    await other.getByTestId('setup-pass').fill('correct horse battery');
    await other.getByTestId('setup-pass2').fill('correct horse battery');
    await other.getByRole('button', { name: 'グループを作って始める' }).click();
    await other.getByText('このリンクはもう使えません').waitFor();
    await other.context().close();
  });
});
