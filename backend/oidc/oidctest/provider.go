// Package oidctest runs a real OpenID Provider for tests, configured like
// ID-porten: oidc-provider (npm, OpenID Certified, in tools/oidc-provider) on
// loopback, with authorization code flow and PKCE S256 only, the acr values
// idporten-loa-substantial and idporten-loa-high, and RS256 ID tokens that
// carry pid, acr, amr and locale. Passing through it shows that our relying
// party speaks OpenID Connect as a certified provider expects, checked by code
// that was not written with it.
//
// Nobody clicks: the authorization request's login_hint (see LoginHint) says
// who logs in and at which level, and Authorize follows the provider's
// redirects as a browser would, stopping at the one back to the client.
package oidctest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/nodetest"
)

// The ID-porten levels of assurance, as acr_values and the acr claim.
const (
	LevelSubstantial = "idporten-loa-substantial"
	LevelHigh        = "idporten-loa-high"
)

// Client is a relying party registered with the provider.
type Client struct {
	ID           string
	Secret       string
	RedirectURIs []string // http on loopback is accepted
	// AuthMethod is how the client authenticates at the token endpoint:
	// "client_secret_basic" (when empty) or "client_secret_post".
	AuthMethod string
}

// Options configures a provider.
type Options struct {
	Clients []Client
	// IDTokenTTL is the ID tokens' lifetime (exp - iat), in whole seconds;
	// 60 seconds when zero.
	IDTokenTTL time.Duration
}

// Provider is one running oidc-provider, on loopback.
type Provider struct {
	// Issuer is its issuer identifier, http://127.0.0.1:<port>, from which
	// discovery finds the rest.
	Issuer string
	stop   func()
}

// startTimeout bounds how long node may take to start listening.
const startTimeout = 30 * time.Second // node and an RSA key, on a busy 2-core machine

// Start runs a new provider as a child process on a free loopback port and
// stops it when the test ends. It skips the test if node is not installed and
// fails it if the npm packages are not (scripts/setup.sh installs them).
func Start(tb testing.TB, opts Options) *Provider {
	tb.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		tb.Skip("oidctest: node is not installed, so there is no OpenID provider to test against (scripts/setup.sh installs it)")
	}
	dir := nodetest.ToolDir(tb, "oidc-provider")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "oidc-provider", "package.json")); err != nil {
		tb.Fatalf("oidctest: oidc-provider is not installed in %s; run scripts/setup.sh (or npm ci --prefix tools/oidc-provider): %v", dir, err)
	}

	ttl := opts.IDTokenTTL
	if ttl == 0 {
		ttl = 60 * time.Second
	}
	if ttl < time.Second || ttl%time.Second != 0 {
		tb.Fatalf("oidctest: IDTokenTTL %v is not a positive whole number of seconds", ttl)
	}
	clients := make([]clientMetadata, 0, len(opts.Clients))
	for _, c := range opts.Clients {
		m := clientMetadata{ID: c.ID, Secret: c.Secret, RedirectURIs: c.RedirectURIs, AuthMethod: c.AuthMethod}
		if m.AuthMethod == "" {
			m.AuthMethod = "client_secret_basic"
		}
		clients = append(clients, m)
	}
	clientsJSON, err := json.Marshal(clients)
	if err != nil {
		tb.Fatalf("oidctest: %v", err)
	}

	// On a machine busy with other test processes, node has been seen not
	// to report within a minute now and then; a fresh process does.
	var errs []error
	for range 3 {
		p, err := start(tb, node, dir, clientsJSON, ttl)
		if err == nil {
			return p
		}
		errs = append(errs, err)
	}
	tb.Fatalf("oidctest: %v", errors.Join(errs...))
	return nil
}

