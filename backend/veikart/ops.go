package veikart

import (
	"slices"
	"strconv"
	"time"
)

// OpType names a field-level change to a roadmap, as it is named on the wire
// (schemas/operation.schema.json).
type OpType string

// Operation types. Each changes one item; a batch of them is applied
// atomically as one new version.
const (
	OpSetTitle     OpType = "roadmap.setTitle"
	OpAddMember    OpType = "member.add"
	OpUpdateMember OpType = "member.update"
	OpRemoveMember OpType = "member.remove"
	OpAddArea      OpType = "area.add"
	OpUpdateArea   OpType = "area.update"
	OpRemoveArea   OpType = "area.remove"
	OpAddStep      OpType = "step.add"
	OpUpdateStep   OpType = "step.update"
	OpRemoveStep   OpType = "step.remove"
	// The system's blockers (blocker.go).
	OpSetBlocker      OpType = "step.setBlocker"
	OpSetMunicipality OpType = "roadmap.setMunicipality"
)

// Op is one change, with an id made by the client so that it can be sent again
// safely, and the roadmap version the client's edit was based on. Each kind is
// a type of its own (SetTitle, AddMember, UpdateArea, ...) that validates and
// applies itself; the interface is closed, so that every kind is in opTypes
// (ops_json.go), the one table that names them on the wire.
type Op interface {
	// header returns the operation's id and base version.
	header() (id string, base int64)
	// kind is the operation's name on the wire.
	kind() OpType
	// apply applies the operation to a.r. It reports dup when the operation
	// turns out to have been applied before (an add of an identical item
	// that exists, a removal of an item that is gone). A conflict is
	// recorded in a, not returned: the batch goes on, so that the client
	// hears of every stale operation at once.
	apply(a *applier, ptr string) (dup bool, err error)
}

// Outcome says what happened to one operation of a batch.
type Outcome string

// Outcomes.
const (
	Applied   Outcome = "applied"
	Duplicate Outcome = "duplicate" // seen before; nothing changed
)

// Result is the outcome of one operation.
type Result struct {
	OpID    string
	Outcome Outcome
}

// Apply applies a batch of operations to a copy of r and returns the copy at
// the next version. The batch is all or nothing: if any operation is invalid
// it returns an *Error, if any is based on a stale version of what it changes
// it returns a *ConflictError, and r is untouched either way. Operations seen
// before are reported as duplicates and change nothing; if every operation is
// a duplicate, the returned roadmap is r itself and its version is unchanged.
//
// Conflicts are decided per field: an update conflicts only when one of the
// fields it sets was changed by an earlier batch after the client's base
// version. Operations in the same batch never conflict with each other.
//
// Apply reads dates (what "today" is) in UTC; the service applies in the
// households' time zone with ApplyIn.
func (r *Roadmap) Apply(ops []Op, now time.Time) (*Roadmap, []Result, error) {
	return r.ApplyIn(ops, now, time.UTC)
}

// ApplyIn is Apply with today as it is in loc (an overdue step, say, is
// one due before loc's today).
func (r *Roadmap) ApplyIn(ops []Op, now time.Time, loc *time.Location) (*Roadmap, []Result, error) {
	if loc == nil {
		loc = time.UTC
	}
	if len(ops) == 0 || len(ops) > MaxOpsPerCall {
		return nil, nil, &Error{Code: EINVALID, Message: "Send between 1 and 100 operations.", Pointer: "/operations"}
	}
	next := r.Clone()
	a := applier{r: next, v: r.Version + 1, now: now.UTC().Truncate(time.Millisecond), loc: loc}
	results := make([]Result, len(ops))
	seen := make(map[string]bool, len(ops))
	for i, op := range ops {
		id, _ := op.header()
		ptr := "/operations/" + strconv.Itoa(i)
		if !ValidID(id) {
			return nil, nil, &Error{Code: EINVALID, Message: "The operation id is not valid.", Pointer: ptr + "/opId"}
		}
		results[i] = Result{OpID: id, Outcome: Duplicate}
		if seen[id] || slices.Contains(r.RecentOps, id) {
			continue
		}
		seen[id] = true
		applied, err := a.one(op, ptr)
		if err != nil {
			return nil, nil, err
		}
		if applied {
			results[i].Outcome = Applied
			next.RecentOps = append(next.RecentOps, id)
		}
	}
	if len(a.conflicts) > 0 {
		return nil, nil, &ConflictError{Conflicts: a.conflicts, Current: r}
	}
	if len(next.RecentOps) == len(r.RecentOps) {
		return r, results, nil // nothing applied
	}
	if n := len(next.RecentOps); n > KeptOpIDs {
		next.RecentOps = slices.Clone(next.RecentOps[n-KeptOpIDs:])
	}
	next.Version = a.v
	next.UpdatedAt = a.now
	return next, results, nil
}

