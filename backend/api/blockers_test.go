package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/auth"
	"github.com/veikart/veikart/backend/veikart"
)

// The system's blockers over HTTP: households name and share a blocker with
// an operation; the agency's administrator reads the published counts,
// which the server's clock (the test's) publishes once a quarter has ended.

// blockerAgency makes agency id in Oslo with an administrator and a
// caseworker, and returns the administrator's user id and the
// caseworker's token.
func blockerAgency(t *testing.T, e *env, id string) (adminID, caseworker string) {
	t.Helper()
	a, c := e.login(t, "Admin "+id), e.login(t, "Case "+id)
	ag, err := veikart.NewAgency(id, veikart.KindNAV, "NAV "+id, "Oslo", e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	ag.Staff = []veikart.StaffMember{
		{UserID: a.userID, Roles: []veikart.AgencyRole{veikart.AdminRole}, AddedAt: e.clock.Now()},
		{UserID: c.userID, Roles: []veikart.AgencyRole{veikart.CaseworkerRole}, AddedAt: e.clock.Now()},
	}
	if err := e.store.CreateAgency(context.Background(), ag); err != nil {
		t.Fatal(err)
	}
	return a.userID, e.issue(t, c.userID, id)
}

// blockedRoadmap makes a household with a step overdue since yesterday.
func blockedRoadmap(t *testing.T, e *env, name string) (session, string) {
	t.Helper()
	s := e.login(t, name)
	id := auth.NewUUID()
	e.createRoadmap(t, s, id, name)
	yesterday := e.clock.Now().AddDate(0, 0, -1).UTC().Format(time.DateOnly)
	if r := e.do(t, "POST", "/api/v1/roadmaps/"+id+"/operations", s.access, ops(
		op("s", "step.add", map[string]any{"step": map[string]any{"id": "s1", "areaId": "housing", "title": "Søke bolig",
			"responsible": map[string]any{"kind": "household"}, "due": yesterday, "term": "short"}}),
		op("f", "step.add", map[string]any{"step": map[string]any{"id": "s2", "areaId": "work", "title": "Søke jobb",
			"responsible": map[string]any{"kind": "household"}, "due": "2099-01-01", "term": "short"}}),
	)); r.status != 200 {
		t.Fatalf("steps: %d %s", r.status, r.body)
	}
	return s, id
}

func shareOps(municipality, blocker string) map[string]any {
	return ops(
		op("m", "roadmap.setMunicipality", map[string]any{"baseVersion": 2, "municipality": municipality}),
		op("b", "step.setBlocker", map[string]any{"baseVersion": 2, "stepId": "s1", "blocker": blocker, "share": true}),
	)
}

func TestBlockers_BadInput(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)
	blockerAgency(t, e, "nav-bad")
	s, id := blockedRoadmap(t, e, "Kari")
	path := "/api/v1/roadmaps/" + id + "/operations"
	setBlocker := func(fields map[string]any) map[string]any {
		m := map[string]any{"baseVersion": 2, "stepId": "s1", "blocker": "debt", "share": false}
		for k, v := range fields {
			if v == nil {
				delete(m, k)
			} else {
				m[k] = v
			}
		}
		return ops(op("b", "step.setBlocker", m))
	}
	for _, tc := range []struct {
		name    string
		body    any
		status  int
		pointer string
	}{
		{"blocker not on the list", setBlocker(map[string]any{"blocker": "bad-landlord"}), 422, ""},
		{"free text as blocker", setBlocker(map[string]any{"blocker": "Huseieren vil ikke"}), 422, ""},
		{"share missing", setBlocker(map[string]any{"share": nil}), 422, ""},
		{"share not a boolean", setBlocker(map[string]any{"share": "yes"}), 422, ""},
		{"unknown field", setBlocker(map[string]any{"note": "why"}), 422, ""},
		{"step not overdue", setBlocker(map[string]any{"stepId": "s2"}), 422, "/operations/0/stepId"},
		{"share without a municipality", setBlocker(map[string]any{"share": true}), 422, "/operations/0/share"},
		{"municipality not known", shareOps("Atlantis", "debt"), 422, "/operations/0/municipality"},
		{"municipality too long", shareOps(strings.Repeat("x", 101), "debt"), 422, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(t, "POST", path, s.access, tc.body)
			if r.status != tc.status || !strings.Contains(r.body, tc.pointer) {
				t.Fatalf("%d %s", r.status, r.body)
			}
		})
	}
	// Nothing of it was stored.
	if r := e.do(t, "GET", "/api/v1/roadmaps/"+id, s.access, nil); strings.Contains(r.body, `"blocker"`) || strings.Contains(r.body, "municipality") {
		t.Fatalf("refused input stored: %s", r.body)
	}
}

