// The app counts "today" where the households live, as the server does:
// the server's zone (VEIKART_TIMEZONE) comes with GET /me and is kept on
// the phone, whatever the phone's own zone (the test phone is in
// Europe/Oslo, browser.mjs). A server set to Pacific/Kiritimati (UTC+14)
// is a day ahead of Oslo from 10:00 UTC: at noon UTC a step due on Oslo's
// day is already overdue there, so the app asks what stopped it; one due
// the next day is not.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, devLogin, api, catalogue } from '../lib/server.mjs';
import { assertNoErrors, launch, newPage } from '../lib/browser.mjs';
import { signIn, visit } from '../lib/app.mjs';

const nb = catalogue('nb');

describe("today is the households' day, in the server's zone", () => {
  let server, browser, page, id;
  // Noon UTC today: in Oslo still today (day), in Kiritimati tomorrow (next).
  const noon = new Date(`${new Date().toISOString().slice(0, 10)}T12:00:00Z`);
  const day = noon.toISOString().slice(0, 10);
  const next = new Date(noon.getTime() + 86_400_000).toISOString().slice(0, 10);

  before(async () => {
    server = await startServer({ env: { VEIKART_TIMEZONE: 'Pacific/Kiritimati' } });
    const kari = (await devLogin(server.url, 'Kari Lund')).accessToken;
    const r = await api(server.url, kari, 'POST', '/api/v1/roadmaps', { title: 'Familien Lund', members: [{ id: 'kari', name: 'Kari', role: 'adult' }] });
    id = r.id;
    await api(server.url, kari, 'POST', `/api/v1/roadmaps/${id}/operations`, { operations: [
      { opId: 'o1', type: 'step.add', step: { id: 's-day', areaId: 'housing', title: 'Søke kommunal bolig', responsible: { kind: 'household' }, due: day, term: 'short' } },
      { opId: 'o2', type: 'step.add', step: { id: 's-next', areaId: 'housing', title: 'Ringe utleier', responsible: { kind: 'household' }, due: next, term: 'short' } },
    ] });
    browser = await launch();
    page = await newPage(browser);
    await page.clock.setFixedTime(noon);
    await signIn(page, server.url, 'Kari Lund');
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('the zone comes with the person, and a step due on Oslo\'s day is overdue in Kiritimati', async () => {
    assert.equal((await api(server.url, (await devLogin(server.url, 'Kari Lund')).accessToken, 'GET', '/api/v1/me')).timeZone, 'Pacific/Kiritimati');
    // Reloaded, the app starts from what the phone kept.
    for (const fresh of [false, true]) {
      if (fresh) await page.reload();
      await visit(page, `${server.url}/#/roadmaps/${id}/steps/s-day`, nb['step.edit']);
      await page.getByRole('heading', { name: nb['blocker.title'] }).waitFor();
      await visit(page, `${server.url}/#/roadmaps/${id}/steps/s-next`, nb['step.edit']);
      // The same heading as the step before: wait for this step's form.
      await page.waitForFunction(() => document.querySelector('main input[type=text]')?.value === 'Ringe utleier');
      assert.equal(await page.getByRole('heading', { name: nb['blocker.title'] }).count(), 0, 'a step due today in Kiritimati is not overdue');
    }
    assertNoErrors(page);
  });
});
