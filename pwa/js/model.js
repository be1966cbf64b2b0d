// The roadmap as the app shows it: the server's copy with the edits still in
// the outbox applied on top, so an edit shows at once, online or not. The
// server is the judge; this mirrors its rules only as far as display needs.

export const DEFAULT_AREAS = ['housing', 'work', 'education', 'economy', 'family', 'health', 'network', 'leisure'];

export const newId = () => crypto.randomUUID();

// blank is a roadmap made on this device and not yet on the server.
export function blank(id, title, members) {
  const at = new Date().toISOString();
  return {
    id, title, version: 0, createdAt: at, updatedAt: at, owners: [],
    members: members.map((m) => ({ ...m, version: 0 })),
    areas: DEFAULT_AREAS.map((a) => ({ id: a, kind: 'default', now: '', desired: '', memberIds: [], version: 0 })),
    steps: [], comments: [], proposals: [],
  };
}

function patch(item, set) {
  const out = { ...item };
  for (const [k, v] of Object.entries(set)) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

const without = (ids, id) => (ids || []).filter((x) => x !== id);

// apply returns r with ops applied; ops that no longer fit are skipped.
export function apply(r, ops) {
  r = { ...r, members: [...r.members], areas: [...r.areas], steps: [...r.steps] };
  for (const op of ops) {
    switch (op.type) {
      case 'roadmap.setTitle': r.title = op.title; break;
      case 'member.add': r.members.push({ ...op.member, pending: true }); break;
      case 'member.update': r.members = r.members.map((m) => (m.id === op.memberId ? patch(m, op.set) : m)); break;
      case 'member.remove':
        r.members = r.members.filter((m) => m.id !== op.memberId);
        r.areas = r.areas.map((a) => ({ ...a, memberIds: without(a.memberIds, op.memberId) }));
        r.steps = r.steps.map((s) => ({ ...s, memberIds: without(s.memberIds, op.memberId) }));
        break;
      case 'area.add': r.areas.push({ kind: 'custom', now: '', desired: '', memberIds: [], ...op.area, pending: true }); break;
      case 'area.update': r.areas = r.areas.map((a) => (a.id === op.areaId ? patch(a, op.set) : a)); break;
      case 'area.remove':
        r.areas = r.areas.filter((a) => a.id !== op.areaId);
        r.steps = r.steps.filter((s) => s.areaId !== op.areaId);
        break;
      case 'step.add': r.steps.push({ status: 'planned', note: '', memberIds: [], reminders: [], ...op.step, pending: true }); break;
      case 'step.update': r.steps = r.steps.map((s) => (s.id === op.stepId ? patch(s, op.set) : s)); break;
      case 'step.remove': r.steps = r.steps.filter((s) => s.id !== op.stepId); break;
    }
  }
  return r;
}

// inverse returns the ops that undo op, given the roadmap before it.
export function inverse(before, op) {
  const pick = (item, set) => Object.fromEntries(Object.keys(set).map((k) => [k, item[k] ?? null]));
  const clean = ({ pending, version, createdAt, updatedAt, kind, ...rest }) => rest;
  switch (op.type) {
    case 'roadmap.setTitle': return [{ type: op.type, title: before.title }];
    case 'member.add': return [{ type: 'member.remove', memberId: op.member.id }];
    case 'area.add': return [{ type: 'area.remove', areaId: op.area.id }];
    case 'step.add': return [{ type: 'step.remove', stepId: op.step.id }];
    case 'member.update': {
      const m = before.members.find((x) => x.id === op.memberId);
      return m ? [{ type: op.type, memberId: m.id, set: pick(m, op.set) }] : [];
    }
    case 'area.update': {
      const a = before.areas.find((x) => x.id === op.areaId);
      return a ? [{ type: op.type, areaId: a.id, set: pick(a, op.set) }] : [];
    }
    case 'step.update': {
      const s = before.steps.find((x) => x.id === op.stepId);
      return s ? [{ type: op.type, stepId: s.id, set: pick(s, op.set) }] : [];
    }
    case 'step.remove': {
      const s = before.steps.find((x) => x.id === op.stepId);
      if (!s) return [];
      const { status, ...step } = clean(s);
      return [{ type: 'step.add', step: { ...step, status, due: s.due || undefined } }];
    }
    default: return [];
  }
}

// areaName is an area's title: the household's own for custom areas.
export const areaName = (a, t) => (a.kind === 'custom' ? a.title : t(`area.${a.id}`));
