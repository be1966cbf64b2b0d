// Passkeys, for people without a national eID: registering one on one's own
// phone with a caseworker's code, signing in with one, one's passkeys in the
// settings, and the caseworker's codes: for a new person, and for a new
// phone after a lost one (a recovery, which waits before the new phone may
// sign in). Loaded when first needed, so the app's first download stays
// small.
import { h, field, errorBox, toast, confirm, uid } from '../ui.js';
import { t, date } from '../i18n.js';
import * as api from '../api.js';
import { go, route } from '../nav.js';
import * as wa from '../webauthn.js';

// A new phone registered with a recovery code waits before it may sign in:
// when, and for whom, is kept on the phone (localStorage) to tell the
// person again when they come back.
const WAITING = 'veikart.waiting';
const waitingFor = () => {
  try { return JSON.parse(localStorage.getItem(WAITING) || 'null'); } catch { return null; }
};

// started keeps the session a passkey ceremony answered with (api.start
// wipes what another person left on this phone).
async function started(tokens) {
  const s = await api.start(tokens);
  localStorage.removeItem(WAITING);
  return s;
}

// problem says in the person's language what went wrong; forbidden and
// tooMany say what a 403 and a 429 mean where they are answered.
function problem(e, notFound, { forbidden = t('error.forbidden'), tooMany = t('signin.failed.too-many') } = {}) {
  if (wa.cancelled(e)) return t('passkey.cancelled');
  if (e instanceof api.Offline) return t('error.offline');
  if (e instanceof api.ApiError) {
    if (e.status === 404) return notFound;
    if (e.status === 403) return forbidden;
    if (e.status === 401 || e.status === 422) return t('passkey.notVerified');
    if (e.status === 429) return tooMany;
    if (e.status === 503) return t('passkey.unavailable');
  }
  return e.message || String(e);
}

const notSupported = () => h('p', { role: 'alert' }, t('passkey.unsupported'));

// enrol registers a passkey on this phone with the code from a
// caseworker's QR code or link, and signs the person in; with a recovery
// code, the phone waits instead (see waiting).
export async function enrol(code) {
  const title = h('h1', null, t('enrol.title'));
  if (!wa.supported()) return h('section', { class: 'stack' }, title, notSupported());
  let begun;
  const begin = async () => {
    begun = await api.anonymous('POST', '/passkeys/enrol/begin', { code });
    begun.at = Date.now();
  };
  try {
    await begin();
  } catch (e) {
    return h('section', { class: 'stack' }, title, errorBox(problem(e, t('enrol.invalid'))),
      h('p', null, h('a', { href: '#/' }, t('nav.home'))));
  }
  const fresh = begun.kind === 'new';
  const name = h('input', { type: 'text', autocomplete: 'name', required: true, maxlength: 100, value: begun.name });
  const out = h('div', { 'aria-live': 'polite' });
  const form = h('form', {
    class: 'stack',
    onsubmit: async (e) => {
      e.preventDefault();
      out.replaceChildren();
      try {
        // A ceremony waits five minutes on the server.
        if (Date.now() - begun.at > 4 * 60_000) await begin();
        const credential = await wa.create(begun.publicKey);
        const body = { code, ceremonyId: begun.ceremonyId, credential, label: t('passkeys.defaultLabel') };
        if (fresh) body.name = name.value.trim();
        const res = await api.anonymous('POST', '/passkeys/enrol/finish', body);
        if (res?.status === 'waiting') {
          localStorage.setItem(WAITING, JSON.stringify({ name: res.name, effectiveAt: res.effectiveAt }));
          go('/waiting');
          return;
        }
        await started(res);
        toast(t('enrol.done'));
        go('/');
      } catch (err) {
        // The attempt is used up either way; the next one needs a new one.
        begin().catch(() => {});
        out.replaceChildren(errorBox(problem(err, t('enrol.invalid'))));
      }
    },
  },
  fresh ? field(t('enrol.name'), name, t('enrol.nameHint')) : null,
  h('button', { type: 'submit' }, t('enrol.create')), out);
  return h('section', { class: 'stack' }, title,
    h('p', { class: 'lead' }, t(fresh ? 'enrol.intro' : 'enrol.recoveryIntro')),
    form);
}

