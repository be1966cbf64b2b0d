// Package oidc signs people in through an OpenID Connect provider with the
// ID-porten profile: the authorization code flow with PKCE (S256), state and
// nonce, a required level of assurance (acr), and an ID token verified for
// issuer, audience, signature and expiry. The person is known by the
// national identity number in the pid claim, which this package hands over
// only as a keyed hash: the number itself is stored nowhere and logged
// nowhere.
package oidc

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sync"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// The ID-porten levels of assurance, lowest first.
var levels = []string{"idporten-loa-substantial", "idporten-loa-high"}

// ValidLevel reports whether l is a level this package knows.
func ValidLevel(l string) bool { return slices.Contains(levels, l) }

// Config is one relying party registration.
type Config struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	// RedirectURL is our callback, as registered with the provider.
	RedirectURL string
	// MinLevel is the lowest acr accepted; it is also what is asked for.
	// Only for the ID-porten profile.
	MinLevel string
	// Plain is the profile of an agency's own provider (Entra ID, Keycloak
	// ...): no level of assurance and no pid; the person is the provider's
	// sub, keyed with the issuer.
	Plain bool
	// PIDKey keys the hash that stands for the national identity number.
	PIDKey []byte
	// Now is the clock ID tokens' expiry is checked against.
	Now func() time.Time
	// HTTPClient talks to the provider; a 10-second client if nil.
	HTTPClient *http.Client
}

// Client signs people in with one provider. Discovery happens on first use
// and is retried on later ones, so the service starts while the provider is
// down and sign-in works once it is back.
type Client struct {
	cfg Config

	mu       sync.Mutex
	provider *gooidc.Provider
	oauth    oauth2.Config
	verifier *gooidc.IDTokenVerifier
}

