// The owners' sharing screens: who may see what and until when, giving and
// taking back access, agencies' requests, the invitation QR code, and who
// read what. These need the network: consent is decided on the server.
import { h, add, field, errorBox, toast, confirm, uid, ask } from '../ui.js';
import { t, date, list, plural } from '../i18n.js';
import * as api from '../api.js';
import * as sync from '../sync.js';
import { route, go } from '../nav.js';
import { areaName } from '../model.js';
import { me } from './account.js';
import { sectionName, daysLeft } from './sections.js';

export { sectionName };

const path = (id, rest) => `/roadmaps/${encodeURIComponent(id)}${rest}`;

const { agencies } = api;

// grantLines says in words what a grant shows and allows: "Ser: Bolig og
// Bolig: steg." and, beyond seeing, "Kan også skrive kommentarer."
function grantLines(r, sections, permissions) {
  const more = permissions.filter((p) => p !== 'view');
  return [
    h('p', null, t('grant.sees', { sections: list(sections.map((x) => sectionName(r, x))) })),
    more.length ? h('p', null, t('grant.may', { what: list(more.map((p) => t(`permission.${p}`))) })) : null,
  ];
}

// sectionPicker is the choice of what an agency may see, grouped by area:
// "what we wrote" and "our steps", each saying in one sentence what it
// shows; areas with something in them first, the empty ones after. The
// checkboxes are named "section" with the section as their value.
export function sectionPicker(r) {
  const box = (value, label, hint) => {
    const hid = uid('h');
    return h('div', { class: 'pick' },
      h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'section', value, 'aria-describedby': hid }), h('span', null, label)),
      h('p', { class: 'hint', id: hid }, hint));
  };
  const stepsIn = (a) => r.steps.filter((x) => x.areaId === a.id).length;
  const filled = (a) => Boolean(a.now || a.desired || a.scoreNow || stepsIn(a));
  const areas = [...r.areas.filter(filled), ...r.areas.filter((a) => !filled(a))];
  const people = r.members.map((m) => (m.birthYear ? `${m.name} (${m.birthYear})` : m.name));
  return h('fieldset', { class: 'stack' }, h('legend', null, t('grant.sections')),
    h('p', { class: 'hint' }, t('grant.sectionsHint')),
    box('household', t('section.household'), t('section.householdHint', { names: people.length ? list(people) : '–' })),
    areas.map((a) => h('fieldset', { class: 'stack area-choice' }, h('legend', null, areaName(a, t)),
      filled(a) ? null : h('p', { class: 'hint' }, t('section.emptyArea')),
      box(`area:${a.id}`, t('section.words'), t('section.wordsHint')),
      box(`steps:${a.id}`, t('section.ourSteps'), plural('section.stepsHint', stepsIn(a))))));
}

// preview shows, in a dialog, exactly what an agency sees (or would see)
// with these sections and permissions: the server projects it as it does
// for the agency's caseworker, and agencyview.js draws it as their screen
// does. Nothing is logged: no agency read anything.
export async function preview(id, agencyId, agency, sections, permissions) {
  const box = h('div', { class: 'stack preview' });
  if (!sections.length) box.append(h('p', null, t('preview.nothing')));
  else {
    try {
      const v = await api.call('POST', path(id, '/preview'), { agencyId: agencyId || 'preview', sections, permissions });
      add(box, h('p', { class: 'lead' }, t('preview.intro', { agency })), grantLines(v, sections, permissions),
        h('h3', null, v.title || t('roadmap.untitled')), (await import('./agencyview.js')).granted(v, v.access));
    } catch (err) {
      box.append(errorBox(err instanceof api.Offline ? t('error.offline') : err));
    }
  }
  await ask(t('preview.title', { agency }), box, [[null, t('preview.close'), 'secondary']]);
}

function header(r, id, title) {
  return [h('p', null, h('a', { href: `#/roadmaps/${id}` }, t('common.backTo', { name: r.title || t('roadmap.untitled') }))), h('h1', null, title)];
}

async function roadmap(id) {
  const r = await sync.refresh(id);
  if (!r) throw new api.ApiError(404, { title: t('error.notFound') });
  return r;
}

// recoverable: the signed-in owner's only way in is a passkey, so an agency
// they choose may help them back in after a lost phone (nobody else is
// asked).
const recoverable = async () => Boolean((await me(true).catch(() => null))?.recoverableByAgency);

