// End-to-end encryption seen from the server's side: what reaches it while
// people set up, join, sign in and change passphrases; what its files hold
// after a realistic sync; a removed member's phone; a forgotten passphrase
// set again with the recovery key; values the server altered or swapped.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { closeAll, countingProxy, inviteThroughApp, joinThroughApp, keepKeys, launchBrowser, loginThroughApp, openFresh, phone, saveContact, startServer, syncNow } from './harness.mjs';
import { SCHEMA, Session } from './seed.mjs';

// Passphrases people might choose, one in kana (sent as UTF-8 or as \u
// escapes, both looked for).
const PASS_A = 'あおいうみをみるひととき';
const PASS_B = 'member walks the long harbour road';
const PASS_B2 = 'changed to a brand new passphrase';
const PASS_B3 = 'set again with the recovery key';
// Texts only the records hold.
const NOTES = {
  shared: '家賃の滞納で大家さんと話し合った（共有）',
  private: '自分だけの覚え書き：夜に不安が強くなる',
  member: '退院後の住まい探しを一緒に始めた',
  person: 'ナナシノゴンベエさん',
};

/** A text as it could appear in bytes: UTF-8, UTF-16 either way, JSON's \u escapes, a URL's %-escapes. */
function forms(text) {
  const escaped = [...text].map((c) => (c.charCodeAt(0) > 127 ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c)).join('');
  const be = Buffer.from(text, 'utf16le');
  for (let i = 0; i + 1 < be.length; i += 2) [be[i], be[i + 1]] = [be[i + 1], be[i]];
  return [
    Buffer.from(text, 'utf8'),
    Buffer.from(text, 'utf16le'),
    be,
    Buffer.from(escaped, 'utf8'),
    Buffer.from(escaped.toUpperCase(), 'utf8'),
    Buffer.from(encodeURIComponent(text), 'utf8'),
  ];
}

function found(haystack, text) {
  return forms(text).some((needle) => haystack.includes(needle));
}

/** Every file under `dir`, recursively. */
async function files(dir) {
  const out = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...await files(p));
    else if ((await stat(p)).size > 0) out.push(p);
  }
  return out;
}

