package api_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"

	"github.com/veikart/veikart/backend/api"
	"github.com/veikart/veikart/backend/veikart"
)

// feedPath is the path of a feed's address.
func feedPath(t *testing.T, url string) string {
	t.Helper()
	i := strings.Index(url, "/api/v1/calendar/")
	if i < 0 {
		t.Fatalf("feed url %q", url)
	}
	return url[i:]
}

// checkCalendar validates a feed as RFC 5545 asks, beyond what a lenient
// parser checks: CRLF line ends, lines folded at 75 octets, and the
// properties each component must have. It returns the parsed calendar.
func checkCalendar(t *testing.T, raw []byte) *goical.Calendar {
	t.Helper()
	if !bytes.HasSuffix(raw, []byte("\r\n")) {
		t.Fatal("calendar does not end in CRLF")
	}
	for i, l := range bytes.Split(raw[:len(raw)-2], []byte("\r\n")) {
		if bytes.ContainsAny(l, "\r\n") {
			t.Errorf("line %d has a bare CR or LF: %q", i, l)
		}
		if len(l) > 75 {
			t.Errorf("line %d has %d octets: %q", i, len(l), l)
		}
	}
	cal, err := goical.NewDecoder(bytes.NewReader(raw)).Decode()
	if err != nil {
		t.Fatalf("decode: %v\n%s", err, raw)
	}
	for _, p := range []string{goical.PropVersion, goical.PropProductID} {
		if cal.Props.Get(p) == nil {
			t.Errorf("calendar lacks %s", p)
		}
	}
	if v := cal.Props.Get(goical.PropVersion); v != nil && v.Value != "2.0" {
		t.Errorf("VERSION %q", v.Value)
	}
	uids := map[string]bool{}
	for _, ev := range cal.Events() {
		for _, p := range []string{goical.PropUID, goical.PropDateTimeStamp, goical.PropDateTimeStart, goical.PropSummary} {
			if ev.Props.Get(p) == nil {
				t.Errorf("event lacks %s", p)
			}
		}
		uid, _ := ev.Props.Text(goical.PropUID)
		if uids[uid] {
			t.Errorf("UID %q twice", uid)
		}
		uids[uid] = true
		if _, err := ev.DateTimeStart(time.UTC); err != nil {
			t.Errorf("DTSTART: %v", err)
		}
		var alarms int
		for _, c := range ev.Children {
			if c.Name != goical.CompAlarm {
				continue
			}
			alarms++
			for _, p := range []string{goical.PropAction, goical.PropTrigger, goical.PropDescription} {
				if c.Props.Get(p) == nil {
					t.Errorf("alarm of %s lacks %s", uid, p)
				}
			}
			if a := c.Props.Get(goical.PropAction); a != nil && a.Value != "DISPLAY" {
				t.Errorf("alarm action %q", a.Value)
			}
			if d, err := c.Props.Get(goical.PropTrigger).Duration(); err != nil || d >= 0 {
				t.Errorf("trigger of %s: %v %v", uid, d, err)
			}
		}
		if alarms != 1 {
			t.Errorf("event %s has %d alarms", uid, alarms)
		}
	}
	return cal
}

type feedEvent struct{ uid, summary, start string }

func feedEvents(t *testing.T, cal *goical.Calendar) map[string]feedEvent {
	t.Helper()
	out := map[string]feedEvent{}
	for _, ev := range cal.Events() {
		uid, _ := ev.Props.Text(goical.PropUID)
		sum, _ := ev.Props.Text(goical.PropSummary)
		out[uid] = feedEvent{uid, sum, ev.Props.Get(goical.PropDateTimeStart).Value}
	}
	return out
}

