// The household in the app: owners invite a second adult as co-owner and a
// young person as a member (the one-time QR code or link), and see who has
// joined and whose yes is missing; a member sees the requests for their
// yes and answers them, writes their own words on the areas that name them,
// and can take their part into a roadmap of their own. The rule itself is
// the server's (veikart/ownsay.go): this screen only asks and shows.
import { h, add, field, errorBox, toast, uid, actThenRedraw } from '../ui.js';
import { t, date } from '../i18n.js';
import * as api from '../api.js';
import * as sync from '../sync.js';
import { areaName, newId } from '../model.js';
import { mayComment } from '../may.js';

const path = (id, rest) => `/roadmaps/${encodeURIComponent(id)}${rest}`;

const { agencies } = api;

// says fetches the own say on roadmap id: every member's for an owner,
// one's own for a member.
export const says = (id) => api.call('GET', path(id, '/says'));

// forName says what a yes is for, in words: the poster or an agency.
const forName = (f, byId) => (f === 'poster' ? t('say.forPoster') : t('say.forAgency', { agency: byId[f.slice(7)] || f.slice(7) }));

const areaOf = (r, areaId) => r.areas.find((a) => a.id === areaId);

// missing is, for sharing the chosen sections with agencyId (or the poster
// when agencyId is null), each member whose yes is missing: never asked,
// asked and waiting, or said no. The server refuses such a grant; the form
// shows it first.
export function missing(r, got, areaId, agencyId) {
  const f = agencyId ? `agency:${agencyId}` : 'poster';
  return got.members.filter((m) => m.hasOwnSay && m.sections.includes(`area:${areaId}`)).flatMap((m) => {
    const s = got.says.find((x) => x.memberId === m.id && x.areaId === areaId && x.for === f);
    return s?.answer === 'yes' ? [] : [{ member: m, answer: s?.answer || '', areaId, for: f }];
  });
}

// missingLine says whose yes is missing for one area, in one sentence.
export function missingLine(x) {
  return t(x.answer === 'no' ? 'say.saidNo' : x.answer === 'pending' ? 'say.waiting' : 'say.notAsked', { name: x.member.name });
}

// markGrantForm marks, in the grant form, each area whose sharing with the
// chosen agency lacks a young member's yes: its boxes are unticked and
// disabled, with a line saying whose yes is missing and a button to ask.
// It runs again whenever the agency changes.
export async function markGrantForm(form, r, agencyId) {
  let got;
  try { got = await says(r.id); } catch { return; }
  const draw = async () => {
    for (const el of form.querySelectorAll('.own-say')) el.remove();
    for (const box of form.querySelectorAll('input[name=section]')) {
      box.disabled = false;
      box.removeAttribute('aria-describedby');
    }
    const agency = agencyId();
    if (!agency) return;
    for (const a of r.areas) {
      const miss = missing(r, got, a.id, agency);
      if (!miss.length) continue;
      const hid = uid('say');
      const boxes = [...form.querySelectorAll(`input[name=section][value="area:${CSS.escape(a.id)}"], input[name=section][value="steps:${CSS.escape(a.id)}"]`)];
      for (const b of boxes) { b.checked = false; b.disabled = true; b.setAttribute('aria-describedby', hid); }
      const where = boxes[0]?.closest('fieldset');
      if (!where) continue;
      where.append(h('div', { class: 'own-say note stack', id: hid },
        miss.map((x) => h('p', null, missingLine(x))),
        miss.filter((x) => x.answer === '').map((x) => h('button', {
          type: 'button', class: 'secondary',
          onclick: async (e) => {
            e.target.disabled = true;
            try {
              await api.call('POST', path(r.id, '/says'), { memberId: x.member.id, areaId: a.id, for: `agency:${agency}` });
              got = await says(r.id);
              toast(t('say.asked', { name: x.member.name }));
              await draw();
            } catch (err) { e.target.disabled = false; toast(err instanceof api.Offline ? t('error.offline') : err.message); }
          },
        }, t('say.ask', { name: x.member.name })))));
    }
  };
  await draw();
  return draw;
}

