// The household's own screens: the roadmap at a glance, each area in the
// family's own words, the steps, and the household's members. Every edit
// goes through the outbox, so it shows at once and is sent when it can be.
import { h, s, field, choice, toast, ask, confirm, readOnly } from '../ui.js';
import { t, plural, date, num, list } from '../i18n.js';
import * as sync from '../sync.js';
import { areaName, newId, stepTitle } from '../model.js';
import { ApiError, Offline, call } from '../api.js';
import { route, go } from '../nav.js';
import { kv, outbox } from '../db.js';
import * as push from '../push.js';
import { speakable, readAloudButton } from '../readaloud.js';
import * as checkins from './checkins.js';
import { owner, mayChange, mayComment, mayCheckIn } from '../may.js';
import { homeDay } from '../ops.js';



// edit queues an op and offers to undo it.
// shown says the screen already shows the change (a field the person just
// edited), so it is not drawn again under them.
async function edit(id, op, message, shown) {
  const inverse = await sync.edit(id, op, shown);
  toast(message || t('common.saved'), inverse.length ? { label: t('common.undo'), done: t('common.undone'), run: () => sync.undo(id, inverse) } : null);
}

// road draws the road from now to desired on a 1-5 scale: a dot where the
// family stands, a flag where it wants to be, and, from the household's
// check-ins (walked: its readings, oldest first), the way it came: a small
// dot for each earlier reading under the track, joined in time order. The
// words say the same.
export function road(a, walked = []) {
  const label = a.scoreNow || a.scoreDesired
    ? t('road.label', { now: a.scoreNow ? num(a.scoreNow) : '–', desired: a.scoreDesired ? num(a.scoreDesired) : '–' })
    : t('road.none');
  const started = walked.length > 1 ? t('road.started', { score: num(walked[0].score), date: date(walked[0].date) }) : '';
  const x = (n) => 16 + (n - 1) * 52;
  // The trail steps down from the track, one row per reading, the newest
  // nearest (at most the last six, so it stays readable at 360 px).
  const steps = walked.slice(-6);
  const ty = (i) => 38 - (steps.length - 1 - i) * 3;
  const svg = s('svg', { viewBox: '0 0 240 40', class: 'road', 'aria-hidden': 'true', focusable: 'false' },
    s('line', { x1: 16, y1: 20, x2: 224, y2: 20, class: 'track' }),
    ...[1, 2, 3, 4, 5].map((n) => s('circle', { cx: x(n), cy: 20, r: 3, class: 'stop' })),
    a.scoreNow && a.scoreDesired ? s('line', { x1: x(a.scoreNow), y1: 20, x2: x(a.scoreDesired), y2: 20, class: 'way' }) : null,
    a.scoreDesired ? s('path', { d: `M${x(a.scoreDesired)} 20 v-16 l12 5 l-12 5`, class: 'flag' }) : null,
    steps.length > 1 ? s('polyline', { points: steps.map((w, i) => `${x(w.score)},${ty(i)}`).join(' '), class: 'trailline' }) : null,
    ...steps.map((w, i) => s('circle', { cx: x(w.score), cy: ty(i), r: 2.5, class: 'trail', 'data-trail': w.date })),
    a.scoreNow ? s('circle', { cx: x(a.scoreNow), cy: 20, r: 8, class: 'here' }) : null);
  return h('div', { class: 'roadbox' }, svg, h('p', { class: 'roadtext' }, label, started ? ` ${started}` : ''));
}

const memberName = (r, id) => r.members.find((m) => m.id === id)?.name;

function who(r, step, agencies) {
  const resp = step.responsible || {};
  if (resp.kind === 'member') return memberName(r, resp.memberId) || t('step.who.member');
  if (resp.kind === 'agency') return agencies?.[resp.agencyId] || resp.agencyId;
  return t('step.who.household');
}

