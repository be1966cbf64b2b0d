// Meetings the household leads: the family (or its coordinator, with the
// family's yes) calls a meeting of services on its team, at home unless it
// says otherwise; the family writes the agenda; notes are taken per item
// (on the family's phone they wait in a queue when the network is gone);
// decisions become steps at once; the family approves the minutes, and
// then each service reads its part. Caseworkers see the meetings they are
// invited to, cut to their grant. Loaded when first needed.
import { h, field, errorBox, toast, choice } from '../ui.js';
import { t, date } from '../i18n.js';
import * as api from '../api.js';
import { kv } from '../db.js';
import { areaName, newId } from '../model.js';
import { route, go } from '../nav.js';
import { readAloudButton } from '../readaloud.js';

const path = (id, rest) => `/roadmaps/${encodeURIComponent(id)}${rest}`;
const acting = () => Boolean(api.currentSession()?.actingFor);
const when = (m) => `${date(m.at, true)}`;
const fail = (err) => toast(err instanceof api.Offline ? t('error.offline') : err.message);

// The notes queue: notes written without a network wait here, one entry
// per agenda item (a newer text replaces an older one: setting notes is
// the same whether sent once or twice), and go when the network is back.
const QUEUE = 'meeting-notes';

async function queueNotes(id, mid, itemId, notes) {
  const q = (await kv.get(QUEUE)) || {};
  q[`${id} ${mid} ${itemId}`] = notes;
  await kv.set(QUEUE, q);
}

// flushNotes sends what waits, oldest first; it stops at the first that
// cannot go for want of a network, and drops (and tells of) one refused
// for good.
export async function flushNotes() {
  const q = (await kv.get(QUEUE)) || {};
  for (const [key, notes] of Object.entries(q)) {
    const [id, mid, itemId] = key.split(' ');
    try {
      await api.call('PUT', path(id, `/meetings/${mid}/agenda/${itemId}/notes`), { notes });
    } catch (e) {
      if (e instanceof api.Offline) return;
      if (!(e instanceof api.ApiError) || e.status >= 500) return;
      toast(e.message);
    }
    const now = (await kv.get(QUEUE)) || {};
    if (now[key] === notes) delete now[key];
    await kv.set(QUEUE, now);
  }
}

// saveNotes sends an item's notes, or queues them when offline.
async function saveNotes(id, mid, itemId, notes) {
  try {
    await api.call('PUT', path(id, `/meetings/${mid}/agenda/${itemId}/notes`), { notes });
    toast(t('common.saved'));
  } catch (e) {
    if (!(e instanceof api.Offline)) throw e;
    await queueNotes(id, mid, itemId, notes);
    toast(t('meeting.notesQueued'));
  }
}

