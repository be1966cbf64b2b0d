package household_test

import (
	"io"
	"log/slog"
	"reflect"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/household"
	"github.com/veikart/veikart/backend/veikart"
)

// The system's blockers, counted safely: published per quarter that has
// ended, once, only cells of at least five households, and nothing one
// household does shows before its quarter is published with everyone
// else's. The clock is w.now.

var navAdmin = access.Actor{Kind: access.Agency, UserID: "u-admin", AgencyID: "nav", AgencyRoles: []veikart.AgencyRole{veikart.AdminRole}}

// sharing makes a household (a roadmap of its own) whose overdue steps
// each name one of blockers, shared in municipality m, now.
func (w *world) sharing(t *testing.T, m string, blockers ...veikart.Blocker) string {
	t.Helper()
	id := w.roadmap(t)
	ops := []veikart.Op{veikart.SetMunicipality{ID: "m", BaseVersion: 1, Municipality: m}}
	for i, b := range blockers {
		step := "s" + string(rune('a'+i))
		ops = append(ops,
			veikart.AddStep{ID: "add-" + step, Step: veikart.Step{ID: step, AreaID: "housing", Title: "Søke bolig", Term: veikart.ShortTerm,
				Responsible: veikart.Responsible{Kind: veikart.ByHousehold}, Due: w.now.AddDate(0, 0, -3).Format(time.DateOnly)}},
			veikart.SetBlocker{ID: "b-" + step, BaseVersion: 1, StepID: step, Blocker: b, Share: true})
	}
	if _, _, err := w.svc.ApplyOperations(w.ctx, owner, id, nil, ops); err != nil {
		t.Fatalf("share: %v", err)
	}
	return id
}

// counts is what the administrator sees: quarter -> municipality/blocker
// -> households.
func (w *world) counts(t *testing.T) map[veikart.Quarter]map[string]int {
	t.Helper()
	qs, err := w.svc.BlockerCounts(w.ctx, navAdmin, "nav")
	if err != nil {
		t.Fatalf("counts: %v", err)
	}
	out := map[veikart.Quarter]map[string]int{}
	for _, q := range qs {
		out[q.Quarter] = map[string]int{}
		for _, c := range q.Cells {
			out[q.Quarter][c.Municipality+"/"+string(c.Blocker)] = c.Households
		}
	}
	return out
}

func (w *world) withdraw(t *testing.T, id, step string, b veikart.Blocker) {
	t.Helper()
	if _, _, err := w.svc.ApplyOperations(w.ctx, owner, id, nil, []veikart.Op{
		veikart.SetBlocker{ID: "w-" + step, BaseVersion: 2, StepID: step, Blocker: b, Share: false}}); err != nil {
		t.Fatalf("withdraw: %v", err)
	}
}

var (
	q4Day   = time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC) // in 2026-Q4
	q1Day   = time.Date(2027, 1, 10, 9, 0, 0, 0, time.UTC) // 2026-Q4 has ended
	q2Day   = time.Date(2027, 4, 2, 9, 0, 0, 0, time.UTC)  // 2027-Q1 has ended
	oslo    = "Oslo"
	osloFor = func(b veikart.Blocker) string { return oslo + "/" + string(b) }
)

func TestBlockers_KAnonymity(t *testing.T) {
	w := newWorld(t)
	w.now = q4Day
	for range 4 {
		w.sharing(t, oslo, veikart.BlockerDebt)
	}
	for range 4 {
		w.sharing(t, oslo, veikart.BlockerNoHome)
	}
	// The fifth names it on three steps: one household, counted once.
	w.sharing(t, oslo, veikart.BlockerNoHome, veikart.BlockerNoHome, veikart.BlockerNoHome)
	if got := w.counts(t); len(got["2026-Q4"]) != 0 {
		t.Fatalf("the quarter under way is shown: %v", got)
	}
	w.now = q1Day
	got := w.counts(t)["2026-Q4"]
	if got[osloFor(veikart.BlockerNoHome)] != 5 {
		t.Errorf("5 households: %v", got)
	}
	if _, shown := got[osloFor(veikart.BlockerDebt)]; shown || len(got) != 1 {
		t.Errorf("4 households shown: %v", got)
	}
}

