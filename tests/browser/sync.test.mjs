// Two devices of one user, offline edits, a closed tab, a conflict.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeAll, createGroup, joinThroughApp, launchBrowser, loginThroughApp, openFresh, phone, saveContact, startServer, syncNow } from './harness.mjs';
import { Session, contacts } from './seed.mjs';

const newContact = (page, note, person) => saveContact(page, { note, person });

async function editNote(page, person, note) {
  await page.getByTestId('contact-list').locator('li', { hasText: person }).locator('a').click();
  await page.getByTestId('note').fill(note);
  await page.getByTestId('save').click();
  await page.getByTestId('flash').waitFor();
}

/** Two tabs of the app on one phone, each showing its tab bar. */
async function twoTabs(context, server) {
  const tabs = [];
  for (let i = 0; i < 2; i++) {
    const tab = await context.newPage();
    await tab.goto(`${server.url}/`);
    await tab.locator('nav.tabbar').waitFor();
    tabs.push(tab);
  }
  return tabs;
}

describe('sync between two devices of one user', () => {
  let server;
  let browser;
  let phoneA;
  let phoneB;
  let a;
  let b;
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    phoneA = await phone(browser);
    phoneB = await phone(browser);
    a = await openFresh(phoneA, server);
    await joinThroughApp(a, await createGroup(server), 'twodevices');
    b = await openFresh(phoneB, server);
    await loginThroughApp(b, 'twodevices');
  });
  after(() => closeAll({ contexts: [phoneA, phoneB], browser, server }));

  test('both edit offline, come online, and each sees the other\'s changes', async () => {
    await newContact(a, 'Aで書いた記録', 'Xさん');
    await newContact(b, 'Bで書いた記録', 'Yさん');
    await syncNow(a);
    await syncNow(b);
    await syncNow(a);
    await a.getByTestId('contact-list').locator('li', { hasText: 'Yさん' }).waitFor();
    await b.getByTestId('contact-list').locator('li', { hasText: 'Xさん' }).waitFor();

    await server.stop();
    await editNote(a, 'Yさん', 'AがYさんの記録を直した');
    await editNote(b, 'Xさん', 'BがXさんの記録を直した');
    await newContact(b, 'Bがオフラインで書いた', 'Zさん');
    server = await server.restart();
    await syncNow(a);
    await syncNow(b);
    await syncNow(a);
    const listA = await a.getByTestId('contact-list').textContent();
    const listB = await b.getByTestId('contact-list').textContent();
    for (const expected of ['AがYさんの記録を直した', 'BがXさんの記録を直した', 'Zさん']) {
      assert.match(listA, new RegExp(expected), `A sees ${expected}`);
      assert.match(listB, new RegExp(expected), `B sees ${expected}`);
    }
  });

  test('a conflicting note edit is shown on both devices, not lost', async () => {
    await newContact(a, '元の文', 'Cさん');
    await syncNow(a);
    await syncNow(b);
    await b.getByTestId('contact-list').locator('li', { hasText: 'Cさん' }).waitFor();
    await server.stop();
    await editNote(a, 'Cさん', 'Aの書き直し');
    await b.waitForTimeout(50);
    await editNote(b, 'Cさん', 'Bの書き直し');
    server = await server.restart();
    await syncNow(a);
    await syncNow(b);
    await syncNow(a);
    for (const page of [a, b]) {
      await page.getByTestId('contact-list').locator('li', { hasText: 'Cさん' }).locator('a').click();
      const conflict = page.getByTestId('conflict');
      await conflict.waitFor();
      const kept = await page.getByTestId('note').inputValue();
      const other = await conflict.locator('blockquote').textContent();
      assert.deepEqual([kept, other].sort(), ['Aの書き直し', 'Bの書き直し'], 'one text is current, the other is shown as the conflict');
      assert.match(await conflict.textContent(), /別の端末でも編集されました/);
      await page.goto(page.url().replace(/#.*/, '#/'));
      await page.locator('main h1', { hasText: '記録' }).waitFor();
    }
    // Keeping both texts resolves it everywhere.
    await a.getByTestId('contact-list').locator('li', { hasText: 'Cさん' }).locator('a').click();
    await a.getByRole('button', { name: '両方つなげて残す' }).click();
    await a.getByTestId('conflict').waitFor({ state: 'detached' });
    const joined = await a.getByTestId('note').inputValue();
    assert.match(joined, /Aの書き直し/);
    assert.match(joined, /Bの書き直し/);
    await a.goto(a.url().replace(/#.*/, '#/'));
    await syncNow(a);
    await syncNow(b);
    await b.getByTestId('contact-list').locator('li', { hasText: 'Cさん' }).locator('a').click();
    assert.equal(await b.getByTestId('conflict').count(), 0);
    assert.equal(await b.getByTestId('note').inputValue(), joined);
    await b.goto(b.url().replace(/#.*/, '#/'));
  });

  test('a tab closed right after a save keeps the record and sends it later', async () => {
    const tab = await phoneA.newPage();
    await tab.goto(`${server.url}/`);
    await tab.locator('nav.tabbar').waitFor();
    await newContact(tab, '閉じる直前に保存', 'Dさん');
    // Closed before the debounced push can run.
    await tab.close({ runBeforeUnload: false });
    const again = await phoneA.newPage();
    await again.goto(`${server.url}/`);
    await again.getByTestId('contact-list').locator('li', { hasText: 'Dさん' }).waitFor();
    await syncNow(again);
    await syncNow(b);
    await b.getByTestId('contact-list').locator('li', { hasText: 'Dさん' }).waitFor();
    await again.close();
  });

  test('two tabs on one phone: a record saved in one appears in the other at once', async () => {
    const [first, second] = await twoTabs(phoneB, server);
    await newContact(first, '別のタブで書いた', 'Fさん');
    await second.getByTestId('contact-list').locator('li', { hasText: 'Fさん' }).waitFor({ timeout: 5_000 });
    await first.getByTestId('contact-list').locator('li', { hasText: 'Fさん' }).waitFor();
    await first.close();
    await second.close();
  });

  test('two tabs on one phone: hundreds pulled in one reach the other, which is offline', async () => {
    const [first, second] = await twoTabs(phoneB, server);
    // The second tab cannot reach the server: only the first tab's notice
    // can bring it what the first pulls.
    const cdp = await phoneB.newCDPSession(second);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: true, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    // More than a tab is told of one by one (200): the other rereads all.
    const elsewhere = new Session(server.url);
    await elsewhere.login('twodevices', 'correct horse battery');
    // Names of their own, so that no later test's name matches them.
    await elsewhere.create(contacts(250).map((c, i) => ({ ...c, fields: { ...c.fields, person: `一括${i}` } })));
    await syncNow(first);
    await second.getByTestId('search').fill('249件目');
    await second.getByTestId('contact-list').locator('li').first().waitFor({ timeout: 10_000 });
    assert.equal(await second.getByTestId('contact-list').locator('li').count(), 1);
    // The count of unsent changes came with that reread: none.
    await second.locator('nav.tabbar a', { hasText: '設定' }).click();
    await second.getByTestId('unsent-count').filter({ hasText: 'すべて送信済み' }).waitFor({ timeout: 5_000 });
    await first.close();
    await second.close();
  });

  test('two tabs on one phone: a record saved in one while the other starts appears in the other', async () => {
    // The starting tab's boot.js reads the store before its app runs; a
    // record the other tab saves after that read must still reach it
    // (boot.js hears the other tab's notice and the app rereads it). Both
    // offline, so that no pull can bring it instead.
    const [first] = await twoTabs(phoneB, server);
    await phoneB.setOffline(true);
    const starting = await phoneB.newPage();
    // The app's WebAssembly is held back until the other tab has saved.
    await starting.addInitScript(() => {
      const held = new Promise((resolve) => { window.nimoTestGo = resolve; });
      for (const name of ['instantiateStreaming', 'instantiate']) {
        const original = WebAssembly[name];
        WebAssembly[name] = async (...args) => { await held; return original.apply(WebAssembly, args); };
      }
    });
    await starting.goto(`${server.url}/`);
    await starting.waitForFunction(() => window.nimoFirstRead?.records);
    assert.ok(await starting.evaluate(() => window.nimoFirstRead.records.then((read) => read !== null)), 'boot.js read the store');
    await newContact(first, '起動中の別タブへ', 'Gさん');
    await first.getByTestId('contact-list').locator('li', { hasText: 'Gさん' }).waitFor();
    await starting.evaluate(() => window.nimoTestGo());
    await starting.getByTestId('contact-list').locator('li', { hasText: 'Gさん' }).waitFor({ timeout: 5_000 });
    await phoneB.setOffline(false);
    await first.close();
    await starting.close();
  });

  // Last: it closes device A's app.
  test('saved offline, app closed: the service worker sends it when the connection is back', async () => {
    const tab = await phoneA.newPage();
    await tab.goto(`${server.url}/`);
    await tab.locator('nav.tabbar').waitFor();
    await phoneA.setOffline(true);
    await newContact(tab, 'アプリを閉じてから届く記録', 'Eさん');
    // Chromium may fire the sync at once (only the page is emulated offline,
    // not the browser); the page's failed sync then registers it again.
    const registered = Date.now() + 5_000;
    while (!(await tab.evaluate(async () => (await navigator.serviceWorker.ready).sync.getTags())).includes('nimo-sync')) {
      assert.ok(Date.now() < registered, 'a Background Sync is registered for the unsent change');
      await tab.waitForTimeout(100);
    }
    // No page of nimo stays open; a blank one carries the DevTools session.
    const blank = await phoneA.newPage();
    await tab.close();
    await a.close();
    const cdp = await phoneA.newCDPSession(blank);
    const registration = new Promise((resolve) => {
      cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
        const mine = registrations.find((r) => r.scopeURL === `${server.url}/` && !r.isDeleted);
        if (mine) resolve(mine.registrationId);
      });
    });
    await cdp.send('ServiceWorker.enable');
    const registrationId = await registration;
    // The closed pages are gone for the worker too (they leave its client
    // list a moment after they close); otherwise it would hand the sync to them.
    const [worker] = phoneA.serviceWorkers().filter((w) => w.url().startsWith(server.url));
    assert.ok(worker, 'the service worker is running');
    const gone = Date.now() + 10_000;
    while (await worker.evaluate(() => self.clients.matchAll({ type: 'window' }).then((c) => c.length))) {
      assert.ok(Date.now() < gone, 'the closed pages leave the worker\'s clients');
      await blank.waitForTimeout(100);
    }
    await phoneA.setOffline(false);
    // What Chromium does when the connection returns (and again later,
    // as it does, if the worker reported a failure).
    const deadline = Date.now() + 20_000;
    for (let attempt = 0; ; attempt++) {
      if (attempt % 3 === 0) await cdp.send('ServiceWorker.dispatchSyncEvent', { origin: server.url, registrationId, tag: 'nimo-sync', lastChance: false });
      await syncNow(b);
      const shown = b.getByTestId('contact-list').locator('li', { hasText: 'Eさん' });
      if (await shown.waitFor({ timeout: 1_000 }).then(() => true, () => false)) break;
      assert.ok(Date.now() < deadline, 'device B receives the record device A saved offline');
    }
    // Device A's outbox was emptied by the worker: reopened, nothing is unsent.
    const reopened = await phoneA.newPage();
    await reopened.goto(`${server.url}/#/settings`);
    await reopened.getByTestId('unsent-count').filter({ hasText: 'すべて送信済み' }).waitFor();
    await reopened.close();
  });
});
