package storage_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/storage"
	"github.com/veikart/veikart/backend/testenv"
	"github.com/veikart/veikart/backend/veikart"
)

// BenchmarkCheckIns: does three years of monthly check-ins for five
// members in eight areas (1440 readings) slow down a roadmap's reads and
// writes? Against a store of n roadmaps, of which the first `withHistory`
// have such a history (in the check-ins collection, beside the roadmap),
// it reads and writes a roadmap with and without one:
//
//   - roadmap-read, roadmap-write: the roadmap document (what every
//     request reads; a household check-in writes its scoreNow), from the
//     in-memory copy and (-db) from the database itself;
//   - history-read(-db): the whole history (three years' documents);
//   - check-in: one sitting's eight household readings into this year's
//     document of 480.
//
// Each reports p99-ns beside ns/op. The bound: a roadmap with the
// history within 20 % of one without (docs/benchmarks.md). On a shared
// machine run the small size only:
//
//	go test -run '^$' -bench CheckIns -benchtime 2000x ./backend/storage
//
// and for 100 000 roadmaps as well, on a quiet machine:
//
//	VEIKART_BENCH_LARGE=1 go test -run '^$' -bench CheckIns -benchtime 20000x -timeout 2h ./backend/storage
func BenchmarkCheckIns(b *testing.B) {
	sizes := []int{1_000}
	if os.Getenv("VEIKART_BENCH_LARGE") != "" {
		sizes = append(sizes, 100_000)
	}
	const withHistory = 100
	for _, n := range sizes {
		b.Run(fmt.Sprintf("roadmaps=%d", n), func(b *testing.B) {
			ctx := context.Background()
			s := testenv.MustStore(b)
			seed(b, s, n)
			for i := range withHistory {
				seedHistory(b, s, "rm"+strconv.Itoa(i))
			}
			direct := testenv.OpenAgain(b, s, storage.Options{})
			// Roadmaps with a history are rm0..rm99; without, as many of
			// the rest (rm100..rm199), so both are as warm in memory. The
			// -db reads spread over the whole collection.
			pick := func(history bool, i int) string {
				if history {
					return "rm" + strconv.Itoa(i%withHistory)
				}
				return "rm" + strconv.Itoa(withHistory+i%withHistory)
			}
			spread := func(history bool, i int) string {
				if history {
					return pick(true, i)
				}
				return "rm" + strconv.Itoa(withHistory+(i*7919)%(n-withHistory))
			}
			for _, history := range []bool{false, true} {
				name := map[bool]string{false: "without", true: "with"}[history]
				b.Run("roadmap-read/"+name, timed(func(i int) error { _, err := s.Roadmap(ctx, pick(history, i)); return err }))
				b.Run("roadmap-read-db/"+name, timed(func(i int) error { _, err := direct.Roadmap(ctx, spread(history, i)); return err }))
				b.Run("roadmap-write/"+name, timed(func(i int) error {
					score := 1 + i%5
					_, err := s.UpdateRoadmap(ctx, pick(history, i), func(cur *veikart.Roadmap) (*veikart.Roadmap, error) {
						next, _, err := cur.Apply([]veikart.Op{veikart.UpdateArea{ID: "w" + strconv.Itoa(i), AreaID: "work", BaseVersion: cur.Version, Set: veikart.AreaPatch{ScoreNow: &score}}}, time.Now())
						return next, err
					})
					return err
				}))
			}
			b.Run("history-read", timed(func(i int) error { return readHistory(ctx, s, pick(true, i)) }))
			b.Run("history-read-db", timed(func(i int) error { return readHistory(ctx, direct, pick(true, i)) }))
			b.Run("check-in", timed(func(i int) error {
				rs := make([]veikart.Reading, 0, 8)
				for a, area := range veikart.DefaultAreaIDs {
					rs = append(rs, veikart.Reading{ID: fmt.Sprintf("b%d-%d", i, a), AreaID: area, Date: "2026-12-04", Score: 1 + i%5,
						With: veikart.ScoredAlone, By: "u", At: time.Now().UTC().Truncate(time.Millisecond)})
				}
				_, _, err := s.AddReadings(ctx, pick(false, i), rs)
				return err
			}))
		})
	}
}

func readHistory(ctx context.Context, s *storage.Store, id string) error {
	rs, err := s.Readings(ctx, id, 2024, 2027)
	if err == nil && len(rs) < 1440 {
		err = fmt.Errorf("%s: %d readings", id, len(rs))
	}
	return err
}

// seedHistory gives roadmap id 36 monthly check-ins (2024-2026) for the
// household's five members in the eight default areas: 1440 readings.
func seedHistory(tb testing.TB, s *storage.Store, id string) {
	tb.Helper()
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for year := 2024; year <= 2026; year++ {
		rs := make([]veikart.Reading, 0, 480)
		for month := 1; month <= 12; month++ {
			for _, area := range veikart.DefaultAreaIDs {
				for m := range 5 {
					rs = append(rs, veikart.Reading{ID: fmt.Sprintf("r%d-%d-%s-%d", year, month, area, m), AreaID: area, MemberID: "m" + strconv.Itoa(m),
						Date: fmt.Sprintf("%d-%02d-01", year, month), Score: 1 + (month+m)%5, With: veikart.ScoredAlone,
						Note: "Litt bedre enn sist, men husleia er fortsatt for høy.", By: "u-owner", At: at})
				}
			}
		}
		if _, _, err := s.AddReadings(context.Background(), id, rs); err != nil {
			tb.Fatal(err)
		}
	}
}

// timed runs op once per iteration and reports its p99 beside ns/op.
func timed(op func(i int) error) func(b *testing.B) {
	return func(b *testing.B) {
		var took []time.Duration
		i := 0
		for b.Loop() {
			start := time.Now()
			if err := op(i); err != nil {
				b.Fatal(err)
			}
			took = append(took, time.Since(start))
			i++
		}
		slices.Sort(took)
		if len(took) > 0 {
			b.ReportMetric(float64(took[len(took)*99/100].Nanoseconds()), "p99-ns")
		}
	}
}
