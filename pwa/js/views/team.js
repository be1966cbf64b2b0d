// The household's team: the agencies it shares with and their contact
// persons, the coordinator it chooses among them, and what each agency
// promised ("Dette har de lovet oss"), with late promises marked. Also the
// caseworker's parts of it: naming themselves their agency's contact,
// answering a step the household gave the agency, and, for the
// coordinator or an agency let see the team, the team itself.
import { h, field, errorBox, toast, actThenRedraw } from '../ui.js';
import { t, date } from '../i18n.js';
import * as api from '../api.js';
import { route } from '../nav.js';
import { remember, teamKey } from './checklist.js';
import { homeDay } from '../ops.js';

const path = (id, rest) => `/roadmaps/${encodeURIComponent(id)}${rest}`;
const today = () => homeDay();


// contactLines is how to reach a contact person: name and role, and phone
// and e-mail as links a phone can call or write to.
function contactLines(c) {
  if (!c) return h('p', { class: 'meta' }, t('team.noContact'));
  return h('div', { class: 'contact' },
    h('p', null, c.role ? t('team.contactRole', { name: c.name, role: c.role }) : c.name),
    c.phone ? h('p', null, h('a', { href: `tel:${c.phone.replace(/[\s-]/g, '')}`, dir: 'ltr' }, c.phone)) : null,
    c.email ? h('p', null, h('a', { href: `mailto:${c.email}`, dir: 'ltr' }, c.email)) : null);
}

// stateLine says in words where one promise stands.
export function stateLine(p) {
  const vars = { agency: p.agencyName || p.agencyId, date: p.promise?.due ? date(p.promise.due) : '', reason: p.promise?.reason || '', name: p.promise?.byName || '' };
  return t(`promise.state.${p.state}`, vars);
}

// members is the list of agencies on the team, with their contacts; the
// owners may choose or change the coordinator here.
function members(id, team, owner) {
  if (!team.members.length) return h('p', null, t('team.empty'));
  return h('ul', { class: 'cards' }, team.members.map((m) => h('li', { class: 'card stack' },
    h('strong', null, m.agencyName || m.agencyId),
    m.coordinator ? h('span', { class: 'badge' }, t('team.coordinator')) : null,
    m.you ? h('span', { class: 'meta' }, t('team.you')) : null,
    contactLines(m.contact),
    owner && m.contact && !m.coordinator ? h('button', {
      type: 'button', class: 'secondary',
      onclick: actThenRedraw(() => api.call('PUT', path(id, '/coordinator'), { agencyId: m.agencyId }), t('team.coordinatorChosen', { name: m.contact.name })),
    }, t('team.choose', { name: m.contact.name })) : null,
    owner && m.coordinator ? h('button', {
      type: 'button', class: 'secondary',
      onclick: actThenRedraw(() => api.call('DELETE', path(id, '/coordinator')), t('team.coordinatorRemoved')),
    }, t('team.unchoose')) : null)));
}

// promises is "what they promised us": each step given to an agency, where
// it stands, late ones first and marked; the owners say kept or not.
function promises(id, list, owner) {
  if (!list.length) return h('p', null, t('promise.none'));
  const order = ['overdue', 'unanswered', 'asked', 'accepted', 'declined', 'done', 'not-kept', 'kept'];
  const sorted = [...list].sort((a, b) => order.indexOf(a.state) - order.indexOf(b.state));
  return h('ul', { class: 'cards promises' }, sorted.map((p) => h('li', { class: `card stack promise-${p.state}` },
    h('strong', null, p.title),
    h('span', { class: p.state === 'overdue' || p.state === 'unanswered' ? 'late' : 'meta' }, stateLine(p)),
    p.promise?.byName && p.promise.status !== 'asked' ? h('span', { class: 'meta' }, t('promise.by', { name: p.promise.byName })) : null,
    owner && (p.state === 'accepted' || p.state === 'overdue') ? h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'secondary', onclick: actThenRedraw(() => api.call('POST', path(id, `/steps/${encodeURIComponent(p.stepId)}/outcome`), { outcome: 'not-kept' }), t('promise.markedNotKept')) }, t('promise.notKept')),
      h('button', { type: 'button', onclick: actThenRedraw(() => api.call('POST', path(id, `/steps/${encodeURIComponent(p.stepId)}/outcome`), { outcome: 'kept' }), t('promise.markedKept')) }, t('promise.kept'))) : null)));
}

