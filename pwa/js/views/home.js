// Signing in, the list of a person's roadmaps, making a new one with the
// family, settings, and accepting an invitation.
import { h, put, add, field, choice, errorBox, toast, confirm } from '../ui.js';
import { t, plural, LANGS, current } from '../i18n.js';
import * as api from '../api.js';
import * as sync from '../sync.js';
import { kv } from '../db.js';
import { changeLanguage, go } from '../nav.js';
import * as push from '../push.js';
import { readAloudPanel } from '../readaloud.js';
import { methods, idportenButton, me as fetchMe, keepMe, recoveryBanner, signOutHere } from './account.js';


export function notFound() {
  return h('section', null, h('h1', null, t('error.notFound')), h('p', null, h('a', { href: '#/' }, t('nav.home'))));
}

export function failed(e, path = '') {
  // A part of a household roadmap only its owners open (sharing, the
  // log, meetings, helpers ...), reached by address by someone who may
  // read the roadmap but not this: said so, with the way to what they have.
  const part = /^\/roadmaps\/([\w-]+)\/(sharing|log|receipts|transitions|helpers|team|meetings|poster|own|members|review|timeline|messages)\b/.exec(path);
  if (part && e instanceof api.ApiError && e.status === 403 && e.problem?.type !== '/problems/access-ended') {
    return h('section', { class: 'stack' },
      h('h1', null, t('may.ownersScreenTitle')),
      h('p', { class: 'lead' }, t('may.ownersScreen')),
      h('p', null, h('a', { class: 'button secondary', href: `#/roadmaps/${part[1]}` }, t('may.toRoadmap'))));
  }
  const msg = e instanceof api.Offline ? t('error.offline')
    // A trusted person's or an interpreter's access ended: said in words
    // (the device's copy is gone already, sync.refresh).
    : e instanceof api.ApiError && e.problem?.type === '/problems/access-ended' && !api.currentSession()?.actingFor ? t(`helper.endedFor.${e.problem.reason === 'expired' ? 'expired' : 'revoked'}`)
    : e instanceof api.ApiError && e.status === 404 ? t('error.notFound')
      : e instanceof api.ApiError && e.status === 403 ? t('error.forbidden') : e.message;
  return h('section', null, h('h1', null, t('error.title')), h('p', { role: 'alert' }, msg), h('p', null, h('a', { href: '#/' }, t('nav.home'))));
}

function languagePicker() {
  return choice(t('settings.language'), 'lang', LANGS, current(), (l) => changeLanguage(l));
}

// signIn offers the ways of signing in the server has: ID-porten (BankID,
// MinID ...), and in development mode a name without any password.
export async function signIn() {
  const m = await methods();
  const name = h('input', { type: 'text', autocomplete: 'name', required: true, maxlength: 100 });
  const out = h('div', { 'aria-live': 'polite' });
  const form = h('form', {
    class: 'stack',
    onsubmit: async (e) => {
      e.preventDefault();
      out.replaceChildren();
      try {
        await api.signIn(name.value.trim());
        const me = await api.call('GET', '/me');
        await keepMe(me);
        const back = sessionStorage.getItem('veikart.after');
        sessionStorage.removeItem('veikart.after');
        // Where the person's work is: one agency, straight to what is
        // shared with it; several, the choice of which; else home.
        if (me.agencies.length === 1) {
          await api.act(me.agencies[0].agencyId);
          go('/shared');
        } else if (me.agencies.length) go('/settings');
        else go(back || '/');
      } catch (err) {
        out.replaceChildren(errorBox(err instanceof api.Offline ? t('error.offline') : err));
      }
    },
  },
  field(t('signin.name'), name, t('signin.devHint')),
  h('button', { type: 'submit' }, t('signin.submit')), out);
  // The language first: someone who reads no Norwegian finds theirs
  // before anything else.
  return h('section', { class: 'stack' },
    languagePicker(),
    h('h1', null, t('signin.title')),
    h('p', { class: 'lead' }, t('signin.intro')),
    m.idporten ? [idportenButton(), h('p', { class: 'hint' }, t('signin.idportenHint'))] : null,
    m.passkey ? (await import('./passkeys.js')).signInButton() : null,
    m.dev ? form : null,
    !m.idporten && !m.dev && !m.passkey ? h('p', { role: 'alert' }, t('error.offline')) : null);
}

