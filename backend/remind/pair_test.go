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
	"github.com/veikart/veikart/backend/veikart"
)

// pair is two schedulers on one store, as two server processes would run,
// on a clock the test moves; what they send is kept by device, and each
// person has one device (subscribe).
type pair struct {
	t        *testing.T
	clk      *testClock
	sent     *payloads
	one, two *remind.Scheduler
}

func newPair(t *testing.T, store *storage.Store, clk *testClock) *pair {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	sent := &payloads{got: map[string][]map[string]any{}}
	return &pair{t: t, clk: clk, sent: sent,
		one: &remind.Scheduler{Store: store, Sender: sent, Now: clk.Now, Loc: oslo, Log: log, Owner: "p1"},
		two: &remind.Scheduler{Store: store, Sender: sent, Now: clk.Now, Loc: oslo, Log: log, Owner: "p2"},
	}
}

// device is the push endpoint of user's one device.
func device(user string) string { return "https://fcm.googleapis.com/fcm/send/" + user }

// subscribe gives each user a device.
func subscribe(t *testing.T, store *storage.Store, now time.Time, users ...string) {
	t.Helper()
	for _, u := range users {
		ep := device(u)
		if err := store.AddPushSubscription(context.Background(), veikart.PushSubscription{ID: storage.PushSubscriptionID(ep), UserID: u, Endpoint: ep, P256dh: "k", Auth: "a", CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
}

// tickAt moves the clock to at and lets the two schedulers tick at the
// same time, twice. (One scheduler is one process's loop: it never ticks
// twice at once.)
func (p *pair) tickAt(at time.Time) {
	p.t.Helper()
	p.clk.Add(at.Sub(p.clk.Now()))
	for range 2 {
		var wg sync.WaitGroup
		for _, s := range []*remind.Scheduler{p.one, p.two} {
			wg.Go(func() {
				if _, err := s.Tick(context.Background()); err != nil {
					p.t.Error(err)
				}
			})
		}
		wg.Wait()
	}
}

// got is the i-th payload user's device got.
func (p *pair) got(user string, i int) map[string]any {
	p.sent.mu.Lock()
	defer p.sent.mu.Unlock()
	if i >= len(p.sent.got[device(user)]) {
		return nil
	}
	return p.sent.got[device(user)][i]
}

// want checks how many notifications each user's device got by now.
func (p *pair) want(when string, counts map[string]int) {
	p.t.Helper()
	p.sent.mu.Lock()
	defer p.sent.mu.Unlock()
	for u, n := range counts {
		if got := len(p.sent.got[device(u)]); got != n {
			p.t.Errorf("%s: %s got %d notifications, want %d", when, u, got, n)
		}
	}
}

// mustOf returns must for t: a domain change's roadmap, or the test's end
// (must(first(r.AddGrant(...)))).
func mustOf(t *testing.T) func(*veikart.Roadmap, error) *veikart.Roadmap {
	return func(r *veikart.Roadmap, err error) *veikart.Roadmap {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
}

// first drops the middle result of a domain change.
func first[T any](r *veikart.Roadmap, _ T, err error) (*veikart.Roadmap, error) { return r, err }
