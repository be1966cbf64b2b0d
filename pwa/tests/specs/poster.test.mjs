// The Veikart poster, printed as a family prints it: the roadmap made in
// the app with the family's own words, the economy area taken off the
// poster, and the page printed to PDF by Chromium's own print (page.pdf
// uses the print media, so what is checked is the app's print view). The
// PDF is then read by tools that know nothing of the app: pdftoppm turns it
// into images and Tesseract reads the words off them; pdftotext and
// pdffonts check exact text and the fonts embedded; zbarimg reads the QR
// code off the printed page. In bokmål, Arabic and Tigrinya, A4 and A3,
// for the household and for one member, and offline.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startServer, repoRoot } from '../lib/server.mjs';
import { assertNoErrors, checkA11y, launch, newPage } from '../lib/browser.mjs';
import { addStep, createRoadmap, describeArea, offlineReady, openArea, settled, signIn } from '../lib/app.mjs';
import { dayISO, dayNb } from '../lib/dates.mjs';

const housingDue = dayISO(24);

const run = promisify(execFile);
const catalogue = async (l) => JSON.parse(await readFile(join(repoRoot, 'pwa', 'i18n', `${l}.json`), 'utf8'));

// The family's own words. Each word the OCR must find is a plain, long
// word, printed at the poster's body size or larger.
// Emma is 16 this year: she has her own say about the poster.
const emmaBorn = new Date().getFullYear() - 16;
const family = { title: 'Familien Haugland', members: [{ name: 'Sigrid' }, { name: 'Tobias', child: true }, { name: 'Emma', child: true, birthYear: emmaBorn }] };
const areas = {
  Bolig: { now: 'Vi bor trangt i en toromsleilighet', desired: 'Et rekkehus med hage', scoreNow: 2, scoreDesired: 4,
    steps: [{ title: 'Søke kommunal bolig', who: 'Sigrid', due: housingDue }] },
  Arbeid: { now: 'Jobber deltid i butikk', desired: 'Fast jobb som sveiser', scoreNow: 3, scoreDesired: 5,
    steps: [{ title: 'Starte sveisekurs', who: 'Sigrid', due: dayISO(50) }] },
  'Skole og utdanning': { now: 'Strever med matematikk', desired: 'Bestått eksamen', scoreNow: 2, scoreDesired: 4,
    steps: [{ title: 'Leksehjelp biblioteket', who: 'Tobias' }] },
  Økonomi: { now: 'Gjeld til inkasso etter strømregningen', desired: 'Gjeldfri innen to år', scoreNow: 1, scoreDesired: 4,
    steps: [{ title: 'Timeavtale med gjeldsrådgiver', due: dayISO(14) }] },
};
// What must be on the poster (exact, from pdftotext) and what the OCR must
// read off its image; and what the hidden economy area must not leave.
const shownText = ['Familien Haugland', 'Vi bor trangt i en toromsleilighet', 'Et rekkehus med hage', 'Søke kommunal bolig',
  'Jobber deltid i butikk', 'Fast jobb som sveiser', 'Starte sveisekurs', 'Leksehjelp biblioteket', 'Sigrid', 'Tobias'];
const shownOCR = ['Haugland', 'toromsleilighet', 'rekkehus', 'kommunal', 'deltid', 'sveiser', 'sveisekurs', 'Leksehjelp', 'biblioteket', 'matematikk'];
const economyText = ['inkasso', 'strømregningen', 'Gjeldfri', 'gjeldsrådgiver'];
const economyOCR = ['inkasso', 'Gjeldfri', 'gjeldsrådgiver'];

// The PDF tools, each a separate program: an image of each page at 200 dpi,
// the text layer, the fonts, the page size.
async function pngs(pdf, dir, name) {
  await run('pdftoppm', ['-r', '200', '-png', pdf, join(dir, name)]);
  return (await readdir(dir)).filter((f) => f.startsWith(`${name}-`) && f.endsWith('.png')).sort().map((f) => join(dir, f));
}
const ocr = async (png, lang) => (await run('tesseract', [png, 'stdout', '-l', lang], { maxBuffer: 16 << 20 })).stdout;
const pdftotext = async (pdf) => (await run('pdftotext', ['-layout', pdf, '-'], { maxBuffer: 16 << 20 })).stdout;
const pdffonts = async (pdf) => (await run('pdffonts', [pdf])).stdout;
async function pdfinfo(pdf) {
  const out = (await run('pdfinfo', [pdf])).stdout;
  const [, w, h] = /Page size:\s+([\d.]+) x ([\d.]+) pts/.exec(out);
  return { pages: Number(/Pages:\s+(\d+)/.exec(out)[1]), width: Number(w), height: Number(h) };
}
async function qrText(png) {
  const { stdout } = await run('zbarimg', ['--quiet', '--raw', png]);
  return stdout.trim();
}