// recoveryHelp is the choice, on a grant, to let its agency help me back in
// if I lose my phone: a checkbox labelled by label (a node, so the grant
// form can name the agency chosen) with what it means.
function recoveryHelp(box, label) {
  const hint = uid('h');
  box.setAttribute('aria-describedby', hint);
  return h('div', { class: 'stack' },
    h('label', { class: 'check' }, box, label),
    h('p', { class: 'hint', id: hint }, t('grant.recoveryHint')));
}

export async function sharing(id) {
  const r = await roadmap(id);
  const [grants, requests, names, mayRecover, convs] = await Promise.all([
    api.call('GET', path(id, '/grants')), api.call('GET', path(id, '/access-requests')), agencies().catch(() => []), recoverable(),
    api.call('GET', path(id, '/conversations')).catch(() => ({ items: [] })),
  ]);
  const byId = Object.fromEntries(names.map((a) => [a.id, a.name]));
  // Each agency's conversation with what the household has not read.
  const unread = Object.fromEntries(convs.items.map((c) => [c.agencyId, c.unread]));
  const messages = (g) => (g.permissions.includes('message') || unread[g.agencyId] ? h('a', { class: 'button secondary', href: `#/roadmaps/${id}/messages/${g.agencyId}` },
    unread[g.agencyId] ? plural('messages.linkUnread', unread[g.agencyId]) : t('messages.title'), h('span', { class: 'sr' }, `: ${name(g, byId)}`)) : null);
  // A transition's grant planned ahead is shown with those in force: it
  // is consent given, and can be taken back before it starts.
  const active = grants.items.filter((g) => g.status === 'active' || g.status === 'scheduled');
  const ended = grants.items.filter((g) => g.status !== 'active' && g.status !== 'scheduled');
  const pending = requests.items.filter((q) => q.status === 'pending');
  const grantItem = (g) => h('li', { class: 'card grant' },
    h('h3', null, g.agencyName || byId[g.agencyId] || g.agencyId),
    grantLines(r, g.sections, g.permissions),
    h('p', null, g.status === 'active' ? t('grant.until', { date: date(g.expiresAt) })
      : g.status === 'scheduled' ? t('grant.from', { from: date(g.startsAt), until: date(new Date(Date.parse(g.expiresAt) - 1)) }) : t(`grant.${g.status}`)),
    // Ends within two weeks: say so, and renew with one tap.
    g.status === 'active' && daysLeft(g.expiresAt) <= 14 && !g.via?.startsWith('transition:') ? h('div', { class: 'note stack' },
      h('p', null, plural('expiry.soon', daysLeft(g.expiresAt))),
      h('button', {
        type: 'button', class: 'secondary',
        onclick: async (e) => {
          e.target.disabled = true;
          try {
            const ng = await api.call('PATCH', path(id, `/grants/${g.id}`), { expiresAt: inDays(90) });
            toast(t('expiry.renewed', { name: name(g, byId), date: date(ng.expiresAt) }));
            route();
          } catch (err) {
            e.target.disabled = false;
            toast(err instanceof api.Offline ? t('error.offline') : err.message);
          }
        },
      }, t('expiry.renew'), h('span', { class: 'sr' }, `: ${name(g, byId)}`))) : null,
    h('p', { class: 'meta' }, t('grant.purpose', { purpose: g.purpose })),
    messages(g),
    g.status === 'active' || g.status === 'scheduled' ? h('button', {
      type: 'button', class: 'secondary',
      onclick: () => preview(id, g.agencyId, name(g, byId), g.sections, g.permissions),
    }, t('preview.title', { agency: name(g, byId) })) : null,
    mayRecover && (g.status === 'active' || g.status === 'scheduled') ? recoveryHelp(h('input', {
      type: 'checkbox', checked: Boolean(g.recovery),
      onchange: async (e) => {
        const on = e.target.checked;
        const agency = name(g, byId);
        try {
          await api.call('PATCH', path(id, `/grants/${g.id}`), { recovery: on });
          toast(t(on ? 'grant.recoveryOn' : 'grant.recoveryOff', { agency }));
        } catch (err) {
          e.target.checked = !on;
          toast(err instanceof api.Offline ? t('error.offline') : err.message);
        }
      },
    }), h('span', null, t('grant.recovery', { agency: name(g, byId) }))) : null,
    g.status === 'active' || g.status === 'scheduled' ? h('button', {
      type: 'button', class: 'danger',
      onclick: async () => {
        const name = g.agencyName || byId[g.agencyId];
        // What revoking does, and what it cannot undo.
        if (!(await confirm(t('grant.revoke'), [t('grant.revokeConfirm', { name }), t('grant.revokeKept')], t('grant.revokeYes', { name }), true))) return;
        try {
          await api.call('DELETE', path(id, `/grants/${g.id}`));
          toast(t('grant.revokedNotice', { name }));
          go(`/roadmaps/${id}/sharing`);
        } catch (e) { toast(e.message); }
      },
    }, t('grant.revoke'), h('span', { class: 'sr' }, `: ${name(g, byId)}`)) : null);
  const requestItem = (q) => h('li', { class: 'card' },
    h('h3', null, byId[q.agencyId] || q.agencyId),
    h('p', null, t('request.wants', { sections: list(q.sections.map((x) => sectionName(r, x))) })),
    h('p', { class: 'meta' }, t('grant.purpose', { purpose: q.purpose })),
    h('div', { class: 'actions' },
      h('button', {
        type: 'button', class: 'secondary',
        onclick: async () => {
          await api.call('POST', path(id, `/access-requests/${q.id}/decline`));
          toast(t('request.declined'));
          route();
        },
      }, t('request.decline')),
      h('button', {
        type: 'button',
        onclick: async () => {
          await api.call('POST', path(id, `/access-requests/${q.id}/approve`), { expiresAt: inDays(90) });
          toast(t('request.approved'));
          route();
        },
      }, t('request.approve'))));
  return h('section', { class: 'stack' },
    ...header(r, id, t('sharing.title')),
    h('p', { class: 'lead' }, t('sharing.intro')),
    pending.length ? h('section', { class: 'stack' }, h('h2', null, t('request.title')), h('ul', { class: 'cards' }, pending.map(requestItem))) : null,
    h('h2', null, t('sharing.active')),
    active.length ? h('ul', { class: 'cards' }, active.map(grantItem)) : h('p', null, t('sharing.none')),
    h('div', { class: 'actions' },
      h('a', { class: 'button', href: `#/roadmaps/${id}/sharing/new` }, t('sharing.give')),
      h('a', { class: 'button secondary', href: `#/roadmaps/${id}/sharing/invite` }, t('sharing.invite'))),
    h('a', { class: 'button secondary', href: `#/roadmaps/${id}/helpers` }, t('helper.title')),
    h('a', { class: 'button secondary', href: `#/roadmaps/${id}/transitions` }, t('transition.title')),
    h('a', { class: 'button secondary', href: `#/roadmaps/${id}/log` }, t('log.title')),
    h('a', { class: 'button secondary', href: `#/roadmaps/${id}/receipts` }, t('receipt.title')),
    ended.length ? h('details', null, h('summary', null, t('sharing.ended')), h('ul', { class: 'cards' }, ended.map(grantItem))) : null);
}

