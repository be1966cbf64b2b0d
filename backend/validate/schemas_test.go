package validate_test

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/veikart/veikart/backend/validate"
	"github.com/veikart/veikart/schemas"
)

// readJSON decodes one file of schemas.FS.
func readJSON(tb testing.TB, name string) map[string]any {
	tb.Helper()
	data, err := fs.ReadFile(schemas.FS, name)
	if err != nil {
		tb.Fatalf("read %s: %v", name, err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		tb.Fatalf("parse %s: %v", name, err)
	}
	m, ok := doc.(map[string]any)
	if !ok {
		tb.Fatalf("%s is not a JSON object", name)
	}
	return m
}

func schemaFiles(tb testing.TB) []string {
	tb.Helper()
	names, err := fs.Glob(schemas.FS, "*.schema.json")
	if err != nil || len(names) == 0 {
		tb.Fatalf("no schema files: %v", err)
	}
	return names
}

// Every file is named in a compiled schema, declares draft 2020-12 and its
// own absolute $id.
func TestSchemas_Headers(t *testing.T) {
	v := MustNew(t)
	compiled := v.Schemas()
	for _, name := range schemaFiles(t) {
		doc := readJSON(t, name)
		if got := doc["$schema"]; got != "https://json-schema.org/draft/2020-12/schema" {
			t.Errorf("%s: $schema is %v", name, got)
		}
		if got := doc["$id"]; got != validate.BaseURL+name {
			t.Errorf("%s: $id is %v", name, got)
		}
		if _, ok := doc["title"].(string); !ok {
			t.Errorf("%s: no title", name)
		}
		if !slices.Contains(compiled, name) {
			t.Errorf("%s: not compiled", name)
		}
	}
}

// The limits that keep a request's cost bounded: every string has a
// maxLength (or a fixed set of values), every array a maxItems, every number
// both bounds, and every object is closed.
func TestSchemas_Bounded(t *testing.T) {
	for _, name := range schemaFiles(t) {
		walkSchema(readJSON(t, name), "", func(ptr string, s map[string]any) {
			_, fixed := s["enum"]
			if _, ok := s["const"]; ok {
				fixed = true
			}
			for _, typ := range types(s) {
				switch typ {
				case "string":
					if _, ok := s["maxLength"]; !ok && !fixed {
						t.Errorf("%s#%s: string without maxLength", name, ptr)
					}
				case "array":
					if _, ok := s["maxItems"]; !ok {
						t.Errorf("%s#%s: array without maxItems", name, ptr)
					}
				case "integer", "number":
					_, min := s["minimum"]
					_, max := s["maximum"]
					if (!min || !max) && !fixed {
						t.Errorf("%s#%s: number without minimum and maximum", name, ptr)
					}
				case "object":
					if s["additionalProperties"] == false || s["unevaluatedProperties"] == false {
						break
					}
					// A union is closed if each of its alternatives is (they are walked too).
					if _, ok := s["oneOf"]; ok {
						break
					}
					t.Errorf("%s#%s: object that allows unknown properties", name, ptr)
				}
			}
		})
	}
}

func types(s map[string]any) []string {
	switch t := s["type"].(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, x := range t {
			if x, ok := x.(string); ok {
				out = append(out, x)
			}
		}
		return out
	}
	return nil
}

// walkSchema calls f for s and every subschema in it.
func walkSchema(s map[string]any, ptr string, f func(ptr string, s map[string]any)) {
	f(ptr, s)
	sub := func(v any, p string) {
		if m, ok := v.(map[string]any); ok {
			walkSchema(m, p, f)
		}
	}
	for _, kw := range []string{"items", "additionalProperties", "unevaluatedProperties", "not", "if", "then", "else", "contains", "propertyNames"} {
		sub(s[kw], ptr+"/"+kw)
	}
	for _, kw := range []string{"properties", "$defs", "patternProperties", "dependentSchemas"} {
		if m, ok := s[kw].(map[string]any); ok {
			for k, v := range m {
				sub(v, ptr+"/"+kw+"/"+k)
			}
		}
	}
	for _, kw := range []string{"oneOf", "anyOf", "allOf", "prefixItems"} {
		if a, ok := s[kw].([]any); ok {
			for i, v := range a {
				sub(v, ptr+"/"+kw+"/"+strconv.Itoa(i))
			}
		}
	}
}

// openAPIMeta compiles the OpenAPI Initiative's schema for 3.1 documents.
func openAPIMeta(tb testing.TB) *jsonschema.Schema {
	tb.Helper()
	data, err := os.ReadFile("testdata/oas31-schema.json")
	if err != nil {
		tb.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		tb.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	const url = "https://spec.openapis.org/oas/3.1/schema/2022-10-07"
	if err := c.AddResource(url, doc); err != nil {
		tb.Fatal(err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		tb.Fatal(err)
	}
	return sch
}

func TestOpenAPI_IsValid31(t *testing.T) {
	doc := readJSON(t, "openapi.json")
	if err := openAPIMeta(t).Validate(any(doc)); err != nil {
		t.Fatalf("openapi.json is not a valid OpenAPI 3.1 document:\n%v", err)
	}
	if doc["openapi"] != "3.1.0" {
		t.Errorf("openapi is %v", doc["openapi"])
	}
	if doc["jsonSchemaDialect"] != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("jsonSchemaDialect is %v", doc["jsonSchemaDialect"])
	}
}

// Every $ref in openapi.json points at something that exists, and every
// schema file is referenced.
func TestOpenAPI_RefsResolve(t *testing.T) {
	doc := readJSON(t, "openapi.json")
	used := map[string]bool{}
	var walk func(v any, at string)
	walk = func(v any, at string) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				file, frag, _ := strings.Cut(ref, "#")
				target := any(doc)
				if file != "" {
					used[file] = true
					if _, err := fs.Stat(schemas.FS, file); err != nil {
						t.Errorf("%s: $ref %q: no such file", at, ref)
						return
					}
					target = readJSON(t, file)
				}
				if _, ok := lookup(target, frag); !ok {
					t.Errorf("%s: $ref %q does not resolve", at, ref)
				}
			}
			for k, x := range v {
				walk(x, at+"/"+k)
			}
		case []any:
			for i, x := range v {
				walk(x, at+"/"+strconv.Itoa(i))
			}
		}
	}
	walk(doc, "")
	// Request and response bodies refer to these directly; the rest are
	// reached through them.
	for _, name := range schemaFiles(t) {
		if name == "defs.schema.json" || name == "operation.schema.json" || name == "member.schema.json" || name == "area.schema.json" || name == "step.schema.json" {
			continue
		}
		if !used[name] {
			t.Errorf("openapi.json does not use %s", name)
		}
	}
}