function stepItem(id, r, st, agencies) {
  const done = st.status === 'done';
  const may = mayChange(r, `steps:${st.areaId}`);
  return h('li', { class: `step ${st.status}` },
    h('a', { href: `#/roadmaps/${id}/steps/${st.id}` }, h('strong', null, stepTitle(st, t))),
    h('span', { class: 'meta' }, t(`status.${st.status}`), ' · ', who(r, st, agencies), st.due ? ` · ${t('step.by', { date: date(st.due) })}` : '', st.pending ? ` · ${t('common.notSent')}` : ''),
    // It says where the step stands, "Gjort" or "Ikke gjort"; a tap
    // changes it (for those who may: the status says it for the rest).
    may && h('button', {
      type: 'button', class: done ? 'secondary small' : 'small',
      onclick: () => edit(id, { type: 'step.update', stepId: st.id, set: { status: done ? 'planned' : 'done' } }, done ? t('step.reopened') : t('step.markedDone')),
    }, done ? t('step.done') : t('step.notDone'), h('span', { class: 'sr' }, `: ${stepTitle(st, t)}`)));
}

// agencyNames maps agency ids to names, as last fetched (see sharing.js).
export const agencyNames = async () => (await kv.get('agencyNames')) || {};

// overview shows every area's road and what is next.
export async function overview(id) {
  const r = await sync.load(id);
  if (!r) throw new ApiError(404, { title: t('error.notFound') });
  const walked = r.version ? await checkins.readings(id).catch(() => []) : [];
  const areas = r.areas.map((a) => {
    const steps = r.steps.filter((x) => x.areaId === a.id);
    const open = steps.filter((x) => x.status !== 'done' && x.status !== 'dropped');
    const next = open.filter((x) => x.due).sort((x, y) => x.due.localeCompare(y.due))[0];
    return h('li', null, h('a', { class: 'card area', href: `#/roadmaps/${id}/areas/${a.id}` },
      h('h2', null, areaName(a, t)),
      road(a, checkins.trail(walked, a.id)),
      h('span', null, steps.length ? plural('area.stepsDone', steps.length, { done: num(steps.length - open.length) }) : t('area.noSteps')),
      next ? h('span', null, t('area.next', { title: next.title, date: date(next.due) })) : null));
  });
  const names = await agencyNames();
  // Not for a roadmap made on this device and not sent yet (version 0):
  // the server does not know it.
  const meetings = r.access || !r.version ? [] : await import('./meetings.js').then((m) => m.coming(id)).catch(() => []);
  // The household's unread messages, from every agency (owners only; not
  // for a roadmap made on this phone that the server does not have yet).
  const unread = r.access || !r.version ? 0 : await import('./messages.js').then((m) => m.unread(id)).catch(() => 0);
  const proposals = (r.proposals || []).filter((p) => p.status === 'pending');
  // What the services promised and did not do in time (the server's
  // GET /overdue says the same), for the household to follow up; from the
  // copy on the device, so it shows offline too.
  const today = homeDay();
  const overdue = r.access ? [] : r.steps.filter((x) => x.responsible?.kind === 'agency' && x.due && x.due < today && (x.status === 'planned' || x.status === 'doing'));
  const decide = (p, verb, message) => async () => {
    try {
      await call('POST', `/roadmaps/${encodeURIComponent(id)}/proposals/${encodeURIComponent(p.id)}/${verb}`);
      await sync.refresh(id);
      await route(true);
      toast(message);
    } catch (e) { toast(e instanceof Offline ? t('error.offline') : e.message); }
  };
  // A trusted person or an interpreter: the parts the family gave them,
  // and none of the household's own tools.
  const helper = r.access?.role === 'trusted' || r.access?.role === 'interpreter';
  const member = r.access?.role === 'member';
  return h('section', { class: 'stack', 'data-live': '1', 'data-roadmap': id },
    h('h1', null, r.title || t('roadmap.untitled')),
    helper ? h('p', { class: 'note', 'data-helper-note': '' }, t(`helper.youAre.${r.access.role}`, {
      date: date(r.access.expiresAt, r.access.role === 'interpreter'),
    }), ' ', t(r.access.write ? 'helper.youWrite' : 'helper.youRead')) : null,
    member ? readOnly('may.member') : null,
    h('p', null, list(r.members.map((m) => m.name))),
    proposals.length && owner(r) ? h('section', { class: 'boxed stack' }, h('h2', null, t('proposal.title')),
      h('ul', { class: 'cards' }, proposals.map((p) => h('li', { class: 'stack' },
        h('p', null, t('proposal.from', { agency: names[p.agencyId] || p.agencyId, title: p.step.title })),
        h('div', { class: 'actions' },
          h('button', { type: 'button', class: 'secondary', onclick: decide(p, 'reject', t('proposal.rejected')) }, t('proposal.reject')),
          h('button', { type: 'button', onclick: decide(p, 'accept', t('proposal.accepted')) }, t('proposal.accept'))))))) : null,
    overdue.length ? h('section', { class: 'boxed stack', 'aria-labelledby': 'overdue' }, h('h2', { id: 'overdue' }, t('overdue.title')),
      h('ul', null, overdue.map((x) => h('li', null, h('a', { href: `#/roadmaps/${id}/steps/${x.id}` },
        t('overdue.line', { agency: names[x.responsible.agencyId] || x.responsible.agencyId, title: x.title, date: date(x.due) }))))),
      h('a', { href: `#/roadmaps/${id}/team` }, t('overdue.followUp'))) : null,
    meetings.length ? h('section', { class: 'boxed stack', 'aria-labelledby': 'coming' }, h('h2', { id: 'coming' }, t('meeting.coming')),
      h('ul', null, meetings.map((m) => h('li', null, h('a', { href: `#/roadmaps/${id}/meetings/${m.id}` },
        t(m.status === 'proposed' ? 'meeting.comingProposed' : 'meeting.comingLine', { when: date(m.at, true), place: m.place || t('meeting.atHome') })))))) : null,
    r.access?.role === 'member' && r.access.memberId ? h('a', { class: 'button secondary', href: `#/roadmaps/${id}/own` }, t('own.title')) : null,
    helper ? null : h('nav', { class: 'actions', 'aria-label': t('roadmap.tools') },
      owner(r) ? h('a', { class: 'button secondary', href: `#/roadmaps/${id}/household` }, t('roadmap.household')) : null,
      r.version ? h('a', { class: 'button secondary', href: `#/roadmaps/${id}/members` }, t(r.access?.role === 'member' ? 'members.mineTitle' : 'members.title')) : null,
      owner(r) ? h('a', { class: 'button secondary', href: `#/roadmaps/${id}/sharing` }, t('roadmap.sharing')) : null,
      r.access ? null : h('a', { class: 'button secondary', href: `#/roadmaps/${id}/team` }, t('team.title')),
      r.access ? null : h('a', { class: 'button secondary', href: `#/roadmaps/${id}/review` }, t('review.title')),
      r.access ? null : h('a', { class: 'button secondary', href: `#/roadmaps/${id}/timeline` }, t('timeline.title')),
      r.access ? null : h('a', { class: 'button secondary', href: `#/roadmaps/${id}/messages` }, unread ? plural('messages.linkUnread', unread) : t('messages.title')),
      h('a', { class: 'button secondary', href: `#/roadmaps/${id}/poster` }, t('roadmap.poster'))),
    // Owners, adult members in the areas that name them, and a helper who
    // writes, in the areas given to them (may.js).
    r.areas.some((a) => mayCheckIn(r, a.id)) ? h('a', { class: 'button', href: `#/roadmaps/${id}/checkin` }, t('checkin.title')) : null,
    h('ul', { class: 'cards' }, areas),
    owner(r) ? h('a', { class: 'button secondary', href: `#/roadmaps/${id}/areas/new` }, t('area.add')) : null,
    // Owners only (an owner's view is the whole roadmap, with no access part).
    r.access ? null : h('button', { type: 'button', class: 'danger', onclick: () => import('./account.js').then((m) => m.deleteRoadmap(id)) }, t('roadmap.delete')));
}