// TestCalendarFeed_Lifecycle: a person makes a feed; a calendar fetching
// it without a sign-in finds the new step (not the done one) under discreet
// titles, valid RFC 5545 with alarms and stable UIDs; a poll with the ETag
// is a 304; a new address makes the old one 404 on the very next request;
// turning it off makes it 404; the export says a feed exists without its
// address; erasing the account ends it.
func TestCalendarFeed_Lifecycle(t *testing.T) {
	t.Parallel()
	e := mustEnvWith(t, api.Config{Dev: true, PublicURL: "https://veikart.example"}, nil)
	kari := e.login(t, "Kari")
	const rid = "00000000-0000-4000-8000-000000000031"
	e.createRoadmap(t, kari, rid, "KARI-SECRET-NAME")

	if r := e.do(t, "GET", "/api/v1/me/calendar-feed", kari.access, nil); r.status != 200 || !strings.Contains(r.body, `"active":false`) {
		t.Fatalf("before: %d %s", r.status, r.body)
	}
	r := e.do(t, "POST", "/api/v1/me/calendar-feed", kari.access, map[string]any{"lang": "nb"})
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	m := r.json(t)
	url, webcal := m["url"].(string), m["webcalUrl"].(string)
	if !strings.HasPrefix(url, "https://veikart.example/api/v1/calendar/") || webcal != "webcal://"+strings.TrimPrefix(url, "https://") {
		t.Fatalf("addresses %q %q", url, webcal)
	}
	if !strings.Contains(m["qr"].(string), "<svg") {
		t.Fatalf("qr %q", m["qr"])
	}
	path := feedPath(t, url)

	// A step due in ten days, and one done.
	due := e.clock.Now().AddDate(0, 0, 10).Format(time.DateOnly)
	ops := map[string]any{"operations": []any{
		map[string]any{"opId": "o1", "type": "step.add", "step": map[string]any{"id": "s-flat", "areaId": "health", "title": "STEP-SECRET-TITLE", "term": "short", "due": due, "responsible": map[string]any{"kind": "household"}}},
		map[string]any{"opId": "o2", "type": "step.add", "step": map[string]any{"id": "s-done", "areaId": "housing", "title": "DONE-STEP", "term": "short", "due": due, "status": "done", "responsible": map[string]any{"kind": "household"}}},
	}}
	if r := e.do(t, "POST", "/api/v1/roadmaps/"+rid+"/operations", kari.access, ops); r.status != 200 {
		t.Fatalf("steps: %d %s", r.status, r.body)
	}

	r = e.do(t, "GET", path, "", nil)
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/calendar") {
		t.Fatalf("feed: %d %s %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	if cc := r.header.Get("Cache-Control"); cc != "private, no-cache" || r.header.Get("ETag") == "" {
		t.Fatalf("cache headers %q %q", cc, r.header.Get("ETag"))
	}
	for _, secret := range []string{"KARI-SECRET-NAME", "STEP-SECRET-TITLE", "DONE-STEP", "Plan ", "health", "Kari"} {
		if strings.Contains(r.body, secret) {
			t.Errorf("feed shows %q:\n%s", secret, r.body)
		}
	}
	evs := feedEvents(t, checkCalendar(t, []byte(r.body)))
	step, ok := evs["step-s-flat."+rid+"@veikart"]
	if !ok || step.summary != "Veikart: et steg" || step.start != strings.ReplaceAll(due, "-", "") {
		t.Fatalf("step event %+v in %v", step, evs)
	}
	if len(evs) != 1 {
		t.Fatalf("events %v", evs)
	}

	// Polling with the ETag: nothing to send.
	if r2 := e.do(t, "GET", path, "", nil, "If-None-Match", r.header.Get("ETag")); r2.status != 304 {
		t.Fatalf("poll: %d", r2.status)
	}

	// A new address in English: the old one is gone at once.
	r = e.do(t, "POST", "/api/v1/me/calendar-feed", kari.access, map[string]any{"lang": "en"})
	if r.status != 201 {
		t.Fatalf("rotate: %d %s", r.status, r.body)
	}
	path2 := feedPath(t, r.json(t)["url"].(string))
	if path2 == path {
		t.Fatal("rotation kept the address")
	}
	if r := e.do(t, "GET", path, "", nil); r.status != 404 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
		t.Fatalf("old address: %d %s", r.status, r.body)
	}
	r = e.do(t, "GET", path2, "", nil)
	if r.status != 200 || !strings.Contains(r.body, "SUMMARY:Veikart: a step") {
		t.Fatalf("new address: %d %s", r.status, r.body)
	}

	// The export says there is a feed, never its address.
	r = e.do(t, "GET", "/api/v1/me/export", kari.access, nil)
	if r.status != 200 || !strings.Contains(r.body, `"calendarFeed":{"active":true`) || strings.Contains(r.body, strings.TrimPrefix(path2, "/api/v1/calendar/")) {
		t.Fatalf("export: %d %s", r.status, r.body)
	}

	// Off: the address is gone on the very next request.
	if r := e.do(t, "DELETE", "/api/v1/me/calendar-feed", kari.access, nil); r.status != 204 {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	if r := e.do(t, "GET", path2, "", nil); r.status != 404 {
		t.Fatalf("revoked address: %d %s", r.status, r.body)
	}
	if r := e.do(t, "DELETE", "/api/v1/me/calendar-feed", kari.access, nil); r.status != 204 {
		t.Fatalf("revoke again: %d %s", r.status, r.body)
	}

	// Erasing the account ends a feed made since.
	r = e.do(t, "POST", "/api/v1/me/calendar-feed", kari.access, map[string]any{"lang": "nb"})
	path3 := feedPath(t, r.json(t)["url"].(string))
	if r := e.do(t, "DELETE", "/api/v1/me", kari.access, map[string]any{"confirm": "erase my account"}); r.status != 204 {
		t.Fatalf("erase: %d %s", r.status, r.body)
	}
	if r := e.do(t, "GET", path3, "", nil); r.status != 404 {
		t.Fatalf("erased account's feed: %d %s", r.status, r.body)
	}
}

