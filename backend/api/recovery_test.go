package api_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/api"
	"github.com/veikart/veikart/backend/auth"
	"github.com/veikart/veikart/backend/passkey/softkey"
	"github.com/veikart/veikart/backend/veikart"
)

// alerts records the security alerts the server sends, as a push service
// would receive them.
type alerts struct {
	mu  sync.Mutex
	got []string // "userID/kind"
}

func (a *alerts) Alert(_ context.Context, userID, kind string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.got = append(a.got, userID+"/"+kind)
}

func (a *alerts) count(userID string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, g := range a.got {
		if strings.HasPrefix(g, userID+"/") {
			n++
		}
	}
	return n
}

// recoveryWorld is Amina, whose only way in is a passkey, with her roadmap
// shared with NAV (Nina) and the police (Per), and her phone.
type recoveryWorld struct {
	e        *env
	alerts   *alerts
	nina     session // NAV's caseworker
	pol      session // the police's caseworker
	nav      string
	police   string
	amina    session
	phone    *softkey.Authenticator
	roadmap  string
	navGrant string
}

func newRecoveryWorld(t *testing.T, name string) *recoveryWorld {
	t.Helper()
	al := &alerts{}
	e := mustEnvWith(t, api.Config{Dev: true, PublicURL: publicURL, SignInBurst: 100_000, SignInEvery: time.Millisecond}, nil,
		func(_ string, _ *api.Config, d *api.Deps) { d.Alerts = al })
	w := &recoveryWorld{e: e, alerts: al, roadmap: auth.NewUUID()}
	w.nina, w.nav = e.caseworker(t, "Nina", "nav-"+name)
	w.pol, w.police = e.caseworker(t, "Per Politi", "police-"+name)
	w.phone = softkey.New(publicURL)
	w.amina = e.enrol(t, w.phone, e.newCode(t, w.nina, map[string]any{"name": "Amina"}), "Old phone")
	e.createRoadmap(t, w.amina, w.roadmap, "AMINA-HOUSEHOLD")
	exp := e.clock.Now().Add(60 * 24 * time.Hour).UTC().Format(time.RFC3339)
	for _, agency := range []string{w.nav, w.police} {
		r := expect(t, e.do(t, "POST", "/api/v1/roadmaps/"+w.roadmap+"/grants", w.amina.access, map[string]any{
			"agencyId": agency, "sections": []string{"area:housing"}, "permissions": []string{"view", "comment"}, "purpose": "Bolig", "expiresAt": exp}), 201, `"recovery":false`)
		if agency == w.nav {
			w.navGrant = r.json(t)["id"].(string)
		}
	}
	return w
}

// allowNAV is Amina letting NAV help her back in, on her grant to it.
func (w *recoveryWorld) allowNAV(t *testing.T) {
	t.Helper()
	expect(t, w.e.do(t, "PATCH", "/api/v1/roadmaps/"+w.roadmap+"/grants/"+w.navGrant, w.amina.access, map[string]any{"recovery": true}), 200, `"recovery":true`)
}

func (w *recoveryWorld) recoverBody(userID, agencyID string) map[string]any {
	return map[string]any{"roadmapId": w.roadmap, "personKey": access.PersonKey(w.roadmap, agencyID, userID)}
}

// newPhoneWaits registers a new phone's passkey with a recovery code and
// checks that it waits rather than signing in.
func (w *recoveryWorld) newPhoneWaits(t *testing.T, code string) *softkey.Authenticator {
	t.Helper()
	phone := softkey.New(publicURL)
	id, opts := publicKey(t, expect(t, w.e.do(t, "POST", "/api/v1/passkeys/enrol/begin", "", map[string]any{"code": code}), 200, `"kind":"recovery"`, `"name":"Amina"`))
	cred, _, err := phone.Create(opts)
	if err != nil {
		t.Fatal(err)
	}
	r := expect(t, w.e.do(t, "POST", "/api/v1/passkeys/enrol/finish", "", map[string]any{
		"code": code, "ceremonyId": id, "credential": json.RawMessage(cred), "label": "New phone"}), 202, `"status":"waiting"`)
	if strings.Contains(r.body, "accessToken") {
		t.Fatalf("a waiting recovery signed the new phone in: %s", r.body)
	}
	want := w.e.clock.Now().Add(veikart.DefaultRecoveryWait).UTC().Truncate(time.Millisecond)
	if got, _ := time.Parse(time.RFC3339Nano, r.json(t)["effectiveAt"].(string)); !got.Equal(want) {
		t.Fatalf("effectiveAt %v, want %v", got, want)
	}
	return phone
}

