// The Veikart poster: the roadmap as a page to hang on the wall, A4 or A3.
// The browser's own print draws it (window.print), so every language prints
// with the fonts the phone or computer has, Arabic and Ge'ez script included,
// and right to left where the language is. The screen shows the choices
// (paper, areas, names, whose poster) above a preview; print shows only the
// poster (poster.css, loaded here, so the first visit does not pay for it).
import { h, put, uid, choice, errorBox, toast } from '../ui.js';
import { t, date, list, num } from '../i18n.js';
import * as sync from '../sync.js';
import { areaName } from '../model.js';
import { ApiError, Offline, call, currentSession } from '../api.js';
import { kv } from '../db.js';
import { road, agencyNames } from './roadmap.js';
import { me } from './account.js';
import { readings, trail } from './checkins.js';

let styled;
// stylesheet loads poster.css once, and resolves when it applies, so that
// the screen never shows the poster unstyled.
function stylesheet() {
  styled ||= new Promise((resolve) => {
    const link = h('link', { rel: 'stylesheet', href: '/poster.css' });
    link.addEventListener('load', resolve);
    link.addEventListener('error', resolve); // offline before it was cached: the poster still shows
    document.head.append(link);
  });
  return styled;
}


// qrCode is the poster's QR code (an SVG the server draws): kept on the
// device, so that a poster prints offline too. It holds only the roadmap's
// address; signing out deletes it with everything else.
async function qrCode(id) {
  const key = `posterQR:${id}`;
  try {
    const svg = await call('GET', `/roadmaps/${encodeURIComponent(id)}/poster-qr`);
    if (typeof svg === 'string' && svg.startsWith('<svg')) {
      await kv.set(key, svg);
      return svg;
    }
  } catch (e) {
    if (!(e instanceof Offline)) throw e;
  }
  return (await kv.get(key)) || null;
}

// A step concerns a member who does it or whom it names; an area, a member
// it names or who has a step in it.
const stepFor = (st, m) => (st.memberIds || []).includes(m) || (st.responsible?.kind === 'member' && st.responsible.memberId === m);
const areaFor = (a, m, steps) => (a.memberIds || []).includes(m) || steps.some((st) => st.areaId === a.id && stepFor(st, m));

// An area with nothing in it would be an empty box on the wall: it is left
// off unless chosen. So are health and economy: a poster may hang where
// visitors see it, and those are the family's most private matters.
const hasContent = (a, steps) => Boolean(a.now || a.desired || a.scoreNow || a.scoreDesired || steps.some((st) => st.areaId === a.id));
const PRIVATE = new Set(['health', 'economy']);
const onByDefault = (a, steps) => hasContent(a, steps) && !PRIVATE.has(a.id);

// A young member old enough to have their own say (ownSayAge, 16 unless the
// service says otherwise; a birth year is all a roadmap knows) is on the
// poster by name, or has a poster of their own, only when they said yes.
// Until members have accounts of their own, the owners tick it for them.
const hasOwnSay = (m, age) => Boolean(m.birthYear) && new Date().getFullYear() - m.birthYear >= age;

// The road runs from what is done to what is planned, each by its date;
// dropped steps are not on the way any more.
const order = { done: 0, doing: 1, planned: 2 };
const along = (steps) => steps.filter((st) => st.status !== 'dropped')
  .sort((x, y) => (order[x.status] - order[y.status]) || (x.due || '9999').localeCompare(y.due || '9999'));