/** The id of the contact whose row in 記録 shows `text`. */
async function contactId(page, text) {
  await page.goto(`${new URL(page.url()).origin}/#/`);
  const href = await page.getByTestId('contact-list').locator('li', { hasText: text }).first().locator('a').getAttribute('href');
  return href.match(/#\/contact\/([0-9a-f-]+)/)[1];
}

/** Saves a contact from 記録. */
async function save(page, options) {
  await page.goto(`${new URL(page.url()).origin}/#/`);
  await saveContact(page, options);
}

async function allSent(page) {
  await syncNow(page);
  await page.getByTestId('unsent-badge').waitFor({ state: 'detached', timeout: 30_000 });
}

describe('end-to-end encryption, seen from the server', () => {
  let server;
  let proxy;
  let browser;
  const contexts = [];
  const sessions = [];
  let a;
  let b;
  let inviteCode;
  let recoveryB;

  before(async () => {
    server = await startServer();
    for (let i = 0; i < 50 && !server.setupLink; i++) await new Promise((r) => setTimeout(r, 100));
    proxy = await countingProxy(server, { record: true });
    browser = await launchBrowser();
  });
  after(async () => {
    for (const s of sessions) s.close();
    await proxy?.close();
    await closeAll({ contexts, browser, server });
  });

  const newPhone = async () => {
    const context = await phone(browser);
    contexts.push(context);
    return context;
  };

  test('nothing a phone sends at setup, joining by a link, signing in or changing the passphrase carries a passphrase or the invite code', async () => {
    const ctxA = await newPhone();
    a = await ctxA.newPage();
    await a.goto(server.setupLink.replace(server.url, proxy.url));
    await a.getByTestId('setup-group').fill('暗号化の会');
    await a.getByTestId('setup-login').fill('coordinator');
    await a.getByTestId('setup-display').fill('まとめ役');
    await a.getByTestId('setup-pass').fill(PASS_A);
    await a.getByTestId('setup-pass2').fill(PASS_A);
    await a.getByTestId('setup-create').click();
    const kept = await keepKeys(a);
    assert.ok(kept.group, 'the group\'s recovery key is shown to its first coordinator');

    inviteCode = await inviteThroughApp(a);
    const link = (await a.getByTestId('invite-link').textContent()).trim();
    assert.match(link, /\/join#[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/, 'the link carries the code after #');

    const ctxB = await newPhone();
    b = await ctxB.newPage();
    await b.goto(link.replace(new URL(link).origin, proxy.url));
    await b.getByTestId('join-code').waitFor();
    assert.equal((await b.getByTestId('join-code').inputValue()).replace(/-/g, ''), inviteCode.replace(/-/g, ''), 'the code is filled in from the link');
    ({ recovery: recoveryB } = await joinThroughApp(b, inviteCode, 'member', PASS_B));

    const ctxC = await newPhone();
    const c = await openFresh(ctxC, { url: proxy.url });
    await loginThroughApp(c, 'member', PASS_B);

    await b.goto(`${proxy.url}/#/settings`);
    await b.getByTestId('passphrase-current').fill(PASS_B);
    await b.getByTestId('passphrase-new').fill(PASS_B2);
    await b.getByTestId('passphrase-new2').fill(PASS_B2);
    await b.getByTestId('passphrase-change').click();
    await b.getByText('パスフレーズを変えました').waitFor({ timeout: 60_000 });

    const asked = proxy.seen.map((r) => `${r.method} ${r.url.split('?')[0]}`);
    for (const needed of ['POST /api/setup', 'POST /api/invites/open', 'POST /api/join', 'POST /api/auth/login', 'PUT /api/auth/passphrase', 'GET /join']) {
      assert.ok(asked.some((x) => x === needed), `${needed} went through the proxy: ${[...new Set(asked)].join(', ')}`);
    }
    const code = inviteCode;
    const secrets = [PASS_A, PASS_B, PASS_B2, code, code.replace(/-/g, ''), code.toLowerCase(), code.replace(/-/g, '').toLowerCase()];
    for (const r of proxy.seen) {
      const bytes = Buffer.concat([Buffer.from(`${r.method} ${r.url}\n`), r.body]);
      for (const s of secrets) assert.ok(!found(bytes, s), `${r.method} ${r.url} carries ${JSON.stringify(s)}`);
    }
  });

  test('after a realistic sync the server\'s database, its log, backups and journal hold no field value and no passphrase', async () => {
    await save(a, { note: NOTES.shared, person: NOTES.person, shared: true });
    await save(a, { note: NOTES.private });
    // A meeting and a profile too.
    await a.goto(`${proxy.url}/#/meeting/new`);
    await a.getByTestId('body').fill('秘密にしたい協議の場の名前');
    await a.getByTestId('save-meeting').click();
    await a.getByTestId('attendance').waitFor();
    await a.goto(`${proxy.url}/#/settings/profile`);
    await a.getByTestId('visitor_trained_on').fill('2025-06-01');
    await a.getByTestId('visitor_prefecture').locator('input').fill('ひょうご');
    await a.getByRole('button', { name: /^兵庫県 ひょうごけん/ }).click();
    await a.getByTestId('save-profile').click();
    await a.getByTestId('profile-panel').getByText('保存しました').waitFor();
    await allSent(a);
    await save(b, { note: NOTES.member, shared: true });
    await allSent(b);
    await syncNow(b);
    // The member's phone opened the coordinator's shared note.
    await b.goto(`${proxy.url}/#/`);
    await b.getByTestId('contact-list').getByText(NOTES.shared.slice(0, 10)).first().waitFor({ timeout: 30_000 });

    await new Promise((resolve, reject) => execFile(process.env.NIMO_SERVER_BIN, ['backup', '--database', server.database], (e, out, err) => (e ? reject(new Error(err)) : resolve(out))));
    const all = await files(server.dir);
    assert.ok(all.some((f) => f.endsWith('-wal')) || all.length >= 2, all.join(', '));
    assert.ok(all.some((f) => f.includes('.backups')), `a backup and the journal: ${all.join(', ')}`);
    let control = false;
    for (const f of all) {
      const bytes = await readFile(f);
      // The group's name is stored in the clear: proof the scan reads what is there.
      control ||= found(bytes, '暗号化の会');
      for (const secret of [...Object.values(NOTES), '秘密にしたい協議の場の名前', PASS_A, PASS_B, PASS_B2]) {
        assert.ok(!found(bytes, secret), `${path.relative(server.dir, f)} holds ${JSON.stringify(secret)}`);
      }
    }
    assert.ok(control, 'the scan finds what is stored in the clear');
  });

  test('a removed member\'s phone gets nothing new and cannot open what is written after, with the keys it kept', async () => {
    const removed = new Session(proxy.url);
    const stays = new Session(proxy.url);
    sessions.push(removed, stays);
    await removed.join(await inviteThroughApp(a), 'leaving');
    await stays.join(await inviteThroughApp(a), 'staying');
    const pull = async (s) => {
      const out = [];
      let cursor = null;
      for (;;) {
        const q = new URLSearchParams({ schema: String(SCHEMA), limit: '1000', ...(cursor ? { cursor } : {}) });
        const page = await s.request('GET', `/api/sync/pull?${q}`);
        out.push(...page.records);
        cursor = page.cursor;
        if (!page.more) return out;
      }
    };
    const notesOf = async (s, records) => (await s.open(records)).map((r) => r.fields?.note?.v).filter(Boolean);
    assert.ok((await notesOf(removed, await pull(removed))).includes(NOTES.shared), 'a member reads the coordinator\'s shared note');

    // Away and back: the members list is read when the settings open.
    await a.goto(`${proxy.url}/#/`);
    await a.goto(`${proxy.url}/#/settings`);
    a.once('dialog', (d) => d.accept());
    await a.getByTestId('members').locator('li', { hasText: 'leavingさん' }).getByRole('button', { name: 'グループから外す' }).click();
    await a.getByText('グループの鍵を新しくしました').waitFor({ timeout: 60_000 });
    const after = 'メンバーを外したあとに書いた共有メモ';
    await save(a, { note: after, shared: true });
    await allSent(a);

    await assert.rejects(pull(removed), /401/, 'the removed member\'s phone is signed out and gets nothing');
    await stays.refresh();
    const sealed = await pull(stays);
    assert.ok((await notesOf(stays, sealed)).includes(after), 'a member who stays reads what was written after');
    const kept = await notesOf(removed, sealed);
    assert.ok(kept.includes(NOTES.shared), 'the removed member\'s old keys still open what they had');
    assert.ok(!kept.includes(after), 'but not what was written after the removal');
  });

  test('a passphrase set again with the recovery key keeps private records readable', async () => {
    await save(b, { note: '復旧キーの試験のための自分だけの記録' });
    await allSent(b);
    const ctx = await newPhone();
    const page = await openFresh(ctx, { url: proxy.url });
    await page.locator('.switch button').first().click();
    await page.getByTestId('forgot-passphrase').click();
    await page.getByTestId('recover-login').fill('member');
    await page.getByTestId('recover-key').fill(recoveryB.toLowerCase().replace(/-/g, ' '));
    await page.getByTestId('recover-pass').fill(PASS_B3);
    await page.getByTestId('recover-pass2').fill(PASS_B3);
    await page.getByTestId('recover-submit').click();
    await page.locator('nav.tabbar').waitFor({ timeout: 60_000 });
    await page.getByTestId('contact-list').getByText('復旧キーの試験のための自分だけの記録').waitFor({ timeout: 30_000 });
    // The new passphrase signs in; the old one does not.
    const again = await openFresh(await newPhone(), { url: proxy.url });
    await loginThroughApp(again, 'member', PASS_B3);
  });

  test('a value the server altered or moved is kept aside and said, never shown as data', async () => {
    const ids = [await contactId(a, NOTES.shared), await contactId(a, 'メンバーを外したあとに書いた共有メモ')];
    const tamperer = new Session(proxy.url);
    sessions.push(tamperer);
    await tamperer.tamper(server.database, 'swap', ids);
    // A phone that pulls everything now: the coordinator on a new phone.
    const page = await openFresh(await newPhone(), { url: proxy.url });
    await loginThroughApp(page, 'coordinator', PASS_A);
    await syncNow(page);
    await page.goto(`${proxy.url}/#/settings`);
    const list = page.getByTestId('unreadable');
    await list.waitFor({ timeout: 30_000 });
    assert.ok((await list.locator('li').count()) >= 2, 'both swapped values are listed');
    assert.match(await list.textContent(), /書きかえられて/);
    await page.goto(`${proxy.url}/#/`);
    const rows = await page.getByTestId('contact-list').textContent();
    assert.ok(!rows.includes('メンバーを外したあとに書いた共有メモ') && !rows.includes(NOTES.shared), 'neither swapped note is shown, under either record');
    // The contacts are there, without the note that does not open.
    assert.ok(rows.includes(NOTES.private.slice(0, 8)), 'what opens is shown');
  });
});
