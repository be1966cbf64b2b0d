package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"log/slog"
	"math/big"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/veikart/veikart/backend/auth"
	"github.com/veikart/veikart/backend/demo"
	"github.com/veikart/veikart/backend/openapitest"
	"github.com/veikart/veikart/backend/storage"
	"github.com/veikart/veikart/backend/testenv"
	"github.com/veikart/veikart/backend/validate"
	"github.com/veikart/veikart/backend/veikart"
	"github.com/veikart/veikart/backend/wire"
	"github.com/veikart/veikart/schemas"
)

// FuzzOperations feeds arbitrary bodies through everything a request for
// operations goes through before storage: schema validation and
// normalising (as Server.decode does), strict decoding,
// conversion to domain operations, and applying them to a full roadmap. None
// of it may panic, and a refused batch must leave the roadmap as it was.
func FuzzOperations(f *testing.F) {
	v, err := validate.New()
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		`{"operations":[{"opId":"a","type":"area.update","areaId":"housing","baseVersion":1,"set":{"now":"x","scoreNow":null,"memberIds":["kari"]}}]}`,
		`{"operations":[{"opId":"b","type":"step.add","step":{"id":"s99","areaId":"work","title":"t","responsible":{"kind":"member","memberId":"kari"},"term":"short","due":"2026-12-01"}}]}`,
		`{"operations":[{"opId":"c","type":"step.update","stepId":"s1","baseVersion":0,"set":{"responsible":{"kind":"agency","agencyId":"nav"},"due":null}}]}`,
		`{"operations":[{"opId":"d","type":"member.remove","memberId":"sara","baseVersion":1},{"opId":"e","type":"area.add","area":{"id":"x","title":"X"}}]}`,
		`{"operations":[{"opId":"f","type":"member.update","memberId":"kari","baseVersion":1,"set":{"birthYear":null,"role":"child"}}]}`,
		`{"operations":[{"opId":"g","type":"roadmap.setTitle","baseVersion":1,"title":"\u0000"}]}`,
		`{"operations":[{"opId":"i","type":"area.update","areaId":"work","baseVersion":1.0,"set":{"scoreNow":2e0,"scoreDesired":50E-1}}]}`,
		`{"operations":[`, `[]`, `null`, `{"operations":[{"opId":"h","type":"area.remove","areaId":"housing","baseVersion":1}]}`,
	} {
		f.Add([]byte(seed))
	}
	base := demo.Roadmap("rm", "u", time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	f.Fuzz(func(t *testing.T, body []byte) {
		body, err := v.Normalize("operations-request.schema.json", body)
		if err != nil {
			return
		}
		var req wire.OperationsRequest
		if err := decodeStrict(body, &req); err != nil {
			t.Fatalf("schema accepted a body the wire type refuses: %v: %s", err, body)
		}
		ops := make([]veikart.Op, 0, len(req.Operations))
		for _, o := range req.Operations {
			op, err := o.ToDomain()
			if err != nil {
				return
			}
			ops = append(ops, op)
		}
		before, _ := json.Marshal(wire.ToRoadmap(base))
		next, _, err := base.Apply(ops, time.Now())
		after, _ := json.Marshal(wire.ToRoadmap(base))
		if !bytes.Equal(before, after) {
			t.Fatalf("Apply changed the roadmap it was given")
		}
		if err == nil {
			if _, err := json.Marshal(wire.ToRoadmap(next)); err != nil {
				t.Fatalf("result cannot be rendered: %v", err)
			}
		}
	})
}

