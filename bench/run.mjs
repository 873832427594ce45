// `cargo xtask bench`: measures nimo and prints one table (markdown).
// Everything runs on 127.0.0.1 in Debian's headless Chromium. The figures
// are printed, never asserted: the tests assert behaviour.

import { execFileSync, spawn } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, cleanup, createGroup, launchBrowser, loginThroughApp, openFresh, phone, startServer, tempDir, waitForServiceWorker } from '../tests/browser/harness.mjs';
import { Session, contacts, passphraseOf, windows } from '../tests/browser/seed.mjs';

const BENCH_DIST = process.env.NIMO_BENCH_DIST;
const LOAD_BIN = process.env.NIMO_LOAD_BIN;
const SIZES = process.env.NIMO_SIZES;
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const rows = [];
const budget = (value, limit, lower = true) => (value === null ? '—' : (lower ? value <= limit : value >= limit) ? 'within' : 'OVER');

function row(what, value, unit, limit, lower = true) {
  const shown = value === null || value === undefined ? 'n/a' : typeof value === 'number' ? (Number.isInteger(value) ? value.toLocaleString('en') : value.toFixed(1)) : value;
  rows.push({ what, value: shown, unit, budget: limit === undefined ? '' : `${lower ? '≤' : '≥'} ${limit.toLocaleString('en')} (${budget(value, limit, lower)})` });
  console.error(`  ${what}: ${shown} ${unit}`);
}

function median(list) {
  const s = [...list].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

// ---- sizes ----
async function sizes() {
  const files = JSON.parse(await readFile(SIZES, 'utf8'));
  for (const f of files) row(`size: ${f.file}`, f.brotli, `B brotli (${f.raw.toLocaleString('en')} B raw)`);
  // The install-only icons are fetched when the app is installed, not on a visit.
  const total = files.filter((f) => f.first_visit).reduce((s, f) => s + f.brotli, 0);
  row('first-visit transfer, whole app (page, sw.js and all it precaches)', total, 'B brotli', 491_520);
  const areas = files.find((f) => /^areas-.*\.tsv$/.test(f.file));
  row('area list (47 + 1,741 areas), a precached data file', areas.brotli, 'B brotli', 40_000);
}

// Counts the bytes the server sends, whoever asks (the page or its service
// worker, whose requests the page's DevTools session does not see).
async function countingProxy(target) {
  const { createServer, request } = await import('node:http');
  const upstream = new URL(target);
  const counter = { shell: 0, api: 0 };
  const proxy = createServer((req, res) => {
    const out = request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: { ...req.headers, host: upstream.host } }, (up) => {
      res.writeHead(up.statusCode, up.headers);
      up.on('data', (chunk) => { counter[req.url.startsWith('/api/') ? 'api' : 'shell'] += chunk.length; });
      up.pipe(res);
    });
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${proxy.address().port}`, counter, close: () => proxy.close() };
}

// A phone with its own profile (a service worker and IndexedDB that
// outlive reloads), as the throttled rows use it.
async function phoneWithProfile(profile) {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = context.pages()[0] || await context.newPage();
  return { context, page };
}

// Slows the page to the throttled profile; returns its CDP session.
async function throttle(context, page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  // Slow 4G as Lighthouse's mobile profile: 150 ms RTT, 1.6 Mbit/s down, 750 kbit/s up.
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 750e3 / 8 });
  return cdp;
}

// How the throttled rows see the screen. Playwright's locators inject
// Playwright's own script into every new page, and on the throttled
// profile compiling it took ~50 ms of the page's main thread in the middle
// of the app's start (seen in a trace of a reload), so those rows measured
// the harness too. Instead, a few lines put in the page before it loads
// mark (on the page's clock) the frame after the element appears, and the
// bench asks for that mark with plain evaluations, which run nothing of
// Playwright's in the page.
async function markWhenShown(context, name, selector) {
  await context.addInitScript(([name, selector]) => {
    const shown = () => {
      const e = document.querySelector(selector);
      return e !== null && e.closest('[hidden]') === null;
    };
    const seen = new MutationObserver(() => {
      if (!shown()) return;
      seen.disconnect();
      requestAnimationFrame(() => setTimeout(() => performance.mark(name)));
    });
    seen.observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['hidden'] });
  }, [name, selector]);
}

// Waits for the mark; returns its time on the page's clock (from the
// navigation's start).
async function markOf(page, name, timeout = 60_000) {
  const start = Date.now();
  for (;;) {
    const at = await page.evaluate((n) => performance.getEntriesByName(n)[0]?.startTime ?? null, name).catch(() => null);
    if (at !== null) return Math.round(at);
    if (Date.now() - start > timeout) throw new Error(`${name}: not shown within ${timeout} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// Three throttled reloads, each timed until the page sets `mark` (see
// `markWhenShown`), then one more waited for with a locator on `selector`,
// the method of the tables before 2026-12-02, for comparison. Prints the
// row `what` (the median of the three) and the comparison row.
async function timedReloads(page, what, mark, selector, pause) {
  const times = [];
  const onPage = [];
  for (let i = 0; i < 3; i++) {
    const t = Date.now();
    await page.reload({ waitUntil: 'commit' });
    onPage.push(await markOf(page, mark));
    times.push(Date.now() - t);
    await page.waitForTimeout(pause);
  }
  row(what, median(times), `ms (${times.join(', ')}; on the page's clock ${onPage.join(', ')})`, 500);
  const t = Date.now();
  await page.reload();
  await page.locator(selector).first().waitFor({ timeout: 60_000 });
  row('the same, waited for with a Playwright locator (the earlier tables\' method)', Date.now() - t, 'ms');
  await page.waitForTimeout(pause);
}

// ---- throttled first and repeat visit ----
async function visits(server) {
  const proxy = await countingProxy(server.url);
  const profile = await tempDir();
  const { context, page } = await phoneWithProfile(profile);
  const cdp = await throttle(context, page);
  let shell = 0;
  let api = 0;
  const fromWorker = new Set();
  cdp.on('Network.responseReceived', (e) => { if (e.response.fromServiceWorker || e.response.fromDiskCache) fromWorker.add(e.requestId); });
  const urls = new Map();
  cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url));
  cdp.on('Network.loadingFinished', (e) => {
    if (fromWorker.has(e.requestId)) return;
    const url = urls.get(e.requestId) || '';
    if (url.includes('/api/')) api += e.encodedDataLength; else shell += e.encodedDataLength;
  });
  await markWhenShown(context, 'screen', 'main h1');
  const t0 = Date.now();
  await page.goto(`${proxy.url}/`, { waitUntil: 'commit' });
  const firstOnPage = await markOf(page, 'screen');
  const first = Date.now() - t0;
  row('time to interactive, first visit (4× CPU, Slow 4G)', first, `ms (${firstOnPage.toLocaleString('en')} ms on the page's clock)`, 2000);
  row('first-visit transfer to the page, shell (on the wire)', shell, 'B');
  await waitForServiceWorker(page);
  await page.waitForTimeout(1500);
  row('first-visit bytes served, shell, page and service worker (precache) together', proxy.counter.shell, 'B');
  shell = 0;
  api = 0;
  proxy.counter.shell = 0;
  proxy.counter.api = 0;
  await timedReloads(page, 'time to interactive, repeat visit (4× CPU, Slow 4G; median of 3)', 'screen', 'main h1', 500);
  row('repeat-visit transfer to the page, shell', shell, 'B from the network', 0);
  row('repeat-visit bytes served, shell (incl. the browser\'s check of sw.js)', proxy.counter.shell, 'B');
  row('repeat-visit bytes served, API (health probe)', proxy.counter.api, 'B');
  await context.close();
  proxy.close();
  await cleanup(profile);
}

