package storage_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/demo"
	"github.com/veikart/veikart/backend/storage"
	"github.com/veikart/veikart/backend/testenv"
	"github.com/veikart/veikart/backend/veikart"
)

// BenchmarkRoadmap reads and writes one 4 KB roadmap in stores holding 1,000
// and 100,000 roadmaps. "read-db" bypasses the in-memory copy and measures the
// database itself; with the _id index fix, it and "write" stay flat as the
// collection grows. Run with: go test -run '^$' -bench Roadmap ./backend/storage
func BenchmarkRoadmap(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("roadmaps=%d", n), func(b *testing.B) {
			ctx := context.Background()
			s := testenv.MustStore(b)
			seed(b, s, n)
			direct := testenv.OpenAgain(b, s, storage.Options{})

			b.Run("read-db", func(b *testing.B) {
				i := 0
				for b.Loop() {
					if _, err := direct.Roadmap(ctx, "rm"+strconv.Itoa(i%n)); err != nil {
						b.Fatal(err)
					}
					i += 7919 // visit ids all over the collection
				}
			})
			b.Run("read", func(b *testing.B) {
				for b.Loop() {
					if _, err := s.Roadmap(ctx, "rm42"); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("write", func(b *testing.B) {
				i := 0
				for b.Loop() {
					id := "rm" + strconv.Itoa(i%n)
					text := "Endret " + strconv.Itoa(i)
					_, err := s.UpdateRoadmap(ctx, id, func(cur *veikart.Roadmap) (*veikart.Roadmap, error) {
						next, _, err := cur.Apply([]veikart.Op{veikart.UpdateArea{ID: "op" + strconv.Itoa(i), AreaID: "work", BaseVersion: cur.Version, Set: veikart.AreaPatch{Now: &text}}}, time.Now())
						return next, err
					})
					if err != nil {
						b.Fatal(err)
					}
					i += 7919
				}
			})
		})
	}
}

func seed(tb testing.TB, s *storage.Store, n int) {
	tb.Helper()
	now := time.Now()
	rs := make([]*veikart.Roadmap, 0, 1000)
	for i := range n {
		rs = append(rs, demo.Roadmap("rm"+strconv.Itoa(i), "u"+strconv.Itoa(i), now))
		if len(rs) == cap(rs) || i == n-1 {
			if err := s.InsertRoadmaps(context.Background(), rs); err != nil {
				tb.Fatal(err)
			}
			rs = rs[:0]
		}
	}
}
