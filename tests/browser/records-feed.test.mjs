// The list, the monthly counts and the export always show what the device
// holds, even when a record is saved between two pages of a long first sync.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { closeAll, createGroup, joinThroughApp, launchBrowser, loginThroughApp, openFresh, phone, saveContact, startServer } from './harness.mjs';
import { Session, contacts } from './seed.mjs';

/** Live contacts in this page's IndexedDB. */
function storedContacts(page) {
  return page.evaluate(async () => {
    const db = await new Promise((resolve, reject) => {
      const req = indexedDB.open('nimo');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const all = await new Promise((resolve) => {
      const req = db.transaction('contact').objectStore('contact').getAll();
      req.onsuccess = () => resolve(req.result);
    });
    db.close();
    return all.filter((r) => !r.del).length;
  });
}

describe('the screens show what the device holds', () => {
  let server;
  let browser;
  let first;
  let second;
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });
  after(() => closeAll({ contexts: [first, second], browser, server }));

  test('a save between two pages of the first pull: list, 月ごとの件数 and the export all count 2,333', async () => {
    first = await phone(browser);
    const page1 = await openFresh(first, server);
    await joinThroughApp(page1, await createGroup(server), 'feeduser');
    const seed = new Session(server.url);
    await seed.login('feeduser', 'correct horse battery');
    await seed.create(contacts(2_332));

    // A new phone of the same user; its second pull page waits until a
    // record has been saved on it. (No service worker: routing sees every request.)
    second = await phone(browser, { serviceWorkers: 'block' });
    let holding;
    const held = new Promise((resolve) => { holding = resolve; });
    let release;
    const gate = new Promise((resolve) => { release = resolve; });
    await second.route('**/api/sync/pull*', async (route) => {
      if (route.request().url().includes('cursor=') && holding) {
        const signal = holding;
        holding = null;
        signal();
        await gate;
      }
      await route.continue();
    });
    const page = await openFresh(second, server);
    await loginThroughApp(page, 'feeduser');
    await held;
    await saveContact(page, { note: 'ページのあいだに保存した記録' });
    release();
    const count = page.getByTestId('record-count');
    await count.filter({ hasText: '全部で 2,333件' }).waitFor({ timeout: 30_000 });
    await page.getByTestId('unsent-badge').waitFor({ state: 'detached', timeout: 20_000 });
    // Two more syncs change nothing.
    for (let i = 0; i < 2; i++) {
      await page.evaluate(() => window.dispatchEvent(new Event('online')));
      await page.waitForTimeout(1_000);
    }
    assert.equal(await count.textContent(), '全部で 2,333件');
    assert.equal(await storedContacts(page), 2_333, 'IndexedDB holds them all');

    const exports = page.getByTestId('exports');
    await exports.locator('summary').click();
    // The cards are drawn when the section opens.
    await exports.getByTestId('monthly').locator('dd').first().waitFor();
    const monthly = await exports.getByTestId('monthly').locator('dd').allTextContents();
    assert.equal(monthly.reduce((sum, n) => sum + parseInt(n.replace(/,/g, ''), 10), 0), 2_333, '月ごとの件数 adds up to every record');
    const [download] = await Promise.all([page.waitForEvent('download'), exports.getByTestId('export-json').click()]);
    const exported = JSON.parse(await readFile(await download.path(), 'utf8'));
    assert.equal(exported.length, 2_333, 'the export holds every record');
  });
});
