// Consent from both sides: the household gives an agency chosen sections,
// the caseworker sees exactly those, the household sees who read what, and
// taking access back takes effect on the caseworker's next request. Also
// the invitation QR code, read off the screen by zbarimg (an independent
// decoder) and accepted on the caseworker's phone.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, devLogin, createAgency, addStaff, apiUserId, api, catalogue } from '../lib/server.mjs';
import { assertNoErrors, checkA11y, launch, newPage } from '../lib/browser.mjs';
import { signIn, createRoadmap, openArea, describeArea, settled, visit, offlineReady } from '../lib/app.mjs';
import { dayISO, dayNb, dayOslo } from '../lib/dates.mjs';

const deadline = dayISO(14);

const run = promisify(execFile);
// Chromium logs the refusals this test provokes as console errors.
const refusals = [/status of 403/, /status of 404/];

describe('sharing', () => {
  let server, browser, family, nina, id;

  before(async () => {
    server = await startServer();
    await createAgency(server, { id: 'nav-sola', name: 'NAV Sola', kind: 'nav', region: 'Rogaland' });
    await createAgency(server, { id: 'sola-bolig', name: 'Boligkontoret Sola', kind: 'housing-office', region: 'Rogaland' });
    await devLogin(server.url, 'Nina Caseworker');
    await addStaff(server, 'nav-sola', apiUserId('Nina Caseworker'), 'caseworker');
    await addStaff(server, 'sola-bolig', apiUserId('Nina Caseworker'), 'caseworker');
    await createAgency(server, { id: 'sola-flyktning', name: 'Flyktningtjenesten Sola', kind: 'refugee-service', region: 'Rogaland' });
    await addStaff(server, 'sola-flyktning', apiUserId('Nina Caseworker'), 'caseworker');
    browser = await launch();
    family = await newPage(browser);
    nina = await newPage(browser);
    await signIn(family, server.url, 'Kari Haugen');
    id = await createRoadmap(family, 'Familien Haugen', [{ name: 'Kari' }, { name: 'Ola', child: true }]);
    await openArea(family, 'Bolig');
    await describeArea(family, { now: 'Fuktig kjellerleilighet.', desired: 'Tørr bolig nær skolen.' });
    await family.getByRole('link', { name: /Tilbake til/ }).click();
    await openArea(family, 'Økonomi');
    await describeArea(family, { now: 'Inkasso på strømregningen.' });
    await settled(family);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  // The caseworker signs in and chooses to work for an agency.
  async function actFor(page, agency) {
    await visit(page, `${server.url}/#/settings`, 'Innstillinger');
    // The screen changes at once: click, rather than check and verify.
    await page.getByRole('radio', { name: agency }).click();
    await page.getByRole('heading', { level: 1, name: 'Delt med oss' }).waitFor();
  }

  test('an agency sees only the sections the household granted', async () => {
    await visit(family, `${server.url}/#/roadmaps/${id}/sharing`, 'Hvem ser hva');
    await family.getByText('Ingen har tilgang. Bare dere ser veikartet.').waitFor();
    await family.getByRole('link', { name: 'Gi en tjeneste tilgang' }).click();
    await family.getByLabel('Hvem skal få se?').selectOption({ label: 'NAV Sola' });
    // One group per area, the ones with something in them first, each
    // choice saying what it shows.
    const groups = await family.locator('fieldset.area-choice > legend').allInnerTexts();
    assert.deepEqual(groups.slice(0, 2).sort(), ['Bolig', 'Økonomi'], `areas with content first: ${groups}`);
    await family.getByText('Navnene og fødselsårene til alle i husstanden: Kari og Ola.').waitFor();
    const housing = family.getByRole('group', { name: 'Bolig' });
    await housing.getByRole('checkbox', { name: 'Det vi har skrevet' }).check();
    await housing.getByRole('checkbox', { name: 'Stegene våre' }).check();
    await family.getByRole('checkbox', { name: 'skrive kommentarer' }).check();
    await family.getByRole('checkbox', { name: 'foreslå steg' }).check();
    await family.getByLabel('Hvorfor får de tilgang?').fill('Hjelp til å finne bolig');
    await checkA11y(family, 'the grant form');

    // Before saying yes: exactly what NAV Sola will see.
    await family.getByRole('button', { name: 'Se hva de vil se' }).click();
    const preview = family.getByRole('dialog', { name: 'Dette ser NAV Sola' });
    await preview.getByText('Fuktig kjellerleilighet.').waitFor();
    const seen = await preview.innerText();
    assert.ok(!seen.includes('Inkasso') && !seen.includes('Ola'), `the preview shows what was not chosen: ${seen}`);
    await checkA11y(family, 'the preview');
    await preview.getByRole('button', { name: 'Lukk' }).click();
    await family.getByRole('button', { name: 'Gi tilgang' }).click();
    await family.getByRole('heading', { level: 1, name: 'Hvem ser hva' }).waitFor();
    const card = family.getByRole('listitem').filter({ hasText: 'NAV Sola' });
    await card.getByText(/Ser: Bolig og Bolig: steg/).waitFor();
    // And at any time after.
    await card.getByRole('button', { name: 'Dette ser NAV Sola' }).click();
    await family.getByRole('dialog', { name: 'Dette ser NAV Sola' }).getByText('Tørr bolig nær skolen.').waitFor();
    await family.getByRole('dialog').getByRole('button', { name: 'Lukk' }).click();

    await signIn(nina, server.url, 'Nina Caseworker');
    await actFor(nina, 'NAV Sola');
    await nina.getByRole('link', { name: /Familien Haugen/ }).click();
    await nina.getByRole('heading', { level: 1, name: 'Familien Haugen' }).waitFor();
    await nina.getByText('Fuktig kjellerleilighet.').waitFor();
    const text = await nina.locator('main').innerText();
    assert.ok(!text.includes('Inkasso'), 'the economy area was not granted, yet shows');
    assert.ok(!text.includes('Ola'), 'the household section was not granted, yet member names show');
    await checkA11y(nina, "the caseworker's view");

    // The caseworker comments, as the grant allows.
    await nina.getByLabel('Kommentar til Bolig', { exact: true }).fill('Vi kan se på leiligheter i Sola sentrum.');
    await nina.getByRole('button', { name: 'Send kommentar' }).first().click();
    await nina.getByText('Kommentaren er sendt.').waitFor();
  });

  test('the household reads in plain words who read what', async () => {
    // Nina opens the roadmap three more times at the table.
    const { accessToken } = await devLogin(server.url, 'Nina Caseworker', 'nav-sola');
    for (let i = 0; i < 3; i++) await api(server.url, accessToken, 'GET', `/api/v1/roadmaps/${id}`);
    await visit(family, `${server.url}/#/roadmaps/${id}/log`, 'Hvem har lest hva');
    const many = await family.getByText(/^Nina Caseworker, veileder i NAV Sola, leste Bolig og Bolig: steg (\d+) ganger/).innerText();
    assert.ok(Number(/steg (\d+) ganger/.exec(many)[1]) >= 4, many);
    const kari = (await devLogin(server.url, 'Kari Haugen')).accessToken;
    // The server counts the repeats into the entry of the first read: no
    // new entry per read, and the count says how many.
    const entries = (await api(server.url, kari, 'GET', `/api/v1/roadmaps/${id}/access-log?limit=100`)).items.filter((e) => e.action === 'read');
    const reads = entries.reduce((n, e) => n + e.count, 0);
    assert.ok(reads >= 4 && entries.length < reads, `${reads} reads in ${entries.length} entries`);
    const lines = await family.getByText(/, leste Bolig og Bolig: steg/).count();
    assert.ok(lines <= 2, `${reads} reads minutes apart are ${lines} lines`);
    // By name and role beside the agency; the caseworker's reads at the
    // table are one line.
    await family.getByText(/^Nina Caseworker, veileder i NAV Sola, leste Bolig og Bolig: steg/).first().waitFor();
    await family.getByText(/^Nina Caseworker, veileder i NAV Sola, kommenterte Bolig/).waitFor();
    await checkA11y(family, 'the access log');
  });

  test("a caseworker's proposal, accepted, becomes the household's step", async () => {
    await visit(nina, `${server.url}/#/roadmaps/${id}`, 'Familien Haugen');
    await nina.getByText('Foreslå et steg').click();
    await nina.getByLabel('Hva skal gjøres?').fill('Møte på NAV-kontoret om bostøtte');
    await nina.getByLabel('Innen (valgfritt)').fill(deadline);
    await nina.getByRole('button', { name: 'Send forslaget' }).click();
    await nina.getByText('Forslaget er sendt til familien.').waitFor();

    await visit(family, `${server.url}/#/roadmaps/${id}`, 'Familien Haugen');
    const proposal = family.getByRole('listitem').filter({ hasText: 'NAV Sola foreslår: Møte på NAV-kontoret om bostøtte' });
    await checkA11y(family, 'a proposal on the overview');
    await proposal.getByRole('button', { name: 'Ta med i veikartet' }).click();
    await family.getByText('Steget er lagt til.').waitFor();
    await openArea(family, 'Bolig');
    await family.getByRole('link', { name: 'Møte på NAV-kontoret om bostøtte' }).waitFor();
    await family.getByText(`NAV Sola · innen ${dayNb(deadline)}`).waitFor();

    // The caseworker sees it among the agency's own steps, with its date.
    await nina.reload();
    await nina.getByRole('region', { name: 'Våre steg' }).getByText('Møte på NAV-kontoret om bostøtte').waitFor();
  });

  test("revoking takes access away on the very next request, on the caseworker's phone too", async () => {
    // The caseworker has the roadmap open, on a phone ready to work offline.
    await visit(nina, `${server.url}/#/roadmaps/${id}`, 'Familien Haugen');
    await nina.getByText('Fuktig kjellerleilighet.').waitFor();
    await offlineReady(nina);

    await visit(family, `${server.url}/#/roadmaps/${id}/sharing`, 'Hvem ser hva');
    await family.getByRole('button', { name: /^Ta tilbake tilgangen/ }).click();
    const dialog = family.getByRole('dialog');
    // It says what revoking does, and what it cannot undo.
    await dialog.getByText('NAV Sola mister tilgangen med en gang.').waitFor();
    await dialog.getByText(/Det de allerede har lest, kan de ha tatt vare på i sine egne systemer/).waitFor();
    await checkA11y(family, 'the revoke confirmation');
    await dialog.getByRole('button', { name: 'Ta tilgangen fra NAV Sola' }).click();
    await family.getByText('Ingen har tilgang. Bare dere ser veikartet.').waitFor();

    // The caseworker's phone goes offline and opens the app again: nothing
    // of the family is shown, or kept in IndexedDB or the Cache Storage.
    await nina.context().setOffline(true);
    await nina.reload();
    await nina.getByRole('heading', { level: 1, name: 'Du er uten nett' }).waitFor();
    assert.ok(!(await nina.locator('body').innerText()).includes('Fuktig'));
    const kept = await nina.evaluate(async () => {
      const db = await new Promise((ok) => { const r = indexedDB.open('veikart'); r.onsuccess = () => ok(r.result); });
      const all = (store) => new Promise((ok) => { const r = db.transaction(store).objectStore(store).getAll(); r.onsuccess = () => ok(r.result); });
      let text = JSON.stringify([await all('roadmaps'), await all('kv')]);
      for (const name of await caches.keys()) {
        const c = await caches.open(name);
        for (const req of await c.keys()) text += req.url + await (await c.match(req)).text();
      }
      return text;
    });
    // (The title, "Familien Haugen", is also the catalogue's example: not checked.)
    for (const secret of ['Fuktig', id]) assert.ok(!kept.includes(secret), `${secret} is kept on the caseworker's phone: …${kept.slice(Math.max(0, kept.indexOf(secret) - 300), kept.indexOf(secret) + 100)}…`);
    await nina.context().setOffline(false);

    // Online, the caseworker is told why, not "something went wrong".
    await visit(nina, `${server.url}/#/shared`, 'Delt med oss');
    await nina.getByText('Ingen familier har delt et veikart med dere ennå.').waitFor();
    await visit(nina, `${server.url}/#/roadmaps/${id}`, 'Tilgangen er avsluttet');
    await nina.getByText(`Familien trakk tilbake tilgangen ${dayNb(dayOslo(0))}.`).waitFor();
    assert.ok(!(await nina.locator('main').innerText()).includes('Fuktig'));
    await checkA11y(nina, 'access ended');
    // In Arabic too.
    const ar = catalogue('ar');
    await nina.evaluate(() => localStorage.setItem('veikart.lang', 'ar'));
    await nina.reload();
    await nina.getByRole('heading', { level: 1, name: ar['ended.title'] }).waitFor();
    await nina.getByText(ar['ended.nothingKept']).waitFor();
    await checkA11y(nina, 'access ended, in Arabic');
    await nina.evaluate(() => localStorage.setItem('veikart.lang', 'nb'));
    await nina.reload();
    assertNoErrors(nina, [...refusals, /ERR_INTERNET_DISCONNECTED/]);
  });

  test("the household approves an agency's request for access", async () => {
    const { accessToken } = await devLogin(server.url, 'Nina Caseworker', 'nav-sola');
    await api(server.url, accessToken, 'POST', `/api/v1/roadmaps/${id}/access-requests`, {
      sections: ['area:health'], permissions: ['view'], purpose: 'Oppfølging etter legetime',
    });
    await visit(family, `${server.url}/#/roadmaps/${id}/sharing`, 'Hvem ser hva');
    const request = family.getByRole('listitem').filter({ hasText: 'Ber om å se: Helse.' });
    await request.getByText('Hvorfor: Oppfølging etter legetime').waitFor();
    await request.getByRole('button', { name: 'Godta i 90 dager' }).click();
    await family.getByText('Forespørselen er godtatt.').waitFor();
    await family.getByRole('listitem').filter({ hasText: 'NAV Sola' }).getByText('Ser: Helse.').waitFor();
    const shared = await api(server.url, accessToken, 'GET', '/api/v1/shared');
    assert.deepEqual(shared.items.map((x) => x.access.sections), [['area:health']]);
  });

  test('an invitation QR code, scanned, gives the scanning agency access', async () => {
    await visit(family, `${server.url}/#/roadmaps/${id}/sharing/invite`, 'Vis kode til veilederen');
    await family.getByRole('group', { name: 'Økonomi' }).getByRole('checkbox', { name: 'Det vi har skrevet' }).check();
    await family.getByLabel('Hvorfor får de tilgang?').fill('Gjeldsrådgivning');
    await family.getByRole('button', { name: 'Lag koden' }).click();
    const qr = family.getByRole('img', { name: 'QR-kode for veilederen' });
    await qr.waitFor();
    await checkA11y(family, 'the invitation QR code');

    // Read the code as a phone camera would: from pixels, with zbarimg.
    const dir = await mkdtemp(join(tmpdir(), 'veikart-qr-'));
    try {
      const png = join(dir, 'qr.png');
      await writeFile(png, await qr.screenshot());
      const { stdout } = await run('zbarimg', ['--quiet', '--raw', png]);
      const url = stdout.trim();
      assert.match(url, /\/#\/invitation\/[A-Za-z0-9_-]{16,}$/);
      const code = url.split('/').pop();
      assert.equal(await family.locator('.code').innerText(), code);

      await actFor(nina, 'Boligkontoret Sola');
      await nina.goto(`${server.url}/#/invitation/${code}`);
      await nina.getByRole('heading', { level: 1, name: 'Invitasjon til et veikart' }).waitFor();
      await checkA11y(nina, 'the invitation');
      await nina.getByRole('button', { name: 'Godta invitasjonen' }).click();
      await nina.getByRole('heading', { level: 1, name: 'Familien Haugen' }).waitFor();
      await nina.getByText('Inkasso på strømregningen.').waitFor();
      assert.ok(!(await nina.locator('main').innerText()).includes('Fuktig'), 'housing was not in the invitation');

      // The code works once.
      await nina.goto(`${server.url}/#/invitation/${code}`);
      await nina.getByRole('button', { name: 'Godta invitasjonen' }).click();
      await nina.getByText(/Koden virker ikke/).waitFor();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    await visit(family, `${server.url}/#/roadmaps/${id}/sharing`, 'Hvem ser hva');
    await family.getByRole('listitem').filter({ hasText: 'Boligkontoret Sola' }).getByText(/Ser: Økonomi/).waitFor();
    assertNoErrors(family, refusals);
  });

  test('both sides are told when access ends soon: the caseworker asks for more time, the family renews', async () => {
    const kari = (await devLogin(server.url, 'Kari Haugen')).accessToken;
    // Noon UTC is the same day in Oslo: the last day of access is ten days on.
    const ends = `${dayOslo(10)}T12:00:00Z`;
    await api(server.url, kari, 'POST', `/api/v1/roadmaps/${id}/grants`, {
      agencyId: 'sola-flyktning', sections: ['area:housing'], permissions: ['view'], purpose: 'Bosetting', expiresAt: ends,
    });

    // The caseworker sees it coming and asks.
    await actFor(nina, 'Flyktningtjenesten Sola');
    await nina.getByRole('link', { name: /Familien Haugen/ }).getByText('Tilgangen går ut om 10 dager.').waitFor();
    await nina.getByRole('link', { name: /Familien Haugen/ }).click();
    await nina.getByRole('heading', { level: 1, name: 'Familien Haugen' }).waitFor();
    await nina.getByText('Tilgangen går ut om 10 dager.').waitFor();
    await nina.getByRole('button', { name: 'Be om forlengelse' }).click();
    await nina.getByText('Spørsmålet er sendt. Familien svarer i Veikart.').waitFor();
    await checkA11y(nina, 'access ends soon, for the caseworker');

    // The family sees it too, and says yes to the request: the grant in
    // force is renewed, not refused as a second one.
    await visit(family, `${server.url}/#/roadmaps/${id}/sharing`, 'Hvem ser hva');
    const card = family.getByRole('listitem').filter({ hasText: 'Flyktningtjenesten Sola' });
    await card.getByText('Tilgangen går ut om 10 dager.').first().waitFor();
    await checkA11y(family, 'access ends soon, for the family');
    await family.getByRole('listitem').filter({ hasText: 'Ber om å se: Bolig.' }).getByRole('button', { name: 'Godta i 90 dager' }).click();
    await family.getByText('Forespørselen er godtatt.').waitFor();
    const grants = await api(server.url, kari, 'GET', `/api/v1/roadmaps/${id}/grants`);
    const mine = grants.items.filter((g) => g.agencyId === 'sola-flyktning');
    assert.equal(mine.length, 1, 'approving made a second grant');
    assert.ok(Date.parse(mine[0].expiresAt) > Date.parse(ends) + 60 * 86_400_000, `not renewed: ${mine[0].expiresAt}`);

    // Or the family renews with one tap.
    await api(server.url, kari, 'PATCH', `/api/v1/roadmaps/${id}/grants/${mine[0].id}`, { expiresAt: ends });
    await visit(family, `${server.url}/#/roadmaps/${id}/sharing`, 'Hvem ser hva');
    await card.getByRole('button', { name: /^Forleng med 90 dager/ }).click();
    await family.getByText(`Flyktningtjenesten Sola har tilgang til og med ${dayNb(dayOslo(90))}.`).waitFor();
    await card.getByText('Tilgangen går ut om 10 dager.').waitFor({ state: 'detached' });
    assertNoErrors(family, refusals);
  });

  test('what only the API could do has its screens: receipts, overdue promises, asking again, and a caseworker lands on the shared list', async () => {
    const kari = (await devLogin(server.url, 'Kari Haugen')).accessToken;
    // Receipts: what the family said yes and no to.
    await visit(family, `${server.url}/#/roadmaps/${id}/sharing`, 'Hvem ser hva');
    await family.getByRole('link', { name: 'Kvitteringer' }).click();
    await family.getByRole('heading', { level: 1, name: 'Kvitteringer' }).waitFor();
    await family.getByText(/Dere ga NAV Sola tilgang til Bolig og Bolig: steg til og med/).waitFor();
    await family.getByText(/Dere tok tilbake tilgangen for NAV Sola\./).waitFor();
    await checkA11y(family, 'the receipts');

    // An agency's step past its date, on the overview.
    const r = await api(server.url, kari, 'GET', `/api/v1/roadmaps/${id}`);
    await api(server.url, kari, 'POST', `/api/v1/roadmaps/${id}/operations`, { operations: [{ opId: 'late-1', type: 'step.add',
      step: { id: 'late-step', areaId: 'housing', title: 'Svar på søknad om bostøtte', term: 'short', due: dayOslo(-3), responsible: { kind: 'agency', agencyId: 'sola-bolig' } } }] });
    await visit(family, `${server.url}/#/roadmaps/${id}`, 'Familien Haugen');
    await family.getByRole('region', { name: 'Dette skulle tjenestene ha gjort' })
      .getByText(`Boligkontoret Sola skulle «Svar på søknad om bostøtte» innen ${dayNb(dayOslo(-3))}.`).waitFor();
    assert.ok(r.version >= 1);

    // A grant that ran out: the caseworker is told, and may ask again.
    await createAgency(server, { id: 'sola-helse', name: 'Helsestasjonen Sola', kind: 'health-trust', region: 'Rogaland' });
    await devLogin(server.url, 'Eva Helsesøster');
    await addStaff(server, 'sola-helse', apiUserId('Eva Helsesøster'), 'caseworker');
    await api(server.url, kari, 'POST', `/api/v1/roadmaps/${id}/grants`, {
      agencyId: 'sola-helse', sections: ['area:health'], permissions: ['view'], purpose: 'Helsekontroll', expiresAt: new Date(Date.now() + 4000).toISOString(),
    });
    // One agency only: signed in, she is at its shared list at once.
    const eva = await newPage(browser);
    await signIn(eva, server.url, 'Eva Helsesøster');
    await eva.getByRole('heading', { level: 1, name: 'Delt med oss' }).waitFor();
    await new Promise((ok) => setTimeout(ok, 4500));
    await eva.goto(`${server.url}/#/roadmaps/${id}`);
    await eva.getByRole('heading', { level: 1, name: 'Tilgangen er avsluttet' }).waitFor();
    await eva.getByText(/^Tilgangen gikk ut /).waitFor();
    await eva.getByRole('checkbox', { name: 'Helse: det de har skrevet og stegene' }).check();
    await eva.getByLabel('Hvorfor trenger dere tilgang?').fill('Ny helsekontroll');
    await checkA11y(eva, 'asking for access again');
    await eva.getByRole('button', { name: 'Send spørsmålet' }).click();
    await eva.getByText('Spørsmålet er sendt. Familien svarer i Veikart.').waitFor();
    await visit(family, `${server.url}/#/roadmaps/${id}/sharing`, 'Hvem ser hva');
    await family.getByRole('listitem').filter({ hasText: 'Hvorfor: Ny helsekontroll' }).waitFor();
    assertNoErrors(eva, refusals);
    await eva.context().close();
  });
});