// waiting tells a new phone that registered with a recovery code when it
// may be used, that the person's other devices were told and can stop it,
// and how to sign in after that.
export function waiting() {
  const w = waitingFor();
  if (!w) { go('/'); return h('p', null, '…'); }
  const time = date(w.effectiveAt, true);
  return h('section', { class: 'stack' },
    h('h1', null, t('waiting.title')),
    h('p', { class: 'lead' }, h('strong', null, t('waiting.when', { time }))),
    h('p', null, t('waiting.told')),
    h('p', null, t('waiting.then', { time, button: t('passkey.signIn') })),
    signInButton(false));
}

// notYet says that this phone's passkey waits still (a sign-in answered 403).
const notYet = () => {
  const w = waitingFor();
  return w ? t('passkey.notYetTime', { time: date(w.effectiveAt, true) }) : t('passkey.notYet');
};

// signInButton signs in with a passkey this phone holds: no name, no code.
// A phone that waits after a recovery code says until when (note).
export function signInButton(note = true) {
  if (!wa.supported()) return null;
  const out = h('div', { 'aria-live': 'polite' });
  const w = note && waitingFor();
  return h('div', { class: 'stack' },
    w && Date.parse(w.effectiveAt) > Date.now() ? h('p', { class: 'note' }, t('waiting.note', { time: date(w.effectiveAt, true) })) : null,
    h('button', {
      type: 'button',
      onclick: async () => {
        out.replaceChildren();
        try {
          const o = await api.anonymous('POST', '/passkeys/login/begin');
          const credential = await wa.get(o.publicKey);
          await started(await api.anonymous('POST', '/passkeys/login/finish', { ceremonyId: o.ceremonyId, credential }));
          const back = sessionStorage.getItem('veikart.after');
          sessionStorage.removeItem('veikart.after');
          go(back || '/');
        } catch (e) {
          out.replaceChildren(errorBox(problem(e, t('signin.failed.expired'), { forbidden: notYet() })));
        }
      },
    }, t('passkey.signIn')),
    h('p', { class: 'hint' }, t('passkey.signInHint')), out);
}

// mine lists the person's passkeys, to add one on this phone or remove one.
export async function mine() {
  const list = (await api.call('GET', '/passkeys')).items;
  const out = h('div', { 'aria-live': 'polite' });
  const remove = async (p) => {
    if (!(await confirm(t('passkeys.removeTitle'), t('passkeys.removeText', { label: p.label }), t('passkeys.remove'), true))) return;
    try {
      await api.call('DELETE', `/passkeys/${p.id}`);
      toast(t('passkeys.removed'));
      route();
    } catch (e) {
      out.replaceChildren(errorBox(e instanceof api.ApiError && e.status === 409 ? t('passkeys.lastOne') : problem(e, t('error.notFound'))));
    }
  };
  const add = async () => {
    out.replaceChildren();
    try {
      const o = await api.call('POST', '/passkeys/begin');
      const credential = await wa.create(o.publicKey);
      await api.call('POST', '/passkeys/finish', { ceremonyId: o.ceremonyId, credential, label: t('passkeys.defaultLabel') });
      toast(t('passkeys.added'));
      route();
    } catch (e) {
      out.replaceChildren(errorBox(e?.name === 'InvalidStateError' ? t('passkeys.already') : problem(e, t('signin.failed.expired'))));
    }
  };
  return h('section', { class: 'stack' },
    h('p', null, h('a', { href: '#/settings' }, t('common.back'))),
    h('h1', null, t('passkeys.title')),
    h('p', { class: 'lead' }, t('passkeys.intro')),
    list.length ? h('ul', { class: 'cards' }, list.map((p) => h('li', { class: 'card' },
      h('strong', null, p.label),
      h('span', { class: 'meta' }, t('passkeys.created', { date: date(p.createdAt, true) })),
      h('span', { class: 'meta' }, p.lastUsedAt ? t('passkeys.lastUsed', { date: date(p.lastUsedAt, true) }) : t('passkeys.neverUsed')),
      h('button', { type: 'button', class: 'link', onclick: () => remove(p) }, t('passkeys.remove'), h('span', { class: 'sr' }, ` ${p.label}`)))))
      : h('p', null, t('passkeys.none')),
    wa.supported() ? h('button', { type: 'button', class: 'secondary', onclick: add }, t('passkeys.add')) : notSupported(),
    out);
}