// TestCalendarFeed_ListsWhatThePersonMaySeeNow: what a feed lists is
// decided on every fetch: a roadmap the person no longer may read (here,
// erased) is gone at the next fetch, and another person's feed never
// holds it.
func TestCalendarFeed_ListsWhatThePersonMaySeeNow(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)
	kari, ola := e.login(t, "Kari"), e.login(t, "Ola")
	const rid = "00000000-0000-4000-8000-000000000032"
	e.createRoadmap(t, kari, rid, "KARI")
	due := e.clock.Now().AddDate(0, 0, 3).Format(time.DateOnly)
	ops := map[string]any{"operations": []any{map[string]any{"opId": "o1", "type": "step.add", "step": map[string]any{
		"id": "s1", "areaId": "work", "title": "T", "term": "short", "due": due, "responsible": map[string]any{"kind": "household"}}}}}
	if r := e.do(t, "POST", "/api/v1/roadmaps/"+rid+"/operations", kari.access, ops); r.status != 200 {
		t.Fatalf("step: %d %s", r.status, r.body)
	}
	feed := func(s session) string {
		r := e.do(t, "POST", "/api/v1/me/calendar-feed", s.access, map[string]any{"lang": "ar"})
		if r.status != 201 {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
		return feedPath(t, r.json(t)["url"].(string))
	}
	kp, op := feed(kari), feed(ola)
	if r := e.do(t, "GET", kp, "", nil); r.status != 200 || !strings.Contains(r.body, "UID:step-s1."+rid) || !strings.Contains(r.body, "SUMMARY:Veikart: خطوة") {
		t.Fatalf("kari's feed: %d %s", r.status, r.body)
	}
	if r := e.do(t, "GET", op, "", nil); r.status != 200 || strings.Contains(r.body, rid) {
		t.Fatalf("ola's feed: %d %s", r.status, r.body)
	}
	if r := e.do(t, "DELETE", "/api/v1/roadmaps/"+rid, kari.access, nil); r.status != 204 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	if r := e.do(t, "GET", kp, "", nil); r.status != 200 || strings.Contains(r.body, "BEGIN:VEVENT") {
		t.Fatalf("after deletion: %d %s", r.status, r.body)
	}
}

