// Signing in with ID-porten, coming back from it, the person's signed-in
// devices, their security (a new phone waiting to take over the account,
// and the log of what happened to it), and their data: download it all, or
// delete the account.
import { h, errorBox, toast, confirm, ask, uid, paged } from '../ui.js';
import { t, date, current } from '../i18n.js';
import * as api from '../api.js';
import { go, route } from '../nav.js';
import { wipe, roadmaps, kv } from '../db.js';
import * as push from '../push.js';
import { setHomeZone } from '../ops.js';

// keepMe keeps the signed-in person m on the device, for screens shown
// offline, and counts "today" in the households' zone the server told.
export async function keepMe(m) {
  setHomeZone(m?.timeZone);
  await kv.set('me', m);
}

// me fetches the signed-in person (their agencies, whether an agency may
// help them back in, a recovery of their account waiting) and keeps it for
// screens shown offline. Offline it throws, unless stale is allowed: then
// the last one known.
export async function me(stale) {
  try {
    const m = await api.call('GET', '/me');
    await keepMe(m);
    return m;
  } catch (e) {
    if (stale && e instanceof api.Offline) return kv.get('me');
    throw e;
  }
}

// recoveryBanner warns, on every device of the person, that a new phone
// waits to take over their account (a caseworker's recovery code was used),
// by whom and from when, with the way to stop it. Nothing if none waits.
export function recoveryBanner(m) {
  const r = m?.recovery;
  if (!r) return null;
  const vars = { agency: r.agencyName || r.agencyId, caseworker: r.caseworkerName, time: date(r.effectiveAt, true) };
  const stop = async () => {
    if (!(await confirm(t('recovery.stopTitle'), t('recovery.stopText', vars), t('recovery.stopYes'), true))) return;
    try {
      await api.call('DELETE', '/me/recovery');
      toast(t('recovery.stopped'));
    } catch (e) {
      if (!(e instanceof api.ApiError && e.status === 404)) {
        toast(e instanceof api.Offline ? t('error.offline') : e.message);
        return;
      }
      toast(t('recovery.none')); // stopped from another device meanwhile, or it took effect
    }
    route();
  };
  const id = uid('rb');
  return h('section', { class: 'alert stack', role: 'alert', 'aria-labelledby': id },
    h('h2', { id }, t('recovery.title')),
    h('p', null, r.caseworkerName ? t('recovery.banner', vars) : t('recovery.bannerNoName', vars)),
    h('p', null, h('strong', null, t('recovery.notYou'))),
    h('button', { type: 'button', class: 'danger', onclick: stop }, t('recovery.stop')));
}

// The security log's actions the app words; anything newer reads as
// "something else happened".
const securityActions = new Set(['sign-in', 'sign-out', 'sign-in-failed', 'passkey-added', 'passkey-removed',
  'recovery-code', 'recovery-started', 'recovery-cancelled', 'recovered']);

// securityLine says one entry of the security log in plain words.
export function securityLine(e) {
  return t(securityActions.has(e.action) ? `security.${e.action}` : 'security.other', {
    when: date(e.at, true),
    method: e.method ? t(`devices.method.${e.method}`) : '',
    agency: e.agencyName || e.agencyId || '',
    caseworker: e.name || '',
  });
}

// security is the person's security screen: a new phone waiting (with the
// way to stop it), and everything that happened to the account. A push
// about a recovery opens it.
export async function security() {
  const [m, log] = await Promise.all([
    me(),
    paged((cursor) => api.call('GET', `/me/security-log${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`), securityLine, t('security.empty')),
  ]);
  return h('section', { class: 'stack' },
    h('p', null, h('a', { href: '#/settings' }, t('common.back'))),
    h('h1', null, t('security.title')),
    recoveryBanner(m),
    h('p', { class: 'lead' }, t('security.intro')),
    h('h2', null, t('security.log')),
    log,
    h('a', { class: 'button secondary', href: '#/settings/devices' }, t('devices.title')));
}

// methods asks the server which ways of signing in it offers; offline, the
// last answer (there is no signing in offline anyway).
export async function methods() {
  try {
    const m = await (await fetch('/api/v1/auth/methods', { cache: 'no-store' })).json();
    localStorage.setItem('veikart.methods', JSON.stringify(m));
    return m;
  } catch {
    return JSON.parse(localStorage.getItem('veikart.methods') || '{"dev":false,"idporten":false,"passkey":false}');
  }
}

// idportenButton starts the national eID sign-in: a plain link, so that the
// browser leaves for ID-porten and comes back to #/signed-in/<code>.
export function idportenButton() {
  return h('a', { class: 'button', href: `/api/v1/auth/idporten?lang=${encodeURIComponent(current())}` }, t('signin.idporten'));
}

// signedIn trades the one-time code from the address for a session.
export async function signedIn(code) {
  // The code leaves the address bar and the history at once.
  history.replaceState(null, '', '#/');
  try {
    await api.exchange(code);
    go('/');
    return h('p', null, '…');
  } catch (e) {
    return h('section', { class: 'stack' }, h('h1', null, t('signin.failedTitle')),
      errorBox(e instanceof api.Offline ? t('error.offline') : t('signin.failed.expired')),
      h('a', { class: 'button', href: '#/' }, t('signin.again')));
  }
}

const reasons = new Set(['expired', 'cancelled', 'level', 'unavailable', 'too-many', 'failed']);

