// Operations on a roadmap, by the server's rules (backend/veikart/ops*.go):
// the same validation, replays, conflicts and results, so that what the app
// shows while an edit waits in the outbox is what the server will make of
// it. One shared table of cases, backend/veikart/testdata/operations.cases.json,
// is run against both (TestOperationCases and specs/operations.test.mjs);
// change a rule in one place and that table tells which other to change.
//
// A roadmap here is the API's wire form, plus what the server keeps to judge
// conflicts and replays when the app has it: titleVersion, recentOps and each
// item's changed (field -> version). The server does not send those, so the
// app's own copy never sees a stale-field conflict; the server does.

// Limits, as in backend/veikart/roadmap.go.
const MAX = { title: 200, name: 100, areaTitle: 100, situation: 4000, note: 2000, members: 30, areas: 40, steps: 500, ops: 100, keptOps: 128, reminders: 5, reminderDays: 30 };
const QUIET_END = 8; // reminders from 08:00
const QUIET_START = 21; // to 20:59

// The blockers a household may name (backend/veikart/blocker.go), and the
// longest municipality (an agency's region).
export const BLOCKERS = ['no-suitable-home', 'waiting-list', 'lost-help-at-18', 'debt', 'language', 'waiting-for-agency', 'other-agency-rules', 'no-kindergarten-or-school-place', 'health', 'transport'];
const MAX_REGION = 100;

const idPattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const validId = (s) => typeof s === 'string' && idPattern.test(s);

// Invalid is the server's 422: the code and the JSON pointer it names.
class Invalid extends Error {
  constructor(pointer) {
    super(`invalid ${pointer}`);
    this.pointer = pointer;
  }
}

// Go's strings.TrimSpace and unicode.IsControl, which JS's trim() and \p{Cc}
// are not quite (trim() takes U+FEFF and leaves U+0085).
const space = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const edges = new RegExp(`^[${space}]+|[${space}]+$`, 'g');
const goTrim = (s) => String(s ?? '').replace(edges, '');
// eslint-disable-next-line no-control-regex
const control = /[\u0000-\u001f\u007f-\u009f]/;
// eslint-disable-next-line no-control-regex
const controlButBreaks = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const runes = (s) => [...s].length;

function cleanText(s, min, max, ptr) {
  s = goTrim(s);
  if (control.test(s) || runes(s) < min || runes(s) > max) throw new Invalid(ptr);
  return s;
}

function cleanLongText(s, max, ptr) {
  s = goTrim(s);
  if (controlButBreaks.test(s) || runes(s) > max) throw new Invalid(ptr);
  return s;
}

// omit deletes the keys whose value the server's JSON leaves out (omitempty).
function omit(o, ...keys) {
  for (const k of keys) {
    const v = o[k];
    if (v === undefined || v === 0 || v === '' || v === false || (v && typeof v === 'object' && !Object.keys(v).length)) delete o[k];
  }
  return o;
}

const sameList = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

// Validation of items, as Member.validate, validateArea and validateStep.

function checkMember(m, ptr) {
  const name = cleanText(m.name, 1, MAX.name, `${ptr}/name`);
  const by = m.birthYear ?? 0;
  if (by !== 0 && (by < 1900 || by > 2100)) throw new Invalid(`${ptr}/birthYear`);
  if (m.role !== 'adult' && m.role !== 'child') throw new Invalid(`${ptr}/role`);
  return omit({ ...m, name, birthYear: by }, 'birthYear', 'ownAllowed');
}

function memberIds(r, ids, ptr) {
  ids = ids ?? [];
  if (ids.length > MAX.members) throw new Invalid(ptr);
  const out = [];
  for (const id of ids) {
    if (!r.members.some((m) => m.id === id)) throw new Invalid(ptr);
    if (!out.includes(id)) out.push(id);
  }
  return out;
}

function checkScore(v, ptr) {
  if (v !== 0 && (v < 1 || v > 5)) throw new Invalid(ptr);
  return v;
}

