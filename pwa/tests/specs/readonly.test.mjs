// Read-only people see no edit controls (issue 20, rough edges): the app
// offers a person only what the server will take from them (pwa/js/may.js
// mirrors backend/access). A trusted person given read only sees the
// family's words and a plain note, no buttons or forms; one who may write
// has them, in the part given to him only; a young member has no control
// over the roadmap itself, only her own words on the area that names her;
// the owner still has everything. And the Norwegian rendering beside the
// family's words is written and confirmed offline like any other edit,
// reaching the server once, even when an answer is lost on the way.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, devLogin, api } from '../lib/server.mjs';
import { assertNoErrors, checkA11y, launch, newPage } from '../lib/browser.mjs';
import { signIn, settled, visit, pending } from '../lib/app.mjs';

const born = new Date().getFullYear() - 16;
const inDays = (n) => new Date(Date.now() + n * 86_400_000).toISOString();

describe('read-only people see no edit controls', () => {
  let server, browser, url, id, kari, owner, liv, per, mia, ole;

  before(async () => {
    server = await startServer();
    url = server.url;
    browser = await launch();
    kari = (await devLogin(url, 'Kari Lund')).accessToken;
    const r = await api(url, kari, 'POST', '/api/v1/roadmaps', {
      title: 'Familien Lund',
      members: [{ id: 'kari', name: 'Kari', role: 'adult' }, { id: 'mia', name: 'Mia', role: 'child', birthYear: born }, { id: 'ole', name: 'Ole', role: 'adult' }],
    });
    id = r.id;
    // Housing names Ole, an adult member; health names Mia. A housing step
    // names Mia too (so she sees housing's name, not its words).
    await api(url, kari, 'POST', `/api/v1/roadmaps/${id}/operations`, {
      operations: [
        { opId: 'a1', type: 'area.update', areaId: 'housing', baseVersion: r.version, set: { now: 'Vi bor trangt i to rom.', desired: 'أريد شقة بثلاث غرف.', scoreNow: 2, memberIds: ['ole'] } },
        { opId: 'a2', type: 'area.update', areaId: 'health', baseVersion: r.version, set: { now: 'Mia har astma.', memberIds: ['mia'] } },
        { opId: 's1', type: 'step.add', step: { id: 's-bolig', areaId: 'housing', title: 'Søke kommunal bolig', term: 'short', responsible: { kind: 'household' }, memberIds: ['mia'] } },
        { opId: 's2', type: 'step.add', step: { id: 's-lege', areaId: 'health', title: 'Time hos legen', term: 'short', responsible: { kind: 'household' } } },
      ],
    });
    // Liv reads housing; Per reads and writes there.
    const helper = async (name, login, write) => {
      const made = await api(url, kari, 'POST', `/api/v1/roadmaps/${id}/helpers`, {
        kind: 'trusted', name, sections: ['area:housing', 'steps:housing'], write, expiresAt: inDays(30),
      });
      await api(url, (await devLogin(url, login)).accessToken, 'POST', '/api/v1/invitations/accept', { code: made.invitation.code });
    };
    await helper('Liv', 'Liv Berg', false);
    await helper('Per', 'Per Hansen', true);
    for (const [memberId, login] of [['mia', 'Mia Lund'], ['ole', 'Ole Lund']]) {
      const inv = await api(url, kari, 'POST', `/api/v1/roadmaps/${id}/invitations`, { kind: 'member', memberId });
      await api(url, (await devLogin(url, login)).accessToken, 'POST', '/api/v1/invitations/accept', { code: inv.code });
    }

    [owner, liv, per, mia, ole] = await Promise.all([newPage(browser), newPage(browser), newPage(browser), newPage(browser), newPage(browser)]);
    await signIn(owner, url, 'Kari Lund');
    await signIn(liv, url, 'Liv Berg');
    await signIn(per, url, 'Per Hansen');
    await signIn(mia, url, 'Mia Lund');
    await signIn(ole, url, 'Ole Lund');
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const road = (rest = '') => `${url}/#/roadmaps/${id}${rest}`;

  // controls counts, on the screen as it is, each kind of edit control.
  const controls = async (page) => {
    const main = page.locator('main');
    const count = (l) => l.count();
    return {
      editableText: await main.locator('textarea:not([readonly]), input[type=text]').count(),
      radios: await count(main.getByRole('radio')),
      checkboxes: await count(main.getByRole('checkbox')),
      stepToggles: await count(main.getByRole('button', { name: /^(Gjort|Ikke gjort)/ })),
      addStep: await count(main.getByRole('link', { name: 'Legg til et steg' })),
      checkIn: await count(main.getByRole('link', { name: /^Sjekk inn/ })),
      rendering: await count(main.getByText(/^Skriv en norsk gjengivelse/)),
      confirm: await count(main.getByRole('button', { name: 'Dette er det vi mente' })),
      removeArea: await count(main.getByRole('button', { name: 'Fjern området' })),
      addArea: await count(main.getByRole('link', { name: 'Legg til et eget område' })),
      deleteRoadmap: await count(main.getByRole('button', { name: /^Slett veikartet/ })),
      household: await count(main.getByRole('link', { name: 'Husstanden', exact: true })),
      sharing: await count(main.getByRole('link', { name: 'Deling', exact: true })),
      forms: await count(main.locator('form')),
      note: await count(main.locator('[data-read-only]')),
    };
  };
  const none = { editableText: 0, radios: 0, checkboxes: 0, stepToggles: 0, addStep: 0, checkIn: 0, rendering: 0, confirm: 0, removeArea: 0, addArea: 0, deleteRoadmap: 0, household: 0, sharing: 0, forms: 0 };
  const pick = (got, keys) => Object.fromEntries(Object.keys(keys).map((k) => [k, got[k]]));

  test('a trusted person who may only read sees the words and a note, no controls', async () => {
    await visit(liv, road(), 'Familien Lund');
    await liv.getByText('Du kan lese delene familien har valgt.').waitFor();
    assert.deepEqual(pick(await controls(liv), none), none, 'the overview');
    await liv.getByRole('link', { name: /^Bolig/ }).click();
    await liv.getByRole('heading', { level: 1, name: 'Bolig' }).waitFor();
    assert.equal(await liv.getByLabel('Slik er det nå').inputValue(), 'Vi bor trangt i to rom.');
    assert.equal(await liv.getByLabel('Slik er det nå').getAttribute('readonly'), '');
    await liv.getByText('Søke kommunal bolig').waitFor();
    const area = await controls(liv);
    assert.deepEqual(pick(area, none), none, 'the area');
    assert.equal(area.note, 1, 'the area says she may read, not change');
    await liv.getByText('Du kan lese dette, men ikke endre det.').waitFor();
    await checkA11y(liv, 'a read-only area');
    // The step opens as text, not a form.
    await liv.getByRole('link', { name: 'Søke kommunal bolig' }).click();
    await liv.getByRole('heading', { level: 1, name: 'Søke kommunal bolig' }).waitFor();
    assert.deepEqual(pick(await controls(liv), none), none, 'the step');
    await liv.getByText('Du kan lese dette, men ikke endre det.').waitFor();
    await liv.getByText('Planlagt').waitFor();
    await checkA11y(liv, 'a read-only step');
    // Nor by address: adding a step, an area, a check-in.
    for (const [rest, h1] of [['/areas/housing/steps/new', 'Legg til et steg'], ['/areas/new', 'Legg til et eget område'], ['/checkin', 'Sjekk inn']]) {
      await visit(liv, road(rest), h1);
      assert.equal(await liv.locator('main form').count(), 0, `${rest} has a form`);
      await liv.locator('main [data-read-only]').waitFor();
    }
  });

  test('a trusted person who writes has the controls, in his part only', async () => {
    await visit(per, road(), 'Familien Lund');
    await per.getByText('Du kan lese og skrive i delene familien har valgt.').waitFor();
    const over = await controls(per);
    // Checking in, in his part; nothing of the household's own.
    assert.equal(over.checkIn, 1);
    assert.deepEqual(pick(over, { addArea: 0, deleteRoadmap: 0, household: 0, sharing: 0 }), { addArea: 0, deleteRoadmap: 0, household: 0, sharing: 0 });
    assert.equal(await per.getByRole('link', { name: /^Helse/ }).count(), 0);
    await per.getByRole('link', { name: /^Bolig/ }).click();
    await per.getByRole('heading', { level: 1, name: 'Bolig' }).waitFor();
    const area = await controls(per);
    assert.equal(await per.getByLabel('Slik er det nå').getAttribute('readonly'), null);
    assert.ok(area.editableText >= 2, 'now and desired');
    assert.ok(area.radios >= 10, 'the two scores');
    assert.equal(area.stepToggles, 1);
    assert.equal(area.addStep, 1);
    assert.equal(area.checkIn, 1);
    assert.equal(area.rendering, 2, 'a rendering of each text');
    assert.equal(area.note, 0);
    // Who the area concerns is the household section's too, not given him.
    assert.equal(area.checkboxes, 0);
    // The family confirms a rendering and takes back a check-in; not he.
    assert.equal(area.confirm, 0);
    // The step opens as a form.
    await per.getByRole('link', { name: 'Søke kommunal bolig' }).click();
    await per.getByRole('heading', { level: 1, name: 'Endre steget' }).waitFor();
    assert.equal(await per.getByRole('button', { name: 'Slett steget' }).count(), 1);
    assertNoErrors(per);
  });

  test('a member has her own words on the area that names her, and no control over the roadmap', async () => {
    await visit(mia, road(), 'Familien Lund');
    await mia.getByText('Du kan lese det som handler om deg. Dine egne ord skriver du under «Mine egne ord».').waitFor();
    const over = await controls(mia);
    assert.deepEqual(pick(over, none), none, 'the overview');
    assert.equal(await mia.getByRole('link', { name: 'Min del' }).count(), 1);
    // Health names her: the words, her own-words link, nothing to change.
    await mia.getByRole('link', { name: /^Helse/ }).click();
    await mia.getByRole('heading', { level: 1, name: 'Helse' }).waitFor();
    assert.equal(await mia.getByLabel('Slik er det nå').inputValue(), 'Mia har astma.');
    assert.deepEqual(pick(await controls(mia), none), none, 'her area');
    await mia.getByRole('link', { name: 'Mine egne ord' }).waitFor();
    await mia.getByText('Du kan lese det som handler om deg. Dine egne ord skriver du under «Mine egne ord».').waitFor();
    await checkA11y(mia, 'a member\'s area');
    // Housing does not name her (a step there does): no own words there.
    await visit(mia, road('/areas/housing'), 'Bolig');
    assert.equal(await mia.getByRole('link', { name: 'Mine egne ord' }).count(), 0);
    await mia.getByText('Du kan lese dette, men ikke endre det.').waitFor();
    assert.deepEqual(pick(await controls(mia), none), none, 'the area a step of hers is in');
    // Her own words: on health only, and they are taken.
    await visit(mia, road('/members'), 'Min del');
    const words = mia.locator('form').filter({ has: mia.getByRole('heading', { name: 'Helse' }) });
    assert.equal(await mia.locator('form').filter({ has: mia.getByRole('heading', { name: 'Bolig' }) }).count(), 0);
    await words.getByLabel('Det jeg vil si').fill('Jeg vil ha med inhalatoren på skolen.');
    await words.getByRole('button', { name: 'Lagre mine ord' }).click();
    await mia.getByText('Ordene dine er lagret.').waitFor();
    const got = await api(url, kari, 'GET', `/api/v1/roadmaps/${id}`);
    assert.ok(got.comments.some((c) => c.section === 'area:health' && c.text === 'Jeg vil ha med inhalatoren på skolen.'));
    // The household screen by address: who is in it, not a form.
    await visit(mia, road('/household'), 'Husstanden');
    assert.equal(await mia.locator('main form, main input').count(), 0);
    await mia.getByText('Bare de som eier veikartet, kan endre dette.').waitFor();
    assertNoErrors(mia);
    assertNoErrors(liv);
  });

  test('an adult member checks in on the area that names him, and changes nothing else', async () => {
    await visit(ole, road(), 'Familien Lund');
    assert.equal((await controls(ole)).checkIn, 1);
    await ole.getByRole('link', { name: /^Bolig/ }).click();
    await ole.getByRole('heading', { level: 1, name: 'Bolig' }).waitFor();
    const area = await controls(ole);
    assert.deepEqual(pick(area, { ...none, checkIn: 1 }), { ...none, checkIn: 1 });
    await ole.getByRole('link', { name: 'Mine egne ord' }).waitFor();
    // The check-in offers his area only, and is taken.
    await ole.getByRole('link', { name: 'Sjekk inn her' }).click();
    await ole.getByRole('heading', { level: 1, name: 'Sjekk inn' }).waitFor();
    await visit(ole, road('/checkin'), 'Sjekk inn');
    assert.deepEqual(await ole.locator('main form fieldset.boxed > legend').allTextContents(), ['Bolig']);
    await ole.getByRole('group', { name: 'Hvor står dere nå i Bolig?' }).getByRole('radio', { name: '3', exact: true }).check();
    await ole.getByRole('button', { name: 'Lagre innsjekkingen' }).click();
    await ole.getByRole('heading', { level: 1, name: 'Familien Lund' }).waitFor();
    await settled(ole);
    const got = await api(url, kari, 'GET', `/api/v1/roadmaps/${id}/checkins`);
    assert.ok(got.items.some((x) => x.areaId === 'housing' && x.score === 3));
    assertNoErrors(ole);
  });

  test('the owner still has every control', async () => {
    await visit(owner, road(), 'Familien Lund');
    const over = await controls(owner);
    assert.deepEqual(pick(over, { checkIn: 1, addArea: 1, deleteRoadmap: 1, household: 1, sharing: 1, note: 0 }), { checkIn: 1, addArea: 1, deleteRoadmap: 1, household: 1, sharing: 1, note: 0 });
    await visit(owner, road('/areas/housing'), 'Bolig');
    const area = await controls(owner);
    assert.ok(area.editableText >= 2);
    assert.ok(area.radios >= 10);
    assert.equal(area.checkboxes, 3, 'who the area concerns');
    assert.equal(area.stepToggles, 1);
    assert.equal(area.addStep, 1);
    assert.equal(area.checkIn, 1);
    assert.equal(area.rendering, 2);
    assert.equal(area.note, 0);
    await visit(owner, road('/household'), 'Husstanden');
    assert.ok(await owner.locator('main form').count() >= 1);
    await visit(owner, road('/steps/s-bolig'), 'Endre steget');
    assert.equal(await owner.getByRole('button', { name: 'Slett steget' }).count(), 1);
  });

  test('a rendering written and confirmed offline reaches the server once', async () => {
    await visit(per, road('/areas/housing'), 'Bolig');
    const before = await api(url, kari, 'GET', `/api/v1/roadmaps/${id}`);
    await per.context().setOffline(true);
    await per.getByText('Skriv en norsk gjengivelse av «Slik vil vi ha det»').click();
    await per.getByLabel('Norsk gjengivelse av hvordan dere vil ha det').fill('Vi vil ha en leilighet med tre rom.');
    await per.getByRole('button', { name: 'Lagre gjengivelsen' }).click();
    await per.getByText('Lagret på telefonen. Sendes når du har nett.').waitFor();
    // Shown at once, by him, as not sent yet.
    const shown = per.locator('[data-rendering="desired"]');
    await shown.getByText('Norsk gjengivelse, skrevet av Per (støtteperson):').waitFor();
    await shown.getByText('Vi vil ha en leilighet med tre rom.').waitFor();
    await shown.getByText(/ikke sendt ennå/).waitFor();
    assert.equal(await pending(per), 1);
    assert.equal((await api(url, kari, 'GET', `/api/v1/roadmaps/${id}`)).version, before.version, 'sent while offline');

    // Back online, the first answer is lost on the way: the server took it,
    // the phone did not hear, and sends it again.
    let puts = 0;
    await per.route('**/renderings/desired', async (route) => {
      puts++;
      const res = await route.fetch();
      if (puts === 1) return route.abort('connectionreset');
      return route.fulfill({ response: res });
    });
    await per.context().setOffline(false);
    await settled(per, 20_000);
    assert.ok(puts >= 2, `the rendering was sent ${puts} time(s)`);
    await shown.getByText(/ikke sendt ennå/).waitFor({ state: 'detached' });
    const after = await api(url, kari, 'GET', `/api/v1/roadmaps/${id}`);
    const x = after.areas.find((a) => a.id === 'housing').renderings.find((y) => y.field === 'desired');
    assert.equal(x.text, 'Vi vil ha en leilighet med tre rom.');
    assert.equal(x.byName, 'Per');
    assert.equal(after.version, before.version + 1, 'stored once: one new version');
    const log = await api(url, kari, 'GET', `/api/v1/roadmaps/${id}/access-log?limit=100`);
    assert.equal(log.items.filter((e) => e.action === 'change' && e.role === 'trusted').length, 1, 'logged once');
    await per.unroute('**/renderings/desired');

    // The family confirms it with no network; it goes when the network is back.
    await visit(owner, road('/areas/housing'), 'Bolig');
    await owner.context().setOffline(true);
    await owner.getByRole('button', { name: 'Dette er det vi mente' }).click();
    await owner.getByText('Lagret på telefonen. Sendes når du har nett.').waitFor();
    const family = owner.locator('[data-rendering="desired"]');
    await family.getByText(/Familien har bekreftet: «Dette er det vi mente»\. \(ikke sendt ennå\)/).waitFor();
    assert.equal(await owner.getByRole('button', { name: 'Dette er det vi mente' }).count(), 0);
    await owner.context().setOffline(false);
    await settled(owner, 20_000);
    await family.getByText(/ikke sendt ennå/).waitFor({ state: 'detached' });
    const confirmed = await api(url, kari, 'GET', `/api/v1/roadmaps/${id}`);
    assert.equal(confirmed.areas.find((a) => a.id === 'housing').renderings.find((y) => y.field === 'desired').confirmed, true);
    assert.equal(confirmed.version, after.version + 1);

    // A confirmation holds only for what the family read: written anew
    // before it arrives, the rendering stays unconfirmed, and the family is
    // told to read the new one.
    await api(url, (await devLogin(url, 'Per Hansen')).accessToken, 'PUT', `/api/v1/roadmaps/${id}/areas/housing/renderings/now`, { text: 'Vi bor trangt.' });
    await visit(owner, road('/areas/housing'), 'Bolig');
    await owner.context().setOffline(true);
    await owner.locator('[data-rendering="now"]').getByText('Vi bor trangt.').waitFor();
    await owner.getByRole('button', { name: 'Dette er det vi mente' }).click();
    await owner.locator('[data-rendering="now"]').getByText(/ikke sendt ennå/).waitFor();
    await api(url, (await devLogin(url, 'Per Hansen')).accessToken, 'PUT', `/api/v1/roadmaps/${id}/areas/housing/renderings/now`, { text: 'Vi bor trangt i to rom.' });
    await owner.context().setOffline(false);
    await settled(owner, 20_000);
    await owner.getByRole('alert').getByText('Gjengivelsen ble endret før bekreftelsen kom fram. Les den nye, og bekreft igjen hvis den stemmer.').waitFor();
    const now = (await api(url, kari, 'GET', `/api/v1/roadmaps/${id}`)).areas.find((a) => a.id === 'housing').renderings.find((y) => y.field === 'now');
    assert.equal(now.text, 'Vi bor trangt i to rom.');
    assert.equal(now.confirmed, false, 'the family confirmed a rendering it did not read');
    await owner.locator('[data-rendering="now"]').getByText('Familien har ikke bekreftet gjengivelsen ennå.').waitFor();
    assertNoErrors(owner, [/net::ERR_INTERNET_DISCONNECTED/]);
    assertNoErrors(per, [/net::ERR_INTERNET_DISCONNECTED/, /ERR_CONNECTION_RESET/]);
  });

  test("the owners' own screens, opened by address, say whose they are and lead back to the roadmap", async () => {
    for (const [page, who] of [[liv, 'Liv'], [mia, 'Mia']]) {
      for (const rest of ['/sharing', '/log', '/receipts', '/helpers', '/transitions', '/meetings', '/team']) {
        await visit(page, road(rest), 'Bare for dem som eier veikartet');
        await page.getByText('Denne delen av veikartet kan bare de som eier det, åpne.', { exact: false }).waitFor();
        assert.equal(await page.locator('main [role=alert]').count(), 0, `${who} ${rest}: an error box`);
      }
      await page.getByRole('link', { name: 'Til veikartet' }).click();
      await page.getByRole('heading', { level: 1, name: 'Familien Lund' }).waitFor();
      await visit(page, road('/sharing'), 'Bare for dem som eier veikartet');
      await checkA11y(page, `the owners' screen, as ${who}`);
      assertNoErrors(page, [/status of 403/]);
    }
  });

  // The screens touched, in Arabic (right to left) at 360 px, and at 200 %
  // zoom (180 CSS px) in Arabic and bokmål: nothing scrolls sideways, and
  // axe finds nothing.
  test('the read-only screens in Arabic at 360 px, and at 200 % zoom', async () => {
    const screens = [[liv, '/areas/housing'], [liv, '/steps/s-bolig'], [mia, '/areas/health'], [mia, '/household'], [per, '/areas/housing'], [mia, '/sharing']];
    for (const [[page, rest], [lang, width]] of screens.flatMap((x) => [['ar', 360], ['ar', 180], ['nb', 180]].map((y) => [x, y]))) {
      await page.evaluate((l) => localStorage.setItem('veikart.lang', l), lang);
      await page.setViewportSize({ width, height: 780 });
      await page.goto(road(rest));
      await page.reload();
      await page.locator(`html[lang="${lang}"] main h1`).waitFor();
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 300))));
      const got = await page.evaluate(() => ({ wide: document.documentElement.scrollWidth > document.documentElement.clientWidth + 1, dir: document.documentElement.dir }));
      assert.ok(!got.wide, `${rest} scrolls sideways (${lang}, ${width} px)`);
      assert.equal(got.dir, lang === 'ar' ? 'rtl' : 'ltr');
      if (page !== per && rest !== '/sharing') assert.equal(await page.locator('main [data-read-only]').count(), 1, `${rest}: the note`);
      await checkA11y(page, `${rest} (${lang}, ${width} px)`);
    }
  });
});
