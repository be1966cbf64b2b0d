package validate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// The schemas and Go's encoding/json do not agree on two kinds of value,
// and a body the schema accepts must never fail to decode (the API would
// answer 500 to input it promised to take). Normalize rewrites, where the
// schema says so, what the schema means into what Go reads:
//
//   - An integer is any number with an integer value (JSON Schema 2020-12,
//     section 6.3 of the validation vocabulary), so 1.0, 1e0 and 10E-1 are
//     all 1; encoding/json refuses anything but digits for an int. Such a
//     number is rewritten as its digits. One outside int64 is refused with a
//     violation: no Go field could hold it (every integer in our schemas has
//     a maximum well below, so this only guards a schema that forgets one).
//   - A date-time is RFC 3339, where "t" and "z" may be lower case and the
//     second may be 60 (a leap second, which the validator allows only at
//     23:59 UTC); time.Time reads neither. Lower case is made upper case.
//     A leap second becomes the first instant after it (23:59:60.5Z becomes
//     00:00:00.5Z of the next day): Go's time, like POSIX time, has no
//     leap seconds, and a clock without them shows that instant when the
//     leap second ends. The alternative, refusing it, would refuse valid
//     RFC 3339 that a client may have taken from a clock that has them; a
//     second's difference matters to none of our fields (expiries). An
//     instant that would fall outside the years 0000 to 9999, in UTC or as
//     written, is refused: responses write times in UTC, and RFC 3339 (and
//     time.Time's MarshalJSON) cannot write such a year.
//
// Dates ("format": "date") decode into strings as they are; the domain
// checks them against the same rule (see veikart.ValidDate).

// maxNormalDepth bounds the walk over schema and value together; our
// request schemas nest well under it.
const maxNormalDepth = 64

// integerType is the "integer" bit of jsonschema.Types.
var integerType = func() jsonschema.Types {
	var t jsonschema.Types
	t.Add("integer")
	return t
}()

