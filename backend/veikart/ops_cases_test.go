package veikart_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/veikart"
)

// The shared table of operation cases: a roadmap, operations in their wire
// form, and what comes out (the roadmap and each operation's outcome, or the
// error, or the conflicts). This test runs it against the domain, which is
// the reference; pwa/tests/specs/operations.test.mjs runs the same file
// against pwa/js/model.js in Chromium, so the app applies operations as the
// server does. `go test ./backend/veikart -run TestOperationCases -update`
// writes what the server does into "want"; read the diff before keeping it.
const casesFile = "testdata/operations.cases.json"

var update = flag.Bool("update", false, "write the domain's outcomes into "+casesFile)

type opCases struct {
	Comment  []string            `json:"$comment"`
	Roadmaps map[string]roadmapV `json:"roadmaps"`
	Cases    []opCase            `json:"cases"`
}

type opCase struct {
	Name    string            `json:"name"`
	Roadmap string            `json:"roadmap"` // a key of opCases.Roadmaps
	Now     time.Time         `json:"now"`
	Ops     []json.RawMessage `json:"ops"`
	Want    opWant            `json:"want"`
}

// opWant is one of: the results and the roadmap, an error, or conflicts.
type opWant struct {
	Results   []resultV   `json:"results,omitempty"`
	Roadmap   *roadmapV   `json:"roadmap,omitempty"`
	Error     *errorV     `json:"error,omitempty"`
	Conflicts []conflictV `json:"conflicts,omitempty"`
}

type resultV struct {
	OpID    string `json:"opId"`
	Outcome string `json:"outcome"`
}

type errorV struct {
	Code    string `json:"code"`
	Pointer string `json:"pointer"`
}

type conflictV struct {
	OpID   string   `json:"opId"`
	Target string   `json:"target"`
	Fields []string `json:"fields,omitempty"`
}

// roadmapV is a roadmap as the case table writes it: the API's wire form
// of the parts operations change, and what the server keeps to decide
// conflicts and replays (titleVersion, recentOps, each item's changed).
type roadmapV struct {
	ID           string    `json:"id"`
	Title        string    `json:"title"`
	Version      int64     `json:"version"`
	CreatedAt    time.Time `json:"createdAt"`
	UpdatedAt    time.Time `json:"updatedAt"`
	TitleVersion int64     `json:"titleVersion,omitempty"`
	RecentOps    []string  `json:"recentOps,omitempty"`
	Members      []memberV `json:"members"`
	Areas        []areaV   `json:"areas"`
	Steps        []stepV   `json:"steps"`
	// The household's municipality, for the blockers it shares.
	Municipality        string `json:"municipality,omitempty"`
	MunicipalityVersion int64  `json:"municipalityVersion,omitempty"`
}

type memberV struct {
	ID         string           `json:"id"`
	Name       string           `json:"name"`
	BirthYear  int              `json:"birthYear,omitempty"`
	Role       veikart.Role     `json:"role"`
	OwnAllowed bool             `json:"ownAllowed,omitempty"`
	Version    int64            `json:"version"`
	Changed    map[string]int64 `json:"changed,omitempty"`
}

type areaV struct {
	ID           string           `json:"id"`
	Kind         veikart.AreaKind `json:"kind"`
	Title        string           `json:"title,omitempty"`
	Now          string           `json:"now"`
	Desired      string           `json:"desired"`
	ScoreNow     int              `json:"scoreNow,omitempty"`
	ScoreDesired int              `json:"scoreDesired,omitempty"`
	MemberIDs    []string         `json:"memberIds"`
	Version      int64            `json:"version"`
	Changed      map[string]int64 `json:"changed,omitempty"`
}

type stepV struct {
	ID          string              `json:"id"`
	AreaID      string              `json:"areaId"`
	Title       string              `json:"title"`
	Note        string              `json:"note"`
	Responsible veikart.Responsible `json:"responsible"`
	Due         string              `json:"due,omitempty"`
	Status      veikart.Status      `json:"status"`
	Term        veikart.Term        `json:"term"`
	MemberIDs   []string            `json:"memberIds"`
	Reminders   []veikart.Reminder  `json:"reminders"`
	CreatedAt   time.Time           `json:"createdAt"`
	UpdatedAt   time.Time           `json:"updatedAt"`
	Blocker     *blockerV           `json:"blocker,omitempty"`
	Version     int64               `json:"version"`
	Changed     map[string]int64    `json:"changed,omitempty"`
}

