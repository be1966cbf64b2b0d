// The app: start-up, the screen router, and what every screen shares (the
// network status, the conflict banner, update notices).
import { h, put, toast, endToast } from './ui.js';
import { t, setLang, chosen, plural, LANGS, current as currentLang } from './i18n.js';
import { loadSession, currentSession, onSession, agencies } from './api.js';
import * as sync from './sync.js';
import * as home from './views/home.js';
import * as rm from './views/roadmap.js';
import * as share from './views/sharing.js';
import * as cw from './views/caseworker.js';
import * as account from './views/account.js';
import * as push from './push.js';
import { setNavigation } from './nav.js';
import { setHomeZone } from './ops.js';
import { kv } from './db.js';

// Routes: a pattern over the part of the address after "#", and the screen.
// Screens are async functions of the route's parameters returning a node;
// a screen that sets live is drawn again when its roadmap changes.
const routes = [
  [/^\/?$/, () => home.start()],
  [/^\/new$/, () => home.create()],
  [/^\/settings$/, () => home.settings()],
  [/^\/settings\/devices$/, () => account.devices()],
  [/^\/settings\/data$/, () => account.myData()],
  [/^\/settings\/security$/, () => account.security()],
  [/^\/settings\/calendar$/, () => calendarView().then((m) => m.screen())],
  [/^\/signed-in\/([\w-]+)$/, (code) => account.signedIn(code)],
  [/^\/signin-failed\/([\w-]+)$/, (reason) => account.signInFailed(reason)],
  [/^\/invitation\/([\w-]+)$/, (code) => home.invitation(code)],
  [/^\/enrol\/([\w-]+)$/, (code) => passkeys().then((m) => m.enrol(code))],
  [/^\/waiting$/, () => passkeys().then((m) => m.waiting())],
  [/^\/settings\/passkeys$/, () => passkeys().then((m) => m.mine())],
  [/^\/enrolments\/new$/, () => passkeys().then((m) => m.newCode())],
  [/^\/shared$/, () => cw.shared()],
  [/^\/agency\/recoveries$/, () => cw.recoveries()],
  [/^\/agency\/blockers$/, () => blockersView().then((m) => m.counts())],
  [/^\/roadmaps\/([\w-]+)$/, (id) => (acting() ? cw.roadmap(id) : rm.overview(id))],
  [/^\/roadmaps\/([\w-]+)\/household$/, (id) => rm.household(id)],
  [/^\/roadmaps\/([\w-]+)\/areas\/new$/, (id) => rm.newArea(id)],
  [/^\/roadmaps\/([\w-]+)\/areas\/([\w-]+)$/, (id, a) => rm.area(id, a)],
  [/^\/roadmaps\/([\w-]+)\/areas\/([\w-]+)\/steps\/new$/, (id, a) => rm.stepForm(id, null, a)],
  [/^\/roadmaps\/([\w-]+)\/checkin$/, (id) => checkinsView().then((m) => m.screen(id))],
  [/^\/roadmaps\/([\w-]+)\/areas\/([\w-]+)\/checkin$/, (id, a) => checkinsView().then((m) => m.screen(id, a))],
  [/^\/roadmaps\/([\w-]+)\/steps\/([\w-]+)$/, (id, s) => (acting() ? cw.roadmap(id, s) : rm.stepForm(id, s))],
  [/^\/roadmaps\/([\w-]+)\/sharing$/, (id) => share.sharing(id)],
  [/^\/roadmaps\/([\w-]+)\/sharing\/new$/, (id) => share.grantForm(id)],
  [/^\/roadmaps\/([\w-]+)\/sharing\/invite$/, (id) => share.invite(id)],
  [/^\/roadmaps\/([\w-]+)\/log$/, (id) => share.log(id)],
  [/^\/roadmaps\/([\w-]+)\/receipts$/, (id) => share.receipts(id)],
  [/^\/roadmaps\/([\w-]+)\/poster$/, (id) => posterView().then((m) => m.poster(id))],
  [/^\/roadmaps\/([\w-]+)\/transitions$/, (id) => transitionsView().then((m) => m.transitions(id))],
  [/^\/roadmaps\/([\w-]+)\/transitions\/new$/, (id) => transitionsView().then((m) => m.planForm(id))],
  [/^\/roadmaps\/([\w-]+)\/transitions\/([\w-]+)\/card$/, (id, tid) => checklistView().then((m) => m.card(id, tid))],
  [/^\/roadmaps\/([\w-]+)\/own$/, (id) => transitionsView().then((m) => m.own(id))],
  [/^\/roadmaps\/([\w-]+)\/team$/, (id) => teamView().then((m) => m.team(id))],
  [/^\/roadmaps\/([\w-]+)\/meetings$/, (id) => meetingsView().then((m) => m.meetings(id))],
  [/^\/roadmaps\/([\w-]+)\/meetings\/new$/, (id) => meetingsView().then((m) => m.callForm(id))],
  [/^\/roadmaps\/([\w-]+)\/meetings\/([\w-]+)$/, (id, mid) => meetingsView().then((m) => m.meeting(id, mid))],
  [/^\/roadmaps\/([\w-]+)\/helpers$/, (id) => helpersView().then((m) => m.helpers(id))],
  [/^\/roadmaps\/([\w-]+)\/messages$/, (id) => messagesView().then((m) => m.conversations(id))],
  [/^\/roadmaps\/([\w-]+)\/messages\/([\w-]+)$/, (id, a) => messagesView().then((m) => m.thread(id, a))],
  [/^\/roadmaps\/([\w-]+)\/members$/, (id) => membersView().then((m) => m.members(id))],
  [/^\/roadmaps\/([\w-]+)\/review$/, (id) => historyView().then((m) => m.review(id))],
  [/^\/roadmaps\/([\w-]+)\/timeline$/, (id) => historyView().then((m) => m.timeline(id))],
];

