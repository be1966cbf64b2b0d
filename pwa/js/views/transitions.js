// Transitions and growing up. A transition (release, discharge, turning 18,
// the end of the introduction programme) is planned by the owners: the
// receiving agency sees chosen sections from some days before the date until
// some days after, reads the hand-over the household wrote, and both are
// reminded. Growing up: a member with their own account takes their part of
// the family's roadmap into a roadmap of their own. Loaded when first
// needed, so the app's first load stays small.
import { h, field, errorBox, toast, confirm, uid } from '../ui.js';
import { t, date, list } from '../i18n.js';
import * as api from '../api.js';
import { agencies } from '../api.js';
import * as sync from '../sync.js';
import { go } from '../nav.js';
import { sectionName, sectionPicker } from './sharing.js';
import { checklistBox, transitionsFor } from './checklist.js';

const path = (id, rest) => `/roadmaps/${encodeURIComponent(id)}${rest}`;
const KINDS = ['release', 'discharge', 'turning-18', 'introduction-ended', 'custody-begins', 'other'];
const REMINDERS = [14, 7, 1, 0];

async function roadmap(id) {
  const r = await sync.refresh(id);
  if (!r) throw new api.ApiError(404, { title: t('error.notFound') });
  return r;
}

function header(r, id, title, back = '') {
  return [h('p', null, h('a', { href: `#/roadmaps/${id}${back}` }, t('common.backTo', { name: r.title || t('roadmap.untitled') }))), h('h1', null, title)];
}

// dayOffset is the calendar day n days from the date d (YYYY-MM-DD).
function dayOffset(d, n) {
  const x = new Date(`${d}T12:00:00`);
  x.setDate(x.getDate() + n);
  return x.toISOString().slice(0, 10);
}

// transitions lists the household's planned transitions, the soonest first,
// each with the checklist of its day (checklist.js).
export async function transitions(id) {
  const r = await roadmap(id);
  const [items, grants, names] = await Promise.all([
    transitionsFor(id), api.call('GET', path(id, '/grants')), agencies().catch(() => []),
  ]);
  const byId = Object.fromEntries(names.map((a) => [a.id, a.name]));
  const grantOf = Object.fromEntries(grants.items.map((g) => [g.id, g]));
  // A line goes to an agency the household shares with, now or soon.
  const shared = [...new Set(grants.items.filter((g) => g.status !== 'revoked' && g.status !== 'expired').map((g) => g.agencyId))]
    .map((a) => ({ id: a, name: byId[a] || a }));
  const sees = (agencyId, areaId) => grants.items.some((g) => g.agencyId === agencyId && g.status !== 'revoked' && g.status !== 'expired'
    && g.sections.includes(`steps:${areaId}`));
  const item = (tr) => {
    const agency = tr.agencyName || byId[tr.agencyId] || tr.agencyId;
    const g = grantOf[tr.grantId];
    const status = tr.status === 'cancelled' ? 'cancelled' : g?.status || 'expired';
    return h('li', { class: 'card transition' },
      h('h3', null, t(`transition.kind.${tr.kind}`), ' · ', date(tr.date)),
      h('p', null, t('transition.to', { agency })),
      h('p', null, t('grant.sees', { sections: list(tr.sections.map((x) => sectionName(r, x))) })),
      h('p', null, t(`transition.status.${status}`, { from: date(dayOffset(tr.date, -tr.daysBefore)), until: date(dayOffset(tr.date, tr.daysAfter)) })),
      tr.summary ? h('details', null, h('summary', null, t('transition.summary')), h('p', { class: 'own-words' }, tr.summary)) : null,
      tr.status === 'planned' ? checklistBox(id, r, tr, shared, byId, sees) : null,
      tr.status === 'planned' && status !== 'expired' && status !== 'revoked' ? h('button', {
        type: 'button', class: 'danger',
        onclick: async () => {
          if (!(await confirm(t('transition.cancel'), t('transition.cancelConfirm', { agency }), t('transition.cancelYes'), true))) return;
          try {
            await api.call('DELETE', path(id, `/transitions/${encodeURIComponent(tr.id)}`));
            toast(t('transition.cancelled'));
            go(`/roadmaps/${id}/transitions`);
          } catch (e) { toast(e.message); }
        },
      }, t('transition.cancel'), h('span', { class: 'sr' }, `: ${agency} ${date(tr.date)}`)) : null);
  };
  return h('section', { class: 'stack' },
    ...header(r, id, t('transition.title'), '/sharing'),
    h('p', { class: 'lead' }, t('transition.intro')),
    items.items.length ? h('ul', { class: 'cards' }, items.items.map(item)) : h('p', null, t('transition.none')),
    h('a', { class: 'button', href: `#/roadmaps/${id}/transitions/new` }, t('transition.plan')));
}

