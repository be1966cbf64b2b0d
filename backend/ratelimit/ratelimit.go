// Package ratelimit slows down guessing and floods: a token bucket per key
// (an IP address, an account, a user), refilled at a steady rate. It is per
// process: with N replicas behind a load balancer, a client gets at most N
// times the rate, which still turns a brute-force search into a hopeless one
// and still caps what one client can cost each replica.
package ratelimit

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Rate is the shape of a bucket: PerSecond tokens come back each second, up
// to Burst kept for a quiet key.
type Rate struct {
	PerSecond float64
	Burst     int
}

// Off reports whether r limits nothing (a zero rate or burst).
func (r Rate) Off() bool { return !(r.PerSecond > 0) || r.Burst <= 0 }

// String writes r the way ParseRate reads it: "10,200", or "0" when off.
func (r Rate) String() string {
	if r.Off() {
		return "0"
	}
	return strconv.FormatFloat(r.PerSecond, 'f', -1, 64) + "," + strconv.Itoa(r.Burst)
}

// ParseRate reads "requests per second,burst", e.g. "10,200" or "0.5,5".
// "0" (or "off", or a zero in either place) means no limit.
func ParseRate(s string) (Rate, error) {
	s = strings.TrimSpace(s)
	if s == "0" || strings.EqualFold(s, "off") {
		return Rate{}, nil
	}
	perSec, burst, ok := strings.Cut(s, ",")
	if !ok {
		return Rate{}, fmt.Errorf("%q is not \"requests per second,burst\" like 10,200 (or 0 for no limit)", s)
	}
	r, err := strconv.ParseFloat(strings.TrimSpace(perSec), 64)
	if err != nil || r < 0 || math.IsInf(r, 0) || math.IsNaN(r) {
		return Rate{}, fmt.Errorf("%q: the rate must be a number of requests per second, 0 or more", s)
	}
	b, err := strconv.Atoi(strings.TrimSpace(burst))
	if err != nil || b < 0 {
		return Rate{}, fmt.Errorf("%q: the burst must be a whole number, 0 or more", s)
	}
	if r == 0 || b == 0 {
		return Rate{}, nil
	}
	return Rate{PerSecond: r, Burst: b}, nil
}

// Keyed holds one token bucket per key. Its memory is bounded twice: buckets
// that have refilled (keys quiet long enough) are dropped by a sweep at most
// once per sweepEvery, since a full bucket is the same as none; and past
// maxKeys, an arbitrary bucket makes room for the new one, so a flood of new
// keys costs O(1) per request, never a scan.
type Keyed[K comparable] struct {
	perNano float64 // tokens per nanosecond
	burst   float64
	maxKeys int
	now     func() time.Time

	mu      sync.Mutex
	buckets map[K]bucket
	swept   int64 // when the last sweep ran, in Unix nanoseconds
}

// bucket is by value in the map, without pointers, so the garbage collector
// has nothing to trace in a map of a hundred thousand keys.
type bucket struct {
	tokens float64
	at     int64 // Unix nanoseconds of the last refill
}

// sweepEvery spaces sweeps out: each one looks at every key under the lock.
const sweepEvery = time.Minute

// DefaultMaxKeys is the cap on keys a limiter remembers when given none.
const DefaultMaxKeys = 100_000

// NewKeyed limits each key to r, remembering at most maxKeys keys
// (DefaultMaxKeys if 0). A nil now means time.Now. If r is off, Allow always
// allows.
func NewKeyed[K comparable](r Rate, maxKeys int, now func() time.Time) *Keyed[K] {
	if now == nil {
		now = time.Now
	}
	if maxKeys <= 0 {
		maxKeys = DefaultMaxKeys
	}
	l := &Keyed[K]{maxKeys: maxKeys, now: now}
	if !r.Off() {
		l.perNano = r.PerSecond / float64(time.Second)
		l.burst = float64(r.Burst)
		l.buckets = map[K]bucket{}
		l.swept = now().UnixNano()
	}
	return l
}

// Allow takes a token from key's bucket and reports whether there was one;
// if not, wait says how long until there will be. A nil or unlimited
// limiter always allows.
func (l *Keyed[K]) Allow(key K) (ok bool, wait time.Duration) {
	if l == nil || l.buckets == nil {
		return true, 0
	}
	now := l.now().UnixNano()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now-l.swept >= int64(sweepEvery) {
		l.sweep(now)
	}
	b, found := l.buckets[key]
	if !found {
		if len(l.buckets) >= l.maxKeys {
			// Map iteration starts at a random place: this forgets an
			// arbitrary key, which at worst gives it a full bucket again.
			for k := range l.buckets {
				delete(l.buckets, k)
				break
			}
		}
		b = bucket{tokens: l.burst, at: now}
	} else if now > b.at {
		b.tokens = min(l.burst, b.tokens+float64(now-b.at)*l.perNano)
		b.at = now
	}
	if b.tokens < 1 {
		l.buckets[key] = b
		return false, time.Duration(math.Ceil((1 - b.tokens) / l.perNano))
	}
	b.tokens--
	l.buckets[key] = b
	return true, 0
}

// Len is how many keys the limiter remembers.
func (l *Keyed[K]) Len() int {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// sweep keeps only the buckets that are not yet full again, in a new map:
// Go maps never shrink, so copying is what gives the memory back after a
// flood of keys.
func (l *Keyed[K]) sweep(now int64) {
	l.swept = now
	keep := 0
	for _, b := range l.buckets {
		if b.tokens+float64(now-b.at)*l.perNano < l.burst {
			keep++
		}
	}
	if keep == len(l.buckets) {
		return
	}
	m := make(map[K]bucket, keep)
	for k, b := range l.buckets {
		if b.tokens+float64(now-b.at)*l.perNano < l.burst {
			m[k] = b
		}
	}
	l.buckets = m
}

// Limiter is a Keyed limiter on string keys with the burst-and-interval
// shape that the sign-in limits are stated in.
type Limiter struct{ k *Keyed[string] }

// New allows burst requests at once per key, and one more every interval.
func New(burst int, every time.Duration, now func() time.Time) *Limiter {
	r := Rate{Burst: burst}
	if every > 0 {
		r.PerSecond = float64(time.Second) / float64(every)
	}
	return &Limiter{k: NewKeyed[string](r, 0, now)}
}

// Allow takes a token from key's bucket, and reports whether there was one.
func (l *Limiter) Allow(key string) bool {
	ok, _ := l.k.Allow(key)
	return ok
}

// Try is Allow that also says, when it refuses, how long until a token is
// back (for a Retry-After).
func (l *Limiter) Try(key string) (ok bool, wait time.Duration) { return l.k.Allow(key) }
