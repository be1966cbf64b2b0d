// Passkeys for a person without a national eID: at a home visit the
// caseworker makes a one-time code; on her own phone (Chromium with a
// virtual platform authenticator, as a phone's fingerprint reader) the
// person opens it, makes a passkey and is signed in; she signs out and signs
// in again with the passkey alone. WebAuthn refuses IP addresses as the
// site's name, so the server is reached as localhost here.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, freePort, devLogin, createAgency, addStaff, apiUserId } from '../lib/server.mjs';
import { assertNoErrors, checkA11y, launch, newPage, withAuthenticator } from '../lib/browser.mjs';
import { signIn, visit } from '../lib/app.mjs';

// A code used once is refused, and the browser logs the 404.
const refusals = [/status of 404/];

describe('passkeys', () => {
  let server, browser, nina, phone, key, url;

  before(async () => {
    const port = await freePort();
    server = await startServer({ env: { VEIKART_ADDR: `127.0.0.1:${port}`, VEIKART_PUBLIC_URL: `http://localhost:${port}` } });
    assert.match(server.url, /^http:\/\/localhost:/);
    await createAgency(server, { id: 'nav-sola', name: 'NAV Sola', kind: 'nav', region: 'Rogaland' });
    await devLogin(server.url, 'Nina Caseworker');
    await addStaff(server, 'nav-sola', apiUserId('Nina Caseworker'), 'caseworker');
    browser = await launch();
    nina = await newPage(browser);
    phone = await newPage(browser);
    key = await withAuthenticator(phone);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('the caseworker makes a one-time code, shown as a QR code', async () => {
    await signIn(nina, server.url, 'Nina Caseworker');
    // Staff of one agency land on its shared list, acting for it.
    await nina.getByRole('heading', { level: 1, name: 'Delt med oss' }).waitFor();
    await nina.getByRole('link', { name: 'Lag kode for passnøkkel' }).click();
    await nina.getByRole('heading', { level: 1, name: 'Kode for passnøkkel' }).waitFor();
    await checkA11y(nina, 'the enrolment code form');
    await nina.getByLabel('Personens navn').fill('Amina Hassan');
    await nina.getByRole('button', { name: 'Lag kode' }).click();
    const qr = nina.getByRole('img', { name: 'QR-kode som Amina Hassan lager passnøkkel med' });
    await qr.waitFor();
    url = (await nina.locator('figure code').textContent()).trim();
    assert.match(url, new RegExp(`^${server.url}/#/enrol/[A-Za-z0-9_-]{32}$`));
    await nina.getByText(/Koden virker til/).waitFor();
    await checkA11y(nina, 'the enrolment code');
    assertNoErrors(nina);
  });

  test('the person makes a passkey on her own phone and is signed in', async () => {
    await visit(phone, url, 'Lag en passnøkkel');
    const name = phone.getByLabel('Navnet ditt');
    assert.equal(await name.inputValue(), 'Amina Hassan');
    await checkA11y(phone, 'the enrolment screen');
    await name.fill('Amina');
    await phone.getByRole('button', { name: 'Lag passnøkkel' }).click();
    await phone.getByRole('heading', { level: 1, name: 'Våre veikart' }).waitFor();
    await phone.getByText('Passnøkkelen er laget. Du er logget inn.').waitFor();
    const creds = await key.credentials();
    assert.equal(creds.length, 1);
    assert.equal(creds[0].isResidentCredential, true);
    assert.equal(creds[0].rpId, 'localhost');

    await visit(phone, `${server.url}/#/settings`, 'Innstillinger');
    await phone.getByText('Logget inn som Amina.').waitFor();
    await phone.getByRole('link', { name: 'Passnøkler' }).click();
    await phone.getByRole('heading', { level: 1, name: 'Passnøkler' }).waitFor();
    await phone.locator('li strong', { hasText: 'Telefon' }).waitFor();
    await phone.getByText(/^Laget /).waitFor();
    await checkA11y(phone, 'the passkeys in the settings');
    // The only passkey of a person with no other way in stays.
    await phone.getByRole('button', { name: 'Fjern Telefon' }).click();
    await phone.getByRole('dialog').getByRole('button', { name: 'Fjern' }).click();
    await phone.getByText(/Dette er den eneste passnøkkelen din/).waitFor();
    assertNoErrors(phone, [/status of 409/]);
  });

  test('the code works once', async () => {
    const other = await newPage(browser);
    await withAuthenticator(other);
    await visit(other, url, 'Lag en passnøkkel');
    await other.getByText(/Koden virker ikke/).waitFor();
    await checkA11y(other, 'a used code');
    assertNoErrors(other, refusals);
    await other.context().close();
  });

  test('she signs out, and signs in with the passkey alone', async () => {
    await visit(phone, `${server.url}/#/settings`, 'Innstillinger');
    await phone.getByRole('button', { name: 'Logg ut og slett fra telefonen' }).click();
    await phone.getByRole('heading', { level: 1, name: 'Logg inn' }).waitFor();
    const button = phone.getByRole('button', { name: 'Logg inn med passnøkkel' });
    await button.waitFor();
    await checkA11y(phone, 'the sign-in screen with passkeys');
    await button.click();
    await phone.getByRole('heading', { level: 1, name: 'Våre veikart' }).waitFor();
    await visit(phone, `${server.url}/#/settings`, 'Innstillinger');
    await phone.getByText('Logget inn som Amina.').waitFor();
    await phone.getByRole('link', { name: 'Passnøkler' }).click();
    await phone.getByText(/^Sist brukt /).waitFor();
    const creds = await key.credentials();
    assert.equal(creds.length, 1);
    assert.ok(creds[0].signCount >= 2, `sign count ${creds[0].signCount}`);
    assertNoErrors(phone, [/status of 409/]);
  });
});
