package api_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/api"
	"github.com/veikart/veikart/backend/passkey/softkey"
	"github.com/veikart/veikart/backend/veikart"
)

// The service's public URL in these tests, and so the origin the phones'
// browsers are at. WebAuthn forbids IP addresses as RP IDs: a name it is.
const publicURL = "http://localhost:8080"

// mustPasskeyEnv starts a server whose public URL can be a passkey relying
// party, with a sign-in rate limit the tests do not reach.
func mustPasskeyEnv(t *testing.T) *env {
	t.Helper()
	return mustEnvWith(t, api.Config{Dev: true, PublicURL: publicURL, SignInBurst: 100_000, SignInEvery: time.Millisecond}, nil)
}

// caseworker signs name in acting for a new agency in which they are a
// caseworker, and returns the session and the agency's id.
func (e *env) caseworker(t *testing.T, name, agencyID string) (session, string) {
	t.Helper()
	ctx := context.Background()
	uid := api.DevUserID(name)
	if _, err := e.store.EnsureUser(ctx, &veikart.User{ID: uid, Name: name, CreatedAt: e.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	a, err := veikart.NewAgency(agencyID, veikart.KindNAV, "Agency "+agencyID, "Oslo", e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if a, err = a.SetStaff(uid, []veikart.AgencyRole{veikart.CaseworkerRole}, "op", e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if err := e.store.CreateAgency(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := e.store.AddUserAgency(ctx, uid, agencyID); err != nil {
		t.Fatal(err)
	}
	r := e.do(t, "POST", "/api/v1/dev/login", "", map[string]any{"name": name, "agencyId": agencyID})
	if r.status != 200 {
		t.Fatalf("caseworker login: %d %s", r.status, r.body)
	}
	m := r.json(t)
	return session{access: m["accessToken"].(string), refresh: m["refreshToken"].(string), userID: uid}, agencyID
}

// sameAsWire checks that body is exactly what json.Marshal writes for the
// wire type T it decodes into, with no field T lacks: for answers the
// server assembles from pieces rather than encoding T itself.
func sameAsWire[T any](t *testing.T, body string) {
	t.Helper()
	var v T
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("not a %T: %v: %s", v, err, body)
	}
	b, err := json.Marshal(v)
	if err != nil || string(b) != body {
		t.Fatalf("not as json.Marshal writes a %T:\n got %s\nwant %s", v, body, b)
	}
}

func expect(t *testing.T, r response, status int, contains ...string) response {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	for _, c := range contains {
		if !strings.Contains(r.body, c) {
			t.Fatalf("response lacks %s: %s", c, r.body)
		}
	}
	if status >= 400 && !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
		t.Fatalf("error is not problem details: %s", r.header.Get("Content-Type"))
	}
	return r
}

// publicKey is the options member of a begin step's answer, as JSON.
func publicKey(t *testing.T, r response) (ceremonyID string, options []byte) {
	t.Helper()
	var m struct {
		CeremonyID string          `json:"ceremonyId"`
		PublicKey  json.RawMessage `json:"publicKey"`
	}
	if err := json.Unmarshal([]byte(r.body), &m); err != nil || m.CeremonyID == "" {
		t.Fatalf("begin: %v %s", err, r.body)
	}
	return m.CeremonyID, m.PublicKey
}

// enrol registers a passkey on phone with an enrolment code and returns the
// new session.
func (e *env) enrol(t *testing.T, phone *softkey.Authenticator, code, label string) session {
	t.Helper()
	id, opts := publicKey(t, expect(t, e.do(t, "POST", "/api/v1/passkeys/enrol/begin", "", map[string]any{"code": code}), 200))
	cred, _, err := phone.Create(opts)
	if err != nil {
		t.Fatal(err)
	}
	r := expect(t, e.do(t, "POST", "/api/v1/passkeys/enrol/finish", "", map[string]any{
		"code": code, "ceremonyId": id, "credential": json.RawMessage(cred), "label": label}), 200, `"tokenType":"Bearer"`)
	return tokens(t, r)
}

func tokens(t *testing.T, r response) session {
	t.Helper()
	m := r.json(t)
	return session{access: m["accessToken"].(string), refresh: m["refreshToken"].(string), userID: m["user"].(map[string]any)["id"].(string)}
}

// passkeyLogin signs in with the passkey phone holds, and returns the
// response of the finish step.
func (e *env) passkeyLogin(t *testing.T, phone *softkey.Authenticator) response {
	t.Helper()
	id, opts := publicKey(t, expect(t, e.do(t, "POST", "/api/v1/passkeys/login/begin", "", nil), 200, `"rpId":"localhost"`))
	a, err := phone.Get(opts)
	if err != nil {
		t.Fatal(err)
	}
	return e.do(t, "POST", "/api/v1/passkeys/login/finish", "", map[string]any{"ceremonyId": id, "credential": json.RawMessage(a)})
}

// newCode makes an enrolment code as caseworker cw.
func (e *env) newCode(t *testing.T, cw session, body map[string]any) string {
	t.Helper()
	r := expect(t, e.do(t, "POST", "/api/v1/enrolments", cw.access, body), 201, `"url":"`+publicURL+`/#/enrol/`, `"qr":"\u003csvg`)
	return r.json(t)["code"].(string)
}

// TestPasskeys_EnrolAndSignIn: a caseworker makes a code at the home visit;
// the new person registers a passkey on their phone with it and is signed
// in; later they sign in with the passkey alone. The code works once.
func TestPasskeys_EnrolAndSignIn(t *testing.T) {
	t.Parallel()
	e := mustPasskeyEnv(t)
	nina, _ := e.caseworker(t, "Nina", "nav-enrol")
	code := e.newCode(t, nina, map[string]any{"name": "Amina"})
	phone := softkey.New(publicURL)

	amina := e.enrol(t, phone, code, "Samsung")
	if !strings.HasPrefix(amina.userID, veikart.PasskeyUserPrefix) {
		t.Fatalf("new person's id %q", amina.userID)
	}
	expect(t, e.do(t, "GET", "/api/v1/me", amina.access, nil), 200, `"name":"Amina"`)
	list := expect(t, e.do(t, "GET", "/api/v1/passkeys", amina.access, nil), 200, `"label":"Samsung"`).body
	if strings.Contains(list, "lastUsedAt") {
		t.Fatalf("a passkey never used has a last use: %s", list)
	}
	// The code is used up.
	expect(t, e.do(t, "POST", "/api/v1/passkeys/enrol/begin", "", map[string]any{"code": code}), 404, "/problems/not-found")

	expect(t, e.do(t, "POST", "/api/v1/auth/logout", "", map[string]any{"refreshToken": amina.refresh}), 204)
	again := tokens(t, expect(t, e.passkeyLogin(t, phone), 200, `"name":"Amina"`))
	if again.userID != amina.userID {
		t.Fatalf("signed in as %s, enrolled as %s", again.userID, amina.userID)
	}
	expect(t, e.do(t, "GET", "/api/v1/passkeys", again.access, nil), 200, `"lastUsedAt":"`)
	// A copy of the phone's key, with the counter as it was, is refused.
	copied := phone.Clone()
	expect(t, e.passkeyLogin(t, phone), 200)
	expect(t, e.passkeyLogin(t, copied), 401, "/problems/unauthorized")
	// The name the person gives on their phone wins over the caseworker's.
	code2 := e.newCode(t, nina, map[string]any{"name": "Ola Nordmann"})
	id, opts := publicKey(t, expect(t, e.do(t, "POST", "/api/v1/passkeys/enrol/begin", "", map[string]any{"code": code2}), 200, `"kind":"new"`, `"name":"Ola Nordmann"`))
	cred, _, err := softkey.New(publicURL).Create(opts)
	if err != nil {
		t.Fatal(err)
	}
	expect(t, e.do(t, "POST", "/api/v1/passkeys/enrol/finish", "", map[string]any{"code": code2, "ceremonyId": id, "credential": json.RawMessage(cred), "name": "Ola N."}), 200, `"name":"Ola N."`)
}

// TestPasskeys_SeveralPerPerson: a second passkey on a second phone; the
// same phone cannot make a second; removing one, never the last one of a
// person who has no other way in, and never someone else's.
func TestPasskeys_SeveralPerPerson(t *testing.T) {
	t.Parallel()
	e := mustPasskeyEnv(t)
	nina, _ := e.caseworker(t, "Nina", "nav-several")
	phone1, phone2 := softkey.New(publicURL), softkey.New(publicURL)
	amina := e.enrol(t, phone1, e.newCode(t, nina, map[string]any{"name": "Amina"}), "First")

	id, opts := publicKey(t, expect(t, e.do(t, "POST", "/api/v1/passkeys/begin", amina.access, nil), 200, `"excludeCredentials":[{`))
	if _, _, err := phone1.Create(opts); !errors.Is(err, softkey.ErrExcluded) {
		t.Fatalf("the same phone made a second passkey: %v", err)
	}
	cred, _, err := phone2.Create(opts)
	if err != nil {
		t.Fatal(err)
	}
	second := expect(t, e.do(t, "POST", "/api/v1/passkeys/finish", amina.access, map[string]any{"ceremonyId": id, "credential": json.RawMessage(cred), "label": "Second"}), 201, `"label":"Second"`).json(t)["id"].(string)
	// The ceremony was used.
	expect(t, e.do(t, "POST", "/api/v1/passkeys/finish", amina.access, map[string]any{"ceremonyId": id, "credential": json.RawMessage(cred)}), 404)
	var got struct {
		Items []struct{ ID, Label string } `json:"items"`
	}
	if err := json.Unmarshal([]byte(expect(t, e.do(t, "GET", "/api/v1/passkeys", amina.access, nil), 200).body), &got); err != nil || len(got.Items) != 2 {
		t.Fatalf("list %+v %v", got, err)
	}
	first := got.Items[0].ID
	expect(t, e.passkeyLogin(t, phone2), 200, amina.userID)

	// Someone else cannot remove Amina's passkey, nor learn that it exists.
	kari := e.login(t, "Kari")
	expect(t, e.do(t, "DELETE", "/api/v1/passkeys/"+first, kari.access, nil), 404)
	expect(t, e.do(t, "DELETE", "/api/v1/passkeys/not-a-passkey-id", amina.access, nil), 404)
	expect(t, e.do(t, "DELETE", "/api/v1/passkeys/"+first, amina.access, nil), 204)
	expect(t, e.passkeyLogin(t, phone1), 401)
	expect(t, e.do(t, "DELETE", "/api/v1/passkeys/"+second, amina.access, nil), 409, "only passkey")
	expect(t, e.passkeyLogin(t, phone2), 200)

	// Someone who signs in another way may remove their last passkey.
	id, opts = publicKey(t, expect(t, e.do(t, "POST", "/api/v1/passkeys/begin", kari.access, nil), 200, `"excludeCredentials":[]`))
	cred, _, err = softkey.New(publicURL).Create(opts)
	if err != nil {
		t.Fatal(err)
	}
	k := expect(t, e.do(t, "POST", "/api/v1/passkeys/finish", kari.access, map[string]any{"ceremonyId": id, "credential": json.RawMessage(cred)}), 201, `"label":"Passkey"`).json(t)
	expect(t, e.do(t, "DELETE", "/api/v1/passkeys/"+k["id"].(string), kari.access, nil), 204)
	// A ceremony begun by Kari cannot finish as Amina.
	id, opts = publicKey(t, expect(t, e.do(t, "POST", "/api/v1/passkeys/begin", kari.access, nil), 200))
	cred, _, _ = softkey.New(publicURL).Create(opts)
	expect(t, e.do(t, "POST", "/api/v1/passkeys/finish", amina.access, map[string]any{"ceremonyId": id, "credential": json.RawMessage(cred)}), 404)
}

// TestPasskeys_CodesExpire: a code works for 30 minutes; begun in time and
// finished after, it is refused, and nothing is made.
func TestPasskeys_CodesExpire(t *testing.T) {
	t.Parallel()
	e := mustPasskeyEnv(t)
	nina, _ := e.caseworker(t, "Nina", "nav-expire")
	code := e.newCode(t, nina, map[string]any{"name": "Amina"})
	e.clock.Add(28 * time.Minute)
	id, opts := publicKey(t, expect(t, e.do(t, "POST", "/api/v1/passkeys/enrol/begin", "", map[string]any{"code": code}), 200))
	cred, _, _ := softkey.New(publicURL).Create(opts)
	e.clock.Add(2 * time.Minute)
	expect(t, e.do(t, "POST", "/api/v1/passkeys/enrol/finish", "", map[string]any{"code": code, "ceremonyId": id, "credential": json.RawMessage(cred)}), 404, "expired")
	expect(t, e.do(t, "POST", "/api/v1/passkeys/enrol/begin", "", map[string]any{"code": code}), 404)
	// A ceremony waits five minutes.
	nina = tokens(t, expect(t, e.do(t, "POST", "/api/v1/auth/refresh", "", map[string]any{"refreshToken": nina.refresh}), 200))
	code = e.newCode(t, nina, map[string]any{"name": "Amina"})
	id, opts = publicKey(t, expect(t, e.do(t, "POST", "/api/v1/passkeys/enrol/begin", "", map[string]any{"code": code}), 200))
	cred, _, _ = softkey.New(publicURL).Create(opts)
	e.clock.Add(5 * time.Minute)
	expect(t, e.do(t, "POST", "/api/v1/passkeys/enrol/finish", "", map[string]any{"code": code, "ceremonyId": id, "credential": json.RawMessage(cred)}), 404)
	// The code itself still works.
	e.enrol(t, softkey.New(publicURL), code, "")
}

// TestPasskeys_BadInput: malformed and unknown input, codes that are wrong,
// forged credentials and someone else's ceremonies get a clear 4xx problem
// and change nothing: the code still works afterwards.
func TestPasskeys_BadInput(t *testing.T) {
	t.Parallel()
	e := mustPasskeyEnv(t)
	nina, _ := e.caseworker(t, "Nina", "nav-bad")
	code := e.newCode(t, nina, map[string]any{"name": "Amina"})
	begin := func() (string, []byte) {
		return publicKey(t, expect(t, e.do(t, "POST", "/api/v1/passkeys/enrol/begin", "", map[string]any{"code": code}), 200))
	}
	finish := func(body map[string]any) response {
		return e.do(t, "POST", "/api/v1/passkeys/enrol/finish", "", body)
	}

	for _, tc := range []struct {
		name, path string
		body       any
		status     int
		problem    string
	}{
		{"malformed json", "/api/v1/passkeys/enrol/begin", `{"code": `, 400, "malformed-json"},
		{"unknown field", "/api/v1/passkeys/enrol/begin", map[string]any{"code": code, "admin": true}, 422, "validation"},
		{"wrong code", "/api/v1/passkeys/enrol/begin", map[string]any{"code": strings.Repeat("x", 32)}, 404, "not-found"},
		{"code with bad characters", "/api/v1/passkeys/enrol/begin", map[string]any{"code": "../../etc/passwd-and-more"}, 422, "validation"},
		{"no credential", "/api/v1/passkeys/enrol/finish", map[string]any{"code": code, "ceremonyId": strings.Repeat("0", 32)}, 422, "validation"},
		{"credential of the wrong shape", "/api/v1/passkeys/login/finish", map[string]any{"ceremonyId": strings.Repeat("0", 32), "credential": map[string]any{"id": "AA", "rawId": "AA", "type": "password", "response": map[string]any{}}}, 422, "validation"},
		{"unknown ceremony", "/api/v1/passkeys/login/finish", map[string]any{"ceremonyId": strings.Repeat("0", 32), "credential": map[string]any{
			"id": "AA", "rawId": "AA", "type": "public-key", "response": map[string]any{"clientDataJSON": "AA", "authenticatorData": "AA", "signature": "AA", "userHandle": "AA"}}}, 404, "not-found"},
		{"enrolment by a person", "/api/v1/enrolments", map[string]any{"name": "X"}, 403, "forbidden"},
		{"enrolment with name and roadmap", "/api/v1/enrolments", map[string]any{"name": "X", "roadmapId": "y", "personKey": "rk-000000000000000000000000"}, 422, "validation"},
		{"recovery by account id", "/api/v1/enrolments", map[string]any{"userId": "pk-0123456789abcdef01234567"}, 422, "validation"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			token := ""
			if strings.HasSuffix(tc.path, "/enrolments") {
				token = e.login(t, "Someone").access
				if tc.status == 422 {
					token = nina.access
				}
			}
			r := e.do(t, "POST", tc.path, token, tc.body)
			expect(t, r, tc.status, `"type":"/problems/`+tc.problem+`"`)
		})
	}

	// A phone at another origin (a phishing site) makes a credential that
	// does not verify: 422, and the code is not used up.
	id, opts := begin()
	forged, _, _ := softkey.New("http://localhost:9999").Create(opts)
	expect(t, finish(map[string]any{"code": code, "ceremonyId": id, "credential": json.RawMessage(forged)}), 422, "/problems/validation")
	// The ceremony was used by that attempt.
	id2, opts := begin()
	cred, _, _ := softkey.New(publicURL).Create(opts)
	expect(t, finish(map[string]any{"code": code, "ceremonyId": id, "credential": json.RawMessage(cred)}), 404)
	// A ceremony of another code, or of another kind, does not finish this one.
	other := e.newCode(t, nina, map[string]any{"name": "Other"})
	expect(t, finish(map[string]any{"code": other, "ceremonyId": id2, "credential": json.RawMessage(cred)}), 404)
	loginID, _ := publicKey(t, expect(t, e.do(t, "POST", "/api/v1/passkeys/login/begin", "", nil), 200))
	expect(t, finish(map[string]any{"code": code, "ceremonyId": loginID, "credential": json.RawMessage(cred)}), 404)
	// Nothing above made anyone or used the code up.
	phone := softkey.New(publicURL)
	amina := e.enrol(t, phone, code, "")
	expect(t, e.do(t, "GET", "/api/v1/me", amina.access, nil), 200, `"name":"Amina"`)

	// A sign-in signed by another key than the passkey's.
	id, opts = publicKey(t, expect(t, e.do(t, "POST", "/api/v1/passkeys/login/begin", "", nil), 200))
	var o struct{ Challenge string }
	_ = json.Unmarshal(opts, &o)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	a, err := phone.Assert(phone.Credentials()[0], o.Challenge, key)
	if err != nil {
		t.Fatal(err)
	}
	expect(t, e.do(t, "POST", "/api/v1/passkeys/login/finish", "", map[string]any{"ceremonyId": id, "credential": json.RawMessage(a)}), 401, "/problems/unauthorized")
	// A passkey that claims to be someone else's (another user handle).
	cred0 := phone.Credentials()[0]
	cred0.UserHandle = []byte(api.DevUserID("Someone"))
	expect(t, e.passkeyLogin(t, phone), 401)

	// Without a public URL that WebAuthn accepts, passkeys are off: 503.
	off := mustEnvWith(t, api.Config{Dev: true, PublicURL: "http://127.0.0.1:8080"}, nil)
	expect(t, off.do(t, "POST", "/api/v1/passkeys/login/begin", "", nil), 503, "/problems/unavailable")
}

// Guessing at one person's account is slowed down however many addresses
// it comes from: attempts on an account are counted, failed or not.
func TestPasskeys_AccountRateLimit(t *testing.T) {
	t.Parallel()
	e := mustEnvWith(t, api.Config{Dev: true, PublicURL: publicURL, SignInBurst: 100_000, SignInEvery: time.Millisecond, AccountBurst: 2, AccountEvery: time.Hour}, nil)
	nina, _ := e.caseworker(t, "Nina", "nav-limit")
	phone := softkey.New(publicURL)
	e.enrol(t, phone, e.newCode(t, nina, map[string]any{"name": "Amina"}), "phone")
	for range 2 {
		expect(t, e.passkeyLogin(t, phone), 200, `"tokenType":"Bearer"`)
	}
	expect(t, e.passkeyLogin(t, phone), 429, "this account")
	e.clock.Add(time.Hour)
	expect(t, e.passkeyLogin(t, phone), 200, `"tokenType":"Bearer"`)
}