// applier applies operations of one batch; r is already a private copy.
type applier struct {
	r         *Roadmap
	v         int64 // the version the batch makes
	now       time.Time
	loc       *time.Location // the households' zone: what today is
	conflicts []Conflict
}

// today is the date of a.now where the household lives.
func (a *applier) today() string { return a.now.In(a.loc).Format(time.DateOnly) }

// one checks what every operation shares, its base version, and applies op.
// It reports whether op changed anything.
// (An operation that conflicts counts as applied: the batch fails anyway.)
func (a *applier) one(op Op, ptr string) (applied bool, err error) {
	if _, base := op.header(); base < 0 || base > a.r.Version {
		return false, &Error{Code: EINVALID, Message: "The base version is not a version of this roadmap.", Pointer: ptr + "/baseVersion"}
	}
	dup, err := op.apply(a, ptr)
	return !dup && err == nil, err
}

// stale reports which of fields changed after base, ignoring changes made by
// this same batch.
func (a *applier) stale(changed map[string]int64, fields []string, base int64) []string {
	var out []string
	for _, f := range fields {
		if c := changed[f]; c > base && c != a.v {
			out = append(out, f)
		}
	}
	return out
}

// changedAfter reports whether any field changed after base, by an earlier
// batch than this one.
func (a *applier) changedAfter(changed map[string]int64, base int64) bool {
	for _, c := range changed {
		if c > base && c != a.v {
			return true
		}
	}
	return false
}

func (a *applier) conflict(opID, target string, fields []string) {
	a.conflicts = append(a.conflicts, Conflict{OpID: opID, Target: target, Fields: fields})
}

// touch records that fields changed in this batch.
func (a *applier) touch(changed map[string]int64, fields []string) map[string]int64 {
	if changed == nil {
		changed = make(map[string]int64, len(fields))
	}
	for _, f := range fields {
		changed[f] = a.v
	}
	return changed
}

// update holds what every update operation checks before it changes its
// item: that the item is there (a missing one is a conflict: someone removed
// it), that the operation sets a field, and that none of those fields changed
// after the client's base version. ok is false when the operation must stop,
// with err nil when the reason was a conflict.
type update struct {
	opID, target string
	base         int64
	fields       []string
}

func (a *applier) check(u update, found bool, changed map[string]int64, ptr string) (ok bool, err error) {
	if !found {
		a.conflict(u.opID, u.target, nil)
		return false, nil
	}
	if len(u.fields) == 0 {
		return false, &Error{Code: EINVALID, Message: "Set at least one field.", Pointer: ptr + "/set"}
	}
	if s := a.stale(changed, u.fields, u.base); len(s) > 0 {
		a.conflict(u.opID, u.target, s)
		return false, nil
	}
	return true, nil
}

// existing decides an add of an item whose id is taken: the same item again
// (a replay with a new op id) is a duplicate, anything else a conflict.
func (a *applier) existing(opID, target string, same bool) (dup bool, err error) {
	if same {
		return true, nil
	}
	a.conflict(opID, target, nil)
	return false, nil
}

// set copies *p into *dst when the patch sets it.
func set[T any](dst *T, p *T) {
	if p != nil {
		*dst = *p
	}
}

// setSlice is set for slices, which the item must not share with the patch.
func setSlice[T any](dst *[]T, p *[]T) {
	if p != nil {
		*dst = slices.Clone(*p)
	}
}

// setFields lists the names of the fields a patch sets, in order.
func setFields(m map[string]bool) []string {
	var out []string
	for k, isSet := range m {
		if isSet {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// SetTitle sets the roadmap's title.
type SetTitle struct {
	ID          string `json:"opId"`
	BaseVersion int64  `json:"baseVersion"`
	Title       string `json:"title"`
}

func (op SetTitle) header() (string, int64) { return op.ID, op.BaseVersion }
func (SetTitle) kind() OpType               { return OpSetTitle }

func (op SetTitle) apply(a *applier, ptr string) (bool, error) {
	r := a.r
	if r.TitleVersion > op.BaseVersion && r.TitleVersion != a.v {
		a.conflict(op.ID, "roadmap", []string{"title"})
		return false, nil
	}
	title, err := cleanText(op.Title, 0, MaxTitle, ptr+"/title")
	if err != nil {
		return false, err
	}
	r.Title, r.TitleVersion = title, a.v
	return false, nil
}

// unknownOp is an operation of a type this server does not know. It is
// refused when the batch is applied, not when it is decoded, so that the
// error points at it like any other invalid operation.
type unknownOp struct {
	ID          string `json:"opId"`
	BaseVersion int64  `json:"baseVersion"`
	Type        OpType `json:"-"` // EncodeOp writes it
}

func (op unknownOp) header() (string, int64) { return op.ID, op.BaseVersion }
func (op unknownOp) kind() OpType            { return op.Type }

func (unknownOp) apply(_ *applier, ptr string) (bool, error) {
	return false, &Error{Code: EINVALID, Message: "Unknown operation type.", Pointer: ptr + "/type"}
}
