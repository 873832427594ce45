// Remote erase of a revoked device, and the app lock's encryption at rest.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeAll, createGroup, joinThroughApp, launchBrowser, loginThroughApp, openFresh, phone, startServer } from './harness.mjs';
import { SCHEMA } from './seed.mjs';

/** Everything in nimo's IndexedDB, as text (bytes as hex and as UTF-8). */
async function dumpIndexedDb(page) {
  return page.evaluate(async () => {
    const db = await new Promise((resolve, reject) => {
      const req = indexedDB.open('nimo');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const out = {};
    for (const name of db.objectStoreNames) {
      const values = await new Promise((resolve) => {
        const req = db.transaction(name).objectStore(name).getAll();
        req.onsuccess = () => resolve(req.result);
      });
      out[name] = values.map((v) => JSON.stringify(v, (k, x) => (x instanceof Uint8Array ? `bytes:${new TextDecoder().decode(x)}` : x)));
    }
    db.close();
    return out;
  });
}

describe('security on the device', () => {
  let server;
  let browser;
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });
  after(() => closeAll({ browser, server }));

  test('a device revoked while offline erases its data when it comes back, sending nothing', async () => {
    const lost = await phone(browser);
    const other = await phone(browser);
    const page = await openFresh(lost, server);
    await joinThroughApp(page, await createGroup(server), 'lostphone');
    await page.getByTestId('new-contact').click();
    await page.getByTestId('note').fill('同期済みの記録');
    await page.getByTestId('save').click();
    await page.getByTestId('flash').waitFor();
    await page.getByTestId('unsent-badge').waitFor({ state: 'detached', timeout: 20_000 });

    await lost.setOffline(true);
    await page.getByTestId('new-contact').click();
    await page.getByTestId('note').fill('オフラインで書いた秘密');
    await page.getByTestId('save').click();
    await page.getByTestId('flash').waitFor();

    const second = await openFresh(other, server);
    await loginThroughApp(second, 'lostphone');
    await second.locator('nav.tabbar a', { hasText: '設定' }).click();
    const devices = second.getByTestId('devices');
    await devices.locator('li', { hasText: 'この端末' }).waitFor();
    second.once('dialog', (d) => d.accept());
    await devices.locator('li', { hasNotText: 'この端末' }).getByRole('button', { name: '利用停止' }).click();
    await devices.locator('li').nth(1).waitFor({ state: 'detached' });

    await lost.setOffline(false);
    await page.evaluate(() => window.dispatchEvent(new Event('online')));
    await page.getByTestId('revoked').waitFor({ timeout: 20_000 });
    assert.match(await page.getByTestId('revoked').textContent(), /利用が止められました/);
    const dump = await dumpIndexedDb(page);
    for (const [store, values] of Object.entries(dump)) assert.deepEqual(values, [], `${store} is empty`);
    // The offline change was never sent.
    await second.locator('nav.tabbar a', { hasText: '記録' }).click();
    await second.getByTestId('contact-list').locator('li', { hasText: '同期済みの記録' }).waitFor();
    assert.doesNotMatch(await second.getByTestId('contact-list').textContent(), /オフラインで書いた秘密/);
    await lost.close();
    await other.close();
  });

  test('with the app lock on, IndexedDB holds no plaintext of a note', async () => {
    const context = await phone(browser);
    const page = await openFresh(context, server);
    await joinThroughApp(page, await createGroup(server), 'lockuser');
    await page.locator('nav.tabbar a', { hasText: '設定' }).click();
    await page.getByTestId('new-pin').fill('246813');
    await page.getByTestId('new-pin2').fill('246813');
    await page.getByTestId('enable-lock').click();
    await page.getByTestId('lock-now').waitFor({ timeout: 30_000 });
    await page.locator('nav.tabbar a', { hasText: '記録' }).click();
    const secret = 'ひみつのメモ：夜眠れないと話した';
    await page.getByTestId('new-contact').click();
    await page.getByTestId('note').fill(secret);
    await page.getByTestId('save').click();
    await page.getByTestId('flash').waitFor();
    await page.waitForTimeout(500);
    const dump = JSON.stringify(await dumpIndexedDb(page));
    assert.ok(dump.length > 500, 'the store holds data');
    for (const fragment of ['ひみつのメモ', '眠れない', 'lockuser', 'mental_health']) {
      assert.ok(!dump.includes(fragment), `IndexedDB holds plaintext "${fragment}"`);
    }
    // Locking hides everything; the PIN brings it back.
    await page.locator('nav.tabbar a', { hasText: '設定' }).click();
    await page.getByTestId('lock-now').click();
    await page.getByTestId('lock').waitFor();
    // While the app is locked, nothing else in this browser can use the
    // session: a new tab asking the API for the records is refused.
    const tab = await context.newPage();
    const response = await tab.goto(`${server.url}/api/sync/pull?schema=${SCHEMA}`);
    assert.equal(response.status(), 401);
    const body = await response.text();
    assert.ok(!body.includes('ひみつのメモ'), 'no record text in the answer');
    assert.equal(await tab.evaluate(async (schema) => (await fetch(`/api/sync/pull?schema=${schema}`)).status, SCHEMA), 401);
    await tab.close();
    await page.reload();
    await page.getByTestId('lock').waitFor();
    await page.getByTestId('unlock-pin').fill('1111');
    await page.getByRole('button', { name: '開く' }).click();
    await page.getByText('PINが違います').waitFor({ timeout: 30_000 });
    await page.getByTestId('unlock-pin').fill('246813');
    await page.getByRole('button', { name: '開く' }).click();
    await page.locator('nav.tabbar a', { hasText: '記録' }).click({ timeout: 30_000 });
    await page.getByTestId('contact-list').locator('li', { hasText: 'ひみつのメモ' }).waitFor({ timeout: 30_000 });
    await context.close();
  });
});
