package validate

import (
	"slices"
	"strings"
)

// The compiled form of the schemas differs from the files in two ways that
// change how fast they validate, never what they accept: references are
// inlined (inline), and discriminated unions become if/then chains
// (discriminate). The jsonschema package allocates a few objects for every
// subschema it enters, and a $ref is one more subschema to enter; with both
// rewrites a 4 KB operations request validates several times faster. The
// tests compile the files as written too and check that both forms agree
// on every case and on fuzzed input.

// inline replaces every {"$ref": r} in docs (file name -> decoded schema),
// with nothing beside the $ref but annotations, by a copy of its target, as
// long as the target, once its own references are inlined, holds no
// reference or anchor of its own. References between the files are relative
// file names, as the files are written.
func inline(docs map[string]any) {
	in := &inliner{docs: docs, busy: map[string]bool{}, done: map[string]map[string]any{}}
	names := make([]string, 0, len(docs))
	for name := range docs {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		in.walk(name, docs[name])
	}
}

type inliner struct {
	docs map[string]any
	busy map[string]bool           // targets being inlined, against cycles
	done map[string]map[string]any // targets already inlined: ref-free copies, or nil
}

// annotations may stand beside a $ref without changing what it accepts.
var annotations = map[string]bool{"$ref": true, "description": true, "title": true, "$comment": true, "examples": true, "deprecated": true}

func (in *inliner) walk(doc string, v any) {
	switch v := v.(type) {
	case map[string]any:
		for _, x := range v {
			in.walk(doc, x)
		}
		ref, ok := v["$ref"].(string)
		if !ok {
			return
		}
		for k := range v {
			if !annotations[k] {
				return
			}
		}
		target := in.resolve(doc, ref)
		if target == nil {
			return
		}
		clear(v)
		for k, x := range deepCopy(target).(map[string]any) {
			v[k] = x
		}
	case []any:
		for _, x := range v {
			in.walk(doc, x)
		}
	}
}

// resolve returns a ref-free copy of the schema that ref (relative to the
// file doc) names, or nil if it cannot be inlined.
func (in *inliner) resolve(doc, ref string) map[string]any {
	file, frag, _ := strings.Cut(ref, "#")
	if file == "" {
		file = doc
	}
	if strings.ContainsAny(file, "/:") {
		return nil
	}
	key := file + "#" + frag
	if t, ok := in.done[key]; ok {
		return t
	}
	if in.busy[key] {
		return nil
	}
	in.busy[key] = true
	defer delete(in.busy, key)

	target, ok := pointerLookup(in.docs[file], frag).(map[string]any)
	if !ok {
		in.done[key] = nil
		return nil
	}
	t := deepCopy(target).(map[string]any)
	// An embedded resource or its private definitions are not needed once
	// everything in it is inlined; keeping $id would declare it twice.
	for _, k := range []string{"$id", "$schema", "$defs", "definitions", "$comment"} {
		delete(t, k)
	}
	in.walk(file, t)
	if hasRefs(t) {
		t = nil
	}
	in.done[key] = t
	return t
}

// hasRefs reports whether v holds a keyword that depends on where it is.
func hasRefs(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			switch k {
			case "$ref", "$dynamicRef", "$recursiveRef", "$anchor", "$dynamicAnchor", "$recursiveAnchor", "$id":
				return true
			}
			if hasRefs(x) {
				return true
			}
		}
	case []any:
		for _, x := range v {
			if hasRefs(x) {
				return true
			}
		}
	}
	return false
}

// pointerLookup resolves a JSON pointer fragment ("" or "/a/b") in v.
func pointerLookup(v any, frag string) any {
	if frag == "" {
		return v
	}
	if !strings.HasPrefix(frag, "/") {
		return nil
	}
	for _, tok := range strings.Split(frag[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[tok]
	}
	return v
}

func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[k] = deepCopy(x)
		}
		return m
	case []any:
		a := make([]any, len(v))
		for i, x := range v {
			a[i] = deepCopy(x)
		}
		return a
	}
	return v
}

