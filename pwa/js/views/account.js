// Signing in with ID-porten, coming back from it, and the person's
// signed-in devices.
import { h, errorBox, toast, confirm } from '../ui.js';
import { t, date, current } from '../i18n.js';
import * as api from '../api.js';
import { go } from '../app.js';

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
    const { signOutHere } = await import('./home.js');
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
