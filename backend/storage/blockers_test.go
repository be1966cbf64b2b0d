package storage_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/storage"
	"github.com/veikart/veikart/backend/testenv"
	"github.com/veikart/veikart/backend/veikart"
)

// The blocker reports: a set of keyed hashes per blocker, municipality and
// quarter, with no roadmap id in them; published once.
func TestBlockerReports(t *testing.T) {
	ctx := context.Background()
	s := testenv.MustStore(t)
	at := veikart.BlockerShare{Municipality: "Oslo", Quarter: "2026-Q4"}
	ids := []string{"rm-alpha-1", "rm-beta-2", "rm-gamma-3"}
	for _, id := range ids {
		// Twice: the same household is one member of the set.
		for range 2 {
			if err := s.SetBlockerReport(ctx, id, at, []veikart.Blocker{veikart.BlockerDebt, veikart.BlockerHealth}, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := s.SetBlockerReport(ctx, ids[0], at, nil, []veikart.Blocker{veikart.BlockerHealth}); err != nil {
		t.Fatal(err)
	}
	// A removal never makes a document.
	if err := s.SetBlockerReport(ctx, ids[0], veikart.BlockerShare{Municipality: "Bergen", Quarter: "2026-Q4"}, nil, veikart.Blockers); err != nil {
		t.Fatal(err)
	}
	got, err := s.BlockerReports(ctx, "2026-Q4")
	if err != nil || len(got) != 1 || got["Oslo"][veikart.BlockerDebt] != 3 || got["Oslo"][veikart.BlockerHealth] != 2 {
		t.Fatalf("%v, %v", got, err)
	}
	docs, err := storage.BlockerDocsForTest(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		for _, id := range ids {
			if strings.Contains(d, id) {
				t.Fatalf("a roadmap id in the reports: %s", d)
			}
		}
	}

	c := veikart.CountBlockers("2026-Q4", got, 0, time.Now())
	if err := s.PublishBlockers(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := s.PublishBlockers(ctx, veikart.CountBlockers("2026-Q4", map[string]map[veikart.Blocker]int{"Oslo": {veikart.BlockerDebt: 9}}, 0, time.Now())); veikart.ErrorCode(err) != veikart.ECONFLICT {
		t.Fatalf("published twice: %v", err)
	}
	pub, err := s.PublishedBlockers(ctx, "2026-Q4")
	if err != nil || pub.K != veikart.MinHouseholds || len(pub.Cells) != 0 {
		t.Fatalf("%+v, %v", pub, err)
	}
	if got, err := s.BlockerReports(ctx, "2026-Q4"); err != nil || len(got) != 0 {
		t.Fatalf("reports after publication: %v, %v", got, err)
	}
	if _, err := s.PublishedBlockers(ctx, "2026-Q3"); veikart.ErrorCode(err) != veikart.ENOTFOUND {
		t.Fatalf("unpublished: %v", err)
	}
}