// qrFigure shows an invitation's one-time code as a QR code, a link and
// the code itself, with how long it lasts.
function qrFigure(inv, caption) {
  const cap = uid('qr');
  return h('figure', { class: 'qr stack', 'aria-labelledby': cap },
    h('img', { src: `data:image/svg+xml;base64,${btoa(inv.qr)}`, alt: t('members.qrAlt'), width: 240, height: 240 }),
    h('figcaption', { id: cap }, caption, ' ', t('members.validUntil', { time: date(inv.expiresAt, true) })),
    h('p', null, h('a', { href: inv.url, class: 'invite-link' }, t('invite.link'))),
    h('p', { class: 'code', dir: 'ltr' }, inv.code));
}

// members is the screen: the owners' or the member's, by the role the
// server answered in.
export async function members(id) {
  const r = await sync.load(id);
  if (!r) throw new api.ApiError(404, { title: t('error.notFound') });
  const got = await says(id);
  return got.role === 'owner' ? owners(r, got) : mine(r, got);
}

function owners(r, got) {
  const id = r.id;
  const out = h('div', { 'aria-live': 'polite' });
  const inviteOwner = h('section', { class: 'boxed stack', 'aria-labelledby': 'inv-owner' },
    h('h2', { id: 'inv-owner' }, t('members.coOwnerTitle')),
    h('p', null, t('members.coOwnerIntro')),
    h('button', {
      type: 'button',
      onclick: async (e) => {
        e.target.disabled = true;
        try {
          const inv = await api.call('POST', path(id, '/invitations'), { kind: 'owner', validMinutes: 30 });
          e.target.replaceWith(qrFigure(inv, t('members.coOwnerScan')));
        } catch (err) { e.target.disabled = false; out.replaceChildren(errorBox(err)); }
      },
    }, t('members.coOwnerMake')));

  // A young person: one of the household's members without an account,
  // or a new one made here (the server must know them before the code).
  const open = got.members.filter((m) => !m.joined && !m.tookOwn);
  const who = h('select', { name: 'member' }, open.map((m) => h('option', { value: m.id }, m.name)), h('option', { value: '' }, t('members.someoneNew')));
  const nameIn = h('input', { type: 'text', maxlength: 200, autocomplete: 'off' });
  const yearIn = h('input', { type: 'number', inputmode: 'numeric', min: 1900, max: new Date().getFullYear(), dir: 'ltr' });
  const newOne = h('div', { class: 'stack', hidden: open.length > 0 }, field(t('member.name'), nameIn), field(t('members.birthYear'), yearIn, t('members.birthYearHint')));
  who.addEventListener('change', () => { newOne.hidden = who.value !== ''; });
  const memberForm = h('form', {
    class: 'stack',
    onsubmit: async (e) => {
      e.preventDefault();
      const btn = e.target.querySelector('button[type=submit]');
      btn.disabled = true;
      try {
        let memberId = who.value;
        if (!memberId) {
          const name = nameIn.value.trim();
          if (!name) { out.replaceChildren(h('p', { class: 'error', role: 'alert' }, t('members.nameNeeded'))); btn.disabled = false; return; }
          memberId = newId();
          const member = { id: memberId, name, role: 'child' };
          if (yearIn.value) member.birthYear = Number(yearIn.value);
          await api.call('POST', path(id, '/operations'), { operations: [{ opId: newId(), type: 'member.add', member }] });
          await sync.refresh(id);
        }
        const inv = await api.call('POST', path(id, '/invitations'), { kind: 'member', memberId, validMinutes: 30 });
        memberForm.replaceWith(qrFigure(inv, t('members.memberScan')));
      } catch (err) { btn.disabled = false; out.replaceChildren(errorBox(err)); }
    },
  }, field(t('members.who'), who), newOne, h('button', { type: 'submit' }, t('members.memberMake')));
  const inviteMember = h('section', { class: 'boxed stack', 'aria-labelledby': 'inv-member' },
    h('h2', { id: 'inv-member' }, t('members.memberTitle')),
    h('p', null, t('members.memberIntro', { age: got.ownSayAge })), memberForm);

  return h('section', { class: 'stack', 'data-roadmap': id },
    h('p', null, h('a', { href: `#/roadmaps/${id}` }, t('common.backTo', { name: r.title || t('roadmap.untitled') }))),
    h('h1', null, t('members.title')),
    joined(r, got),
    sayTable(r, got),
    inviteOwner, inviteMember, out);
}