// planForm plans a transition with the household at the table.
export async function planForm(id) {
  const r = await roadmap(id);
  const names = await agencies();
  const kindIn = h('select', { required: true }, KINDS.map((k) => h('option', { value: k }, t(`transition.kind.${k}`))));
  const dateIn = h('input', { type: 'date', required: true, min: new Date().toISOString().slice(0, 10) });
  const agencyIn = h('select', { required: true }, h('option', { value: '' }, t('grant.pickAgency')), names.map((a) => h('option', { value: a.id }, a.name)));
  const beforeIn = h('input', { type: 'number', required: true, min: 0, max: 90, value: 14, inputmode: 'numeric' });
  const afterIn = h('input', { type: 'number', required: true, min: 0, max: 180, value: 30, inputmode: 'numeric' });
  const summaryIn = h('textarea', { maxlength: 4000, rows: 6 });
  const perms = ['comment', 'propose'].map((p) => h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'perm', value: p }), h('span', null, t(`permission.${p}`))));
  const rems = REMINDERS.map((d) => h('label', { class: 'check' },
    h('input', { type: 'checkbox', name: 'rem', value: d, checked: d === 7 || d === 1 }),
    h('span', null, t(`transition.remind${d}`))));
  const out = h('div', { 'aria-live': 'polite' });
  const planId = crypto.randomUUID();
  return h('section', { class: 'stack' },
    ...header(r, id, t('transition.plan'), '/transitions'),
    h('p', null, t('transition.planIntro')),
    h('form', {
      class: 'stack',
      onsubmit: async (e) => {
        e.preventDefault();
        const f = e.target;
        const sections = [...f.querySelectorAll('input[name=section]:checked')].map((x) => x.value);
        if (!sections.length) { out.replaceChildren(h('p', { class: 'error', role: 'alert' }, t('grant.pickSection'))); return; }
        try {
          await api.call('POST', path(id, '/transitions'), {
            id: planId, kind: kindIn.value, date: dateIn.value, agencyId: agencyIn.value, sections,
            permissions: ['view', ...[...f.querySelectorAll('input[name=perm]:checked')].map((x) => x.value)],
            daysBefore: Number(beforeIn.value), daysAfter: Number(afterIn.value), summary: summaryIn.value.trim(),
            reminders: [...f.querySelectorAll('input[name=rem]:checked')].map((x) => Number(x.value)),
          });
          toast(t('transition.planned', { agency: names.find((a) => a.id === agencyIn.value)?.name }));
          go(`/roadmaps/${id}/transitions`);
        } catch (err) { out.replaceChildren(errorBox(err)); }
      },
    },
    field(t('transition.kind'), kindIn),
    field(t('transition.date'), dateIn),
    field(t('transition.agency'), agencyIn),
    field(t('transition.daysBefore'), beforeIn, t('transition.daysBeforeHint')),
    field(t('transition.daysAfter'), afterIn, t('transition.daysAfterHint')),
    sectionPicker(r),
    h('fieldset', { class: 'stack' }, h('legend', null, t('grant.permissions')), h('p', { class: 'hint' }, t('grant.viewAlways')), perms),
    field(t('transition.summary'), summaryIn, t('transition.summaryHint')),
    h('fieldset', { class: 'stack' }, h('legend', null, t('transition.reminders')), h('p', { class: 'hint' }, t('transition.remindersHint')), rems),
    out, h('button', { type: 'submit' }, t('transition.planButton'))));
}

// own lets a member take their part of the family's roadmap into a roadmap
// of their own.
export async function own(id) {
  const r = await roadmap(id);
  const me = r.members.find((m) => m.id === r.access?.memberId);
  if (!me) throw new api.ApiError(404, { title: t('error.notFound') });
  const title = h('input', { type: 'text', maxlength: 200, value: me.name });
  const out = h('div', { 'aria-live': 'polite' });
  const newId = crypto.randomUUID();
  const body = me.tookOwnAt
    ? [h('p', null, t('own.done', { date: date(me.tookOwnAt) }))]
    : [h('p', { class: 'lead' }, t('own.intro')),
      h('ul', null, h('li', null, t('own.takes')), h('li', null, t('own.private')), h('li', null, t('own.family'))),
      h('form', {
        class: 'stack',
        onsubmit: async (e) => {
          e.preventDefault();
          if (!(await confirm(t('own.title'), t('own.confirm'), t('own.yes')))) return;
          try {
            const made = await api.call('POST', path(id, `/members/${encodeURIComponent(me.id)}/own-roadmap`), { id: newId, title: title.value.trim() || me.name });
            await sync.refresh(made.id);
            toast(t('own.made'));
            go(`/roadmaps/${made.id}`);
          } catch (err) { out.replaceChildren(errorBox(err)); }
        },
      }, field(t('roadmap.title'), title), out, h('button', { type: 'submit' }, t('own.yes')))];
  const cap = uid('own');
  return h('section', { class: 'stack', 'aria-labelledby': cap },
    h('p', null, h('a', { href: `#/roadmaps/${id}` }, t('common.back'))),
    h('h1', { id: cap }, t('own.title')),
    ...body);
}
