// The roadmap as the app shows it: the server's copy with the edits still in
// the outbox applied on top, so an edit shows at once, online or not. The
// server is the judge; ops.js applies its rules, so that what shows is
// what the server will make of the edits.
import { applyShown } from './ops.js';

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

// apply returns r with the queued ops applied by the server's rules
// (ops.js); an op the server would refuse is left out, and what they add
// is marked pending. New steps are stamped with the time of r, so that
// the view does not change while nothing else does.
export const apply = (r, ops) => applyShown(r, ops, r.updatedAt);

// inverse returns the ops that undo op, given the roadmap before it.
export function inverse(before, op) {
  const pick = (item, set) => Object.fromEntries(Object.keys(set).map((k) => [k, item[k] ?? null]));
  const clean = ({ pending, version, createdAt, updatedAt, kind, changed, ...rest }) => rest;
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

// stepTitle is a step's title, in the reader's language for a line of a
// transition's checklist (the household's words were in the language of
// whoever chose it; a caseworker or a co-owner may read another).
export const stepTitle = (s, t) => (s.checklistKey ? t(`checklist.line.${s.checklistKey}`) : s.title);
