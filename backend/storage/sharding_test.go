package storage

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestShardingPlanCoversEveryCollection: every collection this package
// declares (a constant named ...Coll) is in deploy/mongo/shard.js, either
// sharded or left unsharded on purpose, and nothing there is unknown. A new
// collection without a decision fails here rather than land on one shard of
// a national deployment.
func TestShardingPlanCoversEveryCollection(t *testing.T) {
	declared := map[string]bool{}
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(af, func(n ast.Node) bool {
			vs, ok := n.(*ast.ValueSpec)
			if !ok {
				return true
			}
			for i, id := range vs.Names {
				if !strings.HasSuffix(id.Name, "Coll") || i >= len(vs.Values) {
					continue
				}
				if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					name, _ := strconv.Unquote(lit.Value)
					declared[name] = true
				}
			}
			return true
		})
	}
	if len(declared) < 10 {
		t.Fatalf("found only %d collections: %v", len(declared), declared)
	}
	script, err := os.ReadFile("../../deploy/mongo/shard.js")
	if err != nil {
		t.Fatal(err)
	}
	list := func(varName string) []string {
		m := regexp.MustCompile(`(?s)const ` + varName + ` = \[(.*?)\];`).FindSubmatch(script)
		if m == nil {
			t.Fatalf("shard.js has no %s list", varName)
		}
		var out []string
		for _, q := range regexp.MustCompile(`'([a-z_]+)'`).FindAllSubmatch(m[1], -1) {
			out = append(out, string(q[1]))
		}
		return out
	}
	hashed, unsharded := list("hashed"), list("unsharded")
	for name := range declared {
		in := 0
		if slices.Contains(hashed, name) {
			in++
		}
		if slices.Contains(unsharded, name) {
			in++
		}
		if in != 1 {
			t.Errorf("collection %q is in %d of shard.js's lists, want exactly 1", name, in)
		}
	}
	for _, name := range append(hashed, unsharded...) {
		if !declared[name] {
			t.Errorf("shard.js names %q, which this package does not declare", name)
		}
	}
}
