#!/usr/bin/env node
// Runs a real OpenID Provider in the foreground for tests, configured like
// ID-porten (the Norwegian citizen login): oidc-provider, an OpenID Certified
// implementation, so that what our relying party accepts has been checked
// against code that was not written with it.
//
//   PORT=0 OIDC_CLIENTS='[...]' OIDC_ID_TOKEN_TTL=60 node serve.js [port]
//
// PORT (or the first argument): 0 or nothing picks a free port.
// OIDC_CLIENTS: a JSON list of client metadata, e.g.
//   [{"client_id":"veikart","client_secret":"s3cret",
//     "redirect_uris":["http://127.0.0.1:8080/callback"],
//     "token_endpoint_auth_method":"client_secret_post"}]
//   (the method defaults to client_secret_basic).
// OIDC_ID_TOKEN_TTL: ID token lifetime in seconds, default 60.
//
// When it is listening it prints one line of JSON on stdout:
//   {"issuer":"http://127.0.0.1:N"}
// and everything else goes to stderr.
//
// Like ID-porten: authorization code flow only, PKCE with S256 required,
// acr_values idporten-loa-substantial and idporten-loa-high, RS256 ID tokens
// that carry pid (the national identity number), acr, amr and locale
// without a userinfo call, and a pairwise sub. Unlike ID-porten, nobody
// clicks: the authorization request's login_hint says who logs in,
//   login_hint=pid:<11 digits>[;acr:<level>][;amr:<method>]
// and the level defaults to the highest of the requested acr_values (else
// substantial). Consent is granted for whatever was asked. Without a
// login_hint and without a session the request fails with login_required.
import crypto from 'node:crypto';
import http from 'node:http';

// oidc-provider reports notices with console.info, which writes to stdout;
// the JSON line is the only thing the Go helper may read there.
console.log = console.info = (...args) => console.error(...args);

const {default: Provider, interactionPolicy} = await import('oidc-provider');

const host = '127.0.0.1';
const LOA = ['idporten-loa-substantial', 'idporten-loa-high']; // lowest first

const port = Number(process.argv[2] ?? process.env.PORT ?? 0);
const idTokenTTL = Number(process.env.OIDC_ID_TOKEN_TTL || 60);
const clients = JSON.parse(process.env.OIDC_CLIENTS || '[]');
if (!Number.isInteger(port) || port < 0 || port > 65535 || !Number.isInteger(idTokenTTL) || idTokenTTL <= 0 || !Array.isArray(clients)) {
	console.error('serve.js: need PORT 0-65535, OIDC_ID_TOKEN_TTL > 0 seconds and OIDC_CLIENTS a JSON list');
	process.exit(2);
}

// parseHint reads "pid:12345678901;acr:idporten-loa-high;amr:MinID"; it
// returns undefined when there is no valid pid in it.
function parseHint(hint, acrValues) {
	const fields = Object.fromEntries(String(hint ?? '').split(';').map((f) => {
		const i = f.indexOf(':');
		return [f.slice(0, i).trim(), f.slice(i + 1).trim()];
	}));
	if (!/^\d{11}$/.test(fields.pid ?? '')) {
		return undefined;
	}
	const requested = String(acrValues ?? '').split(' ').filter((v) => LOA.includes(v));
	const highest = requested.sort((a, b) => LOA.indexOf(b) - LOA.indexOf(a))[0];
	return {pid: fields.pid, acr: fields.acr || highest || LOA[0], amr: fields.amr || 'BankID'};
}

// The locale each person last logged in with, from ui_locales, for the
// locale claim: the token endpoint, which builds the ID token, no longer
// sees the authorization request's parameters.
const locales = new Map();

// A login_hint naming someone else, or another level, than the session's
// forces a new login, so that one cookie jar can log in several people.
const policy = interactionPolicy.base();
policy.get('login').checks.add(new interactionPolicy.Check('login_hint_mismatch', 'login_hint names another login', (ctx) => {
	const hint = parseHint(ctx.oidc.params.login_hint, ctx.oidc.params.acr_values);
	const {session} = ctx.oidc;
	return hint !== undefined && (hint.pid !== session.accountId || hint.acr !== session.acr);
}));

const {privateKey} = crypto.generateKeyPairSync('rsa', {modulusLength: 2048});
const signingKey = {...privateKey.export({format: 'jwk'}), kid: crypto.randomUUID(), use: 'sig', alg: 'RS256'};
// Deterministic, so the same pid gets the same sub for a client across runs.
const pairwiseSalt = 'veikart-test-idporten';

