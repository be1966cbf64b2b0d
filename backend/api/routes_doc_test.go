package api

import (
	"encoding/json"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/veikart/veikart/schemas"
)

// Every route the server has is in the OpenAPI document, and every
// operation the document describes is a route: the contract and the code
// cannot drift apart unnoticed.
func TestEveryRouteIsDocumented(t *testing.T) {
	s := New(Config{Dev: true}, Deps{Log: slog.New(slog.DiscardHandler)})
	served := map[string]bool{}
	param := regexp.MustCompile(`:(\w+)`)
	for _, r := range s.app.GetRoutes(true) {
		if r.Method == "HEAD" || strings.HasSuffix(r.Path, "*") || r.Path == "/" {
			continue // Fiber's automatic HEADs, the catch-all 404s, middleware
		}
		served[strings.ToLower(r.Method)+" "+param.ReplaceAllString(r.Path, "{$1}")] = true
	}
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
	documented := map[string]bool{}
	for path, item := range doc.Paths {
		for method := range item {
			if slices.Contains([]string{"get", "post", "put", "patch", "delete"}, method) {
				documented[method+" "+path] = true
			}
		}
	}
	if len(served) < 40 {
		t.Fatalf("only %d routes found: %v", len(served), served)
	}
	for op := range served {
		if !documented[op] {
			t.Errorf("%s is served but not in schemas/openapi.json", op)
		}
	}
	for op := range documented {
		if !served[op] {
			t.Errorf("%s is in schemas/openapi.json but not served", op)
		}
	}
}