export function signInFailed(reason) {
  const r = reasons.has(reason) ? reason : 'failed';
  return h('section', { class: 'stack' }, h('h1', null, t('signin.failedTitle')),
    h('p', { role: 'alert' }, t(`signin.failed.${r}`)),
    h('a', { class: 'button', href: '#/' }, t('signin.again')));
}

// devices lists where the person is signed in, to sign one or all out.
export async function devices() {
  const list = (await api.call('GET', '/sessions')).items;
  const everywhere = async () => {
    if (!(await confirm(t('devices.allTitle'), t('devices.allText'), t('devices.allYes'), true))) return;
    await api.call('DELETE', '/sessions');
    await signOutHere();
  };
  return h('section', { class: 'stack' },
    h('p', null, h('a', { href: '#/settings' }, t('common.back'))),
    h('h1', null, t('devices.title')),
    h('p', { class: 'lead' }, t('devices.intro')),
    h('ul', { class: 'cards' }, list.map((s) => h('li', { class: 'card' },
      h('strong', null, s.current ? t('devices.this') : s.device || t('devices.unknown')),
      s.current ? h('span', { class: 'meta' }, s.device) : null,
      h('span', { class: 'meta' }, t(`devices.method.${s.method}`), ' · ', t('devices.since', { date: date(s.createdAt, true) })),
      s.current ? null : h('button', {
        type: 'button', class: 'secondary',
        onclick: async () => {
          await api.call('DELETE', `/sessions/${encodeURIComponent(s.id)}`);
          toast(t('devices.signedOut'));
          go('/settings/devices');
        },
      }, t('devices.signOut'), h('span', { class: 'sr' }, `: ${s.device}`))))),
    h('button', { type: 'button', class: 'danger', onclick: () => everywhere().catch((e) => toast(e.message)) }, t('devices.all')));
}

// myData: download everything the service holds about me, or delete my
// account with it.
export function myData() {
  const out = h('div', { 'aria-live': 'polite' });
  const fail = (e) => out.replaceChildren(errorBox(e instanceof api.Offline ? t('error.offline') : e));
  return h('section', { class: 'stack' },
    h('p', null, h('a', { href: '#/settings' }, t('common.back'))),
    h('h1', null, t('data.title')),
    h('p', { class: 'lead' }, t('data.intro')),
    h('section', { class: 'stack boxed' },
      h('h2', null, t('data.downloadTitle')),
      h('p', null, t('data.downloadText')),
      h('button', { type: 'button', onclick: () => download().catch(fail) }, t('data.download'))),
    h('section', { class: 'stack boxed' },
      h('h2', null, t('data.deleteTitle')),
      h('p', null, t('data.deleteText')),
      h('button', { type: 'button', class: 'danger', onclick: () => deleteAccount().catch(fail) }, t('data.delete'))),
    out);
}

// download saves the export as a file, from memory: the data never passes
// through a cache or a URL another page could open.
async function download() {
  const data = await api.call('GET', '/me/export');
  const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
  const a = h('a', { href: url, download: `veikart-export-${new Date().toISOString().slice(0, 10)}.json`, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  toast(t('data.downloaded'));
}

// typed asks to confirm something that cannot be undone: the button that
// does it stays disabled until the person ticks that they understand. (It
// was a word to type, which in Arabic or Tigrinya needed another keyboard.)
async function typed(title, text, yes) {
  const box = h('input', { type: 'checkbox' });
  const body = h('div', { class: 'stack' }, h('p', null, text), h('label', { class: 'check' }, box, h('span', null, t('data.understand'))));
  const answer = ask(title, body, [[false, t('common.cancel'), 'secondary'], [true, yes, 'danger']]);
  const button = body.closest('dialog').querySelector('.actions .danger');
  button.disabled = true;
  box.addEventListener('change', () => { button.disabled = !box.checked; });
  box.focus();
  return (await answer) && box.checked;
}

// deleteAccount erases the account on the server, then everything on this
// device, and goes back to signing in.
async function deleteAccount() {
  if (!(await typed(t('data.deleteTitle'), t('data.deleteConfirm'), t('data.deleteYes')))) return;
  await api.call('DELETE', '/me', { confirm: 'erase my account' });
  // The session is gone with the account: signing out only tidies up here.
  await signOutHere().catch(async () => { await wipe(); go('/'); });
  toast(t('data.deleted'));
}

// deleteRoadmap erases a roadmap for everyone, after the owner confirms.
export async function deleteRoadmap(id) {
  if (!(await typed(t('roadmap.deleteTitle'), t('roadmap.deleteText'), t('roadmap.deleteYes')))) return;
  try {
    await api.call('DELETE', `/roadmaps/${encodeURIComponent(id)}`);
  } catch (e) {
    toast(e instanceof api.Offline ? t('error.offline') : e.message);
    return;
  }
  await roadmaps.del(id);
  // And the answers kept of it for reading without a network.
  await Promise.all(['review', 'timeline', 'meetings', 'transitions'].map((k) => kv.del(`${k}:${id}`))).catch(() => {});
  toast(t('roadmap.deleted'));
  go('/');
}

// signOutHere ends this device's session and deletes everything the app
// keeps on it.
export async function signOutHere() {
  await push.forget();
  await api.signOut();
  await wipe();
  sessionStorage.clear();
  go('/');
}