function checkArea(r, a, ptr) {
  const out = { ...a };
  if (a.kind === 'custom') out.title = cleanText(a.title, 1, MAX.areaTitle, `${ptr}/title`);
  else if (a.title) throw new Invalid(`${ptr}/title`);
  out.now = cleanLongText(a.now, MAX.situation, `${ptr}/now`);
  out.desired = cleanLongText(a.desired, MAX.situation, `${ptr}/desired`);
  out.scoreNow = checkScore(a.scoreNow ?? 0, `${ptr}/scoreNow`);
  out.scoreDesired = checkScore(a.scoreDesired ?? 0, `${ptr}/scoreDesired`);
  out.memberIds = memberIds(r, a.memberIds, `${ptr}/memberIds`);
  return omit(out, 'title', 'scoreNow', 'scoreDesired');
}

function checkResponsible(r, x, ptr) {
  const kind = x?.kind ?? '';
  if (kind === 'household') return { kind };
  if (kind === 'member') {
    if (!r.members.some((m) => m.id === x.memberId)) throw new Invalid(`${ptr}/memberId`);
    return { kind, memberId: x.memberId };
  }
  if (kind === 'agency') {
    if (!validId(x.agencyId)) throw new Invalid(`${ptr}/agencyId`);
    return { kind, agencyId: x.agencyId };
  }
  throw new Invalid(`${ptr}/kind`);
}

const leap = (y) => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);

// A date as Go's time.Parse reads YYYY-MM-DD, from year 0001 on.
function validDate(s) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = m.slice(1).map(Number);
  const days = [31, leap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1];
  return y >= 1 && mo >= 1 && mo <= 12 && d >= 1 && d <= days;
}

function checkReminders(rs, ptr) {
  if (rs.length > MAX.reminders) throw new Invalid(ptr);
  rs.forEach((rm, i) => {
    const p = `${ptr}/${i}`;
    if (!(rm.daysBefore >= 0 && rm.daysBefore <= MAX.reminderDays)) throw new Invalid(`${p}/daysBefore`);
    const t = /^(\d\d):(\d\d)$/.exec(rm.at ?? '');
    if (!t || Number(t[1]) > 23 || Number(t[2]) > 59) throw new Invalid(`${p}/at`);
    if (Number(t[1]) < QUIET_END || Number(t[1]) >= QUIET_START) throw new Invalid(`${p}/at`);
    if (rs.findIndex((x) => x.daysBefore === rm.daysBefore && x.at === rm.at) < i) throw new Invalid(p);
  });
  return rs.map(({ daysBefore, at }) => ({ daysBefore, at }));
}

const statuses = ['planned', 'doing', 'done', 'dropped'];

function checkStep(r, s, ptr) {
  if (!r.areas.some((a) => a.id === s.areaId)) throw new Invalid(`${ptr}/areaId`);
  const out = { ...s };
  out.title = cleanText(s.title, 1, MAX.title, `${ptr}/title`);
  out.note = cleanLongText(s.note, MAX.note, `${ptr}/note`);
  out.responsible = checkResponsible(r, s.responsible, `${ptr}/responsible`);
  if (s.due && !validDate(s.due)) throw new Invalid(`${ptr}/due`);
  if (!statuses.includes(s.status)) throw new Invalid(`${ptr}/status`);
  if (s.term !== 'short' && s.term !== 'long') throw new Invalid(`${ptr}/term`);
  out.memberIds = memberIds(r, s.memberIds, `${ptr}/memberIds`);
  out.reminders = checkReminders(s.reminders ?? [], `${ptr}/reminders`);
  return omit(out, 'due');
}

const sameResponsible = (x, y) => x.kind === y.kind && (x.memberId ?? '') === (y.memberId ?? '') && (x.agencyId ?? '') === (y.agencyId ?? '');

