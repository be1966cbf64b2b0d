package api_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/veikart"
)

// helperWorld is a household (Kari's) with texts in housing and health,
// and a person (Liv) who is nobody there yet.
type helperWorld struct {
	e         *env
	id        string
	kari, liv session
}

func newHelperWorld(t *testing.T, n string) helperWorld {
	t.Helper()
	e := mustEnv(t, true)
	w := helperWorld{e: e, id: "00000000-0000-4000-8000-0000000050" + n, kari: e.login(t, "Kari"), liv: e.login(t, "Liv")}
	e.createRoadmap(t, w.kari, w.id, "HOUSEHOLD-NAME")
	r := e.do(t, "POST", w.path("/operations"), w.kari.access, map[string]any{"operations": []any{
		map[string]any{"opId": "h1", "type": "area.update", "areaId": "housing", "baseVersion": 1, "set": map[string]any{"now": "HOUSING-TEXT"}},
		map[string]any{"opId": "h2", "type": "area.update", "areaId": "health", "baseVersion": 1, "set": map[string]any{"now": "HEALTH-TEXT"}},
	}})
	if r.status != 200 {
		t.Fatalf("texts: %d %s", r.status, r.body)
	}
	return w
}

func (w helperWorld) path(suffix string) string { return "/api/v1/roadmaps/" + w.id + suffix }

// invite has Kari invite a helper with body and Liv accept; it returns the
// helper's id.
func (w helperWorld) invite(t *testing.T, body map[string]any) string {
	t.Helper()
	r := w.e.do(t, "POST", w.path("/helpers"), w.kari.access, body)
	if r.status != 201 {
		t.Fatalf("invite: %d %s", r.status, r.body)
	}
	m := r.json(t)
	code := m["invitation"].(map[string]any)["code"].(string)
	hid := m["helper"].(map[string]any)["id"].(string)
	if m["helper"].(map[string]any)["status"] != "waiting" {
		t.Fatalf("a new helper is waiting: %s", r.body)
	}
	a := w.e.do(t, "POST", "/api/v1/invitations/accept", w.liv.access, map[string]any{"code": code})
	if a.status != 200 || !strings.Contains(a.body, `"helperId":"`+hid+`"`) {
		t.Fatalf("accept: %d %s", a.status, a.body)
	}
	// The code is used: nobody else gets in with it.
	other := w.e.login(t, "Per")
	if again := w.e.do(t, "POST", "/api/v1/invitations/accept", other.access, map[string]any{"code": code}); again.status != 404 {
		t.Fatalf("a used code again: %d %s", again.status, again.body)
	}
	return hid
}

func (w helperWorld) exp(d time.Duration) string {
	return w.e.clock.Now().Add(d).UTC().Format(time.RFC3339)
}

