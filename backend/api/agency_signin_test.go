package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/veikart/veikart/backend/api"
	"github.com/veikart/veikart/backend/oidc"
	"github.com/veikart/veikart/backend/oidc/oidctest"
	"github.com/veikart/veikart/backend/veikart"
)

// agencyEnv is a server where the agency nav-sola signs its people in
// through its own OpenID provider (a real one on loopback), with admin
// "u-ada" added by hand.
func agencyEnv(t *testing.T) *env {
	t.Helper()
	e := mustEnvWith(t, api.Config{}, nil, func(base string, c *api.Config, d *api.Deps) {
		c.PublicURL = base
		p := oidctest.Start(t, oidctest.Options{Clients: []oidctest.Client{
			{ID: "veikart-sola", Secret: "sola-secret", RedirectURIs: []string{api.AgencyRedirect(base)}},
		}})
		client, err := oidc.New(oidc.Config{
			Issuer: p.Issuer, ClientID: "veikart-sola", ClientSecret: "sola-secret", RedirectURL: api.AgencyRedirect(base),
			Plain: true, PIDKey: []byte("an-hmac-key-of-thirty-two-bytes!"), Now: d.Now,
		})
		if err != nil {
			t.Fatal(err)
		}
		d.AgencyOIDC = map[string]*oidc.Client{"nav-sola": client}
	})
	ctx := context.Background()
	now := e.clock.Now()
	a, err := veikart.NewAgency("nav-sola", veikart.AgencyKind("nav"), "NAV Sola", "Sola", now)
	if err != nil {
		t.Fatal(err)
	}
	if a, err = a.SetStaff("u-ada", []veikart.AgencyRole{veikart.AdminRole, veikart.CaseworkerRole}, "test", now); err != nil {
		t.Fatal(err)
	}
	if err := e.store.CreateAgency(ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.EnsureUser(ctx, &veikart.User{ID: "u-ada", Name: "Ada", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	return e
}

// agencySignIn signs a person in through the agency's provider and returns
// the token response.
func agencySignIn(t *testing.T, e *env, agency, pid string) map[string]any {
	t.Helper()
	res := get(t, e.url+"/api/v1/auth/agency/"+agency)
	loc := res.Header.Get("Location")
	if res.StatusCode != 302 || !strings.Contains(loc, "code_challenge=") || strings.Contains(loc, "acr_values") {
		t.Fatalf("start: %d %q", res.StatusCode, loc)
	}
	callback := oidctest.Authorize(t, nil, loc+"&login_hint="+oidctest.LoginHint(pid, ""))
	code, ok := strings.CutPrefix(backToApp(t, e, callback), "signed-in/")
	if !ok {
		t.Fatalf("callback did not sign in: %v", callback)
	}
	r := e.do(t, "POST", "/api/v1/auth/exchange", "", map[string]any{"code": code})
	if r.status != 200 {
		t.Fatalf("exchange: %d %s", r.status, r.body)
	}
	return r.json(t)
}

func TestAgencySignIn(t *testing.T) {
	e := agencyEnv(t)
	tok := agencySignIn(t, e, "nav-sola", "12345678901")
	if tok["actingFor"] != "nav-sola" {
		t.Fatalf("session acts for %v", tok["actingFor"])
	}
	access := tok["accessToken"].(string)
	if r := e.do(t, "GET", "/api/v1/shared", access, nil); r.status != 200 {
		t.Fatalf("shared: %d %s", r.status, r.body)
	}
	// The provider made them the agency's caseworker, once.
	userID := tok["user"].(map[string]any)["id"].(string)
	a, err := e.store.Agency(context.Background(), "nav-sola")
	if err != nil || len(a.Roles(userID)) != 1 || a.Roles(userID)[0] != veikart.CaseworkerRole {
		t.Fatalf("staff: %+v %v", a, err)
	}
	again := agencySignIn(t, e, "nav-sola", "12345678901")
	if again["user"].(map[string]any)["id"] != userID {
		t.Fatal("the same person got another account")
	}
	if r := e.do(t, "GET", "/api/v1/auth/agency/no-such-agency", "", nil); r.status != 404 {
		t.Fatalf("unknown agency: %d", r.status)
	}
}

func TestAgencyRequiresSignInMethod(t *testing.T) {
	e := agencyEnv(t)
	oidcSession := agencySignIn(t, e, "nav-sola", "12345678901")["accessToken"].(string)
	devSession := e.issue(t, "u-ada", "nav-sola") // Ada, by some other way of signing in
	if r := e.do(t, "GET", "/api/v1/shared", devSession, nil); r.status != 200 {
		t.Fatalf("before the requirement: %d", r.status)
	}
	require := func(tok, method string) response {
		return e.do(t, "PUT", "/api/v1/agencies/nav-sola/sign-in", tok, map[string]any{"require": method})
	}
	// Only administrators decide; only known methods; agency-oidc only
	// where the agency has a provider.
	if r := require(oidcSession, "agency-oidc"); r.status != 403 {
		t.Fatalf("a caseworker set it: %d %s", r.status, r.body)
	}
	if r := require(devSession, "password"); r.status != 422 {
		t.Fatalf("unknown method: %d %s", r.status, r.body)
	}
	if r := require(devSession, "agency-oidc"); r.status != 200 || !strings.Contains(r.body, `"requireSignIn":"agency-oidc"`) {
		t.Fatalf("set: %d %s", r.status, r.body)
	}
	// The next request of a session signed in otherwise is refused.
	if r := e.do(t, "GET", "/api/v1/shared", devSession, nil); r.status != 403 || !strings.Contains(r.body, "requires signing in with agency-oidc") {
		t.Fatalf("other method after the requirement: %d %s", r.status, r.body)
	}
	if r := e.do(t, "GET", "/api/v1/shared", oidcSession, nil); r.status != 200 {
		t.Fatalf("agency sign-in after the requirement: %d %s", r.status, r.body)
	}
	// The operator can lift it (an administrator locked out, say).
	op, _, err := e.tokens.IssueOperator(5 * 60e9)
	if err != nil {
		t.Fatal(err)
	}
	if r := require(op, ""); r.status != 200 {
		t.Fatalf("operator: %d %s", r.status, r.body)
	}
	if r := e.do(t, "GET", "/api/v1/shared", devSession, nil); r.status != 200 {
		t.Fatalf("after lifting: %d", r.status)
	}
}
