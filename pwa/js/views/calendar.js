// A personal calendar feed: reminders for phones that Web Push cannot
// reach (an iPhone without Veikart on its Home Screen, a browser without
// push, notifications refused). The phone's own calendar subscribes to a
// secret address and polls it; the titles say only "Veikart: a step".
// A caseworker acting for their agency makes the agency's feed here too:
// its deadlines, meetings and hand-overs ("Veikart: frist"). The titles'
// language follows the app's (followLanguage). Loaded when first opened,
// to keep the app shell small.
import { h, put, toast, confirm, errorBox, uid } from '../ui.js';
import { t, date, current } from '../i18n.js';
import * as api from '../api.js';
import { kv } from '../db.js';

// The language the feeds are to follow, when the server could not be told
// yet (offline): told on the next start or when the network is back. Kept
// with the person's data on the device, which signing out wipes, so that
// it never reaches the next person's feeds.
const PENDING = 'feedLang';

// followLanguage tells the server the app's new language, for the titles
// of the person's calendar feeds; their addresses stay. Without a network
// it is told later (flushLanguage).
export async function followLanguage(lang) {
  if (!api.currentSession()) return;
  await kv.set(PENDING, lang);
  await flushLanguage();
}

// flushLanguage tells the server a language change it has not heard of.
export async function flushLanguage() {
  const lang = await kv.get(PENDING);
  if (!lang || !api.currentSession()) return;
  try {
    await api.call('PATCH', '/me/calendar-feed', { lang });
  } catch (e) {
    // Kept for later: no network, or the server not answering now.
    if (e instanceof api.Offline || (e instanceof api.ApiError && e.status >= 500)) return;
    // Refused (an operator's token, a language the server lacks): there
    // is nothing to follow; not asked again.
  }
  // Unless the language changed again meanwhile.
  if ((await kv.get(PENDING)) === lang) await kv.del(PENDING);
}

// addresses are the feed's https and webcal addresses, absolute: a server
// without a public URL configured answers with a path.
function addresses(feed) {
  const url = new URL(feed.url, location.origin).href;
  return { url, webcal: feed.webcalUrl || url.replace(/^https?:/, 'webcal:') };
}

// shown is the new address, the one time it can be shown: to copy, to open
// in the phone's calendar, or to scan from another phone.
function shown(feed) {
  const { url, webcal } = addresses(feed);
  const id = uid('cal');
  const input = h('input', { id, type: 'text', readonly: true, value: url, dir: 'ltr', autocomplete: 'off', spellcheck: 'false' });
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(url);
    } catch {
      // No clipboard here (an old browser, no permission): select it for
      // the person to copy themselves.
      input.select();
      return;
    }
    toast(t('calendar.copied'));
  };
  return h('div', { class: 'stack calendar-address', 'data-calendar-address': '' },
    h('label', { for: id }, t('calendar.address')),
    input,
    h('p', { class: 'note' }, t('calendar.secret')),
    h('a', { class: 'button', href: webcal }, t('calendar.subscribe')),
    h('button', { type: 'button', class: 'secondary', onclick: copy }, t('calendar.copy')),
    feed.qr ? h('p', { class: 'qr' }, h('img', { src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(feed.qr)}`, alt: t('calendar.qr') })) : null);
}

// agency is the agency acted for, as the device knows the person (their
// agencies, with their roles there), else asked of the server; its id
// alone when neither knows it.
async function agency(id) {
  let me = await kv.get('me');
  if (!me?.agencies?.some((a) => a.agencyId === id)) me = await api.call('GET', '/me').catch(() => me);
  return me?.agencies?.find((a) => a.agencyId === id) || { agencyId: id, name: id };
}

// screen is the calendar feed's screen in settings: the person's own, or,
// acting for an agency, their feed for it.
export async function screen() {
  const acting = api.currentSession()?.actingFor;
  const at = acting ? await agency(acting) : null;
  // An administrator who is not a caseworker there has no deadlines: the
  // server would refuse the feed, so the screen says why instead.
  if (at?.roles && !at.roles.includes('caseworker')) {
    return h('section', { class: 'stack' },
      h('p', null, h('a', { href: '#/shared' }, t('common.back'))),
      h('h1', null, t('calendar.title')),
      h('p', { class: 'lead' }, t('calendar.notCaseworker', { agency: at.name })));
  }
  const intro = acting ? t('calendar.introAgency', { agency: at.name }) : t('calendar.intro');
  const box = h('section', { class: 'stack' });
  const said = h('div', { role: 'status' });
  const draw = (feed, fresh) => {
    const on = feed.active;
    put(box,
      h('p', null, h('a', { href: acting ? '#/shared' : '#/settings' }, t('common.back'))),
      h('h1', null, t('calendar.title')),
      h('p', { class: 'lead' }, intro),
      h('p', { class: 'note' }, t('calendar.follows')),
      h('p', null, on ? t('calendar.on', { date: date(feed.createdAt) }) : t('calendar.off')),
      fresh ? shown(fresh) : null,
      said,
      h('button', { type: 'button', class: on ? 'secondary' : '', onclick: make }, on ? t('calendar.rotate') : t('calendar.create')),
      on ? h('button', { type: 'button', class: 'danger', onclick: revoke }, t('calendar.revoke')) : null);
  };
  const failed = (e) => said.replaceChildren(errorBox(e instanceof api.Offline ? t('error.offline') : e));
  async function make() {
    const replacing = box.querySelector('button.danger') !== null;
    if (replacing && !(await confirm(t('calendar.rotate'), t('calendar.rotateText'), t('calendar.rotate'), true))) return;
    try {
      const feed = await api.call('POST', '/me/calendar-feed', { lang: current() });
      draw(feed, feed);
      box.querySelector('[data-calendar-address] input')?.focus();
    } catch (e) { failed(e); }
  }
  async function revoke() {
    if (!(await confirm(t('calendar.revoke'), t('calendar.revokeText'), t('calendar.revoke'), true))) return;
    try {
      await api.call('DELETE', '/me/calendar-feed');
      toast(t('calendar.revoked'));
      draw({ active: false });
    } catch (e) { failed(e); }
  }
  try {
    draw(await api.call('GET', '/me/calendar-feed'));
  } catch (e) {
    draw({ active: false });
    failed(e);
  }
  return box;
}
