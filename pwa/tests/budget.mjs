// npm run budget [-- [--runs N] [name=]PATH ...]
//
// Measures what a family's cheap phone on a poor network pays for the app:
// the compressed app shell (budget 60 KB) and Lighthouse's mobile scores for
// performance and accessibility (at least 95 each) on the main screens.
// Exits 1 if any is missed. HTML reports go to tmp/lighthouse/.
//
// Without arguments it measures the main screens: sign-in (a first visit),
// and, signed in with a roadmap that has content, the list of roadmaps, a
// roadmap's overview, an area and sharing (see defaultScreens).
//
// Screens behind sign-in: import { budget } from './budget.mjs' and pass
// screens with a prepare(page, server) hook. It gets a Playwright page in the
// very Chrome Lighthouse then uses; whatever it stores there (IndexedDB,
// localStorage, a service worker) stays for the measurement, because
// Lighthouse's storage reset is turned off for such screens. So they are
// measured as a returning visitor, the others as a first-time one. A
// prepare hook may return the path to measure, for addresses it only
// learns (a roadmap's id); screen.path then only names it in the table.
//
//   await budget({ screens: [{ name: 'roadmap', path: '/#/roadmaps/:id', async prepare(page, server) {
//     await signIn(page, server.url, 'Kari');          // lib/app.mjs, through the UI
//     const id = await createRoadmap(page, 'Familien Haugen', [{ name: 'Kari' }]);
//     return `/#/roadmaps/${id}`;
//   } }] });
//
// Performance on a shared machine varies from run to run: --runs N (or
// {runs: N}) measures each screen N times and keeps the run with the median
// performance score, as Lighthouse's authors advise.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';
import { chromium } from 'playwright-core';
import { repoRoot, startServer, devLogin, api, apiUserId, createAgency, addStaff } from './lib/server.mjs';
import { chromePath } from './lib/browser.mjs';
import { signIn, createRoadmap, openArea, describeArea, addStep, settled, offlineReady } from './lib/app.mjs';
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

/**
 * A household as it returns to the app: signed in through the UI in the
 * page, with a roadmap made there (two people, an area described and
 * scored, two steps), everything sent and the service worker in control.
 * @returns {Promise<string>} the roadmap's id
 */
export async function household(page, server) {
  await signIn(page, server.url, 'Kari Haugen');
  await page.getByRole('heading', { level: 1, name: 'Våre veikart' }).waitFor();
  const id = await createRoadmap(page, 'Familien Haugen', [{ name: 'Kari' }, { name: 'Jonas', child: true, birthYear: 2015 }]);
  await openArea(page, 'Bolig');
  await describeArea(page, { now: 'Vi bor trangt i en toroms leilighet.', desired: 'Et eget rom til Jonas.', scoreNow: 2, scoreDesired: 4 });
  await addStep(page, { title: 'Søke om kommunal bolig', due: '2026-12-20', who: 'Kari' });
  await addStep(page, { title: 'Ringe utleier om vedlikehold' });
  await settled(page);
  await offlineReady(page);
  return id;
}

// Sharing with content: NAV has access, and a housing office asks for it.
async function sharingWithContent(page, server) {
  const id = await household(page, server);
  const kari = (await devLogin(server.url, 'Kari Haugen')).accessToken;
  const nav = await createAgency(server, { name: 'NAV Sola', kind: 'nav' });
  await api(server.url, kari, 'POST', `/api/v1/roadmaps/${id}/grants`, {
    agencyId: nav.id, sections: ['household', 'area:housing', 'steps:housing'], permissions: ['view', 'comment'],
    purpose: 'Oppfølging av boligsøknaden', expiresAt: new Date(Date.now() + 90 * 86_400_000).toISOString(),
  });
  const office = await createAgency(server, { name: 'Boligkontoret i Sola', kind: 'housing-office' });
  await devLogin(server.url, 'Omar Ali');
  await addStaff(server, office.id, apiUserId('Omar Ali'), 'caseworker');
  const omar = (await devLogin(server.url, 'Omar Ali', office.id)).accessToken;
  await api(server.url, omar, 'POST', `/api/v1/roadmaps/${id}/access-requests`, {
    sections: ['area:housing'], permissions: ['view'], purpose: 'Vurdere kommunal bolig',
  });
  return id;
}