// team is the household's screen of its team. It is read from the server:
// the states of promises are as of today, which only the server's clock
// and the agencies' latest answers say.
export async function team(id) {
  let tm;
  try {
    tm = await api.call('GET', path(id, '/team'));
    // The card of a transition's day shows the contacts with no network.
    await remember(teamKey(id), tm);
  } catch (e) {
    if (e instanceof api.Offline) return h('section', { class: 'stack' }, h('h1', null, t('team.title')), h('p', { role: 'status' }, t('team.offline')));
    throw e;
  }
  const owner = tm.role === 'owner';
  const late = tm.promises?.filter((p) => p.state === 'overdue' || p.state === 'unanswered').length || 0;
  return h('section', { class: 'stack', 'data-team': id },
    h('p', null, h('a', { href: `#/roadmaps/${id}` }, t('common.back'))),
    h('h1', null, t('team.title')),
    h('p', { class: 'lead' }, t(owner ? 'team.intro' : 'team.introCoordinator')),
    h('a', { class: 'button secondary', href: `#/roadmaps/${id}/meetings` }, t('meeting.title')),
    h('section', { class: 'stack', 'aria-labelledby': 'team-members' },
      h('h2', { id: 'team-members' }, t('team.members')),
      owner ? h('p', { class: 'hint' }, t('team.coordinatorHint')) : null,
      members(id, tm, owner)),
    tm.promises ? h('section', { class: 'stack', 'aria-labelledby': 'team-promises' },
      h('h2', { id: 'team-promises' }, t('promise.title')),
      late ? h('p', { class: 'note', role: 'status' }, t('promise.lateCount', { n: late })) : null,
      promises(id, tm.promises, owner)) : null);
}

// contactForm lets a caseworker name themselves their agency's contact
// person for the household, with how the family reaches them.
export function contactForm(id, mine, myName) {
  const name = h('input', { type: 'text', required: true, maxlength: 100, autocomplete: 'name', value: mine?.name || myName || '' });
  const role = h('input', { type: 'text', maxlength: 100, value: mine?.role || '' });
  const phone = h('input', { type: 'tel', maxlength: 30, autocomplete: 'tel', dir: 'ltr', value: mine?.phone || '' });
  const email = h('input', { type: 'email', maxlength: 254, autocomplete: 'email', dir: 'ltr', value: mine?.email || '' });
  const out = h('div', { 'aria-live': 'polite' });
  return h('details', { class: 'boxed' }, h('summary', null, mine ? t('contact.change') : t('contact.become')),
    h('form', {
      class: 'stack',
      onsubmit: async (e) => {
        e.preventDefault();
        try {
          await api.call('PUT', path(id, '/contact'), { name: name.value.trim(), role: role.value.trim(), phone: phone.value.trim(), email: email.value.trim() });
          await route(true);
          toast(t('contact.saved'));
        } catch (err) { out.replaceChildren(errorBox(err instanceof api.Offline ? t('error.offline') : err)); }
      },
    }, h('p', { class: 'hint' }, t('contact.intro')),
    field(t('contact.name'), name), field(t('contact.role'), role, t('contact.roleHint')), field(t('contact.phone'), phone), field(t('contact.email'), email),
    out, h('button', { type: 'submit' }, t('contact.save'))));
}

// answerForm is the caseworker's answer to a step the household gave the
// agency: "we promise it by ...", or "we cannot, because ...".
export function answerForm(id, step) {
  const p = step.promise || { status: 'asked' };
  const due = h('input', { type: 'date', required: true, min: today(), value: p.due || step.due || '' });
  const reason = h('textarea', { rows: 2, maxlength: 500, required: true });
  const out = h('div', { 'aria-live': 'polite' });
  const send = (body) => async (e) => {
    e.preventDefault();
    try {
      await api.call('POST', path(id, `/steps/${encodeURIComponent(step.id)}/promise`), body());
      await route(true);
      toast(t('promise.answered'));
    } catch (err) { out.replaceChildren(errorBox(err instanceof api.Offline ? t('error.offline') : err)); }
  };
  const closed = p.outcome || step.status === 'done' || step.status === 'dropped';
  return h('div', { class: 'stack' },
    h('p', { class: 'meta' }, t(`promise.agency.${p.outcome || p.status}`, { date: p.due ? date(p.due) : '', reason: p.reason || '' })),
    closed ? null : h('details', null, h('summary', null, p.status === 'asked' ? t('promise.answer') : t('promise.changeAnswer')),
      h('form', { class: 'stack', onsubmit: send(() => ({ answer: 'accept', due: due.value })) },
        field(t('promise.promiseBy'), due), h('button', { type: 'submit' }, t('promise.accept'))),
      h('form', { class: 'stack', onsubmit: send(() => ({ answer: 'decline', reason: reason.value.trim() })) },
        field(t('promise.reason'), reason), h('button', { type: 'submit', class: 'secondary' }, t('promise.decline'))),
      out));
}

// teamBox is, for a caseworker who may see the team (their agency was let
// see it, or they coordinate), the team and, for the coordinator, what
// every agency promised. Nothing when they may not.
export async function teamBox(id) {
  const tm = await api.call('GET', path(id, '/team')).catch(() => null);
  // An agency not let see the team sees only itself: nothing to show.
  if (!tm || (tm.role !== 'coordinator' && tm.members.length < 2)) return null;
  return h('section', { class: 'boxed stack', 'aria-labelledby': 'cw-team' },
    h('h2', { id: 'cw-team' }, tm.role === 'coordinator' ? t('team.youCoordinate') : t('team.members')),
    tm.role === 'coordinator' ? h('a', { class: 'button secondary', href: `#/roadmaps/${id}/meetings` }, t('meeting.title')) : null,
    members(id, tm, false),
    tm.promises ? [h('h3', null, t('promise.titleCoordinator')), promises(id, tm.promises, false)] : null);
}
