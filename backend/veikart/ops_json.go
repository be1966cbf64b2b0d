package veikart

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
)

// Operations travel as JSON (schemas/operation.schema.json): the API decodes
// them here, through one table, so that a new kind of operation is a new
// type and a new line in opTypes, not a case in a switch somewhere else.
// Decoding is strict (unknown fields are refused), as the schema is; the
// API validates against the schema first, so a refusal here means the two
// have drifted apart.

// opTypes is the one table of operation types: the name on the wire and the
// decoder of its JSON form.
var opTypes = map[OpType]func(raw []byte) (Op, error){
	OpSetTitle:        decodeAs[SetTitle],
	OpAddMember:       decodeAs[AddMember],
	OpUpdateMember:    decodeAs[UpdateMember],
	OpRemoveMember:    decodeAs[RemoveMember],
	OpAddArea:         decodeAs[AddArea],
	OpUpdateArea:      decodeAs[UpdateArea],
	OpRemoveArea:      decodeAs[RemoveArea],
	OpAddStep:         decodeAs[AddStep],
	OpUpdateStep:      decodeAs[UpdateStep],
	OpRemoveStep:      decodeAs[RemoveStep],
	OpSetBlocker:      decodeAs[SetBlocker],
	OpSetMunicipality: decodeAs[SetMunicipality],
}

func decodeAs[T Op](raw []byte) (Op, error) {
	var op T
	if err := strict(raw, &op); err != nil {
		return nil, err
	}
	return op, nil
}

func strict(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// DecodeOp reads one operation in its wire form. An operation of a type it
// does not know decodes to one that Apply refuses, pointing at its type.
func DecodeOp(raw []byte) (Op, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, fmt.Errorf("operation: %w", err)
	}
	var typ OpType
	if err := json.Unmarshal(obj["type"], &typ); obj["type"] != nil && err != nil {
		return nil, fmt.Errorf("operation type: %w", err)
	}
	decode, ok := opTypes[typ]
	if !ok {
		var op struct {
			ID          string `json:"opId"`
			BaseVersion int64  `json:"baseVersion"`
		}
		err := json.Unmarshal(raw, &op)
		return unknownOp{ID: op.ID, BaseVersion: op.BaseVersion, Type: typ}, err
	}
	// The type field names the Go type; the rest is that type's.
	delete(obj, "type")
	rest, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	op, err := decode(rest)
	if err != nil {
		return nil, fmt.Errorf("operation %s: %w", typ, err)
	}
	return op, nil
}

// EncodeOp writes op in its wire form.
func EncodeOp(op Op) ([]byte, error) {
	b, err := json.Marshal(op)
	if err != nil || !bytes.HasPrefix(b, []byte("{")) {
		return nil, fmt.Errorf("encode operation %s: %v", op.kind(), err)
	}
	typ := `{"type":` + strconv.Quote(string(op.kind()))
	if len(b) > 2 {
		typ += ","
	}
	return append([]byte(typ), b[1:]...), nil
}

// The payloads of the adds: the fields a client may give a new item, and no
// others (not its version, not who has an account).

type memberJSON struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	BirthYear int    `json:"birthYear,omitempty"`
	Role      Role   `json:"role"`
}

type areaJSON struct {
	ID           string   `json:"id"`
	Title        string   `json:"title"`
	Now          string   `json:"now,omitempty"`
	Desired      string   `json:"desired,omitempty"`
	ScoreNow     int      `json:"scoreNow,omitempty"`
	ScoreDesired int      `json:"scoreDesired,omitempty"`
	MemberIDs    []string `json:"memberIds,omitempty"`
}

type stepJSON struct {
	ID          string      `json:"id"`
	AreaID      string      `json:"areaId"`
	Title       string      `json:"title"`
	Note        string      `json:"note,omitempty"`
	Responsible Responsible `json:"responsible"`
	Due         string      `json:"due,omitempty"`
	Status      Status      `json:"status,omitempty"`
	Term        Term        `json:"term"`
	MemberIDs   []string    `json:"memberIds,omitempty"`
	Reminders   []Reminder  `json:"reminders,omitempty"`
}

// addJSON is the wire form of an add of P; a missing payload is the zero
// item, which then fails validation like any other invalid one.
type addJSON[P any] struct {
	ID          string `json:"opId"`
	BaseVersion int64  `json:"baseVersion,omitempty"`
	Member      *P     `json:"member,omitempty"`
	Area        *P     `json:"area,omitempty"`
	Step        *P     `json:"step,omitempty"`
}

// MarshalJSON writes the operation in its wire form, without its type.
func (op AddMember) MarshalJSON() ([]byte, error) {
	m := op.Member
	return json.Marshal(addJSON[memberJSON]{ID: op.ID, BaseVersion: op.BaseVersion,
		Member: &memberJSON{ID: m.ID, Name: m.Name, BirthYear: m.BirthYear, Role: m.Role}})
}

// UnmarshalJSON reads the operation's wire form, without its type.
func (op *AddMember) UnmarshalJSON(b []byte) error {
	var w addJSON[memberJSON]
	if err := strict(b, &w); err != nil || w.Area != nil || w.Step != nil {
		return errOr(err, "area or step in member.add")
	}
	*op = AddMember{ID: w.ID, BaseVersion: w.BaseVersion}
	if m := w.Member; m != nil {
		op.Member = Member{ID: m.ID, Name: m.Name, BirthYear: m.BirthYear, Role: m.Role}
	}
	return nil
}