// Two looks at the counts, before and after one household's report,
// are the same; the report shows only once its quarter has ended, and
// only in a cell of five or more.
func TestBlockers_Differencing(t *testing.T) {
	w := newWorld(t)
	w.now = q4Day
	var debt []string
	for range 5 {
		debt = append(debt, w.sharing(t, oslo, veikart.BlockerDebt))
	}
	for range 4 {
		w.sharing(t, oslo, veikart.BlockerHealth)
	}
	w.now = q1Day
	before := w.counts(t)
	// One more household reports health, and one of the debt households
	// withdraws: neither changes what anyone can see.
	w.sharing(t, oslo, veikart.BlockerHealth)
	w.withdraw(t, debt[0], "sa", veikart.BlockerDebt)
	if after := w.counts(t); !reflect.DeepEqual(before, after) {
		t.Fatalf("a report in the quarter under way shows:\nbefore %v\nafter  %v", before, after)
	}
	if before["2026-Q4"][osloFor(veikart.BlockerDebt)] != 5 {
		t.Fatalf("published: %v", before)
	}
	// 2027-Q1 ends with one health report: not shown. With four more
	// households it would be: show that in a second quarter.
	w.now = q2Day
	got := w.counts(t)
	if len(got["2027-Q1"]) != 0 || !reflect.DeepEqual(got["2026-Q4"], before["2026-Q4"]) {
		t.Fatalf("after 2027-Q1: %v", got)
	}
	for range 5 {
		w.sharing(t, oslo, veikart.BlockerHealth)
	}
	if got := w.counts(t); len(got["2027-Q2"]) != 0 {
		t.Fatalf("2027-Q2 shown while under way: %v", got)
	}
	w.now = time.Date(2027, 7, 1, 0, 0, 0, 0, time.UTC)
	if got := w.counts(t); got["2027-Q2"][osloFor(veikart.BlockerHealth)] != 5 || len(got["2027-Q1"]) != 0 {
		t.Fatalf("after 2027-Q2: %v", got)
	}
}

// Withdrawing and erasing before publication take the household out of
// the counts; after publication they change nothing.
func TestBlockers_WithdrawAndEraseBeforePublication(t *testing.T) {
	w := newWorld(t)
	w.now = q4Day
	var ids []string
	for range 6 {
		ids = append(ids, w.sharing(t, oslo, veikart.BlockerWaitingList))
	}
	w.withdraw(t, ids[0], "sa", veikart.BlockerWaitingList)
	if err := w.svc.EraseRoadmap(w.ctx, owner, ids[1], nil); err != nil {
		t.Fatal(err)
	}
	reports, err := w.store.BlockerReports(w.ctx, "2026-Q4")
	if err != nil || reports[oslo][veikart.BlockerWaitingList] != 4 {
		t.Fatalf("reports after withdrawal and erasure: %v, %v", reports, err)
	}
	w.now = q1Day
	if got := w.counts(t); len(got["2026-Q4"]) != 0 {
		t.Fatalf("4 households published: %v", got)
	}

	// A quarter published with six: withdrawal and erasure after it
	// change nothing, and its reports are gone.
	w.now = q1Day
	ids = ids[:0]
	for range 6 {
		ids = append(ids, w.sharing(t, oslo, veikart.BlockerLanguage))
	}
	w.now = q2Day
	before := w.counts(t)
	if before["2027-Q1"][osloFor(veikart.BlockerLanguage)] != 6 {
		t.Fatalf("published: %v", before)
	}
	if reports, err := w.store.BlockerReports(w.ctx, "2027-Q1"); err != nil || len(reports) != 0 {
		t.Fatalf("reports kept after publication: %v, %v", reports, err)
	}
	w.withdraw(t, ids[0], "sa", veikart.BlockerLanguage)
	if err := w.svc.EraseRoadmap(w.ctx, owner, ids[1], nil); err != nil {
		t.Fatal(err)
	}
	if after := w.counts(t); !reflect.DeepEqual(before, after) {
		t.Fatalf("a published count changed:\nbefore %v\nafter  %v", before, after)
	}
}

