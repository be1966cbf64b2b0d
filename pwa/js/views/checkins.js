// Check-ins: the household scores where it stands now in each area, on a
// day, alone or with a caseworker present; the readings make the road
// walked so far and a chart per area, with a table of the same readings
// for those who do not see the chart. A check-in goes through the outbox
// (sync.checkIn) with ids made here and the phone's date, so one made
// offline keeps its day and is stored once.
import { h, put, s, field, choice, toast, confirm, readOnly } from '../ui.js';
import { t, plural, date, num } from '../i18n.js';
import * as sync from '../sync.js';
import { areaName, newId } from '../model.js';
import { ApiError, Offline, call } from '../api.js';
import { go } from '../nav.js';
import { kv } from '../db.js';
import { mayCheckIn } from '../may.js';

// today is the phone's date, where the phone is: the day the family
// checked in.
export const today = () => new Date().toLocaleDateString('sv-SE');

// readings are roadmap id's readings the person may read, oldest first:
// the server's (kept on the phone for offline use), then those queued
// here and not sent yet (pending). A roadmap the server does not know yet
// (made on this phone) has none there.
export async function readings(id, { shared } = {}) {
  let got = [];
  try {
    got = (await call('GET', `/roadmaps/${encodeURIComponent(id)}/checkins`)).items;
    // A caseworker's app keeps nothing of a household on the phone.
    if (!shared) await kv.set(`checkins:${id}`, got);
  } catch (e) {
    if (!(e instanceof Offline) && !(e instanceof ApiError && e.status === 404)) throw e;
    got = shared ? [] : (await kv.get(`checkins:${id}`)) || [];
  }
  if (shared) return got;
  const queued = (await sync.queuedCheckIns(id)).flatMap((c) => c.readings.map((x) => ({ ...x, date: c.date, with: c.with, agencyId: c.agencyId, pending: true })));
  return [...got, ...queued.filter((q) => !got.some((x) => x.id === q.id))].sort((a, b) => a.date.localeCompare(b.date));
}

// trail is an area's household readings, oldest first: the road walked.
export const trail = (rs, areaId) => rs.filter((x) => x.areaId === areaId && !x.memberId);

// withWhom says who scored a reading, in words.
function withWhom(x, names) {
  if (x.with !== 'caseworker') return t('checkin.alone');
  return x.agencyId && names[x.agencyId] ? t('checkin.withAgency', { agency: names[x.agencyId] }) : t('checkin.withCaseworker');
}

// whose says whose reading it is: the household's or a member's (by name
// where the person knows it; an agency's key otherwise says "a member").
const whose = (x, members) => (x.memberId ? members.find((m) => m.id === x.memberId)?.name || t('checkin.aMember') : t('checkin.household'));

// history draws area a's readings as a chart over time, and the same
// readings as a table (its alternative, always there below it). members
// name the members' readings; names the agencies present. remove, for the
// owners, takes a reading back (a button on each row sent already).
export function history(a, rs, members = [], names = {}, remove = null) {
  const mine = rs.filter((x) => x.areaId === a.id);
  const name = areaName(a, t);
  if (!mine.length) return h('p', { class: 'meta', 'data-history': a.id }, t('checkin.none'));
  const house = trail(mine, a.id);
  const first = house[0];
  const last = house[house.length - 1];
  const summary = first ? t('checkin.summary', { n: num(house.length), first: num(first.score), last: num(last.score), from: date(first.date), to: date(last.date) }) : '';
  // x by time (the first reading at the left, the newest at the right),
  // y by score (5 at the top).
  const W = 300;
  const H = 150;
  const times = house.map((x) => Date.parse(x.date));
  const t0 = Math.min(...times);
  const span = Math.max(...times) - t0 || 1;
  const px = (x) => (house.length === 1 ? W / 2 : 30 + ((Date.parse(x.date) - t0) / span) * (W - 50));
  const py = (score) => 15 + (5 - score) * ((H - 30) / 4);
  const chart = house.length ? s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': t('checkin.chartLabel', { area: name, summary }), 'data-chart': a.id },
    ...[1, 2, 3, 4, 5].map((n) => s('g', null,
      s('line', { x1: 24, y1: py(n), x2: W - 6, y2: py(n), class: 'grid' }),
      s('text', { x: 4, y: py(n) + 4, class: 'axis' }, num(n)))),
    a.scoreDesired ? s('line', { x1: 24, y1: py(a.scoreDesired), x2: W - 6, y2: py(a.scoreDesired), class: 'goal' }) : null,
    house.length > 1 ? s('polyline', { points: house.map((x) => `${px(x)},${py(x.score)}`).join(' '), class: 'walked' }) : null,
    ...house.map((x) => s('circle', { cx: px(x), cy: py(x.score), r: 5, class: x.pending ? 'point pending' : 'point', 'data-point': x.date }))) : null;
  const caption = t('checkin.tableCaption', { area: name });
  const table = h('table', { class: 'readings', 'data-table': a.id },
    h('caption', null, caption),
    h('thead', null, h('tr', null, ...['checkin.col.date', 'checkin.col.who', 'checkin.col.score', 'checkin.col.with', 'checkin.col.note'].map((k) => h('th', { scope: 'col' }, t(k))))),
    h('tbody', null, mine.map((x) => h('tr', null,
      // The owners' "take back" sits with the date, where a narrow
      // screen shows it without scrolling the table sideways.
      h('th', { scope: 'row' }, date(x.date), x.pending ? ` (${t('common.notSent')})` : '',
        remove && !x.pending ? [h('br'), h('button', { type: 'button', class: 'link small', onclick: () => remove(x) },
          t('checkin.remove'), h('span', { class: 'sr' }, ` ${date(x.date)}`))] : null),
      h('td', null, whose(x, members)),
      h('td', null, num(x.score)),
      h('td', null, withWhom(x, names)),
      h('td', null, x.note || '')))));
  return h('section', { class: 'stack history', 'data-history': a.id, 'aria-label': t('checkin.historyOf', { area: name }) },
    // On a narrow phone the table scrolls sideways: a keyboard reaches it.
    summary ? h('p', null, summary) : null, chart, h('div', { class: 'tablewrap', tabindex: 0, role: 'region', 'aria-label': caption }, table));
}

