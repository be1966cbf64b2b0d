package auth_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/veikart/veikart/backend/auth"
	"github.com/veikart/veikart/backend/testenv"
	"github.com/veikart/veikart/backend/veikart"
)

// The token and session rules, tested directly: what a token must be to be
// believed, how long it and a session live, and what a reused refresh
// token does.

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newTokens(t *testing.T, c *clock) (*auth.Tokens, *auth.KeySet) {
	t.Helper()
	keys, err := auth.LoadKeys(t.TempDir(), true, c.t)
	if err != nil {
		t.Fatal(err)
	}
	return auth.NewTokens(keys, "https://veikart.test", "veikart-api", 10*time.Minute, c.now), keys
}

func TestTokens_WhatIsBelieved(t *testing.T) {
	c := &clock{t: time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)}
	tokens, keys := newTokens(t, c)
	good, _, err := tokens.Issue("u1", "s1", "nav")
	if err != nil {
		t.Fatal(err)
	}
	p, err := tokens.Verify(good)
	if err != nil || p.UserID != "u1" || p.SessionID != "s1" || p.AgencyID != "nav" || p.Operator {
		t.Fatalf("a good token: %v %+v", err, p)
	}
	op, _, err := tokens.IssueOperator(time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := tokens.Verify(op); err != nil || !p.Operator || p.UserID != auth.OperatorSubject {
		t.Fatalf("an operator token: %v %+v", err, p)
	}

	// Tokens signed otherwise than by our keys, or not as access tokens.
	other, _ := newTokens(t, c)
	foreign, _, _ := other.Issue("u1", "s1", "")
	sign := func(header map[string]any, claims jwt.MapClaims) string {
		tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, claims)
		for k, v := range header {
			tok.Header[k] = v
		}
		s, err := tok.SignedString(keys.Signing().Private)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	claims := func(edit func(jwt.MapClaims)) jwt.MapClaims {
		m := jwt.MapClaims{"iss": "https://veikart.test", "aud": "veikart-api", "sub": "u1", "sid": "s1",
			"iat": c.t.Unix(), "nbf": c.t.Unix(), "exp": c.t.Add(time.Minute).Unix()}
		if edit != nil {
			edit(m)
		}
		return m
	}
	at := map[string]any{"typ": "at+jwt", "kid": keys.Signing().ID}
	parts := strings.Split(good, ".")
	tampered := parts[0] + "." + strings.TrimRight(parts[1], "A") + "B." + parts[2]
	for name, tok := range map[string]string{
		"empty":                             "",
		"not a JWT":                         "abc.def",
		"tampered payload":                  tampered,
		"another service's key":             foreign,
		"no typ":                            sign(map[string]any{"kid": keys.Signing().ID}, claims(nil)),
		"an ID token's typ":                 sign(map[string]any{"typ": "JWT", "kid": keys.Signing().ID}, claims(nil)),
		"unknown kid":                       sign(map[string]any{"typ": "at+jwt", "kid": "nope"}, claims(nil)),
		"another audience":                  sign(at, claims(func(m jwt.MapClaims) { m["aud"] = "other-api" })),
		"another issuer":                    sign(at, claims(func(m jwt.MapClaims) { m["iss"] = "https://evil.test" })),
		"no expiry":                         sign(at, claims(func(m jwt.MapClaims) { delete(m, "exp") })),
		"no session":                        sign(at, claims(func(m jwt.MapClaims) { delete(m, "sid") })),
		"no subject":                        sign(at, claims(func(m jwt.MapClaims) { delete(m, "sub") })),
		"operator flag on a person":         sign(at, claims(func(m jwt.MapClaims) { m["op"] = true })),
		"operator subject without the flag": sign(at, claims(func(m jwt.MapClaims) { m["sub"] = auth.OperatorSubject })),
	} {
		if _, err := tokens.Verify(tok); veikart.ErrorCode(err) != veikart.EUNAUTHORIZED {
			t.Errorf("%s: %v, want unauthorized", name, err)
		}
	}
	// none and HS256 are refused whatever they claim.
	for _, m := range []jwt.SigningMethod{jwt.SigningMethodNone, jwt.SigningMethodHS256} {
		tok := jwt.NewWithClaims(m, claims(nil))
		tok.Header["typ"], tok.Header["kid"] = "at+jwt", keys.Signing().ID
		var key any = jwt.UnsafeAllowNoneSignatureType
		if m == jwt.SigningMethodHS256 {
			key = []byte(keys.Signing().Public)
		}
		s, err := tok.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tokens.Verify(s); veikart.ErrorCode(err) != veikart.EUNAUTHORIZED {
			t.Errorf("alg %s: %v, want unauthorized", m.Alg(), err)
		}
	}

	// A good token stops at its expiry (with 30 s of leeway for clocks),
	// also when its signature was checked before and remembered.
	c.t = c.t.Add(10*time.Minute + 29*time.Second)
	if _, err := tokens.Verify(good); err != nil {
		t.Fatalf("within the leeway: %v", err)
	}
	c.t = c.t.Add(2 * time.Second)
	if _, err := tokens.Verify(good); veikart.ErrorCode(err) != veikart.EUNAUTHORIZED {
		t.Fatalf("after expiry: %v, want unauthorized", err)
	}
}

