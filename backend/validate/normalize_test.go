package validate_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"testing/fstest"
	"time"

	"github.com/veikart/veikart/backend/validate"
)

const grantRequest = "create-grant-request.schema.json"

func grantBody(expiresAt string) string {
	return `{"agencyId":"nav","expiresAt":"` + expiresAt + `","permissions":["view"],"purpose":"p","sections":["household"]}`
}

// normalCase is a body and what Normalize makes of it: the body it returns
// (keys sorted, as encoding/json writes them), or the pointers of the
// violations.
type normalCase struct {
	name, schema, body string
	want               string   // "" when violations are expected
	violations         []string // pointers
}

func normalCases() []normalCase {
	or := validate.OperationsRequest
	setTitle := func(baseVersion string) string {
		return `{"operations":[{"baseVersion":` + baseVersion + `,"opId":"o1","title":"T","type":"roadmap.setTitle"}]}`
	}
	return []normalCase{
		{"IntegerWithFractionZero", or, setTitle("1.0"), setTitle("1"), nil},
		{"IntegerWithExponent", or, setTitle("1e0"), setTitle("1"), nil},
		{"IntegerWithNegativeExponent", or, setTitle("10E-1"), setTitle("1"), nil},
		{"IntegerAsFraction", or, setTitle("0.1e1"), setTitle("1"), nil},
		{"NegativeZero", or, setTitle("-0.0"), setTitle("0"), nil},
		{"LargestSafeIntegerWithFraction", or, setTitle("9007199254740991.0"), setTitle("9007199254740991"), nil},
		{"NotAnInteger", or, setTitle("1.5"), "", []string{"/operations/0/baseVersion"}},
		{"TooLarge", or, setTitle("1e400"), "", []string{"/operations/0/baseVersion"}},
		{"IntegerInsidePatch", or,
			`{"operations":[{"areaId":"housing","baseVersion":1,"opId":"o1","set":{"scoreDesired":50E-1,"scoreNow":2.0},"type":"area.update"}]}`,
			`{"operations":[{"areaId":"housing","baseVersion":1,"opId":"o1","set":{"scoreDesired":5,"scoreNow":2},"type":"area.update"}]}`, nil},
		{"IntegerInsideArrayItem", or,
			`{"operations":[{"opId":"o1","step":{"areaId":"a","id":"s1","reminders":[{"at":"09:00","daysBefore":3.0}],"responsible":{"kind":"household"},"term":"short","title":"T"},"type":"step.add"}]}`,
			`{"operations":[{"opId":"o1","step":{"areaId":"a","id":"s1","reminders":[{"at":"09:00","daysBefore":3}],"responsible":{"kind":"household"},"term":"short","title":"T"},"type":"step.add"}]}`, nil},
		{"NullableInteger", or,
			`{"operations":[{"baseVersion":1,"memberId":"m1","opId":"o1","set":{"birthYear":1.99e3},"type":"member.update"}]}`,
			`{"operations":[{"baseVersion":1,"memberId":"m1","opId":"o1","set":{"birthYear":1990},"type":"member.update"}]}`, nil},
		// Text keeps its case and its characters, even when something
		// else in the body is rewritten.
		{"TextIsNotADateTime", or,
			`{"operations":[{"baseVersion":1.0,"opId":"o1","title":"2027-03-03t10:00:00z <b>&","type":"roadmap.setTitle"}]}`,
			`{"operations":[{"baseVersion":1,"opId":"o1","title":"2027-03-03t10:00:00z <b>&","type":"roadmap.setTitle"}]}`, nil},
		{"LowerCaseT", grantRequest, grantBody("2027-03-03t10:00:00Z"), grantBody("2027-03-03T10:00:00Z"), nil},
		{"LowerCaseZ", grantRequest, grantBody("2027-03-03T10:00:00.25z"), grantBody("2027-03-03T10:00:00.25Z"), nil},
		{"LeapSecond", grantRequest, grantBody("2026-12-31T23:59:60Z"), grantBody("2027-01-01T00:00:00Z"), nil},
		{"LeapSecondWithFraction", grantRequest, grantBody("2026-12-31t23:59:60.5z"), grantBody("2027-01-01T00:00:00.5Z"), nil},
		{"LeapSecondWithOffset", grantRequest, grantBody("2027-01-01T00:59:60+01:00"), grantBody("2027-01-01T01:00:00+01:00"), nil},
		{"LeapSecondIntoYear10000", grantRequest, grantBody("9999-12-31T23:59:60Z"), "", []string{"/expiresAt"}},
		{"YearMinusOneInUTC", grantRequest, grantBody("0000-01-01T00:00:00+01:00"), "", []string{"/expiresAt"}},
		{"YearZeroInUTC", grantRequest, grantBody("0000-01-01T00:00:00Z"), grantBody("0000-01-01T00:00:00Z"), nil},
		{"LeapSecondNotAt2359UTC", grantRequest, grantBody("2026-06-30T12:59:60Z"), "", []string{"/expiresAt"}},
		{"DateIsNotADateTime", grantRequest, grantBody("0000-01-01"), "", []string{"/expiresAt"}},
	}
}