// poster is the screen: choices, a print button, and the poster itself.
export async function poster(id) {
  if (currentSession()?.actingFor) throw new ApiError(404, { title: t('error.notFound') });
  const [r] = await Promise.all([sync.load(id), stylesheet()]);
  if (!r) throw new ApiError(404, { title: t('error.notFound') });
  const agencies = await agencyNames();
  const saved = (await kv.get(`poster:${id}`)) || {};
  // The check-ins, for "where we started, where we are, where we are
  // going" (only when the family chooses it).
  const walked = r.version ? await readings(id).catch(() => []) : [];
  // A member with an account starts from their own poster.
  const mine = r.access?.role === 'member' ? r.access.memberId : '';
  const whose = saved.whose ?? mine ?? '';
  const ownSayAge = (await me(true).catch(() => null))?.ownSayAge || 16;
  const young = r.members.filter((m) => hasOwnSay(m, ownSayAge));
  const state = {
    paper: saved.paper === 'a3' ? 'a3' : 'a4',
    // Names are off until chosen.
    names: saved.names === true,
    // The road walked so far is off until chosen too.
    journey: saved.journey === true,
    whose: r.members.some((m) => m.id === whose) ? whose : '',
    // What was chosen is kept for the areas there were then; an area added
    // since gets the default.
    areas: new Set(r.areas.filter((a) => ((saved.known || []).includes(a.id) ? (saved.areas || []).includes(a.id) : onByDefault(a, r.steps))).map((a) => a.id)),
    // The young members who said yes.
    yes: new Set((saved.yes || []).filter((m) => young.some((y) => y.id === m))),
    young: new Set(young.map((m) => m.id)),
  };
  // A young member with an account says yes in their own app (members.js):
  // the owners see whose yes is missing and may ask, but cannot tick it.
  // (A member printing their own poster is the one who says.)
  const speaks = r.access ? [] : young.filter((m) => m.hasAccount);
  const own = !r.access && speaks.length ? await import('./members.js').then(async (mod) => ({ mod, got: await mod.says(id) })).catch(() => null) : null;
  // Their name goes on the poster once they said yes for every area that
  // names them: the poster shows the household's whole road, and which
  // areas are on it may change after the yes.
  const missingFor = (m) => (own ? r.areas.flatMap((a) => own.mod.missing(r, own.got, a.id, null)).filter((x) => x.member.id === m.id) : []);
  const ownYes = () => {
    for (const m of speaks) {
      if (own && !missingFor(m).length) state.yes.add(m.id);
      else state.yes.delete(m.id);
    }
  };
  ownYes();
  let qr = null;
  let qrError = null;
  const remember = () => kv.set(`poster:${id}`, { ...state, areas: [...state.areas], yes: [...state.yes], young: undefined, known: r.areas.map((a) => a.id) }).catch(() => {});

  const preview = h('div', { class: 'poster-preview' });
  const draw = () => put(preview, sheet(r, state, agencies, qr, qrError, walked));
  const saysBox = h('div', { class: 'stack', 'aria-live': 'polite' });
  const drawSays = () => put(saysBox, speaks.map((m) => {
    if (!own) return [h('p', null, t('say.notAsked', { name: m.name }))];
    const miss = missingFor(m);
    if (!miss.length) return [h('p', null, t('poster.ownYes', { name: m.name }))];
    return [...miss.map((x) => h('p', null, `${areaName(r.areas.find((a) => a.id === x.areaId), t)}: ${own.mod.missingLine(x)}`)),
      miss.some((x) => !x.answer) ? h('button', {
        type: 'button', class: 'secondary',
        onclick: async (e) => {
          e.target.disabled = true;
          try {
            for (const x of miss.filter((y) => !y.answer)) await call('POST', `/roadmaps/${encodeURIComponent(id)}/says`, { memberId: m.id, areaId: x.areaId, for: 'poster' });
            own.got = await own.mod.says(id);
            toast(t('say.asked', { name: m.name }));
            drawSays();
          } catch (err) { e.target.disabled = false; toast(err.message); }
        },
      }, t('say.ask', { name: m.name })) : null];
  }));
  const changed = () => { ownYes(); drawSays(); remember(); draw(); };
  drawSays();

  const areaChecks = h('fieldset', { class: 'stack' }, h('legend', null, t('poster.areas')),
    r.areas.map((a) => h('label', { class: 'check' },
      h('input', {
        type: 'checkbox', name: 'area', value: a.id, checked: state.areas.has(a.id),
        onchange: (e) => { if (e.target.checked) state.areas.add(a.id); else state.areas.delete(a.id); changed(); },
      }),
      h('span', null, areaName(a, t)))));
  const namesId = uid('h');
  const options = h('form', { class: 'stack poster-options', onsubmit: (e) => e.preventDefault() },
    choice(t('poster.paper'), 'paper', [['a4', t('poster.paper.a4')], ['a3', t('poster.paper.a3')]], state.paper, (v) => { state.paper = v; changed(); }),
    choice(t('poster.whose'), 'whose', [['', t('poster.whose.all')], ...r.members.map((m) => [m.id, m.name])], state.whose, (v) => { state.whose = v; changed(); }),
    areaChecks,
    h('div', { class: 'stack' },
      h('label', { class: 'check' },
        h('input', { type: 'checkbox', name: 'names', checked: state.names, 'aria-describedby': namesId, onchange: (e) => { state.names = e.target.checked; changed(); } }),
        h('span', null, t('poster.names'))),
      h('p', { class: 'hint', id: namesId }, t('poster.namesHint'))),
    walked.length ? h('label', { class: 'check' },
      h('input', { type: 'checkbox', name: 'journey', checked: state.journey, onchange: (e) => { state.journey = e.target.checked; changed(); } }),
      h('span', null, t('poster.journeyOption'))) : null,
    young.length ? h('fieldset', { class: 'stack' }, h('legend', null, t('poster.youngLegend', { age: ownSayAge })),
      h('p', { class: 'hint' }, t('poster.youngHint', { age: ownSayAge })),
      saysBox,
      young.filter((m) => !speaks.includes(m)).map((m) => h('label', { class: 'check' },
        h('input', {
          type: 'checkbox', name: 'yes', value: m.id, checked: state.yes.has(m.id),
          onchange: (e) => { if (e.target.checked) state.yes.add(m.id); else state.yes.delete(m.id); changed(); },
        }),
        h('span', null, t('poster.youngYes', { name: m.name }))))) : null,
    h('button', { type: 'button', onclick: () => window.print() }, t('poster.print')));

  const node = h('section', { class: 'stack poster-screen', 'data-roadmap': id },
    h('p', null, h('a', { href: `#/roadmaps/${id}` }, t('common.backTo', { name: r.title || t('roadmap.untitled') }))),
    h('h1', null, t('poster.title')),
    h('p', null, t('poster.intro')),
    options,
    // Said where the poster is seen, not only where it is chosen.
    h('p', { class: 'note', role: 'note' }, t('poster.visitors')),
    preview);
  draw();
  // The code comes when the network answers; the choices do not wait.
  qrCode(id).then((svg) => { qr = svg; }, (e) => { qrError = e; }).then(draw);
  return node;
}