// decodeTypes makes, for every request schema a handler decodes, a value of
// the wire type it decodes into. TestDecodeTypes_MatchHandlers keeps it in
// step with the handlers, so a new request body is fuzzed from the start.
var decodeTypes = map[string]func() any{
	"check-in-request.schema.json":             func() any { return new(wire.CheckInRequest) },
	"review-rhythm-request.schema.json":        func() any { return new(wire.ReviewRhythmRequest) },
	"save-review-request.schema.json":          func() any { return new(wire.SaveReviewRequest) },
	"ask-say-request.schema.json":              func() any { return new(wire.AskSayRequest) },
	"answer-say-request.schema.json":           func() any { return new(wire.AnswerSayRequest) },
	"set-contact-request.schema.json":          func() any { return new(wire.SetContactRequest) },
	"set-coordinator-request.schema.json":      func() any { return new(wire.SetCoordinatorRequest) },
	"answer-promise-request.schema.json":       func() any { return new(wire.AnswerPromiseRequest) },
	"promise-outcome-request.schema.json":      func() any { return new(wire.PromiseOutcomeRequest) },
	"call-meeting-request.schema.json":         func() any { return new(wire.CallMeetingRequest) },
	"agenda-request.schema.json":               func() any { return new(wire.AgendaRequest) },
	"notes-request.schema.json":                func() any { return new(wire.NotesRequest) },
	"decision-request.schema.json":             func() any { return new(wire.DecisionRequest) },
	"accept-invitation-request.schema.json":    func() any { return new(wire.AcceptInvitationRequest) },
	"act-request.schema.json":                  func() any { return new(wire.ActRequest) },
	"approve-request.schema.json":              func() any { return new(wire.ApproveRequest) },
	"create-access-request.schema.json":        func() any { return new(wire.CreateAccessRequest) },
	"create-agency-request.schema.json":        func() any { return new(wire.CreateAgencyRequest) },
	"create-comment-request.schema.json":       func() any { return new(wire.CreateCommentRequest) },
	"create-enrolment-request.schema.json":     func() any { return new(wire.CreateEnrolmentRequest) },
	"create-grant-request.schema.json":         func() any { return new(wire.CreateGrantRequest) },
	"preview-request.schema.json":              func() any { return new(wire.PreviewRequest) },
	"create-invitation-request.schema.json":    func() any { return new(wire.CreateInvitationRequest) },
	"create-helper-request.schema.json":        func() any { return new(wire.CreateHelperRequest) },
	"set-rendering-request.schema.json":        func() any { return new(wire.SetRenderingRequest) },
	"create-proposal-request.schema.json":      func() any { return new(wire.CreateProposalRequest) },
	"create-roadmap-request.schema.json":       func() any { return new(wire.CreateRoadmapRequest) },
	"create-transition-request.schema.json":    func() any { return new(wire.CreateTransitionRequest) },
	"dev-login-request.schema.json":            func() any { return new(wire.DevLoginRequest) },
	"erase-account-request.schema.json":        func() any { return new(wire.EraseAccountRequest) },
	"calendar-feed-request.schema.json":        func() any { return new(wire.CalendarFeedRequest) },
	"exchange-request.schema.json":             func() any { return new(wire.ExchangeRequest) },
	"operations-request.schema.json":           func() any { return new(wire.OperationsRequest) },
	"passkey-enrol-begin-request.schema.json":  func() any { return new(wire.EnrolBeginRequest) },
	"passkey-enrol-finish-request.schema.json": func() any { return new(wire.EnrolFinishRequest) },
	"passkey-finish-request.schema.json":       func() any { return new(wire.PasskeyFinishRequest) },
	"passkey-login-finish-request.schema.json": func() any { return new(wire.LoginFinishRequest) },
	"push-subscription-request.schema.json":    func() any { return new(wire.PushSubscriptionRequest) },
	"reapply-erasures-request.schema.json":     func() any { return new(wire.ReapplyRequest) },
	"refresh-request.schema.json":              func() any { return new(wire.RefreshRequest) },
	"require-sign-in-request.schema.json":      func() any { return new(wire.RequireSignInRequest) },
	"set-checklist-request.schema.json":        func() any { return new(wire.SetChecklistRequest) },
	"send-message-request.schema.json":         func() any { return new(wire.SendMessageRequest) },
	"staff-request.schema.json":                func() any { return new(wire.StaffRequest) },
	"take-own-request.schema.json":             func() any { return new(wire.TakeOwnRequest) },
	"update-grant-request.schema.json":         func() any { return new(wire.UpdateGrantRequest) },
	"update-transition-request.schema.json":    func() any { return new(wire.UpdateTransitionRequest) },
}