func newSessions(t *testing.T, c *clock) (*auth.Sessions, *auth.Tokens) {
	t.Helper()
	tokens, _ := newTokens(t, c)
	store := testenv.MustStore(t)
	return auth.NewSessions(store, tokens, 30*24*time.Hour, 90*24*time.Hour, c.now, slog.New(slog.NewTextHandler(io.Discard, nil))), tokens
}

func TestSessions_RotationAndReuse(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)}
	sessions, tokens := newSessions(t, c)
	first, err := sessions.Start(ctx, "u1", "", "phone", veikart.SignInPasskey)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := tokens.Verify(first.AccessToken); err != nil || p.SessionID != first.SessionID {
		t.Fatalf("the access token of a new session: %v %+v", err, p)
	}
	second, err := sessions.Refresh(ctx, first.RefreshToken)
	if err != nil || second.RefreshToken == first.RefreshToken || second.SessionID != first.SessionID {
		t.Fatalf("refresh: %v; the refresh token must change, the session not", err)
	}
	// The old refresh token again: someone has a copy. The session ends,
	// for the thief and the person alike.
	if _, err := sessions.Refresh(ctx, first.RefreshToken); veikart.ErrorCode(err) != veikart.EUNAUTHORIZED {
		t.Fatalf("a reused refresh token: %v, want unauthorized", err)
	}
	if _, err := sessions.Refresh(ctx, second.RefreshToken); veikart.ErrorCode(err) != veikart.EUNAUTHORIZED {
		t.Fatalf("the current token after a reuse: %v, want the session ended", err)
	}
	for _, bad := range []string{"", "vkr1.", "vkr1.x.y", "nonsense", strings.Replace(second.RefreshToken, "vkr1.", "vkr2.", 1)} {
		if _, err := sessions.Refresh(ctx, bad); veikart.ErrorCode(err) != veikart.EUNAUTHORIZED {
			t.Errorf("refresh with %q: %v, want unauthorized", bad, err)
		}
	}
}

func TestSessions_IdleAndHardExpiry(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)}
	sessions, _ := newSessions(t, c)
	pair, err := sessions.Start(ctx, "u1", "", "phone", veikart.SignInPasskey)
	if err != nil {
		t.Fatal(err)
	}
	// Used every 29 days, a session lives until its 90th day, not longer.
	start := c.t
	for c.t.Add(29 * 24 * time.Hour).Before(start.Add(90 * 24 * time.Hour)) {
		c.t = c.t.Add(29 * 24 * time.Hour)
		if pair, err = sessions.Refresh(ctx, pair.RefreshToken); err != nil {
			t.Fatalf("refresh on day %v: %v", c.t.Sub(start).Hours()/24, err)
		}
	}
	c.t = start.Add(90*24*time.Hour + time.Second)
	if _, err := sessions.Refresh(ctx, pair.RefreshToken); veikart.ErrorCode(err) != veikart.EUNAUTHORIZED {
		t.Fatalf("after 90 days: %v, want unauthorized", err)
	}

	// Unused for 30 days, a session ends.
	c.t = start
	idle, err := sessions.Start(ctx, "u2", "", "tablet", veikart.SignInPasskey)
	if err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(30*24*time.Hour + time.Second)
	if _, err := sessions.Refresh(ctx, idle.RefreshToken); veikart.ErrorCode(err) != veikart.EUNAUTHORIZED {
		t.Fatalf("after 30 idle days: %v, want unauthorized", err)
	}
}

func TestSessions_RevokeAndAct(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)}
	sessions, _ := newSessions(t, c)
	pair, err := sessions.Start(ctx, "u1", "", "phone", veikart.SignInPasskey)
	if err != nil {
		t.Fatal(err)
	}
	refused := &veikart.Error{Code: veikart.EFORBIDDEN, Message: "not staff"}
	if _, err := sessions.Act(ctx, pair.RefreshToken, "nav", func(string) error { return refused }); err != refused {
		t.Fatalf("act refused by the check: %v", err)
	}
	// A refused act changes nothing: the same refresh token still works.
	acting, err := sessions.Act(ctx, pair.RefreshToken, "nav", func(u string) error {
		if u != "u1" {
			t.Errorf("check called with %q", u)
		}
		return nil
	})
	if err != nil || acting.AgencyID != "nav" {
		t.Fatalf("act: %v %+v", err, acting)
	}
	// Unknown and malformed tokens: nothing happens, nothing is told.
	if ended, err := sessions.Revoke(ctx, "vkr1.unknown.token"); err != nil || ended != nil {
		t.Fatalf("revoke unknown: %v %v", ended, err)
	}
	if ended, err := sessions.Revoke(ctx, acting.RefreshToken); err != nil || ended == nil || ended.RevokedReason != "logout" {
		t.Fatalf("revoke: %v %+v", err, ended)
	}
	if ended, err := sessions.Revoke(ctx, acting.RefreshToken); err != nil || ended != nil {
		t.Fatalf("revoke again: %v, %v; want nothing ended", err, ended)
	}
	if _, err := sessions.Refresh(ctx, acting.RefreshToken); veikart.ErrorCode(err) != veikart.EUNAUTHORIZED {
		t.Fatalf("refresh after revoke: %v", err)
	}
}
