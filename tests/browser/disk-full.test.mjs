// The server's disk fills up while a phone sends its changes: what the
// server acknowledged is stored; the rest is refused with an error the
// phone says in Japanese and keeps, a backup says it failed; once there is
// room again, everything goes through.
//
// The database and its backups live on a tmpfs of a few megabytes, mounted
// for the test (the test command runs as root, as it installs packages).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { cleanup, createGroup, joinThroughApp, launchBrowser, openFresh, phone, startServer, tempDir } from './harness.mjs';
import { SCHEMA, Session, passphraseOf } from './seed.mjs';

const run = promisify(execFile);
const LOGIN = 'diskfull';

/** Bytes free on the filesystem holding `dir`. */
async function free(dir) {
  const { stdout } = await run('df', ['-B1', '--output=avail', dir]);
  return Number(stdout.trim().split('\n').pop());
}

/** Contacts on the server, read by a session signed in before the disk filled (a sign-in writes). */
async function contactsOnServer(s) {
  let n = 0;
  let cursor = null;
  for (;;) {
    const q = new URLSearchParams({ schema: String(SCHEMA), limit: '1000', ...(cursor ? { cursor } : {}) });
    const page = await s.request('GET', `/api/sync/pull?${q}`);
    n += page.records.filter((r) => r.collection === 'contact').length;
    cursor = page.cursor;
    if (!page.more) return n;
  }
}

async function unsent(page) {
  const badge = page.getByTestId('unsent-badge');
  if (!(await badge.count())) return 0;
  return Number((await badge.textContent()).replace(/[^0-9]/g, ''));
}

describe('a full disk on the server', () => {
  let dir;
  let server;
  let browser;
  let context;
  let page;
  let reader;
  const filler = () => path.join(dir, 'filler');
  before(async () => {
    dir = await tempDir();
    await run('mount', ['-t', 'tmpfs', '-o', 'size=6m,mode=0700', 'tmpfs', dir]);
    server = await startServer({ dir, extraArgs: ['--backup-every', '0'] });
    browser = await launchBrowser();
    context = await phone(browser);
    page = await openFresh(context, server);
    await joinThroughApp(page, await createGroup(server), LOGIN, passphraseOf(LOGIN));
    reader = new Session(server.url);
    await reader.login(LOGIN);
  });
  after(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
    if (dir) await run('umount', [dir]).catch(() => {});
    await cleanup(dir);
  });

  test('a push the server cannot store is refused, said on the phone and kept; sent once there is room', async () => {
    // Leave a little room, then write more than fits.
    await writeFile(filler(), Buffer.alloc(Math.max(0, (await free(dir)) - 160 * 1024)));
    const note = '長い相談の記録。'.repeat(480);
    const total = 30;
    for (let n = 1; n <= total; n++) {
      await page.getByTestId('new-contact').click();
      await page.getByTestId('note').fill(`${n}件目：${note}`);
      await page.getByTestId('save').click();
      await page.getByTestId('flash').waitFor();
    }
    await page.locator('nav.tabbar a', { hasText: '設定' }).click();
    await page.getByTestId('sync-now').click();
    const said = page.getByTestId('sync-panel').getByText('サーバーの保存容量がいっぱいです');
    await said.waitFor({ timeout: 30_000 });
    const left = await unsent(page);
    assert.ok(left > 0, 'some changes wait on the phone');
    await page.goto(`${server.url}/#/`);
    assert.match(await page.getByTestId('record-count').textContent(), new RegExp(`${total}件`), 'every record is on the phone');
    assert.equal(await contactsOnServer(reader), total - left, 'what the server acknowledged is stored, and nothing else');

    // A backup now fails, and says why.
    const backup = await run(process.env.NIMO_SERVER_BIN, ['backup', '--database', server.database]).then(() => null, (e) => e);
    assert.ok(backup, 'the backup fails');
    assert.match(backup.stderr, /空き容量|full/i, backup.stderr);

    // Room again: the next sync sends the rest.
    await rm(filler());
    await page.locator('nav.tabbar a', { hasText: '設定' }).click();
    await page.getByTestId('sync-now').click();
    await page.getByTestId('unsent-count').filter({ hasText: 'すべて送信済み' }).waitFor({ timeout: 30_000 });
    assert.equal(await said.count(), 0, 'the message is gone');
    assert.equal(await contactsOnServer(reader), total, 'each record once');
    await run(process.env.NIMO_SERVER_BIN, ['backup', '--database', server.database]);
  });
});
