package validate

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// switchKeyword is the keyword discriminate writes in place of a
// discriminated oneOf. It exists only in the compiled form, never in the
// files.
const switchKeyword = "x-veikart-switch"

// switchVocab makes the compiler understand switchKeyword:
//
//	"x-veikart-switch": {"property": "type", "cases": {"a": schemaA, ...}}
//
// validates an object against the case that its property names. Objects
// without the property, or with a value that names no case, pass: the
// "required" and "enum" that discriminate puts beside the keyword reject
// them, with clearer messages. Any other value is checked as oneOf would:
// it must match exactly one case.
func switchVocab() (*jsonschema.Vocabulary, error) {
	const url = "https://veikart.no/schemas/internal/switch-vocabulary"
	meta, err := jsonschema.UnmarshalJSON(strings.NewReader(`{
		"properties": {
			"` + switchKeyword + `": {
				"type": "object",
				"required": ["property", "cases"],
				"properties": {
					"property": {"type": "string"},
					"cases": {"type": "object", "additionalProperties": {"type": ["object", "boolean"]}}
				}
			}
		}
	}`))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(url, meta); err != nil {
		return nil, err
	}
	sch, err := c.Compile(url)
	if err != nil {
		return nil, err
	}
	return &jsonschema.Vocabulary{
		URL:    url,
		Schema: sch,
		Subschemas: []jsonschema.SchemaPath{
			{jsonschema.Prop(switchKeyword), jsonschema.Prop("cases"), jsonschema.AllProp{}},
		},
		Compile: compileSwitch,
	}, nil
}

type switchExt struct {
	property string
	cases    map[string]*jsonschema.Schema
	all      []*jsonschema.Schema // the cases in the order of their values
}

func compileSwitch(ctx *jsonschema.CompilerContext, obj map[string]any) (jsonschema.SchemaExt, error) {
	raw, ok := obj[switchKeyword]
	if !ok {
		return nil, nil
	}
	sw, _ := raw.(map[string]any)
	property, _ := sw["property"].(string)
	cases, _ := sw["cases"].(map[string]any)
	if property == "" || len(cases) == 0 {
		return nil, fmt.Errorf("%s: needs a property and cases", switchKeyword)
	}
	ext := &switchExt{property: property, cases: make(map[string]*jsonschema.Schema, len(cases))}
	values := make([]string, 0, len(cases))
	for value := range cases {
		values = append(values, value)
	}
	slices.Sort(values)
	for _, value := range values {
		sch := ctx.Enqueue([]string{switchKeyword, "cases", value})
		ext.cases[value] = sch
		ext.all = append(ext.all, sch)
	}
	return ext, nil
}

// Validate implements jsonschema.SchemaExt.
func (s *switchExt) Validate(ctx *jsonschema.ValidatorContext, v any) {
	obj, ok := v.(map[string]any)
	if !ok {
		s.oneOf(ctx, v)
		return
	}
	value, ok := obj[s.property].(string)
	if !ok {
		return
	}
	sch, ok := s.cases[value]
	if !ok {
		return
	}
	if err := ctx.Validate(sch, v, nil); err != nil {
		ctx.AddErr(err)
	}
}

// oneOf validates v as {"oneOf": cases} does.
func (s *switchExt) oneOf(ctx *jsonschema.ValidatorContext, v any) {
	matched := -1
	var errs []*jsonschema.ValidationError
	for i, sch := range s.all {
		err := ctx.Validate(sch, v, nil)
		if err == nil {
			if matched >= 0 {
				ctx.AddError(&kind.OneOf{Subschemas: []int{matched, i}})
				return
			}
			matched = i
			continue
		}
		var verr *jsonschema.ValidationError
		if errors.As(err, &verr) {
			errs = append(errs, verr)
		}
	}
	if matched < 0 {
		ctx.AddErrors(errs, &kind.OneOf{})
	}
}
