// Looking back: the review (the rhythm, what changed since the last review,
// the family's words, saved as a dated summary) and the timeline (the
// roadmap's history in plain sentences). The server sends kinds, dates and
// ids; the sentences are made here, in the family's language. A caseworker
// sees the same timeline, cut by the server to the areas granted to the
// agency. The family's phone keeps the last answer of each (IndexedDB, kv
// "review:<id>" and "timeline:<id>") and shows it without a network, saying
// when it was fetched; choosing the rhythm and saving a review need the
// network. A caseworker's app keeps nothing of a household.
// Loaded when first needed.
import { h, field, errorBox, toast, paged, uid } from '../ui.js';
import { t, date, list, num } from '../i18n.js';
import * as api from '../api.js';
import { agencies, currentSession } from '../api.js';
import * as sync from '../sync.js';
import { kv } from '../db.js';
import { route } from '../nav.js';
import { areaName, newId } from '../model.js';
import { sectionName } from './sections.js';

const path = (id, rest) => `/roadmaps/${encodeURIComponent(id)}${rest}`;
const RHYTHMS = [0, 1, 3, 6, 12];
const acting = () => Boolean(currentSession()?.actingFor);

// context is the roadmap as the person may see it (for area names) and
// the agencies' names.
async function context(id) {
  const [r, names] = await Promise.all([
    acting() ? api.call('GET', path(id, '')) : sync.refresh(id),
    agencies().catch(() => []),
  ]);
  if (!r) throw new api.ApiError(404, { title: t('error.notFound') });
  return { r, agency: (a) => names.find((x) => x.id === a)?.name || t('history.anAgency') };
}

const areaOf = (r, id) => {
  const a = r.areas.find((x) => x.id === id);
  return a ? areaName(a, t) : t(`area.${id}`) !== `area.${id}` ? t(`area.${id}`) : t('section.removed');
};

function back(r, id) {
  return h('p', null, h('a', { href: `#/roadmaps/${id}` }, t('common.backTo', { name: r.title || t('roadmap.untitled') })));
}

// failure draws what failed: the network, or the server's word.
const failure = (e) => errorBox(e instanceof api.Offline ? t('error.offline') : e);

// kept is get()'s answer, kept on the family's phone under key with when
// it was fetched ({ at, value }); without a network, the copy kept last
// (at set), or the Offline error if there is none. A refusal (gone, or no
// longer this person's) forgets the copy.
async function kept(key, get) {
  if (acting()) return { value: await get() };
  try {
    const value = await get();
    await kv.set(key, { at: new Date().toISOString(), value });
    return { value };
  } catch (e) {
    if (e instanceof api.ApiError && (e.status === 404 || e.status === 403)) await kv.del(key).catch(() => {});
    const copy = e instanceof api.Offline ? await kv.get(key) : null;
    if (!copy) throw e;
    return copy;
  }
}

// keptNote says that the screen shows the copy fetched at at.
const keptNote = (at, more) => h('div', { class: 'note stack', role: 'status' },
  h('p', null, t('history.kept', { date: date(at, true) })), more ? h('p', null, more) : null);

// sentence words one timeline entry.
export function sentence(e, r, agency) {
  const when = date(e.at);
  const sections = () => list((e.sections || []).map((x) => sectionName(r, x)));
  const words = {
    'step-done': () => t('timeline.stepDone', { title: e.title, area: areaOf(r, e.areaId) }),
    'step-dropped': () => t('timeline.stepDropped', { title: e.title, area: areaOf(r, e.areaId) }),
    review: () => t('timeline.review'),
    'meeting-held': () => t('timeline.meetingHeld'),
    'grant-given': () => t('timeline.grantGiven', { agency: agency(e.agencyId), sections: sections() }),
    'grant-changed': () => t('timeline.grantChanged', { agency: agency(e.agencyId), sections: sections() }),
    'grant-ended': () => t('timeline.grantEnded', { agency: agency(e.agencyId) }),
    'grant-expired': () => t('timeline.grantExpired', { agency: agency(e.agencyId) }),
    transition: () => t('timeline.transition', { kind: t(`transition.kind.${e.transitionKind}`), agency: agency(e.agencyId) }),
    'helper-added': () => t('timeline.helperAdded', { name: e.helperName }),
    'helper-ended': () => t('timeline.helperEnded', { name: e.helperName }),
    'member-joined': () => t('timeline.memberJoined', { name: r.members.find((m) => m.id === e.memberId)?.name || '–' }),
    'check-in': () => {
      const scores = list((e.scores || []).map((a) => (a.score
        ? t('timeline.checkInScore', { area: areaOf(r, a.areaId), score: num(a.score) })
        : t('timeline.checkInMembers', { area: areaOf(r, a.areaId), n: num(a.members) }))));
      return e.with === 'caseworker'
        ? t('timeline.checkInWith', { agency: e.agencyId ? agency(e.agencyId) : t('timeline.aCaseworker'), scores })
        : t('timeline.checkIn', { scores });
    },
  }[e.kind];
  return words ? t('timeline.line', { date: when, what: words() }) : null;
}

