// The system's blockers: a family says what stopped an overdue step and,
// separately, chooses to share it anonymously; the agency's administrator
// finds the counts screen, which has nothing to show before a quarter with
// five or more households has ended.
//
// What this spec cannot do honestly: make the real server publish a quarter.
// Its clock is the machine's, and publication needs a quarter that has
// ended with five households in it. Publication itself is tested in Go with
// an injected clock (backend/household TestBlockers_*, backend/api
// TestBlockers_PublishedAfterTheQuarter). Here the published table's
// drawing (and what axe says of it) is checked with the server's answer for
// that one request replaced by page.route with a body in the schema's shape
// (schemas/blocker-counts.schema.json); everything else is the real server.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, devLogin, createAgency, addStaff, apiUserId, api, catalogue } from '../lib/server.mjs';
import { assertNoErrors, checkA11y, launch, newPage } from '../lib/browser.mjs';
import { signIn, createRoadmap, settled, visit, atZoom } from '../lib/app.mjs';
import { dayISO } from '../lib/dates.mjs';

const nb = catalogue('nb');
const ar = catalogue('ar');

// inArabic switches the app's language as a returning person has it (the
// settings screen remembers the choice in localStorage) and reloads.
async function inArabic(page) {
  await page.evaluate(() => localStorage.setItem('veikart.lang', 'ar'));
  await page.reload();
  await page.locator('html[lang="ar"][dir="rtl"]').waitFor({ state: 'attached' });
}

