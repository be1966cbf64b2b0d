package veikart_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/veikart"
)

func hours(n int) time.Time { return now0.Add(time.Duration(n) * time.Hour) }

// historyRoadmap has one of each kind of event, each an hour apart, and
// things that are no event (a planned step, a cancelled meeting and
// transition, a grant still in force, a future transition).
func historyRoadmap() *veikart.Roadmap {
	return &veikart.Roadmap{
		ID: "rm", CreatedAt: now0,
		Areas: []veikart.Area{{ID: "housing"}, {ID: "economy"}},
		Steps: []veikart.Step{
			{ID: "s1", AreaID: "economy", Title: "Søke bostøtte", Status: veikart.Done, StatusAt: hours(1)},
			{ID: "s2", AreaID: "housing", Title: "Se på leilighet", Status: veikart.Dropped, StatusAt: hours(2)},
			{ID: "s3", AreaID: "housing", Title: "Planlagt", Status: veikart.Planned, UpdatedAt: hours(3)},
			// Done before StatusAt was recorded: dated by its last change.
			{ID: "s4", AreaID: "economy", Title: "Gammel", Status: veikart.Done, UpdatedAt: hours(4)},
		},
		Meetings: []veikart.Meeting{
			{ID: "mt1", At: hours(5), Status: veikart.MeetingApproved, Invitees: []string{"nav"}},
			{ID: "mt2", At: hours(5), Status: veikart.MeetingCancelled},
		},
		Receipts: []veikart.Receipt{
			{ID: "c1", Kind: veikart.ReceiptGranted, At: hours(6), GrantID: "g1", AgencyID: "nav", Sections: []veikart.Section{"area:housing"}},
			{ID: "c2", Kind: veikart.ReceiptChanged, At: hours(7), GrantID: "g1", AgencyID: "nav", Sections: []veikart.Section{"area:housing", "steps:housing"}},
			{ID: "c3", Kind: veikart.ReceiptRevoked, At: hours(8), GrantID: "g1", AgencyID: "nav"},
			{ID: "c4", Kind: veikart.ReceiptHelperAccepted, At: hours(9), HelperID: "h1", HelperKind: veikart.HelperTrusted, HelperName: "Kari"},
			{ID: "c5", Kind: veikart.ReceiptDeclined, At: hours(9), AgencyID: "bolig"},
			{ID: "c6", Kind: veikart.ReceiptHelperInvited, At: hours(9), HelperID: "h2", HelperName: "Not yet"},
			{ID: "c7", Kind: veikart.ReceiptMemberJoined, At: hours(3), MemberID: "m1"},
			{ID: "c8", Kind: veikart.ReceiptContact, At: hours(3), AgencyID: "nav"},
		},
		Grants: []veikart.Grant{
			{ID: "g2", AgencyID: "bolig", Status: veikart.GrantActive, ExpiresAt: hours(10), Sections: []veikart.Section{"steps:economy"}},
			{ID: "g3", AgencyID: "nav", Status: veikart.GrantActive, ExpiresAt: hours(1000)},
		},
		Transitions: []veikart.Transition{
			{ID: "t1", Kind: veikart.TransitionRelease, Date: "2026-11-28", AgencyID: "bolig", Status: veikart.TransitionPlanned},
			{ID: "t2", Kind: veikart.TransitionOther, Date: "2026-11-28", AgencyID: "nav", Status: veikart.TransitionCancelled},
			{ID: "t3", Kind: veikart.TransitionOther, Date: "2027-01-01", AgencyID: "nav", Status: veikart.TransitionPlanned},
		},
	}
}

