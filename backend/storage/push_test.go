package storage_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/storage"
	"github.com/veikart/veikart/backend/testenv"
	"github.com/veikart/veikart/backend/veikart"
)

func pushSub(userID, endpoint string, at time.Time) veikart.PushSubscription {
	return veikart.PushSubscription{
		UserID: userID, Endpoint: endpoint, P256dh: "BKey-" + endpoint, Auth: "auth-" + endpoint,
		CreatedAt: at, UserAgent: "Firefox",
	}
}

// A person's subscriptions come back as stored, one per endpoint; each person
// sees only their own; removing the last leaves an empty list.
func TestPush_AddListRemove(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testenv.MustStore(t)
	t0 := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

	got, err := s.PushSubscriptions(ctx, "kari")
	if err != nil || got == nil || len(got) != 0 {
		t.Fatalf("no subscriptions: got %v, %v; want an empty list", got, err)
	}

	const phone, laptop = "https://fcm.googleapis.com/fcm/send/phone", "https://updates.push.services.mozilla.com/wpush/v2/laptop"
	for _, sub := range []veikart.PushSubscription{pushSub("kari", phone, t0), pushSub("kari", laptop, t0.Add(time.Minute)), pushSub("ola", phone, t0)} {
		if err := s.AddPushSubscription(ctx, sub); err != nil {
			t.Fatal(err)
		}
	}
	got, err = s.PushSubscriptions(ctx, "kari")
	if err != nil {
		t.Fatal(err)
	}
	want := []veikart.PushSubscription{pushSub("kari", phone, t0), pushSub("kari", laptop, t0.Add(time.Minute))}
	want[0].ID, want[1].ID = storage.PushSubscriptionID(phone), storage.PushSubscriptionID(laptop)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got\n%+v\nwant\n%+v", got, want)
	}
	if len(want[0].ID) != 32 || want[0].ID == want[1].ID {
		t.Errorf("ids %q and %q: want 32 hex digits, distinct per endpoint", want[0].ID, want[1].ID)
	}

	// The same endpoint again replaces it (new keys), in place.
	renewed := pushSub("kari", phone, t0.Add(time.Hour))
	renewed.P256dh, renewed.ID = "BNewKey", "ignored"
	if err := s.AddPushSubscription(ctx, renewed); err != nil {
		t.Fatal(err)
	}
	got, _ = s.PushSubscriptions(ctx, "kari")
	if len(got) != 2 || got[0].P256dh != "BNewKey" || got[0].ID != want[0].ID || !got[0].CreatedAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("after renewal: %+v", got)
	}

	for _, tc := range []struct {
		user, endpoint string
		want           bool
	}{
		{"kari", "https://elsewhere.example/none", false},
		{"nobody", phone, false},
		{"kari", phone, true},
		{"kari", phone, false},
		{"kari", laptop, true},
	} {
		removed, err := s.RemovePushSubscription(ctx, tc.user, tc.endpoint)
		if err != nil || removed != tc.want {
			t.Errorf("remove %s %s: %v, %v; want %v", tc.user, tc.endpoint, removed, err, tc.want)
		}
	}
	if got, err := s.PushSubscriptions(ctx, "kari"); err != nil || len(got) != 0 {
		t.Errorf("after removing all: %v, %v", got, err)
	}
	if got, _ := s.PushSubscriptions(ctx, "ola"); len(got) != 1 || got[0].UserID != "ola" || got[0].Endpoint != phone {
		t.Errorf("someone else's subscription changed: %+v", got)
	}
}

// Concurrent adds for one person all land, up to the limit and no further;
// renewing one of them at the limit is still allowed.
func TestPush_Limit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testenv.MustStore(t)
	t0 := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	endpoint := func(i int) string { return fmt.Sprintf("https://fcm.googleapis.com/fcm/send/device-%d", i) }

	const n = veikart.MaxPushSubscriptions + 5
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.AddPushSubscription(ctx, pushSub("kari", endpoint(i), t0))
		}()
	}
	wg.Wait()
	var ok, conflicts int
	for _, err := range errs {
		switch veikart.ErrorCode(err) {
		case "":
			ok++
		case veikart.ECONFLICT:
			conflicts++
		default:
			t.Errorf("add: %v", err)
		}
	}
	got, err := s.PushSubscriptions(ctx, "kari")
	if err != nil {
		t.Fatal(err)
	}
	if ok != veikart.MaxPushSubscriptions || conflicts != n-ok || len(got) != veikart.MaxPushSubscriptions {
		t.Fatalf("%d added, %d refused, %d stored; want %d, %d, %d", ok, conflicts, len(got), veikart.MaxPushSubscriptions, n-veikart.MaxPushSubscriptions, veikart.MaxPushSubscriptions)
	}
	if err := s.AddPushSubscription(ctx, pushSub("kari", got[3].Endpoint, t0.Add(time.Hour))); err != nil {
		t.Errorf("renewing at the limit: %v", err)
	}
	if err := s.AddPushSubscription(ctx, pushSub("", endpoint(0), t0)); veikart.ErrorCode(err) != veikart.EINVALID {
		t.Errorf("without a user: %v, want %s", err, veikart.EINVALID)
	}
}
