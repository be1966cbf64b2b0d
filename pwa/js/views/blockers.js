// The system's blockers: on a step that was dropped or is overdue, the
// household says what stopped it, from a short list, and may choose,
// separately and plainly, to share that anonymously; an agency's
// administrators see the published counts, a table per quarter.
// (backend/veikart/blocker.go says how they are counted safely.)
import { h, field, toast } from '../ui.js';
import { t, num, date } from '../i18n.js';
import * as api from '../api.js';
import * as sync from '../sync.js';
import { BLOCKERS, overdue, homeDay } from '../ops.js';

/** blockerBox is the step's "what stopped this?", or null when the step is
 * neither dropped nor overdue and names no blocker. */
export function blockerBox(id, r, st) {
  if (!st.blocker && st.status !== 'dropped' && !overdue(st, homeDay())) return null;
  const cur = st.blocker || null;
  const none = h('option', { value: '' }, t('blocker.choose'));
  const codeIn = h('select', { name: 'blocker' }, none,
    BLOCKERS.map((b) => h('option', { value: b, selected: cur?.code === b }, t(`blocker.${b}`))));
  const shareIn = h('input', { type: 'checkbox', name: 'share', checked: Boolean(cur?.shared) });
  const placeIn = h('select', { name: 'municipality' }, h('option', { value: '' }, t('blocker.choosePlace')),
    r.municipality ? h('option', { value: r.municipality, selected: true }, r.municipality) : null);
  // The places are the regions of the agencies the service knows; offline,
  // only the one chosen before.
  api.agencies().then((items) => {
    const places = [...new Set(items.map((a) => a.region).filter(Boolean))].sort();
    for (const p of places) if (p !== r.municipality) placeIn.append(h('option', { value: p }, p));
  }).catch(() => {});
  const place = field(t('blocker.place'), placeIn, t('blocker.placeHint'));
  const showPlace = () => { place.hidden = !shareIn.checked; };
  shareIn.addEventListener('change', showPlace);
  showPlace();
  const out = h('div', { 'aria-live': 'polite' });
  const fail = (msg, focus) => {
    out.replaceChildren(h('p', { class: 'error', role: 'alert' }, msg));
    focus.focus();
  };
  const submit = async (e) => {
    e.preventDefault();
    const code = codeIn.value;
    const share = shareIn.checked;
    if (share && !code) return fail(t('blocker.needsCode'), codeIn);
    if (share && !placeIn.value) return fail(t('blocker.needsPlace'), placeIn);
    out.replaceChildren();
    if (share && placeIn.value !== (r.municipality || '')) {
      await sync.edit(id, { type: 'roadmap.setMunicipality', municipality: placeIn.value });
    }
    await sync.edit(id, { type: 'step.setBlocker', stepId: st.id, blocker: code, share });
    toast(share ? t('blocker.savedShared') : t('blocker.saved'));
  };
  return h('section', { class: 'boxed stack', 'aria-labelledby': 'blocker-h' },
    h('h2', { id: 'blocker-h' }, t('blocker.title')),
    h('p', { class: 'hint' }, t('blocker.intro')),
    h('form', { class: 'stack', onsubmit: submit },
      field(t('blocker.what'), codeIn),
      h('fieldset', { class: 'stack' }, h('legend', null, t('blocker.shareTitle')),
        h('p', null, t('blocker.shareWhat')),
        h('ul', null, ['blocker.shareCount', 'blocker.shareNever', 'blocker.shareQuarter', 'blocker.shareFive', 'blocker.shareWithdraw']
          .map((k) => h('li', null, t(k)))),
        h('label', { class: 'check' }, shareIn, h('span', null, t('blocker.shareYes'))),
        place),
      out,
      h('button', { type: 'submit' }, t('blocker.save'))));
}

// quarterName says "2026-Q4" in words.
const quarterName = (q) => t('blocker.quarter', { n: num(Number(q.slice(6))), year: q.slice(0, 4) });

/** counts is the agency administrator's screen: per quarter that has
 * ended, a table of blocker by municipality; a cell under the threshold
 * says so in words. */
export async function counts() {
  const s = api.currentSession();
  const got = await api.call('GET', `/agencies/${encodeURIComponent(s.actingFor)}/blockers`);
  const k = got.minHouseholds;
  const published = got.quarters.filter((q) => q.cells.length);
  const table = (q) => {
    const places = [...new Set(q.cells.map((c) => c.municipality))].sort();
    const cell = (b, m) => q.cells.find((c) => c.blocker === b && c.municipality === m);
    const cap = `q-${q.quarter}`;
    return h('section', { class: 'stack', 'aria-labelledby': cap },
      h('h2', { id: cap }, quarterName(q.quarter)),
      h('p', { class: 'hint' }, t('blocker.publishedOn', { date: date(q.publishedAt) })),
      h('div', { class: 'tablewrap', tabindex: 0, role: 'region', 'aria-labelledby': cap },
        h('table', null,
          h('caption', null, t('blocker.caption', { quarter: quarterName(q.quarter) })),
          h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('blocker.column')),
            places.map((m) => h('th', { scope: 'col' }, m)))),
          h('tbody', null, got.blockers.map((b) => h('tr', null, h('th', { scope: 'row' }, t(`blocker.${b}`)),
            places.map((m) => {
              const c = cell(b, m);
              return h('td', null, c ? num(c.households) : t('blocker.fewer', { k: num(q.minHouseholds ?? k) }));
            })))))));
  };
  return h('section', { class: 'stack' },
    h('p', null, h('a', { href: '#/shared' }, t('common.back'))),
    h('h1', null, t('blocker.countsTitle')),
    h('p', { class: 'lead' }, t('blocker.countsIntro', { k: num(k) })),
    published.length ? published.map(table) : h('p', null, t('blocker.nothingYet', { k: num(k) })));
}
