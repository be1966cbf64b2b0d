package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestTransition_GrantOpensAndClosesByItself plans a discharge 20 days ahead
// with access for the child welfare service from 5 days before until the end
// of 3 days after, and moves the server's clock across both edges: the
// agency's caseworker is refused a minute before the window, reads the
// granted sections and the hand-over a minute into it, and is refused again a
// minute after it closes. Nothing runs on the day: access decides against
// the clock on every request.
func TestTransition_GrantOpensAndClosesByItself(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)
	w := newWorld(t, e)
	oslo, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	today := e.clock.Now().In(oslo)
	day := time.Date(today.Year(), today.Month(), today.Day()+20, 0, 0, 0, 0, oslo)
	const summary = "HANDOVER-SUMMARY: Mia starts at the new school on Monday."
	plan := map[string]any{
		"id": "t-discharge", "kind": "discharge", "date": day.Format(time.DateOnly), "agencyId": w.childWelfare,
		"sections": []string{"area:housing", "steps:housing"}, "permissions": []string{"view", "comment"},
		"daysBefore": 5, "daysAfter": 3, "summary": summary, "reminders": []int{7, 1},
	}
	r := e.do(t, "POST", "/api/v1/roadmaps/"+w.id+"/transitions", w.tokens["owner"], plan)
	if r.status != 201 {
		t.Fatalf("plan: %d %s", r.status, r.body)
	}
	grantID := r.json(t)["grantId"].(string)
	// The same plan sent again (a phone that lost the answer) is made once.
	if again := e.do(t, "POST", "/api/v1/roadmaps/"+w.id+"/transitions", w.tokens["owner"], plan); again.status != 201 || !strings.Contains(again.body, grantID) {
		t.Fatalf("plan again: %d %s", again.status, again.body)
	}
	if n := strings.Count(e.do(t, "GET", "/api/v1/roadmaps/"+w.id+"/transitions", w.tokens["owner"], nil).body, `"id":"t-discharge"`); n != 1 {
		t.Fatalf("%d transitions after sending the plan twice", n)
	}

	opens := day.AddDate(0, 0, -5)
	closes := day.AddDate(0, 0, 4) // the end of the third day after
	cwUser := w.users["expired"]   // the child welfare service's caseworker
	// Outside the window the caseworker is told that the agency's access
	// ended (its earlier grant ran out; the world gave it one), and sees
	// nothing of the roadmap.
	ended := func(r response) bool {
		return r.status == 403 && strings.Contains(r.body, `"reason":"expired"`) && !strings.Contains(r.body, mHousing)
	}
	read := func(at time.Time) response {
		t.Helper()
		e.clock.Add(at.Sub(e.clock.Now()))
		// A fresh sign-in each time: the clock jumps weeks.
		return e.do(t, "GET", "/api/v1/roadmaps/"+w.id, e.issue(t, cwUser, w.childWelfare), nil)
	}
	grantStatus := func() string {
		t.Helper()
		tok := e.issue(t, w.users["owner"], "")
		for _, g := range e.do(t, "GET", "/api/v1/roadmaps/"+w.id+"/grants", tok, nil).json(t)["items"].([]any) {
			if g := g.(map[string]any); g["id"] == grantID {
				return g["status"].(string)
			}
		}
		t.Fatal("the transition's grant is not in the list")
		return ""
	}
	shared := func() string {
		return e.do(t, "GET", "/api/v1/shared", e.issue(t, cwUser, w.childWelfare), nil).body
	}

	if r := read(e.clock.Now()); !ended(r) {
		t.Fatalf("today: %d %s", r.status, r.body)
	}
	if s := grantStatus(); s != "scheduled" {
		t.Fatalf("grant status today %q", s)
	}
	if r := read(opens.Add(-time.Minute)); !ended(r) {
		t.Fatalf("a minute before it opens: %d %s", r.status, r.body)
	}
	if strings.Contains(shared(), w.id) {
		t.Fatal("the shared list shows the roadmap before its grant opens")
	}
	r = read(opens.Add(time.Minute))
	if r.status != 200 || !strings.Contains(r.body, mHousing) || !strings.Contains(r.body, summary) || strings.Contains(r.body, mHealth) {
		t.Fatalf("a minute after it opens: %d %s", r.status, r.body)
	}
	if s := grantStatus(); s != "active" {
		t.Fatalf("grant status in the window %q", s)
	}
	if !strings.Contains(shared(), w.id) {
		t.Fatal("the shared list does not show the roadmap while its grant is in force")
	}
	if r := read(closes.Add(-time.Minute)); r.status != 200 {
		t.Fatalf("a minute before it closes: %d %s", r.status, r.body)
	}
	if r := read(closes.Add(time.Minute)); !ended(r) || !strings.Contains(r.body, `"endedAt":"`+closes.UTC().Format(time.RFC3339)) {
		t.Fatalf("a minute after it closes: %d %s", r.status, r.body)
	}
	if s := grantStatus(); s != "expired" {
		t.Fatalf("grant status after the window %q", s)
	}
	// The owners' copy of the transition holds its hand-over; other
	// agencies never see it.
	if r := e.do(t, "GET", "/api/v1/roadmaps/"+w.id, e.issue(t, w.users["caseworker"], w.nav), nil); strings.Contains(r.body, summary) {
		t.Fatalf("another agency reads the hand-over: %s", r.body)
	}
}

