package api_test

import (
	"strings"
	"testing"

	"github.com/veikart/veikart/backend/veikart"
)

// TestChecklist_PlanAndConfirm: the family chooses the release's lines,
// the bed for NAV and the keys its own; the same list again changes
// nothing; NAV's caseworker sees the bed on the roadmap and confirms it by
// the day through the promise route; leaving the keys out removes them.
func TestChecklist_PlanAndConfirm(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)
	w := newWorld(t, e)
	path := "/api/v1/roadmaps/" + w.id + "/transitions/t-pol/checklist"
	lines := map[string]any{"lines": []any{
		map[string]any{"key": "bed", "title": "Seng første natt", "agencyId": w.nav},
		map[string]any{"key": "keys", "title": "Nøkler"},
	}}
	r := e.do(t, "PUT", path, w.tokens["owner"], lines)
	if r.status != 200 || !strings.Contains(r.body, `"checklistKey":"bed"`) || !strings.Contains(r.body, `"status":"asked"`) {
		t.Fatalf("set: %d %s", r.status, r.body)
	}
	v := w.roadmap(t).Version
	if r := e.do(t, "PUT", path, w.tokens["owner"], lines); r.status != 200 || w.roadmap(t).Version != v {
		t.Errorf("the same checklist again: %d, version %d -> %d", r.status, v, w.roadmap(t).Version)
	}
	bed := veikart.ChecklistStepID("t-pol", "bed")
	if r := e.do(t, "GET", "/api/v1/roadmaps/"+w.id, w.tokens["caseworker"], nil); !strings.Contains(r.body, bed) {
		t.Errorf("NAV does not see the bed: %s", r.body)
	}
	tr, _ := w.roadmap(t).Transition("t-pol")
	r = e.do(t, "POST", "/api/v1/roadmaps/"+w.id+"/steps/"+bed+"/promise", w.tokens["caseworker"], map[string]any{"answer": "accept", "due": tr.Date})
	if r.status != 200 {
		t.Fatalf("confirm: %d %s", r.status, r.body)
	}
	s, _ := w.roadmap(t).Step(bed)
	if !veikart.Confirmed(s, tr) {
		t.Errorf("the bed is not confirmed: %+v", s.Promise)
	}
	r = e.do(t, "PUT", path, w.tokens["owner"], map[string]any{"lines": []any{map[string]any{"key": "bed", "title": "Seng første natt", "agencyId": w.nav}}})
	if r.status != 200 || strings.Contains(r.body, `"checklistKey":"keys"`) || !strings.Contains(r.body, `"status":"accepted"`) {
		t.Errorf("keys left out: %d %s", r.status, r.body)
	}
}
