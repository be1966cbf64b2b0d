// A family makes its Veikart on a phone at a home visit: members, areas in
// its own words, steps; then the network fails, and nothing is lost or sent
// twice. Everything runs in Debian's Chromium against the real server.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, devLogin, api } from '../lib/server.mjs';
import { startProxy } from '../lib/proxy.mjs';
import { assertNoErrors, checkA11y, launch, newPage } from '../lib/browser.mjs';
import { signIn, createRoadmap, openArea, describeArea, addStep, settled, offlineReady, visit } from '../lib/app.mjs';
import { dayISO } from '../lib/dates.mjs';

const housingDue = dayISO(24);

// Failed fetches while offline are the point of some tests here.
const offlineNoise = [/ERR_INTERNET_DISCONNECTED/, /Failed to fetch/, /ERR_FAILED/, /ERR_EMPTY_RESPONSE/, /status of 409/];

async function waitUntil(fn, ms = 10_000) {
  for (const end = Date.now() + ms; !fn(); await new Promise((r) => setTimeout(r, 50))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${fn}`);
  }
}

describe('a household', () => {
  let server, proxy, browser, page, id, token, app;

  before(async () => {
    server = await startServer();
    // The phone reaches the server through a proxy that can lose answers.
    proxy = await startProxy(server.url);
    app = proxy.url;
    browser = await launch();
    page = await newPage(browser);
    if (process.env.DEBUG_API) {
      page.on('request', (r) => { if (r.url().includes('/api/')) console.log('>>', r.method(), r.url(), r.postData()?.slice(0, 200) || ''); });
      page.on('response', async (r) => { if (r.url().includes('/api/') && r.request().method() !== 'GET') console.log('<<', r.status(), (await r.text().catch(() => '')).slice(0, 120)); });
    }
    await signIn(page, app, 'Liv Berg');
    token = (await devLogin(server.url, 'Liv Berg')).accessToken;
  });

  after(async () => {
    await browser?.close();
    await proxy?.stop();
    await server?.stop();
  });

  const serverCopy = () => api(server.url, token, 'GET', `/api/v1/roadmaps/${id}`);

  test('creates a roadmap with its members, areas and steps', async () => {
    id = await createRoadmap(page, 'Familien Berg', [{ name: 'Liv' }, { name: 'Oda', child: true, birthYear: 2014 }]);
    await checkA11y(page, 'the overview');
    await openArea(page, 'Bolig');
    await describeArea(page, { now: 'Vi bor trangt i to rom.', desired: 'Et eget rom til Oda.', scoreNow: 2, scoreDesired: 4 });
    await page.getByText('Nå: 2 av 5. Mål: 4 av 5.').waitFor();
    await addStep(page, { title: 'Søke om kommunal bolig', due: housingDue, who: 'Liv', reminder: true });
    await checkA11y(page, 'an area');
    await page.getByRole('link', { name: /Tilbake til/ }).click();
    await page.getByRole('link', { name: 'Legg til et eget område' }).click();
    await page.getByLabel('Navn på området').fill('Norskkurs');
    await page.getByRole('button', { name: 'Lagre' }).click();
    await page.getByRole('heading', { level: 1, name: 'Norskkurs' }).waitFor();
    await addStep(page, { title: 'Melde seg på kurs', long: true });
    await settled(page);

    const r = await serverCopy();
    assert.deepEqual(r.members.map((m) => [m.name, m.role, m.birthYear ?? null]), [['Liv', 'adult', null], ['Oda', 'child', 2014]]);
    const housing = r.areas.find((a) => a.id === 'housing');
    assert.equal(housing.now, 'Vi bor trangt i to rom.');
    assert.equal(housing.desired, 'Et eget rom til Oda.');
    assert.deepEqual([housing.scoreNow, housing.scoreDesired], [2, 4]);
    const custom = r.areas.find((a) => a.kind === 'custom');
    assert.equal(custom.title, 'Norskkurs');
    const step = r.steps.find((s) => s.title === 'Søke om kommunal bolig');
    assert.equal(step.due, housingDue);
    assert.deepEqual(step.responsible, { kind: 'member', memberId: r.members[0].id });
    assert.deepEqual(step.reminders, [{ daysBefore: 1, at: '09:00' }]);
    assert.equal(r.steps.find((s) => s.title === 'Melde seg på kurs').term, 'long');
    assertNoErrors(page);
  });

  test('marks a step done, and undoes it', async () => {
    await visit(page, `${app}/#/roadmaps/${id}/areas/housing`, 'Bolig');
    // The toggle says where the step stands.
    await page.getByRole('button', { name: /^Ikke gjort\W+Søke om kommunal bolig/ }).click();
    await page.getByText('Steget er merket som gjort.').waitFor();
    await page.getByRole('button', { name: /^Gjort\W+Søke om kommunal bolig/ }).waitFor();
    await settled(page);
    assert.equal((await serverCopy()).steps.find((s) => s.title === 'Søke om kommunal bolig').status, 'done');
    // The undo offer outlasts the old 10 s, and undoing says so.
    await page.waitForTimeout(11_000);
    await page.getByRole('button', { name: 'Angre' }).click();
    await page.getByRole('status').getByText('Angret.').waitFor();
    await page.getByRole('button', { name: /^Ikke gjort\W+Søke om kommunal bolig/ }).waitFor();
    await settled(page);
    assert.equal((await serverCopy()).steps.find((s) => s.title === 'Søke om kommunal bolig').status, 'planned');
    // The next action ends the toast, and leaves no empty bar.
    await page.getByRole('heading', { level: 1, name: 'Bolig' }).click();
    await page.locator('#toast').waitFor({ state: 'hidden' });
    assert.equal(await page.locator('#toast').innerText(), '');
    // A toast belongs to its screen: leaving the screen ends it.
    await page.getByRole('button', { name: /^Ikke gjort\W+Søke om kommunal bolig/ }).click();
    await page.getByText('Steget er merket som gjort.').waitFor();
    await page.waitForTimeout(1600);
    await page.evaluate(() => { location.hash = location.hash.replace(/\/areas\/housing$/, ''); });
    await page.locator('#toast').waitFor({ state: 'hidden' });
    await page.getByRole('link', { name: /^Bolig/ }).click();
    await page.getByRole('button', { name: /^Gjort\W+Søke om kommunal bolig/ }).click();
    await page.getByText('Steget er åpnet igjen.').waitFor();
    await settled(page);
  });

  test('works offline and sends every edit exactly once when back online', async () => {
    await offlineReady(page);
    const before = await serverCopy();
    await page.context().setOffline(true);
    await visit(page, `${app}/#/roadmaps/${id}/areas/economy`, 'Økonomi');
    await page.getByText(/Uten nett/).waitFor();
    await describeArea(page, { now: 'Gjeld på 40 000 kroner.', scoreNow: 1 });
    await addStep(page, { title: 'Time hos gjeldsrådgiver', due: dayISO(9) });
    await page.getByText(/Uten nett – 3 endringer venter/).waitFor();
    // Nothing reached the server.
    assert.equal((await serverCopy()).version, before.version);

    // The first answer is lost on the way back: the server applied the
    // edits, the phone never heard, and sends them again.
    const ops = /^POST \/api\/v1\/roadmaps\/[^/]+\/operations$/;
    proxy.loseNextAnswer(ops);
    await page.context().setOffline(false);
    await page.waitForFunction(() => navigator.onLine);
    await waitUntil(() => proxy.seen(ops) >= 1);
    // The app tries again when it next comes to the front.
    await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
    await settled(page);
    assert.ok(proxy.seen(ops) >= 2, `the batch was sent again after the lost answer (${proxy.seen(ops)} sends)`);

    const r = await serverCopy();
    // One batch, applied once: one new version, one step.
    assert.equal(r.version, before.version + 1);
    assert.equal(r.steps.filter((s) => s.title === 'Time hos gjeldsrådgiver').length, 1);
    const economy = r.areas.find((a) => a.id === 'economy');
    assert.equal(economy.now, 'Gjeld på 40 000 kroner.');
    assert.equal(economy.scoreNow, 1);
    assertNoErrors(page, offlineNoise);
  });

  test('shows a conflict and lets the person choose', async () => {
    await page.context().setOffline(true);
    await visit(page, `${app}/#/roadmaps/${id}/areas/health`, 'Helse');
    await describeArea(page, { now: 'Oda sover dårlig.' });
    // Meanwhile the caseworker's visit on another phone changed the same field.
    const cur = await serverCopy();
    await api(server.url, token, 'POST', `/api/v1/roadmaps/${id}/operations`, {
      operations: [{ opId: 'other-phone-1', type: 'area.update', areaId: 'health', baseVersion: cur.version, set: { now: 'Oda har fått time hos fastlegen.' } }],
    });
    await page.context().setOffline(false);
    await page.getByRole('alert').filter({ hasText: 'møtte en annens endring' }).waitFor();
    await checkA11y(page, 'the conflict banner');
    await page.getByRole('button', { name: 'Velg nå' }).click();
    const dialog = page.getByRole('dialog', { name: 'Noen andre endret det samme' });
    await dialog.getByText('Oda har fått time hos fastlegen.').waitFor();
    await dialog.getByText('Oda sover dårlig.').waitFor();
    await checkA11y(page, 'the conflict dialog');
    await dialog.getByRole('button', { name: 'Behold min' }).click();
    await settled(page);
    const r = await serverCopy();
    const failed = await page.evaluate(async () => {
      const db = await new Promise((ok) => { const q = indexedDB.open('veikart'); q.onsuccess = () => ok(q.result); });
      return new Promise((ok) => { const q = db.transaction('kv').objectStore('kv').get('failed'); q.onsuccess = () => ok(q.result); });
    });
    assert.equal(failed, undefined, 'no edit was refused');
    assert.equal(r.areas.find((a) => a.id === 'health').now, 'Oda sover dårlig.');
    assert.equal(await page.getByRole('alert').filter({ hasText: 'møtte en annens endring' }).count(), 0);
    assertNoErrors(page, [...offlineNoise, /409/]);
  });

  test('starts with the network off, showing what is on the phone', async () => {
    await offlineReady(page);
    await page.context().setOffline(true);
    await page.goto(`${app}/#/roadmaps/${id}`);
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Familien Berg' }).waitFor();
    await page.getByRole('link', { name: /^Økonomi/ }).waitFor();
    await openArea(page, 'Økonomi');
    assert.equal(await page.getByLabel('Slik er det nå').inputValue(), 'Gjeld på 40 000 kroner.');
    await page.context().setOffline(false);
    assertNoErrors(page, offlineNoise);
  });

  test('signing out leaves nothing personal on the phone', async () => {
    await visit(page, `${app}/#/settings`, 'Innstillinger');
    await checkA11y(page, 'settings');
    await page.getByRole('button', { name: 'Logg ut og slett fra telefonen' }).click();
    await page.getByRole('heading', { level: 1, name: 'Logg inn' }).waitFor();
    const left = await page.evaluate(async () => {
      const dbs = (await indexedDB.databases()).map((d) => d.name);
      return { dbs, session: sessionStorage.length };
    });
    assert.deepEqual(left, { dbs: [], session: 0 });
    // The refresh token is revoked on the server too.
    assertNoErrors(page, offlineNoise);
  });
});