// TestTransition_Rules: what a plan may not do. Each refusal is a problem
// and changes nothing.
func TestTransition_Rules(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)
	w := newWorld(t, e)
	date := func(days int) string { return e.clock.Now().AddDate(0, 0, days).Format(time.DateOnly) }
	base := func(over map[string]any) map[string]any {
		m := map[string]any{"id": "t1", "kind": "release", "date": date(60), "agencyId": w.childWelfare,
			"sections": []string{"household"}, "permissions": []string{"view"}, "daysBefore": 7, "daysAfter": 14}
		for k, v := range over {
			m[k] = v
		}
		return m
	}
	cases := []struct {
		name   string
		body   map[string]any
		status int
	}{
		{"NAV has a grant in force over the window", base(map[string]any{"agencyId": w.nav}), 409},
		{"overlaps the police's planned release", base(map[string]any{"agencyId": w.police, "date": date(195)}), 409},
		{"no such agency", base(map[string]any{"agencyId": "ag-nowhere"}), 422},
		{"no such section", base(map[string]any{"sections": []string{"area:nowhere"}}), 422},
		{"without view", base(map[string]any{"permissions": []string{"comment"}}), 422},
		{"over already", base(map[string]any{"date": date(-30)}), 422},
		{"three years ahead", base(map[string]any{"date": date(3 * 365)}), 422},
		{"too many days before", base(map[string]any{"daysBefore": 91}), 422},
		{"unknown kind", base(map[string]any{"kind": "holiday"}), 422},
		{"not a date", base(map[string]any{"date": "next week"}), 422},
		{"unknown field", base(map[string]any{"startsAt": "2027-01-01T00:00:00Z"}), 422},
		{"reminder too early", base(map[string]any{"reminders": []int{45}}), 422},
	}
	for _, c := range cases {
		before := w.roadmap(t).Version
		r := e.do(t, "POST", "/api/v1/roadmaps/"+w.id+"/transitions", w.tokens["owner"], c.body)
		if r.status != c.status || !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("%s: %d %s, want %d problem", c.name, r.status, r.body, c.status)
		}
		if after := w.roadmap(t).Version; after != before {
			t.Errorf("%s: the refused plan changed the roadmap", c.name)
		}
	}
	// A transition's grant is changed through the transition, not alone.
	if r := e.do(t, "PATCH", "/api/v1/roadmaps/"+w.id+"/grants/g-pol", w.tokens["owner"], map[string]any{"purpose": "x"}); r.status != 409 {
		t.Errorf("changing a transition's grant directly: %d %s", r.status, r.body)
	}
	// Cancelling revokes its grant at once.
	if r := e.do(t, "DELETE", "/api/v1/roadmaps/"+w.id+"/transitions/t-pol", w.tokens["owner"], nil); r.status != 200 || !strings.Contains(r.body, `"status":"cancelled"`) {
		t.Fatalf("cancel: %d %s", r.status, r.body)
	}
	if g, _ := w.roadmap(t).Grant("g-pol"); g.Status != "revoked" {
		t.Errorf("the cancelled transition's grant is %s", g.Status)
	}
	if r := e.do(t, "PATCH", "/api/v1/roadmaps/"+w.id+"/transitions/t-pol", w.tokens["owner"], map[string]any{"summary": "x"}); r.status != 409 {
		t.Errorf("changing a cancelled transition: %d %s", r.status, r.body)
	}
}

