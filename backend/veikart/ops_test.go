package veikart_test

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/veikart"
)

var t0 = time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)

func mustNew(t *testing.T) *veikart.Roadmap {
	t.Helper()
	r, err := veikart.NewRoadmap("rm1", "u1", "Plan", []veikart.Member{
		{ID: "m1", Name: "Kari", Role: veikart.Adult, BirthYear: 1985},
		{ID: "m2", Name: "Sara", Role: veikart.Child},
	}, t0)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func ptr[T any](v T) *T { return &v }

func addStep(id, area string) veikart.AddStep {
	return veikart.AddStep{ID: "add-" + id, Step: veikart.Step{
		ID: id, AreaID: area, Title: "Steg " + id, Term: veikart.ShortTerm, Responsible: veikart.Responsible{Kind: veikart.ByHousehold}}}
}

// decoded is an operation read from its wire form, for what only the wire
// can say (a type this server does not know).
func decoded(raw string) veikart.Op {
	op, err := veikart.DecodeOp([]byte(raw))
	if err != nil {
		panic(err)
	}
	return op
}

func TestNewRoadmap(t *testing.T) {
	r := mustNew(t)
	if r.Version != 1 || len(r.Areas) != 8 || r.Areas[0].ID != "housing" || !r.IsOwner("u1") || r.IsOwner("u2") || r.IsOwner("") {
		t.Fatalf("%+v", r)
	}
	for _, tc := range []struct {
		name    string
		id      string
		title   string
		members []veikart.Member
	}{
		{"bad id", "a/b", "", nil},
		{"long title", "rm", string(make([]byte, 201)), nil},
		{"duplicate member", "rm", "", []veikart.Member{{ID: "a", Name: "A", Role: veikart.Adult}, {ID: "a", Name: "B", Role: veikart.Adult}}},
		{"member without name", "rm", "", []veikart.Member{{ID: "a", Name: " ", Role: veikart.Adult}}},
		{"member bad role", "rm", "", []veikart.Member{{ID: "a", Name: "A", Role: "boss"}}},
		{"member bad year", "rm", "", []veikart.Member{{ID: "a", Name: "A", Role: veikart.Adult, BirthYear: 1800}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := veikart.NewRoadmap(tc.id, "u1", tc.title, tc.members, t0); veikart.ErrorCode(err) != veikart.EINVALID {
				t.Fatalf("got %v, want invalid", err)
			}
		})
	}
}

func TestApply(t *testing.T) {
	tests := []struct {
		name     string
		setup    [][]veikart.Op // applied first, one batch each
		ops      []veikart.Op
		wantCode string // "" for success
		check    func(t *testing.T, r *veikart.Roadmap, res []veikart.Result)
	}{
		{
			name: "update area fields",
			ops:  []veikart.Op{veikart.UpdateArea{ID: "o1", AreaID: "work", BaseVersion: 1, Set: veikart.AreaPatch{Now: ptr("Deltid"), ScoreNow: ptr(2), MemberIDs: &[]string{"m1", "m1"}}}},
			check: func(t *testing.T, r *veikart.Roadmap, _ []veikart.Result) {
				a, _ := r.Area("work")
				if a.Now != "Deltid" || a.ScoreNow != 2 || len(a.MemberIDs) != 1 || a.Version != 2 || r.Version != 2 {
					t.Fatalf("%+v", a)
				}
			},
		},
		{
			name: "same op id twice in one batch applies once",
			ops:  []veikart.Op{addStep("s1", "work"), addStep("s1", "work")},
			check: func(t *testing.T, r *veikart.Roadmap, res []veikart.Result) {
				wantOutcomes(t, res, veikart.Applied, veikart.Duplicate)
			},
		},
		{
			name:  "op seen in an earlier batch is a duplicate and changes nothing",
			setup: [][]veikart.Op{{addStep("s1", "work")}},
			ops:   []veikart.Op{addStep("s1", "work")},
			check: func(t *testing.T, r *veikart.Roadmap, res []veikart.Result) {
				wantOutcomes(t, res, veikart.Duplicate)
				if r.Version != 2 {
					t.Fatalf("version %d", r.Version)
				}
			},
		},
		{
			name:  "identical add with a new op id is a duplicate",
			setup: [][]veikart.Op{{addStep("s1", "work")}},
			ops:   []veikart.Op{veikart.AddStep{ID: "other", Step: addStep("s1", "work").Step}},
			check: func(t *testing.T, r *veikart.Roadmap, res []veikart.Result) { wantOutcomes(t, res, veikart.Duplicate) },
		},
		{
			name:     "different add with an existing id conflicts",
			setup:    [][]veikart.Op{{addStep("s1", "work")}},
			ops:      []veikart.Op{veikart.AddStep{ID: "other", Step: addStep("s1", "health").Step}},
			wantCode: veikart.ECONFLICT,
		},
		{
			name:     "stale update of the same field conflicts",
			setup:    [][]veikart.Op{{veikart.UpdateArea{ID: "a", AreaID: "work", BaseVersion: 1, Set: veikart.AreaPatch{Now: ptr("A")}}}},
			ops:      []veikart.Op{veikart.UpdateArea{ID: "b", AreaID: "work", BaseVersion: 1, Set: veikart.AreaPatch{Now: ptr("B")}}},
			wantCode: veikart.ECONFLICT,
		},
		{
			name:  "stale update of another field merges",
			setup: [][]veikart.Op{{veikart.UpdateArea{ID: "a", AreaID: "work", BaseVersion: 1, Set: veikart.AreaPatch{Now: ptr("A")}}}},
			ops:   []veikart.Op{veikart.UpdateArea{ID: "b", AreaID: "work", BaseVersion: 1, Set: veikart.AreaPatch{Desired: ptr("B")}}},
			check: func(t *testing.T, r *veikart.Roadmap, _ []veikart.Result) {
				if a, _ := r.Area("work"); a.Now != "A" || a.Desired != "B" {
					t.Fatalf("%+v", a)
				}
			},
		},
		{
			name: "ops in one batch do not conflict with each other",
			ops: []veikart.Op{
				veikart.UpdateArea{ID: "a", AreaID: "work", BaseVersion: 1, Set: veikart.AreaPatch{Now: ptr("A")}},
				veikart.UpdateArea{ID: "b", AreaID: "work", BaseVersion: 1, Set: veikart.AreaPatch{Now: ptr("B")}},
			},
			check: func(t *testing.T, r *veikart.Roadmap, _ []veikart.Result) {
				if a, _ := r.Area("work"); a.Now != "B" {
					t.Fatalf("%+v", a)
				}
			},
		},
		{
			name:  "update of a step added later by the same client does not conflict",
			setup: [][]veikart.Op{{addStep("s1", "work")}},
			ops:   []veikart.Op{veikart.UpdateStep{ID: "u", StepID: "s1", BaseVersion: 1, Set: veikart.StepPatch{Status: ptr(veikart.Done)}}},
		},
		{
			name:     "update of a removed step conflicts",
			setup:    [][]veikart.Op{{addStep("s1", "work")}, {veikart.RemoveStep{ID: "rm", StepID: "s1", BaseVersion: 2}}},
			ops:      []veikart.Op{veikart.UpdateStep{ID: "u", StepID: "s1", BaseVersion: 2, Set: veikart.StepPatch{Status: ptr(veikart.Done)}}},
			wantCode: veikart.ECONFLICT,
		},
		{
			name:  "removing what is gone is a duplicate",
			ops:   []veikart.Op{veikart.RemoveStep{ID: "rm", StepID: "nope", BaseVersion: 1}},
			check: func(t *testing.T, r *veikart.Roadmap, res []veikart.Result) { wantOutcomes(t, res, veikart.Duplicate) },
		},
		{
			name:     "removal of a step someone changed after base conflicts",
			setup:    [][]veikart.Op{{addStep("s1", "work")}, {veikart.UpdateStep{ID: "u", StepID: "s1", BaseVersion: 2, Set: veikart.StepPatch{Title: ptr("Nytt")}}}},
			ops:      []veikart.Op{veikart.RemoveStep{ID: "rm", StepID: "s1", BaseVersion: 2}},
			wantCode: veikart.ECONFLICT,
		},
		{
			name:  "remove member drops them from areas and steps",
			setup: [][]veikart.Op{{veikart.UpdateArea{ID: "a", AreaID: "family", BaseVersion: 1, Set: veikart.AreaPatch{MemberIDs: &[]string{"m1", "m2"}}}}},
			ops:   []veikart.Op{veikart.RemoveMember{ID: "rm", MemberID: "m2", BaseVersion: 2}},
			check: func(t *testing.T, r *veikart.Roadmap, _ []veikart.Result) {
				if a, _ := r.Area("family"); len(a.MemberIDs) != 1 || len(r.Members) != 1 {
					t.Fatalf("%+v %+v", a, r.Members)
				}
			},
		},
		{
			name:     "member responsible for a step cannot be removed",
			setup:    [][]veikart.Op{{veikart.AddStep{ID: "s", Step: veikart.Step{ID: "s1", AreaID: "work", Title: "x", Term: veikart.LongTerm, Responsible: veikart.Responsible{Kind: veikart.ByMember, MemberID: "m1"}}}}},
			ops:      []veikart.Op{veikart.RemoveMember{ID: "rm", MemberID: "m1", BaseVersion: 2}},
			wantCode: veikart.EINVALID,
		},
		{
			name:     "default area cannot be removed",
			ops:      []veikart.Op{veikart.RemoveArea{ID: "rm", AreaID: "housing", BaseVersion: 1}},
			wantCode: veikart.EINVALID,
		},
		{
			name:     "custom area with steps cannot be removed",
			setup:    [][]veikart.Op{{veikart.AddArea{ID: "a", Area: veikart.Area{ID: "faith", Title: "Tro"}}, addStep("s1", "faith")}},
			ops:      []veikart.Op{veikart.RemoveArea{ID: "rm", AreaID: "faith", BaseVersion: 2}},
			wantCode: veikart.EINVALID,
		},
		{
			name:     "default area has no title",
			ops:      []veikart.Op{veikart.UpdateArea{ID: "t", AreaID: "work", BaseVersion: 1, Set: veikart.AreaPatch{Title: ptr("Jobb")}}},
			wantCode: veikart.EINVALID,
		},
		{
			name:     "score outside 1-5",
			ops:      []veikart.Op{veikart.UpdateArea{ID: "t", AreaID: "work", BaseVersion: 1, Set: veikart.AreaPatch{ScoreDesired: ptr(6)}}},
			wantCode: veikart.EINVALID,
		},
		{
			name:     "base version from the future",
			ops:      []veikart.Op{veikart.SetTitle{ID: "t", BaseVersion: 5, Title: "x"}},
			wantCode: veikart.EINVALID,
		},
		{
			name:     "an invalid op rejects the whole batch",
			ops:      []veikart.Op{veikart.SetTitle{ID: "ok", BaseVersion: 1, Title: "fine"}, addStep("s1", "nowhere")},
			wantCode: veikart.EINVALID,
		},
		{
			name:     "unknown op type",
			ops:      []veikart.Op{decoded(`{"opId":"x","type":"roadmap.explode"}`)},
			wantCode: veikart.EINVALID,
		},
		{
			name:     "empty batch",
			ops:      nil,
			wantCode: veikart.EINVALID,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := mustNew(t)
			for i, batch := range tc.setup {
				next, _, err := r.Apply(batch, t0.Add(time.Duration(i+1)*time.Minute))
				if err != nil {
					t.Fatalf("setup batch %d: %v", i, err)
				}
				r = next
			}
			before := r.Clone()
			next, res, err := r.Apply(tc.ops, t0.Add(time.Hour))
			if got := veikart.ErrorCode(err); got != tc.wantCode {
				t.Fatalf("error %v (code %q), want code %q", err, got, tc.wantCode)
			}
			if err != nil {
				var ce *veikart.ConflictError
				if tc.wantCode == veikart.ECONFLICT && (!errors.As(err, &ce) || len(ce.Conflicts) == 0 || ce.Current != r) {
					t.Fatalf("conflict error without details: %#v", err)
				}
				if !equalRoadmaps(before, r) {
					t.Fatal("a refused batch changed the roadmap it was applied to")
				}
				return
			}
			if !equalRoadmaps(before, r) {
				t.Fatal("Apply changed its receiver")
			}
			if tc.check != nil {
				tc.check(t, next, res)
			}
		})
	}
}

