package api_test

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"

	"github.com/veikart/veikart/backend/api"
	"github.com/veikart/veikart/backend/validate"
)

func mustValidator(t *testing.T) *validate.Validator {
	t.Helper()
	v, err := validate.New()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// agencyFeed makes a feed for token's actor in lang and returns its path,
// checking the answer names agencyID.
func agencyFeed(t *testing.T, e *env, token, lang, agencyID string) string {
	t.Helper()
	r := e.do(t, "POST", "/api/v1/me/calendar-feed", token, map[string]any{"lang": lang})
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	if got, _ := r.json(t)["agencyId"].(string); got != agencyID {
		t.Fatalf("feed for agency %q, want %q: %s", got, agencyID, r.body)
	}
	return feedPath(t, r.json(t)["url"].(string))
}

// discreetFeed fetches the feed at path, checks it as RFC 5545 asks, and
// that nothing in it names the household, a member, a step, an area's text
// or its health wording, nor holds the household's own ids of its steps and
// meetings; that every event links to the roadmap's screen in the app; and
// returns the events by UID.
func discreetFeed(t *testing.T, e *env, path, roadmapID string) map[string]feedEvent {
	t.Helper()
	r := e.do(t, "GET", path, "", nil)
	if r.status != 200 {
		t.Fatalf("feed: %d %s", r.status, r.body)
	}
	for _, secret := range []string{"Familien", "Mia", mHousehold, mHousing, mHealth, mStepHousing, mStepHealth, "Pay the deposit", "ASKED-STEP",
		"health", "helse", "Hand-over", "Agency ", "Contact "} {
		if strings.Contains(r.body, secret) {
			t.Errorf("feed shows %q:\n%s", secret, r.body)
		}
	}
	cal := checkCalendar(t, []byte(r.body))
	for _, ev := range cal.Events() {
		uid, _ := ev.Props.Text(goical.PropUID)
		var u string
		if p := ev.Props.Get(goical.PropURL); p != nil {
			u = p.Value
		}
		if !strings.HasPrefix(u, "https://veikart.example/#/roadmaps/"+roadmapID) {
			t.Errorf("event %s links to %q, not the roadmap's screen", uid, u)
		}
	}
	return feedEvents(t, cal)
}

// workEvents are a caseworker's feed's events as "summary start" (the day,
// for a deadline or hand-over; the summary alone for a meeting), checking
// that no UID or link holds the household's ids of its items.
func workEvents(t *testing.T, e *env, path, roadmapID string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for uid, ev := range discreetFeed(t, e, path, roadmapID) {
		for _, id := range []string{"s3", "s-asked", "mt1", "t-soon"} {
			if strings.Contains(uid, id) {
				t.Errorf("UID %s holds the household's id %s", uid, id)
			}
		}
		if strings.HasPrefix(uid, "meeting-") {
			out[ev.summary]++
		} else {
			out[ev.summary+" "+ev.start]++
		}
	}
	return out
}

// TestCalendarFeed_Caseworker: a caseworker acting for NAV makes a feed of
// NAV's own; a calendar fetching it finds the step NAV promised (on the
// promised date), the step given to NAV and not yet answered, and the
// meeting NAV is invited to, under discreet titles that name neither the
// household nor a member, linked to the roadmap's screen, under stable
// UIDs that hold none of the household's own ids; not the
// household's own steps nor a meeting NAV is not invited to. Their own
// feed as a person is another address. The police's caseworker finds the
// day of the release handed over to it, while its grant for it is in
// force. The grant revoked, the next fetch lacks the roadmap's events; an
// expired grant gives none; taken off the agency's staff, the address
// answers 404.
func TestCalendarFeed_Caseworker(t *testing.T) {
	t.Parallel()
	e := mustEnvWith(t, api.Config{Dev: true, PublicURL: "https://veikart.example"}, nil)
	w := newWorld(t, e)
	asked := e.clock.Now().AddDate(0, 0, 4).Format(time.DateOnly)
	promised := e.clock.Now().AddDate(0, 0, 10).Format(time.DateOnly)
	ops := map[string]any{"operations": []any{
		map[string]any{"opId": "a1", "type": "step.add", "step": map[string]any{"id": "s-asked", "areaId": "housing", "title": "ASKED-STEP", "term": "short", "due": asked,
			"responsible": map[string]any{"kind": "agency", "agencyId": w.nav}}},
		map[string]any{"opId": "a2", "type": "step.add", "step": map[string]any{"id": "s-nodate", "areaId": "housing", "title": "ASKED-STEP", "term": "short",
			"responsible": map[string]any{"kind": "agency", "agencyId": w.nav}}},
		map[string]any{"opId": "a3", "type": "step.add", "step": map[string]any{"id": "s-home", "areaId": "housing", "title": "ASKED-STEP", "term": "short", "due": asked,
			"responsible": map[string]any{"kind": "household"}}},
	}}
	if r := e.do(t, "POST", "/api/v1/roadmaps/"+w.id+"/operations", w.tokens["owner"], ops); r.status != 200 {
		t.Fatalf("steps: %d %s", r.status, r.body)
	}
	// A release in five days, handed over to the police: its grant opens
	// ten days before, so it is in force now.
	release := e.clock.Now().AddDate(0, 0, 5).Format(time.DateOnly)
	plan := map[string]any{"id": "t-soon", "kind": "release", "date": release, "agencyId": w.police,
		"sections": []string{"area:housing"}, "permissions": []string{"view"}, "daysBefore": 10, "daysAfter": 3, "summary": "Hand-over", "reminders": []int{1}}
	if r := e.do(t, "POST", "/api/v1/roadmaps/"+w.id+"/transitions", w.tokens["owner"], plan); r.status != 201 {
		t.Fatalf("plan: %d %s", r.status, r.body)
	}
	if err := e.store.AddAgencyRoadmap(context.Background(), w.police, w.id); err != nil {
		t.Fatal(err)
	}

	nav := agencyFeed(t, e, w.tokens["caseworker"], "nb", w.nav)
	if r := e.do(t, "GET", "/api/v1/me/calendar-feed", w.tokens["caseworker"], nil); r.status != 200 || !strings.Contains(r.body, `"agencyId":"`+w.nav+`"`) {
		t.Fatalf("get: %d %s", r.status, r.body)
	} else if err := mustValidator(t).Validate("calendar-feed.schema.json", []byte(r.body)); err != nil {
		t.Fatalf("not valid against calendar-feed.schema.json: %v", err)
	}
	day := func(iso string) string { return strings.ReplaceAll(iso, "-", "") }
	want := map[string]int{"Veikart: frist " + day(promised): 1, "Veikart: frist " + day(asked): 1, "Veikart: møte": 1}
	if got := workEvents(t, e, nav, w.id); !maps.Equal(got, want) {
		t.Errorf("NAV's feed: %v, want %v", got, want)
	}
	first := discreetFeed(t, e, nav, w.id)

	// The same person acting for themselves has a feed of their own, at
	// another address; NAV's stays.
	self := e.issue(t, w.users["caseworker"], "")
	own := agencyFeed(t, e, self, "nb", "")
	if own == nav {
		t.Fatal("the person's feed took the agency's address")
	}
	if got := discreetFeed(t, e, own, w.id); len(got) != 0 {
		t.Errorf("the caseworker's own feed lists their agency's work: %v", got)
	}
	// The same events under the same UIDs: a calendar updates them.
	if got := discreetFeed(t, e, nav, w.id); !maps.Equal(got, first) {
		t.Errorf("NAV's feed after the person's own was made: %v, before %v", got, first)
	}

	// The police's caseworker: the release day, while the grant for it is
	// in force, and nothing else of the household.
	pol := agencyFeed(t, e, w.tokens["never"], "en", w.police)
	if got := workEvents(t, e, pol, w.id); !maps.Equal(got, map[string]int{"Veikart: hand-over " + day(release): 1}) {
		t.Errorf("police's feed: %v", got)
	}
	// The child welfare service's grant expired: nothing.
	if got := discreetFeed(t, e, agencyFeed(t, e, w.tokens["expired"], "nb", w.childWelfare), w.id); len(got) != 0 {
		t.Errorf("expired grant's feed: %v", got)
	}

	// The household revokes NAV's grant: gone at the next fetch.
	if r := e.do(t, "DELETE", "/api/v1/roadmaps/"+w.id+"/grants/"+w.grantNAV, w.tokens["owner"], nil); r.status >= 300 {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	if got := discreetFeed(t, e, nav, w.id); len(got) != 0 {
		t.Errorf("NAV's feed after the grant was revoked: %v", got)
	}

	// Taken off NAV's staff: the address answers 404, as one turned off.
	if r := e.do(t, "DELETE", "/api/v1/agencies/"+w.nav+"/staff/"+w.users["caseworker"], w.tokens["agency-admin"], nil); r.status >= 300 {
		t.Fatalf("remove from staff: %d %s", r.status, r.body)
	}
	if r := e.do(t, "GET", nav, "", nil); r.status != 404 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
		t.Fatalf("removed caseworker's feed: %d %s", r.status, r.body)
	}
	// Their own feed as a person goes on.
	if r := e.do(t, "GET", own, "", nil); r.status != 200 {
		t.Fatalf("own feed after leaving the agency: %d %s", r.status, r.body)
	}

	// The export holds the work feed, never its address; erasing the
	// account ends every feed.
	r := e.do(t, "GET", "/api/v1/me/export", self, nil)
	if r.status != 200 || !strings.Contains(r.body, `"workCalendarFeeds":[{"active":true`) || !strings.Contains(r.body, `"agencyId":"`+w.nav+`"`) ||
		strings.Contains(r.body, strings.TrimPrefix(nav, "/api/v1/calendar/")) {
		t.Fatalf("export: %d %s", r.status, r.body)
	}
	if err := mustValidator(t).Validate("export.schema.json", []byte(r.body)); err != nil {
		t.Fatalf("export is not valid against export.schema.json: %v", err)
	}
	if r := e.do(t, "DELETE", "/api/v1/me", self, map[string]any{"confirm": "erase my account"}); r.status != 204 {
		t.Fatalf("erase: %d %s", r.status, r.body)
	}
	for _, p := range []string{nav, own} {
		if r := e.do(t, "GET", p, "", nil); r.status != 404 {
			t.Fatalf("erased account's feed %s: %d", p, r.status)
		}
	}
}

// TestCalendarFeed_LanguageFollowsTheApp: the app says its new language;
// every feed of the person (their own and their agency's) is titled in it
// at the next fetch, at the same address; with no feed it is no error.
func TestCalendarFeed_LanguageFollowsTheApp(t *testing.T) {
	t.Parallel()
	e := mustEnvWith(t, api.Config{Dev: true, PublicURL: "https://veikart.example"}, nil)
	w := newWorld(t, e)
	owner := agencyFeed(t, e, w.tokens["owner"], "nb", "")
	work := agencyFeed(t, e, w.tokens["caseworker"], "nb", w.nav)
	self := e.issue(t, w.users["caseworker"], "")
	own := agencyFeed(t, e, self, "so", "")
	summaries := func(path string) []string {
		t.Helper()
		var out []string
		for _, ev := range discreetFeed(t, e, path, w.id) {
			out = append(out, ev.summary)
		}
		return out
	}
	if s := summaries(owner); len(s) == 0 || !slices.Contains(s, "Veikart: møte") {
		t.Fatalf("owner's feed before: %v", s)
	}

	r := e.do(t, "PATCH", "/api/v1/me/calendar-feed", w.tokens["owner"], map[string]any{"lang": "ar"})
	if r.status != 200 || !strings.Contains(r.body, `"lang":"ar"`) || strings.Contains(r.body, `"url"`) {
		t.Fatalf("patch: %d %s", r.status, r.body)
	}
	if err := mustValidator(t).Validate("calendar-feed.schema.json", []byte(r.body)); err != nil {
		t.Fatalf("not valid against calendar-feed.schema.json: %v", err)
	}
	if s := summaries(owner); !slices.Contains(s, "Veikart: اجتماع") || slices.Contains(s, "Veikart: møte") {
		t.Errorf("owner's feed after the switch to Arabic: %v", s)
	}
	if r := e.do(t, "GET", "/api/v1/me/calendar-feed", w.tokens["owner"], nil); !strings.Contains(r.body, `"lang":"ar"`) {
		t.Errorf("get after the switch: %s", r.body)
	}

	// The caseworker switches to Ukrainian while acting for NAV: both
	// their feeds follow.
	if r := e.do(t, "PATCH", "/api/v1/me/calendar-feed", w.tokens["caseworker"], map[string]any{"lang": "uk"}); r.status != 200 || !strings.Contains(r.body, `"agencyId":"`+w.nav+`"`) {
		t.Fatalf("caseworker's patch: %d %s", r.status, r.body)
	}
	if s := summaries(work); !slices.Contains(s, "Veikart: строк") || !slices.Contains(s, "Veikart: зустріч") {
		t.Errorf("NAV feed in Ukrainian: %v", s)
	}
	if r := e.do(t, "GET", "/api/v1/me/calendar-feed", self, nil); !strings.Contains(r.body, `"lang":"uk"`) {
		t.Errorf("the caseworker's own feed did not follow: %s", r.body)
	}
	if r := e.do(t, "GET", own, "", nil); r.status != 200 {
		t.Errorf("own feed: %d", r.status)
	}

	// No feed: nothing to change, and no error.
	if r := e.do(t, "PATCH", "/api/v1/me/calendar-feed", w.tokens["other-person"], map[string]any{"lang": "en"}); r.status != 200 || r.body != `{"active":false}` {
		t.Fatalf("patch without a feed: %d %s", r.status, r.body)
	}
	// A language switch after the address was replaced leaves the new
	// one as it is, and the old one gone.
	newer := agencyFeed(t, e, w.tokens["owner"], "nb", "")
	if r := e.do(t, "PATCH", "/api/v1/me/calendar-feed", w.tokens["owner"], map[string]any{"lang": "ti"}); r.status != 200 {
		t.Fatalf("patch: %d", r.status)
	}
	if r := e.do(t, "GET", owner, "", nil); r.status != 404 {
		t.Errorf("replaced address after a language switch: %d", r.status)
	}
	if s := summaries(newer); !slices.Contains(s, "Veikart: ኣኼባ") {
		t.Errorf("Tigrinya: %v", s)
	}
}
