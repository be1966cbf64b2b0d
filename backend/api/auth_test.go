package api_test

import (
	"strings"
	"testing"
	"time"
)

func TestAuth_RefreshRotatesAndDetectsReuse(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)
	kari := e.login(t, "Kari")

	r := e.do(t, "POST", "/api/v1/auth/refresh", "", map[string]any{"refreshToken": kari.refresh})
	if r.status != 200 {
		t.Fatalf("refresh: %d %s", r.status, r.body)
	}
	second := r.json(t)["refreshToken"].(string)
	if second == kari.refresh {
		t.Fatal("refresh token was not rotated")
	}
	// The new access token works.
	if m := e.do(t, "GET", "/api/v1/me", r.json(t)["accessToken"].(string), nil); m.status != 200 || !strings.Contains(m.body, `"name":"Kari"`) {
		t.Fatalf("me: %d %s", m.status, m.body)
	}
	// Replaying the first token is reuse: refused, and the chain is revoked,
	// so the legitimate newest token stops working too.
	if r := e.do(t, "POST", "/api/v1/auth/refresh", "", map[string]any{"refreshToken": kari.refresh}); r.status != 401 {
		t.Fatalf("reuse: %d %s", r.status, r.body)
	}
	if r := e.do(t, "POST", "/api/v1/auth/refresh", "", map[string]any{"refreshToken": second}); r.status != 401 {
		t.Fatalf("after reuse, newest token: %d %s", r.status, r.body)
	}
	// Another session of the same person is unaffected.
	other := e.login(t, "Kari")
	if r := e.do(t, "POST", "/api/v1/auth/refresh", "", map[string]any{"refreshToken": other.refresh}); r.status != 200 {
		t.Fatalf("other session: %d %s", r.status, r.body)
	}
}

func TestAuth_LogoutEndsTheSession(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)
	kari := e.login(t, "Kari")
	if r := e.do(t, "POST", "/api/v1/auth/logout", "", map[string]any{"refreshToken": kari.refresh}); r.status != 204 {
		t.Fatalf("logout: %d %s", r.status, r.body)
	}
	if r := e.do(t, "POST", "/api/v1/auth/refresh", "", map[string]any{"refreshToken": kari.refresh}); r.status != 401 {
		t.Fatalf("refresh after logout: %d %s", r.status, r.body)
	}
	// Logging out twice, or with a token that never existed, reveals nothing.
	for _, tok := range []string{kari.refresh, "vkr1.0123456789abcdef0123456789abcdef.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "junk"} {
		if r := e.do(t, "POST", "/api/v1/auth/logout", "", map[string]any{"refreshToken": tok}); r.status != 204 {
			t.Fatalf("logout %q: %d %s", tok, r.status, r.body)
		}
	}
}

func TestAuth_RefreshTokenExpires(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)
	kari := e.login(t, "Kari")
	e.clock.Add(31 * 24 * time.Hour) // idle longer than a session lives
	if r := e.do(t, "POST", "/api/v1/auth/refresh", "", map[string]any{"refreshToken": kari.refresh}); r.status != 401 {
		t.Fatalf("expired refresh: %d %s", r.status, r.body)
	}
}

func TestAuth_DevLoginOnlyInDevMode(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, false)
	r := e.do(t, "POST", "/api/v1/dev/login", "", map[string]any{"name": "Kari"})
	if r.status != 404 {
		t.Fatalf("dev login without dev mode: %d %s", r.status, r.body)
	}
}

func TestAuth_JWKSAndHealth(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, false)
	if r := e.do(t, "GET", "/.well-known/jwks.json", "", nil); r.status != 200 || !strings.Contains(r.body, `"crv":"Ed25519"`) || strings.Contains(r.body, `"d"`) {
		t.Fatalf("jwks: %d %s", r.status, r.body)
	}
	for _, p := range []string{"/health/live", "/health/ready"} {
		if r := e.do(t, "GET", p, "", nil); r.status != 200 {
			t.Fatalf("%s: %d %s", p, r.status, r.body)
		}
	}
}
