package api_test

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/veikart/veikart/backend/api"
	"github.com/veikart/veikart/backend/auth"
	"github.com/veikart/veikart/backend/metrics"
	"github.com/veikart/veikart/backend/openapitest"
	"github.com/veikart/veikart/backend/storage"
	"github.com/veikart/veikart/backend/testenv"
	"github.com/veikart/veikart/backend/validate"
	"github.com/veikart/veikart/backend/veikart"
)

// clock is a controllable time source shared by the server under test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// env is one running server on a fresh database, reached over real HTTP.
type env struct {
	url     string
	store   *storage.Store
	clock   *clock
	tokens  *auth.Tokens
	checker *openapitest.Checker
	issuer  string
}

const issuer = "http://veikart.test"

var (
	checkerOnce sync.Once
	checker     *openapitest.Checker
)

func mustEnv(t testing.TB, dev bool) *env {
	t.Helper()
	return mustEnvWith(t, api.Config{Dev: dev}, nil)
}

// mustEnvWith starts a server with the given configuration on a fresh
// database, with a controllable clock.
// envOption changes the server's configuration or services once its
// address is known (some depend on it: a sign-in callback address).
type envOption func(url string, cfg *api.Config, d *api.Deps)

func mustEnvWith(t testing.TB, cfg api.Config, m *metrics.Metrics, opts ...envOption) *env {
	t.Helper()
	checkerOnce.Do(func() { checker = openapitest.New(t) })
	store := testenv.MustStore(t)
	clk := &clock{t: time.Now().UTC()}
	keys, err := auth.LoadKeys(t.TempDir(), true, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	tokens := auth.NewTokens(keys, issuer, issuer+"/api", 10*time.Minute, clk.Now)
	sessions := auth.NewSessions(store, tokens, 30*24*time.Hour, 90*24*time.Hour, clk.Now, log)
	v, err := validate.New()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deps := api.Deps{Store: store, Tokens: tokens, Sessions: sessions, Keys: keys, Validator: v, Log: log, Now: clk.Now, Metrics: m}
	for _, o := range opts {
		o("http://"+ln.Addr().String(), &cfg, &deps)
	}
	srv := api.New(cfg, deps)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
	return &env{url: "http://" + ln.Addr().String(), store: store, clock: clk, tokens: tokens, checker: checker, issuer: issuer}
}

// issue mints an access token for a session stored for it, as a sign-in
// would make; the API refuses tokens whose session is not live.
func (e *env) issue(t testing.TB, userID, agencyID string) string {
	t.Helper()
	id := auth.RandomID(12)
	now := e.clock.Now()
	sess := &veikart.Session{ID: id, UserID: userID, AgencyID: agencyID, CreatedAt: now, LastUsedAt: now, ExpiresAt: now.Add(90 * 24 * time.Hour), Method: veikart.SignInDev}
	if err := e.store.CreateSession(context.Background(), sess); err != nil {
		t.Fatal(err)
	}
	tok, _, err := e.tokens.Issue(userID, id, agencyID)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

type response struct {
	status int
	header http.Header
	body   string
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.body), &m); err != nil {
		t.Fatalf("response is not JSON: %v: %q", err, r.body)
	}
	return m
}

// do sends a request (a JSON-encoded value, or a string or bytes as they
// are) and checks the response against the OpenAPI document.
func (e *env) do(t *testing.T, method, path, token string, body any, headers ...string) response {
	t.Helper()
	var raw, ct string
	switch b := body.(type) {
	case nil:
	case string:
		raw = b
	case []byte:
		raw = string(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		raw = string(j)
	}
	if raw != "" {
		ct = "application/json"
	}
	return e.rawDo(t, method, path, token, ct, raw, headers...)
}

// rawDo sends a body as it is, with the given content type and extra header
// name/value pairs.
func (e *env) rawDo(t *testing.T, method, path, token, contentType, body string, headers ...string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	e.checker.Check(t, req, resp)
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

type session struct {
	access, refresh, userID string
}

func (e *env) login(t *testing.T, name string) session {
	t.Helper()
	r := e.do(t, "POST", "/api/v1/dev/login", "", map[string]any{"name": name})
	if r.status != 200 {
		t.Fatalf("login %s: %d %s", name, r.status, r.body)
	}
	m := r.json(t)
	return session{access: m["accessToken"].(string), refresh: m["refreshToken"].(string), userID: m["user"].(map[string]any)["id"].(string)}
}

// createRoadmap creates a roadmap for s with a member whose name is marker, so
// that a test can tell whose data a response holds.
func (e *env) createRoadmap(t *testing.T, s session, id, marker string) {
	t.Helper()
	r := e.do(t, "POST", "/api/v1/roadmaps", s.access, map[string]any{
		"id": id, "title": "Plan " + marker,
		"members": []any{map[string]any{"id": "m1", "name": marker, "role": "adult", "birthYear": 1980}},
	})
	if r.status != 201 {
		t.Fatalf("create roadmap: %d %s", r.status, r.body)
	}
}

// forgedToken signs a token that looks right with a key the server does not
// have.
func forgedToken(t *testing.T, userID string) string {
	t.Helper()
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, jwt.MapClaims{
		"iss": issuer, "aud": issuer + "/api", "sub": userID, "sid": "x",
		"iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix(),
	})
	tok.Header["typ"] = "at+jwt"
	tok.Header["kid"] = "forged"
	s, err := tok.SignedString(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// noneToken is an unsigned token ("alg": "none").
func noneToken(t *testing.T, userID string) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{
		"iss": issuer, "aud": issuer + "/api", "sub": userID, "sid": "x", "exp": time.Now().Add(time.Hour).Unix(),
	})
	s, err := tok.SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestMetrics_RoutesNotPaths: requests are counted by route pattern, so the
// metrics never hold a roadmap id.
func TestMetrics_RoutesNotPaths(t *testing.T) {
	t.Parallel()
	m := metrics.New()
	e := mustEnvWith(t, api.Config{Dev: true}, m)
	kari := e.login(t, "Kari")
	e.createRoadmap(t, kari, "00000000-0000-4000-8000-000000000018", "KARI")
	e.do(t, "GET", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000018", kari.access, nil)
	e.do(t, "GET", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000011", kari.access, nil)
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	out := rec.Body.String()
	for _, want := range []string{
		`veikart_http_requests_total{method="GET",route="/api/v1/roadmaps/:roadmapId",status="200"} 1`,
		`veikart_http_requests_total{method="GET",route="/api/v1/roadmaps/:roadmapId",status="404"} 1`,
		`veikart_http_requests_total{method="POST",route="/api/v1/dev/login",status="200"} 1`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if testing.Verbose() {
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "veikart_http_requests_total") {
				t.Log(l)
			}
		}
	}
	if strings.Contains(out, "00000000-0000-4000-8000-000000000018") || strings.Contains(out, "KARI") {
		t.Error("metrics hold an id or a name")
	}
}

// TestSecurityHeaders: every answer carries the Content-Security-Policy and
// the other browser protections; HSTS only when the service is on https.
func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	for _, hsts := range []bool{false, true} {
		e := mustEnvWith(t, api.Config{Dev: true, HSTS: hsts}, nil)
		for _, path := range []string{"/health/live", "/api/v1/me"} {
			r := e.do(t, "GET", path, "", nil)
			csp := r.header.Get("Content-Security-Policy")
			if !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
				t.Errorf("%s: Content-Security-Policy %q", path, csp)
			}
			for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"} {
				if got := r.header.Get(h); got != want {
					t.Errorf("%s: %s = %q, want %q", path, h, got, want)
				}
			}
			if got := r.header.Get("Strict-Transport-Security"); (got != "") != hsts {
				t.Errorf("%s with HSTS %v: Strict-Transport-Security %q", path, hsts, got)
			}
		}
	}
}