describe('blockers', () => {
  let server, browser, family, admin, id, kari;

  before(async () => {
    server = await startServer();
    await createAgency(server, { id: 'nav-oslo', name: 'NAV Oslo', kind: 'nav', region: 'Oslo' });
    await createAgency(server, { id: 'bergen-bolig', name: 'Boligetaten Bergen', kind: 'housing-office', region: 'Bergen' });
    await devLogin(server.url, 'Siri Admin');
    await addStaff(server, 'nav-oslo', apiUserId('Siri Admin'), 'admin');
    browser = await launch();
    family = await newPage(browser);
    admin = await newPage(browser);
    await signIn(family, server.url, 'Kari Lund');
    id = await createRoadmap(family, 'Familien Lund', [{ name: 'Kari' }]);
    await settled(family);
    // A step that was due three days ago: seeded through the API, as the
    // form rightly offers no date in the past.
    kari = (await devLogin(server.url, 'Kari Lund')).accessToken;
    await api(server.url, kari, 'POST', `/api/v1/roadmaps/${id}/operations`, { operations: [
      { opId: 'seed-1', type: 'step.add', step: { id: 's-bolig', areaId: 'housing', title: 'Søke kommunal bolig', responsible: { kind: 'household' }, due: dayISO(-3), term: 'short' } },
      { opId: 'seed-2', type: 'step.add', step: { id: 's-jobb', areaId: 'work', title: 'Søke jobb', responsible: { kind: 'household' }, due: dayISO(30), term: 'short' } },
    ] });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('a step not yet due does not ask what stopped it', async () => {
    await visit(family, `${server.url}/#/roadmaps/${id}/steps/s-jobb`, nb['step.edit']);
    assert.equal(await family.getByRole('heading', { name: nb['blocker.title'] }).count(), 0);
  });

  test('the family names what stopped an overdue step and shares it anonymously', async () => {
    await visit(family, `${server.url}/#/roadmaps/${id}/steps/s-bolig`, nb['step.edit']);
    const box = family.getByRole('region', { name: nb['blocker.title'] });
    await box.waitFor();
    // What sharing means is said before the choice, in plain words.
    for (const k of ['blocker.shareCount', 'blocker.shareNever', 'blocker.shareQuarter', 'blocker.shareFive', 'blocker.shareWithdraw']) {
      await box.getByText(nb[k]).waitFor();
    }
    await box.getByLabel(nb['blocker.what']).selectOption({ label: nb['blocker.waiting-list'] });
    // The municipality is asked only once sharing is chosen.
    assert.equal(await box.getByLabel(nb['blocker.place']).isVisible(), false);
    await box.getByRole('checkbox', { name: nb['blocker.shareYes'] }).check();
    const place = box.getByLabel(nb['blocker.place']);
    await place.waitFor();
    // Only the regions of the agencies the service knows are offered.
    await place.locator('option', { hasText: 'Bergen' }).waitFor({ state: 'attached' });
    assert.deepEqual(await place.locator('option').allTextContents(), [nb['blocker.choosePlace'], 'Bergen', 'Oslo']);
    await checkA11y(family, 'what stopped this step');
    await place.selectOption('Oslo');
    await box.getByRole('button', { name: nb['blocker.save'] }).click();
    await family.getByText(nb['blocker.savedShared']).waitFor();
    await settled(family);

    const r = await api(server.url, kari, 'GET', `/api/v1/roadmaps/${id}`);
    const st = r.steps.find((s) => s.id === 's-bolig');
    assert.equal(r.municipality, 'Oslo');
    assert.equal(st.blocker.code, 'waiting-list');
    assert.equal(st.blocker.shared, true);

    // Drawn again, the choices are as saved; withdrawing is the same box.
    await visit(family, `${server.url}/#/roadmaps/${id}/steps/s-bolig`, nb['step.edit']);
    await box.waitFor();
    assert.equal(await box.getByLabel(nb['blocker.what']).inputValue(), 'waiting-list');
    const yes = box.getByRole('checkbox', { name: nb['blocker.shareYes'] });
    assert.equal(await yes.isChecked(), true);
    await yes.uncheck();
    await box.getByRole('button', { name: nb['blocker.save'] }).click();
    await family.getByText(nb['blocker.saved'], { exact: true }).waitFor();
    await settled(family);
    const again = await api(server.url, kari, 'GET', `/api/v1/roadmaps/${id}`);
    assert.equal(again.steps.find((s) => s.id === 's-bolig').blocker.shared, false);
    assertNoErrors(family);
  });

  test("the administrator's screen: nothing published yet, from the real server", async () => {
    await signIn(admin, server.url, 'Siri Admin');
    await admin.getByRole('heading', { level: 1, name: 'NAV Oslo' }).waitFor();
    await admin.getByRole('link', { name: nb['blocker.countsTitle'] }).click();
    await admin.getByRole('heading', { level: 1, name: nb['blocker.countsTitle'] }).waitFor();
    await admin.getByText(nb['blocker.nothingYet'].replace('{k}', '5')).waitFor();
    await checkA11y(admin, 'the blocker counts, nothing published');
    assertNoErrors(admin);
  });

  test('an administrator who is no caseworker is told the deadlines calendar is not for them, and asks the server nothing', async () => {
    const asked = [];
    const listen = (req) => { if (req.url().includes('/calendar-feed')) asked.push(req.method()); };
    admin.on('request', listen);
    await visit(admin, `${server.url}/#/settings/calendar`, nb['calendar.title']);
    await admin.getByText(nb['calendar.notCaseworker'].replace('{agency}', 'NAV Oslo')).waitFor();
    assert.equal(await admin.getByRole('button', { name: nb['calendar.create'] }).count(), 0);
    admin.off('request', listen);
    assert.deepEqual(asked, []);
    await checkA11y(admin, 'the calendar screen, an administrator');
    assertNoErrors(admin);
  });

  test('the published table: a cell of five shows, the rest says "fewer than 5" (answer replaced, see the top)', async () => {
    const published = {
      minHouseholds: 5,
      blockers: ['no-suitable-home', 'waiting-list', 'lost-help-at-18', 'debt', 'language', 'waiting-for-agency', 'other-agency-rules', 'no-kindergarten-or-school-place', 'health', 'transport'],
      quarters: [
        { quarter: '2026-Q3', publishedAt: '2026-10-02T08:00:00Z', minHouseholds: 5, cells: [
          { blocker: 'no-suitable-home', municipality: 'Oslo', households: 7 },
          { blocker: 'waiting-list', municipality: 'Bergen', households: 5 },
        ] },
        { quarter: '2026-Q2', publishedAt: '2026-10-02T08:00:00Z', minHouseholds: 5, cells: [] },
      ],
    };
    await admin.route('**/api/v1/agencies/nav-oslo/blockers', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(published) }));
    await visit(admin, `${server.url}/#/agency/blockers`, nb['blocker.countsTitle']);
    const table = admin.getByRole('table');
    await table.waitFor();
    assert.equal(await admin.getByRole('table').count(), 1, 'a quarter with no published cell has no table');
    const row = (name) => table.getByRole('row', { name: new RegExp(`^${name}`) });
    const fewer = nb['blocker.fewer'].replace('{k}', '5');
    assert.deepEqual(await row(nb['blocker.no-suitable-home']).getByRole('cell').allTextContents(), [fewer, '7']);
    assert.deepEqual(await row(nb['blocker.waiting-list']).getByRole('cell').allTextContents(), ['5', fewer]);
    assert.deepEqual(await table.getByRole('columnheader').allTextContents(), [nb['blocker.column'], 'Bergen', 'Oslo']);
    await checkA11y(admin, 'the published blocker table');
    // In Arabic, right to left: the same table, in words axe accepts.
    await inArabic(admin);
    await admin.getByRole('heading', { level: 1, name: ar['blocker.countsTitle'] }).waitFor();
    const arTable = admin.getByRole('table');
    await arTable.getByRole('row', { name: new RegExp(`^${ar['blocker.no-suitable-home']}`) }).waitFor();
    assert.deepEqual(await arTable.getByRole('row', { name: new RegExp(`^${ar['blocker.no-suitable-home']}`) }).getByRole('cell').allTextContents(),
      [ar['blocker.fewer'].replace('{k}', new Intl.NumberFormat('ar').format(5)), new Intl.NumberFormat('ar').format(7)]);
    await checkA11y(admin, 'the published blocker table in Arabic');
    assertNoErrors(admin);
  });

  test("the family's box in Arabic", async () => {
    await inArabic(family);
    await visit(family, `${server.url}/#/roadmaps/${id}/steps/s-bolig`, ar['step.edit']);
    const box = family.getByRole('region', { name: ar['blocker.title'] });
    await box.getByText(ar['blocker.shareFive']).waitFor();
    await checkA11y(family, 'what stopped this step, in Arabic');
    assertNoErrors(family);
  });

  // At 200 % zoom (180 CSS px), in bokmål and in Arabic: the family's box
  // (the list, the yes to share, the municipality) and the administrator's
  // published table (the answer replaced above) fit; the table's wrapper
  // may scroll sideways, nothing else.
  test('the box and the counts at 200 % zoom', async () => {
    for (const lang of ['nb', 'ar']) {
      const words = lang === 'nb' ? nb : ar;
      await atZoom(family, `${server.url}/#/roadmaps/${id}/steps/s-bolig`, lang,
        (p) => p.getByRole('region', { name: words['blocker.title'] }).getByText(words['blocker.shareFive']).waitFor());
      await atZoom(admin, `${server.url}/#/agency/blockers`, lang, (p) => p.getByRole('table').waitFor());
      await checkA11y(admin, `the published blocker table at 200 % zoom (${lang})`);
    }
    assertNoErrors(family);
    assertNoErrors(admin);
  });
});