// TestHelpers_TrustedPersonReadsWritesAndIsLogged: a trusted person sees
// only their sections, writes only there, never in the household's own
// matters, and every read and write is in the family's log under the name
// the family gave them; after the owners take it back, the next request
// says the access ended.
func TestHelpers_TrustedPersonReadsWritesAndIsLogged(t *testing.T) {
	t.Parallel()
	w := newHelperWorld(t, "01")
	e := w.e
	hid := w.invite(t, map[string]any{"kind": "trusted", "name": "Liv", "sections": []string{"area:housing", "steps:housing"}, "write": true, "expiresAt": w.exp(30 * 24 * time.Hour)})

	g := e.do(t, "GET", w.path(""), w.liv.access, nil)
	if g.status != 200 || !strings.Contains(g.body, "HOUSING-TEXT") || strings.Contains(g.body, "HEALTH-TEXT") || strings.Contains(g.body, `"name":"HOUSEHOLD-NAME"`) ||
		strings.Contains(g.body, w.kari.userID) || !strings.Contains(g.body, `"role":"trusted"`) || !strings.Contains(g.body, `"write":true`) {
		t.Fatalf("trusted person's read: %d %s", g.status, g.body)
	}
	if l := e.do(t, "GET", "/api/v1/roadmaps", w.liv.access, nil); l.status != 200 || !strings.Contains(l.body, `"role":"trusted"`) || !strings.Contains(l.body, `"memberCount":0`) {
		t.Fatalf("trusted person's list: %d %s", l.status, l.body)
	}
	version := int(g.json(t)["version"].(float64))
	for _, c := range []struct {
		name   string
		op     map[string]any
		status int
	}{
		{"housing text", map[string]any{"type": "area.update", "areaId": "housing", "set": map[string]any{"desired": "WRITTEN-BY-LIV"}}, 200},
		{"housing step", map[string]any{"type": "step.add", "step": map[string]any{"id": "st-liv", "areaId": "housing", "title": "Call the landlord", "term": "short", "responsible": map[string]any{"kind": "household"}}}, 200},
		// Whom a step is for is the household section's to say (not hers).
		{"housing step for a member", map[string]any{"type": "step.add", "step": map[string]any{"id": "st-m", "areaId": "housing", "title": "x", "term": "short", "responsible": map[string]any{"kind": "member", "memberId": "m1"}}}, 403},
		{"naming a member on a step", map[string]any{"type": "step.update", "stepId": "st-liv", "set": map[string]any{"memberIds": []string{"m1"}}}, 403},
		{"health text", map[string]any{"type": "area.update", "areaId": "health", "set": map[string]any{"desired": "NOT-HERS"}}, 403},
		{"health step", map[string]any{"type": "step.add", "step": map[string]any{"id": "st-h", "areaId": "health", "title": "x", "term": "short", "responsible": map[string]any{"kind": "household"}}}, 403},
		{"title", map[string]any{"type": "roadmap.setTitle", "title": "Mine now"}, 403},
		{"member", map[string]any{"type": "member.add", "member": map[string]any{"id": "m9", "name": "Someone", "role": "adult"}}, 403},
		{"new area", map[string]any{"type": "area.add", "area": map[string]any{"id": "pets", "title": "Pets"}}, 403},
	} {
		c.op["opId"] = "op-" + strings.ReplaceAll(c.name, " ", "-")
		if c.op["type"] != "step.add" && c.op["type"] != "member.add" && c.op["type"] != "area.add" {
			c.op["baseVersion"] = version
		}
		r := e.do(t, "POST", w.path("/operations"), w.liv.access, map[string]any{"operations": []any{c.op}})
		if r.status != c.status {
			t.Fatalf("%s: %d, want %d: %s", c.name, r.status, c.status, r.body)
		}
		if r.status == 200 {
			version++
		}
	}
	// Never the household's decisions.
	for _, r := range []struct{ method, path string }{
		{"GET", "/helpers"}, {"DELETE", "/helpers/" + hid}, {"GET", "/grants"}, {"GET", "/access-log"}, {"GET", "/receipts"}, {"DELETE", ""},
	} {
		if got := e.do(t, r.method, w.path(r.path), w.liv.access, nil); got.status != 403 {
			t.Fatalf("%s %s by the trusted person: %d %s", r.method, r.path, got.status, got.body)
		}
	}
	// Liv's export holds her record, not the family's roadmap.
	if x := e.do(t, "GET", "/api/v1/me/export", w.liv.access, nil); x.status != 200 || !strings.Contains(x.body, `"helping":[{"roadmapId":"`+w.id) || strings.Contains(x.body, "HOUSING-TEXT") {
		t.Fatalf("trusted person's export: %d %s", x.status, x.body)
	}

	log := e.do(t, "GET", w.path("/access-log"), w.kari.access, nil)
	for _, want := range []string{`"role":"trusted","action":"change"`, `"role":"trusted","action":"read"`, `"role":"trusted","action":"accept-invitation"`, `"name":"Liv"`, `"area:housing"`} {
		if !strings.Contains(log.body, want) {
			t.Fatalf("the family's log lacks %s: %s", want, log.body)
		}
	}
	if rc := e.do(t, "GET", w.path("/receipts"), w.kari.access, nil); !strings.Contains(rc.body, `"helper-invited"`) || !strings.Contains(rc.body, `"helper-accepted"`) {
		t.Fatalf("receipts: %s", rc.body)
	}
	if x := e.do(t, "GET", "/api/v1/me/export", w.kari.access, nil); !strings.Contains(x.body, `"helpers":[{"id":"`+hid) {
		t.Fatalf("the owner's export lacks the helper: %s", x.body)
	}

	// Revoked: the very next request says so, on any device.
	if r := e.do(t, "DELETE", w.path("/helpers/"+hid), w.kari.access, nil); r.status != 200 || !strings.Contains(r.body, `"status":"revoked"`) {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	if r := e.do(t, "GET", w.path(""), w.liv.access, nil); r.status != 403 || !strings.Contains(r.body, "access-ended") || !strings.Contains(r.body, `"reason":"revoked"`) {
		t.Fatalf("read after revocation: %d %s", r.status, r.body)
	}
	if r := e.do(t, "POST", w.path("/operations"), w.liv.access, map[string]any{"operations": []any{map[string]any{
		"opId": "late", "type": "area.update", "areaId": "housing", "baseVersion": version, "set": map[string]any{"desired": "LATE"}}}}); r.status != 404 {
		t.Fatalf("write after revocation: %d %s", r.status, r.body)
	}
	if l := e.do(t, "GET", "/api/v1/roadmaps", w.liv.access, nil); l.status != 200 || strings.Contains(l.body, w.id) {
		t.Fatalf("list after revocation: %s", l.body)
	}
	if rc := e.do(t, "GET", w.path("/receipts"), w.kari.access, nil); !strings.Contains(rc.body, `"helper-revoked"`) {
		t.Fatalf("receipts: %s", rc.body)
	}
}

// TestHelpers_InterpreterSessionEnds: a session runs for its minutes and
// no longer; ended with one tap it ends at once; at most 8 hours.
func TestHelpers_InterpreterSessionEnds(t *testing.T) {
	t.Parallel()
	w := newHelperWorld(t, "02")
	e := w.e
	if r := e.do(t, "POST", w.path("/helpers"), w.kari.access, map[string]any{"kind": "interpreter", "name": "Tolk", "sections": []string{"area:health"}, "minutes": 481}); r.status != 422 {
		t.Fatalf("a session over 8 hours: %d %s", r.status, r.body)
	}
	hid := w.invite(t, map[string]any{"kind": "interpreter", "name": "Amir", "sections": []string{"area:health"}})
	if r := e.do(t, "GET", w.path(""), w.liv.access, nil); r.status != 200 || !strings.Contains(r.body, `"role":"interpreter"`) || !strings.Contains(r.body, "HEALTH-TEXT") {
		t.Fatalf("interpreter's read: %d %s", r.status, r.body)
	}
	list := e.do(t, "GET", w.path("/helpers"), w.kari.access, nil)
	if !strings.Contains(list.body, `"write":true`) || !strings.Contains(list.body, `"status":"active"`) {
		t.Fatalf("an interpreter always writes: %s", list.body)
	}
	// The default session is two hours.
	e.clock.Add(2*time.Hour + time.Second)
	fresh := e.issue(t, w.liv.userID, "") // the first token ran out too
	if r := e.do(t, "GET", w.path(""), fresh, nil); r.status != 403 || !strings.Contains(r.body, `"reason":"expired"`) {
		t.Fatalf("read after the session: %d %s", r.status, r.body)
	}
	e.clock.Add(-2*time.Hour - time.Second)
	if r := e.do(t, "DELETE", w.path("/helpers/"+hid), w.kari.access, nil); r.status != 200 {
		t.Fatalf("end: %d %s", r.status, r.body)
	}
	if r := e.do(t, "DELETE", w.path("/helpers/"+hid), w.kari.access, nil); r.status != 200 {
		t.Fatalf("ending twice is ending once: %d %s", r.status, r.body)
	}
	if r := e.do(t, "GET", w.path(""), w.liv.access, nil); r.status != 403 || !strings.Contains(r.body, `"reason":"revoked"`) {
		t.Fatalf("read after the end: %d %s", r.status, r.body)
	}
}

// TestHelpers_BadInputChangesNothing: every refused invitation or end is a
// problem and leaves the roadmap as it was.
func TestHelpers_BadInputChangesNothing(t *testing.T) {
	t.Parallel()
	w := newHelperWorld(t, "03")
	e := w.e
	ok := map[string]any{"kind": "trusted", "name": "Liv", "sections": []string{"area:housing"}, "expiresAt": w.exp(24 * time.Hour)}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for a, b := range ok {
			m[a] = b
		}
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	before, err := e.store.Roadmap(context.Background(), w.id)
	if err != nil {
		t.Fatal(err)
	}
	other := e.login(t, "Ola")
	e.createRoadmap(t, other, "00000000-0000-4000-8000-000000005099", "OLA")
	cases := []struct {
		name, method, path, token string
		body                      any
		status                    int
	}{
		{"malformed", "POST", w.path("/helpers"), w.kari.access, `{"kind":`, 400},
		{"unknown field", "POST", w.path("/helpers"), w.kari.access, with("agencyId", "nav"), 422},
		{"wrong type", "POST", w.path("/helpers"), w.kari.access, with("write", "yes"), 422},
		{"no name", "POST", w.path("/helpers"), w.kari.access, with("name", nil), 422},
		{"blank name", "POST", w.path("/helpers"), w.kari.access, with("name", "   "), 422},
		{"no such section", "POST", w.path("/helpers"), w.kari.access, with("sections", []string{"area:nowhere"}), 422},
		{"no sections", "POST", w.path("/helpers"), w.kari.access, with("sections", []string{}), 422},
		{"trusted without end", "POST", w.path("/helpers"), w.kari.access, with("expiresAt", nil), 422},
		{"trusted with minutes", "POST", w.path("/helpers"), w.kari.access, with("minutes", 60), 422},
		{"end in the past", "POST", w.path("/helpers"), w.kari.access, with("expiresAt", w.exp(-time.Hour)), 422},
		{"end too far", "POST", w.path("/helpers"), w.kari.access, with("expiresAt", w.exp(400*24*time.Hour)), 422},
		{"no such kind", "POST", w.path("/helpers"), w.kari.access, with("kind", "agency"), 422},
		{"name too long", "POST", w.path("/helpers"), w.kari.access, with("name", strings.Repeat("x", 101)), 422},
		{"someone else's roadmap", "POST", w.path("/helpers"), other.access, ok, 404},
		{"forged token", "POST", w.path("/helpers"), forgedToken(t, w.kari.userID), ok, 401},
		{"no such helper", "DELETE", w.path("/helpers/h-none"), w.kari.access, nil, 404},
		{"bad helper id", "DELETE", w.path("/helpers/%20x"), w.kari.access, nil, 404},
		{"someone else's helpers", "GET", w.path("/helpers"), other.access, nil, 404},
		{"a helper invitation made as any invitation", "POST", w.path("/invitations"), w.kari.access, map[string]any{"kind": "trusted"}, 422},
	}
	for _, c := range cases {
		r := e.do(t, c.method, c.path, c.token, c.body)
		if r.status != c.status {
			t.Fatalf("%s: %d, want %d: %s", c.name, r.status, c.status, r.body)
		}
		if !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
			t.Fatalf("%s: not problem details: %s", c.name, r.header.Get("Content-Type"))
		}
	}
	after, err := e.store.Roadmap(context.Background(), w.id)
	if err != nil {
		t.Fatal(err)
	}
	if after.Rev != before.Rev || len(after.Helpers) != 0 {
		t.Fatalf("a refused request changed the roadmap: rev %d -> %d, %d helpers", before.Rev, after.Rev, len(after.Helpers))
	}
}