// decodeBases are valid bodies in which the integer and date-time fields of
// the request schemas can be planted: every optional object or array that
// holds one is present. TestDecode_EveryIntegerAndDateTimeField fails when a
// field of a schema has no place here.
var decodeBases = map[string][]string{
	"check-in-request.schema.json":      {`{"date":"2026-12-01","with":"family","readings":[{"id":"r1","areaId":"housing","score":3}]}`},
	"review-rhythm-request.schema.json": {`{"months":3}`},
	"call-meeting-request.schema.json":  {`{"id":"m1","at":"2027-01-10T09:00:00Z","minutes":90,"invitees":["nav"]}`},
	"operations-request.schema.json": {`{"operations":[
		{"opId":"o1","type":"roadmap.setTitle","baseVersion":3,"title":"Plan"},
		{"opId":"o2","type":"member.add","member":{"id":"m1","name":"Kari","birthYear":1985,"role":"adult"}},
		{"opId":"o3","type":"member.update","memberId":"m1","baseVersion":4,"set":{"birthYear":1990}},
		{"opId":"o4","type":"member.remove","memberId":"m1","baseVersion":0},
		{"opId":"o5","type":"area.add","area":{"id":"pets","title":"Dyr","scoreNow":2,"scoreDesired":4}},
		{"opId":"o6","type":"area.update","areaId":"housing","baseVersion":5,"set":{"scoreNow":1,"scoreDesired":5}},
		{"opId":"o7","type":"area.remove","areaId":"pets","baseVersion":6},
		{"opId":"o8","type":"step.add","step":{"id":"s1","areaId":"housing","title":"T","responsible":{"kind":"household"},"due":"2027-03-01","term":"short","reminders":[{"daysBefore":1,"at":"09:00"}]}},
		{"opId":"o9","type":"step.update","stepId":"s1","baseVersion":7,"set":{"status":"doing","reminders":[{"daysBefore":2,"at":"10:00"}]}},
		{"opId":"o10","type":"step.remove","stepId":"s1","baseVersion":8}]}`},
	"create-roadmap-request.schema.json":    {`{"id":"00000000-0000-4000-8000-000000000024","members":[{"id":"m1","name":"Kari","role":"adult","birthYear":1985}]}`},
	"create-grant-request.schema.json":      {`{"agencyId":"nav","sections":["household"],"permissions":["view"],"purpose":"p","expiresAt":"2027-03-03T10:00:00Z"}`},
	"preview-request.schema.json":           {`{"agencyId":"nav","sections":["household","area:housing"],"permissions":["view","comment"]}`},
	"update-grant-request.schema.json":      {`{"expiresAt":"2027-03-03T10:00:00Z"}`},
	"approve-request.schema.json":           {`{"expiresAt":"2027-03-03T10:00:00Z"}`},
	"create-invitation-request.schema.json": {`{"kind":"agency","sections":["household"],"permissions":["view"],"purpose":"p","grantExpiresAt":"2027-03-03T10:00:00Z","validMinutes":10}`},
	"create-transition-request.schema.json": {`{"id":"t1","kind":"release","date":"2027-03-01","agencyId":"nav","sections":["household"],"permissions":["view"],"daysBefore":7,"daysAfter":30,"reminders":[7]}`},
	"update-transition-request.schema.json": {`{"daysBefore":7,"daysAfter":30,"reminders":[7]}`},
	"create-helper-request.schema.json": {
		`{"kind":"trusted","name":"Kari","sections":["area:housing"],"write":true,"expiresAt":"2027-03-03T10:00:00Z","validMinutes":10}`,
		`{"kind":"interpreter","name":"Amir","sections":["area:health"],"minutes":120}`,
	},
	"passkey-finish-request.schema.json":       {`{"ceremonyId":"0123456789abcdef0123456789abcdef","credential":{"id":"aWQ","rawId":"aWQ","type":"public-key","response":{"clientDataJSON":"e30","attestationObject":"oA","publicKeyAlgorithm":-7}}}`},
	"passkey-enrol-finish-request.schema.json": {`{"code":"abcdefghijklmnop","ceremonyId":"0123456789abcdef0123456789abcdef","credential":{"id":"aWQ","rawId":"aWQ","type":"public-key","response":{"clientDataJSON":"e30","attestationObject":"oA","publicKeyAlgorithm":-7}}}`},
}

// schemaField is an integer or date-time field of a request schema.
type schemaField struct {
	schema   string
	path     []string // property names, and "*" for any item of an array
	dateTime bool     // else an integer
	min, max *big.Rat // an integer's bounds, if the schema gives them
}

func (f schemaField) String() string {
	return f.schema + " /" + strings.Join(f.path, "/")
}

