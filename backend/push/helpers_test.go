package push_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/push"
	"github.com/veikart/veikart/backend/push/pushtest"
)

// testSubject is the VAPID subject of the tests' senders.
const testSubject = "mailto:push-tests@veikart.example"

// MustVAPID returns a fresh key pair, created as the server creates its own.
func MustVAPID(tb testing.TB) *push.VAPID {
	tb.Helper()
	v, err := push.LoadVAPID(tb.TempDir(), true)
	if err != nil {
		tb.Fatalf("LoadVAPID: %v", err)
	}
	return v
}

// MustSender returns a Sender for v with the test subject; now may be nil.
func MustSender(tb testing.TB, v *push.VAPID, now func() time.Time) *push.Sender {
	tb.Helper()
	s, err := push.NewSender(v, testSubject, nil, now)
	if err != nil {
		tb.Fatalf("NewSender: %v", err)
	}
	return s
}

// messageTo returns a message for sub with a one-hour TTL, sent to endpoint
// (sub.Endpoint, or a Front's).
func messageTo(sub pushtest.Subscription, endpoint, payload string) push.Message {
	return push.Message{
		Endpoint: endpoint,
		P256dh:   sub.P256dh,
		Auth:     sub.Auth,
		Payload:  []byte(payload),
		TTL:      time.Hour,
	}
}

// fakeClock stands in for time in Deliver tests: sleeping moves it forward at
// once and records how long was asked for.
type fakeClock struct {
	mu    sync.Mutex
	t     time.Time
	waits []time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waits = append(c.waits, d)
	c.t = c.t.Add(d)
	return nil
}

func (c *fakeClock) Waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.waits...)
}

// mustFakeSender returns a Sender on a fake clock that does not really sleep.
func mustFakeSender(tb testing.TB, v *push.VAPID) (*push.Sender, *fakeClock) {
	tb.Helper()
	c := newFakeClock()
	s := MustSender(tb, v, c.Now)
	push.SetSleep(s, c.Sleep)
	return s, c
}