// The three collections: where they live in a roadmap, the key an operation
// names an item by, and what an update's "set" may name, with what null
// means for each field (the value it clears to).
const kinds = {
  member: { list: 'members', key: 'memberId', fields: { name: '', birthYear: 0, role: '', ownAllowed: false } },
  area: { list: 'areas', key: 'areaId', fields: { title: '', now: '', desired: '', scoreNow: 0, scoreDesired: 0, memberIds: [] } },
  step: { list: 'steps', key: 'stepId', fields: { areaId: '', title: '', note: '', responsible: {}, due: '', status: '', term: '', memberIds: [], reminders: [] } },
};

// The batch being applied: the roadmap (a private copy), the version it
// makes, the time, and the conflicts found so far.
class Batch {
  constructor(r, now) {
    this.r = r;
    this.v = r.version + 1;
    this.now = now;
    this.conflicts = [];
  }

  conflict(opId, target, fields) {
    this.conflicts.push(fields?.length ? { opId, target, fields } : { opId, target });
    return 'conflict';
  }

  // stale lists the fields changed after base by an earlier batch.
  stale(changed, fields, base) {
    return fields.filter((f) => (changed?.[f] ?? 0) > base && changed[f] !== this.v);
  }

  changedAfter(changed, base) {
    return Object.values(changed ?? {}).some((c) => c > base && c !== this.v);
  }

  touch(changed, fields) {
    return { ...changed, ...Object.fromEntries(fields.map((f) => [f, this.v])) };
  }
}

// add, update and remove, the same for members, areas and steps but for
// what differs between them (below). An add of an id that is taken is a
// duplicate when check(item) is the same as what is there (same), and a
// conflict otherwise; create checks and makes the new item.
function add(b, kind, op, { item, check, same, create }) {
  const { list } = kinds[kind];
  const cur = b.r[list].find((x) => x.id === item.id);
  if (cur) {
    let ok = false;
    try { ok = same(check(item), cur); } catch (e) { if (!(e instanceof Invalid)) throw e; }
    return ok ? 'dup' : b.conflict(op.opId, `${kind}:${item.id}`);
  }
  b.r[list] = [...b.r[list], { ...create(item), version: b.v }];
  return 'applied';
}

function update(b, kind, op, ptr, apply) {
  const { list, key, fields: known } = kinds[kind];
  const i = b.r[list].findIndex((x) => x.id === op[key]);
  if (i < 0) return b.conflict(op.opId, `${kind}:${op[key]}`);
  const set = op.set ?? {};
  const fields = Object.keys(set).filter((f) => Object.hasOwn(known, f)).sort();
  if (!fields.length) throw new Invalid(`${ptr}/set`);
  const cur = b.r[list][i];
  const stale = b.stale(cur.changed, fields, op.baseVersion ?? 0);
  if (stale.length) return b.conflict(op.opId, `${kind}:${cur.id}`, stale);
  const next = { ...cur };
  for (const f of fields) next[f] = structuredClone(set[f] ?? known[f]);
  const done = apply(next, cur);
  const item = { ...done, version: b.v, changed: b.touch(cur.changed, fields) };
  b.r[list] = b.r[list].map((x, j) => (j === i ? item : x));
  return 'applied';
}

// remove returns the index of the item to remove, or a result.
function removable(b, kind, op) {
  const { list, key } = kinds[kind];
  const i = b.r[list].findIndex((x) => x.id === op[key]);
  if (i < 0) return 'dup';
  if (b.changedAfter(b.r[list][i].changed, op.baseVersion ?? 0)) return b.conflict(op.opId, `${kind}:${op[key]}`);
  return i;
}

function removeAt(b, list, i) {
  b.r[list] = b.r[list].filter((_, j) => j !== i);
  return 'applied';
}