// discriminate rewrites, in a decoded schema document, every oneOf whose
// alternatives are told apart by a required property with a distinct string
// const (an operation's "type", a responsible's "kind") into an equivalent
// switch on that property:
//
//	{"oneOf": [A, B]}  becomes
//	{"allOf": [{"required": [P], "properties": {P: {"enum": [a, b]}},
//	            "x-veikart-switch": {"property": P, "cases": {a: A, b: B}}}]}
//
// The two accept exactly the same instances: under oneOf, an instance
// without P, or with a P that no alternative names, matches nothing, and
// one with P = a can only match A. But the jsonschema package evaluates
// every alternative of a oneOf in full, collecting errors for each, so that
// a 4 KB operations request cost ten validations per operation; the switch
// (see switchVocab) evaluates one. The files keep the plain oneOf, which
// every tool understands.
//
// Only alternatives that are inline objects or local "#/$defs/..." refs are
// considered; any other oneOf is left as it is.
func discriminate(doc any) {
	root, _ := doc.(map[string]any)
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for _, x := range v {
				walk(x)
			}
			if alts, ok := v["oneOf"].([]any); ok {
				if sw := switchOf(root, alts); sw != nil {
					delete(v, "oneOf")
					allOf, _ := v["allOf"].([]any)
					v["allOf"] = append(allOf, sw)
				}
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
}

// switchOf returns the schema that replaces the oneOf alts, or nil if the
// alternatives have no common discriminating property.
func switchOf(root map[string]any, alts []any) map[string]any {
	if len(alts) < 2 {
		return nil
	}
	branches := make([]map[string]any, len(alts))
	for i, a := range alts {
		b := resolveLocal(root, a)
		if b == nil {
			return nil
		}
		branches[i] = b
	}
	// Candidate properties: those with a const in the first alternative.
	props0, _ := branches[0]["properties"].(map[string]any)
	names := make([]string, 0, len(props0))
	for name := range props0 {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, p := range names {
		consts, ok := discriminator(branches, p)
		if !ok {
			continue
		}
		enum := make([]any, len(consts))
		cases := make(map[string]any, len(consts))
		for i, c := range consts {
			enum[i] = c
			cases[c] = alts[i]
		}
		return map[string]any{
			"required":    []any{p},
			"properties":  map[string]any{p: map[string]any{"enum": enum}},
			switchKeyword: map[string]any{"property": p, "cases": cases},
		}
	}
	return nil
}

// discriminator reports the const of property p in each branch, if every
// branch requires p and gives it a distinct string const.
func discriminator(branches []map[string]any, p string) ([]string, bool) {
	consts := make([]string, len(branches))
	for i, b := range branches {
		props, _ := b["properties"].(map[string]any)
		ps, _ := props[p].(map[string]any)
		c, ok := ps["const"].(string)
		if !ok {
			return nil, false
		}
		req, _ := b["required"].([]any)
		if !slices.Contains(req, any(p)) {
			return nil, false
		}
		if slices.Contains(consts[:i], c) {
			return nil, false
		}
		consts[i] = c
	}
	return consts, true
}

// resolveLocal returns alt itself if it is a schema object without $ref, the
// schema it names if it is exactly {"$ref": "#/$defs/name"}, and nil
// otherwise.
func resolveLocal(root map[string]any, alt any) map[string]any {
	m, ok := alt.(map[string]any)
	if !ok {
		return nil
	}
	ref, hasRef := m["$ref"].(string)
	if !hasRef {
		return m
	}
	name, ok := strings.CutPrefix(ref, "#/$defs/")
	if !ok || len(m) != 1 || strings.ContainsAny(name, "/~%") {
		return nil
	}
	defs, _ := root["$defs"].(map[string]any)
	target, _ := defs[name].(map[string]any)
	if _, nested := target["$ref"]; nested {
		return nil
	}
	return target
}