func TestBlockers_OnlyTheAgencysAdministrators(t *testing.T) {
	w := newWorld(t)
	otherAdmin := access.Actor{Kind: access.Agency, UserID: "u-admin2", AgencyID: "bufetat", AgencyRoles: []veikart.AgencyRole{veikart.AdminRole}}
	operator := access.Actor{Kind: access.Operator, UserID: "op"}
	for name, a := range map[string]access.Actor{"owner": owner, "caseworker": caseworker, "other agency's admin": otherAdmin, "operator": operator, "anonymous": {}} {
		if _, err := w.svc.BlockerCounts(w.ctx, a, "nav"); code(err) != veikart.EFORBIDDEN {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := w.svc.BlockerCounts(w.ctx, navAdmin, "nav"); err != nil {
		t.Fatal(err)
	}
}

// The municipality is one the service knows (an agency's region): no free
// text reaches the counts.
func TestBlockers_MunicipalityFromTheList(t *testing.T) {
	w := newWorld(t)
	id := w.roadmap(t)
	_, _, err := w.svc.ApplyOperations(w.ctx, owner, id, nil, []veikart.Op{veikart.SetMunicipality{ID: "m", BaseVersion: 1, Municipality: "Ola Nordmanns gate 1"}})
	if e, ok := err.(*veikart.Error); !ok || e.Code != veikart.EINVALID || e.Pointer != "/operations/0/municipality" {
		t.Fatalf("free text: %v", err)
	}
	if ms, err := w.svc.Municipalities(w.ctx); err != nil || !reflect.DeepEqual(ms, []string{oslo}) {
		t.Fatalf("municipalities: %v, %v", ms, err)
	}
}

// Moving to another municipality takes this quarter's reports along.
func TestBlockers_MovingMunicipality(t *testing.T) {
	w := newWorld(t)
	a, err := veikart.NewAgency("bergen", veikart.AgencyKinds[0], "NAV Bergen", "Bergen", w.now)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.store.CreateAgency(w.ctx, a); err != nil {
		t.Fatal(err)
	}
	w.now = q4Day
	id := w.sharing(t, oslo, veikart.BlockerDebt)
	if _, _, err := w.svc.ApplyOperations(w.ctx, owner, id, nil, []veikart.Op{veikart.SetMunicipality{ID: "m2", BaseVersion: 2, Municipality: "Bergen"}}); err != nil {
		t.Fatal(err)
	}
	reports, err := w.store.BlockerReports(w.ctx, "2026-Q4")
	if err != nil || reports[oslo][veikart.BlockerDebt] != 0 || reports["Bergen"][veikart.BlockerDebt] != 1 {
		t.Fatalf("%v, %v", reports, err)
	}
	// After the quarter ended (not yet published), a move withdraws the
	// report and makes none: nothing joins a quarter after it closed.
	w.now = q1Day
	if _, _, err := w.svc.ApplyOperations(w.ctx, owner, id, nil, []veikart.Op{veikart.SetMunicipality{ID: "m3", BaseVersion: 3, Municipality: oslo}}); err != nil {
		t.Fatal(err)
	}
	reports, err = w.store.BlockerReports(w.ctx, "2026-Q4")
	if err != nil || len(reports) != 0 {
		t.Fatalf("after the quarter: %v, %v", reports, err)
	}
}

// An agency that may see the steps sees them without what the household
// named as their blocker, and without its municipality: those it shares,
// if at all, only as a count.
func TestBlockers_AgenciesNeverSeeThem(t *testing.T) {
	w := newWorld(t)
	id := w.sharing(t, oslo, veikart.BlockerDebt)
	if _, err := w.svc.CreateGrant(w.ctx, owner, id, "nav", veikart.GrantSpec{Sections: []veikart.Section{veikart.StepsSection("housing")},
		Permissions: viewOnly, Purpose: "Bolig", ExpiresAt: w.now.AddDate(0, 3, 0)}); err != nil {
		t.Fatal(err)
	}
	own, _, err := w.svc.Read(w.ctx, owner, id, nil)
	if err != nil || own.Roadmap.Municipality != oslo || own.Roadmap.Steps[0].Blocker.Code != veikart.BlockerDebt {
		t.Fatalf("the owner's view: %+v, %v", own, err)
	}
	view, _, err := w.svc.Read(w.ctx, caseworker, id, nil)
	if err != nil || len(view.Roadmap.Steps) != 1 {
		t.Fatalf("the caseworker's view: %+v, %v", view, err)
	}
	if b := view.Roadmap.Steps[0].Blocker; b != (veikart.StepBlocker{}) || view.Roadmap.Municipality != "" {
		t.Fatalf("the caseworker sees %+v in %q", b, view.Roadmap.Municipality)
	}
}

// TestBlockers_QuarterInOslo: with the service in Oslo's time zone, a
// blocker shared at 23:30 on New Year's Eve in Oslo counts in that year's
// Q4, and one shared at 23:30 UTC (00:30 on New Year's Day in Oslo) in the
// new year's Q1, as the administrator sees once both have ended.
func TestBlockers_QuarterInOslo(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		at   time.Time
		want veikart.Quarter
	}{
		{"23:30 on 31 December in Oslo", time.Date(2026, 12, 31, 23, 30, 0, 0, loc), "2026-Q4"},
		{"23:30 UTC on 31 December, 00:30 on 1 January in Oslo", time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC), "2027-Q1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			w.svc = household.New(household.Config{Location: loc}, w.store, w.heard, slog.New(slog.NewTextHandler(io.Discard, nil)), func() time.Time { return w.now })
			w.now = tc.at
			for range veikart.MinHouseholds {
				w.sharing(t, oslo, veikart.BlockerDebt)
			}
			w.now = q2Day // 2027-Q1 has ended: both quarters are published
			got := w.counts(t)
			for _, q := range []veikart.Quarter{"2026-Q4", "2027-Q1"} {
				want := 0
				if q == tc.want {
					want = veikart.MinHouseholds
				}
				if n := got[q][osloFor(veikart.BlockerDebt)]; n != want {
					t.Errorf("%s: %d households, want %d (%v)", q, n, want, got)
				}
			}
		})
	}
}
