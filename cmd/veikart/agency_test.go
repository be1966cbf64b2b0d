package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/api"
)

// These tests run the real binary's run() twice over: once as `serve` on a
// temporary data directory (the embedded store, development mode), and once
// per `agency` command against it, as an operator would from a shell.

func TestAgency_Commands(t *testing.T) {
	srv := mustServe(t, t.TempDir())
	nina, ada := api.DevUserID("Nina"), api.DevUserID("Ada")

	// The steps build on each other (create, then staff, then remove), so
	// they run in order rather than in parallel.
	steps := []struct {
		name       string
		args       []string
		wantStatus int      // 0: success; else the problem's HTTP status
		wantErr    string   // for failures that are not problem details
		stdout     []string // fragments that must be printed
		notStdout  []string // fragments that must not
		stderr     []string
	}{
		{name: "ListShowsDemo", args: []string{"list"},
			stdout: []string{"ID", "STAFF", "demo-nav", "NAV Demo", "Oslo"}},
		{name: "ShowDemoStaff", args: []string{"show", "demo-nav"},
			stdout: []string{"demo-nav: NAV Demo (nav, Oslo)", "2 staff", nina, "caseworker", ada, "admin"}},
		{name: "Create", args: []string{"create", "-kind", "nav", "-name", "NAV Grünerløkka", "-region", "Oslo", "-id", "nav-grunerlokka"},
			stdout: []string{"created agency nav-grunerlokka: NAV Grünerløkka (nav, Oslo)"}},
		{name: "CreateTaken", args: []string{"create", "-kind", "nav", "-name", "Again", "-region", "Oslo", "-id", "nav-grunerlokka"},
			wantStatus: http.StatusConflict,
			stderr:     []string{"veikart: Conflict with the current state: An agency with this id exists.", "/id:"}},
		{name: "CreateBadKind", args: []string{"create", "-kind", "bogus", "-name", "X", "-region", "Oslo"},
			wantStatus: http.StatusUnprocessableEntity,
			stderr:     []string{"veikart: The request is not valid: Some fields are not valid.", "  /kind: "}},
		{name: "CreateWithoutIDJSON", args: []string{"create", "-kind", "other", "-name", "Frivilligsentralen", "-region", "Bergen", "-json"},
			stdout: []string{`"id":"ag-`, `"kind":"other"`, `"region":"Bergen"`}},
		{name: "Staff", args: []string{"staff", "nav-grunerlokka", nina, "-roles", "caseworker, admin"},
			stdout: []string{nina + " in nav-grunerlokka: caseworker,admin (1 staff)"}},
		{name: "StaffUnknownUser", args: []string{"staff", "nav-grunerlokka", "dev-nobody", "-roles", "caseworker"},
			wantStatus: http.StatusUnprocessableEntity, stderr: []string{"There is no user with this id."}},
		{name: "StaffBadRole", args: []string{"staff", "nav-grunerlokka", ada, "-roles", "boss"},
			wantStatus: http.StatusUnprocessableEntity, stderr: []string{"veikart: The request is not valid", "/roles/0"}},
		{name: "ShowJSONFlagAfterArgument", args: []string{"show", "nav-grunerlokka", "-json"},
			stdout: []string{`"id":"nav-grunerlokka"`, `"userId":"` + nina + `"`, `"roles":["caseworker","admin"]`}},
		{name: "ListShowsCreated", args: []string{"list"},
			stdout: []string{"nav-grunerlokka", "Frivilligsentralen"}},
		{name: "RemoveLastAdmin", args: []string{"remove-staff", "nav-grunerlokka", nina},
			wantStatus: http.StatusConflict, stderr: []string{"An agency must keep at least one administrator."}},
		{name: "StaffSecondAdmin", args: []string{"staff", "nav-grunerlokka", ada, "-roles", "admin"},
			stdout: []string{ada + " in nav-grunerlokka: admin (2 staff)"}},
		{name: "RemoveStaff", args: []string{"remove-staff", "nav-grunerlokka", nina},
			stdout: []string{"removed " + nina + " from nav-grunerlokka"}},
		{name: "RemoveStaffAgain", args: []string{"remove-staff", "nav-grunerlokka", nina},
			wantStatus: http.StatusNotFound, stderr: []string{"This person is not in the agency."}},
		{name: "ShowAfterRemove", args: []string{"show", "nav-grunerlokka"},
			stdout: []string{"1 staff", ada}, notStdout: []string{nina}},
		{name: "ShowUnknown", args: []string{"show", "no-such-agency"},
			wantStatus: http.StatusNotFound, stderr: []string{"veikart: Not found: There is no such agency."}},
		{name: "ExplicitServer", args: []string{"list", "-server", srv.url + "/"},
			stdout: []string{"nav-grunerlokka"}},
		{name: "UnreachableServer", args: []string{"list", "-server", "http://127.0.0.1:1"},
			wantErr: "cannot reach the server at http://127.0.0.1:1"},
		{name: "BadServerURL", args: []string{"list", "-server", "127.0.0.1:8080"},
			wantErr: "want a URL like"},
		{name: "MissingArgument", args: []string{"show"},
			wantErr: "want 1 arguments, got 0", stderr: []string{"usage: veikart agency show AGENCY_ID"}},
		{name: "UnknownSubcommand", args: []string{"rename", "x"},
			wantErr: `unknown subcommand "rename"`, stderr: []string{"remove-staff AGENCY_ID USER_ID"}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(t.Context(), append([]string{"agency"}, s.args...), srv.getenv, &stdout, &stderr)
			checkAgencyErr(t, err, s.wantStatus, s.wantErr)
			mustContain(t, "stdout", stdout.String(), s.stdout...)
			mustNotContain(t, "stdout", stdout.String(), s.notStdout...)
			mustContain(t, "stderr", stderr.String(), s.stderr...)
		})
	}
}

