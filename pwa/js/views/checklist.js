// The day of a transition: a checklist per planned transition (where to
// sleep the first night, medicine, money, who meets the person ...), each
// line the household's own or given to an agency, which confirms it with
// a date (a promise, see team.js). A line not confirmed three days before
// the day shows red, in words as well as colour. The card of the day is
// for the fridge door or a pocket: it prints, and it opens with no network
// from what the device last fetched (the roadmap, the transitions and the
// team, kept in IndexedDB, which signing out clears).
import { h, field, errorBox, toast } from '../ui.js';
import { t, date } from '../i18n.js';
import * as api from '../api.js';
import * as sync from '../sync.js';
import { kv } from '../db.js';
import { route } from '../nav.js';
import { homeDay } from '../ops.js';

const path = (id, rest) => `/roadmaps/${encodeURIComponent(id)}${rest}`;
// WARN_DAYS is veikart.ChecklistWarnDays: from then on, unconfirmed is red.
const WARN_DAYS = 3;

// Where the device keeps the last transitions and team it fetched.
const transitionsKey = (id) => `transitions:${id}`;
export const teamKey = (id) => `team:${id}`;

// remember keeps what was fetched for the card; a failure to keep it only
// costs the card its freshness.
export const remember = (key, value) => kv.set(key, value).catch(() => {});

const lineName = (key) => t(`checklist.line.${key}`);

