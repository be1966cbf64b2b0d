// The caseworker's screens: the roadmaps shared with my agency, each showing
// only what was granted (the server leaves the rest out), comments and step
// proposals where the household allowed them, my agency's steps, and a code
// for a new phone for an owner who chose my agency to help them back in.
// Also the agency administrator's list of those codes.
import { h, field, errorBox, toast, choice, paged } from '../ui.js';
import { t, date, list, plural } from '../i18n.js';
import * as api from '../api.js';
import { newId, DEFAULT_AREAS, stepTitle } from '../model.js';
import { sectionName, daysLeft } from './sections.js';
import { readings } from './checkins.js';
import { route } from '../nav.js';
import { kv } from '../db.js';

const path = (id, rest) => `/roadmaps/${encodeURIComponent(id)}${rest}`;

// agencyName is the name of an agency the signed-in person works for: as
// last known (the settings keep it), else asked for.
async function agencyName(agencyId) {
  let me = await kv.get('me');
  if (!me?.agencies?.some((a) => a.agencyId === agencyId)) me = await api.call('GET', '/me').catch(() => null);
  return me?.agencies?.find((a) => a.agencyId === agencyId)?.name || agencyId;
}

// The agency's codes for a new phone, and the published counts of the
// blockers households shared, for its administrators.
const recoveriesLink = () => [
  h('a', { class: 'button secondary', href: '#/agency/recoveries' }, t('recoveries.title')),
  h('a', { class: 'button secondary', href: '#/agency/blockers' }, t('blocker.countsTitle')),
];

// shared is the first screen of someone acting for an agency: the roadmaps
// shared with it. An administrator also finds the agency's codes for a new
// phone here; one who is not a caseworker too finds only those (reading
// what is shared is for caseworkers).
export async function shared() {
  const s = api.currentSession();
  const me = await api.call('GET', '/me');
  const agency = me.agencies.find((a) => a.agencyId === s.actingFor);
  const roles = agency?.roles || [];
  if (roles.includes('admin') && !roles.includes('caseworker')) {
    return h('section', { class: 'stack' },
      h('h1', null, agency.name),
      h('p', { class: 'lead' }, t('shared.adminOnly', { agency: agency.name })),
      recoveriesLink());
  }
  const { items, notices = [] } = await api.call('GET', '/shared');
  return h('section', { class: 'stack' },
    h('h1', null, t('shared.title')),
    h('p', { class: 'lead' }, t('shared.intro', { agency: agency?.name || s.actingFor })),
    // Roadmaps their owners deleted: only the dates, by design.
    notices.length ? h('ul', { class: 'notices' }, notices.map((n) => h('li', { class: 'note' },
      t('shared.deletedNotice', { deleted: date(n.deletedOn), granted: date(n.grantCreatedOn) })))) : null,
    items.length ? h('ul', { class: 'cards' }, items.map((x) => h('li', null, h('a', { class: 'card', href: `#/roadmaps/${x.roadmapId}` },
      h('strong', null, x.title || t('roadmap.untitled')),
      h('span', null, t('shared.until', { date: date(x.access.expiresAt) })),
      daysLeft(x.access.expiresAt) <= 14 ? h('span', { class: 'note' }, plural('expiry.soon', daysLeft(x.access.expiresAt))) : null,
      h('span', null, plural('home.steps', x.stepCount)),
      x.promisesAsked ? h('span', { class: 'note' }, plural('promise.waiting', x.promisesAsked)) : null,
      x.unreadMessages ? h('span', { class: 'badge' }, plural('messages.unread', x.unreadMessages)) : null)))) : h('p', null, t('shared.none')),
    h('a', { class: 'button secondary', href: '#/enrolments/new' }, t('code.link')),
    h('a', { class: 'button secondary', href: '#/settings/calendar' }, t('calendar.workLink')),
    roles.includes('admin') ? recoveriesLink() : null);
}

// recoveries lists, for the administrators of the agency acted for, every
// code for a new phone its caseworkers made: when, by whom, for whom.
export async function recoveries() {
  const s = api.currentSession();
  const [me, log] = await Promise.all([
    api.call('GET', '/me'),
    paged((cursor) => api.call('GET', `/agencies/${encodeURIComponent(s.actingFor)}/recoveries${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`),
      (x) => t('recoveries.line', { when: date(x.at, true), caseworker: x.caseworkerName || x.caseworkerId, person: x.personName || '–' }),
      t('recoveries.empty')),
  ]);
  const agency = me.agencies.find((a) => a.agencyId === s.actingFor);
  return h('section', { class: 'stack' },
    h('p', null, h('a', { href: '#/shared' }, t('common.back'))),
    h('h1', null, t('recoveries.title')),
    h('p', { class: 'lead' }, t('recoveries.intro', { agency: agency?.name || s.actingFor })),
    log);
}

