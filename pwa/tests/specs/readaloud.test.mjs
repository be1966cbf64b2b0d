// Read-aloud (pwa/js/speech.js) with real voices: Debian's Chromium speaking
// through speech-dispatcher and espeak-ng (see lib/speech.mjs). The family's
// own words in bokmål: a tap hands speechSynthesis.speak exactly the text on
// the screen, the question, its hint and the words, with a Norwegian voice,
// and the real voice speaks it to the end; the same area in Arabic reads the
// Arabic question with an Arabic voice (and the Norwegian words with the
// Norwegian one); in Somali, which espeak-ng has no voice for, no button
// and a quiet note. A second tap and moving to another screen stop it;
// hidden text is never read; the buttons can be turned off; axe finds
// nothing; nothing scrolls sideways at 360 px or 200 % zoom.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, devLogin, api, apiUserId, addStaff, createAgency, catalogue } from '../lib/server.mjs';
import { assertNoErrors, checkA11y, newPage } from '../lib/browser.mjs';
import { signIn } from '../lib/app.mjs';
import { forget, launchSpeaking, recordSpeech, spoken } from '../lib/speech.mjs';

const nb = catalogue('nb');
const ar = catalogue('ar');
const named = (c, key) => c['speech.readWhat'].replace('{what}', c[key]);
const primary = (tag) => String(tag).toLowerCase().split(/[-_]/)[0];

const now = 'Vi bor trangt i to rom, og Oda har ikke et sted å gjøre lekser.';
const desired = 'Et eget rom til Oda innen skolestart.';
const comment = 'Søknaden er sendt videre til boligkontoret.';
const agendaItem = 'Hvor lenge må vi vente på kommunal bolig?';