// The operations, by the name they have on the wire: each returns
// 'applied', 'dup' or 'conflict', or throws Invalid.
const operations = {
  'roadmap.setTitle'(b, op, ptr) {
    const r = b.r;
    if ((r.titleVersion ?? 0) > (op.baseVersion ?? 0) && r.titleVersion !== b.v) return b.conflict(op.opId, 'roadmap', ['title']);
    r.title = cleanText(op.title, 0, MAX.title, `${ptr}/title`);
    r.titleVersion = b.v;
    return 'applied';
  },

  'member.add'(b, op, ptr) {
    const p = `${ptr}/member`;
    const item = { id: '', name: '', role: '', ...pick(op.member, 'id', 'name', 'birthYear', 'role') };
    return add(b, 'member', op, {
      item,
      check: (m) => checkMember(m, p),
      same: (m, cur) => m.name === cur.name && (m.birthYear ?? 0) === (cur.birthYear ?? 0) && m.role === cur.role,
      create: (m) => {
        if (!validId(m.id)) throw new Invalid(`${p}/id`);
        if (b.r.members.length >= MAX.members) throw new Invalid(p);
        return checkMember(m, p);
      },
    });
  },

  'member.update'(b, op, ptr) {
    return update(b, 'member', op, ptr, (m) => checkMember(m, `${ptr}/set`));
  },

  'member.remove'(b, op, ptr) {
    const i = removable(b, 'member', op);
    if (typeof i !== 'number') return i;
    const r = b.r;
    const id = r.members[i].id;
    if (r.steps.some((s) => s.responsible.kind === 'member' && s.responsible.memberId === id)) throw new Invalid(`${ptr}/memberId`);
    // The member no longer concerns any area or step; that is part of
    // removing them, not a change someone else could conflict with.
    const drop = (x) => ({ ...x, memberIds: (x.memberIds ?? []).filter((m) => m !== id) });
    r.areas = r.areas.map(drop);
    r.steps = r.steps.map(drop);
    return removeAt(b, 'members', i);
  },

  'area.add'(b, op, ptr) {
    const p = `${ptr}/area`;
    const item = { id: '', title: '', now: '', desired: '', ...pick(op.area, 'id', 'title', 'now', 'desired', 'scoreNow', 'scoreDesired', 'memberIds'), kind: 'custom' };
    if (!validId(item.id)) throw new Invalid(`${p}/id`);
    return add(b, 'area', op, {
      item,
      check: (a) => checkArea(b.r, a, p),
      same: (a, cur) => a.title === cur.title && a.now === cur.now && a.desired === cur.desired &&
        (a.scoreNow ?? 0) === (cur.scoreNow ?? 0) && (a.scoreDesired ?? 0) === (cur.scoreDesired ?? 0) && sameList(a.memberIds, cur.memberIds ?? []),
      create: (a) => {
        if (b.r.areas.length >= MAX.areas) throw new Invalid(ptr);
        return checkArea(b.r, a, p);
      },
    });
  },

  'area.update'(b, op, ptr) {
    return update(b, 'area', op, ptr, (a, cur) => {
      if ('title' in (op.set ?? {}) && cur.kind === 'default') throw new Invalid(`${ptr}/set/title`);
      return checkArea(b.r, a, `${ptr}/set`);
    });
  },

  'area.remove'(b, op, ptr) {
    const a = b.r.areas.find((x) => x.id === op.areaId);
    if (a?.kind === 'default') throw new Invalid(`${ptr}/areaId`);
    const i = removable(b, 'area', op);
    if (typeof i !== 'number') return i;
    if (b.r.steps.some((s) => s.areaId === op.areaId)) throw new Invalid(`${ptr}/areaId`);
    return removeAt(b, 'areas', i);
  },

  'step.add'(b, op, ptr) {
    const p = `${ptr}/step`;
    const fields = ['id', 'areaId', 'title', 'note', 'responsible', 'due', 'status', 'term', 'memberIds', 'reminders'];
    const item = { id: '', areaId: '', title: '', note: '', term: '', ...pick(op.step, ...fields) };
    if (!validId(item.id)) throw new Invalid(`${p}/id`);
    item.status ||= 'planned';
    return add(b, 'step', op, {
      item,
      check: (s) => checkStep(b.r, s, p),
      same: (s, cur) => s.areaId === cur.areaId && s.title === cur.title && s.note === cur.note && sameResponsible(s.responsible, cur.responsible) &&
        (s.due ?? '') === (cur.due ?? '') && s.status === cur.status && s.term === cur.term && sameList(s.memberIds, cur.memberIds ?? []),
      create: (s) => {
        if (b.r.steps.length >= MAX.steps) throw new Invalid(ptr);
        return { ...checkStep(b.r, s, p), createdAt: b.now, updatedAt: b.now };
      },
    });
  },

  'step.update'(b, op, ptr) {
    return update(b, 'step', op, ptr, (s) => ({ ...checkStep(b.r, s, `${ptr}/set`), updatedAt: b.now }));
  },

  'step.remove'(b, op) {
    const i = removable(b, 'step', op);
    return typeof i === 'number' ? removeAt(b, 'steps', i) : i;
  },

  // As SetBlocker.apply: a new blocker only on a dropped or overdue step
  // (today in Oslo, as the server counts), sharing only with a municipality.
  'step.setBlocker'(b, op, ptr) {
    const i = b.r.steps.findIndex((x) => x.id === op.stepId);
    if (i < 0) return b.conflict(op.opId, `step:${op.stepId}`);
    const cur = b.r.steps[i];
    const stale = b.stale(cur.changed, ['blocker'], op.baseVersion ?? 0);
    if (stale.length) return b.conflict(op.opId, `step:${cur.id}`, stale);
    const code = op.blocker ?? '';
    let bl = cur.blocker ? { ...cur.blocker } : null;
    if (code === '') {
      if (op.share) throw new Invalid(`${ptr}/share`);
      bl = null;
    } else if (!BLOCKERS.includes(code)) {
      throw new Invalid(`${ptr}/blocker`);
    } else if (code !== bl?.code) {
      if (cur.status !== 'dropped' && !overdue(cur, homeDay(b.now))) throw new Invalid(`${ptr}/stepId`);
      bl = { code, namedAt: b.now, shared: false };
    }
    if (op.share && !b.r.municipality) throw new Invalid(`${ptr}/share`);
    if (bl && op.share && !bl.shared) Object.assign(bl, { shared: true, sharedAt: b.now });
    if (bl && !op.share) {
      bl.shared = false;
      delete bl.sharedAt;
    }
    const item = { ...cur, updatedAt: b.now, version: b.v, changed: b.touch(cur.changed, ['blocker']) };
    if (bl) item.blocker = bl;
    else delete item.blocker;
    b.r.steps = b.r.steps.map((x, j) => (j === i ? item : x));
    return 'applied';
  },

  'roadmap.setMunicipality'(b, op, ptr) {
    const r = b.r;
    if ((r.municipalityVersion ?? 0) > (op.baseVersion ?? 0) && r.municipalityVersion !== b.v) return b.conflict(op.opId, 'roadmap', ['municipality']);
    const m = cleanText(op.municipality, 0, MAX_REGION, `${ptr}/municipality`);
    if (m) r.municipality = m;
    else delete r.municipality;
    r.municipalityVersion = b.v;
    return 'applied';
  },
};

