// The installable app: the manifest, "ready to work offline" on the first
// visit, "update available" when a new release is out (taken only when the
// person says so), and reminders shown by the service worker in the
// person's language, leading to the step.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer, repoRoot } from '../lib/server.mjs';
import { startProxy } from '../lib/proxy.mjs';
import { assertNoErrors, checkA11y, launch, newPage } from '../lib/browser.mjs';
import { signIn, createRoadmap, offlineReady, visit, openArea, addStep, settled } from '../lib/app.mjs';
import { dayISO, dayOslo } from '../lib/dates.mjs';

// notification waits up to ten seconds for the service worker to show the
// notification tagged tag, and returns its title, text and address.
async function notification(page, tag) {
  for (const end = Date.now() + 10_000; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
    const shown = await page.evaluate(async (t) => {
      const n = (await (await navigator.serviceWorker.ready).getNotifications({ tag: t }))[0];
      return n && { title: n.title, body: n.body, url: n.data.url };
    }, tag);
    if (shown) return shown;
  }
  return null;
}

describe('the installed app', () => {
  let server, proxy, browser, page;

  before(async () => {
    server = await startServer();
    proxy = await startProxy(server.url);
    browser = await launch();
    page = await newPage(browser);
  });

  after(async () => {
    await browser?.close();
    await proxy?.stop();
    await server?.stop();
  });

  test('is installable: a manifest with icons the server has', async () => {
    await page.goto(proxy.url + '/');
    const href = await page.locator('link[rel=manifest]').getAttribute('href');
    const manifest = await (await fetch(new URL(href, proxy.url))).json();
    assert.equal(manifest.display, 'standalone');
    assert.equal(manifest.start_url, '/#/');
    const sizes = manifest.icons.map((i) => i.sizes);
    assert.ok(sizes.includes('192x192') && sizes.includes('512x512'), `icon sizes ${sizes}`);
    assert.ok(manifest.icons.some((i) => i.purpose === 'maskable'));
    for (const icon of manifest.icons) {
      const res = await fetch(new URL(icon.src, proxy.url));
      assert.equal(res.status, 200, icon.src);
      assert.equal(res.headers.get('content-type'), icon.type);
    }
  });

  test('says once that it is ready to work offline', async () => {
    await page.getByText('Veikart er klar til å brukes uten nett.').waitFor();
    await offlineReady(page);
  });

  test('offers a new release, and takes it only when asked', async () => {
    await signIn(page, proxy.url, 'Siri');
    // A new release: the service worker the server sends has changed.
    proxy.rewrite(/^GET \/sw\.js/, (body) => body.replace(/const VERSION = "([0-9a-f]+)"/, 'const VERSION = "$1-next"'));
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).update());
    const offer = page.getByRole('status').filter({ hasText: 'En ny versjon av Veikart er klar.' });
    await offer.waitFor();
    // Nothing changed under the person's fingers.
    assert.equal(await page.evaluate(() => navigator.serviceWorker.controller.scriptURL.endsWith('/sw.js')), true);
    await Promise.all([
      page.waitForEvent('load'),
      offer.getByRole('button', { name: 'Oppdater nå' }).click(),
    ]);
    const version = await page.evaluate(() => new Promise((ok) => {
      navigator.serviceWorker.addEventListener('message', (e) => ok(e.data.version), { once: true });
      navigator.serviceWorker.controller.postMessage('version');
    }));
    assert.match(version, /-next$/);
    proxy.rewrite(null);
  });

  test('shows a reminder in the chosen language, leading to the step', async () => {
    await page.context().grantPermissions(['notifications'], { origin: proxy.url });
    await visit(page, `${proxy.url}/#/`, 'Våre veikart');
    const id = await createRoadmap(page, 'Familien Lie', [{ name: 'Siri' }]);
    await openArea(page, 'Helse');
    await addStep(page, { title: 'Time hos tannlegen', due: dayISO(5) });
    await settled(page);
    const stepId = await page.getByRole('link', { name: 'Time hos tannlegen' }).getAttribute('href').then((h) => h.split('/').pop());

    // Choose nynorsk, as a person would.
    await visit(page, `${proxy.url}/#/settings`, 'Innstillinger');
    await page.getByRole('radio', { name: 'Norsk nynorsk' }).check();
    await page.waitForFunction(() => document.documentElement.lang === 'nn');

    // What the server sends (backend/remind), delivered as the push service
    // would; DevTools can do that, no push service reaches this machine.
    // Tomorrow where the phone lives: the app counts days in Oslo.
    const payload = JSON.stringify({ title: 'Veikart', body: 'Du har et steg i Veikart i morgen.', days: 1, due: dayOslo(1), url: `/#/roadmaps/${id}/steps/${stepId}`, tag: 't1' });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('ServiceWorker.enable');
    const registrationId = await new Promise((ok) => {
      cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
        const r = registrations.find((x) => !x.isDeleted && x.scopeURL.startsWith(proxy.url));
        if (r) ok(r.registrationId);
      });
    });
    await cdp.send('ServiceWorker.deliverPushMessage', { origin: proxy.url, registrationId, data: payload });
    let shown = await notification(page, 't1');
    const nn = JSON.parse(await readFile(join(repoRoot, 'pwa/i18n/nn.json'), 'utf8'));
    assert.deepEqual(shown, { title: 'Veikart', body: nn['push.tomorrow'], url: `/#/roadmaps/${id}/steps/${stepId}` });
    // The address the notification opens shows the step.
    await page.goto(proxy.url + shown.url);
    await page.getByLabel(nn['step.title']).waitFor();
    assert.equal(await page.getByLabel(nn['step.title']).inputValue(), 'Time hos tannlegen');

    // An alert about the account (a new phone waiting to take it over, from
    // backend/remind/alerts.go): as discreet, in nynorsk too, and it opens
    // the security screen.
    const alert = JSON.stringify({
      title: 'Veikart', kind: 'security', alert: 'recovery', body: 'Noe skjer med kontoen din i Veikart. Åpne appen.',
      url: '/#/settings/security', tag: 'security-recovery',
    });
    await cdp.send('ServiceWorker.deliverPushMessage', { origin: proxy.url, registrationId, data: alert });
    shown = await notification(page, 'security-recovery');
    assert.deepEqual(shown, { title: 'Veikart', body: nn['push.security'], url: '/#/settings/security' });
    await page.goto(proxy.url + shown.url);
    await page.getByRole('heading', { level: 1, name: nn['security.title'] }).waitFor();

    // A transition's checklist line not confirmed 3 days before (to the
    // agency and the coordinator): as discreet, in nynorsk.
    const line = JSON.stringify({ title: 'Veikart', kind: 'checklist', body: 'Noe må avklares i Veikart før en overgang.', url: `/#/roadmaps/${id}`, tag: 'cl-1' });
    await cdp.send('ServiceWorker.deliverPushMessage', { origin: proxy.url, registrationId, data: line });
    assert.deepEqual(await notification(page, 'cl-1'), { title: 'Veikart', body: nn['push.checklist'], url: `/#/roadmaps/${id}` });

    // Sent yesterday as "tomorrow", held by the push service while the
    // phone was off overnight, shown today: it says "today".
    const late = JSON.stringify({ title: 'Veikart', body: 'Du har et steg i Veikart i morgen.', days: 1, due: dayOslo(0), url: `/#/roadmaps/${id}/steps/${stepId}`, tag: 't2' });
    await cdp.send('ServiceWorker.deliverPushMessage', { origin: proxy.url, registrationId, data: late });
    assert.equal((await notification(page, 't2'))?.body, nn['push.today']);
    assertNoErrors(page);
  });
});

describe('signed-in devices', () => {
  let server, browser;

  before(async () => {
    server = await startServer();
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('a lost phone is signed out from another device', async () => {
    const phone = await newPage(browser);
    const laptop = await newPage(browser);
    await signIn(phone, server.url, 'Mona');
    await signIn(laptop, server.url, 'Mona');
    await visit(laptop, `${server.url}/#/settings/devices`, 'Innlogget på');
    const others = laptop.getByRole('button', { name: /^Logg ut\s*:/ });
    assert.equal(await others.count(), 1, 'one other device');
    await checkA11y(laptop, 'the devices screen');
    await others.click();
    await laptop.getByText('Enheten er logget ut.').waitFor();
    // The phone's next request finds its session ended: back to sign-in.
    await phone.reload();
    await phone.getByRole('heading', { level: 1, name: 'Logg inn' }).waitFor();
    assertNoErrors(laptop);
    assertNoErrors(phone, [/status of 401/]);
  });
});
