// Package openapitest checks real HTTP responses against the API's contract,
// schemas/openapi.json and the JSON Schemas it references, for API tests.
//
// It uses an OpenAPI validator independent of the server's own request
// validator (package validate, built on santhosh-tekuri/jsonschema):
// github.com/pb33f/libopenapi loads and resolves the document and
// github.com/pb33f/libopenapi-validator matches each response to its route,
// status and media type and validates the body and headers. A mistake in
// how one of them reads the schemas is then unlikely to hide in both.
//
// The document and the schema files refer to each other by relative $ref
// (resolved, per JSON Schema, against each file's $id under
// https://veikart.no/schemas/). libopenapi v0.42.4 with libopenapi-validator
// v0.16.2 resolves such references when the files are served to it, but
// then fails to compile a response schema that is the root of a file with
// references of its own ("schema node was not found in its root
// document"). So New bundles the files into one document in memory first
// (see bundle) and gives libopenapi that.
package openapitest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	oaerrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	"github.com/pb33f/libopenapi/datamodel"
	"github.com/pb33f/libopenapi/datamodel/high/base"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
	"github.com/pb33f/libopenapi/orderedmap"

	"github.com/veikart/veikart/schemas"
)

// Checker checks responses against the OpenAPI document. It is safe for
// concurrent use by parallel tests.
type Checker struct {
	*loaded
}

// loaded is the parsed document and its validator, built once per process.
type loaded struct {
	mu    sync.Mutex // the validator's caches are not documented as safe for concurrent use
	v     validator.Validator
	model *v3.Document
}

var (
	loadOnce   sync.Once
	loadResult *loaded
	loadErr    error
)

// New loads schemas/openapi.json and the schema files it references from
// schemas.FS. Loading happens once per test binary; later calls share it.
// It stops tb if the document does not load or is not valid OpenAPI 3.1.
func New(tb testing.TB) *Checker {
	tb.Helper()
	loadOnce.Do(func() { loadResult, loadErr = load() })
	if loadErr != nil {
		tb.Fatalf("openapitest: %v", loadErr)
	}
	return &Checker{loadResult}
}

func load() (*loaded, error) {
	spec, err := bundle(schemas.FS)
	if err != nil {
		return nil, err
	}
	var mu sync.Mutex
	var refErrs []string
	cfg := &datamodel.DocumentConfiguration{
		// libopenapi logs a reference it cannot resolve and carries on;
		// collect those and fail instead, or a typo in a $ref would make
		// a schema silently accept anything.
		Logger: slog.New(&errorCollector{mu: &mu, errs: &refErrs}),
	}
	doc, err := libopenapi.NewDocumentWithConfiguration(spec, cfg)
	if err != nil {
		return nil, fmt.Errorf("parse openapi.json: %w", err)
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		return nil, fmt.Errorf("build openapi.json: %w", err)
	}
	v, errs := validator.NewValidator(doc,
		config.WithFormatAssertions(),
		// The API tests send requests without tokens on purpose; only
		// responses are checked here.
		config.WithoutSecurityValidation(),
	)
	if len(errs) > 0 {
		return nil, fmt.Errorf("openapi.json: %w", errors.Join(errs...))
	}
	mu.Lock()
	defer mu.Unlock()
	if len(refErrs) > 0 {
		return nil, fmt.Errorf("resolve openapi.json: %s", strings.Join(refErrs, "; "))
	}
	if ok, errs := v.ValidateDocument(); !ok {
		return nil, fmt.Errorf("openapi.json is not valid OpenAPI: %s", joinErrors(errs))
	}
	return &loaded{v: v, model: &model.Model}, nil
}

// Check fails tb (with tb.Errorf, so the test goes on) if resp does not
// match what the OpenAPI document declares for req's method and path: the
// status must be declared (a method and path that the document does not
// declare may only be answered with a 404 or 405 problem, or a 429 one under
// /api/v1, whose rate limit runs before routing); a declared body must come with a declared media
// type and match its schema; a status declared without a body must have
// none; declared response headers must be present and valid; and a problem
// body's status must be the response's status. resp.Body can be read again
// afterwards.
func (c *Checker) Check(tb testing.TB, req *http.Request, resp *http.Response) {
	tb.Helper()
	if req == nil || resp == nil {
		tb.Errorf("openapitest: Check needs a request and a response")
		return
	}
	where := fmt.Sprintf("%s %s -> %d", req.Method, req.URL.Path, resp.StatusCode)

	var body []byte
	if resp.Body != nil && resp.Body != http.NoBody {
		var err error
		body, err = io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			tb.Errorf("openapitest: %s: read body: %v", where, err)
		}
	}
	restore := func() { resp.Body = io.NopCloser(bytes.NewReader(body)) }
	restore()
	defer restore()

	for _, msg := range c.ownChecks(req, resp, body) {
		tb.Errorf("openapitest: %s: %s", where, msg)
	}

	if c.operation(req) == nil {
		// No route: the server's router answers, and the contract allows
		// only a problem with 404 (no such path) or 405 (no such method),
		// or 429 under /api/v1, whose rate limit counts before routing.
		limited := resp.StatusCode == http.StatusTooManyRequests && strings.HasPrefix(req.URL.Path, "/api/v1/")
		if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusMethodNotAllowed && !limited {
			tb.Errorf("openapitest: %s: openapi.json has no %s %s, so only 404 or 405 (or 429 under /api/v1) may answer it", where, req.Method, req.URL.Path)
			return
		}
		for _, msg := range c.checkProblem(resp, body) {
			tb.Errorf("openapitest: %s: %s", where, msg)
		}
		return
	}

	c.mu.Lock()
	ok, errs := c.v.ValidateHttpResponse(req, resp)
	c.mu.Unlock()
	if !ok {
		for _, e := range errs {
			tb.Errorf("openapitest: %s: %s", where, describe(e))
		}
		if len(errs) == 0 {
			tb.Errorf("openapitest: %s: does not match openapi.json", where)
		}
	}
}