const config = {
	clients: clients.map((c) => ({
		grant_types: ['authorization_code'],
		response_types: ['code'],
		token_endpoint_auth_method: 'client_secret_basic',
		...c,
	})),
	responseTypes: ['code'],
	pkce: {required: () => true}, // 9.x supports only S256
	acrValues: LOA,
	scopes: ['openid', 'profile'],
	// What ID-porten's ID token carries for scope openid. acr and amr come
	// from the login; listing them here puts them in every ID token, not
	// only when the request asked for them.
	claims: {
		openid: ['sub', 'pid', 'locale', 'acr', 'amr', 'auth_time'],
	},
	// Scope claims go into the ID token (as ID-porten puts pid there), not
	// only into the userinfo response.
	conformIdTokenClaims: false,
	subjectTypes: ['pairwise'],
	clientDefaults: {subject_type: 'pairwise', id_token_signed_response_alg: 'RS256'},
	pairwiseIdentifier: (ctx, accountId, client) =>
		crypto.hash('sha256', `${client.clientId}|${accountId}|${pairwiseSalt}`, 'base64url'),
	clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
	enabledJWA: {idTokenSigningAlgValues: ['RS256']},
	jwks: {keys: [signingKey]},
	cookies: {keys: [crypto.randomBytes(32).toString('base64url')]},
	features: {
		devInteractions: {enabled: false},
		userinfo: {enabled: true},
		rpInitiatedLogout: {enabled: true},
	},
	ttl: {
		AccessToken: 120,
		AuthorizationCode: 60,
		IdToken: idTokenTTL,
		Interaction: 600,
		Session: 3600,
		Grant: 3600,
	},
	interactions: {
		policy,
		url: (ctx, interaction) => `/interaction/${interaction.uid}`,
	},
	findAccount: (ctx, accountId) => ({
		accountId,
		claims: () => ({sub: accountId, pid: accountId, locale: locales.get(accountId) ?? 'nb'}),
	}),
	renderError: (ctx, out) => {
		ctx.type = 'json';
		ctx.body = out;
	},
	clientBasedCORS: () => false,
};

// The interaction: log in the person named by login_hint, at its level, and
// consent to everything requested, then send the browser back.
async function interact(provider, req, res) {
	const interaction = await provider.interactionDetails(req, res);
	const {prompt, params, session, grantId} = interaction;
	const result = {};
	let accountId = session?.accountId;
	if (prompt.name === 'login') {
		const hint = parseHint(params.login_hint, params.acr_values);
		if (!hint) {
			const error = {error: 'login_required', error_description: 'the test provider needs login_hint=pid:<11 digits>[;acr:<level>]'};
			return provider.interactionFinished(req, res, error, {mergeWithLastSubmission: false});
		}
		if (session?.accountId && session.accountId !== hint.pid) {
			// Someone else logs in on this browser. oidc-provider would ask
			// the browser to confirm a logout first (an auto-submitting form);
			// ID-porten just replaces the session, so forget the old login,
			// in the session and in the interaction that remembers it.
			const old = await provider.Session.findByUid(session.uid);
			if (old) {
				delete old.accountId;
				old.authorizations = {};
				await old.persist();
			}
			delete interaction.session;
			await interaction.save(interaction.exp - Math.floor(Date.now() / 1000));
		}
		accountId = hint.pid;
		result.login = {accountId, acr: hint.acr, amr: [hint.amr], remember: true};
		locales.set(accountId, ['nb', 'nn', 'en', 'se'].find((l) => String(params.ui_locales ?? '').split(' ').includes(l)) ?? 'nb');
	}
	const grant = grantId && prompt.name !== 'login'
		? await provider.Grant.find(grantId)
		: new provider.Grant({accountId, clientId: params.client_id});
	grant.addOIDCScope(params.scope);
	result.consent = {grantId: await grant.save()};
	return provider.interactionFinished(req, res, result, {mergeWithLastSubmission: false});
}

// Listen first: the issuer names the port, which is known only now.
let handler = (req, res) => {
	res.statusCode = 503;
	res.end();
};
const server = http.createServer((req, res) => handler(req, res));
server.listen(port, host, () => {
	const issuer = `http://${host}:${server.address().port}`;
	const provider = new Provider(issuer, config);
	const oidc = provider.callback();
	handler = (req, res) => {
		if (req.method === 'GET' && req.url.startsWith('/interaction/')) {
			interact(provider, req, res).catch((err) => {
				console.error('serve.js: interaction:', err);
				res.statusCode = 500;
				res.end(String(err));
			});
			return;
		}
		oidc(req, res);
	};
	process.stdout.write(JSON.stringify({issuer}) + '\n');
});

// Exit when the parent goes away (its end of stdin closes) so that a test
// binary killed by a timeout leaves no provider behind.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
process.on('SIGTERM', () => process.exit(0));
