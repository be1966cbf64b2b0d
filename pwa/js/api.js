// The API client: tokens, refresh, and problem details as errors.
//
// The refresh token is single-use, so two tabs refreshing at once would
// sign each other out; a Web Lock makes them take turns, and the second one
// finds the session the first one stored.
import { kv, wipe } from './db.js';

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
}

// Offline is a fetch that never reached the server.
export class Offline extends Error {}

let session = null;
const listeners = new Set();
export const onSession = (fn) => listeners.add(fn);

export async function loadSession() {
  session = (await kv.get('session')) || null;
  return session;
}
export const currentSession = () => session;

// saveSession keeps the session a sign-in, a refresh or a switch of agency
// answered with. Every way of signing in ends here, so this is the one
// place that asks who used this phone before: someone else, and nothing
// of theirs may remain.
async function saveSession(tokens) {
  const before = await kv.get('user');
  if (before !== tokens.user.id) {
    if (before) await wipe();
    await kv.set('user', tokens.user.id);
  }
  session = {
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    expiresAt: Date.now() + tokens.expiresIn * 1000,
    user: tokens.user,
    actingFor: tokens.actingFor || '',
  };
  await kv.set('session', session);
  for (const fn of listeners) fn(session);
  return session;
}

async function send(method, path, body, token) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(`/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  } catch {
    throw new Offline('offline');
  }
  if (res.status === 204) return null;
  // The poster's QR code is an image the server draws, not JSON.
  if (res.ok && res.headers.get('Content-Type')?.startsWith('image/svg+xml')) return res.text();
  // So is a meeting's calendar invitation.
  if (res.ok && res.headers.get('Content-Type')?.startsWith('text/calendar')) return res.text();
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

const locked = (name, fn) => (navigator.locks ? navigator.locks.request(name, fn) : fn());

// refresh swaps the refresh token for new tokens, unless another tab did
// already (then the stored session is newer than the one we hold).
async function refresh(stale) {
  return locked('veikart-auth', async () => {
    const stored = await kv.get('session');
    if (stored && stored.refreshToken !== stale) {
      session = stored;
      return session;
    }
    try {
      return await saveSession(await send('POST', '/auth/refresh', { refreshToken: stale }));
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        session = null;
        await kv.del('session');
        for (const fn of listeners) fn(null);
      }
      throw e;
    }
  });
}

// call sends an authenticated request with a token that is fresh for at
// least a minute, refreshing it first if need be, and once more on a 401.
export async function call(method, path, body) {
  if (!session) throw new ApiError(401, { title: 'Sign-in required' });
  if (session.expiresAt - Date.now() < 60_000) await refresh(session.refreshToken);
  try {
    return await send(method, path, body, session.accessToken);
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401 || !session) throw e;
    await refresh(session.refreshToken);
    return send(method, path, body, session.accessToken);
  }
}

// exchange trades a one-time sign-in code (after ID-porten) for a session.
export const exchange = async (code) => saveSession(await send('POST', '/auth/exchange', { code }));

// start keeps the session a sign-in answered with (a passkey's).
export const start = (tokens) => saveSession(tokens);

// anonymous sends a request that needs no session: the steps of a sign-in.
export const anonymous = (method, path, body) => send(method, path, body);

export const signIn = async (name, agencyId) =>
  saveSession(await send('POST', '/dev/login', agencyId ? { name, agencyId } : { name }));

export async function act(agencyId) {
  return locked('veikart-auth', async () =>
    saveSession(await send('POST', '/auth/act', { refreshToken: session.refreshToken, agencyId })));
}

// agencies fetches the agencies one can share with, and remembers their
// names for screens shown offline.
export async function agencies() {
  const items = (await call('GET', '/agencies')).items;
  await kv.set('agencyNames', Object.fromEntries(items.map((a) => [a.id, a.name])));
  return items;
}

export async function signOut() {
  const s = session;
  session = null;
  if (s) await send('POST', '/auth/logout', { refreshToken: s.refreshToken }).catch(() => {});
}
