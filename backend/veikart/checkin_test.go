package veikart_test

import (
	"strings"
	"testing"

	"github.com/veikart/veikart/backend/veikart"
)

// checkInRoadmap is withAgencyStep's roadmap (NAV has a grant) with work
// naming member m1.
func checkInRoadmap(t *testing.T) *veikart.Roadmap {
	t.Helper()
	r := withAgencyStep(t)
	ids := []string{"m1"}
	r, _, err := r.Apply([]veikart.Op{veikart.UpdateArea{ID: "o-ci", AreaID: "work", BaseVersion: r.Version, Set: veikart.AreaPatch{MemberIDs: &ids}}}, now0)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestCleanCheckIn(t *testing.T) {
	r := checkInRoadmap(t)
	today := now0.Format("2006-01-02") // 2026-11-26; the roadmap was made in 2026
	one := func(x veikart.Reading) []veikart.Reading { return []veikart.Reading{x} }
	ok := veikart.Reading{ID: "x1", AreaID: "work", Score: 3}
	cases := []struct {
		name string
		c    veikart.CheckIn
		ptr  string // "" for accepted
	}{
		{"household today", veikart.CheckIn{Date: today, With: veikart.ScoredAlone, Readings: one(ok)}, ""},
		{"tomorrow (a phone ahead)", veikart.CheckIn{Date: "2026-11-27", With: veikart.ScoredAlone, Readings: one(ok)}, ""},
		{"offline, last year", veikart.CheckIn{Date: "2025-01-01", With: veikart.ScoredAlone, Readings: one(ok)}, ""},
		{"member named by the area", veikart.CheckIn{Date: today, With: veikart.ScoredAlone, Readings: one(veikart.Reading{ID: "x1", AreaID: "work", MemberID: "m1", Score: 5})}, ""},
		{"with NAV present", veikart.CheckIn{Date: today, With: veikart.ScoredWithCaseworker, AgencyID: "nav", Readings: one(ok)}, ""},
		{"with a caseworker unnamed", veikart.CheckIn{Date: today, With: veikart.ScoredWithCaseworker, Readings: one(ok)}, ""},
		{"the day after tomorrow", veikart.CheckIn{Date: "2026-11-28", With: veikart.ScoredAlone, Readings: one(ok)}, "/date"},
		{"two years before", veikart.CheckIn{Date: "2024-12-31", With: veikart.ScoredAlone, Readings: one(ok)}, "/date"},
		{"not a date", veikart.CheckIn{Date: "2026-13-01", With: veikart.ScoredAlone, Readings: one(ok)}, "/date"},
		{"unpadded date", veikart.CheckIn{Date: "2026-1-01", With: veikart.ScoredAlone, Readings: one(ok)}, "/date"},
		{"nobody said who", veikart.CheckIn{Date: today, Readings: one(ok)}, "/with"},
		{"agency without a caseworker", veikart.CheckIn{Date: today, With: veikart.ScoredAlone, AgencyID: "nav", Readings: one(ok)}, "/agencyId"},
		{"agency never granted", veikart.CheckIn{Date: today, With: veikart.ScoredWithCaseworker, AgencyID: "police", Readings: one(ok)}, "/agencyId"},
		{"no readings", veikart.CheckIn{Date: today, With: veikart.ScoredAlone}, "/readings"},
		{"score 0", veikart.CheckIn{Date: today, With: veikart.ScoredAlone, Readings: one(veikart.Reading{ID: "x1", AreaID: "work"})}, "/readings/0/score"},
		{"score 6", veikart.CheckIn{Date: today, With: veikart.ScoredAlone, Readings: one(veikart.Reading{ID: "x1", AreaID: "work", Score: 6})}, "/readings/0/score"},
		{"no such area", veikart.CheckIn{Date: today, With: veikart.ScoredAlone, Readings: one(veikart.Reading{ID: "x1", AreaID: "moon", Score: 2})}, "/readings/0/areaId"},
		{"member not named", veikart.CheckIn{Date: today, With: veikart.ScoredAlone, Readings: one(veikart.Reading{ID: "x1", AreaID: "health", MemberID: "m1", Score: 2})}, "/readings/0/memberId"},
		{"bad id", veikart.CheckIn{Date: today, With: veikart.ScoredAlone, Readings: one(veikart.Reading{ID: "a/b", AreaID: "work", Score: 2})}, "/readings/0/id"},
		{"note too long", veikart.CheckIn{Date: today, With: veikart.ScoredAlone, Readings: one(veikart.Reading{ID: "x1", AreaID: "work", Score: 2, Note: strings.Repeat("å", 281)})}, "/readings/0/note"},
		{"control character", veikart.CheckIn{Date: today, With: veikart.ScoredAlone, Readings: one(veikart.Reading{ID: "x1", AreaID: "work", Score: 2, Note: "a\x1bb"})}, "/readings/0/note"},
		{"area twice", veikart.CheckIn{Date: today, With: veikart.ScoredAlone, Readings: []veikart.Reading{ok, {ID: "x2", AreaID: "work", Score: 1}}}, "/readings/1"},
		{"id twice", veikart.CheckIn{Date: today, With: veikart.ScoredAlone, Readings: []veikart.Reading{ok, {ID: "x1", AreaID: "health", Score: 1}}}, "/readings/1/id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rs, err := r.CleanCheckIn(c.c, today, "kari", now0)
			if c.ptr == "" {
				if err != nil || len(rs) != len(c.c.Readings) || rs[0].Date != c.c.Date || rs[0].By != "kari" || rs[0].With != c.c.With {
					t.Fatalf("= %+v, %v", rs, err)
				}
				return
			}
			var ve *veikart.Error
			if err == nil || !asError(err, &ve) || ve.Code != veikart.EINVALID || ve.Pointer != c.ptr {
				t.Fatalf("err = %v (%+v), want EINVALID at %s", err, ve, c.ptr)
			}
		})
	}
	// The sentence is cleaned like other texts.
	rs, err := r.CleanCheckIn(veikart.CheckIn{Date: today, With: veikart.ScoredAlone, Readings: one(veikart.Reading{ID: "x1", AreaID: "work", Score: 2, Note: "  Bedre nå  "})}, today, "kari", now0)
	if err != nil || rs[0].Note != "Bedre nå" {
		t.Fatalf("note %q, %v", rs[0].Note, err)
	}
}

