package remind_test

import (
	"context"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/testenv"
	"github.com/veikart/veikart/backend/veikart"
)

// TestScheduler_LatePromises: NAV promised a step by 10 December and the
// household chose the housing office's contact person as coordinator. The
// day after the date, the caseworker who promised it and the coordinator
// are told (not NAV's other caseworker, not its administrator); a week
// later NAV's administrator. Two schedulers tick on the same store on a
// clock the test moves: each reminder goes once. A promise the household
// closes before its date wants no reminder at all.
func TestScheduler_LatePromises(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := testenv.MustStore(t)
	clk := &testClock{t: time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC)}
	must := mustOf(t)
	agency := func(id string, staff map[string]veikart.AgencyRole) {
		a, err := veikart.NewAgency(id, veikart.KindNAV, id, "Sola", clk.Now())
		if err != nil {
			t.Fatal(err)
		}
		for u, role := range staff {
			if a, err = a.SetStaff(u, []veikart.AgencyRole{role}, "op", clk.Now()); err != nil {
				t.Fatal(err)
			}
		}
		if err := store.CreateAgency(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	agency("nav", map[string]veikart.AgencyRole{"cw": veikart.CaseworkerRole, "cw2": veikart.CaseworkerRole, "adm": veikart.AdminRole})
	agency("bolig", map[string]veikart.AgencyRole{"coord": veikart.CaseworkerRole})
	subscribe(t, store, clk.Now(), "kari", "cw", "cw2", "adm", "coord")

	r, err := veikart.NewRoadmap("rm-p", "kari", "Kari", nil, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	nav := veikart.Responsible{Kind: veikart.ByAgency, AgencyID: "nav"}
	r = must(first(r.Apply([]veikart.Op{
		veikart.AddStep{ID: "o1", BaseVersion: r.Version, Step: veikart.Step{ID: "s1", AreaID: "economy", Title: "Søke bostøtte", Responsible: nav, Term: veikart.ShortTerm}},
		veikart.AddStep{ID: "o2", BaseVersion: r.Version, Step: veikart.Step{ID: "s2", AreaID: "economy", Title: "Budsjett", Responsible: nav, Term: veikart.ShortTerm}},
	}, clk.Now())))
	spec := veikart.GrantSpec{Sections: []veikart.Section{veikart.StepsSection("economy")}, Permissions: []veikart.Permission{veikart.View}, Purpose: "Økonomi", ExpiresAt: clk.Now().AddDate(0, 2, 0)}
	r = must(first(r.AddGrant("g1", "nav", "kari", spec, "owner", clk.Now(), veikart.ConsentPolicy{})))
	r = must(first(r.AddGrant("g2", "bolig", "kari", spec, "owner", clk.Now(), veikart.ConsentPolicy{})))
	r = must(first(r.SetContact("bolig", veikart.Contact{UserID: "coord", Name: "Bo"}, clk.Now())))
	r = must(first(r.SetCoordinator("bolig", "coord", "kari", clk.Now())))
	for _, id := range []string{"s1", "s2"} {
		r = must(first(r.AnswerPromise(id, "nav", veikart.PromiseAnswer{Accept: true, Due: "2026-12-10", By: "cw", ByName: "Vera"}, clk.Now(), "2026-12-01")))
	}
	// s2 is kept in good time.
	closed := must(first(r.JudgePromise("s2", veikart.PromiseKept, clk.Now())))
	if err := store.CreateRoadmap(ctx, closed); err != nil {
		t.Fatal(err)
	}
	p := newPair(t, store, clk)
	if err := p.one.Sync(ctx, nil, closed); err != nil {
		t.Fatal(err)
	}

	p.tickAt(time.Date(2026, 12, 10, 9, 0, 30, 0, time.UTC)) // the promised day: not late yet
	p.want("on the day", map[string]int{"cw": 0, "coord": 0, "adm": 0, "kari": 0})
	p.tickAt(time.Date(2026, 12, 11, 9, 0, 30, 0, time.UTC)) // 10:00 in Oslo the day after
	p.want("the day after", map[string]int{"cw": 1, "coord": 1, "cw2": 0, "adm": 0, "kari": 0})
	got := p.got("cw", 0)
	if got["kind"] != "promise" || got["url"] != "/#/roadmaps/rm-p/team" || got["body"] != "Et løfte i Veikart er forsinket." {
		t.Errorf("payload %v", got)
	}
	if _, ok := got["days"]; ok {
		t.Errorf("a late promise's payload counts days: %v", got)
	}
	p.tickAt(time.Date(2026, 12, 11, 9, 5, 0, 0, time.UTC))
	p.want("ticked again", map[string]int{"cw": 1, "coord": 1})
	p.tickAt(time.Date(2026, 12, 18, 9, 0, 30, 0, time.UTC)) // a week later
	p.want("a week later", map[string]int{"cw": 1, "coord": 1, "cw2": 0, "adm": 1, "kari": 0})
}