// requestFields finds, in the schema files as written, every integer and
// date-time field of every schema in decodeTypes, following $ref, allOf,
// anyOf, oneOf, if/then/else, properties and items.
func requestFields(tb testing.TB) []schemaField {
	tb.Helper()
	docs := map[string]any{}
	names, err := fs.Glob(schemas.FS, "*.schema.json")
	if err != nil {
		tb.Fatal(err)
	}
	for _, name := range names {
		raw, err := schemas.FS.ReadFile(name)
		if err != nil {
			tb.Fatal(err)
		}
		var doc any
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&doc); err != nil {
			tb.Fatalf("%s: %v", name, err)
		}
		docs[name] = doc
	}
	var out []schemaField
	seen := map[string]bool{}
	var walk func(schema, file string, node any, path []string, depth int)
	walk = func(schema, file string, node any, path []string, depth int) {
		m, ok := node.(map[string]any)
		if !ok || depth > 40 {
			return
		}
		if ref, ok := m["$ref"].(string); ok {
			target, frag, _ := strings.Cut(ref, "#")
			if target == "" {
				target = file
			}
			walk(schema, target, pointerAt(docs[target], frag), path, depth+1)
		}
		f := schemaField{schema: schema, path: slices.Clone(path)}
		switch {
		case m["format"] == "date-time":
			f.dateTime = true
		case m["type"] == "integer" || (slices.Contains(asSlice(m["type"]), any("integer"))):
			f.min, f.max = ratOf(m["minimum"]), ratOf(m["maximum"])
		default:
			f.schema = ""
		}
		if f.schema != "" && !seen[f.String()] {
			seen[f.String()] = true
			out = append(out, f)
		}
		if props, ok := m["properties"].(map[string]any); ok {
			for name, p := range props {
				walk(schema, file, p, append(slices.Clip(path), name), depth+1)
			}
		}
		if items, ok := m["items"]; ok {
			walk(schema, file, items, append(slices.Clip(path), "*"), depth+1)
		}
		for _, k := range []string{"allOf", "anyOf", "oneOf"} {
			for _, sub := range asSlice(m[k]) {
				walk(schema, file, sub, path, depth+1)
			}
		}
		for _, k := range []string{"then", "else"} {
			walk(schema, file, m[k], path, depth+1)
		}
	}
	for schema := range decodeTypes {
		walk(schema, schema, docs[schema], nil, 0)
	}
	slices.SortFunc(out, func(a, b schemaField) int { return strings.Compare(a.String(), b.String()) })
	return out
}

func asSlice(v any) []any { s, _ := v.([]any); return s }

func ratOf(v any) *big.Rat {
	n, ok := v.(json.Number)
	if !ok {
		return nil
	}
	r, _ := new(big.Rat).SetString(n.String())
	return r
}