// Screens reachable signed out: the way back from ID-porten, a
// caseworker's enrolment code for a passkey (and the new phone waiting
// after a recovery code), and links that ask to sign in first.
const publicPaths = ['/invitation/', '/signed-in/', '/signin-failed/', '/enrol/', '/waiting'];

// The passkey screens load when first needed.
const passkeys = () => import('./views/passkeys.js');
// So does the poster (and its stylesheet): few open it, and rarely.
const posterView = () => import('./views/poster.js');
const transitionsView = () => import('./views/transitions.js');
const teamView = () => import('./views/team.js');
const meetingsView = () => import('./views/meetings.js');
const checklistView = () => import('./views/checklist.js');
const messagesView = () => import('./views/messages.js');
const helpersView = () => import('./views/helpers.js');
const membersView = () => import('./views/members.js');
const checkinsView = () => import('./views/checkins.js');
const calendarView = () => import('./views/calendar.js');
const blockersView = () => import('./views/blockers.js');
const historyView = () => import('./views/history.js');

const acting = () => Boolean(currentSession()?.actingFor);
const main = () => document.getElementById('main');
let current = { path: null, live: false, roadmapId: null };

// route draws the screen for the current address.
async function route(keepFocus) {
  const path = decodeURIComponent(location.hash.replace(/^#/, '')) || '/';
  const signedOut = !currentSession();
  let view;
  let args = [];
  if (signedOut && !publicPaths.some((p) => path.startsWith(p))) view = () => home.signIn();
  else {
    for (const [re, fn] of routes) {
      const m = re.exec(path);
      if (m) { view = fn; args = m.slice(1); break; }
    }
  }
  view ||= () => home.notFound();
  const token = (route.token = (route.token || 0) + 1);
  let node;
  try {
    node = await view(...args);
  } catch (e) {
    node = home.failed(e, path);
  }
  if (token !== route.token) return; // a newer navigation won
  const samePage = current.path === path;
  const roadmapId = node.dataset?.roadmap || null;
  const drawn = await stamp(node.dataset?.live ? roadmapId : null);
  if (token !== route.token) return;
  // A toast belongs to its screen: leaving it ends the toast, unless the
  // toast came with the move ("the step was added", then back to the area).
  if (!samePage && performance.now() - (toast.at || 0) > 1500) endToast();
  current = { path, live: Boolean(node.dataset?.live), roadmapId, stamp: drawn };
  put(main(), node);
  document.title = `${node.querySelector('h1')?.textContent || ''} – Veikart`;
  if (!(keepFocus && samePage)) {
    // Moving focus to the heading tells a screen reader the screen changed.
    const h1 = node.querySelector('h1');
    if (h1) { h1.tabIndex = -1; h1.focus({ preventScroll: true }); }
    if (!samePage) scrollTo(0, 0);
  }
  await banner();
}

// stamp is what a roadmap screen shows of the roadmap: the device's view
// without the counters that change when the server answers (versions,
// times, and the bookkeeping ops.js keeps as the server does: which fields
// changed when, which operations were applied), which the screen does not show.
const unshown = ['version', 'updatedAt', 'titleVersion', 'pendingCount', 'changed', 'recentOps'];
async function stamp(id) {
  const r = id ? await sync.local(id) : null;
  return r ? JSON.stringify(r, (k, v) => (unshown.includes(k) ? undefined : v)) : '';
}

// A finger on the screen: a redraw now would move what it is about to tap.
let pressing = false;
let deferred = null;
addEventListener('pointerdown', () => { pressing = true; }, true);
for (const type of ['pointerup', 'pointercancel']) {
  addEventListener(type, () => {
    pressing = false;
    // After the tap has done its work (a click comes after pointerup).
    if (deferred) setTimeout(() => { const id = deferred; deferred = null; if (id) redraw(id); }, 300);
  }, true);
}

// A screen showing a roadmap is drawn again when that roadmap changes, but
// not under someone's fingers: not while a form field has focus or a finger
// is down, and not when nothing it shows changed (the server took an edit
// the screen already shows: 4 of 4 visits to an area redrew it before).
sync.onChange(async (id, shown) => {
  await status();
  if (id === current.roadmapId) await banner();
  if (!current.live || (id && id !== current.roadmapId)) return;
  if (shown) { current.stamp = await stamp(id); return; }
  await redraw(id);
});

async function redraw(id) {
  if (!current.live || (id && id !== current.roadmapId)) return;
  if (pressing) { deferred = id; return; }
  if (current.roadmapId && (await stamp(current.roadmapId)) === current.stamp) return;
  const el = document.activeElement;
  const typing = el && main().contains(el) && (/^(TEXTAREA|SELECT)$/.test(el.tagName) || (el.tagName === 'INPUT' && !/^(radio|checkbox)$/.test(el.type)));
  if (typing) return;
  // A choice just made (a score, say) keeps its focus on the new screen.
  const again = el && el.tagName === 'INPUT' && el.name ? `input[name="${CSS.escape(el.name)}"][value="${CSS.escape(el.value)}"]` : null;
  await route(true);
  if (again) main().querySelector(again)?.focus();
}

// status shows whether the device is online and what waits to be sent.
async function status() {
  const n = currentSession() ? await sync.pendingCount() : 0;
  const el = document.getElementById('net');
  const text = !navigator.onLine
    ? (n ? plural('net.offlineWaiting', n) : t('net.offline'))
    : n ? plural('net.sending', n) : '';
  if (el.textContent !== text) el.textContent = text;
  el.classList.toggle('off', !navigator.onLine);
}

// banner asks the person to choose when their edit met someone else's.
// It also tells of edits the server refused for good (a roadmap deleted
// meanwhile, say): they are set aside, never dropped without a word.
async function banner() {
  const box = document.getElementById('banner');
  const c = current.roadmapId && (await sync.conflict(current.roadmapId));
  const failed = currentSession() ? await sync.failures() : [];
  const parts = [];
  if (c) {
    parts.push(h('div', { class: 'banner', role: 'alert' },
      h('p', null, plural('conflict.banner', c.conflicts.length)),
      h('button', { type: 'button', onclick: () => rm.resolveConflicts(current.roadmapId) }, t('conflict.choose'))));
  }
  if (failed.length) {
    parts.push(h('div', { class: 'banner', role: 'alert' },
      h('div', null, h('p', null, plural('failed.banner', failed.length)),
        h('ul', null, [...new Set(failed.map((f) => f.detail))].map((d) => h('li', null, d)))),
      h('button', { type: 'button', class: 'secondary', onclick: async () => { await sync.clearFailures(); banner(); } }, t('failed.dismiss'))));
  }
  put(box, parts);
}

// labels words the header in the language chosen. The language choice is
// in the header of every screen, each language in its own name and script,
// so that someone who reads no Norwegian finds theirs at once.
function labels() {
  document.getElementById('settings-link').textContent = t('nav.settings');
  document.querySelector('.brand').setAttribute('aria-label', t('nav.home'));
  const pick = document.getElementById('lang');
  pick.replaceChildren(...LANGS.map(([l, name]) => h('option', { value: l, lang: l, selected: l === currentLang() }, name)));
  pick.onchange = () => changeLanguage(pick.value);
}

// The service worker: "ready to work offline" once, "update available" when
// a new version waits. The update is taken only when the person says so.
async function worker() {
  if (!('serviceWorker' in navigator)) return;
  const first = !navigator.serviceWorker.controller;
  const reg = await navigator.serviceWorker.register('/sw.js', { scope: '/' });
  const offer = (w) => {
    if (!navigator.serviceWorker.controller) return;
    notice(t('sw.update'), t('sw.reload'), () => w.postMessage('skipWaiting'));
  };
  if (reg.waiting) offer(reg.waiting);
  reg.addEventListener('updatefound', () => {
    const w = reg.installing;
    w?.addEventListener('statechange', () => {
      if (w.state === 'installed') offer(w);
      if (w.state === 'activated' && first) notice(t('sw.ready'));
    });
  });
  let reloading = false;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (!first && !reloading) { reloading = true; location.reload(); }
  });
  setInterval(() => reg.update().catch(() => {}), 60 * 60 * 1000);
}

