// The outbox. Every edit is a domain operation with an id of its own, kept
// in IndexedDB until the server has answered for it. Sending is safe to
// repeat: the server reports an operation it has seen as a duplicate, so an
// edit whose answer was lost on the way is applied once.
import { outbox, roadmaps, kv } from './db.js';
import { call, ApiError, Offline } from './api.js';
import { apply, blank, inverse, newId } from './model.js';

// Listeners hear which roadmap changed, and whether the change is one the
// screen already shows (a field the person just edited there).
const listeners = new Set();
export const onChange = (fn) => { listeners.add(fn); return () => listeners.delete(fn); };
const changed = (id, shown) => { for (const fn of listeners) fn(id, Boolean(shown)); };

// local returns the roadmap as the person should see it now, or null.
export async function local(id) {
  const rec = await roadmaps.get(id);
  // Messages wait in the outbox too, but change nothing in the roadmap.
  const mine = (await outbox.all()).filter((e) => e.roadmapId === id && e.op);
  const create = mine.find((e) => e.op.type === 'roadmap.create');
  const base = rec ? rec.data : create ? blank(id, create.op.title, create.op.members) : null;
  if (!base) return null;
  const r = apply(base, mine.filter((e) => e.op.type !== 'roadmap.create').map((e) => e.op));
  // A household check-in not sent yet moves its areas' "now" already, as
  // the server will (the newest household reading is the area's score).
  for (const e of (await outbox.all()).filter((x) => x.roadmapId === id && x.checkin)) {
    for (const x of e.checkin.readings) {
      const a = r.areas.find((y) => y.id === x.areaId);
      if (a && !x.memberId && e.checkin.date >= (a.checkedOn || '')) { a.scoreNow = x.score; a.checkedOn = e.checkin.date; }
    }
  }
  // Renderings not sent yet (renderings.js, loaded only when some wait).
  const said = (await outbox.all()).filter((x) => x.roadmapId === id && x.rendering).map((x) => x.rendering);
  if (said.length) (await import('./renderings.js')).show(r, said);
  r.pendingCount = mine.length;
  return r;
}

// store keeps the server's copy of a roadmap.
export const store = (r) => roadmaps.put({ id: r.id, data: r, at: Date.now() });

// create queues a new roadmap made on this device.
export async function create(title, members) {
  const id = newId();
  await outbox.add({ roadmapId: id, op: { type: 'roadmap.create', id, title, members }, at: Date.now() });
  changed(id);
  flushSoon();
  return id;
}

// edit queues one operation on a roadmap and returns the ops that undo it.
// shown says the screen already shows the change (the field it came from).
export async function edit(id, op, shown) {
  const before = await local(id);
  const rec = await roadmaps.get(id);
  op = { opId: newId(), ...op };
  if (!op.type.endsWith('.add')) op.baseVersion = rec ? rec.data.version : 0;
  await outbox.add({ roadmapId: id, op, at: Date.now() });
  changed(id, shown);
  flushSoon();
  return before ? inverse(before, op) : [];
}

// message queues a message to agencyId's conversation on roadmap id, with
// an id made here: sent again after a lost answer, the server stores it
// once.
export async function message(id, agencyId, text) {
  const m = { agencyId, id: newId(), text };
  await outbox.add({ roadmapId: id, message: m, at: Date.now() });
  changed(id, true);
  flushSoon();
  return m.id;
}

// checkIn queues one check-in sitting on roadmap id (check-in-request:
// date, with, agencyId, readings with ids made here): sent again after a
// lost answer, the server stores it once. The date is the phone's, so a
// check-in made offline keeps its day.
export async function checkIn(id, checkin) {
  await outbox.add({ roadmapId: id, checkin, at: Date.now() });
  changed(id);
  flushSoon();
}

