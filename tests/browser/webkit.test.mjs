// The suites that matter for a phone, in WebKit (every iPhone browser is
// WebKit): first visits (no dead update notice, the app downloaded once),
// contacts offline through the service worker, sync with a Chromium phone
// of the same user, the app lock, and a real update through 更新.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DIST, cleanup, closeAll, countingProxy, createGroup, inviteThroughApp, joinThroughApp, launchBrowser, loginThroughApp, openFresh, phone, saveContact, startServer, tempDir } from './harness.mjs';
import { WebKitPhone } from './webkit.mjs';

const PASS = 'correct horse battery';

/** Waits until the service worker controls the page and its cache is filled. */
async function settled(wk) {
  await wk.waitFor('return !!(navigator.serviceWorker && navigator.serviceWorker.controller)', { timeout: 30_000, what: 'a controlling service worker' });
  await wk.evalAsync('for (let i = 0; i < 100; i++) { const keys = await caches.keys(); if (keys.length) { const c = await caches.open(keys[0]); if ((await c.keys()).length > 5) return true; } await new Promise((r) => setTimeout(r, 100)); } return false;');
}

// Through the invite link as the app hands it out (`/join#<code>`): on a
// first visit, the server's join page, whose stylesheet is inside it and
// allowed by its hash; the app then takes its form over, makes the keys
// (Argon2id and X25519 in the key module, in WebKit) and shows the keys to
// write down.
async function joinIn(wk, url, code, login) {
  await wk.goto(`${url}/join#${code}`);
  await wk.waitForSelector('[data-testid="join-login"]', { timeout: 30_000 });
  assert.equal(await wk.eval('return location.hash'), `#/join/${code}`);
  assert.equal(await wk.eval('return document.querySelector(\'[data-testid="join-code"]\').value'), code, 'the code from the link is filled in');
  assert.equal(await wk.eval('return getComputedStyle(document.querySelector(\'form button[type="submit"]\')).minHeight'), '48px', 'the page\'s stylesheet applies');
  await wk.type('[data-testid="join-code"]', code);
  await wk.type('[data-testid="join-login"]', login);
  await wk.type('[data-testid="join-display"]', `${login}さん`);
  await wk.type('[data-testid="join-pass"]', PASS);
  await wk.type('[data-testid="join-pass2"]', PASS);
  await wk.click('form button[type="submit"]');
  await wk.waitForSelector('[data-testid="keep-keys"]', { timeout: 60_000 });
  const recovery = (await wk.text('[data-testid="recovery-key"]')).trim();
  await wk.type('[data-testid="keep-confirm"]', recovery.split('-').pop());
  await wk.click('[data-testid="keep-done"]');
  await wk.waitForSelector('nav.tabbar', { timeout: 30_000 });
}

describe('WebKit: first visits', () => {
  let server;
  let proxy;
  before(async () => {
    server = await startServer();
    proxy = await countingProxy(server);
  });
  after(async () => {
    await proxy?.close();
    await closeAll({ server });
  });

  test('ten fresh first visits: no update notice, and the app is downloaded once', async () => {
    for (let visit = 0; visit < 10; visit++) {
      const wk = await WebKitPhone.launch();
      try {
        const before = proxy.count(/\/app-[0-9a-f]{16}\.wasm$/);
        await wk.goto(proxy.url);
        await wk.waitForSelector('main h1', { timeout: 30_000 });
        await settled(wk);
        // Time for a late `installed` event to arrive, as it did in WebKit.
        await new Promise((r) => setTimeout(r, 1_500));
        const notice = await wk.eval('return [!!window.nimoUpdateReady, document.body.textContent.includes("新しいバージョンがあります")]');
        assert.deepEqual(notice, [false, false], `visit ${visit + 1}: no update notice on a first visit`);
        const fetched = await wk.eval('return performance.getEntriesByType("resource").filter((e) => /\\/app-[0-9a-f]{16}\\.wasm$/.test(e.name)).length');
        assert.equal(fetched, 1, `visit ${visit + 1}: the page fetched the wasm once`);
        assert.equal(proxy.count(/\/app-[0-9a-f]{16}\.wasm$/) - before, 1, `visit ${visit + 1}: the server sent the wasm once (page and service worker together)`);
      } finally {
        await wk.close();
      }
    }
  });
});

