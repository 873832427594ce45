// A new version is installed in the background and offered, not switched in.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DIST, cleanup, launchBrowser, openFresh, phone, startServer, tempDir, waitForServiceWorker } from './harness.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

test('a new version waits for the user to tap 更新', async () => {
  const assets = await tempDir();
  await cp(DIST, assets, { recursive: true });
  const server = await startServer({ assets });
  const context = await phone(browser);
  try {
    const page = await openFresh(context, server);
    await waitForServiceWorker(page);
    const firstWorker = await page.evaluate(() => navigator.serviceWorker.controller.scriptURL);

    // Deploy "version 2": a service worker with different bytes. Drop the
    // pre-compressed copies so the server sends the new file.
    const sw = path.join(assets, 'sw.js');
    await writeFile(sw, (await readFile(sw, 'utf8')).replace(/const BUILD_ID = "([0-9a-f]+)"/, 'const BUILD_ID = "$1-v2"'));
    await cleanup(`${sw}.br`, `${sw}.gz`);

    await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r.update()));
    const banner = page.getByRole('alert').filter({ hasText: '新しいバージョンがあります' });
    await banner.waitFor();
    // Still running the old version until the user agrees.
    assert.equal(await page.evaluate(() => navigator.serviceWorker.controller.scriptURL), firstWorker);
    const cacheNames = () => page.evaluate(() => caches.keys());
    assert.ok((await cacheNames()).some((n) => n.endsWith('-v2')), 'the new version is already cached');

    await Promise.all([page.waitForEvent('load'), banner.getByRole('button', { name: '更新' }).click()]);
    await page.locator('main h1').first().waitFor();
    await page.waitForFunction(async () => (await caches.keys()).every((n) => n.endsWith('-v2')));
    assert.equal(await page.getByRole('alert').filter({ hasText: '新しいバージョンがあります' }).count(), 0);
  } finally {
    await context.close();
    await server.stop();
    await cleanup(server.dir, assets);
  }
});
