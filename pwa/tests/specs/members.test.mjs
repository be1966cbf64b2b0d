// The household in the app (issue 20, part 1): an owner invites the second
// adult as co-owner and a 16-year-old as a member from the app, each
// accepting the one-time code on their own phone (three browser contexts);
// the owner sees who joined, marks the health area as hers and asks her for
// her yes to sharing it with NAV; she says no in her own app; the owner's
// grant form shows it and will not include it, and the server refuses it
// too. Receipts record her joining and her no. Her own words land on her
// area, and "Lag mitt eget veikart" is reachable from her app.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, createAgency } from '../lib/server.mjs';
import { assertNoErrors, checkA11y, launch, newPage } from '../lib/browser.mjs';
import { signIn, createRoadmap, openArea, describeArea, settled, visit } from '../lib/app.mjs';

// Chromium logs the refusal this test provokes (the grant with health) as
// a console error.
const refusals = [/status of 403/];
const born = new Date().getFullYear() - 16;

describe('members in the app', () => {
  let server, browser, kari, per, mia, id;

  before(async () => {
    server = await startServer();
    await createAgency(server, { id: 'nav-sola', name: 'NAV Sola', kind: 'nav', region: 'Rogaland' });
    browser = await launch();
    [kari, per, mia] = await Promise.all([newPage(browser), newPage(browser), newPage(browser)]);
    await signIn(kari, server.url, 'Kari Haugen');
    id = await createRoadmap(kari, 'Familien Haugen', [{ name: 'Kari' }]);
    await openArea(kari, 'Helse');
    await describeArea(kari, { now: 'Mia har astma.' });
    await settled(kari);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  // code reads the one-time code off the owner's screen, as the other
  // person would scan it, and accepts it on their own phone.
  async function accept(page, name) {
    const code = (await kari.locator('figure.qr .code').innerText()).trim();
    assert.match(code, /^[\w-]{16,}$/);
    await signIn(page, server.url, name);
    await visit(page, `${server.url}/#/invitation/${code}`, 'Invitasjon til et veikart');
    await page.getByRole('button', { name: 'Godta invitasjonen' }).click();
    await page.getByRole('heading', { level: 1, name: 'Familien Haugen' }).waitFor();
  }

  test('the owner invites a co-owner and a 16-year-old from the app', async () => {
    await visit(kari, `${server.url}/#/roadmaps/${id}`, 'Familien Haugen');
    await kari.getByRole('link', { name: 'Husstanden i appen' }).click();
    await kari.getByRole('heading', { level: 1, name: 'Husstanden i appen' }).waitFor();
    await checkA11y(kari, 'the owners\' household screen');

    await kari.getByRole('button', { name: 'Lag kode for medeier' }).click();
    await kari.getByRole('img', { name: 'QR-kode for invitasjonen' }).waitFor();
    await accept(per, 'Per Haugen');

    // Mia is new: made here with her birth year, then invited.
    await visit(kari, `${server.url}/#/roadmaps/${id}/members`, 'Husstanden i appen');
    await kari.getByLabel('Hvem', { exact: true }).selectOption({ label: 'En ny person' });
    await kari.getByLabel('Navn', { exact: true }).fill('Mia');
    await kari.getByLabel('Fødselsår', { exact: true }).fill(String(born));
    await kari.getByRole('button', { name: 'Lag kode for ungdommen' }).click();
    await kari.getByRole('img', { name: 'QR-kode for invitasjonen' }).waitFor();
    await accept(mia, 'Mia Haugen');

    await visit(kari, `${server.url}/#/roadmaps/${id}/members`, 'Husstanden i appen');
    await kari.getByText('Eiere med egen konto: 2').waitFor();
    await kari.getByText('Mia er med i appen.').waitFor();
    // Per, the co-owner, sees the whole roadmap, the owners' screen too.
    await visit(per, `${server.url}/#/roadmaps/${id}/members`, 'Husstanden i appen');
    await per.getByText('Mia er med i appen.').waitFor();
  });

  test('she sees only what names her, and adds her own words', async () => {
    // Nothing names her yet.
    await visit(mia, `${server.url}/#/roadmaps/${id}`, 'Familien Haugen');
    assert.equal(await mia.getByText('Mia har astma.').count(), 0);
    // Kari marks health as Mia's.
    await visit(kari, `${server.url}/#/roadmaps/${id}/areas/health`, 'Helse');
    await kari.getByRole('group', { name: 'Hvem det gjelder' }).getByRole('checkbox', { name: 'Mia' }).check();
    await settled(kari);

    await visit(mia, `${server.url}/#/roadmaps/${id}`, 'Familien Haugen');
    await mia.getByRole('heading', { level: 2, name: 'Helse' }).waitFor();
    assert.equal(await mia.getByRole('heading', { level: 2, name: 'Bolig' }).count(), 0, 'she sees an area that does not name her');
    await mia.getByRole('link', { name: 'Min del' }).click();
    await mia.getByRole('heading', { level: 1, name: 'Min del' }).waitFor();
    await mia.getByLabel('Det jeg vil si').fill('Jeg vil selv snakke med legen.');
    await mia.getByRole('button', { name: 'Lagre mine ord' }).click();
    await mia.getByText('Ordene dine er lagret.').waitFor();
    // "Lag mitt eget veikart" is in her app (before 18, with the owners' leave).
    await mia.getByRole('link', { name: 'Lag mitt eget veikart' }).click();
    await mia.getByRole('heading', { level: 1, name: 'Lag mitt eget veikart' }).waitFor();
    await visit(kari, `${server.url}/#/roadmaps/${id}/areas/health`, 'Helse');
    await kari.getByText('Jeg vil selv snakke med legen.').waitFor();
  });

  test('she says no to sharing her health area with NAV, and the grant form shows it', async () => {
    await visit(kari, `${server.url}/#/roadmaps/${id}/members`, 'Husstanden i appen');
    const card = kari.getByRole('article').filter({ hasText: 'Mia' });
    await card.getByLabel('Område').selectOption({ label: 'Helse' });
    await card.getByLabel('Til').selectOption({ label: 'deling med NAV Sola' });
    await card.getByRole('button', { name: 'Spør Mia' }).click();
    await kari.getByText('Mia er spurt.').waitFor();

    await visit(mia, `${server.url}/#/roadmaps/${id}/members`, 'Min del');
    await mia.getByText('Familien spør om Helse kan brukes til deling med NAV Sola. Er det greit for deg?').waitFor();
    await checkA11y(mia, 'the member\'s own screen');
    await mia.getByRole('listitem').filter({ hasText: 'Er det greit for deg?' }).getByRole('button', { name: /^Nei/ }).click();
    await mia.getByText('Du sa nei. Det som handler om deg deles ikke.').waitFor();
    await mia.getByText('Helse, deling med NAV Sola: nei').waitFor();

    await visit(kari, `${server.url}/#/roadmaps/${id}/sharing/new`, 'Gi en tjeneste tilgang');
    await kari.getByLabel('Hvem skal få se?').selectOption({ label: 'NAV Sola' });
    const health = kari.getByRole('group', { name: 'Helse' });
    await health.getByText('Mia har sagt nei til dette. Området kan ikke deles med denne tjenesten.').waitFor();
    assert.equal(await health.getByRole('checkbox', { name: 'Det vi har skrevet' }).isDisabled(), true);
    assert.equal(await health.getByRole('checkbox', { name: 'Stegene våre' }).isDisabled(), true);
    await checkA11y(kari, 'the grant form with a missing yes');

    // Nor can the grant include it by going round the form: the server
    // refuses it, from Kari's own session.
    const refused = await kari.evaluate(async ([rid]) => {
      const api = await import('/js/api.js');
      try {
        await api.call('POST', `/roadmaps/${rid}/grants`, {
          agencyId: 'nav-sola', sections: ['area:health'], permissions: ['view'], purpose: 'Helse', expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
        });
        return 'granted';
      } catch (e) { return `${e.status} ${e.message}`; }
    }, [id]);
    assert.match(refused, /^403 .*Mia said no/);
    // The rest can be shared.
    await kari.getByRole('group', { name: 'Bolig' }).getByRole('checkbox', { name: 'Det vi har skrevet' }).check();
    await kari.getByLabel('Hvorfor får de tilgang?').fill('Hjelp med bolig');
    await kari.getByRole('button', { name: 'Gi tilgang' }).click();
    await kari.getByRole('heading', { level: 1, name: 'Hvem ser hva' }).waitFor();

    // The poster: her name waits for her own yes, which the owners ask for.
    await visit(kari, `${server.url}/#/roadmaps/${id}/poster`, 'Plakat');
    await kari.getByText('Helse: Mia har ikke sagt ja ennå.').waitFor();
    assert.equal(await kari.getByRole('checkbox', { name: /Mia/ }).count(), 0, 'the owners tick her yes');
    await kari.getByRole('button', { name: 'Spør Mia' }).click();
    await kari.getByText('Helse: Venter på ja fra Mia.').waitFor();
    await visit(mia, `${server.url}/#/roadmaps/${id}/members`, 'Min del');
    await mia.getByText('Familien spør om Helse kan brukes til plakaten. Er det greit for deg?').waitFor();
    await mia.getByRole('listitem').filter({ hasText: 'plakaten' }).getByRole('button', { name: /^Ja/ }).click();
    await mia.getByText('Du sa ja.').waitFor();
    await visit(kari, `${server.url}/#/roadmaps/${id}/poster`, 'Plakat');
    await kari.getByText('Mia har sagt ja til å stå på plakaten med navn.').waitFor();

    // Receipts: her joining and her no.
    await visit(kari, `${server.url}/#/roadmaps/${id}/receipts`, 'Kvitteringer');
    await kari.getByText(/Mia ble med i appen med egen konto/).waitFor();
    await kari.getByText(/Mia sa nei til Helse for NAV Sola/).waitFor();
  });

  // Her screen and the owners' in Arabic (right to left) at 360 px, and at
  // 200 % zoom (180 CSS px) in Arabic and bokmål: nothing scrolls sideways,
  // and axe finds nothing.
  test('the screens in Arabic at 360 px and at 200 % zoom', async () => {
    for (const page of [mia, kari]) {
      for (const [lang, width] of [['ar', 360], ['ar', 180], ['nb', 180]]) {
        await page.evaluate((l) => localStorage.setItem('veikart.lang', l), lang);
        await page.setViewportSize({ width, height: 780 });
        await page.goto(`${server.url}/#/roadmaps/${id}/members`);
        await page.reload();
        await page.locator(`html[lang="${lang}"] main h1`).waitFor();
        await page.locator('main h2').first().waitFor();
        await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 300))));
        const got = await page.evaluate(() => ({ wide: document.documentElement.scrollWidth > document.documentElement.clientWidth + 1, dir: document.documentElement.dir }));
        assert.ok(!got.wide, `${lang} at ${width} px scrolls sideways`);
        assert.equal(got.dir, lang === 'ar' ? 'rtl' : 'ltr');
        await checkA11y(page, `the household screen (${lang}, ${width} px)`);
      }
      await page.evaluate(() => localStorage.setItem('veikart.lang', 'nb'));
      await page.setViewportSize({ width: 412, height: 915 });
    }
  });

  test('no errors in the console', () => {
    assertNoErrors(kari, refusals);
    assertNoErrors(per);
    assertNoErrors(mia);
  });
});
