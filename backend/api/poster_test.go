package api_test

import (
	"strings"
	"testing"

	"github.com/veikart/veikart/backend/api"
	"github.com/veikart/veikart/backend/qr"
)

// TestPoster_QRCodeEveryRole: the poster's QR code, for every kind of
// caller around one household. The household's own (owners, and a member
// with an account) get the code of the roadmap's address in the app; a
// caseworker whose agency may read the roadmap is refused (403), everyone
// else cannot tell the roadmap exists (404).
func TestPoster_QRCodeEveryRole(t *testing.T) {
	t.Parallel()
	const public = "https://veikart.example.no"
	e := mustEnvWith(t, api.Config{Dev: true, PublicURL: public + "/"}, nil)
	w := newWorld(t, e)
	want, err := qr.SVG(public + "/#/roadmaps/" + w.id)
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]int{
		"owner": 200, "co-owner": 200, "member": 200,
		"caseworker": 403, "coordinator": 403,
		"expired": 404, "revoked": 404, "never": 404, "agency-admin": 404, "other-person": 404, "operator": 404,
		"anonymous": 401,
		// The poster is the household's own, not its helpers'.
		"trusted": 403, "interpreter": 403, "trusted-ended": 404, "interpreter-ended": 404,
	}
	for _, role := range roles {
		t.Run(role, func(t *testing.T) {
			r := e.do(t, "GET", "/api/v1/roadmaps/"+w.id+"/poster-qr", w.tokens[role], nil)
			if r.status != status[role] {
				t.Fatalf("status %d, want %d: %s", r.status, status[role], r.body)
			}
			if r.status != 200 {
				if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
					t.Fatalf("error is %q, not problem details", ct)
				}
				if strings.Contains(r.body, "<svg") {
					t.Fatal("a refusal carries the code")
				}
				return
			}
			if ct := r.header.Get("Content-Type"); ct != "image/svg+xml" {
				t.Errorf("Content-Type %q", ct)
			}
			if r.body != want {
				t.Errorf("the code is not the roadmap's address %s/#/roadmaps/%s:\n%.200s", public, w.id, r.body)
			}
		})
	}
}

// TestPoster_QRCodeOfNoRoadmap: an id that names nothing, or cannot be an
// id, is the same 404 as a roadmap one may not see.
func TestPoster_QRCodeOfNoRoadmap(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)
	kari := e.login(t, "Kari")
	for _, id := range []string{"00000000-0000-4000-8000-000000000010", "bad%20id"} {
		r := e.do(t, "GET", "/api/v1/roadmaps/"+id+"/poster-qr", kari.access, nil)
		if r.status != 404 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("%s: %d %s %s", id, r.status, r.header.Get("Content-Type"), r.body)
		}
	}
}
