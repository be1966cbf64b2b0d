// Package ratelimit slows down guessing: a token bucket per key (an IP
// address, an account), refilled at a steady rate. It is per process: with
// N replicas behind a load balancer, a client gets at most N times the
// rate, which still turns a brute-force search into a hopeless one.
package ratelimit

import (
	"sync"
	"time"
)

// Limiter holds one bucket per key.
type Limiter struct {
	burst float64       // how many requests a quiet key may make at once
	every time.Duration // one more is allowed each time this passes
	now   func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

// maxKeys bounds memory: past it, full buckets (keys quiet long enough to
// have refilled) are forgotten, which changes nothing for them.
const maxKeys = 100_000

// New allows burst requests at once per key, and one more every interval.
func New(burst int, every time.Duration, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{burst: float64(burst), every: every, now: now, buckets: map[string]*bucket{}}
}

// Allow takes a token from key's bucket, and reports whether there was one.
func (l *Limiter) Allow(key string) bool {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) >= maxKeys {
			l.sweep(now)
		}
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	b.tokens = min(l.burst, b.tokens+float64(now.Sub(b.at))/float64(l.every))
	b.at = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

func (l *Limiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		if b.tokens+float64(now.Sub(b.at))/float64(l.every) >= l.burst {
			delete(l.buckets, k)
		}
	}
}
