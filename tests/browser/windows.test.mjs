// The window finder and the group's directory, on a phone, offline.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { cleanup, closeAll, createGroup, inviteThroughApp, joinThroughApp, launchBrowser, openFresh, persistentPhone, phone, startServer, tempDir, waitForServiceWorker } from './harness.mjs';
import { Session, windows } from './seed.mjs';

async function syncNow(page) {
  await page.goto(`${new URL(page.url()).origin}/#/settings`);
  await page.getByTestId('sync-now').click();
  await page.getByTestId('unsent-count').filter({ hasText: 'すべて送信済み' }).waitFor({ timeout: 20_000 });
  await page.getByTestId('sync-now').filter({ hasText: '今すぐ同期' }).waitFor();
}

const KOBE = { kind: 'municipality', code: '281000' };
const OSAKA = { kind: 'municipality', code: '271004' };

function service(id, name, type, areas, phone, extra = {}) {
  return {
    id, name, alternate_name: '', description: '', url: '', email: '', status: 'active', assured_date: '2026-10-01',
    phones: [{ number: phone, type: 'voice', description: '' }], schedules: [{ freq: 'WEEKLY', byday: 'MO,TU,WE,TH,FR', opens_at: '08:45', closes_at: '17:30' }],
    service_areas: areas, address: '', latitude: null, longitude: null,
    x_nimo: { window_type: type, kana: '', channels: ['phone'], closed_holidays: true, closed_new_year: true, closures: [], reservation: false, anonymous_ok: false, for_whom: [], source: 'テスト', ...extra },
  };
}

const DIRECTORY = {
  format: 'nimo-hsds-1',
  exported: '2026-11-24',
  services: [
    service('a', '神戸市 障害福祉課', 'municipal_welfare', [KOBE], '078-322-5229'),
    service('b', '神戸市 くらし支援窓口', 'self_reliance_support', [KOBE], '078-322-0000'),
    service('c', 'すまいサポート神戸', 'housing_support', [KOBE], '078-111-2222'),
    service('d', '大阪市 くらし支援窓口', 'self_reliance_support', [OSAKA], '06-0000-0000'),
    service('e', '兵庫県精神保健福祉センター', 'mental_health_centre', [{ kind: 'prefecture', code: '280003' }], '078-252-4980'),
  ],
};

async function importFile(page, name, buffer, mime) {
  await page.goto(`${new URL(page.url()).origin}/#/directory/import`);
  await page.getByTestId('import-file').setInputFiles({ name, mimeType: mime, buffer });
  await page.getByTestId('import-preview').or(page.getByTestId('import-error')).waitFor();
}

