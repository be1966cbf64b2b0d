// Read-aloud through the browser's speech synthesis (Web Speech API), loaded
// only when a screen has something to read (see readaloud.js). For a person
// who reads poorly: the questions, the hints and the family's own words, in
// the app's language, with a voice the phone has. Where the phone has no
// voice for that language (Somali and Tigrinya voices are rare) there is no
// button, and a quiet note says why, once on each screen.
import { h, s } from './ui.js';
import { t, current } from './i18n.js';

const synth = globalThis.speechSynthesis;

// The voice languages that serve each app language, best first. A phone
// may name its Norwegian voice "nb" or "no"; nynorsk voices are rare, and a
// bokmål voice reads nynorsk well enough.
const serves = { nb: ['nb', 'no', 'nn'], nn: ['nn', 'nb', 'no'], en: ['en'], uk: ['uk'], ar: ['ar'], so: ['so'], ti: ['ti'] };

// The language of a text by its letters: Norwegian words read with an
// Arabic voice are noise, so a family's Norwegian words in the Arabic app
// are read with a Norwegian voice, and Arabic words in the Norwegian app
// with an Arabic one. Latin letters are the app's language where that is
// written in them (nb, nn, en, so), else Norwegian, the language such a
// family most likely writes beside its own.
const scripts = [['Arabic', 'ar'], ['Cyrillic', 'uk'], ['Ethiopic', 'ti'], ['Latin', null]]
  .map(([script, lang]) => [new RegExp(`\\p{Script=${script}}`, 'gu'), lang]);
const latin = new Set(['nb', 'nn', 'en', 'so']);
const primary = (tag) => String(tag || '').toLowerCase().split(/[-_]/)[0];

/** languageOf is the app language whose voice should read text, by its letters. */
export function languageOf(text, app) {
  let best = app; // digits and signs only: the app's
  let most = 0;
  for (const [letters, lang] of scripts) {
    const n = text.match(letters)?.length || 0;
    if (n > most) { most = n; best = lang ?? (latin.has(app) ? app : 'nb'); }
  }
  return best;
}

// The voices, as the browser lists them. Chromium lists none at first and
// fires voiceschanged when it has them (speech-dispatcher on Linux, started
// by the browser, took 5 s the first time, 0.4 s after); some browsers
// never fire it when they have none. Places wait 3 s, then draw what is
// known, and are drawn again when the voices come. Only voices on
// the phone count: a network voice (Chrome's "Google" voices on a desktop)
// would send the family's words to a third party.
let voices = [];
let known = false; // the list was read at least once, or waited for long enough
let waiting = null;

function read() {
  const all = synth.getVoices(); // espeak-ng through speech-dispatcher: 13 362
  voices = all.filter((v) => v.localService);
  if (all.length) known = true;
}

function ready() {
  read();
  if (known) return Promise.resolve();
  waiting ||= new Promise((resolve) => {
    synth.addEventListener('voiceschanged', () => { read(); resolve(); }, { once: true });
    // A browser with no voices may never say so.
    setTimeout(() => { known = true; resolve(); }, 3000);
  });
  return waiting;
}

// Voices that come (or go) later redraw every place on the screen.
synth?.addEventListener('voiceschanged', () => {
  read();
  for (const slot of document.querySelectorAll('.speak-slot')) if (places.has(slot)) draw(slot);
  for (const p of document.querySelectorAll('.speak-status')) say(p);
});

/** voiceFor is the phone's best voice for an app language, or null. */
export function voiceFor(lang) {
  const wanted = serves[lang] || [primary(lang)];
  const rank = (v) => wanted.indexOf(primary(v.lang));
  return voices.filter((v) => rank(v) >= 0)
    .sort((a, b) => rank(a) - rank(b) || Number(b.default) - Number(a.default) || a.name.length - b.name.length || a.name.localeCompare(b.name))[0] || null;
}

// What each place reads, and what its button is called.
const places = new WeakMap();

/** fill draws a place made by readaloud.js once the voices are known. */
export async function fill(slot, what, name) {
  places.set(slot, { what, name });
  await ready();
  draw(slot);
}

function draw(slot) {
  const { what, name } = places.get(slot);
  // The button reading now stays (a new one would cut the reading short).
  if (active && slot.contains(active.button)) return;
  slot.classList.remove('noted');
  if (voiceFor(current())) {
    slot.replaceChildren(button(what, name ?? nameOf(what)));
    return;
  }
  slot.replaceChildren();
  // No voice for the language, though the phone has voices (a phone with
  // none at all has no speech to speak of; settings say so): the first
  // place on the screen says it, once.
  if (voices.length) note(slot, 10);
}

// note shows the missing voice in the slot when it is the first on its
// screen. A slot is drawn before its screen is on the page: until it is,
// whether it is the first cannot be told, so it asks again a frame later.
function note(slot, tries) {
  if (!slot.isConnected) {
    if (tries > 0) requestAnimationFrame(() => note(slot, tries - 1));
    return;
  }
  const screen = slot.closest('main') || document.body;
  if (screen.querySelector('.speak-slot') !== slot) return;
  slot.classList.add('noted');
  slot.replaceChildren(h('span', { class: 'note speak-note' }, t('speech.noVoice')));
}

