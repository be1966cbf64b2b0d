package api_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/validate"
)

// checkInBody is one sitting in housing (the household) and health.
func checkInBody(date string, housing int, ids ...string) map[string]any {
	if len(ids) == 0 {
		ids = []string{"r-house-" + date, "r-health-" + date}
	}
	return map[string]any{"date": date, "with": "family", "readings": []any{
		map[string]any{"id": ids[0], "areaId": "housing", "score": housing, "note": "Leiligheten er trangere nå"},
		map[string]any{"id": ids[1], "areaId": "work", "score": 2},
	}}
}

// TestCheckIns_BadInputIsRefused: whatever is wrong with a check-in is
// refused with problem details, and nothing is recorded.
func TestCheckIns_BadInputIsRefused(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)
	w := newWorld(t, e)
	owner := w.tokens["owner"]
	path := "/api/v1/roadmaps/" + w.id + "/checkins"
	today := osloToday(e)
	future := e.clock.Now().AddDate(0, 0, 3).Format(time.DateOnly)
	one := func(reading map[string]any) map[string]any {
		return map[string]any{"date": today, "with": "family", "readings": []any{reading}}
	}
	cases := []struct {
		name   string
		token  string
		body   any
		status int
	}{
		{"malformed JSON", owner, `{"date": "` + today + `", "with": "family", "readings": [`, 400},
		{"not an object", owner, `[]`, 422},
		{"score as a string", owner, one(map[string]any{"id": "x", "areaId": "housing", "score": "3"}), 422},
		{"date as a number", owner, map[string]any{"date": 20261126, "with": "family", "readings": []any{map[string]any{"id": "x", "areaId": "housing", "score": 3}}}, 422},
		{"unknown field", owner, one(map[string]any{"id": "x", "areaId": "housing", "score": 3, "mood": "good"}), 422},
		{"unknown top-level field", owner, map[string]any{"date": today, "with": "family", "by": "someone", "readings": []any{map[string]any{"id": "x", "areaId": "housing", "score": 3}}}, 422},
		{"oversize body", owner, `{"date":"` + today + `","with":"family","readings":[{"id":"x","areaId":"housing","score":3,"note":"` + strings.Repeat("a", 300<<10) + `"}]}`, 413},
		{"note too long", owner, one(map[string]any{"id": "x", "areaId": "housing", "score": 3, "note": strings.Repeat("a", 281)}), 422},
		{"future date", owner, map[string]any{"date": future, "with": "family", "readings": []any{map[string]any{"id": "x", "areaId": "housing", "score": 3}}}, 422},
		{"score 0", owner, one(map[string]any{"id": "x", "areaId": "housing", "score": 0}), 422},
		{"score 6", owner, one(map[string]any{"id": "x", "areaId": "housing", "score": 6}), 422},
		{"no such area", owner, one(map[string]any{"id": "x", "areaId": "moon", "score": 3}), 422},
		{"who scored missing", owner, map[string]any{"date": today, "readings": []any{map[string]any{"id": "x", "areaId": "housing", "score": 3}}}, 422},
		{"no readings", owner, map[string]any{"date": today, "with": "family", "readings": []any{}}, 422},
		{"someone else's roadmap", w.tokens["other-person"], checkInBody(today, 3), 404},
		{"a caseworker", w.tokens["caseworker"], checkInBody(today, 3), 403},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.do(t, "POST", path, c.token, c.body)
			if r.status != c.status || !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
				t.Fatalf("status %d (%s), want %d problem details: %s", r.status, r.header.Get("Content-Type"), c.status, r.body)
			}
		})
	}
	// Only the world's own reading (Kari's, ci-w) is there.
	if r := e.do(t, "GET", path, owner, nil); r.status != 200 || strings.Count(r.body, `"id":`) != 1 || !strings.Contains(r.body, `"id":"ci-w"`) {
		t.Fatalf("something was recorded: %d %s", r.status, r.body)
	}
	if r := e.do(t, "GET", path+"?area=a/b", owner, nil); r.status != 422 && r.status != 400 {
		t.Fatalf("bad area id: %d %s", r.status, r.body)
	}
}

