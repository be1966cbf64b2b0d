// The screens of a household roadmap as someone who may read but not
// change them sees them (may.js): the content and a plain note, no form.
// Loaded only when needed.
import { h, readOnly } from '../ui.js';
import { t, date } from '../i18n.js';
import { stepTitle } from '../model.js';
import { speakable } from '../readaloud.js';

// step shows step st, said to be done by whom (or, for a new step, only
// that it cannot be added).
export function step(id, r, st, areaId, whom) {
  const back = h('p', null, h('a', { href: `#/roadmaps/${id}/areas/${st ? st.areaId : areaId}` }, t('common.back')));
  if (!st) return h('section', { class: 'stack' }, back, h('h1', null, t('step.add')), readOnly());
  const row = (k, v) => (v ? [h('dt', null, k), h('dd', null, v)] : null);
  return h('section', { class: 'stack', 'data-live': '1', 'data-roadmap': id },
    back,
    h('h1', null, stepTitle(st, t)),
    readOnly(),
    h('dl', { class: 'facts' },
      row(t('step.status'), t(`status.${st.status}`)),
      row(t('step.who'), whom),
      row(t('step.due'), st.due ? date(st.due) : ''),
      row(t('step.term'), t(`term.${st.term || 'short'}`))),
    st.note ? speakable(h('div', { class: 'field' }, h('h2', null, t('step.note')), h('p', { class: 'words' }, st.note))) : null);
}

// household shows who is in the household.
export function household(id, r) {
  return h('section', { class: 'stack', 'data-roadmap': id },
    h('p', null, h('a', { href: `#/roadmaps/${id}` }, t('common.back'))),
    h('h1', null, t('roadmap.household')),
    readOnly('may.ownersOnly'),
    h('ul', { class: 'people' }, r.members.map((m) => h('li', null, m.name))));
}