// codeFigure shows a caseworker's enrolment code (a new person's, or a new
// phone's after a lost one): the QR code, the address it holds, until when
// it works, and what more the caseworker should say (notes).
export function codeFigure(c, alt, ...notes) {
  const cap = uid('qr');
  return h('figure', { class: 'qr', 'aria-labelledby': cap },
    h('img', { src: `data:image/svg+xml;base64,${btoa(c.qr)}`, alt, width: 240, height: 240 }),
    h('figcaption', { id: cap, class: 'stack' },
      h('p', null, t('code.scan', { name: c.name })),
      h('p', null, h('code', null, c.url)),
      h('p', { class: 'note' }, t('code.expires', { time: date(c.expiresAt, true) })),
      notes));
}

// recoveryCode makes, for a caseworker at a home visit, a code with which an
// owner of roadmapId who lost their phone sets up a new one (person is one
// of GET /roadmaps/{id}/recovery-people), and shows it in slot.
export async function recoveryCode(roadmapId, person, slot) {
  const out = slot.querySelector('[aria-live]') || slot.appendChild(h('div', { 'aria-live': 'polite' }));
  out.replaceChildren();
  try {
    const c = await api.call('POST', '/enrolments', { roadmapId, personKey: person.key });
    const fig = codeFigure(c, t('newPhone.qrAlt', { name: c.name }), h('p', null, t('newPhone.after', { name: c.name })));
    slot.replaceChildren(fig);
    // The button pressed is gone: the code has the focus, and is read out.
    fig.tabIndex = -1;
    fig.focus();
  } catch (err) {
    out.replaceChildren(errorBox(problem(err, t('error.notFound'), { forbidden: t('newPhone.forbidden'), tooMany: t('newPhone.tooMany') })));
  }
}

// newCode is the caseworker's screen at a home visit: a one-time code, as a
// QR code, with which a person without an eID makes a passkey on their phone.
export function newCode() {
  const name = h('input', { type: 'text', autocomplete: 'off', required: true, maxlength: 100 });
  const out = h('div', { 'aria-live': 'polite' });
  const box = h('section', { class: 'stack' },
    h('p', null, h('a', { href: '#/shared' }, t('common.back'))),
    h('h1', null, t('code.title')),
    h('p', { class: 'lead' }, t('code.intro')));
  const form = h('form', {
    class: 'stack',
    onsubmit: async (e) => {
      e.preventDefault();
      out.replaceChildren();
      try {
        const c = await api.call('POST', '/enrolments', { name: name.value.trim() });
        form.replaceWith(codeFigure(c, t('code.qrAlt', { name: c.name })),
          h('button', { type: 'button', class: 'secondary', onclick: () => route() }, t('code.another')));
      } catch (err) {
        out.replaceChildren(errorBox(problem(err, t('error.notFound'))));
      }
    },
  },
  field(t('code.name'), name, t('code.nameHint')),
  h('button', { type: 'submit' }, t('code.create')), out);
  box.append(form);
  return box;
}
