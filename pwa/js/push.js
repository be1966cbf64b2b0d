// Reminders on this phone: Web Push, asked for only when the person taps the
// button (browsers, and iOS in particular, require a user gesture).
import { h, toast } from './ui.js';
import { t } from './i18n.js';
import * as api from './api.js';

const supported = () => 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
const ios = () => /iPhone|iPad|iPod/.test(navigator.userAgent);
const standalone = () => matchMedia('(display-mode: standalone)').matches || navigator.standalone === true;

function key(b64) {
  const s = atob(b64.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

async function subscription() {
  const reg = await navigator.serviceWorker.ready;
  return reg.pushManager.getSubscription();
}

async function turnOn() {
  if ((await Notification.requestPermission()) !== 'granted') throw new Error(t('push.denied'));
  const { publicKey } = await api.call('GET', '/push/key');
  const reg = await navigator.serviceWorker.ready;
  let sub;
  try {
    sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key(publicKey) });
  } catch {
    // The browser's reason is English and technical ("Registration failed
    // - permission denied"): say what to do instead.
    throw new Error(t(Notification.permission === 'denied' ? 'push.denied' : 'push.failed'));
  }
  const json = sub.toJSON();
  const saved = await api.call('POST', '/push/subscriptions', { endpoint: json.endpoint, keys: json.keys });
  localStorage.setItem('veikart.push', saved.id);
}

// renew subscribes again when the server's key has changed (an operator
// rotated it after a leak, which ends every old subscription), so that
// reminders keep coming without the person doing anything. Run at start.
export async function renew() {
  if (!supported() || Notification.permission !== 'granted') return;
  const sub = await subscription();
  if (!sub) return;
  const { publicKey } = await api.call('GET', '/push/key');
  const have = sub.options?.applicationServerKey;
  const want = key(publicKey);
  if (have && new Uint8Array(have).every((b, i) => b === want[i]) && have.byteLength === want.length) return;
  await sub.unsubscribe();
  const reg = await navigator.serviceWorker.ready;
  const next = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: want });
  const json = next.toJSON();
  const saved = await api.call('POST', '/push/subscriptions', { endpoint: json.endpoint, keys: json.keys });
  localStorage.setItem('veikart.push', saved.id);
}

// forget removes this phone's subscription, at sign-out.
export async function forget() {
  const id = localStorage.getItem('veikart.push');
  localStorage.removeItem('veikart.push');
  if (!supported()) return;
  try {
    if (id) await api.call('DELETE', `/push/subscriptions/${encodeURIComponent(id)}`);
    await (await subscription())?.unsubscribe();
  } catch { /* offline: the server drops it when the push service says gone */ }
}

// ready reports whether this phone shows reminders now.
export async function ready() {
  return supported() && Notification.permission === 'granted' && Boolean(await subscription().catch(() => null));
}

// offer fills box with what stands between this phone and reminders and the
// way past it: a button that turns them on, or, where a button cannot help
// (an iPhone outside the Home Screen, a browser without push, notifications
// refused), what to do instead. done runs once they are on.
export function offer(box, done) {
  // Where push cannot work, the phone's own calendar can remind instead
  // (views/calendar.js).
  const instead = () => h('a', { class: 'button', href: '#/settings/calendar' }, t('calendar.instead'));
  if (ios() && !standalone()) return box.replaceChildren(h('p', null, t('push.iosHomeScreen')), instead());
  if (!supported()) return box.replaceChildren(h('p', null, t('push.unsupported')), instead());
  if (Notification.permission === 'denied') return box.replaceChildren(h('p', null, t('push.denied')), instead());
  const said = h('p', { role: 'status' });
  box.replaceChildren(said, h('button', {
    type: 'button',
    onclick: async (e) => {
      e.target.disabled = true;
      said.textContent = '';
      try {
        await turnOn();
        toast(t('push.turnedOn'));
        done?.();
      } catch (err) {
        said.textContent = err instanceof api.Offline ? t('error.offline') : err.message;
        e.target.disabled = false;
      }
    },
  }, t('push.turnOn')));
}

export async function panel() {
  const box = h('section', { class: 'stack boxed' }, h('h2', null, t('push.title')));
  const on = await ready();
  box.append(h('p', null, on ? t('push.on') : t('push.explain')));
  if (!on) {
    const slot = h('div', { class: 'stack' });
    offer(slot, async () => box.replaceWith(await panel()));
    box.append(slot);
  } else {
    box.append(h('button', { type: 'button', class: 'secondary', onclick: async () => { await forget(); box.replaceWith(await panel()); } }, t('push.turnOff')));
  }
  return box;
}