// lookup resolves a JSON pointer fragment ("/a/b", or "" for the root).
func lookup(v any, frag string) (any, bool) {
	if frag == "" {
		return v, true
	}
	for _, tok := range strings.Split(strings.TrimPrefix(frag, "/"), "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[tok]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// The routes of the contract, with the statuses each must declare.
func TestOpenAPI_Routes(t *testing.T) {
	doc := readJSON(t, "openapi.json")
	paths, _ := doc["paths"].(map[string]any)
	routes := []struct {
		path, method string
		public       bool
		statuses     []string
		body         string
	}{
		{"/health/live", "get", true, []string{"200"}, ""},
		{"/health/ready", "get", true, []string{"200", "503"}, ""},
		{"/.well-known/jwks.json", "get", true, []string{"200"}, ""},
		{"/api/v1/dev/login", "post", true, []string{"200", "400", "404", "413", "415", "422"}, "dev-login-request.schema.json"},
		{"/api/v1/auth/refresh", "post", true, []string{"200", "400", "401", "413", "415", "422"}, "refresh-request.schema.json"},
		{"/api/v1/auth/logout", "post", true, []string{"204", "400", "413", "415", "422"}, "refresh-request.schema.json"},
		{"/api/v1/me", "get", false, []string{"200", "401"}, ""},
		{"/api/v1/roadmaps", "get", false, []string{"200", "401"}, ""},
		{"/api/v1/roadmaps", "post", false, []string{"200", "201", "400", "401", "413", "415", "422"}, "create-roadmap-request.schema.json"},
		{"/api/v1/roadmaps/{roadmapId}", "get", false, []string{"200", "304", "401", "403", "404"}, ""},
		{"/api/v1/roadmaps/{roadmapId}", "delete", false, []string{"204", "401", "403", "404", "412"}, ""},
		{"/api/v1/roadmaps/{roadmapId}/operations", "post", false, []string{"200", "400", "401", "403", "404", "409", "412", "413", "415", "422"}, "operations-request.schema.json"},
	}
	for _, r := range routes {
		item, _ := paths[r.path].(map[string]any)
		op, ok := item[r.method].(map[string]any)
		if !ok {
			t.Errorf("%s %s: not documented", r.method, r.path)
			continue
		}
		sec, hasSec := op["security"].([]any)
		if r.public != (hasSec && len(sec) == 0) {
			t.Errorf("%s %s: public=%v but security=%v", r.method, r.path, r.public, op["security"])
		}
		resp, _ := op["responses"].(map[string]any)
		for _, s := range r.statuses {
			if _, ok := resp[s]; !ok {
				t.Errorf("%s %s: status %s not documented", r.method, r.path, s)
			}
		}
		if !r.public {
			if _, ok := resp["401"]; !ok {
				t.Errorf("%s %s: authenticated route without 401", r.method, r.path)
			}
		}
		if r.body != "" {
			got, _ := lookup(op, "/requestBody/content/application~1json/schema/$ref")
			if got != r.body {
				t.Errorf("%s %s: request body is %v, want %s", r.method, r.path, got, r.body)
			}
		}
	}

}

// The schema files and openapi.json are kept readable: 2-space indented.
func TestSchemas_Indented(t *testing.T) {
	entries, err := fs.Glob(schemas.FS, "*.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range entries {
		data, _ := fs.ReadFile(schemas.FS, name)
		if !json.Valid(data) {
			t.Errorf("%s: not valid JSON", name)
			continue
		}
		for i, line := range strings.Split(string(data), "\n") {
			trimmed := strings.TrimLeft(line, " ")
			if (len(line)-len(trimmed))%2 != 0 || strings.HasPrefix(trimmed, "\t") {
				t.Errorf("%s:%d: not indented by 2 spaces", name, i+1)
				break
			}
		}
	}
}
