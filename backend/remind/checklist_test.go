package remind_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/remind"
	"github.com/veikart/veikart/backend/storage"
	"github.com/veikart/veikart/backend/testenv"
	"github.com/veikart/veikart/backend/veikart"
)

// TestScheduler_ChecklistUnconfirmed: a release on 20 December with a
// checklist. NAV is given the bed and the money; NAV confirms the money by
// the day, the bed stays asked; the keys are the household's own. Three
// days before, at 10:00 in Oslo, NAV's contact person for the household
// (not its other caseworker, not its administrator) and the coordinator
// are told once, by two schedulers ticking on one store; the family is
// not pushed (it sees the line red in the app). The confirmed line wants
// no reminder at all.
func TestScheduler_ChecklistUnconfirmed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := testenv.MustStore(t)
	clk := &testClock{t: time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC)}
	mustAgency(t, store, "nav", map[string]veikart.AgencyRole{"cw": veikart.CaseworkerRole, "cw2": veikart.CaseworkerRole, "adm": veikart.AdminRole}, clk.Now())
	mustAgency(t, store, "bolig", map[string]veikart.AgencyRole{"coord": veikart.CaseworkerRole}, clk.Now())
	subscribe(t, store, clk.Now(), "kari", "cw", "cw2", "adm", "coord")
	must := mustOf(t)
	r := must(veikart.NewRoadmap("rm-c", "kari", "Kari", nil, clk.Now()))
	spec := veikart.GrantSpec{
		Sections:    []veikart.Section{veikart.StepsSection("housing"), veikart.StepsSection("economy")},
		Permissions: []veikart.Permission{veikart.View}, Purpose: "Løslatelse", ExpiresAt: clk.Now().AddDate(0, 2, 0),
	}
	r = must(first(r.AddGrant("g1", "nav", "kari", spec, "owner", clk.Now(), veikart.ConsentPolicy{})))
	r = must(first(r.AddGrant("g2", "bolig", "kari", spec, "owner", clk.Now(), veikart.ConsentPolicy{})))
	r = must(first(r.SetContact("nav", veikart.Contact{UserID: "cw2", Name: "Nora"}, clk.Now())))
	r = must(first(r.SetContact("bolig", veikart.Contact{UserID: "coord", Name: "Bo"}, clk.Now())))
	r = must(first(r.SetCoordinator("bolig", "coord", "kari", clk.Now())))
	r = must(first(r.PlanTransition("t1", "g3", "kari", veikart.TransitionSpec{
		Kind: veikart.TransitionRelease, Date: "2026-12-20", AgencyID: "krim", Sections: []veikart.Section{veikart.StepsSection("housing")},
		Permissions: []veikart.Permission{veikart.View}, DaysBefore: 7, DaysAfter: 30,
	}, clk.Now(), oslo)))
	r = must(first(r.SetChecklist("t1", []veikart.ChecklistChoice{
		{Key: "bed", Title: "Seng første natt", AgencyID: "nav"},
		{Key: "money", Title: "Penger de første dagene", AgencyID: "nav"},
		{Key: "keys", Title: "Nøkler"},
	}, clk.Now())))
	r = must(first(r.AnswerPromise(veikart.ChecklistStepID("t1", "money"), "nav",
		veikart.PromiseAnswer{Accept: true, Due: "2026-12-19", By: "cw", ByName: "Vera"}, clk.Now(), "2026-12-01")))
	if err := store.CreateRoadmap(ctx, r); err != nil {
		t.Fatal(err)
	}

	p := newPair(t, store, clk)
	if err := p.one.Sync(ctx, nil, r); err != nil {
		t.Fatal(err)
	}

	p.tickAt(time.Date(2026, 12, 16, 9, 0, 30, 0, time.UTC)) // four days before
	p.want("four days before", map[string]int{"cw": 0, "cw2": 0, "coord": 0, "adm": 0, "kari": 0})
	p.tickAt(time.Date(2026, 12, 17, 9, 0, 30, 0, time.UTC)) // 10:00 in Oslo three days before
	p.want("three days before", map[string]int{"cw": 0, "cw2": 1, "coord": 1, "adm": 0, "kari": 0})
	got := p.got("cw2", 0)
	if got["kind"] != "checklist" || got["url"] != "/#/roadmaps/rm-c" || got["body"] != "Noe må avklares i Veikart før en overgang." {
		t.Errorf("payload %v", got)
	}
	p.tickAt(time.Date(2026, 12, 17, 9, 5, 0, 0, time.UTC))
	p.tickAt(time.Date(2026, 12, 18, 9, 0, 30, 0, time.UTC))
	p.want("ticked again", map[string]int{"cw": 0, "cw2": 1, "coord": 1, "adm": 0, "kari": 0})
}