// rendering queues, for area areaId of roadmap id, the Norwegian rendering
// of field ("now" or "desired"): { text } writes it (an empty text removes
// it), { confirm: true, text } is the family's "this is what we meant" for
// the rendering they read, text. Sending again after a lost answer is
// safe: the server takes the same rendering from the same person as no
// change, and confirms once.
export async function rendering(id, areaId, field, change) {
  await outbox.add({ roadmapId: id, rendering: { areaId, field, ...change }, at: Date.now() });
  changed(id);
  flushSoon();
}

// queuedCheckIns are the check-ins on roadmap id not sent yet.
export const queuedCheckIns = async (id) =>
  (await outbox.all()).filter((e) => e.roadmapId === id && e.checkin).map((e) => e.checkin);

// queuedMessages are the messages to agencyId on roadmap id not sent yet.
export const queuedMessages = async (id, agencyId) =>
  (await outbox.all()).filter((e) => e.roadmapId === id && e.message?.agencyId === agencyId).map((e) => e.message);

// undo queues the inverse of an edit as new edits.
export async function undo(id, ops) {
  for (const op of ops) await edit(id, op);
}

let timer;
export function flushSoon() {
  clearTimeout(timer);
  timer = setTimeout(() => flush().catch(() => {}), 50);
}

const locked = (fn) => (navigator.locks ? navigator.locks.request('veikart-sync', fn) : fn());

// flush sends every roadmap's queued operations, oldest first. One tab at a
// time: a Web Lock keeps two tabs from sending the same entries at once.
export function flush() {
  return locked(async () => {
    try {
      await sendAll();
    } finally {
      await retryLater();
    }
  });
}

// After a lost answer (no network, a server that did not answer) what is
// left is sent again by itself, after 1, 2, 4 ... s, at most a minute, with
// some jitter so that phones do not come back in step; nothing else (a new
// edit, coming online, the app coming to the front) has to happen first.
let backoff = 0;
let retry;
async function retryLater() {
  clearTimeout(retry);
  // Roadmaps waiting for the person's choice in a conflict do not count.
  let left = false;
  for (const id of new Set((await outbox.all()).map((e) => e.roadmapId))) {
    if (!(await kv.get(`conflict:${id}`))) { left = true; break; }
  }
  if (!left) { backoff = 0; return; }
  backoff = Math.min(backoff ? backoff * 2 : 1000, 60_000);
  retry = setTimeout(() => { if (navigator.onLine) flush().catch(() => {}); }, backoff * (0.8 + Math.random() * 0.4));
}

// sendAll sends what waits, roadmap by roadmap.
async function sendAll() {
  // An edit refused for good is set aside and the rest read again; a few
  // rounds at most, each one removing at least one entry.
  for (let round = 0; round < 20; round++) {
    const byRoadmap = new Map();
    for (const e of await outbox.all()) {
      if (!byRoadmap.has(e.roadmapId)) byRoadmap.set(e.roadmapId, []);
      byRoadmap.get(e.roadmapId).push(e);
    }
    let again = false;
    for (const [id, list] of byRoadmap) {
      if (await kv.get(`conflict:${id}`)) continue; // waits for the person's choice
      try {
        again = (await flushRoadmap(id, list)) || again;
      } catch (e) {
        if (e instanceof Offline) return;
        throw e;
      }
    }
    if (!again) return;
  }
}

// flushRoadmap sends one roadmap's queue: its edits, then its messages
// (a roadmap made offline is on the server before anything is written
// about it). It says whether entries were set aside so that the queue must
// be read again.
async function flushRoadmap(id, all) {
  const ops = all.filter((e) => e.op);
  const again = ops.length ? await flushOps(id, ops) : false;
  await flushCheckIns(id, all.filter((e) => e.checkin));
  const said = all.filter((e) => e.rendering);
  if (said.length) await (await import('./renderings.js')).flush(id, said, { store, fail, changed });
  await flushMessages(id, all.filter((e) => e.message));
  return again;
}