// pointerAt resolves a JSON pointer fragment in a decoded document.
func pointerAt(v any, frag string) any {
	for _, tok := range strings.Split(strings.TrimPrefix(frag, "/"), "/") {
		if tok == "" {
			continue
		}
		m, _ := v.(map[string]any)
		v = m[strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")]
	}
	return v
}

// placesFor returns, for each place in the base bodies of f's schema where
// f can go (its parent exists), the base decoded and the concrete path.
func placesFor(f schemaField) []fieldPlace {
	var out []fieldPlace
	for _, base := range decodeBases[f.schema] {
		var doc any
		dec := json.NewDecoder(strings.NewReader(base))
		dec.UseNumber()
		if dec.Decode(&doc) != nil {
			continue
		}
		var find func(v any, rest, at []string)
		find = func(v any, rest, at []string) {
			if len(rest) == 1 {
				if _, ok := v.(map[string]any); ok && rest[0] != "*" {
					out = append(out, fieldPlace{base: base, path: append(slices.Clip(at), rest[0])})
				}
				if a, ok := v.([]any); ok && rest[0] == "*" {
					for i := range a {
						out = append(out, fieldPlace{base: base, path: append(slices.Clip(at), strconv.Itoa(i))})
					}
				}
				return
			}
			switch x := v.(type) {
			case map[string]any:
				if rest[0] != "*" {
					find(x[rest[0]], rest[1:], append(slices.Clip(at), rest[0]))
				}
			case []any:
				if rest[0] == "*" {
					for i, item := range x {
						find(item, rest[1:], append(slices.Clip(at), strconv.Itoa(i)))
					}
				}
			}
		}
		find(doc, f.path, nil)
	}
	return out
}

type fieldPlace struct {
	base string
	path []string // concrete: array items by index
}

// plant returns the place's base body with raw JSON at its path.
func (p fieldPlace) plant(raw string) string {
	var doc any
	dec := json.NewDecoder(strings.NewReader(p.base))
	dec.UseNumber()
	_ = dec.Decode(&doc)
	parent := doc
	for _, tok := range p.path[:len(p.path)-1] {
		switch x := parent.(type) {
		case map[string]any:
			parent = x[tok]
		case []any:
			i, _ := strconv.Atoi(tok)
			parent = x[i]
		}
	}
	const mark = "\u0000planted\u0000"
	last := p.path[len(p.path)-1]
	switch x := parent.(type) {
	case map[string]any:
		x[last] = mark
	case []any:
		i, _ := strconv.Atoi(last)
		x[i] = mark
	}
	b, _ := json.Marshal(doc)
	return strings.Replace(string(b), `"\u0000planted\u0000"`, raw, 1)
}

// decodeHarness runs Server.decode, with the server's own error handler,
// for any request schema: the body is decoded into the schema's wire type
// and echoed back as JSON.
type decodeHarness struct {
	app *fiber.App
	mu  sync.Mutex
	err error // the last error decode returned that the client did not cause
}

func newDecodeHarness(tb testing.TB) *decodeHarness {
	tb.Helper()
	v, err := validate.New()
	if err != nil {
		tb.Fatal(err)
	}
	s := New(Config{}, Deps{Validator: v, Log: slog.New(slog.DiscardHandler), Now: time.Now})
	h := &decodeHarness{app: fiber.New(fiber.Config{ErrorHandler: s.errorHandler, DisableStartupMessage: true})}
	h.app.Post("/:schema", func(c *fiber.Ctx) error {
		schema := c.Params("schema")
		mk, ok := decodeTypes[schema]
		if !ok {
			return fiber.ErrNotFound
		}
		dst := mk()
		if err := s.decode(c, schema, dst); err != nil {
			var ve *validate.Error
			var re *requestError
			if !errors.As(err, &ve) && !errors.As(err, &re) && !errors.Is(err, validate.ErrMalformed) {
				h.mu.Lock()
				h.err = err
				h.mu.Unlock()
			}
			return err
		}
		return c.JSON(dst)
	})
	return h
}

// post sends body for schema and returns the status and the echo (or the
// problem).
func (h *decodeHarness) post(tb testing.TB, schema, body string) (int, []byte) {
	tb.Helper()
	req := httptest.NewRequest("POST", "/"+schema, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := h.app.Test(req, -1)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 500 {
		h.mu.Lock()
		cause := h.err
		h.mu.Unlock()
		tb.Fatalf("%s: %d for %s\ncause: %v", schema, resp.StatusCode, body, cause)
	}
	return resp.StatusCode, out
}

// echoed returns the value at path in an echo, as decoded with UseNumber,
// and whether it is there.
func echoed(tb testing.TB, echo []byte, path []string) (any, bool) {
	tb.Helper()
	var v any
	dec := json.NewDecoder(bytes.NewReader(echo))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		tb.Fatalf("echo is not JSON: %v: %s", err, echo)
	}
	for _, tok := range path {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[tok]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// wantInteger fails unless the echo holds, at path, the integer raw means,
// written as digits (a json.RawMessage passes on what it was given, so the
// form matters as much as the value).
func wantInteger(tb testing.TB, echo []byte, path []string, raw string) {
	tb.Helper()
	want, ok := new(big.Rat).SetString(strings.TrimSpace(raw))
	if !ok {
		return // not a number (null where null is allowed): nothing to compare
	}
	got, there := echoed(tb, echo, path)
	if !there {
		got = json.Number("0") // omitempty
	}
	n, isNum := got.(json.Number)
	if !isNum {
		tb.Fatalf("%s accepted, but decoded as %v: %s", raw, got, echo)
	}
	i, err := strconv.ParseInt(n.String(), 10, 64)
	if err != nil || !want.IsInt() || want.Num().Cmp(big.NewInt(i)) != 0 {
		tb.Fatalf("%s accepted, but decoded as %s: %s", raw, n, echo)
	}
}

// instantOf reads an RFC 3339 date-time as the API means it: t and z in
// either case, and a leap second as the instant after it.
func instantOf(s string) (time.Time, error) {
	u := strings.ToUpper(s)
	leap := len(u) > 19 && u[17:19] == "60"
	if leap {
		u = u[:17] + "59" + u[19:]
	}
	t, err := time.Parse(time.RFC3339, u)
	if leap {
		t = t.Add(time.Second)
	}
	return t, err
}

// wantInstant fails unless the echo holds, at path, the instant s means.
func wantInstant(tb testing.TB, echo []byte, path []string, s string) {
	tb.Helper()
	want, err := instantOf(s)
	if err != nil {
		tb.Fatalf("%q accepted, but it is not a date-time: %v", s, err)
	}
	got, _ := echoed(tb, echo, path)
	str, _ := got.(string)
	t, err := time.Parse(time.RFC3339Nano, str)
	if err != nil || !t.Equal(want) {
		tb.Fatalf("%q accepted, but decoded as %v (want %s): %s", s, got, want.UTC().Format(time.RFC3339Nano), echo)
	}
}

// Integer and date-time values planted by the fuzz test's seeds and the
// table below: exact integers in every notation JSON allows, numbers no Go
// integer holds, and date-times with lower-case letters, leap seconds and
// years at the edges.
var (
	integerSeeds = []string{
		`1.0`, `1e0`, `10E-1`, `0.1e1`, `-0.0`, `0e5`, `-0`, `1.5`, `1e400`, `-1e400`, `1e-400`,
		`9007199254740991.0`, `9223372036854775808`, `9.223372036854775807e18`, `1e19`, `null`, `"1"`,
	}
	dateTimeSeeds = []string{
		`2027-03-03t10:00:00z`, `2027-03-03T10:00:00z`, `2026-12-31T23:59:60Z`, `2026-12-31t23:59:60.5z`,
		`2027-01-01T00:59:60+01:00`, `2026-12-31T23:59:60-00:00`, `9999-12-31T23:59:60Z`, `9999-12-31T23:59:59-01:00`,
		`0000-01-01T00:00:00+01:00`, `0000-01-01T00:00:00Z`, `2027-03-03T10:00:00.1234567890123Z`,
		`2027-03-03T10:00:00+23:59`, `2026-06-30T12:59:60Z`, `0000-01-01`, `2027-02-29T10:00:00Z`,
	}
)

// FuzzDecode_IntegerAndDateTimeFields plants values in every integer and
// date-time field of every request schema (found in the schema files, so a
// new field is fuzzed without a change here) and sends the body through
// Server.decode. The answer is never 5xx, and a value accepted decodes to
// what it means: an integer to its exact value, a date-time to its instant.
func FuzzDecode_IntegerAndDateTimeFields(f *testing.F) {
	fields := requestFields(f)
	for i, fd := range fields {
		seeds := integerSeeds
		if fd.dateTime {
			seeds = dateTimeSeeds
		}
		for _, s := range seeds {
			f.Add(uint16(i), uint8(0), s)
		}
	}
	h := newDecodeHarness(f)
	f.Fuzz(func(t *testing.T, field uint16, at uint8, value string) {
		fd := fields[int(field)%len(fields)]
		places := placesFor(fd)
		if len(places) == 0 {
			return // TestDecode_EveryIntegerAndDateTimeField reports it
		}
		p := places[int(at)%len(places)]
		raw := value
		if fd.dateTime {
			b, _ := json.Marshal(value)
			raw = string(b)
		}
		status, echo := h.post(t, fd.schema, p.plant(raw))
		if status != 200 {
			return
		}
		if fd.dateTime {
			wantInstant(t, echo, p.path, value)
		} else {
			wantInteger(t, echo, p.path, value)
		}
	})
}

// Every integer and date-time field of every request schema takes the
// values the schema means in the forms it allows, and refuses, as a client
// error, those no Go value holds.
func TestDecode_EveryIntegerAndDateTimeField(t *testing.T) {
	h := newDecodeHarness(t)
	for _, fd := range requestFields(t) {
		t.Run(fd.String(), func(t *testing.T) {
			places := placesFor(fd)
			if len(places) == 0 {
				t.Fatalf("no base body in decodeBases has a place for %s: add one", fd)
			}
			type tc struct {
				raw    string
				accept bool
			}
			var cases []tc
			if fd.dateTime {
				cases = []tc{
					{`2027-03-03t10:00:00z`, true}, {`2026-12-31T23:59:60Z`, true},
					{`2027-01-01T00:59:60.25+01:00`, true}, {`2027-03-03T10:00:00.1234567890123Z`, true},
					{`9999-12-31T23:59:60Z`, false}, {`0000-01-01T00:00:00+01:00`, false}, {`0000-01-01`, false},
				}
			} else {
				k := big.NewRat(1, 1)
				if fd.min != nil && fd.min.Cmp(k) > 0 {
					k = fd.min
				}
				if fd.max != nil && fd.max.Cmp(k) < 0 {
					k = fd.max
				}
				n := k.Num().String()
				cases = []tc{{n, true}, {n + ".0", true}, {n + "e0", true}, {n + "0E-1", true}, {`1e400`, false}, {`1.5`, false}}
				if fd.min != nil && fd.min.Sign() <= 0 && (fd.max == nil || fd.max.Sign() >= 0) {
					cases = append(cases, tc{`-0.0`, true})
				}
			}
			for _, c := range cases {
				accepted := false
				for _, p := range places {
					raw := c.raw
					if fd.dateTime {
						raw = `"` + raw + `"`
					}
					status, echo := h.post(t, fd.schema, p.plant(raw))
					switch {
					case status == 200 && !c.accept:
						t.Errorf("%s at /%s: accepted: %s", c.raw, strings.Join(p.path, "/"), echo)
					case status == 200 && fd.dateTime:
						wantInstant(t, echo, p.path, c.raw)
					case status == 200:
						wantInteger(t, echo, p.path, c.raw)
					case status != 422 && status != 400:
						t.Errorf("%s at /%s: %d %s", c.raw, strings.Join(p.path, "/"), status, echo)
					}
					accepted = accepted || status == 200
				}
				if c.accept && !accepted {
					t.Errorf("%s: refused at every place in decodeBases", c.raw)
				}
			}
		})
	}
}

// TestDecodeTypes_MatchHandlers reads the handlers' source for every
// s.decode(c, "schema", &req) and checks that decodeTypes makes the type of
// req for that schema, so that the fuzz test covers what the server decodes.
func TestDecodeTypes_MatchHandlers(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]string{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range file.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			vars := map[string]string{}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.ValueSpec:
					// var req T, or var req wire.T: the type's name.
					typ := ""
					switch t := n.Type.(type) {
					case *ast.Ident:
						typ = t.Name
					case *ast.SelectorExpr:
						typ = t.Sel.Name
					}
					if typ != "" {
						for _, name := range n.Names {
							vars[name.Name] = typ
						}
					}
				case *ast.CallExpr:
					sel, ok := n.Fun.(*ast.SelectorExpr)
					if !ok || sel.Sel.Name != "decode" || len(n.Args) != 3 {
						return true
					}
					lit, ok := n.Args[1].(*ast.BasicLit)
					if !ok {
						t.Errorf("%s: decode with a schema name that is not a literal", fset.Position(n.Pos()))
						return true
					}
					schema, _ := strconv.Unquote(lit.Value)
					typ := "?"
					if u, ok := n.Args[2].(*ast.UnaryExpr); ok {
						if id, ok := u.X.(*ast.Ident); ok {
							typ = vars[id.Name]
						}
					}
					if prev, ok := found[schema]; ok && prev != typ {
						t.Errorf("%s is decoded into both %s and %s", schema, prev, typ)
					}
					found[schema] = typ
				}
				return true
			})
		}
	}
	if len(found) == 0 {
		t.Fatal("found no calls of decode")
	}
	for schema, typ := range found {
		mk, ok := decodeTypes[schema]
		if !ok {
			t.Errorf("decodeTypes lacks %s (decoded into %s)", schema, typ)
			continue
		}
		if got := reflect.TypeOf(mk()).Elem().Name(); got != typ {
			t.Errorf("decodeTypes makes %s for %s, the handler decodes into %s", got, schema, typ)
		}
	}
	for schema := range decodeTypes {
		if _, ok := found[schema]; !ok {
			t.Errorf("decodeTypes has %s, which no handler decodes", schema)
		}
	}
}