/** The screens measured when none are named: the main ones. */
export const defaultScreens = [
  { name: 'sign-in', path: '/' },
  { name: 'home', path: '/#/', async prepare(page, server) { await household(page, server); return '/#/'; } },
  { name: 'roadmap', path: '/#/roadmaps/:id', async prepare(page, server) { return `/#/roadmaps/${await household(page, server)}`; } },
  { name: 'area', path: '/#/roadmaps/:id/areas/housing', async prepare(page, server) { return `/#/roadmaps/${await household(page, server)}/areas/housing`; } },
  { name: 'sharing', path: '/#/roadmaps/:id/sharing', async prepare(page, server) { return `/#/roadmaps/${await sharingWithContent(page, server)}/sharing`; } },
];

/**
 * Measures the shell and the screens on a fresh server, prints the results,
 * and reports whether everything is within budget.
 * @param {{screens?: Screen[], env?: Record<string,string>, runs?: number}} [opts]
 *   env: extra server settings; runs: Lighthouse runs a screen, the median kept (default 1)
 * @returns {Promise<{ok: boolean, shell: object, scores: object[]}>}
 */
export async function budget({ screens = defaultScreens, env, runs = 1 } = {}) {
  const server = await startServer({ env });
  try {
    const shell = await measureShell(server.url + '/');
    const how = shell.serverCompresses ? 'as the server compressed it' : 'the server does not compress: gzip -9 by us';
    console.log(`App shell (${how}):\n${shellTable(shell)}\n`);
    let ok = shell.total <= shellBudget && shell.missing.length === 0;
    if (shell.total > shellBudget) console.log(`OVER BUDGET: the shell is ${shell.total} bytes, over ${shellBudget}`);
    if (shell.missing.length) console.log('BROKEN: the shell refers to files the server does not have');

    const scores = [];
    for (const screen of screens) {
      const rows = [];
      for (let i = 0; i < runs; i++) rows.push(await runLighthouse(server, screen));
      // The run with the median performance score (the lower middle one
      // for an even count).
      rows.sort((a, b) => a.performance - b.performance);
      const row = rows[Math.floor((rows.length - 1) / 2)];
      if (runs > 1) row.runs = rows.map((r) => r.performance);
      const dir = join(repoRoot, 'tmp', 'lighthouse');
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, `${screen.name}.html`), row.report);
      scores.push(row);
    }
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
    let path = screen.path;
    if (screen.prepare) {
      const browser = await chromium.connectOverCDP(`http://127.0.0.1:${chrome.port}`);
      const page = await browser.contexts()[0].newPage();
      path = (await screen.prepare(page, server)) || path;
      await page.close();
      await browser.close(); // only disconnects: Chrome and its default profile stay
    }
    const result = await lighthouse(server.url + path, {
      port: chrome.port,
      output: 'html',
      logLevel: 'error',
      onlyCategories: categories,
      disableStorageReset: Boolean(screen.prepare),
    });
    const { lhr } = result;
    if (lhr.runtimeError) throw new Error(`Lighthouse on ${path}: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
    const row = { name: screen.name, path: screen.path, failing: {} };
    Object.defineProperty(row, 'report', { value: result.report }); // written for the run kept
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
  const w = Math.max(20, ...rows.map((r) => r.path.length));
  const head = `  ${'screen'.padEnd(16)} ${'path'.padEnd(w)} perf  a11y  FCP ms  LCP ms  TBT ms    CLS`;
  const lines = rows.map((r) => `  ${r.name.padEnd(16)} ${r.path.padEnd(w)} ${String(r.performance).padStart(4)}  ${String(r.accessibility).padStart(4)}` +
    `  ${String(r.fcp).padStart(6)}  ${String(r.lcp).padStart(6)}  ${String(r.tbt).padStart(6)}  ${r.cls.toFixed(3).padStart(5)}` +
    (r.runs ? `  (perf of ${r.runs.length} runs: ${r.runs.join(', ')})` : ''));
  return `Lighthouse (mobile, simulated throttling; minimum ${minScore}):\n${head}\n${lines.join('\n')}`;
}

// As a command: each argument is PATH or NAME=PATH.
if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  let runs = 1;
  const at = args.indexOf('--runs');
  if (at >= 0) {
    runs = Number(args[at + 1]);
    if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs takes a whole number, 1 or more');
    args.splice(at, 2);
  }
  const screens = args.length
    ? args.map((a) => {
      const named = /^([\w-]+)=(\/.*)$/.exec(a);
      return named ? { name: named[1], path: named[2] } : { name: a.replace(/[^\w-]+/g, '_').replace(/^_+|_+$/g, '') || 'root', path: a };
    })
    : defaultScreens;
  const { ok } = await budget({ screens, runs });
  console.log(ok ? '\nbudget: ok' : '\nbudget: FAILED');
  process.exitCode = ok ? 0 : 1;
}