// MarshalJSON writes the operation in its wire form, without its type.
func (op AddArea) MarshalJSON() ([]byte, error) {
	a := op.Area
	return json.Marshal(addJSON[areaJSON]{ID: op.ID, BaseVersion: op.BaseVersion, Area: &areaJSON{ID: a.ID, Title: a.Title,
		Now: a.Now, Desired: a.Desired, ScoreNow: a.ScoreNow, ScoreDesired: a.ScoreDesired, MemberIDs: a.MemberIDs}})
}

// UnmarshalJSON reads the operation's wire form, without its type.
func (op *AddArea) UnmarshalJSON(b []byte) error {
	var w addJSON[areaJSON]
	if err := strict(b, &w); err != nil || w.Member != nil || w.Step != nil {
		return errOr(err, "member or step in area.add")
	}
	*op = AddArea{ID: w.ID, BaseVersion: w.BaseVersion}
	if a := w.Area; a != nil {
		op.Area = Area{ID: a.ID, Title: a.Title, Now: a.Now, Desired: a.Desired,
			ScoreNow: a.ScoreNow, ScoreDesired: a.ScoreDesired, MemberIDs: a.MemberIDs}
	}
	return nil
}

// MarshalJSON writes the operation in its wire form, without its type.
func (op AddStep) MarshalJSON() ([]byte, error) {
	s := op.Step
	return json.Marshal(addJSON[stepJSON]{ID: op.ID, BaseVersion: op.BaseVersion, Step: &stepJSON{ID: s.ID, AreaID: s.AreaID,
		Title: s.Title, Note: s.Note, Responsible: s.Responsible, Due: s.Due, Status: s.Status, Term: s.Term,
		MemberIDs: s.MemberIDs, Reminders: s.Reminders}})
}

// UnmarshalJSON reads the operation's wire form, without its type.
func (op *AddStep) UnmarshalJSON(b []byte) error {
	var w addJSON[stepJSON]
	if err := strict(b, &w); err != nil || w.Member != nil || w.Area != nil {
		return errOr(err, "member or area in step.add")
	}
	*op = AddStep{ID: w.ID, BaseVersion: w.BaseVersion}
	if s := w.Step; s != nil {
		op.Step = Step{ID: s.ID, AreaID: s.AreaID, Title: s.Title, Note: s.Note, Responsible: s.Responsible,
			Due: s.Due, Status: s.Status, Term: s.Term, MemberIDs: s.MemberIDs, Reminders: s.Reminders}
	}
	return nil
}

func errOr(err error, unknown string) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("unknown field: %s", unknown)
}

// patch reads the "set" object of an update operation. Each field is absent
// (unchanged), null (cleared, where the schema allows it) or a value. The
// schema has checked the types, so a value of the wrong type reads as its
// zero value.
type patch map[string]json.RawMessage

func readPatch(b []byte, known ...string) (patch, error) {
	var p patch
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, &Error{Code: EINVALID, Message: "The set object is not valid."}
	}
	for k := range p {
		if !slices.Contains(known, k) {
			return nil, fmt.Errorf("set: unknown field %q", k)
		}
	}
	return p, nil
}

// field returns nil when k is absent, and otherwise a pointer to its value,
// the zero value for null.
func field[T any](p patch, k string) *T {
	raw, ok := p[k]
	if !ok {
		return nil
	}
	v := new(T)
	_ = json.Unmarshal(raw, v) // null leaves the zero value
	return v
}

// list is field for lists: null is the empty list.
func list[T any](p patch, k string) *[]T {
	v := field[[]T](p, k)
	if v != nil && *v == nil {
		*v = []T{}
	}
	return v
}

// UnmarshalJSON reads the "set" of a member.update.
func (p *MemberPatch) UnmarshalJSON(b []byte) error {
	m, err := readPatch(b, "name", "birthYear", "role", "ownAllowed")
	if err != nil {
		return err
	}
	*p = MemberPatch{Name: field[string](m, "name"), BirthYear: field[int](m, "birthYear"),
		Role: field[Role](m, "role"), OwnAllowed: field[bool](m, "ownAllowed")}
	return nil
}

// UnmarshalJSON reads the "set" of an area.update.
func (p *AreaPatch) UnmarshalJSON(b []byte) error {
	m, err := readPatch(b, "title", "now", "desired", "scoreNow", "scoreDesired", "memberIds")
	if err != nil {
		return err
	}
	*p = AreaPatch{Title: field[string](m, "title"), Now: field[string](m, "now"), Desired: field[string](m, "desired"),
		ScoreNow: field[int](m, "scoreNow"), ScoreDesired: field[int](m, "scoreDesired"), MemberIDs: list[string](m, "memberIds")}
	return nil
}

// UnmarshalJSON reads the "set" of a step.update.
func (p *StepPatch) UnmarshalJSON(b []byte) error {
	m, err := readPatch(b, "areaId", "title", "note", "responsible", "due", "status", "term", "memberIds", "reminders")
	if err != nil {
		return err
	}
	*p = StepPatch{AreaID: field[string](m, "areaId"), Title: field[string](m, "title"), Note: field[string](m, "note"),
		Due: field[string](m, "due"), Status: field[Status](m, "status"), Term: field[Term](m, "term"),
		MemberIDs: list[string](m, "memberIds"), Reminders: list[Reminder](m, "reminders")}
	if raw, ok := m["responsible"]; ok {
		p.Responsible = new(Responsible)
		if err := json.Unmarshal(raw, p.Responsible); err != nil {
			return &Error{Code: EINVALID, Message: "The responsible party is not valid."}
		}
	}
	return nil
}
