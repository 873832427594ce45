// What a group shares, read by another member: a contact someone else
// shared opens read-only and whole; a private one stays unseen.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeAll, createGroup, inviteThroughApp, joinThroughApp, launchBrowser, openFresh, phone, startServer, syncNow } from './harness.mjs';

function jstDate(offsetDays = 0) {
  return new Date(Date.now() + 9 * 3600_000 + offsetDays * 86400_000).toISOString().slice(0, 10);
}

// A note as someone might paste it: markup must stay text.
const MARKUP = '<b>太字</b><img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';

/** The id of the contact whose row in 記録 shows `text`. */
async function contactId(page, text) {
  const href = await page.getByTestId('contact-list').locator('li', { hasText: text }).first().locator('a').getAttribute('href');
  return href.match(/#\/contact\/([0-9a-f-]+)/)[1];
}

describe('a member reads what another member shared', () => {
  let server;
  let browser;
  let phoneA;
  let phoneB;
  let a;
  let b;
  let sharedId;
  let privateId;
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    phoneA = await phone(browser);
    phoneB = await phone(browser);
    a = await openFresh(phoneA, server);
    await joinThroughApp(a, await createGroup(server), 'author');
    const code = await inviteThroughApp(a);
    b = await openFresh(phoneB, server);
    await joinThroughApp(b, code, 'reader');

    // The author: a trained hospital visitor, who logs a shared visit with
    // a referral and a follow-up, and a private contact.
    await a.goto(`${server.url}/#/settings/profile`);
    await a.getByTestId('visitor_trained_on').fill('2025-06-01');
    await a.getByTestId('visitor_prefecture').locator('input').fill('ひょうご');
    await a.getByRole('button', { name: /^兵庫県 ひょうごけん/ }).click();
    await a.getByTestId('save-profile').click();
    await a.getByTestId('profile-panel').getByText('保存しました').waitFor();

    await a.goto(`${server.url}/#/contact/new`);
    await a.getByTestId('mode').locator('[data-value="hospital"]').click();
    await a.getByTestId('worries').locator('[data-value="housing"]').click();
    await a.getByTestId('note').fill(`退院後の住まいが心配とのこと。${MARKUP}`);
    await a.getByTestId('details').click();
    await a.getByTestId('person').fill('Kさん');
    await a.getByTestId('partner').fill('Bさん');
    await a.getByTestId('hospital').fill('みなと病院');
    await a.getByTestId('wish_method').locator('[data-value="letter"]').click();
    await a.getByTestId('wish_date').fill(jstDate(-3));
    await a.getByTestId('referral-name').fill('市の住まい相談窓口');
    await a.getByTestId('add-referral-name').click();
    await a.getByTestId('referral-list').locator('[data-value="contacted"]').click();
    await a.getByTestId('follow_up').fill(jstDate(7));
    await a.getByTestId('shared').check();
    await a.getByTestId('save').click();
    await a.getByTestId('flash').waitFor();
    sharedId = await contactId(a, 'Kさん');

    await a.goto(`${server.url}/#/contact/new`);
    await a.getByTestId('note').fill('自分だけの覚え書き');
    await a.getByTestId('details').click();
    await a.getByTestId('person').fill('秘密さん');
    await a.getByTestId('save').click();
    await a.getByTestId('flash').waitFor();
    privateId = await contactId(a, '秘密さん');

    await syncNow(a);
    await syncNow(b);
  });
  after(() => closeAll({ contexts: [phoneA, phoneB], browser, server }));

  test('the shared contact opens read-only and whole: note, worries, referral and where it stands, follow-up, the visit and its 実施報告', async () => {
    await b.getByTestId('contact-list').locator('li', { hasText: 'Kさん' }).locator('a').click();
    const view = b.getByTestId('record-view');
    await view.waitFor();
    const text = await view.textContent();
    assert.match(text, /退院後の住まいが心配とのこと。/);
    assert.match(text, /住まい/, 'the worry');
    assert.match(text, /市の住まい相談窓口/, 'the referral');
    assert.match(text, /連絡がついた/, 'where the referral stands');
    assert.match(text, /Kさん/);
    assert.match(text, /Bさん/, 'the partner of the hospital visit');
    assert.match(text, /みなと病院/);
    assert.match(text, /手紙/, 'how the wish was confirmed');
    const [y, m, d] = jstDate(7).split('-').map(Number);
    assert.match(text, new RegExp(`${y}年${m}月${d}日`), 'the follow-up date');
    assert.match(await b.getByTestId('record-meta').textContent(), /authorさん/, 'who wrote it');
    assert.match(await b.getByTestId('record-meta').textContent(), /書いた人だけが直せます/);
    assert.equal(await b.getByTestId('save').count(), 0, 'no save button');
    assert.equal(await b.locator('main form').count(), 0, 'no form at all');
    assert.equal(await b.locator('main input, main textarea').count(), 0, 'nothing to type in');

    // The 実施報告 of the visit is there to read and copy.
    await b.getByRole('link', { name: '実施報告' }).click();
    const report = b.getByTestId('visit-report');
    await report.waitFor();
    assert.match(await report.textContent(), /みなと病院/);
    await b.goBack();
    await view.waitFor();
  });

  test('markup in a shared note is shown as text, never as elements or script', async () => {
    await b.goto(`${server.url}/#/contact/${sharedId}`);
    const note = b.getByTestId('record-view').locator('[data-field="note"]');
    await note.waitFor();
    assert.match(await note.textContent(), /<b>太字<\/b><img src=x/);
    assert.equal(await note.locator('b, img, script').count(), 0, 'no element made from the note');
    assert.equal(await b.evaluate(() => window.__pwned), undefined, 'no script ran');
  });

  test('the author\'s later edit appears on the open read-only page after a sync', async () => {
    await b.goto(`${server.url}/#/contact/${sharedId}`);
    await b.getByTestId('record-view').waitFor();
    await a.goto(`${server.url}/#/contact/${sharedId}`);
    await a.getByTestId('note').fill('退院の日が決まった。住まいは市の窓口と相談中。');
    await a.getByTestId('save').click();
    await a.getByTestId('flash').waitFor();
    await syncNow(a);
    await b.evaluate(() => window.dispatchEvent(new Event('online')));
    await b.getByTestId('record-view').getByText('退院の日が決まった。').waitFor({ timeout: 20_000 });
    assert.doesNotMatch(await b.getByTestId('record-view').textContent(), /退院後の住まいが心配/);
  });

  test('at 200 % text the read-only record fits the screen: nothing is cut off at the side', async () => {
    await b.goto(`${server.url}/#/contact/${sharedId}`);
    await b.getByTestId('record-view').waitFor();
    await b.evaluate(() => { document.documentElement.style.fontSize = '200%'; });
    const overflow = await b.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
    await b.getByRole('link', { name: '実施報告' }).scrollIntoViewIfNeeded();
    assert.ok(await b.getByRole('link', { name: '実施報告' }).isVisible());
    await b.evaluate(() => { document.documentElement.style.fontSize = ''; });
  });

  test('a member\'s profile (their training) is read from 設定 → メンバー, read-only', async () => {
    await b.goto(`${server.url}/#/settings`);
    const row = b.getByTestId('members').locator('li', { hasText: 'authorさん' });
    await row.getByRole('link', { name: 'プロフィールを見る' }).click();
    const view = b.getByTestId('record-view');
    await view.waitFor();
    assert.match(await view.textContent(), /2025年6月1日/);
    assert.match(await view.textContent(), /兵庫県/);
    assert.match(await b.getByTestId('record-meta').textContent(), /本人だけが直せます/);
    assert.equal(await b.locator('main input, main textarea, main form').count(), 0);
  });

  test('another member\'s private contact is neither listed nor opened', async () => {
    await b.goto(`${server.url}/#/`);
    await b.getByTestId('contact-list').locator('li', { hasText: 'Kさん' }).waitFor();
    assert.equal(await b.getByTestId('contact-list').locator('li', { hasText: '秘密さん' }).count(), 0);
    await b.goto(`${server.url}/#/contact/${privateId}`);
    await b.locator('main').getByText('見つかりません').waitFor();
    assert.doesNotMatch(await b.locator('main').textContent(), /自分だけの覚え書き/);
    assert.equal(await b.getByTestId('record-view').count(), 0);
  });

  test('when the author stops sharing, the open page says the record can no longer be seen', async () => {
    await b.goto(`${server.url}/#/contact/${sharedId}`);
    await b.getByTestId('record-view').waitFor();
    await a.goto(`${server.url}/#/contact/${sharedId}`);
    // An existing record opens with its details shown.
    await a.getByTestId('shared').uncheck();
    await a.getByTestId('save').click();
    await a.getByTestId('flash').waitFor();
    await syncNow(a);
    await b.evaluate(() => window.dispatchEvent(new Event('online')));
    await b.locator('main').getByText('この記録はもう見られません').waitFor({ timeout: 20_000 });
    assert.equal(await b.getByTestId('record-view').count(), 0);
    assert.doesNotMatch(await b.locator('main').textContent(), /退院/, 'nothing of the record is left on the page');
  });
});