// The households' time zone: the server's (VEIKART_TIMEZONE, told in
// GET /me and kept with it on the device), Europe/Oslo until it is known.
let homeZone = 'Europe/Oslo';

/** setHomeZone makes zone (an IANA name from the server) the one homeDay
 * counts in; a name this browser does not know is ignored. */
export function setHomeZone(zone) {
  if (!zone || zone === homeZone) return;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    homeZone = zone;
  } catch { /* an unknown zone: keep the last good one */ }
}

/** homeDay is the date (YYYY-MM-DD) of a moment (a Date, its ISO text or
 * milliseconds) where the households live: the server's zone. The day a
 * step is overdue from, whatever the phone's or UTC's day. */
export const homeDay = (when = new Date()) => new Date(when).toLocaleDateString('sv-SE', { timeZone: homeZone });

/** overdue: past its due date (today, YYYY-MM-DD), neither done nor dropped. */
export function overdue(step, today) {
  return Boolean(step.due) && step.due < today && (step.status === 'planned' || step.status === 'doing');
}

function pick(o, ...keys) {
  const out = {};
  for (const k of keys) if (o?.[k] !== undefined && o[k] !== null) out[k] = structuredClone(o[k]);
  return out;
}

// one applies one operation of a batch, after what every operation shares:
// its base version must be a version of the roadmap.
function one(b, op, ptr) {
  const base = op.baseVersion ?? 0;
  if (base < 0 || base > b.r.version) throw new Invalid(`${ptr}/baseVersion`);
  const fn = Object.hasOwn(operations, op.type) ? operations[op.type] : null;
  if (!fn) throw new Invalid(`${ptr}/type`);
  return fn(b, op, ptr);
}