// start is the home screen: a household's roadmaps, or a caseworker's list.
export async function start() {
  if (api.currentSession()?.actingFor) { go('/shared'); return h('p', null, '…'); }
  let list = [];
  let offline = false;
  // A new phone waiting to take over the account is told of here, on the
  // first screen, as long as it waits (never from a stale copy offline).
  const who = fetchMe().catch(() => null);
  try {
    list = (await api.call('GET', '/roadmaps')).items;
  } catch (e) {
    if (!(e instanceof api.Offline)) throw e;
    offline = true;
  }
  const m = await who;
  // Roadmaps on this device not yet on the server (or seen while offline).
  const known = new Set(list.map((r) => r.id));
  // What this phone kept as a trusted person or an interpreter, and the
  // server no longer lists, goes: that access has ended.
  if (!offline) await sync.forgetHelped(known);
  for (const id of await sync.localIds()) {
    if (known.has(id)) continue;
    const r = await sync.local(id);
    if (r && !r.access) list.push({ id, title: r.title, stepCount: r.steps.length, memberCount: r.members.length, role: 'owner', local: true });
  }
  const items = list.map((r) => h('li', null, h('a', { class: 'card', href: `#/roadmaps/${r.id}` },
    h('strong', null, r.title || t('roadmap.untitled')),
    r.role === 'trusted' || r.role === 'interpreter' ? h('span', { class: 'meta' }, t(`helper.kind.${r.role}`)) : null,
    h('span', null, plural('home.members', r.memberCount), ' · ', plural('home.steps', r.stepCount)))));
  return h('section', { class: 'stack', 'data-live': '1' },
    h('h1', null, t('home.title')),
    recoveryBanner(m),
    offline && h('p', { class: 'note' }, t('home.offline')),
    items.length ? h('ul', { class: 'cards' }, items) : h('p', { class: 'lead' }, t('home.empty')),
    h('a', { class: 'button', href: '#/new' }, t('home.create')));
}

// create makes a roadmap with the family at the table, one question per
// screen: the name of the roadmap, then who lives in the household.
export function create() {
  const state = { step: 0, title: '', members: [] };
  const box = h('section', { class: 'stack' });
  const draw = () => {
    put(box, state.step === 0 ? askTitle() : askMembers());
    const h1 = box.querySelector('h1');
    h1.tabIndex = -1;
    h1.focus();
  };
  const askTitle = () => {
    const input = h('input', { type: 'text', required: true, maxlength: 200, value: state.title });
    return [
      h('p', { class: 'progress' }, t('create.progress', { n: 1, of: 2 })),
      h('h1', null, t('create.titleQuestion')),
      h('form', { class: 'stack', onsubmit: (e) => { e.preventDefault(); state.title = input.value.trim(); state.step = 1; draw(); } },
        field(t('create.titleLabel'), input, t('create.titleHint')),
        h('button', { type: 'submit' }, t('common.next'))),
    ];
  };
  const askMembers = () => {
    const name = h('input', { type: 'text', maxlength: 100, autocomplete: 'off' });
    const year = h('input', { type: 'number', inputmode: 'numeric', min: 1900, max: new Date().getFullYear() });
    let role = 'adult';
    const list = h('ul', { class: 'people' }, state.members.map((m, i) => h('li', null,
      h('span', null, m.name, ' – ', t(`role.${m.role}`), m.birthYear ? ` (${m.birthYear})` : ''),
      h('button', { type: 'button', class: 'link', onclick: () => { state.members.splice(i, 1); draw(); } }, t('common.remove'), h('span', { class: 'sr' }, ` ${m.name}`)))));
    return [
      h('p', { class: 'progress' }, t('create.progress', { n: 2, of: 2 })),
      h('h1', null, t('create.membersQuestion')),
      state.members.length ? list : h('p', null, t('create.noMembers')),
      h('form', {
        class: 'stack boxed',
        onsubmit: (e) => {
          e.preventDefault();
          if (!name.value.trim()) { name.focus(); return; }
          const m = { id: crypto.randomUUID(), name: name.value.trim(), role };
          if (year.value) m.birthYear = Number(year.value);
          state.members.push(m);
          draw();
        },
      },
      field(t('member.name'), name),
      choice(t('member.role'), 'role', [['adult', t('role.adult')], ['child', t('role.child')]], role, (v) => { role = v; }),
      field(t('member.birthYear'), year, t('member.birthYearHint')),
      h('button', { type: 'submit', class: 'secondary' }, t('create.addMember'))),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'secondary', onclick: () => { state.step = 0; draw(); } }, t('common.back')),
        h('button', {
          type: 'button',
          onclick: async () => {
            const id = await sync.create(state.title, state.members);
            toast(t('create.done'));
            go(`/roadmaps/${id}`);
          },
        }, t('create.finish'))),
    ];
  };
  queueMicrotask(draw);
  add(box, askTitle());
  return box;
}

