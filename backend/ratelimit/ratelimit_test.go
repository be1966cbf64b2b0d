package ratelimit_test

import (
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/ratelimit"
)

func TestLimiter(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	l := ratelimit.New(3, time.Minute, func() time.Time { return now })
	for i := range 3 {
		if !l.Allow("a") {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	if ok, wait := l.Try("a"); ok || wait != time.Minute {
		t.Fatalf("a fourth request at once: allowed %v, wait %v; want refused, a minute", ok, wait)
	}
	if !l.Allow("b") {
		t.Fatal("another key shares the bucket")
	}
	now = now.Add(59 * time.Second)
	if ok, wait := l.Try("a"); ok || wait != time.Second {
		t.Fatalf("after 59 s: allowed %v, wait %v; want refused, one second", ok, wait)
	}
	now = now.Add(time.Second)
	if !l.Allow("a") || l.Allow("a") {
		t.Fatal("one token a minute: want exactly one allowed")
	}
	now = now.Add(time.Hour)
	for i := range 3 {
		if !l.Allow("a") {
			t.Fatalf("after an hour, request %d refused: the bucket should be full (and no fuller)", i+1)
		}
	}
	if l.Allow("a") {
		t.Fatal("the bucket filled past its burst")
	}
}

func TestParseRate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want ratelimit.Rate
		err  bool
	}{
		{in: "10,200", want: ratelimit.Rate{PerSecond: 10, Burst: 200}},
		{in: " 0.5 , 5 ", want: ratelimit.Rate{PerSecond: 0.5, Burst: 5}},
		{in: "0"},
		{in: "off"},
		{in: "0,100"},
		{in: "10,0"},
		{in: "10", err: true},
		{in: "", err: true},
		{in: "-1,10", err: true},
		{in: "10,-1", err: true},
		{in: "10,2.5", err: true},
		{in: "fast,10", err: true},
		{in: "Inf,10", err: true},
		{in: "NaN,10", err: true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ratelimit.ParseRate(tc.in)
			if (err != nil) != tc.err {
				t.Fatalf("ParseRate(%q) error = %v, want error %v", tc.in, err, tc.err)
			}
			if got != tc.want {
				t.Fatalf("ParseRate(%q) = %+v, want %+v", tc.in, got, tc.want)
			}
			if !tc.err {
				if back, _ := ratelimit.ParseRate(got.String()); back != got {
					t.Fatalf("String() %q does not read back as %+v", got.String(), got)
				}
			}
		})
	}
}

func TestKeyed(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	clock := func() time.Time { return now }
	t.Run("RefillsAtTheRate", func(t *testing.T) {
		l := ratelimit.NewKeyed[string](ratelimit.Rate{PerSecond: 10, Burst: 20}, 0, clock)
		for i := range 20 {
			if ok, _ := l.Allow("k"); !ok {
				t.Fatalf("request %d of the burst refused", i+1)
			}
		}
		ok, wait := l.Allow("k")
		if ok || wait != 100*time.Millisecond {
			t.Fatalf("21st at once: allowed %v, wait %v; want refused, 100ms", ok, wait)
		}
		now = now.Add(time.Second) // ten tokens back
		for i := range 10 {
			if ok, _ := l.Allow("k"); !ok {
				t.Fatalf("request %d of the ten refilled refused", i+1)
			}
		}
		if ok, _ := l.Allow("k"); ok {
			t.Fatal("an eleventh allowed after one second at 10/s")
		}
	})
	t.Run("Off", func(t *testing.T) {
		for _, l := range []*ratelimit.Keyed[string]{
			ratelimit.NewKeyed[string](ratelimit.Rate{}, 0, clock),
			nil,
		} {
			for range 1000 {
				if ok, _ := l.Allow("k"); !ok {
					t.Fatal("an unlimited limiter refused")
				}
			}
			if l.Len() != 0 {
				t.Fatal("an unlimited limiter remembers keys")
			}
		}
	})
	t.Run("CapBoundsKeys", func(t *testing.T) {
		l := ratelimit.NewKeyed[int](ratelimit.Rate{PerSecond: 1, Burst: 1}, 1000, clock)
		for i := range 10_000 {
			if ok, _ := l.Allow(i); !ok {
				t.Fatalf("new key %d refused", i)
			}
			if l.Len() > 1000 {
				t.Fatalf("%d keys kept, cap 1000", l.Len())
			}
		}
	})
	t.Run("SweepForgetsIdleKeys", func(t *testing.T) {
		l := ratelimit.NewKeyed[int](ratelimit.Rate{PerSecond: 1, Burst: 5}, 0, clock)
		for i := range 5000 {
			l.Allow(i)
		}
		now = now.Add(30 * time.Second) // refilled, but no sweep is due yet
		l.Allow(-1)
		if l.Len() != 5001 {
			t.Fatalf("%d keys before a sweep is due, want 5001", l.Len())
		}
		// Key -1 keeps being used; the rest go quiet.
		now = now.Add(40 * time.Second)
		for range 5 {
			l.Allow(-1)
		}
		if l.Len() != 1 {
			t.Fatalf("%d keys after a sweep, want only the busy one", l.Len())
		}
		if ok, _ := l.Allow(-1); ok {
			t.Fatal("the sweep reset a key that was still limited")
		}
	})
}

// TestKeyedMemoryPerKey reports what a remembered key costs, as the heap
// grows when 100 000 keys are tracked; it fails only if that is absurd.
func TestKeyedMemoryPerKey(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates")
	}
	const n = 100_000
	for _, tc := range []struct {
		name string
		fill func() any
	}{
		{"ip-[16]byte", func() any {
			l := ratelimit.NewKeyed[[16]byte](ratelimit.Rate{PerSecond: 1, Burst: 10}, n, nil)
			for i := range n {
				l.Allow([16]byte{0x20, 0x01, 0x0d, 0xb8, byte(i >> 16), byte(i >> 8), byte(i)})
			}
			return l
		}},
		{"user-string-22", func() any {
			l := ratelimit.NewKeyed[string](ratelimit.Rate{PerSecond: 1, Burst: 10}, n, nil)
			for i := range n {
				l.Allow("user-" + strconv.FormatInt(int64(1e16)+int64(i), 10)) // 22 bytes, like our ids
			}
			return l
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			l := tc.fill()
			runtime.GC()
			runtime.ReadMemStats(&after)
			runtime.KeepAlive(l)
			per := float64(after.HeapAlloc-before.HeapAlloc) / n
			t.Logf("%s: %.0f bytes per tracked key (%d keys: %.1f MiB)", tc.name, per, n, per*n/(1<<20))
			if per > 512 {
				t.Errorf("%.0f bytes per key", per)
			}
		})
	}
}