// joined lists who has an account here: how many owners, and each member
// with or without one.
function joined(r, got) {
  return h('section', { class: 'stack', 'aria-labelledby': 'joined' },
    h('h2', { id: 'joined' }, t('members.joinedTitle')),
    h('p', null, t('members.owners', { n: String(r.owners?.length || 1) })),
    h('ul', { class: 'people' }, got.members.map((m) => h('li', null,
      t(m.tookOwn ? 'members.tookOwn' : m.joined ? 'members.hasJoined' : 'members.notJoined', { name: m.name }),
      m.hasOwnSay ? h('span', { class: 'badge' }, t('members.ownSay')) : null))));
}

// sayTable shows, for each member with their own say, every yes, no and
// waiting request, and lets the owners ask for the poster or an agency.
function sayTable(r, got) {
  const young = got.members.filter((m) => m.hasOwnSay);
  if (!young.length) return h('p', { class: 'hint' }, t('members.noOwnSay', { age: got.ownSayAge }));
  const byId = {};
  const sec = h('section', { class: 'stack', 'aria-labelledby': 'own-say' },
    h('h2', { id: 'own-say' }, t('members.sayTitle')),
    h('p', { class: 'hint' }, t('members.sayHint', { age: got.ownSayAge })));
  agencies().then((items) => {
    for (const a of items) byId[a.id] = a.name;
    add(sec, young.map((m) => memberSays(r, got, m, items, byId)));
  }).catch(() => add(sec, young.map((m) => memberSays(r, got, m, [], byId))));
  return sec;
}

function memberSays(r, got, m, items, byId) {
  const areas = m.sections.filter((s) => s.startsWith('area:')).map((s) => areaOf(r, s.slice(5))).filter(Boolean);
  const mineSays = got.says.filter((s) => s.memberId === m.id);
  const areaIn = h('select', null, areas.map((a) => h('option', { value: a.id }, areaName(a, t))));
  const forIn = h('select', null, h('option', { value: 'poster' }, t('say.forPoster')), items.map((a) => h('option', { value: `agency:${a.id}` }, t('say.forAgency', { agency: a.name }))));
  return h('article', { class: 'card stack' },
    h('h3', null, m.name),
    mineSays.length ? h('ul', null, mineSays.map((s) => h('li', null,
      t(`say.line.${s.answer}`, { area: areaName(areaOf(r, s.areaId) || { id: s.areaId }, t), what: forName(s.for, byId) })))) : h('p', null, t('members.noneAsked')),
    areas.length ? h('form', {
      class: 'stack',
      onsubmit: (e) => {
        e.preventDefault();
        actThenRedraw(() => api.call('POST', path(r.id, '/says'), { memberId: m.id, areaId: areaIn.value, for: forIn.value }), t('say.asked', { name: m.name }))({ target: e.target.querySelector('button') });
      },
    }, field(t('members.area'), areaIn), field(t('members.for'), forIn), h('button', { type: 'submit', class: 'secondary' }, t('say.ask', { name: m.name })))
      : h('p', { class: 'hint' }, t('members.noAreas', { name: m.name })));
}

