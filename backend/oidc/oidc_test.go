package oidc_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/oidc"
	"github.com/veikart/veikart/backend/oidc/oidctest"
)

const (
	pid      = "01017012345"
	redirect = "http://127.0.0.1:9/callback" // never called: Authorize stops before it
)

var pidKey = []byte("0123456789abcdef0123456789abcdef")

// world is a real provider with two registered clients, ours and another
// service's, and a relying party for each.
type world struct {
	provider    *oidctest.Provider
	ours, other *oidc.Client
	now         time.Time
}

func newWorld(t *testing.T, level string, ttl time.Duration) *world {
	t.Helper()
	w := &world{now: time.Now()}
	w.provider = oidctest.Start(t, oidctest.Options{
		Clients: []oidctest.Client{
			{ID: "veikart", Secret: "our-secret", RedirectURIs: []string{redirect}},
			{ID: "other-service", Secret: "their-secret", RedirectURIs: []string{redirect}},
		},
		IDTokenTTL: ttl,
	})
	mk := func(id, secret string) *oidc.Client {
		c, err := oidc.New(oidc.Config{
			Issuer: w.provider.Issuer, ClientID: id, ClientSecret: secret, RedirectURL: redirect,
			MinLevel: level, PIDKey: pidKey, Now: func() time.Time { return w.now },
		})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	w.ours, w.other = mk("veikart", "our-secret"), mk("other-service", "their-secret")
	return w
}

// login runs a sign-in through the provider as hint says and returns the
// pending sign-in and the redirect back with code and state.
func login(t *testing.T, c *oidc.Client, hint string) (oidc.Pending, url.Values) {
	t.Helper()
	p, to, err := c.Begin(t.Context(), "nb")
	if err != nil {
		t.Fatal(err)
	}
	back := oidctest.Authorize(t, nil, to+"&login_hint="+url.QueryEscape(hint))
	q := back.Query()
	if q.Get("error") != "" {
		t.Fatalf("provider refused: %s: %s", q.Get("error"), q.Get("error_description"))
	}
	if q.Get("state") != p.State {
		t.Fatalf("state %q came back as %q", p.State, q.Get("state"))
	}
	return p, q
}

func TestSignIn(t *testing.T) {
	w := newWorld(t, oidctest.LevelSubstantial, 0)
	p, q := login(t, w.ours, oidctest.LoginHint(pid, ""))
	id, err := w.ours.Finish(t.Context(), p, q.Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	if id.Level != oidctest.LevelSubstantial || id.Subject != w.ours.Subject(pid) || strings.Contains(id.Subject, pid) || len(id.Subject) != 64 {
		t.Fatalf("identity %+v", id)
	}
	// The same person again is the same subject; another is not.
	p2, q2 := login(t, w.ours, oidctest.LoginHint(pid, oidctest.LevelHigh))
	id2, err := w.ours.Finish(t.Context(), p2, q2.Get("code"))
	if err != nil || id2.Subject != id.Subject || id2.Level != oidctest.LevelHigh {
		t.Fatalf("second sign-in: %+v, %v", id2, err)
	}
	p3, q3 := login(t, w.ours, oidctest.LoginHint("02029912345", ""))
	if id3, err := w.ours.Finish(t.Context(), p3, q3.Get("code")); err != nil || id3.Subject == id.Subject {
		t.Fatalf("another person: %+v, %v", id3, err)
	}
}

func TestBeginAsksForPKCENonceAndLevel(t *testing.T) {
	w := newWorld(t, oidctest.LevelHigh, 0)
	p, to, err := w.ours.Begin(t.Context(), "en")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(to)
	q := u.Query()
	for k, want := range map[string]string{
		"response_type": "code", "client_id": "veikart", "state": p.State, "nonce": p.Nonce,
		"code_challenge_method": "S256", "acr_values": oidctest.LevelHigh, "ui_locales": "en", "scope": "openid",
	} {
		if q.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, q.Get(k), want)
		}
	}
	if q.Get("code_challenge") == "" || strings.Contains(to, p.Verifier) {
		t.Error("no challenge, or the verifier itself went to the provider")
	}
	p2, _, _ := w.ours.Begin(t.Context(), "")
	if p2.State == p.State || p2.Nonce == p.Nonce || p2.Verifier == p.Verifier || len(p.State) < 43 {
		t.Error("state, nonce and verifier must be fresh and long")
	}
}

