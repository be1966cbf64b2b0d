// A lost phone, and the way back in without letting a caseworker take the
// account over. Amina has no national eID: her account's only way in is the
// passkey on her phone. She lets NAV Sola help her back in, on her grant to
// it. Nina, a caseworker there, makes a code for a new phone; the new phone
// registers a passkey with it and waits (15 seconds here, VEIKART_RECOVERY_WAIT;
// three days in service) while Amina's old phone warns her, names Nina and
// NAV Sola, and lets her stop it. The second time nobody stops it: after the
// wait the new phone signs in as Amina and the old one is signed out. The
// agency's administrator sees every code made. Each phone is a browser
// context with its own virtual platform authenticator (DevTools' WebAuthn
// domain); WebAuthn refuses IP addresses, so the server is localhost.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, freePort, devLogin, createAgency, addStaff, apiUserId, repoRoot } from '../lib/server.mjs';
import { assertNoErrors, checkA11y, launch, newPage, phone, withAuthenticator } from '../lib/browser.mjs';
import { signIn, createRoadmap, settled, visit } from '../lib/app.mjs';

const ar = JSON.parse(readFileSync(join(repoRoot, 'pwa', 'i18n', 'ar.json'), 'utf8'));
const wait = 15_000; // VEIKART_RECOVERY_WAIT

const choiceNav = 'NAV Sola kan hjelpe meg inn igjen hvis jeg mister telefonen';

