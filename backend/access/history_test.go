package access_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/veikart"
)

// TestHistory_WhoSeesWhat: the owners see every entry and every line of a
// review; NAV (housing granted) only housing's steps and lines, its own
// grants and promises and the meetings it was invited to; an expired or
// revoked agency, a member, a helper and a stranger nothing.
func TestHistory_WhoSeesWhat(t *testing.T) {
	r := household(t)
	r.Steps = append(r.Steps,
		veikart.Step{ID: "s-h", AreaID: "housing", Title: "Bolig", Status: veikart.Done, StatusAt: t0.Add(time.Minute)},
		veikart.Step{ID: "s-e", AreaID: "economy", Title: "Økonomi", Status: veikart.Done, StatusAt: t0.Add(time.Minute)})
	r.Meetings = []veikart.Meeting{
		{ID: "mt-nav", At: t0, Status: veikart.MeetingApproved, Invitees: []string{"nav"}},
		{ID: "mt-bv", At: t0, Status: veikart.MeetingApproved, Invitees: []string{"bv"}},
	}
	reviews := []veikart.Review{{ID: "rv1", At: t0.Add(2 * time.Minute), Note: "Våre ord", Changes: veikart.ReviewChanges{
		Areas: []veikart.AreaChange{{AreaID: "housing", ScoreNow: 3}, {AreaID: "economy", ScoreNow: 1}},
		Steps: []veikart.StepChange{{StepID: "s-h", AreaID: "housing"}, {StepID: "s-e", AreaID: "economy"}},
		Promises: []veikart.PromiseChange{
			{StepID: "p1", AreaID: "housing", AgencyID: "nav"}, {StepID: "p2", AreaID: "housing", AgencyID: "hb"},
			{StepID: "p3", AreaID: "economy", AgencyID: "nav"}},
	}, Snapshot: []veikart.AreaSnapshot{{AreaID: "economy", ScoreNow: 1}}}}
	now := t0.Add(2 * time.Hour) // bv's grant has expired
	all := veikart.Timeline(veikart.TimelineInput{Roadmap: r, Reviews: reviews, Now: now})

	owner, ok := access.HistoryOf(access.Actor{Kind: access.Person, UserID: "per"}, r, now)
	if !ok || owner.Grant != nil || len(owner.Timeline(r, all)) != len(all) || owner.Review(reviews[0]).Note != "Våre ord" {
		t.Fatalf("owner: %v %+v", ok, owner)
	}

	nav, ok := access.HistoryOf(caseworker("nav"), r, now)
	if !ok || nav.Grant == nil || len(nav.Sections) == 0 {
		t.Fatalf("nav: %v %+v", ok, nav)
	}
	for _, e := range nav.Timeline(r, all) {
		switch {
		case e.AreaID != "" && e.AreaID != "housing":
			t.Errorf("nav sees an entry of %s: %+v", e.AreaID, e)
		case e.AgencyID != "" && e.AgencyID != "nav":
			t.Errorf("nav sees another agency's entry: %+v", e)
		case e.MeetingID == "mt-bv":
			t.Errorf("nav sees a meeting it was not invited to")
		case e.HelperID != "":
			t.Errorf("nav sees a helper: %+v", e)
		}
	}
	kinds := map[veikart.TimelineKind]int{}
	for _, e := range nav.Timeline(r, all) {
		kinds[e.Kind]++
	}
	if kinds[veikart.TimelineStepDone] != 1 || kinds[veikart.TimelineReview] != 1 || kinds[veikart.TimelineMeetingHeld] != 1 || kinds[veikart.TimelineGrantGiven] != 1 {
		t.Errorf("nav's kinds: %v", kinds)
	}
	v := nav.Review(reviews[0])
	if v.Note != "" || v.Snapshot != nil || len(v.Changes.Areas) != 1 || v.Changes.Areas[0].AreaID != "housing" ||
		len(v.Changes.Steps) != 1 || v.Changes.Steps[0].StepID != "s-h" ||
		len(v.Changes.Promises) != 1 || v.Changes.Promises[0].StepID != "p1" {
		t.Errorf("nav's review: %+v", v)
	}

	for name, a := range map[string]access.Actor{
		"expired agency": caseworker("bv"),
		"revoked agency": caseworker("hb"),
		"member":         {Kind: access.Person, UserID: "mia"},
		"stranger":       {Kind: access.Person, UserID: "eve"},
		"anonymous":      {Kind: access.Anonymous},
		"nav admin":      {Kind: access.Agency, UserID: "ada", AgencyID: "nav", AgencyRoles: []veikart.AgencyRole{veikart.AdminRole}},
	} {
		if _, ok := access.HistoryOf(a, r, now); ok {
			t.Errorf("%s may read the history", name)
		}
	}
	// Saving a review and setting the rhythm is the owners' alone.
	if !access.Decide(access.Actor{Kind: access.Person, UserID: "kari"}, access.Review, r, "", now).Allowed ||
		access.Decide(caseworker("nav"), access.Review, r, "", now).Allowed ||
		access.Decide(access.Actor{Kind: access.Person, UserID: "mia"}, access.Review, r, "", now).Allowed {
		t.Error("Review is not the owners' alone")
	}
}