// settings: language, reminders on this phone, acting for an agency, and
// signing out.
export async function settings() {
  const s = api.currentSession();
  let me = await kv.get('me');
  let fresh = true;
  try { me = await fetchMe(); } catch { fresh = false; /* offline: last known */ }
  const work = me && me.agencies.length ? h('section', { class: 'stack boxed' },
    h('h2', null, t('settings.actingFor')),
    choice(t('settings.actAs'), 'act', [['', t('settings.myself')], ...me.agencies.map((a) => [a.agencyId, a.name])], s.actingFor || '',
      async (v) => {
        try {
          await api.act(v);
          toast(v ? t('settings.nowActing', { name: me.agencies.find((a) => a.agencyId === v).name }) : t('settings.nowMyself'));
          go(v ? '/shared' : '/');
        } catch (e) { toast(e.message); }
      })) : null;
  return h('section', { class: 'stack' },
    h('h1', null, t('settings.title')),
    fresh ? recoveryBanner(me) : null,
    h('p', null, t('settings.signedInAs', { name: s.user.name })),
    languagePicker(),
    readAloudPanel(),
    work,
    await push.panel(),
    h('a', { class: 'button secondary', href: '#/settings/calendar' }, t('calendar.title')),
    h('a', { class: 'button secondary', href: '#/settings/devices' }, t('devices.title')),
    h('a', { class: 'button secondary', href: '#/settings/data' }, t('data.title')),
    (await methods()).passkey ? h('a', { class: 'button secondary', href: '#/settings/passkeys' }, t('passkeys.title')) : null,
    h('a', { class: 'button secondary', href: '#/settings/security' }, t('security.title')),
    h('section', { class: 'stack boxed' },
      h('h2', null, t('settings.signOutTitle')),
      h('p', null, t('settings.signOutText')),
      h('button', {
        type: 'button', class: 'danger',
        onclick: async () => {
          const n = await sync.pendingCount();
          if (n && !(await confirm(t('settings.signOutTitle'), plural('settings.signOutPending', n), t('settings.signOutAnyway'), true))) return;
          await signOutHere();
        },
      }, t('settings.signOut'))));
}

// invitation accepts a one-time code from a QR code or a link.
export async function invitation(code) {
  if (!api.currentSession()) {
    sessionStorage.setItem('veikart.after', `/invitation/${code}`);
    const box = await signIn();
    box.prepend(h('p', { class: 'note' }, t('invite.signInFirst')));
    return box;
  }
  const out = h('div', { 'aria-live': 'polite' });
  return h('section', { class: 'stack' },
    h('h1', null, t('invite.title')),
    h('p', null, api.currentSession().actingFor ? t('invite.forAgency') : t('invite.forPerson')),
    h('button', {
      type: 'button',
      onclick: async () => {
        try {
          const res = await api.call('POST', '/invitations/accept', { code });
          toast(t('invite.accepted'));
          go(`/roadmaps/${res.roadmapId}`);
        } catch (e) {
          out.replaceChildren(errorBox(e instanceof api.ApiError && e.status === 404 ? t('invite.invalid') : e));
        }
      },
    }, t('invite.accept')), out);
}