// ---- the repeat visit of someone signed in, with records on the device ----
// The row above is the app's welcome screen (nobody signed in). Here the
// same throttled reload for a member holding 1,000 contacts: the store is
// opened, every record read and parsed, and the list built before it shows.
async function signedInRepeat(server) {
  const seed = new Session(server.url);
  await seed.join(await createGroup(server, '再訪の計測'), 'repeatuser');
  await seed.create(contacts(1000));
  const profile = await tempDir();
  const { context, page } = await phoneWithProfile(profile);
  try {
    await page.goto(`${server.url}/`);
    await page.locator('main h1').first().waitFor({ timeout: 60_000 });
    await loginThroughApp(page, 'repeatuser', passphraseOf('repeatuser'));
    // Everything pulled and stored, read from IndexedDB itself.
    await page.waitForFunction(() => new Promise((resolve) => {
      const req = indexedDB.open('nimo');
      req.onsuccess = () => {
        const db = req.result;
        const count = db.transaction('contact').objectStore('contact').count();
        count.onsuccess = () => { db.close(); resolve(count.result >= 1000); };
        count.onerror = () => { db.close(); resolve(false); };
      };
      req.onerror = () => resolve(false);
    }), null, { timeout: 120_000, polling: 250 });
    await waitForServiceWorker(page);
    await page.waitForTimeout(1000);
    await markWhenShown(context, 'list', '[data-testid="contact-list"] li');
    await throttle(context, page);
    await timedReloads(page, 'time to interactive, repeat visit signed in, 1,000 contacts on the device (4× CPU, Slow 4G; median of 3)', 'list', '[data-testid="contact-list"] li', 1000);
  } finally {
    await context.close();
    await cleanup(profile);
  }
}

