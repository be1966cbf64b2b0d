package validate_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/veikart/veikart/backend/validate"
)

var requestSchemas = []string{
	validate.OperationsRequest,
	validate.CreateRoadmapRequest,
	validate.DevLoginRequest,
	validate.RefreshRequest,
}

// FuzzValidate feeds arbitrary bytes to every request schema. Validate must
// never panic, must call a body malformed exactly when encoding/json does,
// must otherwise answer nil or a well-formed *Error, and must agree with
// the schemas compiled as written.
func FuzzValidate(f *testing.F) {
	for _, tc := range requestCases() {
		f.Add([]byte(tc.body))
	}
	for _, s := range []string{"", "{", "null", "[]", `{"operations":[{}]}`, "\xff", `{"a":1}{}`, "1e999", `"\ud800"`, strings.Repeat("[", 5000)} {
		f.Add([]byte(s))
	}
	v, literal := MustNew(f), MustLiteral(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, schema := range requestSchemas {
			agree(t, v, literal, schema, body)
			err := v.Validate(schema, body)
			if got, want := errors.Is(err, validate.ErrMalformed), !json.Valid(body); got != want {
				t.Fatalf("%s: malformed=%v but json.Valid=%v (err %v)", schema, got, !want, err)
			}
			if err == nil || errors.Is(err, validate.ErrMalformed) {
				continue
			}
			var verr *validate.Error
			if !errors.As(err, &verr) {
				t.Fatalf("%s: unexpected error type %T: %v", schema, err, err)
			}
			if len(verr.Violations) == 0 || len(verr.Violations) > validate.MaxViolations {
				t.Fatalf("%s: %d violations", schema, len(verr.Violations))
			}
			for _, vi := range verr.Violations {
				if vi.Pointer != "" && !strings.HasPrefix(vi.Pointer, "/") {
					t.Fatalf("%s: pointer %q is not a JSON pointer", schema, vi.Pointer)
				}
				// Limits of the problem document's errors[] items.
				if len(vi.Pointer) > 1000 || vi.Message == "" || len(vi.Message) > 500 || !utf8.ValidString(vi.Message) {
					t.Fatalf("%s: bad violation %+v", schema, vi)
				}
			}
		}
	})
}
