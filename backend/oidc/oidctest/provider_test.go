package oidctest_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/veikart/veikart/backend/oidc/oidctest"
)

const (
	pid         = "01017012345"
	otherPID    = "31129956789"
	redirectURI = "http://127.0.0.1:9/callback" // never contacted: Authorize stops before it
)

// rp is a relying party of the provider, as backend/auth will be one.
type rp struct {
	provider *oidc.Provider
	config   oauth2.Config
	verifier *oidc.IDTokenVerifier
}

func mustStart(tb testing.TB, ttl time.Duration, clients ...oidctest.Client) *oidctest.Provider {
	tb.Helper()
	return oidctest.Start(tb, oidctest.Options{Clients: clients, IDTokenTTL: ttl})
}

func mustRP(tb testing.TB, p *oidctest.Provider, c oidctest.Client) *rp {
	tb.Helper()
	provider, err := oidc.NewProvider(tb.Context(), p.Issuer)
	if err != nil {
		tb.Fatalf("discovery: %v", err)
	}
	endpoint := provider.Endpoint()
	endpoint.AuthStyle = oauth2.AuthStyleInHeader
	if c.AuthMethod == "client_secret_post" {
		endpoint.AuthStyle = oauth2.AuthStyleInParams
	}
	return &rp{
		provider: provider,
		config: oauth2.Config{
			ClientID:     c.ID,
			ClientSecret: c.Secret,
			Endpoint:     endpoint,
			RedirectURL:  c.RedirectURIs[0],
			Scopes:       []string{oidc.ScopeOpenID},
		},
		verifier: provider.Verifier(&oidc.Config{ClientID: c.ID}),
	}
}

// idportenClaims are the ID token claims ID-porten gives and we rely on.
type idportenClaims struct {
	Sub    string   `json:"sub"`
	PID    string   `json:"pid"`
	Nonce  string   `json:"nonce"`
	ACR    string   `json:"acr"`
	AMR    []string `json:"amr"`
	Locale string   `json:"locale"`
	Iat    int64    `json:"iat"`
	Exp    int64    `json:"exp"`
}

// login runs one authorization request through Authorize and returns the
// redirect back to the client and the PKCE verifier used.
func (r *rp) login(t *testing.T, browser *http.Client, state, nonce string, params ...oauth2.AuthCodeOption) (*url.URL, string) {
	t.Helper()
	verifier := oauth2.GenerateVerifier()
	opts := append([]oauth2.AuthCodeOption{oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)}, params...)
	cb := oidctest.Authorize(t, browser, r.config.AuthCodeURL(state, opts...))
	if got := cb.Query().Get("state"); got != state {
		t.Fatalf("callback state %q, want %q (callback %s)", got, state, cb)
	}
	return cb, verifier
}

// code returns the callback's code, failing on an error response.
func code(t *testing.T, cb *url.URL) string {
	t.Helper()
	q := cb.Query()
	if q.Get("error") != "" || q.Get("code") == "" {
		t.Fatalf("callback %s: want a code, got error %q: %s", cb, q.Get("error"), q.Get("error_description"))
	}
	return q.Get("code")
}

func (r *rp) exchange(t *testing.T, code, verifier string) (*oauth2.Token, error) {
	t.Helper()
	return r.config.Exchange(t.Context(), code, oauth2.VerifierOption(verifier))
}

// verify checks the token response's ID token (signature against the JWKS,
// issuer, audience, expiry) and returns its claims.
func (r *rp) verify(t *testing.T, tok *oauth2.Token) idportenClaims {
	t.Helper()
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		t.Fatalf("token response has no id_token")
	}
	idt, err := r.verifier.Verify(t.Context(), raw)
	if err != nil {
		t.Fatalf("verify ID token: %v", err)
	}
	var c idportenClaims
	if err := idt.Claims(&c); err != nil {
		t.Fatalf("ID token claims: %v", err)
	}
	return c
}

func wantOAuthError(t *testing.T, err error, code string) {
	t.Helper()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorCode != code {
		t.Fatalf("token exchange: got %v, want the error %s", err, code)
	}
}