// newPhone is the part of a shared roadmap where the caseworker makes a
// code for a new phone for an owner who lost theirs: only owners who chose
// this agency for it are listed, and the part is left out when no one did.
function newPhone(id, people, agency) {
  return h('section', { class: 'boxed stack', 'aria-labelledby': 'new-phone' },
    h('h2', { id: 'new-phone' }, t('newPhone.title')),
    h('p', null, t('newPhone.intro', { agency })),
    people.map((p) => {
      const slot = h('div', { class: 'stack' });
      slot.append(h('button', {
        type: 'button', class: 'secondary',
        onclick: async (e) => {
          e.target.disabled = true;
          try {
            await (await import('./passkeys.js')).recoveryCode(id, p, slot);
          } catch (err) {
            slot.append(errorBox(err instanceof api.Offline ? t('error.offline') : err));
          } finally {
            e.target.disabled = false;
          }
        },
      }, t('newPhone.make', { name: p.name })));
      return slot;
    }));
}

// ended says, in place of the roadmap, that the agency's access ended: the
// household revoked it or it ran out, and when.
function ended(id, problem) {
  const when = problem.endedAt ? date(problem.endedAt) : '';
  return h('section', { class: 'stack' },
    h('p', null, h('a', { href: '#/shared' }, t('shared.title'))),
    h('h1', null, t('ended.title')),
    h('p', { class: 'lead', role: 'status' }, t(problem.reason === 'revoked' ? 'ended.revoked' : 'ended.expired', { date: when })),
    h('p', null, t('ended.nothingKept')),
    // Access that ran out may be asked for again; the household answers.
    // (After a revocation the household has said no; the app does not
    // prompt the caseworker to ask again.)
    problem.reason === 'expired' ? askAgain(id) : null);
}

// askAgain is the caseworker's request for access: which parts, and why.
// The areas are the standard ones (what the household wrote is not known
// to an agency without access); the household may narrow it.
function askAgain(id) {
  const out = h('div', { 'aria-live': 'polite' });
  const box = (value, label) => h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'ask', value }), h('span', null, label));
  const purpose = h('input', { type: 'text', required: true, maxlength: 500 });
  return h('form', {
    class: 'boxed stack',
    onsubmit: async (e) => {
      e.preventDefault();
      const sections = [...e.target.querySelectorAll('input[name=ask]:checked')].flatMap((x) => x.value.split(' '));
      if (!sections.length) { out.replaceChildren(h('p', { class: 'error', role: 'alert' }, t('grant.pickSection'))); return; }
      try {
        await api.call('POST', path(id, '/access-requests'), { sections, permissions: ['view'], purpose: purpose.value.trim() });
        e.target.replaceChildren(h('p', { role: 'status' }, t('expiry.asked')));
      } catch (err) { out.replaceChildren(errorBox(err instanceof api.Offline ? t('error.offline') : err)); }
    },
  }, h('h2', null, t('ask.title')),
  h('fieldset', { class: 'stack' }, h('legend', null, t('ask.sections')),
    box('household', t('section.household')),
    DEFAULT_AREAS.map((a) => box(`area:${a} steps:${a}`, t('ask.area', { name: t(`area.${a}`) })))),
  field(t('ask.purpose'), purpose, t('ask.purposeHint')),
  out,
  h('button', { type: 'submit' }, t('ask.send')));
}

// askForMore says that the agency's access ends soon and lets the
// caseworker ask the household for more time: a request for the same
// sections, which the household approves or not.
function askForMore(id, acc) {
  const out = h('div', { 'aria-live': 'polite' });
  return h('div', { class: 'note stack' },
    h('p', null, plural('expiry.soon', daysLeft(acc.expiresAt))),
    h('button', {
      type: 'button', class: 'secondary',
      onclick: async (e) => {
        e.target.disabled = true;
        try {
          await api.call('POST', path(id, '/access-requests'), { sections: acc.sections, permissions: acc.permissions, purpose: acc.purpose || t('expiry.ask') });
          out.replaceChildren(h('p', null, t('expiry.asked')));
        } catch (err) {
          e.target.disabled = false;
          out.replaceChildren(errorBox(err instanceof api.Offline ? t('error.offline') : err));
        }
      },
    }, t('expiry.ask')),
    out);
}

// offline says why a shared roadmap cannot be shown without the network.
function offline() {
  return h('section', { class: 'stack' },
    h('p', null, h('a', { href: '#/shared' }, t('shared.title'))),
    h('h1', null, t('shared.offlineTitle')),
    h('p', { class: 'lead', role: 'status' }, t('shared.offline')));
}