// area: where the family stands and where it wants to be, in its own words.
export async function area(id, areaId) {
  const r = await sync.load(id);
  const a = r?.areas.find((x) => x.id === areaId);
  if (!a) throw new ApiError(404, { title: t('error.notFound') });
  const names = await agencyNames();
  const walked = r.version ? await checkins.readings(id).catch(() => []) : [];
  // Who may change what here (may.js): the area's texts, scores and
  // renderings are its "area:" section, its steps the "steps:" one. A
  // member reads the family's words here and adds their own on their
  // screen (members.js); a helper writes only where the family said so.
  const member = r.access?.role === 'member';
  const writeText = mayChange(r, `area:${areaId}`);
  const writeSteps = mayChange(r, `steps:${areaId}`);
  const text = (key) => {
    const el = h('textarea', { rows: 4, maxlength: 2000, readonly: !writeText });
    el.value = a[key] || '';
    if (writeText) el.addEventListener('change', () => edit(id, { type: 'area.update', areaId, set: { [key]: el.value } }, null, true));
    return el;
  };
  const scores = [1, 2, 3, 4, 5].map((n) => [String(n), num(n)]);
  const score = (key, legend) => (!writeText ? null : choice(legend, key, [['', t('score.none')], ...scores], a[key] ? String(a[key]) : '',
    (v) => edit(id, { type: 'area.update', areaId, set: { [key]: v ? Number(v) : null } })));
  const steps = r.steps.filter((x) => x.areaId === areaId);
  const comments = (r.comments || []).filter((c) => c.section === `area:${areaId}` || c.section === `steps:${areaId}`);
  // The Norwegian rendering beside the family's words: written by the
  // family or a helper who may write here, confirmed by the family.
  const renders = await import('./rendering.js');
  const beside = (key) => renders.renderingBox(id, a, key, { write: writeText, confirm: owner(r) });
  const title = a.kind === 'custom' && writeText ? h('input', { type: 'text', maxlength: 100, value: a.title }) : null;
  title?.addEventListener('change', () => title.value.trim() && edit(id, { type: 'area.update', areaId, set: { title: title.value.trim() } }));
  return h('section', { class: 'stack', 'data-live': '1', 'data-roadmap': id },
    h('p', null, h('a', { href: `#/roadmaps/${id}` }, t('common.backTo', { name: r.title || t('roadmap.untitled') }))),
    h('h1', null, areaName(a, t)),
    title ? field(t('area.title'), title) : null,
    // Who the area concerns: a young member sees the areas that name them
    // and has their own say over them (members.js). It is the household
    // section's to say as well as the area's (the server's rule).
    writeText && mayChange(r, 'household') && r.members.length ? h('fieldset', { class: 'stack' }, h('legend', null, t('field.memberIds')),
      r.members.map((m) => h('label', { class: 'check' }, h('input', {
        type: 'checkbox', name: 'concerns', value: m.id, checked: (a.memberIds || []).includes(m.id),
        onchange: (e) => edit(id, { type: 'area.update', areaId, set: { memberIds: [...e.target.closest('fieldset').querySelectorAll('input[name=concerns]:checked')].map((x) => x.value) } }, null, true),
      }), h('span', null, m.name)))) : null,
    writeText || writeSteps ? null : readOnly(member && mayComment(r, `area:${areaId}`) ? 'may.member' : 'may.readOnly'),
    road(a, checkins.trail(walked, areaId)),
    mayCheckIn(r, areaId)
      ? h('a', { class: 'button', href: `#/roadmaps/${id}/areas/${areaId}/checkin` }, t('checkin.thisArea')) : null,
    speakable(field(t('area.now'), text('now'), t('area.nowHint'))),
    beside('now'),
    score('scoreNow', t('area.scoreNow')),
    speakable(field(t('area.desired'), text('desired'), t('area.desiredHint'))),
    beside('desired'),
    score('scoreDesired', t('area.scoreDesired')),
    // The road walked: the check-ins as a chart, and a table of them.
    h('h2', null, t('checkin.history')),
    checkins.history(a, walked, r.members, names, owner(r) ? checkins.takeBack(id, () => route(true)) : null),
    h('h2', null, t('area.steps')),
    steps.length ? h('ul', { class: 'steps' }, steps.map((st) => stepItem(id, r, st, names))) : h('p', null, t('area.noSteps')),
    comments.length ? [h('h2', null, t('comments.title')), h('ul', { class: 'comments' }, comments.map((c) => h('li', { class: 'comment' },
      readAloudButton(c.text, t('comments.title')), h('p', null, c.text), h('p', { class: 'meta' }, names[c.agencyId] || '', ' · ', date(c.createdAt, true)))))] : null,
    member && mayComment(r, `area:${areaId}`) ? h('a', { class: 'button', href: `#/roadmaps/${id}/members` }, t('members.wordsTitle')) : null,
    writeSteps ? h('a', { class: 'button', href: `#/roadmaps/${id}/areas/${areaId}/steps/new` }, t('step.add')) : null,
    a.kind === 'custom' && owner(r) ? h('button', {
      type: 'button', class: 'danger',
      onclick: async () => {
        if (!(await confirm(t('area.remove'), t('area.removeConfirm', { name: a.title }), t('area.remove'), true))) return;
        await edit(id, { type: 'area.remove', areaId }, t('area.removed'));
        go(`/roadmaps/${id}`);
      },
    }, t('area.remove')) : null);
}

