// "Støttepersoner og tolk": the people, not agencies, the household lets
// into chosen parts of its roadmap. A trusted person (støtteperson,
// pårørende) reads, and if the family says so writes, until a date; an
// interpreter's session at a home visit runs for a few hours at most. Each
// is invited with a QR code the person scans with their own phone, and
// ended with one tap. Loaded only when opened.
import { h, field, errorBox, toast, uid } from '../ui.js';
import { t, date, list, plural } from '../i18n.js';
import * as api from '../api.js';
import * as sync from '../sync.js';
import { route } from '../nav.js';
import { areaName } from '../model.js';
import { sectionName } from './sections.js';
import { homeDay } from '../ops.js';

const path = (id, rest) => `/roadmaps/${encodeURIComponent(id)}${rest}`;
const inDays = (n) => homeDay(Date.now() + n * 86_400_000);

// sectionsPicker is a checkbox per part of the roadmap: the household list
// and each area (its texts and its steps together, as a family thinks of
// it). value() lists the sections chosen.
function sectionsPicker(r, name, household) {
  const boxes = [];
  const box = (label, sections) => {
    const input = h('input', { type: 'checkbox', name });
    boxes.push([input, sections]);
    return h('label', { class: 'check' }, input, h('span', null, label));
  };
  return {
    node: h('fieldset', { class: 'stack' }, h('legend', null, t('helper.sections')),
      household ? box(t('section.household'), ['household']) : null,
      r.areas.map((a) => box(areaName(a, t), [`area:${a.id}`, `steps:${a.id}`]))),
    value: () => boxes.filter(([i]) => i.checked).flatMap(([, s]) => s),
  };
}

// shown replaces form with the QR code the helper scans, and the link.
function shown(form, inv) {
  const cap = uid('qr');
  form.replaceWith(h('figure', { class: 'qr', 'aria-labelledby': cap },
    h('img', { src: `data:image/svg+xml;base64,${btoa(inv.qr)}`, alt: t('helper.qrAlt'), width: 240, height: 240 }),
    h('figcaption', { id: cap }, t('invite.scan', { time: date(inv.expiresAt, true) })),
    h('p', null, h('a', { href: inv.url }, t('invite.link'))),
    h('p', { class: 'code' }, inv.code),
    h('button', { type: 'button', class: 'secondary', onclick: () => route() }, t('helper.done'))));
}

// send posts an invitation from a form and shows its code.
async function send(id, form, out, body) {
  if (!body.sections.length) { out.replaceChildren(h('p', { class: 'error', role: 'alert' }, t('grant.pickSection'))); return; }
  try {
    const made = await api.call('POST', path(id, '/helpers'), body);
    shown(form, made.invitation);
  } catch (err) { out.replaceChildren(errorBox(err instanceof api.Offline ? t('error.offline') : err)); }
}

function trustedForm(id, r) {
  const name = h('input', { type: 'text', required: true, maxlength: 100, autocomplete: 'off' });
  const until = h('input', { type: 'date', required: true, min: inDays(1), value: inDays(90) });
  const write = h('input', { type: 'checkbox', name: 'write' });
  const pick = sectionsPicker(r, 'trusted-sections', true);
  const out = h('div', { 'aria-live': 'polite' });
  const form = h('form', {
    class: 'stack',
    onsubmit: (e) => {
      e.preventDefault();
      // Through the chosen day: until the next midnight, on this phone.
      const end = new Date(`${until.value}T00:00`);
      end.setDate(end.getDate() + 1);
      send(id, form, out, { kind: 'trusted', name: name.value.trim(), sections: pick.value(), write: write.checked, expiresAt: end.toISOString(), validMinutes: 30 });
    },
  }, h('p', { class: 'hint' }, t('helper.trustedIntro')),
  field(t('helper.name'), name, t('helper.nameHint')), pick.node,
  h('label', { class: 'check' }, write, h('span', null, t('helper.write'))),
  field(t('helper.until'), until), out, h('button', { type: 'submit' }, t('helper.invite')));
  return h('section', { class: 'boxed stack', 'aria-labelledby': 'trusted-new' }, h('h2', { id: 'trusted-new' }, t('helper.trustedNew')), form);
}