const name = (g, byId) => g.agencyName || byId[g.agencyId] || g.agencyId;

function inDays(n) {
  const d = new Date();
  d.setDate(d.getDate() + n);
  d.setHours(23, 59, 0, 0);
  return d.toISOString();
}

// choose is the part of the grant and invitation forms that says what an
// agency may see and do, for how long, and why.
function choose(r) {
  const perms = ['comment', 'propose', 'team', 'message'].map((p) => h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'perm', value: p }), h('span', null, t(`permission.${p}`))));
  const until = h('input', { type: 'date', required: true, value: inDays(90).slice(0, 10), min: inDays(1).slice(0, 10), max: inDays(365).slice(0, 10) });
  const purpose = h('input', { type: 'text', required: true, maxlength: 500 });
  const node = [
    sectionPicker(r),
    h('fieldset', { class: 'stack' }, h('legend', null, t('grant.permissions')), h('p', { class: 'hint' }, t('grant.viewAlways')), perms),
    field(t('grant.untilLabel'), until),
    field(t('grant.purposeLabel'), purpose, t('grant.purposeHint')),
  ];
  // "Dette ser NAV", before saying yes.
  const show = (agencyId, agency) => h('button', {
    type: 'button', class: 'secondary',
    onclick: (e) => { const v = value(e.target.form); preview(r.id, agencyId(), agency(), v.sections, v.permissions); },
  }, t('preview.button'));
  const value = (form) => ({
    sections: [...form.querySelectorAll('input[name=section]:checked')].map((x) => x.value),
    permissions: ['view', ...[...form.querySelectorAll('input[name=perm]:checked')].map((x) => x.value)],
    expiresAt: new Date(`${until.value}T23:59:00`).toISOString(),
    purpose: purpose.value.trim(),
  });
  return { node, value, show };
}

