package api_test

import (
	"context"
	"strings"
	"testing"
)

// TestMembers_OwnSay: the owners ask Mia (16, with an account, named by
// health) for her yes to sharing health with NAV; she sees only her own
// requests and says no; NAV's grant cannot be widened to health; receipts
// and both exports hold it. Bad input changes nothing.
func TestMembers_OwnSay(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)
	w := newWorld(t, e)
	owner, mia := w.tokens["owner"], w.tokens["member"]
	says := "/api/v1/roadmaps/" + w.id + "/says"
	forNAV := "agency:" + w.nav

	t.Run("bad input changes nothing", func(t *testing.T) {
		before := w.roadmap(t).Rev
		for _, c := range []struct {
			name, method, path, token string
			body                      any
			status                    int
		}{
			{"malformed", "POST", says, owner, `{"memberId":`, 400},
			{"unknown field", "POST", says, owner, map[string]any{"memberId": "m2", "areaId": "health", "for": forNAV, "extra": 1}, 422},
			{"wrong type", "POST", says, owner, map[string]any{"memberId": 2, "areaId": "health", "for": forNAV}, 422},
			{"bad use", "POST", says, owner, map[string]any{"memberId": "m2", "areaId": "health", "for": "everyone"}, 422},
			{"unknown agency", "POST", says, owner, map[string]any{"memberId": "m2", "areaId": "health", "for": "agency:nobody"}, 422},
			{"not named", "POST", says, owner, map[string]any{"memberId": "m2", "areaId": "housing", "for": forNAV}, 422},
			{"adult without say", "POST", says, owner, map[string]any{"memberId": "m1", "areaId": "housing", "for": forNAV}, 409},
			{"answer maybe", "PUT", says + "/answer", mia, map[string]any{"areaId": "health", "for": forNAV, "answer": "maybe"}, 422},
			{"another household", "GET", "/api/v1/roadmaps/" + w.id + "-other/says", mia, nil, 404},
			{"forged token", "GET", says, forgedToken(t, w.users["owner"]), nil, 401},
		} {
			t.Run(c.name, func(t *testing.T) {
				r := e.do(t, c.method, c.path, c.token, c.body)
				if r.status != c.status || !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
					t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
				}
			})
		}
		mustRefuseOversize(t, e.url, "PUT", says+"/answer", mia)
		if w.roadmap(t).Rev != before {
			t.Error("a refused request changed the roadmap")
		}
	})

	if r := e.do(t, "POST", says, owner, map[string]any{"memberId": "m2", "areaId": "health", "for": forNAV}); r.status != 200 || !strings.Contains(r.body, `"answer":"pending"`) {
		t.Fatalf("ask: %d %s", r.status, r.body)
	}
	// The owners see every member and who has their own say; Mia only
	// herself, and her request.
	if r := e.do(t, "GET", says, owner, nil); r.status != 200 || !strings.Contains(r.body, mHousehold) || !strings.Contains(r.body, `"id":"m2","name":"Mia","birthYear":2010,"joined":true,"hasOwnSay":true`) {
		t.Fatalf("owner's says: %d %s", r.status, r.body)
	}
	r := e.do(t, "GET", says, mia, nil)
	if r.status != 200 || strings.Contains(r.body, mHousehold) || !strings.Contains(r.body, `"role":"member"`) || !strings.Contains(r.body, `"answer":"pending"`) || !strings.Contains(r.body, `"sections":["area:health","steps:health"]`) {
		t.Fatalf("Mia's says: %d %s", r.status, r.body)
	}
	if strings.Contains(r.body, w.users["owner"]) {
		t.Errorf("Mia sees who asked: %s", r.body)
	}
	if r := e.do(t, "PUT", says+"/answer", mia, map[string]any{"areaId": "health", "for": forNAV, "answer": "no"}); r.status != 200 || !strings.Contains(r.body, `"answer":"no"`) {
		t.Fatalf("answer: %d %s", r.status, r.body)
	}
	// NAV's grant cannot be widened to health; the problem points at it.
	if r := e.do(t, "PATCH", "/api/v1/roadmaps/"+w.id+"/grants/"+w.grantNAV, owner, map[string]any{"sections": []string{"area:housing", "area:health"}}); r.status != 403 ||
		!strings.Contains(r.body, "Mia said no") || !strings.Contains(r.body, `"pointer":"/sections/1"`) {
		t.Fatalf("widening to health: %d %s", r.status, r.body)
	}
	// Nor can a planned transition's grant include it.
	if r := e.do(t, "POST", "/api/v1/roadmaps/"+w.id+"/transitions", owner, map[string]any{"id": "t-health", "kind": "discharge", "date": e.clock.Now().AddDate(0, 0, 100).Format("2006-01-02"),
		"agencyId": w.nav, "sections": []string{"area:health"}, "permissions": []string{"view"}, "daysBefore": 7, "daysAfter": 30, "summary": "s", "reminders": []int{7}}); r.status != 403 || !strings.Contains(r.body, "Mia said no") {
		t.Fatalf("a transition with health: %d %s", r.status, r.body)
	}
	if r := e.do(t, "GET", "/api/v1/roadmaps/"+w.id+"/receipts", owner, nil); r.status != 200 || !strings.Contains(r.body, `"kind":"said-no"`) || !strings.Contains(r.body, `"memberId":"m2"`) {
		t.Fatalf("receipts: %d %s", r.status, r.body)
	}
	if r := e.do(t, "GET", "/api/v1/me/export", owner, nil); r.status != 200 || !strings.Contains(r.body, `"says":[{`) {
		t.Fatalf("owner's export: %d %s", r.status, r.body[:min(len(r.body), 400)])
	}
	// Accepting her invitation put the roadmap in her index (the world
	// links her directly).
	if err := e.store.AddUserRoadmap(context.Background(), w.users["member"], w.id); err != nil {
		t.Fatal(err)
	}
	if r := e.do(t, "GET", "/api/v1/me/export", mia, nil); r.status != 200 || !strings.Contains(r.body, `"memberSays":[{"roadmapId":"`+w.id+`"`) || strings.Contains(r.body, mHousehold) {
		t.Fatalf("Mia's export: %d %s", r.status, r.body)
	}
	// Erasing Mia's account unlinks her; her answer stays with the member.
	if r := e.do(t, "DELETE", "/api/v1/me", mia, map[string]any{"confirm": "erase my account"}); r.status != 204 {
		t.Fatalf("erase: %d %s", r.status, r.body)
	}
	after, err := e.store.Roadmap(context.Background(), w.id)
	if err != nil {
		t.Fatal(err)
	}
	if after.Members[1].UserID != "" || len(after.Says) != 1 {
		t.Errorf("after erasure: member %+v, says %+v", after.Members[1], after.Says)
	}
}