function interpreterForm(id, r) {
  const name = h('input', { type: 'text', required: true, maxlength: 100, autocomplete: 'off' });
  const hours = h('select', null, [1, 2, 3, 4, 5, 6, 7, 8].map((n) => h('option', { value: n, selected: n === 2 }, plural('helper.hours', n))));
  const pick = sectionsPicker(r, 'interpreter-sections', false);
  const out = h('div', { 'aria-live': 'polite' });
  const form = h('form', {
    class: 'stack',
    onsubmit: (e) => {
      e.preventDefault();
      send(id, form, out, { kind: 'interpreter', name: name.value.trim(), sections: pick.value(), minutes: Number(hours.value) * 60, validMinutes: 30 });
    },
  }, h('p', { class: 'hint' }, t('helper.interpreterIntro')),
  field(t('helper.name'), name), pick.node, field(t('helper.length'), hours), out, h('button', { type: 'submit' }, t('helper.start')));
  return h('section', { class: 'boxed stack', 'aria-labelledby': 'interpreter-new' }, h('h2', { id: 'interpreter-new' }, t('helper.interpreterNew')), form);
}

// item is one helper: who, what, until when, and the one tap that ends it.
function item(id, r, x) {
  const live = x.status === 'active' || x.status === 'waiting';
  const end = async (e) => {
    e.target.disabled = true;
    try {
      await api.call('DELETE', path(id, `/helpers/${encodeURIComponent(x.id)}`));
      toast(t(x.kind === 'interpreter' ? 'helper.sessionEnded' : 'helper.revoked', { name: x.name }));
      route();
    } catch (err) {
      e.target.disabled = false;
      toast(err instanceof api.Offline ? t('error.offline') : err.message);
    }
  };
  return h('li', { class: 'card stack', 'data-helper': x.id },
    h('h3', null, x.name),
    h('p', { class: 'meta' }, t(`helper.kind.${x.kind}`), ' · ', t(`helper.status.${x.status}`)),
    h('p', null, t(x.write ? 'helper.seesWrites' : 'helper.sees', { sections: list(x.sections.map((s) => sectionName(r, s))) })),
    live ? h('p', null, t('helper.untilLine', { date: date(x.expiresAt, x.kind === 'interpreter') })) : null,
    live ? h('button', { type: 'button', class: 'danger', onclick: end },
      t(x.kind === 'interpreter' ? 'helper.endSession' : 'helper.revoke'), h('span', { class: 'sr' }, `: ${x.name}`)) : null);
}

// helpers is the owners' screen.
export async function helpers(id) {
  const r = await sync.refresh(id);
  if (!r) throw new api.ApiError(404, { title: t('error.notFound') });
  const got = await api.call('GET', path(id, '/helpers'));
  const live = got.items.filter((x) => x.status === 'active' || x.status === 'waiting');
  const ended = got.items.filter((x) => !live.includes(x));
  return h('section', { class: 'stack' },
    h('p', null, h('a', { href: `#/roadmaps/${id}/sharing` }, t('common.backTo', { name: t('sharing.title') }))),
    h('h1', null, t('helper.title')),
    h('p', { class: 'lead' }, t('helper.intro')),
    h('h2', null, t('helper.now')),
    live.length ? h('ul', { class: 'cards' }, live.map((x) => item(id, r, x))) : h('p', null, t('helper.none')),
    interpreterForm(id, r),
    trustedForm(id, r),
    ended.length ? h('details', null, h('summary', null, t('helper.ended')), h('ul', { class: 'cards' }, ended.map((x) => item(id, r, x)))) : null);
}