export async function newArea(id) {
  // Adding an area is the owners' (a helper writes only in the areas the
  // family gave them; a member not at all).
  const r = await sync.load(id);
  if (r && !owner(r)) return h('section', { class: 'stack' }, h('h1', null, t('area.add')), readOnly('may.ownersOnly'));
  const input = h('input', { type: 'text', required: true, maxlength: 100 });
  return h('section', { class: 'stack' },
    h('h1', null, t('area.add')),
    h('form', {
      class: 'stack',
      onsubmit: async (e) => {
        e.preventDefault();
        const areaId = newId();
        await edit(id, { type: 'area.add', area: { id: areaId, title: input.value.trim() } });
        go(`/roadmaps/${id}/areas/${areaId}`);
      },
    }, field(t('area.title'), input, t('area.titleHint')), h('button', { type: 'submit' }, t('common.save'))));
}

// stepForm adds a step, or changes one (sending only what changed).
export async function stepForm(id, stepId, areaId) {
  const r = await sync.load(id);
  if (!r) throw new ApiError(404, { title: t('error.notFound') });
  const st = stepId ? r.steps.find((x) => x.id === stepId) : null;
  if (stepId && !st) throw new ApiError(404, { title: t('error.notFound') });
  const names = await agencyNames();
  // Someone who may only read the area's steps sees the step, not a form.
  if (!mayChange(r, `steps:${st ? st.areaId : areaId}`)) return (await import('./readview.js')).step(id, r, st, areaId, who(r, st || {}, names));
  const v = st ? { ...st } : { areaId, title: '', note: '', status: 'planned', term: 'short', responsible: { kind: 'household' }, reminders: [] };
  const titleIn = h('input', { type: 'text', required: true, maxlength: 200, value: v.title });
  const areaIn = h('select', null, r.areas.map((a) => h('option', { value: a.id, selected: a.id === v.areaId }, areaName(a, t))));
  const whoValue = v.responsible.kind === 'member' ? `m:${v.responsible.memberId}` : v.responsible.kind === 'agency' ? `a:${v.responsible.agencyId}` : 'household';
  const whoIn = h('select', null,
    h('option', { value: 'household', selected: whoValue === 'household' }, t('step.who.household')),
    r.members.map((m) => h('option', { value: `m:${m.id}`, selected: whoValue === `m:${m.id}` }, m.name)),
    Object.entries(names).map(([aid, n]) => h('option', { value: `a:${aid}`, selected: whoValue === `a:${aid}` }, n)));
  const dueIn = h('input', { type: 'date', value: v.due || '' });
  const noteIn = h('textarea', { rows: 3, maxlength: 2000 });
  noteIn.value = v.note || '';
  let term = v.term;
  let status = v.status;
  const rem = v.reminders?.[0];
  // A reminder on a phone that shows none would fail silently: ticking it
  // leads straight to turning reminders on here, or says why it cannot.
  const pushSlot = h('div', { class: 'stack note', hidden: true });
  const checkPush = async () => {
    if (!remIn.checked || (await push.ready())) { pushSlot.hidden = true; return; }
    pushSlot.hidden = false;
    push.offer(pushSlot, () => { pushSlot.hidden = true; });
    pushSlot.prepend(h('p', null, t('push.notOnHere')));
  };
  const remIn = h('input', { type: 'checkbox', checked: Boolean(rem), onchange: checkPush });
  const daysIn = h('select', null, [0, 1, 2, 3, 7, 14].map((d) => h('option', { value: d, selected: (rem?.daysBefore ?? 1) === d }, d === 0 ? t('reminder.sameDay') : plural('reminder.daysBefore', d))));
  const atIn = h('input', { type: 'time', min: '08:00', max: '20:59', value: rem?.at || '09:00' });
  const out = h('div', { 'aria-live': 'polite' });
  const responsible = () => {
    const w = whoIn.value;
    if (w.startsWith('m:')) return { kind: 'member', memberId: w.slice(2) };
    if (w.startsWith('a:')) return { kind: 'agency', agencyId: w.slice(2) };
    return { kind: 'household' };
  };
  const submit = async (e) => {
    e.preventDefault();
    const now = {
      title: titleIn.value.trim(), areaId: areaIn.value, note: noteIn.value, term, status,
      responsible: responsible(), due: dueIn.value || null,
      reminders: remIn.checked && dueIn.value ? [{ daysBefore: Number(daysIn.value), at: atIn.value.slice(0, 5) }] : [],
    };
    if (remIn.checked && !dueIn.value) { out.replaceChildren(h('p', { class: 'error', role: 'alert' }, t('reminder.needsDate'))); dueIn.focus(); return; }
    if (!st) {
      const step = { id: newId(), ...now };
      if (!step.due) delete step.due;
      await edit(id, { type: 'step.add', step }, t('step.added'));
    } else {
      const set = {};
      for (const [k, val] of Object.entries(now)) {
        if (JSON.stringify(val ?? null) !== JSON.stringify(st[k] ?? (k === 'due' ? null : st[k]))) set[k] = val;
      }
      if (Object.keys(set).length) await edit(id, { type: 'step.update', stepId: st.id, set });
    }
    go(`/roadmaps/${id}/areas/${now.areaId}`);
  };
  if (rem) checkPush();
  // What stopped a dropped or overdue step (loaded when first needed).
  // (the owners': a blocker may name the municipality, the household's).
  const blocker = st && owner(r) ? (await import('./blockers.js')).blockerBox(id, r, st) : null;
  return h('section', { class: 'stack' },
    h('p', null, h('a', { href: `#/roadmaps/${id}/areas/${v.areaId}` }, t('common.back'))),
    h('h1', null, st ? t('step.edit') : t('step.add')),
    h('form', { class: 'stack', onsubmit: submit },
      speakable(field(t('step.title'), titleIn, t('step.titleHint'))),
      field(t('step.who'), whoIn),
      field(t('step.due'), dueIn),
      choice(t('step.term'), 'term', [['short', t('term.short')], ['long', t('term.long')]], term, (x) => { term = x; }),
      choice(t('step.status'), 'status', ['planned', 'doing', 'done', 'dropped'].map((x) => [x, t(`status.${x}`)]), status, (x) => { status = x; }),
      h('fieldset', { class: 'stack' }, h('legend', null, t('reminder.title')),
        h('label', { class: 'check' }, remIn, h('span', null, t('reminder.on'))),
        pushSlot,
        field(t('reminder.when'), daysIn), field(t('reminder.at'), atIn, t('reminder.quiet'))),
      speakable(field(t('step.note'), noteIn)),
      out,
      h('button', { type: 'submit' }, t('common.save'))),
    blocker,
    st ? h('button', {
      type: 'button', class: 'danger',
      onclick: async () => {
        if (!(await confirm(t('step.remove'), t('step.removeConfirm', { title: st.title }), t('step.remove'), true))) return;
        await edit(id, { type: 'step.remove', stepId: st.id }, t('step.removed'));
        go(`/roadmaps/${id}/areas/${st.areaId}`);
      },
    }, t('step.remove')) : null);
}