// New checks cfg and returns a client.
func New(cfg Config) (*Client, error) {
	switch {
	case cfg.Issuer == "" || cfg.ClientID == "" || cfg.ClientSecret == "" || cfg.RedirectURL == "":
		return nil, errors.New("oidc: issuer, client id, client secret and redirect URL are required")
	case !cfg.Plain && !ValidLevel(cfg.MinLevel):
		return nil, fmt.Errorf("oidc: unknown level %q (want one of %v)", cfg.MinLevel, levels)
	case len(cfg.PIDKey) < 32:
		return nil, errors.New("oidc: the pid key must be at least 32 bytes")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	return &Client{cfg: cfg}, nil
}

// Why a sign-in was refused. Each is safe to tell the person and to log:
// none carries anything of theirs.
var (
	ErrUnavailable = errors.New("the sign-in service cannot be reached")
	ErrState       = errors.New("the sign-in was not started here, was used already, or took too long")
	ErrDenied      = errors.New("the sign-in was cancelled or refused at the provider")
	ErrExchange    = errors.New("the provider refused to exchange the code")
	ErrToken       = errors.New("the ID token is not valid for this service")
	ErrNonce       = errors.New("the ID token does not belong to this sign-in")
	ErrLevel       = errors.New("the sign-in's level of assurance is too low")
	ErrPID         = errors.New("the ID token names no person")
)

func (c *Client) discover(ctx context.Context) (*gooidc.Provider, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.provider != nil {
		return c.provider, nil
	}
	p, err := gooidc.NewProvider(gooidc.ClientContext(ctx, c.cfg.HTTPClient), c.cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("%w: discovery: %v", ErrUnavailable, err)
	}
	var meta struct {
		Methods []string `json:"code_challenge_methods_supported"`
		ACRs    []string `json:"acr_values_supported"`
	}
	if err := p.Claims(&meta); err != nil {
		return nil, fmt.Errorf("%w: discovery document: %v", ErrUnavailable, err)
	}
	// Refuse a provider that would silently weaken the flow.
	if !slices.Contains(meta.Methods, "S256") {
		return nil, fmt.Errorf("%w: the provider does not offer PKCE S256", ErrUnavailable)
	}
	if !c.cfg.Plain && !slices.Contains(meta.ACRs, c.cfg.MinLevel) {
		return nil, fmt.Errorf("%w: the provider does not offer %s", ErrUnavailable, c.cfg.MinLevel)
	}
	c.provider = p
	c.oauth = oauth2.Config{
		ClientID: c.cfg.ClientID, ClientSecret: c.cfg.ClientSecret, RedirectURL: c.cfg.RedirectURL,
		Endpoint: p.Endpoint(), Scopes: []string{gooidc.ScopeOpenID},
	}
	c.verifier = p.Verifier(&gooidc.Config{ClientID: c.cfg.ClientID, Now: c.cfg.Now, SupportedSigningAlgs: []string{"RS256", "ES256", "PS256"}})
	return p, nil
}

// Pending is a sign-in on its way: what must come back, and what only we
// know. It is stored by the caller until the callback, under State.
type Pending struct {
	State    string
	Nonce    string
	Verifier string // the PKCE code verifier
}

// Begin starts a sign-in: fresh state, nonce and PKCE verifier, and the
// provider's address to send the browser to.
func (c *Client) Begin(ctx context.Context, locale string) (Pending, string, error) {
	if _, err := c.discover(ctx); err != nil {
		return Pending{}, "", err
	}
	p := Pending{State: random(), Nonce: random(), Verifier: oauth2.GenerateVerifier()}
	opts := []oauth2.AuthCodeOption{
		oauth2.S256ChallengeOption(p.Verifier),
		oauth2.SetAuthURLParam("nonce", p.Nonce),
	}
	if !c.cfg.Plain {
		opts = append(opts, oauth2.SetAuthURLParam("acr_values", c.cfg.MinLevel))
	}
	if locale != "" {
		opts = append(opts, oauth2.SetAuthURLParam("ui_locales", locale))
	}
	return p, c.oauth.AuthCodeURL(p.State, opts...), nil
}

// Identity is who signed in.
type Identity struct {
	// Subject is the person's key: an HMAC of the national identity number,
	// hex. The same person always gets the same key; the number cannot be
	// got back from it without the key.
	Subject string
	Level   string
	Methods []string // amr, such as BankID or MinID
}

// Finish exchanges the code for tokens with the PKCE verifier and verifies
// the ID token against the pending sign-in.
func (c *Client) Finish(ctx context.Context, p Pending, code string) (Identity, error) {
	raw, err := c.ExchangeRaw(ctx, p, code)
	if err != nil {
		return Identity{}, err
	}
	return c.Verify(ctx, raw, p.Nonce)
}

// ExchangeRaw exchanges the code with the PKCE verifier and returns the ID
// token unverified. Finish is what sign-in uses; this is for tests.
func (c *Client) ExchangeRaw(ctx context.Context, p Pending, code string) (string, error) {
	if _, err := c.discover(ctx); err != nil {
		return "", err
	}
	tok, err := c.oauth.Exchange(gooidc.ClientContext(ctx, c.cfg.HTTPClient), code, oauth2.VerifierOption(p.Verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			return "", fmt.Errorf("%w: %s", ErrExchange, re.ErrorCode)
		}
		return "", fmt.Errorf("%w: token endpoint: %v", ErrUnavailable, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return "", fmt.Errorf("%w: no id_token in the token response", ErrToken)
	}
	return raw, nil
}

var pidPattern = regexp.MustCompile(`^[0-9]{11}$`)

// Verify checks an ID token: signature (the provider's published keys),
// issuer, audience and expiry, then that it carries this sign-in's nonce, a
// level at least the minimum, and a person.
func (c *Client) Verify(ctx context.Context, raw, nonce string) (Identity, error) {
	if _, err := c.discover(ctx); err != nil {
		return Identity{}, err
	}
	idt, err := c.verifier.Verify(gooidc.ClientContext(ctx, c.cfg.HTTPClient), raw)
	if err != nil {
		return Identity{}, fmt.Errorf("%w: %v", ErrToken, err)
	}
	var claims struct {
		Sub   string   `json:"sub"`
		Nonce string   `json:"nonce"`
		ACR   string   `json:"acr"`
		AMR   []string `json:"amr"`
		PID   string   `json:"pid"`
	}
	if err := idt.Claims(&claims); err != nil {
		return Identity{}, fmt.Errorf("%w: claims: %v", ErrToken, err)
	}
	if nonce == "" || subtle.ConstantTimeCompare([]byte(claims.Nonce), []byte(nonce)) != 1 {
		return Identity{}, ErrNonce
	}
	if c.cfg.Plain {
		if claims.Sub == "" {
			return Identity{}, ErrPID
		}
		return Identity{Subject: c.Subject(c.cfg.Issuer + "|" + claims.Sub), Methods: claims.AMR}, nil
	}
	if slices.Index(levels, claims.ACR) < slices.Index(levels, c.cfg.MinLevel) {
		return Identity{}, ErrLevel
	}
	if !pidPattern.MatchString(claims.PID) {
		return Identity{}, ErrPID
	}
	return Identity{Subject: c.Subject(claims.PID), Level: claims.ACR, Methods: claims.AMR}, nil
}

// Subject is the key that stands for a national identity number.
func (c *Client) Subject(pid string) string {
	m := hmac.New(sha256.New, c.cfg.PIDKey)
	m.Write([]byte(pid))
	return hex.EncodeToString(m.Sum(nil))
}

func random() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails; see crypto/rand
	return base64.RawURLEncoding.EncodeToString(b)
}
