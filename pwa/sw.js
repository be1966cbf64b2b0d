// The service worker: keeps the app's files so that it opens with no
// network, and shows reminders. The server fills in VERSION (a hash of the
// app's files) and SHELL (their paths), so every new release is an update.
const VERSION = "__VERSION__";
const SHELL = ["__SHELL__"];
const CACHE = `veikart-${VERSION}`;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL.map((u) => new Request(u, { cache: 'no-cache' })))));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name.startsWith('veikart-') && name !== CACHE) await caches.delete(name);
    await self.clients.claim();
  })());
});

// The page asks the waiting worker to take over when the person chooses to
// update, never in the middle of their work.
self.addEventListener('message', (event) => {
  if (event.data === 'skipWaiting') self.skipWaiting();
  if (event.data === 'version') event.source.postMessage({ version: VERSION });
});

// The app's files come from the cache; the API always goes to the network
// (the app keeps its own data in IndexedDB, where sign-out can clear it).
self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== location.origin) return;
  if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/health/')) return;
  const key = event.request.mode === 'navigate' ? '/' : url.pathname;
  event.respondWith(caches.open(CACHE).then(async (c) => (await c.match(key)) || fetch(event.request)));
});

// A reminder, an alert about the person's account (a new phone waiting
// to take it over), or the news that a message came ("Du har en ny
// melding i Veikart", never what it says): the text says little on
// purpose (lock screens are public), in the language the person chose if
// the app told us.
self.addEventListener('push', (event) => {
  event.waitUntil((async () => {
    let data = {};
    try { data = event.data ? event.data.json() : {}; } catch { /* a plain-text push */ }
    let body = data.body || '';
    let key = null;
    if (data.kind === 'security') key = 'push.security';
    else if (['promise', 'checklist', 'meeting', 'meeting-invite', 'meeting-minutes', 'message', 'review'].includes(data.kind)) key = `push.${data.kind}`;
    else if (data.days != null) {
      // Count the days when the reminder is shown, not when it was sent: a
      // phone that was off overnight gets yesterday's "tomorrow" today.
      if (/^\d{4}-\d{2}-\d{2}$/.test(data.due ?? '')) {
        const [y, m, d] = data.due.split('-').map(Number);
        const now = new Date();
        data.days = Math.round((Date.UTC(y, m - 1, d) - Date.UTC(now.getFullYear(), now.getMonth(), now.getDate())) / 86_400_000);
      }
      const pre = data.kind === 'transition' ? 'push.transition.' : data.kind === 'grant' ? 'push.grant.' : 'push.';
      key = pre + (data.days <= 0 ? 'today' : data.days === 1 ? 'tomorrow' : 'days');
    }
    if (key) {
      try {
        const lang = await (await caches.open('veikart-prefs')).match('/prefs/lang');
        const l = lang ? await lang.text() : 'nb';
        const cat = await (await caches.match(`/i18n/${l}.json`))?.json();
        if (cat?.[key]) body = cat[key].replace('{n}', new Intl.NumberFormat(l).format(data.days ?? 0));
      } catch { /* keep the server's text */ }
    }
    await self.registration.showNotification(data.title || 'Veikart', {
      body, tag: data.tag, data: { url: data.url || '/#/' }, icon: '/icons/icon-192.png', badge: '/icons/icon-192.png',
    });
  })());
});

// Tapping a reminder opens the step (an alert, the security screen): in an
// open window if there is one.
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = new URL(event.notification.data?.url || '/#/', location.origin).href;
  event.waitUntil((async () => {
    for (const client of await self.clients.matchAll({ type: 'window', includeUncontrolled: true })) {
      if (new URL(client.url).origin === location.origin) {
        await client.focus();
        return client.navigate(url);
      }
    }
    return self.clients.openWindow(url);
  })());
});
