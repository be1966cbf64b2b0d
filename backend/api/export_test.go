package api_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/veikart/veikart/backend/auth"
	"github.com/veikart/veikart/backend/household"
	"github.com/veikart/veikart/backend/validate"
	"github.com/veikart/veikart/backend/veikart"
)

type exportDoc struct {
	Profile  struct{ ID string }
	Roadmaps []struct {
		Roadmap struct {
			ID string
		}
		Grants      []map[string]any
		Invitations []map[string]any
		Receipts    []map[string]any
		AccessLog   []map[string]any
		Helpers     []map[string]any
	}
	MemberOf []struct {
		ID       string
		Access   struct{ Role string }
		Comments []map[string]any
	}
	Sessions    struct{ Items []struct{ ID string } }
	SecurityLog []struct{ SessionID string }
}

// TestExport_HoldsExactlyMine checks that an export is valid against the
// published schema, holds everything of the owner's (each roadmap in full
// with its consent records and access log, their devices and security log)
// and nothing of anyone else's.
func TestExport_HoldsExactlyMine(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)
	w := newWorld(t, e)
	ctx := context.Background()
	v, err := validate.New()
	if err != nil {
		t.Fatal(err)
	}
	owner := w.users["owner"]
	// The owner owns a second roadmap; the caseworker reads the first.
	second := auth.NewUUID()
	if r := e.do(t, "POST", "/api/v1/roadmaps", w.tokens["owner"], map[string]any{"id": second, "title": "SECOND-ROADMAP-TITLE"}); r.status != 201 {
		t.Fatal(r.body)
	}
	if r := e.do(t, "GET", "/api/v1/roadmaps/"+w.id, w.tokens["caseworker"], nil); r.status != 200 {
		t.Fatal(r.body)
	}
	// Someone else's access log and security log, with markers.
	if err := e.store.AppendAudit(ctx, w.id+"-other", veikart.AuditEvent{ID: "e-other", At: e.clock.Now(), UserID: "u-x", AgencyID: w.nav, Role: "caseworker", Action: veikart.AuditRead, Ref: "OTHER-HOUSEHOLD-LOG"}); err != nil {
		t.Fatal(err)
	}
	for u, ref := range map[string]string{owner: "SEC-OWNER-SESSION", w.users["co-owner"]: "SEC-COOWNER-SESSION"} {
		if err := e.store.AppendAudit(ctx, veikart.SecurityLogKey(u), veikart.AuditEvent{ID: auth.RandomID(6), At: e.clock.Now(), UserID: u, Role: "dev", Action: veikart.AuditSignIn, Ref: ref}); err != nil {
			t.Fatal(err)
		}
	}

	// The member is linked, as accepting a member invitation does.
	if err := e.store.AddUserRoadmap(ctx, w.users["member"], w.id); err != nil {
		t.Fatal(err)
	}
	// Index the sessions the world issued, as sign-in does.
	for _, u := range []string{owner, w.users["co-owner"]} {
		ids, err := e.store.SessionIDsOfUser(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			if err := e.store.AddUserSession(ctx, u, id); err != nil {
				t.Fatal(err)
			}
		}
	}
	r := e.do(t, "GET", "/api/v1/me/export", w.tokens["owner"], nil)
	if r.status != 200 {
		t.Fatalf("export: %d %s", r.status, r.body)
	}
	if cd := r.header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="veikart-export-`) {
		t.Fatalf("Content-Disposition: %q", cd)
	}
	if err := v.Validate("export.schema.json", []byte(r.body)); err != nil {
		t.Fatalf("export is not valid against export.schema.json: %v", err)
	}
	var x exportDoc
	if err := json.Unmarshal([]byte(r.body), &x); err != nil {
		t.Fatal(err)
	}
	if x.Profile.ID != owner {
		t.Fatalf("profile: %+v", x.Profile)
	}
	got := map[string]bool{}
	for _, rm := range x.Roadmaps {
		got[rm.Roadmap.ID] = true
	}
	if len(x.Roadmaps) != 2 || !got[w.id] || !got[second] {
		t.Fatalf("owned roadmaps: %v", got)
	}
	for _, rm := range x.Roadmaps {
		if rm.Roadmap.ID != w.id {
			continue
		}
		// One agency invitation, and one for each helper (helpers.go).
		if len(rm.Grants) < 3 || len(rm.Invitations) != 1+len(rm.Helpers) || len(rm.Helpers) != 5 || len(rm.Receipts) < 3 || len(rm.AccessLog) < 1 {
			t.Fatalf("consent records or log missing: %d grants, %d invitations, %d receipts, %d log entries",
				len(rm.Grants), len(rm.Invitations), len(rm.Receipts), len(rm.AccessLog))
		}
	}
	for _, want := range append(seen["owner"], "SECOND-ROADMAP-TITLE", "SEC-OWNER-SESSION", "Follow-up of housing") {
		if !strings.Contains(r.body, want) {
			t.Fatalf("export lacks %q", want)
		}
	}
	for _, not := range []string{mOtherHome, w.id + "-other", "OTHER-HOUSEHOLD-LOG", "SEC-COOWNER-SESSION", "codeHash", household.HashInvitationCode(w.inviteCode), w.inviteCode} {
		if strings.Contains(r.body, not) {
			t.Fatalf("export holds someone else's data or a secret: %q", not)
		}
	}
	// Only the owner's own sessions.
	if len(x.Sessions.Items) == 0 {
		t.Fatal("no sessions in the export")
	}
	for _, s := range x.Sessions.Items {
		sess, err := e.store.Session(ctx, s.ID)
		if err != nil || sess.UserID != owner {
			t.Fatalf("session %s in the export is not the owner's: %v %v", s.ID, sess, err)
		}
	}

	// A member's export holds the household's roadmap as a member sees it:
	// no consent records, no agencies' comments.
	r = e.do(t, "GET", "/api/v1/me/export", w.tokens["member"], nil)
	if r.status != 200 {
		t.Fatalf("member's export: %d %s", r.status, r.body)
	}
	if err := v.Validate("export.schema.json", []byte(r.body)); err != nil {
		t.Fatalf("member's export is not valid: %v", err)
	}
	x = exportDoc{}
	if err := json.Unmarshal([]byte(r.body), &x); err != nil {
		t.Fatal(err)
	}
	if len(x.Roadmaps) != 0 || len(x.MemberOf) != 1 || x.MemberOf[0].ID != w.id || x.MemberOf[0].Access.Role != "member" {
		t.Fatalf("member's export: %s", r.body)
	}
	for _, not := range []string{mOtherAgency, "Follow-up of housing", "SEC-OWNER-SESSION", "SECOND-ROADMAP-TITLE"} {
		if strings.Contains(r.body, not) {
			t.Fatalf("member's export holds %q", not)
		}
	}
	// The caseworker's export holds no household's data at all.
	r = e.do(t, "GET", "/api/v1/me/export", w.tokens["caseworker"], nil)
	if r.status != 200 || strings.Contains(r.body, w.id) {
		t.Fatalf("caseworker's export: %d %s", r.status, r.body)
	}
	for _, m := range allMarkers {
		if strings.Contains(r.body, m) {
			t.Fatalf("caseworker's export holds %q", m)
		}
	}
	// Operators have no account to export.
	if r := e.do(t, "GET", "/api/v1/me/export", w.tokens["operator"], nil); r.status != 403 {
		t.Fatalf("operator: %d %s", r.status, r.body)
	}
}
