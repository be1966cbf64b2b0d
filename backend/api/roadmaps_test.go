package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/veikart"
)

func op(id, typ string, fields map[string]any) map[string]any {
	m := map[string]any{"opId": id, "type": typ}
	for k, v := range fields {
		m[k] = v
	}
	return m
}

func ops(o ...map[string]any) map[string]any {
	list := make([]any, len(o))
	for i := range o {
		list[i] = o[i]
	}
	return map[string]any{"operations": list}
}

func TestRoadmaps_CreateChangeReadBack(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)
	kari := e.login(t, "Kari")
	e.createRoadmap(t, kari, "00000000-0000-4000-8000-000000000024", "Kari")

	r := e.do(t, "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/operations", kari.access, ops(
		op("a1", "member.add", map[string]any{"member": map[string]any{"id": "m2", "name": "Sara", "role": "child", "birthYear": 2014}}),
		op("a2", "area.update", map[string]any{"areaId": "housing", "baseVersion": 1, "set": map[string]any{"now": "For liten leilighet", "desired": "Eget rom til Sara", "scoreNow": 2, "scoreDesired": 4, "memberIds": []any{"m1", "m2"}}}),
		op("a3", "area.add", map[string]any{"area": map[string]any{"id": "faith", "title": "Tro og fellesskap", "now": "Går i moskeen"}}),
		op("a4", "step.add", map[string]any{"step": map[string]any{"id": "s1", "areaId": "housing", "title": "Søke kommunal bolig", "responsible": map[string]any{"kind": "member", "memberId": "m1"}, "due": "2026-12-15", "term": "short"}}),
		op("a5", "roadmap.setTitle", map[string]any{"baseVersion": 1, "title": "Vår plan"}),
	))
	if r.status != 200 {
		t.Fatalf("operations: %d %s", r.status, r.body)
	}
	if r.header.Get("ETag") != `"v2"` {
		t.Fatalf("ETag %q", r.header.Get("ETag"))
	}
	g := e.do(t, "GET", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024", kari.access, nil)
	for _, want := range []string{`"version":2`, "For liten leilighet", "Tro og fellesskap", "Søke kommunal bolig", `"scoreNow":2`, "Vår plan", `"due":"2026-12-15"`, `"status":"planned"`} {
		if !strings.Contains(g.body, want) {
			t.Errorf("read back lacks %s: %s", want, g.body)
		}
	}

	// Clear a score and a due date with null; mark the step done.
	r = e.do(t, "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/operations", kari.access, ops(
		op("b1", "area.update", map[string]any{"areaId": "housing", "baseVersion": 2, "set": map[string]any{"scoreNow": nil}}),
		op("b2", "step.update", map[string]any{"stepId": "s1", "baseVersion": 2, "set": map[string]any{"due": nil, "status": "done"}}),
	))
	if r.status != 200 || strings.Contains(r.body, `"scoreNow":2`) || strings.Contains(r.body, "2026-12-15") || !strings.Contains(r.body, `"status":"done"`) {
		t.Fatalf("clear: %d %s", r.status, r.body)
	}
}

func TestRoadmaps_OperationsAreIdempotent(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)
	kari := e.login(t, "Kari")
	e.createRoadmap(t, kari, "00000000-0000-4000-8000-000000000024", "Kari")
	batch := ops(
		op("x1", "step.add", map[string]any{"step": map[string]any{"id": "s1", "areaId": "work", "title": "Møte NAV", "responsible": map[string]any{"kind": "agency", "agencyId": "nav-sola"}, "term": "short"}}),
		op("x2", "area.update", map[string]any{"areaId": "work", "baseVersion": 1, "set": map[string]any{"now": "Deltid"}}),
	)
	first := e.do(t, "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/operations", kari.access, batch)
	second := e.do(t, "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/operations", kari.access, batch)
	if first.status != 200 || second.status != 200 {
		t.Fatalf("statuses %d %d: %s", first.status, second.status, second.body)
	}
	if !strings.Contains(first.body, `"outcome":"applied"`) || strings.Contains(second.body, `"outcome":"applied"`) {
		t.Fatalf("outcomes: first %s second %s", first.body, second.body)
	}
	if !strings.Contains(second.body, `"version":2,`) || strings.Count(second.body, `"id":"s1"`) != 1 {
		t.Fatalf("second send changed something: %s", second.body)
	}
}