// timeline is the roadmap's history, newest first, a page at a time. The
// pages read are kept together (kv "timeline:<id>": when the first was
// fetched, and each page by the cursor it was asked with), the first page
// read starting a new copy; without a network the kept pages answer.
export async function timeline(id) {
  let c;
  try {
    c = await context(id);
  } catch (e) {
    return h('section', { class: 'stack' }, h('h1', null, t('timeline.title')), failure(e));
  }
  const { r, agency } = c;
  const key = `timeline:${id}`;
  let keptAt = null;
  const load = async (cursor) => {
    const url = path(id, `/timeline${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`);
    if (!cursor) {
      const { value, at } = await kept(key, async () => ({ first: await api.call('GET', url), more: {} }));
      keptAt = at;
      return value.first;
    }
    // A later page joins the copy of the first, which says when that was.
    try {
      const page = await api.call('GET', url);
      const copy = acting() ? null : await kv.get(key);
      if (copy) await kv.set(key, { ...copy, value: { ...copy.value, more: { ...copy.value.more, [cursor]: page } } });
      return page;
    } catch (e) {
      const page = e instanceof api.Offline && !acting() ? (await kv.get(key))?.value?.more?.[cursor] : null;
      if (!page) throw e;
      return page;
    }
  };
  let entries;
  try {
    entries = await paged(load, (e) => h('p', { 'data-kind': e.kind }, sentence(e, r, agency) || ''), t('timeline.empty'));
  } catch (e) {
    entries = [failure(e)];
  }
  return h('section', { class: 'stack', 'data-roadmap': id }, back(r, id), h('h1', null, t('timeline.title')),
    keptAt ? keptNote(keptAt) : null,
    acting() ? h('p', { class: 'lead' }, t('timeline.agencyNote')) : null, entries);
}

// changes words what changed since the last review, section by section.
function changes(v, r, agency) {
  const areas = v.areas.map((a) => {
    const name = areaOf(r, a.areaId);
    const lines = [];
    if (a.scoreNow && a.scoreThen && a.scoreNow !== a.scoreThen) lines.push(t('review.scoreMoved', { area: name, then: a.scoreThen, now: a.scoreNow }));
    else if (a.scoreNow && !a.scoreThen) lines.push(t('review.scoreNew', { area: name, now: a.scoreNow }));
    else if (a.scoreNow) lines.push(t('review.scoreSame', { area: name, now: a.scoreNow }));
    else if (a.scoreThen) lines.push(t('review.scoreCleared', { area: name }));
    if (a.goalChanged) lines.push(t('review.goalChanged', { area: name }));
    return lines.map((x) => h('li', null, x));
  }).flat();
  const steps = v.steps.map((s) => h('li', null, t(s.status === 'done' ? 'review.stepDone' : 'review.stepDropped',
    { title: s.title, area: areaOf(r, s.areaId), date: date(s.at) })));
  const promises = v.promises.map((p) => h('li', null, t(p.outcome === 'kept' ? 'review.promiseKept' : 'review.promiseNotKept',
    { agency: agency(p.agencyId), title: p.title })));
  const part = (key, items) => h('section', { class: 'stack' }, h('h3', null, t(key)),
    items.length ? h('ul', null, items) : h('p', { class: 'meta' }, t('review.none')));
  return [part('review.scores', areas), part('review.steps', steps), part('review.promises', promises)];
}

