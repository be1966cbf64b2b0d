package validate

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// maxToken caps one pointer token: an unknown property name is user input,
// and the pointer to it should not grow with it.
const maxToken = 64

// violation is a Violation with its pointer still as tokens, for sorting.
type violation struct {
	loc []string
	msg string
}

// violations flattens the error tree of the jsonschema package into a sorted,
// de-duplicated, capped list.
func violations(root *jsonschema.ValidationError) []Violation {
	return finish(collect(root, nil))
}

// finish sorts, de-duplicates, caps and renders violations.
func finish(vs []violation) []Violation {
	slices.SortFunc(vs, compareViolation)
	vs = slices.CompactFunc(vs, func(a, b violation) bool { return compareViolation(a, b) == 0 })
	if len(vs) == 0 {
		// Cannot happen for a failed validation, but an *Error must say something.
		vs = []violation{{msg: "is invalid"}}
	}
	if len(vs) > MaxViolations {
		vs = vs[:MaxViolations]
	}
	out := make([]Violation, len(vs))
	for i, v := range vs {
		out[i] = Violation{Pointer: pointer(v.loc), Message: v.msg}
	}
	return out
}

func collect(e *jsonschema.ValidationError, out []violation) []violation {
	loc := e.InstanceLocation
	switch k := e.ErrorKind.(type) {
	case *kind.Schema, *kind.Group, *kind.Reference, *kind.AllOf:
		for _, c := range e.Causes {
			out = collect(c, out)
		}
	case *kind.OneOf:
		if k.Subschemas != nil {
			out = append(out, violation{loc, "matches more than one allowed shape"})
			break
		}
		out = append(out, alternatives(loc, e.Causes)...)
	case *kind.AnyOf:
		out = append(out, alternatives(loc, e.Causes)...)
	case *kind.Required:
		for _, p := range k.Missing {
			out = append(out, violation{child(loc, p), "is required"})
		}
	case *kind.AdditionalProperties:
		for _, p := range k.Properties {
			out = append(out, violation{child(loc, p), "is not allowed"})
		}
	default:
		out = append(out, violation{loc, message(e.ErrorKind)})
	}
	return out
}

// alternatives explains why a value matched none of the subschemas of a oneOf
// or anyOf, given one error per subschema. Our alternatives are told apart by
// a property with a const value ("type" of an operation, "kind" of a
// responsible): a subschema whose const failed was plainly not meant, so only
// the others are explained. If none is left, the const property gets one
// "must be one of" message; if several are, only what they all agree on.
func alternatives(loc []string, causes []*jsonschema.ValidationError) []violation {
	var (
		candidates [][]violation
		wrongType  bool
		tags       []any
		tagLoc     []string
	)
	for _, c := range causes {
		if m := mismatch(c, len(loc)); m != nil {
			switch k := m.ErrorKind.(type) {
			case *kind.Type:
				wrongType = true
			case *kind.Const:
				tags = append(tags, k.Want)
				tagLoc = m.InstanceLocation
			}
			continue
		}
		candidates = append(candidates, collect(c, nil))
	}
	switch {
	case len(candidates) == 1:
		return candidates[0]
	case len(candidates) > 1:
		if common := intersect(candidates); len(common) > 0 {
			return common
		}
	case wrongType:
		// All failed on the type of the value itself: say so once.
		for _, c := range causes {
			if m := mismatch(c, len(loc)); m != nil {
				if _, ok := m.ErrorKind.(*kind.Type); ok {
					return []violation{{loc, message(m.ErrorKind)}}
				}
			}
		}
	case len(tags) > 0:
		return []violation{{tagLoc, "must be one of: " + joinValues(tags)}}
	}
	return []violation{{loc, "does not match any of the allowed shapes"}}
}

// mismatch finds, in the error tree of one alternative, the error that shows
// the alternative does not apply at all: the value is of another type, or a
// property directly under it fails a const.
func mismatch(e *jsonschema.ValidationError, depth int) *jsonschema.ValidationError {
	switch e.ErrorKind.(type) {
	case *kind.Type:
		if len(e.InstanceLocation) == depth {
			return e
		}
	case *kind.Const:
		if len(e.InstanceLocation) == depth+1 {
			return e
		}
	case *kind.Schema, *kind.Group, *kind.Reference, *kind.AllOf:
		for _, c := range e.Causes {
			if m := mismatch(c, depth); m != nil {
				return m
			}
		}
	}
	return nil
}

// intersect returns the violations that every list has.
func intersect(lists [][]violation) []violation {
	var common []violation
	for _, v := range lists[0] {
		inAll := true
		for _, l := range lists[1:] {
			if !slices.ContainsFunc(l, func(w violation) bool { return compareViolation(v, w) == 0 }) {
				inAll = false
				break
			}
		}
		if inAll {
			common = append(common, v)
		}
	}
	return common
}