// download saves the meeting's calendar invitation (.ics), fetched with
// the person's token.
async function download(id, mid) {
  const text = await api.call('GET', path(id, `/meetings/${mid}/calendar.ics`));
  const url = URL.createObjectURL(new Blob([text], { type: 'text/calendar' }));
  const a = h('a', { href: url, download: `veikart-${mid}.ics`, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// list is the meetings the person may see: from the server, kept on the
// device (the family's phone only: a caseworker's app keeps nothing of a
// household) so that a meeting at a kitchen table without a network still
// shows its agenda and takes notes.
async function list(id) {
  const key = `meetings:${id}`;
  try {
    const { items } = await api.call('GET', path(id, '/meetings'));
    if (!acting()) await kv.set(key, items);
    return items;
  } catch (e) {
    const kept = !acting() && e instanceof api.Offline ? await kv.get(key) : null;
    if (!kept) throw e;
    return kept;
  }
}

// coming is the household's meetings still ahead (proposed or set), the
// soonest first, for the roadmap's overview. The overview is drawn again on
// every sync, so the server is asked at most once a minute per roadmap; in
// between, and without a network, the copy on the device answers.
const asked = new Map();
export async function coming(id) {
  let items = null;
  if (Date.now() - (asked.get(id) || 0) > 60_000) {
    try {
      items = await list(id);
      asked.set(id, Date.now());
    } catch {
      // Offline with nothing kept, or refused: no meetings to show.
    }
  }
  items ??= (await kv.get(`meetings:${id}`)) || [];
  const now = new Date().toISOString();
  return items.filter((m) => (m.status === 'planned' || m.status === 'proposed') && m.at > now).sort((a, b) => a.at.localeCompare(b.at));
}

const statusLine = (m) => t(`meeting.status.${m.status}`, { date: m.approvedAt ? date(m.approvedAt) : '' });
const placeLine = (m) => (m.place ? t('meeting.at', { place: m.place }) : t('meeting.atHome'));
const invitees = (m) => m.invitees.map((x) => x.agencyName || x.agencyId).join(', ');

// meetings lists the household's meetings (or, for a caseworker, the ones
// the agency is invited to), the coming ones first.
export async function meetings(id) {
  const [items, team] = await Promise.all([list(id), api.call('GET', path(id, '/team')).catch(() => null)]);
  const owner = !acting();
  const mayCall = owner || team?.role === 'coordinator';
  const sorted = [...items].sort((a, b) => b.at.localeCompare(a.at));
  return h('section', { class: 'stack', 'data-meetings': id },
    h('p', null, h('a', { href: `#/roadmaps/${id}${owner ? '/team' : ''}` }, t('common.back'))),
    h('h1', null, t('meeting.title')),
    h('p', { class: 'lead' }, t(owner ? 'meeting.intro' : 'meeting.introAgency')),
    mayCall ? h('a', { class: 'button', href: `#/roadmaps/${id}/meetings/new` }, t(owner ? 'meeting.call' : 'meeting.propose')) : null,
    sorted.length ? h('ul', { class: 'cards' }, sorted.map((m) => h('li', null, h('a', { class: 'card', href: `#/roadmaps/${id}/meetings/${m.id}` },
      h('strong', null, when(m)),
      h('span', null, placeLine(m)),
      h('span', null, t('meeting.with', { who: invitees(m) })),
      h('span', { class: m.status === 'proposed' ? 'late' : 'meta' }, statusLine(m)))))) : h('p', null, t('meeting.none')));
}

// callForm is a new meeting: when, how long, where, and who.
export async function callForm(id) {
  const team = await api.call('GET', path(id, '/team'));
  const owner = team.role === 'owner';
  const at = h('input', { type: 'datetime-local', required: true });
  const place = h('input', { type: 'text', maxlength: 200 });
  let minutes = '60';
  const boxes = team.members.map((m) => h('label', { class: 'check' },
    h('input', { type: 'checkbox', name: 'invitee', value: m.agencyId, checked: !owner && m.you }), h('span', null, m.agencyName || m.agencyId)));
  const out = h('div', { 'aria-live': 'polite' });
  return h('section', { class: 'stack' },
    h('p', null, h('a', { href: `#/roadmaps/${id}/meetings` }, t('common.back'))),
    h('h1', null, t(owner ? 'meeting.call' : 'meeting.propose')),
    owner ? null : h('p', { class: 'lead' }, t('meeting.proposeIntro')),
    h('form', {
      class: 'stack',
      onsubmit: async (e) => {
        e.preventDefault();
        const chosen = [...e.target.querySelectorAll('input[name=invitee]:checked')].map((x) => x.value);
        if (!chosen.length) { out.replaceChildren(h('p', { class: 'error', role: 'alert' }, t('meeting.pickInvitee'))); return; }
        try {
          const m = await api.call('POST', path(id, '/meetings'), {
            id: newId(), at: new Date(at.value).toISOString(), minutes: Number(minutes), place: place.value.trim(), invitees: chosen,
          });
          toast(t(owner ? 'meeting.called' : 'meeting.proposed'));
          go(`/roadmaps/${id}/meetings/${m.id}`);
        } catch (err) { out.replaceChildren(errorBox(err instanceof api.Offline ? t('error.offline') : err)); }
      },
    },
    field(t('meeting.when'), at),
    choice(t('meeting.length'), 'minutes', [60, 90, 120].map((n) => [String(n), t('meeting.duration', { n })]), minutes, (v) => { minutes = v; }),
    field(t('meeting.place'), place, t('meeting.placeHint')),
    h('fieldset', { class: 'stack' }, h('legend', null, t('meeting.invite')), boxes.length ? boxes : h('p', null, t('team.empty'))),
    out,
    h('button', { type: 'submit' }, t(owner ? 'meeting.call' : 'meeting.propose'))));
}

// agendaEditor is the family's agenda: items about an area or free, added
// and removed, saved as a whole.
function agendaEditor(id, m, r) {
  const rows = h('ol', { class: 'stack agenda-edit' });
  const addRow = (it = { id: newId(), areaId: '', text: '' }) => {
    const text = h('input', { type: 'text', required: true, maxlength: 200, value: it.text, 'data-item': it.id });
    const area = h('select', null, h('option', { value: '' }, t('meeting.free')),
      r.areas.map((a) => h('option', { value: a.id, selected: a.id === it.areaId }, areaName(a, t))));
    const row = h('li', { class: 'stack' }, field(t('meeting.item'), text), field(t('meeting.itemArea'), area),
      h('button', { type: 'button', class: 'secondary', onclick: () => row.remove() }, t('meeting.removeItem')));
    row.item = () => ({ id: it.id, text: text.value.trim(), ...(area.value ? { areaId: area.value } : {}) });
    rows.append(row);
  };
  m.agenda.forEach(addRow);
  const out = h('div', { 'aria-live': 'polite' });
  return h('form', {
    class: 'boxed stack',
    onsubmit: async (e) => {
      e.preventDefault();
      try {
        await api.call('PUT', path(id, `/meetings/${m.id}/agenda`), { items: [...rows.children].map((x) => x.item()) });
        await route(true);
        toast(t('meeting.agendaSaved'));
      } catch (err) { out.replaceChildren(errorBox(err instanceof api.Offline ? t('error.offline') : err)); }
    },
  }, h('h2', null, t('meeting.agenda')), h('p', { class: 'hint' }, t('meeting.agendaHint')), rows,
  h('button', { type: 'button', class: 'secondary', onclick: () => addRow() }, t('meeting.addItem')),
  out, h('button', { type: 'submit' }, t('meeting.saveAgenda')));
}

// decisionForm records a decision on an item: the household's own step,
// or a step given to a service at the meeting (a promise it must accept).
function decisionForm(id, m, it, r) {
  const text = h('input', { type: 'text', required: true, maxlength: 200 });
  const due = h('input', { type: 'date' });
  const who = h('select', null, h('option', { value: 'household' }, t('step.who.household')),
    (r?.members || []).map((x) => h('option', { value: `m:${x.id}` }, x.name)),
    m.invitees.map((x) => h('option', { value: `a:${x.agencyId}` }, x.agencyName || x.agencyId)));
  const area = it.areaId ? null : h('select', { required: true }, (r?.areas || []).map((a) => h('option', { value: a.id }, areaName(a, t))));
  const out = h('div', { 'aria-live': 'polite' });
  return h('details', null, h('summary', null, t('meeting.decide')),
    h('form', {
      class: 'stack',
      onsubmit: async (e) => {
        e.preventDefault();
        const w = who.value;
        const responsible = w.startsWith('a:') ? { kind: 'agency', agencyId: w.slice(2) } : w.startsWith('m:') ? { kind: 'member', memberId: w.slice(2) } : { kind: 'household' };
        const body = { id: newId(), text: text.value.trim(), responsible };
        if (due.value) body.due = due.value;
        if (area) body.areaId = area.value;
        try {
          await api.call('POST', path(id, `/meetings/${m.id}/agenda/${it.id}/decisions`), body);
          await route(true);
          toast(t('meeting.decided'));
        } catch (err) { out.replaceChildren(errorBox(err instanceof api.Offline ? t('error.offline') : err)); }
      },
    }, field(t('meeting.decision'), text), field(t('step.who'), who), area ? field(t('meeting.itemArea'), area) : null,
    field(t('step.due'), due), out, h('button', { type: 'submit' }, t('meeting.saveDecision'))));
}

// decisionLine says what was decided and who does it.
function decisionLine(d, m, r) {
  const agency = m.invitees.find((x) => x.agencyId === d.responsible.agencyId);
  const who = d.responsible.kind === 'agency' ? agency?.agencyName || d.responsible.agencyId
    : d.responsible.kind === 'member' ? r?.members.find((x) => x.id === d.responsible.memberId)?.name || t('step.who.household') : t('step.who.household');
  return t('meeting.decisionLine', { text: d.text, who }) + (d.due ? ` ${t('step.by', { date: date(d.due) })}` : '');
}

// meeting is one meeting: what, when, where, who; its agenda, and during
// the meeting its notes and decisions; the minutes once approved.
export async function meeting(id, mid) {
  const [items, team, r] = await Promise.all([
    list(id),
    api.call('GET', path(id, '/team')).catch(() => null),
    acting() ? Promise.resolve(null) : import('../sync.js').then((s) => s.load(id)),
  ]);
  const m = items.find((x) => x.id === mid);
  if (!m) throw new api.ApiError(404, { title: t('error.notFound') });
  const owner = !acting();
  const runs = (owner || team?.role === 'coordinator') && (m.status === 'planned' || m.status === 'proposed');
  const queued = (await kv.get(QUEUE)) || {};
  const areaOf = (it) => (it.areaId ? (r?.areas.find((a) => a.id === it.areaId) ? areaName(r.areas.find((a) => a.id === it.areaId), t) : '') : t('meeting.free'));
  const item = (it) => {
    const pending = queued[`${id} ${mid} ${it.id}`];
    const notes = h('textarea', { rows: 3, maxlength: 4000 });
    notes.value = pending ?? it.notes;
    notes.addEventListener('change', () => saveNotes(id, mid, it.id, notes.value).catch(fail));
    return h('li', { class: 'card stack', 'data-item': it.id },
      readAloudButton(it.text, it.text), h('h3', null, it.text),
      areaOf(it) ? h('p', { class: 'meta' }, areaOf(it)) : null,
      runs ? field(t('meeting.notes'), notes) : it.notes ? h('p', { class: 'own-words' }, it.notes) : null,
      pending != null ? h('p', { class: 'note' }, t('meeting.notesQueued')) : null,
      it.decisions.length ? h('ul', { class: 'stack' }, it.decisions.map((d) => h('li', null, decisionLine(d, m, r)))) : null,
      runs && m.status === 'planned' ? decisionForm(id, m, it, r) : null);
  };
  const act = (method, rest, done) => async (e) => {
    e.target.disabled = true;
    try {
      await api.call(method, path(id, `/meetings/${mid}${rest}`));
      await route(true);
      toast(done);
    } catch (err) { e.target.disabled = false; fail(err); }
  };
  return h('section', { class: 'stack', 'data-meeting': mid },
    h('p', null, h('a', { href: `#/roadmaps/${id}/meetings` }, t('meeting.title'))),
    h('h1', null, t('meeting.heading', { when: when(m) })),
    h('p', null, placeLine(m)),
    h('p', null, t('meeting.with', { who: invitees(m) })),
    h('p', { class: m.status === 'proposed' ? 'late' : 'meta', role: 'status' }, statusLine(m)),
    owner && m.status === 'proposed' ? h('button', { type: 'button', onclick: act('POST', '/confirm', t('meeting.confirmed')) }, t('meeting.confirm')) : null,
    m.status !== 'cancelled' ? h('button', { type: 'button', class: 'secondary', onclick: () => download(id, mid).catch(fail) }, t('meeting.calendar')) : null,
    owner && (m.status === 'planned' || m.status === 'proposed') ? agendaEditor(id, m, r) : null,
    h('section', { class: 'stack', 'aria-labelledby': 'agenda' },
      h('h2', { id: 'agenda' }, m.status === 'approved' ? t('meeting.minutesTitle') : t('meeting.agenda')),
      !owner && m.status !== 'approved' && team?.role !== 'coordinator' ? h('p', { class: 'hint' }, t('meeting.agencyDraft')) : null,
      m.agenda.length ? h('ol', { class: 'stack' }, m.agenda.map(item)) : h('p', null, t('meeting.noAgenda'))),
    owner && m.status === 'planned' ? h('button', { type: 'button', onclick: act('POST', '/approve', t('meeting.approved')) }, t('meeting.approve')) : null,
    owner && (m.status === 'planned' || m.status === 'proposed') ? h('button', { type: 'button', class: 'danger', onclick: act('DELETE', '', t('meeting.cancelled')) }, t('meeting.cancel')) : null);
}