// mine is the member's own screen.
function mine(r, got) {
  const id = r.id;
  const me = got.members[0];
  const byId = {};
  const pending = got.says.filter((s) => s.answer === 'pending');
  const answered = got.says.filter((s) => s.answer !== 'pending');
  const answer = (s, yes) => actThenRedraw(() => api.call('PUT', path(id, '/says/answer'), { areaId: s.areaId, for: s.for, answer: yes ? 'yes' : 'no' }), t(yes ? 'say.youSaidYes' : 'say.youSaidNo'));
  const areaLabel = (s) => areaName(areaOf(r, s.areaId) || { id: s.areaId }, t);
  const requests = h('section', { class: 'stack', 'aria-labelledby': 'asks' }, h('h2', { id: 'asks' }, t('members.asksTitle')));
  const earlier = h('section', { class: 'stack', 'aria-labelledby': 'answered' });
  const draw = () => {
    requests.append(pending.length ? h('ul', { class: 'cards' }, pending.map((s) => h('li', { class: 'card stack' },
      h('p', null, t('say.question', { area: areaLabel(s), what: forName(s.for, byId) })),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'secondary', onclick: answer(s, false) }, t('say.no'), h('span', { class: 'sr' }, `: ${areaLabel(s)}`)),
        h('button', { type: 'button', onclick: answer(s, true) }, t('say.yes'), h('span', { class: 'sr' }, `: ${areaLabel(s)}`)))))) : h('p', null, t('members.noAsks')));
    if (answered.length) {
      earlier.append(h('h2', { id: 'answered' }, t('members.answeredTitle')),
        h('ul', null, answered.map((s) => h('li', { class: 'stack' },
          h('p', null, t(`say.line.${s.answer}`, { area: areaLabel(s), what: forName(s.for, byId) })),
          h('button', { type: 'button', class: 'secondary', onclick: answer(s, s.answer !== 'yes') }, t(s.answer === 'yes' ? 'say.changeToNo' : 'say.changeToYes'), h('span', { class: 'sr' }, `: ${areaLabel(s)}`))))));
    }
  };
  agencies().then((items) => { for (const a of items) byId[a.id] = a.name; }).catch(() => {}).then(draw);

  // Their own words: a comment on an area that names them, which the
  // owners read with the area (and an agency, where the area is shared).
  const words = r.areas.filter((a) => mayComment(r, `area:${a.id}`)).map((a) => {
    const text = h('textarea', { rows: 3, maxlength: 2000 });
    const said = (r.comments || []).filter((c) => c.section === `area:${a.id}`);
    return h('form', {
      class: 'card stack',
      onsubmit: (e) => {
        e.preventDefault();
        if (!text.value.trim()) return;
        actThenRedraw(() => api.call('POST', path(id, '/comments'), { section: `area:${a.id}`, text: text.value.trim() }).then(() => sync.refresh(id)), t('members.wordsSaved'))({ target: e.target.querySelector('button') });
      },
    }, h('h3', null, areaName(a, t)),
    said.length ? h('ul', null, said.map((c) => h('li', null, c.text))) : null,
    field(t('members.wordsLabel'), text, t('members.wordsHint')), h('button', { type: 'submit', class: 'secondary' }, t('members.wordsSave')));
  });

  return h('section', { class: 'stack', 'data-roadmap': id },
    h('p', null, h('a', { href: `#/roadmaps/${id}` }, t('common.backTo', { name: r.title || t('roadmap.untitled') }))),
    h('h1', null, t('members.mineTitle')),
    h('p', null, t('members.mineIntro', { age: got.ownSayAge })),
    requests, earlier,
    h('section', { class: 'stack', 'aria-labelledby': 'words' }, h('h2', { id: 'words' }, t('members.wordsTitle')),
      words.length ? words : h('p', null, t('members.noAreasMine'))),
    me && !me.tookOwn ? h('section', { class: 'boxed stack', 'aria-labelledby': 'take-own' },
      h('h2', { id: 'take-own' }, t('own.title')),
      h('a', { class: 'button', href: `#/roadmaps/${id}/own` }, t('own.title'))) : null);
}