describe('WebKit: a phone of its own', () => {
  let server;
  let chromium;
  let context;
  let wk;
  let code;
  before(async () => {
    server = await startServer();
    chromium = await launchBrowser();
    code = await createGroup(server);
    wk = await WebKitPhone.launch();
  });
  after(async () => {
    await wk?.close();
    await closeAll({ contexts: [context], browser: chromium, server });
  });

  test('join, save offline, reload offline through the service worker, and send on reconnect', async () => {
    await joinIn(wk, server.url, code, 'iphone1');
    await settled(wk);
    await server.stop();
    await wk.reload();
    await wk.waitForText('[data-testid="connection"]', /オフライン/, { timeout: 30_000 });
    await wk.click('[data-testid="new-contact"]');
    await wk.click('[data-testid="worries"] [data-value="housing"]');
    await wk.type('[data-testid="note"]', 'iPhoneから保存した記録');
    await wk.click('[data-testid="save"]');
    await wk.waitForText('[data-testid="flash"]', /保存しました/);
    await wk.waitForText('[data-testid="unsent-badge"]', /未送信 1件/);
    // Closed and opened again with no server: still there, from the cache.
    await wk.reload();
    await wk.waitForText('[data-testid="contact-list"]', /iPhoneから保存した記録/, { timeout: 30_000 });
    server = await server.restart();
    await wk.waitFor('return !document.querySelector("[data-testid=unsent-badge]")', { timeout: 40_000, what: 'everything sent' });
  });

  test('a Chromium phone of the same user sees the record', async () => {
    context = await phone(chromium);
    const page = await openFresh(context, server);
    await loginThroughApp(page, 'iphone1', PASS);
    await page.getByTestId('contact-list').locator('li', { hasText: 'iPhoneから保存した記録' }).waitFor({ timeout: 30_000 });
    // And the other way round.
    await page.getByTestId('new-contact').click();
    await page.getByTestId('note').fill('Androidから保存した記録');
    await page.getByTestId('save').click();
    await page.getByTestId('flash').waitFor();
    await page.getByTestId('unsent-badge').waitFor({ state: 'detached', timeout: 30_000 });
    await wk.goto(`${server.url}/#/settings`);
    await wk.click('[data-testid="sync-now"]');
    await wk.goto(`${server.url}/#/`);
    await wk.waitForText('[data-testid="contact-list"]', /Androidから保存した記録/, { timeout: 30_000 });
  });

  test('a contact another member shared opens read-only and whole on the iPhone, its markup as text', async () => {
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await page.locator('nav.tabbar').waitFor();
    const invite = await inviteThroughApp(page);
    const other = await phone(chromium);
    try {
      const member = await openFresh(other, server);
      await joinThroughApp(member, invite, 'android2');
      await saveContact(member, { note: '共有したメモ<b>太字</b>', person: 'Sさん', shared: true });
      await member.getByTestId('unsent-badge').waitFor({ state: 'detached', timeout: 30_000 });
    } finally {
      await other.close();
    }
    await wk.goto(`${server.url}/#/settings`);
    await wk.click('[data-testid="sync-now"]');
    await wk.goto(`${server.url}/#/`);
    await wk.waitForText('[data-testid="contact-list"]', /Sさん/, { timeout: 30_000 });
    const href = await wk.eval('return [...document.querySelectorAll(\'[data-testid="contact-list"] li\')].find((li) => li.textContent.includes("Sさん")).querySelector("a").getAttribute("href")');
    await wk.goto(`${server.url}/${href}`);
    await wk.waitForText('[data-testid="record-view"]', /共有したメモ<b>太字<\/b>/, { timeout: 30_000 });
    assert.equal(await wk.eval('return document.querySelectorAll(\'[data-testid="record-view"] [data-field="note"] b\').length'), 0, 'the note\'s markup is text');
    assert.match(await wk.eval('return document.querySelector(\'[data-testid="record-meta"]\').textContent'), /android2さん/);
    assert.equal(await wk.eval('return document.querySelectorAll(\'main form, [data-testid="save"]\').length'), 0, 'nothing to save');
  });

  test('the app lock: no plaintext at rest, a wrong PIN refused, the right one opens', async () => {
    await wk.goto(`${server.url}/#/settings`);
    await wk.type('[data-testid="new-pin"]', '246813');
    await wk.type('[data-testid="new-pin2"]', '246813');
    await wk.click('[data-testid="enable-lock"]');
    await wk.waitForSelector('[data-testid="lock-now"]', { timeout: 60_000 });
    const dump = await wk.evalAsync(`
      const db = await new Promise((res, rej) => { const r = indexedDB.open('nimo'); r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
      const out = [];
      for (const name of db.objectStoreNames) {
        const all = await new Promise((res) => { const r = db.transaction(name).objectStore(name).getAll(); r.onsuccess = () => res(r.result); });
        for (const v of all) out.push(JSON.stringify(v, (k, x) => (x instanceof Uint8Array ? '[sealed]' : x)));
      }
      db.close();
      return out.join('\\n');`);
    assert.ok(dump.length > 200, 'the store holds data');
    for (const fragment of ['iPhoneから保存した記録', 'Androidから', 'iphone1']) assert.ok(!dump.includes(fragment), `plaintext "${fragment}" at rest`);
    await wk.click('[data-testid="lock-now"]');
    await wk.waitForSelector('[data-testid="lock"]');
    await wk.type('[data-testid="unlock-pin"]', '1111');
    await wk.click('[data-testid="lock"] form button[type="submit"]');
    await wk.waitForText('[data-testid="lock"]', /PINが違います/, { timeout: 60_000 });
    await wk.type('[data-testid="unlock-pin"]', '246813');
    await wk.click('[data-testid="lock"] form button[type="submit"]');
    await wk.waitForSelector('nav.tabbar', { timeout: 60_000 });
    await wk.goto(`${server.url}/#/`);
    await wk.waitForText('[data-testid="contact-list"]', /iPhoneから保存した記録/);
  });
});