// review is the review screen: the rhythm and the next review's date, what
// changed since the last review, the family's words and save; then the
// reviews saved before. Without a network, the answer kept last, to read:
// choosing and saving are off, and the screen says they need the network.
export async function review(id) {
  if (acting()) return agencyReviews(id);
  let c;
  let draft;
  let saved;
  let at;
  try {
    c = await context(id);
    ({ value: [draft, saved], at } = await kept(`review:${id}`,
      () => Promise.all([api.call('GET', path(id, '/reviews/draft')), api.call('GET', path(id, '/reviews'))])));
  } catch (e) {
    return h('section', { class: 'stack' }, h('h1', null, t('review.title')), failure(e));
  }
  const { r, agency } = c;
  const offline = Boolean(at);
  const rhythm = h('select', {
    disabled: offline,
    onchange: async (e) => {
      try {
        await api.call('PUT', path(id, '/review-rhythm'), { months: Number(e.target.value) });
        await route(true);
        toast(t('review.rhythmSaved'));
      } catch (err) { e.target.after(failure(err)); }
    },
  }, RHYTHMS.map((m) => h('option', { value: String(m), selected: m === draft.rhythm.months }, t(`review.every.${m}`))));
  const note = h('textarea', { rows: 4, maxlength: 2000, disabled: offline });
  const id0 = newId();
  const since = draft.changes.since;
  const first = !draft.rhythm.lastAt && !saved.items.length;
  const labelId = uid('rv');
  return h('section', { class: 'stack', 'data-roadmap': id }, back(r, id),
    h('h1', null, t('review.title')),
    offline ? keptNote(at, t('review.needsNet')) : null,
    h('p', { class: 'lead' }, t('review.intro')),
    field(t('review.rhythm'), rhythm),
    h('p', { 'data-next': draft.rhythm.next || '' }, draft.rhythm.next ? t('review.next', { date: date(draft.rhythm.next) }) : t('review.noNext')),
    h('section', { class: 'boxed stack', 'aria-labelledby': labelId },
      h('h2', { id: labelId }, first ? t('review.sinceStart', { date: date(since) }) : t('review.since', { date: date(since) })),
      changes(draft.changes, r, agency),
      h('form', {
        class: 'stack',
        onsubmit: async (e) => {
          e.preventDefault();
          const button = e.target.querySelector('button');
          button.disabled = true;
          try {
            await api.call('POST', path(id, '/reviews'), { id: id0, note: note.value.trim() });
            toast(t('review.saved'));
            route();
          } catch (err) {
            button.disabled = false;
            e.target.append(failure(err));
          }
        },
      }, field(t('review.note'), note, t('review.noteHint')), h('button', { type: 'submit', disabled: offline }, t('review.save')))),
    h('h2', null, t('review.earlier')),
    earlier(saved.items, r, agency),
    h('a', { class: 'button secondary', href: `#/roadmaps/${id}/timeline` }, t('timeline.title')));
}

// earlier lists saved reviews, newest first, each with what had changed.
function earlier(items, r, agency) {
  return items.length ? h('ol', { class: 'log' }, items.map((v) => h('li', { class: 'card stack' },
    h('h3', null, date(v.at)),
    v.note ? h('p', { class: 'own-words' }, v.note) : null,
    h('details', null, h('summary', null, t('review.whatChanged')), changes(v, r, agency))))) : h('p', null, t('review.noneYet'));
}

// agencyReviews is the review screen of a caseworker (the coordinator, whom
// a due review's push brings here): the reviews saved, cut by the server to
// the agency's areas, without the family's words; nothing to choose or save.
async function agencyReviews(id) {
  let c;
  let saved;
  try {
    [c, saved] = await Promise.all([context(id), api.call('GET', path(id, '/reviews'))]);
  } catch (e) {
    return h('section', { class: 'stack' }, h('h1', null, t('review.title')), failure(e));
  }
  return h('section', { class: 'stack', 'data-roadmap': id }, back(c.r, id), h('h1', null, t('review.title')),
    h('p', { class: 'lead' }, t('timeline.agencyNote')),
    saved.rhythm.next ? h('p', null, t('review.next', { date: date(saved.rhythm.next) })) : null,
    earlier(saved.items, c.r, c.agency),
    h('a', { class: 'button secondary', href: `#/roadmaps/${id}/timeline` }, t('timeline.title')));
}