// household: the roadmap's name and the people in it.
export async function household(id) {
  const r = await sync.load(id);
  if (!r) throw new ApiError(404, { title: t('error.notFound') });
  // The household's name and people are the owners' to change.
  if (!owner(r)) return (await import('./readview.js')).household(id, r);
  const titleIn = h('input', { type: 'text', maxlength: 200, value: r.title });
  titleIn.addEventListener('change', () => titleIn.value.trim() && edit(id, { type: 'roadmap.setTitle', title: titleIn.value.trim() }));
  const people = r.members.map((m) => {
    const name = h('input', { type: 'text', maxlength: 100, value: m.name });
    name.addEventListener('change', () => name.value.trim() && edit(id, { type: 'member.update', memberId: m.id, set: { name: name.value.trim() } }));
    return h('li', { class: 'stack boxed' },
      field(t('member.name'), name),
      choice(t('member.role'), `role-${m.id}`, [['adult', t('role.adult')], ['child', t('role.child')]], m.role,
        (v) => edit(id, { type: 'member.update', memberId: m.id, set: { role: v } })),
      m.birthYear ? h('p', null, t('member.born', { year: m.birthYear })) : null,
      m.tookOwnAt ? h('p', null, t('member.tookOwn', { date: date(m.tookOwnAt) }))
        : m.hasAccount && m.role === 'child' ? h('label', { class: 'check' },
          h('input', { type: 'checkbox', checked: !!m.ownAllowed, onchange: (e) => edit(id, { type: 'member.update', memberId: m.id, set: { ownAllowed: e.target.checked } }) }),
          h('span', null, t('member.ownAllowed', { name: m.name }))) : null,
      h('button', {
        type: 'button', class: 'link',
        onclick: async () => {
          if (await confirm(t('member.remove'), t('member.removeConfirm', { name: m.name }), t('member.remove'), true)) {
            await edit(id, { type: 'member.remove', memberId: m.id }, t('member.removed'));
          }
        },
      }, t('member.remove'), h('span', { class: 'sr' }, ` ${m.name}`)));
  });
  const nameIn = h('input', { type: 'text', maxlength: 100 });
  let role = 'adult';
  return h('section', { class: 'stack', 'data-live': '1', 'data-roadmap': id },
    h('p', null, h('a', { href: `#/roadmaps/${id}` }, t('common.back'))),
    h('h1', null, t('roadmap.household')),
    field(t('roadmap.title'), titleIn),
    h('h2', null, t('member.list')),
    h('ul', { class: 'people stack' }, people),
    h('form', {
      class: 'stack boxed',
      onsubmit: async (e) => {
        e.preventDefault();
        if (!nameIn.value.trim()) return;
        await edit(id, { type: 'member.add', member: { id: newId(), name: nameIn.value.trim(), role } }, t('member.added'));
      },
    }, h('h2', null, t('create.addMember')), field(t('member.name'), nameIn),
    choice(t('member.role'), 'newrole', [['adult', t('role.adult')], ['child', t('role.child')]], role, (v) => { role = v; }),
    h('button', { type: 'submit', class: 'secondary' }, t('create.addMember'))));
}

