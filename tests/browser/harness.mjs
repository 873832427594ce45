// Browser-test harness: the real server binary on 127.0.0.1 with a fresh
// SQLite file, and Debian's headless Chromium driven by playwright-core.
//
// Why Playwright (from npm) rather than a Rust WebDriver client: it speaks
// CDP natively, so the tests can use service workers, several isolated
// browser contexts (two "devices"), downloads, CPU/network throttling and
// installability checks without a chromedriver in between; and the
// benchmarks and the axe-core accessibility checks run in the same tool.

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const SERVER = process.env.NIMO_SERVER_BIN;
export const DIST = process.env.NIMO_DIST;
export const CHROMIUM = process.env.NIMO_CHROMIUM || '/usr/bin/chromium';

if (!SERVER || !DIST) {
  throw new Error('run the browser tests through `cargo xtask test` (NIMO_SERVER_BIN and NIMO_DIST are not set)');
}

/** A fresh temporary directory, removed by `cleanup()`. */
export async function tempDir() {
  return mkdtemp(path.join(tmpdir(), 'nimo-browser-'));
}

/**
 * Starts the server. `port: 0` picks a free port; pass the port of a stopped
 * server to restart it on the same origin (the service worker and the
 * browser storage are per origin).
 */
export async function startServer({ dir, port = 0, extraArgs = [], assets = DIST, bin = SERVER, env = {} } = {}) {
  dir ??= await tempDir();
  const database = path.join(dir, 'nimo.sqlite3');
  const child = spawn(bin, ['serve', '--listen', `127.0.0.1:${port}`, '--database', database, '--assets', assets, ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NIMO_LOG: process.env.NIMO_LOG || 'warn', ...env },
  });
  let stderr = '';
  let out = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 20 s: ${stderr}`)), 20_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/nimo listening on (http:\/\/\S+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited (${code}): ${stderr}`)); });
  });
  const actualPort = Number(new URL(url).port);
  const server = {
    url, port: actualPort, dir, database, child,
    get stderr() { return stderr; },
    /** The first run's one-time setup link, if the server printed one. */
    get setupLink() { return out.match(/(http:\/\/\S+\/#\/setup\/[0-9a-f]+)/)?.[1]; },
    /** Stops the server gracefully (SIGTERM) and waits for it. */
    async stop() { await stopChild(child, 'SIGTERM'); },
    /** Kills the server at once (SIGKILL). */
    async kill() { await stopChild(child, 'SIGKILL'); },
    /** Starts a new server process on the same port and database. */
    async restart() { return startServer({ dir, port: actualPort, extraArgs, assets }); },
  };
  return server;
}

function stopChild(child, signal) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-default-apps', '--disable-features=Translate,MediaRouter,OptimizationHints',
];

/** A 360×740 touch phone in Japan. */
export const PHONE = {
  viewport: { width: 360, height: 740 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: 'ja-JP',
  timezoneId: 'Asia/Tokyo',
};

/** Launches headless Chromium with the flags this machine needs. */
export async function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** A fresh phone-sized browser context (incognito-like, isolated storage). */
export async function phone(browser, options = {}) {
  return browser.newContext({ ...PHONE, ...options });
}

/**
 * A phone with a real on-disk profile, as a user's browser has (needed
 * where Chromium treats incognito differently, e.g. installability).
 */
export async function persistentPhone(userDataDir, options = {}) {
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, ...PHONE, ...options,
  });
}

/** Opens the app and waits until it has rendered and the service worker controls it. */
export async function openApp(context, server, hash = '') {
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text())) problems.push(`csp: ${m.text()}`);
  });
  page.problems = problems;
  await page.goto(`${server.url}/${hash}`);
  await page.locator('nav.tabbar').waitFor();
  return page;
}

export async function waitForServiceWorker(page) {
  await page.waitForFunction(() => navigator.serviceWorker && navigator.serviceWorker.controller !== null, null, { timeout: 20_000 });
}

export async function cleanup(...dirs) {
  for (const dir of dirs) if (dir) await rm(dir, { recursive: true, force: true });
}

/**
 * A suite's teardown: closes the phones (browser contexts), the browser and
 * the server, and removes the server's directory — whichever of them the
 * suite got as far as opening.
 */
export async function closeAll({ contexts = [], browser, server }) {
  for (const context of contexts) await context?.close();
  await browser?.close();
  await server?.stop();
  await cleanup(server?.dir);
}

/** Runs `nimo-server create-group` on the server's database; returns the invite code. */
export async function createGroup(server, name = 'テスト家族会') {
  const { execFile } = await import('node:child_process');
  const out = await new Promise((resolve, reject) => {
    execFile(SERVER, ['create-group', '--name', name, '--database', server.database], (err, stdout, stderr) => {
      if (err) reject(new Error(`create-group failed: ${stderr}`));
      else resolve(stdout);
    });
  });
  const m = out.match(/code: (\S+)/);
  if (!m) throw new Error(`no code in: ${out}`);
  return m[1];
}

/** Joins with an invite through the app's own form; waits until ready. */
export async function joinThroughApp(page, code, login, passphrase = 'correct horse battery') {
  await page.getByTestId('join-code').fill(code);
  await page.getByTestId('join-login').fill(login);
  await page.getByTestId('join-display').fill(`${login}さん`);
  await page.getByTestId('join-pass').fill(passphrase);
  await page.getByTestId('join-pass2').fill(passphrase);
  await page.getByRole('button', { name: '参加する' }).click();
  return keepKeys(page);
}

