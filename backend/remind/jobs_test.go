package remind_test

import (
	"slices"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/remind"
	"github.com/veikart/veikart/backend/veikart"
)

var oslo = func() *time.Location {
	l, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		panic(err)
	}
	return l
}()

func roadmapWithStep(t *testing.T, due string, status veikart.Status, rs ...veikart.Reminder) *veikart.Roadmap {
	t.Helper()
	r, err := veikart.NewRoadmap("rm", "kari", "F", nil, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	r.Steps = append(r.Steps, veikart.Step{ID: "s1", AreaID: "housing", Title: "Møte", Due: due, Status: status, Term: veikart.ShortTerm,
		Responsible: veikart.Responsible{Kind: veikart.ByHousehold}, Reminders: rs})
	return r
}

func TestJobs(t *testing.T) {
	dayBefore := veikart.Reminder{DaysBefore: 1, At: "09:00"}
	sameDay := veikart.Reminder{DaysBefore: 0, At: "08:30"}
	// 2026-03-29 is the day Norway moves to summer time: the reminder on the
	// day is at 08:30 CEST (06:30 UTC), the one the day before at 09:00 CET.
	r := roadmapWithStep(t, "2026-03-29", veikart.Planned, dayBefore, sameDay)
	jobs := remind.Jobs(r, oslo)
	if len(jobs) != 2 {
		t.Fatalf("jobs %+v", jobs)
	}
	if want := time.Date(2026, 3, 28, 8, 0, 0, 0, time.UTC); !jobs[0].At.Equal(want) {
		t.Errorf("day before at %v, want %v", jobs[0].At, want)
	}
	if want := time.Date(2026, 3, 29, 6, 30, 0, 0, time.UTC); !jobs[1].At.Equal(want) {
		t.Errorf("on the day at %v, want %v", jobs[1].At, want)
	}
	for _, tc := range []struct {
		name string
		r    *veikart.Roadmap
	}{
		{"no due date", roadmapWithStep(t, "", veikart.Planned, dayBefore)},
		{"done", roadmapWithStep(t, "2026-03-29", veikart.Done, dayBefore)},
		{"dropped", roadmapWithStep(t, "2026-03-29", veikart.Dropped, dayBefore)},
		{"no reminders", roadmapWithStep(t, "2026-03-29", veikart.Doing)},
	} {
		if j := remind.Jobs(tc.r, oslo); len(j) != 0 {
			t.Errorf("%s: jobs %+v", tc.name, j)
		}
	}
}

func TestChanges(t *testing.T) {
	a := veikart.Reminder{DaysBefore: 1, At: "09:00"}
	b := veikart.Reminder{DaysBefore: 0, At: "09:00"}
	old := roadmapWithStep(t, "2026-05-10", veikart.Planned, a, b)
	moved := roadmapWithStep(t, "2026-05-12", veikart.Planned, a)
	add, cancel := remind.Changes(old, moved, oslo)
	if len(add) != 1 || add[0].Due != "2026-05-12" || len(cancel) != 2 {
		t.Fatalf("move due date: add %+v cancel %v", add, cancel)
	}
	done := roadmapWithStep(t, "2026-05-10", veikart.Done, a, b)
	if add, cancel := remind.Changes(old, done, oslo); len(add) != 0 || len(cancel) != 2 {
		t.Fatalf("complete: add %+v cancel %v", add, cancel)
	}
	if add, cancel := remind.Changes(old, old, oslo); len(add) != 0 || len(cancel) != 0 {
		t.Fatalf("no change: add %+v cancel %v", add, cancel)
	}
	if add, _ := remind.Changes(nil, old, oslo); len(add) != 2 {
		t.Fatalf("new roadmap: add %+v", add)
	}
	if _, cancel := remind.Changes(old, nil, oslo); len(cancel) != 2 || !slices.Contains(cancel, remind.Jobs(old, oslo)[0].ID) {
		t.Fatalf("deleted roadmap: cancel %v", cancel)
	}
}

func TestQuietAndText(t *testing.T) {
	for _, tc := range []struct {
		local string
		quiet bool
		until string
	}{
		{"2026-11-26 07:59", true, "2026-11-26 08:00"},
		{"2026-11-26 08:00", false, ""},
		{"2026-11-26 20:59", false, ""},
		{"2026-11-26 21:00", true, "2026-11-27 08:00"},
		{"2026-11-26 23:30", true, "2026-11-27 08:00"},
	} {
		at, _ := time.ParseInLocation("2006-01-02 15:04", tc.local, oslo)
		q, until := remind.Quiet(at, oslo)
		if q != tc.quiet || (q && until.In(oslo).Format("2006-01-02 15:04") != tc.until) {
			t.Errorf("%s: quiet %v until %v", tc.local, q, until.In(oslo))
		}
	}
	now, _ := time.ParseInLocation("2006-01-02 15:04", "2026-11-26 09:00", oslo)
	for due, want := range map[string]string{
		"2026-11-26": "Du har et steg i Veikart i dag.",
		"2026-11-27": "Du har et steg i Veikart i morgen.",
		"2026-12-03": "Du har et steg i Veikart om 7 dager.",
	} {
		if got := remind.Text(remind.Job{Due: due}, now, oslo); got != want {
			t.Errorf("due %s: %q, want %q", due, got, want)
		}
	}
	if tp := remind.Topic("rm/s1/2026-11-27/1-0900"); len(tp) != 32 {
		t.Errorf("topic %q is not 32 characters", tp)
	}
}

// TestJobs_GrantEndsSoon: a grant in force until the end of 31 December is
// announced 14 days and 1 day before its last day, at 10:00, to the
// household and to the agency. A grant given ten days before it ends gets
// only the day before; a revoked grant none; a renewed one new jobs.
func TestJobs_GrantEndsSoon(t *testing.T) {
	given := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	end := time.Date(2027, 1, 1, 0, 0, 0, 0, oslo) // exclusive: 31 December is the last day
	grant := func(t *testing.T, created time.Time) *veikart.Roadmap {
		t.Helper()
		r, err := veikart.NewRoadmap("rm", "kari", "F", nil, created)
		if err != nil {
			t.Fatal(err)
		}
		if r, _, err = r.AddGrant("g1", "nav", "kari", veikart.GrantSpec{Sections: []veikart.Section{veikart.SectionHousehold},
			Permissions: []veikart.Permission{veikart.View}, Purpose: "p", ExpiresAt: end}, "owner", created, veikart.ConsentPolicy{}); err != nil {
			t.Fatal(err)
		}
		return r
	}
	var got []string
	for _, j := range remind.Jobs(grant(t, given), oslo) {
		if j.GrantID != "g1" || j.Due != "2026-12-31" {
			t.Errorf("job %+v", j)
		}
		got = append(got, j.At.In(oslo).Format("2006-01-02 15:04")+" "+string(j.Audience))
	}
	want := []string{"2026-12-17 10:00 household", "2026-12-17 10:00 agency", "2026-12-30 10:00 household", "2026-12-30 10:00 agency"}
	if !slices.Equal(got, want) {
		t.Errorf("jobs at %q, want %q", got, want)
	}

	late := remind.Jobs(grant(t, time.Date(2026, 12, 21, 9, 0, 0, 0, time.UTC)), oslo)
	if len(late) != 2 || late[0].Reminder.DaysBefore != 1 {
		t.Errorf("a grant given ten days before it ends: %+v", late)
	}

	r := grant(t, given)
	revoked, _, err := r.RevokeGrant("g1", "kari", given.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if j := remind.Jobs(revoked, oslo); len(j) != 0 {
		t.Errorf("a revoked grant: %+v", j)
	}
	renewed := r.Clone()
	renewed.Grants[0].ExpiresAt = end.AddDate(0, 3, 0)
	add, cancel := remind.Changes(r, renewed, oslo)
	if len(add) != 4 || len(cancel) != 4 {
		t.Errorf("renewed: add %d, cancel %d; want 4 and 4", len(add), len(cancel))
	}

	if s := remind.Text(late[0], time.Date(2026, 12, 30, 9, 0, 0, 0, time.UTC), oslo); s != "En tilgang i Veikart går ut i morgen." {
		t.Errorf("text %q", s)
	}
}