// Five households share, one names it and does not share, a sixth shares
// another blocker alone: after the quarter, the administrator sees the
// cell of five and nothing else; the caseworker sees nothing at all, and
// the agency's view of a roadmap holds no blocker.
func TestBlockers_PublishedAfterTheQuarter(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)
	adminID, caseworker := blockerAgency(t, e, "nav-pub")
	admin := e.issue(t, adminID, "nav-pub")
	for i := range 5 {
		s, id := blockedRoadmap(t, e, fmt.Sprintf("Hus%d", i))
		if r := e.do(t, "POST", "/api/v1/roadmaps/"+id+"/operations", s.access, shareOps("Oslo", "no-suitable-home")); r.status != 200 {
			t.Fatalf("share: %d %s", r.status, r.body)
		}
		if i == 0 {
			g := e.do(t, "GET", "/api/v1/roadmaps/"+id, s.access, nil)
			if !strings.Contains(g.body, `"municipality":"Oslo"`) || !strings.Contains(g.body, `"code":"no-suitable-home"`) || !strings.Contains(g.body, `"shared":true`) {
				t.Fatalf("the owner's read: %s", g.body)
			}
			// The person's export has them too.
			x := e.do(t, "GET", "/api/v1/me/export", s.access, nil)
			if x.status != 200 || !strings.Contains(x.body, `"municipality":"Oslo"`) || !strings.Contains(x.body, `"code":"no-suitable-home"`) {
				t.Fatalf("export: %d %s", x.status, x.body)
			}
		}
	}
	s, id := blockedRoadmap(t, e, "Alone")
	if r := e.do(t, "POST", "/api/v1/roadmaps/"+id+"/operations", s.access, shareOps("Oslo", "debt")); r.status != 200 {
		t.Fatalf("share: %d %s", r.status, r.body)
	}
	before := e.do(t, "GET", "/api/v1/agencies/nav-pub/blockers", admin, nil)
	if before.status != 200 || strings.Contains(before.body, "no-suitable-home\",\"municipality") {
		t.Fatalf("the quarter under way: %d %s", before.status, before.body)
	}
	if r := e.do(t, "GET", "/api/v1/agencies/nav-pub/blockers", caseworker, nil); r.status != 403 {
		t.Fatalf("caseworker: %d %s", r.status, r.body)
	}

	// To the first day of the next quarter.
	now, oslo := e.clock.Now(), mustOslo(t)
	e.clock.Add(veikart.QuarterOf(now, oslo).End(oslo).Sub(now) + time.Hour)
	admin = e.issue(t, adminID, "nav-pub") // the first token ran out
	r := e.do(t, "GET", "/api/v1/agencies/nav-pub/blockers", admin, nil)
	want := fmt.Sprintf(`{"quarter":"%s","publishedAt":`, veikart.QuarterOf(now, oslo))
	if r.status != 200 || !strings.Contains(r.body, want) || !strings.Contains(r.body, `{"blocker":"no-suitable-home","municipality":"Oslo","households":5}`) {
		t.Fatalf("published: %d %s", r.status, r.body)
	}
	if strings.Contains(r.body, `"blocker":"debt","municipality"`) || strings.Contains(r.body, id) {
		t.Fatalf("a cell under five, or an id: %s", r.body)
	}
	// Published once: asked again, the same.
	if again := e.do(t, "GET", "/api/v1/agencies/nav-pub/blockers", admin, nil); again.body != r.body {
		t.Fatalf("changed:\n%s\n%s", r.body, again.body)
	}
}
