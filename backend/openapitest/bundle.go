package openapitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"
)

// bundle returns openapi.json from fsys as one self-contained document: each
// schema file it reaches becomes components.schemas[file name] (without its
// $id and $schema), and every reference to a file, or within one, becomes a
// reference into components. All the files share one base URI, so a
// relative reference means the same file whichever file it is written in,
// and the bundled document means what the files mean.
func bundle(fsys fs.FS) ([]byte, error) {
	root, err := readJSON(fsys, "openapi.json")
	if err != nil {
		return nil, err
	}
	doc, ok := root.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("openapi.json is not an object")
	}
	components, _ := doc["components"].(map[string]any)
	if components == nil {
		components = map[string]any{}
		doc["components"] = components
	}
	schemaMap, _ := components["schemas"].(map[string]any)
	if schemaMap == nil {
		schemaMap = map[string]any{}
		components["schemas"] = schemaMap
	}

	b := &bundler{fsys: fsys, schemas: schemaMap, added: map[string]bool{}}
	if err := b.rewrite(doc, ""); err != nil {
		return nil, err
	}
	// Adding a file can reach more files; rewrite adds them as it goes.
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode bundle: %w", err)
	}
	return out, nil
}

type bundler struct {
	fsys    fs.FS
	schemas map[string]any
	added   map[string]bool
}

// rewrite rewrites the references in v, which is in file (or in
// openapi.json itself if file is ""), and adds the files they name.
func (b *bundler) rewrite(v any, file string) error {
	switch v := v.(type) {
	case map[string]any:
		if ref, ok := v["$ref"].(string); ok {
			target, frag, _ := strings.Cut(ref, "#")
			switch {
			case target == "" && file == "":
				// A reference within openapi.json stays as it is.
			case target == "":
				v["$ref"] = "#/components/schemas/" + file + frag
			default:
				if strings.ContainsAny(target, "/:") {
					return fmt.Errorf("%s: $ref %q: only files beside openapi.json are bundled", orRoot(file), ref)
				}
				if err := b.add(target); err != nil {
					return err
				}
				v["$ref"] = "#/components/schemas/" + target + frag
			}
		}
		for k, x := range v {
			if k == "$ref" {
				continue
			}
			if err := b.rewrite(x, file); err != nil {
				return err
			}
		}
	case []any:
		for _, x := range v {
			if err := b.rewrite(x, file); err != nil {
				return err
			}
		}
	}
	return nil
}

// add puts the schema file name into components.schemas, once.
func (b *bundler) add(name string) error {
	if b.added[name] {
		return nil
	}
	b.added[name] = true
	if _, taken := b.schemas[name]; taken {
		return fmt.Errorf("components.schemas already has %q", name)
	}
	v, err := readJSON(b.fsys, name)
	if err != nil {
		return err
	}
	sch, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("%s is not a schema object", name)
	}
	delete(sch, "$id")
	delete(sch, "$schema")
	b.schemas[name] = sch
	return b.rewrite(sch, name)
}

func readJSON(fsys fs.FS, name string) (any, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("parse %s: %w", name, err)
	}
	return v, nil
}

func orRoot(file string) string {
	if file == "" {
		return "openapi.json"
	}
	return file
}