// blockerV is a step's blocker as the wire has it (wire.StepBlocker).
type blockerV struct {
	Code     veikart.Blocker `json:"code"`
	NamedAt  time.Time       `json:"namedAt"`
	Shared   bool            `json:"shared"`
	SharedAt *time.Time      `json:"sharedAt,omitempty"`
}

func (b *blockerV) domain() veikart.StepBlocker {
	if b == nil {
		return veikart.StepBlocker{}
	}
	out := veikart.StepBlocker{Code: b.Code, NamedAt: b.NamedAt, Shared: b.Shared}
	if b.SharedAt != nil {
		out.SharedAt = *b.SharedAt
	}
	return out
}

func blockerOf(b veikart.StepBlocker) *blockerV {
	if b.Code == "" {
		return nil
	}
	v := &blockerV{Code: b.Code, NamedAt: b.NamedAt, Shared: b.Shared}
	if !b.SharedAt.IsZero() {
		v.SharedAt = &b.SharedAt
	}
	return v
}

func (v roadmapV) domain() *veikart.Roadmap {
	r := &veikart.Roadmap{ID: v.ID, Title: v.Title, Version: v.Version, CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt,
		TitleVersion: v.TitleVersion, RecentOps: v.RecentOps, Owners: []string{"u1"},
		Municipality: v.Municipality, MunicipalityVersion: v.MunicipalityVersion}
	for _, m := range v.Members {
		r.Members = append(r.Members, veikart.Member{ID: m.ID, Name: m.Name, BirthYear: m.BirthYear, Role: m.Role,
			OwnAllowed: m.OwnAllowed, Version: m.Version, Changed: m.Changed})
	}
	for _, a := range v.Areas {
		r.Areas = append(r.Areas, veikart.Area{ID: a.ID, Kind: a.Kind, Title: a.Title, Now: a.Now, Desired: a.Desired,
			ScoreNow: a.ScoreNow, ScoreDesired: a.ScoreDesired, MemberIDs: a.MemberIDs, Version: a.Version, Changed: a.Changed})
	}
	for _, s := range v.Steps {
		r.Steps = append(r.Steps, veikart.Step{ID: s.ID, AreaID: s.AreaID, Title: s.Title, Note: s.Note, Responsible: s.Responsible,
			Due: s.Due, Status: s.Status, Term: s.Term, MemberIDs: s.MemberIDs, Reminders: s.Reminders, Blocker: s.Blocker.domain(),
			CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt, Version: s.Version, Changed: s.Changed})
	}
	return r
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func viewOf(r *veikart.Roadmap) roadmapV {
	v := roadmapV{ID: r.ID, Title: r.Title, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		TitleVersion: r.TitleVersion, RecentOps: r.RecentOps, Members: []memberV{}, Areas: []areaV{}, Steps: []stepV{},
		Municipality: r.Municipality, MunicipalityVersion: r.MunicipalityVersion}
	for _, m := range r.Members {
		v.Members = append(v.Members, memberV{ID: m.ID, Name: m.Name, BirthYear: m.BirthYear, Role: m.Role,
			OwnAllowed: m.OwnAllowed, Version: m.Version, Changed: m.Changed})
	}
	for _, a := range r.Areas {
		v.Areas = append(v.Areas, areaV{ID: a.ID, Kind: a.Kind, Title: a.Title, Now: a.Now, Desired: a.Desired,
			ScoreNow: a.ScoreNow, ScoreDesired: a.ScoreDesired, MemberIDs: orEmpty(a.MemberIDs), Version: a.Version, Changed: a.Changed})
	}
	for _, s := range r.Steps {
		v.Steps = append(v.Steps, stepV{ID: s.ID, AreaID: s.AreaID, Title: s.Title, Note: s.Note, Responsible: s.Responsible,
			Due: s.Due, Status: s.Status, Term: s.Term, MemberIDs: orEmpty(s.MemberIDs), Reminders: orEmpty(s.Reminders), Blocker: blockerOf(s.Blocker),
			CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt, Version: s.Version, Changed: s.Changed})
	}
	return v
}

// run applies the case's operations, decoded from the wire, and says what
// came out.
func (c opCase) run(t *testing.T, start roadmapV) opWant {
	t.Helper()
	ops := make([]veikart.Op, len(c.Ops))
	for i, raw := range c.Ops {
		op, err := veikart.DecodeOp(raw)
		if err != nil {
			t.Fatalf("op %d: %v", i, err)
		}
		ops[i] = op
	}
	r := start.domain()
	before := viewOf(r)
	next, res, err := r.ApplyIn(ops, c.Now, oslo(t))
	if !reflect.DeepEqual(viewOf(r), before) {
		t.Fatal("ApplyIn changed the roadmap it was given")
	}
	var out opWant
	var ce *veikart.ConflictError
	var e *veikart.Error
	switch {
	case errors.As(err, &ce):
		for _, x := range ce.Conflicts {
			out.Conflicts = append(out.Conflicts, conflictV{OpID: x.OpID, Target: x.Target, Fields: x.Fields})
		}
	case errors.As(err, &e):
		out.Error = &errorV{Code: e.Code, Pointer: e.Pointer}
	case err != nil:
		t.Fatal(err)
	default:
		for _, x := range res {
			out.Results = append(out.Results, resultV{OpID: x.OpID, Outcome: string(x.Outcome)})
		}
		v := viewOf(next)
		out.Roadmap = &v
	}
	return out
}

func TestOperationCases(t *testing.T) {
	b, err := os.ReadFile(casesFile)
	if err != nil {
		t.Fatal(err)
	}
	var table opCases
	if err := json.Unmarshal(b, &table); err != nil {
		t.Fatalf("%s: %v", casesFile, err)
	}
	seen := map[string]bool{}
	for i := range table.Cases {
		c := &table.Cases[i]
		t.Run(c.Name, func(t *testing.T) {
			if seen[c.Name] {
				t.Fatalf("two cases are named %q", c.Name)
			}
			seen[c.Name] = true
			start, ok := table.Roadmaps[c.Roadmap]
			if !ok {
				t.Fatalf("no roadmap %q", c.Roadmap)
			}
			got := c.run(t, start)
			if *update {
				c.Want = got
				return
			}
			if g, w := mustJSON(t, got), mustJSON(t, c.Want); !bytes.Equal(g, w) {
				t.Fatalf("got\n%s\nwant\n%s", g, w)
			}
		})
	}
	if *update {
		raw, err := json.Marshal(table)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := pretty(&out, raw, ""); err != nil {
			t.Fatal(err)
		}
		out.WriteByte('\n')
		if err := os.WriteFile(casesFile, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pretty writes JSON with what fits in a line on one line, so that the case
// table reads as one item or operation a line.
func pretty(w *bytes.Buffer, raw []byte, indent string) error {
	var c bytes.Buffer
	if err := json.Compact(&c, raw); err != nil {
		return err
	}
	if len(indent)+c.Len() <= 160 || (c.Bytes()[0] != '{' && c.Bytes()[0] != '[') {
		w.Write(c.Bytes())
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(c.Bytes()))
	open, _ := dec.Token()
	isObj := open == json.Delim('{')
	w.WriteString(open.(json.Delim).String() + "\n")
	for first := true; dec.More(); first = false {
		if !first {
			w.WriteString(",\n")
		}
		w.WriteString(indent + "  ")
		if isObj {
			key, _ := dec.Token()
			k, _ := json.Marshal(key)
			w.Write(k)
			w.WriteString(": ")
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return err
		}
		if err := pretty(w, v, indent+"  "); err != nil {
			return err
		}
	}
	w.WriteString("\n" + indent)
	if isObj {
		w.WriteString("}")
	} else {
		w.WriteString("]")
	}
	return nil
}

// TestDecodeOp_RoundTrip encodes every operation of the case table and
// decodes it again: the API echoes what it decoded (the fuzz tests compare
// the echo), so the two must agree.
func TestDecodeOp_RoundTrip(t *testing.T) {
	b, err := os.ReadFile(casesFile)
	if err != nil {
		t.Fatal(err)
	}
	var table opCases
	if err := json.Unmarshal(b, &table); err != nil {
		t.Fatal(err)
	}
	for _, c := range table.Cases {
		for _, raw := range c.Ops {
			op, err := veikart.DecodeOp(raw)
			if err != nil {
				t.Fatalf("%s: %v", raw, err)
			}
			enc, err := veikart.EncodeOp(op)
			if err != nil {
				t.Fatalf("%s: %v", raw, err)
			}
			again, err := veikart.DecodeOp(enc)
			if err != nil || !reflect.DeepEqual(op, again) {
				t.Fatalf("%s\nencoded as %s\ndecodes to %#v (%v), not %#v", raw, enc, again, err, op)
			}
		}
	}
}

// oslo is the households' zone the service applies operations in (as
// the app does: pwa/js/ops.js).
func oslo(t *testing.T) *time.Location {
	t.Helper()
	l, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	return l
}