// message says what a failed keyword wants. It uses only the schema's side
// of the error (Want), never the instance's (Got).
func message(k jsonschema.ErrorKind) string {
	for _, say := range []func(jsonschema.ErrorKind) string{valueMessage, sizeMessage, numberMessage} {
		if m := say(k); m != "" {
			return m
		}
	}
	return "is invalid"
}

// valueMessage says what a keyword about the value's kind and form wants,
// or "" for another keyword.
func valueMessage(k jsonschema.ErrorKind) string {
	switch k := k.(type) {
	case *kind.Type:
		want := make([]string, len(k.Want))
		for i, w := range k.Want {
			want[i] = article(w)
		}
		return "must be " + strings.Join(want, " or ")
	case *kind.Enum:
		return "must be one of: " + joinValues(k.Want)
	case *kind.Const:
		return "must be " + joinValues([]any{k.Want})
	case *kind.Format:
		switch k.Want {
		case "date":
			return "must be a date (YYYY-MM-DD)"
		case "date-time":
			return "must be a date and time (RFC 3339, like 2026-01-31T12:00:00Z)"
		}
		return "must be a valid " + k.Want
	case *kind.Pattern:
		return "must match the pattern " + k.Want
	case *kind.FalseSchema:
		return "is not allowed"
	}
	return ""
}

// sizeMessage says what a keyword about length or count wants, or "".
func sizeMessage(k jsonschema.ErrorKind) string {
	switch k := k.(type) {
	case *kind.MinLength:
		return fmt.Sprintf("must be at least %d characters long", k.Want)
	case *kind.MaxLength:
		return fmt.Sprintf("must be at most %d characters long", k.Want)
	case *kind.MinItems:
		return fmt.Sprintf("must have at least %d item(s)", k.Want)
	case *kind.MaxItems:
		return fmt.Sprintf("must have at most %d item(s)", k.Want)
	case *kind.UniqueItems:
		return fmt.Sprintf("must not repeat an item (items %d and %d are equal)", k.Duplicates[0], k.Duplicates[1])
	case *kind.MinProperties:
		return fmt.Sprintf("must have at least %d field(s)", k.Want)
	case *kind.MaxProperties:
		return fmt.Sprintf("must have at most %d field(s)", k.Want)
	}
	return ""
}

// numberMessage says what a keyword about a number's value wants, or "".
func numberMessage(k jsonschema.ErrorKind) string {
	switch k := k.(type) {
	case *kind.Minimum:
		return "must be at least " + ratString(k.Want)
	case *kind.Maximum:
		return "must be at most " + ratString(k.Want)
	case *kind.ExclusiveMinimum:
		return "must be greater than " + ratString(k.Want)
	case *kind.ExclusiveMaximum:
		return "must be less than " + ratString(k.Want)
	case *kind.MultipleOf:
		return "must be a multiple of " + ratString(k.Want)
	}
	return ""
}

func article(jsonType string) string {
	switch jsonType {
	case "null":
		return "null"
	case "integer", "object", "array":
		return "an " + jsonType
	}
	return "a " + jsonType
}

func ratString(r *big.Rat) string {
	if r == nil {
		return "?"
	}
	if r.IsInt() {
		return r.Num().String()
	}
	return r.FloatString(6)
}

// joinValues renders schema values (enum members, consts) for a message.
func joinValues(vs []any) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		if s, ok := v.(string); ok {
			parts[i] = s
			continue
		}
		b, err := json.Marshal(v)
		if err != nil {
			b = []byte("?")
		}
		parts[i] = string(b)
	}
	return strings.Join(parts, ", ")
}

func child(loc []string, tok string) []string {
	out := make([]string, len(loc), len(loc)+1)
	copy(out, loc)
	return append(out, tok)
}

// pointer renders tokens as an RFC 6901 JSON pointer, shortening any token
// longer than maxToken runes.
func pointer(loc []string) string {
	var sb strings.Builder
	for _, tok := range loc {
		if utf8.RuneCountInString(tok) > maxToken {
			tok = string([]rune(tok)[:maxToken]) + "…"
		}
		sb.WriteByte('/')
		tok = strings.ReplaceAll(tok, "~", "~0")
		tok = strings.ReplaceAll(tok, "/", "~1")
		sb.WriteString(tok)
	}
	return sb.String()
}

// compareViolation orders by location, token by token with array indexes in
// numeric order, then by message.
func compareViolation(a, b violation) int {
	for i := 0; i < len(a.loc) && i < len(b.loc); i++ {
		if c := compareToken(a.loc[i], b.loc[i]); c != 0 {
			return c
		}
	}
	if c := len(a.loc) - len(b.loc); c != 0 {
		return c
	}
	return strings.Compare(a.msg, b.msg)
}

func compareToken(a, b string) int {
	if digits(a) && digits(b) {
		if c := cmp.Compare(len(a), len(b)); c != 0 {
			return c
		}
	}
	return strings.Compare(a, b)
}

// digits reports whether s is a non-empty run of ASCII digits (an array
// index); checked by hand because strconv.Atoi allocates an error for every
// property name, and there may be many.
func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
