package remind_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/remind"
	"github.com/veikart/veikart/backend/storage"
	"github.com/veikart/veikart/backend/testenv"
	"github.com/veikart/veikart/backend/veikart"
)

// payloads is a Sender that keeps every payload by endpoint.
type payloads struct {
	mu  sync.Mutex
	got map[string][]map[string]any
}

func (p *payloads) Send(_ context.Context, sub veikart.PushSubscription, n remind.Notification) (remind.Outcome, time.Time) {
	var m map[string]any
	_ = json.Unmarshal(n.Payload, &m)
	p.mu.Lock()
	p.got[sub.Endpoint] = append(p.got[sub.Endpoint], m)
	p.mu.Unlock()
	return remind.Delivered, time.Time{}
}

// TestScheduler_TransitionReminders: a release planned with reminders three
// days before and on the day, and access for the receiving agency from one
// day before. The household is reminded both times; the agency only on the
// day, because three days before its grant is not yet in force. Cancelling
// the transition stops its reminders.
func TestScheduler_TransitionReminders(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := testenv.MustStore(t)
	clk := &testClock{t: time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC)} // 08:00 in Oslo
	log := slog.New(slog.NewTextHandler(io.Discard, nil))

	a, err := veikart.NewAgency("ag-kriminalomsorg", veikart.KindCorrectional, "Kriminalomsorgen", "Rogaland", clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	if a, err = a.SetStaff("cw", []veikart.AgencyRole{veikart.CaseworkerRole}, "op", clk.Now()); err != nil {
		t.Fatal(err)
	}
	if err := store.CreateAgency(ctx, a); err != nil {
		t.Fatal(err)
	}
	const home, office = "https://fcm.googleapis.com/fcm/send/kari", "https://fcm.googleapis.com/fcm/send/cw"
	for user, ep := range map[string]string{"kari": home, "cw": office} {
		if err := store.AddPushSubscription(ctx, veikart.PushSubscription{ID: storage.PushSubscriptionID(ep), UserID: user, Endpoint: ep, P256dh: "k", Auth: "a", CreatedAt: clk.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	r, err := veikart.NewRoadmap("rm-t", "kari", "Kari", nil, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	planned, _, err := r.PlanTransition("t1", "g1", "kari", veikart.TransitionSpec{
		Kind: veikart.TransitionRelease, Date: "2026-12-10", AgencyID: a.ID,
		Sections: []veikart.Section{veikart.AreaSection("housing")}, Permissions: []veikart.Permission{veikart.View},
		DaysBefore: 1, DaysAfter: 14, Reminders: []int{3, 0},
	}, clk.Now(), oslo)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.CreateRoadmap(ctx, planned); err != nil {
		t.Fatal(err)
	}
	sent := &payloads{got: map[string][]map[string]any{}}
	s := &remind.Scheduler{Store: store, Sender: sent, Now: clk.Now, Loc: oslo, Log: log, Owner: "p"}
	if err := s.Sync(ctx, nil, planned); err != nil {
		t.Fatal(err)
	}
	tickAt := func(at time.Time) {
		t.Helper()
		clk.Add(at.Sub(clk.Now()))
		if _, err := s.Tick(ctx); err != nil {
			t.Fatal(err)
		}
	}
	count := func(ep string) int { sent.mu.Lock(); defer sent.mu.Unlock(); return len(sent.got[ep]) }

	// 2026-12-07 at 10:00 Oslo: three days before.
	tickAt(time.Date(2026, 12, 7, 9, 0, 30, 0, time.UTC))
	if count(home) != 1 || count(office) != 0 {
		t.Fatalf("three days before: household %d, agency %d notifications; want 1 and 0", count(home), count(office))
	}
	got := sent.got[home][0]
	if got["kind"] != "transition" || got["days"] != float64(3) || !strings.HasSuffix(got["url"].(string), "/rm-t/transitions") {
		t.Errorf("household payload %v", got)
	}
	if strings.Contains(got["body"].(string), "Kriminalomsorgen") || strings.Contains(got["body"].(string), "release") {
		t.Errorf("the lock-screen text says what the transition is: %q", got["body"])
	}

	// The day itself: both.
	tickAt(time.Date(2026, 12, 10, 9, 0, 30, 0, time.UTC))
	if count(home) != 2 || count(office) != 1 {
		t.Fatalf("on the day: household %d, agency %d notifications; want 2 and 1", count(home), count(office))
	}
	if u := sent.got[office][0]["url"]; u != "/#/roadmaps/rm-t" {
		t.Errorf("agency's link %v", u)
	}

	// A second transition, cancelled before its reminder: nothing is sent.
	next, _, err := planned.PlanTransition("t2", "g2", "kari", veikart.TransitionSpec{
		Kind: veikart.TransitionDischarge, Date: "2026-12-20", AgencyID: "ag-other",
		Sections: []veikart.Section{veikart.SectionHousehold}, Permissions: []veikart.Permission{veikart.View},
		DaysBefore: 0, DaysAfter: 1, Reminders: []int{1},
	}, clk.Now(), oslo)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Sync(ctx, planned, next); err != nil {
		t.Fatal(err)
	}
	cancelled, _, err := next.CancelTransition("t2", "kari", clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.UpdateRoadmap(ctx, "rm-t", func(*veikart.Roadmap) (*veikart.Roadmap, error) { return cancelled, nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.Sync(ctx, next, cancelled); err != nil {
		t.Fatal(err)
	}
	tickAt(time.Date(2026, 12, 19, 9, 0, 30, 0, time.UTC))
	if count(home) != 2 {
		t.Fatalf("a cancelled transition's reminder was sent: %v", sent.got[home])
	}

	// The day before the agency's access ends (24 December is its last
	// day): the household, who may renew it, and the agency, who may ask
	// for more time, are both told. (Not 14 days before: the grant had
	// been in force one day then.)
	tickAt(time.Date(2026, 12, 23, 9, 0, 30, 0, time.UTC))
	if count(home) != 3 || count(office) != 2 {
		t.Fatalf("the day before the grant ends: household %d, agency %d notifications; want 3 and 2", count(home), count(office))
	}
	if got := sent.got[home][2]; got["kind"] != "grant" || got["days"] != float64(1) || got["url"] != "/#/roadmaps/rm-t/sharing" || got["body"] != "En tilgang i Veikart går ut i morgen." {
		t.Errorf("household's warning %v", got)
	}
	if got := sent.got[office][1]; got["kind"] != "grant" || got["url"] != "/#/roadmaps/rm-t" {
		t.Errorf("agency's warning %v", got)
	}
}
