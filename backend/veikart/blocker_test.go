package veikart_test

import (
	"testing"
	"time"

	"github.com/veikart/veikart/backend/veikart"
)

// blockerRoadmap has three steps: s-late, due before t0 and planned
// (overdue); s-dropped; s-fresh, due after t0.
func blockerRoadmap(t *testing.T, municipality string) *veikart.Roadmap {
	t.Helper()
	late, dropped, fresh := addStep("s-late", "housing"), addStep("s-dropped", "work"), addStep("s-fresh", "health")
	late.Step.Due, fresh.Step.Due = "2026-11-01", "2026-12-24"
	dropped.Step.Status = veikart.Dropped
	ops := []veikart.Op{late, dropped, fresh}
	if municipality != "" {
		ops = append(ops, veikart.SetMunicipality{ID: "set-m", BaseVersion: 1, Municipality: municipality})
	}
	r, _, err := mustNew(t).Apply(ops, t0)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestSetBlocker(t *testing.T) {
	set := func(step string, b veikart.Blocker, share bool) veikart.SetBlocker {
		return veikart.SetBlocker{ID: "b-" + step + string(b), BaseVersion: 2, StepID: step, Blocker: b, Share: share}
	}
	tests := []struct {
		name         string
		municipality string
		ops          []veikart.Op
		wantCode     string
		wantPtr      string
		want         map[string]veikart.StepBlocker // by step id, after
	}{
		{name: "overdue step, named, not shared", ops: []veikart.Op{set("s-late", veikart.BlockerDebt, false)},
			want: map[string]veikart.StepBlocker{"s-late": {Code: veikart.BlockerDebt, NamedAt: t0}}},
		{name: "dropped step, named and shared", municipality: "Oslo", ops: []veikart.Op{set("s-dropped", veikart.BlockerNoHome, true)},
			want: map[string]veikart.StepBlocker{"s-dropped": {Code: veikart.BlockerNoHome, NamedAt: t0, Shared: true, SharedAt: t0}}},
		{name: "municipality and share in one batch", ops: []veikart.Op{
			veikart.SetMunicipality{ID: "m", BaseVersion: 2, Municipality: " Bergen "}, set("s-late", veikart.BlockerLanguage, true)},
			want: map[string]veikart.StepBlocker{"s-late": {Code: veikart.BlockerLanguage, NamedAt: t0, Shared: true, SharedAt: t0}}},
		{name: "step not yet due", ops: []veikart.Op{set("s-fresh", veikart.BlockerDebt, false)}, wantCode: veikart.EINVALID, wantPtr: "/operations/0/stepId"},
		{name: "code not on the list", ops: []veikart.Op{set("s-late", "bad-landlord", false)}, wantCode: veikart.EINVALID, wantPtr: "/operations/0/blocker"},
		{name: "share without a municipality", ops: []veikart.Op{set("s-late", veikart.BlockerDebt, true)}, wantCode: veikart.EINVALID, wantPtr: "/operations/0/share"},
		{name: "share without a blocker", municipality: "Oslo", ops: []veikart.Op{set("s-late", "", true)}, wantCode: veikart.EINVALID, wantPtr: "/operations/0/share"},
		{name: "missing step is a conflict", ops: []veikart.Op{set("s-gone", veikart.BlockerDebt, false)}, wantCode: veikart.ECONFLICT},
		{name: "withdrawn", municipality: "Oslo", ops: []veikart.Op{
			veikart.SetBlocker{ID: "a", BaseVersion: 2, StepID: "s-late", Blocker: veikart.BlockerDebt, Share: true},
			veikart.SetBlocker{ID: "b", BaseVersion: 2, StepID: "s-late", Blocker: veikart.BlockerDebt, Share: false}},
			want: map[string]veikart.StepBlocker{"s-late": {Code: veikart.BlockerDebt, NamedAt: t0}}},
		{name: "cleared", ops: []veikart.Op{
			veikart.SetBlocker{ID: "a", BaseVersion: 2, StepID: "s-late", Blocker: veikart.BlockerDebt},
			veikart.SetBlocker{ID: "b", BaseVersion: 2, StepID: "s-late", Blocker: ""}},
			want: map[string]veikart.StepBlocker{"s-late": {}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := blockerRoadmap(t, tc.municipality)
			next, _, err := r.Apply(tc.ops, t0)
			if tc.wantCode != "" {
				if veikart.ErrorCode(err) != tc.wantCode {
					t.Fatalf("got %v, want %s", err, tc.wantCode)
				}
				if e, ok := err.(*veikart.Error); ok && tc.wantPtr != "" && e.Pointer != tc.wantPtr {
					t.Fatalf("pointer %s, want %s", e.Pointer, tc.wantPtr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for id, want := range tc.want {
				if s, _ := next.Step(id); s.Blocker != want {
					t.Errorf("%s: %+v, want %+v", id, s.Blocker, want)
				}
			}
		})
	}
}

// A blocker named while the step was overdue stays when the step moves on,
// and its sharing can still be withdrawn; a new code needs the step to be
// dropped or overdue again.
func TestSetBlocker_AfterTheStepMovedOn(t *testing.T) {
	r := blockerRoadmap(t, "Oslo")
	r, _, err := r.Apply([]veikart.Op{veikart.SetBlocker{ID: "a", BaseVersion: 2, StepID: "s-late", Blocker: veikart.BlockerDebt, Share: true}}, t0)
	if err != nil {
		t.Fatal(err)
	}
	r, _, err = r.Apply([]veikart.Op{veikart.UpdateStep{ID: "u", BaseVersion: r.Version, StepID: "s-late", Set: veikart.StepPatch{Status: ptr(veikart.Done)}}}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.Apply([]veikart.Op{veikart.SetBlocker{ID: "b", BaseVersion: r.Version, StepID: "s-late", Blocker: veikart.BlockerHealth}}, t0); veikart.ErrorCode(err) != veikart.EINVALID {
		t.Fatalf("a new blocker on a done step: %v", err)
	}
	r, _, err = r.Apply([]veikart.Op{veikart.SetBlocker{ID: "c", BaseVersion: r.Version, StepID: "s-late", Blocker: veikart.BlockerDebt, Share: false}}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := r.Step("s-late"); s.Blocker.Shared || s.Blocker.Code != veikart.BlockerDebt {
		t.Fatalf("%+v", s.Blocker)
	}
}

func TestBlockerShares(t *testing.T) {
	r := blockerRoadmap(t, "Oslo")
	later := time.Date(2027, 1, 5, 10, 0, 0, 0, time.UTC)
	r, _, err := r.Apply([]veikart.Op{
		veikart.SetBlocker{ID: "a", BaseVersion: 2, StepID: "s-late", Blocker: veikart.BlockerDebt, Share: true},
		veikart.SetBlocker{ID: "b", BaseVersion: 2, StepID: "s-dropped", Blocker: veikart.BlockerDebt, Share: true},
	}, t0)
	if err != nil {
		t.Fatal(err)
	}
	// The same blocker on two steps is one report; one shared in the next
	// quarter counts there.
	r, _, err = r.Apply([]veikart.Op{
		veikart.SetBlocker{ID: "c", BaseVersion: r.Version, StepID: "s-dropped", Blocker: veikart.BlockerDebt, Share: false},
		veikart.SetBlocker{ID: "d", BaseVersion: r.Version, StepID: "s-dropped", Blocker: veikart.BlockerDebt, Share: true},
	}, later)
	if err != nil {
		t.Fatal(err)
	}
	got := r.BlockerShares(time.UTC)
	q4, q1 := veikart.BlockerShare{Municipality: "Oslo", Quarter: "2026-Q4"}, veikart.BlockerShare{Municipality: "Oslo", Quarter: "2027-Q1"}
	if len(got) != 2 || len(got[q4]) != 1 || got[q4][0] != veikart.BlockerDebt || len(got[q1]) != 1 {
		t.Fatalf("%v", got)
	}
	r.Municipality = ""
	if len(r.BlockerShares(time.UTC)) != 0 {
		t.Fatal("shares without a municipality")
	}
}

func TestQuarters(t *testing.T) {
	for _, tc := range []struct {
		at   time.Time
		want veikart.Quarter
	}{
		{time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), "2026-Q1"},
		{time.Date(2026, 3, 31, 23, 59, 59, 0, time.UTC), "2026-Q1"},
		{time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), "2026-Q2"},
		{time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC), "2026-Q4"},
	} {
		if got := veikart.QuarterOf(tc.at, time.UTC); got != tc.want || !got.Valid() || tc.at.Before(got.Start(time.UTC)) || !tc.at.Before(got.End(time.UTC)) {
			t.Errorf("%s: %s", tc.at, got)
		}
	}
	if q := veikart.Quarter("2026-Q1").Prev(); q != "2025-Q4" {
		t.Errorf("prev: %s", q)
	}
	if qs := veikart.ClosedQuarters(t0, 3, time.UTC); len(qs) != 3 || qs[0] != "2026-Q3" || qs[2] != "2026-Q1" {
		t.Errorf("closed: %v", qs)
	}
	for _, bad := range []veikart.Quarter{"", "2026-Q5", "2026Q1", "26-Q1", "2026-Q0"} {
		if bad.Valid() {
			t.Errorf("%q valid", bad)
		}
	}
}

// TestQuarters_InOslo: a quarter is the households' (Europe/Oslo, UTC+1
// in winter, +2 in summer), not UTC's, at every edge: a moment's quarter,
// its start and end, the quarters closed, and where a shared blocker
// counts.
func TestQuarters_InOslo(t *testing.T) {
	oslo := oslo(t)
	for _, tc := range []struct {
		name   string
		at     time.Time
		want   veikart.Quarter
		closed veikart.Quarter // the last quarter ended
	}{
		{"31 Dec 23:30 in Oslo is still Q4", time.Date(2026, 12, 31, 23, 30, 0, 0, oslo), "2026-Q4", "2026-Q3"},
		{"31 Dec 23:30 UTC is 1 Jan 00:30 in Oslo: Q1", time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC), "2027-Q1", "2026-Q4"},
		{"1 Jan 00:00 in Oslo is Q1", time.Date(2027, 1, 1, 0, 0, 0, 0, oslo), "2027-Q1", "2026-Q4"},
		{"a nanosecond before, Q4", time.Date(2026, 12, 31, 23, 59, 59, 999999999, oslo), "2026-Q4", "2026-Q3"},
		{"30 Jun 22:30 UTC is 1 Jul 00:30 in Oslo (summer time): Q3", time.Date(2026, 6, 30, 22, 30, 0, 0, time.UTC), "2026-Q3", "2026-Q2"},
		{"30 Jun 23:30 in Oslo is Q2", time.Date(2026, 6, 30, 23, 30, 0, 0, oslo), "2026-Q2", "2026-Q1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := veikart.QuarterOf(tc.at, oslo)
			if q != tc.want {
				t.Fatalf("quarter %s, want %s", q, tc.want)
			}
			if tc.at.Before(q.Start(oslo)) || !tc.at.Before(q.End(oslo)) {
				t.Fatalf("%s is outside %s (%s to %s)", tc.at, q, q.Start(oslo), q.End(oslo))
			}
			if c := veikart.ClosedQuarters(tc.at, 1, oslo); c[0] != tc.closed {
				t.Fatalf("last closed %s, want %s", c[0], tc.closed)
			}
			r := blockerRoadmap(t, "Oslo")
			r, _, err := r.ApplyIn([]veikart.Op{veikart.SetBlocker{ID: "a", BaseVersion: 2, StepID: "s-dropped", Blocker: veikart.BlockerDebt, Share: true}}, tc.at, oslo)
			if err != nil {
				t.Fatal(err)
			}
			if got := r.BlockerShares(oslo); len(got[veikart.BlockerShare{Municipality: "Oslo", Quarter: tc.want}]) != 1 {
				t.Fatalf("shared at %s counts in %v, want %s", tc.at, got, tc.want)
			}
		})
	}
}

// TestSetBlocker_OverdueInOslo: a step is overdue from the first minute
// of the day after it was due, where the household lives. Oslo is ahead
// of UTC, so UTC's day was wrong the other way: from 00:00 to 01:00 (02:00
// in summer) in Oslo the day after, UTC still said the step was due today.
func TestSetBlocker_OverdueInOslo(t *testing.T) {
	oslo := oslo(t)
	for _, tc := range []struct {
		name    string
		at      time.Time
		overdue bool
	}{
		{"00:30 in Oslo on the day it is due (UTC: the day before)", time.Date(2026, 12, 4, 0, 30, 0, 0, oslo), false},
		{"23:30 in Oslo on the day it is due (UTC: 22:30, the same day)", time.Date(2026, 12, 4, 23, 30, 0, 0, oslo), false},
		{"00:30 in Oslo the day after (UTC: still the day it is due)", time.Date(2026, 12, 5, 0, 30, 0, 0, oslo), true},
		{"00:30 UTC the day after is 01:30 in Oslo", time.Date(2026, 12, 5, 0, 30, 0, 0, time.UTC), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := blockerRoadmap(t, "Oslo")
			for i := range r.Steps {
				if r.Steps[i].ID == "s-late" {
					r.Steps[i].Due = "2026-12-04"
				}
			}
			_, _, err := r.ApplyIn([]veikart.Op{veikart.SetBlocker{ID: "b", BaseVersion: r.Version, StepID: "s-late", Blocker: veikart.BlockerDebt}}, tc.at, oslo)
			if got := err == nil; got != tc.overdue {
				t.Fatalf("named: %v (err %v), want %v", got, err, tc.overdue)
			}
		})
	}
}