// checkProblem checks that resp is a valid problem document.
func (c *Checker) checkProblem(resp *http.Response, body []byte) []string {
	if mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err != nil || mt != "application/problem+json" {
		return []string{fmt.Sprintf("Content-Type is %q, want application/problem+json", resp.Header.Get("Content-Type"))}
	}
	var schema *base.Schema
	if c.model.Components != nil {
		if proxy := c.model.Components.Schemas.GetOrZero("Problem"); proxy != nil {
			schema = proxy.Schema()
		}
	}
	if schema == nil {
		return []string{"openapi.json has no components.schemas.Problem"}
	}
	c.mu.Lock()
	ok, errs := schema_validation.NewSchemaValidator(config.WithFormatAssertions()).ValidateSchemaBytes(schema, body)
	c.mu.Unlock()
	if ok {
		return nil
	}
	msgs := make([]string, 0, len(errs))
	for _, e := range errs {
		msgs = append(msgs, "problem body: "+describe(e))
	}
	if len(msgs) == 0 {
		msgs = append(msgs, "problem body does not match problem.schema.json")
	}
	return msgs
}

// ownChecks covers what libopenapi-validator leaves out: a body where the
// document declares none, a body without a Content-Type, and a problem
// whose status differs from the response's.
func (c *Checker) ownChecks(req *http.Request, resp *http.Response, body []byte) []string {
	var msgs []string
	ct := resp.Header.Get("Content-Type")
	if len(body) > 0 && ct == "" {
		msgs = append(msgs, "body without a Content-Type")
	}
	if op := c.operation(req); op != nil && op.Responses != nil {
		if r := op.Responses.Codes.GetOrZero(strconv.Itoa(resp.StatusCode)); r != nil && orderedmap.Len(r.Content) == 0 && len(body) > 0 {
			msgs = append(msgs, fmt.Sprintf("status %d is declared without a body, but the response has %d bytes", resp.StatusCode, len(body)))
		}
	}
	if mt, _, err := mime.ParseMediaType(ct); err == nil && mt == "application/problem+json" && len(body) > 0 {
		var p struct {
			Status *json.Number `json:"status"`
		}
		if err := json.Unmarshal(body, &p); err == nil && p.Status != nil && p.Status.String() != strconv.Itoa(resp.StatusCode) {
			msgs = append(msgs, fmt.Sprintf("problem status %s differs from the response status", p.Status.String()))
		}
	}
	return msgs
}

// operation finds the operation that req's method and path name, or nil.
func (c *Checker) operation(req *http.Request) *v3.Operation {
	if c.model.Paths == nil {
		return nil
	}
	for pair := c.model.Paths.PathItems.First(); pair != nil; pair = pair.Next() {
		if !matchPath(pair.Key(), req.URL.Path) {
			continue
		}
		if op := pair.Value().GetOperations().GetOrZero(strings.ToLower(req.Method)); op != nil {
			return op
		}
	}
	return nil
}

// matchPath matches a path template ("/a/{id}") against a concrete path.
func matchPath(template, path string) bool {
	ts := strings.Split(template, "/")
	ps := strings.Split(path, "/")
	if len(ts) != len(ps) {
		return false
	}
	for i := range ts {
		if strings.HasPrefix(ts[i], "{") && strings.HasSuffix(ts[i], "}") {
			if ps[i] == "" {
				return false
			}
			continue
		}
		if ts[i] != ps[i] {
			return false
		}
	}
	return true
}

func describe(e *oaerrors.ValidationError) string {
	var sb strings.Builder
	sb.WriteString(e.Message)
	if e.Reason != "" && e.Reason != e.Message {
		sb.WriteString(": ")
		sb.WriteString(e.Reason)
	}
	for _, f := range e.SchemaValidationErrors {
		loc := f.FieldPath
		if loc == "" {
			loc = "/" + strings.Join(f.InstancePath, "/")
		}
		fmt.Fprintf(&sb, "\n\tat %s: %s", loc, f.Reason)
	}
	return sb.String()
}

func joinErrors(errs []*oaerrors.ValidationError) string {
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = describe(e)
	}
	return strings.Join(msgs, "; ")
}

// errorCollector is a slog handler that keeps the messages of ERROR records.
type errorCollector struct {
	mu    *sync.Mutex
	errs  *[]string
	attrs []slog.Attr
}

func (h *errorCollector) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelError }

func (h *errorCollector) Handle(_ context.Context, r slog.Record) error {
	var sb strings.Builder
	sb.WriteString(r.Message)
	add := func(a slog.Attr) bool {
		fmt.Fprintf(&sb, " %s=%v", a.Key, a.Value)
		return true
	}
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(add)
	h.mu.Lock()
	*h.errs = append(*h.errs, sb.String())
	h.mu.Unlock()
	return nil
}

func (h *errorCollector) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &errorCollector{mu: h.mu, errs: h.errs, attrs: append(slices.Clip(h.attrs), attrs...)}
}

func (h *errorCollector) WithGroup(string) slog.Handler { return h }
