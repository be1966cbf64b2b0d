package push_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/push"
	"github.com/veikart/veikart/backend/push/pushtest"
)

func retryAfter(status int, seconds string) pushtest.Reply {
	h := http.Header{}
	if seconds != "" {
		h.Set("Retry-After", seconds)
	}
	return pushtest.Reply{Status: status, Header: h}
}

// TestDeliver_RetryAfterThenDelivered: a push service that is rate limiting
// answers 429 with Retry-After twice; Deliver waits as asked, then the real
// service receives the message once. Each retry asks the service to keep the
// message only for what is left of its TTL.
func TestDeliver_RetryAfterThenDelivered(t *testing.T) {
	svc := pushtest.Start(t)
	v := MustVAPID(t)
	s, clock := mustFakeSender(t, v)
	sub := svc.Subscribe(t, v.PublicKey)
	front := pushtest.NewFront(t, svc)
	front.Reply(retryAfter(429, "1"), retryAfter(429, "1"))

	m := messageTo(sub, front.Endpoint(sub), "reminder")
	r := s.Deliver(t.Context(), m, clock.Now().Add(m.TTL))
	if r.Outcome != push.Delivered || r.Status != 201 || r.Attempts != 3 {
		t.Fatalf("Deliver = %+v, want delivered on the third attempt", r)
	}
	if w := clock.Waits(); !slices.Equal(w, []time.Duration{time.Second, time.Second}) {
		t.Errorf("waits = %v, want [1s 1s] from Retry-After", w)
	}
	if got := svc.Messages(t, sub); !slices.Equal(got, []string{"reminder"}) {
		t.Errorf("service received %q, want [reminder]", got)
	}
	var statuses []int
	var ttls []string
	for _, req := range front.Requests() {
		statuses = append(statuses, req.Status)
		ttls = append(ttls, req.Header.Get("TTL"))
	}
	if !slices.Equal(statuses, []int{429, 429, 201}) {
		t.Errorf("statuses = %v, want [429 429 201]", statuses)
	}
	if !slices.Equal(ttls, []string{"3600", "3599", "3598"}) {
		t.Errorf("TTL headers = %v, want the TTL left at each attempt", ttls)
	}
}

// TestDeliver_BackoffWithoutRetryAfter: 5xx without Retry-After backs off
// exponentially with full jitter: each wait is within [0, 1 s × 2^n].
func TestDeliver_BackoffWithoutRetryAfter(t *testing.T) {
	svc := pushtest.Start(t)
	v := MustVAPID(t)
	s, clock := mustFakeSender(t, v)
	sub := svc.Subscribe(t, v.PublicKey)
	front := pushtest.NewFront(t, svc)
	for range 12 {
		front.Reply(retryAfter(503, ""))
	}

	m := messageTo(sub, front.Endpoint(sub), "reminder")
	r := s.Deliver(t.Context(), m, clock.Now().Add(m.TTL))
	if r.Outcome != push.Delivered || r.Attempts != 13 {
		t.Fatalf("Deliver = %+v, want delivered on attempt 13", r)
	}
	waits := clock.Waits()
	if len(waits) != 12 {
		t.Fatalf("waited %d times, want 12", len(waits))
	}
	for n, w := range waits {
		ceil := min(5*time.Minute, time.Second<<n)
		if w < 0 || w > ceil {
			t.Errorf("wait %d = %v, want within [0, %v]", n, w, ceil)
		}
	}
}

// TestDeliver_NotRetried: answers that no retry can fix end Deliver at once.
func TestDeliver_NotRetried(t *testing.T) {
	svc := pushtest.Start(t)
	v := MustVAPID(t)
	for _, tc := range []struct {
		status int
		want   push.Outcome
	}{
		{400, push.Failed},
		{403, push.Failed},
		{413, push.Failed},
		{404, push.Gone},
		{410, push.Gone},
	} {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			t.Parallel()
			s, clock := mustFakeSender(t, v)
			sub := svc.Subscribe(t, v.PublicKey)
			front := pushtest.NewFront(t, svc)
			front.Reply(retryAfter(tc.status, "1"))

			m := messageTo(sub, front.Endpoint(sub), "x")
			r := s.Deliver(t.Context(), m, clock.Now().Add(m.TTL))
			if r.Outcome != tc.want || r.Status != tc.status || r.Attempts != 1 {
				t.Fatalf("Deliver = %+v, want %v after one attempt", r, tc.want)
			}
			if n := len(front.Requests()); n != 1 || len(clock.Waits()) != 0 {
				t.Fatalf("%d requests and waits %v, want one request and no wait", n, clock.Waits())
			}
		})
	}
}