// screen is the check-in: a score for each area (or the one area), for the
// household or one member, alone or with a caseworker, with a sentence if
// the family wants.
export async function screen(id, areaId) {
  const r = await sync.load(id);
  if (!r) throw new ApiError(404, { title: t('error.notFound') });
  const names = (await kv.get('agencyNames')) || {};
  // A member checks in for themselves and for the household, in the areas
  // that name them (their view has only those); the owners for anyone; a
  // helper who writes in the areas given to them (may.js).
  const me = r.access?.role === 'member' ? r.access.memberId : null;
  let whom = '';
  let withWho = 'family';
  const people = me ? r.members.filter((m) => m.id === me) : r.members;
  const open = r.areas.filter((a) => (!areaId || a.id === areaId) && mayCheckIn(r, a.id));
  const back = areaId ? `/roadmaps/${id}/areas/${areaId}` : `/roadmaps/${id}`;
  if (!open.length) {
    return h('section', { class: 'stack', 'data-roadmap': id },
      h('p', null, h('a', { href: `#${back}` }, t('common.back'))),
      h('h1', null, t('checkin.title')), readOnly());
  }
  const areas = () => open.filter((a) => !whom || (a.memberIds || []).includes(whom));
  const scores = {};
  const notes = {};
  const list = h('div', { class: 'stack' });
  const draw = () => put(list, areas().map((a) => {
    const note = h('input', { type: 'text', maxlength: 280 });
    note.value = notes[a.id] || '';
    note.addEventListener('input', () => { notes[a.id] = note.value; });
    return h('fieldset', { class: 'stack boxed' }, h('legend', null, areaName(a, t)),
      choice(t('checkin.scoreOf', { area: areaName(a, t) }), `score-${a.id}`,
        [['', t('checkin.skip')], ...[1, 2, 3, 4, 5].map((n) => [String(n), num(n)])], scores[a.id] || '', (v) => { scores[a.id] = v; }),
      field(t('checkin.note'), note, t('checkin.noteHint')));
  }), areas().length ? null : h('p', null, t('checkin.noAreas')));
  draw();
  const whoIn = h('select', { onchange: (e) => { whom = e.target.value; draw(); } },
    h('option', { value: '' }, t('checkin.household')),
    people.map((m) => h('option', { value: m.id }, m.name)));
  const agencyIn = h('select', null, h('option', { value: '' }, t('checkin.agencyUnnamed')),
    Object.entries(names).map(([aid, n]) => h('option', { value: aid }, n)));
  const agencyBox = h('div', { hidden: true }, field(t('checkin.whichAgency'), agencyIn));
  const out = h('div', { 'aria-live': 'polite' });
  const submit = async (e) => {
    e.preventDefault();
    const readings = areas().filter((a) => scores[a.id]).map((a) => {
      const x = { id: newId(), areaId: a.id, score: Number(scores[a.id]) };
      if (whom) x.memberId = whom;
      if (notes[a.id]?.trim()) x.note = notes[a.id].trim();
      return x;
    });
    if (!readings.length) { out.replaceChildren(h('p', { class: 'error', role: 'alert' }, t('checkin.nothing'))); return; }
    const c = { date: today(), with: withWho, readings };
    if (withWho === 'caseworker' && agencyIn.value) c.agencyId = agencyIn.value;
    await sync.checkIn(id, c);
    toast(navigator.onLine ? plural('checkin.saved', readings.length) : t('checkin.queued'));
    go(back);
  };
  return h('section', { class: 'stack', 'data-roadmap': id },
    h('p', null, h('a', { href: `#${back}` }, t('common.back'))),
    h('h1', null, t('checkin.title')),
    h('p', null, t('checkin.intro', { date: date(today()) })),
    h('form', { class: 'stack', onsubmit: submit },
      field(t('checkin.for'), whoIn),
      choice(t('checkin.withWho'), 'with', [['family', t('checkin.alone')], ['caseworker', t('checkin.withCaseworker')]], withWho,
        (v) => { withWho = v; agencyBox.hidden = v !== 'caseworker'; }),
      agencyBox,
      list,
      out,
      h('button', { type: 'submit' }, t('checkin.save'))));
}

// takeBack is the owners' remove for history: after a yes, the server
// forgets reading x of roadmap id (it needs the network), and the screen
// is drawn again with the road's "now" as the server has it then.
export const takeBack = (id, redraw) => async (x) => {
  if (!(await confirm(t('checkin.remove'), t('checkin.removeConfirm', { date: date(x.date), score: num(x.score) }), t('checkin.remove'), true))) return;
  try {
    await call('DELETE', `/roadmaps/${encodeURIComponent(id)}/checkins/${encodeURIComponent(x.id)}`);
    await sync.refresh(id);
    toast(t('checkin.removed'));
    redraw();
  } catch (e) { toast(e instanceof Offline ? t('error.offline') : e.message); }
};