func TestTimeline_EveryKindNewestFirst(t *testing.T) {
	r := historyRoadmap()
	reviews := []veikart.Review{{ID: "rv1", At: hours(11)}}
	got := veikart.Timeline(veikart.TimelineInput{Roadmap: r, Reviews: reviews, Now: hours(72), Loc: time.UTC})
	day, _ := time.Parse(time.DateOnly, "2026-11-28")
	want := []veikart.TimelineEntry{
		{Kind: veikart.TimelineTransition, At: day, TransitionID: "t1", TransitionKind: veikart.TransitionRelease, AgencyID: "bolig"},
		{Kind: veikart.TimelineReview, At: hours(11), ReviewID: "rv1"},
		{Kind: veikart.TimelineGrantExpired, At: hours(10), AgencyID: "bolig", GrantID: "g2", Sections: []veikart.Section{"steps:economy"}},
		{Kind: veikart.TimelineHelperAdded, At: hours(9), HelperID: "h1", HelperKind: veikart.HelperTrusted, HelperName: "Kari"},
		{Kind: veikart.TimelineGrantEnded, At: hours(8), AgencyID: "nav", GrantID: "g1", Sections: []veikart.Section{}},
		{Kind: veikart.TimelineGrantChanged, At: hours(7), AgencyID: "nav", GrantID: "g1", Sections: []veikart.Section{"area:housing", "steps:housing"}},
		{Kind: veikart.TimelineGrantGiven, At: hours(6), AgencyID: "nav", GrantID: "g1", Sections: []veikart.Section{"area:housing"}},
		{Kind: veikart.TimelineMeetingHeld, At: hours(5), MeetingID: "mt1"},
		{Kind: veikart.TimelineStepDone, At: hours(4), StepID: "s4", AreaID: "economy", Title: "Gammel"},
		{Kind: veikart.TimelineMemberJoined, At: hours(3), MemberID: "m1"},
		{Kind: veikart.TimelineStepDropped, At: hours(2), StepID: "s2", AreaID: "housing", Title: "Se på leilighet"},
		{Kind: veikart.TimelineStepDone, At: hours(1), StepID: "s1", AreaID: "economy", Title: "Søke bostøtte"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d entries, want %d:\n%+v", len(got), len(want), got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if len(g.Sections) == 0 && len(w.Sections) == 0 {
			g.Sections, w.Sections = nil, nil
		}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("entry %d\n got %+v\nwant %+v", i, g, w)
		}
	}
}

// TestTimeline_CheckInAtItsDay: a sitting is placed at noon of its day in
// the household's zone, but never after it was recorded: one made at 00:05
// comes before a step done that morning, and one typed in days later for
// an earlier day stays at that day's noon.
func TestTimeline_CheckInAtItsDay(t *testing.T) {
	oslo := oslo(t)
	at := func(day, clock string) time.Time {
		x, err := time.ParseInLocation(time.DateOnly+" 15:04", day+" "+clock, oslo)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	r := &veikart.Roadmap{ID: "rm", Areas: []veikart.Area{{ID: "housing"}},
		Steps: []veikart.Step{{ID: "s1", AreaID: "housing", Title: "Ringe utleier", Status: veikart.Done, StatusAt: at("2026-12-05", "08:00")}}}
	readings := []veikart.Reading{
		{ID: "late", AreaID: "housing", Date: "2026-12-01", Score: 2, With: veikart.ScoredWith("family"), At: at("2026-12-04", "20:00")},
		{ID: "early", AreaID: "housing", Date: "2026-12-05", Score: 3, With: veikart.ScoredWith("family"), At: at("2026-12-05", "00:05")},
	}
	got := veikart.Timeline(veikart.TimelineInput{Roadmap: r, Readings: readings, Now: at("2026-12-05", "09:00"), Loc: oslo})
	var kinds []string
	var times []time.Time
	for _, e := range got {
		kinds = append(kinds, string(e.Kind))
		times = append(times, e.At)
	}
	want := []time.Time{at("2026-12-05", "08:00"), at("2026-12-05", "00:05"), at("2026-12-01", "12:00")}
	if len(got) != 3 || got[0].Kind != veikart.TimelineStepDone || !times[0].Equal(want[0]) || !times[1].Equal(want[1]) || !times[2].Equal(want[2]) {
		t.Fatalf("timeline %v at %v, want step-done, check-in, check-in at %v", kinds, times, want)
	}
}
