package api_test

import (
	"strings"
	"testing"
	"time"
)

// TestAccess_EveryRoleEveryRoute sends every route as every kind of caller and
// checks the status, that the owner's data appears only for the owner, and
// that nobody but the owner changed anything.
func TestAccess_EveryRoleEveryRoute(t *testing.T) {
	t.Parallel()
	const secret = "KARI-SECRET-NAME"

	ops := map[string]any{"operations": []any{map[string]any{
		"opId": "op-1", "type": "area.update", "areaId": "housing", "baseVersion": 1, "set": map[string]any{"now": "changed by caller"}}}}
	create := map[string]any{"id": "00000000-0000-4000-8000-000000000003", "title": "taken"}

	type route struct {
		name, method, path string
		body               any
		changes            bool // a success changes Kari's roadmap
	}
	routes := []route{
		{"list", "GET", "/api/v1/roadmaps", nil, false},
		{"get", "GET", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000003", nil, false},
		{"operations", "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000003/operations", ops, true},
		{"delete", "DELETE", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000003", nil, true},
		{"create-same-id", "POST", "/api/v1/roadmaps", create, false},
		{"me", "GET", "/api/v1/me", nil, false},
		{"poster-qr", "GET", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000003/poster-qr", nil, false},
	}
	roles := []string{"owner", "other-person", "anonymous", "forged", "expired", "alg-none", "garbage"}
	want := map[string]map[string]int{
		"owner":        {"list": 200, "get": 200, "operations": 200, "delete": 204, "create-same-id": 200, "me": 200, "poster-qr": 200},
		"other-person": {"list": 200, "get": 404, "operations": 404, "delete": 404, "create-same-id": 409, "me": 200, "poster-qr": 404},
	}
	// Export and erasure of one's own account: the owner's export holds
	// their secret, Ola's does not; each erases only their own account,
	// and only with the confirmation (erase.go, export.go).
	routes = append(routes,
		route{"export", "GET", "/api/v1/me/export", nil, false},
		route{"erase-account", "DELETE", "/api/v1/me", map[string]any{"confirm": "erase my account"}, true},
		route{"erase-account-unconfirmed", "DELETE", "/api/v1/me", map[string]any{"confirm": "yes"}, false},
		route{"calendar-feed", "GET", "/api/v1/me/calendar-feed", nil, false},
		route{"make-calendar-feed", "POST", "/api/v1/me/calendar-feed", map[string]any{"lang": "nb"}, false},
		route{"revoke-calendar-feed", "DELETE", "/api/v1/me/calendar-feed", nil, false},
		// The feed itself takes no token: an address nobody made is not
		// found, whatever the caller sends (calendar_test.go has the rest).
		route{"calendar-feed-fetch", "GET", "/api/v1/calendar/" + strings.Repeat("A", 43), nil, false},
	)
	for _, role := range roles {
		if want[role] == nil {
			want[role] = map[string]int{}
		}
		want[role]["calendar-feed-fetch"] = 404
	}
	for _, role := range []string{"owner", "other-person"} {
		want[role]["export"], want[role]["erase-account"], want[role]["erase-account-unconfirmed"] = 200, 204, 422
		want[role]["calendar-feed"], want[role]["make-calendar-feed"], want[role]["revoke-calendar-feed"] = 200, 201, 204
	}
	for _, rt := range routes {
		for _, role := range roles {
			t.Run(rt.name+"/"+role, func(t *testing.T) {
				t.Parallel()
				e := mustEnv(t, true)
				kari := e.login(t, "Kari")
				e.createRoadmap(t, kari, "00000000-0000-4000-8000-000000000003", secret)
				ola := e.login(t, "Ola")
				e.createRoadmap(t, ola, "00000000-0000-4000-8000-000000000014", "OLA-NAME")

				var token string
				switch role {
				case "owner":
					token = kari.access
				case "other-person":
					token = ola.access
				case "forged":
					token = forgedToken(t, kari.userID)
				case "alg-none":
					token = noneToken(t, kari.userID)
				case "garbage":
					token = "not.a.token"
				case "expired":
					token = kari.access
				}
				if role == "expired" {
					e.clock.Add(11 * time.Minute)
				}
				wantStatus, ok := want[role][rt.name]
				if !ok {
					wantStatus = 401
				}
				r := e.do(t, rt.method, rt.path, token, rt.body)
				if r.status != wantStatus {
					t.Fatalf("status %d, want %d: %s", r.status, wantStatus, r.body)
				}
				if role != "owner" && strings.Contains(r.body, secret) {
					t.Fatalf("response leaks the owner's data: %s", r.body)
				}
				if role == "owner" && (rt.name == "get" || rt.name == "export") && !strings.Contains(r.body, secret) {
					t.Fatalf("owner does not see their data: %s", r.body)
				}
				if r.status >= 400 && !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
					t.Fatalf("error is not problem details: %s", r.header.Get("Content-Type"))
				}
				if role == "expired" {
					e.clock.Add(-11 * time.Minute)
				}
				// Nothing changed unless the owner did it.
				if role != "owner" || !rt.changes {
					g := e.do(t, "GET", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000003", kari.access, nil)
					if g.status != 200 || !strings.Contains(g.body, `"version":1,`) || strings.Contains(g.body, "changed by caller") {
						t.Fatalf("Kari's roadmap changed: %d %s", g.status, g.body)
					}
				}
			})
		}
	}
}

// TestAccess_ListShowsOnlyMine checks that the list holds one's own roadmaps
// and never another person's.
func TestAccess_ListShowsOnlyMine(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)
	kari, ola := e.login(t, "Kari"), e.login(t, "Ola")
	e.createRoadmap(t, kari, "00000000-0000-4000-8000-000000000003", "KARI")
	e.createRoadmap(t, ola, "00000000-0000-4000-8000-000000000014", "OLA")
	r := e.do(t, "GET", "/api/v1/roadmaps", ola.access, nil)
	if r.status != 200 || !strings.Contains(r.body, "00000000-0000-4000-8000-000000000014") || strings.Contains(r.body, "00000000-0000-4000-8000-000000000003") || strings.Contains(r.body, "KARI") {
		t.Fatalf("list: %d %s", r.status, r.body)
	}
}
