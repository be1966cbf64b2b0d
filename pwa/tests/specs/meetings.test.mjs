// A meeting the household leads, with three people in their own browser
// contexts: the family calls it and writes the agenda; NAV and the housing
// office (whose contact person coordinates) each see only the items within
// their grant; notes written on the family's phone without a network
// arrive once it is back; decisions become a household step and a promise
// NAV accepts; the minutes reach each agency, cut to its grant, once the
// family approves them.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { startServer, devLogin, createAgency, addStaff, apiUserId, api } from '../lib/server.mjs';
import { assertNoErrors, checkA11y, launch, newPage } from '../lib/browser.mjs';
import { signIn, visit } from '../lib/app.mjs';
import { dayISO } from '../lib/dates.mjs';

const inDays = (n) => new Date(Date.now() + n * 86_400_000).toISOString();
// Offline moments log failed fetches.
const offline = [/ERR_INTERNET_DISCONNECTED/, /Failed to fetch/];

describe('a meeting the household leads', () => {
  let server, browser, family, nina, bo, id, kari;

  before(async () => {
    server = await startServer();
    await createAgency(server, { id: 'nav-sola', name: 'NAV Sola', kind: 'nav', region: 'Rogaland' });
    await createAgency(server, { id: 'sola-bolig', name: 'Boligkontoret Sola', kind: 'housing-office', region: 'Rogaland' });
    for (const [name, agency] of [['Nina Dahl', 'nav-sola'], ['Bo Berge', 'sola-bolig']]) {
      await devLogin(server.url, name);
      await addStaff(server, agency, apiUserId(name), 'caseworker');
    }
    kari = (await devLogin(server.url, 'Kari Lund')).accessToken;
    const r = await api(server.url, kari, 'POST', '/api/v1/roadmaps', { title: 'Familien Lund', members: [{ id: 'kari', name: 'Kari', role: 'adult' }] });
    id = r.id;
    await api(server.url, kari, 'POST', `/api/v1/roadmaps/${id}/grants`, {
      agencyId: 'nav-sola', sections: ['area:economy', 'steps:economy'], permissions: ['view'], purpose: 'Økonomi', expiresAt: inDays(90),
    });
    await api(server.url, kari, 'POST', `/api/v1/roadmaps/${id}/grants`, {
      agencyId: 'sola-bolig', sections: ['area:housing', 'steps:housing'], permissions: ['view', 'team'], purpose: 'Bolig', expiresAt: inDays(90),
    });
    for (const [name, agency, role] of [['Nina Dahl', 'nav-sola', 'Veileder'], ['Bo Berge', 'sola-bolig', 'Boligkonsulent']]) {
      const tok = (await devLogin(server.url, name, agency)).accessToken;
      await api(server.url, tok, 'PUT', `/api/v1/roadmaps/${id}/contact`, { name, role });
    }
    await api(server.url, kari, 'PUT', `/api/v1/roadmaps/${id}/coordinator`, { agencyId: 'sola-bolig' });
    browser = await launch();
    family = await newPage(browser);
    nina = await newPage(browser);
    bo = await newPage(browser);
    await signIn(family, server.url, 'Kari Lund');
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const meetingOf = async () => (await api(server.url, kari, 'GET', `/api/v1/roadmaps/${id}/meetings`)).items[0];

  test('the family calls the meeting and writes the agenda', async () => {
    await visit(family, `${server.url}/#/roadmaps/${id}/team`, 'Teamet');
    await family.getByRole('link', { name: 'Møter' }).click();
    await family.getByRole('heading', { level: 1, name: 'Møter' }).waitFor();
    await family.getByRole('link', { name: 'Kall inn til møte' }).first().click();
    await family.getByRole('heading', { level: 1, name: 'Kall inn til møte' }).waitFor();
    await family.getByLabel('Når?').fill(`${dayISO(7)}T10:00`);
    await family.getByRole('checkbox', { name: 'NAV Sola' }).check();
    await family.getByRole('checkbox', { name: 'Boligkontoret Sola' }).check();
    await checkA11y(family, 'calling a meeting');
    await family.getByRole('button', { name: 'Kall inn til møte' }).click();
    await family.getByText('Hjemme hos familien').waitFor();

    const items = [['Husleie og gjeld', 'Økonomi'], ['Flytting', 'Bolig'], ['Legetime', 'Helse'], ['Annet', '']];
    for (let i = 0; i < items.length; i++) await family.getByRole('button', { name: 'Legg til et punkt' }).click();
    const rows = family.locator('.agenda-edit > li');
    for (const [i, [text, area]] of items.entries()) {
      await rows.nth(i).getByLabel('Punkt').fill(text);
      if (area) await rows.nth(i).getByLabel('Område').selectOption({ label: area });
    }
    await family.getByRole('button', { name: 'Lagre sakslisten' }).click();
    await family.getByText('Sakslisten er lagret.').waitFor();
    await family.locator('[data-item] h3', { hasText: 'Annet' }).waitFor();
    await checkA11y(family, 'a meeting with its agenda');
    const m = await meetingOf();
    assert.deepEqual(m.agenda.map((x) => x.text), items.map(([x]) => x));
    assert.equal(m.status, 'planned');
    // The roadmap shows it, in the family's language.
    await visit(family, `${server.url}/#/roadmaps/${id}`, 'Familien Lund');
    await family.getByRole('heading', { level: 2, name: 'Møter framover' }).waitFor();
    await family.getByRole('link', { name: /Hjemme hos familien/ }).waitFor();
  });

  test('each agency sees only the items within its grant', async () => {
    await signIn(nina, server.url, 'Nina Dahl');
    await nina.getByRole('heading', { level: 1, name: 'Delt med oss' }).waitFor();
    await visit(nina, `${server.url}/#/roadmaps/${id}/meetings`, 'Møter');
    await nina.getByRole('link', { name: /Hjemme hos familien/ }).click();
    await nina.locator('[data-item] h3', { hasText: 'Husleie og gjeld' }).waitFor();
    const ninaSees = await nina.locator('[data-item] h3').allInnerTexts();
    assert.deepEqual(ninaSees, ['Husleie og gjeld', 'Annet']);
    await nina.getByText('Notater og vedtak vises når familien har godkjent referatet.').waitFor();

    await signIn(bo, server.url, 'Bo Berge');
    await bo.getByRole('heading', { level: 1, name: 'Delt med oss' }).waitFor();
    await visit(bo, `${server.url}/#/roadmaps/${id}/meetings`, 'Møter');
    await bo.getByRole('link', { name: /Hjemme hos familien/ }).click();
    await bo.locator('[data-item] h3', { hasText: 'Flytting' }).waitFor();
    assert.deepEqual(await bo.locator('[data-item] h3').allInnerTexts(), ['Flytting', 'Annet']);
    // The coordinator takes notes on what it sees.
    const notes = bo.locator('[data-item]', { hasText: 'Flytting' }).getByLabel('Notater');
    await notes.fill('Leiligheten i Sola sentrum er ledig fra mars.');
    await notes.blur();
    await bo.getByText('Lagret', { exact: false }).first().waitFor();
  });

  test('notes written offline on the family\'s phone arrive once', async () => {
    // The meeting list was seen on this phone; the network goes before the
    // meeting opens, as at a kitchen table with none.
    await visit(family, `${server.url}/#/roadmaps/${id}/meetings`, 'Møter');
    await family.context().setOffline(true);
    await family.getByRole('link', { name: /Hjemme hos familien/ }).click();
    await family.getByRole('heading', { level: 1, name: /^Møte / }).waitFor();
    const notes = family.locator('[data-item]', { hasText: 'Husleie og gjeld' }).getByLabel('Notater');
    await notes.fill('Husleia er 12 000. Strømregningen er betalt.');
    await notes.blur();
    await family.getByText('Notatene er lagret på telefonen og sendes når den er på nett.').first().waitFor();
    assert.equal((await meetingOf()).agenda[0].notes, '');
    await family.context().setOffline(false);
    for (let i = 0; i < 100 && (await meetingOf()).agenda[0].notes === ''; i++) await new Promise((r) => setTimeout(r, 100));
    const m = await meetingOf();
    assert.equal(m.agenda[0].notes, 'Husleia er 12 000. Strømregningen er betalt.');
    assert.equal(m.agenda[1].notes, 'Leiligheten i Sola sentrum er ledig fra mars.');
  });

  test('decisions become a household step and a promise NAV accepts', async () => {
    await visit(family, `${server.url}/#/roadmaps/${id}/meetings/${(await meetingOf()).id}`, /^Møte /);
    const rent = family.locator('[data-item]', { hasText: 'Husleie og gjeld' });
    await rent.getByText('Nytt vedtak').click();
    await rent.getByLabel('Hva ble bestemt?').fill('Søke om bostøtte');
    await rent.getByLabel('Hvem gjør det?').selectOption({ label: 'NAV Sola' });
    await rent.getByRole('button', { name: 'Lagre vedtaket' }).click();
    await family.getByText('Vedtaket er et steg i veikartet nå.').waitFor();
    const other = family.locator('[data-item]', { hasText: 'Annet' });
    await other.getByText('Nytt vedtak').click();
    await other.getByLabel('Hva ble bestemt?').fill('Ringe utleier');
    await other.getByLabel('Område').selectOption({ label: 'Bolig' });
    await other.getByRole('button', { name: 'Lagre vedtaket' }).click();
    await family.getByText('Ringe utleier (Hele husstanden)').waitFor();
    const r = await api(server.url, kari, 'GET', `/api/v1/roadmaps/${id}`);
    const byTitle = Object.fromEntries(r.steps.map((s) => [s.title, s]));
    assert.equal(byTitle['Søke om bostøtte'].responsible.agencyId, 'nav-sola');
    assert.equal(byTitle['Søke om bostøtte'].promise.status, 'asked');
    assert.equal(byTitle['Ringe utleier'].areaId, 'housing');

    // NAV answers on its screen of the roadmap.
    await visit(nina, `${server.url}/#/roadmaps/${id}`, 'Familien Lund');
    const step = nina.locator('[data-step]').filter({ hasText: 'Søke om bostøtte' });
    await step.getByText('Svar familien').click();
    await step.getByLabel('Vi lover det innen').fill(dayISO(20));
    await step.getByRole('button', { name: 'Lov det' }).click();
    await nina.getByText(/Dere har lovet det innen/).waitFor();
  });

  test('the family approves the minutes; each agency reads its cut', async () => {
    const mid = (await meetingOf()).id;
    await visit(family, `${server.url}/#/roadmaps/${id}/meetings/${mid}`, /^Møte /);
    await family.getByRole('button', { name: 'Godkjenn referatet' }).click();
    await family.getByText('Referatet er godkjent. Hver tjeneste ser sin del.').waitFor();
    await family.getByRole('heading', { level: 2, name: 'Referat' }).waitFor();

    await visit(nina, `${server.url}/#/roadmaps/${id}/meetings/${mid}`, /^Møte /);
    await nina.getByText('Husleia er 12 000. Strømregningen er betalt.').waitFor();
    await nina.getByText(/Søke om bostøtte \(NAV Sola\)/).waitFor();
    assert.equal(await nina.getByText('Leiligheten i Sola sentrum er ledig fra mars.').count(), 0);
    await checkA11y(nina, 'the minutes as NAV reads them');

    await visit(bo, `${server.url}/#/roadmaps/${id}/meetings/${mid}`, /^Møte /);
    await bo.getByText('Leiligheten i Sola sentrum er ledig fra mars.').waitFor();
    assert.equal(await bo.getByText('Husleia er 12 000. Strømregningen er betalt.').count(), 0);
  });

  test('the calendar invitation downloads', async () => {
    const mid = (await meetingOf()).id;
    await visit(nina, `${server.url}/#/roadmaps/${id}/meetings/${mid}`, /^Møte /);
    const [download] = await Promise.all([nina.waitForEvent('download'), nina.getByRole('button', { name: 'Legg i kalenderen' }).click()]);
    const text = await readFile(await download.path(), 'utf8');
    assert.match(text, /^BEGIN:VCALENDAR\r\n/);
    assert.match(text, /BEGIN:VALARM\r\nACTION:DISPLAY/);
    assert.doesNotMatch(text, /Lund/);
  });

  test('no errors logged', () => {
    assertNoErrors(family, offline);
    assertNoErrors(nina);
    assertNoErrors(bo);
  });
});
