// The household's team: the family gives NAV a step, NAV's caseworker
// promises it by a date and names herself the family's contact person, the
// family chooses the housing office's contact person as its coordinator,
// the coordinator sees the team and what NAV promised (and no more of the
// roadmap than her own agency's grant), and the family says the promise was
// kept. Three people, each in their own browser context.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, devLogin, createAgency, addStaff, apiUserId, api } from '../lib/server.mjs';
import { assertNoErrors, checkA11y, launch, newPage } from '../lib/browser.mjs';
import { signIn, createRoadmap, openArea, describeArea, addStep, settled, visit } from '../lib/app.mjs';
import { dayISO, dayNb } from '../lib/dates.mjs';

const promised = dayISO(21);
const inDays = (n) => new Date(Date.now() + n * 86_400_000).toISOString();

describe('the team', () => {
  let server, browser, family, nina, bo, id;

  before(async () => {
    server = await startServer();
    await createAgency(server, { id: 'nav-sola', name: 'NAV Sola', kind: 'nav', region: 'Rogaland' });
    await createAgency(server, { id: 'sola-bolig', name: 'Boligkontoret Sola', kind: 'housing-office', region: 'Rogaland' });
    for (const [name, agency] of [['Nina Dahl', 'nav-sola'], ['Bo Berge', 'sola-bolig']]) {
      await devLogin(server.url, name);
      await addStaff(server, agency, apiUserId(name), 'caseworker');
    }
    browser = await launch();
    family = await newPage(browser);
    nina = await newPage(browser);
    bo = await newPage(browser);
    await signIn(family, server.url, 'Kari Lund');
    id = await createRoadmap(family, 'Familien Lund', [{ name: 'Kari' }]);
    await openArea(family, 'Økonomi');
    await describeArea(family, { now: 'Husleia er for høy.' });
    await settled(family);
    // NAV sees the economy area and its steps; the housing office only the
    // steps, and may see the team.
    const kari = (await devLogin(server.url, 'Kari Lund')).accessToken;
    await api(server.url, kari, 'POST', `/api/v1/roadmaps/${id}/grants`, {
      agencyId: 'nav-sola', sections: ['area:economy', 'steps:economy'], permissions: ['view'], purpose: 'Bostøtte', expiresAt: inDays(90),
    });
    await api(server.url, kari, 'POST', `/api/v1/roadmaps/${id}/grants`, {
      agencyId: 'sola-bolig', sections: ['steps:economy'], permissions: ['view', 'team'], purpose: 'Bolig', expiresAt: inDays(90),
    });
    // The sharing screen teaches the app the agencies' names; then the
    // family gives NAV a step, as it would at the kitchen table.
    await visit(family, `${server.url}/#/roadmaps/${id}/sharing`, 'Hvem ser hva');
    await family.getByText('NAV Sola').first().waitFor();
    await visit(family, `${server.url}/#/roadmaps/${id}/areas/economy`, 'Økonomi');
    await addStep(family, { title: 'Søke om bostøtte', who: 'NAV Sola' });
    await settled(family);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  // A caseworker of one agency lands on what is shared with it.
  async function actFor(page, name) {
    await signIn(page, server.url, name);
    await page.getByRole('heading', { level: 1, name: 'Delt med oss' }).waitFor();
  }

  test('NAV promises the step by a date and names its contact person', async () => {
    await actFor(nina, 'Nina Dahl');
    const card = nina.getByRole('link', { name: /Familien Lund/ });
    await card.getByText('1 steg venter på svar fra dere').waitFor();
    await card.click();
    const step = nina.locator('[data-step]').filter({ hasText: 'Søke om bostøtte' });
    await step.getByText('Familien venter på svar fra dere.').waitFor();
    await step.getByText('Svar familien').click();
    await step.getByLabel('Vi lover det innen').fill(promised);
    await step.getByRole('button', { name: 'Lov det' }).click();
    await nina.getByText(`Dere har lovet det innen ${dayNb(promised)}.`).waitFor();
    // The promised date became the step's.
    await step.getByText(dayNb(promised), { exact: false }).first().waitFor();

    await nina.getByText('Bli familiens kontaktperson').click();
    await nina.getByLabel('Rolle').fill('Veileder');
    await nina.getByLabel('Telefon').fill('+47 51 00 00 00');
    await nina.getByLabel('E-post').fill('nina@nav.no');
    await checkA11y(nina, 'the caseworker answering and naming a contact');
    await nina.getByRole('button', { name: 'Lagre' }).click();
    await nina.getByText('Tjenestens kontaktperson er Nina Dahl.').waitFor();
    // NAV was not let see the team.
    assert.equal(await nina.getByRole('heading', { name: 'Tjenestene i teamet' }).count(), 0);
  });

  test('the family sees its team and what NAV promised, and chooses a coordinator', async () => {
    const bosToken = (await devLogin(server.url, 'Bo Berge', 'sola-bolig')).accessToken;
    await api(server.url, bosToken, 'PUT', `/api/v1/roadmaps/${id}/contact`, { name: 'Bo Berge', role: 'Boligkonsulent' });

    await visit(family, `${server.url}/#/roadmaps/${id}`, 'Familien Lund');
    await family.getByRole('link', { name: 'Teamet' }).click();
    await family.getByRole('heading', { level: 1, name: 'Teamet' }).waitFor();
    const navCard = family.getByRole('listitem').filter({ hasText: 'NAV Sola' }).filter({ hasText: 'Nina Dahl, Veileder' });
    await navCard.getByRole('link', { name: '+47 51 00 00 00' }).waitFor();
    assert.equal(await navCard.getByRole('link', { name: '+47 51 00 00 00' }).getAttribute('href'), 'tel:+4751000000');
    await family.getByText(`NAV Sola lover det innen ${dayNb(promised)}.`).waitFor();
    await family.getByText('Svar fra Nina Dahl').waitFor();
    await checkA11y(family, 'the team screen');

    await family.getByRole('button', { name: 'Velg Bo Berge som koordinator' }).click();
    await family.getByText('Bo Berge er nå koordinator.').waitFor();
    await family.getByRole('listitem').filter({ hasText: 'Boligkontoret Sola' }).getByText('Koordinator', { exact: true }).waitFor();
    // The choice has a receipt.
    await visit(family, `${server.url}/#/roadmaps/${id}/receipts`, 'Kvitteringer');
    await family.getByText('Kontaktpersonen i Boligkontoret Sola ble familiens koordinator.', { exact: false }).waitFor();
  });

  test('the coordinator sees the team and the promises, and no more of the roadmap', async () => {
    await actFor(bo, 'Bo Berge');
    await bo.getByRole('link', { name: /Familien Lund/ }).click();
    await bo.getByRole('heading', { level: 2, name: 'Du er familiens koordinator' }).waitFor();
    await bo.getByText('Dette har tjenestene lovet familien').waitFor();
    await bo.getByText(`NAV Sola lover det innen ${dayNb(promised)}.`).waitFor();
    // Only steps were granted to the housing office: not the family's words.
    assert.equal(await bo.getByText('Husleia er for høy.').count(), 0);
  });

  test('the family says the promise was kept; NAV hears it', async () => {
    await visit(family, `${server.url}/#/roadmaps/${id}/team`, 'Teamet');
    await family.getByRole('button', { name: 'Holdt', exact: true }).click();
    await family.getByText('NAV Sola holdt det de lovet.').waitFor();
    await visit(nina, `${server.url}/#/roadmaps/${id}`, 'Familien Lund');
    await nina.getByText('Familien sier at dere holdt det.').waitFor();
    // Each agency's look at the team is in the family's access log.
    await visit(family, `${server.url}/#/roadmaps/${id}/log`, 'Hvem har lest hva');
    await family.getByText(/Bo Berge, veileder i Boligkontoret Sola, så teamet/).first().waitFor();
  });

  test('no errors logged', () => {
    assertNoErrors(family);
    assertNoErrors(nina);
    assertNoErrors(bo);
  });
});