const fieldName = (f) => t(`field.${f}`);

function shown(v) {
  if (v == null || v === '') return t('conflict.empty');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

// resolveConflicts shows, for each edit that met someone else's, both
// versions, and lets the person keep theirs or the other.
export async function resolveConflicts(id) {
  const c = await sync.conflict(id);
  if (!c) return;
  const entries = (await outbox.all()).filter((e) => e.roadmapId === id);
  for (const cf of c.conflicts) {
    const mine = entries.find((e) => e.op?.opId === cf.opId)?.op;
    const rows = cf.fields.map((f) => h('div', { class: 'compare' },
      h('h3', null, fieldName(f)),
      h('p', null, h('strong', null, t('conflict.theirs')), ' ', shown(cf.current?.[f])),
      h('p', null, h('strong', null, t('conflict.mine')), ' ', shown(mine?.set?.[f] ?? mine?.title))));
    const choiceMade = await ask(t('conflict.title'), h('div', { class: 'stack' }, h('p', null, t('conflict.explain')), rows),
      [['theirs', t('conflict.keepTheirs'), 'secondary'], ['mine', t('conflict.keepMine')]]);
    if (!choiceMade) return;
    await sync.resolve(id, cf.opId, choiceMade);
  }
  toast(t('conflict.resolved'));
}
