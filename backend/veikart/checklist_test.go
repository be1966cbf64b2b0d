package veikart

import (
	"testing"
	"time"
)

// TestChecklist_Templates: every kind has a template, each line's key is
// unique within it and its area is one every roadmap has.
func TestChecklist_Templates(t *testing.T) {
	for _, k := range []TransitionKind{TransitionRelease, TransitionDischarge, TransitionAdulthood, TransitionIntroduction, TransitionCustody, TransitionOther} {
		lines := Checklist(k)
		if len(lines) == 0 {
			t.Errorf("%s: no template", k)
		}
		seen := map[string]bool{}
		for _, l := range lines {
			if seen[l.Key] {
				t.Errorf("%s: %s twice", k, l.Key)
			}
			seen[l.Key] = true
			if !ValidID(l.Key) {
				t.Errorf("%s: key %q is no id", k, l.Key)
			}
			found := false
			for _, a := range DefaultAreaIDs {
				found = found || a == l.AreaID
			}
			if !found {
				t.Errorf("%s/%s: area %s is not a default area", k, l.Key, l.AreaID)
			}
		}
	}
	if !ValidTransitionKind(TransitionCustody) {
		t.Error("custody-begins is not a kind")
	}
}

func checklistRoadmap(t *testing.T, kind TransitionKind) (*Roadmap, time.Time) {
	t.Helper()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	r, err := NewRoadmap("rm", "kari", "Kari", nil, now)
	if err != nil {
		t.Fatal(err)
	}
	r, _, err = r.PlanTransition("t1", "g1", "kari", TransitionSpec{
		Kind: kind, Date: "2026-12-20", AgencyID: "krim", Sections: []Section{StepsSection("housing")}, Permissions: []Permission{View},
	}, now, oslo)
	if err != nil {
		t.Fatal(err)
	}
	return r, now
}

// TestRoadmap_SetChecklist: lines become steps due on the day, asked of
// their agencies; bad lines change nothing; the same list again is the
// same roadmap; a line given elsewhere is asked afresh, one left out goes.
func TestRoadmap_SetChecklist(t *testing.T) {
	bad := []struct {
		name    string
		tid     string
		lines   []ChecklistChoice
		code    string
		pointer string
	}{
		{"no such transition", "t9", nil, ENOTFOUND, ""},
		{"line of another kind", "t1", []ChecklistChoice{{Key: "rent"}}, EINVALID, "/lines/0/key"},
		{"unknown line", "t1", []ChecklistChoice{{Key: "bed"}, {Key: "yacht"}}, EINVALID, "/lines/1/key"},
		{"twice", "t1", []ChecklistChoice{{Key: "bed"}, {Key: "bed"}}, EINVALID, "/lines/1/key"},
		{"bad agency", "t1", []ChecklistChoice{{Key: "bed", AgencyID: "n a v"}}, EINVALID, "/lines/0/agencyId"},
		{"title too long", "t1", []ChecklistChoice{{Key: "bed", Title: string(make([]byte, 201))}}, EINVALID, "/lines/0/title"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			r, now := checklistRoadmap(t, TransitionRelease)
			_, _, err := r.SetChecklist(c.tid, c.lines, now)
			var e *Error
			if err == nil || ErrorCode(err) != c.code {
				t.Fatalf("err %v, want %s", err, c.code)
			}
			if c.pointer != "" {
				e = err.(*Error)
				if e.Pointer != c.pointer {
					t.Errorf("pointer %q, want %q", e.Pointer, c.pointer)
				}
			}
		})
	}

	r, now := checklistRoadmap(t, TransitionRelease)
	lines := []ChecklistChoice{{Key: "bed", Title: "Seng", AgencyID: "nav"}, {Key: "keys", Title: "Nøkler"}}
	n, steps, err := r.SetChecklist("t1", lines, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) != 2 || n.Version != r.Version+1 {
		t.Fatalf("%d steps at version %d", len(steps), n.Version)
	}
	bed, keys := steps[0], steps[1]
	if bed.Due != "2026-12-20" || bed.AreaID != "housing" || bed.Promise.Status != PromiseAsked || bed.ChecklistKey != "bed" || bed.TransitionID != "t1" {
		t.Errorf("bed %+v", bed)
	}
	if keys.Responsible.Kind != ByHousehold || keys.Promise.Status != "" {
		t.Errorf("keys %+v", keys)
	}
	tr, _ := n.Transition("t1")
	if !Unconfirmed(bed, tr) || Unconfirmed(keys, tr) {
		t.Error("the bed should be unconfirmed, the keys not")
	}
	again, _, err := n.SetChecklist("t1", lines, now.Add(time.Minute))
	if err != nil || again != n {
		t.Errorf("the same checklist again changed the roadmap (%v)", err)
	}

	// NAV confirms the bed; giving it to another agency asks afresh.
	n, _, err = n.AnswerPromise(bed.ID, "nav", PromiseAnswer{Accept: true, Due: "2026-12-19"}, now, "2026-12-01")
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := n.Step(bed.ID); Unconfirmed(s, tr) {
		t.Error("accepted by the day, still unconfirmed")
	}
	n, steps, err = n.SetChecklist("t1", []ChecklistChoice{{Key: "bed", Title: "Seng", AgencyID: "bolig"}}, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) != 1 || steps[0].Promise.Status != PromiseAsked || steps[0].Responsible.AgencyID != "bolig" {
		t.Errorf("after moving the bed to bolig: %+v", steps)
	}
	if _, ok := n.Step(keys.ID); ok {
		t.Error("the keys left out are still a step")
	}

	// The transition moves: the unanswered line moves with it.
	moved := "2026-12-22"
	n, _, err = n.UpdateTransition("t1", "kari", TransitionPatch{Date: &moved}, now, oslo)
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := n.Step(bed.ID); s.Due != moved {
		t.Errorf("bed due %s after the move, want %s", s.Due, moved)
	}

	// A cancelled transition's checklist cannot change.
	c, _, _ := n.CancelTransition("t1", "kari", now)
	if _, _, err := c.SetChecklist("t1", nil, now); ErrorCode(err) != ECONFLICT {
		t.Errorf("cancelled: %v", err)
	}
}

// TestConfirmed: what counts as confirmed for the day.
func TestConfirmed(t *testing.T) {
	tr := Transition{Date: "2026-12-20"}
	nav := Responsible{Kind: ByAgency, AgencyID: "nav"}
	cases := []struct {
		name string
		s    Step
		want bool
	}{
		{"household's own", Step{Responsible: Responsible{Kind: ByHousehold}, Status: Planned}, true},
		{"asked", Step{Responsible: nav, Status: Planned, Promise: Promise{Status: PromiseAsked}}, false},
		{"declined", Step{Responsible: nav, Status: Planned, Promise: Promise{Status: PromiseDeclined}}, false},
		{"accepted by the day", Step{Responsible: nav, Status: Planned, Promise: Promise{Status: PromiseAccepted, Due: "2026-12-20"}}, true},
		{"accepted for after", Step{Responsible: nav, Status: Planned, Promise: Promise{Status: PromiseAccepted, Due: "2026-12-21"}}, false},
		{"done", Step{Responsible: nav, Status: Done, Promise: Promise{Status: PromiseAsked}}, true},
		{"dropped", Step{Responsible: nav, Status: Dropped}, false},
	}
	for _, c := range cases {
		if got := Confirmed(c.s, tr); got != c.want {
			t.Errorf("%s: confirmed %v, want %v", c.name, got, c.want)
		}
	}
}
