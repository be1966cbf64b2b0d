package api_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestReviews_RhythmDraftSaveAndTimeline: the family chooses a review every
// three months, finishes a housing step and a health step and scores
// housing; the draft lists what changed, saving it twice saves once, and
// the next draft compares with it. The timeline shows the steps and the
// review to the owners; NAV (housing granted) sees the housing step, its
// review lines without the family's words, and nothing of health, and its
// reads are in the household's access log.
func TestReviews_RhythmDraftSaveAndTimeline(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)
	w := newWorld(t, e)
	owner, nav := w.tokens["owner"], w.tokens["caseworker"]
	base := "/api/v1/roadmaps/" + w.id

	r := e.do(t, "PUT", base+"/review-rhythm", owner, map[string]any{"months": 3})
	if r.status != 200 || r.json(t)["months"] != float64(3) || r.json(t)["next"] == nil {
		t.Fatalf("rhythm: %d %s", r.status, r.body)
	}
	e.clock.Add(time.Minute)
	version := w.roadmap(t).Version
	ops := map[string]any{"operations": []any{
		map[string]any{"opId": "r1", "type": "step.update", "stepId": "s1", "baseVersion": version, "set": map[string]any{"status": "done"}},
		map[string]any{"opId": "r2", "type": "step.update", "stepId": "s2", "baseVersion": version, "set": map[string]any{"status": "done"}},
		map[string]any{"opId": "r3", "type": "area.update", "areaId": "housing", "baseVersion": version, "set": map[string]any{"scoreNow": 3}},
	}}
	if r := e.do(t, "POST", base+"/operations", owner, ops); r.status != 200 {
		t.Fatalf("operations: %d %s", r.status, r.body)
	}
	e.clock.Add(time.Minute)
	draft := e.do(t, "GET", base+"/reviews/draft", owner, nil)
	if draft.status != 200 || !strings.Contains(draft.body, `"stepId":"s1"`) || !strings.Contains(draft.body, `"stepId":"s2"`) ||
		!strings.Contains(draft.body, `"areaId":"housing","scoreNow":3`) {
		t.Fatalf("draft: %d %s", draft.status, draft.body)
	}
	save := map[string]any{"id": "rv1", "note": "OWN-REVIEW-WORDS"}
	if r := e.do(t, "POST", base+"/reviews", owner, save); r.status != 201 || !strings.Contains(r.body, `"id":"rv1"`) {
		t.Fatalf("save: %d %s", r.status, r.body)
	}
	if r := e.do(t, "POST", base+"/reviews", owner, save); r.status != 200 {
		t.Fatalf("save again: %d %s", r.status, r.body)
	}
	// The next review compares with the saved one: housing then 3, no
	// steps since.
	e.clock.Add(time.Minute)
	next := e.do(t, "GET", base+"/reviews/draft", owner, nil)
	if !strings.Contains(next.body, `"areaId":"housing","scoreThen":3,"scoreNow":3`) || !strings.Contains(next.body, `"steps":[]`) ||
		!strings.Contains(next.body, `"lastAt"`) {
		t.Fatalf("next draft: %s", next.body)
	}
	list := e.do(t, "GET", base+"/reviews", owner, nil)
	if list.status != 200 || strings.Count(list.body, `"id":"rv1"`) != 1 || !strings.Contains(list.body, "OWN-REVIEW-WORDS") {
		t.Fatalf("reviews: %d %s", list.status, list.body)
	}

	tl := e.do(t, "GET", base+"/timeline", owner, nil)
	for _, s := range []string{`"kind":"step-done","at":`, `"stepId":"s1"`, `"stepId":"s2"`, `"kind":"review"`, `"reviewId":"rv1"`, `"kind":"grant-given"`} {
		if !strings.Contains(tl.body, s) {
			t.Errorf("the owner's timeline lacks %s: %s", s, tl.body)
		}
	}
	if r := e.do(t, "GET", base+"/timeline?limit=1", owner, nil); r.status != 200 || r.json(t)["next"] == nil || strings.Count(r.body, `"kind"`) != 1 {
		t.Errorf("first page of one: %d %s", r.status, r.body)
	}

	ctl := e.do(t, "GET", base+"/timeline", nav, nil)
	if ctl.status != 200 || !strings.Contains(ctl.body, `"stepId":"s1"`) || !strings.Contains(ctl.body, `"reviewId":"rv1"`) {
		t.Fatalf("NAV's timeline: %d %s", ctl.status, ctl.body)
	}
	for _, s := range []string{`"stepId":"s2"`, mStepHealth, `"areaId":"health"`, w.childWelfare, w.housing, w.police} {
		if strings.Contains(ctl.body, s) {
			t.Errorf("NAV's timeline has %s: %s", s, ctl.body)
		}
	}
	crv := e.do(t, "GET", base+"/reviews", nav, nil)
	if crv.status != 200 || !strings.Contains(crv.body, `"stepId":"s1"`) || strings.Contains(crv.body, `"stepId":"s2"`) ||
		strings.Contains(crv.body, "OWN-REVIEW-WORDS") || strings.Contains(crv.body, `"areaId":"health"`) {
		t.Fatalf("NAV's reviews: %d %s", crv.status, crv.body)
	}
	log := e.do(t, "GET", base+"/access-log", owner, nil)
	if strings.Count(log.body, `"action":"read-history"`) < 1 {
		t.Fatalf("NAV's reads of the history are not logged: %s", log.body)
	}
}

