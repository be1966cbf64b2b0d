// Debian's Chromium driven by playwright-core, set up like the phone a family
// uses at a home visit, and the checks every page should pass: no console
// errors, and no WCAG 2.1 AA violation axe can find.

import { chromium, devices } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

/** Where Chromium is: never a downloaded build, always the system's. */
export const chromePath = process.env.CHROME_PATH || '/usr/bin/chromium';

/** The flags Chromium runs with here (as root in a container; no phoning home). */
export const chromeArgs = ['--no-sandbox', '--disable-background-networking'];

/**
 * Launches headless Chromium.
 * @param {import('playwright-core').LaunchOptions} [opts]  e.g. {headless: false, slowMo: 200} to watch
 * @returns {Promise<import('playwright-core').Browser>}
 */
export function launch(opts = {}) {
  return chromium.launch({ executablePath: chromePath, args: chromeArgs, ...opts });
}

/** Pixel 7, in Norwegian, in Norway. */
export const phone = {
  ...devices['Pixel 7'], // 412x915 screen, DPR 2.625, touch, mobile Chrome user agent
  locale: 'nb-NO',
  timezoneId: 'Europe/Oslo',
};

// The errors each page has logged, read by consoleErrors and assertNoErrors.
const errors = new WeakMap();

/**
 * Opens a page in a fresh context (its own storage, IndexedDB and service
 * workers) with phone emulation. Close it with page.context().close().
 * @param {import('playwright-core').Browser} browser
 * @param {import('playwright-core').BrowserContextOptions} [opts]  wins over the phone's
 *   settings, e.g. {locale: 'ar', offline: true, colorScheme: 'dark'}
 * @returns {Promise<import('playwright-core').Page>}
 */
export async function newPage(browser, opts = {}) {
  const context = await browser.newContext({ ...phone, ...opts });
  const page = await context.newPage();
  const list = [];
  errors.set(page, list);
  // console.error, failed loads (Chromium logs a 404 or a CSP refusal as a
  // console error) and uncaught exceptions all count.
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const where = m.location().url;
    // Chromium asks for /favicon.ico by itself when a page declares no icon;
    // that 404 is the browser's guess, not the page's mistake (a declared
    // icon that is missing still counts).
    if (/^https?:\/\/[^/]+\/favicon\.ico$/.test(where)) return;
    list.push(`console: ${m.text()} (${where || 'no url'})`);
  });
  page.on('pageerror', (e) => list.push(`uncaught: ${e.stack || e.message}`));
  return page;
}

/** The errors the page has logged so far. */
export function consoleErrors(page) {
  return [...(errors.get(page) ?? [])];
}

/**
 * Throws if the page has logged any error.
 * @param {import('playwright-core').Page} page
 * @param {(string|RegExp)[]} [allow]  errors expected by the test (matched against the text)
 */
export function assertNoErrors(page, allow = []) {
  const left = consoleErrors(page).filter((e) => !allow.some((a) => (a instanceof RegExp ? a.test(e) : e.includes(a))));
  if (left.length) throw new Error(`${page.url()} logged ${left.length} error(s):\n  ${left.join('\n  ')}`);
}

/** The axe tags of WCAG 2.1 A and AA, the law for Norwegian public services. */
export const wcagTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * Throws if the screen shows what code leaks, not words: a text that is
 * only "null" (the DOM's append and replaceChildren write a null child so;
 * ui.js put and add leave it out), or "undefined", "NaN" or "[object
 * Object]" anywhere in a text or in an attribute a person hears or sees.
 * checkA11y runs it, so every screen a spec checks with axe is checked.
 * @param {import('playwright-core').Page} page
 * @param {string} label  names the screen or state in the message
 */
export async function assertNoStrayText(page, label) {
  const stray = await page.evaluate(() => {
    const leak = /\bundefined\b|\bNaN\b|\[object Object\]/;
    const out = [];
    const where = (el) => `<${el.localName}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ')[0]}` : ''}>`;
    const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = w.nextNode(); n; n = w.nextNode()) {
      if (n.parentElement?.closest('script, style, template')) continue;
      if (n.data.trim() === 'null' || leak.test(n.data)) out.push(`${JSON.stringify(n.data.trim().slice(0, 80))} in ${where(n.parentElement)}`);
    }
    for (const el of document.body.querySelectorAll('*')) {
      for (const a of ['aria-label', 'aria-description', 'alt', 'title', 'placeholder', 'value']) {
        const v = el.getAttribute(a);
        if (v != null && (v.trim() === 'null' || leak.test(v))) out.push(`${a}=${JSON.stringify(v.slice(0, 80))} on ${where(el)}`);
      }
    }
    return out;
  });
  if (stray.length) throw new Error(`${label} shows code's words, not the app's:\n  ${stray.join('\n  ')}`);
}

/**
 * Runs axe on the page as it is now, and throws listing every violation.
 * @param {import('playwright-core').Page} page
 * @param {string} label  names the screen or state in the message
 * @param {{include?: string, exclude?: string[], disableRules?: string[]}} [opts]
 * @returns {Promise<object>} axe's results, for tests that want more
 */
export async function checkA11y(page, label, opts = {}) {
  await assertNoStrayText(page, label);
  // Legacy mode runs axe.run() in the page itself. The default runs axe in
  // each frame and then merges the results in a blank page it opens for
  // every check, which costs about a second a check; legacy mode skips only
  // cross-origin frames, and the app's Content-Security-Policy (default-src
  // 'self') allows none.
  let builder = new AxeBuilder({ page }).withTags(wcagTags).setLegacyMode();
  if (opts.include) builder = builder.include(opts.include);
  for (const sel of opts.exclude ?? []) builder = builder.exclude(sel);
  if (opts.disableRules) builder = builder.disableRules(opts.disableRules);
  const results = await builder.analyze();
  if (results.violations.length) {
    const lines = results.violations.map((v) => {
      const targets = v.nodes.map((n) => n.target.join(' ')).join(', ');
      return `${v.id} (${v.impact}): ${v.help}\n    ${targets}\n    ${v.helpUrl}`;
    });
    throw new Error(`axe found ${lines.length} violation(s) on ${label}:\n  ${lines.join('\n  ')}`);
  }
  return results;
}

// withAuthenticator gives page a platform authenticator that holds
// discoverable credentials and verifies its user (a fingerprint, say).
export async function withAuthenticator(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
  });
  return { credentials: async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials };
}
