package remind_test

import (
	"context"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/testenv"
	"github.com/veikart/veikart/backend/veikart"
)

// TestScheduler_ReviewDue: the household chose a review every month on
// 1 December, with the housing office's caseworker as coordinator. On
// 1 January at 10:00 in Oslo (never in quiet hours) the owner and the
// coordinator are reminded, once, though two schedulers tick; not the
// coordinator's colleague. A review saved moves the next reminder a month
// on from the review; no rhythm wants none.
func TestScheduler_ReviewDue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := testenv.MustStore(t)
	clk := &testClock{t: time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC)}
	must := mustOf(t)
	a, err := veikart.NewAgency("bolig", veikart.KindNAV, "bolig", "Sola", clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"coord", "cw2"} {
		if a, err = a.SetStaff(u, []veikart.AgencyRole{veikart.CaseworkerRole}, "op", clk.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.CreateAgency(ctx, a); err != nil {
		t.Fatal(err)
	}
	subscribe(t, store, clk.Now(), "kari", "coord", "cw2")

	r, err := veikart.NewRoadmap("rm-r", "kari", "Kari", nil, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	spec := veikart.GrantSpec{Sections: []veikart.Section{veikart.StepsSection("economy")}, Permissions: []veikart.Permission{veikart.View}, Purpose: "Bolig", ExpiresAt: clk.Now().AddDate(1, 0, 0)}
	r = must(first(r.AddGrant("g1", "bolig", "kari", spec, "owner", clk.Now(), veikart.ConsentPolicy{})))
	r = must(first(r.SetContact("bolig", veikart.Contact{UserID: "coord", Name: "Bo"}, clk.Now())))
	r = must(first(r.SetCoordinator("bolig", "coord", "kari", clk.Now())))
	monthly, err := r.SetReviewRhythm(1, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := store.CreateRoadmap(ctx, monthly); err != nil {
		t.Fatal(err)
	}
	p := newPair(t, store, clk)
	if err := p.one.Sync(ctx, nil, monthly); err != nil {
		t.Fatal(err)
	}

	p.tickAt(time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC)) // 00:30 on the day in Oslo: quiet hours
	p.want("the night before", map[string]int{"kari": 0, "coord": 0})
	p.tickAt(time.Date(2027, 1, 1, 9, 0, 30, 0, time.UTC)) // 10:00 in Oslo
	p.want("on the day", map[string]int{"kari": 1, "coord": 1, "cw2": 0})
	got := p.got("kari", 0)
	if got["kind"] != "review" || got["url"] != "/#/roadmaps/rm-r/review" || got["body"] != "Det er tid for å se tilbake i Veikart." {
		t.Errorf("payload %v", got)
	}
	p.tickAt(time.Date(2027, 1, 1, 9, 5, 0, 0, time.UTC))
	p.want("ticked again", map[string]int{"kari": 1, "coord": 1})

	// A review saved on 5 January: the next is due on 5 February.
	saved := monthly.ReviewSaved(time.Date(2027, 1, 5, 12, 0, 0, 0, time.UTC), clk.Now())
	if err := p.one.Sync(ctx, monthly, saved); err != nil {
		t.Fatal(err)
	}
	if _, err := store.UpdateRoadmap(ctx, "rm-r", func(*veikart.Roadmap) (*veikart.Roadmap, error) { return saved, nil }); err != nil {
		t.Fatal(err)
	}
	p.tickAt(time.Date(2027, 2, 1, 9, 0, 30, 0, time.UTC))
	p.want("a month after the rhythm was set", map[string]int{"kari": 1, "coord": 1})
	p.tickAt(time.Date(2027, 2, 5, 9, 0, 30, 0, time.UTC))
	p.want("a month after the review", map[string]int{"kari": 2, "coord": 2})

	// No rhythm: no reminder.
	none := must(saved.SetReviewRhythm(0, clk.Now()))
	if err := p.one.Sync(ctx, saved, none); err != nil {
		t.Fatal(err)
	}
	if _, err := store.UpdateRoadmap(ctx, "rm-r", func(*veikart.Roadmap) (*veikart.Roadmap, error) { return none, nil }); err != nil {
		t.Fatal(err)
	}
	p.tickAt(time.Date(2027, 3, 5, 9, 0, 30, 0, time.UTC))
	p.want("no rhythm", map[string]int{"kari": 2, "coord": 2})
}