// Normalize validates body against the named schema as Validate does and,
// if it conforms, returns it in the form encoding/json decodes to what the
// schema means: integers written as exact-valued decimals (1.0, 1e0) become
// digits, and date-times with a lower-case t or z or a leap second become
// ones time.Time reads (see the comment above for the rules). It returns
// body itself when nothing needed rewriting, which is nearly always. The
// errors are those of Validate, plus *Error for the few values that
// conform but no Go value can hold: an integer outside int64, an instant
// outside the years 0000 to 9999.
func (v *Validator) Normalize(schema string, body []byte) ([]byte, error) {
	sch, doc, err := v.check(schema, body)
	if err != nil {
		return nil, err
	}
	n := normalizer{}
	doc = n.walk(sch, doc, make([]string, 0, 16), 0)
	if len(n.vs) > 0 {
		return nil, &Error{Violations: finish(n.vs)}
	}
	if !n.changed {
		return body, nil
	}
	var buf bytes.Buffer
	buf.Grow(len(body))
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("normalize %s: %w", schema, err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

type normalizer struct {
	changed bool
	vs      []violation
}

// walk returns v, normalised where sch and its applicable subschemas
// say it is an integer or a date-time. It follows the keywords our schemas
// use to reach a value: $ref, allOf, anyOf and oneOf (into the alternatives
// v matches), if/then/else, the switch of rewrite.go, properties,
// patternProperties, additionalProperties, prefixItems and items. Maps and
// slices are changed in place.
func (n *normalizer) walk(sch *jsonschema.Schema, v any, loc []string, depth int) any {
	if sch == nil || depth > maxNormalDepth {
		return v
	}
	depth++
	v = n.applicators(sch, v, loc, depth)
	v = n.switches(sch, v, loc, depth)
	switch x := v.(type) {
	case json.Number:
		if sch.Types != nil && *sch.Types&integerType != 0 {
			return n.integer(x, loc)
		}
	case string:
		if sch.Format != nil && sch.Format.Name == "date-time" {
			return n.dateTime(x, loc)
		}
	case map[string]any:
		n.object(sch, x, loc, depth)
	case []any:
		n.array(sch, x, loc, depth)
	}
	return v
}

// applicators walks v through the subschemas that apply to it as a whole:
// $ref, $dynamicRef, allOf, the anyOf and oneOf alternatives v matches,
// and if/then/else.
func (n *normalizer) applicators(sch *jsonschema.Schema, v any, loc []string, depth int) any {
	v = n.walk(sch.Ref, v, loc, depth)
	if sch.DynamicRef != nil {
		v = n.walk(sch.DynamicRef.Ref, v, loc, depth)
	}
	for _, s := range sch.AllOf {
		v = n.walk(s, v, loc, depth)
	}
	// Normalising never changes whether a value matches a subschema (1.0
	// and 1 are the same number to JSON Schema, and the date-times stay
	// valid), so the order of these checks does not matter.
	for _, alternatives := range [][]*jsonschema.Schema{sch.AnyOf, sch.OneOf} {
		for _, s := range alternatives {
			if s.Validate(v) == nil {
				v = n.walk(s, v, loc, depth)
			}
		}
	}
	if sch.If != nil {
		if sch.If.Validate(v) == nil {
			v = n.walk(sch.Then, v, loc, depth)
		} else {
			v = n.walk(sch.Else, v, loc, depth)
		}
	}
	return v
}

// switches walks v through the case of each switch (rewrite.go) that it
// takes: by its property for an object, else every case it matches.
func (n *normalizer) switches(sch *jsonschema.Schema, v any, loc []string, depth int) any {
	for _, ext := range sch.Extensions {
		sw, ok := ext.(*switchExt)
		if !ok {
			continue
		}
		if obj, ok := v.(map[string]any); ok {
			if value, ok := obj[sw.property].(string); ok {
				v = n.walk(sw.cases[value], v, loc, depth)
			}
			continue
		}
		for _, s := range sw.all {
			if s.Validate(v) == nil {
				v = n.walk(s, v, loc, depth)
			}
		}
	}
	return v
}

// object walks each field of x through properties, patternProperties and
// (for a field neither names) additionalProperties.
func (n *normalizer) object(sch *jsonschema.Schema, x map[string]any, loc []string, depth int) {
	for name, val := range x {
		matched := false
		if s, ok := sch.Properties[name]; ok {
			val = n.walk(s, val, append(loc, name), depth)
			matched = true
		}
		for re, s := range sch.PatternProperties {
			if re.MatchString(name) {
				val = n.walk(s, val, append(loc, name), depth)
				matched = true
			}
		}
		if s, ok := sch.AdditionalProperties.(*jsonschema.Schema); ok && !matched {
			val = n.walk(s, val, append(loc, name), depth)
		}
		x[name] = val
	}
}

// array walks each item of x through prefixItems or items.
func (n *normalizer) array(sch *jsonschema.Schema, x []any, loc []string, depth int) {
	for i := range x {
		s := sch.Items2020
		if i < len(sch.PrefixItems) {
			s = sch.PrefixItems[i]
		}
		if s != nil {
			x[i] = n.walk(s, x[i], append(loc, strconv.Itoa(i)), depth)
		}
	}
}

// integer returns num as digits if it is an integer within int64.
func (n *normalizer) integer(num json.Number, loc []string) any {
	s := string(num)
	if !strings.ContainsAny(s, ".eE") {
		if _, err := strconv.ParseInt(s, 10, 64); err != nil {
			n.outOfRange(s[0] == '-', loc)
		}
		return num
	}
	// The validator has parsed this number as a big.Rat already, so doing
	// it again costs no more than it did.
	r, ok := new(big.Rat).SetString(s)
	if !ok || !r.IsInt() {
		return num // the schema allows other numbers here too
	}
	if !r.Num().IsInt64() {
		n.outOfRange(r.Sign() < 0, loc)
		return num
	}
	n.changed = true
	return json.Number(strconv.FormatInt(r.Num().Int64(), 10))
}

func (n *normalizer) outOfRange(negative bool, loc []string) {
	msg := "must be at most " + strconv.FormatInt(int64(^uint64(0)>>1), 10)
	if negative {
		msg = "must be at least " + strconv.FormatInt(-1<<63, 10)
	}
	n.vs = append(n.vs, violation{loc: clone(loc), msg: msg})
}

// dateTime returns s, a date-time the validator has accepted, in the form
// time.Time reads.
func (n *normalizer) dateTime(s string, loc []string) any {
	if len(s) < len("2006-01-02T15:04:05Z") {
		return s // not valid; cannot happen after validation
	}
	// A valid date-time holds digits, "-", ":", ".", "+" and t or z in
	// either case: upper-casing changes only those two.
	u := strings.ToUpper(s)
	leap := u[17:19] == "60"
	if leap {
		u = u[:17] + "59" + u[19:]
	}
	t, err := time.Parse(time.RFC3339, u)
	if err != nil {
		n.vs = append(n.vs, violation{loc: clone(loc), msg: message(&kind.Format{Want: "date-time"})})
		return s
	}
	if leap {
		t = t.Add(time.Second)
	}
	if y, yu := t.Year(), t.UTC().Year(); y < 0 || y > 9999 || yu < 0 || yu > 9999 {
		n.vs = append(n.vs, violation{loc: clone(loc), msg: "must be a date and time within the years 0000 to 9999, in UTC too"})
		return s
	}
	switch {
	case leap:
		n.changed = true
		return t.Format(time.RFC3339Nano)
	case u != s:
		n.changed = true
		return u
	}
	return s
}
