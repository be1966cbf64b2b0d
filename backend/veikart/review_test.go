package veikart_test

import (
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/veikart"
)

// apply applies ops at at, failing the test on an error (a conflict is one).
func apply(t *testing.T, r *veikart.Roadmap, at time.Time, ops ...veikart.Op) *veikart.Roadmap {
	t.Helper()
	n, _, err := r.Apply(ops, at)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// reviewed is r with its housing area scored 2 (wanting 4), a step in
// work, and a review saved at now0+1h.
func reviewed(t *testing.T) (*veikart.Roadmap, veikart.Review) {
	t.Helper()
	r := newRoadmap(t)
	r = apply(t, r, now0,
		veikart.UpdateArea{ID: "a1", BaseVersion: r.Version, AreaID: "housing", Set: veikart.AreaPatch{ScoreNow: ptr(2), ScoreDesired: ptr(4), Desired: ptr("Et eget hjem")}},
		veikart.AddStep{ID: "a2", BaseVersion: r.Version, Step: veikart.Step{ID: "s1", AreaID: "work", Title: "Søke jobb", Term: veikart.ShortTerm, Responsible: veikart.Responsible{Kind: veikart.ByHousehold}}},
		veikart.AddStep{ID: "a3", BaseVersion: r.Version, Step: veikart.Step{ID: "s2", AreaID: "economy", Title: "Søke bostøtte", Term: veikart.ShortTerm, Responsible: veikart.Responsible{Kind: veikart.ByHousehold}, Status: veikart.Done}},
	)
	v, err := veikart.NewReview(r, nil, "rv1", "Første gang", now0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return r, v
}

func TestReviewDraft_WhatChanged(t *testing.T) {
	later := now0.Add(48 * time.Hour)
	cases := []struct {
		name   string
		change func(t *testing.T, r *veikart.Roadmap) *veikart.Roadmap
		want   veikart.ReviewChanges
	}{
		{"nothing changed: the scored area as it was", func(_ *testing.T, r *veikart.Roadmap) *veikart.Roadmap { return r },
			veikart.ReviewChanges{Areas: []veikart.AreaChange{{AreaID: "housing", ScoreThen: 2, ScoreNow: 2, DesiredThen: 4, DesiredNow: 4}}}},
		{"a score changed", func(t *testing.T, r *veikart.Roadmap) *veikart.Roadmap {
			return apply(t, r, later, veikart.UpdateArea{ID: "b1", BaseVersion: r.Version, AreaID: "housing", Set: veikart.AreaPatch{ScoreNow: ptr(3)}})
		}, veikart.ReviewChanges{Areas: []veikart.AreaChange{{AreaID: "housing", ScoreThen: 2, ScoreNow: 3, DesiredThen: 4, DesiredNow: 4}}}},
		{"a score set for the first time", func(t *testing.T, r *veikart.Roadmap) *veikart.Roadmap {
			return apply(t, r, later, veikart.UpdateArea{ID: "b1", BaseVersion: r.Version, AreaID: "work", Set: veikart.AreaPatch{ScoreNow: ptr(1)}})
		}, veikart.ReviewChanges{Areas: []veikart.AreaChange{{AreaID: "housing", ScoreThen: 2, ScoreNow: 2, DesiredThen: 4, DesiredNow: 4}, {AreaID: "work", ScoreNow: 1}}}},
		{"the goal's words changed", func(t *testing.T, r *veikart.Roadmap) *veikart.Roadmap {
			return apply(t, r, later, veikart.UpdateArea{ID: "b1", BaseVersion: r.Version, AreaID: "housing", Set: veikart.AreaPatch{Desired: ptr("Et hjem nær skolen")}})
		}, veikart.ReviewChanges{Areas: []veikart.AreaChange{{AreaID: "housing", ScoreThen: 2, ScoreNow: 2, DesiredThen: 4, DesiredNow: 4, GoalChanged: true}}}},
		{"the goal's score changed", func(t *testing.T, r *veikart.Roadmap) *veikart.Roadmap {
			return apply(t, r, later, veikart.UpdateArea{ID: "b1", BaseVersion: r.Version, AreaID: "housing", Set: veikart.AreaPatch{ScoreDesired: ptr(5)}})
		}, veikart.ReviewChanges{Areas: []veikart.AreaChange{{AreaID: "housing", ScoreThen: 2, ScoreNow: 2, DesiredThen: 4, DesiredNow: 5, GoalChanged: true}}}},
		{"a step done; the one done before the review is not listed", func(t *testing.T, r *veikart.Roadmap) *veikart.Roadmap {
			return apply(t, r, later, veikart.UpdateStep{ID: "b1", BaseVersion: r.Version, StepID: "s1", Set: veikart.StepPatch{Status: ptr(veikart.Done)}})
		}, veikart.ReviewChanges{
			Areas: []veikart.AreaChange{{AreaID: "housing", ScoreThen: 2, ScoreNow: 2, DesiredThen: 4, DesiredNow: 4}},
			Steps: []veikart.StepChange{{StepID: "s1", AreaID: "work", Title: "Søke jobb", Status: veikart.Done, At: later}},
		}},
		{"a step dropped", func(t *testing.T, r *veikart.Roadmap) *veikart.Roadmap {
			return apply(t, r, later, veikart.UpdateStep{ID: "b1", BaseVersion: r.Version, StepID: "s1", Set: veikart.StepPatch{Status: ptr(veikart.Dropped)}})
		}, veikart.ReviewChanges{
			Areas: []veikart.AreaChange{{AreaID: "housing", ScoreThen: 2, ScoreNow: 2, DesiredThen: 4, DesiredNow: 4}},
			Steps: []veikart.StepChange{{StepID: "s1", AreaID: "work", Title: "Søke jobb", Status: veikart.Dropped, At: later}},
		}},
		{"a step edited but not done is no change", func(t *testing.T, r *veikart.Roadmap) *veikart.Roadmap {
			return apply(t, r, later, veikart.UpdateStep{ID: "b1", BaseVersion: r.Version, StepID: "s2", Set: veikart.StepPatch{Title: ptr("Søke bostøtte nå")}})
		}, veikart.ReviewChanges{Areas: []veikart.AreaChange{{AreaID: "housing", ScoreThen: 2, ScoreNow: 2, DesiredThen: 4, DesiredNow: 4}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, last := reviewed(t)
			r = c.change(t, r)
			got := veikart.ReviewDraft(r, &last, later.Add(time.Hour))
			if !reflect.DeepEqual(got.Changes, c.want) {
				t.Fatalf("changes\n got %+v\nwant %+v", got.Changes, c.want)
			}
			if !got.Since.Equal(last.At) {
				t.Fatalf("since %v, want the last review's %v", got.Since, last.At)
			}
		})
	}
}

func TestReviewDraft_SinceTheBeginning(t *testing.T) {
	r, v := reviewed(t)
	if !v.Since.Equal(r.CreatedAt) || v.ID != "rv1" || v.Note != "Første gang" {
		t.Fatalf("first review: %+v", v)
	}
	want := veikart.ReviewChanges{
		Areas: []veikart.AreaChange{{AreaID: "housing", ScoreNow: 2, DesiredNow: 4, GoalChanged: true}},
		Steps: []veikart.StepChange{{StepID: "s2", AreaID: "economy", Title: "Søke bostøtte", Status: veikart.Done, At: now0}},
	}
	if !reflect.DeepEqual(v.Changes, want) {
		t.Fatalf("changes\n got %+v\nwant %+v", v.Changes, want)
	}
}

func TestReviewDraft_PromisesKeptAndNot(t *testing.T) {
	r := withAgencyStep(t)
	r = apply(t, r, now0, veikart.AddStep{ID: "o9", BaseVersion: r.Version, Step: veikart.Step{ID: "s9", AreaID: "work", Title: "Kurs", Term: veikart.ShortTerm,
		Responsible: veikart.Responsible{Kind: veikart.ByAgency, AgencyID: "nav"}}})
	last, err := veikart.NewReview(r, nil, "rv1", "", now0)
	if err != nil {
		t.Fatal(err)
	}
	at := now0.Add(24 * time.Hour)
	for _, id := range []string{"s1", "s9"} {
		if r, _, err = r.AnswerPromise(id, "nav", veikart.PromiseAnswer{Accept: true, Due: "2026-12-10", By: "cw"}, at, "2026-11-27"); err != nil {
			t.Fatal(err)
		}
	}
	if r, _, err = r.JudgePromise("s1", veikart.PromiseKept, at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if r, _, err = r.JudgePromise("s9", veikart.PromiseNotKept, at.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	got := veikart.ReviewDraft(r, &last, at.Add(3*time.Hour)).Changes
	wantP := []veikart.PromiseChange{
		{StepID: "s1", AreaID: "work", Title: "Søke AAP", AgencyID: "nav", Outcome: veikart.PromiseKept, At: at.Add(time.Hour)},
		{StepID: "s9", AreaID: "work", Title: "Kurs", AgencyID: "nav", Outcome: veikart.PromiseNotKept, At: at.Add(2 * time.Hour)},
	}
	if !reflect.DeepEqual(got.Promises, wantP) {
		t.Fatalf("promises\n got %+v\nwant %+v", got.Promises, wantP)
	}
	// A kept promise's step is done, then and there.
	wantS := []veikart.StepChange{{StepID: "s1", AreaID: "work", Title: "Søke AAP", Status: veikart.Done, At: at.Add(time.Hour)}}
	if !reflect.DeepEqual(got.Steps, wantS) {
		t.Fatalf("steps\n got %+v\nwant %+v", got.Steps, wantS)
	}
}

func TestNewReview_Refused(t *testing.T) {
	r := newRoadmap(t)
	long := make([]byte, veikart.MaxReviewNote+1)
	for i := range long {
		long[i] = 'a'
	}
	for _, c := range []struct{ id, note, pointer string }{
		{"", "", "/id"},
		{"bad id", "", "/id"},
		{"rv1", string(long), "/note"},
		{"rv1", "a\x00b", "/note"},
	} {
		_, err := veikart.NewReview(r, nil, c.id, c.note, now0)
		var e *veikart.Error
		if !asError(err, &e) || e.Code != veikart.EINVALID || e.Pointer != c.pointer {
			t.Errorf("NewReview(%q, %d chars): %v, want EINVALID at %s", c.id, len(c.note), err, c.pointer)
		}
	}
}

func TestAddReview_OnceAndBounded(t *testing.T) {
	var list []veikart.Review
	for i := range veikart.MaxReviews + 5 {
		var added bool
		list, _, added = veikart.AddReview(list, veikart.Review{ID: "rv" + itoa(i), At: now0.Add(time.Duration(i) * time.Hour)})
		if !added {
			t.Fatalf("review %d not added", i)
		}
	}
	if len(list) != veikart.MaxReviews || list[0].ID != "rv5" || veikart.LastReview(list).ID != "rv"+itoa(veikart.MaxReviews+4) {
		t.Fatalf("kept %d, first %s", len(list), list[0].ID)
	}
	again, stored, added := veikart.AddReview(list, veikart.Review{ID: "rv10", At: now0.Add(999 * time.Hour), Note: "other"})
	if added || stored.Note != "" || len(again) != len(list) {
		t.Fatalf("a repeat was added: %v %+v", added, stored)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestReviewRhythm(t *testing.T) {
	oslo := oslo(t)
	r := newRoadmap(t)
	if r.Review.NextReview(oslo) != "" {
		t.Fatal("a next review with no rhythm")
	}
	for _, bad := range []int{-1, 2, 4, 24} {
		if _, err := r.SetReviewRhythm(bad, now0); veikart.ErrorCode(err) != veikart.EINVALID {
			t.Errorf("rhythm %d: %v", bad, err)
		}
	}
	r3, err := r.SetReviewRhythm(3, now0)
	if err != nil {
		t.Fatal(err)
	}
	if got := r3.Review.NextReview(oslo); got != "2027-02-26" {
		t.Fatalf("next review %s, want three months after it was set", got)
	}
	at, _ := r3.Review.DueAt(oslo)
	if h := at.In(oslo).Hour(); h != veikart.ReviewReminderAt {
		t.Fatalf("reminded at %d o'clock", h)
	}
	if same, _ := r3.SetReviewRhythm(3, now0.Add(time.Hour)); same != r3 {
		t.Fatal("the same rhythm again changed the roadmap")
	}
	// A review saved moves the next one; an older one does not.
	saved := r3.ReviewSaved(now0.Add(30*24*time.Hour), now0.Add(30*24*time.Hour))
	if got := saved.Review.NextReview(oslo); got != "2027-03-26" {
		t.Fatalf("next review after one saved: %s", got)
	}
	if saved.ReviewSaved(now0, now0) != saved {
		t.Fatal("an older review moved the date")
	}
}
