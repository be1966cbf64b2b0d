// The day of a transition: the family plans a release two days ahead and
// chooses its checklist at the table (the bed, the medicine and the money
// for NAV, the keys its own; NAV may not see health steps, and the family
// is told); NAV's caseworker confirms the bed by the day; the money
// stays unconfirmed and shows red, in words too, to the family; the card of
// the day opens, and shows the contact person's phone, with no network.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, devLogin, createAgency, addStaff, apiUserId, api } from '../lib/server.mjs';
import { assertNoErrors, checkA11y, launch, newPage } from '../lib/browser.mjs';
import { signIn, createRoadmap, offlineReady, visit } from '../lib/app.mjs';
import { dayOslo, dayNb } from '../lib/dates.mjs';

const day = dayOslo(2);
const inDays = (n) => new Date(Date.now() + n * 86_400_000).toISOString();

describe('the day of a transition', () => {
  let server, browser, family, nina, id;
  const tid = 't-release';

  before(async () => {
    server = await startServer();
    await createAgency(server, { id: 'nav-sola', name: 'NAV Sola', kind: 'nav', region: 'Rogaland' });
    await createAgency(server, { id: 'krim-sola', name: 'Kriminalomsorgen Sola', kind: 'correctional-service', region: 'Rogaland' });
    await devLogin(server.url, 'Nina Dahl');
    await addStaff(server, 'nav-sola', apiUserId('Nina Dahl'), 'caseworker');
    browser = await launch();
    family = await newPage(browser);
    nina = await newPage(browser);
    await signIn(family, server.url, 'Eva Berg');
    id = await createRoadmap(family, 'Familien Berg', [{ name: 'Jonas' }]);
    const eva = (await devLogin(server.url, 'Eva Berg')).accessToken;
    await api(server.url, eva, 'POST', `/api/v1/roadmaps/${id}/grants`, {
      agencyId: 'nav-sola', sections: ['steps:housing', 'steps:economy'], permissions: ['view'], purpose: 'Løslatelse', expiresAt: inDays(60),
    });
    await api(server.url, eva, 'POST', `/api/v1/roadmaps/${id}/transitions`, {
      id: tid, kind: 'release', date: day, agencyId: 'krim-sola', sections: ['steps:housing'], permissions: ['view'], daysBefore: 7, daysAfter: 30, summary: '', reminders: [],
    });
    const ninas = (await devLogin(server.url, 'Nina Dahl', 'nav-sola')).accessToken;
    await api(server.url, ninas, 'PUT', `/api/v1/roadmaps/${id}/contact`, { name: 'Nina Dahl', role: 'Veileder', phone: '+47 51 00 00 00' });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  // A line of the checklist (the transition's card is a list item too).
  const lineOf = (page, name) => page.locator('li.line').filter({ has: page.getByText(name, { exact: true }) });

  test('the family chooses the lines and who arranges each', async () => {
    await visit(family, `${server.url}/#/roadmaps/${id}/transitions`, 'Overganger');
    await family.getByText('Velg hva som må være på plass').click();
    for (const [line, who] of [['Hvor sove første natt', 'NAV Sola'], ['Medisiner', 'NAV Sola'], ['Penger de første dagene', 'NAV Sola'], ['Nøkler', null]]) {
      await family.getByRole('checkbox', { name: line }).check();
      if (who) await family.getByLabel(`Hvem ordner «${line}»?`).selectOption({ label: who });
    }
    await checkA11y(family, 'the checklist form');
    await family.getByRole('button', { name: 'Lagre sjekklisten' }).click();
    await family.getByText('Sjekklisten er lagret. Etatene er spurt.').first().waitFor();
    await lineOf(family, 'Hvor sove første natt').getByText('NAV Sola er spurt, men har ikke svart ennå.').waitFor();
    await lineOf(family, 'Nøkler').getByText('Vi ordner det selv.').waitFor();
    // NAV was not let see the health steps: the family is told.
    await lineOf(family, 'Medisiner').getByText('NAV Sola kan ikke se denne linjen ennå. Del stegene i dette området med dem.').waitFor();
    assert.equal(await lineOf(family, 'Hvor sove første natt').getByText(/kan ikke se/).count(), 0);
    // Two days before: NAV's lines are not confirmed, in words.
    assert.equal(await family.locator('.line.unconfirmed').count(), 3);
    const r = await api(server.url, (await devLogin(server.url, 'Eva Berg')).accessToken, 'GET', `/api/v1/roadmaps/${id}`);
    assert.equal(r.steps.filter((s) => s.transitionId === tid).length, 4);
  });

  test("NAV's caseworker confirms the bed by the day", async () => {
    await signIn(nina, server.url, 'Nina Dahl');
    await nina.getByRole('heading', { level: 1, name: 'Delt med oss' }).waitFor();
    await nina.getByRole('link', { name: /Familien Berg/ }).click();
    const step = nina.locator('[data-step]').filter({ hasText: 'Hvor sove første natt' });
    await step.getByText('Svar familien').click();
    await step.getByLabel('Vi lover det innen').fill(day);
    await step.getByRole('button', { name: 'Lov det' }).click();
    await nina.getByText(`Dere har lovet det innen ${dayNb(day)}.`).waitFor();
  });

  test('the family sees the bed confirmed and the money red', async () => {
    await visit(family, `${server.url}/#/roadmaps/${id}/transitions`, 'Overganger');
    await lineOf(family, 'Hvor sove første natt').getByText(`NAV Sola har bekreftet det innen ${dayNb(day)}.`).waitFor();
    await lineOf(family, 'Hvor sove første natt').getByText('Lovet av Nina Dahl').waitFor();
    const money = lineOf(family, 'Penger de første dagene');
    await money.getByText('Ikke bekreftet', { exact: true }).waitFor();
    assert.match(await money.getAttribute('class'), /unconfirmed/);
    assert.equal(await family.locator('.line.unconfirmed').count(), 2);
    await checkA11y(family, 'the transitions screen with a checklist');
  });

  test('the card of the day opens with no network', async () => {
    // Once with the network, so the phone keeps the team's contacts.
    await family.getByRole('link', { name: 'Kort for dagen' }).click();
    await family.getByRole('heading', { level: 1, name: 'Kort for dagen: Løslatelse' }).waitFor();
    await offlineReady(family);
    await family.context().setOffline(true);
    try {
      await family.reload();
      await family.getByRole('heading', { level: 1, name: 'Kort for dagen: Løslatelse' }).waitFor();
      await family.getByText(`Hvor sove første natt: NAV Sola har bekreftet det innen ${dayNb(day)}.`).waitFor();
      await family.getByText(dayNb(day), { exact: true }).waitFor();
      await family.getByText('Familien Berg', { exact: true }).waitFor();
      await family.getByRole('link', { name: '+47 51 00 00 00' }).waitFor();
      await lineOf(family, 'Penger de første dagene').getByText('Ikke bekreftet', { exact: true }).waitFor();
      await family.getByRole('button', { name: 'Skriv ut' }).waitFor();
      await checkA11y(family, 'the card of the day, offline', { idle: false });
    } finally {
      await family.context().setOffline(false);
    }
  });

  test('no errors logged', () => {
    // Offline, the card's fetches fail before it falls back to the copy.
    assertNoErrors(family, [/Failed to fetch|ERR_INTERNET_DISCONNECTED|net::/]);
    assertNoErrors(nina);
  });
});
