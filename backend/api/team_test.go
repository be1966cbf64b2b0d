package api_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/wire"
)

// TestTeam_WhatEachSees: the owners see every agency, its contact person
// and every promise; the coordinator the same; NAV, let see the team, the
// agencies and contacts but no promises; an agency not let see it only
// itself. Nobody's account id leaves, and a promise's caseworker is named
// by the name they gave.
func TestTeam_WhatEachSees(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)
	w := newWorld(t, e)
	get := func(role string) wire.Team {
		t.Helper()
		r := e.do(t, "GET", "/api/v1/roadmaps/"+w.id+"/team", w.tokens[role], nil)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", role, r.status, r.body)
		}
		for _, u := range w.users {
			if strings.Contains(r.body, `"`+u+`"`) {
				t.Errorf("%s's team names account %s: %s", role, u, r.body)
			}
		}
		var tm wire.Team
		if err := json.Unmarshal([]byte(r.body), &tm); err != nil {
			t.Fatal(err)
		}
		return tm
	}
	owner := get("owner")
	if owner.Role != "owner" || len(owner.Members) != 2 || len(owner.Promises) != 1 {
		t.Fatalf("owner's team: %+v", owner)
	}
	p := owner.Promises[0]
	if p.StepID != "s3" || p.State != "accepted" || p.Promise == nil || p.Promise.ByName != "caseworker" || p.AgencyID != w.nav {
		t.Errorf("owner's promise: %+v", p)
	}
	var coordinators int
	for _, m := range owner.Members {
		if m.Coordinator {
			coordinators++
			if m.AgencyID != w.office || m.Contact == nil || m.Contact.Name != "Contact coordinator" {
				t.Errorf("coordinator entry: %+v", m)
			}
		}
	}
	if coordinators != 1 {
		t.Errorf("%d coordinators", coordinators)
	}
	if c := get("coordinator"); c.Role != "coordinator" || len(c.Members) != 2 || len(c.Promises) != 1 {
		t.Errorf("coordinator's team: %+v", c)
	}
	if n := get("caseworker"); n.Role != "caseworker" || len(n.Members) != 2 || n.Promises != nil {
		t.Errorf("NAV's team: %+v", n)
	}

	// The household takes the team permission from NAV: it sees itself.
	r := e.do(t, "PATCH", "/api/v1/roadmaps/"+w.id+"/grants/"+w.grantNAV, w.tokens["owner"], map[string]any{"permissions": []string{"view", "comment", "propose"}})
	if r.status != 200 {
		t.Fatalf("narrow NAV: %d %s", r.status, r.body)
	}
	if n := get("caseworker"); len(n.Members) != 1 || n.Members[0].AgencyID != w.nav || !n.Members[0].You {
		t.Errorf("NAV without the team permission: %+v", n)
	}

	// The coordinator's grant ends: on the next request it is no one's
	// coordinator, and sees nothing.
	e.clock.Add(91 * 24 * time.Hour)
	fresh := e.issue(t, w.users["coordinator"], w.office) // the old token ran out too
	if r := e.do(t, "GET", "/api/v1/roadmaps/"+w.id+"/team", fresh, nil); r.status != 404 {
		t.Fatalf("coordinator after the grant ended: %d %s", r.status, r.body)
	}
}