// TestRecovery_TakeoverChainRefused replays the chain an independent check
// ran on the old main: a caseworker granted one section read the owner's
// account id from a comment, made a recovery code with it, registered a
// passkey and took the account over. Each link is now broken.
func TestRecovery_TakeoverChainRefused(t *testing.T) {
	t.Parallel()
	w := newRecoveryWorld(t, "chain")
	e := w.e
	// The owner comments in the granted section.
	expect(t, e.do(t, "POST", "/api/v1/roadmaps/"+w.roadmap+"/comments", w.amina.access, map[string]any{"section": "area:housing", "text": "Vi venter på svar."}), 201)

	// 1. The caseworker's view holds no account id of the household.
	r := expect(t, e.do(t, "GET", "/api/v1/roadmaps/"+w.roadmap, w.nina.access, nil), 200, "Vi venter på svar.")
	if strings.Contains(r.body, w.amina.userID) {
		t.Errorf("step 1: the caseworker's view holds the owner's account id: %s", r.body)
	}
	// 2. A recovery code by account id is not a request the API takes; by
	// the agency's key, not for an owner who did not choose the agency.
	expect(t, e.do(t, "POST", "/api/v1/enrolments", w.nina.access, map[string]any{"userId": w.amina.userID}), 422)
	expect(t, e.do(t, "POST", "/api/v1/enrolments", w.nina.access, w.recoverBody(w.amina.userID, w.nav)), 403, "/problems/forbidden")
	expect(t, e.do(t, "GET", "/api/v1/roadmaps/"+w.roadmap+"/recovery-people", w.nina.access, nil), 200, `"items":[]`)
	// The owner is still the only one in.
	expect(t, e.do(t, "GET", "/api/v1/me", w.amina.access, nil), 200)
	if r := e.do(t, "GET", "/api/v1/me/security-log", w.amina.access, nil); strings.Contains(r.body, "recovery") {
		t.Fatalf("a refused recovery left a trace of one: %s", r.body)
	}
}

