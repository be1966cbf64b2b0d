// Check-ins over time: the family checks in three times, months apart by
// the phone's clock (page.clock), and the area shows the road walked (the
// trail on the road), a chart with three points and a table with three
// rows; the table passes axe in bokmål and in Arabic. NAV's caseworker,
// whose grant covers housing and not work, sees housing's history and not
// work's, and the API leaves work's out and refuses it by name.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, devLogin, createAgency, addStaff, apiUserId, api, catalogue } from '../lib/server.mjs';
import { assertNoErrors, checkA11y, launch, newPage } from '../lib/browser.mjs';
import { signIn, createRoadmap, settled, visit, atZoom } from '../lib/app.mjs';
import { dayISO, dayNb } from '../lib/dates.mjs';

const inDays = (n) => new Date(Date.now() + n * 86_400_000).toISOString();
const ar = catalogue('ar');

describe('check-ins over time', () => {
  let server, browser, family, nina, id;
  // Three sittings, three months apart, the last today.
  const sittings = [{ day: dayISO(-180), housing: '2', work: '1' }, { day: dayISO(-90), housing: '3', work: '2' }, { day: dayISO(0), housing: '4', work: '2' }];

  before(async () => {
    server = await startServer();
    await createAgency(server, { id: 'nav-berg', name: 'NAV Berg', kind: 'nav', region: 'Oslo' });
    await devLogin(server.url, 'Nina Dahl');
    await addStaff(server, 'nav-berg', apiUserId('Nina Dahl'), 'caseworker');
    browser = await launch();
    family = await newPage(browser);
    nina = await newPage(browser);
    await signIn(family, server.url, 'Kari Berg');
    id = await createRoadmap(family, 'Familien Berg', [{ name: 'Kari' }]);
    await settled(family);
    // NAV sees housing (its texts and steps), not work.
    const kari = (await devLogin(server.url, 'Kari Berg')).accessToken;
    await api(server.url, kari, 'POST', `/api/v1/roadmaps/${id}/grants`, {
      agencyId: 'nav-berg', sections: ['area:housing', 'steps:housing'], permissions: ['view'], purpose: 'Bolig', expiresAt: inDays(90),
    });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('three check-ins months apart draw the path', async () => {
    for (const s of sittings) {
      // The phone's clock says the day of the sitting.
      await family.clock.setFixedTime(new Date(`${s.day}T10:00:00`));
      await visit(family, `${server.url}/#/roadmaps/${id}/checkin`, 'Sjekk inn');
      await family.getByText(dayNb(s.day), { exact: false }).first().waitFor();
      await family.getByRole('group', { name: 'Hvor står dere nå i Bolig?' }).getByRole('radio', { name: s.housing, exact: true }).check();
      await family.getByRole('group', { name: 'Hvor står dere nå i Arbeid?' }).getByRole('radio', { name: s.work, exact: true }).check();
      if (s === sittings[1]) {
        await family.getByRole('radio', { name: 'Sammen med en saksbehandler' }).check();
        await family.getByLabel('Noen ord om det (valgfritt)').first().fill('Vi fikk bostøtte.');
      }
      await family.getByRole('button', { name: 'Lagre innsjekkingen' }).click();
      await family.getByRole('heading', { level: 1, name: 'Familien Berg' }).waitFor();
      await settled(family);
    }
    await visit(family, `${server.url}/#/roadmaps/${id}/areas/housing`, 'Bolig');
    const housing = family.locator('[data-history="housing"]');
    await housing.locator('tbody tr').nth(2).waitFor();
    assert.equal(await housing.locator('tbody tr').count(), 3, 'the table has three rows');
    assert.equal(await housing.locator('[data-chart="housing"] circle.point').count(), 3, 'the chart has three points');
    // The road: the newest score is where the family stands, and the
    // trail under it has the three readings, oldest first.
    const trail = family.locator('.roadbox svg.road circle.trail');
    assert.equal(await trail.count(), 3, 'the road shows the path walked');
    assert.deepEqual(await trail.evaluateAll((cs) => cs.map((c) => c.getAttribute('data-trail'))), sittings.map((s) => s.day));
    await family.locator('.roadtext').filter({ hasText: 'Nå: 4 av 5.' }).first().waitFor();
    await family.locator('.roadtext').filter({ hasText: `Startet på 2 (${dayNb(sittings[0].day)})` }).waitFor();
    // The table says who scored and the family's sentence.
    const second = housing.locator('tbody tr').nth(1);
    await second.getByText('Sammen med en saksbehandler').waitFor();
    await second.getByText('Vi fikk bostøtte.').waitFor();
    assert.equal(await housing.locator('table caption').textContent(), 'Innsjekkinger i Bolig');
    // The newest household reading is the area's "now" on the server too.
    const kari = (await devLogin(server.url, 'Kari Berg')).accessToken;
    const r = await api(server.url, kari, 'GET', `/api/v1/roadmaps/${id}`);
    assert.equal(r.areas.find((a) => a.id === 'housing').scoreNow, 4);
    const all = await api(server.url, kari, 'GET', `/api/v1/roadmaps/${id}/checkins`);
    assert.equal(all.items.length, 6, 'two areas, three sittings, each stored once');
    // The timeline tells each sitting in words, newest first.
    await visit(family, `${server.url}/#/roadmaps/${id}/timeline`, 'Det vi har gått gjennom');
    const told = family.locator('p[data-kind="check-in"]');
    await told.nth(2).waitFor();
    assert.equal(await told.count(), 3);
    assert.match(await told.nth(0).textContent(), /Dere sjekket inn: Bolig 4 og Arbeid 2/);
    assert.match(await told.nth(1).textContent(), /Dere sjekket inn sammen med en saksbehandler: Bolig 3 og Arbeid 2/);
    assertNoErrors(family);
  });

  test('the poster shows where we started, where we are and where we are going, when the family chooses', async () => {
    await visit(family, `${server.url}/#/roadmaps/${id}/poster`, 'Plakat til veggen');
    const journey = family.locator('.poster [data-journey="housing"]');
    assert.equal(await journey.count(), 0, 'off until chosen');
    // Housing is on the poster once it has something in it (a score now).
    await family.getByRole('checkbox', { name: 'Vis veien så langt: hvor vi startet, hvor vi er, hvor vi skal' }).check();
    await journey.waitFor();
    assert.equal(await journey.textContent(), `Vi startet på 2 (${dayNb(sittings[0].day)}). Nå er vi på 4. Vi skal til –.`);
    assert.equal(await family.locator('.poster-area svg.road circle.trail').count() >= 3, true);
    assertNoErrors(family);
  });

  test('the table alternative passes axe in bokmål and in Arabic', async () => {
    await visit(family, `${server.url}/#/roadmaps/${id}/areas/housing`, 'Bolig');
    await family.locator('[data-history="housing"] table').waitFor();
    await checkA11y(family, 'the check-in history (nb)', { include: '[data-history="housing"]' });
    await checkA11y(family, 'the area with its history (nb)');
    await visit(family, `${server.url}/#/settings`, 'Innstillinger');
    await family.getByRole('radio', { name: 'العربية' }).check();
    await family.locator('html[lang="ar"][dir="rtl"]').waitFor({ state: 'attached' });
    await visit(family, `${server.url}/#/roadmaps/${id}/areas/housing`, ar['area.housing']);
    const table = family.locator('[data-history="housing"] table');
    await table.locator('caption', { hasText: ar['checkin.tableCaption'].replace('{area}', ar['area.housing']) }).waitFor();
    assert.equal(await table.locator('tbody tr').count(), 3);
    await checkA11y(family, 'the check-in history (ar)', { include: '[data-history="housing"]' });
    await checkA11y(family, 'the area with its history (ar)');
    // Back to bokmål for whatever runs next.
    await visit(family, `${server.url}/#/settings`, ar['settings.title']);
    await family.getByRole('radio', { name: 'Norsk bokmål' }).check();
    await family.locator('html[lang="nb"]').waitFor({ state: 'attached' });
    assertNoErrors(family);
  });

  test('a check-in made offline keeps its day and is sent once when the phone is online again', async () => {
    await visit(family, `${server.url}/#/roadmaps/${id}/areas/housing/checkin`, 'Sjekk inn');
    await family.context().setOffline(true);
    await family.getByRole('group', { name: 'Hvor står dere nå i Bolig?' }).getByRole('radio', { name: '5', exact: true }).check();
    await family.getByRole('button', { name: 'Lagre innsjekkingen' }).click();
    await family.getByText('Lagret på telefonen. Sendes når du har nett.').waitFor();
    await family.getByRole('heading', { level: 1, name: 'Bolig' }).waitFor();
    // Shown at once, as not sent yet; the road's "now" moved already.
    const housing = family.locator('[data-history="housing"]');
    await housing.locator('tbody tr').filter({ hasText: 'ikke sendt ennå' }).waitFor();
    await family.locator('.roadtext').filter({ hasText: 'Nå: 5 av 5.' }).first().waitFor();
    await family.context().setOffline(false);
    await settled(family);
    const kari = (await devLogin(server.url, 'Kari Berg')).accessToken;
    const got = await api(server.url, kari, 'GET', `/api/v1/roadmaps/${id}/checkins?area=housing`);
    assert.equal(got.items.length, 4, JSON.stringify(got.items));
    assert.equal(got.items.at(-1).score, 5);
    assert.equal(got.items.at(-1).date, dayISO(0));
    assert.equal((await api(server.url, kari, 'GET', `/api/v1/roadmaps/${id}`)).areas.find((a) => a.id === 'housing').scoreNow, 5);
    assertNoErrors(family, [/ERR_INTERNET_DISCONNECTED/, /Failed to fetch/]);
  });

  test('the caseworker sees the history of housing, not of work', async () => {
    await signIn(nina, server.url, 'Nina Dahl');
    await nina.getByRole('heading', { level: 1, name: 'Delt med oss' }).waitFor();
    await nina.getByRole('link', { name: /Familien Berg/ }).click();
    await nina.getByRole('heading', { level: 1, name: 'Familien Berg' }).waitFor();
    const housing = nina.locator('[data-history="housing"]');
    await housing.locator('tbody tr').nth(3).waitFor();
    assert.equal(await housing.locator('tbody tr').count(), 4);
    assert.equal(await housing.locator('[data-chart="housing"] circle.point').count(), 4);
    assert.equal(await nina.locator('[data-history="work"]').count(), 0, 'no history of work');
    assert.equal(await nina.getByText('Innsjekkinger i Arbeid').count(), 0);
    // Her timeline has the sittings with housing's scores only.
    await visit(nina, `${server.url}/#/roadmaps/${id}/timeline`, 'Det vi har gått gjennom');
    const told = nina.locator('p[data-kind="check-in"]');
    await told.first().waitFor();
    assert.ok((await told.allTextContents()).every((x) => x.includes('Bolig') && !x.includes('Arbeid')), await told.allTextContents());
    // The API: work's readings are left out, and refused by name.
    const token = (await devLogin(server.url, 'Nina Dahl', 'nav-berg')).accessToken;
    const got = await api(server.url, token, 'GET', `/api/v1/roadmaps/${id}/checkins`);
    assert.equal(got.items.length, 4);
    assert.ok(got.items.every((x) => x.areaId === 'housing' && !x.recordedBy), JSON.stringify(got.items));
    await assert.rejects(api(server.url, token, 'GET', `/api/v1/roadmaps/${id}/checkins?area=work`), (e) => e.status === 404);
    // The read is in the family's access log, as housing's.
    const kari = (await devLogin(server.url, 'Kari Berg')).accessToken;
    const log = await api(server.url, kari, 'GET', `/api/v1/roadmaps/${id}/access-log`);
    assert.ok(log.items.some((e) => e.agencyId === 'nav-berg' && (e.sections || []).includes('area:housing')), JSON.stringify(log.items));
    assert.ok(!log.items.some((e) => (e.sections || []).includes('area:work')));
    assertNoErrors(nina);
  });

  test('an owner takes back a check-in recorded by mistake, and the road goes back with it', async () => {
    await visit(family, `${server.url}/#/roadmaps/${id}/areas/housing`, 'Bolig');
    const rows = family.locator('[data-history="housing"] tbody tr');
    await rows.nth(3).waitFor();
    await rows.nth(3).getByRole('button', { name: /^Ta tilbake/ }).click();
    await family.getByRole('dialog').getByRole('button', { name: 'Ta tilbake' }).click();
    await family.getByText('Innsjekkingen er tatt tilbake.').waitFor();
    await family.locator('[data-history="housing"] tbody tr').nth(3).waitFor({ state: 'detached' });
    await family.locator('.roadtext').filter({ hasText: 'Nå: 4 av 5.' }).first().waitFor();
    const kari = (await devLogin(server.url, 'Kari Berg')).accessToken;
    assert.equal((await api(server.url, kari, 'GET', `/api/v1/roadmaps/${id}`)).areas.find((a) => a.id === 'housing').scoreNow, 4);
    // (The offline moment above is in the page's log.)
    assertNoErrors(family, [/ERR_INTERNET_DISCONNECTED/, /Failed to fetch/]);
  });

  // At 200 % zoom (180 CSS px), in bokmål and in Arabic: the check-in form
  // and the area's chart, table and road fit, nothing runs over.
  test('the check-in and the area\'s history at 200 % zoom', async () => {
    for (const lang of ['nb', 'ar']) {
      await atZoom(family, `${server.url}/#/roadmaps/${id}/checkin`, lang);
      await atZoom(family, `${server.url}/#/roadmaps/${id}/areas/housing`, lang,
        (p) => p.locator('[data-history="housing"] tbody tr').first().waitFor());
      await checkA11y(family, `the area's history at 200 % zoom (${lang})`);
    }
  });
});
