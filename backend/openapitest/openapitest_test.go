package openapitest_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/veikart/veikart/backend/openapitest"
)

// recorder is a testing.TB that records failures instead of failing, so a
// test can check that Check reports what it should.
type recorder struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recorder) Error(args ...any) { r.Errorf("%s", fmt.Sprint(args...)) }
func (r *recorder) Fail()             { r.Errorf("Fail") }
func (r *recorder) Failed() bool      { return len(r.errors) > 0 }
func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	r.TB.FailNow()
}

const (
	member  = `{"id":"m1","name":"Kari","birthYear":1985,"role":"adult","version":2}`
	area    = `{"id":"housing","kind":"default","now":"Trangt.","desired":"Eget rom.","scoreNow":2,"memberIds":["m1"],"version":3}`
	custom  = `{"id":"pets","kind":"custom","title":"Dyr","now":"","desired":"","memberIds":[],"version":4}`
	step    = `{"id":"s1","areaId":"housing","title":"Søke bolig","note":"","responsible":{"kind":"member","memberId":"m1"},"due":"2026-03-01","status":"planned","term":"short","memberIds":["m1"],"reminders":[],"createdAt":"2026-01-05T10:00:00Z","updatedAt":"2026-01-05T10:00:00Z","version":5}`
	roadmap = `{"id":"r1","title":"Familien","version":5,"createdAt":"2026-01-05T10:00:00Z","updatedAt":"2026-01-05T11:00:00Z","owners":["u-1"],"members":[` + member + `],"areas":[` + area + `,` + custom + `],"steps":[` + step + `],"comments":[],"proposals":[]}`
	problem = `{"type":"/problems/unauthorized","title":"Unauthorized","status":401}`
)

type exchange struct {
	name    string
	method  string
	path    string
	status  int
	ctype   string
	headers map[string]string
	body    string
}

func (x exchange) request() *http.Request {
	return httptest.NewRequest(x.method, "http://localhost"+x.path, nil)
}

func (x exchange) response() *http.Response {
	rec := httptest.NewRecorder()
	if x.ctype != "" {
		rec.Header().Set("Content-Type", x.ctype)
	}
	for k, v := range x.headers {
		rec.Header().Set(k, v)
	}
	rec.WriteHeader(x.status)
	_, _ = io.WriteString(rec, x.body)
	return rec.Result()
}

const (
	js = "application/json"
	pj = "application/problem+json"
)

var etag = map[string]string{"ETag": `"5"`}

func TestCheck_Passes(t *testing.T) {
	c := openapitest.New(t)
	for _, x := range []exchange{
		{"Live", "GET", "/health/live", 200, js, nil, `{"status":"ok"}`},
		{"Ready", "GET", "/health/ready", 200, js + "; charset=utf-8", nil, `{"status":"ok"}`},
		{"NotReady", "GET", "/health/ready", 503, pj, nil, `{"type":"/problems/unavailable","title":"Unavailable","status":503}`},
		{"JWKS", "GET", "/.well-known/jwks.json", 200, js, nil, `{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"k1","use":"sig","alg":"EdDSA"}]}`},
		{"DevLogin", "POST", "/api/v1/dev/login", 200, js, nil, `{"accessToken":"a.b.c","refreshToken":"r","tokenType":"Bearer","expiresIn":900,"user":{"id":"u-1","name":"Kari"}}`},
		{"DevLoginOff", "POST", "/api/v1/dev/login", 404, pj, nil, `{"type":"/problems/not-found","title":"Not found","status":404}`},
		{"RefreshRejected", "POST", "/api/v1/auth/refresh", 401, pj, nil, problem},
		{"Logout", "POST", "/api/v1/auth/logout", 204, "", nil, ``},
		{"Me", "GET", "/api/v1/me", 200, js, nil, `{"id":"u-1","name":"Kari","agencies":[]}`},
		{"MeNoToken", "GET", "/api/v1/me", 401, pj, map[string]string{"WWW-Authenticate": "Bearer"}, problem},
		{"List", "GET", "/api/v1/roadmaps", 200, js, nil, `{"items":[{"id":"r1","title":"","version":1,"updatedAt":"2026-01-05T10:00:00Z","memberCount":0,"stepCount":0,"role":"owner"}]}`},
		{"Create", "POST", "/api/v1/roadmaps", 201, js, map[string]string{"ETag": `"1"`, "Location": "/api/v1/roadmaps/r1"}, roadmap},
		{"CreateAgain", "POST", "/api/v1/roadmaps", 200, js, etag, roadmap},
		{"CreateInvalid", "POST", "/api/v1/roadmaps", 422, pj, nil, `{"type":"/problems/validation","title":"Invalid","status":422,"requestId":"q1","errors":[{"pointer":"/title","message":"must be at most 200 characters long"}]}`},
		{"Get", "GET", "/api/v1/roadmaps/r1", 200, js, etag, roadmap},
		{"NotModified", "GET", "/api/v1/roadmaps/r1", 304, "", etag, ``},
		{"Delete", "DELETE", "/api/v1/roadmaps/r1", 204, "", nil, ``},
		{"DeleteStale", "DELETE", "/api/v1/roadmaps/r1", 412, pj, nil, `{"type":"/problems/precondition-failed","title":"Precondition failed","status":412,"currentVersion":5,"current":` + roadmap + `}`},
		{"Operations", "POST", "/api/v1/roadmaps/r1/operations", 200, js, etag, `{"roadmap":` + roadmap + `,"results":[{"opId":"o1","outcome":"applied"},{"opId":"o2","outcome":"duplicate"}]}`},
		{"OperationsConflict", "POST", "/api/v1/roadmaps/r1/operations", 409, pj, nil, `{"type":"/problems/conflict","title":"Conflict","status":409,"conflicts":[{"opId":"o1","target":"step/s1","fields":["title"],"current":` + step + `},{"opId":"o2","target":"member/m9","fields":["name"],"current":null}],"currentVersion":5,"current":` + roadmap + `}`},
		{"NoSuchPath", "GET", "/api/v1/secrets", 404, pj, nil, `{"type":"/problems/not-found","title":"Not found","status":404}`},
		{"NoSuchMethod", "PUT", "/api/v1/roadmaps/r1", 405, pj, nil, `{"type":"/problems/method-not-allowed","title":"Method not allowed","status":405}`},
		{"RateLimited", "POST", "/api/v1/roadmaps/r1/operations", 429, pj, map[string]string{"Retry-After": "30"}, `{"type":"/problems/rate-limited","title":"Too many requests","status":429}`},
	} {
		t.Run(x.name, func(t *testing.T) {
			rec := &recorder{TB: t}
			c.Check(rec, x.request(), x.response())
			for _, e := range rec.errors {
				t.Error(e)
			}
		})
	}
}