// ---- a newcomer's invite link on the throttled profile ----
// The link the app and the server hand out, `/join/<code>`: the server's
// join page has the form showing and its stylesheet inside, so it can be
// filled while the wasm is still on its way; measured to the form shown
// and to the app's own form.
async function inviteLink(server) {
  const code = await createGroup(server, '招待の計測');
  const profile = await tempDir();
  const { context, page } = await phoneWithProfile(profile);
  try {
    await markWhenShown(context, 'join', '#pj-login');
    await throttle(context, page);
    const t0 = Date.now();
    await page.goto(`${server.url}/join/${code}`, { waitUntil: 'commit' });
    const onPage = await markOf(page, 'join');
    row('invite link: the join form usable, first visit (4× CPU, Slow 4G)', Date.now() - t0, `ms (${onPage.toLocaleString('en')} ms on the page's clock)`, 1000);
    await page.locator('[data-testid="join-login"]').waitFor({ timeout: 60_000 });
    row('invite link: the app\'s own join form, first visit (4× CPU, Slow 4G)', Date.now() - t0, 'ms');
  } finally {
    await context.close();
    await cleanup(profile);
  }
}

// ---- a first visit in WebKit (every iPhone browser), unthrottled ----
// Bytes the server sends to the page and its service worker together, from
// the first request until the worker controls the page with its cache
// filled; the same count for Chromium beside it.
async function firstVisitBytes(server) {
  const { WebKitPhone } = await import('../tests/browser/webkit.mjs');
  const proxy = await countingProxy(server.url);
  try {
    const wk = await WebKitPhone.launch();
    try {
      await wk.goto(proxy.url);
      await wk.waitForSelector('main h1', { timeout: 60_000 });
      await wk.waitFor('return !!(navigator.serviceWorker && navigator.serviceWorker.controller)', { timeout: 60_000, what: 'a controlling service worker' });
      await new Promise((r) => setTimeout(r, 3000));
      row('first-visit bytes served, WebKit (page and service worker together)', proxy.counter.shell, 'B');
    } finally {
      await wk.close();
    }
    proxy.counter.shell = 0;
    const profile = await tempDir();
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true, viewport: { width: 360, height: 740 },
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      const page = context.pages()[0] || await context.newPage();
      await page.goto(proxy.url);
      await page.locator('main h1').first().waitFor({ timeout: 60_000 });
      await waitForServiceWorker(page);
      await page.waitForTimeout(3000);
      row('first-visit bytes served, Chromium (the same, unthrottled)', proxy.counter.shell, 'B');
    } finally {
      await context.close();
      await cleanup(profile);
    }
  } catch (e) {
    console.error(`WebKit first visit failed: ${e.message}`);
    row('first-visit bytes served, WebKit', null, `failed: ${e.message}`);
  } finally {
    proxy.close();
  }
}

// ---- the data benchmarks, on the bench build ----

// Signs the bench's user in on a fresh device and waits until the pull has
// stored everything. The list shows the first page's records at once and
// the pull goes on behind it; returns when the list first showed (Date.now()).
async function signInAndPull(page) {
  await loginThroughApp(page, 'benchuser', passphraseOf('benchuser'));
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="contact-list"] li').length >= 50, null, { timeout: 120_000, polling: 'raf' });
  const shown = Date.now();
  await page.evaluate(() => window.nimoBench.idle());
  return shown;
}
/**
 * A fresh device on `server` signs in and pulls everything, timed from its
 * first pull request: to all stored and listed, to the list first shown,
 * and on the network (first request to last page received).
 */
async function timedPull(browser, server) {
  const device = await phone(browser);
  const fresh = await openFresh(device, server);
  const dcdp = await device.newCDPSession(fresh);
  await dcdp.send('Network.enable');
  let firstWall = null;
  let first = null;
  let last = null;
  const pulls = new Set();
  dcdp.on('Network.requestWillBeSent', (e) => {
    if (!e.request.url.includes('/api/sync/pull')) return;
    pulls.add(e.requestId);
    if (first === null) { first = e.timestamp; firstWall = Date.now(); }
  });
  dcdp.on('Network.loadingFinished', (e) => { if (pulls.has(e.requestId)) last = e.timestamp; });
  const shownMs = (await signInAndPull(fresh)) - firstWall;
  const pullMs = Date.now() - firstWall;
  return { device, fresh, dcdp, pullMs, shownMs, network: (last - first) * 1000, pages: pulls.size };
}

