// Package validate checks request bodies against the JSON Schemas in package
// schemas, the API's wire contract.
//
// The schemas are compiled once, by New, with format assertions on (so
// "date" and "date-time" are checked, not just noted). A Validator is safe
// for concurrent use. Validation failures come back as *Error: a list of
// violations, each a JSON pointer into the body and a short English message
// that names the rule broken but never repeats the submitted value, so a
// handler may send the list to the client as it is. Normalize validates and
// then rewrites the few values the schemas accept in a form Go's
// encoding/json refuses (an integer written 1.0, a date-time with a
// lower-case t), so that a body that validates always decodes.
package validate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/veikart/veikart/schemas"
)

// BaseURL is the base of every schema's $id: a schema file named f has the
// $id BaseURL+f.
const BaseURL = "https://veikart.no/schemas/"

// The schema names of the request bodies, for Validate.
const (
	CreateRoadmapRequest = "create-roadmap-request.schema.json"
	OperationsRequest    = "operations-request.schema.json"
	DevLoginRequest      = "dev-login-request.schema.json"
	// RefreshRequest is the body of both refresh and logout.
	RefreshRequest = "refresh-request.schema.json"
)

// MaxViolations caps how many violations one *Error lists, so that a large
// bad body cannot produce a larger error response.
const MaxViolations = 50

// ErrMalformed is wrapped by the error Validate returns when the body is not
// one well-formed JSON value.
var ErrMalformed = errors.New("malformed JSON")

// ErrNotText is wrapped (with ErrMalformed) by the error for a body that is
// JSON but not I-JSON text: not UTF-8, or with a surrogate or noncharacter.
var ErrNotText = fmt.Errorf("%w: not I-JSON text", ErrMalformed)

// Violation is one way in which a body breaks its schema.
type Violation struct {
	// Pointer is a JSON pointer (RFC 6901) into the body; "" is the whole body.
	Pointer string `json:"pointer"`
	// Message says what is wrong, in short English, without the value sent.
	Message string `json:"message"`
}

// Error is returned by Validate when a well-formed body does not conform to
// its schema. Violations is sorted by pointer and never empty.
type Error struct {
	Violations []Violation
}

// Error lists the violations on one line.
func (e *Error) Error() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "validate: %d violation(s)", len(e.Violations))
	for i, v := range e.Violations {
		sep := "; "
		if i == 0 {
			sep = ": "
		}
		ptr := v.Pointer
		if ptr == "" {
			ptr = "(body)"
		}
		fmt.Fprintf(&sb, "%s%s %s", sep, ptr, v.Message)
	}
	return sb.String()
}

// Validator holds the compiled schemas. The zero value is not usable; call New.
type Validator struct {
	schemas map[string]*jsonschema.Schema
}

// New compiles every *.schema.json file in schemas.FS. It fails if any file
// does not parse, does not compile, or has an $id other than BaseURL plus its
// file name.
func New() (*Validator, error) {
	return NewFS(schemas.FS)
}

// NewFS is New for the *.schema.json files at the root of fsys; tests use it
// to compile schemas that are not (yet) in package schemas.
func NewFS(fsys fs.FS) (*Validator, error) {
	return newFS(fsys, true)
}

// newFS compiles the schemas in fsys; fast compiles them in the rewritten
// form that validates faster and accepts the same (see inline and
// discriminate in rewrite.go).
func newFS(fsys fs.FS, fast bool) (*Validator, error) {
	names, err := fs.Glob(fsys, "*.schema.json")
	if err != nil {
		return nil, fmt.Errorf("list schemas: %w", err)
	}
	if len(names) == 0 {
		return nil, errors.New("no *.schema.json files")
	}
	docs := make(map[string]any, len(names))
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read schema %s: %w", name, err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("parse schema %s: %w", name, err)
		}
		obj, _ := doc.(map[string]any)
		if id, _ := obj["$id"].(string); id != BaseURL+name {
			return nil, fmt.Errorf("schema %s: $id is %q, want %q", name, id, BaseURL+name)
		}
		docs[name] = doc
	}
	if fast {
		inline(docs)
		for _, doc := range docs {
			discriminate(doc)
		}
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	// Every schema is added below; a $ref to anything else is an error in the
	// schemas, never a reason to reach for the network or the disk.
	c.UseLoader(jsonschema.SchemeURLLoader{})
	if fast {
		vocab, err := switchVocab()
		if err != nil {
			return nil, fmt.Errorf("switch vocabulary: %w", err)
		}
		c.RegisterVocabulary(vocab)
		c.AssertVocabs()
	}
	for _, name := range names {
		if err := c.AddResource(BaseURL+name, docs[name]); err != nil {
			return nil, fmt.Errorf("add schema %s: %w", name, err)
		}
	}
	v := &Validator{schemas: make(map[string]*jsonschema.Schema, len(names))}
	for _, name := range names {
		sch, err := c.Compile(BaseURL + name)
		if err != nil {
			return nil, fmt.Errorf("compile schema %s: %w", name, err)
		}
		v.schemas[name] = sch
	}
	return v, nil
}

// Schemas returns the names of the compiled schemas, sorted.
func (v *Validator) Schemas() []string {
	names := make([]string, 0, len(v.schemas))
	for name := range v.schemas {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Validate checks body, raw JSON bytes, against the named schema file (for
// example OperationsRequest). It returns nil if the body conforms; an error
// wrapping ErrMalformed if the body is not one well-formed JSON value; *Error
// listing the violations if it is JSON that does not conform (if an array is
// longer than its schema allows, only that is listed, and the items are not
// validated); and any other error only for a schema name that does not
// exist, which is a bug in the caller.
func (v *Validator) Validate(schema string, body []byte) error {
	_, _, err := v.check(schema, body)
	return err
}

// check is Validate, returning the compiled schema and the decoded body
// for Normalize.
func (v *Validator) check(schema string, body []byte) (*jsonschema.Schema, any, error) {
	sch, ok := v.schemas[schema]
	if !ok {
		return nil, nil, fmt.Errorf("validate: unknown schema %q", schema)
	}
	// UnmarshalJSON keeps numbers as json.Number, so bounds are checked on
	// the number that was sent, not on a float64 rounding of it.
	if err := checkText(body); err != nil {
		return nil, nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return nil, nil, malformed(err)
	}
	if vs := oversized(sch, doc); len(vs) > 0 {
		return nil, nil, &Error{Violations: finish(vs)}
	}
	if err := sch.Validate(doc); err != nil {
		var verr *jsonschema.ValidationError
		if !errors.As(err, &verr) {
			return nil, nil, fmt.Errorf("validate %s: %w", schema, err)
		}
		return nil, nil, &Error{Violations: violations(verr)}
	}
	return sch, doc, nil
}

// malformed turns a decoding error into one that wraps ErrMalformed and says
// where, without quoting the body (encoding/json's messages quote a byte).
func malformed(err error) error {
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &syn):
		return fmt.Errorf("%w: syntax error at byte %d", ErrMalformed, syn.Offset)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%w: unexpected end of body", ErrMalformed)
	default:
		// jsonschema.UnmarshalJSON's own error for data after the value.
		return fmt.Errorf("%w: more than one top-level value", ErrMalformed)
	}
}
