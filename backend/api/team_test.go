package api_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/wire"

	goical "github.com/emersion/go-ical"
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

// TestMeeting_CalendarInvitation: the invitation an invited agency
// downloads is read by an independent iCalendar parser: the meeting's time
// and length, an alarm the day before, and nothing of the household's (its
// title, its agenda) in it. An agency not invited gets nothing.
func TestMeeting_CalendarInvitation(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)
	w := newWorld(t, e)
	r := e.do(t, "GET", "/api/v1/roadmaps/"+w.id+"/meetings/mt1/calendar.ics", w.tokens["caseworker"], nil)
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/calendar") {
		t.Fatalf("calendar: %d %s %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	cal, err := goical.NewDecoder(strings.NewReader(r.body)).Decode()
	if err != nil {
		t.Fatalf("decode: %v\n%s", err, r.body)
	}
	ev := cal.Events()[0]
	m, _ := w.roadmap(t).Meeting("mt1")
	if start, err := ev.DateTimeStart(time.UTC); err != nil || !start.Equal(m.At) {
		t.Errorf("start %v %v, want %v", start, err, m.At)
	}
	if end, err := ev.DateTimeEnd(time.UTC); err != nil || !end.Equal(m.At.Add(time.Hour)) {
		t.Errorf("end %v %v", end, err)
	}
	if loc, _ := ev.Props.Text(goical.PropLocation); loc != "Hjemme hos familien" {
		t.Errorf("location %q", loc)
	}
	if len(ev.Children) != 1 || ev.Children[0].Name != goical.CompAlarm {
		t.Errorf("no alarm: %+v", ev.Children)
	}
	for _, secret := range []string{"Familien", "The flat", mHealth} {
		if strings.Contains(r.body, secret) {
			t.Errorf("the invitation says %q:\n%s", secret, r.body)
		}
	}
	// The police was not invited (and has no grant in force).
	if r := e.do(t, "GET", "/api/v1/roadmaps/"+w.id+"/meetings/mt1/calendar.ics", w.tokens["never"], nil); r.status != 404 {
		t.Errorf("not invited: %d %s", r.status, r.body)
	}
}

// TestMeeting_BadInputChangesNothing: times gone or too far, agencies not
// on the team, areas that do not exist, decisions for a service not at the
// meeting, and changes after the minutes are approved.
func TestMeeting_BadInputChangesNothing(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)
	at := func(d time.Duration) string { return e.clock.Now().Add(d).UTC().Format(time.RFC3339) }
	cases := []struct {
		name, method, path, token string
		body                      func(w *world) any
		status                    int
	}{
		{"meeting in the past", "POST", "/meetings", "owner", func(w *world) any {
			return map[string]any{"id": "x1", "at": at(-time.Hour), "invitees": []string{w.nav}}
		}, 422},
		{"meeting over a year away", "POST", "/meetings", "owner", func(w *world) any {
			return map[string]any{"id": "x1", "at": at(400 * 24 * time.Hour), "invitees": []string{w.nav}}
		}, 422},
		{"invitee without access", "POST", "/meetings", "owner", func(w *world) any {
			return map[string]any{"id": "x1", "at": at(time.Hour), "invitees": []string{w.housing}}
		}, 422},
		{"no invitees", "POST", "/meetings", "owner", func(w *world) any { return map[string]any{"id": "x1", "at": at(time.Hour), "invitees": []string{}} }, 422},
		{"meeting id taken", "POST", "/meetings", "owner", func(w *world) any {
			return map[string]any{"id": "mt1", "at": at(time.Hour), "invitees": []string{w.nav}}
		}, 409},
		{"meeting of five minutes", "POST", "/meetings", "owner", func(w *world) any {
			return map[string]any{"id": "x1", "at": at(time.Hour), "minutes": 5, "invitees": []string{w.nav}}
		}, 422},
		{"agenda in an area that does not exist", "PUT", "/meetings/mt1/agenda", "owner", func(*world) any {
			return map[string]any{"items": []any{map[string]any{"id": "a1", "areaId": "garden", "text": "x"}}}
		}, 422},
		{"agenda item twice", "PUT", "/meetings/mt1/agenda", "owner", func(*world) any {
			return map[string]any{"items": []any{map[string]any{"id": "a1", "text": "x"}, map[string]any{"id": "a1", "text": "y"}}}
		}, 422},
		{"notes for an item that does not exist", "PUT", "/meetings/mt1/agenda/zz/notes", "owner", func(*world) any { return map[string]any{"notes": "x"} }, 404},
		{"notes too long", "PUT", "/meetings/mt1/agenda/a1/notes", "owner", func(*world) any { return map[string]any{"notes": strings.Repeat("x", 4001)} }, 422},
		{"decision for a service not at the meeting", "POST", "/meetings/mt1/agenda/a1/decisions", "owner", func(w *world) any {
			return map[string]any{"id": "d1", "text": "x", "responsible": map[string]any{"kind": "agency", "agencyId": w.police}}
		}, 422},
		{"decision on a free item without an area", "POST", "/meetings/mt1/agenda/a3/decisions", "owner", func(*world) any {
			return map[string]any{"id": "d1", "text": "x", "responsible": map[string]any{"kind": "household"}}
		}, 422},
		{"notes by NAV, which does not coordinate", "PUT", "/meetings/mt1/agenda/a1/notes", "caseworker", func(*world) any { return map[string]any{"notes": "x"} }, 403},
		{"notes on another household's meeting", "PUT", "/meetings/mt1/agenda/a1/notes", "other-person", func(*world) any { return map[string]any{"notes": "x"} }, 404},
		{"unknown field", "POST", "/meetings", "owner", func(w *world) any {
			return map[string]any{"id": "x1", "at": at(time.Hour), "invitees": []string{w.nav}, "secret": true}
		}, 422},
		{"malformed json", "PUT", "/meetings/mt1/agenda/a1/notes", "owner", func(*world) any { return `{"notes": ` }, 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, e)
			before := w.roadmap(t)
			r := e.do(t, tc.method, "/api/v1/roadmaps/"+w.id+tc.path, w.tokens[tc.token], tc.body(w))
			if r.status != tc.status || !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
				t.Fatalf("got %d %s, want %d", r.status, r.body, tc.status)
			}
			if after := w.roadmap(t); after.Rev != before.Rev {
				t.Fatalf("bad input changed the roadmap")
			}
		})
	}

	// Once the minutes are approved, nothing changes any more.
	w := newWorld(t, e)
	if r := e.do(t, "POST", "/api/v1/roadmaps/"+w.id+"/meetings/mt1/approve", w.tokens["owner"], nil); r.status != 200 {
		t.Fatalf("approve: %d %s", r.status, r.body)
	}
	if r := e.do(t, "PUT", "/api/v1/roadmaps/"+w.id+"/meetings/mt1/agenda/a1/notes", w.tokens["owner"], map[string]any{"notes": "later"}); r.status != 409 {
		t.Fatalf("notes after approval: %d %s", r.status, r.body)
	}
}
