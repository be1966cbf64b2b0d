package remind_test

import (
	"context"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/testenv"
	"github.com/veikart/veikart/backend/veikart"
)

// TestScheduler_MeetingInvitations: the household calls a meeting at 22:30
// (quiet hours) for NAV, whose contact person is Nina, and the housing
// office, which named none. The invitation waits until 08:00 and then goes
// once to Nina and to the housing office's caseworkers, not to NAV's other
// caseworker; the day before, a reminder goes to the household and to
// them; when the household approves the minutes, the agencies hear of it.
// Two schedulers tick on one store.
func TestScheduler_MeetingInvitations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := testenv.MustStore(t)
	clk := &testClock{t: time.Date(2026, 12, 1, 21, 30, 0, 0, time.UTC)} // 22:30 in Oslo
	must := mustOf(t)
	for id, staff := range map[string][]string{"nav": {"nina", "per"}, "bolig": {"bo"}} {
		a, err := veikart.NewAgency(id, veikart.KindNAV, id, "Sola", clk.Now())
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range staff {
			if a, err = a.SetStaff(u, []veikart.AgencyRole{veikart.CaseworkerRole}, "op", clk.Now()); err != nil {
				t.Fatal(err)
			}
		}
		if err := store.CreateAgency(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	subscribe(t, store, clk.Now(), "kari", "nina", "per", "bo")
	r, err := veikart.NewRoadmap("rm-m", "kari", "Kari", nil, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	spec := veikart.GrantSpec{Sections: []veikart.Section{veikart.AreaSection("housing")}, Permissions: []veikart.Permission{veikart.View}, Purpose: "Bolig", ExpiresAt: clk.Now().AddDate(0, 2, 0)}
	r = must(first(r.AddGrant("g1", "nav", "kari", spec, "owner", clk.Now(), veikart.ConsentPolicy{})))
	r = must(first(r.AddGrant("g2", "bolig", "kari", spec, "owner", clk.Now(), veikart.ConsentPolicy{})))
	r = must(first(r.SetContact("nav", veikart.Contact{UserID: "nina", Name: "Nina"}, clk.Now())))
	at := time.Date(2026, 12, 10, 9, 0, 0, 0, time.UTC) // 10:00 in Oslo
	r = must(first(r.CallMeeting("m1", veikart.MeetingSpec{At: at, Invitees: []string{"nav", "bolig"}}, "kari", "", clk.Now())))
	if err := store.CreateRoadmap(ctx, r); err != nil {
		t.Fatal(err)
	}
	p := newPair(t, store, clk)
	if err := p.one.Sync(ctx, nil, r); err != nil {
		t.Fatal(err)
	}

	p.tickAt(time.Date(2026, 12, 1, 21, 31, 0, 0, time.UTC))
	p.want("in quiet hours", map[string]int{"nina": 0, "per": 0, "bo": 0, "kari": 0})
	p.tickAt(time.Date(2026, 12, 2, 7, 0, 30, 0, time.UTC)) // 08:00 in Oslo
	p.want("when quiet hours end", map[string]int{"nina": 1, "per": 0, "bo": 1, "kari": 0})
	if got := p.got("nina", 0); got["kind"] != "meeting-invite" || got["url"] != "/#/roadmaps/rm-m/meetings/m1" || got["body"] != "Du er invitert til et møte i Veikart." {
		t.Errorf("invitation %v", got)
	}
	p.tickAt(time.Date(2026, 12, 2, 7, 5, 0, 0, time.UTC))
	p.want("ticked again", map[string]int{"nina": 1, "bo": 1})
	p.tickAt(time.Date(2026, 12, 9, 9, 0, 30, 0, time.UTC)) // the day before
	p.want("the day before", map[string]int{"nina": 2, "per": 0, "bo": 2, "kari": 1})
	if got := p.got("kari", 0); got["kind"] != "meeting" || got["body"] != "Du har et møte i Veikart i morgen." {
		t.Errorf("household's reminder %v", got)
	}

	// The household approves the minutes after the meeting: the agencies
	// hear that their part is there, once.
	clk.Add(26 * time.Hour)
	approved := must(first(r.ApproveMinutes("m1", clk.Now())))
	if _, err := store.UpdateRoadmap(ctx, "rm-m", func(*veikart.Roadmap) (*veikart.Roadmap, error) { return approved, nil }); err != nil {
		t.Fatal(err)
	}
	if err := p.one.Sync(ctx, r, approved); err != nil {
		t.Fatal(err)
	}
	p.tickAt(clk.Now().Add(30 * time.Second))
	p.tickAt(clk.Now().Add(time.Minute))
	p.want("the minutes approved", map[string]int{"nina": 3, "per": 0, "bo": 3, "kari": 1})
	if got := p.got("bo", 2); got["kind"] != "meeting-minutes" {
		t.Errorf("minutes notice %v", got)
	}
}
