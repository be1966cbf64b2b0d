package remind_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/remind"
	"github.com/veikart/veikart/backend/storage"
	"github.com/veikart/veikart/backend/testenv"
	"github.com/veikart/veikart/backend/veikart"
)

// TestScheduler_MeetingInvitations: the household calls a meeting at 22:30
// (quiet hours) for NAV, whose contact person is Nina, and the housing
// office, which named none. The invitation waits until 08:00 and then goes
// once to Nina and to the housing office's caseworkers, not to NAV's other
// caseworker; the day before, a reminder goes to the household and to
// them. Two schedulers tick on one store.
func TestScheduler_MeetingInvitations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := testenv.MustStore(t)
	clk := &testClock{t: time.Date(2026, 12, 1, 21, 30, 0, 0, time.UTC)} // 22:30 in Oslo
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
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
	for _, u := range []string{"kari", "nina", "per", "bo"} {
		ep := "https://fcm.googleapis.com/fcm/send/" + u
		if err := store.AddPushSubscription(ctx, veikart.PushSubscription{ID: storage.PushSubscriptionID(ep), UserID: u, Endpoint: ep, P256dh: "k", Auth: "a", CreatedAt: clk.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	r, err := veikart.NewRoadmap("rm-m", "kari", "Kari", nil, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	must := func(n *veikart.Roadmap, err error) *veikart.Roadmap {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return n
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
	sent := &payloads{got: map[string][]map[string]any{}}
	one := &remind.Scheduler{Store: store, Sender: sent, Now: clk.Now, Loc: oslo, Log: log, Owner: "p1"}
	two := &remind.Scheduler{Store: store, Sender: sent, Now: clk.Now, Loc: oslo, Log: log, Owner: "p2"}
	if err := one.Sync(ctx, nil, r); err != nil {
		t.Fatal(err)
	}
	tickAt := func(at time.Time) {
		t.Helper()
		clk.Add(at.Sub(clk.Now()))
		var wg sync.WaitGroup
		for _, s := range []*remind.Scheduler{one, two, one, two} {
			wg.Go(func() {
				if _, err := s.Tick(ctx); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	}
	count := func(u string) int {
		sent.mu.Lock()
		defer sent.mu.Unlock()
		return len(sent.got["https://fcm.googleapis.com/fcm/send/"+u])
	}
	want := func(when string, counts map[string]int) {
		t.Helper()
		for u, n := range counts {
			if got := count(u); got != n {
				t.Errorf("%s: %s got %d notifications, want %d", when, u, got, n)
			}
		}
	}
	tickAt(time.Date(2026, 12, 1, 21, 31, 0, 0, time.UTC))
	want("in quiet hours", map[string]int{"nina": 0, "per": 0, "bo": 0, "kari": 0})
	tickAt(time.Date(2026, 12, 2, 7, 0, 30, 0, time.UTC)) // 08:00 in Oslo
	want("when quiet hours end", map[string]int{"nina": 1, "per": 0, "bo": 1, "kari": 0})
	got := sent.got["https://fcm.googleapis.com/fcm/send/nina"][0]
	if got["kind"] != "meeting-invite" || got["url"] != "/#/roadmaps/rm-m/meetings/m1" || got["body"] != "Du er invitert til et møte i Veikart." {
		t.Errorf("invitation %v", got)
	}
	tickAt(time.Date(2026, 12, 2, 7, 5, 0, 0, time.UTC))
	want("ticked again", map[string]int{"nina": 1, "bo": 1})
	tickAt(time.Date(2026, 12, 9, 9, 0, 30, 0, time.UTC)) // the day before
	want("the day before", map[string]int{"nina": 2, "per": 0, "bo": 2, "kari": 1})
	if got := sent.got["https://fcm.googleapis.com/fcm/send/kari"][0]; got["kind"] != "meeting" || got["body"] != "Du har et møte i Veikart i morgen." {
		t.Errorf("household's reminder %v", got)
	}

	// The household approves the minutes after the meeting: the agencies
	// hear that their part is there, once.
	clk.Add(26 * time.Hour)
	approved := must(first(r.ApproveMinutes("m1", clk.Now())))
	if _, err := store.UpdateRoadmap(ctx, "rm-m", func(*veikart.Roadmap) (*veikart.Roadmap, error) { return approved, nil }); err != nil {
		t.Fatal(err)
	}
	if err := one.Sync(ctx, r, approved); err != nil {
		t.Fatal(err)
	}
	tickAt(clk.Now().Add(30 * time.Second))
	tickAt(clk.Now().Add(time.Minute))
	want("the minutes approved", map[string]int{"nina": 3, "per": 0, "bo": 3, "kari": 1})
	if got := sent.got["https://fcm.googleapis.com/fcm/send/bo"][2]; got["kind"] != "meeting-minutes" {
		t.Errorf("minutes notice %v", got)
	}
}
