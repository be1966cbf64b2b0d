package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/api"
	"github.com/veikart/veikart/backend/auth"
	"github.com/veikart/veikart/backend/household"
	"github.com/veikart/veikart/backend/veikart"
	"github.com/veikart/veikart/backend/wire"
)

// Markers: text placed in one section each, so a test can tell from a
// response body exactly which sections (and whose household) it holds.
const (
	mHousehold   = "MEMBER-KARI-NAME"     // household section (a member's name)
	mHousing     = "HOUSING-NOW-TEXT"     // area:housing
	mHealth      = "HEALTH-NOW-TEXT"      // area:health
	mStepHousing = "STEP-HOUSING-TITLE"   // steps:housing
	mStepHealth  = "STEP-HEALTH-TITLE"    // steps:health
	mOtherAgency = "CHILD-WELFARE-REMARK" // a comment by another agency on area:housing
	mOwnerNote   = "OWNER-COMMENT-TEXT"   // an owner's comment on area:health
	mOwnerShared = "OWNER-HOUSING-REMARK" // an owner's comment on area:housing, granted to NAV
	mOtherHome   = "OLA-HOUSEHOLD-SECRET" // another household's roadmap
	mMessageNAV  = "MESSAGE-TO-NAV-TEXT"  // the household's message to NAV
	mMessageBV   = "MESSAGE-TO-BV-TEXT"   // the household's message to the child welfare service
)

var allMarkers = []string{mHousehold, mHousing, mHealth, mStepHousing, mStepHealth, mOtherAgency, mOwnerNote, mOwnerShared, mOtherHome, mMessageNAV, mMessageBV}

// Member ids planted in the world's household: the household's own names
// for its members, which no agency may see (it gets keys of its own).
var plantedMemberIDs = []string{"m1", "m2"}

// world is one household's roadmap with everyone around it: two owners, a
// member with an account, and agencies whose grants are active, expired,
// revoked or absent. Each test case builds its own, so cases can change it.
type world struct {
	e                                  *env
	id                                 string // the roadmap
	tokens                             map[string]string
	users                              map[string]string // role -> user id
	nav, childWelfare, housing, police string            // agency ids
	office                             string            // the housing office, whose caseworker coordinates
	grantNAV, requestID, proposalID    string
	inviteCode                         string
	helperCode                         string // a trusted person's invitation nobody accepted yet
}

var worldSeq atomic.Int64

// The roles of the table test.
var roles = []string{"owner", "co-owner", "member", "caseworker", "coordinator", "expired", "revoked", "never", "agency-admin", "other-person", "operator", "anonymous",
	// Helpers (helpers.go): a trusted person who writes in housing, an
	// interpreter in a session on health, a trusted person the owners
	// took back and an interpreter whose session ran out.
	"trusted", "interpreter", "trusted-ended", "interpreter-ended"}