// TestCheckIns_PathAndScoreNow: three check-ins months apart (one sent
// twice) make a history of three, the newest household reading is the
// area's scoreNow, a member's reading does not move it, and taking the
// newest back returns the score to the one before.
func TestCheckIns_PathAndScoreNow(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)
	w := newWorld(t, e)
	owner := w.tokens["owner"]
	path := "/api/v1/roadmaps/" + w.id + "/checkins"
	day := func(months int) string { return e.clock.Now().AddDate(0, months, 0).Format(time.DateOnly) }
	scoreNow := func() float64 {
		t.Helper()
		for _, a := range e.do(t, "GET", "/api/v1/roadmaps/"+w.id, owner, nil).json(t)["areas"].([]any) {
			if a := a.(map[string]any); a["id"] == "housing" {
				s, _ := a["scoreNow"].(float64)
				return s
			}
		}
		t.Fatal("no housing")
		return 0
	}
	for i, c := range []struct {
		date  string
		score int
	}{{day(-6), 2}, {day(-3), 3}, {day(0), 4}} {
		r := e.do(t, "POST", path, owner, checkInBody(c.date, c.score))
		if r.status != 201 || !strings.Contains(r.body, `"recordedBy":"`+w.users["owner"]+`"`) {
			t.Fatalf("check-in %d: %d %s", i, r.status, r.body)
		}
		if got := scoreNow(); got != float64(c.score) {
			t.Fatalf("after check-in %d scoreNow is %v, want %d", i, got, c.score)
		}
	}
	// The last one again (the app's queue after a lost answer).
	if r := e.do(t, "POST", path, owner, checkInBody(day(0), 4)); r.status != 200 {
		t.Fatalf("repeat: %d %s", r.status, r.body)
	}
	// An offline check-in made earlier, arriving late, does not move the
	// score past the newer one.
	if r := e.do(t, "POST", path, owner, checkInBody(day(-1), 1, "late-h", "late-w")); r.status != 201 || scoreNow() != 4 {
		t.Fatalf("late arrival: %d %s (scoreNow %v)", r.status, r.body, scoreNow())
	}
	// A member's own reading (m1, named by housing) does not move it.
	if r := e.do(t, "POST", path, owner, map[string]any{"date": day(0), "with": "caseworker", "agencyId": w.nav, "readings": []any{
		map[string]any{"id": "m1-house", "areaId": "housing", "memberId": "m1", "score": 1}}}); r.status != 201 || scoreNow() != 4 {
		t.Fatalf("member's reading: %d %s (scoreNow %v)", r.status, r.body, scoreNow())
	}
	r := e.do(t, "GET", path+"?area=housing", owner, nil)
	items, _ := r.json(t)["items"].([]any)
	// Three sittings, the late one, the member's and the world's (ci-w).
	if r.status != 200 || len(items) != 6 || items[0].(map[string]any)["date"] != day(-6) {
		t.Fatalf("housing's history: %d %s", r.status, r.body)
	}
	// Taken back: the score is the one before again.
	if r := e.do(t, "DELETE", path+"/r-house-"+day(0), w.tokens["member"], nil); r.status != 403 && r.status != 404 {
		t.Fatalf("a member takes back: %d %s", r.status, r.body)
	}
	if r := e.do(t, "DELETE", path+"/r-house-"+day(0), owner, nil); r.status != 200 || scoreNow() != 1 {
		t.Fatalf("take back: %d %s (scoreNow %v)", r.status, r.body, scoreNow())
	}
	if r := e.do(t, "DELETE", path+"/r-house-"+day(0), owner, nil); r.status != 404 {
		t.Fatalf("take back again: %d %s", r.status, r.body)
	}
}

// TestCheckIns_CaseworkerSeesGrantedAreasOnly: NAV's grant covers housing,
// not work: its caseworker reads housing's history (logged before the
// answer), not work's, neither listed nor by name, and never who recorded.
func TestCheckIns_CaseworkerSeesGrantedAreasOnly(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)
	w := newWorld(t, e)
	owner, cw := w.tokens["owner"], w.tokens["caseworker"]
	path := "/api/v1/roadmaps/" + w.id + "/checkins"
	if r := e.do(t, "POST", path, owner, checkInBody(e.clock.Now().Format(time.DateOnly), 3)); r.status != 201 {
		t.Fatalf("check-in: %d %s", r.status, r.body)
	}
	r := e.do(t, "GET", path, cw, nil)
	if r.status != 200 || !strings.Contains(r.body, `"areaId":"housing"`) || strings.Contains(r.body, `"areaId":"work"`) ||
		strings.Contains(r.body, w.users["owner"]) || strings.Contains(r.body, "recordedBy") {
		t.Fatalf("caseworker's history: %d %s", r.status, r.body)
	}
	if r := e.do(t, "GET", path+"?area=work", cw, nil); r.status != 404 {
		t.Fatalf("work by name: %d %s", r.status, r.body)
	}
	log := e.do(t, "GET", "/api/v1/roadmaps/"+w.id+"/access-log", owner, nil)
	if !strings.Contains(log.body, `"area:housing"`) || strings.Contains(log.body, `"area:work"`) {
		t.Fatalf("the read is not in the access log as housing's: %s", log.body)
	}
	// The expired grant's caseworker is told it ended.
	if r := e.do(t, "GET", path, w.tokens["expired"], nil); r.status != 403 || !strings.Contains(r.body, "access-ended") {
		t.Fatalf("expired: %d %s", r.status, r.body)
	}
}

