package household_test

import (
	"testing"

	"github.com/veikart/veikart/backend/veikart"
)

// TestSetChecklist_OneWriteOnceAndOnlyOwners: the owners' checklist is one
// write the reminders hear; the same list again writes nothing; a line for
// an agency that does not exist, or planned by a caseworker, changes
// nothing.
func TestSetChecklist_OneWriteOnceAndOnlyOwners(t *testing.T) {
	w := newWorld(t)
	id := w.roadmap(t)
	w.grant(t, id)
	// After NAV's grant in force ends: an agency holds one grant at a time.
	tr, err := w.svc.PlanTransition(w.ctx, owner, id, "t1", veikart.TransitionSpec{
		Kind: veikart.TransitionCustody, Date: "2027-06-15", AgencyID: "nav", Sections: housing, Permissions: viewOnly,
	})
	if err != nil {
		t.Fatal(err)
	}
	lines := []veikart.ChecklistChoice{{Key: "rent", Title: "Husleia", AgencyID: "nav"}, {Key: "keys", Title: "Nøkler"}}
	before := len(w.heard.changes)
	steps, err := w.svc.SetChecklist(w.ctx, owner, id, tr.ID, lines)
	if err != nil || len(steps) != 2 || steps[0].Promise.Status != veikart.PromiseAsked {
		t.Fatalf("set: %v %+v", err, steps)
	}
	if len(w.heard.changes) != before+1 {
		t.Fatalf("reminders heard %d changes, want one", len(w.heard.changes)-before)
	}
	for _, c := range []struct {
		name  string
		lines []veikart.ChecklistChoice
		want  string
	}{
		{"the same again", lines, ""},
		{"no such agency", []veikart.ChecklistChoice{{Key: "rent", AgencyID: "ag-none"}}, veikart.EINVALID},
		{"a line of release", []veikart.ChecklistChoice{{Key: "medicine"}}, veikart.EINVALID},
	} {
		v, _ := w.store.Roadmap(w.ctx, id)
		if _, err := w.svc.SetChecklist(w.ctx, owner, id, tr.ID, c.lines); code(err) != c.want {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
		if after, _ := w.store.Roadmap(w.ctx, id); after.Version != v.Version {
			t.Errorf("%s: the roadmap changed", c.name)
		}
	}
	if _, err := w.svc.SetChecklist(w.ctx, caseworker, id, tr.ID, nil); code(err) != veikart.EFORBIDDEN {
		t.Errorf("a caseworker planning the day: %v, want forbidden", err)
	}
	if _, err := w.svc.SetChecklist(w.ctx, owner, id, "../t1", nil); code(err) != veikart.ENOTFOUND {
		t.Errorf("a bad transition id: %v, want not found", err)
	}
}