func newWorld(t testing.TB, e *env) *world {
	t.Helper()
	ctx := context.Background()
	n := worldSeq.Add(1)
	w := &world{e: e, id: fmt.Sprintf("00000000-0000-4000-8000-%012d", 1000+n), tokens: map[string]string{}, users: map[string]string{}}
	now := e.clock.Now()
	uid := func(role string) string { return fmt.Sprintf("u%d-%s", n, role) }
	for _, role := range roles {
		if role == "anonymous" || role == "operator" {
			continue
		}
		w.users[role] = uid(role)
		if _, err := e.store.EnsureUser(ctx, &veikart.User{ID: uid(role), Name: role, CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	agency := func(suffix string, kind veikart.AgencyKind, staff map[string][]veikart.AgencyRole) string {
		a, err := veikart.NewAgency(fmt.Sprintf("ag%d-%s", n, suffix), kind, "Agency "+suffix, "Oslo", now)
		if err != nil {
			t.Fatal(err)
		}
		for role, rs := range staff {
			if a, err = a.SetStaff(uid(role), rs, "op", now); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.store.CreateAgency(ctx, a); err != nil {
			t.Fatal(err)
		}
		return a.ID
	}
	cw := []veikart.AgencyRole{veikart.CaseworkerRole}
	w.nav = agency("nav", veikart.KindNAV, map[string][]veikart.AgencyRole{"caseworker": cw, "agency-admin": {veikart.AdminRole}})
	w.childWelfare = agency("bv", veikart.KindChildWelfare, map[string][]veikart.AgencyRole{"expired": cw})
	w.housing = agency("hb", veikart.KindHusbanken, map[string][]veikart.AgencyRole{"revoked": cw})
	w.police = agency("pol", veikart.KindPolice, map[string][]veikart.AgencyRole{"never": cw})
	w.office = agency("ko", veikart.KindHousingOffice, map[string][]veikart.AgencyRole{"coordinator": cw})

	r, err := veikart.NewRoadmap(w.id, uid("owner"), "Familien", []veikart.Member{
		{ID: "m1", Name: mHousehold, Role: veikart.Adult},
		{ID: "m2", Name: "Mia", Role: veikart.Child, BirthYear: 2010},
	}, now)
	if err != nil {
		t.Fatal(err)
	}
	r.Owners = append(r.Owners, uid("co-owner"))
	r.Members[1].UserID = uid("member")
	r.Members[1].OwnAllowed = true // Mia may take a roadmap of her own
	housingNow, healthNow := mHousing, mHealth
	if r, _, err = r.Apply([]veikart.Op{
		veikart.UpdateArea{ID: "o1", AreaID: "housing", BaseVersion: 1, Set: veikart.AreaPatch{Now: &housingNow}},
		veikart.UpdateArea{ID: "o2", AreaID: "health", BaseVersion: 1, Set: veikart.AreaPatch{Now: &healthNow}},
		veikart.AddStep{ID: "o3", Step: veikart.Step{ID: "s1", AreaID: "housing", Title: mStepHousing, Term: veikart.ShortTerm, Responsible: veikart.Responsible{Kind: veikart.ByMember, MemberID: "m1"}, MemberIDs: []string{"m1"}}},
		veikart.UpdateArea{ID: "o5", AreaID: "housing", BaseVersion: 1, Set: veikart.AreaPatch{MemberIDs: &[]string{"m1"}}},
		// Health names Mia, who has an account and her own say: she sees
		// it, and nothing of the areas that do not name her.
		veikart.UpdateArea{ID: "o7", AreaID: "health", BaseVersion: 1, Set: veikart.AreaPatch{MemberIDs: &[]string{"m2"}}},
		veikart.AddStep{ID: "o4", Step: veikart.Step{ID: "s2", AreaID: "health", Title: mStepHealth, Term: veikart.LongTerm, Responsible: veikart.Responsible{Kind: veikart.ByHousehold}}},
	}, now); err != nil {
		t.Fatal(err)
	}
	policy := veikart.ConsentPolicy{}
	grant := func(r *veikart.Roadmap, id, agency string, perms ...veikart.Permission) *veikart.Roadmap {
		n, _, err := r.AddGrant(id, agency, uid("owner"), veikart.GrantSpec{
			Sections:    []veikart.Section{veikart.AreaSection("housing"), veikart.StepsSection("housing")},
			Permissions: perms, Purpose: "Follow-up of housing", ExpiresAt: now.Add(90 * 24 * time.Hour),
		}, "owner", now, policy)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	w.grantNAV = "g-nav"
	// NAV may see the team; the housing office's caseworker coordinates.
	r = grant(r, w.grantNAV, w.nav, veikart.View, veikart.CommentOn, veikart.Propose, veikart.SeeTeam, veikart.Messaging)
	r = grant(r, "g-ko", w.office, veikart.View, veikart.CommentOn, veikart.Propose)
	for _, c := range []struct{ agency, role string }{{w.nav, "caseworker"}, {w.office, "coordinator"}} {
		if r, _, err = r.SetContact(c.agency, veikart.Contact{UserID: uid(c.role), Name: "Contact " + c.role}, now); err != nil {
			t.Fatal(err)
		}
	}
	if r, _, err = r.SetCoordinator(w.office, uid("coordinator"), uid("owner"), now); err != nil {
		t.Fatal(err)
	}
	// A step the household gave NAV, which NAV promised.
	if r, _, err = r.Apply([]veikart.Op{veikart.AddStep{ID: "o6", BaseVersion: r.Version, Step: veikart.Step{ID: "s3", AreaID: "housing", Title: "Pay the deposit", Term: veikart.ShortTerm,
		Responsible: veikart.Responsible{Kind: veikart.ByAgency, AgencyID: w.nav}}}}, now); err != nil {
		t.Fatal(err)
	}
	// A meeting the household called with NAV and the housing office, its
	// agenda about housing (both see it), health (neither does) and free;
	// and one the coordinator proposed.
	if r, _, err = r.CallMeeting("mt1", veikart.MeetingSpec{At: now.Add(7 * 24 * time.Hour), Invitees: []string{w.nav, w.office}}, uid("owner"), "", now); err != nil {
		t.Fatal(err)
	}
	if r, _, err = r.SetAgenda("mt1", []veikart.AgendaItem{{ID: "a1", AreaID: "housing", Text: "The flat"}, {ID: "a2", AreaID: "health", Text: mHealth}, {ID: "a3", Text: "Anything else"}}, now); err != nil {
		t.Fatal(err)
	}
	if r, _, err = r.CallMeeting("mt2", veikart.MeetingSpec{At: now.Add(9 * 24 * time.Hour), Invitees: []string{w.office}}, uid("coordinator"), w.office, now); err != nil {
		t.Fatal(err)
	}
	if r, _, err = r.AnswerPromise("s3", w.nav, veikart.PromiseAnswer{Accept: true, Due: now.AddDate(0, 0, 10).Format(time.DateOnly), By: uid("caseworker"), ByName: "caseworker"}, now, now.Format(time.DateOnly)); err != nil {
		t.Fatal(err)
	}
	r = grant(r, "g-bv", w.childWelfare, veikart.View, veikart.CommentOn, veikart.Messaging)
	r = grant(r, "g-hb", w.housing, veikart.View)
	// The child welfare service commented while its grant ran.
	if r, _, err = r.AddComment(veikart.Comment{ID: "c-bv", Section: veikart.AreaSection("housing"), UserID: uid("expired"), AgencyID: w.childWelfare, Text: mOtherAgency}, now); err != nil {
		t.Fatal(err)
	}
	if r, _, err = r.AddComment(veikart.Comment{ID: "c-own", Section: veikart.AreaSection("health"), UserID: uid("owner"), Text: mOwnerNote}, now); err != nil {
		t.Fatal(err)
	}
	if r, _, err = r.AddComment(veikart.Comment{ID: "c-own-housing", Section: veikart.StepsSection("housing"), StepID: "s1", UserID: uid("co-owner"), Text: mOwnerShared}, now); err != nil {
		t.Fatal(err)
	}
	// Then it expired (as if the clock had run past it), and Husbanken's
	// grant was revoked.
	for i := range r.Grants {
		if r.Grants[i].ID == "g-bv" {
			r.Grants[i].ExpiresAt = now.Add(-time.Hour)
		}
	}
	if r, _, err = r.RevokeGrant("g-hb", uid("owner"), now); err != nil {
		t.Fatal(err)
	}
	w.requestID, w.proposalID = "q-police", "p-nav"
	if r, _, err = r.AddRequest(w.requestID, w.police, uid("never"), []veikart.Section{veikart.SectionHousehold}, []veikart.Permission{veikart.View}, "Safety check", now); err != nil {
		t.Fatal(err)
	}
	if r, _, err = r.AddProposal(veikart.Proposal{ID: w.proposalID, AgencyID: w.nav, UserID: uid("caseworker"), Step: veikart.Step{
		AreaID: "housing", Title: "Apply for housing allowance", Term: veikart.ShortTerm, Responsible: veikart.Responsible{Kind: veikart.ByAgency, AgencyID: w.nav}}}, now); err != nil {
		t.Fatal(err)
	}
	// A release planned half a year ahead: the police's grant for it is
	// given but not yet in force.
	if r, _, err = r.PlanTransition("t-pol", "g-pol", uid("owner"), veikart.TransitionSpec{
		Kind: veikart.TransitionRelease, Date: now.AddDate(0, 0, 200).Format(time.DateOnly), AgencyID: w.police,
		Sections: []veikart.Section{veikart.AreaSection("housing")}, Permissions: []veikart.Permission{veikart.View},
		DaysBefore: 10, DaysAfter: 30, Summary: "Hand-over", Reminders: []int{7, 1},
	}, now, time.UTC); err != nil {
		t.Fatal(err)
	}
	w.inviteCode = fmt.Sprintf("code-%d-%s", n, strings.Repeat("x", 20))
	if r, _, err = r.AddInvitation(veikart.Invitation{ID: "i1", Kind: veikart.InviteAgency, CodeHash: household.HashInvitationCode(w.inviteCode), CreatedBy: uid("owner"),
		Sections: []veikart.Section{veikart.AreaSection("work")}, Permissions: []veikart.Permission{veikart.View}, Purpose: "Work", GrantExpiresAt: now.Add(24 * time.Hour)}, now, policy); err != nil {
		t.Fatal(err)
	}
	// The helpers: each invited with a code and accepted (helpers.go).
	helper := func(r *veikart.Roadmap, id, role string, spec veikart.HelperSpec) *veikart.Roadmap {
		code := fmt.Sprintf("hcode-%d-%s-%s", n, id, strings.Repeat("y", 20))
		n, _, err := r.InviteHelper(id, spec, veikart.Invitation{ID: "i-" + id, CodeHash: household.HashInvitationCode(code), CreatedBy: uid("owner"), ExpiresAt: now.Add(10 * time.Minute)}, now, policy)
		if err != nil {
			t.Fatal(err)
		}
		if role == "" {
			w.helperCode = code
			return n
		}
		if n, _, err = n.AcceptHelper(household.HashInvitationCode(code), uid(role), now); err != nil {
			t.Fatal(err)
		}
		return n
	}
	housing := []veikart.Section{veikart.AreaSection("housing"), veikart.StepsSection("housing")}
	r = helper(r, "h-trusted", "trusted", veikart.HelperSpec{Kind: veikart.HelperTrusted, Name: "Trusted Kari", Sections: housing, Write: true, ExpiresAt: now.Add(30 * 24 * time.Hour)})
	r = helper(r, "h-interpreter", "interpreter", veikart.HelperSpec{Kind: veikart.HelperInterpreter, Name: "Tolk Amir", Sections: []veikart.Section{veikart.AreaSection("health")}})
	r = helper(r, "h-ended", "trusted-ended", veikart.HelperSpec{Kind: veikart.HelperTrusted, Name: "Ended Per", Sections: housing, ExpiresAt: now.Add(30 * 24 * time.Hour)})
	if r, _, err = r.RevokeHelper("h-ended", uid("owner"), now); err != nil {
		t.Fatal(err)
	}
	r = helper(r, "h-session", "interpreter-ended", veikart.HelperSpec{Kind: veikart.HelperInterpreter, Name: "Tolk Old", Sections: housing})
	for i := range r.Helpers {
		if r.Helpers[i].ID == "h-session" {
			r.Helpers[i].ExpiresAt = now.Add(-time.Minute) // the session ran out
		}
	}
	// The interpreter's rendering of the housing text, not yet confirmed.
	if r, err = r.SetRendering("housing", veikart.RenderNow, "We live in two rooms.", "Tolk Amir", "interpreter", uid("interpreter"), now); err != nil {
		t.Fatal(err)
	}
	r = helper(r, "h-waiting", "", veikart.HelperSpec{Kind: veikart.HelperTrusted, Name: "Waiting Liv", Sections: housing, ExpiresAt: now.Add(24 * time.Hour)})
	if err := e.store.CreateRoadmap(ctx, r); err != nil {
		t.Fatal(err)
	}
	// A check-in of Kari's (m1) in housing, for the check-in routes.
	if _, _, err := e.store.AddReadings(ctx, w.id, []veikart.Reading{{ID: "ci-w", AreaID: "housing", MemberID: "m1", Date: now.Format(time.DateOnly),
		Score: 2, With: veikart.ScoredAlone, By: uid("owner"), At: now.UTC().Truncate(time.Millisecond)}}); err != nil {
		t.Fatal(err)
	}
	if err := e.store.AddInvitationCode(ctx, household.HashInvitationCode(w.helperCode), w.id, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := e.store.AddInvitationCode(ctx, household.HashInvitationCode(w.inviteCode), w.id, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	// The household wrote to NAV, and to the child welfare service while
	// its grant ran.
	for _, m := range []struct{ agency, text string }{{w.nav, mMessageNAV}, {w.childWelfare, mMessageBV}} {
		if _, _, _, err := e.store.AddMessage(ctx, w.id, m.agency, veikart.Message{ID: "msg-1", From: veikart.SideHousehold, UserID: uid("owner"), Name: "owner", Text: m.text}, now); err != nil {
			t.Fatal(err)
		}
	}
	for _, ix := range []struct{ agency, roadmap string }{{w.nav, w.id}, {w.childWelfare, w.id}, {w.housing, w.id}, {w.office, w.id}} {
		if err := e.store.AddAgencyRoadmap(ctx, ix.agency, ix.roadmap); err != nil {
			t.Fatal(err)
		}
	}
	for _, o := range []string{"owner", "co-owner", "trusted", "interpreter", "trusted-ended", "interpreter-ended"} {
		if err := e.store.AddUserRoadmap(ctx, uid(o), w.id); err != nil {
			t.Fatal(err)
		}
	}
	for _, x := range []struct{ role, agency string }{{"caseworker", w.nav}, {"coordinator", w.office}, {"agency-admin", w.nav}, {"expired", w.childWelfare}, {"revoked", w.housing}, {"never", w.police}} {
		if err := e.store.AddUserAgency(ctx, uid(x.role), x.agency); err != nil {
			t.Fatal(err)
		}
	}

	// Another household, owned by other-person.
	other, err := veikart.NewRoadmap(w.id+"-other", uid("other-person"), "Other", []veikart.Member{{ID: "m1", Name: mOtherHome, Role: veikart.Adult}}, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.CreateRoadmap(ctx, other); err != nil {
		t.Fatal(err)
	}
	if err := e.store.AddUserRoadmap(ctx, uid("other-person"), other.ID); err != nil {
		t.Fatal(err)
	}

	agencyOf := map[string]string{"caseworker": w.nav, "coordinator": w.office, "agency-admin": w.nav, "expired": w.childWelfare, "revoked": w.housing, "never": w.police}
	for role, u := range w.users {
		tok := e.issue(t, u, agencyOf[role])
		w.tokens[role] = tok
	}
	op, _, err := e.tokens.IssueOperator(5 * time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	w.tokens["operator"] = op
	return w
}

func (w *world) roadmap(t *testing.T) *veikart.Roadmap {
	t.Helper()
	r, err := w.e.store.Roadmap(context.Background(), w.id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// seen says which markers each role may ever receive from any route.
var seen = map[string][]string{
	"owner":    {mHousehold, mHousing, mHealth, mStepHousing, mStepHealth, mOtherAgency, mOwnerNote, mOwnerShared, mMessageNAV, mMessageBV},
	"co-owner": {mHousehold, mHousing, mHealth, mStepHousing, mStepHealth, mOtherAgency, mOwnerNote, mOwnerShared, mMessageNAV, mMessageBV},
	// Mia sees the parts that name her (health: its texts, its steps, the
	// household's comment on it), not Kari's name nor housing.
	"member":      {mHealth, mStepHealth, mOwnerNote},
	"caseworker":  {mHousing, mStepHousing, mOwnerShared, mMessageNAV},
	"coordinator": {mHousing, mStepHousing, mOwnerShared},
	// A helper sees their sections and the household's comments on them.
	"trusted":     {mHousing, mStepHousing, mOwnerShared},
	"interpreter": {mHealth, mOwnerNote},
}

// readSees says which markers GET /roadmaps/{id} must hold for each role that
// may read it.
var readSees = map[string][]string{
	"owner":       notMessages(seen["owner"]),
	"co-owner":    notMessages(seen["co-owner"]),
	"member":      notMessages(seen["member"]),
	"caseworker":  notMessages(seen["caseworker"]),
	"coordinator": notMessages(seen["coordinator"]),
	"trusted":     seen["trusted"],
	"interpreter": seen["interpreter"],
}

// notMessages is ms without the messages' markers: conversations are not
// part of the roadmap.
func notMessages(ms []string) []string {
	return slices.DeleteFunc(slices.Clone(ms), func(m string) bool { return m == mMessageNAV || m == mMessageBV })
}

// TestConsent_EveryRoleEveryRoute sends every route as every role and checks
// the status, what the body must hold, what it must not (ungranted sections,
// other agencies' comments, other households), and that a refused request
// changed nothing.
func TestConsent_EveryRoleEveryRoute(t *testing.T) {
	if raceOn {
		// Some 3 000 worlds, each a household, its agencies and helpers
		// set up over HTTP: under the race detector on two cores they take
		// longer than a test binary's ten minutes. The table checks what the
		// access decision answers, not concurrency; it runs in full without
		// the race detector in make external-db (and go test ./...), and
		// the concurrent paths it touches are raced by their own tests.
		t.Skip("the full role table runs without -race (make external-db)")
	}
	t.Parallel()
	// With a public URL that can be a passkey relying party.
	e := mustEnvWith(t, api.Config{Dev: true, PublicURL: "http://localhost:8080"}, nil)
	// Applying erasures again walks every roadmap and account in the store:
	// on the store every other case fills at once (a thousand households
	// under -race), that walk ran past the request's bound. It gets a
	// store of its own.
	erasures := mustEnvWith(t, api.Config{Dev: true, PublicURL: "http://localhost:8080"}, nil)

	type route struct {
		name, method string
		path         func(w *world) string
		body         func(w *world) any
		changes      bool // a success changes the roadmap
	}
	rp := func(suffix string) func(w *world) string {
		return func(w *world) string { return "/api/v1/roadmaps/" + w.id + suffix }
	}
	fixed := func(p string) func(w *world) string { return func(*world) string { return p } }
	body := func(v any) func(*world) any { return func(*world) any { return v } }
	exp := func(w *world) string { return w.e.clock.Now().Add(30 * 24 * time.Hour).UTC().Format(time.RFC3339) }
	routes := []route{
		{"get", "GET", rp(""), nil, false},
		{"list-mine", "GET", fixed("/api/v1/roadmaps"), nil, false},
		{"operations", "POST", rp("/operations"), body(map[string]any{"operations": []any{map[string]any{
			"opId": "x1", "type": "area.update", "areaId": "work", "baseVersion": 1, "set": map[string]any{"now": "changed"}}}}), true},
		{"delete", "DELETE", rp(""), nil, true},
		{"grants", "GET", rp("/grants"), nil, false},
		{"preview", "POST", rp("/preview"), func(w *world) any {
			return map[string]any{"agencyId": w.nav, "sections": []string{"area:housing"}, "permissions": []string{"view"}}
		}, false},
		{"grant", "POST", rp("/grants"), func(w *world) any {
			return map[string]any{"agencyId": w.police, "sections": []string{"household"}, "permissions": []string{"view"}, "purpose": "p", "expiresAt": exp(w)}
		}, true},
		{"widen-grant", "PATCH", func(w *world) string { return rp("/grants/")(w) + w.grantNAV }, body(map[string]any{"sections": []string{"household", "area:housing"}}), true},
		{"revoke-grant", "DELETE", func(w *world) string { return rp("/grants/")(w) + w.grantNAV }, nil, true},
		{"requests", "GET", rp("/access-requests"), nil, false},
		{"approve", "POST", func(w *world) string { return rp("/access-requests/")(w) + w.requestID + "/approve" }, func(w *world) any { return map[string]any{"expiresAt": exp(w)} }, true},
		{"decline", "POST", func(w *world) string { return rp("/access-requests/")(w) + w.requestID + "/decline" }, nil, true},
		{"invite", "POST", rp("/invitations"), func(w *world) any {
			return map[string]any{"kind": "agency", "sections": []string{"area:work"}, "permissions": []string{"view"}, "purpose": "p", "grantExpiresAt": exp(w)}
		}, true},
		{"receipts", "GET", rp("/receipts"), nil, false},
		{"log", "GET", rp("/access-log"), nil, false},
		{"overdue", "GET", rp("/overdue"), nil, false},
		{"accept-proposal", "POST", func(w *world) string { return rp("/proposals/")(w) + w.proposalID + "/accept" }, nil, true},
		{"reject-proposal", "POST", func(w *world) string { return rp("/proposals/")(w) + w.proposalID + "/reject" }, nil, true},
		{"request-access", "POST", rp("/access-requests"), body(map[string]any{"sections": []string{"area:health"}, "permissions": []string{"view"}, "purpose": "p"}), false},
		{"comment", "POST", rp("/comments"), body(map[string]any{"section": "area:housing", "text": "A remark"}), true},
		{"propose", "POST", rp("/proposals"), body(map[string]any{"step": map[string]any{"areaId": "housing", "title": "Visit", "term": "short"}}), true},
		{"accept-invite", "POST", fixed("/api/v1/invitations/accept"), func(w *world) any { return map[string]any{"code": w.inviteCode} }, true},
		{"transitions", "GET", rp("/transitions"), nil, false},
		{"plan-transition", "POST", rp("/transitions"), func(w *world) any {
			return map[string]any{"id": "t-new", "kind": "discharge", "date": w.e.clock.Now().AddDate(0, 0, 100).Format(time.DateOnly), "agencyId": w.childWelfare,
				"sections": []string{"area:housing"}, "permissions": []string{"view"}, "daysBefore": 7, "daysAfter": 30, "summary": "s", "reminders": []int{7, 1}}
		}, true},
		{"change-transition", "PATCH", rp("/transitions/t-pol"), body(map[string]any{"summary": "Changed hand-over", "daysAfter": 60}), true},
		{"cancel-transition", "DELETE", rp("/transitions/t-pol"), nil, true},
		{"set-checklist", "PUT", rp("/transitions/t-pol/checklist"), func(w *world) any {
			return map[string]any{"lines": []any{map[string]any{"key": "bed", "title": "Seng", "agencyId": w.nav}, map[string]any{"key": "keys"}}}
		}, true},
		{"own-roadmap", "POST", rp("/members/m2/own-roadmap"), func(*world) any { return map[string]any{"id": auth.NewUUID()} }, true},
		{"shared", "GET", fixed("/api/v1/shared"), nil, false},
		{"me", "GET", fixed("/api/v1/me"), nil, false},
		{"sessions", "GET", fixed("/api/v1/sessions"), nil, false},
		{"sign-out-everywhere", "DELETE", fixed("/api/v1/sessions"), nil, false},
		{"agencies", "GET", fixed("/api/v1/agencies"), nil, false},
		{"agency", "GET", func(w *world) string { return "/api/v1/agencies/" + w.nav }, nil, false},
		{"add-staff", "PUT", func(w *world) string { return "/api/v1/agencies/" + w.nav + "/staff/" + w.users["other-person"] }, body(map[string]any{"roles": []string{"caseworker"}}), false},
		{"remove-staff", "DELETE", func(w *world) string { return "/api/v1/agencies/" + w.nav + "/staff/" + w.users["caseworker"] }, nil, false},
		{"require-sign-in", "PUT", func(w *world) string { return "/api/v1/agencies/" + w.nav + "/sign-in" }, body(map[string]any{"require": ""}), false},
		{"create-agency", "POST", fixed("/api/v1/admin/agencies"), body(map[string]any{"kind": "nav", "name": "NAV Grorud", "region": "Oslo"}), false},
		{"reapply-erasures", "POST", fixed("/api/v1/admin/erasures"), body(map[string]any{"hashes": []string{strings.Repeat("0", 32)}}), false},
		{"enrol-new", "POST", fixed("/api/v1/enrolments"), body(map[string]any{"name": "Amina"}), false},
		{"enrol-recover", "POST", fixed("/api/v1/enrolments"), func(w *world) any {
			return map[string]any{"roadmapId": w.id, "personKey": access.PersonKey(w.id, w.nav, w.users["owner"])}
		}, false},
		{"recovery-people", "GET", rp("/recovery-people"), nil, false},
		{"security-log", "GET", fixed("/api/v1/me/security-log"), nil, false},
		{"cancel-recovery", "DELETE", fixed("/api/v1/me/recovery"), nil, false},
		{"agency-recoveries", "GET", func(w *world) string { return "/api/v1/agencies/" + w.nav + "/recoveries" }, nil, false},
		{"passkeys", "GET", fixed("/api/v1/passkeys"), nil, false},
		{"passkey-begin", "POST", fixed("/api/v1/passkeys/begin"), nil, false},
		{"passkey-finish", "POST", fixed("/api/v1/passkeys/finish"), body(map[string]any{"ceremonyId": strings.Repeat("0", 32), "credential": map[string]any{
			"id": "AA", "rawId": "AA", "type": "public-key", "response": map[string]any{"clientDataJSON": "AA", "attestationObject": "AA"}}}), false},
		{"passkey-delete", "DELETE", fixed("/api/v1/passkeys/" + strings.Repeat("0", 32)), nil, false},
		{"team", "GET", rp("/team"), nil, false},
		{"set-contact", "PUT", rp("/contact"), body(map[string]any{"name": "Vera Veileder", "role": "veileder", "phone": "+47 51 00 00 00", "email": "vera@nav.no"}), true},
		{"set-coordinator", "PUT", rp("/coordinator"), func(w *world) any { return map[string]any{"agencyId": w.nav} }, true},
		{"remove-coordinator", "DELETE", rp("/coordinator"), nil, true},
		{"answer-promise", "POST", rp("/steps/s3/promise"), func(w *world) any {
			return map[string]any{"answer": "accept", "due": w.e.clock.Now().AddDate(0, 0, 20).Format(time.DateOnly)}
		}, true},
		{"promise-outcome", "POST", rp("/steps/s3/outcome"), body(map[string]any{"outcome": "kept"}), true},
		{"meetings", "GET", rp("/meetings"), nil, false},
		{"call-meeting", "POST", rp("/meetings"), func(w *world) any {
			return map[string]any{"id": "mt-new", "at": w.e.clock.Now().Add(10 * 24 * time.Hour).UTC().Format(time.RFC3339), "invitees": []string{w.office}}
		}, true},
		{"meeting-calendar", "GET", rp("/meetings/mt1/calendar.ics"), nil, false},
		{"confirm-meeting", "POST", rp("/meetings/mt2/confirm"), nil, true},
		{"cancel-meeting", "DELETE", rp("/meetings/mt1"), nil, true},
		{"agenda", "PUT", rp("/meetings/mt1/agenda"), body(map[string]any{"items": []any{map[string]any{"id": "a1", "areaId": "housing", "text": "The flat, again"}}}), true},
		{"meeting-notes", "PUT", rp("/meetings/mt1/agenda/a1/notes"), body(map[string]any{"notes": "The landlord answers by Friday."}), true},
		{"decide", "POST", rp("/meetings/mt1/agenda/a1/decisions"), body(map[string]any{"id": "d-new", "text": "Call the landlord", "responsible": map[string]any{"kind": "household"}}), true},
		{"approve-minutes", "POST", rp("/meetings/mt1/approve"), nil, true},
		// Messages: NAV's conversation (grant in force with the message
		// permission), the child welfare service's (expired), Husbanken's
		// (revoked, never the permission), the police's (planned ahead).
		{"conversations", "GET", rp("/conversations"), nil, false},
		// Check-ins: a household reading of housing (NAV's grant covers
		// it) moves housing's scoreNow; the world's reading is Kari's (m1).
		{"checkins", "GET", rp("/checkins"), nil, false},
		{"checkins-work", "GET", rp("/checkins?area=work"), nil, false},
		{"check-in", "POST", rp("/checkins"), func(w *world) any {
			return map[string]any{"date": w.e.clock.Now().Format(time.DateOnly), "with": "caseworker", "agencyId": w.nav,
				"readings": []any{map[string]any{"id": "ci-new", "areaId": "housing", "score": 4, "note": "Bedre"}}}
		}, true},
		{"delete-checkin", "DELETE", rp("/checkins/ci-w"), nil, false},
		{"messages-nav", "GET", func(w *world) string { return rp("/conversations/")(w) + w.nav + "/messages" }, nil, false},
		{"send-nav", "POST", func(w *world) string { return rp("/conversations/")(w) + w.nav + "/messages" }, body(map[string]any{"id": "msg-2", "text": "Hei"}), false},
		{"messages-bv", "GET", func(w *world) string { return rp("/conversations/")(w) + w.childWelfare + "/messages" }, nil, false},
		{"send-hb", "POST", func(w *world) string { return rp("/conversations/")(w) + w.housing + "/messages" }, body(map[string]any{"id": "msg-2", "text": "Hei"}), false},
		{"messages-police", "GET", func(w *world) string { return rp("/conversations/")(w) + w.police + "/messages" }, nil, false},
		// Helpers (helpers.go): the owners' list, invitation and end; a
		// write in housing, where the trusted person may write; the
		// waiting trusted person's code, used by whoever holds it.
		{"helpers", "GET", rp("/helpers"), nil, false},
		{"invite-helper", "POST", rp("/helpers"), func(w *world) any {
			return map[string]any{"kind": "trusted", "name": "Nora", "sections": []string{"area:work"}, "write": true, "expiresAt": exp(w)}
		}, true},
		{"start-interpreter", "POST", rp("/helpers"), body(map[string]any{"kind": "interpreter", "name": "Tolk", "sections": []string{"area:health"}, "minutes": 90}), true},
		{"revoke-helper", "DELETE", rp("/helpers/h-trusted"), nil, true},
		{"operations-housing", "POST", rp("/operations"), body(map[string]any{"operations": []any{map[string]any{
			"opId": "x2", "type": "area.update", "areaId": "housing", "baseVersion": 1, "set": map[string]any{"desired": "a home of our own"}}}}), true},
		{"accept-helper", "POST", fixed("/api/v1/invitations/accept"), func(w *world) any { return map[string]any{"code": w.helperCode} }, true},
		// The Norwegian rendering of the housing text, and the family's yes.
		{"set-rendering", "PUT", rp("/areas/housing/renderings/now"), body(map[string]any{"text": "We live in two small rooms."}), true},
		{"confirm-rendering", "POST", rp("/areas/housing/renderings/now/confirm"), nil, true},
		// Members' own say: Mia (health names her) is asked, answers, and
		// adds her own words to health.
		{"says", "GET", rp("/says"), nil, false},
		{"ask-say", "POST", rp("/says"), func(w *world) any {
			return map[string]any{"memberId": "m2", "areaId": "health", "for": "agency:" + w.nav}
		}, true},
		{"answer-say", "PUT", rp("/says/answer"), func(w *world) any {
			return map[string]any{"areaId": "health", "for": "agency:" + w.nav, "answer": "no"}
		}, true},
		{"answer-say-not-mine", "PUT", rp("/says/answer"), func(w *world) any { return map[string]any{"areaId": "housing", "for": "poster", "answer": "yes"} }, false},
		{"member-comment", "POST", rp("/comments"), body(map[string]any{"section": "steps:health", "text": "Mine"}), true},
		{"grant-health", "POST", rp("/grants"), func(w *world) any {
			return map[string]any{"agencyId": w.police, "sections": []string{"area:health"}, "permissions": []string{"view"}, "purpose": "p", "expiresAt": exp(w)}
		}, false},
		// The system's blockers: a household names one on a step it drops
		// (one batch); the counts are for the agency's administrators.
		{"name-blocker", "POST", rp("/operations"), body(map[string]any{"operations": []any{
			map[string]any{"opId": "x3", "type": "step.add", "step": map[string]any{"id": "s-blk", "areaId": "housing", "title": "Bolig",
				"responsible": map[string]any{"kind": "household"}, "term": "short", "status": "dropped"}},
			map[string]any{"opId": "x4", "type": "step.setBlocker", "stepId": "s-blk", "baseVersion": 1, "blocker": "waiting-list", "share": false}}}), true},
		{"agency-blockers", "GET", func(w *world) string { return "/api/v1/agencies/" + w.nav + "/blockers" }, nil, false},
		// Reviews and the timeline (reviews.go).
		{"review-rhythm", "PUT", rp("/review-rhythm"), body(map[string]any{"months": 3}), true},
		{"reviews", "GET", rp("/reviews"), nil, false},
		{"review-draft", "GET", rp("/reviews/draft"), nil, false},
		{"save-review", "POST", rp("/reviews"), body(map[string]any{"id": "rv-new", "note": "Det går bedre"}), true},
		{"timeline", "GET", rp("/timeline"), nil, false},
		{"calendar-feed", "GET", fixed("/api/v1/me/calendar-feed"), nil, false},
		{"make-calendar-feed", "POST", fixed("/api/v1/me/calendar-feed"), body(map[string]any{"lang": "nb"}), false},
		{"calendar-feed-lang", "PATCH", fixed("/api/v1/me/calendar-feed"), body(map[string]any{"lang": "en"}), false},
		{"revoke-calendar-feed", "DELETE", fixed("/api/v1/me/calendar-feed"), nil, false},
	}

	// Expected statuses. Roles not listed for a route get the route's
	// default: 404 (may not even see the roadmap) for roadmap routes, 403
	// for the rest; anonymous always gets 401.
	owners := func(ok int) map[string]int {
		return map[string]int{"owner": ok, "co-owner": ok, "member": 403, "caseworker": 403, "trusted": 403, "interpreter": 403}
	}
	everyone := func(status int) map[string]int {
		m := map[string]int{}
		for _, r := range roles {
			if r != "operator" && r != "anonymous" {
				m[r] = status
			}
		}
		return m
	}
	// Everyone acting for themselves, a helper of the household too
	// (ended or not: the feed is theirs, not the household's).
	persons := func(status int) map[string]int {
		return map[string]int{"owner": status, "co-owner": status, "member": status, "other-person": status,
			"trusted": status, "interpreter": status, "trusted-ended": status, "interpreter-ended": status}
	}
	feedKeepers := func(status int) map[string]int {
		m := persons(status)
		for _, cw := range []string{"caseworker", "coordinator", "expired", "revoked", "never"} {
			m[cw] = status
		}
		return m
	}
	want := map[string]map[string]int{
		"get":               {"owner": 200, "co-owner": 200, "member": 200, "caseworker": 200, "expired": 403, "revoked": 403, "trusted": 200, "interpreter": 200, "trusted-ended": 403, "interpreter-ended": 403}, // access-ended
		"list-mine":         {"owner": 200, "co-owner": 200, "member": 200, "caseworker": 200, "expired": 200, "revoked": 200, "never": 200, "agency-admin": 200, "other-person": 200, "operator": 401, "trusted": 200, "interpreter": 200, "trusted-ended": 200, "interpreter-ended": 200},
		"operations":        owners(200),
		"delete":            owners(204),
		"grants":            owners(200),
		"preview":           owners(200),
		"grant":             owners(201),
		"widen-grant":       owners(200),
		"revoke-grant":      owners(200),
		"requests":          owners(200),
		"approve":           owners(201),
		"decline":           owners(200),
		"invite":            owners(201),
		"receipts":          owners(200),
		"log":               owners(200),
		"overdue":           owners(200),
		"transitions":       owners(200),
		"plan-transition":   owners(201),
		"change-transition": owners(200),
		"cancel-transition": owners(200),
		"set-checklist":     owners(200),
		// Only Mia herself, with the owners' leave.
		"own-roadmap":     {"owner": 403, "co-owner": 403, "member": 201, "caseworker": 403},
		"accept-proposal": owners(200),
		"reject-proposal": owners(200),
		// Any caseworker may ask, and hears the same whatever became of it
		// ("never" has a request waiting already: not stored again).
		"request-access": {"owner": 403, "co-owner": 403, "member": 403, "caseworker": 202, "expired": 202, "revoked": 202, "never": 202, "agency-admin": 403, "other-person": 403, "operator": 403, "trusted": 403, "interpreter": 403, "trusted-ended": 403, "interpreter-ended": 403},
		"comment":        {"owner": 201, "co-owner": 201, "member": 403, "caseworker": 201},
		"propose":        {"owner": 403, "co-owner": 403, "member": 403, "caseworker": 201},
		// The code decides: any caseworker holding it connects their
		// agency, once; NAV already has a grant.
		"accept-invite":       {"owner": 403, "co-owner": 403, "member": 403, "caseworker": 409, "expired": 200, "revoked": 200, "never": 200, "agency-admin": 403, "other-person": 403, "operator": 403},
		"shared":              {"caseworker": 200, "expired": 200, "revoked": 200, "never": 200},
		"me":                  {"owner": 200, "co-owner": 200, "member": 200, "caseworker": 200, "expired": 200, "revoked": 200, "never": 200, "agency-admin": 200, "other-person": 200, "trusted": 200, "interpreter": 200, "trusted-ended": 200, "interpreter-ended": 200},
		"sessions":            {"owner": 200, "co-owner": 200, "member": 200, "caseworker": 200, "expired": 200, "revoked": 200, "never": 200, "agency-admin": 200, "other-person": 200, "trusted": 200, "interpreter": 200, "trusted-ended": 200, "interpreter-ended": 200},
		"sign-out-everywhere": {"owner": 204, "co-owner": 204, "member": 204, "caseworker": 204, "expired": 204, "revoked": 204, "never": 204, "agency-admin": 204, "other-person": 204, "trusted": 204, "interpreter": 204, "trusted-ended": 204, "interpreter-ended": 204},
		"agencies":            {"owner": 200, "co-owner": 200, "member": 200, "caseworker": 200, "expired": 200, "revoked": 200, "never": 200, "agency-admin": 200, "other-person": 200, "operator": 200, "trusted": 200, "interpreter": 200, "trusted-ended": 200, "interpreter-ended": 200},
		"agency":              {"owner": 200, "co-owner": 200, "member": 200, "caseworker": 200, "expired": 200, "revoked": 200, "never": 200, "agency-admin": 200, "other-person": 200, "operator": 200, "trusted": 200, "interpreter": 200, "trusted-ended": 200, "interpreter-ended": 200},
		"add-staff":           {"agency-admin": 200, "operator": 200},
		"remove-staff":        {"agency-admin": 204, "operator": 204},
		"create-agency":       {"operator": 201},
		"reapply-erasures":    {"operator": 200},
		"require-sign-in":     {"agency-admin": 200, "operator": 200},
		// Any caseworker makes codes for new people; a recovery code
		// nobody here: the owners did not choose it, and have ID-porten
		// (recovery_test.go has the cases where it is made).
		"enrol-new":     {"caseworker": 201, "expired": 201, "revoked": 201, "never": 201},
		"enrol-recover": {},
		// The caseworker whose agency has a grant in force asks, and hears
		// of nobody; the household may read the roadmap, but this is not theirs.
		"recovery-people":   {"owner": 403, "co-owner": 403, "member": 403, "caseworker": 200},
		"security-log":      everyone(200),
		"cancel-recovery":   everyone(404),
		"agency-recoveries": {"agency-admin": 200, "operator": 200},
		// One's own passkeys, whoever one acts for; the table's ceremony
		// and passkey do not exist.
		"passkeys":       everyone(200),
		"passkey-begin":  everyone(200),
		"passkey-finish": everyone(404),
		"passkey-delete": everyone(404),
		// The team: the owners, the coordinator, and NAV, whom the
		// household lets see it; the coordinator's agency was not given
		// the step, so for it there is no such step.
		"team":               {"owner": 200, "co-owner": 200, "member": 403, "caseworker": 200, "coordinator": 200},
		"set-contact":        {"owner": 403, "co-owner": 403, "member": 403, "caseworker": 200, "coordinator": 200},
		"set-coordinator":    owners(200),
		"remove-coordinator": owners(204),
		"answer-promise":     {"owner": 403, "co-owner": 403, "member": 403, "caseworker": 200, "coordinator": 404},
		"promise-outcome":    owners(200),
		// Meetings: the owners; the agencies invited see theirs; the
		// coordinator proposes, takes notes and records decisions.
		"meetings":         {"owner": 200, "co-owner": 200, "member": 403, "caseworker": 200, "coordinator": 200},
		"call-meeting":     {"owner": 201, "co-owner": 201, "member": 403, "caseworker": 403, "coordinator": 201},
		"meeting-calendar": {"owner": 200, "co-owner": 200, "member": 403, "caseworker": 200, "coordinator": 200},
		"confirm-meeting":  owners(200),
		"cancel-meeting":   owners(200),
		"agenda":           owners(200),
		"meeting-notes":    {"owner": 200, "co-owner": 200, "member": 403, "caseworker": 403, "coordinator": 200},
		"decide":           {"owner": 200, "co-owner": 200, "member": 403, "caseworker": 403, "coordinator": 200},
		"approve-minutes":  owners(200),
		// The household keeps every conversation; an agency reads its own
		// while its grant with the message permission is in force, is told
		// when that ended, and finds any other agency's not there.
		"conversations": owners(200),
		// Check-ins: everyone who reads the roadmap reads the history of
		// the areas they see (Mia none here but her own health: an empty
		// list), work not by name for those whose view lacks it; the
		// household, and the helper who writes in housing, check in; only
		// the owners take a reading back.
		"checkins":       {"owner": 200, "co-owner": 200, "member": 200, "caseworker": 200, "expired": 403, "revoked": 403, "trusted": 200, "interpreter": 200, "trusted-ended": 403, "interpreter-ended": 403},
		"checkins-work":  {"owner": 200, "co-owner": 200, "member": 404, "caseworker": 404, "expired": 403, "revoked": 403, "trusted": 404, "interpreter": 404, "trusted-ended": 403, "interpreter-ended": 403},
		"check-in":       {"owner": 201, "co-owner": 201, "member": 403, "caseworker": 403, "expired": 403, "revoked": 403, "trusted": 201, "interpreter": 403, "trusted-ended": 403, "interpreter-ended": 403},
		"delete-checkin": {"owner": 200, "co-owner": 200, "member": 403, "caseworker": 403, "expired": 403, "revoked": 403, "trusted-ended": 403, "interpreter-ended": 403},
		// The police's grant is planned for a release: the household may
		// write to it already, the police not before the grant opens.
		// Helpers: only the owners manage them; the trusted person writes
		// in housing, nowhere else; the waiting code links someone new
		// (or the trusted person the owners took back), never someone of
		// the household or a person helping already.
		"helpers":            owners(200),
		"invite-helper":      owners(201),
		"start-interpreter":  owners(201),
		"revoke-helper":      owners(200),
		"operations-housing": {"owner": 200, "co-owner": 200, "member": 403, "caseworker": 403, "trusted": 200, "interpreter": 403},
		// An ended helper's app is told so by the conversations' routes
		// too, as an ended caseworker's is.
		"messages-nav":      {"owner": 200, "co-owner": 200, "member": 403, "caseworker": 200, "coordinator": 404, "trusted-ended": 403, "interpreter-ended": 403},
		"send-nav":          {"owner": 201, "co-owner": 201, "member": 403, "caseworker": 201, "coordinator": 404, "trusted-ended": 403, "interpreter-ended": 403},
		"messages-bv":       {"owner": 200, "co-owner": 200, "member": 403, "expired": 403, "trusted-ended": 403, "interpreter-ended": 403},
		"send-hb":           {"owner": 201, "co-owner": 201, "member": 403, "revoked": 403, "trusted-ended": 403, "interpreter-ended": 403},
		"messages-police":   {"owner": 200, "co-owner": 200, "member": 403, "trusted-ended": 403, "interpreter-ended": 403},
		"set-rendering":     {"owner": 200, "co-owner": 200, "member": 403, "caseworker": 403, "trusted": 200, "interpreter": 403},
		"confirm-rendering": owners(200),
		"accept-helper":     {"owner": 409, "co-owner": 409, "member": 409, "trusted": 409, "interpreter": 409, "trusted-ended": 200, "interpreter-ended": 200, "other-person": 200},
		// Own say: the owners see everyone's, Mia her own; the owners
		// ask, only Mia answers, and only for an area that names her; a
		// caseworker who reads the roadmap is told no.
		"says":                {"owner": 200, "co-owner": 200, "member": 200, "caseworker": 403},
		"ask-say":             {"owner": 200, "co-owner": 200, "member": 403, "caseworker": 403},
		"answer-say":          {"owner": 403, "co-owner": 403, "member": 200, "caseworker": 403},
		"answer-say-not-mine": {"owner": 403, "co-owner": 403, "member": 422, "caseworker": 403},
		"member-comment":      {"owner": 201, "co-owner": 201, "member": 201, "caseworker": 403},
		// Health names Mia, who has not said yes: nobody may share it.
		"grant-health": {"owner": 403, "co-owner": 403, "member": 403, "caseworker": 403},
		// Owners only: a helper's write names a section, this none.
		"name-blocker":    owners(200),
		"agency-blockers": {"agency-admin": 200},
		// Reviews: the owners choose the rhythm, see what changed and
		// save; they and the agencies with a grant in force (the
		// coordinator too) read the history, cut to their grant;
		// members and helpers none.
		"review-rhythm": owners(200),
		"review-draft":  owners(200),
		"save-review":   owners(201),
		"reviews":       {"owner": 200, "co-owner": 200, "member": 403, "caseworker": 200, "coordinator": 200},
		"timeline":      {"owner": 200, "co-owner": 200, "member": 403, "caseworker": 200, "coordinator": 200},
		// A calendar feed is a person's own, or a caseworker's for the
		// agency they act for (whatever the agency may read now: that is
		// decided at each fetch); an agency's administrator who is no
		// caseworker, and the operator, have none.
		"calendar-feed":        feedKeepers(200),
		"make-calendar-feed":   feedKeepers(201),
		"calendar-feed-lang":   feedKeepers(200),
		"revoke-calendar-feed": feedKeepers(204),
	}
	roadmapRoute := func(rt route) bool { return strings.Contains(rt.path(&world{id: "X"}), "/roadmaps/X") }

	for _, rt := range routes {
		for _, role := range roles {
			t.Run(rt.name+"/"+role, func(t *testing.T) {
				t.Parallel()
				e := e
				if rt.name == "reapply-erasures" {
					e = erasures
				}
				w := newWorld(t, e)
				before := w.roadmap(t)
				status, ok := want[rt.name][role]
				if !ok && role == "coordinator" {
					// The coordinator is a caseworker of another agency
					// with a grant like NAV's: everywhere but on the
					// team's routes, it is answered as NAV's is.
					status, ok = want[rt.name]["caseworker"]
				}
				if !ok && (role == "trusted" || role == "interpreter") && roadmapRoute(rt) {
					// A helper in force sees the roadmap: refused
					// anywhere else as one who may see it.
					status, ok = 403, true
				}
				switch {
				case role == "anonymous":
					status = 401
				case !ok && roadmapRoute(rt):
					status = 404
				case !ok:
					status = 403
				}
				var b any
				if rt.body != nil {
					b = rt.body(w)
				}
				r := e.do(t, rt.method, rt.path(w), w.tokens[role], b)
				if r.status != status {
					t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
				}
				if r.status >= 400 && !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
					t.Fatalf("error is not problem details: %s", r.header.Get("Content-Type"))
				}
				for _, m := range allMarkers {
					if strings.Contains(r.body, m) && !slices.Contains(seen[role], m) {
						t.Errorf("%s received %s: %s", role, m, r.body)
					}
				}
				if agencyRole(role) || helperRole(role) {
					// No account id of anyone in the household, nor the
					// household's own member ids, in anything an agency
					// receives: an owner's id was the first link of a
					// chain that ended in an account takeover.
					for _, id := range append([]string{w.users["owner"], w.users["co-owner"], w.users["member"]}, plantedMemberIDs...) {
						if strings.Contains(r.body, `"`+id+`"`) {
							t.Errorf("%s received the household's id %q: %s", role, id, r.body)
						}
					}
				}
				if rt.name == "get" && r.status == 200 {
					for _, m := range readSees[role] {
						if !strings.Contains(r.body, m) {
							t.Errorf("%s does not see %s: %s", role, m, r.body)
						}
					}
				}
				after, err := e.store.Roadmap(context.Background(), w.id)
				// Rev, not Version: every write moves it, also one that
				// leaves Version alone (an access request).
				changed := err != nil || after.Rev != before.Rev
				if r.status >= 300 && changed {
					t.Errorf("a refused request changed the roadmap (revision %d -> %v)", before.Rev, after)
				}
				if r.status < 300 && rt.changes && !changed {
					t.Errorf("an accepted change did not change the roadmap")
				}
			})
		}
	}
}

// agencyRole reports whether role acts for an agency in the table test.
func agencyRole(role string) bool {
	switch role {
	case "caseworker", "coordinator", "expired", "revoked", "never", "agency-admin":
		return true
	}
	return false
}

// TestConsent_RevocationAndExpiryHoldOnTheNextRequest: a caseworker reads,
// the owner revokes, and the very next read is refused; a grant that runs out
// stops at its expiry by the server's clock, with nothing written.
func TestConsent_RevocationAndExpiryHoldOnTheNextRequest(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)

	t.Run("revocation", func(t *testing.T) {
		w := newWorld(t, e)
		nav := w.tokens["caseworker"]
		if r := e.do(t, "GET", "/api/v1/roadmaps/"+w.id, nav, nil); r.status != 200 || !strings.Contains(r.body, mHousing) {
			t.Fatalf("before revocation: %d %s", r.status, r.body)
		}
		if r := e.do(t, "DELETE", "/api/v1/roadmaps/"+w.id+"/grants/"+w.grantNAV, w.tokens["owner"], nil); r.status != 200 || !strings.Contains(r.body, `"status":"revoked"`) {
			t.Fatalf("revoke: %d %s", r.status, r.body)
		}
		// The caseworker is told that the household revoked it, and when;
		// nothing of the roadmap.
		if r := e.do(t, "GET", "/api/v1/roadmaps/"+w.id, nav, nil); r.status != 403 || strings.Contains(r.body, mHousing) ||
			!strings.Contains(r.body, `"type":"/problems/access-ended"`) || !strings.Contains(r.body, `"reason":"revoked"`) || !strings.Contains(r.body, `"endedAt":"`) ||
			r.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("GET after revocation: %d %s", r.status, r.body)
		}
		if r := e.do(t, "POST", "/api/v1/roadmaps/"+w.id+"/comments", nav, map[string]any{"section": "area:housing", "text": "late"}); r.status != 404 || strings.Contains(r.body, mHousing) {
			t.Fatalf("comment after revocation: %d %s", r.status, r.body)
		}
		if r := e.do(t, "GET", "/api/v1/shared", nav, nil); r.status != 200 || strings.Contains(r.body, w.id) {
			t.Fatalf("shared list after revocation: %d %s", r.status, r.body)
		}
		// The log of the read survives the revocation, and a receipt says
		// what was revoked.
		if r := e.do(t, "GET", "/api/v1/roadmaps/"+w.id+"/access-log", w.tokens["owner"], nil); r.status != 200 ||
			!strings.Contains(r.body, w.users["caseworker"]) || !strings.Contains(r.body, `"action":"read"`) {
			t.Fatalf("log after revocation: %d %s", r.status, r.body)
		}
		if r := e.do(t, "GET", "/api/v1/roadmaps/"+w.id+"/receipts", w.tokens["owner"], nil); r.status != 200 || !strings.Contains(r.body, `"kind":"revoked"`) {
			t.Fatalf("receipts: %d %s", r.status, r.body)
		}
	})

	t.Run("expiry", func(t *testing.T) {
		// Its own server: this test moves the clock.
		e := mustEnv(t, true)
		w := newWorld(t, e)
		exp := e.clock.Now().Add(2 * time.Hour).UTC().Truncate(time.Second)
		if r := e.do(t, "PATCH", "/api/v1/roadmaps/"+w.id+"/grants/"+w.grantNAV, w.tokens["owner"], map[string]any{"expiresAt": exp.Format(time.RFC3339)}); r.status != 200 {
			t.Fatalf("shorten: %d %s", r.status, r.body)
		}
		before := w.roadmap(t).Version
		// Fresh access tokens at each step: they live ten minutes.
		token := func() string {
			tok := e.issue(t, w.users["caseworker"], w.nav)
			return tok
		}
		e.clock.Add(2*time.Hour - time.Second)
		if r := e.do(t, "GET", "/api/v1/roadmaps/"+w.id, token(), nil); r.status != 200 {
			t.Fatalf("a second before expiry: %d %s", r.status, r.body)
		}
		e.clock.Add(time.Second)
		if r := e.do(t, "GET", "/api/v1/roadmaps/"+w.id, token(), nil); r.status != 403 || strings.Contains(r.body, mHousing) ||
			!strings.Contains(r.body, `"reason":"expired"`) || !strings.Contains(r.body, `"endedAt":"`+exp.Format(time.RFC3339)+`"`) {
			t.Fatalf("at expiry: %d %s", r.status, r.body)
		}
		if v := w.roadmap(t).Version; v != before {
			t.Fatalf("expiry wrote to the roadmap: version %d -> %d", before, v)
		}
		owner := e.issue(t, w.users["owner"], "")
		if r := e.do(t, "GET", "/api/v1/roadmaps/"+w.id+"/grants", owner, nil); !strings.Contains(r.body, `"status":"expired"`) {
			t.Fatalf("grant list after expiry: %s", r.body)
		}
	})

	t.Run("removed from agency", func(t *testing.T) {
		w := newWorld(t, e)
		if r := e.do(t, "DELETE", "/api/v1/agencies/"+w.nav+"/staff/"+w.users["caseworker"], w.tokens["agency-admin"], nil); r.status != 204 {
			t.Fatalf("remove: %d %s", r.status, r.body)
		}
		if r := e.do(t, "GET", "/api/v1/roadmaps/"+w.id, w.tokens["caseworker"], nil); r.status != 403 || strings.Contains(r.body, mHousing) {
			t.Fatalf("read after removal: %d %s", r.status, r.body)
		}
	})
}

// TestConsent_BadInputChangesNothing: others' ids, sections and permissions
// that do not exist, expiry in the past or beyond the maximum, agencies that
// do not exist, and tokens naming an agency the person is not in.
func TestConsent_BadInputChangesNothing(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)
	future := func(d time.Duration) string { return e.clock.Now().Add(d).UTC().Format(time.RFC3339) }
	grant := func(w *world, mod func(m map[string]any)) map[string]any {
		m := map[string]any{"agencyId": w.police, "sections": []string{"area:housing"}, "permissions": []string{"view"}, "purpose": "Follow-up", "expiresAt": future(24 * time.Hour)}
		mod(m)
		return m
	}
	cases := []struct {
		name, method string
		path         func(w *world) string
		token        string
		body         func(w *world) any
		status       int
		problem      string
	}{
		{"section that does not exist", "POST", func(w *world) string { return "/api/v1/roadmaps/" + w.id + "/grants" }, "owner",
			func(w *world) any {
				return grant(w, func(m map[string]any) { m["sections"] = []string{"area:garden"} })
			}, 422, "/problems/validation"},
		{"malformed section", "POST", func(w *world) string { return "/api/v1/roadmaps/" + w.id + "/grants" }, "owner",
			func(w *world) any { return grant(w, func(m map[string]any) { m["sections"] = []string{"everything"} }) }, 422, "/problems/validation"},
		{"permission that does not exist", "POST", func(w *world) string { return "/api/v1/roadmaps/" + w.id + "/grants" }, "owner",
			func(w *world) any {
				return grant(w, func(m map[string]any) { m["permissions"] = []string{"view", "edit"} })
			}, 422, "/problems/validation"},
		{"grant without view", "POST", func(w *world) string { return "/api/v1/roadmaps/" + w.id + "/grants" }, "owner",
			func(w *world) any { return grant(w, func(m map[string]any) { m["permissions"] = []string{"comment"} }) }, 422, "/problems/validation"},
		{"expiry in the past", "POST", func(w *world) string { return "/api/v1/roadmaps/" + w.id + "/grants" }, "owner",
			func(w *world) any { return grant(w, func(m map[string]any) { m["expiresAt"] = future(-time.Minute) }) }, 422, "/problems/validation"},
		{"expiry beyond the maximum", "POST", func(w *world) string { return "/api/v1/roadmaps/" + w.id + "/grants" }, "owner",
			func(w *world) any {
				return grant(w, func(m map[string]any) { m["expiresAt"] = future(366 * 24 * time.Hour) })
			}, 422, "/problems/validation"},
		{"agency that does not exist", "POST", func(w *world) string { return "/api/v1/roadmaps/" + w.id + "/grants" }, "owner",
			func(w *world) any { return grant(w, func(m map[string]any) { m["agencyId"] = "ag-nowhere" }) }, 422, "/problems/validation"},
		{"unknown field", "POST", func(w *world) string { return "/api/v1/roadmaps/" + w.id + "/grants" }, "owner",
			func(w *world) any { return grant(w, func(m map[string]any) { m["extend"] = true }) }, 422, "/problems/validation"},
		{"second grant to the same agency", "POST", func(w *world) string { return "/api/v1/roadmaps/" + w.id + "/grants" }, "owner",
			func(w *world) any { return grant(w, func(m map[string]any) { m["agencyId"] = w.nav }) }, 409, "/problems/conflict"},
		{"another household's grant id", "DELETE", func(w *world) string { return "/api/v1/roadmaps/" + w.id + "-other/grants/" + w.grantNAV }, "owner", nil, 404, "/problems/not-found"},
		{"grant id that does not exist", "DELETE", func(w *world) string { return "/api/v1/roadmaps/" + w.id + "/grants/g-none" }, "owner", nil, 404, "/problems/not-found"},
		{"caseworker extends own grant", "PATCH", func(w *world) string { return "/api/v1/roadmaps/" + w.id + "/grants/" + w.grantNAV }, "caseworker",
			func(w *world) any { return map[string]any{"expiresAt": future(300 * 24 * time.Hour)} }, 403, "/problems/forbidden"},
		{"caseworker grants own agency", "POST", func(w *world) string { return "/api/v1/roadmaps/" + w.id + "/grants" }, "caseworker",
			func(w *world) any {
				return grant(w, func(m map[string]any) { m["agencyId"] = w.nav; m["sections"] = []string{"household"} })
			}, 403, "/problems/forbidden"},
		{"comment on an ungranted section", "POST", func(w *world) string { return "/api/v1/roadmaps/" + w.id + "/comments" }, "caseworker",
			func(*world) any { return map[string]any{"section": "area:health", "text": "x"} }, 403, "/problems/forbidden"},
		{"propose in an ungranted area", "POST", func(w *world) string { return "/api/v1/roadmaps/" + w.id + "/proposals" }, "caseworker",
			func(*world) any {
				return map[string]any{"step": map[string]any{"areaId": "health", "title": "x", "term": "short"}}
			}, 403, "/problems/forbidden"},
		{"propose another agency responsible", "POST", func(w *world) string { return "/api/v1/roadmaps/" + w.id + "/proposals" }, "caseworker",
			func(w *world) any {
				return map[string]any{"step": map[string]any{"areaId": "housing", "title": "x", "term": "short", "responsible": map[string]any{"kind": "agency", "agencyId": w.police}}}
			}, 422, "/problems/validation"},
		{"malformed json", "POST", func(w *world) string { return "/api/v1/roadmaps/" + w.id + "/comments" }, "owner",
			func(*world) any { return `{"section": "area:housing", "text": ` }, 400, "/problems/malformed-json"},
		{"wrong type", "POST", func(w *world) string { return "/api/v1/roadmaps/" + w.id + "/comments" }, "owner",
			func(*world) any { return map[string]any{"section": "area:housing", "text": 42} }, 422, "/problems/validation"},
		{"oversize comment", "POST", func(w *world) string { return "/api/v1/roadmaps/" + w.id + "/comments" }, "owner",
			func(*world) any { return map[string]any{"section": "area:housing", "text": strings.Repeat("a", 2001)} }, 422, "/problems/validation"},
		{"used invitation code", "POST", func(*world) string { return "/api/v1/invitations/accept" }, "never",
			func(w *world) any { return map[string]any{"code": "not-a-real-code-at-all"} }, 404, "/problems/not-found"},
		{"promise without a date", "POST", func(w *world) string { return "/api/v1/roadmaps/" + w.id + "/steps/s3/promise" }, "caseworker",
			func(*world) any { return map[string]any{"answer": "accept"} }, 422, "/problems/validation"},
		{"promise by a day gone", "POST", func(w *world) string { return "/api/v1/roadmaps/" + w.id + "/steps/s3/promise" }, "caseworker",
			func(w *world) any {
				return map[string]any{"answer": "accept", "due": w.e.clock.Now().AddDate(0, 0, -1).Format(time.DateOnly)}
			}, 422, "/problems/validation"},
		{"decline without a reason", "POST", func(w *world) string { return "/api/v1/roadmaps/" + w.id + "/steps/s3/promise" }, "caseworker",
			func(*world) any { return map[string]any{"answer": "decline", "reason": "   "} }, 422, "/problems/validation"},
		{"promise with a reason and a date", "POST", func(w *world) string { return "/api/v1/roadmaps/" + w.id + "/steps/s3/promise" }, "caseworker",
			func(*world) any { return map[string]any{"answer": "decline", "reason": "x", "due": "2030-01-01"} }, 422, "/problems/validation"},
		{"answer a household's step", "POST", func(w *world) string { return "/api/v1/roadmaps/" + w.id + "/steps/s1/promise" }, "caseworker",
			func(*world) any { return map[string]any{"answer": "decline", "reason": "x"} }, 404, "/problems/not-found"},
		{"answer a step in another household", "POST", func(w *world) string { return "/api/v1/roadmaps/" + w.id + "-other/steps/s3/promise" }, "caseworker",
			func(*world) any { return map[string]any{"answer": "decline", "reason": "x"} }, 404, "/problems/not-found"},
		{"answer a step with a bad id", "POST", func(w *world) string { return "/api/v1/roadmaps/" + w.id + "/steps/..%2f/promise" }, "caseworker",
			func(*world) any { return map[string]any{"answer": "decline", "reason": "x"} }, 404, "/problems/not-found"},
		{"promise outcome that is no word", "POST", func(w *world) string { return "/api/v1/roadmaps/" + w.id + "/steps/s3/outcome" }, "owner",
			func(*world) any { return map[string]any{"outcome": "maybe"} }, 422, "/problems/validation"},
		{"outcome of a step that is no promise", "POST", func(w *world) string { return "/api/v1/roadmaps/" + w.id + "/steps/s1/outcome" }, "owner",
			func(*world) any { return map[string]any{"outcome": "kept"} }, 404, "/problems/not-found"},
		{"coordinator from an agency without access", "PUT", func(w *world) string { return "/api/v1/roadmaps/" + w.id + "/coordinator" }, "owner",
			func(w *world) any { return map[string]any{"agencyId": w.housing} }, 422, "/problems/validation"},
		{"coordinator from an agency with no contact", "PUT", func(w *world) string { return "/api/v1/roadmaps/" + w.id + "/coordinator" }, "owner",
			func(w *world) any { return map[string]any{"agencyId": w.police} }, 422, "/problems/validation"},
		{"coordinator with an unknown field", "PUT", func(w *world) string { return "/api/v1/roadmaps/" + w.id + "/coordinator" }, "owner",
			func(w *world) any { return map[string]any{"agencyId": w.nav, "userId": w.users["caseworker"]} }, 422, "/problems/validation"},
		{"contact with a bad e-mail", "PUT", func(w *world) string { return "/api/v1/roadmaps/" + w.id + "/contact" }, "caseworker",
			func(*world) any { return map[string]any{"name": "Vera", "email": "vera at nav"} }, 422, "/problems/validation"},
		{"contact with a bad phone", "PUT", func(w *world) string { return "/api/v1/roadmaps/" + w.id + "/contact" }, "caseworker",
			func(*world) any { return map[string]any{"name": "Vera", "phone": "call me"} }, 422, "/problems/validation"},
		{"contact without a name", "PUT", func(w *world) string { return "/api/v1/roadmaps/" + w.id + "/contact" }, "caseworker",
			func(*world) any { return map[string]any{"role": "veileder"} }, 422, "/problems/validation"},
		{"contact named by the household", "PUT", func(w *world) string { return "/api/v1/roadmaps/" + w.id + "/contact" }, "owner",
			func(*world) any { return map[string]any{"name": "Vera"} }, 403, "/problems/forbidden"},
		{"checklist line of another kind", "PUT", func(w *world) string { return "/api/v1/roadmaps/" + w.id + "/transitions/t-pol/checklist" }, "owner",
			func(*world) any { return map[string]any{"lines": []any{map[string]any{"key": "rent"}}} }, 422, "/problems/validation"},
		{"checklist line that is no line", "PUT", func(w *world) string { return "/api/v1/roadmaps/" + w.id + "/transitions/t-pol/checklist" }, "owner",
			func(*world) any { return map[string]any{"lines": []any{map[string]any{"key": "yacht"}}} }, 422, "/problems/validation"},
		{"checklist line twice", "PUT", func(w *world) string { return "/api/v1/roadmaps/" + w.id + "/transitions/t-pol/checklist" }, "owner",
			func(*world) any {
				return map[string]any{"lines": []any{map[string]any{"key": "bed"}, map[string]any{"key": "bed"}}}
			}, 422, "/problems/validation"},
		{"checklist line to an agency that does not exist", "PUT", func(w *world) string { return "/api/v1/roadmaps/" + w.id + "/transitions/t-pol/checklist" }, "owner",
			func(*world) any {
				return map[string]any{"lines": []any{map[string]any{"key": "bed", "agencyId": "ag-none"}}}
			}, 422, "/problems/validation"},
		{"checklist without lines", "PUT", func(w *world) string { return "/api/v1/roadmaps/" + w.id + "/transitions/t-pol/checklist" }, "owner",
			func(*world) any { return map[string]any{"items": []any{}} }, 422, "/problems/validation"},
		{"checklist of a transition that does not exist", "PUT", func(w *world) string { return "/api/v1/roadmaps/" + w.id + "/transitions/t-none/checklist" }, "owner",
			func(*world) any { return map[string]any{"lines": []any{}} }, 404, "/problems/not-found"},
		{"checklist planned by a caseworker", "PUT", func(w *world) string { return "/api/v1/roadmaps/" + w.id + "/transitions/t-pol/checklist" }, "caseworker",
			func(*world) any { return map[string]any{"lines": []any{map[string]any{"key": "bed"}}} }, 403, "/problems/forbidden"},
		{"approve an answered request twice", "POST", func(w *world) string { return "/api/v1/roadmaps/" + w.id + "/access-requests/q-none/approve" }, "owner",
			func(w *world) any { return map[string]any{"expiresAt": future(time.Hour)} }, 404, "/problems/not-found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, e)
			before := w.roadmap(t)
			var b any
			if tc.body != nil {
				b = tc.body(w)
			}
			r := e.do(t, tc.method, tc.path(w), w.tokens[tc.token], b)
			if r.status != tc.status || !strings.Contains(r.body, `"type":"`+tc.problem+`"`) {
				t.Fatalf("got %d %s, want %d %s", r.status, r.body, tc.status, tc.problem)
			}
			if after := w.roadmap(t); after.Version != before.Version {
				t.Fatalf("bad input changed the roadmap: version %d -> %d", before.Version, after.Version)
			}
		})
	}

	t.Run("token naming an agency the person is not in", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t, e)
		// Signed by the server, but the person never worked for NAV.
		tok := e.issue(t, w.users["never"], w.nav)
		for _, p := range []string{"/api/v1/roadmaps/" + w.id, "/api/v1/shared", "/api/v1/me"} {
			if r := e.do(t, "GET", p, tok, nil); r.status != 403 || strings.Contains(r.body, mHousing) {
				t.Fatalf("%s: %d %s", p, r.status, r.body)
			}
		}
		// And switching to it is refused.
		if r := e.do(t, "POST", "/api/v1/dev/login", "", map[string]any{"name": "Pål", "agencyId": w.nav}); r.status != 403 {
			t.Fatalf("dev login into an agency one is not in: %d %s", r.status, r.body)
		}
	})
}

// TestConsent_Flows walks the paths people take: an operator creates an
// agency and its first administrator, who adds a caseworker; the caseworker
// switches to acting for the agency, asks for access, the owner approves, the
// caseworker reads and comments, and the owner sees it all in the log. Then
// the owner invites a second owner and links a member, each code once.
func TestConsent_Flows(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)
	kari, nina, ada, per := e.login(t, "Kari"), e.login(t, "Nina"), e.login(t, "Ada"), e.login(t, "Per")
	e.createRoadmap(t, kari, "00000000-0000-4000-8000-000000000001", "KARI-HOUSEHOLD")
	op, _, err := e.tokens.IssueOperator(time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	expect := func(r response, status int, contains ...string) response {
		t.Helper()
		if r.status != status {
			t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
		}
		for _, c := range contains {
			if !strings.Contains(r.body, c) {
				t.Fatalf("response lacks %s: %s", c, r.body)
			}
		}
		return r
	}

	expect(e.do(t, "POST", "/api/v1/admin/agencies", op, map[string]any{"id": "nav-oslo", "kind": "nav", "name": "NAV Oslo", "region": "Oslo"}), 201, `"id":"nav-oslo"`)
	expect(e.do(t, "PUT", "/api/v1/agencies/nav-oslo/staff/"+ada.userID, op, map[string]any{"roles": []string{"admin"}}), 200)
	// Ada acts for the agency to manage it.
	adaAct := expect(e.do(t, "POST", "/api/v1/auth/act", "", map[string]any{"refreshToken": ada.refresh, "agencyId": "nav-oslo"}), 200, `"actingFor":"nav-oslo"`).json(t)
	expect(e.do(t, "PUT", "/api/v1/agencies/nav-oslo/staff/"+nina.userID, adaAct["accessToken"].(string), map[string]any{"roles": []string{"caseworker"}}), 200, nina.userID)
	// The last administrator cannot be removed or demoted.
	expect(e.do(t, "PUT", "/api/v1/agencies/nav-oslo/staff/"+ada.userID, adaAct["accessToken"].(string), map[string]any{"roles": []string{"caseworker"}}), 409)

	// Nina sees her agency, switches to it, and asks for access.
	expect(e.do(t, "GET", "/api/v1/me", nina.access, nil), 200, `"agencyId":"nav-oslo"`, `"roles":["caseworker"]`, `"ownSayAge":16`, `"timeZone":"Europe/Oslo"`)
	act := expect(e.do(t, "POST", "/api/v1/auth/act", "", map[string]any{"refreshToken": nina.refresh, "agencyId": "nav-oslo"}), 200).json(t)
	ninaNAV, ninaRefresh := act["accessToken"].(string), act["refreshToken"].(string)
	// The switch rotated the refresh token: the old one is spent.
	expect(e.do(t, "POST", "/api/v1/auth/refresh", "", map[string]any{"refreshToken": ninaRefresh}), 200, `"actingFor":"nav-oslo"`)
	expect(e.do(t, "GET", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000001", ninaNAV, nil), 404)
	expect(e.do(t, "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000001/access-requests", ninaNAV, map[string]any{
		"sections": []string{"household", "area:housing"}, "permissions": []string{"view", "comment"}, "purpose": "Oppfølging"}), 202)
	expect(e.do(t, "GET", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000001", ninaNAV, nil), 404) // nothing until approved
	var requests struct{ Items []map[string]any }
	if err := json.Unmarshal([]byte(expect(e.do(t, "GET", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000001/access-requests", kari.access, nil), 200, `"status":"pending"`).body), &requests); err != nil || len(requests.Items) != 1 {
		t.Fatalf("requests: %v %+v", err, requests)
	}
	q := requests.Items[0]
	// Kari approves, narrowing it to housing.
	exp := e.clock.Now().Add(60 * 24 * time.Hour).UTC().Format(time.RFC3339)
	expect(e.do(t, "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000001/access-requests/"+q["id"].(string)+"/approve", kari.access, map[string]any{
		"expiresAt": exp, "sections": []string{"area:housing"}}), 201, `"agencyName":"NAV Oslo"`, `"via":"request:`)
	read := expect(e.do(t, "GET", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000001", ninaNAV, nil), 200, `"role":"caseworker"`, `"housing"`).body
	if strings.Contains(read, `"name":"KARI-HOUSEHOLD"`) || strings.Contains(read, `"health"`) {
		t.Fatalf("caseworker sees ungranted sections: %s", read)
	}
	shared := expect(e.do(t, "GET", "/api/v1/shared", ninaNAV, nil), 200, `"roadmapId":"00000000-0000-4000-8000-000000000001"`, `"areaCount":1`)
	sameAsWire[wire.SharedList](t, shared.body)
	expect(e.do(t, "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000001/comments", ninaNAV, map[string]any{"section": "area:housing", "text": "Vi ringer boligkontoret."}), 201)
	// Sent again from a phone that lost the answer: the same comment back
	// with 200, as the OpenAPI document says (e.do checks).
	again := map[string]any{"id": "c-again", "section": "area:housing", "text": "Sendt to ganger."}
	expect(e.do(t, "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000001/comments", kari.access, again), 201)
	expect(e.do(t, "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000001/comments", kari.access, again), 200, `"id":"c-again"`)
	log := expect(e.do(t, "GET", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000001/access-log?limit=10", kari.access, nil), 200,
		`"action":"comment"`, `"action":"read"`, `"action":"request-access"`, `"agencyId":"nav-oslo"`, `"name":"Nina"`).body
	if strings.Index(log, `"action":"comment"`) > strings.Index(log, `"action":"request-access"`) {
		t.Fatalf("log is not newest first: %s", log)
	}
	expect(e.do(t, "GET", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000001/access-log?limit=0", kari.access, nil), 422)
	// A parameter given empty is not one left out (the OpenAPI document's
	// minLength and minimum).
	for _, q := range []string{"limit=", "cursor=", "cursor=&limit=10", "limit=ten"} {
		expect(e.do(t, "GET", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000001/access-log?"+q, kari.access, nil), 422)
		expect(e.do(t, "GET", "/api/v1/me/security-log?"+q, kari.access, nil), 422)
	}
	expect(e.do(t, "GET", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000001", kari.access, nil), 200, "Vi ringer boligkontoret.")

	// A second owner by invitation, once.
	inv := expect(e.do(t, "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000001/invitations", kari.access, map[string]any{"kind": "owner"}), 201, `"url":"`).json(t)
	expect(e.do(t, "POST", "/api/v1/invitations/accept", per.access, map[string]any{"code": inv["code"]}), 200, `"kind":"owner"`)
	expect(e.do(t, "GET", "/api/v1/roadmaps", per.access, nil), 200, `"id":"00000000-0000-4000-8000-000000000001"`)
	expect(e.do(t, "POST", "/api/v1/invitations/accept", ninaNAV, map[string]any{"code": inv["code"]}), 404)
	// A member invitation links the member to an account, read-only.
	minv := expect(e.do(t, "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000001/invitations", per.access, map[string]any{"kind": "member", "memberId": "m1", "validMinutes": 5}), 201).json(t)
	e.clock.Add(6 * time.Minute)
	mia := e.login(t, "Mia")
	expect(e.do(t, "POST", "/api/v1/invitations/accept", mia.access, map[string]any{"code": minv["code"]}), 404) // expired
	minv = expect(e.do(t, "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000001/invitations", e.login(t, "Per").access, map[string]any{"kind": "member", "memberId": "m1"}), 201).json(t)
	expect(e.do(t, "POST", "/api/v1/invitations/accept", mia.access, map[string]any{"code": minv["code"]}), 200, `"kind":"member"`)
	expect(e.do(t, "GET", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000001", mia.access, nil), 200, `"name":"KARI-HOUSEHOLD"`)
	expect(e.do(t, "GET", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000001/grants", mia.access, nil), 403)
	expect(e.do(t, "GET", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000001/receipts", kari.access, nil), 200, `"kind":"owner-added"`, `"kind":"granted"`)
}

// TestOverdue: the owners see the agencies' steps that are past due and not
// done; nobody else sees the list.
func TestOverdue(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)
	w := newWorld(t, e)
	today := e.clock.Now().In(mustOslo(t))
	yesterday, tomorrow := today.AddDate(0, 0, -1).Format(time.DateOnly), today.AddDate(0, 0, 1).Format(time.DateOnly)
	ops := []any{
		map[string]any{"opId": "a1", "type": "step.add", "step": map[string]any{"id": "late", "areaId": "housing", "title": "NAV-LATE", "term": "short", "due": yesterday, "responsible": map[string]any{"kind": "agency", "agencyId": w.nav}}},
		map[string]any{"opId": "a2", "type": "step.add", "step": map[string]any{"id": "soon", "areaId": "housing", "title": "NAV-SOON", "term": "short", "due": tomorrow, "responsible": map[string]any{"kind": "agency", "agencyId": w.nav}}},
		map[string]any{"opId": "a3", "type": "step.add", "step": map[string]any{"id": "ours", "areaId": "housing", "title": "OURS-LATE", "term": "short", "due": yesterday, "responsible": map[string]any{"kind": "household"},
			"reminders": []any{map[string]any{"daysBefore": 1, "at": "09:00"}}}},
		map[string]any{"opId": "a4", "type": "step.add", "step": map[string]any{"id": "done", "areaId": "housing", "title": "NAV-DONE", "term": "short", "due": yesterday, "status": "done", "responsible": map[string]any{"kind": "agency", "agencyId": w.nav}}},
	}
	if r := e.do(t, "POST", "/api/v1/roadmaps/"+w.id+"/operations", w.tokens["owner"], map[string]any{"operations": ops}); r.status != 200 {
		t.Fatalf("add steps: %d %s", r.status, r.body)
	}
	r := e.do(t, "GET", "/api/v1/roadmaps/"+w.id+"/overdue", w.tokens["owner"], nil)
	if r.status != 200 || !strings.Contains(r.body, "NAV-LATE") || strings.Contains(r.body, "NAV-SOON") || strings.Contains(r.body, "OURS-LATE") || strings.Contains(r.body, "NAV-DONE") {
		t.Fatalf("overdue: %d %s", r.status, r.body)
	}
	for role, status := range map[string]int{"member": 403, "caseworker": 403, "never": 404, "anonymous": 401} {
		if r := e.do(t, "GET", "/api/v1/roadmaps/"+w.id+"/overdue", w.tokens[role], nil); r.status != status {
			t.Errorf("%s: %d, want %d", role, r.status, status)
		}
	}
}

func mustOslo(t *testing.T) *time.Location {
	t.Helper()
	l, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestAccessRequest_TellsNothingChangesNoVersion: a caseworker of an agency
// with no grant asks for access to a roadmap that exists and to one that
// does not, and gets the same answer for both; the request does not move
// the roadmap's version, so the family's write made against the version
// they had still applies; asking again while one waits stores nothing more.
func TestAccessRequest_TellsNothingChangesNoVersion(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)
	kari := e.login(t, "Kari")
	e.createRoadmap(t, kari, "00000000-0000-4000-8000-000000000015", "Kari")
	nina := e.login(t, "Nina")
	opTok, _, err := e.tokens.IssueOperator(time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	expect(t, e.do(t, "POST", "/api/v1/admin/agencies", opTok, map[string]any{"id": "nav-q", "kind": "nav", "name": "NAV Q", "region": "Oslo"}), 201)
	expect(t, e.do(t, "PUT", "/api/v1/agencies/nav-q/staff/"+nina.userID, opTok, map[string]any{"roles": []string{"caseworker"}}), 200)
	ninaNAV := expect(t, e.do(t, "POST", "/api/v1/auth/act", "", map[string]any{"refreshToken": nina.refresh, "agencyId": "nav-q"}), 200).json(t)["accessToken"].(string)

	ask := map[string]any{"sections": []string{"area:housing"}, "permissions": []string{"view"}, "purpose": "Oppfølging"}
	there := e.do(t, "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000015/access-requests", ninaNAV, ask)
	missing := e.do(t, "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000012/access-requests", ninaNAV, ask)
	if there.status != 202 || missing.status != 202 || there.body != missing.body ||
		there.header.Get("Content-Type") != missing.header.Get("Content-Type") {
		t.Fatalf("existing %d %q %q, missing %d %q %q: want the same 202", there.status, there.header.Get("Content-Type"), there.body,
			missing.status, missing.header.Get("Content-Type"), missing.body)
	}
	// Kari's phone had version 1 when she edited the title offline.
	body := ops(op("t1", "roadmap.setTitle", map[string]any{"baseVersion": 1, "title": "Ny tittel"}))
	expect(t, e.do(t, "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000015/operations", kari.access, body, "If-Match", `"v1"`), 200)

	again := e.do(t, "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000015/access-requests", ninaNAV, ask)
	if again.status != 202 || again.body != there.body {
		t.Fatalf("asking again: %d %s", again.status, again.body)
	}
	list := expect(t, e.do(t, "GET", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000015/access-requests", kari.access, nil), 200).body
	if n := strings.Count(list, `"status":"pending"`); n != 1 {
		t.Fatalf("%d requests pending, want 1: %s", n, list)
	}
	expect(t, e.do(t, "GET", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000015/access-log", kari.access, nil), 200, `"action":"request-access"`)
}

// TestPreview_EqualsTheCaseworkersRead: for every shape of grant, what the
// household's preview ("Dette ser NAV") shows is exactly what NAV's
// caseworker reads, apart from the grant's dates and purpose (a preview has
// none); and a preview is not an agency's read: the access log is as before.
func TestPreview_EqualsTheCaseworkersRead(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)
	w := newWorld(t, e)
	owner, nav := w.tokens["owner"], w.tokens["caseworker"]
	logLength := func() int {
		t.Helper()
		r := e.do(t, "GET", "/api/v1/roadmaps/"+w.id+"/access-log?limit=100", owner, nil)
		return strings.Count(r.body, `"action":`)
	}
	strip := func(body string) map[string]any {
		t.Helper()
		var m map[string]any
		if err := json.Unmarshal([]byte(body), &m); err != nil {
			t.Fatalf("%v: %s", err, body)
		}
		a, _ := m["access"].(map[string]any)
		delete(a, "expiresAt")
		delete(a, "purpose")
		delete(a, "contact") // the agency's own contact person: of the grant, not of the roadmap
		return m
	}
	sections := [][]string{
		{"household"}, {"area:housing"}, {"steps:housing"}, {"area:housing", "steps:housing"},
		{"household", "area:health", "steps:work"}, {"household", "area:housing", "steps:housing", "area:health", "steps:health", "area:work", "steps:work"},
	}
	perms := [][]string{{"view"}, {"view", "comment"}, {"view", "comment", "propose"}}
	// Health names Mia, who has her own say: she says yes to NAV first.
	if r := e.do(t, "PUT", "/api/v1/roadmaps/"+w.id+"/says/answer", w.tokens["member"], map[string]any{"areaId": "health", "for": "agency:" + w.nav, "answer": "yes"}); r.status != 200 {
		t.Fatalf("Mia's yes: %d %s", r.status, r.body)
	}
	for _, ss := range sections {
		for _, ps := range perms {
			shape := map[string]any{"sections": ss, "permissions": ps}
			if r := e.do(t, "PATCH", "/api/v1/roadmaps/"+w.id+"/grants/"+w.grantNAV, owner, shape); r.status != 200 {
				t.Fatalf("%v: grant: %d %s", shape, r.status, r.body)
			}
			read := e.do(t, "GET", "/api/v1/roadmaps/"+w.id, nav, nil)
			if read.status != 200 {
				t.Fatalf("%v: caseworker: %d %s", shape, read.status, read.body)
			}
			before := logLength()
			preview := e.do(t, "POST", "/api/v1/roadmaps/"+w.id+"/preview", owner, map[string]any{"agencyId": w.nav, "sections": ss, "permissions": ps})
			if preview.status != 200 {
				t.Fatalf("%v: preview: %d %s", shape, preview.status, preview.body)
			}
			if got, want := strip(preview.body), strip(read.body); !reflect.DeepEqual(got, want) {
				t.Errorf("%v:\npreview   %s\ncaseworker %s", shape, preview.body, read.body)
			}
			if after := logLength(); after != before {
				t.Fatalf("%v: a preview wrote to the access log (%d -> %d entries)", shape, before, after)
			}
		}
	}
	// Only the owners preview; to anyone else the roadmap is not there.
	for _, role := range []string{"member", "caseworker", "other-person"} {
		if r := e.do(t, "POST", "/api/v1/roadmaps/"+w.id+"/preview", w.tokens[role], map[string]any{"agencyId": w.nav, "sections": []string{"household"}, "permissions": []string{"view"}}); r.status != 403 && r.status != 404 {
			t.Errorf("%s previews: %d %s", role, r.status, r.body)
		}
	}
}

// helperRole reports whether role is a trusted person or an interpreter in
// the table test, in force or ended.
func helperRole(role string) bool {
	switch role {
	case "trusted", "interpreter", "trusted-ended", "interpreter-ended":
		return true
	}
	return false
}