describe('read-aloud', () => {
  let server, speaking, page, id;

  before(async () => {
    server = await startServer();
    speaking = await launchSpeaking();
    const liv = (await devLogin(server.url, 'Liv Berg')).accessToken;
    const r = await api(server.url, liv, 'POST', '/api/v1/roadmaps', {
      title: 'Familien Berg',
      members: [{ id: 'liv', name: 'Liv', role: 'adult' }, { id: 'oda', name: 'Oda', role: 'child', birthYear: 2014 }],
    });
    id = r.id;
    await api(server.url, liv, 'POST', `/api/v1/roadmaps/${id}/operations`, {
      operations: [{ opId: 'a1', type: 'area.update', areaId: 'housing', baseVersion: r.version, set: { now, desired } }],
    });
    // NAV Sola, granted the housing area with comments and the team: its
    // comment on the area, and a meeting whose agenda the family wrote.
    const nav = await createAgency(server, { name: 'NAV Sola', kind: 'nav' });
    await devLogin(server.url, 'Nina Dahl');
    await addStaff(server, nav.id, apiUserId('Nina Dahl'), 'caseworker');
    await api(server.url, liv, 'POST', `/api/v1/roadmaps/${id}/grants`, {
      agencyId: nav.id, sections: ['household', 'area:housing', 'steps:housing'], permissions: ['view', 'comment', 'team'],
      purpose: 'Oppfølging av boligsøknaden', expiresAt: new Date(Date.now() + 90 * 86_400_000).toISOString(),
    });
    const nina = (await devLogin(server.url, 'Nina Dahl', nav.id)).accessToken;
    await api(server.url, nina, 'POST', `/api/v1/roadmaps/${id}/comments`, { section: 'area:housing', text: comment });
    await api(server.url, liv, 'POST', `/api/v1/roadmaps/${id}/meetings`, { id: 'mt1', at: new Date(Date.now() + 7 * 86_400_000).toISOString(), invitees: [nav.id] });
    await api(server.url, liv, 'PUT', `/api/v1/roadmaps/${id}/meetings/mt1/agenda`, { items: [{ id: 'a1', areaId: 'housing', text: agendaItem }] });
    page = await newPage(speaking.browser);
    await recordSpeech(page.context());
    await signIn(page, server.url, 'Liv Berg');
  });

  after(async () => {
    await page?.context().close();
    await speaking?.close();
    await server?.stop();
  });

  const area = async (lang, title) => {
    await page.goto(`${server.url}/#/roadmaps/${id}/areas/housing`);
    await page.locator(`html[lang="${lang}"]`).waitFor({ state: 'attached' });
    await page.getByRole('heading', { level: 1, name: title }).waitFor();
  };
  // Waits until n utterances were handed over and the voice finished them.
  const heard = async (n) => {
    await page.waitForFunction((k) => window.__speech.spoken.length >= k && window.__speech.spoken.every((s) => s.ended || s.error), n, { timeout: 30_000 });
    return (await spoken(page)).spoken;
  };
  // What a field shows: its label, its hint and its words.
  const shown = (label) => page.evaluate((name) => {
    const l = [...document.querySelectorAll('main label')].find((x) => x.textContent === name);
    const f = l.closest('.field');
    return [l.textContent, f.querySelector('.hint')?.textContent, document.getElementById(l.htmlFor).value].filter(Boolean);
  }, label);

  test('Chromium lists espeak-ng voices for Norwegian and Arabic', async () => {
    await page.goto(`${server.url}/`);
    const voices = await page.evaluate(() => new Promise((resolve) => {
      const list = () => speechSynthesis.getVoices().map((v) => ({ name: v.name, lang: v.lang, local: v.localService }));
      if (speechSynthesis.getVoices().length) resolve(list());
      else speechSynthesis.addEventListener('voiceschanged', () => resolve(list()), { once: true });
    }));
    for (const lang of ['nb', 'ar']) {
      assert.ok(voices.some((v) => primary(v.lang) === lang && /espeak/i.test(v.name) && v.local), `no espeak-ng voice for ${lang} in ${voices.length} voices`);
    }
    assert.ok(!voices.some((v) => ['so', 'ti'].includes(primary(v.lang))), 'espeak-ng has a Somali or Tigrinya voice now: pick another language without one');
  });

  test('bokmål: the question, its hint and the family\'s words, as on the screen, with a Norwegian voice', async () => {
    await area('nb', 'Bolig');
    const button = page.getByRole('button', { name: named(nb, 'area.now') });
    await button.waitFor();
    await forget(page);
    await button.click();
    const got = await heard(3);
    assert.deepEqual(got.map((s) => s.text), await shown(nb['area.now']));
    assert.deepEqual(got.map((s) => s.text), [nb['area.now'], nb['area.nowHint'], now]);
    for (const s of got) {
      assert.ok(['nb', 'no'].includes(primary(s.voiceLang)), `${s.text}: voice ${s.voice} (${s.voiceLang})`);
      assert.equal(s.lang, s.voiceLang);
      assert.equal(s.ended, true, `${s.text} was not spoken to the end (${s.error})`);
    }
    // Done: the button lets go.
    await page.waitForFunction(() => document.querySelector('button.speak[aria-pressed="true"]') === null);
    // Nothing only for screen readers (the buttons' names) was read.
    assert.ok(!got.some((s) => s.text.includes(nb['speech.read'])));
    // An edit not yet saved is read as it stands.
    await page.getByLabel(nb['area.desired']).fill(`${desired} Helst nær skolen.`);
    await forget(page);
    await page.getByRole('button', { name: named(nb, 'area.desired') }).click();
    assert.deepEqual((await heard(3)).map((s) => s.text), [nb['area.desired'], nb['area.desiredHint'], `${desired} Helst nær skolen.`]);
    await page.getByLabel(nb['area.desired']).fill(desired);
    await page.getByLabel(nb['area.desired']).blur();
    await checkA11y(page, 'an area with read-aloud (nb)');
    assertNoErrors(page);
  });

  test('a second tap stops it; so does moving to another screen', async () => {
    await area('nb', 'Bolig');
    const long = Array.from({ length: 12 }, () => now).join(' ');
    await page.getByLabel(nb['area.now']).fill(long);
    const button = page.getByRole('button', { name: named(nb, 'area.now') });
    await forget(page);
    await button.click();
    await page.waitForFunction(() => speechSynthesis.speaking);
    assert.equal(await button.getAttribute('aria-pressed'), 'true');
    await button.click();
    assert.equal(await button.getAttribute('aria-pressed'), 'false');
    await page.waitForFunction(() => !speechSynthesis.speaking && !speechSynthesis.pending);
    const log = await spoken(page);
    assert.equal(log.spoken.length, 3, 'the second tap started nothing new');
    assert.ok(log.cancels >= 1);
    assert.ok(!log.spoken[2].ended, 'the long words were cut short');

    await forget(page);
    await button.click();
    await page.waitForFunction(() => speechSynthesis.speaking);
    await page.getByRole('link', { name: nb['common.backTo'].replace('{name}', 'Familien Berg') }).click();
    await page.getByRole('heading', { level: 1, name: 'Familien Berg' }).waitFor();
    await page.waitForFunction(() => !speechSynthesis.speaking && !speechSynthesis.pending);
    assert.ok((await spoken(page)).cancels >= 1);
    // Leaving the field saved the long words: the family's words again.
    await area('nb', 'Bolig');
    await page.getByLabel(nb['area.now']).fill(now);
    await page.getByLabel(nb['area.now']).blur();
    await page.waitForFunction((w) => document.querySelector('textarea').value === w, now);
  });

  test('hidden text is never read', async () => {
    await area('nb', 'Bolig');
    await page.getByRole('button', { name: named(nb, 'area.now') }).waitFor();
    // The module's reading of a block, on a block with every kind of hidden.
    const parts = await page.evaluate(async () => {
      const { partsOf } = await import('/js/speech.js');
      const box = document.createElement('div');
      // Built through the DOM: the app's Content-Security-Policy refuses
      // style attributes in markup, not styles set by script.
      const el = (tag, text, set) => { const e = document.createElement(tag); e.textContent = text; set?.(e); box.append(e); return e; };
      el('label', 'Synlig spørsmål');
      el('p', 'skjult med hidden', (e) => { e.hidden = true; });
      el('p', 'skjult med display', (e) => { e.style.display = 'none'; });
      el('p', 'skjult med visibility', (e) => { e.style.visibility = 'hidden'; });
      el('p', 'gjennomsiktig', (e) => { e.style.opacity = '0'; });
      el('p', 'bare for øyet', (e) => e.setAttribute('aria-hidden', 'true'));
      el('p', 'Synlig ', (e) => { const sr = document.createElement('span'); sr.className = 'sr'; sr.textContent = 'bare for skjermleser'; e.append(sr, 'hint.'); });
      el('details', '', (e) => { e.innerHTML = '<summary>Mer</summary><p>inni en lukket details</p>'; });
      el('textarea', '', (e) => { e.value = 'Familiens ord'; });
      el('input', '', (e) => { e.type = 'hidden'; e.value = 'skjult felt'; });
      document.querySelector('main').append(box);
      const got = partsOf(box);
      box.remove();
      return got;
    });
    assert.deepEqual(parts, ['Synlig spørsmål', 'Synlig hint.', 'Familiens ord']);
  });

  // Which voice reads a text: the app's language, unless the text is written
  // in another script (the family's own words often are).
  test('the voice follows the letters of the text', async () => {
    const cases = [
      ['Vi bor trangt.', 'nb', 'nb'],
      ['Vi bur trongt.', 'nn', 'nn'],
      ['We live in two rooms.', 'en', 'en'],
      ['Guri ayaan u baahanahay.', 'so', 'so'],
      ['Vi bor trangt.', 'ar', 'nb'], // Norwegian words in the Arabic app
      ['نحن نعيش في غرفتين.', 'nb', 'ar'], // Arabic words in the Norwegian app
      ['نحن نعيش في غرفتين.', 'ar', 'ar'],
      ['Ми живемо у двох кімнатах.', 'nb', 'uk'],
      ['Vi bor trangt.', 'uk', 'nb'],
      ['ኣብ ክልተ ክፍሊ ንነብር።', 'nb', 'ti'],
      ['Vi bor trangt.', 'ti', 'nb'],
      ['2 + 2', 'ar', 'ar'], // no letters: the app's language
      ['Søknad om bostøtte: تم الإرسال', 'ar', 'nb'], // most letters win
    ];
    const got = await page.evaluate(async (list) => {
      const { languageOf } = await import('/js/speech.js');
      return list.map(([text, app]) => languageOf(text, app));
    }, cases);
    assert.deepEqual(got, cases.map(([, , want]) => want));
  });

  test('Arabic: the Arabic question with an Arabic voice, the family\'s Norwegian words with a Norwegian one', async () => {
    await page.goto(`${server.url}/#/settings`);
    await page.getByRole('radio', { name: 'العربية' }).check();
    await page.locator('html[lang="ar"][dir="rtl"]').waitFor({ state: 'attached' });
    await page.getByText(ar['speech.hasVoice']).waitFor();
    await area('ar', ar['area.housing']);
    const button = page.getByRole('button', { name: named(ar, 'area.now') });
    await button.waitFor();
    await forget(page);
    await button.click();
    const got = await heard(3);
    assert.deepEqual(got.map((s) => s.text), await shown(ar['area.now']));
    assert.deepEqual(got.map((s) => s.text), [ar['area.now'], ar['area.nowHint'], now]);
    assert.deepEqual(got.map((s) => primary(s.voiceLang)), ['ar', 'ar', 'nb']);
    assert.ok(got.every((s) => s.ended), JSON.stringify(got));
    await checkA11y(page, 'an area with read-aloud (ar)');
    await checkA11y(await settingsIn(page, 'ar'), 'settings with read-aloud (ar)');
    assertNoErrors(page);
  });

  test('the button is small and out of the way at 360 px and at 200 % zoom, in bokmål and Arabic', async () => {
    for (const [lang, width] of [['ar', 360], ['ar', 180], ['nb', 360], ['nb', 180]]) {
      await page.evaluate((l) => localStorage.setItem('veikart.lang', l), lang);
      await page.setViewportSize({ width, height: 780 });
      await page.goto(`${server.url}/#/roadmaps/${id}/areas/housing`);
      await page.reload();
      const c = lang === 'ar' ? ar : nb;
      const button = page.getByRole('button', { name: named(c, 'area.now') });
      await button.waitFor();
      const got = await page.evaluate(() => {
        const b = document.querySelector('button.speak').getBoundingClientRect();
        const f = document.querySelector('button.speak').closest('.field');
        const label = f.querySelector('label').getBoundingClientRect();
        const area = f.querySelector('textarea').getBoundingClientRect();
        const w = document.documentElement.clientWidth;
        const overlap = (a, o) => a.left < o.right && o.left < a.right && a.top < o.bottom && o.top < a.bottom;
        return { wide: document.documentElement.scrollWidth > w + 1, b: { left: b.left, right: b.right, width: b.width, height: b.height }, label: { left: label.left, right: label.right }, overLabel: overlap(b, label), overField: overlap(b, area), w };
      });
      assert.ok(!got.wide, `${lang} at ${width} px scrolls sideways`);
      assert.ok(!got.overLabel && !got.overField, `the button covers the question or the words: ${JSON.stringify(got)}`);
      assert.ok(got.b.width <= 56 && got.b.height <= 56 && got.b.height >= 44, `the button is ${got.b.width}x${got.b.height}`);
      // At the end of the question's line: the right in bokmål, the left in Arabic.
      if (lang === 'ar') assert.ok(got.b.right <= got.label.left + 1, JSON.stringify(got));
      else assert.ok(got.b.left >= got.label.right - 1, JSON.stringify(got));
      await checkA11y(page, `an area with read-aloud (${lang}, ${width} px)`);
    }
    await page.setViewportSize({ width: 412, height: 915 });
  });

  test('Somali and Tigrinya, which have no voice here: no button, and the note once', async () => {
    for (const lang of ['so', 'ti']) {
      const c = catalogue(lang);
      await page.evaluate((l) => localStorage.setItem('veikart.lang', l), lang);
      await page.reload();
      await area(lang, c['area.housing']);
      await page.getByText(c['speech.noVoice']).waitFor();
      assert.equal(await page.getByText(c['speech.noVoice']).count(), 1, `${lang}: the note is said once on the screen`);
      assert.equal(await page.locator('button.speak').count(), 0);
      await checkA11y(page, `an area without a voice (${lang})`);
      await settingsIn(page, lang);
      await page.locator('main').getByText(c['speech.noVoice']).waitFor();
    }
  });

  test('turned off in settings: no buttons, no note', async () => {
    await page.evaluate(() => localStorage.setItem('veikart.lang', 'nb'));
    await page.reload();
    await settingsIn(page, 'nb');
    await page.getByText(nb['speech.hasVoice']).waitFor();
    await page.getByRole('checkbox', { name: nb['speech.show'] }).uncheck();
    await area('nb', 'Bolig');
    await page.getByLabel(nb['area.now']).waitFor();
    // Long enough for the voices to have come and a button to be drawn.
    await page.waitForTimeout(500);
    assert.equal(await page.locator('button.speak').count(), 0);
    await settingsIn(page, 'nb');
    await page.getByRole('checkbox', { name: nb['speech.show'] }).check();
    await area('nb', 'Bolig');
    await page.getByRole('button', { name: named(nb, 'area.now') }).waitFor();
    assertNoErrors(page);
  });

  // Chromium lists no voices at first and says "voiceschanged" when it has
  // them; a phone may take longer than the module waits (3 s). Here the
  // voices are held back for 8 s: first no button and no note, then the
  // button.
  test('voices that come late: the button comes with them', async () => {
    const late = await newPage(speaking.browser);
    try {
      await late.context().addInitScript(() => {
        const real = speechSynthesis.getVoices.bind(speechSynthesis);
        let held = true;
        speechSynthesis.getVoices = () => (held ? [] : real());
        // The real event, should it come meanwhile, is not passed on.
        speechSynthesis.addEventListener('voiceschanged', (e) => { if (held) e.stopImmediatePropagation(); });
        setTimeout(() => { held = false; speechSynthesis.dispatchEvent(new Event('voiceschanged')); }, 8000);
      });
      await signIn(late, server.url, 'Liv Berg');
      await late.goto(`${server.url}/#/roadmaps/${id}/areas/housing`);
      await late.getByRole('heading', { level: 1, name: 'Bolig' }).waitFor();
      assert.equal(await late.locator('button.speak, .speak-note').count(), 0);
      await late.getByRole('button', { name: named(nb, 'area.now') }).waitFor({ timeout: 20_000 });
      assert.equal(await late.locator('.speak-note').count(), 0);
      assertNoErrors(late);
    } finally {
      await late.context().close();
    }
  });

  test('a step\'s words are read too', async () => {
    await area('nb', 'Bolig');
    await page.getByRole('link', { name: nb['step.add'] }).click();
    await page.getByLabel(nb['step.title']).fill('Søke om kommunal bolig');
    await forget(page);
    await page.getByRole('button', { name: named(nb, 'step.title') }).click();
    assert.deepEqual((await heard(3)).map((s) => s.text), [nb['step.title'], nb['step.titleHint'], 'Søke om kommunal bolig']);
  });

  test('a service\'s comment on the area and an item on the meeting\'s agenda', async () => {
    await area('nb', 'Bolig');
    await forget(page);
    await page.getByRole('button', { name: named(nb, 'comments.title') }).click();
    assert.deepEqual((await heard(1)).map((s) => s.text), [comment]);
    await page.goto(`${server.url}/#/roadmaps/${id}/meetings/mt1`);
    await forget(page);
    await page.getByRole('button', { name: nb['speech.readWhat'].replace('{what}', agendaItem) }).click();
    const got = await heard(1);
    assert.deepEqual(got.map((s) => s.text), [agendaItem]);
    assert.equal(primary(got[0].voiceLang), 'nb');
    await checkA11y(page, 'a meeting with read-aloud (nb)');
    assertNoErrors(page);
  });
});

// settingsIn opens the settings in a language and returns the page.
async function settingsIn(page, lang) {
  await page.goto(page.url().replace(/#.*$/, '#/settings'));
  const c = catalogue(lang);
  await page.getByRole('heading', { level: 1, name: c['settings.title'] }).waitFor();
  await page.getByRole('heading', { level: 2, name: c['speech.title'] }).waitFor();
  return page;
}