function notice(text, action, run) {
  const box = document.getElementById('toast');
  // Never over a toast the person may still act on (undo).
  if (!box.hidden && box.querySelector('button')) return;
  toast(text, action ? { label: action, run } : null);
}

async function start() {
  await setLang(chosen());
  labels();
  await loadSession();
  // "Today" where the households live, as the server said last (GET /me).
  setHomeZone((await kv.get('me').catch(() => null))?.timeZone);
  onSession((s) => { if (!s) route(); });
  addEventListener('hashchange', () => route());
  // Queued edits go when the network comes back, when the app comes to the
  // front, and at start.
  addEventListener('online', () => {
    status();
    sync.flush().catch(() => {});
    meetingsView().then((m) => m.flushNotes()).catch(() => {});
    calendarView().then((m) => m.flushLanguage()).catch(() => {});
  });
  addEventListener('offline', status);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState !== 'visible') return;
    sync.forgetShared().catch(() => {});
    if (currentSession()) sync.flush().catch(() => {});
  });
  await sync.forgetShared().catch(() => {});
  await route();
  await status();
  if (currentSession()) {
    sync.flush().catch(() => {});
    // Agency names, for steps an agency is responsible for, offline too.
    if (!acting()) agencies().catch(() => {});
    push.renew().catch(() => {}); // a new server key: subscribe again
    calendarView().then((m) => m.flushLanguage()).catch(() => {}); // a language change made offline
  }
  worker().catch(() => {});
}

async function changeLanguage(l) {
  await setLang(l, true);
  // Calendar feeds' titles follow the app's language.
  if (currentSession()) calendarView().then((m) => m.followLanguage(currentLang())).catch(() => {});
  endToast(); // it speaks the old language
  labels();
  await route();
  await status();
}

setNavigation({ route, changeLanguage });
start();
