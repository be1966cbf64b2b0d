package remind_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/push"
	"github.com/veikart/veikart/backend/push/pushtest"
	"github.com/veikart/veikart/backend/remind"
	"github.com/veikart/veikart/backend/storage"
	"github.com/veikart/veikart/backend/testenv"
	"github.com/veikart/veikart/backend/veikart"
)

// TestReminders_ThroughARealPushService sends reminders through the real
// sender to web-push-testing, which checks the VAPID signature and decrypts:
// the device gets the discreet text and the link to the step, and a device
// whose subscription is gone (410) is forgotten.
func TestReminders_ThroughARealPushService(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := &testClock{t: time.Date(2026, 11, 26, 7, 30, 0, 0, time.UTC)} // 08:30 Oslo
	svc, vapid, sender := realPush(t, clk.Now)
	s := testenv.MustStore(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	sch := &remind.Scheduler{Store: s, Sender: remind.PushSender{Push: sender, Log: log}, Now: clk.Now, Loc: oslo, Log: log, Owner: "p"}

	phone, tablet := svc.Subscribe(t, vapid.PublicKey), svc.Subscribe(t, vapid.PublicKey)
	for _, d := range []pushtest.Subscription{phone, tablet} {
		if err := s.AddPushSubscription(ctx, veikart.PushSubscription{ID: storage.PushSubscriptionID(d.Endpoint), UserID: "kari",
			Endpoint: d.Endpoint, P256dh: d.P256dh, Auth: d.Auth, CreatedAt: clk.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	r := roadmapWithStep(t, "2026-11-27", veikart.Planned, veikart.Reminder{DaysBefore: 1, At: "09:00"}, veikart.Reminder{DaysBefore: 0, At: "09:00"})
	if err := s.CreateRoadmap(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := sch.Sync(ctx, nil, r); err != nil {
		t.Fatal(err)
	}

	clk.Add(31 * time.Minute) // 09:01 the day before
	if n, err := sch.Tick(ctx); err != nil || n != 1 {
		t.Fatalf("the day before: sent %d, %v", n, err)
	}
	for _, d := range []pushtest.Subscription{phone, tablet} {
		msgs := svc.Messages(t, d)
		if len(msgs) != 1 {
			t.Fatalf("%d messages, want 1: %v", len(msgs), msgs)
		}
		var m struct {
			Title, Body, URL string
			Days             int
		}
		if err := json.Unmarshal([]byte(msgs[0]), &m); err != nil {
			t.Fatalf("payload is not JSON: %q", msgs[0])
		}
		if m.Body != "Du har et steg i Veikart i morgen." || m.URL != "/#/roadmaps/rm/steps/s1" || m.Title != "Veikart" || m.Days != 1 {
			t.Fatalf("decrypted payload %v", m)
		}
	}

	// The tablet unsubscribed: its push service answers 410 from now on.
	svc.Expire(t, tablet)
	clk.Add(24 * time.Hour) // 09:01 on the day
	if n, err := sch.Tick(ctx); err != nil || n != 1 {
		t.Fatalf("on the day: sent %d, %v", n, err)
	}
	if msgs := svc.Messages(t, phone); len(msgs) != 2 {
		t.Fatalf("phone has %d messages, want 2", len(msgs))
	}
	subs, err := s.PushSubscriptions(ctx, "kari")
	if err != nil || len(subs) != 1 || subs[0].Endpoint != phone.Endpoint {
		t.Fatalf("after a 410 the subscriptions are %+v, %v; want the phone only", subs, err)
	}
}

// realPush starts the local push service (web-push-testing) and a sender
// with fresh VAPID keys. The sender judges a message's deadline by now, the
// scheduler's clock: the tests' days are fixed, and a real clock would find
// them long past.
func realPush(tb testing.TB, now func() time.Time) (*pushtest.Service, *push.VAPID, *push.Sender) {
	tb.Helper()
	svc := pushtest.Start(tb)
	vapid, err := push.LoadVAPID(tb.TempDir(), true)
	if err != nil {
		tb.Fatal(err)
	}
	sender, err := push.NewSender(vapid, "mailto:drift@veikart.no", &http.Client{Timeout: 5 * time.Second}, now)
	if err != nil {
		tb.Fatal(err)
	}
	return svc, vapid, sender
}

// TestAlerts_ThroughARealPushService: a security alert reaches every device
// of the person, decrypted by the real push service, with a discreet text
// and a TTL that outlives a phone switched off for a day.
func TestAlerts_ThroughARealPushService(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := &testClock{t: time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)}
	svc, vapid, sender := realPush(t, clk.Now)
	s := testenv.MustStore(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	phone, tablet := svc.Subscribe(t, vapid.PublicKey), svc.Subscribe(t, vapid.PublicKey)
	for _, d := range []pushtest.Subscription{phone, tablet} {
		if err := s.AddPushSubscription(ctx, veikart.PushSubscription{ID: storage.PushSubscriptionID(d.Endpoint), UserID: "pk-amina",
			Endpoint: d.Endpoint, P256dh: d.P256dh, Auth: d.Auth, CreatedAt: clk.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan string, 1)
	a := remind.Alerts{Store: s, Sender: remind.PushSender{Push: sender, Log: log}, Now: clk.Now, Log: log, Done: func(u string) { done <- u }}
	a.Alert(ctx, "pk-amina", "recovery")
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the alert was not sent")
	}
	for _, d := range []pushtest.Subscription{phone, tablet} {
		msgs := svc.Messages(t, d)
		if len(msgs) != 1 {
			t.Fatalf("%d messages, want 1", len(msgs))
		}
		var m struct{ Kind, Alert, URL, Body string }
		if err := json.Unmarshal([]byte(msgs[0]), &m); err != nil {
			t.Fatal(err)
		}
		if m.Kind != "security" || m.Alert != "recovery" || m.URL != "/#/settings/security" || strings.Contains(m.Body, "Amina") {
			t.Fatalf("payload %+v", m)
		}
	}
}

// TestReminders_SlowDeviceHandedOnOthersNotHeldUp: the phone's push
// service answers 429 with a Retry-After longer than this process's claim
// on the job; the tablet's takes the message. The tablet's reminder must
// not be held up, the phone's must be tried again when its push service
// asked (in a later round, not dropped), and nobody gets it twice. Every
// push asks the service to keep the message until the end of the due day
// (at least an hour), however short the claim: it was 110 s, and a phone
// off for two minutes never got its reminder.
func TestReminders_SlowDeviceHandedOnOthersNotHeldUp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := &testClock{t: time.Date(2026, 11, 26, 7, 30, 0, 0, time.UTC)} // 08:30 Oslo
	svc, vapid, sender := realPush(t, clk.Now)
	phoneFront, tabletFront := pushtest.NewFront(t, svc), pushtest.NewFront(t, svc)
	s := testenv.MustStore(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	sch := &remind.Scheduler{Store: s, Sender: remind.PushSender{Push: sender, Log: log}, Now: clk.Now, Loc: oslo, Log: log, Owner: "p"}

	phone, tablet := svc.Subscribe(t, vapid.PublicKey), svc.Subscribe(t, vapid.PublicKey)
	for _, d := range []struct {
		sub   pushtest.Subscription
		front *pushtest.Front
	}{{phone, phoneFront}, {tablet, tabletFront}} {
		ep := d.front.Endpoint(d.sub)
		if err := s.AddPushSubscription(ctx, veikart.PushSubscription{ID: storage.PushSubscriptionID(ep), UserID: "kari",
			Endpoint: ep, P256dh: d.sub.P256dh, Auth: d.sub.Auth, CreatedAt: clk.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	r := roadmapWithStep(t, "2026-11-27", veikart.Planned, veikart.Reminder{DaysBefore: 1, At: "09:00"})
	if err := s.CreateRoadmap(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := sch.Sync(ctx, nil, r); err != nil {
		t.Fatal(err)
	}
	jobID := remind.Jobs(r, oslo)[0].ID
	ttl := func(req pushtest.Request) time.Duration {
		n, err := strconv.Atoi(req.Header.Get("TTL"))
		if err != nil {
			t.Fatalf("TTL header %q", req.Header.Get("TTL"))
		}
		return time.Duration(n) * time.Second
	}

	phoneFront.Reply(pushtest.Reply{Status: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"115"}}})
	clk.Add(31 * time.Minute) // 09:01 the day before
	if _, err := sch.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(svc.Messages(t, tablet)); n != 1 {
		t.Fatalf("the tablet got %d messages, want 1 at once", n)
	}
	// Until the end of the due day (27 Nov, Oslo), capped at a day.
	if got := ttl(tabletFront.Requests()[0]); got < 23*time.Hour {
		t.Errorf("the tablet's push had TTL %s; want until the end of the due day, at most a day", got)
	}
	if n := len(svc.Messages(t, phone)); n != 0 {
		t.Fatalf("the phone got %d messages while its service said wait", n)
	}
	if j, err := s.Reminder(ctx, jobID); err != nil || j.Status != remind.Pending {
		t.Fatalf("after the first round the job is %+v, %v; want it still pending for the phone", j, err)
	}

	clk.Add(time.Minute) // 09:02: the phone's service said 115 s, not yet
	if _, err := sch.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(phoneFront.Requests()); n != 1 {
		t.Fatalf("the phone was tried %d times before its Retry-After ended", n)
	}
	clk.Add(2 * time.Minute) // 09:04
	if _, err := sch.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(svc.Messages(t, phone)); n != 1 {
		t.Fatalf("the phone got %d messages after its Retry-After, want 1", n)
	}
	if n := len(svc.Messages(t, tablet)); n != 1 {
		t.Fatalf("the tablet got %d messages, want still 1", n)
	}
	reqs := phoneFront.Requests()
	if got := ttl(reqs[len(reqs)-1]); got < time.Hour {
		t.Errorf("the phone's push had TTL %s, want at least an hour", got)
	}
	if j, err := s.Reminder(ctx, jobID); err != nil || j.Status != remind.Sent {
		t.Fatalf("the job is %+v, %v; want sent", j, err)
	}
}

// TestReminders_DeviceBackOnlineHalfAnHourLater: a phone switched off at
// reminder time gets the reminder when it comes back half an hour later,
// because its push service holds a message within its TTL and the TTL is
// what the reminder is worth (until the end of the due day), not the
// scheduler's lease (it was 110 s). A tablet that stays off until the next
// day does not get a reminder for a day that has passed.
func TestReminders_DeviceBackOnlineHalfAnHourLater(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := &testClock{t: time.Date(2026, 11, 27, 7, 30, 0, 0, time.UTC)} // 08:30 Oslo, the due day
	svc, vapid, sender := realPush(t, clk.Now)
	front := pushtest.NewFront(t, svc)
	s := testenv.MustStore(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	sch := &remind.Scheduler{Store: s, Sender: remind.PushSender{Push: sender, Log: log}, Now: clk.Now, Loc: oslo, Log: log, Owner: "p"}

	phone, tablet := svc.Subscribe(t, vapid.PublicKey), svc.Subscribe(t, vapid.PublicKey)
	for _, d := range []pushtest.Subscription{phone, tablet} {
		ep := front.Endpoint(d)
		if err := s.AddPushSubscription(ctx, veikart.PushSubscription{ID: storage.PushSubscriptionID(ep), UserID: "kari",
			Endpoint: ep, P256dh: d.P256dh, Auth: d.Auth, CreatedAt: clk.Now()}); err != nil {
			t.Fatal(err)
		}
		front.Offline(d, clk.Now)
	}
	r := roadmapWithStep(t, "2026-11-27", veikart.Planned, veikart.Reminder{DaysBefore: 0, At: "09:00"})
	if err := s.CreateRoadmap(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := sch.Sync(ctx, nil, r); err != nil {
		t.Fatal(err)
	}

	clk.Add(31 * time.Minute) // 09:01: both devices are off
	if n, err := sch.Tick(ctx); err != nil || n != 1 {
		t.Fatalf("sent %d, %v", n, err)
	}
	if j, err := s.Reminder(ctx, remind.Jobs(r, oslo)[0].ID); err != nil || j.Status != remind.Sent {
		t.Fatalf("the job is %+v, %v; want sent (the push service took it)", j, err)
	}

	if got, dropped := front.Online(t, phone, clk.Now().Add(30*time.Minute)); got != 1 || dropped != 0 {
		t.Fatalf("the phone back at 09:31 got %d, and %d had expired", got, dropped)
	}
	msgs := svc.Messages(t, phone)
	if len(msgs) != 1 || !strings.Contains(msgs[0], `"body":"Du har et steg i Veikart i dag."`) {
		t.Fatalf("the phone's messages: %q", msgs)
	}

	if got, dropped := front.Online(t, tablet, clk.Now().Add(24*time.Hour)); got != 0 || dropped != 1 {
		t.Fatalf("the tablet back the next day got %d, and %d had expired; want the reminder dropped", got, dropped)
	}
}

// TestAlerts_MessageArrivedQuietAndDiscreet: the notice of a message
// reaches each person's device through the real push service, says only
// that there is a message, and opens the conversation; in quiet hours
// nothing is pushed (the unread counts say it).
func TestAlerts_MessageArrivedQuietAndDiscreet(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := &testClock{t: time.Date(2026, 12, 4, 21, 30, 0, 0, time.UTC)} // 22:30 in Oslo: quiet
	svc, vapid, sender := realPush(t, clk.Now)
	s := testenv.MustStore(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	devices := map[string]pushtest.Subscription{}
	for _, u := range []string{"kari", "per"} {
		d := svc.Subscribe(t, vapid.PublicKey)
		devices[u] = d
		if err := s.AddPushSubscription(ctx, veikart.PushSubscription{ID: storage.PushSubscriptionID(d.Endpoint), UserID: u,
			Endpoint: d.Endpoint, P256dh: d.P256dh, Auth: d.Auth, CreatedAt: clk.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan string, 2)
	a := remind.Alerts{Store: s, Sender: remind.PushSender{Push: sender, Log: log}, Now: clk.Now, Log: log, Loc: oslo, Done: func(u string) { done <- u }}
	a.MessageArrived(ctx, []string{"kari", "per"}, "rm-1", "nav", veikart.SideHousehold)
	select {
	case u := <-done:
		t.Fatalf("pushed to %s in quiet hours", u)
	case <-time.After(300 * time.Millisecond):
	}
	clk.Add(11 * time.Hour) // 09:30 in Oslo
	a.MessageArrived(ctx, []string{"kari", "per"}, "rm-1", "nav", veikart.SideHousehold)
	for range 2 {
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Fatal("the notice was not sent")
		}
	}
	for u, d := range devices {
		msgs := svc.Messages(t, d)
		if len(msgs) != 1 {
			t.Fatalf("%s: %d messages, want 1", u, len(msgs))
		}
		var m struct{ Title, Kind, URL, Body, Tag string }
		if err := json.Unmarshal([]byte(msgs[0]), &m); err != nil {
			t.Fatal(err)
		}
		if m.Title != "Veikart" || m.Kind != "message" || m.Body != "Du har en ny melding i Veikart" || m.URL != "/#/roadmaps/rm-1/messages/nav" || m.Tag != "message" {
			t.Fatalf("payload %+v", m)
		}
	}
}