// TestCalendarFeed_BadInput: bad bodies and bad addresses get problem
// details and change nothing.
func TestCalendarFeed_BadInput(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)
	kari := e.login(t, "Kari")
	cases := []struct {
		name, method, path, ct, body string
		status                       int
	}{
		{"malformed", "POST", "/api/v1/me/calendar-feed", "application/json", `{"lang":`, 400},
		{"wrong type", "POST", "/api/v1/me/calendar-feed", "application/json", `{"lang":7}`, 422},
		{"unknown language", "POST", "/api/v1/me/calendar-feed", "application/json", `{"lang":"xx"}`, 422},
		{"unknown field", "POST", "/api/v1/me/calendar-feed", "application/json", `{"lang":"nb","url":"x"}`, 422},
		{"no body", "POST", "/api/v1/me/calendar-feed", "application/json", ``, 400},
		{"not json", "POST", "/api/v1/me/calendar-feed", "text/plain", `lang=nb`, 415},
		{"oversize value", "POST", "/api/v1/me/calendar-feed", "application/json", `{"lang":"` + strings.Repeat("n", 20<<10) + `"}`, 422},
		{"patch malformed", "PATCH", "/api/v1/me/calendar-feed", "application/json", `{"lang":`, 400},
		{"patch wrong type", "PATCH", "/api/v1/me/calendar-feed", "application/json", `{"lang":["nb"]}`, 422},
		{"patch unknown language", "PATCH", "/api/v1/me/calendar-feed", "application/json", `{"lang":"de"}`, 422},
		{"patch unknown field", "PATCH", "/api/v1/me/calendar-feed", "application/json", `{"lang":"nb","hash":"x"}`, 422},
		{"patch no language", "PATCH", "/api/v1/me/calendar-feed", "application/json", `{}`, 422},
		{"patch not json", "PATCH", "/api/v1/me/calendar-feed", "text/plain", `lang=nb`, 415},
		{"short secret", "GET", "/api/v1/calendar/abc", "", "", 404},
		{"not base64", "GET", "/api/v1/calendar/" + strings.Repeat("!", 43), "", "", 404},
		{"long secret", "GET", "/api/v1/calendar/" + strings.Repeat("A", 500), "", "", 404},
		{"unknown secret", "GET", "/api/v1/calendar/" + strings.Repeat("B", 43), "", "", 404},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.rawDo(t, c.method, c.path, kari.access, c.ct, c.body)
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
			}
			if !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
				t.Fatalf("not problem details: %s", r.header.Get("Content-Type"))
			}
		})
	}
	// Over a raw connection: an ordinary client still writing the body
	// may see its connection reset by the early 413.
	t.Run("patch oversize body", func(t *testing.T) {
		mustRefuseOversize(t, e.url, "PATCH", "/api/v1/me/calendar-feed", kari.access)
	})
	if r := e.do(t, "GET", "/api/v1/me/calendar-feed", kari.access, nil); !strings.Contains(r.body, `"active":false`) {
		t.Fatalf("bad input made a feed: %s", r.body)
	}
}

