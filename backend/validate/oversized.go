package validate

import (
	"fmt"
	"strconv"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// maxWalkDepth bounds the pre-check's recursion; deeper values are left to
// the full validation.
const maxWalkDepth = 32

// oversized finds the arrays in v that are longer than their schema's
// maxItems, following only properties, items, $ref, allOf and the switch
// of rewrite.go. The jsonschema package would validate every item of such
// an array before reporting that there are too many: for a 1 MB body of
// operations, most of a second of work that ends in a rejection anyway.
// Validate rejects such a body on this cheap pass alone.
func oversized(sch *jsonschema.Schema, v any) []violation {
	var out []violation
	// Children append to one shared backing array: a path is only copied
	// when it is reported.
	walkOversized(sch, v, make([]string, 0, maxWalkDepth+1), &out, 0)
	return out
}

func walkOversized(sch *jsonschema.Schema, v any, loc []string, out *[]violation, depth int) {
	if sch == nil || depth > maxWalkDepth {
		return
	}
	walkOversized(sch.Ref, v, loc, out, depth+1)
	for _, s := range sch.AllOf {
		walkOversized(s, v, loc, out, depth+1)
	}
	switch v := v.(type) {
	case []any:
		if sch.MaxItems != nil && len(v) > *sch.MaxItems {
			*out = append(*out, violation{loc: clone(loc), msg: fmt.Sprintf("must have at most %d item(s)", *sch.MaxItems)})
			return
		}
		if sch.Items2020 != nil {
			for i, x := range v {
				walkOversized(sch.Items2020, x, append(loc, strconv.Itoa(i)), out, depth+1)
			}
		}
	case map[string]any:
		for name, s := range sch.Properties {
			if x, ok := v[name]; ok {
				walkOversized(s, x, append(loc, name), out, depth+1)
			}
		}
		for _, ext := range sch.Extensions {
			sw, ok := ext.(*switchExt)
			if !ok {
				continue
			}
			if value, ok := v[sw.property].(string); ok {
				walkOversized(sw.cases[value], v, loc, out, depth+1)
			}
		}
	}
}

func clone(loc []string) []string {
	return append([]string(nil), loc...)
}