// daysUntil counts calendar days from today where the households live to
// d (YYYY-MM-DD).
function daysUntil(d) {
  const today = homeDay();
  return Math.round((Date.parse(`${d}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000);
}

// lineState is where a line stands, as veikart.Confirmed decides it: an
// agency's line is confirmed once accepted by the day.
function lineState(s, tr) {
  if (s.status === 'done') return 'done';
  if (s.responsible?.kind !== 'agency') return 'own';
  const p = s.promise || {};
  if (p.status === 'accepted') return p.due && p.due <= tr.date ? 'confirmed' : 'late';
  return p.status === 'declined' ? 'declined' : 'asked';
}

const unconfirmed = (s, tr) => !['done', 'own', 'confirmed'].includes(lineState(s, tr)) && s.status !== 'dropped';
const isRed = (s, tr) => unconfirmed(s, tr) && daysUntil(tr.date) <= WARN_DAYS;

// linesOf are transition tr's lines in the template's order.
function linesOf(r, tr) {
  const order = (tr.checklist || []).map((l) => l.key);
  return r.steps.filter((s) => s.transitionId === tr.id)
    .sort((a, b) => order.indexOf(a.checklistKey) - order.indexOf(b.checklistKey));
}

// stateText says in words where line s stands.
function stateText(s, tr, names) {
  const p = s.promise || {};
  const agency = names[s.responsible?.agencyId] || s.responsible?.agencyId || '';
  return t(`checklist.state.${lineState(s, tr)}`, { agency, date: p.due ? date(p.due) : '', reason: p.reason || '' });
}

// lineItem is one line and where it stands; sees(agencyId, areaId), when
// given, says whether the household lets the agency see the line's step
// (else the agency can neither answer it nor be reminded of it).
function lineItem(s, tr, names, sees) {
  const red = isRed(s, tr);
  const agencyId = s.responsible?.kind === 'agency' ? s.responsible.agencyId : '';
  return h('li', { class: red ? 'line unconfirmed' : 'line' },
    h('strong', null, lineName(s.checklistKey)),
    red ? h('span', { class: 'flag' }, t('checklist.unconfirmed')) : null,
    h('span', { class: 'meta' }, stateText(s, tr, names)),
    agencyId && sees && !sees(agencyId, s.areaId) ? h('span', { class: 'late' }, t('checklist.unseen', { agency: names[agencyId] || agencyId })) : null,
    s.promise?.byName && s.promise.status === 'accepted' ? h('span', { class: 'meta' }, t('checklist.by', { name: s.promise.byName })) : null);
}

// checklistBox is one planned transition's day on the transitions screen:
// its lines and where each stands, the form that chooses them, and the
// card. shared are the agencies the household shares with ({id, name});
// sees is as for lineItem.
export function checklistBox(id, r, tr, shared, names, sees) {
  const lines = linesOf(r, tr);
  const have = Object.fromEntries(lines.map((s) => [s.checklistKey, s]));
  const out = h('div', { 'aria-live': 'polite' });
  const rows = (tr.checklist || []).map((l) => {
    const cur = have[l.key];
    const take = h('input', { type: 'checkbox', name: 'line', value: l.key, checked: Boolean(cur) });
    const who = h('select', { name: `who-${l.key}` },
      h('option', { value: '' }, t('checklist.ours')),
      shared.map((a) => h('option', { value: a.id, selected: cur?.responsible?.agencyId === a.id }, a.name)));
    return h('div', { class: 'checkline stack' },
      h('label', { class: 'check' }, take, h('span', null, lineName(l.key))),
      field(t('checklist.who', { line: lineName(l.key) }), who));
  });
  const heading = `day-${tr.id}`;
  return h('section', { class: 'stack day', 'aria-labelledby': heading },
    h('h4', { id: heading }, t('checklist.title')),
    lines.some((s) => isRed(s, tr)) ? h('p', { class: 'note' }, t('checklist.soon')) : null,
    lines.length ? h('ul', { class: 'lines' }, lines.map((s) => lineItem(s, tr, names, sees))) : h('p', null, t('checklist.none')),
    h('details', null, h('summary', null, t('checklist.choose')),
      h('form', {
        class: 'stack',
        onsubmit: async (e) => {
          e.preventDefault();
          const f = e.target;
          const chosen = [...f.querySelectorAll('input[name=line]:checked')].map((x) => x.value);
          const body = {
            lines: chosen.map((key) => {
              const agencyId = f.querySelector(`select[name="who-${key}"]`).value;
              return agencyId ? { key, title: lineName(key), agencyId } : { key, title: lineName(key) };
            }),
          };
          try {
            await api.call('PUT', path(id, `/transitions/${encodeURIComponent(tr.id)}/checklist`), body);
            await sync.refresh(id);
            await route(true);
            toast(t('checklist.saved'));
          } catch (err) { out.replaceChildren(errorBox(err instanceof api.Offline ? t('error.offline') : err)); }
        },
      }, h('p', { class: 'hint' }, t('checklist.intro')), rows, out, h('button', { type: 'submit' }, t('checklist.save')))),
    h('a', { class: 'button secondary', href: `#/roadmaps/${id}/transitions/${tr.id}/card` }, t('checklist.card')));
}

// fresh is what the server says now, kept for the card, or what the
// device kept last time when there is no network.
async function fresh(key, get) {
  try {
    const v = await get();
    await remember(key, v);
    return v;
  } catch (e) {
    // Gone, or no longer this person's: the device forgets its copy too.
    if (e instanceof api.ApiError && (e.status === 404 || e.status === 403)) await kv.del(key).catch(() => {});
    if (!(e instanceof api.Offline)) throw e;
    return kv.get(key);
  }
}

export const transitionsFor = (id) => fresh(transitionsKey(id), () => api.call('GET', path(id, '/transitions')));

// card is the printable card of transition tid's day.
export async function card(id, tid) {
  const back = h('p', { class: 'no-print' }, h('a', { href: `#/roadmaps/${id}/transitions` }, t('common.back')));
  const [r, trs, team] = await Promise.all([
    sync.load(id).catch(() => null), transitionsFor(id).catch(() => null),
    fresh(teamKey(id), () => api.call('GET', path(id, '/team'))).catch(() => null),
  ]);
  const tr = trs?.items?.find((x) => x.id === tid);
  if (!r || !tr) return h('section', { class: 'stack' }, back, h('h1', null, t('checklist.card')), h('p', { role: 'status' }, t('checklist.cardMissing')));
  const names = { ...((await kv.get('agencyNames')) || {}) };
  for (const m of team?.members || []) names[m.agencyId] = m.agencyName || names[m.agencyId];
  const lines = linesOf(r, tr);
  const lineText = (s) => (s ? `${lineName(s.checklistKey)}: ${stateText(s, tr, names)}` : t('checklist.cardNotSet'));
  const pick = (key) => lines.find((s) => s.checklistKey === key);
  const contacts = (team?.members || []).filter((m) => m.contact);
  const row = (term, ...desc) => [h('dt', null, term), h('dd', null, ...desc)];
  return h('section', { class: 'stack' },
    back,
    h('article', { class: 'day-card stack' },
      h('h1', null, t('checklist.cardTitle', { kind: t(`transition.kind.${tr.kind}`) })),
      h('dl', null,
        row(t('checklist.cardDate'), date(tr.date)),
        row(t('checklist.cardFor'), r.title || t('roadmap.untitled')),
        row(t('checklist.cardSleep'), lineText(pick('bed'))),
        row(t('checklist.cardMeet'), lineText(pick('meet')))),
      h('h2', null, t('checklist.cardLines')),
      lines.length ? h('ul', { class: 'lines' }, lines.map((s) => lineItem(s, tr, names))) : h('p', null, t('checklist.none')),
      h('h2', null, t('checklist.cardContacts')),
      contacts.length ? h('ul', { class: 'lines' }, contacts.map((m) => h('li', null,
        h('strong', null, m.agencyName || m.agencyId), ' ',
        h('span', null, m.contact.role ? t('team.contactRole', { name: m.contact.name, role: m.contact.role }) : m.contact.name),
        m.contact.phone ? [' ', h('a', { href: `tel:${m.contact.phone.replace(/[\s-]/g, '')}`, dir: 'ltr' }, m.contact.phone)] : null)))
        : h('p', null, t('team.noContact'))),
    h('p', { class: 'hint no-print' }, t('checklist.cardOffline')),
    h('button', { type: 'button', onclick: () => window.print() }, t('checklist.print')));
}