func TestProvider_Discovery(t *testing.T) {
	t.Parallel()
	p := mustStart(t, 0)
	provider, err := oidc.NewProvider(t.Context(), p.Issuer)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Issuer              string   `json:"issuer"`
		ACRValues           []string `json:"acr_values_supported"`
		ChallengeMethods    []string `json:"code_challenge_methods_supported"`
		ResponseTypes       []string `json:"response_types_supported"`
		GrantTypes          []string `json:"grant_types_supported"`
		SigningAlgs         []string `json:"id_token_signing_alg_values_supported"`
		TokenEndpointAuth   []string `json:"token_endpoint_auth_methods_supported"`
		ClaimsSupported     []string `json:"claims_supported"`
		JWKSURI             string   `json:"jwks_uri"`
		AuthorizationIssuer bool     `json:"authorization_response_iss_parameter_supported"`
	}
	if err := provider.Claims(&doc); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name      string
		got, want []string
	}{
		{"acr_values_supported", doc.ACRValues, []string{oidctest.LevelSubstantial, oidctest.LevelHigh}},
		{"code_challenge_methods_supported", doc.ChallengeMethods, []string{"S256"}},
		{"response_types_supported", doc.ResponseTypes, []string{"code"}},
		{"grant_types_supported", doc.GrantTypes, []string{"authorization_code"}},
		{"id_token_signing_alg_values_supported", doc.SigningAlgs, []string{"RS256"}},
		{"token_endpoint_auth_methods_supported", doc.TokenEndpointAuth, []string{"client_secret_basic", "client_secret_post"}},
	} {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if doc.Issuer != p.Issuer || doc.JWKSURI != p.Issuer+"/jwks" {
		t.Errorf("issuer %q, jwks_uri %q; want %q and its /jwks", doc.Issuer, doc.JWKSURI, p.Issuer)
	}
	for _, claim := range []string{"pid", "acr", "amr", "locale"} {
		if !slices.Contains(doc.ClaimsSupported, claim) {
			t.Errorf("claims_supported %q lacks %s", doc.ClaimsSupported, claim)
		}
	}
}

func TestProvider_Login(t *testing.T) {
	t.Parallel()
	basic := oidctest.Client{ID: "veikart-basic", Secret: "basic-secret", RedirectURIs: []string{redirectURI}}
	post := oidctest.Client{ID: "veikart-post", Secret: "post-secret", RedirectURIs: []string{redirectURI}, AuthMethod: "client_secret_post"}
	const ttl = 7 * time.Second
	p := mustStart(t, ttl, basic, post)

	for _, tc := range []struct {
		name      string
		client    oidctest.Client
		acrValues string // requested
		hint      string
		wantACR   string
		wantAMR   string
	}{
		{"SubstantialRequested", basic, oidctest.LevelSubstantial, oidctest.LoginHint(pid, ""), oidctest.LevelSubstantial, "BankID"},
		{"HighRequested", basic, oidctest.LevelHigh, oidctest.LoginHint(pid, ""), oidctest.LevelHigh, "BankID"},
		{"HighestOfRequested", post, oidctest.LevelSubstantial + " " + oidctest.LevelHigh, oidctest.LoginHint(pid, ""), oidctest.LevelHigh, "BankID"},
		{"NothingRequested", post, "", oidctest.LoginHint(pid, ""), oidctest.LevelSubstantial, "BankID"},
		// The person logs in lower than asked: the relying party must notice.
		{"HintBelowRequested", basic, oidctest.LevelHigh, oidctest.LoginHint(pid, oidctest.LevelSubstantial) + ";amr:MinID", oidctest.LevelSubstantial, "MinID"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := mustRP(t, p, tc.client)
			params := []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("login_hint", tc.hint)}
			if tc.acrValues != "" {
				params = append(params, oauth2.SetAuthURLParam("acr_values", tc.acrValues))
			}
			cb, verifier := r.login(t, nil, "state-"+tc.name, "nonce-"+tc.name, params...)
			if iss := cb.Query().Get("iss"); iss != p.Issuer {
				t.Errorf("callback iss %q, want %q", iss, p.Issuer)
			}
			tok, err := r.exchange(t, code(t, cb), verifier)
			if err != nil {
				t.Fatalf("exchange: %v", err)
			}
			c := r.verify(t, tok)
			if c.PID != pid || c.Nonce != "nonce-"+tc.name || c.ACR != tc.wantACR || !slices.Equal(c.AMR, []string{tc.wantAMR}) || c.Locale != "nb" {
				t.Errorf("claims %+v; want pid %s, nonce-%s, acr %s, amr [%s], locale nb", c, pid, tc.name, tc.wantACR, tc.wantAMR)
			}
			if c.Sub == "" || c.Sub == pid {
				t.Errorf("sub %q: want a pairwise identifier, not the pid", c.Sub)
			}
			if got := time.Duration(c.Exp-c.Iat) * time.Second; got != ttl {
				t.Errorf("exp - iat = %v, want %v", got, ttl)
			}
		})
	}
}

