package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/storage"
	"github.com/veikart/veikart/backend/testenv"
	"github.com/veikart/veikart/backend/veikart"
)

func reading(id, area, member, date string, score int, by string) veikart.Reading {
	return veikart.Reading{ID: id, AreaID: area, MemberID: member, Date: date, Score: score, With: veikart.ScoredAlone, By: by,
		At: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC), Note: "Bedre"}
}

// TestCheckIns_RoundTripRepeatAndErasure: readings of two years are stored
// in their years' documents beside the roadmap (which does not change),
// read back oldest first, stored once when sent twice, taken back one by
// one; a person's erasure keeps the scores but not who recorded them, and
// the roadmap's erasure removes every year.
func TestCheckIns_RoundTripRepeatAndErasure(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testenv.MustStore(t)
	r := mustRoadmap(t, "rm-ci", "kari")
	if err := s.CreateRoadmap(ctx, r); err != nil {
		t.Fatal(err)
	}
	if rs, err := s.Readings(ctx, r.ID, 2025, 2027); err != nil || len(rs) != 0 {
		t.Fatalf("none yet: %v %v", rs, err)
	}
	first := []veikart.Reading{reading("a1", "work", "", "2025-12-01", 2, "kari"), reading("a2", "health", "m1", "2025-12-01", 3, "kari")}
	stored, n, err := s.AddReadings(ctx, r.ID, first)
	if err != nil || n != 2 || len(stored) != 2 {
		t.Fatalf("add: %v %d %v", stored, n, err)
	}
	if _, n, err := s.AddReadings(ctx, r.ID, []veikart.Reading{reading("b1", "work", "", "2026-03-01", 4, "per")}); err != nil || n != 1 {
		t.Fatalf("add 2026: %d %v", n, err)
	}
	// Sent again (the app's queue after a lost answer): stored once, and
	// answered with the readings as first stored.
	again := first[0]
	again.At = again.At.Add(time.Hour)
	stored, n, err = s.AddReadings(ctx, r.ID, []veikart.Reading{again})
	if err != nil || n != 0 || len(stored) != 1 || !stored[0].At.Equal(first[0].At) {
		t.Fatalf("repeat: %+v %d %v", stored, n, err)
	}
	other := first[0]
	other.Score = 5
	if _, _, err := s.AddReadings(ctx, r.ID, []veikart.Reading{other}); veikart.ErrorCode(err) != veikart.ECONFLICT {
		t.Fatalf("same id, other score: %v", err)
	}
	rs, err := s.Readings(ctx, r.ID, 2025, 2027)
	if err != nil || len(rs) != 3 || rs[0].ID != "a1" && rs[0].ID != "a2" || rs[2].ID != "b1" || rs[2].By != "per" || rs[0].Note != "Bedre" {
		t.Fatalf("read: %+v %v", rs, err)
	}
	// The roadmap document did not grow or change.
	if cur, err := s.Roadmap(ctx, r.ID); err != nil || cur.Rev != r.Rev {
		t.Fatalf("roadmap changed: %v %v", cur, err)
	}
	if gone, err := s.RemoveReading(ctx, r.ID, 2025, "a2"); err != nil || gone.ID != "a2" {
		t.Fatalf("remove: %+v %v", gone, err)
	}
	if _, err := s.RemoveReading(ctx, r.ID, 2025, "a2"); veikart.ErrorCode(err) != veikart.ENOTFOUND {
		t.Fatalf("remove again: %v", err)
	}
	// Per erases his account: his reading stays, not his id.
	if err := s.ErasePersonRecords(ctx, "per", nil); err != nil {
		t.Fatal(err)
	}
	rs, err = s.Readings(ctx, r.ID, 2025, 2027)
	if err != nil || len(rs) != 2 || rs[1].By != veikart.ErasedPerson || rs[0].By != "kari" || rs[1].Score != 4 {
		t.Fatalf("after a person's erasure: %+v %v", rs, err)
	}
	// As the database holds them (a second process, no copies).
	if rs, err := testenv.OpenAgain(t, s, storage.Options{}).Readings(ctx, r.ID, 2025, 2027); err != nil || len(rs) != 2 || rs[1].By != veikart.ErasedPerson || rs[0].Date != "2025-12-01" {
		t.Fatalf("from the database: %+v %v", rs, err)
	}
	// The roadmap's erasure removes every year, and a late check-in (a
	// request that read the roadmap just before) is refused.
	if _, err := s.EraseRoadmap(ctx, r.ID, time.Now(), func() string { return "n-ci" }, func(*veikart.Roadmap) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if rs, err := s.Readings(ctx, r.ID, 2025, 2027); err != nil || len(rs) != 0 {
		t.Fatalf("after erasure: %+v %v", rs, err)
	}
	if _, _, err := s.AddReadings(ctx, r.ID, []veikart.Reading{reading("late", "work", "", "2026-11-26", 1, "kari")}); veikart.ErrorCode(err) != veikart.ENOTFOUND {
		t.Fatalf("late check-in: %v", err)
	}
	// Nothing is left in the database either (not only in the copies).
	fresh := testenv.OpenAgain(t, s, storage.Options{})
	if rs, err := fresh.Readings(ctx, r.ID, 2025, 2027); err != nil || len(rs) != 0 {
		t.Fatalf("after erasure, read from the database: %+v %v", rs, err)
	}
}
