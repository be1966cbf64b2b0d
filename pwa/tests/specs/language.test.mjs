// Dates and lists in the family's language, also where Chromium's Intl has
// no data for it (Somali, Tigrinya): "3 Maarso 2027", not "3. mars 2027";
// "Amal, Ahmed, Hodan iyo Yusuf", not "... og Yusuf".

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, devLogin, createAgency, api, catalogue } from '../lib/server.mjs';
import { assertNoErrors, launch, newPage } from '../lib/browser.mjs';
import { signIn, visit } from '../lib/app.mjs';

const until = '2027-03-03T12:00:00Z'; // the last day in force is 3 March 2027

describe('dates and lists in every language', () => {
  let server, browser, page, id;

  before(async () => {
    server = await startServer();
    await createAgency(server, { id: 'nav-sola', name: 'NAV Sola', kind: 'nav', region: 'Rogaland' });
    const amal = (await devLogin(server.url, 'Amal Yusuf')).accessToken;
    const r = await api(server.url, amal, 'POST', '/api/v1/roadmaps', {
      title: 'Familien Yusuf',
      members: ['Amal', 'Ahmed', 'Hodan', 'Yusuf'].map((name, i) => ({ id: `m${i}`, name, role: i < 2 ? 'adult' : 'child' })),
    });
    id = r.id;
    await api(server.url, amal, 'POST', `/api/v1/roadmaps/${id}/grants`, {
      agencyId: 'nav-sola', sections: ['household', 'area:housing'], permissions: ['view'], purpose: 'Bolig', expiresAt: until,
    });
    browser = await launch();
    page = await newPage(browser);
    await signIn(page, server.url, 'Amal Yusuf');
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const expected = {
    so: { date: '3 Maarso 2027', names: 'Amal, Ahmed, Hodan iyo Yusuf' },
    ti: { date: '3 መጋቢት 2027', names: "Amal፣ Ahmed፣ Hodan ከምኡ'ውን Yusuf" },
  };

  for (const lang of ['so', 'ti', 'ar', 'nn']) {
    test(`in ${lang}`, async () => {
      const m = await catalogue(lang);
      await page.evaluate((l) => localStorage.setItem('veikart.lang', l), lang);
      await visit(page, `${server.url}/#/roadmaps/${id}`, 'Familien Yusuf');
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Familien Yusuf' }).waitFor();
      const names = await page.locator('main h1 + p').innerText();
      await visit(page, `${server.url}/#/roadmaps/${id}/sharing`, m['sharing.title']);
      const card = await page.getByRole('listitem').filter({ hasText: 'NAV Sola' }).innerText();
      if (lang !== 'nn') {
        // Not Norwegian where the language is not.
        assert.doesNotMatch(card, /mars|desember/, `a Norwegian month in ${lang}: ${card}`);
        assert.doesNotMatch(names, / og /, `a Norwegian "og" in ${lang}: ${names}`);
      }
      if (expected[lang]) {
        assert.ok(card.includes(expected[lang].date), `${lang} date: ${card}`);
        assert.equal(names, expected[lang].names);
      }
      if (lang === 'ar') assert.doesNotMatch(names, /,/, `a Latin comma in an Arabic list: ${names}`);
      if (lang === 'nn') assert.ok(card.includes('3. mars 2027') && names === 'Amal, Ahmed, Hodan og Yusuf', `${card} / ${names}`);
      assertNoErrors(page);
    });
  }

  test('the language choice comes first on the sign-in screen, and is in the header of every screen', async () => {
    const fresh = await newPage(browser);
    await fresh.goto(server.url + '/');
    await fresh.getByRole('heading', { level: 1, name: 'Logg inn' }).waitFor();
    // The first thing to reach in the screen is the choice, each language
    // in its own name and script.
    const first = await fresh.evaluate(() => document.querySelector('main').querySelector('input, select, button, a, textarea')?.closest('fieldset')?.querySelector('legend')?.textContent);
    assert.equal(first, 'Språk');
    for (const name of ['Soomaali', 'ትግርኛ', 'العربية', 'Українська']) await fresh.getByRole('radio', { name }).waitFor();
    // The header has it too, on every screen, signed in or not.
    const header = fresh.getByRole('combobox', { name: /Language/ });
    assert.deepEqual(await header.locator('option').allInnerTexts(), ['Norsk bokmål', 'Norsk nynorsk', 'English', 'العربية', 'Українська', 'Soomaali', 'ትግርኛ']);
    await header.selectOption({ label: 'Soomaali' });
    const so = await catalogue('so');
    await fresh.getByRole('heading', { level: 1, name: so['signin.title'] }).waitFor();
    await fresh.locator('html[lang="so"]').waitFor({ state: 'attached' });
    await fresh.context().close();

    await visit(page, `${server.url}/#/roadmaps/${id}/sharing`, (await catalogue('nn'))['sharing.title']);
    await page.getByRole('combobox', { name: /Language/ }).selectOption({ label: 'العربية' });
    await page.getByRole('heading', { level: 1, name: (await catalogue('ar'))['sharing.title'] }).waitFor();
    await page.locator('html[dir="rtl"]').waitFor({ state: 'attached' });
  });
});