// TestCalendarFeed_DecidedAsThePerson: the owners' feed has the planned
// meeting (not the one only proposed) and the transition day; a member's
// has the steps her view holds and no meeting or transition; cancelling the meeting and
// unlinking the member take them out on the next fetch.
func TestCalendarFeed_DecidedAsThePerson(t *testing.T) {
	t.Parallel()
	e := mustEnvWith(t, api.Config{Dev: true, PublicURL: "http://localhost:8080"}, nil)
	w := newWorld(t, e)
	due := e.clock.Now().AddDate(0, 0, 5).Format(time.DateOnly)
	ops := map[string]any{"operations": []any{
		map[string]any{"opId": "c1", "type": "step.add", "step": map[string]any{"id": "s-mia", "areaId": "education", "title": "MIA-STEP", "term": "short", "due": due,
			"memberIds": []string{"m2"}, "responsible": map[string]any{"kind": "member", "memberId": "m2"}}},
		map[string]any{"opId": "c2", "type": "step.add", "step": map[string]any{"id": "s-all", "areaId": "health", "title": "HEALTH-STEP", "term": "short", "due": due, "responsible": map[string]any{"kind": "household"}}},
	}}
	if r := e.do(t, "POST", "/api/v1/roadmaps/"+w.id+"/operations", w.tokens["owner"], ops); r.status != 200 {
		t.Fatalf("steps: %d %s", r.status, r.body)
	}
	feed := func(role string) string {
		r := e.do(t, "POST", "/api/v1/me/calendar-feed", w.tokens[role], map[string]any{"lang": "nb"})
		if r.status != 201 {
			t.Fatalf("create %s: %d %s", role, r.status, r.body)
		}
		return feedPath(t, r.json(t)["url"].(string))
	}
	uids := func(path string) map[string]feedEvent {
		t.Helper()
		r := e.do(t, "GET", path, "", nil)
		if r.status != 200 {
			t.Fatalf("feed: %d %s", r.status, r.body)
		}
		for _, secret := range []string{"MIA-STEP", "HEALTH-STEP", "Familien", "Mia", "Hand-over", "Agency "} {
			if strings.Contains(r.body, secret) {
				t.Errorf("feed shows %q", secret)
			}
		}
		return feedEvents(t, checkCalendar(t, []byte(r.body)))
	}
	uid := func(kind, id string) string { return kind + "-" + id + "." + w.id + "@veikart" }
	// Mia's account is linked to her member (newWorld); her index of
	// roadmaps leads there, as linking her from the app makes it.
	if err := e.store.AddUserRoadmap(context.Background(), w.users["member"], w.id); err != nil {
		t.Fatal(err)
	}
	owner, member := feed("owner"), feed("member")

	got := uids(owner)
	for _, want := range []string{uid("step", "s-mia"), uid("step", "s-all"), uid("meeting", "mt1"), uid("transition", "t-pol")} {
		if _, ok := got[want]; !ok {
			t.Errorf("owner's feed lacks %s: %v", want, got)
		}
	}
	if _, ok := got[uid("meeting", "mt2")]; ok {
		t.Error("owner's feed has the meeting only proposed")
	}
	if ev := got[uid("meeting", "mt1")]; ev.summary != "Veikart: møte" || !strings.HasSuffix(ev.start, "Z") {
		t.Errorf("meeting event %+v", ev)
	}
	if ev := got[uid("transition", "t-pol")]; ev.summary != "Veikart: en viktig dag" {
		t.Errorf("transition event %+v", ev)
	}
	// A member's feed is what her view of the roadmap holds (access.Project):
	// the steps, but neither the meetings nor the transitions.
	got = uids(member)
	if _, ok := got[uid("step", "s-mia")]; !ok {
		t.Errorf("member's feed lacks her step: %v", got)
	}
	for u := range got {
		if !strings.HasPrefix(u, "step-") {
			t.Errorf("member's feed has %s", u)
		}
	}

	// The meeting cancelled, Mia's account unlinked: gone at the next fetch.
	if r := e.do(t, "DELETE", "/api/v1/roadmaps/"+w.id+"/meetings/mt1", w.tokens["owner"], nil); r.status != 200 {
		t.Fatalf("cancel: %d %s", r.status, r.body)
	}
	if _, err := e.store.UpdateRoadmap(context.Background(), w.id, func(r *veikart.Roadmap) (*veikart.Roadmap, error) {
		n := r.Clone()
		n.Members[1].UserID = ""
		n.Version++
		return n, nil
	}); err != nil {
		t.Fatal(err)
	}
	if got := uids(owner); got[uid("meeting", "mt1")].uid != "" || got[uid("step", "s-all")].uid == "" {
		t.Errorf("owner's feed after cancelling: %v", got)
	}
	if got := uids(member); len(got) != 0 {
		t.Errorf("unlinked member's feed: %v", got)
	}
}