// checkAgencyErr checks that err is what the step expects: nil, problem
// details already printed (so main adds nothing), or another error.
func checkAgencyErr(tb testing.TB, err error, wantStatus int, wantErr string) {
	tb.Helper()
	switch {
	case wantStatus != 0:
		var p *problemError
		if !errors.As(err, &p) || p.Status != wantStatus {
			tb.Fatalf("err = %v, want problem details with status %d", err, wantStatus)
		}
		if !errors.As(err, new(reportedError)) {
			tb.Errorf("err %v is not marked reported: main would print it twice", err)
		}
	case wantErr != "":
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			tb.Fatalf("err = %v, want one containing %q", err, wantErr)
		}
	case err != nil:
		tb.Fatalf("err = %v", err)
	}
}

func TestAgency_NoKeysMeansNoServer(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	getenv := envOf(map[string]string{"VEIKART_DATA_DIR": dir, "VEIKART_ADDR": "127.0.0.1:1"})
	var stdout, stderr bytes.Buffer
	err := run(t.Context(), []string{"agency", "list"}, getenv, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "the server has not been started yet") {
		t.Fatalf("err = %v, want one saying the server has not been started", err)
	}
	// A key made here would be one the server does not know.
	if _, err := os.Stat(filepath.Join(dir, "keys")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("keys dir: %v, want it not created", err)
	}
}

func TestServe_DevDemo(t *testing.T) {
	dir := t.TempDir()
	srv := mustServe(t, dir)
	checkDemoShared(t, srv)
	log := srv.stop(t)
	mustContain(t, "log", log, "demo ready", `\"name\":\"Nina\",\"agencyId\":\"demo-nav\"`)

	// A restart finds everything in place and must neither fail nor add a
	// second grant or staff entry.
	srv = mustServe(t, dir)
	checkDemoShared(t, srv)
	var stdout bytes.Buffer
	if err := run(t.Context(), []string{"agency", "show", "demo-nav"}, srv.getenv, &stdout, io.Discard); err != nil {
		t.Fatalf("agency show: %v", err)
	}
	mustContain(t, "agency show", stdout.String(), "2 staff")
}

// checkDemoShared signs in as the demo caseworker and checks that exactly the
// demo roadmap is shared with the agency, with the seeded grant.
func checkDemoShared(tb testing.TB, srv *testServer) {
	tb.Helper()
	var login struct {
		AccessToken string `json:"accessToken"`
		ActingFor   string `json:"actingFor"`
	}
	srv.mustDo(tb, http.MethodPost, "/api/v1/dev/login", "", `{"name":"Nina","agencyId":"demo-nav"}`, &login)
	if login.ActingFor != "demo-nav" {
		tb.Fatalf("dev login acts for %q, want demo-nav", login.ActingFor)
	}
	var shared struct {
		Items []struct {
			RoadmapID string `json:"roadmapId"`
			Access    struct {
				Sections    []string  `json:"sections"`
				Permissions []string  `json:"permissions"`
				Purpose     string    `json:"purpose"`
				ExpiresAt   time.Time `json:"expiresAt"`
			} `json:"access"`
		} `json:"items"`
	}
	srv.mustDo(tb, http.MethodGet, "/api/v1/shared", login.AccessToken, "", &shared)
	// Opaque, as the app makes them: no family's name in URLs, push
	// payloads or logs (it was "demo-haugen").
	if len(shared.Items) == 1 && !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(shared.Items[0].RoadmapID) {
		tb.Errorf("the demo roadmap's id %q is not a random UUID", shared.Items[0].RoadmapID)
	}
	if len(shared.Items) != 1 || shared.Items[0].RoadmapID != demoRoadmapID {
		tb.Fatalf("shared = %+v, want the demo roadmap only", shared.Items)
	}
	acc := shared.Items[0].Access
	if len(acc.Sections) != 4 || len(acc.Permissions) != 3 || acc.Purpose != "Oppfølging av bolig og økonomi" {
		tb.Errorf("access = %+v, want housing and economy with view, comment, propose", acc)
	}
	if d := time.Until(acc.ExpiresAt); d < 89*24*time.Hour || d > 90*24*time.Hour {
		tb.Errorf("grant expires in %v, want about 90 days", d)
	}
}

