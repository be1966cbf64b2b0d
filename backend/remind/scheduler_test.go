package remind_test

import (
	"context"
	"fmt"
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

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// recorder is a Sender that records what it delivers. With blockAfter > 0 it
// stops answering after that many deliveries, as a process does that is
// killed mid-send: what it had not sent it never sends.
type recorder struct {
	mu         sync.Mutex
	got        map[string]int // topic + endpoint -> deliveries
	n          int
	blockAfter int
}

func (r *recorder) Send(ctx context.Context, sub veikart.PushSubscription, n remind.Notification) (remind.Outcome, time.Time) {
	r.mu.Lock()
	if r.blockAfter > 0 && r.n >= r.blockAfter {
		r.mu.Unlock()
		<-ctx.Done()
		return remind.Failed, time.Time{}
	}
	r.n++
	r.got[n.Topic+" "+sub.Endpoint]++
	r.mu.Unlock()
	return remind.Delivered, time.Time{}
}

// TestScheduler_TwoProcessesSendEachReminderOnce runs two schedulers, as two
// server processes would, on one database with a controllable clock. One of
// them stops dead in the middle of its work; after its lease runs out the
// other takes over. Every reminder reaches every device exactly once.
func TestScheduler_TwoProcessesSendEachReminderOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	base := testenv.MustStore(t)
	a, b := testenv.OpenAgain(t, base, storage.Options{}), testenv.OpenAgain(t, base, storage.Options{})
	clk := &testClock{t: time.Date(2026, 11, 26, 7, 0, 0, 0, time.UTC)} // 08:00 in Oslo
	log := slog.New(slog.NewTextHandler(io.Discard, nil))

	for _, ep := range []string{"https://fcm.googleapis.com/fcm/send/dev1", "https://fcm.googleapis.com/fcm/send/dev2"} {
		if err := a.AddPushSubscription(ctx, veikart.PushSubscription{ID: storage.PushSubscriptionID(ep), UserID: "kari", Endpoint: ep, P256dh: "k", Auth: "a", CreatedAt: clk.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	setup := &remind.Scheduler{Store: a, Now: clk.Now, Loc: oslo, Log: log, Owner: "setup"}
	const roadmaps = 24
	for i := range roadmaps {
		r := roadmapWithStep(t, "2026-11-27", veikart.Planned, veikart.Reminder{DaysBefore: 1, At: "09:00"})
		r.ID = fmt.Sprintf("rm%02d", i)
		if err := a.CreateRoadmap(ctx, r); err != nil {
			t.Fatal(err)
		}
		if err := setup.Sync(ctx, nil, r); err != nil {
			t.Fatal(err)
		}
	}

	sent := &recorder{got: map[string]int{}}
	dying := &recorder{got: map[string]int{}, blockAfter: 10}
	pa := &remind.Scheduler{Store: a, Sender: dying, Now: clk.Now, Loc: oslo, Log: log, Owner: "process-a", Lease: 2 * time.Minute}
	pb := &remind.Scheduler{Store: b, Sender: sent, Now: clk.Now, Loc: oslo, Log: log, Owner: "process-b", Lease: 2 * time.Minute}

	// Nothing is due before 09:00 Oslo time.
	if n, err := pb.Tick(ctx); err != nil || n != 0 {
		t.Fatalf("before time: sent %d, %v", n, err)
	}
	clk.Add(time.Hour + 30*time.Second)

	// A starts; after ten deliveries it stops answering, holding a claim on
	// the job it was sending. B works alongside it meanwhile.
	actx, kill := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); _, _ = pa.Tick(actx) }()
	for deadline := time.Now().Add(10 * time.Second); ; {
		dying.mu.Lock()
		stuck := dying.n >= dying.blockAfter
		dying.mu.Unlock()
		if stuck {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("process A did not get going")
		}
		time.Sleep(5 * time.Millisecond)
	}
	for range 2 {
		if _, err := pb.Tick(ctx); err != nil {
			t.Fatal(err)
		}
	}
	kill() // as a SIGKILL would: A records nothing more
	wg.Wait()

	// A's claim holds until its lease runs out; then B takes the job over.
	clk.Add(3 * time.Minute)
	for range 3 {
		if _, err := pb.Tick(ctx); err != nil {
			t.Fatal(err)
		}
	}
	total := 0
	for _, got := range []map[string]int{sent.got, dying.got} {
		for k, n := range got {
			total += n
			if n != 1 {
				t.Errorf("%s delivered %d times", k, n)
			}
		}
	}
	for k := range sent.got {
		if dying.got[k] > 0 {
			t.Errorf("%s delivered by both processes", k)
		}
	}
	if total != 2*roadmaps {
		t.Fatalf("delivered %d notifications, want %d (A sent %d)", total, 2*roadmaps, len(dying.got))
	}
	if len(dying.got) == 0 {
		t.Fatal("process A sent nothing: the test did not test a takeover")
	}
	// Done is done: ticking again sends nothing.
	clk.Add(10 * time.Minute)
	if n, err := pb.Tick(ctx); err != nil || n != 0 {
		t.Fatalf("after all were sent: %d, %v", n, err)
	}
}

// TestScheduler_ChangedStepsAndQuietHours: a completed step's reminder is not
// sent, a reminder due at night waits for the morning, and a reminder to an
// agency's step goes to its caseworkers only while the grant lets them see it.
func TestScheduler_ChangedStepsAndQuietHours(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testenv.MustStore(t)
	clk := &testClock{t: time.Date(2026, 11, 26, 7, 30, 0, 0, time.UTC)} // 08:30 Oslo
	rec := &recorder{got: map[string]int{}}
	sch := &remind.Scheduler{Store: s, Sender: rec, Now: clk.Now, Loc: oslo, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Owner: "p"}
	for _, u := range []string{"kari", "nina"} {
		ep := "https://fcm.googleapis.com/fcm/send/" + u
		if err := s.AddPushSubscription(ctx, veikart.PushSubscription{ID: storage.PushSubscriptionID(ep), UserID: u, Endpoint: ep, P256dh: "k", Auth: "a", CreatedAt: clk.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	nav, err := veikart.NewAgency("nav", veikart.KindNAV, "NAV", "Oslo", clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	if nav, err = nav.SetStaff("nina", []veikart.AgencyRole{veikart.CaseworkerRole}, "op", clk.Now()); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateAgency(ctx, nav); err != nil {
		t.Fatal(err)
	}

	r := roadmapWithStep(t, "2026-11-27", veikart.Planned, veikart.Reminder{DaysBefore: 1, At: "09:00"})
	r.Steps = append(r.Steps,
		veikart.Step{ID: "s2", AreaID: "housing", Title: "NAV", Due: "2026-11-27", Status: veikart.Planned, Term: veikart.ShortTerm,
			Responsible: veikart.Responsible{Kind: veikart.ByAgency, AgencyID: "nav"}, Reminders: []veikart.Reminder{{DaysBefore: 1, At: "09:00"}}},
		veikart.Step{ID: "s3", AreaID: "work", Title: "Done already", Due: "2026-11-27", Status: veikart.Planned, Term: veikart.ShortTerm,
			Responsible: veikart.Responsible{Kind: veikart.ByHousehold}, Reminders: []veikart.Reminder{{DaysBefore: 1, At: "09:00"}}})
	r, _, err = r.AddGrant("g", "nav", "kari", veikart.GrantSpec{Sections: []veikart.Section{veikart.StepsSection("housing")},
		Permissions: []veikart.Permission{veikart.View}, Purpose: "p", ExpiresAt: clk.Now().Add(24 * time.Hour)}, "owner", clk.Now(), veikart.ConsentPolicy{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateRoadmap(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := sch.Sync(ctx, nil, r); err != nil {
		t.Fatal(err)
	}
	// s3 is marked done before its reminder.
	done := veikart.Done
	next, _, err := r.Apply([]veikart.Op{veikart.UpdateStep{ID: "o", StepID: "s3", BaseVersion: r.Version, Set: veikart.StepPatch{Status: &done}}}, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateRoadmap(ctx, r.ID, func(*veikart.Roadmap) (*veikart.Roadmap, error) { return next, nil }); err != nil {
		t.Fatal(err)
	}
	if err := sch.Sync(ctx, r, next); err != nil {
		t.Fatal(err)
	}
	clk.Add(31 * time.Minute) // 09:01 Oslo
	if n, err := sch.Tick(ctx); err != nil || n != 2 {
		t.Fatalf("sent %d, %v; want s1 to Kari and s2 to Nina", n, err)
	}
	if len(rec.got) != 2 {
		t.Fatalf("deliveries %v", rec.got)
	}
	for k := range rec.got {
		if (strings.Contains(k, "/kari") && strings.Contains(k, remind.Topic("rm/s2/2026-11-27/1-0900"))) || strings.Contains(k, remind.Topic("rm/s3/2026-11-27/1-0900")) {
			t.Errorf("wrong delivery %s", k)
		}
	}

	// A reminder set late in the evening waits for 08:00.
	late := roadmapWithStep(t, "2026-11-27", veikart.Planned, veikart.Reminder{DaysBefore: 0, At: "08:00"})
	late.ID = "rm-late"
	if err := s.CreateRoadmap(ctx, late); err != nil {
		t.Fatal(err)
	}
	clk.Add(12 * time.Hour) // 21:01 Oslo, the evening before
	if err := sch.Sync(ctx, nil, late); err != nil {
		t.Fatal(err)
	}
	clk.Add(10*time.Hour + 58*time.Minute) // 07:59 Oslo
	if n, err := sch.Tick(ctx); err != nil || n != 0 {
		t.Fatalf("at night: sent %d, %v", n, err)
	}
	clk.Add(2 * time.Minute) // 08:01
	if n, err := sch.Tick(ctx); err != nil || n != 1 {
		t.Fatalf("in the morning: sent %d, %v", n, err)
	}
}
