// npm run budget [-- [name=]PATH ...]
//
// Measures what a family's cheap phone on a poor network pays for the app:
// the compressed app shell (budget 60 KB) and Lighthouse's mobile scores for
// performance and accessibility (at least 95 each) on the main screens.
// Exits 1 if any is missed. HTML reports go to tmp/lighthouse/.
//
// Screens behind sign-in: import { budget } from './budget.mjs' and pass
// screens with a prepare(page, server) hook. It gets a Playwright page in the
// very Chrome Lighthouse then uses; whatever it stores there (IndexedDB,
// localStorage, a service worker) stays for the measurement, because
// Lighthouse's storage reset is turned off for such screens. So they are
// measured as a returning visitor, the others as a first-time one.
//
//   await budget({ screens: [{ name: 'roadmap', path: '/#/roadmap', async prepare(page, server) {
//     const tokens = await devLogin(server.url, 'Kari');
//     await page.goto(server.url + '/');
//     await page.evaluate((t) => putSessionInIndexedDB(t), tokens);
//   } }] });

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';
import { chromium } from 'playwright-core';
import { repoRoot, startServer } from './lib/server.mjs';
import { chromePath } from './lib/browser.mjs';
import { measureShell, shellBudget, shellTable } from './lib/shell.mjs';

/** The lowest Lighthouse score (0-100) accepted in each category. */
export const minScore = 95;
const categories = ['performance', 'accessibility'];

/**
 * @typedef {object} Screen
 * @property {string} name
 * @property {string} path  from the server's root, e.g. "/" or "/#/roadmap"
 * @property {(page: import('playwright-core').Page, server: import('./lib/server.mjs').Server) => Promise<void>} [prepare]
 */

/** The screens measured when none are named. */
export const defaultScreens = [{ name: 'sign-in', path: '/' }];

/**
 * Measures the shell and the screens on a fresh server, prints the results,
 * and reports whether everything is within budget.
 * @param {{screens?: Screen[], env?: Record<string,string>}} [opts]  env: extra server settings
 * @returns {Promise<{ok: boolean, shell: object, scores: object[]}>}
 */
export async function budget({ screens = defaultScreens, env } = {}) {
  const server = await startServer({ env });
  try {
    const shell = await measureShell(server.url + '/');
    const how = shell.serverCompresses ? 'as the server compressed it' : 'the server does not compress: gzip -9 by us';
    console.log(`App shell (${how}):\n${shellTable(shell)}\n`);
    let ok = shell.total <= shellBudget && shell.missing.length === 0;
    if (shell.total > shellBudget) console.log(`OVER BUDGET: the shell is ${shell.total} bytes, over ${shellBudget}`);
    if (shell.missing.length) console.log('BROKEN: the shell refers to files the server does not have');

    const scores = [];
    for (const screen of screens) scores.push(await runLighthouse(server, screen));
    console.log(scoreTable(scores));
    for (const s of scores) {
      for (const c of categories) {
        if (s[c] < minScore) {
          ok = false;
          console.log(`\nBELOW ${minScore}: ${s.name} ${c} ${s[c]}; failing audits:\n  ${s.failing[c].join('\n  ') || '(none listed)'}`);
        }
      }
    }
    return { ok, shell, scores };
  } finally {
    await server.stop();
  }
}

async function runLighthouse(server, screen) {
  // The default chrome-launcher flags already keep Chrome from phoning home.
  // Norwegian, as the tests' phone: headless Chrome is en-US otherwise, and
  // the app picks its language from navigator.language (--lang alone does
  // not change that in headless mode; --accept-lang does).
  const chrome = await chromeLauncher.launch({
    chromePath, chromeFlags: ['--headless=new', '--no-sandbox', '--lang=nb-NO', '--accept-lang=nb-NO,nb'], logLevel: 'error',
  });
  try {
    if (screen.prepare) {
      const browser = await chromium.connectOverCDP(`http://127.0.0.1:${chrome.port}`);
      const page = await browser.contexts()[0].newPage();
      await screen.prepare(page, server);
      await page.close();
      await browser.close(); // only disconnects: Chrome and its default profile stay
    }
    const result = await lighthouse(server.url + screen.path, {
      port: chrome.port,
      output: 'html',
      logLevel: 'error',
      onlyCategories: categories,
      disableStorageReset: Boolean(screen.prepare),
    });
    const { lhr } = result;
    if (lhr.runtimeError) throw new Error(`Lighthouse on ${screen.path}: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
    const dir = join(repoRoot, 'tmp', 'lighthouse');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, `${screen.name}.html`), result.report);
    const row = { name: screen.name, path: screen.path, failing: {} };
    for (const c of categories) {
      row[c] = Math.round(lhr.categories[c].score * 100);
      row.failing[c] = lhr.categories[c].auditRefs
        .filter((r) => r.weight > 0 && lhr.audits[r.id].score !== null && lhr.audits[r.id].score < 1)
        .map((r) => `${r.id}: ${lhr.audits[r.id].title} (${lhr.audits[r.id].displayValue ?? lhr.audits[r.id].score})`);
    }
    const ms = (id) => Math.round(lhr.audits[id]?.numericValue ?? NaN);
    Object.assign(row, { fcp: ms('first-contentful-paint'), lcp: ms('largest-contentful-paint'), tbt: ms('total-blocking-time'),
      cls: lhr.audits['cumulative-layout-shift']?.numericValue ?? NaN });
    return row;
  } finally {
    await chrome.kill();
  }
}

function scoreTable(rows) {
  const head = `  ${'screen'.padEnd(16)} ${'path'.padEnd(20)} perf  a11y  FCP ms  LCP ms  TBT ms    CLS`;
  const lines = rows.map((r) => `  ${r.name.padEnd(16)} ${r.path.padEnd(20)} ${String(r.performance).padStart(4)}  ${String(r.accessibility).padStart(4)}` +
    `  ${String(r.fcp).padStart(6)}  ${String(r.lcp).padStart(6)}  ${String(r.tbt).padStart(6)}  ${r.cls.toFixed(3).padStart(5)}`);
  return `Lighthouse (mobile, simulated throttling; minimum ${minScore}):\n${head}\n${lines.join('\n')}`;
}

// As a command: each argument is PATH or NAME=PATH.
if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const screens = args.length
    ? args.map((a) => {
      const named = /^([\w-]+)=(\/.*)$/.exec(a);
      return named ? { name: named[1], path: named[2] } : { name: a.replace(/[^\w-]+/g, '_').replace(/^_+|_+$/g, '') || 'root', path: a };
    })
    : defaultScreens;
  const { ok } = await budget({ screens });
  console.log(ok ? '\nbudget: ok' : '\nbudget: FAILED');
  process.exitCode = ok ? 0 : 1;
}