func TestProvider_Refusals(t *testing.T) {
	t.Parallel()
	client := oidctest.Client{ID: "veikart", Secret: "secret", RedirectURIs: []string{redirectURI}}
	p := mustStart(t, 0, client)
	hint := oauth2.SetAuthURLParam("login_hint", oidctest.LoginHint(pid, ""))

	t.Run("NoCodeChallenge", func(t *testing.T) {
		t.Parallel()
		r := mustRP(t, p, client)
		cb := oidctest.Authorize(t, nil, r.config.AuthCodeURL("s", oidc.Nonce("n"), hint))
		if q := cb.Query(); q.Get("error") != "invalid_request" || q.Get("code") != "" || q.Get("state") != "s" {
			t.Errorf("callback %s: want error invalid_request, no code", cb)
		}
	})
	t.Run("NoLoginHint", func(t *testing.T) {
		t.Parallel()
		r := mustRP(t, p, client)
		cb, _ := r.login(t, nil, "s", "n")
		if q := cb.Query(); q.Get("error") != "login_required" || q.Get("code") != "" {
			t.Errorf("callback %s: want error login_required, no code", cb)
		}
	})
	t.Run("WrongVerifier", func(t *testing.T) {
		t.Parallel()
		r := mustRP(t, p, client)
		cb, _ := r.login(t, nil, "s", "n", hint)
		_, err := r.exchange(t, code(t, cb), oauth2.GenerateVerifier())
		wantOAuthError(t, err, "invalid_grant")
	})
	t.Run("CodeUsedTwice", func(t *testing.T) {
		t.Parallel()
		r := mustRP(t, p, client)
		cb, verifier := r.login(t, nil, "s", "n", hint)
		c := code(t, cb)
		if _, err := r.exchange(t, c, verifier); err != nil {
			t.Fatalf("first exchange: %v", err)
		}
		_, err := r.exchange(t, c, verifier)
		wantOAuthError(t, err, "invalid_grant")
	})
	t.Run("WrongSecret", func(t *testing.T) {
		t.Parallel()
		r := mustRP(t, p, client)
		r.config.ClientSecret = "not-the-secret"
		cb, verifier := r.login(t, nil, "s", "n", hint)
		_, err := r.exchange(t, code(t, cb), verifier)
		wantOAuthError(t, err, "invalid_client")
	})
}

// TestProvider_Session shows that one browser keeps its session, and that a
// login_hint naming someone else logs that person in instead.
func TestProvider_Session(t *testing.T) {
	t.Parallel()
	client := oidctest.Client{ID: "veikart", Secret: "secret", RedirectURIs: []string{redirectURI}}
	p := mustStart(t, 0, client)
	r := mustRP(t, p, client)
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	browser := &http.Client{Jar: jar}

	for i, tc := range []struct {
		hint    string // empty: none, the session decides
		wantPID string
		wantACR string
	}{
		{oidctest.LoginHint(pid, oidctest.LevelHigh), pid, oidctest.LevelHigh},
		{"", pid, oidctest.LevelHigh},
		{oidctest.LoginHint(otherPID, ""), otherPID, oidctest.LevelSubstantial},
		{oidctest.LoginHint(otherPID, oidctest.LevelHigh), otherPID, oidctest.LevelHigh},
	} {
		var params []oauth2.AuthCodeOption
		if tc.hint != "" {
			params = append(params, oauth2.SetAuthURLParam("login_hint", tc.hint))
		}
		cb, verifier := r.login(t, browser, "s", "n", params...)
		tok, err := r.exchange(t, code(t, cb), verifier)
		if err != nil {
			t.Fatalf("login %d: exchange: %v", i, err)
		}
		if c := r.verify(t, tok); c.PID != tc.wantPID || c.ACR != tc.wantACR {
			t.Errorf("login %d (hint %q): pid %s acr %s, want %s %s", i, tc.hint, c.PID, c.ACR, tc.wantPID, tc.wantACR)
		}
	}
}

// TestProvider_Stop shows that a stopped provider no longer answers.
func TestProvider_Stop(t *testing.T) {
	t.Parallel()
	p := mustStart(t, 0)
	p.Stop()
	p.Stop()
	resp, err := http.Get(p.Issuer + "/.well-known/openid-configuration")
	if err == nil {
		var doc json.RawMessage
		_ = json.NewDecoder(resp.Body).Decode(&doc)
		resp.Body.Close()
		t.Fatalf("stopped provider answered %s", resp.Status)
	}
}