// sheet is the poster as it prints.
function sheet(r, state, agencies, qr, qrError, walked) {
  const member = state.whose ? r.members.find((m) => m.id === state.whose) : null;
  // A young member's name goes on only with their yes.
  const named = (m) => state.names && (!state.young.has(m.id) || state.yes.has(m.id));
  if (member && state.young.has(member.id) && !state.yes.has(member.id)) {
    return h('article', { class: `poster ${state.paper}` }, h('p', { class: 'poster-empty' }, t('poster.askFirst', { name: member.name })));
  }
  const steps = member ? r.steps.filter((st) => stepFor(st, member.id)) : r.steps;
  const areas = r.areas.filter((a) => state.areas.has(a.id) && (!member || areaFor(a, member.id, r.steps)));
  const titleId = uid('p');
  const who = (st) => {
    const resp = st.responsible || {};
    if (resp.kind === 'member') {
      const m = r.members.find((x) => x.id === resp.memberId);
      return m && named(m) ? m.name : t('step.who.member');
    }
    if (resp.kind === 'agency') return agencies[resp.agencyId] || resp.agencyId;
    return t('step.who.household');
  };
  const people = member ? (named(member) ? t('poster.for', { name: member.name }) : null)
    : (r.members.some(named) ? list(r.members.filter(named).map((m) => m.name)) : null);

  return h('article', { class: `poster ${state.paper}`, 'aria-labelledby': titleId },
    h('header', { class: 'poster-head' },
      h('div', { class: 'poster-heading' },
        h('p', { class: 'poster-brand' }, 'Veikart'),
        h('h2', { id: titleId, class: 'words' }, r.title || t('roadmap.untitled')),
        people ? h('p', { class: 'poster-people' }, people) : null),
      qr ? h('figure', { class: 'poster-qr' },
        h('img', { src: `data:image/svg+xml;base64,${btoa(qr)}`, alt: t('poster.qrAlt'), width: 120, height: 120 }),
        h('figcaption', null, h('span', null, t('poster.qrScan')), ' ', h('small', null, t('poster.qrFamilyOnly'))))
        : h('div', { class: 'poster-noqr' }, qrError ? errorBox(qrError) : h('p', null, t('poster.qrOffline')))),
    areas.length
      ? h('ol', { class: 'poster-areas' }, areas.map((a) => area(a, along(steps.filter((st) => st.areaId === a.id)), who,
        // A member's poster shows their own readings, the household's the household's.
        state.journey ? walked.filter((x) => x.areaId === a.id && (member ? x.memberId === member.id : !x.memberId)) : null)))
      : h('p', { class: 'poster-empty' }, member ? t('poster.nothingFor', { name: member.name }) : t('poster.noAreas')),
    h('footer', { class: 'poster-foot' }, t('poster.printed', { date: date(new Date()) })));
}

// area is one area as a road: where the family stands now at its start,
// the steps along it, and where it wants to be at its end; with journey
// (its readings, oldest first), where it started too.
function area(a, steps, who, journey) {
  const first = journey?.[0];
  const last = journey?.[journey.length - 1];
  return h('li', { class: 'poster-area' },
    h('h3', null, areaName(a, t)),
    road(a, journey ? trail(journey.map((x) => ({ ...x, memberId: undefined })), a.id) : []),
    first ? h('p', { class: 'poster-journey', 'data-journey': a.id }, t('poster.journey', {
      start: num(first.score), startDate: date(first.date), now: num(last.score), goal: a.scoreDesired ? num(a.scoreDesired) : '–',
    })) : null,
    h('div', { class: 'poster-road' },
      h('div', { class: 'poster-now' },
        h('p', { class: 'poster-label' }, t('area.now')),
        h('p', { class: 'words' }, a.now || '–')),
      steps.length ? h('ol', { class: 'poster-steps', 'aria-label': t('area.steps') }, steps.map((st) => h('li', { class: `poster-step ${st.status}` },
        h('span', { class: 'mark', 'aria-hidden': 'true' }),
        h('span', { class: 'poster-step-title words' }, st.title),
        h('span', { class: 'meta' }, t(`status.${st.status}`), ' · ', who(st), st.due ? ` · ${t('step.by', { date: date(st.due) })}` : '')))) : null,
      h('div', { class: 'poster-goal' },
        h('p', { class: 'poster-label' }, t('area.desired')),
        h('p', { class: 'words' }, a.desired || '–'))));
}