const copy = (r) => ({ ...r, members: [...r.members], areas: [...r.areas], steps: [...r.steps], recentOps: [...(r.recentOps ?? [])] });

// run applies ops to a copy of r. Strict, it is the server's batch: all or
// nothing. Not strict, an operation that is refused or conflicts is left
// out and the rest still apply, which is what a screen showing queued edits
// needs (the server will refuse that one when it comes to it).
function run(r, ops, now, strict) {
  const b = new Batch(copy(r), now);
  const results = [];
  const seen = new Set();
  const done = [];
  for (const [i, op] of ops.entries()) {
    const ptr = `/operations/${i}`;
    if (!validId(op.opId)) {
      if (strict) throw new Invalid(`${ptr}/opId`);
      continue;
    }
    results.push({ opId: op.opId, outcome: 'duplicate' });
    if (seen.has(op.opId) || (r.recentOps ?? []).includes(op.opId)) continue;
    seen.add(op.opId);
    let out;
    if (strict) out = one(b, op, ptr);
    else {
      const saved = copy(b.r);
      // Anything thrown counts as refused: a queued operation of a shape
      // this version does not know must not blank the screen.
      try { out = one(b, op, ptr); } catch { out = 'refused'; }
      if (out === 'conflict' || out === 'refused') {
        b.r = saved;
        b.conflicts.length = 0;
        continue;
      }
    }
    if (out !== 'dup') {
      results.at(-1).outcome = 'applied';
      b.r.recentOps.push(op.opId);
      done.push(op);
    }
  }
  return { b, results, done };
}

// finish makes the batch's roadmap the next version, as Apply does.
function finish(r, b) {
  const next = b.r;
  if (next.recentOps.length === (r.recentOps ?? []).length) return r;
  next.recentOps = next.recentOps.slice(-MAX.keptOps);
  next.version = b.v;
  next.updatedAt = b.now;
  return next;
}

/**
 * applyBatch applies a batch of operations as the server does
 * (veikart.Roadmap.Apply). It returns {roadmap, results} when the batch
 * applies (roadmap is r itself when every operation was a duplicate),
 * {error: {code, pointer}} when it is invalid, or {conflicts} when some
 * operation is based on a stale version. r is never changed.
 */
export function applyBatch(r, ops, now) {
  if (!ops.length || ops.length > MAX.ops) return { error: { code: 'invalid', pointer: '/operations' } };
  let out;
  try {
    out = run(r, ops, now, true);
  } catch (e) {
    if (e instanceof Invalid) return { error: { code: 'invalid', pointer: e.pointer } };
    throw e;
  }
  if (out.b.conflicts.length) return { conflicts: out.b.conflicts };
  return { roadmap: finish(r, out.b), results: out.results };
}

/**
 * applyShown applies queued operations for the screen: by the server's
 * rules, leaving out each one the server would refuse (and no other), with
 * what they add marked pending. now (an ISO date-time) stamps new steps.
 */
export function applyShown(r, ops, now) {
  const { b, done } = run(r, ops, now, false);
  const next = finish(r, b);
  if (next === r) return r;
  const added = new Set(done.filter((op) => op.type.endsWith('.add')).map((op) => `${op.type}:${(op.member ?? op.area ?? op.step).id}`));
  for (const [kind, list] of [['member', 'members'], ['area', 'areas'], ['step', 'steps']]) {
    next[list] = next[list].map((x) => (added.has(`${kind}.add:${x.id}`) ? { ...x, pending: true } : x));
  }
  return next;
}
