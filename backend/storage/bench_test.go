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

// BenchmarkLogBytes measures what the access log costs on disk: "entry" is a
// read that makes a new entry (another caseworker, or after the window),
// "repeat" a read within the window, which counts into an entry. Each
// reports bytes/read: the growth of the database file's pages in use,
// after the counts are written and a checkpoint. Run with:
// go test -run '^$' -bench LogBytes -benchtime 20000x ./backend/storage
func BenchmarkLogBytes(b *testing.B) {
	ctx := context.Background()
	t0 := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	secs := []veikart.Section{"household", "area:housing", "steps:housing", "area:economy", "steps:economy"}
	for _, tc := range []struct {
		name string
		read func(i int) (key string, e veikart.AuditEvent)
	}{
		{"entry", func(i int) (string, veikart.AuditEvent) {
			// 100 roadmaps, each read by its three caseworkers in turn,
			// each read after the window of the one before: 20 000 reads
			// fill a few pages of each log, as at steady state.
			k := i % 100
			return "load-rm" + strconv.Itoa(k), veikart.AuditEvent{At: t0.Add(time.Duration(i) * 3 * time.Second),
				UserID: "u-" + strconv.Itoa(100000+k+(i/100)%3) + "abcdef", AgencyID: "load-nav", Role: "caseworker", Sections: secs}
		}},
		{"repeat", func(i int) (string, veikart.AuditEvent) {
			return "load-rm" + strconv.Itoa(i%100), veikart.AuditEvent{At: t0.Add(time.Duration(i) * time.Millisecond),
				UserID: "u-100000abcdef", AgencyID: "load-nav", Role: "caseworker", Sections: secs}
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			s := testenv.MustStore(b)
			for i := range 100 { // every roadmap's log begun
				key, e := tc.read(i)
				if err := s.RecordRead(ctx, key, e); err != nil {
					b.Fatal(err)
				}
			}
			if err := storage.FlushCountsForTest(ctx, s); err != nil {
				b.Fatal(err)
			}
			before := testenv.DiskBytes(b, s)
			i := 100
			for b.Loop() {
				key, e := tc.read(i)
				if err := s.RecordRead(ctx, key, e); err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.StopTimer()
			if err := storage.FlushCountsForTest(ctx, s); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(testenv.DiskBytes(b, s)-before)/float64(i-100), "bytes/read")
		})
	}
}

// BenchmarkMoveLegacyLogs measures the one-time move of logs stored one
// document per entry into pages, at the first start of a release with
// pages: 100 000 entries in 1 000 logs. Run with:
// go test -run '^$' -bench MoveLegacyLogs -benchtime 1x ./backend/storage
func BenchmarkMoveLegacyLogs(b *testing.B) {
	ctx := context.Background()
	t0 := time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)
	for b.Loop() {
		b.StopTimer()
		s := testenv.MustStore(b)
		for k := range 1000 {
			events := make([]veikart.AuditEvent, 100)
			for i := range events {
				events[i] = veikart.AuditEvent{At: t0.Add(time.Duration(i) * time.Minute), UserID: "u-" + strconv.Itoa(i%3), AgencyID: "nav",
					Role: "caseworker", Action: veikart.AuditRead, Sections: []veikart.Section{"household", "area:housing"}}
			}
			if err := storage.InsertLegacyLogForTest(ctx, s, "rm"+strconv.Itoa(k), events); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		if err := s.EnsureSchema(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMessages sends a message to one of 300 households' conversations
// with an agency, and reads the agency's inbox (what a caseworker's list
// of 300 households reads for its unread counts), on the embedded store
// (or MongoDB, with VEIKART_TEST_MONGODB_URI). "send-shared" is a second
// process's view: no in-memory copies, every read and write on the
// database. Run with: go test -run '^$' -bench Messages ./backend/storage
func BenchmarkMessages(b *testing.B) {
	ctx := context.Background()
	s := testenv.MustStore(b)
	const households = 300
	now := time.Now().UTC()
	for i := range households {
		if _, _, _, err := s.AddMessage(ctx, "rm"+strconv.Itoa(i), "nav", veikart.Message{ID: "first", From: veikart.SideHousehold, UserID: "u", Text: "Hei"}, now); err != nil {
			b.Fatal(err)
		}
	}
	send := func(s *storage.Store, prefix string) func(b *testing.B) {
		return func(b *testing.B) {
			i := 0
			for b.Loop() {
				m := veikart.Message{ID: prefix + strconv.Itoa(i), From: veikart.SideAgency, UserID: "nina", Name: "Nina", Text: "Ring meg i morgen klokka ni."}
				if _, _, _, err := s.AddMessage(ctx, "rm"+strconv.Itoa(i%households), "nav", m, now); err != nil {
					b.Fatal(err)
				}
				i++
			}
		}
	}
	b.Run("send", send(s, "m"))
	b.Run("send-shared", send(testenv.OpenAgain(b, s, storage.Options{}), "s"))
	b.Run("inbox", func(b *testing.B) {
		for b.Loop() {
			in, err := s.AgencyInbox(ctx, "nav")
			if err != nil || len(in) != households {
				b.Fatal(len(in), err)
			}
		}
	})
	direct := testenv.OpenAgain(b, s, storage.Options{})
	b.Run("inbox-db", func(b *testing.B) {
		for b.Loop() {
			if _, err := direct.AgencyInbox(ctx, "nav"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("read-and-mark", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if _, err := s.MarkConversationRead(ctx, "rm"+strconv.Itoa(i%households), "nav", veikart.SideHousehold); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

// BenchmarkAgencies is the directory (GET /agencies) with 3,000 agencies:
// "scan" sorts them all in the database, as every request did before the
// directory was kept in memory (a limit past the copy's takes that path);
// "copy" is the directory as served now. Run with:
// go test -run '^$' -bench Agencies ./backend/storage
func BenchmarkAgencies(b *testing.B) {
	ctx := context.Background()
	s := testenv.MustStore(b)
	for i := range 3_000 {
		a := &veikart.Agency{ID: fmt.Sprintf("ag%04d", i), Kind: "nav", Name: fmt.Sprintf("NAV %04d", (i*7919)%3_000), Region: "0301", Version: 1}
		if err := s.CreateAgency(ctx, a); err != nil {
			b.Fatal(err)
		}
	}
	for _, c := range []struct {
		name  string
		limit int
	}{{"scan", 1_001}, {"copy", 1_000}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if as, err := s.Agencies(ctx, c.limit); err != nil || len(as) < 1_000 {
					b.Fatal(len(as), err)
				}
			}
		})
	}
}