// TestCheckIns_ScoreChangedOnTheAreaFormIsAReading: an owner setting
// housing's scoreNow through the area's form (an operation) records a
// household reading dated today, once however often the batch is sent.
func TestCheckIns_ScoreChangedOnTheAreaFormIsAReading(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)
	w := newWorld(t, e)
	owner := w.tokens["owner"]
	batch := func(w *world) map[string]any {
		return map[string]any{"operations": []any{map[string]any{
			"opId": "score-op-1", "type": "area.update", "areaId": "housing", "baseVersion": w.roadmap(t).Version, "set": map[string]any{"scoreNow": 3}}}}
	}
	b := batch(w)
	for range 2 {
		if r := e.do(t, "POST", "/api/v1/roadmaps/"+w.id+"/operations", owner, b); r.status != 200 {
			t.Fatalf("operations: %d %s", r.status, r.body)
		}
	}
	r := e.do(t, "GET", "/api/v1/roadmaps/"+w.id+"/checkins?area=housing", owner, nil)
	if r.status != 200 || strings.Count(r.body, `"id":"score-op-1"`) != 1 || !strings.Contains(r.body, `"score":3`) ||
		!strings.Contains(r.body, `"date":"`+osloToday(e)+`"`) {
		t.Fatalf("history: %d %s", r.status, r.body)
	}
}

// osloToday is the households' date (the server's default time zone).
func osloToday(e *env) string {
	loc, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		loc = time.UTC
	}
	return e.clock.Now().In(loc).Format(time.DateOnly)
}

// TestCheckIns_InTheOwnersExport: the owners' export holds the roadmap's
// readings (valid against export.schema.json); a linked member's holds
// those of the areas that name her; a caseworker's none.
func TestCheckIns_InTheOwnersExport(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)
	w := newWorld(t, e)
	v, err := validate.New()
	if err != nil {
		t.Fatal(err)
	}
	// The member's own index of roadmaps, as accepting her invitation
	// leaves it. Health names her (m2); housing does not.
	if err := e.store.AddUserRoadmap(context.Background(), w.users["member"], w.id); err != nil {
		t.Fatal(err)
	}
	if r := e.do(t, "POST", "/api/v1/roadmaps/"+w.id+"/checkins", w.tokens["owner"], map[string]any{"date": osloToday(e), "with": "family", "readings": []any{
		map[string]any{"id": "x-health", "areaId": "health", "score": 3}, map[string]any{"id": "x-house", "areaId": "housing", "score": 2},
	}}); r.status != 201 {
		t.Fatalf("check-in: %d %s", r.status, r.body)
	}
	r := e.do(t, "GET", "/api/v1/me/export", w.tokens["member"], nil)
	if r.status != 200 || !strings.Contains(r.body, `"memberReadings":[{"roadmapId":"`+w.id+`","readings":[{"id":"x-health"`) ||
		strings.Contains(r.body, `"x-house"`) || strings.Contains(r.body, `"ci-w"`) {
		t.Fatalf("member's export: %d %s", r.status, r.body)
	}
	if err := v.Validate("export.schema.json", []byte(r.body)); err != nil {
		t.Fatalf("member's export is not valid against export.schema.json: %v", err)
	}
	r = e.do(t, "GET", "/api/v1/me/export", w.tokens["owner"], nil)
	if r.status != 200 || !strings.Contains(r.body, `"readings":[{"id":"ci-w"`) {
		t.Fatalf("owner's export: %d %s", r.status, r.body)
	}
	if err := v.Validate("export.schema.json", []byte(r.body)); err != nil {
		t.Fatalf("export is not valid against export.schema.json: %v", err)
	}
	if r := e.do(t, "GET", "/api/v1/me/export", w.tokens["caseworker"], nil); r.status != 200 || strings.Contains(r.body, `"ci-w"`) {
		t.Fatalf("caseworker's export: %d %s", r.status, r.body)
	}
}
