// Measures the app shell: the files a first visit to the app must download
// before it works, compressed as they travel. The page, every script in its
// static module graph, every stylesheet (with its @imports), the manifest
// and the service worker. Lazily loaded code (import()) is not shell.

import { request } from 'node:http';
import { brotliDecompressSync, constants, gunzipSync, gzipSync, inflateSync } from 'node:zlib';

/** The budget for the compressed shell, in bytes. */
export const shellBudget = 60 * 1024;

/**
 * GETs a URL as a browser would (asking for gzip and brotli) and returns the
 * bytes as sent, without decompressing.
 */
function get(url) {
  return new Promise((ok, fail) => {
    const req = request(url, { headers: { 'Accept-Encoding': 'gzip, br' } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end();
  });
}

// What a file refers to, found with regular expressions: good enough for
// hand-written modules, and a wrong match shows up as a 404 below. Comments
// are blanked first so that an import in a comment is not followed.
const blockComment = /\/\*[\s\S]*?\*\//g;
const lineComment = /(^|[\s;{}])\/\/.*$/gm;
const htmlComment = /<!--[\s\S]*?-->/g;

function refsInHTML(html) {
  html = html.replace(htmlComment, '');
  const refs = [];
  for (const m of html.matchAll(/<script\b[^>]*\bsrc\s*=\s*["']([^"']+)["']/gi)) refs.push(m[1]);
  for (const m of html.matchAll(/<link\b[^>]*>/gi)) {
    const rel = /\brel\s*=\s*["']([^"']+)["']/i.exec(m[0])?.[1].toLowerCase().split(/\s+/) ?? [];
    const href = /\bhref\s*=\s*["']([^"']+)["']/i.exec(m[0])?.[1];
    if (href && rel.some((r) => ['stylesheet', 'manifest', 'modulepreload'].includes(r))) refs.push(href);
  }
  return refs;
}

function refsInJS(js) {
  js = js.replace(blockComment, '').replace(lineComment, '$1');
  const refs = [];
  // import x from '...', import {a} from '...', import '...', export ... from '...'
  for (const m of js.matchAll(/(?:^|[;\s])(?:import|export)\s*(?:[\w*{}\s,$]+?\s*from\s*)?["']([^"']+)["']/g)) refs.push(m[1]);
  // The service worker is fetched at the first visit too.
  for (const m of js.matchAll(/serviceWorker\s*\.\s*register\s*\(\s*["']([^"']+)["']/g)) refs.push(m[1]);
  // A service worker's own importScripts('a.js', 'b.js').
  for (const m of js.matchAll(/importScripts\s*\(([^)]*)\)/g)) {
    for (const s of m[1].matchAll(/["']([^"']+)["']/g)) refs.push(s[1]);
  }
  return refs;
}

function refsInCSS(css) {
  css = css.replace(blockComment, '');
  return [...css.matchAll(/@import\s+(?:url\(\s*)?["']?([^"')\s;]+)/g)].map((m) => m[1]);
}

function kindOf(contentType, path) {
  const t = (contentType || '').split(';')[0].trim();
  if (t === 'text/html') return 'html';
  if (t.includes('javascript')) return 'js';
  if (t === 'text/css') return 'css';
  if (t.includes('manifest') || path.endsWith('.webmanifest')) return 'manifest';
  return 'other';
}

/**
 * @typedef {object} ShellFile
 * @property {string} path
 * @property {string} kind  html, js, css, manifest or other
 * @property {number} raw   bytes uncompressed
 * @property {number} sent  bytes compressed: as the server sent them, or gzip -9 by us
 * @property {string} encoding  the server's Content-Encoding, or "gzip-9 (by us)"
 */

/**
 * Fetches the shell starting at the page at url and measures it.
 * @param {string} url  e.g. http://127.0.0.1:1234/
 * @returns {Promise<{files: ShellFile[], total: number, serverCompresses: boolean, missing: string[]}>}
 */
export async function measureShell(url) {
  const origin = new URL(url).origin;
  const seen = new Set();
  const files = [];
  const missing = [];
  const queue = [new URL(url).href];
  while (queue.length) {
    const href = queue.shift();
    if (seen.has(href)) continue;
    seen.add(href);
    const res = await get(href);
    const path = new URL(href).pathname;
    if (res.status !== 200) {
      missing.push(`${path} (${res.status})`);
      continue;
    }
    const encoding = res.headers['content-encoding'];
    const kind = kindOf(res.headers['content-type'], path);
    // Only an uncompressed answer can be read as text here; a compressed
    // one is decompressed only to find what it refers to.
    const text = encoding ? null : res.body.toString('utf8');
    const raw = encoding ? null : res.body.length;
    const sent = encoding ? res.body.length : gzipSync(res.body, { level: constants.Z_BEST_COMPRESSION }).length;
    const body = text ?? decompress(res.body, encoding).toString('utf8');
    files.push({ path, kind, raw: raw ?? Buffer.byteLength(body), sent, encoding: encoding ?? 'gzip-9 (by us)' });
    const refs = kind === 'html' ? refsInHTML(body) : kind === 'js' ? refsInJS(body) : kind === 'css' ? refsInCSS(body) : [];
    for (const r of refs) {
      const next = new URL(r, href);
      // Other origins are not ours to budget (and the CSP forbids them).
      if (next.origin === origin) queue.push(next.origin + next.pathname + next.search);
    }
  }
  return {
    files,
    total: files.reduce((n, f) => n + f.sent, 0),
    serverCompresses: files.some((f) => !f.encoding.includes('by us')),
    missing,
  };
}

function decompress(buf, encoding) {
  if (encoding === 'br') return brotliDecompressSync(buf);
  if (encoding === 'gzip') return gunzipSync(buf);
  if (encoding === 'deflate') return inflateSync(buf);
  throw new Error(`unknown Content-Encoding ${encoding}`);
}

/** Formats the measurement as a table. */
export function shellTable({ files, total, missing }) {
  const kb = (n) => (n / 1024).toFixed(1).padStart(7);
  const lines = files.map((f) => `  ${f.path.padEnd(40)} ${f.kind.padEnd(8)} ${kb(f.raw)} KB ${kb(f.sent)} KB  ${f.encoding}`);
  lines.unshift(`  ${'file'.padEnd(40)} ${'kind'.padEnd(8)} ${'raw'.padStart(10)} ${'sent'.padStart(10)}  encoding`);
  lines.push(`  ${'total'.padEnd(49)} ${kb(files.reduce((n, f) => n + f.raw, 0))} KB ${kb(total)} KB  (budget ${kb(shellBudget).trim()} KB)`);
  for (const m of missing) lines.push(`  missing: ${m}`);
  return lines.join('\n');
}