/** The pull of `timedPull` on a server whose 10,000 records are unsealed. */
async function unsealedPull(browser) {
  const server = await startServer({ assets: BENCH_DIST });
  const seed = new Session(server.url);
  try {
    await seed.join(await createGroup(server, 'ベンチ家族会'), 'benchuser');
    await seed.create(contacts(10_000));
    await seed.unseal(server.database);
    const pull = await timedPull(browser, server);
    const held = await pull.fresh.evaluate(() => document.querySelector('[data-testid="record-count"]')?.textContent.replace(/[^0-9]/g, ''));
    if (held !== '10000') throw new Error(`the unsealed pull listed ${held} records, not 10000`);
    await pull.device.close();
    return pull;
  } finally {
    seed.close();
    await server.stop();
    await cleanup(server.dir);
  }
}

async function data(browser) {
  const server = await startServer({ assets: BENCH_DIST });
  try {
    const seed = new Session(server.url);
    await seed.join(await createGroup(server, 'ベンチ家族会'), 'benchuser');
    let t = Date.now();
    await seed.create(contacts(10_000));
    console.error(`  (seeded 10,000 contacts in ${Date.now() - t} ms through the push API)`);

    // A new device signs in and pulls everything: from its first pull
    // request to the list shown (network, merge, IndexedDB, screen).
    const { device, fresh, dcdp, pullMs, shownMs, network, pages } = await timedPull(browser, server);
    row('sync: pull of 10,000 records into IndexedDB, first request to all stored and listed', pullMs, 'ms', 2000);
    row('sync: of which until the list first shows records', shownMs, 'ms');
    row('sync: of which on the network (first request to last page received)', network, `ms (${pages} pages)`);

    // The same pull of the same records unsealed, in the same run: the
    // records of a second server, seeded alike, opened and written back as
    // before sealing; the bench build's device takes a record without
    // record keys as it is (`bench-plain`).
    {
      const plain = await unsealedPull(browser);
      row('sync: the same pull, the records unsealed (bench build)', plain.pullMs, `ms (network ${plain.network.toFixed(0)} ms)`);
      row('sync: sealed pull / the same pull unsealed', pullMs / plain.pullMs, '×', 1.25);
    }

    // Where sealing's cost lies: the same pages read and opened in the
    // page with the device's keys, parse and open timed apart.
    {
      const texts = await fresh.evaluate(async (schema) => {
        const out = [];
        let cursor = null;
        for (;;) {
          const q = new URLSearchParams({ schema: String(schema), limit: '1000', ...(cursor ? { cursor } : {}) });
          const res = await fetch(`/api/sync/pull?${q}`, { credentials: 'same-origin' });
          const text = await res.text();
          out.push(text);
          const page = JSON.parse(text);
          cursor = page.cursor;
          if (!page.more) return out;
        }
      }, 3);
      const o = await fresh.evaluate((t) => window.nimoBench.openPages(t), texts);
      row('sync: opening the 10,000 sealed records (AES-256-GCM, in the page)', o.open_ms, `ms (parse ${o.parse_ms.toFixed(0)} ms; ${o.records} records)`);
      row('sync: pulled pages sealed / the same records open', (o.sealed_bytes / 1024).toFixed(0) + ' / ' + (o.plain_bytes / 1024).toFixed(0), 'KiB');
    }

    // Sign-in's key derivation on the device at 4× CPU throttling: the key
    // module's whole sign-in (Argon2id, m = 19 MiB, t = 2; the account keys
    // unwrapped; its two requests to this server), three times, median.
    {
      // A user of its own: sign-in attempts are limited per account.
      const kdfUser = new Session(server.url);
      await kdfUser.join(await seed.invite(), 'kdfuser');
      kdfUser.close?.();
      const kpage = await openFresh(await phone(browser), server);
      const kcdp = await kpage.context().newCDPSession(kpage);
      const modules = (await (await import('node:fs/promises')).readdir(BENCH_DIST)).filter((f) => /^keys-[0-9a-f]+\.js$/.test(f));
      await kpage.evaluate(async (file) => { window.__keys = await import(`/${file}`); await window.__keys.default(); }, modules[0]);
      await kcdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
      const times = [];
      for (let i = 0; i < 3; i++) {
        times.push(await kpage.evaluate(async (pass) => {
          const t0 = performance.now();
          await window.__keys.sign_in('kdfuser', pass, 'bench', false);
          return performance.now() - t0;
        }, passphraseOf('kdfuser')));
      }
      await kcdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
      row('sign-in on the device at 4× CPU throttling (Argon2id and the account keys, with its requests)', median(times), `ms (of ${times.map((t) => t.toFixed(0)).join(', ')})`, 1500);
      await kpage.context().close();
    }

    // Bytes on the wire for an incremental sync with nothing new.
    let bytes = 0;
    const seen = new Map();
    dcdp.on('Network.requestWillBeSentExtraInfo', (e) => seen.set(e.requestId, (e.headersText || Object.entries(e.headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')).length));
    dcdp.on('Network.loadingFinished', (e) => { if (seen.has(e.requestId)) bytes += e.encodedDataLength + seen.get(e.requestId); });
    await fresh.evaluate(() => window.nimoBench.sync());
    await fresh.waitForTimeout(300);
    row('sync: bytes on the wire, incremental sync with nothing new', bytes, 'B (request + response)', 1024);

    // The same pull on a phone's line (40 ms, 20 Mbit/s), where the next
    // page downloads while the last is written.
    {
      const line = await phone(browser);
      const onLine = await openFresh(line, server);
      const lcdp = await line.newCDPSession(onLine);
      await lcdp.send('Network.enable');
      await lcdp.send('Network.emulateNetworkConditions', { offline: false, latency: 40, downloadThroughput: 20e6 / 8, uploadThroughput: 20e6 / 8 });
      let started = null;
      lcdp.on('Network.requestWillBeSent', (e) => { if (started === null && e.request.url.includes('/api/sync/pull')) started = Date.now(); });
      await signInAndPull(onLine);
      row('sync: the same pull on a 20 Mbit/s line with 40 ms latency', Date.now() - started, 'ms');
      await line.close();
    }

    // Search and list over the 10,000 contacts.
    await fresh.goto(`${server.url}/#/settings`);
    await fresh.locator('main h1', { hasText: '設定' }).waitFor();
    const open = await fresh.evaluate(async () => {
      const t0 = performance.now();
      location.hash = '#/';
      while (!document.querySelector('[data-testid="contact-list"] li')) await new Promise((r) => requestAnimationFrame(r));
      return performance.now() - t0;
    });
    row('contacts: time to open the list (10,000 on the device)', open, 'ms', 200);
    const keystrokes = await fresh.evaluate(async () => {
      const input = document.querySelector('[data-testid="search"]');
      const out = [];
      for (const q of ['い', 'いえ', 'いえが', 'で', 'でい', 'でいけ', 'でいけあ', 'ヤ', 'ヤチ', 'ヤチン', 'ねむ', 'ねむれ', '']) {
        const t0 = performance.now();
        input.value = q;
        input.dispatchEvent(new Event('input', { bubbles: true }));
        await new Promise((r) => setTimeout(r, 0));
        out.push([q, performance.now() - t0]);
      }
      return out;
    });
    const worstKey = keystrokes.reduce((a, b) => (b[1] > a[1] ? b : a));
    console.error(`  (per keystroke: ${keystrokes.map(([q, ms]) => `${q || '∅'} ${ms.toFixed(1)}`).join(', ')})`);
    row('contacts: search per keystroke over 10,000 (median)', median(keystrokes.map((k) => k[1])), 'ms', 16);
    row('contacts: search per keystroke over 10,000 (worst)', worstKey[1], `ms (at "${worstKey[0]}")`, 16);
    const cold = await (async () => {
      await fresh.reload();
      return fresh.evaluate(async () => {
        while (!document.querySelector('[data-testid="contact-list"] li')) await new Promise((r) => setTimeout(r, 5));
        return performance.now();
      });
    })();
    row('contacts: reload to list shown (10,000, no throttling)', cold, 'ms');

    // Interactions with 10,000 records on the device: a tap on each tab of
    // the bottom bar, to the next frame with the new screen's heading.
    const taps = await fresh.evaluate(async () => {
      const out = [];
      const tabs = [...document.querySelectorAll('nav.tabbar a')];
      for (let round = 0; round < 3; round++) {
        for (const a of [...tabs.slice(1), tabs[0]]) {
          const before = document.querySelector('main h1')?.textContent;
          const t0 = performance.now();
          a.click();
          while (document.querySelector('main h1')?.textContent === before) await new Promise((r) => requestAnimationFrame(r));
          await new Promise((r) => requestAnimationFrame(r));
          out.push([a.getAttribute('href'), performance.now() - t0]);
        }
      }
      return out;
    });
    const worstTap = taps.reduce((a, b) => (b[1] > a[1] ? b : a));
    console.error(`  (per tap: ${taps.map(([tab, ms]) => `${tab} ${ms.toFixed(1)}`).join(', ')})`);
    row('interaction: tap a tab to the next screen painted (worst of 12, 10,000 records)', worstTap[1], `ms (to ${worstTap[0]})`, 100);

    // 1,000 changes made offline, then one push. Away from the list, which
    // would otherwise re-render after each save.
    await fresh.goto(`${server.url}/#/settings`);
    await fresh.locator('main h1', { hasText: '設定' }).waitFor();
    await device.setOffline(true);
    const made = await fresh.evaluate(() => window.nimoBench.makeContacts(1000));
    row('contacts: save 1,000 records offline (each its own transaction)', made, 'ms');
    // Back online, the app sends them by itself: timed in the page from the
    // moment it is online until nothing is left to send.
    const queued = await fresh.evaluate(() => window.nimoBench.unsent());
    const sent = fresh.evaluate(async () => {
      while (!navigator.onLine) await new Promise((r) => setTimeout(r, 1));
      const t0 = performance.now();
      while (await window.nimoBench.unsent() > 0) await new Promise((r) => setTimeout(r, 5));
      return performance.now() - t0;
    });
    await device.setOffline(false);
    row('sync: push of 1,000 offline changes', await sent, `ms (${queued} queued, sent by the app's own sync)`, 1000);
    await device.close();

    // The finder over 10,000 directory entries, in another group.
    const coordinator = new Session(server.url);
    await coordinator.join(await createGroup(server, 'ベンチ窓口'), 'benchwindows');
    const municipalities = (await readFile(path.join(ROOT, 'core/data/areas.tsv'), 'utf8')).split('\n').filter((l) => /^\d{6}\t/.test(l) && !/^\d{2}000/.test(l)).map((l) => l.slice(0, 6));
    t = Date.now();
    await coordinator.create(windows(10_000, ['281000', ...municipalities.slice(0, 400)]));
    console.error(`  (seeded 10,000 windows in ${Date.now() - t} ms)`);
    const wctx = await phone(browser);
    const wpage = await openFresh(wctx, server);
    await loginThroughApp(wpage, 'benchwindows', passphraseOf('benchwindows'));
    await wpage.goto(`${server.url}/#/directory`);
    await wpage.waitForFunction(() => document.querySelectorAll('[data-testid="directory"] li').length >= 10_000, null, { timeout: 180_000 });
    await wpage.goto(`${server.url}/#/windows`);
    await wpage.getByTestId('finder-area').locator('input').fill('こうべ');
    await wpage.getByRole('button', { name: /兵庫県 神戸市/ }).click();
    const finder = await wpage.evaluate(async () => {
      const out = [];
      for (const worry of ['housing', 'money', 'family', 'housing', 'money', 'family', 'mental_health', 'mental_health']) {
        const chip = document.querySelector(`[data-testid="finder-worries"] [data-value="${worry}"]`);
        const t0 = performance.now();
        chip.click();
        await new Promise((r) => setTimeout(r, 0));
        out.push([worry, performance.now() - t0]);
      }
      return out;
    });
    const worstPick = finder.reduce((a, b) => (b[1] > a[1] ? b : a));
    console.error(`  (per pick: ${finder.map(([w, ms]) => `${w} ${ms.toFixed(1)}`).join(', ')})`);
    row('finder: pick a worry over 10,000 entries (median)', median(finder.map((f) => f[1])), 'ms', 16);
    row('finder: pick a worry over 10,000 entries (worst)', worstPick[1], `ms (${worstPick[0]})`, 16);
    await wctx.close();
    return pullMs;
  } finally {
    await server.stop();
    await cleanup(server.dir);
  }
}

// ---- PouchDB, side by side ----
async function pouchdb(browser, nimoPullMs) {
  const port = 5985;
  const bin = path.join(ROOT, 'bench/node_modules/.bin/pouchdb-server');
  // pouchdb-server writes log.txt and config.json into its working
  // directory: give it a temporary one, not the checkout.
  const dir = await tempDir();
  const child = spawn(bin, ['--in-memory', '--port', String(port), '--host', '127.0.0.1'], { stdio: 'ignore', cwd: dir });
  try {
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 100; i++) {
      try { if ((await fetch(base)).ok) break; } catch { /* starting */ }
      await new Promise((r) => setTimeout(r, 100));
    }
    await fetch(`${base}/bench`, { method: 'PUT' });
    // Comparable documents: the same fields as the nimo contacts.
    const docs = contacts(10_000).map((c, i) => ({ _id: `contact-${String(i).padStart(5, '0')}`, ...c.fields, visibility: c.visibility }));
    for (let i = 0; i < docs.length; i += 1000) {
      const r = await fetch(`${base}/bench/_bulk_docs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ docs: docs.slice(i, i + 1000) }) });
      if (!r.ok) throw new Error(await r.text());
    }
    const context = await phone(browser);
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await page.addScriptTag({ content: await readFile(path.join(ROOT, 'bench/node_modules/pouchdb/dist/pouchdb.min.js'), 'utf8') });
    const ms = await page.evaluate(async (remote) => {
      const local = new window.PouchDB('bench-local');
      const t0 = performance.now();
      await window.PouchDB.replicate(remote, local, { batch_size: 500 });
      const info = await local.info();
      if (info.doc_count !== 10000) throw new Error(`replicated ${info.doc_count}`);
      return performance.now() - t0;
    }, `${base}/bench`);
    row('PouchDB 9 replicating 10,000 documents from pouchdb-server into IndexedDB', ms, 'ms');
    row('ratio PouchDB / nimo (pull of 10,000)', nimoPullMs ? ms / nimoPullMs : null, '×', 2, false);
    await context.close();
  } finally {
    child.kill('SIGTERM');
    await cleanup(dir);
  }
}

// The disk's own fsync times while the server is loaded, from a worker
// thread writing beside the database: the server commits with
// `synchronous = FULL`, so a push waits for an fsync, and a stalled disk
// shows in the pushes' tail whatever the server's code does. Every 50 ms,
// so as to add little to the disk's load (the paced run pushes ~100/s).
function fsyncProbe(dir) {
  const worker = new Worker(`
    const { parentPort, workerData } = require('node:worker_threads');
    const fs = require('node:fs');
    const fd = fs.openSync(workerData + '/fsync-probe', 'w');
    const times = [];
    let stop = false;
    parentPort.on('message', () => { stop = true; });
    (function tick() {
      if (stop) { fs.closeSync(fd); parentPort.postMessage(times); return; }
      fs.writeSync(fd, Buffer.alloc(4096, 120));
      const t0 = performance.now();
      fs.fsyncSync(fd);
      times.push(performance.now() - t0);
      setTimeout(tick, 50);
    })();
  `, { eval: true, workerData: dir });
  let stopped = null;
  const stop = () => new Promise((resolve) => { worker.once('message', (times) => { worker.terminate(); resolve(times); }); worker.postMessage('stop'); });
  return { stop: () => (stopped ??= stop()) };
}

// ---- 500 devices ----
// Twice, each on a fresh server: at a stated pace (every device syncing
// about once a second: 500 syncs/s, where the app itself syncs every few
// minutes), which the latency budget is about; and flat out, which shows
// the most the server does on this machine beside its load generator.
async function loadRun(intervalMs, { stalling = false } = {}) {
  const server = await (stalling
    ? startServer({ bin: path.join(ROOT, 'bench/stalling-disk.sh'), env: { NIMO_STALL_BIN: process.env.NIMO_SERVER_BIN } })
    : startServer());
  const probe = fsyncProbe(server.dir);
  try {
    const code = await createGroup(server, '負荷試験');
    const out = await new Promise((resolve, reject) => {
      const child = spawn(LOAD_BIN, ['--base', server.url, '--code', code, '--devices', '500', '--seconds', '20', '--interval-ms', String(intervalMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      child.stdout.on('data', (d) => { text += d; });
      child.on('exit', (c) => (c === 0 ? resolve(JSON.parse(text)) : reject(new Error(`nimo-load exited ${c}`))));
    });
    // (With a stalling disk the child is the wrapper, whose memory says nothing.)
    const status = await readFile(`/proc/${server.child.pid}/status`, 'utf8');
    const fsyncs = (await probe.stop()).sort((a, b) => a - b);
    const disk = { p99: fsyncs[Math.floor(fsyncs.length * 0.99)], max: fsyncs[fsyncs.length - 1], slow: fsyncs.filter((t) => t > 100).length, n: fsyncs.length };
    return { ...out, disk, hwm: Number(status.match(/VmHWM:\s+(\d+) kB/)[1]) / 1024 };
  } finally {
    await probe.stop().catch(() => {});
    await server.stop();
    await cleanup(server.dir);
  }
}

const errorKinds = (run) => (run.errors ? `: ${Object.entries(run.error_kinds).map(([k, n]) => `${n} × ${k}`).join(', ')}` : '');

async function load() {
  const paced = await loadRun(1000);
  row('server: 500 devices, each syncing about once a second for 20 s: throughput', paced.throughput_rps, `requests/s (${paced.requests.toLocaleString('en')} requests, ${paced.errors} errors${errorKinds(paced)})`);
  row('server: at that pace, latency p50', paced.p50_ms, 'ms');
  row('server: at that pace, latency p99', paced.p99_ms, `ms (pull p99 ${paced.pull_p99_ms.toFixed(1)} ms; push p99 ${paced.push_p99_ms.toFixed(1)} ms over ${paced.pushes} pushes)`, 50);
  row('server: peak memory (VmHWM), 500 sign-ins and that run', paced.hwm, 'MiB', 64);
  row('disk: fsync beside the database during that run, p99 / longest', `${paced.disk.p99.toFixed(1)} / ${paced.disk.max.toFixed(1)}`, `ms (${paced.disk.slow} of ${paced.disk.n} over 100 ms)`);
  const flat = await loadRun(0);
  row('server: 500 devices syncing flat out (no pause), throughput', flat.throughput_rps, `requests/s (${flat.requests.toLocaleString('en')} requests, ${flat.errors} errors${errorKinds(flat)})`);
  row('server: flat out, latency p50 / p99', `${flat.p50_ms.toFixed(1)} / ${flat.p99_ms.toFixed(1)}`, 'ms (queueing: 500 requests always in flight)');
  row('server: flat out, peak memory (VmHWM)', flat.hwm, 'MiB', 64);
  // The paced run again on a disk that stalls on purpose (bench/stalling-disk.sh),
  // so that what the server does about a slow disk is measured on any disk.
  try {
    execFileSync('strace', ['-V'], { stdio: 'ignore' });
  } catch {
    row('server: paced, on a stalling disk', null, 'not run: strace is not installed');
    return;
  }
  const stalled = await loadRun(1000, { stalling: true });
  row('server: paced, every 40th fsync held 400 ms: throughput', stalled.throughput_rps, `requests/s (${stalled.requests.toLocaleString('en')} requests, ${stalled.errors} errors${errorKinds(stalled)})`);
  row('server: paced, every 40th fsync held 400 ms: latency p50 / p99', `${stalled.p50_ms.toFixed(1)} / ${stalled.p99_ms.toFixed(1)}`, `ms (pull p99 ${stalled.pull_p99_ms.toFixed(1)} ms; push p99 ${stalled.push_p99_ms.toFixed(1)} ms over ${stalled.pushes} pushes)`);
}

// ---- Lighthouse ----
async function lighthouse() {
  const server = await startServer();
  try {
    const { default: run } = await import('lighthouse');
    const { launch } = await import('chrome-launcher');
    const chrome = await launch({ chromePath: CHROMIUM, chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
    try {
      const result = await run(`${server.url}/`, { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: ['performance', 'accessibility'], formFactor: 'mobile' });
      const c = result.lhr.categories;
      // A score of null is a run Lighthouse could not measure: say why
      // rather than print it as 0.
      const why = result.lhr.runtimeError?.code || result.lhr.audits.interactive?.errorMessage || 'no score';
      row('Lighthouse (mobile) performance', c.performance.score === null ? null : Math.round(c.performance.score * 100), c.performance.score === null ? `/ 100 (not measured: ${why})` : '/ 100');
      row('Lighthouse (mobile) accessibility', Math.round(c.accessibility.score * 100), '/ 100');
      const a = result.lhr.audits;
      row('Lighthouse TTI (simulated)', a.interactive?.numericValue, 'ms');
    } finally {
      await chrome.kill();
    }
  } catch (e) {
    console.error(`Lighthouse failed: ${e.message}`);
    row('Lighthouse', null, `failed: ${e.message}`);
  } finally {
    await server.stop();
    await cleanup(server.dir);
  }
}

console.error(`nimo benchmark on ${os.cpus().length} × ${os.cpus()[0].model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}`);
// NIMO_BENCH_ONLY=data,load runs only those parts (sizes, visits, data,
// pouchdb, load, lighthouse), for working on one figure; BENCHMARKS.md
// quotes whole runs.
const only = process.env.NIMO_BENCH_ONLY ? new Set(process.env.NIMO_BENCH_ONLY.split(',')) : null;
const wanted = (part) => !only || only.has(part);
if (wanted('sizes')) await sizes();
if (wanted('visits')) {
  const prod = await startServer();
  try {
    await visits(prod);
    await signedInRepeat(prod);
    await inviteLink(prod);
    await firstVisitBytes(prod);
  } finally {
    await prod.stop();
    await cleanup(prod.dir);
  }
}
if (wanted('data') || wanted('pouchdb')) {
  const browser = await launchBrowser();
  let pull = null;
  try {
    if (wanted('data')) pull = await data(browser);
    if (wanted('pouchdb')) await pouchdb(browser, pull);
  } finally {
    await browser.close();
  }
}
if (wanted('load')) await load();
if (wanted('lighthouse')) await lighthouse();

const lines = ['| measure | value | unit | budget |', '|---|---:|---|---|'];
for (const r of rows) lines.push(`| ${r.what} | ${r.value} | ${r.unit} | ${r.budget} |`);
lines.push('', `Machine: ${os.cpus().length} × ${os.cpus()[0].model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}, ${execFileSync(CHROMIUM, ['--version']).toString().trim()}; ${new Date().toISOString()}`);
const table = lines.join('\n');
console.log(`\n${table}`);
// Kept for BENCHMARKS.md, which quotes one run.
await writeFile(path.join(ROOT, 'target/bench-report.md'), `${table}\n`);