// TestReviews_BadInput: every refusal is problem details, and changes
// nothing.
func TestReviews_BadInput(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)
	w := newWorld(t, e)
	owner := w.tokens["owner"]
	base := "/api/v1/roadmaps/" + w.id
	for _, c := range []struct {
		name, method, path string
		body               any
		status             int
	}{
		{"a rhythm not offered", "PUT", "/review-rhythm", map[string]any{"months": 2}, 422},
		{"a rhythm as text", "PUT", "/review-rhythm", map[string]any{"months": "3"}, 422},
		{"no rhythm", "PUT", "/review-rhythm", map[string]any{}, 422},
		{"an unknown field", "PUT", "/review-rhythm", map[string]any{"months": 3, "every": "week"}, 422},
		{"not JSON", "PUT", "/review-rhythm", "months=3", 400},
		{"a review without id", "POST", "/reviews", map[string]any{"note": "x"}, 422},
		{"a bad review id", "POST", "/reviews", map[string]any{"id": "no spaces", "note": "x"}, 422},
		{"a note too long", "POST", "/reviews", map[string]any{"id": "rv1", "note": strings.Repeat("a", 2001)}, 422},
		{"a control character", "POST", "/reviews", map[string]any{"id": "rv1", "note": "a\u0000b"}, 422},
		{"a cursor that is no page", "GET", "/timeline?cursor=abc", nil, 422},
		{"a negative cursor", "GET", "/timeline?cursor=-1", nil, 422},
		{"an offset, as cursors were", "GET", "/timeline?cursor=1", nil, 422},
		{"a forged cursor of an unknown kind", "GET", "/timeline?cursor=" + b64("1.1764000000.0.anything.0123456789abcdef.1"), nil, 422},
		{"a forged cursor with no tie", "GET", "/timeline?cursor=" + b64("1.1764000000.0.review..1"), nil, 422},
		{"a forged cursor past year 9999", "GET", "/timeline?cursor=" + b64("1.999999999999.0.review.0123456789abcdef.1"), nil, 422},
		{"a cursor of padded base64", "GET", "/timeline?cursor=" + b64("1.1764000000.0.review.0123456789abcdef.1") + "%3D", nil, 422},
		{"a limit of 0", "GET", "/timeline?limit=0", nil, 422},
		{"a limit too big", "GET", "/timeline?limit=101", nil, 422},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := w.roadmap(t)
			r := e.do(t, c.method, base+c.path, owner, c.body)
			if r.status != c.status || !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
				t.Fatalf("status %d (%s), want %d: %s", r.status, r.header.Get("Content-Type"), c.status, r.body)
			}
			if after := w.roadmap(t); after.Rev != before.Rev {
				t.Fatal("a refused request changed the roadmap")
			}
		})
	}
}