export async function grantForm(id) {
  const r = await roadmap(id);
  const [list0, mayRecover] = await Promise.all([agencies(), recoverable()]);
  const agencyName = () => list0.find((a) => a.id === agencyIn.value)?.name;
  // The choice names the agency chosen above it, once there is one.
  const recoveryLabel = h('span', null, t('grant.recoveryAny'));
  const recoveryBox = h('input', { type: 'checkbox', name: 'recovery' });
  // A young member's missing yes for the chosen agency (members.js).
  let marks = null;
  const agencyIn = h('select', {
    required: true,
    onchange: () => {
      recoveryLabel.textContent = agencyName() ? t('grant.recovery', { agency: agencyName() }) : t('grant.recoveryAny');
      marks?.();
    },
  }, h('option', { value: '' }, t('grant.pickAgency')), list0.map((a) => h('option', { value: a.id }, a.name)));
  const c = choose(r);
  const out = h('div', { 'aria-live': 'polite' });
  const form = h('form', {
    class: 'stack',
    onsubmit: async (e) => {
      e.preventDefault();
      const v = c.value(e.target);
      if (!v.sections.length) { out.replaceChildren(h('p', { class: 'error', role: 'alert' }, t('grant.pickSection'))); return; }
      try {
        const body = { agencyId: agencyIn.value, ...v };
        if (mayRecover && recoveryBox.checked) body.recovery = true;
        await api.call('POST', path(id, '/grants'), body);
        toast(t('grant.given', { name: agencyName() }));
        go(`/roadmaps/${id}/sharing`);
      } catch (err) { out.replaceChildren(errorBox(err)); }
    },
  }, field(t('grant.agency'), agencyIn), ...c.node,
  mayRecover ? h('fieldset', { class: 'stack' }, h('legend', null, t('grant.recoveryLegend')), recoveryHelp(recoveryBox, recoveryLabel)) : null,
  out, c.show(() => agencyIn.value, () => agencyName() || t('preview.theAgency')), h('button', { type: 'submit' }, t('grant.give')));
  import('./members.js').then(async (m) => { marks = await m.markGrantForm(form, r, () => agencyIn.value); }).catch(() => {});
  return h('section', { class: 'stack' }, ...header(r, id, t('sharing.give')), form);
}

// invite makes a one-time code for a caseworker to scan at the table: the
// grant is made to whichever agency the caseworker accepts it for.
export async function invite(id) {
  const r = await roadmap(id);
  const c = choose(r);
  const out = h('div', { 'aria-live': 'polite' });
  const form = h('form', {
    class: 'stack',
    onsubmit: async (e) => {
      e.preventDefault();
      const v = c.value(e.target);
      if (!v.sections.length) { out.replaceChildren(h('p', { class: 'error', role: 'alert' }, t('grant.pickSection'))); return; }
      try {
        const inv = await api.call('POST', path(id, '/invitations'), {
          kind: 'agency', sections: v.sections, permissions: v.permissions, purpose: v.purpose, grantExpiresAt: v.expiresAt, validMinutes: 30,
        });
        const cap = uid('qr');
        form.replaceWith(h('figure', { class: 'qr', 'aria-labelledby': cap },
          h('img', { src: `data:image/svg+xml;base64,${btoa(inv.qr)}`, alt: t('invite.qrAlt'), width: 240, height: 240 }),
          h('figcaption', { id: cap }, t('invite.scan', { time: date(inv.expiresAt, true) })),
          h('p', null, h('a', { href: inv.url }, t('invite.link'))),
          h('p', { class: 'code' }, inv.code)));
      } catch (err) { out.replaceChildren(errorBox(err)); }
    },
  }, ...c.node, out, c.show(() => '', () => t('preview.theAgency')), h('button', { type: 'submit' }, t('invite.make')));
  return h('section', { class: 'stack' }, ...header(r, id, t('sharing.invite')), h('p', null, t('invite.intro')), form);
}