func TestNormalize(t *testing.T) {
	v := MustNew(t)
	for _, tc := range normalCases() {
		t.Run(tc.name, func(t *testing.T) {
			out, err := v.Normalize(tc.schema, []byte(tc.body))
			if tc.violations != nil {
				var verr *validate.Error
				if !errors.As(err, &verr) {
					t.Fatalf("got %s, %v; want violations at %v", out, err, tc.violations)
				}
				var got []string
				for _, vi := range verr.Violations {
					got = append(got, vi.Pointer)
				}
				if !slices.Equal(got, tc.violations) {
					t.Fatalf("violations %+v, want at %v", verr.Violations, tc.violations)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tc.want {
				t.Fatalf("got  %s\nwant %s", out, tc.want)
			}
			if err := v.Validate(tc.schema, out); err != nil {
				t.Fatalf("the normalised body does not validate: %v", err)
			}
		})
	}
}

// A body with nothing to rewrite comes back as it was sent: the same bytes,
// not a copy, so that the common case costs no more than Validate.
func TestNormalize_NothingToRewriteReturnsTheBody(t *testing.T) {
	v := MustNew(t)
	for _, tc := range requestCases() {
		body := []byte(tc.body)
		out, err := v.Normalize(tc.schema, body)
		if (err == nil) != (tc.want == nil) {
			t.Fatalf("%s: Normalize %v, want violations %v", tc.name, err, tc.want)
		}
		if err != nil {
			continue
		}
		if bytes.Equal(out, body) && len(body) > 0 && &out[0] != &body[0] {
			t.Errorf("%s: Normalize copied a body it did not change", tc.name)
		}
		if !bytes.Equal(out, body) && canonical(t, out) == canonical(t, body) {
			t.Errorf("%s: Normalize rewrote a body only to reorder it: %s", tc.name, out)
		}
	}
}

// canonical is body with its keys sorted and its numbers and strings as
// they were written.
func canonical(tb testing.TB, body []byte) string {
	tb.Helper()
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		tb.Fatal(err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// The normalised body decodes into Go values, exactly.
func TestNormalize_DecodesIntoGoTypes(t *testing.T) {
	v := MustNew(t)
	out, err := v.Normalize(grantRequest, []byte(grantBody("2026-12-31t23:59:60.5z")))
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		AgencyID, Purpose     string
		Sections, Permissions []string
		ExpiresAt             time.Time
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&g); err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2027, 1, 1, 0, 0, 0, 5e8, time.UTC); !g.ExpiresAt.Equal(want) {
		t.Fatalf("expiresAt %s, want %s", g.ExpiresAt, want)
	}
	out, err = v.Normalize(validate.OperationsRequest, []byte(`{"operations":[{"opId":"o1","type":"roadmap.setTitle","baseVersion":4.0e0,"title":"T"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	var ops struct {
		Operations []struct {
			OpID, Type, Title string
			BaseVersion       int64
		}
	}
	dec = json.NewDecoder(bytes.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ops); err != nil || ops.Operations[0].BaseVersion != 4 {
		t.Fatalf("%+v, %v", ops, err)
	}
}

// Normalize reaches integers and date-times through every keyword that can
// lead to them, and refuses an integer no int64 holds where the schema sets
// no bound.
func TestNormalize_EveryWayToAValue(t *testing.T) {
	fsys := fstest.MapFS{"n.schema.json": {Data: []byte(`{
		"$id": "` + validate.BaseURL + `n.schema.json",
		"type": "object",
		"properties": {
			"a": {"oneOf": [{"type": "integer"}, {"type": "string", "format": "date-time"}]},
			"b": {"prefixItems": [{"type": "integer"}], "items": {"type": "string", "format": "date-time"}},
			"c": {"if": {"type": "integer"}, "then": {"minimum": 0}, "else": {"format": "date-time"}},
			"d": {"anyOf": [{"$ref": "#/$defs/int"}]},
			"n": {"type": "integer"}
		},
		"patternProperties": {"^p": {"type": "integer"}},
		"additionalProperties": {"type": "string", "format": "date-time"},
		"$defs": {"int": {"type": ["integer", "null"]}}
	}`)}}
	v, err := validate.NewFS(fsys)
	if err != nil {
		t.Fatal(err)
	}
	out, err := v.Normalize("n.schema.json", []byte(`{"a":2.0,"b":[3e0,"2027-01-01t00:00:00z"],"c":"2027-01-01t00:00:00z","d":5.0,"p1":4.0,"x":"2027-01-01t00:00:00z"}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"a":2,"b":[3,"2027-01-01T00:00:00Z"],"c":"2027-01-01T00:00:00Z","d":5,"p1":4,"x":"2027-01-01T00:00:00Z"}`; string(out) != want {
		t.Fatalf("got  %s\nwant %s", out, want)
	}
	for body, msg := range map[string]string{
		`{"n":9223372036854775808}`:  "must be at most 9223372036854775807",
		`{"n":1e19}`:                 "must be at most 9223372036854775807",
		`{"n":-9223372036854775809}`: "must be at least -9223372036854775808",
	} {
		_, err := v.Normalize("n.schema.json", []byte(body))
		var verr *validate.Error
		if !errors.As(err, &verr) || len(verr.Violations) != 1 || verr.Violations[0] != (validate.Violation{Pointer: "/n", Message: msg}) {
			t.Errorf("%s: %v, want %q at /n", body, err, msg)
		}
	}
	if out, err := v.Normalize("n.schema.json", []byte(`{"n":-9223372036854775808}`)); err != nil || string(out) != `{"n":-9223372036854775808}` {
		t.Errorf("the smallest int64: %s, %v", out, err)
	}
}

// BenchmarkNormalize is what Server.decode pays per body, against
// BenchmarkValidate: the walk that finds nothing to rewrite (the usual
// case), and one that rewrites every baseVersion.
func BenchmarkNormalize(b *testing.B) {
	v := MustNew(b)
	body := body4K(b)
	rewritten := bytes.ReplaceAll(body, []byte(`"baseVersion":3`), []byte(`"baseVersion":3.0`))
	for name, body := range map[string][]byte{"Unchanged": body, "Rewritten": rewritten} {
		b.Run(fmt.Sprintf("%s%dB", name, len(body)), func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Normalize(validate.OperationsRequest, body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
