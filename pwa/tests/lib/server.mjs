// Starts the real `veikart serve` for a browser test, and talks to it: the
// development login, plain API calls, and the `veikart agency` operator CLI.
// Every server gets a fresh data directory (the embedded store), so tests
// never see each other's data.

import { spawn, execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository root (pwa/tests/lib -> three levels up). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** The app's message catalogue for language l, as the tests read its words. */
export const catalogue = (l) => JSON.parse(readFileSync(join(repoRoot, 'pwa', 'i18n', `${l}.json`), 'utf8'));

const binary = join(repoRoot, 'tmp', 'veikart-browser');
const marker = `${binary}.run`;
const readyTimeoutMs = 60_000; // the embedded store starts in seconds, more on a busy 2-core CI machine
const stopTimeoutMs = 20_000; // above the server's default shutdown grace (15s)

// One build per test run. `node --test` runs each spec file in its own
// process, all children of the runner (NODE_TEST_CONTEXT is set in them), so
// the runner's pid names the run; any other process is a run of its own.
const runId = process.env.NODE_TEST_CONTEXT ? `test-runner-${process.ppid}` : `process-${process.pid}`;
let built; // this process's build, shared by every startServer call

/**
 * Builds tmp/veikart-browser from the working tree, unless this run has
 * already built it. VEIKART_BROWSER_BIN names a ready binary instead (for
 * example one CI built already); then nothing is built.
 * @returns {Promise<string>} the binary's path
 */
export function buildBinary() {
  if (process.env.VEIKART_BROWSER_BIN) return Promise.resolve(process.env.VEIKART_BROWSER_BIN);
  built ??= (async () => {
    const done = await readFile(marker, 'utf8').catch(() => '');
    if (done === runId && existsSync(binary)) return binary;
    // Built under a temporary name and renamed, so that a server started
    // from an older build never runs a half-written file.
    const partial = `${binary}.${process.pid}`;
    await mkdir(dirname(binary), { recursive: true });
    try {
      await run('go', ['build', '-o', partial, './cmd/veikart'], { cwd: repoRoot, maxBuffer: 16 << 20 });
    } catch (err) {
      throw new Error(`go build ./cmd/veikart failed:\n${err.stderr || err.message}`);
    }
    await rename(partial, binary);
    await writeFile(marker, runId);
    return binary;
  })();
  return built;
}

/** Finds a free loopback port (the OS picks; there is a small race until the server binds it). */
export function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.unref();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

// Settings of the developer's shell must not leak into a test server
// (a MONGODB_URI would point it at a real database).
function cleanEnv() {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('VEIKART_') || k === 'MONGODB_URI') delete env[k];
  return env;
}

/**
 * @typedef {object} Server
 * @property {string} url      http://127.0.0.1:PORT, no trailing slash
 * @property {string} dataDir  the server's fresh data directory (keys, store)
 * @property {Record<string,string>} env  the VEIKART_* settings it runs with (the agency CLI needs the same)
 * @property {string} binary   the veikart binary
 * @property {() => string} logs  everything the server printed so far
 * @property {() => Promise<void>} stop  SIGTERM, wait, remove the data directory
 */

/**
 * Starts `veikart serve` in development mode on a free loopback port and a
 * fresh data directory, and waits until GET /health/ready answers 200.
 * @param {{env?: Record<string,string>, keepDataDir?: boolean}} [opts]
 *   env: extra settings (they win over the defaults); keepDataDir: leave the
 *   data directory after stop (to look at it).
 * @returns {Promise<Server>}
 */
export async function startServer(opts = {}) {
  const bin = await buildBinary();
  let lastErr;
  for (let attempt = 0; attempt < 3; attempt++) {
    const dataDir = await mkdtemp(join(tmpdir(), 'veikart-browser-'));
    try {
      return await startOnce(bin, dataDir, await freePort(), opts);
    } catch (err) {
      lastErr = err;
      await rm(dataDir, { recursive: true, force: true });
      // Only a port someone else took in the meantime is worth a retry.
      if (!/address already in use/.test(err.message)) break;
    }
  }
  throw lastErr;
}