func TestRoadmaps_StaleEditConflicts(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)
	kari := e.login(t, "Kari")
	e.createRoadmap(t, kari, "00000000-0000-4000-8000-000000000024", "Kari")
	// Two phones start from version 1; the first changes "now".
	if r := e.do(t, "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/operations", kari.access,
		ops(op("p1", "area.update", map[string]any{"areaId": "health", "baseVersion": 1, "set": map[string]any{"now": "Phone one"}}))); r.status != 200 {
		t.Fatal(r.body)
	}
	// The second phone's edit of another field of the same area goes through...
	if r := e.do(t, "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/operations", kari.access,
		ops(op("p2", "area.update", map[string]any{"areaId": "health", "baseVersion": 1, "set": map[string]any{"desired": "Phone two"}}))); r.status != 200 {
		t.Fatalf("edit of another field: %d %s", r.status, r.body)
	}
	// ...but its edit of the same field is refused with the current state.
	r := e.do(t, "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/operations", kari.access,
		ops(op("p3", "area.update", map[string]any{"areaId": "health", "baseVersion": 1, "set": map[string]any{"now": "Phone two"}})))
	if r.status != 409 || !strings.Contains(r.body, `"target":"area:health"`) || !strings.Contains(r.body, "Phone one") || !strings.Contains(r.body, `"currentVersion":3`) {
		t.Fatalf("stale edit: %d %s", r.status, r.body)
	}
	g := e.do(t, "GET", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024", kari.access, nil)
	if strings.Contains(g.body, `"now":"Phone two"`) || !strings.Contains(g.body, `"version":3`) {
		t.Fatalf("a refused edit changed data: %s", g.body)
	}
}

func TestRoadmaps_ETagsAndPreconditions(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)
	kari := e.login(t, "Kari")
	e.createRoadmap(t, kari, "00000000-0000-4000-8000-000000000024", "Kari")
	if r := e.do(t, "GET", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024", kari.access, nil, "If-None-Match", `"v1"`); r.status != 304 || r.body != "" {
		t.Fatalf("If-None-Match: %d %q", r.status, r.body)
	}
	body := ops(op("q1", "roadmap.setTitle", map[string]any{"baseVersion": 1, "title": "Ny"}))
	if r := e.do(t, "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/operations", kari.access, body, "If-Match", `"v7"`); r.status != 412 {
		t.Fatalf("If-Match stale: %d %s", r.status, r.body)
	}
	if r := e.do(t, "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/operations", kari.access, body, "If-Match", `"v1"`); r.status != 200 {
		t.Fatalf("If-Match current: %d %s", r.status, r.body)
	}
	if r := e.do(t, "DELETE", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024", kari.access, nil, "If-Match", `"v1"`); r.status != 412 {
		t.Fatalf("delete If-Match stale: %d %s", r.status, r.body)
	}
	if r := e.do(t, "DELETE", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024", kari.access, nil, "If-Match", `"v2"`); r.status != 204 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	if r := e.do(t, "GET", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024", kari.access, nil); r.status != 404 {
		t.Fatalf("after delete: %d", r.status)
	}
	if r := e.do(t, "GET", "/api/v1/roadmaps", kari.access, nil); strings.Contains(r.body, "00000000-0000-4000-8000-000000000024") {
		t.Fatalf("deleted roadmap still listed: %s", r.body)
	}
}