// testServer is `veikart serve` running in-process.
type testServer struct {
	url    string
	getenv func(string) string
	stop   func(testing.TB) string // stops it and returns its log
}

// mustServe starts `veikart serve` in development mode on dataDir and a free
// loopback port, waits until it is ready, and stops it when the test ends.
func mustServe(tb testing.TB, dataDir string) *testServer {
	tb.Helper()
	addr := freeAddr(tb)
	return serveWith(tb, envOf(map[string]string{
		"VEIKART_DEV": "1", "VEIKART_ADDR": addr, "VEIKART_DATA_DIR": dataDir, "VEIKART_LOG_FORMAT": "text",
	}))
}

// serveWith starts `veikart serve` in this process with the environment
// getenv (VEIKART_ADDR a free loopback address), waits until it is ready,
// and stops it when the test ends.
func serveWith(tb testing.TB, getenv func(string) string) *testServer {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	log := &lockedBuffer{}
	exited := make(chan struct{})
	var serveErr error
	go func() {
		serveErr = run(ctx, []string{"serve"}, getenv, log, log)
		close(exited)
	}()
	stop := sync.OnceValue(func() string {
		cancel()
		<-exited
		return log.String()
	})
	srv := &testServer{url: "http://" + getenv("VEIKART_ADDR"), getenv: getenv, stop: func(tb testing.TB) string {
		tb.Helper()
		out := stop()
		if serveErr != nil {
			tb.Errorf("serve: %v\n%s", serveErr, out)
		}
		return out
	}}
	tb.Cleanup(func() { srv.stop(tb) })
	waitReady(tb, srv.url, exited, log)
	return srv
}

func waitReady(tb testing.TB, url string, exited <-chan struct{}, log *lockedBuffer) {
	tb.Helper()
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			tb.Fatalf("serve returned before it was ready:\n%s", log.String())
		default:
		}
		if resp, err := client.Get(url + "/health/ready"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	tb.Fatalf("server at %s not ready in time:\n%s", url, log.String())
}

// mustDo sends a request with an optional bearer token and JSON body, and
// decodes a 2xx JSON answer into out (unless out is nil).
func (s *testServer) mustDo(tb testing.TB, method, path, token, body string, out any) {
	tb.Helper()
	req, err := http.NewRequest(method, s.url+path, strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		tb.Fatalf("%s %s: %s %s", method, path, resp.Status, b)
	}
	if out == nil {
		return
	}
	if err := json.Unmarshal(b, out); err != nil {
		tb.Fatalf("%s %s: decode %s: %v", method, path, b, err)
	}
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		tb.Fatal(err)
	}
	return addr
}

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func mustContain(tb testing.TB, what, got string, want ...string) {
	tb.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			tb.Errorf("%s lacks %q:\n%s", what, w, got)
		}
	}
}

func mustNotContain(tb testing.TB, what, got string, forbidden ...string) {
	tb.Helper()
	for _, f := range forbidden {
		if strings.Contains(got, f) {
			tb.Errorf("%s holds %q:\n%s", what, f, got)
		}
	}
}

// lockedBuffer is a bytes.Buffer the server's goroutines can log into while
// the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestServe_DevDemoChangedStillStarts: a developer changed the demo the way
// the app lets them (revoked the demo grant, planned a transition to the
// same agency, which holds a planned grant). Seeding the demo must take the
// data as it is, and the server must start again: seeding never stops it.
func TestServe_DevDemoChangedStillStarts(t *testing.T) {
	dir := t.TempDir()
	srv := mustServe(t, dir)
	var login struct {
		AccessToken string `json:"accessToken"`
	}
	srv.mustDo(t, http.MethodPost, "/api/v1/dev/login", "", `{"name":"Kari"}`, &login)
	var grants struct {
		Items []struct {
			ID       string `json:"id"`
			AgencyID string `json:"agencyId"`
		} `json:"items"`
	}
	rm := "/api/v1/roadmaps/" + demoRoadmapID
	srv.mustDo(t, http.MethodGet, rm+"/grants", login.AccessToken, "", &grants)
	if len(grants.Items) != 1 {
		t.Fatalf("grants = %+v, want the demo grant", grants.Items)
	}
	srv.mustDo(t, http.MethodDelete, rm+"/grants/"+grants.Items[0].ID, login.AccessToken, "", nil)
	date := time.Now().AddDate(0, 0, 30).Format(time.DateOnly)
	srv.mustDo(t, http.MethodPost, rm+"/transitions", login.AccessToken,
		`{"id":"t-demo","kind":"release","date":"`+date+`","agencyId":"demo-nav","sections":["area:housing"],"permissions":["view"],"daysBefore":14,"daysAfter":30}`, &struct{}{})
	srv.stop(t)

	srv = mustServe(t, dir)
	log := srv.stop(t)
	mustContain(t, "log", log, "demo ready")
	mustNotContain(t, "log", log, "demo not seeded")
}
