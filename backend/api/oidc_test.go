package api_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/api"
	"github.com/veikart/veikart/backend/oidc"
	"github.com/veikart/veikart/backend/oidc/oidctest"
	"github.com/veikart/veikart/backend/veikart"
)

const nationalID = "17048312345"

// idportenEnv is a server whose ID-porten is a real OpenID provider on
// loopback, requiring level.
func idportenEnv(t *testing.T, level string, cfg api.Config) *env {
	t.Helper()
	return mustEnvWith(t, cfg, nil, func(base string, c *api.Config, d *api.Deps) {
		c.PublicURL = base
		p := oidctest.Start(t, oidctest.Options{Clients: []oidctest.Client{
			{ID: "veikart", Secret: "s3cret", RedirectURIs: []string{api.IDPortenRedirect(base)}},
		}})
		client, err := oidc.New(oidc.Config{
			Issuer: p.Issuer, ClientID: "veikart", ClientSecret: "s3cret", RedirectURL: api.IDPortenRedirect(base),
			MinLevel: level, PIDKey: []byte("an-hmac-key-of-thirty-two-bytes!"), Now: d.Now,
		})
		if err != nil {
			t.Fatal(err)
		}
		d.IDPorten = client
	})
}

// noFollow is a browser that stops at every redirect, to look at it.
var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 10 * time.Second}

func get(t *testing.T, u string) *http.Response {
	t.Helper()
	res, err := noFollow.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res
}

// toProvider starts a sign-in and returns the provider address the server
// sent the browser to, with the person and level the provider is to log in.
func toProvider(t *testing.T, e *env, hint string) string {
	t.Helper()
	res := get(t, e.url+"/api/v1/auth/idporten?lang=nn")
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusFound || !strings.Contains(loc, "code_challenge=") {
		t.Fatalf("start: %d %q", res.StatusCode, loc)
	}
	return loc + "&login_hint=" + url.QueryEscape(hint)
}

// backToApp follows the provider's redirect to our callback and returns
// the app route (after "#/") the server then sends the browser to.
func backToApp(t *testing.T, e *env, callback *url.URL) string {
	t.Helper()
	res := get(t, callback.String())
	loc := res.Header.Get("Location")
	route, ok := strings.CutPrefix(loc, e.url+"/#/")
	if res.StatusCode != http.StatusSeeOther || !ok {
		t.Fatalf("callback: %d %q", res.StatusCode, loc)
	}
	return route
}

func TestIDPortenSignIn(t *testing.T) {
	e := idportenEnv(t, oidctest.LevelSubstantial, api.Config{})
	callback := oidctest.Authorize(t, nil, toProvider(t, e, oidctest.LoginHint(nationalID, "")))
	route := backToApp(t, e, callback)
	code, ok := strings.CutPrefix(route, "signed-in/")
	if !ok {
		t.Fatalf("sent to %q", route)
	}
	r := e.do(t, "POST", "/api/v1/auth/exchange", "", map[string]any{"code": code})
	if r.status != 200 {
		t.Fatalf("exchange: %d %s", r.status, r.body)
	}
	body := r.json(t)
	access := body["accessToken"].(string)
	userID := body["user"].(map[string]any)["id"].(string)
	// The national identity number is in nothing we hand out or keep.
	if strings.Contains(r.body, nationalID) || !strings.HasPrefix(userID, "id-") {
		t.Fatalf("token response: %s", r.body)
	}
	if me := e.do(t, "GET", "/api/v1/me", access, nil); me.status != 200 || strings.Contains(me.body, nationalID) {
		t.Fatalf("me: %d %s", me.status, me.body)
	}
	// The sign-in code works once.
	if again := e.do(t, "POST", "/api/v1/auth/exchange", "", map[string]any{"code": code}); again.status != 401 {
		t.Fatalf("second exchange: %d %s", again.status, again.body)
	}
	// The session says how the person signed in, and their security log has it.
	events, _, err := e.store.AuditPage(context.Background(), veikart.SecurityLogKey(userID), "", 10)
	if err != nil || len(events) != 1 || events[0].Action != veikart.AuditSignIn || events[0].Role != veikart.SignInIDPorten {
		t.Fatalf("security log: %+v, %v", events, err)
	}
	// Signing in again, at a higher level, is the same person.
	callback = oidctest.Authorize(t, nil, toProvider(t, e, oidctest.LoginHint(nationalID, oidctest.LevelHigh)))
	code, _ = strings.CutPrefix(backToApp(t, e, callback), "signed-in/")
	r = e.do(t, "POST", "/api/v1/auth/exchange", "", map[string]any{"code": code})
	if r.status != 200 || r.json(t)["user"].(map[string]any)["id"] != userID {
		t.Fatalf("second sign-in: %d %s", r.status, r.body)
	}
}

