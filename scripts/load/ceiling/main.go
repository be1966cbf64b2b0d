// Command ceiling is the load test's upper bound: the same HTTP framework and
// token check as the real server (Fiber, an EdDSA-signed JWT verified on every
// request) but no storage, no access rules and a fixed 4 KB body from memory.
// What the real server reaches, divided by what this reaches on the same
// machine, is the share of the hardware left for the work that matters.
//
//	ceiling -addr 127.0.0.1:8090 -tokens tokens.tsv
//
// It writes one "roadmapId<TAB>accessToken" line to -tokens, the format the
// wrk scripts read, and serves GET /api/v1/roadmaps/{id} and /health/ready.
//
// With -cache it remembers tokens it has verified, as backend/auth does, so
// that a request costs a map lookup instead of an Ed25519 verification
// (about 50 µs of CPU); without it every request verifies the signature.
package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/golang-jwt/jwt/v5"
)

const kid = "ceiling-1"

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "ceiling:", err)
		os.Exit(1)
	}
}

func run() error {
	addr := flag.String("addr", "127.0.0.1:8090", "listen address")
	tokens := flag.String("tokens", "", "write a roadmapId<TAB>token line to this file")
	cache := flag.Bool("cache", false, "remember verified tokens until they expire")
	flag.Parse()

	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	if *tokens != "" {
		tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, jwt.MapClaims{
			"iss": "ceiling",
			"sub": "u-ceiling",
			"aud": "veikart",
			"iat": time.Now().Unix(),
			"exp": time.Now().Add(2 * time.Hour).Unix(),
		})
		tok.Header["kid"] = kid
		signed, err := tok.SignedString(priv)
		if err != nil {
			return err
		}
		if err := os.WriteFile(*tokens, []byte("ceiling\t"+signed+"\n"), 0o600); err != nil {
			return err
		}
	}

	body := fixedBody(4096)
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}),
		jwt.WithIssuer("ceiling"),
		jwt.WithAudience("veikart"),
		jwt.WithExpirationRequired(),
	)
	keyFunc := func(t *jwt.Token) (any, error) {
		if t.Header["kid"] != kid {
			return nil, errors.New("unknown kid")
		}
		return pub, nil
	}

	verified := &tokenCache{m: map[string]time.Time{}}
	app := fiber.New(fiber.Config{
		DisableStartupMessage: true,
		ReadTimeout:           10 * time.Second,
		WriteTimeout:          10 * time.Second,
		IdleTimeout:           60 * time.Second,
	})
	app.Get("/health/ready", func(c *fiber.Ctx) error { return c.SendString("ok") })
	app.Get("/api/v1/roadmaps/:id", func(c *fiber.Ctx) error {
		raw, ok := strings.CutPrefix(c.Get(fiber.HeaderAuthorization), "Bearer ")
		if !ok {
			return c.SendStatus(fiber.StatusUnauthorized)
		}
		if !*cache || !verified.ok(raw) {
			var claims jwt.RegisteredClaims
			if _, err := parser.ParseWithClaims(raw, &claims, keyFunc); err != nil {
				return c.SendStatus(fiber.StatusUnauthorized)
			}
			if *cache {
				verified.put(raw, claims.ExpiresAt.Time)
			}
		}
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
		c.Set(fiber.HeaderETag, `"v1"`)
		return c.Send(body)
	})

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- app.Listen(*addr) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		return app.ShutdownWithTimeout(5 * time.Second)
	}
}

// tokenCache remembers verified tokens until they expire.
type tokenCache struct {
	mu sync.RWMutex
	m  map[string]time.Time
}

func (tc *tokenCache) ok(tok string) bool {
	tc.mu.RLock()
	exp, ok := tc.m[tok]
	tc.mu.RUnlock()
	return ok && time.Now().Before(exp)
}

// put copies tok: Fiber reuses the header's buffer after the handler returns.
func (tc *tokenCache) put(tok string, exp time.Time) {
	tc.mu.Lock()
	tc.m[strings.Clone(tok)] = exp
	tc.mu.Unlock()
}

// fixedBody returns n bytes of valid JSON shaped roughly like a roadmap.
func fixedBody(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"id":"ceiling","title":"Ceiling","version":1,"areas":[`)
	for i := 0; b.Len() < n-200; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"a%d","now":"Vi bor trangt i en leilighet med fuktskader.","desired":"Egen bolig."}`, i)
	}
	b.WriteString(`],"pad":"`)
	for b.Len() < n-2 {
		b.WriteByte('x')
	}
	b.WriteString(`"}`)
	return []byte(b.String())
}