func asError(err error, target **veikart.Error) bool {
	e, ok := err.(*veikart.Error)
	*target = e
	return ok
}

func TestReadingYear_AddIsRepeatSafe(t *testing.T) {
	y := &veikart.ReadingYear{RoadmapID: "rm", Year: 2026}
	a := veikart.Reading{ID: "a", AreaID: "work", Date: "2026-03-01", Score: 2, With: veikart.ScoredAlone, By: "kari", At: now0}
	b := veikart.Reading{ID: "b", AreaID: "work", Date: "2026-01-01", Score: 1, With: veikart.ScoredAlone, By: "kari", At: now0}
	y1, n, err := y.Add([]veikart.Reading{a, b})
	if err != nil || n != 2 || len(y1.Readings) != 2 || y1.Readings[0].ID != "b" || len(y.Readings) != 0 {
		t.Fatalf("first add: %+v, %d, %v (the original must stay empty)", y1, n, err)
	}
	// The same check-in again, stored later by the server: nothing new.
	again := a
	again.At = now0.Add(3600e9)
	y2, n, err := y1.Add([]veikart.Reading{again})
	if err != nil || n != 0 || y2 != y1 {
		t.Fatalf("repeat: %d, %v", n, err)
	}
	// The same id for another score is a conflict.
	other := a
	other.Score = 5
	if _, _, err := y1.Add([]veikart.Reading{other}); veikart.ErrorCode(err) != veikart.ECONFLICT {
		t.Fatalf("id reused: %v", err)
	}
	// Another year's reading does not belong here.
	c := a
	c.ID, c.Date = "c", "2027-01-01"
	if _, _, err := y1.Add([]veikart.Reading{c}); veikart.ErrorCode(err) != veikart.EINVALID {
		t.Fatalf("other year: %v", err)
	}
	y3, gone, err := y1.Remove("a")
	if err != nil || gone.ID != "a" || len(y3.Readings) != 1 || len(y1.Readings) != 2 {
		t.Fatalf("remove: %+v %v", y3, err)
	}
	if _, _, err := y3.Remove("a"); veikart.ErrorCode(err) != veikart.ENOTFOUND {
		t.Fatalf("remove again: %v", err)
	}
}

func TestLatestHouseholdScoresAndScoreOps(t *testing.T) {
	r := checkInRoadmap(t)
	rs := []veikart.Reading{
		{ID: "a", AreaID: "work", Date: "2026-01-01", Score: 1, At: now0},
		{ID: "b", AreaID: "work", Date: "2026-06-01", Score: 3, At: now0},
		{ID: "c", AreaID: "work", MemberID: "m1", Date: "2026-07-01", Score: 5, At: now0}, // a member's: not the household's
		{ID: "d", AreaID: "health", Date: "2026-02-01", Score: 4, At: now0},
	}
	veikart.SortReadings(rs)
	latest := veikart.LatestHouseholdScores(rs)
	if latest["work"] != 3 || latest["health"] != 4 || len(latest) != 2 {
		t.Fatalf("latest %v", latest)
	}
	ops := r.ScoreOps(latest, []string{"work", "health", "housing"}, "ci-1")
	if len(ops) != 2 {
		t.Fatalf("ops %+v", ops)
	}
	next, _, err := r.Apply(ops, now0)
	if err != nil {
		t.Fatal(err)
	}
	w, _ := next.Area("work")
	h, _ := next.Area("health")
	if w.ScoreNow != 3 || h.ScoreNow != 4 {
		t.Fatalf("scores %d %d", w.ScoreNow, h.ScoreNow)
	}
	if ops := next.ScoreOps(latest, []string{"work", "health"}, "ci-2"); len(ops) != 0 {
		t.Fatalf("scores already so, yet ops %+v", ops)
	}
}

func TestForgetReadingsBy(t *testing.T) {
	rs := []veikart.Reading{{ID: "a", By: "kari"}, {ID: "b", By: "per"}}
	out, changed := veikart.ForgetReadingsBy(rs, "kari")
	if !changed || out[0].By != veikart.ErasedPerson || out[1].By != "per" || rs[0].By != "kari" {
		t.Fatalf("%+v %v (the original must stay)", out, changed)
	}
	if _, changed := veikart.ForgetReadingsBy(rs, "ola"); changed {
		t.Fatal("changed for someone absent")
	}
}