// TestChecklistJobs: which lines want a reminder, and that moving the
// transition gives the unconfirmed lines new jobs.
func TestChecklistJobs(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC)
	r, _ := veikart.NewRoadmap("rm", "kari", "Kari", nil, now)
	r, _, err := r.PlanTransition("t1", "g1", "kari", veikart.TransitionSpec{
		Kind: veikart.TransitionCustody, Date: "2026-12-20", AgencyID: "krim", Sections: []veikart.Section{veikart.StepsSection("housing")},
		Permissions: []veikart.Permission{veikart.View},
	}, now, oslo)
	if err != nil {
		t.Fatal(err)
	}
	r, _, err = r.SetChecklist("t1", []veikart.ChecklistChoice{
		{Key: "rent", AgencyID: "nav"}, {Key: "housing-benefit", AgencyID: "nav"}, {Key: "bills-post", AgencyID: "nav"}, {Key: "keys"},
	}, now)
	if err != nil {
		t.Fatal(err)
	}
	// Rent confirmed by the day; the benefit promised after it (not a
	// confirmation); the bills declined; the keys the household's own.
	for _, a := range []struct {
		key string
		ans veikart.PromiseAnswer
	}{
		{"rent", veikart.PromiseAnswer{Accept: true, Due: "2026-12-15"}},
		{"housing-benefit", veikart.PromiseAnswer{Accept: true, Due: "2026-12-28"}},
		{"bills-post", veikart.PromiseAnswer{Reason: "Not ours"}},
	} {
		if r, _, err = r.AnswerPromise(veikart.ChecklistStepID("t1", a.key), "nav", a.ans, now, "2026-12-01"); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(r *veikart.Roadmap) map[string]bool {
		out := map[string]bool{}
		for _, j := range remind.Jobs(r, oslo) {
			if j.Promise == remind.ChecklistUnconfirmed {
				out[j.ID] = true
				if want := time.Date(2026, 12, 17, 9, 0, 0, 0, time.UTC); j.Due == "2026-12-20" && !j.At.Equal(want) {
					t.Errorf("%s at %s, want %s", j.ID, j.At, want)
				}
			}
		}
		return out
	}
	got := ids(r)
	for key, want := range map[string]bool{"rent": false, "housing-benefit": true, "bills-post": true, "keys": false} {
		s, _ := r.Step(veikart.ChecklistStepID("t1", key))
		tr, _ := r.Transition("t1")
		if got[remind.ChecklistJobID("rm", s, tr)] != want {
			t.Errorf("%s: wants a reminder %v, want %v", key, !want, want)
		}
	}
	// A line asked the day before the day is reminded the minute after.
	late := now.AddDate(0, 0, 18) // 19 December, 08:00 in Oslo
	l, _, err := r.SetChecklist("t1", []veikart.ChecklistChoice{{Key: "rent", AgencyID: "nav"}, {Key: "keys", AgencyID: "nav"}}, late)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, j := range remind.Jobs(l, oslo) {
		if j.StepID == veikart.ChecklistStepID("t1", "keys") {
			found = true
			if !j.At.Equal(late.Add(time.Minute)) {
				t.Errorf("a line asked late is reminded at %s, want %s", j.At, late.Add(time.Minute))
			}
		}
	}
	if !found {
		t.Error("a line asked late wants no reminder")
	}

	moved := "2026-12-22"
	m, _, err := r.UpdateTransition("t1", "kari", veikart.TransitionPatch{Date: &moved}, now, oslo)
	if err != nil {
		t.Fatal(err)
	}
	add, cancel := remind.Changes(r, m, oslo)
	added, cancelled := 0, 0
	for _, j := range add {
		if j.Promise == remind.ChecklistUnconfirmed {
			added++
		}
	}
	for _, id := range cancel {
		if strings.Contains(id, "/checklist:") {
			cancelled++
		}
	}
	if added != 2 || cancelled != 2 {
		t.Errorf("moved: %d added, %d cancelled, want 2 and 2", added, cancelled)
	}
}

// mustAgency stores agency id with the given staff.
func mustAgency(tb testing.TB, store *storage.Store, id string, staff map[string]veikart.AgencyRole, now time.Time) {
	tb.Helper()
	a, err := veikart.NewAgency(id, veikart.KindNAV, id, "Sola", now)
	if err != nil {
		tb.Fatal(err)
	}
	for u, role := range staff {
		if a, err = a.SetStaff(u, []veikart.AgencyRole{role}, "op", now); err != nil {
			tb.Fatal(err)
		}
	}
	if err := store.CreateAgency(context.Background(), a); err != nil {
		tb.Fatal(err)
	}
}
