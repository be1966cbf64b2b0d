package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/veikart/veikart/backend/veikart"
)

type signedIn struct{ access, refresh, userID string }

func devSignIn(t *testing.T, e *env, name, device string) signedIn {
	t.Helper()
	r := e.do(t, "POST", "/api/v1/dev/login", "", map[string]any{"name": name}, "User-Agent", device)
	if r.status != 200 {
		t.Fatalf("sign in: %d %s", r.status, r.body)
	}
	m := r.json(t)
	return signedIn{m["accessToken"].(string), m["refreshToken"].(string), m["user"].(map[string]any)["id"].(string)}
}

func TestSessions(t *testing.T) {
	e := mustEnv(t, true)
	phone := devSignIn(t, e, "Liv", "Phone")
	tablet := devSignIn(t, e, "Liv", "Tablet")
	laptop := devSignIn(t, e, "Liv", "Laptop")
	other := devSignIn(t, e, "Ola", "Ola's phone")

	r := e.do(t, "GET", "/api/v1/sessions", phone.access, nil)
	if r.status != 200 || strings.Count(r.body, `"method":"dev"`) != 3 || !strings.Contains(r.body, `"device":"Tablet"`) || strings.Contains(r.body, "Ola") {
		t.Fatalf("list: %d %s", r.status, r.body)
	}
	var tabletID string
	for _, it := range r.json(t)["items"].([]any) {
		s := it.(map[string]any)
		if s["device"] == "Tablet" {
			tabletID = s["id"].(string)
		}
		if (s["device"] == "Phone") != (s["current"] == true) {
			t.Fatalf("current marks the wrong session: %v", s)
		}
	}

	// Someone else cannot sign my tablet out, nor learn that it exists.
	if r := e.do(t, "DELETE", "/api/v1/sessions/"+tabletID, other.access, nil); r.status != 404 {
		t.Fatalf("other person's delete: %d %s", r.status, r.body)
	}
	if r := e.do(t, "GET", "/api/v1/me", tablet.access, nil); r.status != 200 {
		t.Fatalf("tablet still signed in: %d", r.status)
	}

	// Signing the tablet out stops its access token on its next request,
	// and its refresh token.
	if r := e.do(t, "DELETE", "/api/v1/sessions/"+tabletID, phone.access, nil); r.status != 204 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	if r := e.do(t, "GET", "/api/v1/me", tablet.access, nil); r.status != 401 {
		t.Fatalf("tablet after sign-out: %d %s", r.status, r.body)
	}
	if r := e.do(t, "POST", "/api/v1/auth/refresh", "", map[string]any{"refreshToken": tablet.refresh}); r.status != 401 {
		t.Fatalf("tablet refresh after sign-out: %d", r.status)
	}
	if r := e.do(t, "GET", "/api/v1/sessions", phone.access, nil); strings.Contains(r.body, "Tablet") {
		t.Fatalf("signed-out tablet still listed: %s", r.body)
	}

	// Everywhere: this device too.
	if r := e.do(t, "DELETE", "/api/v1/sessions", laptop.access, nil); r.status != 204 {
		t.Fatalf("delete all: %d %s", r.status, r.body)
	}
	for name, tok := range map[string]string{"phone": phone.access, "laptop": laptop.access} {
		if r := e.do(t, "GET", "/api/v1/me", tok, nil); r.status != 401 {
			t.Fatalf("%s after signing out everywhere: %d", name, r.status)
		}
	}
	if r := e.do(t, "GET", "/api/v1/me", other.access, nil); r.status != 200 {
		t.Fatalf("another person was signed out too: %d", r.status)
	}

	// The person's security log: three sign-ins, three sign-outs.
	events, _, err := e.store.AuditPage(context.Background(), veikart.SecurityLogKey(phone.userID), "", 20)
	if err != nil {
		t.Fatal(err)
	}
	count := map[veikart.AuditAction]int{}
	for _, ev := range events {
		count[ev.Action]++
	}
	if count[veikart.AuditSignIn] != 3 || count[veikart.AuditSignOut] != 3 {
		t.Fatalf("security log: %v", count)
	}

	// Logging out with the refresh token is a sign-out in the log too.
	again := devSignIn(t, e, "Liv", "Phone")
	if r := e.do(t, "POST", "/api/v1/auth/logout", "", map[string]any{"refreshToken": again.refresh}); r.status != 204 {
		t.Fatalf("logout: %d", r.status)
	}
	if r := e.do(t, "GET", "/api/v1/me", again.access, nil); r.status != 401 {
		t.Fatalf("access token after logout: %d", r.status)
	}
}

func TestSessionsBadInput(t *testing.T) {
	e := mustEnv(t, true)
	me := devSignIn(t, e, "Liv", "Phone")
	for _, path := range []string{"/api/v1/sessions/no-such-session", "/api/v1/sessions/..%2F..", "/api/v1/sessions/" + strings.Repeat("a", 300)} {
		if r := e.do(t, "DELETE", path, me.access, nil); r.status != 404 && r.status != 400 {
			t.Errorf("%s: %d %s", path, r.status, r.body)
		}
	}
	if r := e.do(t, "GET", "/api/v1/sessions", "forged.token.here", nil); r.status != 401 {
		t.Fatalf("forged token: %d", r.status)
	}
}

// TestSessions_CacheNeverDecides: the live-session cache saves a read, it
// never vouches for a token the store would refuse.
func TestSessions_CacheNeverDecides(t *testing.T) {
	e := mustEnv(t, true)
	liv := devSignIn(t, e, "Liv", "Phone")
	ola := devSignIn(t, e, "Ola", "Phone")

	t.Run("AnotherPersonsSessionRefused", func(t *testing.T) {
		// Liv's session is live and in the cache; a token for Ola that
		// names Liv's session id must be refused all the same.
		if r := e.do(t, "GET", "/api/v1/me", liv.access, nil); r.status != 200 {
			t.Fatalf("liv: %d", r.status)
		}
		r := e.do(t, "GET", "/api/v1/sessions", liv.access, nil)
		var livSession string
		for _, it := range r.json(t)["items"].([]any) {
			livSession = it.(map[string]any)["id"].(string)
		}
		tok, _, err := e.tokens.Issue(ola.userID, livSession, "")
		if err != nil {
			t.Fatal(err)
		}
		if r := e.do(t, "GET", "/api/v1/me", tok, nil); r.status != 401 {
			t.Fatalf("a token naming another person's live session: %d %s", r.status, r.body)
		}
	})

	t.Run("LogoutEndsTheCachedSession", func(t *testing.T) {
		s := devSignIn(t, e, "Liv", "Tablet")
		if r := e.do(t, "GET", "/api/v1/me", s.access, nil); r.status != 200 { // now cached
			t.Fatalf("before logout: %d", r.status)
		}
		if r := e.do(t, "POST", "/api/v1/auth/logout", "", map[string]any{"refreshToken": s.refresh}); r.status != 204 {
			t.Fatalf("logout: %d", r.status)
		}
		if r := e.do(t, "GET", "/api/v1/me", s.access, nil); r.status != 401 {
			t.Fatalf("access token on the next request after logout: %d", r.status)
		}
	})
}
