// Messages: the household's conversation with each agency it shares with.
// The household sees a list of its conversations (one per agency that has
// or had a grant) with what it has not read, and each thread; a caseworker
// sees the thread with the household while the grant lets the agency write.
// Writing goes through the outbox with an id made here, so a message
// written with no network is sent when the network is back, once.
import { h, put, add, field, errorBox } from '../ui.js';
import { t, date, plural } from '../i18n.js';
import * as api from '../api.js';
import * as sync from '../sync.js';
import { kv } from '../db.js';

const base = (id) => `/roadmaps/${encodeURIComponent(id)}/conversations`;
const threadPath = (id, agencyId) => `${base(id)}/${encodeURIComponent(agencyId)}/messages`;
const acting = () => api.currentSession()?.actingFor || '';

// unread is the household's total of unread messages on roadmap id, for
// the roadmap screen's link; 0 when it cannot be asked (offline).
export async function unread(id) {
  const list = await api.call('GET', base(id)).catch(() => null);
  return list ? list.items.reduce((n, c) => n + c.unread, 0) : 0;
}

// conversations is the household's list on roadmap id.
export async function conversations(id) {
  const { items } = await api.call('GET', base(id));
  return h('section', { class: 'stack' },
    h('p', null, h('a', { href: `#/roadmaps/${id}` }, t('common.back'))),
    h('h1', null, t('messages.title')),
    h('p', { class: 'lead' }, t('messages.intro')),
    items.length ? h('ul', { class: 'cards' }, items.map((c) => h('li', null,
      h('a', { class: 'card', href: `#/roadmaps/${id}/messages/${c.agencyId}` },
        h('strong', null, c.agencyName || c.agencyId),
        c.unread ? h('span', { class: 'badge' }, plural('messages.unread', c.unread)) : null,
        h('span', null, c.lastAt ? t('messages.last', { when: date(c.lastAt, true) }) : t('messages.noneYet')),
        c.open ? null : h('span', { class: 'note' }, t('messages.closedShort')))))) : h('p', null, t('messages.none')));
}

// thread is one conversation: the household's with agencyId, or, for a
// caseworker, their agency's with the household.
export async function thread(id, agencyId) {
  const mine = acting() ? 'agency' : 'household';
  const cacheKey = `messages:${id}:${agencyId}`;
  let page;
  try {
    page = await api.call('GET', threadPath(id, agencyId));
    // The household keeps its conversations on the phone, as it keeps its
    // roadmap; an agency's app keeps nothing (revoking ends it at once).
    if (mine === 'household') await kv.set(cacheKey, page);
  } catch (e) {
    if (e instanceof api.ApiError && e.problem.type === '/problems/access-ended') {
      return h('section', { class: 'stack' },
        h('p', null, h('a', { href: '#/shared' }, t('shared.title'))),
        h('h1', null, t('messages.titleHousehold')),
        h('p', { class: 'lead', role: 'status' }, t('messages.ended')));
    }
    if (!(e instanceof api.Offline)) throw e;
    page = mine === 'household' ? await kv.get(cacheKey) : null;
    page ||= { agencyId, items: [], unread: 0, open: true, offline: true };
    page.offline = true;
  }
  const agency = page.agencyName || agencyId;
  const title = mine === 'household' ? t('messages.with', { agency }) : t('messages.titleHousehold');
  const ol = h('ol', { class: 'messages', 'aria-label': title });
  const older = h('div');
  const status = h('p', { role: 'status', class: 'sr-status' });
  let shown = page.items;

  const item = (m, queued) => {
    const own = m.from === mine;
    const who = own ? t('messages.you')
      : m.from === 'agency' ? (m.name ? t('messages.from', { name: m.name, agency }) : agency)
        : (m.name || t('messages.household'));
    return h('li', { class: own ? 'msg own' : 'msg' },
      h('p', { class: 'meta' }, h('strong', null, who), ' ', queued ? t('messages.waiting') : h('time', { datetime: m.at }, date(m.at, true))),
      h('p', { class: 'text' }, m.text));
  };
  const fill = async () => {
    const queued = (await sync.queuedMessages(id, agencyId)).filter((q) => !shown.some((m) => m.id === q.id));
    put(ol, shown.map((m) => item(m)), queued.map((q) => item({ ...q, from: mine }, true)));
    if (!ol.children.length) ol.append(h('li', { class: 'msg empty' }, t('messages.empty')));
  };
  const more = (next) => (next ? h('button', {
    type: 'button', class: 'secondary',
    onclick: async (e) => {
      e.target.disabled = true;
      try {
        const p = await api.call('GET', `${threadPath(id, agencyId)}?cursor=${encodeURIComponent(next)}`);
        shown = [...p.items, ...shown];
        older.replaceChildren(more(p.next));
        await fill();
      } catch (err) {
        e.target.disabled = false;
        older.append(errorBox(err instanceof api.Offline ? t('error.offline') : err));
      }
    },
  }, t('messages.older')) : '');
  older.append(more(page.next));
  await fill();

  // What the server stored after the outbox sent: read the thread again
  // while this screen is shown (it marks them read, as opening does).
  const node = h('section', { class: 'stack', 'data-roadmap': id });
  const off = sync.onChange(async (rid) => {
    if (!node.isConnected) { if (node.dataset.drawn) off(); return; }
    if (rid !== id) return;
    try {
      const p = await api.call('GET', threadPath(id, agencyId));
      shown = p.items;
      if (mine === 'household') await kv.set(cacheKey, p);
    } catch { /* keep what is shown; the queued ones say they wait */ }
    await fill();
  });

  const text = h('textarea', { rows: 3, maxlength: 4000, required: true, name: 'text' });
  const form = h('form', {
    class: 'stack',
    onsubmit: async (e) => {
      e.preventDefault();
      const words = text.value.trim();
      if (!words) { status.textContent = t('messages.emptyText'); text.focus(); return; }
      await sync.message(id, agencyId, words);
      text.value = '';
      status.textContent = navigator.onLine ? t('messages.sent') : t('messages.queued');
      await fill();
      text.focus();
    },
  }, field(t('messages.write'), text), h('button', { type: 'submit' }, t('messages.send')));
  const canWrite = mine === 'household' || page.open;
  add(node,
    h('p', null, h('a', { href: mine === 'household' ? `#/roadmaps/${id}/messages` : `#/roadmaps/${id}` }, t('common.back'))),
    h('h1', null, title),
    mine === 'household' && !page.open ? h('p', { class: 'note' }, t('messages.closed', { agency })) : null,
    page.offline ? h('p', { class: 'note' }, t('messages.offline')) : null,
    older, ol, status,
    canWrite ? form : null);
  requestAnimationFrame(() => { node.dataset.drawn = '1'; });
  return node;
}
