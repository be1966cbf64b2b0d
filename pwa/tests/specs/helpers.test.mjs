// Trusted persons and interpreters (issue 20, parts 2 and 3): the family
// invites a support person from "Støttepersoner og tolk" with a QR code;
// she accepts on her own phone, reads and writes in the part she was given,
// and the family's log says it was done on the family's behalf, by her
// name. An interpreter's session, started the same way, ends with one tap:
// the interpreter's next request gets nothing, and the copy on his phone
// is gone. Three people, each in their own browser context.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, devLogin, api, createAgency, addStaff, apiUserId } from '../lib/server.mjs';
import { assertNoErrors, checkA11y, launch, newPage } from '../lib/browser.mjs';
import { signIn, settled, visit, openArea, describeArea } from '../lib/app.mjs';

// The roadmaps this phone keeps in IndexedDB, by id.
const kept = (page) => page.evaluate(async () => {
  const db = await new Promise((ok, fail) => { const r = indexedDB.open('veikart'); r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
  try {
    return await new Promise((ok, fail) => { const r = db.transaction('roadmaps').objectStore('roadmaps').getAllKeys(); r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
  } finally {
    db.close();
  }
});

describe('support persons and interpreters', () => {
  let server, browser, family, per, amir, nina, id, kari;

  before(async () => {
    server = await startServer();
    browser = await launch();
    family = await newPage(browser);
    per = await newPage(browser);
    amir = await newPage(browser);
    kari = (await devLogin(server.url, 'Kari Lund')).accessToken;
    const r = await api(server.url, kari, 'POST', '/api/v1/roadmaps', { title: 'Familien Lund', members: [{ id: 'kari', name: 'Kari', role: 'adult' }] });
    id = r.id;
    await api(server.url, kari, 'POST', `/api/v1/roadmaps/${id}/operations`, {
      operations: [
        { opId: 'a1', type: 'area.update', areaId: 'housing', baseVersion: r.version, set: { now: 'Vi bor trangt i to rom.' } },
        { opId: 'a2', type: 'area.update', areaId: 'health', baseVersion: r.version, set: { now: 'Ryggen verker.', desired: 'أريد أن أعمل مرة أخرى.' } },
      ],
    });
    await signIn(family, server.url, 'Kari Lund');
    // NAV sees the health area (the rendering's reader).
    await createAgency(server, { id: 'nav-sola', name: 'NAV Sola', kind: 'nav', region: 'Rogaland' });
    await devLogin(server.url, 'Nina Dahl');
    await addStaff(server, 'nav-sola', apiUserId('Nina Dahl'), 'caseworker');
    await api(server.url, kari, 'POST', `/api/v1/roadmaps/${id}/grants`, {
      agencyId: 'nav-sola', sections: ['area:health'], permissions: ['view'], purpose: 'Arbeid og helse', expiresAt: new Date(Date.now() + 90 * 86_400_000).toISOString(),
    });
    nina = await newPage(browser);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  // invite fills in one of the screen's two forms and returns the code the
  // QR code carries.
  async function invite(form, fill) {
    await visit(family, `${server.url}/#/roadmaps/${id}/sharing`, 'Hvem ser hva');
    await family.getByRole('link', { name: 'Støttepersoner og tolk' }).click();
    await family.getByRole('heading', { level: 1, name: 'Støttepersoner og tolk' }).waitFor();
    const box = family.getByRole('region', { name: form });
    await fill(box);
    await box.getByRole('img', { name: 'QR-kode for personen som skal hjelpe' }).waitFor();
    return (await box.locator('.code').textContent()).trim();
  }

  async function accept(page, name, code) {
    await signIn(page, server.url, name);
    await page.goto(`${server.url}/#/invitation/${code}`);
    await page.getByRole('button', { name: 'Godta invitasjonen' }).click();
    await page.getByRole('heading', { level: 1, name: 'Familien Lund' }).waitFor();
  }

  test('a support person reads and writes, and the log says it was on the family\'s behalf', async () => {
    const code = await invite('Inviter en støtteperson', async (box) => {
      await box.getByLabel('Navn', { exact: true }).fill('Per');
      await box.getByRole('checkbox', { name: 'Bolig' }).check();
      await box.getByRole('checkbox', { name: 'Kan skrive sammen med familien' }).check();
      await checkA11y(family, 'Støttepersoner og tolk, filled in');
      await box.getByRole('button', { name: 'Lag koden' }).click();
    });
    await accept(per, 'Per Hansen', code);
    await per.getByText('Du er støtteperson for familien til').waitFor();
    await per.getByText('Du kan lese og skrive i delene familien har valgt.').waitFor();
    // Only the part he was given; none of the household's own tools.
    assert.equal(await per.getByRole('link', { name: /^Helse/ }).count(), 0);
    assert.equal(await per.getByRole('link', { name: 'Hvem ser hva' }).count(), 0);
    await checkA11y(per, 'the support person\'s overview');
    await openArea(per, 'Bolig');
    assert.equal(await per.getByLabel('Slik er det nå').inputValue(), 'Vi bor trangt i to rom.');
    await describeArea(per, { desired: 'En leilighet med tre rom.' });
    await settled(per);

    // The family sees his words, and who wrote when, on its behalf.
    let desired;
    for (let i = 0; i < 50 && desired !== 'En leilighet med tre rom.'; i++) {
      if (i) await new Promise((ok) => setTimeout(ok, 200));
      desired = (await api(server.url, kari, 'GET', `/api/v1/roadmaps/${id}`)).areas.find((a) => a.id === 'housing').desired;
    }
    assert.equal(desired, 'En leilighet med tre rom.');
    await visit(family, `${server.url}/#/roadmaps/${id}/log`, 'Hvem har lest hva');
    await family.getByText(/Per \(støtteperson\) for familien skrev i Bolig/).waitFor();
    await family.getByText(/Per \(støtteperson\) for familien leste Bolig/).first().waitFor();
    await family.getByText(/Per \(støtteperson\) for familien godtok en invitasjon/).waitFor();
    await visit(family, `${server.url}/#/roadmaps/${id}/receipts`, 'Kvitteringer');
    await family.getByText(/Dere inviterte Per til Bolig/).waitFor();
    assertNoErrors(per);
  });

  test('an interpreter session ends with one tap, and the interpreter\'s phone forgets it', async () => {
    const code = await invite('Start en tolkeøkt', async (box) => {
      await box.getByLabel('Navn', { exact: true }).fill('Amir');
      await box.getByRole('checkbox', { name: 'Helse' }).check();
      await box.getByLabel('Hvor lenge').selectOption({ label: '3 timer' });
      await box.getByRole('button', { name: 'Start økten og lag koden' }).click();
    });
    await accept(amir, 'Amir Haddad', code);
    await amir.getByText('Du er tolk for familien til').waitFor();
    await openArea(amir, 'Helse');
    assert.equal(await amir.getByLabel('Slik er det nå').inputValue(), 'Ryggen verker.');
    await visit(amir, `${server.url}/#/roadmaps/${id}`, 'Familien Lund');
    assert.ok((await kept(amir)).includes(id), 'the interpreter\'s phone keeps the roadmap during the session');

    // One tap on the family's phone.
    await visit(family, `${server.url}/#/roadmaps/${id}/helpers`, 'Støttepersoner og tolk');
    const card = family.locator('[data-helper]').filter({ hasText: 'Amir' });
    await card.getByText('Tolk · har tilgang').waitFor();
    await card.getByRole('button', { name: /Avslutt tolkeøkten/ }).click();
    await family.getByText('Tolkeøkten med Amir er avsluttet.').waitFor();

    // The interpreter's next request: nothing, and his copy is gone.
    await amir.reload();
    await amir.getByText('Familien har avsluttet tilgangen din. Det du så, er slettet fra denne telefonen.').waitFor();
    assert.ok(!(await kept(amir)).includes(id), 'the copy on the interpreter\'s phone is deleted');
    await visit(amir, `${server.url}/#/`, 'Våre veikart');
    assert.equal(await amir.getByRole('link', { name: /Familien Lund/ }).count(), 0);
    // And the family's log has what he did, in his name.
    await visit(family, `${server.url}/#/roadmaps/${id}/log`, 'Hvem har lest hva');
    await family.getByText(/Amir \(tolk\) for familien leste Helse/).first().waitFor();
  });

  test('the family confirms the interpreter\'s rendering, and NAV sees both texts and which is which', async () => {
    const code = await invite('Start en tolkeøkt', async (box) => {
      await box.getByLabel('Navn', { exact: true }).fill('Yonas');
      await box.getByRole('checkbox', { name: 'Helse' }).check();
      await box.getByRole('button', { name: 'Start økten og lag koden' }).click();
    });
    // Another interpreter, on a phone of his own.
    const tolk = await newPage(browser);
    await accept(tolk, 'Yonas Tesfay', code);
    await openArea(tolk, 'Helse');
    await tolk.getByText('Skriv en norsk gjengivelse av «Slik vil vi ha det»').click();
    await tolk.getByLabel('Norsk gjengivelse av hvordan dere vil ha det').fill('Jeg vil jobbe igjen.');
    await tolk.getByRole('button', { name: 'Lagre gjengivelsen' }).click();
    await tolk.getByText('Norsk gjengivelse, skrevet av Yonas (tolk):').waitFor();
    await tolk.getByText('Familien har ikke bekreftet gjengivelsen ennå.').waitFor();

    await visit(family, `${server.url}/#/roadmaps/${id}/areas/health`, 'Helse');
    await family.getByText('Norsk gjengivelse, skrevet av Yonas (tolk):').waitFor();
    await family.getByRole('button', { name: 'Dette er det vi mente' }).click();
    await family.getByText('Familien har bekreftet: «Dette er det vi mente».').waitFor();
    await checkA11y(family, 'an area with a confirmed rendering');

    await signIn(nina, server.url, 'Nina Dahl');
    await nina.getByRole('heading', { level: 1, name: 'Delt med oss' }).waitFor();
    await nina.getByRole('link', { name: /Familien Lund/ }).click();
    const health = nina.locator('section.card').filter({ has: nina.getByRole('heading', { level: 2, name: 'Helse' }) });
    await health.getByText('Familiens egne ord:').waitFor();
    await health.getByText('أريد أن أعمل مرة أخرى.').waitFor();
    const rendered = health.locator('[data-rendering="desired"]');
    await rendered.getByText('Norsk gjengivelse, skrevet av Yonas (tolk):').waitFor();
    await rendered.getByText('Jeg vil jobbe igjen.').waitFor();
    await rendered.getByText('Familien har bekreftet: «Dette er det vi mente».').waitFor();
    assertNoErrors(nina);
  });
});