func wantOutcomes(t *testing.T, res []veikart.Result, want ...veikart.Outcome) {
	t.Helper()
	if len(res) != len(want) {
		t.Fatalf("results %+v", res)
	}
	for i := range want {
		if res[i].Outcome != want[i] {
			t.Fatalf("result %d: %s, want %s", i, res[i].Outcome, want[i])
		}
	}
}

func equalRoadmaps(a, b *veikart.Roadmap) bool {
	if a.Version != b.Version || a.Title != b.Title || len(a.Members) != len(b.Members) || len(a.Areas) != len(b.Areas) || len(a.Steps) != len(b.Steps) {
		return false
	}
	for i := range a.Areas {
		x, y := a.Areas[i], b.Areas[i]
		if x.Now != y.Now || x.Desired != y.Desired || x.ScoreNow != y.ScoreNow || len(x.MemberIDs) != len(y.MemberIDs) {
			return false
		}
	}
	for i := range a.Steps {
		if a.Steps[i].Title != b.Steps[i].Title || a.Steps[i].Status != b.Steps[i].Status {
			return false
		}
	}
	return true
}

// TestApply_RecentOpsBounded checks that the memory of applied op ids stays
// bounded however long a roadmap lives.
func TestApply_RecentOpsBounded(t *testing.T) {
	r := mustNew(t)
	for i := range veikart.KeptOpIDs + 50 {
		next, _, err := r.Apply([]veikart.Op{veikart.SetTitle{ID: "op" + strconv.Itoa(i), BaseVersion: r.Version, Title: "t"}}, t0)
		if err != nil {
			t.Fatal(err)
		}
		r = next
	}
	if len(r.RecentOps) != veikart.KeptOpIDs {
		t.Fatalf("kept %d op ids", len(r.RecentOps))
	}
}
