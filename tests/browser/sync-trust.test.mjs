// The ways sync once lost a person's words, driven through the app on two
// phones of one user against the real server: a form left open, an edit of
// a record deleted elsewhere, and a clock that jumps ahead.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeAll, createGroup, joinThroughApp, launchBrowser, loginThroughApp, openContact, openFresh, phone, saveContact, startServer, syncNow, waitForServiceWorker } from './harness.mjs';

/** Sets this page's wall clock two hours ahead (the monotonic clock is untouched). */
function twoHoursAhead() {
  const real = Date.now.bind(Date);
  Date.now = () => real() + 2 * 3600 * 1000;
}

async function editPerson(page, from, to) {
  await openContact(page, from);
  await page.getByTestId('person').fill(to);
  await page.getByTestId('save').click();
  await page.getByTestId('flash').waitFor();
}

describe('sync keeps every word', () => {
  let server;
  let browser;
  let phone1;
  let phone2;
  let a1;
  let a2;
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    phone1 = await phone(browser);
    phone2 = await phone(browser);
    a1 = await openFresh(phone1, server);
    await joinThroughApp(a1, await createGroup(server), 'trustuser');
    await waitForServiceWorker(a1);
    a2 = await openFresh(phone2, server);
    await loginThroughApp(a2, 'trustuser');
  });
  after(() => closeAll({ contexts: [phone1, phone2], browser, server }));

  test('a form left open does not undo the other phone\'s edit, and says what changed', async () => {
    await saveContact(a1, { note: '元のメモ', person: 'Pさん', shared: true });
    await syncNow(a1);
    await syncNow(a2);
    // Phone 1 opens the record and writes, without saving yet.
    await openContact(a1, 'Pさん');
    await a1.getByTestId('note').fill('A1が書き足したメモ');
    // Phone 2 changes the person and the note, and sends it.
    await openContact(a2, 'Pさん');
    await a2.getByTestId('person').fill('Qさん');
    await a2.getByTestId('note').fill('A2のメモ');
    await a2.getByTestId('save').click();
    await a2.getByTestId('flash').waitFor();
    await syncNow(a2);
    // Phone 1's background sync brings that in while its form is open.
    await a1.evaluate(() => window.dispatchEvent(new Event('online')));
    const notice = a1.getByTestId('remote-change');
    await notice.waitFor({ timeout: 20_000 });
    assert.match(await notice.textContent(), /別の端末で更新されました/);
    assert.match(await notice.textContent(), /Qさん/);
    assert.equal(await a1.getByTestId('person').inputValue(), 'Qさん', 'an untouched field shows the new value');
    assert.equal(await a1.getByTestId('note').inputValue(), 'A1が書き足したメモ', 'what was typed stays');
    await a1.getByTestId('save').click();
    await a1.getByTestId('flash').waitFor();
    await syncNow(a1);
    await syncNow(a2);
    await syncNow(a1);
    for (const [page, mine, theirs] of [[a1, 'A1が書き足したメモ', 'A2のメモ'], [a2, 'A1が書き足したメモ', 'A2のメモ']]) {
      await openContact(page, 'Qさん');
      assert.equal(await page.getByTestId('person').inputValue(), 'Qさん', 'the person was not put back');
      const conflict = page.getByTestId('conflict');
      await conflict.waitFor();
      const texts = [await page.getByTestId('note').inputValue(), await conflict.locator('blockquote').textContent()].sort();
      assert.deepEqual(texts, [mine, theirs].sort(), 'both notes are there: one current, one shown as the conflict');
      await page.goto(`${server.url}/#/`);
    }
  });

  test('an edit of a record deleted on the other phone is kept in 送信できなかった変更', async () => {
    await saveContact(a1, { note: '消される記録', person: 'Dさん' });
    await syncNow(a1);
    await syncNow(a2);
    await phone2.setOffline(true);
    await openContact(a2, 'Dさん');
    await a2.getByTestId('note').fill('消されたくない大事な話');
    await a2.getByTestId('save').click();
    await a2.getByTestId('flash').waitFor();
    await openContact(a1, 'Dさん');
    a1.once('dialog', (d) => d.accept());
    await a1.getByTestId('delete').click();
    await a1.locator('main h1', { hasText: '記録' }).waitFor();
    await syncNow(a1);
    await phone2.setOffline(false);
    await syncNow(a2);
    await a2.locator('nav.tabbar a', { hasText: '設定' }).click();
    const refused = a2.getByTestId('rejected');
    await refused.waitFor();
    assert.match(await refused.textContent(), /消されたくない大事な話/);
    assert.match(await refused.textContent(), /記録が削除されていたため/);
    await a2.locator('nav.tabbar a', { hasText: '記録' }).click();
    assert.doesNotMatch(await a2.getByTestId('contact-list').textContent(), /Dさん/);
  });

  test('a phone whose clock jumps two hours ahead does not win over an edit made after it', async () => {
    await saveContact(a1, { note: '時計の記録', person: 'Cさん' });
    await syncNow(a1);
    await syncNow(a2);
    // The clock jumps while the app is open: stamps follow the monotonic clock.
    await a1.evaluate(twoHoursAhead);
    await editPerson(a1, 'Cさん', 'はやい時計');
    await a1.waitForTimeout(1_500);
    await editPerson(a2, 'Cさん', 'あとの編集');
    await syncNow(a1);
    await syncNow(a2);
    await syncNow(a1);
    for (const page of [a1, a2]) {
      assert.match(await page.getByTestId('contact-list').textContent(), /あとの編集/);
      assert.doesNotMatch(await page.getByTestId('contact-list').textContent(), /はやい時計/);
    }
    // With the clock right again the phone syncs; then it jumps while the
    // app is closed, and the phone is reopened offline: the stamps show the
    // jump, the server refuses them, and the phone stamps them again.
    await a1.reload();
    await a1.locator('nav.tabbar').waitFor();
    await syncNow(a1);
    await phone1.addInitScript(twoHoursAhead);
    await phone1.setOffline(true);
    await a1.reload();
    await a1.locator('nav.tabbar').waitFor();
    await editPerson(a1, 'あとの編集', '再読み込み後');
    await a1.waitForTimeout(1_500);
    await editPerson(a2, 'あとの編集', 'さらにあと');
    await syncNow(a2);
    await phone1.setOffline(false);
    await syncNow(a1);
    await syncNow(a2);
    await syncNow(a1);
    for (const page of [a1, a2]) {
      assert.match(await page.getByTestId('contact-list').textContent(), /さらにあと/);
      assert.doesNotMatch(await page.getByTestId('contact-list').textContent(), /再読み込み後/);
    }
  });
});