// TestReadTimeout_408AndClose: a request that stops arriving gets 408
// problem details and the connection closes. It used to be a 503, which a
// client waiting on an idle keep-alive connection took for an unsolicited
// answer (seen under load); 408 there is what clients expect.
func TestReadTimeout_408AndClose(t *testing.T) {
	e := mustEnvWith(t, api.Config{ReadTimeout: 300 * time.Millisecond}, nil)
	// Half a request line, then nothing.
	conn, res, body := rawExchange(t, e.url, "GET /api/v1/me HTTP/1.1\r\nHost: x\r\n")
	if res.StatusCode != http.StatusRequestTimeout || !res.Close ||
		!strings.HasPrefix(res.Header.Get("Content-Type"), "application/problem+json") || !strings.Contains(string(body), "/problems/request-timeout") {
		t.Fatalf("got %d close=%v %s %s", res.StatusCode, res.Close, res.Header.Get("Content-Type"), body)
	}
	if n, err := conn.Read(make([]byte, 1)); err == nil {
		t.Fatalf("connection still open (%d more bytes)", n)
	}
}

// rawExchange writes raw bytes to the server at url over a new TCP
// connection and reads one response, for requests no HTTP client would
// send. The connection is closed when the test ends.
func rawExchange(t *testing.T, url, raw string) (net.Conn, *http.Response, []byte) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := conn.Write([]byte(raw)); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	return conn, res, body
}

// mustRefuseOversize announces a JSON body of 300 KiB (over the default
// limit) to method path and checks the 413 problem. Over a raw connection
// that sends only the start of the body: the server answers without reading
// it, and an ordinary client still writing would see its connection reset.
func mustRefuseOversize(t *testing.T, url, method, path, token string) {
	t.Helper()
	_, res, body := rawExchange(t, url, method+" "+path+" HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "+token+
		"\r\nContent-Type: application/json\r\nContent-Length: "+strconv.Itoa(300<<10)+"\r\n\r\n{\"text\":\"")
	if res.StatusCode != 413 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/problem+json") || !strings.Contains(string(body), "/problems/body-too-large") {
		t.Fatalf("%s %s, oversize: %d %s", method, path, res.StatusCode, body)
	}
}

// TestTooLarge_InstanceIsThePath: a body over the limit is refused while the
// request is read, before routing. Sent with a length or in chunks (when
// fasthttp has emptied the request by the time the error handler runs), the
// 413 names the request's path as its instance, not "/" (which it did).
func TestTooLarge_InstanceIsThePath(t *testing.T) {
	e := mustEnvWith(t, api.Config{BodyLimit: 1 << 10}, nil)
	big := `{"title":"` + strings.Repeat("x", 4<<10) + `"}`
	for _, chunked := range []bool{true, false} {
		head := "POST /api/v1/roadmaps/00000000-0000-4000-8000-000000000024/operations?x=1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
		var req string
		if chunked {
			req = head + "Transfer-Encoding: chunked\r\n\r\n" + fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(big), big)
		} else {
			req = head + fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(big), big)
		}
		_, res, body := rawExchange(t, e.url, req)
		var p struct {
			Type     string
			Instance *string
		}
		_ = json.Unmarshal(body, &p)
		want := "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/operations"
		if res.StatusCode != http.StatusRequestEntityTooLarge || p.Type != "/problems/body-too-large" ||
			p.Instance == nil || *p.Instance != want {
			t.Errorf("chunked %v: %d %s", chunked, res.StatusCode, body)
		}
	}
}