// When the new phone may sign in, and how the app words it in bokmål.
function waitingFor(page) {
  return page.evaluate(() => {
    const w = JSON.parse(localStorage.getItem('veikart.waiting'));
    const fmt = new Intl.DateTimeFormat('nb', { day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' });
    return { at: Date.parse(w.effectiveAt), text: fmt.format(new Date(w.effectiveAt)) };
  });
}

describe('recovery after a lost phone', () => {
  let server, browser, nina, amina, fresh, keyA, keyB, url, id, code;

  before(async () => {
    const port = await freePort();
    server = await startServer({
      env: { VEIKART_ADDR: `127.0.0.1:${port}`, VEIKART_PUBLIC_URL: `http://localhost:${port}`, VEIKART_RECOVERY_WAIT: `${wait / 1000}s` },
    });
    url = server.url;
    await createAgency(server, { id: 'nav-sola', name: 'NAV Sola', kind: 'nav', region: 'Rogaland' });
    await devLogin(url, 'Nina Caseworker');
    await addStaff(server, 'nav-sola', apiUserId('Nina Caseworker'), 'caseworker');
    await devLogin(url, 'Siri Admin');
    await addStaff(server, 'nav-sola', apiUserId('Siri Admin'), 'admin');
    browser = await launch();
    nina = await newPage(browser);
    amina = await newPage(browser);
    keyA = await withAuthenticator(amina);
    fresh = await newPage(browser);
    keyB = await withAuthenticator(fresh);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  // Nina makes a code for a new phone on Amina's shared roadmap and reads
  // its address off the screen.
  async function newPhoneCode() {
    await visit(nina, `${url}/#/roadmaps/${id}`, 'Familien Hassan');
    const part = nina.getByRole('region', { name: 'Ny telefon?' });
    await part.getByRole('button', { name: 'Lag kode for ny telefon for Amina' }).click();
    await nina.getByRole('img', { name: 'QR-kode som Amina setter opp Veikart på en ny telefon med' }).waitFor();
    const code = (await part.locator('figure code').textContent()).trim();
    assert.match(code, new RegExp(`^${url}/#/enrol/[A-Za-z0-9_-]{32}$`));
    return code;
  }

  // The new phone opens the code and makes its passkey: no name to fill in
  // (the account is Amina's), and no sign-in.
  async function registerNewPhone(code) {
    await visit(fresh, code, 'Lag en passnøkkel');
    await fresh.getByText(/For å beskytte kontoen din kan den ikke brukes med en gang/).waitFor();
    assert.equal(await fresh.getByLabel('Navnet ditt').count(), 0);
    await fresh.getByRole('button', { name: 'Lag passnøkkel' }).click();
    await fresh.getByRole('heading', { level: 1, name: 'Passnøkkelen er laget' }).waitFor();
    assert.equal(await fresh.evaluate(() => location.hash), '#/waiting');
    return waitingFor(fresh);
  }

  test('Amina makes a passkey, a roadmap, and lets NAV Sola help her back in', async () => {
    await signIn(nina, url, 'Nina Caseworker');
    // Staff of one agency land on its shared list, acting for it.
    await nina.getByRole('heading', { level: 1, name: 'Delt med oss' }).waitFor();
    await nina.getByRole('link', { name: 'Lag kode for passnøkkel' }).click();
    await nina.getByLabel('Personens navn').fill('Amina Hassan');
    await nina.getByRole('button', { name: 'Lag kode' }).click();
    const first = (await nina.locator('figure code').textContent()).trim();

    await visit(amina, first, 'Lag en passnøkkel');
    await amina.getByLabel('Navnet ditt').fill('Amina');
    await amina.getByRole('button', { name: 'Lag passnøkkel' }).click();
    await amina.getByRole('heading', { level: 1, name: 'Våre veikart' }).waitFor();
    assert.equal((await keyA.credentials()).length, 1);
    id = await createRoadmap(amina, 'Familien Hassan', [{ name: 'Amina' }, { name: 'Yusuf', child: true }]);
    await settled(amina);

    await visit(amina, `${url}/#/roadmaps/${id}/sharing/new`, 'Gi en tjeneste tilgang');
    // Off by default, and named after the agency once one is chosen.
    const choice = amina.getByRole('checkbox', { name: /kan hjelpe meg inn igjen hvis jeg mister telefonen$/ });
    assert.equal(await choice.isChecked(), false);
    await amina.getByLabel('Hvem skal få se?', { exact: true }).selectOption({ label: 'NAV Sola' });
    await amina.getByRole('group', { name: 'Bolig' }).getByRole('checkbox', { name: 'Det vi har skrevet' }).check();
    await amina.getByLabel('Hvorfor får de tilgang?').fill('Hjelp til å finne bolig');
    const help = amina.getByRole('checkbox', { name: choiceNav });
    await help.check();
    assert.match(await help.getAttribute('aria-describedby').then((hid) => amina.locator(`#${hid}`).textContent()), /kan stoppe det i tre dager/);
    await checkA11y(amina, 'the grant form with the new-phone choice');
    await amina.getByRole('button', { name: 'Gi tilgang' }).click();
    await amina.getByRole('heading', { level: 1, name: 'Hvem ser hva' }).waitFor();

    // On the grant, the choice can be changed later.
    const card = amina.getByRole('listitem').filter({ hasText: 'NAV Sola' });
    const toggle = card.getByRole('checkbox', { name: choiceNav });
    assert.equal(await toggle.isChecked(), true);
    await checkA11y(amina, 'sharing with the new-phone choice');
    await toggle.uncheck();
    await amina.getByText('NAV Sola kan ikke lenger hjelpe deg inn igjen.').waitFor();
    await amina.reload();
    assert.equal(await amina.getByRole('checkbox', { name: choiceNav }).isChecked(), false);
    await amina.getByRole('checkbox', { name: choiceNav }).check();
    await amina.getByText('NAV Sola kan nå hjelpe deg inn igjen hvis du mister telefonen.').waitFor();
    assertNoErrors(amina);
  });

  test('an account with another way in is not offered the choice', async () => {
    // Kari signs in with the development login (like ID-porten, a way in
    // of its own): no agency is ever a way into her account.
    const kari = await newPage(browser);
    await signIn(kari, url, 'Kari Haugen');
    const kid = await createRoadmap(kari, 'Familien Haugen', [{ name: 'Kari' }]);
    await settled(kari);
    await visit(kari, `${url}/#/roadmaps/${kid}/sharing/new`, 'Gi en tjeneste tilgang');
    await kari.getByLabel('Hvem skal få se?', { exact: true }).waitFor();
    assert.equal(await kari.getByRole('checkbox', { name: /hjelpe meg inn igjen/ }).count(), 0);
    assertNoErrors(kari);
    await kari.context().close();
  });

  test('Nina sees Amina under "Ny telefon?" and makes a code', async () => {
    await visit(nina, `${url}/#/roadmaps/${id}`, 'Familien Hassan');
    const part = nina.getByRole('region', { name: 'Ny telefon?' });
    await part.getByText(/Koden virker én gang, i 30 minutter/).waitFor();
    await checkA11y(nina, "the caseworker's roadmap with the new-phone part");
    code = await newPhoneCode();
    await part.getByText(/^Koden virker til /).waitFor();
    await part.getByText(/Den nye telefonen må vente i tre dager/).waitFor();
    await checkA11y(nina, 'the code for a new phone');
    assertNoErrors(nina);
  });

  test('the new phone registers, waits, and may not sign in yet', async () => {
    const until = await registerNewPhone(code);
    assert.ok(until.at > Date.now(), 'the wait is not over already');
    await fresh.getByText(`Du kan bruke Veikart på denne telefonen fra ${until.text}.`).waitFor();
    await fresh.getByText(/har fått beskjed om dette/).waitFor();
    await fresh.getByText(`Etter ${until.text}: åpne Veikart og trykk «Logg inn med passnøkkel».`).waitFor();
    // Right away: refused, in plain words.
    await fresh.getByRole('button', { name: 'Logg inn med passnøkkel' }).click();
    await fresh.getByText(`Denne telefonen kan ikke brukes ennå. Du kan logge inn fra ${until.text}.`).waitFor();
    assert.ok(Date.now() < until.at, 'the refusal came before the wait was over');
    await checkA11y(fresh, 'the waiting screen');
    assert.equal((await keyB.credentials()).length, 1);
    // The start screen says it too.
    await visit(fresh, `${url}/#/`, 'Logg inn');
    await fresh.getByText(`Denne telefonen kan brukes fra ${until.text}.`).waitFor();
    assertNoErrors(fresh, [/status of 403/]);
  });

  test("Amina's old phone names NAV Sola and Nina, on the start screen and in the settings", async () => {
    await visit(amina, `${url}/#/`, 'Våre veikart');
    const banner = amina.getByRole('alert', { name: 'En ny telefon venter på kontoen din' });
    await banner.getByText(/^Noen setter opp Veikart på en ny telefon for deg \(NAV Sola, Nina Caseworker\)\. Den kan brukes fra /).waitFor();
    await banner.getByText('Var det ikke deg? Stopp det.').waitFor();
    await checkA11y(amina, 'the start screen with the new-phone warning');

    await amina.getByRole('link', { name: 'Innstillinger' }).click();
    await amina.getByRole('heading', { level: 1, name: 'Innstillinger' }).waitFor();
    await amina.getByRole('alert', { name: 'En ny telefon venter på kontoen din' }).waitFor();
    await amina.getByRole('link', { name: 'Sikkerhet' }).click();
    await amina.getByRole('heading', { level: 1, name: 'Sikkerhet' }).waitFor();
    await amina.getByRole('alert', { name: 'En ny telefon venter på kontoen din' }).getByRole('button', { name: 'Stopp' }).waitFor();
    const log = amina.locator('ol.log');
    await log.getByText(/^Nina Caseworker i NAV Sola laget en kode for å sette opp en ny telefon, \d/).waitFor();
    await log.getByText(/^En ny telefon ble satt opp med koden fra Nina Caseworker i NAV Sola, \d/).waitFor();
    await log.getByText(/^Du logget inn med passnøkkel, \d/).waitFor();
    await checkA11y(amina, 'the security screen');

    // The roadmap's access log names the caseworker too.
    await visit(amina, `${url}/#/roadmaps/${id}/log`, 'Hvem har lest hva');
    await amina.getByText(/^Nina Caseworker i NAV Sola laget en kode for å sette opp Veikart på en ny telefon for en av eierne \d/).waitFor();
    assertNoErrors(amina);
  });

  test('in Arabic the warning and the security screen are mirrored and fit a small phone', async () => {
    await amina.setViewportSize({ width: 360, height: 780 });
    await visit(amina, `${url}/#/settings`, 'Innstillinger');
    await amina.getByRole('radio', { name: 'العربية' }).check();
    await amina.locator('html[lang="ar"][dir="rtl"]').waitFor({ state: 'attached' });
    const layout = () => amina.evaluate(() => {
      const box = (el) => { const r = el.getBoundingClientRect(); return { left: r.left, right: r.right }; };
      const alert = document.querySelector('main [role=alert]');
      const h2 = alert.querySelector('h2');
      const range = document.createRange();
      range.selectNodeContents(h2);
      return {
        scroll: document.documentElement.scrollWidth, width: innerWidth,
        direction: getComputedStyle(alert).direction,
        alert: box(alert), button: box(alert.querySelector('button')), h2: box(h2), h2Text: box(range),
        stripe: { left: parseFloat(getComputedStyle(alert).borderLeftWidth), right: parseFloat(getComputedStyle(alert).borderRightWidth) },
      };
    });
    const mirrored = (got, where) => {
      assert.ok(got.scroll <= got.width, `${where}: ${got.scroll} px wide in a ${got.width} px screen`);
      assert.equal(got.direction, 'rtl');
      // The heading starts on the right, the button stands on the right,
      // the warning's stripe is on the right.
      assert.ok(Math.abs(got.h2Text.right - got.h2.right) < 2, `${where}: heading flush right ${JSON.stringify(got)}`);
      assert.ok(got.button.right > (got.alert.left + got.alert.right) / 2, `${where}: button on the right ${JSON.stringify(got)}`);
      assert.ok(got.stripe.right > got.stripe.left, `${where}: stripe on the right ${JSON.stringify(got)}`);
    };

    await visit(amina, `${url}/#/`, ar['home.title']);
    const banner = amina.getByRole('alert', { name: ar['recovery.title'] });
    await banner.getByRole('button', { name: ar['recovery.stop'] }).waitFor();
    assert.match(await banner.textContent(), /NAV Sola.*Nina Caseworker/);
    mirrored(await layout(), 'the start screen');
    await checkA11y(amina, 'the start screen with the warning, in Arabic');

    await visit(amina, `${url}/#/settings/security`, ar['security.title']);
    await amina.locator('ol.log li').first().waitFor();
    mirrored(await layout(), 'the security screen');
    const list = await amina.evaluate(() => {
      const cs = getComputedStyle(document.querySelector('ol.log'));
      return { left: parseFloat(cs.paddingLeft), right: parseFloat(cs.paddingRight) };
    });
    assert.ok(list.right > list.left, `the list's numbers on the right: ${JSON.stringify(list)}`);
    assert.match(await amina.locator('ol.log').textContent(), /Nina Caseworker/);
    await checkA11y(amina, 'the security screen, in Arabic');

    await visit(amina, `${url}/#/settings`, ar['settings.title']);
    await amina.getByRole('radio', { name: 'Norsk bokmål' }).check();
    await amina.locator('html[lang="nb"][dir="ltr"]').waitFor({ state: 'attached' });
    await amina.setViewportSize(phone.viewport);
    assertNoErrors(amina);
  });

  test('Amina stops it: the new phone does not get in', async () => {
    await visit(amina, `${url}/#/settings/security`, 'Sikkerhet');
    await amina.getByRole('button', { name: 'Stopp' }).click();
    const dialog = amina.getByRole('dialog', { name: 'Stoppe den nye telefonen?' });
    await dialog.getByText(/be NAV Sola om en ny kode/).waitFor();
    await checkA11y(amina, 'stopping the new phone');
    await dialog.getByRole('button', { name: 'Stopp den nye telefonen' }).click();
    await amina.getByText('Stoppet. Den nye telefonen kommer ikke inn.').waitFor();
    await amina.getByRole('alert', { name: 'En ny telefon venter på kontoen din' }).waitFor({ state: 'detached' });
    await amina.locator('ol.log').getByText(/^Den nye telefonen ble stoppet, \d/).waitFor();
    await visit(amina, `${url}/#/`, 'Våre veikart');
    await amina.getByRole('link', { name: /Familien Hassan/ }).waitFor();
    assert.equal(await amina.getByRole('alert').count(), 0);
    assertNoErrors(amina);

    // The stopped phone's passkey signs nobody in, even after the wait.
    const { at } = await waitingFor(fresh);
    await new Promise((r) => setTimeout(r, Math.max(0, at - Date.now() + 500)));
    await visit(fresh, `${url}/#/`, 'Logg inn');
    await fresh.getByRole('button', { name: 'Logg inn med passnøkkel' }).click();
    await fresh.getByText(/Passnøkkelen kunne ikke godkjennes/).waitFor();
    assertNoErrors(fresh, [/status of 40[13]/]);
  });

  test('the second time nobody stops it: after the wait the new phone is Amina\'s, and the old one is signed out', async () => {
    const until = await registerNewPhone(await newPhoneCode());
    await visit(amina, `${url}/#/`, 'Våre veikart');
    await amina.getByRole('alert', { name: 'En ny telefon venter på kontoen din' }).waitFor();

    // The wait ends; the new phone signs in with its passkey alone.
    await new Promise((r) => setTimeout(r, Math.max(0, until.at - Date.now() + 500)));
    await visit(fresh, `${url}/#/`, 'Logg inn');
    assert.equal(await fresh.getByText(/Denne telefonen kan brukes fra/).count(), 0, 'no waiting note once the wait is over');
    await fresh.getByRole('button', { name: 'Logg inn med passnøkkel' }).click();
    await fresh.getByRole('heading', { level: 1, name: 'Våre veikart' }).waitFor();
    await fresh.getByRole('link', { name: /Familien Hassan/ }).waitFor();
    await visit(fresh, `${url}/#/settings/security`, 'Sikkerhet');
    await fresh.locator('ol.log').getByText(/^Den nye telefonen ble tatt i bruk, og de andre enhetene ble logget ut, \d/).waitFor();
    assert.equal(await fresh.getByRole('alert').count(), 0);

    // The old phone's next request finds its session gone.
    const end = Date.now() + 30_000;
    for (;;) {
      await amina.reload();
      const out = amina.getByRole('heading', { level: 1, name: 'Logg inn' });
      if (await out.waitFor({ timeout: 3_000 }).then(() => true, () => false)) break;
      if (Date.now() > end) throw new Error('the old phone is still signed in');
    }
    assertNoErrors(amina, [/status of 401/]);
    assertNoErrors(fresh, [/status of 40[13]/]);
  });

  test("the agency's administrator sees every code: when, by whom, for whom", async () => {
    const siri = await newPage(browser);
    await signIn(siri, url, 'Siri Admin');
    // An administrator who is no caseworker reads nothing shared: her one
    // agency's screen, where she lands, has the codes only.
    await siri.getByRole('heading', { level: 1, name: 'NAV Sola' }).waitFor();
    await checkA11y(siri, "an administrator's agency screen");
    await siri.getByRole('link', { name: 'Koder for ny telefon' }).click();
    await siri.getByRole('heading', { level: 1, name: 'Koder for ny telefon' }).waitFor();
    const lines = siri.locator('ol.log li');
    await lines.first().waitFor();
    const texts = await lines.allTextContents();
    assert.equal(texts.length, 2, texts.join('\n'));
    for (const line of texts) assert.match(line, /^\d{1,2}\. \S+ \d{4} kl\. \d{2}:\d{2} – Nina Caseworker laget kode for Amina$/);
    await checkA11y(siri, 'the codes for a new phone');
    assertNoErrors(siri);
    await siri.context().close();
  });
});