// TestRoadmaps_BadInputChangesNothing sends malformed and hostile requests to
// every route that takes a body and checks each gets a clear 4xx problem and
// leaves the data as it was.
func TestRoadmaps_BadInputChangesNothing(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, method, path, contentType, body string
		status                                int
		problem                               string
	}{
		{"malformed json", "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/operations", "application/json", `{"operations":[`, 400, "malformed-json"},
		{"not json at all", "POST", "/api/v1/roadmaps", "application/json", `hello`, 400, "malformed-json"},
		{"wrong content type", "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/operations", "text/plain", `{"operations":[]}`, 415, "unsupported-media-type"},
		{"form content type", "POST", "/api/v1/roadmaps", "application/x-www-form-urlencoded", `title=x`, 415, "unsupported-media-type"},
		{"charset utf-16", "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/operations", "application/json; charset=utf-16", setTitle("x"), 415, "unsupported-media-type"},
		{"charset latin1", "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/operations", "application/json;charset=ISO-8859-1", setTitle("x"), 415, "unsupported-media-type"},
		{"broken content type", "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/operations", "application/json; charset", setTitle("x"), 415, "unsupported-media-type"},
		{"lone high surrogate", "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/operations", "application/json", setTitle(`a\ud800b`), 400, "malformed-json"},
		{"lone low surrogate", "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/operations", "application/json", setTitle(`\udc00`), 400, "malformed-json"},
		{"high surrogate then a letter", "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/operations", "application/json", setTitle(`\ud83d\u0041`), 400, "malformed-json"},
		{"escaped noncharacter", "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/operations", "application/json", setTitle(`\uFFFE`), 400, "malformed-json"},
		{"raw invalid UTF-8", "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/operations", "application/json", setTitle("a\xc0\xaf\xffb"), 400, "malformed-json"},
		{"raw encoded surrogate", "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/operations", "application/json", setTitle("\xed\xa0\x80"), 400, "malformed-json"},
		{"raw noncharacter", "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/operations", "application/json", setTitle("\xef\xb7\x90"), 400, "malformed-json"},
		{"invalid UTF-8 in a key", "POST", "/api/v1/roadmaps", "application/json", "{\"ti\xfftle\":\"x\"}", 400, "malformed-json"},
		{"invalid UTF-8 on create", "POST", "/api/v1/roadmaps", "application/json", "{\"id\":\"00000000-0000-4000-8000-000000000025\",\"title\":\"\xff\"}", 400, "malformed-json"},
		{"unknown field", "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/operations", "application/json", `{"operations":[],"extra":1}`, 422, "validation"},
		{"unknown op field", "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/operations", "application/json", `{"operations":[{"opId":"a","type":"roadmap.setTitle","baseVersion":1,"title":"x","admin":true}]}`, 422, "validation"},
		{"wrong type", "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/operations", "application/json", `{"operations":[{"opId":"a","type":"roadmap.setTitle","baseVersion":"1","title":"x"}]}`, 422, "validation"},
		{"unknown op type", "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/operations", "application/json", `{"operations":[{"opId":"a","type":"roadmap.delete","baseVersion":1}]}`, 422, "validation"},
		{"too many ops", "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/operations", "application/json", manyOps(101), 422, "validation"},
		{"empty ops", "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/operations", "application/json", `{"operations":[]}`, 422, "validation"},
		{"oversize string", "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/operations", "application/json", `{"operations":[{"opId":"a","type":"roadmap.setTitle","baseVersion":1,"title":"` + strings.Repeat("y", 201) + `"}]}`, 422, "validation"},
		{"score out of range", "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/operations", "application/json", `{"operations":[{"opId":"a","type":"area.update","areaId":"work","baseVersion":1,"set":{"scoreNow":9}}]}`, 422, "validation"},
		{"bad op id", "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/operations", "application/json", `{"operations":[{"opId":"../x","type":"roadmap.setTitle","baseVersion":1,"title":"x"}]}`, 422, "validation"},
		{"future base version", "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/operations", "application/json", `{"operations":[{"opId":"a","type":"roadmap.setTitle","baseVersion":99,"title":"x"}]}`, 422, "validation"},
		{"unknown member in area", "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/operations", "application/json", `{"operations":[{"opId":"a","type":"area.update","areaId":"work","baseVersion":1,"set":{"memberIds":["ghost"]}}]}`, 422, "validation"},
		{"step in unknown area", "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/operations", "application/json", `{"operations":[{"opId":"a","type":"step.add","step":{"id":"s1","areaId":"nowhere","title":"x","responsible":{"kind":"household"},"term":"short"}}]}`, 422, "validation"},
		{"remove default area", "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/operations", "application/json", `{"operations":[{"opId":"a","type":"area.remove","areaId":"housing","baseVersion":1}]}`, 422, "validation"},
		{"bad due date", "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/operations", "application/json", `{"operations":[{"opId":"a","type":"step.add","step":{"id":"s1","areaId":"work","title":"x","responsible":{"kind":"household"},"term":"short","due":"2026-02-30"}}]}`, 422, "validation"},
		{"control characters", "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/operations", "application/json", `{"operations":[{"opId":"a","type":"roadmap.setTitle","baseVersion":1,"title":"a\u0000b"}]}`, 422, "validation"},
		{"half valid batch", "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/operations", "application/json", `{"operations":[{"opId":"a","type":"roadmap.setTitle","baseVersion":1,"title":"applied?"},{"opId":"b","type":"member.remove","memberId":"m1","baseVersion":1},{"opId":"c","type":"step.add","step":{"id":"s9","areaId":"nowhere","title":"x","responsible":{"kind":"household"},"term":"short"}}]}`, 422, "validation"},
		{"bad roadmap id", "GET", "/api/v1/roadmaps/..%2F..%2Fetc", "", "", 404, "not-found"},
		{"json array body", "POST", "/api/v1/roadmaps", "application/json", `[1,2]`, 422, "validation"},
		{"create with bad id", "POST", "/api/v1/roadmaps", "application/json", `{"id":"a b"}`, 422, "validation"},
		{"create with too many members", "POST", "/api/v1/roadmaps", "application/json", manyMembers(31), 422, "validation"},
		{"refresh garbage", "POST", "/api/v1/auth/refresh", "application/json", `{"refreshToken":"vkr1.abc.def"}`, 401, "unauthorized"},
		{"refresh wrong type", "POST", "/api/v1/auth/refresh", "application/json", `{"refreshToken":42}`, 422, "validation"},
		{"login empty name", "POST", "/api/v1/dev/login", "application/json", `{"name":""}`, 422, "validation"},
		{"unknown route", "GET", "/api/v1/secrets", "", "", 404, "not-found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := mustEnv(t, true)
			kari := e.login(t, "Kari")
			e.createRoadmap(t, kari, "00000000-0000-4000-8000-000000000024", "Kari")
			before := e.do(t, "GET", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024", kari.access, nil).body

			r := e.rawDo(t, tc.method, tc.path, kari.access, tc.contentType, tc.body)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			if !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") || !strings.Contains(r.body, `"type":"/problems/`+tc.problem+`"`) {
				t.Fatalf("want problem %s, got %s %s", tc.problem, r.header.Get("Content-Type"), r.body)
			}
			if strings.Contains(r.body, "goroutine") || strings.Contains(r.body, "mongo") || strings.Contains(r.body, ".go:") {
				t.Fatalf("response leaks internals: %s", r.body)
			}
			after := e.do(t, "GET", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024", kari.access, nil).body
			if before != after {
				t.Fatalf("bad input changed the roadmap:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

// setTitle is an operations body that sets the roadmap's title to title,
// which is put in as it is (escapes and raw bytes too).
func setTitle(title string) string {
	return `{"operations":[{"opId":"a","type":"roadmap.setTitle","baseVersion":1,"title":"` + title + `"}]}`
}

func manyOps(n int) string {
	var b strings.Builder
	b.WriteString(`{"operations":[`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"opId":"o%d","type":"roadmap.setTitle","baseVersion":1,"title":"t"}`, i)
	}
	b.WriteString("]}")
	return b.String()
}

func manyMembers(n int) string {
	var b strings.Builder
	b.WriteString(`{"members":[`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"id":"m%d","name":"n","role":"adult"}`, i)
	}
	b.WriteString("]}")
	return b.String()
}

// TestRoadmaps_CreateIsIdempotent checks that a phone sending its offline
// creation twice gets the same roadmap back, and that nobody can take over
// an id that is in use.
func TestRoadmaps_CreateIsIdempotent(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)
	kari, ola := e.login(t, "Kari"), e.login(t, "Ola")
	e.createRoadmap(t, kari, "00000000-0000-4000-8000-000000000013", "KARI")
	again := e.do(t, "POST", "/api/v1/roadmaps", kari.access, map[string]any{"id": "00000000-0000-4000-8000-000000000013", "title": "whatever"})
	if again.status != 200 || !strings.Contains(again.body, "KARI") {
		t.Fatalf("repeat: %d %s", again.status, again.body)
	}
	if r := e.do(t, "GET", "/api/v1/roadmaps", kari.access, nil); strings.Count(r.body, "00000000-0000-4000-8000-000000000013") != 1 {
		t.Fatalf("list after repeat: %s", r.body)
	}
	steal := e.do(t, "POST", "/api/v1/roadmaps", ola.access, map[string]any{"id": "00000000-0000-4000-8000-000000000013"})
	if steal.status != 409 || strings.Contains(steal.body, "KARI") {
		t.Fatalf("take-over: %d %s", steal.status, steal.body)
	}
}

// TestRoadmaps_IdsAreOpaque checks that a roadmap id says nothing about the
// household: it travels in push payloads, links and logs. A client may choose
// a random UUID (a phone creating offline does), never a name; the server
// makes a UUID when none is sent; a roadmap made before this rule, under a
// named id, stays readable.
func TestRoadmaps_IdsAreOpaque(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)
	kari := e.login(t, "Kari")
	for _, id := range []string{"demo-haugen", "familien-hansen", "3F2B8C1E-9D4A-4E7B-8A6C-2D1E0F9B7A54", "3f2b8c1e9d4a4e7b8a6c2d1e0f9b7a54"} {
		r := e.do(t, "POST", "/api/v1/roadmaps", kari.access, map[string]any{"id": id, "title": "Familien"})
		if r.status != 422 || !strings.Contains(r.body, `"pointer":"/id"`) {
			t.Fatalf("create with id %q: %d %s", id, r.status, r.body)
		}
	}
	if r := e.do(t, "GET", "/api/v1/roadmaps", kari.access, nil); r.status != 200 || strings.Contains(r.body, `"id"`) {
		t.Fatalf("a refused creation left something: %d %s", r.status, r.body)
	}

	made := e.do(t, "POST", "/api/v1/roadmaps", kari.access, map[string]any{"title": "Familien"})
	var got struct{ ID string }
	if err := json.Unmarshal([]byte(made.body), &got); made.status != 201 || err != nil {
		t.Fatalf("create without id: %d %s", made.status, made.body)
	}
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(got.ID) {
		t.Fatalf("server-made id %q is not a random UUID", got.ID)
	}

	ctx := context.Background()
	legacy, err := veikart.NewRoadmap("rm-hansen", kari.userID, "Familien Hansen", nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.CreateRoadmap(ctx, legacy); err != nil {
		t.Fatal(err)
	}
	if err := e.store.AddUserRoadmap(ctx, kari.userID, legacy.ID); err != nil {
		t.Fatal(err)
	}
	if r := e.do(t, "GET", "/api/v1/roadmaps/rm-hansen", kari.access, nil); r.status != 200 || !strings.Contains(r.body, "Familien Hansen") {
		t.Fatalf("a roadmap made under a named id: %d %s", r.status, r.body)
	}
}

// TestRoadmaps_ManyPeopleAtOnce reads and writes as many people in parallel
// and checks that each only ever sees their own roadmap. (It caught a token
// cache keyed by a buffer Fiber reuses.)
func TestRoadmaps_ManyPeopleAtOnce(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)
	const people = 12
	sessions := make([]session, people)
	for i := range people {
		sessions[i] = e.login(t, fmt.Sprintf("Person %d", i))
		e.createRoadmap(t, sessions[i], fmt.Sprintf("00000000-0000-4000-8000-%012d", 100+i), fmt.Sprintf("MARKER-%d-END", i))
	}
	var wg sync.WaitGroup
	for i := range people {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 20 {
				r := e.do(t, "GET", fmt.Sprintf("/api/v1/roadmaps/00000000-0000-4000-8000-%012d", 100+i), sessions[i].access, nil)
				if r.status != 200 || !strings.Contains(r.body, fmt.Sprintf("MARKER-%d-END", i)) {
					t.Errorf("person %d read %d: %d %s", i, j, r.status, r.body)
					return
				}
				other := (i + 1) % people
				if r := e.do(t, "GET", fmt.Sprintf("/api/v1/roadmaps/00000000-0000-4000-8000-%012d", 100+other), sessions[i].access, nil); r.status != 404 {
					t.Errorf("person %d read person %d's roadmap: %d", i, other, r.status)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestRoadmaps_OversizeBody announces a body larger than the limit and checks
// that the server refuses it with 413 problem details before reading it. It
// speaks HTTP over a raw connection: the server answers without waiting for
// the body, so an ordinary client may still be writing when the answer comes.
func TestRoadmaps_OversizeBody(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)
	kari := e.login(t, "Kari")
	e.createRoadmap(t, kari, "00000000-0000-4000-8000-000000000024", "Kari")
	before := e.do(t, "GET", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024", kari.access, nil).body

	conn, err := net.Dial("tcp", strings.TrimPrefix(e.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/roadmaps/00000000-0000-4000-8000-000000000024/operations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n{\"operations\":[", kari.access, 300<<10)
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 413 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") || !strings.Contains(string(body), "/problems/body-too-large") {
		t.Fatalf("oversize body: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	if after := e.do(t, "GET", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024", kari.access, nil).body; after != before {
		t.Fatal("an oversize body changed the roadmap")
	}
}
