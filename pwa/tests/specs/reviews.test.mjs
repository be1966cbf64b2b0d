// Looking back: the family chooses to review every three months and saves a
// first review; then it moves its economy score from 2 to 4, finishes a
// step and says NAV kept its promise. The review screen lists exactly that
// in bokmål; saved, the next review compares with it. The timeline words
// the step done and the review; NAV's caseworker, who sees economy only,
// finds the economy step in the timeline and nothing of health.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, devLogin, createAgency, addStaff, apiUserId, api, catalogue } from '../lib/server.mjs';
import { assertNoErrors, checkA11y, launch, newPage } from '../lib/browser.mjs';
import { signIn, visit, openArea, describeArea, settled, atZoom } from '../lib/app.mjs';
import { dayISO } from '../lib/dates.mjs';

const inDays = (n) => new Date(Date.now() + n * 86_400_000).toISOString();

describe('reviews and the timeline', () => {
  let server, browser, family, nina, id, kari;

  before(async () => {
    server = await startServer();
    await createAgency(server, { id: 'nav-sola', name: 'NAV Sola', kind: 'nav', region: 'Rogaland' });
    await devLogin(server.url, 'Nina Dahl');
    await addStaff(server, 'nav-sola', apiUserId('Nina Dahl'), 'caseworker');
    kari = (await devLogin(server.url, 'Kari Lund')).accessToken;
    const r = await api(server.url, kari, 'POST', '/api/v1/roadmaps', { title: 'Familien Lund', members: [{ id: 'kari', name: 'Kari', role: 'adult' }] });
    id = r.id;
    await api(server.url, kari, 'POST', `/api/v1/roadmaps/${id}/grants`, {
      agencyId: 'nav-sola', sections: ['area:economy', 'steps:economy'], permissions: ['view'], purpose: 'Økonomi', expiresAt: inDays(90),
    });
    const step = (sid, areaId, title, responsible = { kind: 'household' }) => ({ opId: `o-${sid}`, type: 'step.add',
      step: { id: sid, areaId, title, term: 'short', responsible } });
    await api(server.url, kari, 'POST', `/api/v1/roadmaps/${id}/operations`, { operations: [
      step('s-bostotte', 'economy', 'Søke bostøtte'),
      step('s-lege', 'health', 'Bestille legetime'),
      step('s-kurs', 'economy', 'Budsjettkurs', { kind: 'agency', agencyId: 'nav-sola' }),
    ] });
    browser = await launch();
    family = await newPage(browser);
    nina = await newPage(browser);
    await signIn(family, server.url, 'Kari Lund');
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('the family chooses a rhythm and saves a first review', async () => {
    await visit(family, `${server.url}/#/roadmaps/${id}`, 'Familien Lund');
    await openArea(family, 'Økonomi');
    await describeArea(family, { scoreNow: 2 });
    await settled(family);
    await visit(family, `${server.url}/#/roadmaps/${id}`, 'Familien Lund');
    await family.getByRole('link', { name: 'Se tilbake' }).click();
    await family.getByRole('heading', { level: 1, name: 'Se tilbake' }).waitFor();
    await family.getByText('Dere har ikke valgt når dere skal se tilbake neste gang.').waitFor();
    await family.getByLabel('Hvor ofte vil dere se tilbake?').selectOption({ label: 'Hver tredje måned' });
    await family.getByText(/^Neste gang dere ser tilbake: /).waitFor();
    await family.getByRole('heading', { level: 2, name: /^Siden dere begynte/ }).waitFor();
    await family.getByText('Økonomi: 2 (første gang)').waitFor();
    await checkA11y(family, 'the first review');
    await family.getByLabel('Med deres egne ord: hvordan har det gått?').fill('Vi begynner.');
    await family.getByRole('button', { name: 'Lagre gjennomgangen' }).click();
    await family.getByRole('heading', { level: 2, name: /^Siden sist/ }).waitFor();
    await family.getByText('Vi begynner.').waitFor();
  });

  test('the review lists what changed since the last one, and saving it makes it the next one\'s start', async () => {
    // A step done, a score moved, a promise kept.
    await visit(family, `${server.url}/#/roadmaps/${id}/steps/s-bostotte`, 'Endre steget');
    await family.getByRole('radio', { name: 'Gjort' }).check();
    await family.getByRole('button', { name: 'Lagre' }).click();
    await family.getByRole('heading', { level: 1, name: 'Økonomi' }).waitFor();
    await describeArea(family, { scoreNow: 4 });
    await settled(family);
    const ninaToken = (await devLogin(server.url, 'Nina Dahl', 'nav-sola')).accessToken;
    await api(server.url, ninaToken, 'POST', `/api/v1/roadmaps/${id}/steps/s-kurs/promise`, { answer: 'accept', due: dayISO(14) });
    await visit(family, `${server.url}/#/roadmaps/${id}/team`, 'Teamet');
    await family.locator('.promises li', { hasText: 'Budsjettkurs' }).getByRole('button', { name: 'Holdt', exact: true }).click();
    await family.locator('.promises li.promise-kept', { hasText: 'Budsjettkurs' }).waitFor();

    await visit(family, `${server.url}/#/roadmaps/${id}/review`, 'Se tilbake');
    await family.getByText('Økonomi: fra 2 til 4').waitFor();
    await family.getByText(/^Gjort: «Søke bostøtte» \(Økonomi\)/).waitFor();
    await family.getByText(/^Gjort: «Budsjettkurs» \(Økonomi\)/).waitFor();
    await family.getByText('NAV Sola holdt løftet: «Budsjettkurs»').waitFor();
    assert.equal(await family.getByText(/Bestille legetime/).count(), 0, 'a step not done is no change');
    await family.getByLabel('Med deres egne ord: hvordan har det gått?').fill('Det går bedre med pengene.');
    await family.getByRole('button', { name: 'Lagre gjennomgangen' }).click();
    await family.getByText('Det går bedre med pengene.').waitFor();

    // The next review starts from this one: the score stands, nothing new.
    await family.getByText('Økonomi: fortsatt 4').waitFor();
    const current = family.locator('section.boxed');
    assert.equal(await current.getByText(/Søke bostøtte/).count(), 0, 'the next review lists a step of the last one');
    assert.equal(await family.locator('ol.log > li').count(), 2);
    assertNoErrors(family);
  });

  test('the timeline tells it in words, and NAV sees only economy', async () => {
    await visit(family, `${server.url}/#/roadmaps/${id}`, 'Familien Lund');
    await family.getByRole('link', { name: 'Det vi har gått gjennom' }).click();
    await family.getByRole('heading', { level: 1, name: 'Det vi har gått gjennom' }).waitFor();
    await family.getByText(/: Dere gjorde ferdig «Søke bostøtte» \(Økonomi\)$/).waitFor();
    assert.equal(await family.getByText(/: Dere så tilbake på veikartet$/).count(), 2);
    await family.getByText(/: NAV Sola fikk se Økonomi/).waitFor();
    await checkA11y(family, 'the timeline');
    assertNoErrors(family);

    // The health step is done too; NAV does not see health.
    await api(server.url, kari, 'POST', `/api/v1/roadmaps/${id}/operations`, { operations: [
      { opId: 'o-lege-done', type: 'step.update', stepId: 's-lege', baseVersion: 1, set: { status: 'done' } },
    ] });
    await signIn(nina, server.url, 'Nina Dahl');
    await nina.getByRole('heading', { level: 1, name: 'Delt med oss' }).waitFor();
    await visit(nina, `${server.url}/#/roadmaps/${id}`, 'Familien Lund');
    await nina.getByRole('link', { name: 'Det vi har gått gjennom' }).click();
    await nina.getByRole('heading', { level: 1, name: 'Det vi har gått gjennom' }).waitFor();
    await nina.getByText(/: Dere gjorde ferdig «Søke bostøtte» \(Økonomi\)$/).waitFor();
    assert.equal(await nina.getByText(/legetime/i).count(), 0, 'NAV sees a step of health');
    assert.equal(await nina.getByText(/Helse/).count(), 0, 'NAV sees health');
    await checkA11y(nina, "the caseworker's timeline");
    // A due review's push brings the coordinator to the reviews: saved
    // ones, without the family's words.
    await visit(nina, `${server.url}/#/roadmaps/${id}/review`, 'Se tilbake');
    assert.equal(await nina.locator('ol.log > li').count(), 2);
    assert.equal(await nina.getByText('Det går bedre med pengene.').count(), 0, "NAV reads the family's words");
    await checkA11y(nina, "the caseworker's reviews");
    assertNoErrors(nina);
  });

  // The family's phone keeps the last answer of both screens: without a
  // network it shows them, says when they were fetched, and that choosing
  // and saving need the network. Back online, the server's answer again.
  test('without a network the family reads the review and the timeline it fetched last', async () => {
    await visit(family, `${server.url}/#/roadmaps/${id}/review`, 'Se tilbake');
    await family.getByText('Økonomi: fortsatt 4').waitFor();
    await visit(family, `${server.url}/#/roadmaps/${id}/timeline`, 'Det vi har gått gjennom');
    await family.getByText(/: Dere gjorde ferdig «Søke bostøtte» \(Økonomi\)$/).waitFor();
    await family.context().setOffline(true);
    try {
      await visit(family, `${server.url}/#/roadmaps/${id}`, 'Familien Lund');
      await visit(family, `${server.url}/#/roadmaps/${id}/review`, 'Se tilbake');
      await family.getByText(/^Du er uten nett\. Dette er det som ble hentet \d/).waitFor();
      await family.getByText('Å velge hvor ofte og å lagre gjennomgangen trenger nett.').waitFor();
      await family.getByText('Økonomi: fortsatt 4').waitFor();
      assert.equal(await family.getByText('Det går bedre med pengene.').count(), 1, 'the saved review is not shown');
      assert.equal(await family.getByRole('button', { name: 'Lagre gjennomgangen' }).isDisabled(), true, 'saving offline is offered');
      assert.equal(await family.getByLabel('Hvor ofte vil dere se tilbake?').isDisabled(), true, 'choosing the rhythm offline is offered');
      assert.equal(await family.getByText('Dette trenger nett.', { exact: false }).count(), 0, 'the screen says only that it needs the network');
      await checkA11y(family, 'the review offline');

      await visit(family, `${server.url}/#/roadmaps/${id}/timeline`, 'Det vi har gått gjennom');
      await family.getByText(/^Du er uten nett\. Dette er det som ble hentet \d/).waitFor();
      await family.getByText(/: Dere gjorde ferdig «Søke bostøtte» \(Økonomi\)$/).waitFor();
      assert.equal(await family.getByText(/: Dere så tilbake på veikartet$/).count(), 2);
      await checkA11y(family, 'the timeline offline');
    } finally {
      await family.context().setOffline(false);
    }
    await visit(family, `${server.url}/#/roadmaps/${id}/review`, 'Se tilbake');
    await family.getByRole('button', { name: 'Lagre gjennomgangen' }).waitFor();
    assert.equal(await family.getByText(/^Du er uten nett/).count(), 0, 'online, the kept copy is still shown');
    assert.equal(await family.getByRole('button', { name: 'Lagre gjennomgangen' }).isDisabled(), false);
    assertNoErrors(family, [/ERR_INTERNET_DISCONNECTED/]);
  });

  // In Arabic (right to left), on a 360 px wide phone: both screens read
  // in the catalogue's words, pass axe and fit without scrolling sideways.
  test('in Arabic on a narrow phone', async () => {
    const ar = catalogue('ar');
    const page = await newPage(browser, { viewport: { width: 360, height: 780 } });
    try {
      await signIn(page, server.url, 'Kari Lund');
      await page.getByRole('link', { name: 'Innstillinger' }).click();
      await page.getByRole('radio', { name: 'العربية' }).check();
      await page.locator('html[lang="ar"][dir="rtl"]').waitFor({ state: 'attached' });
      for (const [rest, title] of [['/review', ar['review.title']], ['/timeline', ar['timeline.title']]]) {
        await visit(page, `${server.url}/#/roadmaps/${id}${rest}`, title);
        const wide = await page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1);
        assert.equal(wide, false, `${rest} scrolls sideways at 360 px`);
        await checkA11y(page, `${rest} in Arabic`);
      }
      await page.getByText(ar['timeline.review']).first().waitFor();
      assertNoErrors(page);
    } finally {
      await page.context().close();
    }
  });

  // At 200 % zoom (180 CSS px), in bokmål and in Arabic: the review (what
  // changed, the form, the reviews before) and the timeline fit.
  test('the review and the timeline at 200 % zoom', async () => {
    for (const lang of ['nb', 'ar']) {
      await atZoom(family, `${server.url}/#/roadmaps/${id}/review`, lang, async (p) => {
        await p.locator('ol.log details summary').first().click(); // what had changed, open
        await p.locator('ol.log details[open] ul li').first().waitFor();
      });
      await checkA11y(family, `the review at 200 % zoom (${lang})`);
      await atZoom(family, `${server.url}/#/roadmaps/${id}/timeline`, lang, (p) => p.locator('ol.log > li').first().waitFor());
    }
    assertNoErrors(family, [/ERR_INTERNET_DISCONNECTED/]);
  });

  // The timeline comes 50 entries at a time. A step finished while the
  // family reads the first page moves nothing: the next page starts where
  // the first ended, no entry twice (an offset would have shown the 50th
  // again), none lost; the new one is at the top when read again.
  test('the timeline pages on without showing an entry twice', async () => {
    const done = (sid, title) => ({ opId: `o-${sid}`, type: 'step.add', step: { id: sid, areaId: 'work', title, term: 'short', status: 'done', responsible: { kind: 'household' } } });
    await api(server.url, kari, 'POST', `/api/v1/roadmaps/${id}/operations`, { operations: Array.from({ length: 55 }, (_, i) => done(`s-many-${i}`, `Steg nummer ${i}`)) });
    const all = (await api(server.url, kari, 'GET', `/api/v1/roadmaps/${id}/timeline?limit=100`)).items.length;
    assert.ok(all > 50 && all < 100, `${all} entries`);
    await visit(family, `${server.url}/#/roadmaps/${id}/timeline`, 'Det vi har gått gjennom');
    const items = family.locator('main ol.log > li');
    await items.nth(49).waitFor();
    assert.equal(await items.count(), 50);
    await new Promise((r) => setTimeout(r, 5)); // a later moment than every entry shown
    await api(server.url, kari, 'POST', `/api/v1/roadmaps/${id}/operations`, { operations: [done('s-meanwhile', 'Ferdig i mellomtiden')] });
    await family.getByRole('button', { name: 'Vis flere' }).click();
    await items.nth(50).waitFor();
    const texts = await items.allInnerTexts();
    assert.equal(texts.length, all, 'an entry shown twice, or one lost');
    assert.notEqual(texts[50], texts[49], 'the first page\'s last entry again');
    assert.equal(texts.filter((x) => x.includes('Ferdig i mellomtiden')).length, 0, 'the new entry is in the middle of the pages');
    await visit(family, `${server.url}/#/roadmaps/${id}/timeline`, 'Det vi har gått gjennom');
    // Newest first, also past midnight in Oslo: the check-ins made earlier
    // today stay where they were recorded (it failed at 00:08 once).
    assert.match(await items.first().innerText(), /Ferdig i mellomtiden/);
    assertNoErrors(family, [/ERR_INTERNET_DISCONNECTED/]);
  });
});