describe('window finder', () => {
  let server;
  let browser;
  let context;
  let page;
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    context = await phone(browser);
    page = await openFresh(context, server);
    await joinThroughApp(page, await createGroup(server), 'coordinator1');
    await waitForServiceWorker(page);
  });
  after(() => closeAll({ contexts: [context], browser, server }));

  test('an import preview rejects a broken file without changing the directory', async () => {
    await importFile(page, 'broken.csv', await readFile(new URL('./fixtures/facilities-broken-sjis.csv', import.meta.url)), 'text/csv');
    await page.getByTestId('import-blocked').waitFor();
    const errors = await page.getByTestId('import-errors').textContent();
    assert.match(errors, /3行目.*コード/s, 'the bad check digit is named with its line');
    assert.match(errors, /曜日が読めません/);
    assert.equal(await page.getByTestId('import-run').isDisabled(), true);
    await page.goto(`${new URL(page.url()).origin}/#/directory`);
    await page.getByText('まだ窓口が登録されていません').waitFor();
    // A file that is not a list at all.
    await importFile(page, 'notes.csv', Buffer.from('a,b\n1,2\n'), 'text/csv');
    await page.getByTestId('import-error').waitFor();
  });

  test('a Shift_JIS open-data file and an HSDS file import with a preview', async () => {
    await importFile(page, 'kobe.csv', await readFile(new URL('./fixtures/facilities-ok-sjis.csv', import.meta.url)), 'text/csv');
    assert.match(await page.getByTestId('import-preview').textContent(), /神戸市 くらし支援窓口/, 'Shift_JIS decoded');
    await importFile(page, 'directory.json', Buffer.from(JSON.stringify(DIRECTORY)), 'application/json');
    assert.match(await page.getByTestId('import-preview').textContent(), /追加できる窓口：5件/);
    await page.getByTestId('import-run').click();
    await page.getByText('読み込みました：追加 5件').waitFor();
    await page.goto(`${new URL(page.url()).origin}/#/directory`);
    assert.equal(await page.getByTestId('directory').locator('li').count(), 5);
  });

  test('offline, 住まい in 神戸市 gives the right kinds in the right order, with reasons', async () => {
    await server.stop();
    await page.goto(`${new URL(page.url()).origin}/#/windows`);
    await page.getByTestId('connection').filter({ hasText: 'オフライン' }).waitFor();
    await page.getByTestId('finder-worries').locator('[data-value="housing"]').click();
    await page.getByTestId('finder-area').locator('input').fill('こうべ');
    await page.getByRole('button', { name: /兵庫県 神戸市/ }).click();
    await page.getByTestId('area-chosen').filter({ hasText: '兵庫県 神戸市' }).waitFor();
    const near = page.locator('section.level[data-level="municipal"] [data-testid="window-card"] h3');
    assert.deepEqual(await near.allTextContents(), ['神戸市 くらし支援窓口', 'すまいサポート神戸', '神戸市 障害福祉課']);
    const first = page.locator('section.level[data-level="municipal"] [data-testid="window-card"]').first();
    assert.match(await first.textContent(), /なぜこの窓口？.*住まい.*家賃/s);
    const results = await page.getByTestId('finder-results').textContent();
    assert.doesNotMatch(results, /大阪市/, 'another city is not offered');
    assert.doesNotMatch(results, /精神保健福祉センター/, 'the centre does not take housing');
    // The national crisis lines are always there.
    const national = page.locator('section.level[data-level="national"]');
    for (const line of ['救急・消防', '#いのちSOS', 'よりそいホットライン']) assert.match(await national.textContent(), new RegExp(line));
    // Tap-to-call links dial the number as written.
    assert.equal(await first.locator('a.tel').getAttribute('href'), 'tel:0783220000');
    assert.equal(await national.locator('a.tel', { hasText: '119' }).first().getAttribute('href'), 'tel:119');
    assert.equal(await page.locator('[data-testid="open-badge"]').count() > 0, true);
  });

  test('a crisis pick still works, and 「記録に紹介先として追加」 starts a record', async () => {
    await page.getByTestId('finder-worries').locator('[data-value="housing"]').click();
    await page.getByTestId('finder-worries').locator('[data-value="abuse_dv"]').click();
    const national = page.locator('section.level[data-level="national"]');
    await national.getByText('DV相談ナビ').waitFor();
    assert.equal(await national.locator('a.tel', { hasText: '#8008' }).getAttribute('href'), 'tel:%238008');
    await national.locator('[data-testid="window-card"]', { hasText: 'DV相談ナビ' }).getByTestId('add-referral').click();
    await page.getByTestId('contact-form').waitFor();
    assert.match(await page.getByTestId('referrals').textContent(), /DV相談ナビ/);
    assert.equal(await page.getByTestId('more-worries').locator('[data-value="abuse_dv"]').getAttribute('aria-pressed'), 'true');
    server = await server.restart();
  });

  test('a coordinator adds an entry; a member reports it wrong offline; the coordinator reviews it', async () => {
    const origin = new URL(page.url()).origin;
    await page.goto(`${origin}/#/window/new`);
    await page.getByTestId('name').fill('神戸市 こころの相談');
    await page.getByTestId('type').locator('[data-value="municipal_welfare"]').click();
    await page.getByTestId('window-area').locator('input').fill('神戸');
    await page.getByRole('button', { name: /兵庫県 神戸市/ }).click();
    await page.getByTestId('add-area').click();
    await page.getByTestId('phone-number').fill('078-333-4444');
    await page.getByTestId('add-phone').click();
    await page.getByTestId('add-session').click();
    await page.getByTestId('save-window').click();
    await page.getByTestId('edit-window').waitFor();
    const invite = await inviteThroughApp(page);
    await syncNow(page);

    const memberContext = await phone(browser);
    const member = await openFresh(memberContext, server);
    await joinThroughApp(member, invite, 'member1');
    await member.goto(`${origin}/#/directory`);
    await member.getByTestId('directory').locator('a', { hasText: '神戸市 こころの相談' }).click();
    assert.equal(await member.getByTestId('edit-window').count(), 0, 'members do not edit the directory');
    await memberContext.setOffline(true);
    await member.getByTestId('correction-note').fill('電話番号が変わっていました（078-333-5555）');
    await member.getByRole('button', { name: '送る' }).click();
    await member.getByText('送りました').waitFor();
    await memberContext.setOffline(false);
    await syncNow(member);

    await syncNow(page);
    await page.goto(`${origin}/#/directory`);
    const corrections = page.getByTestId('corrections');
    await corrections.getByText('電話番号が変わっていました').waitFor();
    await corrections.getByRole('button', { name: '直した' }).click();
    await corrections.waitFor({ state: 'detached' });
    await memberContext.close();
  });

  test('with the device\'s storage full, a quick tap (「今日確認した」), an import and a contact each say so, and the contact keeps every word', async () => {
    const seed = new Session(server.url);
    await seed.join(await createGroup(server, '容量の家族会'), 'quotacoord');
    await seed.create(windows(1, ['281000']));
    const code = await seed.invite('coordinator');
    // A profile on disk: Chromium applies a lowered quota to IndexedDB
    // there, not in an incognito context.
    const dir = await tempDir();
    const context = await persistentPhone(dir);
    try {
      const phonePage = await openFresh(context, server);
      await joinThroughApp(phonePage, code, 'quotaphone');
      const origin = new URL(phonePage.url()).origin;
      await phonePage.goto(`${origin}/#/directory`);
      await phonePage.getByTestId('directory').locator('a', { hasText: '窓口 0' }).click({ timeout: 20_000 });
      const verify = phonePage.getByRole('button', { name: '今日確認した' });
      await verify.waitFor();
      // The browser's own quota, lowered below what the origin holds: every
      // IndexedDB write fails with QuotaExceededError, as on a full phone.
      // A database's writes go by the space Chromium last saw for up to
      // ~30 s: a probe writes to a database of its own (made before) until
      // they fail, as the app's then do.
      const probe = () => phonePage.evaluate(() => new Promise((resolve) => {
        const open = indexedDB.open('quota-probe');
        open.onupgradeneeded = () => open.result.createObjectStore('s');
        open.onerror = () => resolve(open.error?.name);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction('s', 'readwrite');
          tx.objectStore('s').put('x'.repeat(1000), 1);
          tx.oncomplete = () => { db.close(); resolve('written'); };
          tx.onabort = () => { db.close(); resolve(tx.error?.name); };
        };
      }));
      assert.equal(await probe(), 'written');
      const cdp = await context.newCDPSession(phonePage);
      await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 1 });
      for (let i = 0; i < 60 && (await probe()) === 'written'; i++) await phonePage.waitForTimeout(1000);
      assert.equal(await probe(), 'QuotaExceededError');
      await verify.click();
      const alert = phonePage.getByTestId('save-failed');
      await alert.waitFor();
      assert.match(await alert.textContent(), /保存容量がいっぱい/);
      assert.equal(await alert.getAttribute('role'), 'alert');
      await alert.getByRole('button', { name: '閉じる' }).click();
      await alert.waitFor({ state: 'detached' });
      await verify.click();
      await alert.waitFor();
      // An import stops at the first batch not saved, and says why. (The
      // alert was about the screen left, and has gone with it.)
      await importFile(phonePage, 'directory.json', Buffer.from(JSON.stringify(DIRECTORY)), 'application/json');
      assert.equal(await alert.count(), 0);
      await phonePage.getByTestId('import-run').click();
      const stopped = phonePage.getByTestId('import-stopped');
      await stopped.waitFor();
      assert.match(await stopped.textContent(), /保存容量がいっぱい.*0件まで/s);
      // A contact: the form says why and keeps every word; once there is
      // room, the same tap saves it.
      const words = '容量がいっぱいの日に書いた記録。消えてはいけない。';
      await phonePage.goto(`${origin}/#/contact/new`);
      await phonePage.getByTestId('note').fill(words);
      await phonePage.getByTestId('save').click();
      await phonePage.locator('main [role="alert"]', { hasText: '保存容量がいっぱい' }).first().waitFor();
      assert.equal(await phonePage.getByTestId('note').inputValue(), words);
      await cdp.send('Storage.overrideQuotaForOrigin', { origin });
      await phonePage.getByTestId('save').click();
      await phonePage.getByTestId('flash').waitFor();
      assert.match(await phonePage.getByTestId('contact-list').textContent(), /容量がいっぱいの日に書いた記録/);
      await cdp.detach();
    } finally {
      await context.close();
      await cleanup(dir);
    }
  });
});