describe('WebKit: an update', () => {
  let server;
  let assets;
  let wk;
  before(async () => {
    assets = await tempDir();
    await cp(DIST, assets, { recursive: true });
    server = await startServer({ assets });
    wk = await WebKitPhone.launch();
  });
  after(async () => {
    await wk?.close();
    await closeAll({ server });
    await cleanup(assets);
  });

  test('a new version is offered, and 更新 brings it in', async () => {
    await wk.goto(server.url);
    await wk.waitForSelector('main h1', { timeout: 30_000 });
    await settled(wk);
    const sw = path.join(assets, 'sw.js');
    await writeFile(sw, (await readFile(sw, 'utf8')).replace(/const BUILD_ID = "([0-9a-f]+)"/, 'const BUILD_ID = "$1-v2"'));
    await cleanup(`${sw}.br`, `${sw}.gz`);
    await wk.eval('navigator.serviceWorker.getRegistration().then((r) => r.update())');
    await wk.waitForText('.banner', /新しいバージョンがあります/, { timeout: 30_000 });
    await wk.click('.banner button');
    // The page reloads under the new version; the notice is gone.
    await wk.waitFor('return !!document.querySelector("main h1") && !document.body.textContent.includes("新しいバージョンがあります") && !!navigator.serviceWorker.controller', { timeout: 30_000, what: 'the new version running' });
    const caches = await wk.evalAsync('for (let i = 0; i < 50; i++) { const k = await caches.keys(); if (k.length && k.every((n) => n.endsWith("-v2"))) return k; await new Promise((r) => setTimeout(r, 100)); } return await caches.keys();');
    assert.ok(caches.length > 0 && caches.every((n) => n.endsWith('-v2')), `only the new version is cached: ${caches}`);
  });
});
