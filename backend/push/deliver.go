package push

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// Backoff bounds, for a push service that answers 429 or 5xx without a
// Retry-After, or that cannot be reached.
const (
	backoffStart = time.Second
	backoffCap   = 5 * time.Minute
)

// ErrExpired is in Result.Err when Deliver got a message whose deadline had
// already passed, and so sent nothing.
var ErrExpired = errors.New("push: message expired before it was sent")

// Deliver sends m until the push service accepts it, the subscription is
// gone, it fails for good, ctx ends, or deadline passes. Between attempts it
// waits as long as the push service's Retry-After asks, or else an
// exponential backoff with full jitter (random in [0, min(5 min, 1 s ×
// 2^n)]), so that many senders that failed at once do not come back at once.
// It gives up, returning the last Result (Outcome Retry), rather than start
// an attempt after the deadline.
//
// Without m.Expires the deadline is also when the message stops being
// worth delivering: each attempt asks the push service to keep it only
// until then, so a message retried for an hour still expires when it was
// meant to. With m.Expires, the deadline is only how long this call may
// keep trying (a reminder's claim on its job); each attempt asks the push
// service to keep the message until m.Expires, and a retry that falls
// after the deadline but before m.Expires is returned in Result.RetryAt for
// the caller to make later.
func (s *Sender) Deliver(ctx context.Context, m Message, deadline time.Time) Result {
	var r Result
	for n := 0; ; n++ {
		now := s.now()
		end := deadline
		if !m.Expires.IsZero() && m.Expires.Before(end) {
			end = m.Expires
		}
		// Under a second left is as good as expired: the TTL header counts
		// whole seconds, and a TTL of 0 is dropped by any phone asleep.
		left := end.Sub(now)
		if left < time.Second && end.Before(m.Expires) {
			// This call's time is up but the message is still worth
			// sending: hand the attempt on, now.
			if n == 0 {
				r = Result{Outcome: Retry, Err: errors.New("push: no time left to try in this call")}
			}
			r.RetryAt = now
			return r
		}
		if left < time.Second {
			if n == 0 {
				return Result{Outcome: Failed, Err: fmt.Errorf("%w (%v left)", ErrExpired, left)}
			}
			return r
		}
		if m.Expires.IsZero() {
			m.TTL = min(m.TTL, left)
		} else {
			m.TTL = m.Expires.Sub(now)
		}
		attempts := r.Attempts
		r = s.Send(ctx, m)
		r.Attempts += attempts
		if r.Outcome != Retry || ctx.Err() != nil {
			return r
		}
		wait := r.RetryAfter
		if wait <= 0 {
			wait = backoff(n)
		}
		if at := s.now().Add(wait); at.After(deadline) {
			if !m.Expires.IsZero() && at.Before(m.Expires.Add(-time.Second)) {
				r.RetryAt = at
			}
			return r
		}
		if err := s.sleep(ctx, wait); err != nil {
			r.Err = fmt.Errorf("push: waiting to retry: %w (last: %w)", err, r.Err)
			return r
		}
	}
}

// backoff returns the wait before retry n+1 (n from 0): full jitter, which
// spreads retries out best (see "Exponential Backoff And Jitter", AWS
// Architecture Blog, 2015).
func backoff(n int) time.Duration {
	ceil := backoffCap
	if n < 20 { // 2^20 s is far past the cap; avoid overflow beyond it
		ceil = min(backoffCap, backoffStart<<n)
	}
	return rand.N(ceil + 1)
}

// sleepCtx waits d, or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
