// 協議の場 offline: a meeting, attendance, a raised item with evidence, its
// status updated at a later meeting; the year report, CSV and .ics.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { closeAll, createGroup, joinThroughApp, launchBrowser, openFresh, phone, startServer, waitForServiceWorker } from './harness.mjs';

function jstDate(offsetDays = 0) {
  const d = new Date(Date.now() + 9 * 3600_000 + offsetDays * 86400_000);
  return d.toISOString().slice(0, 10);
}

/** A day in the month before this one (evidence counts finished months only). */
function lastMonth() {
  const d = new Date(Date.now() + 9 * 3600_000);
  const first = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  return new Date(first - 10 * 86400_000).toISOString().slice(0, 10);
}

async function createMeeting(page, origin, date) {
  await page.goto(`${origin}/#/meeting/new`);
  await page.getByTestId('body').fill('神戸市 にも包括 協議の場');
  await page.getByTestId('date').fill(date);
  await page.getByTestId('start').fill('14:00');
  await page.getByTestId('place').fill('市役所 会議室A');
  await page.getByTestId('save-meeting').click();
  await page.getByTestId('attendance').waitFor();
}

async function sharedContact(page, origin, note, { mode = 'phone', date = lastMonth() } = {}) {
  await page.goto(`${origin}/#/contact/new`);
  await page.getByTestId('mode').locator(`[data-value="${mode}"]`).click();
  await page.getByTestId('worries').locator('[data-value="housing"]').click();
  await page.getByTestId('note').fill(note);
  await page.getByTestId('details').click();
  await page.getByTestId('date').fill(date);
  if (mode === 'hospital') {
    await page.getByTestId('partner').fill('Bさん');
    await page.getByTestId('wish_method').locator('[data-value="letter"]').click();
    await page.getByTestId('wish_date').fill(date);
  }
  await page.getByTestId('shared').check();
  await page.getByTestId('save').click();
  await page.getByTestId('flash').waitFor();
}

async function download(page, locator) {
  const [file] = await Promise.all([page.waitForEvent('download'), locator.click()]);
  return readFile(await file.path());
}

/** A strict reading of RFC 5545 framing: CRLF lines, ≤75 octets, balanced blocks. */
function checkIcs(bytes) {
  const text = bytes.toString('utf8');
  assert.ok(text.endsWith('\r\n'));
  const lines = text.split('\r\n').slice(0, -1);
  for (const l of lines) assert.ok(Buffer.byteLength(l) <= 75 + 1, `line too long: ${l}`);
  const unfolded = text.replace(/\r\n /g, '').split('\r\n').filter(Boolean);
  const stack = [];
  const events = [];
  for (const l of unfolded) {
    const [name, value] = [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)];
    if (name === 'BEGIN') stack.push(value);
    else if (name === 'END') assert.equal(stack.pop(), value);
    else if (stack.at(-1) === 'VEVENT') events.at(-1)[name.split(';')[0]] = value;
    if (name === 'BEGIN' && value === 'VEVENT') events.push({});
  }
  assert.equal(stack.length, 0, 'every BEGIN has its END');
  assert.equal(unfolded[0], 'BEGIN:VCALENDAR');
  for (const e of events) for (const p of ['UID', 'DTSTAMP', 'DTSTART', 'SUMMARY']) assert.ok(e[p], `VEVENT has ${p}`);
  return events;
}