// nameOf is what a block reads, for its button's name: its label or heading.
function nameOf(what) {
  if (!(what instanceof Element)) return '';
  const el = what.matches('label, legend, h1, h2, h3') ? what : what.querySelector('label, legend, h1, h2, h3');
  return el ? textOf(el) : '';
}

function button(what, name) {
  const icon = s('svg', { viewBox: '0 0 24 24', 'aria-hidden': 'true', focusable: 'false', class: 'speak-icon' },
    s('path', { d: 'M4 9v6h4l5 4V5L8 9z', class: 'speaker' }),
    s('path', { d: 'M16 8.5a4.5 4.5 0 0 1 0 7M18.5 6a8 8 0 0 1 0 12', class: 'waves' }),
    s('rect', { x: 6, y: 6, width: 12, height: 12, rx: 1.5, class: 'stop' }));
  const b = h('button', {
    type: 'button', class: 'speak', 'aria-pressed': 'false',
    onclick: () => (active?.button === b ? stop() : speak(b, partsOf(what))),
  }, icon, h('span', { class: 'sr' }, name ? t('speech.readWhat', { what: name }) : t('speech.read')));
  return b;
}

// The text of a place, in blocks: each label, heading, paragraph and list
// item, and the value of each text field, read as one utterance each so
// that the voice pauses between the question and the answer. Only what is
// on the screen: nothing hidden, nothing only for screen readers (the
// buttons' own names), never the read-aloud places themselves.
const blocks = 'label, legend, h1, h2, h3, h4, p, li, dt, dd, blockquote, figcaption';
const fields = 'textarea, input:not([type]), input[type=text], input[type=search]';

export function partsOf(what) {
  if (typeof what === 'string') return what.trim() ? [what.trim()] : [];
  if (Array.isArray(what)) return what.map((x) => String(x).trim()).filter(Boolean);
  const out = [];
  const walk = (el) => {
    if (hidden(el)) return;
    if (el.matches(fields)) { if (el.value.trim()) out.push(el.value.trim()); return; }
    // A block that holds other blocks (a list item with paragraphs) is read
    // block by block.
    if (el.matches(blocks) && !el.querySelector(`${blocks}, ${fields}`)) {
      const text = textOf(el);
      if (text) out.push(text);
      return;
    }
    for (const c of el.children) walk(c);
  };
  walk(what);
  return out;
}

function hidden(el) {
  if (el.classList.contains('speak-slot') || el.classList.contains('sr')) return true;
  if (el.hidden || el.getAttribute('aria-hidden') === 'true') return true;
  if (el.checkVisibility && !el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) return true;
  return false;
}

// textOf is an element's visible text, the way it reads on the screen.
function textOf(el) {
  let text = '';
  for (const n of el.childNodes) {
    if (n.nodeType === Node.TEXT_NODE) text += n.nodeValue;
    else if (n.nodeType === Node.ELEMENT_NODE && !hidden(n)) text += n.matches(fields) ? n.value : textOf(n);
  }
  return text.replace(/\s+/g, ' ').trim();
}

// What is being read: the button that started it, and how many of its
// utterances are left. One at a time: a second button stops the first.
let active = null;

function speak(b, parts) {
  stop();
  const lang = current();
  const queue = [];
  for (const text of parts) {
    // Words in a language the phone has no voice for are left out rather
    // than read as noise by another language's voice.
    const voice = voiceFor(languageOf(text, lang));
    if (!voice) continue;
    const u = new SpeechSynthesisUtterance(text);
    u.voice = voice;
    u.lang = voice.lang;
    queue.push(u);
  }
  if (!queue.length) return;
  active = { button: b, left: queue.length };
  b.setAttribute('aria-pressed', 'true');
  for (const u of queue) {
    const done = () => {
      if (active?.button !== b) return;
      if (--active.left <= 0) stop();
    };
    u.addEventListener('end', done);
    u.addEventListener('error', done);
    synth.speak(u);
  }
}

/** stop ends the reading, if any, and lets its button go. */
export function stop() {
  const was = active;
  active = null;
  was?.button.setAttribute('aria-pressed', 'false');
  if (synth && (synth.speaking || synth.pending)) synth.cancel();
}

// Reading belongs to its screen: moving to another, or the screen being
// drawn again (another language, say) without the button, stops it.
addEventListener('hashchange', stop);
addEventListener('pagehide', stop);
new MutationObserver(() => { if (active && !active.button.isConnected) stop(); })
  .observe(document.getElementById('main') || document.body, { childList: true, subtree: true });

/** status says in settings whether this phone can read aloud in the app's language. */
export async function status(p) {
  await ready();
  say(p);
}

function say(p) {
  p.textContent = voiceFor(current()) ? t('speech.hasVoice') : voices.length ? t('speech.noVoice') : t('speech.unsupported');
}