// TestGrowingUp_OwnRoadmap: Mia, with an account and the owners' leave,
// takes her part of the family's roadmap into a roadmap of her own. It holds
// the area and steps that concern her and nothing else of the family's; the
// family's owners cannot read it, change it, or see its consent records; the
// family's roadmap records that she moved on.
func TestGrowingUp_OwnRoadmap(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)
	w := newWorld(t, e)
	owner, mia := w.tokens["owner"], w.tokens["member"]
	const schoolNow, schoolStep = "MIA-SCHOOL: second year, likes maths", "MIA-STEP: apply to upper secondary"
	ops := map[string]any{"operations": []any{
		map[string]any{"opId": "g1", "type": "area.update", "areaId": "education", "baseVersion": w.roadmap(t).Version,
			"set": map[string]any{"now": schoolNow, "memberIds": []string{"m2"}}},
		map[string]any{"opId": "g2", "type": "step.add", "step": map[string]any{"id": "s-mia", "areaId": "education", "title": schoolStep,
			"term": "short", "responsible": map[string]any{"kind": "member", "memberId": "m2"}, "due": e.clock.Now().AddDate(0, 1, 0).Format(time.DateOnly)}},
	}}
	if r := e.do(t, "POST", "/api/v1/roadmaps/"+w.id+"/operations", owner, ops); r.status != 200 {
		t.Fatalf("operations: %d %s", r.status, r.body)
	}

	// Without the owners' leave, 16-year-old Mia may not.
	leave := func(allowed bool) {
		t.Helper()
		r := e.do(t, "POST", "/api/v1/roadmaps/"+w.id+"/operations", owner, map[string]any{"operations": []any{map[string]any{
			"opId": fmt.Sprintf("leave-%t", allowed), "type": "member.update", "memberId": "m2", "baseVersion": w.roadmap(t).Version,
			"set": map[string]any{"ownAllowed": allowed}}}})
		if r.status != 200 {
			t.Fatalf("ownAllowed %v: %d %s", allowed, r.status, r.body)
		}
	}
	leave(false)
	take := map[string]any{"id": "00000000-0000-4000-8000-000000000007", "title": "Mia's road"}
	if r := e.do(t, "POST", "/api/v1/roadmaps/"+w.id+"/members/m2/own-roadmap", mia, take); r.status != 403 {
		t.Fatalf("without leave: %d %s", r.status, r.body)
	}
	leave(true)
	// Not for someone else: the owner cannot take Mia's part for her.
	if r := e.do(t, "POST", "/api/v1/roadmaps/"+w.id+"/members/m2/own-roadmap", owner, take); r.status != 403 {
		t.Fatalf("owner takes it for her: %d %s", r.status, r.body)
	}
	r := e.do(t, "POST", "/api/v1/roadmaps/"+w.id+"/members/m2/own-roadmap", mia, take)
	if r.status != 201 {
		t.Fatalf("take own: %d %s", r.status, r.body)
	}
	// Health names her (the world's): it goes with her, its texts only.
	for _, want := range []string{schoolNow, schoolStep, `"title":"Mia's road"`, `"name":"Mia"`, mHealth} {
		if !strings.Contains(r.body, want) {
			t.Errorf("her roadmap lacks %s: %s", want, r.body)
		}
	}
	for _, not := range []string{mHousehold, mHousing, mStepHousing, mStepHealth, mOwnerNote, mOtherAgency, w.users["owner"]} {
		if strings.Contains(r.body, not) {
			t.Errorf("her roadmap holds the family's %s", not)
		}
	}
	// Sent again: the same roadmap, not a second one.
	if again := e.do(t, "POST", "/api/v1/roadmaps/"+w.id+"/members/m2/own-roadmap", mia, take); again.status != 200 || !strings.Contains(again.body, `"id":"00000000-0000-4000-8000-000000000007"`) {
		t.Fatalf("take own again: %d %s", again.status, again.body)
	}
	if list := e.do(t, "GET", "/api/v1/roadmaps", mia, nil); strings.Count(list.body, `"id":"00000000-0000-4000-8000-000000000007"`) != 1 {
		t.Fatalf("her list: %s", list.body)
	}

	// The family's owners have no way in.
	for _, o := range []string{"owner", "co-owner"} {
		for _, rq := range []struct{ method, path string }{
			{"GET", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000007"}, {"GET", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000007/grants"}, {"GET", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000007/access-log"},
			{"DELETE", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000007"},
		} {
			if r := e.do(t, rq.method, rq.path, w.tokens[o], nil); r.status != 404 {
				t.Errorf("%s %s %s: %d %s", o, rq.method, rq.path, r.status, r.body)
			}
		}
		if list := e.do(t, "GET", "/api/v1/roadmaps", w.tokens[o], nil); strings.Contains(list.body, "00000000-0000-4000-8000-000000000007") {
			t.Errorf("%s's list shows her roadmap", o)
		}
	}
	// She owns it: she edits it and decides who sees it.
	if r := e.do(t, "GET", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000007/grants", mia, nil); r.status != 200 {
		t.Fatalf("her grants: %d %s", r.status, r.body)
	}
	// The family's roadmap records that she moved on; a second roadmap is
	// refused.
	fam := e.do(t, "GET", "/api/v1/roadmaps/"+w.id, owner, nil)
	if !strings.Contains(fam.body, `"tookOwnAt"`) {
		t.Errorf("the family's roadmap does not record it: %s", fam.body)
	}
	if r := e.do(t, "POST", "/api/v1/roadmaps/"+w.id+"/members/m2/own-roadmap", mia, map[string]any{"id": "00000000-0000-4000-8000-000000000008"}); r.status != 409 {
		t.Errorf("a second own roadmap: %d %s", r.status, r.body)
	}
}
