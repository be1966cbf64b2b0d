package ratelimit_test

import (
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/veikart/veikart/backend/ratelimit"
)

// BenchmarkKeyed measures one Allow: the same few keys (a busy office), and
// a new key every time at the cap (a flood of addresses, each evicting one).
func BenchmarkKeyed(b *testing.B) {
	b.Run("hot-keys", func(b *testing.B) {
		l := ratelimit.NewKeyed[[16]byte](ratelimit.Rate{PerSecond: 1e9, Burst: 1e9}, 0, nil)
		b.ReportAllocs()
		var i atomic.Uint32
		b.RunParallel(func(pb *testing.PB) {
			k := [16]byte{byte(i.Add(1))}
			for pb.Next() {
				l.Allow(k)
			}
		})
	})
	b.Run("new-key-at-cap", func(b *testing.B) {
		l := ratelimit.NewKeyed[[16]byte](ratelimit.Rate{PerSecond: 1, Burst: 10}, 100_000, nil)
		for i := range 100_000 {
			l.Allow([16]byte{1, byte(i >> 16), byte(i >> 8), byte(i)})
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			l.Allow([16]byte{2, byte(i >> 24), byte(i >> 16), byte(i >> 8), byte(i)})
		}
	})
	b.Run("user-string", func(b *testing.B) {
		l := ratelimit.NewKeyed[string](ratelimit.Rate{PerSecond: 1e9, Burst: 1e9}, 0, nil)
		keys := make([]string, 1000)
		for i := range keys {
			keys[i] = "u" + strconv.Itoa(1e15+i)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			l.Allow(keys[i%len(keys)])
		}
	})
}