// TestTimeline_PagesByPlace: the owner reads the timeline a page of one
// entry at a time while the family finishes a step; every entry there
// was when the first page was read comes once, in order, and the new one
// waits for the next read from the top (an offset would have shown the
// first entry twice).
func TestTimeline_PagesByPlace(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)
	w := newWorld(t, e)
	owner := w.tokens["owner"]
	base := "/api/v1/roadmaps/" + w.id
	step := func(id string) {
		t.Helper()
		e.clock.Add(time.Minute)
		ops := map[string]any{"operations": []any{map[string]any{"opId": "done-" + id, "type": "step.update", "stepId": id,
			"baseVersion": w.roadmap(t).Version, "set": map[string]any{"status": "done"}}}}
		if r := e.do(t, "POST", base+"/operations", owner, ops); r.status != 200 {
			t.Fatalf("operations: %d %s", r.status, r.body)
		}
	}
	type page struct {
		Items []map[string]any `json:"items"`
		Next  string           `json:"next"`
	}
	get := func(q string) page {
		t.Helper()
		r := e.do(t, "GET", base+"/timeline"+q, owner, nil)
		var p page
		if r.status != 200 || json.Unmarshal([]byte(r.body), &p) != nil {
			t.Fatalf("timeline%s: %d %s", q, r.status, r.body)
		}
		return p
	}
	key := func(m map[string]any) string { b, _ := json.Marshal(m); return string(b) }

	step("s1")
	var want []string
	for _, m := range get("?limit=100").Items {
		want = append(want, key(m))
	}
	if len(want) < 3 {
		t.Fatalf("too few entries to page: %v", want)
	}
	var got []string
	p := get("?limit=1")
	for i := 0; ; i++ {
		for _, m := range p.Items {
			got = append(got, key(m))
		}
		if i == 0 {
			step("s2") // newer than every entry shown
		}
		if p.Next == "" || i > len(want) {
			break
		}
		p = get("?limit=1&cursor=" + url.QueryEscape(p.Next))
	}
	if !slices.Equal(got, want) {
		t.Fatalf("paged:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if top := get("?limit=1"); len(top.Items) != 1 || top.Items[0]["stepId"] != "s2" {
		t.Fatalf("the new entry is not first from the top: %v", top.Items)
	}
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// TestReviews_ExportedAndErased: the owner's export carries the rhythm and
// the saved reviews with the family's words; erasing the roadmap erases
// its reviews (their own document, beside it).
func TestReviews_ExportedAndErased(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)
	w := newWorld(t, e)
	owner := w.tokens["owner"]
	base := "/api/v1/roadmaps/" + w.id
	if r := e.do(t, "PUT", base+"/review-rhythm", owner, map[string]any{"months": 6}); r.status != 200 {
		t.Fatalf("rhythm: %d %s", r.status, r.body)
	}
	if r := e.do(t, "POST", base+"/reviews", owner, map[string]any{"id": "rv-x", "note": "EXPORTED-REVIEW-WORDS"}); r.status != 201 {
		t.Fatalf("save: %d %s", r.status, r.body)
	}
	x := e.do(t, "GET", "/api/v1/me/export", owner, nil)
	if x.status != 200 || !strings.Contains(x.body, "EXPORTED-REVIEW-WORDS") || !strings.Contains(x.body, `"reviewRhythm":{"months":6`) {
		t.Fatalf("export: %d %.2000s", x.status, x.body)
	}
	if r := e.do(t, "DELETE", base, owner, nil); r.status != 204 {
		t.Fatalf("erase: %d %s", r.status, r.body)
	}
	left, err := e.store.Reviews(context.Background(), w.id)
	if err != nil || len(left) != 0 {
		t.Fatalf("after erasure: %d reviews, %v", len(left), err)
	}
}
