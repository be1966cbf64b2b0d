package validate_test

import (
	"errors"
	"testing"
	"testing/fstest"

	"github.com/veikart/veikart/backend/validate"
	"github.com/veikart/veikart/schemas"
)

// MustLiteral compiles the schemas as written, without the rewrites that
// make validation fast.
func MustLiteral(tb testing.TB) *validate.Validator {
	tb.Helper()
	v, err := validate.NewFSLiteral(schemas.FS)
	if err != nil {
		tb.Fatalf("validate.NewFSLiteral: %v", err)
	}
	return v
}

// agree fails if the two validators judge body differently. The messages
// for a failed union may differ; the verdict may not.
func agree(tb testing.TB, fast, literal *validate.Validator, schema string, body []byte) {
	tb.Helper()
	ferr := fast.Validate(schema, body)
	lerr := literal.Validate(schema, body)
	var fv, lv *validate.Error
	if (ferr == nil) != (lerr == nil) || errors.As(ferr, &fv) != errors.As(lerr, &lv) ||
		errors.Is(ferr, validate.ErrMalformed) != errors.Is(lerr, validate.ErrMalformed) {
		tb.Fatalf("%s %q:\n compiled: %v\n literal:  %v", schema, body, ferr, lerr)
	}
}

// The compiled (rewritten) schemas accept and reject exactly what the files
// say. FuzzValidate checks the same on fuzzed bodies.
func TestRewrite_AgreesWithLiteralSchemas(t *testing.T) {
	fast, literal := MustNew(t), MustLiteral(t)
	cases := append(requestCases(), documentCases(t)...)
	for _, tc := range cases {
		agree(t, fast, literal, tc.schema, []byte(tc.body))
	}
	// Union members given as the wrong kind of value.
	for _, body := range []string{
		ops(`"step.add"`), ops(`null`), ops(`[]`), ops(`{"opId":"o","type":null}`),
		ops(`{"opId":"o","type":"step.add","step":{"id":"s","areaId":"a","title":"T","responsible":[],"term":"short"}}`),
		ops(`{"opId":"o","type":"step.add","step":{"id":"s","areaId":"a","title":"T","responsible":null,"term":"short"}}`),
		ops(`{"opId":"o","type":"step.add","step":{"id":"s","areaId":"a","title":"T","responsible":{"kind":1},"term":"short"}}`),
	} {
		agree(t, fast, literal, validate.OperationsRequest, []byte(body))
	}
}

// The rewrite keeps oneOf's meaning for values that are not objects, even
// when the alternatives do not say "type": "object".
func TestRewrite_UntypedAlternatives(t *testing.T) {
	fsys := fstest.MapFS{
		"u.schema.json": {Data: []byte(`{
			"$schema": "https://json-schema.org/draft/2020-12/schema",
			"$id": "https://veikart.no/schemas/u.schema.json",
			"oneOf": [
				{"required": ["k"], "properties": {"k": {"const": "a"}}},
				{"required": ["k"], "properties": {"k": {"const": "b"}, "n": {"type": "integer"}}},
				{"$ref": "#/$defs/c"}
			],
			"$defs": {"c": {"required": ["k"], "properties": {"k": {"const": "c"}}, "type": "object"}}
		}`)},
	}
	fast, err := validate.NewFS(fsys)
	if err != nil {
		t.Fatal(err)
	}
	literal, err := validate.NewFSLiteral(fsys)
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{`{"k":"a"}`, `{"k":"b","n":1}`, `{"k":"b","n":"x"}`, `{"k":"c"}`, `{"k":"d"}`, `{}`, `"a"`, `1`, `null`, `[]`} {
		agree(t, fast, literal, "u.schema.json", []byte(body))
	}
	// A string matches both untyped alternatives, so oneOf rejects it.
	if err := fast.Validate("u.schema.json", []byte(`"a"`)); err == nil {
		t.Error("a string matched more than one alternative, but was accepted")
	}
}
