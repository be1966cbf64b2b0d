package veikart

import (
	"testing"
	"time"
)

var oslo = func() *time.Location {
	l, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		panic(err)
	}
	return l
}()

// TestTransition_Window: access opens at midnight where the household lives,
// daysBefore days before the date, and closes at the end of the daysAfter-th
// day after it, across a change to summer time too.
func TestTransition_Window(t *testing.T) {
	cases := []struct {
		date             string
		before, after    int
		wantFrom, wantTo string // UTC
	}{
		{"2027-01-15", 7, 14, "2027-01-07T23:00:00Z", "2027-01-29T23:00:00Z"},
		{"2027-01-15", 0, 0, "2027-01-14T23:00:00Z", "2027-01-15T23:00:00Z"},
		// Summer time starts 2027-03-28: the window opens at CET midnight
		// and closes at CEST midnight.
		{"2027-03-28", 3, 2, "2027-03-24T23:00:00Z", "2027-03-30T22:00:00Z"},
	}
	for _, c := range cases {
		tr := Transition{Date: c.date, DaysBefore: c.before, DaysAfter: c.after}
		from, to, err := tr.Window(oslo)
		if err != nil {
			t.Fatal(err)
		}
		if got := from.Format(time.RFC3339); got != c.wantFrom {
			t.Errorf("%s -%d: opens %s, want %s", c.date, c.before, got, c.wantFrom)
		}
		if got := to.Format(time.RFC3339); got != c.wantTo {
			t.Errorf("%s +%d: closes %s, want %s", c.date, c.after, got, c.wantTo)
		}
	}
}

// TestPlanTransition_GrantFollowsTheClock: the grant a plan gives is
// scheduled before its window, active in it and over after it, and an agency
// never holds two grants at one moment.
func TestPlanTransition_GrantFollowsTheClock(t *testing.T) {
	now := time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC)
	r, err := NewRoadmap("rm", "kari", "Kari", nil, now)
	if err != nil {
		t.Fatal(err)
	}
	spec := TransitionSpec{Kind: TransitionRelease, Date: "2027-02-01", AgencyID: "ag-ko", Sections: []Section{AreaSection("housing")},
		Permissions: []Permission{View}, DaysBefore: 10, DaysAfter: 30, Summary: "  Løslatelse  ", Reminders: []int{7, 1, 7}}
	if _, _, err := r.PlanTransition("t1", "g1", "kari", spec, now, oslo); ErrorCode(err) != EINVALID {
		t.Fatalf("a reminder twice: %v", err)
	}
	spec.Reminders = []int{7, 1}
	n, tr, err := r.PlanTransition("t1", "g1", "kari", spec, now, oslo)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Summary != "Løslatelse" || tr.Reminders[0] != 1 || r.Version != 1 || n.Version != 2 {
		t.Fatalf("transition %+v, versions %d -> %d", tr, r.Version, n.Version)
	}
	g, _ := n.Grant("g1")
	from, to, _ := tr.Window(oslo)
	for _, c := range []struct {
		at                time.Time
		active, scheduled bool
	}{
		{now, false, true},
		{from.Add(-time.Nanosecond), false, true},
		{from, true, false},
		{to.Add(-time.Nanosecond), true, false},
		{to, false, false},
	} {
		if g.ActiveAt(c.at) != c.active || g.ScheduledAt(c.at) != c.scheduled {
			t.Errorf("at %s: active %v scheduled %v, want %v %v", c.at, g.ActiveAt(c.at), g.ScheduledAt(c.at), c.active, c.scheduled)
		}
	}
	if len(n.Receipts) != 1 || !n.Receipts[0].StartsAt.Equal(from) {
		t.Errorf("receipts %+v", n.Receipts)
	}
	// An ordinary grant to the same agency may run until the window opens,
	// not into it.
	p := ConsentPolicy{}
	if _, _, err := n.AddGrant("g2", "ag-ko", "kari", GrantSpec{Sections: []Section{SectionHousehold}, Permissions: []Permission{View}, Purpose: "p", ExpiresAt: from}, "owner", now, p); err != nil {
		t.Errorf("a grant ending as the window opens: %v", err)
	}
	if _, _, err := n.AddGrant("g2", "ag-ko", "kari", GrantSpec{Sections: []Section{SectionHousehold}, Permissions: []Permission{View}, Purpose: "p", ExpiresAt: from.Add(time.Hour)}, "owner", now, p); ErrorCode(err) != ECONFLICT {
		t.Errorf("a grant running into the window: %v", err)
	}
	// Moving the date moves the grant.
	date := "2027-03-01"
	m, _, err := n.UpdateTransition("t1", "kari", TransitionPatch{Date: &date}, now, oslo)
	if err != nil {
		t.Fatal(err)
	}
	mg, _ := m.Grant("g1")
	if mg.StartsAt.Format(time.DateOnly) != "2027-02-18" || len(m.Receipts) != 2 || m.Receipts[1].Kind != ReceiptChanged {
		t.Errorf("moved grant starts %s, receipts %d", mg.StartsAt, len(m.Receipts))
	}
	// Cancelling revokes the grant; cancelling again changes nothing.
	c, ct, err := m.CancelTransition("t1", "kari", now)
	if err != nil || ct.Status != TransitionCancelled {
		t.Fatal(ct, err)
	}
	if cg, _ := c.Grant("g1"); cg.Status != GrantRevoked {
		t.Errorf("grant %s after cancel", cg.Status)
	}
	if again, _, _ := c.CancelTransition("t1", "kari", now); again != c {
		t.Error("cancelling twice made a new version")
	}
}

// TestMember_MayTakeOwn: at 18 by birth year, or an adult without one, or
// with the owners' leave; never without an account.
func TestMember_MayTakeOwn(t *testing.T) {
	now := time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		m    Member
		want bool
	}{
		{"turns 18 this year", Member{UserID: "u", BirthYear: 2009, Role: Child}, true},
		{"17 this year", Member{UserID: "u", BirthYear: 2010, Role: Child}, false},
		{"17 with leave", Member{UserID: "u", BirthYear: 2010, Role: Child, OwnAllowed: true}, true},
		{"adult without birth year", Member{UserID: "u", Role: Adult}, true},
		{"child without birth year", Member{UserID: "u", Role: Child}, false},
		{"no account", Member{BirthYear: 1990, Role: Adult}, false},
		{"no account, with leave", Member{Role: Child, OwnAllowed: true}, false},
	}
	for _, c := range cases {
		if got := c.m.MayTakeOwn(now); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
