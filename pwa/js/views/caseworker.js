// The caseworker's screens: the roadmaps shared with my agency, each showing
// only what was granted (the server leaves the rest out), comments and step
// proposals where the household allowed them, and my agency's steps.
import { h, field, errorBox, toast, choice } from '../ui.js';
import { t, date, list, plural } from '../i18n.js';
import * as api from '../api.js';
import * as sync from '../sync.js';
import { areaName, newId } from '../model.js';
import { road } from './roadmap.js';
import { sectionName } from './sharing.js';
import { route } from '../app.js';

const path = (id, rest) => `/roadmaps/${encodeURIComponent(id)}${rest}`;

export async function shared() {
  const s = api.currentSession();
  const me = await api.call('GET', '/me');
  const agency = me.agencies.find((a) => a.agencyId === s.actingFor);
  const { items, notices = [] } = await api.call('GET', '/shared');
  return h('section', { class: 'stack' },
    h('h1', null, t('shared.title')),
    h('p', { class: 'lead' }, t('shared.intro', { agency: agency?.name || s.actingFor })),
    // Roadmaps their owners deleted: only the dates, by design.
    notices.length ? h('ul', { class: 'notices' }, notices.map((n) => h('li', { class: 'note' },
      t('shared.deletedNotice', { deleted: date(n.deletedOn), granted: date(n.grantCreatedOn) })))) : null,
    items.length ? h('ul', { class: 'cards' }, items.map((x) => h('li', null, h('a', { class: 'card', href: `#/roadmaps/${x.roadmapId}` },
      h('strong', null, x.title || t('roadmap.untitled')),
      h('span', null, t('shared.until', { date: date(x.access.expiresAt) })),
      h('span', null, plural('home.steps', x.stepCount)))))) : h('p', null, t('shared.none')),
    h('a', { class: 'button secondary', href: '#/enrolments/new' }, t('code.link')));
}

// roadmap is what the agency was granted of one roadmap.
export async function roadmap(id) {
  const r = await sync.refresh(id);
  if (!r) throw new api.ApiError(404, { title: t('error.notFound') });
  const acc = r.access || { sections: [], permissions: [] };
  const me = api.currentSession().actingFor;
  const can = (p) => acc.permissions.includes(p);
  const ours = r.steps.filter((x) => x.responsible?.kind === 'agency' && x.responsible.agencyId === me);
  const comments = (section) => r.comments.filter((c) => c.section === section).map((c) => h('li', { class: 'comment' },
    h('p', null, c.text), h('p', { class: 'meta' }, date(c.createdAt, true))));
  const commentForm = (section) => {
    const text = h('textarea', { rows: 2, maxlength: 2000, required: true });
    return h('form', {
      class: 'stack',
      onsubmit: async (e) => {
        e.preventDefault();
        try {
          await api.call('POST', path(id, '/comments'), { id: newId(), section, text: text.value.trim() });
          toast(t('comment.sent'));
          route();
        } catch (err) { e.target.append(errorBox(err)); }
      },
    }, field(t('comment.label', { section: sectionName(r, section) }), text), h('button', { type: 'submit', class: 'secondary' }, t('comment.send')));
  };
  const proposeForm = (areaId) => {
    const title = h('input', { type: 'text', required: true, maxlength: 200 });
    const due = h('input', { type: 'date' });
    let term = 'short';
    return h('details', null, h('summary', null, t('proposal.make')),
      h('form', {
        class: 'stack',
        onsubmit: async (e) => {
          e.preventDefault();
          const step = { areaId, title: title.value.trim(), term, responsible: { kind: 'agency', agencyId: me } };
          if (due.value) step.due = due.value;
          try {
            await api.call('POST', path(id, '/proposals'), { id: newId(), step });
            toast(t('proposal.sent'));
            route();
          } catch (err) { e.target.append(errorBox(err)); }
        },
      }, field(t('step.title'), title), field(t('step.due'), due),
      choice(t('step.term'), `term-${areaId}`, [['short', t('term.short')], ['long', t('term.long')]], term, (v) => { term = v; }),
      h('button', { type: 'submit' }, t('proposal.send'))));
  };
  const areas = r.areas.map((a) => {
    const seeArea = acc.sections.includes(`area:${a.id}`);
    const seeSteps = acc.sections.includes(`steps:${a.id}`);
    const steps = r.steps.filter((x) => x.areaId === a.id);
    return h('section', { class: 'card stack' },
      h('h2', null, areaName(a, t)),
      seeArea ? [road(a),
        h('h3', null, t('area.now')), h('p', { class: 'words' }, a.now || t('area.empty')),
        h('h3', null, t('area.desired')), h('p', { class: 'words' }, a.desired || t('area.empty')),
        h('ul', { class: 'comments' }, comments(`area:${a.id}`)),
        can('comment') ? commentForm(`area:${a.id}`) : null] : null,
      seeSteps ? [h('h3', null, t('area.steps')),
        steps.length ? h('ul', { class: 'steps' }, steps.map((x) => h('li', { class: `step ${x.status}` }, h('strong', null, x.title),
          h('span', { class: 'meta' }, t(`status.${x.status}`), x.due ? ` · ${t('step.by', { date: date(x.due) })}` : '')))) : h('p', null, t('area.noSteps')),
        h('ul', { class: 'comments' }, comments(`steps:${a.id}`)),
        can('comment') ? commentForm(`steps:${a.id}`) : null,
        can('propose') ? proposeForm(a.id) : null] : null);
  });
  const pending = r.proposals.filter((p) => p.status === 'pending');
  return h('section', { class: 'stack', 'data-roadmap': id },
    h('p', null, h('a', { href: '#/shared' }, t('shared.title'))),
    h('h1', null, r.title || t('roadmap.untitled')),
    h('p', { class: 'lead' }, t('shared.access', {
      sections: list(acc.sections.map((x) => sectionName(r, x))), date: date(acc.expiresAt),
    })),
    acc.purpose ? h('p', { class: 'meta' }, t('grant.purpose', { purpose: acc.purpose })) : null,
    // A transition's receiving agency reads the hand-over the household
    // wrote for it.
    (r.transitions || []).map((tr) => h('section', { class: 'boxed stack', 'aria-labelledby': `handover-${tr.id}` },
      h('h2', { id: `handover-${tr.id}` }, t('transition.handoverTitle', { kind: t(`transition.kind.${tr.kind}`), date: date(tr.date) })),
      h('p', { class: 'own-words' }, tr.summary || t('area.empty')))),
    acc.sections.includes('household') ? h('p', null, t('shared.members', { names: r.members.map((m) => m.name).join(', ') || '–' })) : null,
    h('section', { class: 'boxed stack', 'aria-labelledby': 'our-steps' }, h('h2', { id: 'our-steps' }, t('shared.ourSteps')),
      ours.length ? h('ul', { class: 'steps' }, ours.map((x) => h('li', null, h('strong', null, x.title), h('span', { class: 'meta' }, x.due ? t('step.by', { date: date(x.due) }) : t('step.noDate'))))) : h('p', null, t('shared.noOurSteps'))),
    pending.length ? h('p', null, plural('proposal.pending', pending.length)) : null,
    areas);
}
