// What nimo tells a supporter must be right (issue 14): in a crisis at
// night the lines that answer come first, and nothing closed is called
// open; a hospital visit is made in pairs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeAll, createGroup, joinThroughApp, launchBrowser, openFresh, phone, startServer, waitForFocus } from './harness.mjs';

const OKINAWA = { kind: 'prefecture', code: '470007' };
const NAHA = { kind: 'municipality', code: '472018' };

function service(id, name, type, areas, phone, hours) {
  return {
    id, name, description: '', url: '', email: '', status: 'active', assured_date: '2026-10-01',
    phones: [{ number: phone, type: 'voice', description: '' }], schedules: [],
    service_areas: areas, address: '', latitude: null, longitude: null,
    x_nimo: { window_type: type, kana: '', channels: ['phone'], hours, closed_holidays: true, closed_new_year: false, closures: [], reservation: false, anonymous_ok: false, for_whom: [], source: 'テスト' },
  };
}

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri'];
const DIRECTORY = {
  format: 'nimo-hsds-1',
  exported: '2026-11-24',
  services: [
    service('desk', '那覇市 障害福祉課', 'municipal_welfare', [NAHA], '098-000-0000', [{ days: WEEKDAYS, opens: '08:30', closes: '17:15' }]),
    service('er', '沖縄県精神科救急医療情報センター', 'psych_emergency', [OKINAWA], '098-000-1111', [
      { days: WEEKDAYS, opens: '17:00', closes: '09:00' },
      { days: ['sat', 'sun', 'hol'], opens: '00:00', closes: '24:00' },
    ]),
  ],
};

describe('safety', () => {
  let server;
  let browser;
  let context;
  let page;
  let origin;
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    context = await phone(browser);
    page = await openFresh(context, server);
    origin = new URL(server.url).origin;
    await joinThroughApp(page, await createGroup(server), 'safety');
    await page.goto(`${origin}/#/directory/import`);
    await page.getByTestId('import-file').setInputFiles({ name: 'okinawa.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(DIRECTORY)) });
    await page.getByTestId('import-run').click();
    await page.getByText('読み込みました').waitFor();
  });
  after(() => closeAll({ contexts: [context], browser, server }));

  test('危機 in 那覇市 at 02:00 on a Tuesday: 119 and 精神科救急 first, #いのちSOS not called open', async () => {
    const night = await context.newPage();
    // Tuesday 1 December 2026, 02:00 in Japan.
    await night.clock.setFixedTime(new Date('2026-11-30T17:00:00Z'));
    await night.goto(`${origin}/#/windows`);
    await night.getByTestId('finder-worries').locator('[data-value="crisis"]').click();
    await night.getByTestId('finder-area').locator('input').fill('なは');
    await night.getByRole('button', { name: /沖縄県 那覇市/ }).click();
    await night.getByTestId('crisis-order').waitFor();
    const names = await night.locator('[data-testid="window-card"] h3').allTextContents();
    assert.equal(names[0], '救急・消防', names.join(' / '));
    assert.equal(names[1], '沖縄県精神科救急医療情報センター');
    const sos = night.locator('[data-testid="window-card"]', { hasText: '#いのちSOS' });
    const badge = await sos.getByTestId('open-badge').textContent();
    assert.doesNotMatch(badge, /受付中/, `#いのちSOS is closed at 02:00 on a Tuesday: ${badge}`);
    assert.match(badge, /次は 今日 6:00/);
    assert.doesNotMatch(await sos.textContent(), /いつでもかけられます/);
    // What is open now comes before what is closed.
    const badges = await night.locator('[data-testid="window-card"] [data-testid="open-badge"]').allTextContents();
    const firstClosed = badges.findIndex((b) => !/受付中|まもなく/.test(b));
    assert.ok(badges.slice(firstClosed).every((b) => !/受付中/.test(b)), badges.join(' / '));
    const desk = names.indexOf('那覇市 障害福祉課');
    assert.ok(desk > names.indexOf('よりそいホットライン'), 'the closed municipal desk comes after the open national line');
    await night.close();
  });

  test('a line open until midnight says 24:00, not 0:00', async () => {
    const late = await context.newPage();
    // Tuesday 1 December 2026, 23:00 in Japan: #いのちSOS is open until midnight.
    await late.clock.setFixedTime(new Date('2026-12-01T14:00:00Z'));
    await late.goto(`${origin}/#/windows`);
    await late.getByTestId('finder-worries').locator('[data-value="crisis"]').click();
    const badge = await late.locator('[data-testid="window-card"]', { hasText: '#いのちSOS' }).getByTestId('open-badge').textContent();
    assert.match(badge, /受付中（24:00 まで）/);
    await late.close();
  });

  test('a hospital visit without a partner is refused at the field', async () => {
    await page.goto(`${origin}/#/settings/profile`);
    await page.getByTestId('visitor_trained_on').fill('2025-06-01');
    await page.getByTestId('visitor_prefecture').locator('input').fill('おきなわ');
    await page.getByRole('button', { name: /^沖縄県 おきなわけん/ }).click();
    await page.getByTestId('save-profile').click();
    await page.getByTestId('profile-panel').getByText('保存しました').waitFor();
    await page.goto(`${origin}/#/contact/new`);
    await page.getByTestId('mode').locator('[data-value="hospital"]').click();
    await page.getByTestId('note').fill('本人の希望で訪問した');
    await page.getByTestId('wish_method').locator('[data-value="via_staff"]').click();
    await page.getByTestId('wish_date').fill('2026-11-01');
    await page.getByTestId('save').click();
    const field = page.locator('.field', { has: page.getByTestId('partner') });
    await field.locator('.error', { hasText: '入力してください' }).waitFor();
    await waitForFocus(page, 'partner');
    // A wish confirmed after the visit is refused too.
    await page.getByTestId('partner').fill('Bさん');
    await page.getByTestId('details').click();
    // A visitor listens, talks about daily life, gives information: only
    // those are offered.
    const actions = await page.getByTestId('actions').locator('[data-value]').evaluateAll((els) => els.map((e) => e.dataset.value));
    assert.deepEqual(actions, ['listening', 'life_talk', 'information', 'other']);
    await page.getByTestId('date').fill('2026-10-30');
    await page.getByTestId('save').click();
    await page.locator('.field', { has: page.getByTestId('wish_date') }).locator('.error', { hasText: '訪問の日より前' }).waitFor();
  });
});
