package remind_test

import (
	"context"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/remind"
	"github.com/veikart/veikart/backend/testenv"
	"github.com/veikart/veikart/backend/veikart"
)

// TestScheduler_ReviewDue: the household chose a review every month on
// 1 December, with the housing office's caseworker as coordinator. On
// 1 January at 10:00 in Oslo (never in quiet hours) the owner and the
// coordinator are reminded, once, though two schedulers tick; not the
// coordinator's colleague. A review saved moves the next reminder a month
// on from the review; no rhythm wants none. (The schedulers walk every
// minute they pass: the clock starts on the last evening of December, and
// the later dates are checked on the jobs the roadmap wants.)
func TestScheduler_ReviewDue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := testenv.MustStore(t)
	clk := &testClock{t: time.Date(2026, 12, 31, 20, 0, 0, 0, time.UTC)}
	set := time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC) // when the household chose
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

	r, err := veikart.NewRoadmap("rm-r", "kari", "Kari", nil, set)
	if err != nil {
		t.Fatal(err)
	}
	spec := veikart.GrantSpec{Sections: []veikart.Section{veikart.StepsSection("economy")}, Permissions: []veikart.Permission{veikart.View}, Purpose: "Bolig", ExpiresAt: clk.Now().AddDate(0, 6, 0)}
	r = must(first(r.AddGrant("g1", "bolig", "kari", spec, "owner", set, veikart.ConsentPolicy{})))
	r = must(first(r.SetContact("bolig", veikart.Contact{UserID: "coord", Name: "Bo"}, set)))
	r = must(first(r.SetCoordinator("bolig", "coord", "kari", set)))
	monthly, err := r.SetReviewRhythm(1, set)
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

	// A review saved on 5 January: the next is due on 5 February, and the
	// reminder of 1 January (sent) is no longer wanted.
	oslo, _ := time.LoadLocation("Europe/Oslo")
	saved := monthly.ReviewSaved(time.Date(2027, 1, 5, 12, 0, 0, 0, time.UTC), clk.Now())
	add, cancel := remind.Changes(monthly, saved, oslo)
	if len(add) != 1 || !add[0].Review || add[0].ID != remind.ReviewJobID("rm-r", "2027-02-05") || !add[0].At.Equal(time.Date(2027, 2, 5, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("after a review: add %+v", add)
	}
	if len(cancel) != 1 || cancel[0] != remind.ReviewJobID("rm-r", "2027-01-01") {
		t.Errorf("after a review: cancel %v", cancel)
	}
	// No rhythm: no reminder.
	none := must(saved.SetReviewRhythm(0, clk.Now()))
	for _, j := range remind.Jobs(none, oslo) {
		if j.Review {
			t.Errorf("no rhythm, but %+v", j)
		}
	}
}
