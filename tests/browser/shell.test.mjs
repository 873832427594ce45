// The app shell: first screen, language switch, navigation, offline start,
// manifest and installability, CSP.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup, closeAll, countingProxy, createGroup, joinThroughApp, keepKeys, launchBrowser, openFresh, persistentPhone, phone, startServer, tempDir, waitForServiceWorker } from './harness.mjs';

describe('app shell', () => {
  let server;
  let browser;
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });
  after(() => closeAll({ browser, server }));

  test('loads in Japanese and, once joined, shows the home screen', async () => {
    const context = await phone(browser);
    const page = await openFresh(context, server);
    assert.equal(await page.locator('html').getAttribute('lang'), 'ja');
    assert.equal(await page.locator('main h1').textContent(), 'nimo へようこそ');
    assert.equal(await page.locator('#loading').count(), 0, 'the loading notice is removed');
    await joinThroughApp(page, await createGroup(server), 'homescreen');
    assert.equal(await page.locator('main h1').first().textContent(), '記録');
    const tabs = await page.locator('nav.tabbar a').allTextContents();
    assert.deepEqual(tabs.map((t) => t.trim()), ['記録', '窓口', '協議の場', '設定']);
    assert.equal((await page.getByTestId('connection').textContent()).trim(), 'オンライン');
    // Nothing is wider than the 360 px screen.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
    assert.deepEqual(page.problems, []);
    await context.close();
  });

  test('a first visit downloads the app once (page and service worker together) and offers no update', async () => {
    const proxy = await countingProxy(server);
    const context = await phone(browser);
    try {
      const page = await context.newPage();
      await page.goto(proxy.url);
      await page.locator('main h1').first().waitFor();
      await waitForServiceWorker(page);
      await page.waitForFunction(async () => {
        const keys = await caches.keys();
        return keys.length === 1 && (await (await caches.open(keys[0])).keys()).length > 5;
      });
      await page.waitForTimeout(1_000);
      assert.equal(proxy.count(/\/app-[0-9a-f]{16}\.wasm$/), 1, 'the WebAssembly is downloaded once');
      assert.equal(proxy.count(/\.tsv$/), 1, 'the list of areas is downloaded once');
      assert.equal(await page.evaluate(() => performance.getEntriesByType('resource').filter((e) => /\/app-[0-9a-f]{16}\.wasm$/.test(e.name)).length), 1);
      // The key module comes for the welcome screen's steps; the strength
      // module only once a new passphrase is typed.
      assert.equal(proxy.count(/\/strength-[0-9a-f]{16}\.wasm$/), 0, 'no strength estimate downloaded before a passphrase is chosen');
      assert.equal(await page.evaluate(() => Boolean(window.nimoUpdateReady)), false, 'no update notice on a first visit');
    } finally {
      await context.close();
      await proxy.close();
    }
  });

  test('a device holding the previous version\'s database: the app upgrades it, keeps what it held, and starts', async () => {
    // boot.js opens the database while the WebAssembly compiles; a
    // connection at an older version must be closed, not block the upgrade.
    const context = await phone(browser);
    try {
      const page = await context.newPage();
      await page.goto(`${server.url}/sw.js`);
      await page.evaluate(() => new Promise((resolve, reject) => {
        const req = indexedDB.open('nimo', 1);
        req.onupgradeneeded = () => {
          const meta = req.result.createObjectStore('meta', { keyPath: 'k' });
          meta.put({ k: 'kept', v: '"from version 1"' });
          const contacts = req.result.createObjectStore('contact', { keyPath: 'id' });
          contacts.createIndex('day', 'day');
          // Enough that reading them all takes a while: boot.js reads the
          // database it opens, and that read must not hold the upgrade up.
          for (let i = 0; i < 3000; i++) contacts.put({ id: `c${i}`, day: '2026-04-01', v: 'x'.repeat(400) });
        };
        req.onsuccess = () => { req.result.close(); resolve(); };
        req.onerror = () => reject(req.error);
      }));
      // An open that waits for another connection to close is "blocked".
      await page.addInitScript(() => {
        const open = indexedDB.open.bind(indexedDB);
        indexedDB.open = (...args) => {
          const req = open(...args);
          req.addEventListener('blocked', () => { window.nimoTestBlocked = true; });
          return req;
        };
      });
      await page.goto(`${server.url}/`);
      await page.locator('main h1', { hasText: 'nimo へようこそ' }).waitFor({ timeout: 15_000 });
      assert.equal(await page.evaluate(() => Boolean(window.nimoTestBlocked)), false, 'the upgrade waited for the early connection');
      const db = await page.evaluate(() => new Promise((resolve, reject) => {
        const req = indexedDB.open('nimo');
        req.onsuccess = () => {
          const d = req.result;
          const get = d.transaction('meta').objectStore('meta').get('kept');
          get.onsuccess = () => {
            const contacts = d.transaction('contact').objectStore('contact');
            const count = contacts.count();
            count.onsuccess = () => {
              const out = { version: d.version, stores: [...d.objectStoreNames], kept: get.result && get.result.v, contacts: count.result, indexes: [...contacts.indexNames] };
              d.close();
              resolve(out);
            };
          };
        };
        req.onerror = () => reject(req.error);
      }));
      assert.equal(db.version, 2);
      assert.ok(db.stores.includes('outbox') && db.stores.includes('meeting'), db.stores.join());
      assert.equal(db.kept, '"from version 1"');
      assert.equal(db.contacts, 3000, 'the records it held are kept');
      assert.deepEqual(db.indexes, [], 'version 1\'s unused indexes are gone');
    } finally {
      await context.close();
    }
  });

  test('an invite link opens a join form that can be filled before the app has arrived', async () => {
    const code = await createGroup(server);
    const context = await phone(browser);
    // Hold the WebAssembly back, as a slow connection would.
    let release;
    const gate = new Promise((resolve) => { release = resolve; });
    await context.route('**/*.wasm', async (route) => { await gate; await route.continue(); });
    const page = await context.newPage();
    await page.goto(`${server.url}/#/join/${code}`);
    const form = page.locator('#page-join');
    await form.waitFor();
    assert.equal(await page.locator('#pj-code').inputValue(), code, 'the code from the link is filled in');
    await page.getByLabel('ログイン名（半角英数字）').fill('earlybird');
    await page.getByLabel('表示名（グループ内で見える名前）').fill('はやおき');
    await page.getByLabel('パスフレーズ', { exact: true }).fill('correct horse battery');
    await page.getByLabel('パスフレーズ（もう一度）').fill('correct horse battery');
    await page.getByRole('button', { name: '参加する' }).click();
    await page.getByText('アプリを準備しています').waitFor();
    release();
    // The app takes what was typed and sends it.
    await keepKeys(page);
    assert.equal(await page.locator('#page-join').count(), 0, 'the page form is gone');
    await page.locator('nav.tabbar a', { hasText: '設定' }).click();
    await page.getByText('はやおき').first().waitFor();
    await context.close();
  });

  test('an invite link mangled by hand (a broken %-escape) still shows a join form that keeps what is typed', async () => {
    const context = await phone(browser);
    let release;
    const gate = new Promise((resolve) => { release = resolve; });
    await context.route('**/*.wasm', async (route) => { await gate; await route.continue(); });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/#/join/ABCD%E0%A4%A`);
    await page.locator('#pj-login').waitFor();
    assert.equal(await page.locator('#pj-code').inputValue(), 'ABCD%E0%A4%A');
    await page.getByLabel('ログイン名（半角英数字）').fill('mangled');
    await page.getByRole('button', { name: '参加する' }).click();
    await page.getByText('アプリを準備しています').waitFor();
    assert.deepEqual(errors, []);
    release();
    await context.close();
  });

  test('an invite link /join#<code>: the server\'s page shows the join form at its first paint, before any script has run', async () => {
    const code = await createGroup(server);
    // The page as sent: the form showing and its style inside, allowed by
    // hashes in the policy, not by 'unsafe-inline'. The code after # is
    // never sent.
    const sent = await fetch(`${server.url}/join`);
    assert.equal(sent.status, 200);
    assert.match(sent.headers.get('content-type'), /^text\/html/);
    const csp = sent.headers.get('content-security-policy');
    assert.match(csp, /style-src 'self' 'sha256-[A-Za-z0-9+/]{43}='/, csp);
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/]{43}='/, csp);
    assert.doesNotMatch(csp, /unsafe-inline/);
    const html = await sent.text();
    assert.match(html, /<style>/);
    assert.doesNotMatch(html, /id="page-join"[^>]*hidden/, 'the form is not hidden');

    const context = await phone(browser);
    const problems = [];
    // Hold boot.js and the WebAssembly back, as a slow connection would.
    let release;
    const gate = new Promise((resolve) => { release = resolve; });
    await context.route(/\/(boot-[0-9a-f]{16}\.js|app-[0-9a-f]{16}\.wasm)$/, async (route) => { await gate; await route.continue(); });
    const page = await context.newPage();
    page.on('console', (m) => { if (/Content Security Policy|Refused to/.test(m.text())) problems.push(m.text()); });
    await page.goto(`${server.url}/join#${code}`, { waitUntil: 'commit' });
    await page.locator('#pj-login').waitFor();
    assert.equal(await page.locator('#pj-code').inputValue(), code, 'the code from the link is filled in');
    assert.equal(new URL(page.url()).hash, `#/join/${code}`, 'the address becomes the app\'s own form of the link');
    assert.equal(await page.locator('#pj-submit').isDisabled(), true, 'no sending before the page can keep what was typed');
    assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('#pj-submit')).minHeight), '48px', 'styled by the page\'s own stylesheet');
    await page.getByLabel('ログイン名（半角英数字）').fill('pathlink');
    await page.getByLabel('表示名（グループ内で見える名前）').fill('みちのり');
    await page.getByLabel('パスフレーズ', { exact: true }).fill('correct horse battery');
    await page.getByLabel('パスフレーズ（もう一度）').fill('correct horse battery');
    release();
    await page.locator('#pj-submit:not([disabled])').waitFor();
    await page.getByTestId('keep-keys').or(page.locator('[data-testid="join-login"]')).first().waitFor({ timeout: 30_000 });
    if (await page.getByTestId('keep-keys').count() === 0) {
      // The app took over what was typed before it was sent.
      assert.equal(await page.locator('[data-testid="join-login"]').inputValue(), 'pathlink');
      await page.getByRole('button', { name: '参加する' }).click();
    }
    await keepKeys(page);
    await page.locator('nav.tabbar a', { hasText: '設定' }).click();
    await page.getByText('みちのり').first().waitFor();
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('an invite link /join#<code> on a device that has the app already opens the app\'s join form, offline too', async () => {
    const code = await createGroup(server);
    const context = await phone(browser);
    const page = await openFresh(context, server);
    await waitForServiceWorker(page);
    await context.setOffline(true);
    await page.goto(`${server.url}/join#${code}`);
    await page.locator('[data-testid="join-login"]').waitFor();
    assert.equal(new URL(page.url()).hash, `#/join/${code}`);
    assert.equal(await page.locator('[data-testid="join-code"]').inputValue(), code);
    await context.close();
  });

  test('the invite link a coordinator shares is of the form /join#<code>: the code after #, never sent to the server', async () => {
    const context = await phone(browser);
    const page = await openFresh(context, server);
    await joinThroughApp(page, await createGroup(server), 'sharer');
    await page.locator('nav.tabbar a', { hasText: '設定' }).click();
    const link = page.getByTestId('invite-link');
    await page.getByTestId('create-invite').click();
    await link.waitFor();
    assert.match(await link.textContent(), new RegExp(`^${server.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/join#[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$`));
    await context.close();
  });

  test('revoking an invite without a connection says it failed and leaves the invite active; online it is revoked', async () => {
    const context = await phone(browser);
    const page = await openFresh(context, server);
    await joinThroughApp(page, await createGroup(server), 'revoker');
    await page.locator('nav.tabbar a', { hasText: '設定' }).click();
    const invites = page.getByTestId('invites');
    await page.getByTestId('create-invite').click();
    await page.getByTestId('invite-link').waitFor();
    const row = invites.locator('ul.rows li').first();
    await row.getByRole('button', { name: '取り消す' }).waitFor();
    await context.setOffline(true);
    await row.getByRole('button', { name: '取り消す' }).click();
    // A coordinator revoking a link that has leaked must not be left
    // believing it is dead.
    await invites.getByText('サーバーにつながりません').waitFor();
    assert.match(await row.textContent(), /有効/);
    await context.setOffline(false);
    await row.getByRole('button', { name: '取り消す' }).click();
    await invites.locator('ul.rows li', { hasText: '取り消し済み' }).waitFor();
    assert.equal(await invites.getByText('サーバーにつながりません').count(), 0, 'the failure is no longer shown once the revoke went through');
    await context.close();
  });

  test('on an iPhone, once a record exists, it says to add nimo to the home screen (Safari may erase data after 7 days)', async () => {
    const iphone = 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1';
    const context = await phone(browser, { userAgent: iphone });
    const page = await openFresh(context, server);
    await joinThroughApp(page, await createGroup(server), 'iphoneuser');
    assert.equal(await page.getByTestId('ios-home-hint').count(), 0, 'nothing to lose yet');
    await page.getByTestId('new-contact').click();
    await page.getByTestId('note').fill('最初の記録');
    await page.getByTestId('save').click();
    const hint = page.getByTestId('ios-home-hint');
    await hint.waitFor();
    assert.match(await hint.textContent(), /ホーム画面に追加/);
    await hint.getByRole('button').click();
    await page.reload();
    await page.getByTestId('contact-list').waitFor();
    assert.equal(await page.getByTestId('ios-home-hint').count(), 0, 'said once, until dismissed');
    await context.close();
  });

  test('switches to English and remembers it across a reload', async () => {
    const context = await phone(browser);
    const page = await openFresh(context, server);
    await page.getByRole('button', { name: 'English', exact: true }).click();
    await page.locator('main h1', { hasText: 'Welcome to nimo' }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    await page.reload();
    await page.locator('main h1', { hasText: 'Welcome to nimo' }).waitFor();
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await joinThroughAppEnglish(page, await createGroup(server), 'englishuser');
    const tabs = await page.locator('nav.tabbar a').allTextContents();
    assert.deepEqual(tabs.map((t) => t.trim()), ['Records', 'Windows', 'Meetings', 'Settings']);
    await page.locator('nav.tabbar a', { hasText: 'Settings' }).click();
    await page.getByLabel('日本語 (Japanese)').click();
    await page.locator('main h1', { hasText: '設定' }).waitFor();
    await page.reload();
    await page.locator('main h1', { hasText: '設定' }).waitFor();
    assert.deepEqual(page.problems, []);
    await context.close();
  });

  test('the navigation marks the current screen', async () => {
    const context = await phone(browser);
    const page = await openFresh(context, server);
    await joinThroughApp(page, await createGroup(server), 'navigator');
    await page.locator('nav.tabbar a', { hasText: '窓口' }).click();
    await page.locator('main h1', { hasText: '相談窓口' }).waitFor();
    assert.equal(await page.locator('nav.tabbar a[aria-current="page"]').textContent(), '窓口');
    await context.close();
  });

  test('GET / carries a strict Content-Security-Policy and cache headers', async () => {
    const response = await fetch(`${server.url}/`);
    const csp = response.headers.get('content-security-policy');
    assert.ok(csp, 'CSP present');
    const scriptSrc = csp.split(';').map((d) => d.trim()).find((d) => d.startsWith('script-src'));
    assert.equal(scriptSrc, "script-src 'self' 'wasm-unsafe-eval'");
    assert.doesNotMatch(csp, /unsafe-inline|https?:|\*/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(response.headers.get('cache-control'), 'no-cache');
    const html = await response.text();
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline <script>');
    const sw = await fetch(`${server.url}/sw.js`);
    assert.equal(sw.headers.get('cache-control'), 'no-cache');
    const boot = html.match(/src="(\/boot-[0-9a-f]{16}\.js)"/)[1];
    const js = await fetch(`${server.url}${boot}`, { headers: { 'accept-encoding': 'br' } });
    assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(js.headers.get('content-encoding'), 'br');
    assert.match(js.headers.get('content-type'), /javascript/);
  });

  test('the web manifest is valid and the app is installable', async () => {
    const profile = await tempDir();
    const context = await persistentPhone(profile);
    const page = await openFresh(context, server);
    await waitForServiceWorker(page);
    const href = await page.locator('link[rel="manifest"]').getAttribute('href');
    const manifest = await (await fetch(`${server.url}${href}`)).json();
    assert.equal(manifest.short_name, 'nimo');
    assert.ok(manifest.name.length > 0);
    assert.equal(manifest.start_url, '/');
    assert.equal(manifest.display, 'standalone');
    assert.equal(manifest.lang, 'ja');
    const sizes = new Map();
    for (const icon of manifest.icons) {
      const res = await fetch(`${server.url}${icon.src}`);
      assert.equal(res.status, 200, icon.src);
      assert.equal(res.headers.get('content-type'), 'image/png');
      const png = Buffer.from(await res.arrayBuffer());
      const [w, h] = [png.readUInt32BE(16), png.readUInt32BE(20)];
      assert.equal(`${w}x${h}`, icon.sizes, `${icon.src} has the size it declares`);
      sizes.set(`${icon.sizes}/${icon.purpose}`, true);
    }
    assert.ok(sizes.has('192x192/any') && sizes.has('512x512/any') && sizes.has('512x512/maskable'));
    const cdp = await context.newCDPSession(page);
    const { errors } = await cdp.send('Page.getAppManifest');
    assert.deepEqual(errors, [], 'Chromium parses the manifest without errors');
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    assert.deepEqual(installabilityErrors, [], 'Chromium finds the app installable');
    await context.close();
    await cleanup(profile);
  });

  test('with the server stopped, a reload still shows the app and says offline', async () => {
    const own = await startServer();
    const context = await phone(browser);
    try {
      const page = await openFresh(context, own);
      await joinThroughApp(page, await createGroup(own), 'offlineuser');
      await waitForServiceWorker(page);
      assert.equal((await page.getByTestId('connection').textContent()).trim(), 'オンライン');
      await own.stop();
      await page.reload();
      await page.locator('main h1', { hasText: '記録' }).waitFor();
      await page.getByTestId('connection').filter({ hasText: 'オフライン' }).waitFor();
      await page.locator('nav.tabbar a', { hasText: '設定' }).click();
      await page.locator('main h1', { hasText: '設定' }).waitFor();
      assert.deepEqual(page.problems, []);
    } finally {
      await context.close();
      await own.stop();
      await cleanup(own.dir);
    }
  });
});

async function joinThroughAppEnglish(page, code, login) {
  await page.getByTestId('join-code').fill(code);
  await page.getByTestId('join-login').fill(login);
  await page.getByTestId('join-display').fill(login);
  await page.getByTestId('join-pass').fill('correct horse battery');
  await page.getByTestId('join-pass2').fill('correct horse battery');
  await page.getByRole('button', { name: 'Join', exact: true }).click();
  await page.getByTestId('keep-keys').waitFor({ timeout: 60_000 });
  assert.match(await page.getByTestId('keep-keys').textContent(), /Write these down now/);
  await keepKeys(page);
}