describe('importing a directory', () => {
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
    await joinThroughApp(page, await createGroup(server), 'importer');
  });
  after(() => closeAll({ contexts: [context], browser, server }));

  /** 150 rows, each with its own kind of window (a column of the file). */
  function facilities(rows = 150) {
    const kinds = ['基幹相談支援センター', '相談支援事業所（計画相談・地域相談）'];
    const lines = ['全国地方公共団体コード,ID,名称,電話番号,利用可能曜日,開始時間,終了時間,窓口の種類'];
    for (let i = 1; i <= rows; i++) lines.push(`281000,${i},神戸市 窓口${i},078-000-${String(i).padStart(4, '0')},月～金,9:00,17:00,${kinds[i % 2]}`);
    return Buffer.from(lines.join('\r\n') + '\r\n');
  }

  async function directoryCount() {
    await page.goto(`${origin}/#/directory`);
    await page.getByTestId('directory').waitFor();
    return page.getByTestId('directory').locator('li').count();
  }

  test('7. a double tap imports once, with progress; the same file again updates instead of doubling', async () => {
    await importFile(page, 'kobe.csv', facilities(), 'text/csv');
    await page.getByTestId('import-run').dblclick();
    await page.getByText('読み込みました：追加 150件、更新 0件').waitFor({ timeout: 30_000 });
    assert.equal(await directoryCount(), 150);
    // 9. Each row kept its own kind, and the file's date is the check date.
    const list = await page.getByTestId('directory').textContent();
    assert.match(list, /基幹相談支援センター/);
    assert.match(list, /相談支援事業所/);
    assert.doesNotMatch(list, /要確認/, 'entries from a file dated today need no check');
    await importFile(page, 'kobe.csv', facilities(), 'text/csv');
    assert.match(await page.getByTestId('import-preview').textContent(), /更新/);
    await page.getByTestId('import-run').click();
    await page.getByText('読み込みました：追加 0件、更新 150件').waitFor({ timeout: 30_000 });
    assert.equal(await directoryCount(), 150, 'nothing doubled');
  });

  test('7. a file over 5 MB is refused before it is read, in Japanese', async () => {
    const big = Buffer.alloc(6 * 1024 * 1024, 'a');
    await importFile(page, 'huge.csv', big, 'text/csv');
    const message = await page.getByTestId('import-error').textContent();
    assert.match(message, /ファイルが大きすぎます（6\.0 MB）/);
    assert.doesNotMatch(message, /[A-Za-z]{4,}/, 'no English in the Japanese message');
  });

  test('8. every problem of a broken file is said in Japanese', async () => {
    const broken = Buffer.from('全国地方公共団体コード,名称,電話番号,利用可能曜日,開始時間,終了時間,メールアドレス\n131017,窓口,でんわ,毎週,朝,夜,nope\n"open,');
    await importFile(page, 'broken.csv', broken, 'text/csv');
    const message = await page.getByTestId('import-error').textContent();
    assert.match(message, /閉じていません/);
    const rows = Buffer.from('全国地方公共団体コード,名称,電話番号,利用可能曜日,開始時間,終了時間,メールアドレス,URL\n131017,窓口,でんわ,毎週,朝,夜,nope,ftp://x\n131016,窓口2,03-1111-2222,月,9:00,17:00,nope,ftp://x\n');
    await importFile(page, 'rows.csv', rows, 'text/csv');
    const errors = await page.getByTestId('import-errors').textContent();
    assert.match(errors, /検査数字/);
    assert.match(errors, /「メール」が正しくありません/);
    for (const sentence of errors.split(/[\/：\n]/)) {
      assert.doesNotMatch(sentence.trim(), /^[A-Za-z .,'’:;()-]{12,}$/, `an English sentence: ${sentence}`);
    }
  });
});