// flushCheckIns sends queued check-ins, oldest first, then fetches the
// roadmap again (a check-in moves its areas' scores on the server). One
// refused for good is set aside and told, as a message is.
async function flushCheckIns(id, list) {
  for (const e of list) {
    try {
      await call('POST', `/roadmaps/${encodeURIComponent(id)}/checkins`, e.checkin);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status >= 500 || err.status === 401) throw err;
      await fail(id, [e], err);
    }
    await outbox.del([e.seq]);
  }
  if (list.length) {
    await kv.del(`checkins:${id}`);
    try { await store(await call('GET', `/roadmaps/${encodeURIComponent(id)}`)); } catch { /* the next read fetches it */ }
    changed(id);
  }
}

// flushMessages sends queued messages one by one, oldest first. A message
// the server refuses for good (access ended, an id taken) is set aside and
// told, never dropped without a word.
async function flushMessages(id, list) {
  for (const e of list) {
    const m = e.message;
    try {
      await call('POST', `/roadmaps/${encodeURIComponent(id)}/conversations/${encodeURIComponent(m.agencyId)}/messages`, { id: m.id, text: m.text });
    } catch (err) {
      if (!(err instanceof ApiError) || err.status >= 500 || err.status === 401) throw err;
      await fail(id, [e], err);
    }
    await outbox.del([e.seq]);
    changed(id, true);
  }
}

// flushOps sends one roadmap's queued operations, and says whether entries
// were set aside so that the queue must be read again.
async function flushOps(id, list) {
  let i = 0;
  if (list[0].op.type === 'roadmap.create') {
    const { id: rid, title, members } = list[0].op;
    try {
      await store(await call('POST', '/roadmaps', { id: rid, title, members }));
    } catch (e) {
      if (!(e instanceof ApiError) || e.status >= 500) throw e;
      // The roadmap was refused: the edits made on it cannot go either.
      await fail(id, list, e);
      await outbox.del(list.map((x) => x.seq));
      changed(id);
      return false;
    }
    await outbox.del([list[0].seq]);
    i = 1;
    changed(id);
  }
  while (i < list.length) {
    const batch = list.slice(i, i + 100);
    const known = (await roadmaps.get(id))?.data.version;
    try {
      const res = await call('POST', `/roadmaps/${encodeURIComponent(id)}/operations`, { operations: batch.map((e) => e.op) });
      await store(res.roadmap);
      await outbox.del(batch.map((e) => e.seq));
      // Our batch was the only write since the version we knew: the edits
      // queued meanwhile were made on top of it, so they are based on the
      // new version, and must not count our own batch as a conflict.
      if (known != null && res.roadmap.version === known + 1) await rebase(id, known, res.roadmap.version);
      changed(id);
      i += batch.length;
    } catch (e) {
      if (!(e instanceof ApiError) || e.status >= 500 || e.status === 401) throw e;
      if (e.status === 409 && e.problem.conflicts) {
        await kv.set(`conflict:${id}`, { conflicts: e.problem.conflicts, version: e.problem.currentVersion, current: e.problem.current });
        if (e.problem.current) await store(e.problem.current);
        changed(id);
        return;
      }
      // Refused for good (not valid any more, no longer allowed, gone):
      // keep it out of the way, and tell the person rather than drop it.
      const bad = badEntry(e, batch);
      await fail(id, bad ? [bad] : batch, e);
      await outbox.del((bad ? [bad] : batch).map((x) => x.seq));
      changed(id);
      return true;
    }
  }
  return false;
}

// badEntry finds the operation a validation error points at.
function badEntry(e, batch) {
  const m = /^\/operations\/(\d+)/.exec(e.problem.errors?.[0]?.pointer || '');
  return m ? batch[Number(m[1])] : null;
}

async function rebase(id, from, to) {
  for (const e of await outbox.all()) {
    if (e.roadmapId === id && e.op?.baseVersion === from) await outbox.put({ ...e, op: { ...e.op, baseVersion: to } });
  }
}

