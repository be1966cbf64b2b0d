package storage_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/testenv"
	"github.com/veikart/veikart/backend/veikart"
)

// TestReviews_StoredWholeAndOnce: a review with every field set reads back
// as it was saved; saving its id again stores nothing and returns the
// first; a roadmap without reviews has none.
func TestReviews_StoredWholeAndOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testenv.MustStore(t)
	at := time.Date(2026, 11, 26, 9, 0, 0, 123_000_000, time.UTC)
	if got, err := s.Reviews(ctx, "rm1"); err != nil || len(got) != 0 {
		t.Fatalf("no reviews yet: %v %v", got, err)
	}
	v := veikart.Review{
		ID: "rv1", At: at, Since: at.Add(-time.Hour), Note: "Det går bedre.\nMye bedre.",
		Changes: veikart.ReviewChanges{
			Areas:    []veikart.AreaChange{{AreaID: "housing", ScoreThen: 2, ScoreNow: 4, DesiredThen: 4, DesiredNow: 5, GoalChanged: true}},
			Steps:    []veikart.StepChange{{StepID: "s1", AreaID: "economy", Title: "Søke bostøtte", Status: veikart.Done, At: at.Add(-time.Minute)}},
			Promises: []veikart.PromiseChange{{StepID: "s2", AreaID: "economy", Title: "Kurs", AgencyID: "nav", Outcome: veikart.PromiseNotKept, At: at.Add(-time.Second)}},
		},
		Snapshot: []veikart.AreaSnapshot{{AreaID: "housing", ScoreNow: 4, ScoreDesired: 5, DesiredHash: "abcd"}},
	}
	stored, added, err := s.AddReview(ctx, "rm1", v)
	if err != nil || !added || !reflect.DeepEqual(stored, v) {
		t.Fatalf("add: %v %v %+v", added, err, stored)
	}
	again, added, err := s.AddReview(ctx, "rm1", veikart.Review{ID: "rv1", At: at.Add(time.Hour), Note: "other"})
	if err != nil || added || !reflect.DeepEqual(again, v) {
		t.Fatalf("add again: %v %v %+v", added, err, again)
	}
	got, err := s.Reviews(ctx, "rm1")
	if err != nil || len(got) != 1 || !reflect.DeepEqual(got[0], v) {
		t.Fatalf("read back: %v\n got %+v\nwant %+v", err, got, v)
	}
	if other, _ := s.Reviews(ctx, "rm2"); len(other) != 0 {
		t.Fatalf("another roadmap has %d reviews", len(other))
	}
}
