// WebAuthn as JSON: the server sends options with binary members in
// base64url and wants the credential back the same way (WebAuthn Level 3's
// ...JSON forms). Browsers that have PublicKeyCredential.parse...FromJSON
// and toJSON() do this themselves; these few lines do it everywhere.

const enc = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf)))
  .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

function dec(s) {
  const b = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4));
  return Uint8Array.from(b, (c) => c.charCodeAt(0));
}

// supported: the browser can make and use passkeys at all.
export const supported = () => typeof PublicKeyCredential === 'function' && Boolean(navigator.credentials?.create);

const descriptors = (list) => (list || []).map((c) => ({ ...c, id: dec(c.id) }));

// create runs navigator.credentials.create with the server's creation
// options and returns the new credential as JSON for the server.
export async function create(o) {
  const publicKey = { ...o, challenge: dec(o.challenge), user: { ...o.user, id: dec(o.user.id) }, excludeCredentials: descriptors(o.excludeCredentials) };
  const c = await navigator.credentials.create({ publicKey });
  const r = c.response;
  const transports = r.getTransports ? r.getTransports() : [];
  return {
    id: c.id, rawId: enc(c.rawId), type: c.type,
    authenticatorAttachment: c.authenticatorAttachment ?? null,
    response: { clientDataJSON: enc(r.clientDataJSON), attestationObject: enc(r.attestationObject), transports },
    clientExtensionResults: {},
  };
}

// get runs navigator.credentials.get with the server's request options and
// returns the assertion as JSON for the server.
export async function get(o) {
  const publicKey = { ...o, challenge: dec(o.challenge) };
  const c = await navigator.credentials.get({ publicKey, mediation: 'optional' });
  const r = c.response;
  return {
    id: c.id, rawId: enc(c.rawId), type: c.type,
    authenticatorAttachment: c.authenticatorAttachment ?? null,
    response: {
      clientDataJSON: enc(r.clientDataJSON), authenticatorData: enc(r.authenticatorData),
      signature: enc(r.signature), userHandle: r.userHandle ? enc(r.userHandle) : '',
    },
    clientExtensionResults: {},
  };
}

// cancelled: the person closed the phone's passkey prompt (or it timed out).
export const cancelled = (e) => e?.name === 'NotAllowedError' || e?.name === 'AbortError';