// start runs one provider process, or says why it did not come up.
func start(tb testing.TB, node, dir string, clientsJSON []byte, ttl time.Duration) (*Provider, error) {
	tb.Helper()
	// Port 0: the kernel picks a free port and serve.js reports it, so
	// there is no window in which another process can take it.
	cmd := exec.Command(node, "serve.js")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"PORT=0",
		"OIDC_CLIENTS="+string(clientsJSON),
		fmt.Sprintf("OIDC_ID_TOKEN_TTL=%d", ttl/time.Second),
	)
	stdout := nodetest.NewFirstLine()
	stderr := &nodetest.LimitedBuffer{Max: 64 << 10}
	cmd.Stdout = stdout
	cmd.Stderr = stderr
	// serve.js exits when its stdin closes: if this test binary dies
	// without running cleanups, the provider goes with it.
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatalf("oidctest: %v", err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatalf("oidctest: start oidc-provider: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	p := &Provider{}
	p.stop = sync.OnceFunc(func() {
		stdin.Close()
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	tb.Cleanup(p.stop)

	select {
	case <-stdout.Ready:
		var hello struct{ Issuer string }
		if err := json.Unmarshal(stdout.Line(), &hello); err != nil || !strings.HasPrefix(hello.Issuer, "http://127.0.0.1:") {
			tb.Fatalf("oidctest: oidc-provider said %q, want {\"issuer\":\"http://127.0.0.1:N\"}; stderr:\n%s", stdout.Line(), stderr)
		}
		p.Issuer = hello.Issuer
	case err := <-exited:
		exited <- err // for the cleanup
		tb.Fatalf("oidctest: oidc-provider exited (%v); stderr:\n%s", err, stderr)
	case <-time.After(startTimeout):
		p.stop()
		return nil, fmt.Errorf("oidc-provider did not start within %v; stderr:\n%s", startTimeout, stderr)
	}
	p.waitReady(tb, stderr)
	return p, nil
}

// Stop stops the provider before the test ends, to see how a client copes
// when it is gone. It is safe to call more than once.
func (p *Provider) Stop() { p.stop() }

// waitReady polls the discovery document: serve.js installs its routes
// before it reports the issuer, but a failure here is clearer than one in
// the test's first request.
func (p *Provider) waitReady(tb testing.TB, stderr fmt.Stringer) {
	tb.Helper()
	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(startTimeout)
	for {
		resp, err := client.Get(p.Issuer + "/.well-known/openid-configuration")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
			err = fmt.Errorf("discovery: %s", resp.Status)
		}
		if time.Now().After(deadline) {
			tb.Fatalf("oidctest: oidc-provider does not serve its discovery document (%v); stderr:\n%s", err, stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// LoginHint is the login_hint that makes the provider log in the person with
// national identity number pid (11 digits) at level acr. With acr empty the
// level is the highest of the request's acr_values, else LevelSubstantial.
// acr is not checked against the two levels, so a test can make the provider
// claim one the relying party must refuse. The amr claim is ["BankID"];
// append ";amr:MinID" to the hint for another.
func LoginHint(pid, acr string) string {
	if acr == "" {
		return "pid:" + pid
	}
	return "pid:" + pid + ";acr:" + acr
}

// Authorize does what a browser does with authURL, an authorization request
// whose login_hint names who logs in: it follows the provider's redirects
// (interaction, login, consent, back to the authorization endpoint) and
// returns, without following it, the redirect that leaves the provider: the
// client's redirect_uri with code and state, or error and
// error_description. A provider answer that is not such a redirect fails
// the test.
//
// client may be nil for a fresh browser. A client without a cookie jar gets
// one; pass the same client with a jar to keep the provider's session
// between calls, as a browser would (a login_hint naming someone else, or
// another level, still logs in anew).
func Authorize(tb testing.TB, client *http.Client, authURL string) *url.URL {
	tb.Helper()
	start, err := url.Parse(authURL)
	if err != nil {
		tb.Fatalf("oidctest: authorize: %v", err)
	}
	c := &http.Client{}
	if client != nil {
		*c = *client
	}
	if c.Jar == nil {
		c.Jar, _ = cookiejar.New(nil) // never fails without options
	}
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Scheme != start.Scheme || req.URL.Host != start.Host {
			return http.ErrUseLastResponse // leaving the provider: that is the answer
		}
		if len(via) >= 10 {
			return fmt.Errorf("stopped after %d redirects", len(via))
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(tb.Context(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authURL, nil)
	if err != nil {
		tb.Fatalf("oidctest: authorize: %v", err)
	}
	resp, err := c.Do(req)
	if err != nil {
		tb.Fatalf("oidctest: authorize: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	loc, err := resp.Location()
	if err != nil || (resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther) {
		tb.Fatalf("oidctest: authorize: the provider answered %s at %s, not a redirect to the client: %s", resp.Status, resp.Request.URL, body)
	}
	return loc
}

// clientMetadata is a client as oidc-provider takes it (RFC 7591 names).
type clientMetadata struct {
	ID           string   `json:"client_id"`
	Secret       string   `json:"client_secret"`
	RedirectURIs []string `json:"redirect_uris"`
	AuthMethod   string   `json:"token_endpoint_auth_method"`
}
