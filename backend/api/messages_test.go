package api_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/veikart/veikart/backend/api"
	"github.com/veikart/veikart/backend/veikart"
)

// notices records the pushes of messages the server asks for.
type notices struct {
	mu   sync.Mutex
	sent []string // "<side> <roadmap> <agency> <user,user>"
}

func (n *notices) MessageArrived(_ context.Context, userIDs []string, roadmapID, agencyID string, to veikart.Side) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.sent = append(n.sent, fmt.Sprintf("%s %s %s %s", to, roadmapID, agencyID, strings.Join(userIDs, ",")))
}

func (n *notices) take() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := n.sent
	n.sent = nil
	return out
}

// TestMessages_BothWays: the household writes to NAV, the caseworker sees
// the unread count in its list, reads (in the access log), answers with
// their name; the household's list and push say so; a repeat is stored
// once; after the household revokes the grant the caseworker is refused
// and the household keeps the thread.
func TestMessages_BothWays(t *testing.T) {
	t.Parallel()
	var pushed notices
	e := mustEnvWith(t, api.Config{Dev: true}, nil, func(_ string, _ *api.Config, d *api.Deps) { d.Messages = &pushed })
	w := newWorld(t, e)
	owner, cw := w.tokens["owner"], w.tokens["caseworker"]
	thread := "/api/v1/roadmaps/" + w.id + "/conversations/" + w.nav + "/messages"

	r := e.do(t, "POST", thread, owner, map[string]any{"id": "m-kari-1", "text": "  Hei, kan vi snakke om husleia?  "})
	if r.status != 201 || r.json(t)["text"] != "Hei, kan vi snakke om husleia?" || r.json(t)["from"] != "household" || r.json(t)["name"] != "owner" {
		t.Fatalf("household writes: %d %s", r.status, r.body)
	}
	if got := pushed.take(); len(got) != 1 || got[0] != "agency "+w.id+" "+w.nav+" "+w.users["caseworker"] {
		t.Fatalf("push to the agency: %q", got)
	}
	// Sent again from the outbox after a lost answer: stored once, no push.
	if r := e.do(t, "POST", thread, owner, map[string]any{"id": "m-kari-1", "text": "Hei, kan vi snakke om husleia?"}); r.status != 200 {
		t.Fatalf("repeat: %d %s", r.status, r.body)
	}
	if r := e.do(t, "POST", thread, owner, map[string]any{"id": "m-kari-1", "text": "Something else"}); r.status != 409 {
		t.Fatalf("same id, other text: %d %s", r.status, r.body)
	}
	if got := pushed.take(); len(got) != 0 {
		t.Fatalf("a repeat pushed: %q", got)
	}

	// The caseworker's list: two unread (the world's first message too).
	r = e.do(t, "GET", "/api/v1/shared", cw, nil)
	if r.status != 200 || !strings.Contains(r.body, `"unreadMessages":2`) {
		t.Fatalf("shared list: %d %s", r.status, r.body)
	}
	r = e.do(t, "GET", thread, cw, nil)
	if r.status != 200 || r.json(t)["unread"] != float64(2) || !strings.Contains(r.body, "husleia") || strings.Contains(r.body, w.users["owner"]) {
		t.Fatalf("caseworker reads: %d %s", r.status, r.body)
	}
	if r := e.do(t, "GET", "/api/v1/shared", cw, nil); !strings.Contains(r.body, `"unreadMessages":0`) {
		t.Fatalf("shared list after reading: %s", r.body)
	}
	log := e.do(t, "GET", "/api/v1/roadmaps/"+w.id+"/access-log", owner, nil)
	if !strings.Contains(log.body, `"action":"read-messages"`) {
		t.Fatalf("the read is not in the access log: %s", log.body)
	}

	// The answer carries the caseworker's name and agency.
	r = e.do(t, "POST", thread, cw, map[string]any{"id": "m-nav-1", "text": "Ja, ring meg i morgen."})
	if r.status != 201 || r.json(t)["name"] != "caseworker" || r.json(t)["agencyId"] != w.nav || r.json(t)["from"] != "agency" {
		t.Fatalf("caseworker answers: %d %s", r.status, r.body)
	}
	if got := pushed.take(); len(got) != 1 || got[0] != "household "+w.id+" "+w.nav+" "+w.users["owner"]+","+w.users["co-owner"] {
		t.Fatalf("push to the household: %q", got)
	}
	if log := e.do(t, "GET", "/api/v1/roadmaps/"+w.id+"/access-log", owner, nil); !strings.Contains(log.body, `"action":"message"`) || !strings.Contains(log.body, `"ref":"m-nav-1"`) {
		t.Fatalf("the message is not in the access log: %s", log.body)
	}
	r = e.do(t, "GET", "/api/v1/roadmaps/"+w.id+"/conversations", owner, nil)
	if r.status != 200 || !strings.Contains(r.body, `"agencyId":"`+w.nav+`","agencyName":"Agency nav","unread":1,"messages":3`) || !strings.Contains(r.body, `"agencyId":"`+w.childWelfare+`"`) {
		t.Fatalf("the household's list: %d %s", r.status, r.body)
	}
	r = e.do(t, "GET", thread, owner, nil)
	if r.status != 200 || r.json(t)["unread"] != float64(1) || !strings.Contains(r.body, "ring meg") || r.json(t)["open"] != true {
		t.Fatalf("household reads: %d %s", r.status, r.body)
	}
	if r := e.do(t, "GET", "/api/v1/roadmaps/"+w.id+"/conversations", owner, nil); !strings.Contains(r.body, `"unread":0,"messages":3`) {
		t.Fatalf("the household's list after reading: %s", r.body)
	}

	// The household revokes: the caseworker's next request is refused, the
	// household keeps the thread and may still write.
	if r := e.do(t, "DELETE", "/api/v1/roadmaps/"+w.id+"/grants/"+w.grantNAV, owner, nil); r.status != 200 {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	for _, m := range []string{"GET", "POST"} {
		r := e.do(t, m, thread, cw, map[string]any{"id": "m-nav-2", "text": "Hallo?"})
		if m == "GET" {
			r = e.do(t, m, thread, cw, nil)
		}
		if r.status != 403 || !strings.Contains(r.body, "access-ended") || strings.Contains(r.body, "husleia") {
			t.Fatalf("%s after revocation: %d %s", m, r.status, r.body)
		}
	}
	if r := e.do(t, "GET", "/api/v1/shared", cw, nil); strings.Contains(r.body, w.id) {
		t.Fatalf("the revoked roadmap is still listed: %s", r.body)
	}
	r = e.do(t, "GET", thread, owner, nil)
	if r.status != 200 || r.json(t)["open"] != false || !strings.Contains(r.body, "husleia") || !strings.Contains(r.body, "ring meg") {
		t.Fatalf("the household after revocation: %d %s", r.status, r.body)
	}
	if r := e.do(t, "POST", thread, owner, map[string]any{"id": "m-kari-2", "text": "Takk!"}); r.status != 201 {
		t.Fatalf("the household writes after revocation: %d %s", r.status, r.body)
	}
	if got := pushed.take(); len(got) != 0 {
		t.Fatalf("pushed to an agency without access: %q", got)
	}

	// The export holds the conversations.
	if x := e.do(t, "GET", "/api/v1/me/export", owner, nil); x.status != 200 || !strings.Contains(x.body, `"conversations":[`) || !strings.Contains(x.body, "ring meg") {
		t.Fatalf("export: %d %.300s", x.status, x.body)
	}
}

// TestMessages_BadInput: every bad input is a problem, never a 500, and
// changes nothing.
func TestMessages_BadInput(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)
	w := newWorld(t, e)
	thread := func(agency string) string {
		return "/api/v1/roadmaps/" + w.id + "/conversations/" + agency + "/messages"
	}
	cases := []struct {
		name, method, path, token string
		body                      any
		status                    int
		problem                   string
	}{
		{"malformed json", "POST", thread(w.nav), "owner", `{"id": "m1", "text": `, 400, "/problems/malformed-json"},
		{"wrong type", "POST", thread(w.nav), "owner", map[string]any{"id": "m1", "text": 42}, 422, "/problems/validation"},
		{"unknown field", "POST", thread(w.nav), "owner", map[string]any{"id": "m1", "text": "x", "attachment": "a.pdf"}, 422, "/problems/validation"},
		{"no id", "POST", thread(w.nav), "owner", map[string]any{"text": "x"}, 422, "/problems/validation"},
		{"id outside the alphabet", "POST", thread(w.nav), "owner", map[string]any{"id": "m|1", "text": "x"}, 422, "/problems/validation"},
		{"empty text", "POST", thread(w.nav), "owner", map[string]any{"id": "m1", "text": ""}, 422, "/problems/validation"},
		{"only white space", "POST", thread(w.nav), "owner", map[string]any{"id": "m1", "text": "   \n "}, 422, "/problems/validation"},
		{"text too long", "POST", thread(w.nav), "owner", map[string]any{"id": "m1", "text": strings.Repeat("a", 4001)}, 422, "/problems/validation"},
		{"array body", "POST", thread(w.nav), "owner", `[]`, 422, "/problems/validation"},
		{"agency that never had a grant", "POST", thread("ag-nowhere"), "owner", map[string]any{"id": "m1", "text": "x"}, 404, "/problems/not-found"},
		{"malformed agency id", "GET", thread("a%7Cb"), "owner", nil, 404, "/problems/not-found"},
		{"another household's roadmap", "GET", "/api/v1/roadmaps/" + w.id + "-other/conversations/" + w.nav + "/messages", "owner", nil, 404, "/problems/not-found"},
		{"caseworker names another agency", "GET", thread(w.childWelfare), "caseworker", nil, 404, "/problems/not-found"},
		{"caseworker writes for another agency", "POST", thread(w.childWelfare), "caseworker", map[string]any{"id": "m1", "text": "x"}, 404, "/problems/not-found"},
		{"cursor that is not one", "GET", thread(w.nav) + "?cursor=x", "owner", nil, 422, "/problems/validation"},
		{"cursor of a page not there", "GET", thread(w.nav) + "?cursor=p7", "owner", nil, 422, "/problems/validation"},
		{"empty cursor", "GET", thread(w.nav) + "?cursor=", "owner", nil, 422, "/problems/validation"},
		{"member writes", "POST", thread(w.nav), "member", map[string]any{"id": "m1", "text": "x"}, 403, "/problems/forbidden"},
		{"agency admin reads", "GET", thread(w.nav), "agency-admin", nil, 404, "/problems/not-found"},
		{"caseworker lists the household's conversations", "GET", "/api/v1/roadmaps/" + w.id + "/conversations", "caseworker", nil, 403, "/problems/forbidden"},
		{"forged token", "GET", thread(w.nav), "forged", nil, 401, "/problems/unauthorized"},
		{"no token", "GET", thread(w.nav), "", nil, 401, "/problems/unauthorized"},
	}
	w.tokens["forged"] = forgedToken(t, w.users["owner"])
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before, err := e.store.Conversation(context.Background(), w.id, w.nav)
			if err != nil {
				t.Fatal(err)
			}
			r := e.do(t, tc.method, tc.path, w.tokens[tc.token], tc.body)
			if r.status != tc.status || !strings.Contains(r.body, `"type":"`+tc.problem+`"`) {
				t.Fatalf("got %d %s, want %d %s", r.status, r.body, tc.status, tc.problem)
			}
			after, _ := e.store.Conversation(context.Background(), w.id, w.nav)
			if after.Rev != before.Rev {
				t.Fatalf("bad input changed the conversation")
			}
		})
	}
	t.Run("body too large", func(t *testing.T) {
		before, _ := e.store.Conversation(context.Background(), w.id, w.nav)
		mustRefuseOversize(t, e.url, "POST", thread(w.nav), w.tokens["owner"])
		if after, _ := e.store.Conversation(context.Background(), w.id, w.nav); after.Rev != before.Rev {
			t.Fatalf("an oversize body changed the conversation")
		}
	})
}