func TestCheck_Fails(t *testing.T) {
	c := openapitest.New(t)
	replace := func(s, old, new string) string {
		if !strings.Contains(s, old) {
			t.Fatalf("fixture does not contain %q", old)
		}
		return strings.Replace(s, old, new, 1)
	}
	for _, x := range []struct {
		exchange
		want string // a fragment of one of the failures, in any case
	}{
		{exchange{"UnknownField", "GET", "/api/v1/roadmaps/r1", 200, js, etag, replace(roadmap, `"id":"r1",`, `"id":"r1","_id":"r1",`)}, "_id"},
		{exchange{"UnknownFieldDeep", "GET", "/api/v1/roadmaps/r1", 200, js, etag, replace(roadmap, `"note":""`, `"note":"","secret":"x"`)}, "secret"},
		{exchange{"WrongType", "GET", "/api/v1/roadmaps/r1", 200, js, etag, replace(roadmap, `"version":5,"createdAt"`, `"version":"5","createdAt"`)}, "version"},
		{exchange{"WrongTypeInMe", "GET", "/api/v1/me", 200, js, nil, `{"id":7,"name":"Kari"}`}, "id"},
		{exchange{"MissingField", "GET", "/api/v1/me", 200, js, nil, `{"id":"u-1"}`}, "name"},
		{exchange{"UndeclaredStatus", "GET", "/api/v1/me", 418, pj, nil, `{"type":"/problems/internal","title":"x","status":418}`}, "418"},
		{exchange{"UndeclaredSuccessStatus", "DELETE", "/api/v1/roadmaps/r1", 200, js, etag, roadmap}, "200"},
		{exchange{"UnknownPath", "GET", "/api/v1/nope", 200, js, nil, `{}`}, "nope"},
		{exchange{"UnknownMethod", "PUT", "/api/v1/roadmaps/r1", 200, js, etag, roadmap}, "PUT"},
		{exchange{"UnknownPathNotAProblem", "GET", "/api/v1/nope", 404, "text/plain", nil, `404 page not found`}, "problem+json"},
		{exchange{"UnknownPathBadProblem", "GET", "/api/v1/nope", 404, pj, nil, `{"type":"/problems/not-found","status":404,"path":"/api/v1/nope"}`}, "title"},
		{exchange{"ProblemAsJSON", "GET", "/api/v1/me", 401, js, nil, problem}, "application/json"},
		{exchange{"TextBody", "GET", "/api/v1/me", 200, "text/plain", nil, `{"id":"u-1","name":"Kari","agencies":[]}`}, "text/plain"},
		{exchange{"NoContentType", "GET", "/api/v1/me", 200, "", nil, `{"id":"u-1","name":"Kari","agencies":[]}`}, "Content-Type"},
		{exchange{"BodyOn204", "DELETE", "/api/v1/roadmaps/r1", 204, js, nil, `{"ok":true}`}, "without a body"},
		{exchange{"MissingETag", "GET", "/api/v1/roadmaps/r1", 200, js, nil, roadmap}, "ETag"},
		{exchange{"MissingLocation", "POST", "/api/v1/roadmaps", 201, js, etag, roadmap}, "Location"},
		{exchange{"UnquotedETag", "GET", "/api/v1/roadmaps/r1", 200, js, map[string]string{"ETag": "5"}, roadmap}, "ETag"},
		{exchange{"ProblemStatusMismatch", "GET", "/api/v1/me", 401, pj, nil, `{"type":"/problems/unauthorized","title":"x","status":403}`}, "differs"},
		{exchange{"UnknownProblemType", "GET", "/api/v1/me", 401, pj, nil, `{"type":"about:blank","title":"x","status":401}`}, "type"},
		{exchange{"ProblemLeaksCause", "GET", "/api/v1/me", 500, pj, nil, `{"type":"/problems/internal","title":"x","status":500,"cause":"mongo: timeout"}`}, "cause"},
		{exchange{"ImpossibleDate", "GET", "/api/v1/roadmaps/r1", 200, js, etag, replace(roadmap, `"due":"2026-03-01"`, `"due":"2026-02-30"`)}, "due"},
		{exchange{"BadTimestamp", "GET", "/api/v1/roadmaps/r1", 200, js, etag, replace(roadmap, `"updatedAt":"2026-01-05T11:00:00Z"`, `"updatedAt":"yesterday"`)}, "updatedAt"},
		// These reach schemas through two files (roadmap -> step -> defs):
		// they fail only if every relative $ref was resolved.
		{exchange{"BadIdInDefs", "GET", "/api/v1/roadmaps/r1", 200, js, etag, replace(roadmap, `"memberIds":["m1"],"reminders":[],"createdAt"`, `"memberIds":["m 1"],"createdAt"`)}, "memberIds"},
		{exchange{"BadResponsible", "GET", "/api/v1/roadmaps/r1", 200, js, etag, replace(roadmap, `{"kind":"member","memberId":"m1"}`, `{"kind":"member"}`)}, "responsible"},
		{exchange{"DefaultAreaWithTitle", "GET", "/api/v1/roadmaps/r1", 200, js, etag, replace(roadmap, `"kind":"default",`, `"kind":"default","title":"Bolig",`)}, "title"},
		{exchange{"BadOutcome", "POST", "/api/v1/roadmaps/r1/operations", 200, js, etag, `{"roadmap":` + roadmap + `,"results":[{"opId":"o1","outcome":"skipped"}]}`}, "outcome"},
		{exchange{"TokenTypeCase", "POST", "/api/v1/auth/refresh", 200, js, nil, `{"accessToken":"a","refreshToken":"r","tokenType":"bearer","expiresIn":900,"user":{"id":"u","name":"K"}}`}, "tokenType"},
		{exchange{"PrivateJWK", "GET", "/.well-known/jwks.json", 200, js, nil, `{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","d":"secret","kid":"k1","use":"sig","alg":"EdDSA"}]}`}, "d"},
		{exchange{"NotJSON", "GET", "/health/live", 200, js, nil, `ok`}, "decode"},
	} {
		t.Run(x.name, func(t *testing.T) {
			rec := &recorder{TB: t}
			c.Check(rec, x.request(), x.response())
			if len(rec.errors) == 0 {
				t.Fatalf("Check passed; want a failure mentioning %q", x.want)
			}
			all := strings.Join(rec.errors, "\n")
			if !strings.Contains(strings.ToLower(all), strings.ToLower(x.want)) {
				t.Errorf("failures do not mention %q:\n%s", x.want, all)
			}
		})
	}
}

func TestCheck_RestoresBody(t *testing.T) {
	c := openapitest.New(t)
	x := exchange{"Me", "GET", "/api/v1/me", 200, js, nil, `{"id":"u-1","name":"Kari","agencies":[]}`}
	resp := x.response()
	rec := &recorder{TB: t}
	c.Check(rec, x.request(), resp)
	if len(rec.errors) > 0 {
		t.Fatalf("unexpected failures: %v", rec.errors)
	}
	got, err := io.ReadAll(resp.Body)
	if err != nil || string(got) != x.body {
		t.Errorf("body after Check = %q, %v; want %q", got, err, x.body)
	}
}

func TestCheck_Parallel(t *testing.T) {
	c := openapitest.New(t)
	x := exchange{"Get", "GET", "/api/v1/roadmaps/r1", 200, js, etag, roadmap}
	for i := range 8 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			for range 20 {
				c.Check(t, x.request(), x.response())
			}
		})
	}
}