describe('協議の場', () => {
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
    await joinThroughApp(page, await createGroup(server), 'peerfamily');
    await waitForServiceWorker(page);
    await page.getByTestId('unsent-badge').waitFor({ state: 'detached' }).catch(() => {});
    await page.waitForTimeout(500);
  });
  after(() => closeAll({ contexts: [context], browser, server }));

  test('offline: a meeting, attendance, a raised item with evidence, updated at a later meeting', async () => {
    await server.stop();
    await page.reload();
    await page.getByTestId('connection').filter({ hasText: 'オフライン' }).waitFor();
    for (const note of ['家が見つからない', '退去を求められた', '家賃が払えない']) await sharedContact(page, origin, note);

    await createMeeting(page, origin, jstDate(0));
    const me = page.getByTestId('attendance').locator('.member').first();
    await me.getByTestId('will-attend').check();
    await me.getByTestId('attended').check();
    await me.locator('[data-value="peer"]').click();

    await page.getByTestId('new-item').click();
    await page.getByTestId('title').fill('住まいの相談先が足りない');
    await page.getByTestId('item-form').getByTestId('worries').locator('[data-value="housing"]').click();
    await page.getByTestId('taken_by').fill('障害福祉課');
    await page.getByTestId('save-item').click();
    const item = page.getByTestId('item-list').locator('li', { hasText: '住まいの相談先が足りない' });
    await item.waitFor();
    assert.match(await item.textContent(), /受理/);
    await item.locator('a').click();
    const evidence = page.getByTestId('evidence');
    await evidence.getByTestId('evidence-table').waitFor();
    // Three contacts last month: counted in whole finished months, rounded
    // (3 shows as 約5件), never as an exact small number.
    const table = await evidence.getByTestId('evidence-table').textContent();
    assert.match(table, /記録の数：約5件.*電話約5件.*住まい約5件/s, table);
    await evidence.getByTestId('attach-evidence').click();
    await page.getByTestId('attached-evidence').waitFor();

    // The next meeting of the same body: the item is homework; carry it and settle it.
    await createMeeting(page, origin, jstDate(30));
    const homework = page.getByTestId('homework');
    await homework.getByText('住まいの相談先が足りない').waitFor();
    await homework.getByTestId('carry').click();
    await page.getByTestId('item-list').locator('li', { hasText: '住まいの相談先が足りない' }).waitFor();
    assert.match(await page.getByTestId('homework').textContent(), /前回からの宿題はありません/);
    await page.getByTestId('item-list').locator('a', { hasText: '住まいの相談先が足りない' }).click();
    await page.getByTestId('update-form').getByTestId('status').locator('[data-value="done"]').click();
    await page.getByTestId('save-update').click();
    await page.getByTestId('current-status').filter({ hasText: '対応済' }).waitFor();
    const history = await page.getByTestId('history').textContent();
    assert.ok(history.indexOf('受理') < history.indexOf('持越し') && history.indexOf('持越し') < history.indexOf('対応済'), history);
    assert.deepEqual(page.problems, []);
  });

  test('the evidence for 5 contacts (4 電話, 1 病院訪問) shows no exact total beside a suppressed row', async () => {
    // Logging a hospital visit needs the visitor's training on record first.
    await page.goto(`${origin}/#/settings/profile`);
    await page.getByTestId('visitor_trained_on').fill('2025-06-01');
    await page.getByTestId('visitor_prefecture').locator('input').fill('ひょうご');
    await page.getByRole('button', { name: /^兵庫県 ひょうごけん/ }).click();
    await page.getByTestId('save-profile').click();
    await page.getByTestId('profile-panel').getByText('保存しました').waitFor();
    await sharedContact(page, origin, '電話4件目');
    await sharedContact(page, origin, '病院で話を聞いた', { mode: 'hospital' });
    await page.getByTestId('item-list').first().waitFor({ state: 'detached' }).catch(() => {});
    await page.goto(`${origin}/#/meetings`);
    await page.getByTestId('upcoming').locator('a').first().click();
    await page.getByTestId('item-list').locator('a').first().click();
    const table = await page.getByTestId('evidence').getByTestId('evidence-table').textContent();
    assert.doesNotMatch(table, /記録の数：5件/, table);
    assert.doesNotMatch(table, /病院訪問3未満/, 'the lone hospital visit is folded, not shown beside the total');
    // 電話 4 and 病院訪問 1 are folded together, and 「その他」 has no
    // count: any count of it (and a total) would bound the folded rows.
    assert.match(table, /記録の数：件数は出しません/);
    assert.match(table, /相談の形その他件数は出しません/);
  });

  test('the year report shows it, and the CSV and .ics are well formed', async () => {
    await page.goto(`${origin}/#/report`);
    const report = page.getByTestId('report');
    await report.waitFor();
    const text = await report.textContent();
    assert.match(text, /住まいの相談先が足りない/);
    assert.match(text, /対応済/);
    assert.match(text, /peerfamilyさん/);
    const csv = await download(page, page.getByTestId('report-csv'));
    assert.deepEqual([...csv.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM for Excel');
    const rows = csv.toString('utf8').slice(1).split('\r\n').filter(Boolean);
    assert.equal(rows[0], '年度,区分,項目,内容1,内容2,内容3');
    assert.ok(rows.some((r) => r.includes('提起事項') && r.includes('住まいの相談先が足りない') && r.includes('対応済')), rows.join('\n'));
    assert.ok(rows.every((r) => r.split(',').length >= 6 || r.includes('"')), 'every row has all columns');

    await page.goto(`${origin}/#/meetings`);
    const events = checkIcs(await download(page, page.getByTestId('ics')));
    assert.equal(events.length, 2, 'both planned meetings are upcoming');
    assert.equal(events[0].SUMMARY, '神戸市 にも包括 協議の場');
    assert.match(events[0].DTSTART, /^\d{8}T140000$/);
  });
});