// k-anonymity: a cell with 4 households is not published, one with 5 is;
// k can be raised, not lowered.
func TestCountBlockers_KAnonymity(t *testing.T) {
	reports := map[string]map[veikart.Blocker]int{
		"Oslo":   {veikart.BlockerDebt: 5, veikart.BlockerNoHome: 4, veikart.BlockerLanguage: 1},
		"Bergen": {veikart.BlockerDebt: 4, veikart.BlockerWaitingList: 12},
		"Bodø":   {veikart.BlockerHealth: 3},
	}
	c := veikart.CountBlockers("2026-Q3", reports, 0, t0)
	want := []veikart.BlockerCell{
		{Blocker: veikart.BlockerWaitingList, Municipality: "Bergen", Households: 12},
		{Blocker: veikart.BlockerDebt, Municipality: "Oslo", Households: 5},
	}
	if c.K != veikart.MinHouseholds || len(c.Cells) != len(want) {
		t.Fatalf("%+v", c)
	}
	for i := range want {
		if c.Cells[i] != want[i] {
			t.Fatalf("cell %d: %+v, want %+v", i, c.Cells[i], want[i])
		}
	}
	if c := veikart.CountBlockers("2026-Q3", reports, 2, t0); c.K != veikart.MinHouseholds || len(c.Cells) != 2 {
		t.Fatalf("k lowered: %+v", c)
	}
	if c := veikart.CountBlockers("2026-Q3", reports, 6, t0); c.K != 6 || len(c.Cells) != 1 || c.Cells[0].Households != 12 {
		t.Fatalf("k raised: %+v", c)
	}
}

func TestSetMunicipality_Conflict(t *testing.T) {
	r := blockerRoadmap(t, "Oslo") // set at version 2
	if _, _, err := r.Apply([]veikart.Op{veikart.SetMunicipality{ID: "x", BaseVersion: 1, Municipality: "Bergen"}}, t0); veikart.ErrorCode(err) != veikart.ECONFLICT {
		t.Fatalf("stale: %v", err)
	}
	if _, _, err := r.Apply([]veikart.Op{veikart.SetMunicipality{ID: "y", BaseVersion: 2, Municipality: "a\x00b"}}, t0); veikart.ErrorCode(err) != veikart.EINVALID {
		t.Fatalf("control character: %v", err)
	}
}
