// The Norwegian rendering beside the family's own words (an area's "now"
// and "desired"): who wrote it, the family, an interpreter or a trusted
// person, and whether the family confirmed it ("Dette er det vi mente").
// Agencies see both texts and which is which (agencyview.js); the family
// and a helper who may write there write it, and the family confirms it.
import { h, field, toast } from '../ui.js';
import { t } from '../i18n.js';
import * as sync from '../sync.js';

const find = (a, f) => (a.renderings || []).find((y) => y.field === f);

// rendering shows the rendering of an area's field, or nothing.
export function rendering(a, f) {
  const x = find(a, f);
  if (!x) return null;
  const who = x.byRole === 'family' ? t('rendering.family') : t(`rendering.by.${x.byRole}`, { name: x.byName || '' });
  return h('div', { class: 'rendering stack', 'data-rendering': f },
    h('p', { class: 'meta' }, t('rendering.label', { who })),
    h('p', { class: 'words', lang: 'nb' }, x.text),
    h('p', { class: x.confirmed ? 'meta' : 'note' }, t(x.confirmed ? 'rendering.confirmed' : 'rendering.unconfirmed'),
      x.pending ? ` (${t('common.notSent')})` : ''));
}

// original says, where a text has a rendering, that the text itself is
// the family's own words.
export const original = (a, f) => (find(a, f) ? h('p', { class: 'meta' }, t('rendering.original')) : null);

// renderingBox is the rendering under one of an area's texts and, for
// those who may (may.js), the form to write it and the family's
// confirmation. Both go through the outbox like any edit: made without a
// network they show at once, marked not sent, and go when it is back.
export function renderingBox(id, a, f, { write, confirm }) {
  const shown = rendering(a, f);
  const x = find(a, f);
  const queue = async (change, message) => {
    await sync.rendering(id, a.id, f, change);
    toast(navigator.onLine ? message : t('checkin.queued'));
  };
  const confirmButton = confirm && x && !x.confirmed ? h('button', {
    type: 'button',
    onclick: () => queue({ confirm: true, text: x.text }, t('rendering.confirmedToast')),
  }, t('rendering.confirm')) : null;
  if (!write) return confirmButton ? h('div', { class: 'stack' }, shown, confirmButton) : shown;
  const text = h('textarea', { rows: 3, maxlength: 4000, lang: 'nb' });
  text.value = x?.text || '';
  return h('div', { class: 'stack' }, shown, confirmButton,
    h('details', null, h('summary', null, t(x ? 'rendering.change' : 'rendering.write', { field: t(`area.${f}`) })),
      h('form', {
        class: 'stack',
        onsubmit: (e) => { e.preventDefault(); queue({ text: text.value.trim() }, t('rendering.saved')); },
      }, field(t(`rendering.of.${f}`), text, t('rendering.hint')), h('button', { type: 'submit', class: 'secondary' }, t('rendering.save')))));
}