async function startOnce(bin, dataDir, port, opts) {
  const env = {
    VEIKART_DEV: '1',
    VEIKART_ADDR: `127.0.0.1:${port}`,
    VEIKART_DATA_DIR: dataDir,
    VEIKART_LOG_FORMAT: 'text',
    ...opts.env,
  };
  const url = (env.VEIKART_PUBLIC_URL || `http://${env.VEIKART_ADDR}`).replace(/\/$/, '');
  const child = spawn(bin, ['serve'], { env: { ...cleanEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk) => { output += chunk; };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise((ok) => child.once('exit', (code, signal) => ok({ code, signal })));
  // A test process that dies must not leave a server holding the port.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const deadline = Date.now() + readyTimeoutMs;
  let gone = null;
  exited.then((e) => { gone = e; });
  while (true) {
    if (gone) {
      process.off('exit', killOnExit);
      throw new Error(`veikart serve exited (${gone.code ?? gone.signal}) before it was ready:\n${output}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      process.off('exit', killOnExit);
      throw new Error(`veikart serve not ready after ${readyTimeoutMs} ms:\n${output}`);
    }
    const ok = await fetch(`http://${env.VEIKART_ADDR}/health/ready`).then((r) => r.status === 200, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    url,
    dataDir,
    env,
    binary: bin,
    logs: () => output,
    async stop() {
      if (!gone) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
        await exited;
        clearTimeout(timer);
      }
      process.off('exit', killOnExit);
      if (!opts.keepDataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs `veikart agency ARGS... -json` against the server, with the server's
 * settings (the CLI signs as the operator with the keys in its data directory).
 * @param {Server} server
 * @param {string[]} args
 * @returns {Promise<any>} the server's JSON answer (null for none)
 */
export async function agencyCLI(server, args) {
  try {
    const { stdout } = await run(server.binary, ['agency', ...args, '-json'], {
      env: { ...cleanEnv(), ...server.env },
    });
    return stdout.trim() ? JSON.parse(stdout) : null;
  } catch (err) {
    throw new Error(`veikart agency ${args.join(' ')} failed:\n${err.stderr || err.message}`);
  }
}

/**
 * Creates an agency as the operator.
 * @param {Server} server
 * @param {{id?: string, name: string, kind?: string, region?: string}} agency
 *   kind: one of schemas/defs agencyKind (nav, housing-office, ...; default "other");
 *   region default "Oslo"; without id the server makes one.
 * @returns {Promise<object>} the agency (schemas/agency.schema.json)
 */
export function createAgency(server, { id, name, kind = 'other', region = 'Oslo' }) {
  const args = ['create', '-kind', kind, '-name', name, '-region', region];
  if (id) args.push('-id', id);
  return agencyCLI(server, args);
}

/**
 * Adds a person to an agency, or replaces their roles. The person must exist:
 * sign them in once first (devLogin), as the server refuses unknown users.
 * @param {Server} server
 * @param {string} agencyId
 * @param {string} userId  e.g. apiUserId('Nina')
 * @param {string|string[]} role  "caseworker", "admin", or both
 * @returns {Promise<object>} the agency with its staff
 */
export function addStaff(server, agencyId, userId, role) {
  const roles = [role].flat().join(',');
  return agencyCLI(server, ['staff', agencyId, userId, '-roles', roles]);
}

/**
 * The user id the development login gives a name (api.DevUserID in Go).
 * @param {string} name
 */
export function apiUserId(name) {
  const sum = createHash('sha256').update(`dev:${name.trim().toLowerCase()}`).digest('hex');
  return `dev-${sum.slice(0, 20)}`;
}

/** An unsuccessful API answer; problem holds the problem details, if any. */
export class ApiError extends Error {
  constructor(method, path, status, problem) {
    super(`${method} ${path}: ${status} ${problem?.title ?? ''} ${problem?.detail ?? ''}`.trim());
    this.status = status;
    this.problem = problem;
  }
}

/**
 * Calls the API. Answers 2xx with the parsed JSON body (null when there is
 * none); throws ApiError otherwise.
 * @param {string} url  the server's base URL
 * @param {string|null} token  an access token, or null
 * @param {string} method
 * @param {string} path  e.g. /api/v1/roadmaps
 * @param {any} [body]  sent as JSON
 * @param {Record<string,string>} [headers]  e.g. {'If-Match': '"3"'}
 */
export async function api(url, token, method, path, body, headers = {}) {
  const h = { Accept: 'application/json, application/problem+json', ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const res = await fetch(url + path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (!res.ok) throw new ApiError(method, path, res.status, data);
  return data;
}

/**
 * Signs in with the development login (VEIKART_DEV only). With agencyId the
 * session acts for that agency (the person must be its staff).
 * @param {string} url
 * @param {string} name  the same name is always the same person
 * @param {string} [agencyId]
 * @returns {Promise<{accessToken: string, refreshToken: string, tokenType: 'Bearer',
 *   expiresIn: number, user: {id: string, name: string}, actingFor?: string}>}
 */
export function devLogin(url, name, agencyId) {
  return api(url, null, 'POST', '/api/v1/dev/login', agencyId ? { name, agencyId } : { name });
}