// roadmap is what the agency was granted of one roadmap. It is read from the
// server each time and never kept on the device (nor in the browser's cache:
// the server says no-store), so that a revoked or expired grant ends what
// the caseworker's phone shows at once, online or not.
export async function roadmap(id) {
  // Offline, or not allowed after all: no one to make a code for.
  const asked = api.call('GET', path(id, '/recovery-people')).catch(() => null);
  let r;
  try {
    r = await api.call('GET', path(id, ''));
  } catch (e) {
    if (e instanceof api.Offline) return offline();
    if (e instanceof api.ApiError && e.problem.type === '/problems/access-ended') return ended(id, e.problem);
    throw e;
  }
  const acc = r.access || { sections: [], permissions: [] };
  const me = api.currentSession().actingFor;
  const people = (await asked)?.items || [];
  const tv = await import('./team.js');
  const [myName, teamPart] = await Promise.all([kv.get('me').then((m) => m?.name || ''), tv.teamBox(id)]);
  const can = (p) => acc.permissions.includes(p);
  const ours = r.steps.filter((x) => x.responsible?.kind === 'agency' && x.responsible.agencyId === me);
  const commentForm = (section) => {
    const text = h('textarea', { rows: 2, maxlength: 2000, required: true });
    return h('form', {
      class: 'stack',
      onsubmit: async (e) => {
        e.preventDefault();
        try {
          await api.call('POST', path(id, '/comments'), { id: newId(), section, text: text.value.trim() });
          toast(t('comment.sent'));
          route();
        } catch (err) { e.target.append(errorBox(err)); }
      },
    }, field(t('comment.label', { section: sectionName(r, section) }), text), h('button', { type: 'submit', class: 'secondary' }, t('comment.send')));
  };
  const proposeForm = (areaId) => {
    const title = h('input', { type: 'text', required: true, maxlength: 200 });
    const due = h('input', { type: 'date' });
    let term = 'short';
    return h('details', null, h('summary', null, t('proposal.make')),
      h('form', {
        class: 'stack',
        onsubmit: async (e) => {
          e.preventDefault();
          const step = { areaId, title: title.value.trim(), term, responsible: { kind: 'agency', agencyId: me } };
          if (due.value) step.due = due.value;
          try {
            await api.call('POST', path(id, '/proposals'), { id: newId(), step });
            toast(t('proposal.sent'));
            route();
          } catch (err) { e.target.append(errorBox(err)); }
        },
      }, field(t('step.title'), title), field(t('step.due'), due),
      choice(t('step.term'), `term-${areaId}`, [['short', t('term.short')], ['long', t('term.long')]], term, (v) => { term = v; }),
      h('button', { type: 'submit' }, t('proposal.send'))));
  };
  const pending = r.proposals.filter((p) => p.status === 'pending');
  return h('section', { class: 'stack', 'data-roadmap': id },
    h('p', null, h('a', { href: '#/shared' }, t('shared.title'))),
    h('h1', null, r.title || t('roadmap.untitled')),
    h('p', { class: 'lead' }, t('shared.access', {
      sections: list(acc.sections.map((x) => sectionName(r, x))), date: date(acc.expiresAt),
    })),
    acc.purpose ? h('p', { class: 'meta' }, t('grant.purpose', { purpose: acc.purpose })) : null,
    acc.expiresAt && daysLeft(acc.expiresAt) <= 14 ? askForMore(id, acc) : null,
    // The household let the agency write with it.
    acc.permissions.includes('message') ? h('a', { class: 'button secondary', href: `#/roadmaps/${id}/messages/${acc.agencyId}` }, t('messages.titleHousehold')) : null,
    // A transition's receiving agency reads the hand-over the household
    // wrote for it.
    (r.transitions || []).map((tr) => h('section', { class: 'boxed stack', 'aria-labelledby': `handover-${tr.id}` },
      h('h2', { id: `handover-${tr.id}` }, t('transition.handoverTitle', { kind: t(`transition.kind.${tr.kind}`), date: date(tr.date) })),
      h('p', { class: 'own-words' }, tr.summary || t('area.empty')))),
    h('section', { class: 'boxed stack', 'aria-labelledby': 'our-steps' }, h('h2', { id: 'our-steps' }, t('shared.ourSteps')),
      ours.length ? h('ul', { class: 'steps' }, ours.map((x) => h('li', { class: 'stack', 'data-step': x.id }, h('p', null, h('strong', null, stepTitle(x, t))),
        h('p', { class: 'meta' }, x.due ? t('step.by', { date: date(x.due) }) : t('step.noDate')),
        tv.answerForm(id, x)))) : h('p', null, t('shared.noOurSteps'))),
    h('section', { class: 'stack', 'aria-labelledby': 'cw-contact' }, h('h2', { id: 'cw-contact' }, t('contact.title')),
      acc.contact ? h('p', null, t('contact.current', { name: acc.contact.name })) : h('p', null, t('contact.none')),
      tv.contactForm(id, acc.contact, myName)),
    teamPart,
    h('a', { class: 'button secondary', href: `#/roadmaps/${id}/meetings` }, t('meeting.title')),
    h('a', { class: 'button secondary', href: `#/roadmaps/${id}/timeline` }, t('timeline.title')),
    people.length ? newPhone(id, people, await agencyName(me)) : null,
    pending.length ? h('p', null, plural('proposal.pending', pending.length)) : null,
    (await import('./agencyview.js')).granted(r, acc, { comment: can('comment') ? commentForm : null, propose: can('propose') ? proposeForm : null, readings: await readings(id, { shared: true }).catch(() => []) }));
}