func TestIDPortenRefusals(t *testing.T) {
	e := idportenEnv(t, oidctest.LevelHigh, api.Config{})

	t.Run("level too low", func(t *testing.T) {
		callback := oidctest.Authorize(t, nil, toProvider(t, e, oidctest.LoginHint(nationalID, oidctest.LevelSubstantial)))
		if route := backToApp(t, e, callback); route != "signin-failed/level" {
			t.Fatalf("sent to %q", route)
		}
	})
	t.Run("wrong state", func(t *testing.T) {
		callback := oidctest.Authorize(t, nil, toProvider(t, e, oidctest.LoginHint(nationalID, "")))
		q := callback.Query()
		q.Set("state", "a-state-this-server-never-made")
		callback.RawQuery = q.Encode()
		if route := backToApp(t, e, callback); route != "signin-failed/expired" {
			t.Fatalf("sent to %q", route)
		}
	})
	t.Run("callback replayed", func(t *testing.T) {
		callback := oidctest.Authorize(t, nil, toProvider(t, e, oidctest.LoginHint(nationalID, "")))
		if route := backToApp(t, e, callback); !strings.HasPrefix(route, "signed-in/") {
			t.Fatalf("first: sent to %q", route)
		}
		if route := backToApp(t, e, callback); route != "signin-failed/expired" {
			t.Fatalf("replayed: sent to %q", route)
		}
	})
	t.Run("cancelled at the provider", func(t *testing.T) {
		start := toProvider(t, e, "")
		u, _ := url.Parse(start)
		cb, _ := url.Parse(api.IDPortenRedirect(e.url))
		cb.RawQuery = url.Values{"state": {u.Query().Get("state")}, "error": {"access_denied"}}.Encode()
		if route := backToApp(t, e, cb); route != "signin-failed/cancelled" {
			t.Fatalf("sent to %q", route)
		}
	})
	t.Run("too slow", func(t *testing.T) {
		callback := oidctest.Authorize(t, nil, toProvider(t, e, oidctest.LoginHint(nationalID, "")))
		e.clock.Add(11 * time.Minute)
		if route := backToApp(t, e, callback); route != "signin-failed/expired" {
			t.Fatalf("sent to %q", route)
		}
	})
	t.Run("bad exchange bodies", func(t *testing.T) {
		for _, body := range []any{`{"code":`, map[string]any{"code": "x"}, map[string]any{"code": strings.Repeat("a", 40), "extra": 1}, map[string]any{"code": strings.Repeat("a", 40)}} {
			if r := e.do(t, "POST", "/api/v1/auth/exchange", "", body); r.status < 400 || r.status >= 500 {
				t.Errorf("%v: %d", body, r.status)
			}
		}
	})
}

func TestIDPortenNotConfigured(t *testing.T) {
	e := mustEnv(t, false)
	if r := e.do(t, "GET", "/api/v1/auth/idporten", "", nil); r.status != 404 {
		t.Fatalf("%d %s", r.status, r.body)
	}
}

func TestSignInRateLimit(t *testing.T) {
	e := idportenEnv(t, oidctest.LevelSubstantial, api.Config{SignInBurst: 3, SignInEvery: time.Hour})
	for i := range 3 {
		if res := get(t, e.url+"/api/v1/auth/idporten"); res.StatusCode != http.StatusFound {
			t.Fatalf("attempt %d: %d", i+1, res.StatusCode)
		}
	}
	if r := e.do(t, "GET", "/api/v1/auth/idporten", "", nil); r.status != 429 || !strings.Contains(r.body, "rate-limited") {
		t.Fatalf("fourth attempt: %d %s", r.status, r.body)
	}
	if r := e.do(t, "POST", "/api/v1/auth/exchange", "", map[string]any{"code": strings.Repeat("a", 40)}); r.status != 429 {
		t.Fatalf("exchange while limited: %d", r.status)
	}
}