// Text as the tools give it: OCR breaks lines and may add spaces; Arabic
// from a PDF can come in presentation forms. Compared without case, spaces
// and line ends.
// pdftotext also wraps runs in bidi controls, splits a vowel mark from its
// letter, and gives a lam-alef ligature's letters in visual order (alef
// first): both sides are brought to that form.
const squash = (s) => s.normalize('NFKC').toLowerCase()
  .replace(/[\u200e\u200f\u202a-\u202e\u2066-\u2069\u064b-\u0652]/g, '')
  .replace(/\u0644([\u0627\u0622\u0623\u0625])/g, '$1\u0644')
  .replace(/\s+/g, '');
const has = (text, word) => squash(text).includes(squash(word));

// keptWords waits until the area's words are saved and on the screen, and
// types again what a redraw of the screen took from under the typing (the
// area screen draws itself again as each edit is saved).
async function keptWords(page, a) {
  for (let i = 0; ; i++) {
    await settled(page);
    await page.evaluate(() => new Promise((r) => setTimeout(r, 200)));
    const now = await page.getByLabel('Slik er det nå').inputValue();
    const desired = await page.getByLabel('Slik vil vi ha det').inputValue();
    if (now === a.now && desired === a.desired) return;
    if (i === 3) throw new Error(`the area's words did not stay: ${JSON.stringify({ now, desired })}`);
    await describeArea(page, { now: now === a.now ? null : a.now, desired: desired === a.desired ? null : a.desired });
  }
}

