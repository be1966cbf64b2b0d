package main

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestSeed_Caseworkers seeds roadmaps shared with the load agency and reads
// them through the API as its caseworkers: each token works, shows only the
// granted sections, and the agency's list (read from the index the seeder
// wrote around the store) holds exactly the shared roadmaps.
func TestSeed_Caseworkers(t *testing.T) {
	dir := t.TempDir()
	addr := freeAddr(t)
	// Seed and serve share the address: the tokens' issuer is the public URL.
	getenv := envOf(map[string]string{
		"VEIKART_DEV": "1", "VEIKART_ADDR": addr, "VEIKART_DATA_DIR": filepath.Join(dir, "data"), "VEIKART_LOG_FORMAT": "text",
	})
	owners, cws := filepath.Join(dir, "owners.tsv"), filepath.Join(dir, "cw.tsv")
	var out lockedBuffer
	args := []string{"seed", "-roadmaps", "20", "-tokens", "10", "-out", owners, "-caseworkers", "3", "-caseworker-out", cws, "-share", "6"}
	if err := run(context.Background(), args, getenv, &out, &out); err != nil {
		t.Fatalf("seed: %v\n%s", err, out.String())
	}
	ownerLines, cwLines := mustTSV(t, owners), mustTSV(t, cws)
	if len(ownerLines) != 10 {
		t.Fatalf("%d owner lines, want 10", len(ownerLines))
	}
	// Six shared roadmaps, all among the first ten: caseworker j has j, j+3.
	if len(cwLines) != 6 {
		t.Fatalf("%d caseworker lines, want 6", len(cwLines))
	}
	tokens := map[string]bool{}
	for i, l := range cwLines {
		if l[0] != "load-rm"+strconv.Itoa(i) || l[1] != cwLines[i%3][1] {
			t.Fatalf("caseworker line %d = %v, want load-rm%d with caseworker %d's token", i, l, i, i%3)
		}
		tokens[l[1]] = true
	}
	if len(tokens) != 3 {
		t.Fatalf("%d distinct caseworker tokens, want 3", len(tokens))
	}

	srv := serveWith(t, getenv)
	for i, l := range cwLines {
		var rm struct {
			Members []any `json:"members"`
			Areas   []struct {
				ID string `json:"id"`
			} `json:"areas"`
		}
		srv.mustDo(t, "GET", "/api/v1/roadmaps/"+l[0], l[1], "", &rm)
		var areas []string
		for _, a := range rm.Areas {
			areas = append(areas, a.ID)
		}
		if got := strings.Join(areas, ","); got != "housing,economy" || len(rm.Members) == 0 {
			t.Errorf("line %d: caseworker sees areas %q and %d members, want housing,economy and the household", i, got, len(rm.Members))
		}
	}
	var shared struct {
		Items []struct {
			RoadmapID string `json:"roadmapId"`
		} `json:"items"`
	}
	srv.mustDo(t, "GET", "/api/v1/shared", cwLines[2][1], "", &shared)
	if len(shared.Items) != 6 {
		t.Errorf("the agency's list has %d roadmaps, want the 6 shared", len(shared.Items))
	}
	// The seventh roadmap is not shared: no caseworker may see it; its owner may.
	if code := statusOf(t, srv.url+"/api/v1/roadmaps/load-rm6", cwLines[0][1]); code != http.StatusNotFound {
		t.Errorf("caseworker GET unshared roadmap: %d, want 404", code)
	}
	if code := statusOf(t, srv.url+"/api/v1/roadmaps/load-rm6", ownerLines[6][1]); code != http.StatusOK {
		t.Errorf("owner GET own roadmap: %d, want 200", code)
	}
}

func mustTSV(tb testing.TB, path string) [][]string {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var out [][]string
	for line := range strings.Lines(string(b)) {
		out = append(out, strings.Split(strings.TrimSuffix(line, "\n"), "\t"))
	}
	return out
}

func statusOf(tb testing.TB, url, token string) int {
	tb.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
