package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/veikart/veikart/backend/household"
)

func TestErasureHashes(t *testing.T) {
	h1, h2, h3 := strings.Repeat("a", 32), strings.Repeat("b", 32), strings.Repeat("c", 32)
	in := strings.Join([]string{
		`time=2026-11-26T08:00:00Z level=INFO msg="roadmap erased" erasure=` + h1 + ` request_id=x`,
		`{"time":"2026-11-26T08:01:00Z","level":"INFO","msg":"account erased","erasure":"` + h2 + `"}`,
		h3,
		`level=INFO msg="roadmap erased" erasure=` + h1, // twice: once
		`level=INFO msg=other request_id=` + strings.Repeat("d", 32),
		`erasure=` + strings.Repeat("e", 31), // too short
	}, "\n")
	got, err := erasureHashes(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != strings.Join([]string{h1, h2, h3}, ",") {
		t.Fatalf("got %v", got)
	}
}

// TestErasures_Reapply runs `veikart erasures reapply` against a running
// server: a roadmap and an account that the log says were erased (as if a
// backup from before brought them back) are erased again.
func TestErasures_Reapply(t *testing.T) {
	srv := mustServe(t, t.TempDir())
	call := func(method, path, token string, body any) (int, map[string]any) {
		t.Helper()
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, srv.url+path, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	login := func(name string) (token, userID string) {
		t.Helper()
		status, m := call("POST", "/api/v1/dev/login", "", map[string]any{"name": name})
		if status != 200 {
			t.Fatalf("login %s: %d %v", name, status, m)
		}
		return m["accessToken"].(string), m["user"].(map[string]any)["id"].(string)
	}
	kari, kariID := login("Kari Restored")
	if status, m := call("POST", "/api/v1/roadmaps", kari, map[string]any{"id": "00000000-0000-4000-8000-000000000016", "title": "Back"}); status != 201 {
		t.Fatalf("create: %d %v", status, m)
	}
	ola, _ := login("Ola Kept")
	if status, m := call("POST", "/api/v1/roadmaps", ola, map[string]any{"id": "00000000-0000-4000-8000-000000000005", "title": "Kept"}); status != 201 {
		t.Fatalf("create: %d %v", status, m)
	}

	logFile := filepath.Join(t.TempDir(), "veikart.log")
	lines := fmt.Sprintf("time=2026-11-26T08:00:00Z level=INFO msg=\"roadmap erased\" erasure=%s\n{\"msg\":\"account erased\",\"erasure\":\"%s\"}\n",
		household.ErasureHash("roadmap", "00000000-0000-4000-8000-000000000016"), household.ErasureHash("user", kariID))
	if err := os.WriteFile(logFile, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if err := run(t.Context(), []string{"erasures", "reapply", logFile}, srv.getenv, &stdout, &stderr); err != nil {
		t.Fatalf("reapply: %v\n%s", err, stderr.String())
	}
	mustContain(t, "stdout", stdout.String(), "2 erasure hashes: erased 1 roadmaps and 1 accounts again")

	if status, _ := call("GET", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000016", ola, nil); status != 404 {
		t.Errorf("the restored roadmap: %d", status)
	}
	if status, _ := call("GET", "/api/v1/me", kari, nil); status != 401 {
		t.Errorf("the erased account's token: %d", status)
	}
	if status, _ := call("GET", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000005", ola, nil); status != 200 {
		t.Errorf("a roadmap nobody erased: %d", status)
	}
	// Nothing to do the second time.
	stdout.Reset()
	if err := run(t.Context(), []string{"erasures", "reapply", logFile}, srv.getenv, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	mustContain(t, "stdout", stdout.String(), "erased 0 roadmaps and 0 accounts again")
}
