// Small DOM helpers. The app builds its screens with h() rather than a
// framework: it keeps the download small for a cheap phone on a poor network.
import { t } from './i18n.js';
import { Offline } from './api.js';
import { route } from './nav.js';

// h creates an element. Props starting with "on" become listeners; false,
// null and undefined props and children are left out.
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === false || v == null) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  append(el, children);
  return el;
}

// put replaces el's children with kids, add appends kids to them: as in
// h, arrays are flattened and false, null and undefined left out. Use them,
// not the DOM's replaceChildren and append, for anything not certainly a
// node or text: those write a null as the text "null".
export const put = (el, ...kids) => { el.replaceChildren(); append(el, kids); return el; };
export const add = (el, ...kids) => { append(el, kids); return el; };

function append(el, kids) {
  for (const c of kids) {
    if (c == null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

const SVG = 'http://www.w3.org/2000/svg';

// s creates an SVG element.
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v != null) el.setAttribute(k, v);
  for (const c of children) if (c) el.append(c);
  return el;
}

let seq = 0;
// uid gives ids for label/input pairs within a page.
export const uid = (p = 'f') => `${p}${++seq}`;

// field is a labelled input, textarea or select, with an optional hint.
export function field(label, control, hint) {
  const id = control.id || (control.id = uid());
  const kids = [h('label', { for: id }, label)];
  if (hint) {
    const hid = uid('h');
    control.setAttribute('aria-describedby', hid);
    kids.push(h('p', { class: 'hint', id: hid }, hint));
  }
  kids.push(control);
  return h('div', { class: 'field' }, kids);
}

// choice is a group of radio buttons drawn as big buttons.
export function choice(legend, name, options, value, onchange) {
  return h('fieldset', { class: 'choice' }, h('legend', null, legend),
    options.map(([v, label]) => h('label', { class: 'opt' },
      h('input', { type: 'radio', name, value: v, checked: v === value, onchange: () => onchange(v) }),
      h('span', null, label))));
}

// toast tells something in a live region, with an optional action (undo,
// which says "done" when it has run). It stays until the person's next
// action (a tap or a key anywhere else, so it never sits over a field being
// edited) or 20 s, and belongs to its screen: leaving the screen ends it
// (see endToast); a toast shown just before moving to the next screen ("the
// step was added") goes with it.
export function toast(message, action) {
  const box = document.getElementById('toast');
  box.replaceChildren(h('p', null, message));
  if (action) {
    box.append(h('button', {
      type: 'button', class: 'link',
      onclick: async () => {
        await action.run();
        if (action.done) toast(action.done);
        else endToast();
      },
    }, action.label));
  }
  box.hidden = false;
  toast.at = performance.now();
  clearTimeout(toast.timer);
  toast.timer = setTimeout(endToast, 20_000);
}

// endToast hides the toast and empties it: no empty bar is left.
export function endToast() {
  const box = document.getElementById('toast');
  clearTimeout(toast.timer);
  box.hidden = true;
  box.replaceChildren();
}

// The next action ends the toast: a tap or key outside it. (The tap that
// made a toast came before it, so it does not count.)
for (const type of ['pointerdown', 'keydown']) {
  addEventListener(type, (e) => {
    const box = document.getElementById('toast');
    if (!box || box.hidden || box.contains(e.target)) return;
    if (e.type === 'keydown' && ['Tab', 'Shift', 'Alt', 'Control', 'Meta'].includes(e.key)) return; // moving to it is not another action
    endToast();
  }, true);
}

// ask shows a modal dialog and resolves to the value of the button chosen
// (or null when dismissed). buttons: [[value, label, class?]].
export function ask(title, body, buttons) {
  return new Promise((resolve) => {
    const tid = uid('d');
    const d = h('dialog', { 'aria-labelledby': tid },
      h('h2', { id: tid }, title), body,
      h('div', { class: 'actions' }, buttons.map(([v, label, cls]) =>
        h('button', { type: 'button', class: cls || '', onclick: () => { d.close(); resolve(v); } }, label))));
    d.addEventListener('cancel', () => resolve(null));
    d.addEventListener('close', () => d.remove());
    document.body.append(d);
    d.showModal();
  });
}

// confirm asks a yes/no question; the yes button says what will happen.
// text is a paragraph, or a list of them.
export const confirm = (title, text, yes, danger) =>
  ask(title, [text].flat().map((p) => h('p', null, p)), [[false, t('common.cancel'), 'secondary'], [true, yes, danger ? 'danger' : '']]).then(Boolean);

export function errorBox(err) {
  return h('p', { class: 'error', role: 'alert' }, err && err.message ? err.message : String(err));
}

// paged shows a log the server sends a page at a time (newest first) as a
// list, with a button for the older entries while there are more. load
// takes a cursor (undefined for the first page) and resolves to
// {items, next?}; line words one entry. Resolves to the nodes to show, or
// to a paragraph saying empty when there is nothing.
export async function paged(load, line, empty) {
  const list = h('ol', { class: 'log' });
  const more = h('div', { 'aria-live': 'polite' });
  const add = async (cursor) => {
    const page = await load(cursor);
    const items = page.items.map((x) => h('li', null, line(x)));
    list.append(...items);
    more.replaceChildren();
    if (page.next) {
      more.append(h('button', {
        type: 'button', class: 'secondary',
        onclick: async (e) => {
          e.target.disabled = true;
          try {
            const first = await add(page.next);
            // The button is gone: the first new entry has the focus.
            if (first) { first.tabIndex = -1; first.focus(); }
          } catch (err) {
            e.target.disabled = false;
            more.append(errorBox(err instanceof Offline ? t('error.offline') : err));
          }
        },
      }, t('common.more')));
    }
    return items[0];
  };
  await add();
  return list.childElementCount ? [list, more] : [h('p', null, empty)];
}

// actThenRedraw is a button's click handler: it runs fn (a call to the
// server) with the button disabled, says done, and draws the screen again;
// on an error it says so and gives the button back.
export const actThenRedraw = (fn, done) => async (e) => {
  e.target.disabled = true;
  try {
    await fn();
    if (done) toast(done);
    route(true);
  } catch (err) {
    e.target.disabled = false;
    toast(err instanceof Offline ? t('error.offline') : err.message);
  }
};

// readOnly is the plain note shown where a person may read but not change
// (may.js decides): the content stays, the controls do not.
export const readOnly = (key = 'may.readOnly') => h('p', { class: 'note', role: 'note', 'data-read-only': '' }, t(key));