// TestDeliver_GivesUpAtDeadline: Deliver never starts an attempt after the
// deadline, and returns the last answer.
func TestDeliver_GivesUpAtDeadline(t *testing.T) {
	svc := pushtest.Start(t)
	v := MustVAPID(t)

	t.Run("RetryAfter", func(t *testing.T) {
		s, clock := mustFakeSender(t, v)
		sub := svc.Subscribe(t, v.PublicKey)
		front := pushtest.NewFront(t, svc)
		for range 10 {
			front.Reply(retryAfter(429, "60"))
		}
		// Attempts at 0, 60 and 120 s; the next, at 180 s, is past 150 s.
		r := s.Deliver(t.Context(), messageTo(sub, front.Endpoint(sub), "x"), clock.Now().Add(150*time.Second))
		if r.Outcome != push.Retry || r.Status != 429 || r.Attempts != 3 || r.RetryAfter != time.Minute {
			t.Fatalf("Deliver = %+v, want the third 429", r)
		}
		if w := clock.Waits(); !slices.Equal(w, []time.Duration{time.Minute, time.Minute}) {
			t.Errorf("waits = %v, want [1m 1m]", w)
		}
		if n := len(front.Requests()); n != 3 {
			t.Errorf("front saw %d requests, want 3", n)
		}
	})

	t.Run("Backoff", func(t *testing.T) {
		s, clock := mustFakeSender(t, v)
		sub := svc.Subscribe(t, v.PublicKey)
		front := pushtest.NewFront(t, svc)
		for range 1000 {
			front.Reply(retryAfter(500, ""))
		}
		start := clock.Now()
		deadline := start.Add(20 * time.Second)
		r := s.Deliver(t.Context(), messageTo(sub, front.Endpoint(sub), "x"), deadline)
		if r.Outcome != push.Retry || r.Status != 500 {
			t.Fatalf("Deliver = %+v, want the last 500", r)
		}
		if clock.Now().After(deadline) {
			t.Errorf("last attempt at %v, after the deadline %v", clock.Now().Sub(start), deadline.Sub(start))
		}
		if got := len(front.Requests()); got != r.Attempts {
			t.Errorf("front saw %d requests, Deliver reports %d attempts", got, r.Attempts)
		}
	})

	t.Run("AlreadyExpired", func(t *testing.T) {
		s, clock := mustFakeSender(t, v)
		sub := svc.Subscribe(t, v.PublicKey)
		front := pushtest.NewFront(t, svc)
		for _, left := range []time.Duration{-time.Minute, 0, 500 * time.Millisecond} {
			r := s.Deliver(t.Context(), messageTo(sub, front.Endpoint(sub), "x"), clock.Now().Add(left))
			if r.Outcome != push.Failed || !errors.Is(r.Err, push.ErrExpired) || r.Attempts != 0 {
				t.Errorf("Deliver with %v left = %+v, want failed with ErrExpired", left, r)
			}
		}
		if n := len(front.Requests()); n != 0 {
			t.Errorf("front saw %d requests, want none", n)
		}
	})
}

// TestDeliver_ContextEndsWait uses the real sleep: a Retry-After of an hour
// must not hold Deliver once its context ends.
func TestDeliver_ContextEndsWait(t *testing.T) {
	svc := pushtest.Start(t)
	v := MustVAPID(t)
	s := MustSender(t, v, nil)
	sub := svc.Subscribe(t, v.PublicKey)
	front := pushtest.NewFront(t, svc)
	front.Reply(retryAfter(429, "3600"))

	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(100*time.Millisecond, cancel)
	r := s.Deliver(ctx, messageTo(sub, front.Endpoint(sub), "x"), time.Now().Add(2*time.Hour))
	if r.Outcome != push.Retry || r.Attempts != 1 || !errors.Is(r.Err, context.Canceled) {
		t.Fatalf("Deliver = %+v, want retry ended by the context", r)
	}
}
