// The family's and caseworker's moves through the app, as a person makes
// them: by labels and roles, the way a screen reader finds things, in
// bokmål unless a test switches language.

/** Signs in with the development login on the start screen. */
export async function signIn(page, url, name) {
  await page.goto(url + '/');
  await page.getByLabel('Navnet ditt').fill(name);
  await page.getByRole('button', { name: 'Logg inn', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Logg inn' }).waitFor({ state: 'detached' });
}

/**
 * Creates a roadmap through the two-question wizard and waits for its
 * overview. members: [{name, child?, birthYear?}]. Returns the roadmap id.
 */
export async function createRoadmap(page, title, members) {
  await page.getByRole('link', { name: 'Lag et nytt veikart' }).click();
  await page.getByLabel('Navn', { exact: true }).fill(title);
  await page.getByRole('button', { name: 'Neste' }).click();
  for (const m of members) {
    await page.getByLabel('Navn', { exact: true }).fill(m.name);
    if (m.child) await page.getByRole('radio', { name: 'Barn' }).check();
    if (m.birthYear) await page.getByLabel('Fødselsår (valgfritt)').fill(String(m.birthYear));
    await page.getByRole('button', { name: 'Legg til person' }).click();
    await page.getByText(m.name, { exact: false }).first().waitFor();
  }
  await page.getByRole('button', { name: 'Lag veikartet' }).click();
  await page.getByRole('heading', { level: 1, name: title }).waitFor();
  return new URL(page.url()).hash.split('/')[2];
}

/** Opens an area from the overview by its name. */
export async function openArea(page, name) {
  await page.getByRole('link', { name: new RegExp(`^${name}`) }).click();
  await page.getByRole('heading', { level: 1, name }).waitFor();
}

/** Fills in an area's words and scores (saved when each field changes). */
export async function describeArea(page, { now, desired, scoreNow, scoreDesired }) {
  if (now != null) { await page.getByLabel('Slik er det nå').fill(now); await page.getByLabel('Slik er det nå').blur(); }
  if (desired != null) { await page.getByLabel('Slik vil vi ha det').fill(desired); await page.getByLabel('Slik vil vi ha det').blur(); }
  if (scoreNow) await page.getByRole('group', { name: /Hvor står dere nå/ }).getByRole('radio', { name: String(scoreNow) }).check();
  if (scoreDesired) await page.getByRole('group', { name: /Hvor vil dere være/ }).getByRole('radio', { name: String(scoreDesired) }).check();
}

/** Adds a step from an area's screen and waits to be back there. */
export async function addStep(page, { title, due, who, long, reminder }) {
  await page.getByRole('link', { name: 'Legg til et steg' }).click();
  await page.getByLabel('Hva skal gjøres?').fill(title);
  if (who) await page.getByLabel('Hvem gjør det?').selectOption({ label: who });
  if (due) await page.getByLabel('Innen (valgfritt)').fill(due);
  if (long) await page.getByRole('radio', { name: 'Senere' }).check();
  if (reminder) await page.getByRole('checkbox', { name: 'Minn meg på dette steget' }).check();
  await page.getByRole('button', { name: 'Lagre' }).click();
  await page.getByRole('link', { name: title }).waitFor();
}

/** The number of edits waiting in the app's outbox. */
export function pending(page) {
  return page.evaluate(async () => {
    const db = await new Promise((ok, fail) => { const r = indexedDB.open('veikart'); r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
    try {
      return await new Promise((ok, fail) => { const r = db.transaction('outbox').objectStore('outbox').count(); r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
    } finally {
      db.close();
    }
  });
}

/** Waits until the app has nothing left to send (page.evaluate awaits; waitForFunction would not). */
export async function settled(page, ms = 15_000) {
  for (const end = Date.now() + ms; (await pending(page)) > 0;) {
    if (Date.now() > end) throw new Error(`${await pending(page)} edit(s) still waiting after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The service worker controls the page (so it works offline from now on). */
export async function offlineReady(page) {
  await page.waitForFunction(() => navigator.serviceWorker?.controller?.state === 'activated', null, { timeout: 15_000 });
}

/**
 * Goes to an address in the app and waits for its screen: a change of the
 * part after # alone is no page load, so goto cannot wait for it.
 */
export async function visit(page, url, heading) {
  // The same address again would change nothing: load it afresh.
  if (page.url() === url) await page.reload();
  else await page.goto(url);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

/**
 * Loads url afresh in lang ('nb' or 'ar') at 200 % zoom of a 360 px phone
 * (180 CSS px wide), waits for the screen (its h1, then ready if given),
 * and throws if the page scrolls sideways or any element's content runs
 * out of its box sideways: words too long for the column, a row of
 * buttons that does not wrap. A scroll container (overflow-x auto or
 * scroll, as a wide table's wrapper) may scroll: that is its own. Leaves
 * the page at a phone's 412 px in bokmål.
 * @param {import('playwright-core').Page} page
 * @param {string} url
 * @param {'nb'|'ar'} lang
 * @param {(page: import('playwright-core').Page) => Promise<void>} [ready]
 */
export async function atZoom(page, url, lang, ready) {
  await page.evaluate((l) => localStorage.setItem('veikart.lang', l), lang);
  await page.setViewportSize({ width: 180, height: 780 });
  try {
    await page.goto(url);
    await page.reload();
    await page.locator(`html[lang="${lang}"] main h1`).waitFor();
    if (ready) await ready(page);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 300))));
    const got = await page.evaluate(() => {
      const root = document.documentElement;
      const out = [];
      if (root.scrollWidth > root.clientWidth + 1) out.push(`the page is ${root.scrollWidth} px wide`);
      for (const el of document.querySelectorAll('main *')) {
        const cs = getComputedStyle(el);
        // A text field scrolls its own value; an inline box has no width,
        // nor has a text for screen readers only.
        if (cs.display === 'inline' || cs.display === 'contents' || el.closest('svg') || el.matches('input, textarea, select, .sr') || el.clientWidth <= 1) continue;
        if (cs.overflowX === 'auto' || cs.overflowX === 'scroll') continue;
        if (el.scrollWidth > el.clientWidth + 1) {
          out.push(`<${el.localName}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''}> ${el.scrollWidth} px in ${el.clientWidth}: ${JSON.stringify((el.textContent || '').trim().slice(0, 50))}`);
        }
      }
      return out;
    });
    // ZOOM_SHOTS=<dir> keeps screenshots of the screen, 900 px at a time,
    // to look at what fits but reads badly (a word broken in the middle).
    if (process.env.ZOOM_SHOTS) {
      const name = `${process.env.ZOOM_SHOTS}/${lang}-${url.split('#/')[1].replace(/[^a-z]+/g, '-').slice(-30)}`;
      const height = await page.evaluate(() => document.documentElement.scrollHeight);
      for (let y = 0, n = 0; y < height; y += 900, n++) await page.screenshot({ path: `${name}-${n}.png`, fullPage: true, scale: 'css', clip: { x: 0, y, width: 180, height: Math.min(900, height - y) } });
    }
    if (got.length) throw new Error(`${url} in ${lang} at 200 % zoom runs over:\n  ${got.join('\n  ')}`);
  } finally {
    await page.evaluate(() => localStorage.setItem('veikart.lang', 'nb'));
    await page.setViewportSize({ width: 412, height: 915 });
  }
}