/**
 * The keys to write down, shown once after joining or setting up: read
 * (returned), confirmed with the recovery key's last four characters, and
 * put away; waits until the app is ready.
 */
export async function keepKeys(page) {
  await page.getByTestId('keep-keys').waitFor({ timeout: 60_000 });
  const recovery = (await page.getByTestId('recovery-key').textContent()).trim();
  const group = (await page.getByTestId('group-recovery-key').count()) ? (await page.getByTestId('group-recovery-key').textContent()).trim() : null;
  await page.getByTestId('keep-confirm').fill(recovery.split('-').pop());
  await page.getByTestId('keep-done').click();
  await page.getByTestId('keep-keys').waitFor({ state: 'detached' });
  await page.locator('nav.tabbar').waitFor();
  return { recovery, group };
}

/**
 * An invite made on the coordinator's phone through 設定 → 招待 (the code
 * is made there and never reaches the server); returns the code.
 */
export async function inviteThroughApp(page, role = 'member') {
  await page.goto(`${new URL(page.url()).origin}/#/settings`);
  const panel = page.getByTestId('invites');
  await panel.waitFor();
  if (role === 'coordinator') await panel.locator('[data-value="coordinator"]').click();
  // A code made earlier may still be on screen (the settings stay mounted):
  // wait for a new one.
  const shown = page.getByTestId('invite-code');
  const before = (await shown.count()) ? (await shown.textContent()).trim() : null;
  await page.getByTestId('create-invite').click();
  await page.waitForFunction((old) => {
    const el = document.querySelector('[data-testid="invite-code"]');
    return el && el.textContent.trim() !== old;
  }, before, { timeout: 60_000 });
  return (await shown.textContent()).trim();
}

/** Signs in through the app's login form; waits until ready. */
export async function loginThroughApp(page, login, passphrase = 'correct horse battery') {
  const loginLink = page.getByRole('button', { name: 'ログイン', exact: true });
  if (await loginLink.count()) await loginLink.click();
  await page.getByTestId('login-name').fill(login);
  await page.getByTestId('login-pass').fill(passphrase);
  await page.getByRole('button', { name: 'ログインする' }).click();
  await page.locator('nav.tabbar').waitFor();
}

/** Opens the app at its start (no tab bar until signed in). */
export async function openFresh(context, server, hash = '') {
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to|panicked/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.problems = problems;
  await page.goto(`${server.url}/${hash}`);
  await page.locator('main h1').first().waitFor();
  return page;
}

/** Saves a new contact through the form; `person` and `shared` open the details. */
export async function saveContact(page, { note, person, shared = false }) {
  await page.getByTestId('new-contact').click();
  await page.getByTestId('note').fill(note);
  if (person || shared) {
    await page.getByTestId('details').click();
    if (person) await page.getByTestId('person').fill(person);
    if (shared) await page.getByTestId('shared').check();
  }
  await page.getByTestId('save').click();
  await page.getByTestId('flash').waitFor();
}

/** Opens the contact whose row shows `text`. */
export async function openContact(page, text) {
  await page.goto(`${new URL(page.url()).origin}/#/`);
  await page.getByTestId('contact-list').locator('li', { hasText: text }).first().locator('a').click();
  await page.getByTestId('contact-form').waitFor();
}

/** Syncs from 設定 and waits until nothing is left to send; back to 記録. */
export async function syncNow(page) {
  await page.locator('nav.tabbar a', { hasText: '設定' }).click();
  await page.getByTestId('sync-now').click();
  await page.getByTestId('unsent-count').filter({ hasText: 'すべて送信済み' }).waitFor({ timeout: 20_000 });
  await page.getByTestId('sync-now').filter({ hasText: '今すぐ同期' }).waitFor();
  await page.locator('nav.tabbar a', { hasText: '記録' }).click();
}

/**
 * A proxy in front of the server that sees what the browser really sends
 * (the page's fetches and the service worker's), whatever the engine
 * reports: the requests for each path counted, and, with `record`, every
 * request kept as it arrived, its body whole.
 */
export async function countingProxy(server, { record = false } = {}) {
  const http = await import('node:http');
  const target = new URL(server.url);
  const counts = new Map();
  const seen = [];
  const proxy = http.createServer((req, res) => {
    const path = req.url.split('?')[0];
    counts.set(path, (counts.get(path) ?? 0) + 1);
    if (record) {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => seen.push({ method: req.method, url: req.url, body: Buffer.concat(chunks) }));
    }
    const upstream = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => { res.writeHead(502); res.end(); });
    req.pipe(upstream);
  });
  await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${proxy.address().port}`,
    counts,
    seen,
    /** Requests for files whose name matches `pattern`. */
    count(pattern) {
      let n = 0;
      for (const [p, c] of counts) if (pattern.test(p)) n += c;
      return n;
    },
    close: () => new Promise((resolve) => { proxy.closeAllConnections?.(); proxy.close(resolve); }),
  };
}

// A refused save moves focus to the first field with a problem on the frame
// after the problems render (its section may have to open first), so the
// test waits for that frame instead of reading the focus at once.
export async function waitForFocus(page, testid, message = `the field ${testid} is focused`) {
  try {
    await page.waitForFunction((id) => document.activeElement?.dataset.testid === id, testid, { timeout: 3000 });
  } catch {
    const actual = await page.evaluate(() => document.activeElement?.dataset.testid ?? document.activeElement?.tagName);
    assert.fail(`${message}; focus is on ${actual}`);
  }
}