// TestHelpers_ErasureLeavesTheRecordNotThePerson: a trusted person who
// erases their account is gone from the family's roadmap; the family keeps
// its record of whom it let in, by the name it gave.
func TestHelpers_ErasureLeavesTheRecordNotThePerson(t *testing.T) {
	t.Parallel()
	w := newHelperWorld(t, "04")
	e := w.e
	w.invite(t, map[string]any{"kind": "trusted", "name": "Liv", "sections": []string{"area:housing"}, "expiresAt": w.exp(24 * time.Hour)})
	if r := e.do(t, "DELETE", "/api/v1/me", w.liv.access, map[string]any{"confirm": "erase my account"}); r.status != 204 {
		t.Fatalf("erase: %d %s", r.status, r.body)
	}
	r, err := e.store.Roadmap(context.Background(), w.id)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Helpers) != 1 || r.Helpers[0].UserID != veikart.ErasedPerson || r.Helpers[0].Name != "Liv" {
		t.Fatalf("after erasure: %+v", r.Helpers)
	}
	for _, rc := range r.Receipts {
		if rc.By == w.liv.userID {
			t.Fatalf("a receipt still names the erased person: %+v", rc)
		}
	}
	if l := e.do(t, "GET", w.path("/helpers"), w.kari.access, nil); !strings.Contains(l.body, `"name":"Liv"`) {
		t.Fatalf("the family's record: %s", l.body)
	}
}

