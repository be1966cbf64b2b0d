// Messages between a household and NAV, both ways, in two browser
// contexts: the family writes, the caseworker's phone gets a discreet push
// through a real (local) push service, sees the unread count, reads and
// answers; the family's push and counts follow. A message written offline
// arrives once, even when the outbox sends it twice. When the household
// revokes the grant, the caseworker's next request is refused and the
// family keeps the thread.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startServer, devLogin, createAgency, addStaff, apiUserId, api, repoRoot } from '../lib/server.mjs';
import { assertNoErrors, checkA11y, launch, newPage } from '../lib/browser.mjs';
import { signIn, createRoadmap, settled, visit } from '../lib/app.mjs';

// Chromium logs the refusals and the offline moment this test provokes.
const expected = [/status of 403/, /ERR_INTERNET_DISCONNECTED/, /Failed to fetch/];

// A time zone where it is midday now: no push is sent in quiet hours
// (21-08 where the households live), and this test may run at night.
function middayZone() {
  const x = ((12 - new Date().getUTCHours() + 36) % 24) - 12; // UTC+x, -12..11
  return x === 0 ? 'Etc/UTC' : `Etc/GMT${x > 0 ? '-' : '+'}${Math.abs(x)}`; // POSIX signs are reversed
}

// pushService runs web-push-testing (tools/push-testing), the independent
// push service the Go tests use, on a loopback port.
async function pushService() {
  const child = spawn('node', [join(repoRoot, 'tools', 'push-testing', 'serve.js'), '0'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const port = await new Promise((ok, fail) => {
    let out = '';
    child.stdout.on('data', (c) => { out += c; const m = /\{"port":(\d+)\}/.exec(out); if (m) ok(Number(m[1])); });
    child.once('exit', (code) => fail(new Error(`push service exited (${code})`)));
  });
  const url = `http://127.0.0.1:${port}`;
  const call = async (path, body) => {
    const res = await fetch(url + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body || {}) });
    assert.equal(res.status, 200, `${path}: ${res.status}`);
    return (await res.json()).data;
  };
  for (let i = 0; ; i++) {
    if (await fetch(`${url}/status`, { method: 'POST' }).then((r) => r.ok, () => false)) break;
    if (i > 100) throw new Error('push service not ready');
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    subscribe: (key) => call('/subscribe', { userVisibleOnly: 'true', applicationServerKey: key }),
    messages: async (sub) => (await call('/get-notifications', { clientHash: sub.clientHash })).messages.map((m) => JSON.parse(m)),
    stop: () => child.kill(),
  };
}

