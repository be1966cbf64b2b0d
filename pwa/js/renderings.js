// The renderings waiting in the outbox (sync.rendering): shown on the
// device's copy of the roadmap until sent, and sent when the network is
// there. Loaded only when some wait, so the app shell does not carry it.
import { outbox } from './db.js';
import { call, ApiError } from './api.js';
import { t } from './i18n.js';

// show shows on r the renderings queued here and not sent yet,
// as the server will have them: a text by this person (the family's, or a
// helper's under the name the family gave them), an empty text removing
// one, a confirmation.
export function show(r, queued) {
  for (const q of queued) {
    const a = r.areas.find((y) => y.id === q.areaId);
    if (!a) continue;
    const rest = (a.renderings || []).filter((x) => x.field !== q.field);
    const cur = (a.renderings || []).find((x) => x.field === q.field);
    if (q.confirm) {
      if (cur && cur.text === q.text) a.renderings = [...rest, { ...cur, confirmed: true, pending: true }];
      continue;
    }
    const helper = r.access?.role === 'trusted' || r.access?.role === 'interpreter';
    a.renderings = q.text ? [...rest, { field: q.field, text: q.text, byRole: helper ? r.access.role : 'family', byName: helper ? r.access.name : '', confirmed: false, pending: true }] : rest;
  }
}

// flush sends queued renderings and confirmations, oldest
// first, then fetches the roadmap again. A confirmation goes only for the
// rendering the family read: if it was written anew meanwhile (by the
// interpreter on their phone, say), it is set aside and told, for the
// family to read the new one first. One refused for good is told too.
export async function flush(id, list, { store, fail, changed }) {
  const where = (x) => `/roadmaps/${encodeURIComponent(id)}/areas/${encodeURIComponent(x.areaId)}/renderings/${x.field}`;
  for (const e of list) {
    const x = e.rendering;
    try {
      if (!x.confirm) await call('PUT', where(x), { text: x.text });
      else {
        const now = await call('GET', `/roadmaps/${encodeURIComponent(id)}`);
        const cur = now.areas.find((a) => a.id === x.areaId)?.renderings?.find((y) => y.field === x.field);
        if (cur?.text !== x.text) {
          await fail(id, [e], { status: 409, message: t('rendering.changedSince') });
          await outbox.del([e.seq]);
          continue;
        }
        await call('POST', `${where(x)}/confirm`);
      }
    } catch (err) {
      if (!(err instanceof ApiError) || err.status >= 500 || err.status === 401) throw err;
      await fail(id, [e], err);
    }
    await outbox.del([e.seq]);
  }
  try { await store(await call('GET', `/roadmaps/${encodeURIComponent(id)}`)); } catch { /* the next read fetches it */ }
  changed(id);
}