// TestHistory_NoneForHelpers: a trusted person who writes in housing, an
// interpreter and one the owners took back see no history.
func TestHistory_NoneForHelpers(t *testing.T) {
	r := withHelpers(t)
	now := t0.Add(time.Minute)
	if !access.Decide(access.Actor{Kind: access.Person, UserID: "liv"}, access.Read, r, "", now).Allowed {
		t.Fatal("the trusted person cannot read the roadmap: the test proves nothing")
	}
	for _, u := range []string{"liv", "amir", "ola"} {
		if _, ok := access.HistoryOf(access.Actor{Kind: access.Person, UserID: u}, r, now); ok {
			t.Errorf("helper %s may read the history", u)
		}
	}
}

// TestHistory_CheckInsCutToTheGrant: an agency's timeline shows a check-in
// only with the household scores of the areas granted to it, no member
// counts, and not another agency's presence; a sitting of other areas only
// is not there at all.
func TestHistory_CheckInsCutToTheGrant(t *testing.T) {
	r := household(t)
	readings := []veikart.Reading{
		{ID: "a", AreaID: "housing", Date: "2026-11-02", Score: 2, With: veikart.ScoredWithCaseworker, AgencyID: "hb"},
		{ID: "b", AreaID: "economy", Date: "2026-11-02", Score: 4, With: veikart.ScoredWithCaseworker, AgencyID: "hb"},
		{ID: "c", AreaID: "housing", MemberID: "m1", Date: "2026-11-02", Score: 3, With: veikart.ScoredWithCaseworker, AgencyID: "hb"},
		{ID: "d", AreaID: "economy", Date: "2026-11-03", Score: 5, With: veikart.ScoredAlone},
	}
	now := t0.Add(time.Hour)
	all := veikart.Timeline(veikart.TimelineInput{Roadmap: r, Readings: readings, Now: now})
	var owners []veikart.TimelineEntry
	for _, e := range all {
		if e.Kind == veikart.TimelineCheckIn {
			owners = append(owners, e)
		}
	}
	if len(owners) != 2 || owners[1].AgencyID != "hb" || len(owners[1].Scores) != 2 ||
		owners[1].Scores[0] != (veikart.AreaScore{AreaID: "housing", Score: 2, Members: 1}) {
		t.Fatalf("the owners' check-ins: %+v", owners)
	}

	nav, ok := access.HistoryOf(caseworker("nav"), r, now)
	if !ok {
		t.Fatal("nav may not read the history")
	}
	var got []veikart.TimelineEntry
	for _, e := range nav.Timeline(r, all) {
		if e.Kind == veikart.TimelineCheckIn {
			got = append(got, e)
		}
	}
	want := veikart.TimelineEntry{Kind: veikart.TimelineCheckIn, At: owners[1].At, With: veikart.ScoredWithCaseworker,
		Scores: []veikart.AreaScore{{AreaID: "housing", Score: 2}}}
	if len(got) != 1 || !reflect.DeepEqual(got[0], want) {
		t.Errorf("nav's check-ins:\n got %+v\nwant %+v", got, want)
	}
}