// Every way a sign-in must fail, each against the real provider.
func TestRefusals(t *testing.T) {
	w := newWorld(t, oidctest.LevelHigh, 2*time.Second)
	ctx := t.Context()

	t.Run("level too low", func(t *testing.T) {
		p, q := login(t, w.ours, oidctest.LoginHint(pid, oidctest.LevelSubstantial))
		if _, err := w.ours.Finish(ctx, p, q.Get("code")); !errors.Is(err, oidc.ErrLevel) {
			t.Fatalf("got %v, want ErrLevel", err)
		}
	})
	t.Run("unknown level", func(t *testing.T) {
		p, q := login(t, w.ours, oidctest.LoginHint(pid, "Level4"))
		if _, err := w.ours.Finish(ctx, p, q.Get("code")); !errors.Is(err, oidc.ErrLevel) {
			t.Fatalf("got %v, want ErrLevel", err)
		}
	})
	t.Run("wrong PKCE verifier", func(t *testing.T) {
		p, q := login(t, w.ours, oidctest.LoginHint(pid, ""))
		p.Verifier = strings.Repeat("x", 43)
		if _, err := w.ours.Finish(ctx, p, q.Get("code")); !errors.Is(err, oidc.ErrExchange) {
			t.Fatalf("got %v, want ErrExchange", err)
		}
	})
	t.Run("code used twice", func(t *testing.T) {
		p, q := login(t, w.ours, oidctest.LoginHint(pid, ""))
		if _, err := w.ours.Finish(ctx, p, q.Get("code")); err != nil {
			t.Fatal(err)
		}
		if _, err := w.ours.Finish(ctx, p, q.Get("code")); !errors.Is(err, oidc.ErrExchange) {
			t.Fatalf("got %v, want ErrExchange", err)
		}
	})
	t.Run("wrong nonce", func(t *testing.T) {
		p, q := login(t, w.ours, oidctest.LoginHint(pid, ""))
		p.Nonce = "a-nonce-from-another-sign-in"
		if _, err := w.ours.Finish(ctx, p, q.Get("code")); !errors.Is(err, oidc.ErrNonce) {
			t.Fatalf("got %v, want ErrNonce", err)
		}
	})
	// A token replayed into another sign-in carries that sign-in's nonce,
	// not this one's.
	t.Run("replayed token", func(t *testing.T) {
		raw := idToken(t, w, w.ours)
		if _, err := w.ours.Verify(ctx, raw, "the-nonce-of-this-sign-in"); !errors.Is(err, oidc.ErrNonce) {
			t.Fatalf("got %v, want ErrNonce", err)
		}
	})
	t.Run("token for another audience", func(t *testing.T) {
		raw, nonce := idTokenNonce(t, w, w.other)
		if _, err := w.other.Verify(ctx, raw, nonce); err != nil {
			t.Fatalf("the other service's own check: %v", err)
		}
		if _, err := w.ours.Verify(ctx, raw, nonce); !errors.Is(err, oidc.ErrToken) || !strings.Contains(err.Error(), "audience") {
			t.Fatalf("got %v, want ErrToken for the audience", err)
		}
	})
	t.Run("expired token", func(t *testing.T) {
		raw, nonce := idTokenNonce(t, w, w.ours)
		if _, err := w.ours.Verify(ctx, raw, nonce); err != nil {
			t.Fatalf("fresh token refused: %v", err)
		}
		w.now = w.now.Add(time.Minute)
		defer func() { w.now = w.now.Add(-time.Minute) }()
		if _, err := w.ours.Verify(ctx, raw, nonce); !errors.Is(err, oidc.ErrToken) || !strings.Contains(err.Error(), "expired") {
			t.Fatalf("got %v, want ErrToken for expiry", err)
		}
	})
	t.Run("forged signature", func(t *testing.T) {
		raw, nonce := idTokenNonce(t, w, w.ours)
		parts := strings.Split(raw, ".")
		sig := []byte(parts[2])
		sig[10] ^= 1
		if sig[10] == '.' || sig[10] > 'z' {
			sig[10] = 'A'
		}
		forged := parts[0] + "." + parts[1] + "." + string(sig)
		if _, err := w.ours.Verify(ctx, forged, nonce); !errors.Is(err, oidc.ErrToken) {
			t.Fatalf("got %v, want ErrToken", err)
		}
	})
	t.Run("provider down", func(t *testing.T) {
		c, _ := oidc.New(oidc.Config{Issuer: "http://127.0.0.1:9", ClientID: "a", ClientSecret: "b", RedirectURL: redirect, MinLevel: oidctest.LevelHigh, PIDKey: pidKey})
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		if _, _, err := c.Begin(ctx, ""); !errors.Is(err, oidc.ErrUnavailable) {
			t.Fatalf("got %v, want ErrUnavailable", err)
		}
	})
}

func idToken(t *testing.T, w *world, c *oidc.Client) string {
	raw, _ := idTokenNonce(t, w, c)
	return raw
}

// idTokenNonce signs in through c and returns the raw ID token and its
// nonce, read with the client's own exchange (Finish would consume it).
func idTokenNonce(t *testing.T, w *world, c *oidc.Client) (string, string) {
	t.Helper()
	p, q := login(t, c, oidctest.LoginHint(pid, oidctest.LevelHigh))
	raw, err := c.ExchangeRaw(t.Context(), p, q.Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	return raw, p.Nonce
}

func TestNewRefusesBadConfig(t *testing.T) {
	good := oidc.Config{Issuer: "https://idporten.no", ClientID: "a", ClientSecret: "b", RedirectURL: redirect, MinLevel: oidctest.LevelHigh, PIDKey: pidKey}
	for name, change := range map[string]func(*oidc.Config){
		"no issuer":   func(c *oidc.Config) { c.Issuer = "" },
		"no secret":   func(c *oidc.Config) { c.ClientSecret = "" },
		"bad level":   func(c *oidc.Config) { c.MinLevel = "Level3" },
		"short key":   func(c *oidc.Config) { c.PIDKey = []byte("short") },
		"no redirect": func(c *oidc.Config) { c.RedirectURL = "" },
	} {
		cfg := good
		change(&cfg)
		if _, err := oidc.New(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := oidc.New(good); err != nil {
		t.Fatal(err)
	}
}