async function fail(id, entries, e) {
  const failed = (await kv.get('failed')) || [];
  for (const x of entries) failed.push({ roadmapId: id, op: x.op, status: e.status, detail: e.message, at: Date.now() });
  await kv.set('failed', failed.slice(-50));
}

// conflict returns what the person must choose between, if anything.
export const conflict = (id) => kv.get(`conflict:${id}`);

// resolve applies the person's choice for one conflicting operation:
// "mine" sends it again on top of the current version, "theirs" drops the
// fields that conflicted (the rest of the operation still goes).
export async function resolve(id, opId, choice) {
  const c = await kv.get(`conflict:${id}`);
  if (!c) return;
  const entries = (await outbox.all()).filter((e) => e.roadmapId === id);
  const entry = entries.find((e) => e.op.opId === opId);
  const cf = c.conflicts.find((x) => x.opId === opId);
  if (entry && cf) {
    if (choice === 'mine') {
      await outbox.put({ ...entry, op: { ...entry.op, baseVersion: c.version } });
    } else if (entry.op.set) {
      const set = { ...entry.op.set };
      for (const f of cf.fields) delete set[f];
      if (Object.keys(set).length) await outbox.put({ ...entry, op: { ...entry.op, set, baseVersion: c.version } });
      else await outbox.del([entry.seq]);
    } else {
      await outbox.del([entry.seq]);
    }
  }
  c.conflicts = c.conflicts.filter((x) => x.opId !== opId);
  if (c.conflicts.length) await kv.set(`conflict:${id}`, c);
  else await kv.del(`conflict:${id}`);
  changed(id);
  if (!c.conflicts.length) flushSoon();
}

// refresh fetches a roadmap from the server, keeping the device's copy if
// the network is down. It returns the local view either way.
export async function refresh(id) {
  // Made on this device and not sent yet: the server cannot know it.
  if ((await outbox.all()).some((x) => x.roadmapId === id && x.op?.type === 'roadmap.create')) return local(id);
  try {
    await store(await call('GET', `/roadmaps/${encodeURIComponent(id)}`));
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 403)) {
      await roadmaps.del(id);
      throw e;
    }
    if (!(e instanceof Offline)) throw e;
  }
  return local(id);
}

// load is a roadmap as fresh as can be: the server's, or the device's copy
// when the network is down. A refusal (gone, or no longer shared) is
// thrown for the screen to say.
export async function load(id) {
  try {
    return await refresh(id);
  } catch (e) {
    if (e instanceof ApiError) throw e;
    return local(id);
  }
}

// forgetShared deletes every agency's view of a roadmap from the device. A
// caseworker's app never keeps one (caseworker.js reads it from the server
// each time, so that revoking ends it at once); earlier versions did, and a
// phone updated from one is cleared at start and whenever the app comes to
// the front.
export async function forgetShared() {
  for (const r of await roadmaps.all()) if (r.data?.access?.role === 'caseworker') await roadmaps.del(r.id);
}

// forgetHelped deletes the copies this phone kept as a trusted person or an
// interpreter of roadmaps not in keep (the ids the server lists now), with
// any edits still waiting for them: the household ended that access, or it
// ran out, and nothing of it stays on the phone.
export async function forgetHelped(keep) {
  for (const r of await roadmaps.all()) {
    const role = r.data?.access?.role;
    if ((role === 'trusted' || role === 'interpreter') && !keep.has(r.id)) {
      await roadmaps.del(r.id);
      const waiting = (await outbox.all()).filter((e) => e.roadmapId === r.id).map((e) => e.seq);
      if (waiting.length) await outbox.del(waiting);
    }
  }
}

export const pendingCount = async () => (await outbox.all()).length;
export const failures = async () => (await kv.get('failed')) || [];
export const clearFailures = () => kv.del('failed');

// ids of the roadmaps on this device, including ones not yet sent.
export async function localIds() {
  const ids = new Set((await roadmaps.all()).map((r) => r.id));
  for (const e of await outbox.all()) ids.add(e.roadmapId);
  return [...ids];
}
