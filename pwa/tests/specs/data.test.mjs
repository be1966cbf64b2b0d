// The household's own data: an owner downloads everything the service holds
// about them (Chromium's real download, parsed and checked), deletes a
// roadmap, and deletes their account behind a typed confirmation; after
// that the app has forgotten them and their old token is refused.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { startServer, api, apiUserId, devLogin, catalogue } from '../lib/server.mjs';
import { assertNoErrors, checkA11y, launch, newPage } from '../lib/browser.mjs';
import { signIn, createRoadmap, settled, visit } from '../lib/app.mjs';

// The session that the app keeps in IndexedDB, as the app stored it.
const storedSession = (page) => page.evaluate(async () => {
  const db = await new Promise((ok, fail) => { const r = indexedDB.open('veikart'); r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
  try {
    if (!db.objectStoreNames.contains('kv')) return null;
    return await new Promise((ok, fail) => { const r = db.transaction('kv').objectStore('kv').get('session'); r.onsuccess = () => ok(r.result ?? null); r.onerror = () => fail(r.error); });
  } finally {
    db.close();
  }
});

describe('your data', () => {
  let server, browser, page, roadmapId, spareId;

  before(async () => {
    server = await startServer();
    browser = await launch();
    page = await newPage(browser);
    await signIn(page, server.url, 'Kari Nordmann');
    roadmapId = await createRoadmap(page, 'Familien Nordmann', [{ name: 'Kari' }, { name: 'Mia', child: true, birthYear: 2012 }]);
    await settled(page);
    await page.goto(`${server.url}/#/`);
    spareId = await createRoadmap(page, 'Reserveplanen', [{ name: 'Kari' }]);
    await settled(page);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('the owner downloads everything, as a file', async () => {
    await visit(page, `${server.url}/#/settings`, 'Innstillinger');
    await page.getByRole('link', { name: 'Dine data' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dine data' }).waitFor();
    await checkA11y(page, 'the data screen');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Last ned mine data' }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^veikart-export-\d{4}-\d{2}-\d{2}\.json$/);
    const x = JSON.parse(await readFile(await download.path(), 'utf8'));
    assert.equal(x.format, 'veikart-export');
    assert.equal(x.profile.id, apiUserId('Kari Nordmann'));
    assert.deepEqual(x.roadmaps.map((r) => r.roadmap.id).sort(), [roadmapId, spareId].sort());
    const mine = x.roadmaps.find((r) => r.roadmap.id === roadmapId);
    assert.equal(mine.roadmap.title, 'Familien Nordmann');
    assert.deepEqual(mine.roadmap.members.map((m) => m.name), ['Kari', 'Mia']);
    assert.ok(Array.isArray(mine.grants) && Array.isArray(mine.receipts) && Array.isArray(mine.accessLog));
    assert.ok(x.sessions.items.some((s) => s.current), 'this device is among the sessions');
    assert.ok(x.securityLog.some((e) => e.action === 'sign-in'), 'the sign-in is in the security log');
    await page.getByText('Filen med dataene dine er lastet ned.').waitFor();
  });

  test('in Arabic the screen and its dialog are Arabic, right to left, and accessible', async () => {
    await visit(page, `${server.url}/#/settings`, 'Innstillinger');
    await page.getByRole('radio', { name: 'العربية' }).check();
    await page.locator('html[lang="ar"][dir="rtl"]').waitFor({ state: 'attached' });
    await page.getByRole('link', { name: 'بياناتك' }).click();
    await page.getByRole('heading', { level: 1, name: 'بياناتك' }).waitFor();
    await checkA11y(page, 'the data screen in Arabic');
    await page.getByRole('button', { name: 'حذف حسابي …' }).click();
    const dialog = page.getByRole('dialog', { name: 'حذف حسابي' });
    // No word to type on another keyboard: a box to tick, in Arabic.
    await dialog.getByRole('checkbox', { name: catalogue('ar')['data.understand'] }).waitFor();
    assert.ok(await dialog.getByRole('button', { name: 'حذف الحساب نهائيًا' }).isDisabled());
    await checkA11y(page, 'the account deletion dialog in Arabic');
    await dialog.getByRole('button', { name: 'إلغاء' }).click();
    await visit(page, `${server.url}/#/settings`, 'الإعدادات');
    await page.getByRole('radio', { name: 'Norsk bokmål' }).check();
    await page.locator('html[lang="nb"][dir="ltr"]').waitFor({ state: 'attached' });
  });

  test('an owner deletes a roadmap, after saying they understand (no word to type, in any language)', async () => {
    await visit(page, `${server.url}/#/roadmaps/${spareId}`, 'Reserveplanen');
    await page.getByRole('button', { name: 'Slett veikartet …' }).click();
    const dialog = page.getByRole('dialog', { name: 'Slette veikartet?' });
    const yes = dialog.getByRole('button', { name: 'Slett for godt' });
    assert.ok(await yes.isDisabled(), 'nothing is deleted before the person confirms');
    assert.equal(await dialog.getByRole('textbox').count(), 0, 'a word to type, which may need another keyboard');
    const understand = dialog.getByRole('checkbox', { name: 'Jeg forstår at dette ikke kan angres' });
    await understand.check();
    await understand.uncheck();
    assert.ok(await yes.isDisabled());
    await understand.check();
    await yes.click();
    await page.getByText('Veikartet er slettet.').waitFor();
    await page.getByRole('link', { name: /Familien Nordmann/ }).waitFor();
    assert.equal(await page.getByRole('link', { name: /Reserveplanen/ }).count(), 0);
    const { accessToken } = await storedSession(page);
    await assert.rejects(api(server.url, accessToken, 'GET', `/api/v1/roadmaps/${spareId}`), (e) => e.status === 404);
  });

  test('the owner deletes the account; the app forgets them and the old token is refused', async () => {
    const { accessToken, refreshToken } = await storedSession(page);
    await visit(page, `${server.url}/#/settings/data`, 'Dine data');
    await page.getByRole('button', { name: 'Slett kontoen min …' }).click();
    const dialog = page.getByRole('dialog', { name: 'Slett kontoen min' });
    await dialog.getByText('Dette kan ikke angres.', { exact: false }).waitFor();
    await checkA11y(page, 'the account deletion dialog');
    // Cancelling deletes nothing.
    await dialog.getByRole('button', { name: 'Avbryt' }).click();
    assert.equal((await api(server.url, accessToken, 'GET', '/api/v1/me')).id, apiUserId('Kari Nordmann'));

    await page.getByRole('button', { name: 'Slett kontoen min …' }).click();
    await dialog.getByRole('checkbox', { name: 'Jeg forstår at dette ikke kan angres' }).check();
    await dialog.getByRole('button', { name: 'Slett kontoen for godt' }).click();
    await page.getByRole('heading', { level: 1, name: 'Logg inn' }).waitFor();
    assert.equal(await storedSession(page), null, 'the device keeps no session');

    await assert.rejects(api(server.url, accessToken, 'GET', '/api/v1/me'), (e) => e.status === 401);
    await assert.rejects(api(server.url, accessToken, 'GET', `/api/v1/roadmaps/${roadmapId}`), (e) => e.status === 401);
    await assert.rejects(api(server.url, null, 'POST', '/api/v1/auth/refresh', { refreshToken }), (e) => e.status === 401);
    // Signing in with the same name makes a new, empty account.
    const { accessToken: fresh } = await devLogin(server.url, 'Kari Nordmann');
    assert.deepEqual((await api(server.url, fresh, 'GET', '/api/v1/roadmaps')).items, []);
    // The requests the app made with the erased session (signing out)
    // were refused, as they should be.
    assertNoErrors(page, [/status of 401/]);
  });
});

// One phone, two people: Kari's sign-in lapses (her session is gone from
// the phone, her data is not), and Ola signs in on the same phone. Every
// way of signing in keeps its session in one place (api.js), which wipes
// what another person left before it keeps the new session.
describe('one phone, two people', () => {
  let server, browser, page;

  before(async () => {
    server = await startServer();
    browser = await launch();
    page = await newPage(browser);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  // kept is what the app keeps on the phone: the roadmaps' titles and the
  // person it belongs to.
  const kept = () => page.evaluate(async () => {
    const db = await new Promise((ok, fail) => { const r = indexedDB.open('veikart'); r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
    const all = (store) => new Promise((ok, fail) => { const r = db.transaction(store).objectStore(store).getAll(); r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
    const get = (k) => new Promise((ok, fail) => { const r = db.transaction('kv').objectStore('kv').get(k); r.onsuccess = () => ok(r.result ?? null); r.onerror = () => fail(r.error); });
    try {
      return { titles: (await all('roadmaps')).map((x) => x.data.title), user: await get('user') };
    } finally {
      db.close();
    }
  });

  test("the next person finds nothing of the last one's", async () => {
    await signIn(page, server.url, 'Kari Nordmann');
    await createRoadmap(page, 'Familien Nordmann', [{ name: 'Kari' }]);
    await settled(page);
    assert.deepEqual((await kept()).titles, ['Familien Nordmann']);
    // Her sign-in lapses: the session goes, her roadmap stays on the phone.
    await page.evaluate(async () => {
      const db = await new Promise((ok, fail) => { const r = indexedDB.open('veikart'); r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
      await new Promise((ok, fail) => { const tx = db.transaction('kv', 'readwrite'); tx.objectStore('kv').delete('session'); tx.oncomplete = ok; tx.onerror = () => fail(tx.error); });
      db.close();
    });
    await signIn(page, server.url, 'Ola Hansen');
    await page.getByRole('link', { name: 'Lag et nytt veikart' }).waitFor();
    assert.equal(await page.getByText('Familien Nordmann').count(), 0, "Kari's roadmap on Ola's screen");
    const after = await kept();
    assert.deepEqual(after.titles, [], "Kari's roadmap kept on the phone after Ola signed in");
    assert.equal(after.user, apiUserId('Ola Hansen'));
    assertNoErrors(page);
  });
});