// TestRenderings_ConfirmedAndSeenByTheAgency: the interpreter writes the
// Norwegian rendering beside the family's words, the family confirms it,
// NAV reads both and which is which; changing the family's words undoes the
// confirmation. Bad input changes nothing.
func TestRenderings_ConfirmedAndSeenByTheAgency(t *testing.T) {
	t.Parallel()
	w := newHelperWorld(t, "05")
	e := w.e
	ctx := context.Background()
	now := e.clock.Now()
	nav, err := veikart.NewAgency("nav-r", veikart.KindNAV, "NAV", "Oslo", now)
	if err != nil {
		t.Fatal(err)
	}
	nina := e.login(t, "Nina")
	if nav, err = nav.SetStaff(nina.userID, []veikart.AgencyRole{veikart.CaseworkerRole}, "op", now); err != nil {
		t.Fatal(err)
	}
	if err := e.store.CreateAgency(ctx, nav); err != nil {
		t.Fatal(err)
	}
	if err := e.store.AddUserAgency(ctx, nina.userID, nav.ID); err != nil {
		t.Fatal(err)
	}
	if r := e.do(t, "POST", w.path("/grants"), w.kari.access, map[string]any{"agencyId": nav.ID, "sections": []string{"area:health"}, "permissions": []string{"view"}, "purpose": "Helse", "expiresAt": w.exp(30 * 24 * time.Hour)}); r.status != 201 {
		t.Fatalf("grant: %d %s", r.status, r.body)
	}
	w.invite(t, map[string]any{"kind": "interpreter", "name": "Amir", "sections": []string{"area:health"}})
	put := func(token, area, field string, body any) response {
		return e.do(t, "PUT", w.path("/areas/"+area+"/renderings/"+field), token, body)
	}
	before, _ := e.store.Roadmap(ctx, w.id)
	for _, c := range []struct {
		name, token, area, field string
		body                     any
		status                   int
	}{
		{"no such field", w.liv.access, "health", "later", map[string]any{"text": "x"}, 404},
		{"outside the session", w.liv.access, "housing", "now", map[string]any{"text": "x"}, 403},
		{"no such area", w.kari.access, "moon", "now", map[string]any{"text": "x"}, 404},
		{"too long", w.liv.access, "health", "now", map[string]any{"text": strings.Repeat("x", 4001)}, 422},
		{"unknown field", w.liv.access, "health", "now", map[string]any{"text": "x", "by": "me"}, 422},
		{"wrong type", w.liv.access, "health", "now", map[string]any{"text": 3}, 422},
		{"malformed", w.liv.access, "health", "now", `{"text":`, 400},
		{"the agency", e.issue(t, nina.userID, nav.ID), "health", "now", map[string]any{"text": "x"}, 403},
	} {
		if r := put(c.token, c.area, c.field, c.body); r.status != c.status {
			t.Fatalf("%s: %d, want %d: %s", c.name, r.status, c.status, r.body)
		}
	}
	if after, _ := e.store.Roadmap(ctx, w.id); after.Rev != before.Rev {
		t.Fatal("a refused rendering changed the roadmap")
	}
	if r := put(w.liv.access, "health", "now", map[string]any{"text": "My back hurts."}); r.status != 200 || !strings.Contains(r.body, `"byRole":"interpreter","byName":"Amir"`) || !strings.Contains(r.body, `"confirmed":false`) {
		t.Fatalf("the interpreter's rendering: %d %s", r.status, r.body)
	}
	confirm := w.path("/areas/health/renderings/now/confirm")
	if r := e.do(t, "POST", confirm, w.liv.access, nil); r.status != 403 {
		t.Fatalf("the interpreter confirms: %d %s", r.status, r.body)
	}
	if r := e.do(t, "POST", confirm, w.kari.access, nil); r.status != 200 || !strings.Contains(r.body, `"confirmed":true`) {
		t.Fatalf("the family confirms: %d %s", r.status, r.body)
	}
	// The interpreter's phone sends the same rendering again (its answer
	// was lost): nothing changes, the family's confirmation holds, and the
	// log has the change once.
	confirmed, _ := e.store.Roadmap(ctx, w.id)
	if r := put(w.liv.access, "health", "now", map[string]any{"text": "My back hurts."}); r.status != 200 || !strings.Contains(r.body, `"confirmed":true`) {
		t.Fatalf("the rendering sent again: %d %s", r.status, r.body)
	}
	if after, _ := e.store.Roadmap(ctx, w.id); after.Rev != confirmed.Rev {
		t.Fatal("the rendering sent again changed the roadmap")
	}
	g := e.do(t, "GET", w.path(""), e.issue(t, nina.userID, nav.ID), nil)
	if g.status != 200 || !strings.Contains(g.body, `"now":"HEALTH-TEXT"`) || !strings.Contains(g.body, `"text":"My back hurts.","byRole":"interpreter","byName":"Amir"`) || !strings.Contains(g.body, `"confirmed":true`) {
		t.Fatalf("NAV's read: %d %s", g.status, g.body)
	}
	// New words from the family: the old confirmation no longer holds.
	if r := e.do(t, "POST", w.path("/operations"), w.kari.access, map[string]any{"operations": []any{map[string]any{
		"opId": "new-words", "type": "area.update", "areaId": "health", "baseVersion": int(g.json(t)["version"].(float64)), "set": map[string]any{"now": "NEW-WORDS"}}}}); r.status != 200 {
		t.Fatalf("new words: %d %s", r.status, r.body)
	}
	if g := e.do(t, "GET", w.path(""), e.issue(t, nina.userID, nav.ID), nil); !strings.Contains(g.body, `"confirmed":false`) {
		t.Fatalf("after new words: %s", g.body)
	}
	if log := e.do(t, "GET", w.path("/access-log"), w.kari.access, nil); !strings.Contains(log.body, `"role":"interpreter","action":"change","sections":["area:health"]`) || strings.Count(log.body, `"action":"change"`) != 1 || !strings.Contains(log.body, `"count":1`) {
		t.Fatalf("the log: %s", log.body)
	}
}
