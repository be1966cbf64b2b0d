package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/veikart/veikart/backend/api"
	"github.com/veikart/veikart/backend/metrics"
	"github.com/veikart/veikart/backend/ratelimit"
	"github.com/veikart/veikart/backend/veikart"
	"github.com/veikart/veikart/schemas"
)

// rateStep is one request in a rate-limit scenario: who sends it, through
// which X-Forwarded-For (empty: none), after how long, and the status due.
type rateStep struct {
	user   string // "" for no token
	xff    string
	after  time.Duration
	path   string // default /api/v1/sessions
	status int
	retry  string // the Retry-After a 429 must carry
}

// TestRateLimit runs the limits through the real stack: Fiber, the trusted
// proxy settings, authentication and the error handler, with the server's
// clock moved to refill the buckets.
func TestRateLimit(t *testing.T) {
	t.Parallel()
	const ok, limited = 200, 429
	for _, tc := range []struct {
		name    string
		cfg     api.Config
		steps   []rateStep
		metrics []string // series that must be in /metrics afterwards
	}{{
		name: "PerIPRefillsByTheClock",
		cfg:  api.Config{IPRate: ratelimit.Rate{PerSecond: 0.5, Burst: 2}},
		steps: []rateStep{
			{path: "/api/v1/auth/methods", status: ok},
			{path: "/api/v1/auth/methods", status: ok},
			{path: "/api/v1/auth/methods", status: limited, retry: "2"},
			{path: "/health/live", status: ok}, // health is not limited
			{path: "/health/ready", status: ok},
			{path: "/.well-known/jwks.json", status: ok},
			{path: "/", status: ok}, // nor the web app's files
			{path: "/app.js", status: ok},
			{after: time.Second, path: "/api/v1/auth/methods", status: limited, retry: "1"},
			{after: time.Second, path: "/api/v1/auth/methods", status: ok},
			{path: "/api/v1/auth/methods", status: limited, retry: "2"},
			{path: "/api/v1/no-such-route", status: limited, retry: "2"}, // unknown routes count too
		},
		metrics: []string{`veikart_rate_limited_total{scope="ip"} 4`},
	}, {
		name: "PerIPAcrossUsers",
		cfg:  api.Config{IPRate: ratelimit.Rate{PerSecond: 1, Burst: 3}},
		steps: []rateStep{
			{user: "kari", status: ok},
			{user: "ola", status: ok},
			{user: "nina", status: ok},
			{user: "per", status: limited, retry: "1"},
			{status: limited, retry: "1"}, // before the token is read: no 401
		},
		metrics: []string{`veikart_rate_limited_total{scope="ip"} 2`},
	}, {
		name: "PerUserAcrossAddresses",
		cfg: api.Config{TrustedProxies: []string{"127.0.0.1"},
			IPRate: ratelimit.Rate{PerSecond: 1, Burst: 100}, UserRate: ratelimit.Rate{PerSecond: 0.1, Burst: 2}},
		steps: []rateStep{
			{user: "kari", xff: "192.0.2.1", status: ok},
			{user: "kari", xff: "198.51.100.7", status: ok},
			{user: "kari", xff: "203.0.113.9", status: limited, retry: "10"}, // her laptop shares her phone's allowance
			{user: "ola", xff: "203.0.113.9", status: ok},                    // someone else is not held up
			{after: 10 * time.Second, user: "kari", xff: "192.0.2.1", status: ok},
			{user: "kari", xff: "192.0.2.1", path: "/api/v1/sessions", status: limited, retry: "10"},
		},
		metrics: []string{`veikart_rate_limited_total{scope="user"} 2`},
	}, {
		name: "TrustedProxyNamesTheClient",
		cfg:  api.Config{TrustedProxies: []string{"127.0.0.0/8"}, IPRate: ratelimit.Rate{PerSecond: 1, Burst: 1}},
		steps: []rateStep{
			{xff: "192.0.2.1", path: "/api/v1/auth/methods", status: ok},
			{xff: "192.0.2.1", path: "/api/v1/auth/methods", status: limited, retry: "1"},
			{xff: "192.0.2.2", path: "/api/v1/auth/methods", status: ok},
			// A client that writes its own X-Forwarded-For in front of the
			// proxy's entry still counts as the address the proxy saw.
			{xff: "10.9.9.9, 192.0.2.1", path: "/api/v1/auth/methods", status: limited, retry: "1"},
			{xff: "garbage, 192.0.2.1", path: "/api/v1/auth/methods", status: limited, retry: "1"},
			// A chain of our own proxies: the first address that is not one.
			{xff: "192.0.2.2, 127.0.0.5", path: "/api/v1/auth/methods", status: limited, retry: "1"},
			// One IPv6 client is its /64.
			{xff: "2001:db8:1:2::1", path: "/api/v1/auth/methods", status: ok},
			{xff: "2001:db8:1:2:aaaa::7", path: "/api/v1/auth/methods", status: limited, retry: "1"},
			{xff: "2001:db8:1:3::1", path: "/api/v1/auth/methods", status: ok},
		},
	}, {
		name: "UntrustedForwardedForIgnored",
		cfg:  api.Config{TrustedProxies: []string{"192.0.2.254"}, IPRate: ratelimit.Rate{PerSecond: 1, Burst: 1}},
		steps: []rateStep{
			{xff: "192.0.2.1", path: "/api/v1/auth/methods", status: ok},
			{xff: "192.0.2.2", path: "/api/v1/auth/methods", status: limited, retry: "1"},
			{xff: "192.0.2.3", path: "/api/v1/auth/methods", status: limited, retry: "1"},
		},
	}, {
		name: "NoProxiesConfiguredForwardedForIgnored",
		cfg:  api.Config{IPRate: ratelimit.Rate{PerSecond: 1, Burst: 1}},
		steps: []rateStep{
			{xff: "192.0.2.1", path: "/api/v1/auth/methods", status: ok},
			{xff: "192.0.2.2", path: "/api/v1/auth/methods", status: limited, retry: "1"},
		},
	}, {
		name: "Off",
		cfg:  api.Config{},
		steps: func() []rateStep {
			s := make([]rateStep, 50)
			for i := range s {
				s[i] = rateStep{user: "kari", status: ok}
			}
			return s
		}(),
	}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := metrics.New()
			cfg := tc.cfg
			cfg.Static = func(c *fiber.Ctx) error { return c.SendString("the app") }
			e := mustEnvWith(t, cfg, m)
			tokens := map[string]string{}
			for _, s := range tc.steps {
				if s.user != "" && tokens[s.user] == "" {
					id := "user-" + s.user
					if _, err := e.store.EnsureUser(t.Context(), &veikart.User{ID: id, Name: s.user, CreatedAt: e.clock.Now()}); err != nil {
						t.Fatal(err)
					}
					tokens[s.user] = e.issue(t, id, "")
				}
			}
			for i, s := range tc.steps {
				e.clock.Add(s.after)
				path := s.path
				if path == "" {
					path = "/api/v1/sessions"
				}
				var headers []string
				if s.xff != "" {
					headers = []string{"X-Forwarded-For", s.xff}
				}
				var r response
				if strings.HasPrefix(path, "/api/") {
					r = e.do(t, "GET", path, tokens[s.user], nil, headers...)
				} else {
					// The web app's files are not in the OpenAPI document.
					r = plainGet(t, e.url+path)
				}
				if r.status != s.status {
					t.Fatalf("step %d (%s as %q from %q): status %d, want %d: %s", i, path, s.user, s.xff, r.status, s.status, r.body)
				}
				if s.status != limited {
					continue
				}
				if got := r.header.Get("Retry-After"); got != s.retry {
					t.Errorf("step %d: Retry-After %q, want %q", i, got, s.retry)
				}
				p := r.json(t)
				if p["type"] != "/problems/rate-limited" || p["status"] != float64(429) || p["title"] != "Too many requests" {
					t.Errorf("step %d: problem %v", i, p)
				}
				if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
					t.Errorf("step %d: Content-Type %q", i, ct)
				}
				if strings.Contains(r.body, "user-") {
					t.Errorf("step %d: the problem names a user: %s", i, r.body)
				}
			}
			rec := httptest.NewRecorder()
			m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
			for _, want := range tc.metrics {
				if !strings.Contains(rec.Body.String(), want) {
					t.Errorf("metrics lack %s", want)
				}
			}
		})
	}
}