// decodeServer is the whole server on a fresh database, called in process.
type decodeServer struct {
	s       *Server
	store   *storage.Store
	checker *openapitest.Checker
}

func mustDecodeServer(t *testing.T) *decodeServer {
	t.Helper()
	store := testenv.MustStore(t)
	log := slog.New(slog.DiscardHandler)
	keys, err := auth.LoadKeys(t.TempDir(), true, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	tokens := auth.NewTokens(keys, "http://veikart.test", "http://veikart.test/api", 10*time.Minute, time.Now)
	v, err := validate.New()
	if err != nil {
		t.Fatal(err)
	}
	s := New(Config{Dev: true}, Deps{
		Store: store, Tokens: tokens, Keys: keys, Validator: v, Log: log, Now: time.Now,
		Sessions: auth.NewSessions(store, tokens, 30*24*time.Hour, 90*24*time.Hour, time.Now, log),
	})
	return &decodeServer{s: s, store: store, checker: openapitest.New(t)}
}

// call sends a request, checks the response against the OpenAPI document,
// and returns its status and body.
func (d *decodeServer) call(t *testing.T, method, path, token, body string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := d.s.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	d.checker.Check(t, req, resp)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// The values of issue 22 that the schemas accepted and the server answered
// with 500, through the whole server and its database: each is taken as
// what it means, or refused as the client's mistake with a pointer to it.
func TestDecode_ValuesTheSchemaAccepts(t *testing.T) {
	t.Parallel()
	d := mustDecodeServer(t)
	agency, err := veikart.NewAgency("nav", veikart.KindNAV, "NAV Sola", "Sola", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := d.store.CreateAgency(t.Context(), agency); err != nil {
		t.Fatal(err)
	}
	status, body := d.call(t, "POST", "/api/v1/dev/login", "", `{"name":"Kari"}`)
	var login struct {
		AccessToken string `json:"accessToken"`
	}
	if status != 200 || json.Unmarshal([]byte(body), &login) != nil {
		t.Fatalf("login: %d %s", status, body)
	}
	tok := login.AccessToken
	// A day far enough ahead for a grant, at whole seconds.
	day := time.Now().UTC().Add(10 * 24 * time.Hour).Truncate(time.Second)

	steps := []struct {
		name, method, path, body string
		status                   int
		want                     []string
	}{
		{"BirthYearWithAFractionIsTheYear", "POST", "/api/v1/roadmaps",
			`{"id":"00000000-0000-4000-8000-000000000024","title":"Plan","members":[{"id":"m1","name":"Kari","role":"adult","birthYear":1980.0}]}`,
			201, []string{`"birthYear":1980`}},
		{"BaseVersionOnePointZeroIsApplied", "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/operations",
			`{"operations":[{"opId":"a1","type":"roadmap.setTitle","baseVersion":1.0,"title":"Ny plan"},` +
				`{"opId":"a2","type":"area.update","areaId":"housing","baseVersion":1e0,"set":{"scoreNow":2.0,"scoreDesired":40E-1}}]}`,
			200, []string{`"outcome":"applied"`, `"title":"Ny plan"`, `"scoreNow":2,`, `"scoreDesired":4,`, `"version":2,`}},
		{"StaleBaseVersionWithAFractionConflicts", "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/operations",
			`{"operations":[{"opId":"a3","type":"roadmap.setTitle","baseVersion":1.0,"title":"Gammel plan"}]}`,
			409, []string{`"currentVersion":2`}},
		{"DueInYearZeroIsRefused", "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/operations",
			`{"operations":[{"opId":"b1","type":"step.add","step":{"id":"s1","areaId":"work","title":"T","responsible":{"kind":"household"},"term":"short","due":"0000-01-01"}}]}`,
			422, []string{`"pointer":"/operations/0/step/due"`}},
		{"DueInYearOneIsAccepted", "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/operations",
			`{"operations":[{"opId":"b2","type":"step.add","step":{"id":"s1","areaId":"work","title":"T","responsible":{"kind":"household"},"term":"short","due":"0001-01-01"}}]}`,
			200, []string{`"due":"0001-01-01"`}},
		{"DueInYearZeroIsRefusedOnUpdate", "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/operations",
			`{"operations":[{"opId":"b3","type":"step.update","stepId":"s1","baseVersion":3,"set":{"due":"0000-01-01"}}]}`,
			422, []string{`"pointer":"/operations/0/set/due"`}},
		{"LowerCaseExpiresAtIsTheSameInstant", "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/grants",
			`{"agencyId":"nav","sections":["household"],"permissions":["view"],"purpose":"Oppfølging","expiresAt":"` +
				strings.ToLower(day.In(time.FixedZone("", 3600)).Format(time.RFC3339)) + `"}`,
			201, []string{`"expiresAt":"` + day.Format(time.RFC3339) + `"`}},
		{"LeapSecondExpiresAtIsTheNextSecond", "PATCH", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/grants/{grantId}",
			`{"expiresAt":"` + day.Format(time.DateOnly) + `T23:59:60Z"}`,
			200, []string{`"expiresAt":"` + day.AddDate(0, 0, 1).Format(time.DateOnly) + `T00:00:00Z"`}},
		{"InvitationWithLeapSecondAndMinutesWithAFraction", "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/invitations",
			`{"kind":"agency","sections":["household"],"permissions":["view"],"purpose":"Oppfølging","validMinutes":10.0,"grantExpiresAt":"` +
				day.Format(time.DateOnly) + `t23:59:60.5z"}`,
			201, nil},
		{"ExpiresAtPastYear9999IsRefused", "POST", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000024/grants",
			`{"agencyId":"nav","sections":["household"],"permissions":["view"],"purpose":"Oppfølging","expiresAt":"9999-12-31T23:59:60Z"}`,
			422, []string{`"pointer":"/expiresAt"`}},
	}
	grantID := ""
	for _, st := range steps {
		// In order: each step builds on the one before.
		t.Run(st.name, func(t *testing.T) {
			status, body := d.call(t, st.method, strings.ReplaceAll(st.path, "{grantId}", grantID), tok, st.body)
			if strings.HasSuffix(st.path, "/grants") && status == 201 {
				var g struct{ ID string }
				_ = json.Unmarshal([]byte(body), &g)
				grantID = g.ID
			}
			if status != st.status {
				t.Fatalf("%d, want %d: %s", status, st.status, body)
			}
			for _, w := range st.want {
				if !strings.Contains(body, w) {
					t.Errorf("body lacks %s: %s", w, body)
				}
			}
		})
	}
}
