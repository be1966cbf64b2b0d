package validate_test

import (
	"bytes"
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
// the schemas compiled as written; a body it accepts must normalise (see
// normalizes).
func FuzzValidate(f *testing.F) {
	for _, tc := range requestCases() {
		f.Add([]byte(tc.body))
	}
	for _, tc := range normalCases() {
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
			if errors.Is(err, validate.ErrNotText) {
				// Not I-JSON (RFC 7493): well-formed JSON may be refused
				// for its text, which then has something to refuse.
				if utf8.Valid(body) && !bytes.Contains(body, []byte(`\u`)) && !bytes.Contains(body, []byte("\xef\xb7")) && !bytes.Contains(body, []byte("\xbf\xbe")) && !bytes.Contains(body, []byte("\xbf\xbf")) {
					t.Fatalf("%s: refused as not text: %v", schema, err)
				}
				continue
			}
			if got, want := errors.Is(err, validate.ErrMalformed), !json.Valid(body); got != want {
				t.Fatalf("%s: malformed=%v but json.Valid=%v (err %v)", schema, got, !want, err)
			}
			if err == nil {
				normalizes(t, v, schema, body)
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

// normalizes fails unless Normalize, given a body that validates, answers a
// body that still validates and that Normalize leaves as it is, or refuses
// it with violations (a number or an instant no Go value holds).
func normalizes(t *testing.T, v *validate.Validator, schema string, body []byte) {
	t.Helper()
	out, err := v.Normalize(schema, body)
	if err != nil {
		var verr *validate.Error
		if !errors.As(err, &verr) || len(verr.Violations) == 0 {
			t.Fatalf("%s: Normalize refused a valid body without violations: %v", schema, err)
		}
		return
	}
	if err := v.Validate(schema, out); err != nil {
		t.Fatalf("%s: the normalised body %s does not validate: %v", schema, out, err)
	}
	again, err := v.Normalize(schema, out)
	if err != nil || !bytes.Equal(again, out) {
		t.Fatalf("%s: normalising %s again gave %s, %v", schema, out, again, err)
	}
}