// TestRecovery_WaitsThenTakesEffect: the owner chose NAV; NAV's caseworker
// makes a code at a home visit; the new phone's passkey waits 72 hours while
// the old phone is told and keeps working; then the new phone's sign-in
// replaces the old passkey and ends the old sessions.
func TestRecovery_WaitsThenTakesEffect(t *testing.T) {
	t.Parallel()
	w := newRecoveryWorld(t, "wait")
	e := w.e
	other := tokens(t, expect(t, e.passkeyLogin(t, w.phone), 200)) // a second session on the old phone
	expect(t, e.do(t, "GET", "/api/v1/me", w.amina.access, nil), 200, `"recoverableByAgency":true`)
	w.allowNAV(t)

	// NAV sees Amina by name and by its own key; the police does not.
	people := expect(t, e.do(t, "GET", "/api/v1/roadmaps/"+w.roadmap+"/recovery-people", w.nina.access, nil), 200, `"name":"Amina"`, access.PersonKey(w.roadmap, w.nav, w.amina.userID))
	if strings.Contains(people.body, w.amina.userID) {
		t.Fatalf("recovery-people holds the account id: %s", people.body)
	}
	expect(t, e.do(t, "GET", "/api/v1/roadmaps/"+w.roadmap+"/recovery-people", w.pol.access, nil), 200, `"items":[]`)
	expect(t, e.do(t, "POST", "/api/v1/enrolments", w.pol.access, w.recoverBody(w.amina.userID, w.police)), 403)
	// NAV's key is NAV's: the police cannot use it either.
	expect(t, e.do(t, "POST", "/api/v1/enrolments", w.pol.access, w.recoverBody(w.amina.userID, w.nav)), 403)
	// A person may not make a recovery code, not even for themselves.
	expect(t, e.do(t, "POST", "/api/v1/enrolments", w.amina.access, w.recoverBody(w.amina.userID, w.nav)), 403)

	made := e.clock.Now()
	code := e.newCode(t, w.nina, w.recoverBody(w.amina.userID, w.nav))
	// The caseworker, by name, in the person's security log and in the
	// roadmap's access log.
	expect(t, e.do(t, "GET", "/api/v1/me/security-log", w.amina.access, nil), 200, `"action":"recovery-code"`, `"name":"Nina"`, `"agencyName":"Agency `+w.nav+`"`)
	expect(t, e.do(t, "GET", "/api/v1/roadmaps/"+w.roadmap+"/access-log", w.amina.access, nil), 200, `"action":"recovery-code"`, `"name":"Nina"`, `"agencyId":"`+w.nav+`"`)

	e.clock.Add(10 * time.Minute)
	newPhone := w.newPhoneWaits(t, code)
	// The old phone is told at once: a push, the security log, and GET /me.
	if w.alerts.count(w.amina.userID) != 1 {
		t.Fatalf("alerts: %v", w.alerts.got)
	}
	expect(t, e.do(t, "GET", "/api/v1/me", w.amina.access, nil), 200, `"recovery":{`, `"caseworkerName":"Nina"`)
	expect(t, e.do(t, "GET", "/api/v1/me/security-log", w.amina.access, nil), 200, `"action":"recovery-started"`)
	// Until the wait is over the new phone does not sign in, and the old
	// one keeps working.
	expect(t, e.passkeyLogin(t, newPhone), 403, "can sign in from")
	e.clock.Add(veikart.DefaultRecoveryWait - time.Minute)
	expect(t, e.passkeyLogin(t, newPhone), 403)
	other = tokens(t, expect(t, e.do(t, "POST", "/api/v1/auth/refresh", "", map[string]any{"refreshToken": other.refresh}), 200))
	expect(t, e.do(t, "GET", "/api/v1/me", other.access, nil), 200)
	expect(t, e.passkeyLogin(t, w.phone), 200)

	// After it, the new phone's sign-in makes the recovery take effect.
	e.clock.Add(2 * time.Minute)
	w.amina = tokens(t, expect(t, e.do(t, "POST", "/api/v1/auth/refresh", "", map[string]any{"refreshToken": w.amina.refresh}), 200))
	back := tokens(t, expect(t, e.passkeyLogin(t, newPhone), 200, w.amina.userID))
	for _, s := range []session{w.amina, other} {
		expect(t, e.do(t, "POST", "/api/v1/auth/refresh", "", map[string]any{"refreshToken": s.refresh}), 401)
		expect(t, e.do(t, "GET", "/api/v1/me", s.access, nil), 401)
	}
	expect(t, e.passkeyLogin(t, w.phone), 401)
	list := expect(t, e.do(t, "GET", "/api/v1/passkeys", back.access, nil), 200, `"label":"New phone"`).body
	if strings.Contains(list, "Old phone") {
		t.Fatalf("the lost phone's passkey is still there: %s", list)
	}
	me := expect(t, e.do(t, "GET", "/api/v1/me", back.access, nil), 200).body
	if strings.Contains(me, `"recovery":{`) {
		t.Fatalf("the recovery still shows as waiting: %s", me)
	}
	expect(t, e.do(t, "GET", "/api/v1/me/security-log", back.access, nil), 200, `"action":"recovered"`)
	expect(t, e.do(t, "GET", "/api/v1/roadmaps/"+w.roadmap, back.access, nil), 200, "AMINA-HOUSEHOLD")
	// The agency's administrators see every code its caseworkers made.
	op, _, err := e.tokens.IssueOperator(time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	r := expect(t, e.do(t, "GET", "/api/v1/agencies/"+w.nav+"/recoveries", op, nil), 200, `"caseworkerName":"Nina"`, `"personName":"Amina"`)
	if at, _ := time.Parse(time.RFC3339Nano, r.json(t)["items"].([]any)[0].(map[string]any)["at"].(string)); !at.Equal(made.UTC().Truncate(time.Millisecond)) {
		t.Fatalf("made at %v, want %v", at, made)
	}
	w.nina = tokens(t, expect(t, e.do(t, "POST", "/api/v1/auth/refresh", "", map[string]any{"refreshToken": w.nina.refresh}), 200))
	expect(t, e.do(t, "GET", "/api/v1/agencies/"+w.nav+"/recoveries", w.nina.access, nil), 403)

	// Once the grant is revoked, no more recovery codes.
	expect(t, e.do(t, "DELETE", "/api/v1/roadmaps/"+w.roadmap+"/grants/"+w.navGrant, back.access, nil), 200)
	expect(t, e.do(t, "POST", "/api/v1/enrolments", w.nina.access, w.recoverBody(w.amina.userID, w.nav)), 403)
}

// TestRecovery_CancelledFromTheOldPhone: the person stops a recovery they
// did not ask for; the new phone's passkey never signs in.
func TestRecovery_CancelledFromTheOldPhone(t *testing.T) {
	t.Parallel()
	w := newRecoveryWorld(t, "cancel")
	e := w.e
	w.allowNAV(t)
	newPhone := w.newPhoneWaits(t, e.newCode(t, w.nina, w.recoverBody(w.amina.userID, w.nav)))
	e.clock.Add(time.Hour)
	w.amina = tokens(t, expect(t, e.do(t, "POST", "/api/v1/auth/refresh", "", map[string]any{"refreshToken": w.amina.refresh}), 200))
	expect(t, e.do(t, "DELETE", "/api/v1/me/recovery", w.amina.access, nil), 204)
	expect(t, e.do(t, "DELETE", "/api/v1/me/recovery", w.amina.access, nil), 404)
	e.clock.Add(veikart.DefaultRecoveryWait)
	expect(t, e.passkeyLogin(t, newPhone), 401)
	w.amina = tokens(t, expect(t, e.do(t, "POST", "/api/v1/auth/refresh", "", map[string]any{"refreshToken": w.amina.refresh}), 200))
	expect(t, e.do(t, "GET", "/api/v1/me/security-log", w.amina.access, nil), 200, `"action":"recovery-cancelled"`, `"name":"Nina"`)
	expect(t, e.passkeyLogin(t, w.phone), 200)
	list := expect(t, e.do(t, "GET", "/api/v1/passkeys", w.amina.access, nil), 200, "Old phone").body
	if strings.Contains(list, "New phone") {
		t.Fatalf("a cancelled recovery's passkey was kept: %s", list)
	}
}

// TestRecovery_RefusedForAnIDPortenAccount: an account with another way in
// recovers through it; no agency can be chosen for it, and a choice planted
// in the store does not open it either.
func TestRecovery_RefusedForAnIDPortenAccount(t *testing.T) {
	t.Parallel()
	e := mustPasskeyEnv(t)
	nina, nav := e.caseworker(t, "Nina", "nav-idporten")
	kari := e.login(t, "Kari") // a development account: like ID-porten's, not made by enrolment
	e.createRoadmap(t, kari, "00000000-0000-4000-8000-000000000003", "KARI-HOUSEHOLD")
	expect(t, e.do(t, "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000003/grants", kari.access, map[string]any{
		"agencyId": nav, "sections": []string{"area:housing"}, "permissions": []string{"view"}, "purpose": "Bolig", "recovery": true,
		"expiresAt": e.clock.Now().Add(30 * 24 * time.Hour).UTC().Format(time.RFC3339)}), 422, "ID-porten")
	gid := expect(t, e.do(t, "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000003/grants", kari.access, map[string]any{
		"agencyId": nav, "sections": []string{"area:housing"}, "permissions": []string{"view"}, "purpose": "Bolig",
		"expiresAt": e.clock.Now().Add(30 * 24 * time.Hour).UTC().Format(time.RFC3339)}), 201).json(t)["id"].(string)
	expect(t, e.do(t, "PATCH", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000003/grants/"+gid, kari.access, map[string]any{"recovery": true}), 422, "/recovery")
	if _, err := e.store.UpdateRoadmap(context.Background(), "00000000-0000-4000-8000-000000000003", func(cur *veikart.Roadmap) (*veikart.Roadmap, error) {
		n := cur.Clone()
		n.Grants[0].RecoveryFor = []string{kari.userID}
		return n, nil
	}); err != nil {
		t.Fatal(err)
	}
	expect(t, e.do(t, "GET", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000003/recovery-people", nina.access, nil), 200, `"items":[]`)
	body := map[string]any{"roadmapId": "00000000-0000-4000-8000-000000000003", "personKey": access.PersonKey("00000000-0000-4000-8000-000000000003", nav, kari.userID)}
	expect(t, e.do(t, "POST", "/api/v1/enrolments", nina.access, body), 403)
	expect(t, e.do(t, "GET", "/api/v1/me", kari.access, nil), 200)
}

// TestRecovery_Limits: at most three codes for one account in a week, and
// fifty by one agency; the week after, again.
func TestRecovery_Limits(t *testing.T) {
	t.Parallel()
	w := newRecoveryWorld(t, "limits")
	e := w.e
	w.allowNAV(t)
	body := w.recoverBody(w.amina.userID, w.nav)
	for range veikart.RecoveryCodesPerAccount {
		e.newCode(t, w.nina, body)
	}
	expect(t, e.do(t, "POST", "/api/v1/enrolments", w.nina.access, body), 429, "/problems/rate-limited")
	e.clock.Add(veikart.RecoveryWindow + time.Minute)
	w.nina = tokens(t, expect(t, e.do(t, "POST", "/api/v1/auth/refresh", "", map[string]any{"refreshToken": w.nina.refresh}), 200))
	e.newCode(t, w.nina, body)

	// The agency's limit, counted over all the people it helps.
	for i := range veikart.RecoveryCodesPerAgency {
		if err := e.store.AppendAudit(context.Background(), veikart.AgencyRecoveryLogKey(w.nav), veikart.AuditEvent{
			ID: "planted" + string(rune('a'+i%26)) + string(rune('a'+i/26)), At: e.clock.Now(), UserID: w.nina.userID, AgencyID: w.nav, Role: "caseworker", Action: veikart.AuditRecoveryCode,
		}); err != nil {
			t.Fatal(err)
		}
	}
	expect(t, e.do(t, "POST", "/api/v1/enrolments", w.nina.access, body), 429)
}
