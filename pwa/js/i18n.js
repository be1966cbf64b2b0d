// Messages come from catalogues in /i18n/<lang>.json, bokmål being the
// default and the fallback for any message a catalogue lacks. Dates and
// numbers are formatted by Intl for the person's language.

export const LANGS = [
  ['nb', 'Norsk bokmål'], ['nn', 'Norsk nynorsk'], ['en', 'English'], ['ar', 'العربية'],
  ['uk', 'Українська'], ['so', 'Soomaali'], ['ti', 'ትግርኛ'],
];
const RTL = new Set(['ar']);
const KEY = 'veikart.lang';

let lang = 'nb';
let messages = {};
let fallback = {};

async function load(l) {
  const res = await fetch(`/i18n/${l}.json`);
  if (!res.ok) throw new Error(`catalogue ${l}: ${res.status}`);
  return res.json();
}

// chosen is the remembered language, else the browser's if we have it.
export function chosen() {
  const saved = localStorage.getItem(KEY);
  if (saved && LANGS.some(([l]) => l === saved)) return saved;
  for (const pref of navigator.languages || []) {
    const base = pref.toLowerCase().split('-')[0];
    if (base === 'no') return 'nb';
    if (LANGS.some(([l]) => l === base)) return base;
  }
  return 'nb';
}

export async function setLang(l, remember) {
  fallback = Object.keys(fallback).length ? fallback : await load('nb');
  try {
    messages = l === 'nb' ? fallback : await load(l);
  } catch {
    // A catalogue that cannot be had (offline before it was cached) must
    // not keep the app from starting: bokmål it is.
    messages = fallback;
    l = 'nb';
  }
  lang = l;
  if (remember) {
    localStorage.setItem(KEY, l);
    // The service worker words reminders in this language too.
    caches.open('veikart-prefs').then((c) => c.put('/prefs/lang', new Response(l))).catch(() => {});
  }
  document.documentElement.lang = l;
  document.documentElement.dir = RTL.has(l) ? 'rtl' : 'ltr';
}

export const current = () => lang;

// t returns the message for key with {name} placeholders filled in.
export function t(key, vars) {
  let m = messages[key] ?? fallback[key] ?? key;
  if (vars) m = m.replace(/\{(\w+)\}/g, (_, k) => (vars[k] ?? ''));
  return m;
}

// plural picks key.one or key.other by Intl's plural rules.
export function plural(key, n, vars) {
  const cat = new Intl.PluralRules(lang).select(n);
  const k = messages[`${key}.${cat}`] || fallback[`${key}.${cat}`] ? `${key}.${cat}` : `${key}.other`;
  return t(k, { n: num(n), ...vars });
}

export const num = (n) => new Intl.NumberFormat(lang).format(n);

// known says whether the browser's Intl has data for the language (the
// bare language, not a fallback to another): Chromium's has none for
// Somali or Tigrinya, and would write Norwegian dates and "og" for them.
// Asked once per language and kind, not for every date on a screen.
const knownCache = new Map();
function known(ctor) {
  const key = `${ctor.name}:${lang}`;
  if (!knownCache.has(key)) knownCache.set(key, ctor.supportedLocalesOf([lang]).some((l) => l.split('-')[0] === lang));
  return knownCache.get(key);
}

const pad = (n) => String(n).padStart(2, '0');

// date formats a "YYYY-MM-DD" day or a timestamp: by Intl where it knows
// the language, else by the catalogue's own pattern and month names.
export function date(v, withTime) {
  const d = typeof v === 'string' && v.length === 10 ? new Date(v + 'T12:00:00') : new Date(v);
  if (known(Intl.DateTimeFormat)) {
    const opts = { day: 'numeric', month: 'long', year: 'numeric' };
    if (withTime) Object.assign(opts, { hour: '2-digit', minute: '2-digit' });
    return new Intl.DateTimeFormat(lang, opts).format(d);
  }
  const day = t('fmt.date', { d: num(d.getDate()), month: t('fmt.months').split('|')[d.getMonth()], y: String(d.getFullYear()) });
  return withTime ? t('fmt.dateTime', { date: day, time: `${pad(d.getHours())}:${pad(d.getMinutes())}` }) : day;
}

// list joins words the way the language does ("Bolig og økonomi"): by Intl
// where it knows the language, else with the catalogue's comma and "and".
export function list(items) {
  if (known(Intl.ListFormat)) return new Intl.ListFormat(lang, { type: 'conjunction' }).format(items);
  if (items.length < 2) return items.join('');
  return items.slice(0, -1).join(t('fmt.comma')) + t('fmt.and') + items[items.length - 1];
}
