package storage

import (
	"slices"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/veikart"
)

// TestBlockerQuarters_AnyZone: an erasure withdraws the household from
// the quarter under way and every quarter still to be published, in the
// households' zone, which the store does not know: at a quarter's turn
// in UTC, Oslo's (ahead) and New York's (behind) are both covered.
func TestBlockerQuarters_AnyZone(t *testing.T) {
	oslo, err1 := time.LoadLocation("Europe/Oslo")
	ny, err2 := time.LoadLocation("America/New_York")
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	for _, now := range []time.Time{
		time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC), // Oslo: 1 Jan
		time.Date(2027, 1, 1, 3, 0, 0, 0, time.UTC),     // New York: 31 Dec
		time.Date(2026, 8, 15, 12, 0, 0, 0, time.UTC),
	} {
		got := blockerQuarters(now)
		for _, loc := range []*time.Location{time.UTC, oslo, ny} {
			want := append([]veikart.Quarter{veikart.QuarterOf(now, loc)}, veikart.ClosedQuarters(now, veikart.PublishedQuarters, loc)...)
			for _, q := range want {
				if !slices.Contains(got, q) {
					t.Errorf("at %s, %s's quarter %s is not withdrawn from: %v", now, loc, q, got)
				}
			}
		}
	}
}
