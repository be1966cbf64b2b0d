package remind_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/push/pushtest"
	"github.com/veikart/veikart/backend/remind"
	"github.com/veikart/veikart/backend/storage"
	"github.com/veikart/veikart/backend/testenv"
	"github.com/veikart/veikart/backend/veikart"
)

// BenchmarkDueToDelivered makes 200 reminders fall due at once for 200
// households with a device each, and times one scheduler from the moment
// they are due until the local push service (web-push-testing, which checks
// the VAPID signature and decrypts) has them all: reminders per second, and
// the wait of the first and the last.
func BenchmarkDueToDelivered(b *testing.B) {
	ctx := context.Background()
	var clk *testClock
	svc, vapid, sender := realPush(b, func() time.Time { return clk.Now() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	const n = 200
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		s := testenv.MustStore(b)
		day := time.Date(2026, 11, 26+i, 7, 30, 0, 0, time.UTC)
		clk = &testClock{t: day}
		sch := &remind.Scheduler{Store: s, Sender: remind.PushSender{Push: sender, Log: log}, Now: clk.Now, Loc: oslo, Log: log, Owner: "bench"}
		devices := make([]pushtest.Subscription, n)
		for h := range n {
			d := svc.Subscribe(b, vapid.PublicKey)
			devices[h] = d
			user := fmt.Sprintf("u%d", h)
			if err := s.AddPushSubscription(ctx, veikart.PushSubscription{ID: storage.PushSubscriptionID(d.Endpoint), UserID: user, Endpoint: d.Endpoint, P256dh: d.P256dh, Auth: d.Auth, CreatedAt: day}); err != nil {
				b.Fatal(err)
			}
			r, err := veikart.NewRoadmap(fmt.Sprintf("rm%d", h), user, "F", nil, day)
			if err != nil {
				b.Fatal(err)
			}
			r.Steps = append(r.Steps, veikart.Step{ID: "s1", AreaID: "housing", Title: "Møte", Due: day.AddDate(0, 0, 1).Format(time.DateOnly),
				Status: veikart.Planned, Term: veikart.ShortTerm, Responsible: veikart.Responsible{Kind: veikart.ByHousehold},
				Reminders: []veikart.Reminder{{DaysBefore: 1, At: "09:00"}}})
			if err := s.CreateRoadmap(ctx, r); err != nil {
				b.Fatal(err)
			}
			if err := sch.Sync(ctx, nil, r); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := sch.Tick(ctx); err != nil { // the look-back walk, before anything is due
			b.Fatal(err)
		}
		clk.Add(30 * time.Minute) // 09:00 Oslo: all due now
		b.StartTimer()
		start := time.Now()
		sent, err := sch.Tick(ctx)
		elapsed := time.Since(start)
		b.StopTimer()
		if err != nil || sent != n {
			b.Fatalf("sent %d, %v", sent, err)
		}
		if got := len(svc.Messages(b, devices[n-1])); got != 1 {
			b.Fatalf("last device got %d messages", got)
		}
		b.ReportMetric(float64(n)/elapsed.Seconds(), "reminders/s")
		b.ReportMetric(float64(elapsed.Milliseconds()), "ms-due-to-last-delivered")
		b.StartTimer()
	}
}