func plainGet(t *testing.T, url string) response {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// TestRateLimit_EveryAPIRouteDocuments429: every operation under /api/v1
// can be refused by the limits, so the contract must say so.
func TestRateLimit_EveryAPIRouteDocuments429(t *testing.T) {
	t.Parallel()
	raw, err := schemas.FS.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	for path, item := range doc.Paths {
		for method, raw := range item {
			if !strings.HasPrefix(path, "/api/v1/") || !slices.Contains([]string{"get", "post", "put", "patch", "delete"}, method) {
				continue
			}
			var op struct {
				Responses map[string]json.RawMessage `json:"responses"`
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatal(err)
			}
			if _, ok := op.Responses["429"]; !ok {
				t.Errorf("%s %s does not document 429", method, path)
			}
		}
	}
}

// TestRateLimit_SignInRetryAfter: the sign-in limit's 429 also says when to
// come back.
func TestRateLimit_SignInRetryAfter(t *testing.T) {
	t.Parallel()
	e := mustEnvWith(t, api.Config{SignInBurst: 1, SignInEvery: 3 * time.Second}, nil)
	first := e.do(t, "POST", "/api/v1/passkeys/login/begin", "", map[string]any{})
	if first.status == 429 {
		t.Fatalf("the first sign-in attempt was refused: %s", first.body)
	}
	r := e.do(t, "POST", "/api/v1/passkeys/login/begin", "", map[string]any{})
	if r.status != 429 || r.header.Get("Retry-After") != "3" {
		t.Fatalf("second attempt: %d, Retry-After %q; want 429 and 3", r.status, r.header.Get("Retry-After"))
	}
}
