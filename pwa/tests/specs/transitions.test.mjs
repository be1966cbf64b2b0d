// Transitions and growing up, as the family does them in the app. A release
// planned at the table gives the correctional service a grant that starts
// by itself before the date (the server's clock test, backend/api, shows it
// opening and closing); the caseworker sees nothing yet. Mia, 16, with her
// own account and her parents' leave, takes her part of the family's roadmap
// into a roadmap of her own, which her parents cannot open.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, devLogin, createAgency, addStaff, apiUserId, api } from '../lib/server.mjs';
import { assertNoErrors, checkA11y, launch, newPage } from '../lib/browser.mjs';
import { dayOslo } from '../lib/dates.mjs';
import { signIn, createRoadmap, openArea, describeArea, settled, visit } from '../lib/app.mjs';

// Chromium logs the refusals this test provokes as console errors.
const refusals = [/status of 403/, /status of 404/];

const inDays = (n) => dayOslo(n);

describe('transitions and growing up', () => {
  let server, browser, family, mia, id;

  before(async () => {
    server = await startServer();
    await createAgency(server, { id: 'kriminalomsorgen', name: 'Kriminalomsorgen Sør', kind: 'correctional-service', region: 'Agder' });
    await devLogin(server.url, 'Per Caseworker');
    await addStaff(server, 'kriminalomsorgen', apiUserId('Per Caseworker'), 'caseworker');
    browser = await launch();
    family = await newPage(browser);
    mia = await newPage(browser);
    await signIn(family, server.url, 'Kari Haugen');
    id = await createRoadmap(family, 'Familien Haugen', [{ name: 'Kari' }, { name: 'Mia', child: true, birthYear: 2010 }]);
    await openArea(family, 'Bolig');
    await describeArea(family, { now: 'Bor hos mormor etter løslatelsen.' });
    await settled(family);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('a release planned at the table: the grant waits for its dates', async () => {
    await visit(family, `${server.url}/#/roadmaps/${id}/sharing`, 'Hvem ser hva');
    await family.getByRole('link', { name: 'Overganger' }).click();
    await family.getByRole('heading', { level: 1, name: 'Overganger' }).waitFor();
    await family.getByText('Ingen overganger er planlagt.').waitFor();
    await checkA11y(family, 'the transitions list');
    await family.getByRole('link', { name: 'Planlegg en overgang' }).click();
    await family.getByRole('heading', { level: 1, name: 'Planlegg en overgang' }).waitFor();
    await family.getByLabel('Hva slags overgang?').selectOption({ label: 'Løslatelse' });
    await family.getByLabel('Dato', { exact: true }).fill(inDays(40));
    await family.getByLabel('Tjenesten som tar over').selectOption({ label: 'Kriminalomsorgen Sør' });
    await family.getByLabel('Dager før datoen de får se').fill('7');
    await family.getByLabel('Dager etter datoen de fortsatt ser').fill('30');
    await family.getByRole('group', { name: 'Bolig' }).getByRole('checkbox', { name: 'Det vi har skrevet' }).check();
    await family.getByLabel('Overlevering').fill('Kari trenger hjelp med husleie den første måneden.');
    await checkA11y(family, 'the transition form');
    await family.getByRole('button', { name: 'Planlegg', exact: true }).click();
    await family.getByRole('heading', { level: 1, name: 'Overganger' }).waitFor();
    const card = family.getByRole('listitem').filter({ hasText: 'Kriminalomsorgen Sør' });
    await card.getByText(/^Løslatelse/).waitFor();
    await card.getByText(/^Får se fra/).waitFor();

    // On the sharing screen the grant is consent given, planned ahead.
    await visit(family, `${server.url}/#/roadmaps/${id}/sharing`, 'Hvem ser hva');
    await family.getByRole('listitem').filter({ hasText: 'Kriminalomsorgen Sør' }).getByText(/^Får se fra/).waitFor();

    // The caseworker sees nothing of it before the window opens.
    const per = await devLogin(server.url, 'Per Caseworker', 'kriminalomsorgen');
    const shared = await api(server.url, per.accessToken, 'GET', '/api/v1/shared');
    assert.ok(!JSON.stringify(shared).includes(id), 'the roadmap is shared before its grant starts');
    await assert.rejects(api(server.url, per.accessToken, 'GET', `/api/v1/roadmaps/${id}`), (e) => e.status === 404);
    assertNoErrors(family, refusals);
  });

  test('Mia takes her part into a roadmap of her own', async () => {
    // Mia's part: the education area names her.
    await visit(family, `${server.url}/#/roadmaps/${id}`, 'Familien Haugen');
    await openArea(family, 'Skole og utdanning');
    await describeArea(family, { now: 'Går i tiende klasse og liker matte.' });
    await settled(family);
    const kari = await devLogin(server.url, 'Kari Haugen');
    let r = await api(server.url, kari.accessToken, 'GET', `/api/v1/roadmaps/${id}`);
    const miaId = r.members.find((m) => m.name === 'Mia').id;
    await api(server.url, kari.accessToken, 'POST', `/api/v1/roadmaps/${id}/operations`, { operations: [{
      opId: 'edu-mia', type: 'area.update', areaId: 'education', baseVersion: r.version, set: { memberIds: [miaId] } }] });
    // Her own account, linked to her by a member invitation.
    const inv = await api(server.url, kari.accessToken, 'POST', `/api/v1/roadmaps/${id}/invitations`, { kind: 'member', memberId: miaId });
    const miaLogin = await devLogin(server.url, 'Mia Haugen');
    await api(server.url, miaLogin.accessToken, 'POST', '/api/v1/invitations/accept', { code: inv.code });

    // Her parents give leave on the household screen.
    await visit(family, `${server.url}/#/roadmaps/${id}/household`, 'Husstanden');
    await family.getByRole('checkbox', { name: 'Mia kan lage sitt eget veikart før fylte 18' }).check();
    await settled(family);

    await signIn(mia, server.url, 'Mia Haugen');
    await visit(mia, `${server.url}/#/roadmaps/${id}`, 'Familien Haugen');
    await mia.getByRole('link', { name: 'Lag mitt eget veikart' }).click();
    await mia.getByRole('heading', { level: 1, name: 'Lag mitt eget veikart' }).waitFor();
    await checkA11y(mia, 'the own-roadmap screen');
    await mia.getByLabel('Navn på veikartet').fill('Mias vei');
    await mia.getByRole('button', { name: 'Lag mitt veikart' }).click();
    await mia.getByRole('dialog').getByRole('button', { name: 'Lag mitt veikart' }).click();
    await mia.getByRole('heading', { level: 1, name: 'Mias vei' }).waitFor();
    const ownId = new URL(mia.url()).hash.split('/')[2];
    assert.notEqual(ownId, id);
    await openArea(mia, 'Skole og utdanning');
    assert.equal(await mia.getByLabel('Slik er det nå').inputValue(), 'Går i tiende klasse og liker matte.');

    // Her parents have no way in.
    await assert.rejects(api(server.url, kari.accessToken, 'GET', `/api/v1/roadmaps/${ownId}`), (e) => e.status === 404);
    const mine = await api(server.url, kari.accessToken, 'GET', '/api/v1/roadmaps');
    assert.ok(!JSON.stringify(mine).includes(ownId), "Mia's roadmap is in her parents' list");
    r = await api(server.url, kari.accessToken, 'GET', `/api/v1/roadmaps/${id}`);
    assert.ok(r.members.find((m) => m.id === miaId).tookOwnAt, 'the family roadmap does not record that Mia moved on');
    assertNoErrors(mia, refusals);
  });
});
