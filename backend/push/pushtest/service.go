// Package pushtest runs a real, independent Web Push service for tests:
// web-push-testing (npm, in tools/push-testing), which subscribes like a
// browser, checks each push's VAPID JWT against the subscription's
// applicationServerKey and decrypts the payload with http_ece. Passing
// through it shows that what backend/push sends is what a browser's push
// service would accept, checked by code that was not written with it.
//
// Front puts a recording Go proxy before it, for what web-push-testing does
// not do: keep the raw headers, and answer 429, 5xx, 403 or 413.
package pushtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/nodetest"
)

// Service is one running web-push-testing server, on loopback.
type Service struct {
	// URL is its base URL, http://127.0.0.1:<port>.
	URL    string
	client *http.Client
}

// Subscription is what a browser's PushSubscription would give.
type Subscription struct {
	Endpoint string // http://127.0.0.1:<port>/notify/<ClientHash>
	P256dh   string // base64url
	Auth     string // base64url
	// ClientHash names the subscription in the service's other calls.
	ClientHash string
}

// startTimeout bounds how long node may take to start listening.
const startTimeout = 20 * time.Second

// Start runs a new web-push-testing server as a child process on a free
// loopback port and stops it when the test ends. It skips the test if node is
// not installed and fails it if the npm packages are not (scripts/setup.sh
// installs them).
func Start(tb testing.TB) *Service {
	tb.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		tb.Skip("pushtest: node is not installed, so there is no push service to test against (scripts/setup.sh installs it)")
	}
	dir := nodetest.ToolDir(tb, "push-testing")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "web-push-testing", "src", "server.js")); err != nil {
		tb.Fatalf("pushtest: web-push-testing is not installed in %s; run scripts/setup.sh (or npm ci --prefix tools/push-testing): %v", dir, err)
	}

	// Port 0: the kernel picks a free port and serve.js reports it, so
	// there is no window in which another process can take it.
	cmd := exec.Command(node, "serve.js", "0")
	cmd.Dir = dir
	stdout := nodetest.NewFirstLine()
	stderr := &nodetest.LimitedBuffer{Max: 64 << 10}
	cmd.Stdout = stdout
	cmd.Stderr = stderr
	// serve.js exits when its stdin closes: if this test binary dies
	// without running cleanups, the server goes with it.
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatalf("pushtest: %v", err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatalf("pushtest: start web-push-testing: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	tb.Cleanup(func() {
		stdin.Close()
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})

	var port int
	select {
	case <-stdout.Ready:
		var hello struct{ Port int }
		if err := json.Unmarshal(stdout.Line(), &hello); err != nil || hello.Port == 0 {
			tb.Fatalf("pushtest: web-push-testing said %q, want {\"port\":N}; stderr:\n%s", stdout.Line(), stderr)
		}
		port = hello.Port
	case err := <-exited:
		exited <- err // for the cleanup
		tb.Fatalf("pushtest: web-push-testing exited (%v); stderr:\n%s", err, stderr)
	case <-time.After(startTimeout):
		tb.Fatalf("pushtest: web-push-testing did not start within %v; stderr:\n%s", startTimeout, stderr)
	}

	s := &Service{
		URL:    fmt.Sprintf("http://127.0.0.1:%d", port),
		client: &http.Client{Timeout: 10 * time.Second},
	}
	s.waitReady(tb, stderr)
	return s
}

// waitReady polls /status: the port is open once serve.js reports it, but
// the routes are registered just after.
func (s *Service) waitReady(tb testing.TB, stderr fmt.Stringer) {
	tb.Helper()
	deadline := time.Now().Add(startTimeout)
	for {
		resp, err := s.client.Post(s.URL+"/status", "application/json", nil)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			tb.Fatalf("pushtest: web-push-testing does not answer /status (%v); stderr:\n%s", err, stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Subscribe creates a subscription for the given VAPID public key
// (base64url), as a browser's pushManager.subscribe would.
func (s *Service) Subscribe(tb testing.TB, applicationServerKey string) Subscription {
	tb.Helper()
	var out struct {
		Data struct {
			Endpoint   string
			Keys       struct{ P256dh, Auth string }
			ClientHash string
		}
	}
	s.call(tb, "/subscribe", map[string]string{"userVisibleOnly": "true", "applicationServerKey": applicationServerKey}, &out)
	d := out.Data
	if d.Endpoint == "" || d.Keys.P256dh == "" || d.Keys.Auth == "" || d.ClientHash == "" {
		tb.Fatalf("pushtest: subscribe: incomplete subscription %+v", d)
	}
	return Subscription{Endpoint: d.Endpoint, P256dh: d.Keys.P256dh, Auth: d.Keys.Auth, ClientHash: d.ClientHash}
}

// Messages returns the decrypted payloads the service accepted for sub, in
// the order they arrived.
func (s *Service) Messages(tb testing.TB, sub Subscription) []string {
	tb.Helper()
	var out struct{ Data struct{ Messages []string } }
	s.call(tb, "/get-notifications", map[string]string{"clientHash": sub.ClientHash}, &out)
	return out.Data.Messages
}

// Expire makes the service answer every later push to sub with 410 Gone, as
// a push service does once the browser has unsubscribed. It is the only
// error status web-push-testing can be told to give; Front gives the rest.
func (s *Service) Expire(tb testing.TB, sub Subscription) {
	tb.Helper()
	s.call(tb, "/expire-subscription/"+sub.ClientHash, nil, nil)
}

func (s *Service) call(tb testing.TB, path string, in, out any) {
	tb.Helper()
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			tb.Fatalf("pushtest: %s: %v", path, err)
		}
	}
	ctx, cancel := context.WithTimeout(tb.Context(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+path, bytes.NewReader(body))
	if err != nil {
		tb.Fatalf("pushtest: %s: %v", path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		tb.Fatalf("pushtest: %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("pushtest: %s: %v", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("pushtest: %s: %s: %s", path, resp.Status, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			tb.Fatalf("pushtest: %s: %v in %s", path, err, b)
		}
	}
}
