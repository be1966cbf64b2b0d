// What an agency sees of a roadmap, drawn the same way on the caseworker's
// screen and in the household's preview ("Dette ser NAV"): the server
// projects it (the preview through the caseworker's own projection), and
// this draws it, so the two cannot drift apart. Loaded when first drawn
// (import()), to keep the app shell small.
import { h } from '../ui.js';
import { t, date, list } from '../i18n.js';
import { areaName } from '../model.js';
import { road } from './roadmap.js';
import { rendering, original } from './rendering.js';
import { history, trail } from './checkins.js';

// granted draws the household and areas of r that acc (the view's access)
// lets the agency see. forms, on the caseworker's own screen, adds the
// comment and proposal forms the grant allows: comment(section) and
// propose(areaId) return them; and readings, the check-ins the server let
// the agency read (only of the areas granted to it), for each area's
// road walked and its chart and table.
export function granted(r, acc, forms = {}) {
  const comments = (section) => r.comments.filter((c) => c.section === section).map((c) => h('li', { class: 'comment' },
    h('p', null, c.text), h('p', { class: 'meta' }, date(c.createdAt, true))));
  const areas = r.areas.map((a) => {
    const seeArea = acc.sections.includes(`area:${a.id}`);
    const seeSteps = acc.sections.includes(`steps:${a.id}`);
    const steps = r.steps.filter((x) => x.areaId === a.id);
    return h('section', { class: 'card stack' },
      h('h2', null, areaName(a, t)),
      seeArea ? [road(a, forms.readings ? trail(forms.readings, a.id) : []),
        forms.readings ? [h('h3', null, t('checkin.history')), history(a, forms.readings, r.members)] : null,
        h('h3', null, t('area.now')), original(a, 'now'), h('p', { class: 'words' }, a.now || t('area.empty')), rendering(a, 'now'),
        h('h3', null, t('area.desired')), original(a, 'desired'), h('p', { class: 'words' }, a.desired || t('area.empty')), rendering(a, 'desired'),
        h('ul', { class: 'comments' }, comments(`area:${a.id}`)),
        forms.comment?.(`area:${a.id}`)] : null,
      seeSteps ? [h('h3', null, t('area.steps')),
        steps.length ? h('ul', { class: 'steps' }, steps.map((x) => h('li', { class: `step ${x.status}` }, h('strong', null, x.title),
          h('span', { class: 'meta' }, t(`status.${x.status}`), x.due ? ` · ${t('step.by', { date: date(x.due) })}` : '')))) : h('p', null, t('area.noSteps')),
        h('ul', { class: 'comments' }, comments(`steps:${a.id}`)),
        forms.comment?.(`steps:${a.id}`),
        forms.propose?.(a.id)] : null);
  });
  return [
    acc.sections.includes('household') ? h('p', null, t('shared.members', { names: list(r.members.map((m) => m.name)) || '–' })) : null,
    ...areas,
  ];
}