describe('the poster', () => {
  let server, browser, page, url, id, dir, nb, ar, ti;

  before(async () => {
    [nb, ar, ti] = await Promise.all([catalogue('nb'), catalogue('ar'), catalogue('ti')]);
    server = await startServer();
    url = server.url;
    browser = await launch();
    page = await newPage(browser);
    dir = await mkdtemp(join(tmpdir(), 'veikart-poster-'));
  });

  after(async () => {
    await page?.context().close();
    await browser?.close();
    await server?.stop();
    if (dir && !process.env.KEEP_POSTER) await rm(dir, { recursive: true, force: true });
  });

  // print prints the poster screen as it is to PDF and reads the PDF back.
  async function print(name, pdfOptions) {
    await settled(page);
    const pdf = join(dir, `${name}.pdf`);
    await writeFile(pdf, await page.pdf(pdfOptions));
    const images = await pngs(pdf, dir, name);
    return { pdf, images, text: await pdftotext(pdf), info: await pdfinfo(pdf) };
  }

  const posterOf = (p) => p.locator('article.poster');

  // choose sets the poster's choices on the screen as a person does (each
  // test says all it relies on, so that one failing leaves the next sound).
  // m is the catalogue of the screen's language.
  async function choose(m, { paper = 'a4', names = true, whose = m['poster.whose.all'], economy = false }) {
    await page.getByRole('radio', { name: m[`poster.paper.${paper}`] }).check();
    await page.getByRole('radio', { name: whose, exact: true }).check();
    await page.getByRole('checkbox', { name: m['poster.names'] }).setChecked(names);
    await page.getByRole('checkbox', { name: m['area.economy'] }).setChecked(economy);
    await page.locator(`article.poster.${paper}`).waitFor();
  }

  test('the family makes its roadmap in the app', async () => {
    await signIn(page, url, 'Sigrid Haugland');
    id = await createRoadmap(page, family.title, family.members);
    for (const [name, a] of Object.entries(areas)) {
      await openArea(page, name);
      await describeArea(page, a);
      await keptWords(page, a);
      for (const st of a.steps) await addStep(page, st);
      await page.getByRole('link', { name: `Tilbake til ${family.title}` }).click();
      await page.getByRole('heading', { level: 1, name: family.title }).waitFor();
    }
    await settled(page);
  });

  test('the poster screen: reached from the roadmap, passes axe', async () => {
    await page.getByRole('link', { name: nb['roadmap.poster'] }).click();
    await page.getByRole('heading', { level: 1, name: nb['poster.title'] }).waitFor();
    // The QR code comes from the server; the poster waits for it.
    await posterOf(page).locator('.poster-qr img').waitFor();
    await checkA11y(page, 'the poster screen (nb)');
    // Private by default: the areas the family wrote in are chosen, but
    // not economy (nor health), and no names; the empty ones are not; and
    // the screen says why.
    for (const name of Object.keys(areas)) {
      assert.equal(await page.getByRole('checkbox', { name }).isChecked(), name !== 'Økonomi', `${name} chosen by default`);
    }
    assert.equal(await page.getByRole('checkbox', { name: 'Helse' }).isChecked(), false, 'an empty area is left off');
    assert.equal(await page.getByRole('checkbox', { name: nb['poster.names'] }).isChecked(), false, 'names are off by default');
    await page.getByText(nb['poster.visitors']).waitFor();
    assert.ok(!(await posterOf(page).innerText()).includes('Sigrid'), 'a name on the poster by default');
    assert.match(await page.locator('small', { hasText: nb['poster.qrFamilyOnly'] }).textContent(), /familien/);
  });

  test('Emma, 16, is on the poster by name, or has her own, only once she said yes', async () => {
    await choose(nb, { names: true });
    const poster = posterOf(page);
    await poster.getByText('Sigrid og Tobias').waitFor();
    assert.ok(!(await poster.innerText()).includes('Emma'), 'Emma named before she said yes');
    await page.getByRole('radio', { name: 'Emma', exact: true }).check();
    await poster.getByText(nb['poster.askFirst'].replaceAll('{name}', 'Emma')).waitFor();
    await checkA11y(page, 'the poster waiting for a young member\'s yes');
    await page.getByRole('checkbox', { name: nb['poster.youngYes'].replace('{name}', 'Emma') }).check();
    await poster.getByText(nb['poster.for'].replace('{name}', 'Emma')).waitFor();
    await page.getByRole('radio', { name: nb['poster.whose.all'], exact: true }).check();
    await poster.getByText('Sigrid, Tobias og Emma').waitFor();
    await page.getByRole('checkbox', { name: nb['poster.youngYes'].replace('{name}', 'Emma') }).uncheck();
    await poster.getByText('Sigrid og Tobias').waitFor();
  });

  test('the economy area printed when chosen (so its absence below means something)', async () => {
    await choose(nb, { economy: true });
    await posterOf(page).getByText(areas.Økonomi.now).waitFor();
    const out = await print('nb-all', { format: 'A4' });
    for (const w of economyText) assert.ok(has(out.text, w), `pdftotext: "${w}" on the poster with economy chosen`);
    const seen = (await Promise.all(out.images.map((p) => ocr(p, 'nor')))).join('\n');
    for (const w of economyOCR) assert.ok(has(seen, w), `OCR: "${w}" on the poster with economy chosen:\n${seen}`);
  });

  test('A4 in bokmål with economy hidden: the family\'s words and steps on the image, economy nowhere', async () => {
    await choose(nb, { economy: false });
    await posterOf(page).getByText(areas.Økonomi.now).waitFor({ state: 'detached' });
    const out = await print('nb-a4', { format: 'A4' });
    for (const w of shownText) assert.ok(has(out.text, w), `pdftotext: "${w}" missing:\n${out.text}`);
    for (const w of [...economyText, nb['area.economy']]) assert.ok(!has(out.text, w), `pdftotext: "${w}" printed though economy is hidden`);
    assert.equal(out.info.pages, 1, 'the poster is one page');
    assert.ok(Math.abs(out.info.width - 595.3) < 1 && Math.abs(out.info.height - 841.9) < 1, `A4 portrait: ${JSON.stringify(out.info)}`);
    // The screen's choices are not printed.
    for (const w of [nb['poster.print'], nb['poster.areas'], nb['poster.paper']]) assert.ok(!has(out.text, w), `"${w}" printed`);
    // In the person's language: the labels, a status, a date.
    for (const w of [nb['area.now'], nb['area.desired'], nb['status.planned'], `innen ${dayNb(housingDue)}`, nb['poster.qrFamilyOnly']]) {
      assert.ok(has(out.text, w), `pdftotext: "${w}" missing`);
    }

    const seen = await ocr(out.images[0], 'nor');
    for (const w of shownOCR) assert.ok(has(seen, w), `OCR: "${w}" not read off the poster:\n${seen}`);
    for (const w of economyOCR) assert.ok(!has(seen, w), `OCR: "${w}" read off the poster though economy is hidden`);
    // The QR code on the paper opens the roadmap in the app.
    assert.equal(await qrText(out.images[0]), `${url}/#/roadmaps/${id}`);
    assertNoErrors(page);
  });

  test('A3, names hidden: the page is A3 by the poster\'s own @page, without the family\'s names', async () => {
    await choose(nb, { paper: 'a3', names: false });
    // No format given: the size is the one the app's print CSS asks for.
    const out = await print('nb-a3', { preferCSSPageSize: true });
    assert.ok(Math.abs(out.info.width - 841.9) < 1 && Math.abs(out.info.height - 1190.6) < 1, `A3 portrait: ${JSON.stringify(out.info)}`);
    assert.equal(out.info.pages, 1);
    for (const w of ['Familien Haugland', 'Søke kommunal bolig', 'Fast jobb som sveiser', nb['step.who.member']]) assert.ok(has(out.text, w), `"${w}" missing`);
    for (const w of ['Sigrid', 'Tobias', ...economyText]) assert.ok(!has(out.text, w), `"${w}" printed`);
    const seen = await ocr(out.images[0], 'nor');
    for (const w of ['rekkehus', 'sveisekurs', 'Leksehjelp']) assert.ok(has(seen, w), `OCR: "${w}" not read off the A3 poster:\n${seen}`);
  });

  test('one member\'s poster: only the areas and steps that concern them', async () => {
    await choose(nb, { whose: 'Tobias' });
    const poster = posterOf(page);
    await poster.getByText('Leksehjelp biblioteket').waitFor();
    assert.equal(await poster.getByText('Starte sveisekurs').count(), 0, 'Sigrid\'s step on Tobias\'s poster');
    assert.equal(await poster.getByRole('heading', { level: 3 }).allTextContents().then((h) => h.join('|')), 'Skole og utdanning');
    assert.ok((await poster.textContent()).includes(nb['poster.for'].replace('{name}', 'Tobias')));
    await page.getByRole('radio', { name: nb['poster.whose.all'] }).check();
    await poster.getByText('Starte sveisekurs').waitFor();
  });

  test('Arabic: right to left, Arabic font embedded, the family\'s Norwegian words read off the image, economy absent', async () => {
    await page.getByRole('link', { name: nb['nav.settings'] }).click();
    await page.getByRole('heading', { level: 1, name: nb['settings.title'] }).waitFor();
    await page.getByRole('radio', { name: 'العربية' }).check();
    await page.locator('html[lang="ar"][dir="rtl"]').waitFor({ state: 'attached' });
    await page.goto(`${url}/#/roadmaps/${id}/poster`);
    await page.getByRole('heading', { level: 1, name: ar['poster.title'] }).waitFor();
    const poster = posterOf(page);
    await poster.locator('.poster-qr img').waitFor();
    // The choices are remembered on the device: economy stays off.
    assert.equal(await page.getByRole('checkbox', { name: ar['area.economy'] }).isChecked(), false);
    await choose(ar, {});
    await checkA11y(page, 'the poster screen (ar)');

    // Mirrored in print: the road's marks are on the right of the words,
    // the QR code on the left of the title.
    await page.emulateMedia({ media: 'print' });
    const box = (sel) => poster.locator(sel).first().boundingBox();
    const [mark, title, qr, heading] = await Promise.all([box('.poster-step .mark'), box('.poster-step-title'), box('.poster-qr'), box('.poster-heading')]);
    await page.emulateMedia({ media: null }); // page.pdf prints with the print media only when none is emulated
    assert.ok(mark.x > title.x + title.width - 1, `the step's mark is right of its title: ${JSON.stringify({ mark, title })}`);
    assert.ok(qr.x + qr.width <= heading.x + 1, `the QR code is left of the title: ${JSON.stringify({ qr, heading })}`);

    const out = await print('ar-a4', { format: 'A4' });
    assert.equal(out.info.pages, 1);
    const fonts = await pdffonts(out.pdf);
    assert.match(fonts, /Arabic/i, `no Arabic font embedded:\n${fonts}`);
    // The Arabic words as the PDF holds them: the labels, the area names,
    // a status, the small print under the QR code.
    for (const w of [ar['area.housing'], ar['area.work'], ar['area.now'], ar['area.desired'], ar['status.planned'], ar['poster.qrFamilyOnly']]) {
      for (const word of w.split(/\s+/)) assert.ok(has(out.text, word), `pdftotext: "${word}" (of "${w}") not in the Arabic poster:\n${out.text}`);
    }
    assert.ok(!has(out.text, ar['area.economy']), 'the economy area\'s Arabic name printed');
    for (const w of shownText) assert.ok(has(out.text, w), `pdftotext: "${w}" missing from the Arabic poster`);
    for (const w of economyText) assert.ok(!has(out.text, w), `pdftotext: "${w}" on the Arabic poster though economy is hidden`);
    // The family wrote in Norwegian: those words the OCR reads on the
    // Arabic poster too, and the poster's own Arabic labels that Tesseract
    // reads reliably (the longer ones in body text: it misreads the short,
    // coloured area headings, which the text layer above covers).
    const seen = await ocr(out.images[0], 'ara+nor');
    for (const w of [ar['area.desired'], ar['status.planned']]) assert.ok(has(seen, w), `OCR: "${w}" not read off the Arabic poster:\n${seen}`);
    for (const w of ['Haugland', 'toromsleilighet', 'rekkehus', 'sveisekurs', 'Leksehjelp']) assert.ok(has(seen, w), `OCR: "${w}" not read off the Arabic poster:\n${seen}`);
    for (const w of economyOCR) assert.ok(!has(seen, w), `OCR: "${w}" on the Arabic poster`);
    assert.equal(await qrText(out.images[0]), `${url}/#/roadmaps/${id}`);
    assertNoErrors(page);
  });

  test('Tigrinya: Ge\'ez script printed with an Ethiopic font', async () => {
    await page.getByRole('link', { name: ar['nav.settings'] }).click();
    await page.getByRole('heading', { level: 1, name: ar['settings.title'] }).waitFor();
    await page.getByRole('radio', { name: 'ትግርኛ' }).check();
    await page.locator('html[lang="ti"][dir="ltr"]').waitFor({ state: 'attached' });
    await page.goto(`${url}/#/roadmaps/${id}/poster`);
    await page.getByRole('heading', { level: 1, name: ti['poster.title'] }).waitFor();
    await posterOf(page).locator('.poster-qr img').waitFor();
    await choose(ti, {});
    const out = await print('ti-a4', { format: 'A4' });
    assert.equal(out.info.pages, 1);
    const fonts = await pdffonts(out.pdf);
    assert.match(fonts, /Ethiopic/i, `no Ethiopic font embedded:\n${fonts}`);
    for (const w of [ti['area.housing'], ti['area.now'], ti['area.desired'], ti['status.planned'], ti['poster.qrFamilyOnly'], 'Søke kommunal bolig']) {
      assert.ok(has(out.text, w), `pdftotext: "${w}" not on the Tigrinya poster:\n${out.text}`);
    }
    for (const w of [ti['area.economy'], ...economyText]) assert.ok(!has(out.text, w), `"${w}" on the Tigrinya poster`);
    assertNoErrors(page);
  });

  test('offline: the poster and its QR code still print (kept on the phone)', async () => {
    await offlineReady(page);
    await page.context().setOffline(true);
    try {
      await page.reload();
      await page.getByRole('heading', { level: 1, name: ti['poster.title'] }).waitFor();
      await posterOf(page).locator('.poster-qr img').waitFor();
      const out = await print('ti-offline', { format: 'A4' });
      assert.ok(has(out.text, 'Søke kommunal bolig'));
      assert.equal(await qrText(out.images[0]), `${url}/#/roadmaps/${id}`);
    } finally {
      await page.context().setOffline(false);
    }
    assertNoErrors(page, [/ERR_INTERNET_DISCONNECTED/, /Failed to fetch/]);
  });
});
