// Read-aloud, the part the screens call: a place for a button that reads a
// question, its hint and the family's own words aloud. The place is drawn at
// once and stays empty; speech.js (loaded only when a screen has such a
// place) fills it when the phone has a voice for the app's language, and
// with a quiet note when it has none. So the app shell carries only this.

import { h } from './ui.js';
import { t } from './i18n.js';

const KEY = 'veikart.readAloud';

/** Whether the person wants the read-aloud buttons (on unless turned off in settings). */
export const readAloudOn = () => localStorage.getItem(KEY) !== 'off';

/** Turns the read-aloud buttons on or off on this phone. */
export function setReadAloud(on) {
  if (on) localStorage.removeItem(KEY);
  else localStorage.setItem(KEY, 'off');
}

const supported = () => typeof speechSynthesis !== 'undefined' && typeof SpeechSynthesisUtterance !== 'undefined';

/**
 * readAloudButton returns a place for a read-aloud button.
 * @param {string|string[]|Element} what  the text to read, or an element whose
 *   visible text (its labels, paragraphs and the values of its text fields,
 *   read when tapped, so an edit is read as it stands) is read
 * @param {string} [name]  what the button reads, for its accessible name
 *   ("Les opp: Slik er det nå"); the first label or heading in what when left out
 * @returns {HTMLElement}
 */
export function readAloudButton(what, name) {
  const slot = document.createElement('span');
  slot.className = 'speak-slot';
  if (readAloudOn() && supported()) {
    // A module that fails to load (offline before it was cached) leaves
    // the place empty: the screen works as before.
    import('./speech.js').then((m) => m.fill(slot, what, name)).catch(() => {});
  }
  return slot;
}

/**
 * speakable puts a read-aloud button into a labelled field (ui.js field)
 * or any block, beside its label, and returns the block: one call per place
 * in a view, speakable(field(...)).
 * @template {HTMLElement} T
 * @param {T} el
 * @returns {T}
 */
export function speakable(el) {
  el.prepend(readAloudButton(el));
  return el;
}

/**
 * readAloudPanel is the settings' part: the buttons on or off, and whether
 * this phone has a voice for the app's language (said by speech.js, which
 * waits for the phone's voices).
 * @returns {HTMLElement}
 */
export function readAloudPanel() {
  const said = h('p', { class: 'speak-status' });
  if (supported()) import('./speech.js').then((m) => m.status(said)).catch(() => {});
  else said.textContent = t('speech.unsupported');
  return h('section', { class: 'stack boxed' },
    h('h2', null, t('speech.title')),
    said,
    h('label', { class: 'check' },
      h('input', { type: 'checkbox', checked: readAloudOn(), onchange: (e) => setReadAloud(e.target.checked) }),
      h('span', null, t('speech.show'))));
}