// receipts lists the household's consent decisions, newest first: what
// they said yes or no to, to whom, when and until when.
export async function receipts(id) {
  const r = await roadmap(id);
  const [got, names] = await Promise.all([api.call('GET', path(id, '/receipts')), agencies().catch(() => [])]);
  const byId = Object.fromEntries(names.map((a) => [a.id, a.name]));
  const line = (x) => t(`receipt.${x.kind}`, {
    when: date(x.at, true),
    agency: byId[x.agencyId] || x.agencyId || (x.kind.startsWith('said-') ? t('say.forPoster') : ''),
    // A member's receipt names the member; a helper's, the helper.
    name: x.helperName || r.members?.find((m) => m.id === x.memberId)?.name || '',
    sections: x.sections?.length ? list(x.sections.map((s) => sectionName(r, s))) : t('log.nothing'),
    until: x.expiresAt ? date(new Date(Date.parse(x.expiresAt) - 1)) : '',
    purpose: x.purpose || '',
  });
  const items = [...got.items].sort((a, b) => b.at.localeCompare(a.at));
  return h('section', { class: 'stack' },
    ...header(r, id, t('receipt.title')),
    h('p', { class: 'lead' }, t('receipt.intro')),
    items.length ? h('ol', { class: 'log' }, items.map((x) => h('li', null, line(x)))) : h('p', null, t('receipt.empty')));
}

// log tells who read what, in plain words: "Nina Berg, caseworker at NAV
// Sola, read Housing and Economy on 25 November at 14:02". Reads of the
// same sections by the same person within ten minutes are one line with a
// count: a caseworker opening the roadmap five times at the table read it
// once, as far as the family is concerned.
export async function log(id) {
  const r = await roadmap(id);
  const [entries, names] = await Promise.all([api.call('GET', path(id, '/access-log?limit=100')), agencies().catch(() => [])]);
  const byId = Object.fromEntries(names.map((a) => [a.id, a.name]));
  const lines = collapse(entries.items);
  const who = (e) => {
    // A trusted person or an interpreter, by the name the family gave.
    if (e.role === 'trusted' || e.role === 'interpreter') return t(`log.${e.role}`, { name: e.name || '' });
    if (!e.agencyId) return t('log.member');
    const agency = byId[e.agencyId] || e.agencyId;
    return e.name ? t('log.caseworker', { name: e.name, agency }) : agency;
  };
  const line = (e) => {
    const vars = {
      name: e.name || '', who: who(e),
      sections: e.sections?.length ? list(e.sections.map((x) => sectionName(r, x))) : t('log.nothing'),
      when: date(e.at, true),
    };
    if (e.count > 1) return t(e.action === 'read-messages' ? 'log.readMessagesMany' : 'log.readMany', { ...vars, n: e.count, from: date(e.first, true) });
    // A recovery code names the caseworker itself.
    return t(`log.${e.action}`, e.action === 'recovery-code' ? { ...vars, who: byId[e.agencyId] || e.agencyId } : vars);
  };
  return h('section', { class: 'stack' },
    ...header(r, id, t('log.title')),
    h('p', { class: 'lead' }, t('log.intro')),
    lines.length ? h('ol', { class: 'log' }, lines.map((e) => h('li', null, line(e)))) : h('p', null, t('log.empty')));
}

// collapse joins, newest first, reads by one person of the same sections
// less than ten minutes apart. The server counts repeats into one entry
// already (count, from at to lastAt); two entries still meet where a
// window ended mid-visit, or two servers each counted some.
export function collapse(items) {
  const out = [];
  for (const x of items) {
    const e = { ...x, count: x.count || 1, first: x.at, at: x.lastAt || x.at };
    const last = out[out.length - 1];
    if (last && (e.action === 'read' || e.action === 'read-messages') && last.action === e.action && last.userId === e.userId && last.agencyId === e.agencyId &&
        String(last.sections) === String(e.sections) && Date.parse(last.first) - Date.parse(e.at) < 10 * 60_000) {
      last.count += e.count;
      last.first = e.first;
      continue;
    }
    out.push(e);
  }
  return out;
}