describe('messages between the household and NAV', () => {
  let server, browser, family, nina, id, push, karisPhone, ninasPhone;

  // device subscribes a person's phone with the local push service.
  async function device(name, agencyId) {
    const { accessToken } = await devLogin(server.url, name, agencyId);
    const { publicKey } = await api(server.url, accessToken, 'GET', '/api/v1/push/key');
    const sub = await push.subscribe(publicKey);
    await api(server.url, accessToken, 'POST', '/api/v1/push/subscriptions', { endpoint: sub.endpoint, expirationTime: null, keys: sub.keys });
    return sub;
  }

  // pushed waits for n notices on a phone.
  async function pushed(sub, n) {
    for (let end = Date.now() + 15_000; ;) {
      const got = await push.messages(sub);
      if (got.length >= n) return got;
      if (Date.now() > end) throw new Error(`${got.length} push(es), want ${n}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  before(async () => {
    push = await pushService();
    server = await startServer({ env: { VEIKART_PUSH_LOOPBACK: '1', VEIKART_TIMEZONE: middayZone() } });
    await createAgency(server, { id: 'nav-sola', name: 'NAV Sola', kind: 'nav', region: 'Rogaland' });
    await devLogin(server.url, 'Nina Caseworker');
    await addStaff(server, 'nav-sola', apiUserId('Nina Caseworker'), 'caseworker');
    browser = await launch();
    family = await newPage(browser);
    nina = await newPage(browser);
    await signIn(family, server.url, 'Kari Haugen');
    id = await createRoadmap(family, 'Familien Haugen', [{ name: 'Kari' }]);
    await settled(family);
    karisPhone = await device('Kari Haugen');
    ninasPhone = await device('Nina Caseworker', 'nav-sola');
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    push?.stop();
  });

  test('the household lets NAV write with it, in the grant form', async () => {
    await visit(family, `${server.url}/#/roadmaps/${id}/sharing/new`, 'Gi en tjeneste tilgang');
    await family.getByLabel('Hvem skal få se?').selectOption({ label: 'NAV Sola' });
    await family.getByRole('group', { name: 'Bolig' }).getByRole('checkbox', { name: 'Det vi har skrevet' }).check();
    await family.getByRole('checkbox', { name: 'sende meldinger' }).check();
    await family.getByLabel('Hvorfor får de tilgang?').fill('Hjelp med husleia');
    await family.getByRole('button', { name: 'Gi tilgang' }).click();
    await family.getByRole('heading', { level: 1, name: 'Hvem ser hva' }).waitFor();
    await family.getByRole('listitem').filter({ hasText: 'NAV Sola' }).getByText('Kan også sende meldinger.').waitFor();
  });

  test('a thread both ways, with a push to each side and unread counts that clear', async () => {
    // The family writes from the roadmap's "Meldinger".
    await visit(family, `${server.url}/#/roadmaps/${id}`, 'Familien Haugen');
    await family.getByRole('link', { name: 'Meldinger', exact: true }).click();
    await family.getByRole('heading', { level: 1, name: 'Meldinger' }).waitFor();
    await checkA11y(family, 'the list of conversations');
    await family.getByRole('link', { name: /NAV Sola/ }).click();
    await family.getByRole('heading', { level: 1, name: 'Meldinger med NAV Sola' }).waitFor();
    await family.getByText('Ingen meldinger ennå. Skriv den første.').waitFor();
    await family.getByLabel('Skriv en melding').fill('Hei NAV, kan vi snakke om husleia?');
    await family.getByRole('button', { name: 'Send' }).click();
    await family.getByRole('status').getByText('Meldingen er sendt.').waitFor();
    await settled(family);

    // Nina's phone hears of it, discreetly.
    const [notice] = await pushed(ninasPhone, 1);
    assert.equal(notice.body, 'Du har en ny melding i Veikart');
    assert.equal(notice.kind, 'message');
    assert.equal(notice.url, `/#/roadmaps/${id}/messages/nav-sola`);
    assert.ok(!JSON.stringify(notice).includes('husleia'), 'the push says what was written');

    // Her list says one unread; the thread shows it and clears it.
    await signIn(nina, server.url, 'Nina Caseworker');
    await nina.getByRole('heading', { level: 1, name: 'Delt med oss' }).waitFor();
    const card = nina.getByRole('link', { name: /Familien Haugen/ });
    await card.getByText('1 ulest').waitFor();
    await card.click();
    await nina.getByRole('heading', { level: 1, name: 'Familien Haugen' }).waitFor();
    await nina.getByRole('link', { name: 'Meldinger med husstanden' }).click();
    await nina.getByRole('heading', { level: 1, name: 'Meldinger med husstanden' }).waitFor();
    await nina.getByText('Hei NAV, kan vi snakke om husleia?').waitFor();
    await checkA11y(nina, "the caseworker's thread");
    await nina.getByLabel('Skriv en melding').fill('Ja, ring meg i morgen klokka ni.');
    await nina.getByRole('button', { name: 'Send' }).click();
    await nina.getByRole('status').getByText('Meldingen er sendt.').waitFor();
    await settled(nina);
    await visit(nina, `${server.url}/#/shared`, 'Delt med oss');
    await nina.getByRole('link', { name: /Familien Haugen/ }).waitFor();
    assert.ok(!(await nina.getByRole('link', { name: /Familien Haugen/ }).innerText()).includes('ulest'), 'the count did not clear');

    // Kari's phone hears of the answer; the roadmap says one unread.
    const [answer] = await pushed(karisPhone, 1);
    assert.equal(answer.body, 'Du har en ny melding i Veikart');
    await visit(family, `${server.url}/#/roadmaps/${id}`, 'Familien Haugen');
    await family.getByRole('link', { name: 'Meldinger (1 ulest)' }).click();
    await family.getByRole('link', { name: /NAV Sola/ }).getByText('1 ulest').waitFor();
    await family.getByRole('link', { name: /NAV Sola/ }).click();
    await family.getByText('Ja, ring meg i morgen klokka ni.').waitFor();
    // The caseworker's name and agency are on the message.
    await family.getByText('Nina Caseworker, NAV Sola').waitFor();
    await checkA11y(family, 'the thread');
    await visit(family, `${server.url}/#/roadmaps/${id}`, 'Familien Haugen');
    await family.getByRole('link', { name: 'Meldinger', exact: true }).waitFor();
    // The sharing screen shows it per agency.
    await visit(family, `${server.url}/#/roadmaps/${id}/sharing`, 'Hvem ser hva');
    const links = await family.locator('main a').evaluateAll((as) => as.map((a) => a.textContent));
    assert.ok(links.includes('Meldinger: NAV Sola'), JSON.stringify(links));

    // The household reads in its access log that NAV read the messages.
    await visit(family, `${server.url}/#/roadmaps/${id}/log`, 'Hvem har lest hva');
    await family.getByText(/^Nina Caseworker, veileder i NAV Sola, leste meldingene/).waitFor();
    await family.getByText(/^Nina Caseworker, veileder i NAV Sola, skrev en melding/).waitFor();
  });

  test('a message written offline arrives once, even sent twice', async () => {
    const thread = `${server.url}/#/roadmaps/${id}/messages/nav-sola`;
    await visit(family, thread, 'Meldinger med NAV Sola');
    await family.context().setOffline(true);
    await family.getByLabel('Skriv en melding').fill('Skrevet på bussen uten nett.');
    await family.getByRole('button', { name: 'Send' }).click();
    await family.getByRole('status').getByText('Meldingen sendes når telefonen er på nett igjen.').waitFor();
    await family.getByRole('listitem').filter({ hasText: 'Skrevet på bussen' }).getByText('venter på nett').waitFor();
    // The outbox keeps it; a second copy of the same entry (as after an
    // answer lost on the way) goes too.
    await family.evaluate(async () => {
      const db = await new Promise((ok) => { const r = indexedDB.open('veikart'); r.onsuccess = () => ok(r.result); });
      const store = () => db.transaction('outbox', 'readwrite').objectStore('outbox');
      const all = await new Promise((ok) => { const r = store().getAll(); r.onsuccess = () => ok(r.result); });
      const e = all.find((x) => x.message);
      await new Promise((ok) => { const r = store().add({ roadmapId: e.roadmapId, message: e.message, at: Date.now() }); r.onsuccess = ok; });
      db.close();
    });
    await family.context().setOffline(false);
    await settled(family);
    await family.getByRole('listitem').filter({ hasText: 'Skrevet på bussen' }).locator('time').waitFor();
    const { accessToken } = await devLogin(server.url, 'Kari Haugen');
    const page = await api(server.url, accessToken, 'GET', `/api/v1/roadmaps/${id}/conversations/nav-sola/messages`);
    assert.equal(page.items.filter((m) => m.text === 'Skrevet på bussen uten nett.').length, 1, JSON.stringify(page.items));
    assert.equal((await pushed(ninasPhone, 2)).length, 2, 'one push for the one message');
  });

  // Right to left in Arabic: the household's own messages at the end (the
  // left), NAV's at the start; nothing scrolls sideways at 360 px, or at
  // 200 % zoom (180 CSS px) in bokmål and Arabic; axe finds nothing.
  test('the thread in Arabic at 360 px and at 200 % zoom', async () => {
    const thread = `${server.url}/#/roadmaps/${id}/messages/nav-sola`;
    for (const [lang, width] of [['ar', 360], ['ar', 180], ['nb', 180]]) {
      await family.evaluate((l) => localStorage.setItem('veikart.lang', l), lang);
      await family.setViewportSize({ width, height: 780 });
      await family.goto(thread);
      await family.reload();
      await family.locator(`html[lang="${lang}"] main h1`).waitFor();
      await family.locator('li.msg').filter({ hasText: 'ring meg' }).waitFor();
      const got = await family.evaluate(() => {
        const w = document.documentElement.clientWidth;
        const box = (el) => el.getBoundingClientRect();
        const own = box([...document.querySelectorAll('li.msg.own')].find((li) => li.textContent.includes('husleia')));
        const theirs = box([...document.querySelectorAll('li.msg:not(.own)')].find((li) => li.textContent.includes('ring meg')));
        return { wide: document.documentElement.scrollWidth > w + 1, dir: document.documentElement.dir, own: { left: own.left, right: own.right }, theirs: { left: theirs.left, right: theirs.right }, w };
      });
      assert.ok(!got.wide, `${lang} at ${width} px scrolls sideways`);
      if (lang === 'ar') {
        assert.equal(got.dir, 'rtl');
        assert.ok(got.own.left <= got.theirs.left && got.theirs.right >= got.own.right, `own on the left in Arabic: ${JSON.stringify(got)}`);
      }
      await checkA11y(family, `the thread (${lang}, ${width} px)`);
    }
    await family.evaluate(() => localStorage.setItem('veikart.lang', 'nb'));
    await family.setViewportSize({ width: 412, height: 915 });
    await family.reload();
    await family.locator('html[lang="nb"] main h1').waitFor();
  });

  test('revoking ends the agency\'s conversation on its next request; the family keeps it', async () => {
    await visit(nina, `${server.url}/#/roadmaps/${id}/messages/nav-sola`, 'Meldinger med husstanden');
    await visit(family, `${server.url}/#/roadmaps/${id}/sharing`, 'Hvem ser hva');
    await family.getByRole('button', { name: /^Ta tilbake tilgangen/ }).click();
    await family.getByRole('dialog').getByRole('button', { name: 'Ta tilgangen fra NAV Sola' }).click();
    await family.getByText('Ingen har tilgang. Bare dere ser veikartet.').waitFor();

    await nina.reload();
    await nina.getByText('Husstanden har tatt tilbake tilgangen, eller den har gått ut. Samtalen vises ikke lenger for dere.').waitFor();
    assert.ok(!(await nina.locator('main').innerText()).includes('husleia'));

    await visit(family, `${server.url}/#/roadmaps/${id}/messages/nav-sola`, 'Meldinger med NAV Sola');
    await family.getByText('Hei NAV, kan vi snakke om husleia?').waitFor();
    await family.getByText('NAV Sola har ikke lenger tilgang og ser ikke det dere skriver. Dere beholder samtalen.').waitFor();
    await checkA11y(family, 'a thread after access ended');
    assertNoErrors(family, expected);
    assertNoErrors(nina, expected);
  });
});
