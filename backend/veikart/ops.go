package veikart

import (
	"slices"
	"strconv"
	"time"
)

// OpType names a field-level change to a roadmap.
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
)

// Op is one change, with an id made by the client so that it can be sent again
// safely, and the roadmap version the client's edit was based on.
type Op struct {
	ID          string
	Type        OpType
	BaseVersion int64

	Title  string // OpSetTitle
	Member Member // OpAddMember
	Area   Area   // OpAddArea
	Step   Step   // OpAddStep

	TargetID    string // the member, area or step an update or removal is for
	MemberPatch MemberPatch
	AreaPatch   AreaPatch
	StepPatch   StepPatch
}

// MemberPatch holds the member fields an update sets; nil means unchanged.
type MemberPatch struct {
	Name      *string
	BirthYear *int // 0 clears
	Role      *Role
	// OwnAllowed: the owners let a child take their parts into a roadmap
	// of their own (growing.go).
	OwnAllowed *bool
}

func (p MemberPatch) fields() []string {
	return setFields(map[string]bool{"name": p.Name != nil, "birthYear": p.BirthYear != nil, "role": p.Role != nil, "ownAllowed": p.OwnAllowed != nil})
}

// AreaPatch holds the area fields an update sets; nil means unchanged.
type AreaPatch struct {
	Title        *string
	Now          *string
	Desired      *string
	ScoreNow     *int // 0 clears
	ScoreDesired *int // 0 clears
	MemberIDs    *[]string
}

func (p AreaPatch) fields() []string {
	return setFields(map[string]bool{
		"title": p.Title != nil, "now": p.Now != nil, "desired": p.Desired != nil,
		"scoreNow": p.ScoreNow != nil, "scoreDesired": p.ScoreDesired != nil, "memberIds": p.MemberIDs != nil,
	})
}

// StepPatch holds the step fields an update sets; nil means unchanged.
type StepPatch struct {
	AreaID      *string
	Title       *string
	Note        *string
	Responsible *Responsible
	Due         *string // "" clears
	Status      *Status
	Term        *Term
	MemberIDs   *[]string
	Reminders   *[]Reminder
}

func (p StepPatch) fields() []string {
	return setFields(map[string]bool{
		"areaId": p.AreaID != nil, "title": p.Title != nil, "note": p.Note != nil,
		"responsible": p.Responsible != nil, "due": p.Due != nil, "status": p.Status != nil,
		"term": p.Term != nil, "memberIds": p.MemberIDs != nil, "reminders": p.Reminders != nil,
	})
}

func setFields(m map[string]bool) []string {
	var out []string
	for k, set := range m {
		if set {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
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
func (r *Roadmap) Apply(ops []Op, now time.Time) (*Roadmap, []Result, error) {
	if len(ops) == 0 || len(ops) > MaxOpsPerCall {
		return nil, nil, &Error{Code: EINVALID, Message: "Send between 1 and 100 operations.", Pointer: "/operations"}
	}
	now = now.UTC().Truncate(time.Millisecond)
	next := r.Clone()
	v := r.Version + 1
	a := applier{r: next, v: v, now: now}
	results := make([]Result, len(ops))
	seen := make(map[string]bool, len(ops))
	applied := 0
	for i, op := range ops {
		ptr := "/operations/" + strconv.Itoa(i)
		if !ValidID(op.ID) {
			return nil, nil, &Error{Code: EINVALID, Message: "The operation id is not valid.", Pointer: ptr + "/opId"}
		}
		results[i] = Result{OpID: op.ID, Outcome: Duplicate}
		if seen[op.ID] || slices.Contains(r.RecentOps, op.ID) {
			continue
		}
		seen[op.ID] = true
		dup, err := a.apply(op, ptr)
		if err != nil {
			return nil, nil, err
		}
		if !dup {
			results[i].Outcome = Applied
			applied++
			next.RecentOps = append(next.RecentOps, op.ID)
		}
	}
	if len(a.conflicts) > 0 {
		return nil, nil, &ConflictError{Conflicts: a.conflicts, Current: r}
	}
	if applied == 0 {
		return r, results, nil
	}
	if n := len(next.RecentOps); n > KeptOpIDs {
		next.RecentOps = slices.Clone(next.RecentOps[n-KeptOpIDs:])
	}
	next.Version = v
	next.UpdatedAt = now
	return next, results, nil
}

// applier applies operations of one batch; r is already a private copy.
type applier struct {
	r         *Roadmap
	v         int64
	now       time.Time
	conflicts []Conflict
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

func (a *applier) conflict(op Op, target string, fields []string) {
	a.conflicts = append(a.conflicts, Conflict{OpID: op.ID, Target: target, Fields: fields})
}

func (a *applier) touch(changed map[string]int64, fields []string) map[string]int64 {
	if changed == nil {
		changed = make(map[string]int64, len(fields))
	}
	for _, f := range fields {
		changed[f] = a.v
	}
	return changed
}

func anyChangedAfter(changed map[string]int64, base, self int64) bool {
	for _, c := range changed {
		if c > base && c != self {
			return true
		}
	}
	return false
}

// apply applies one operation. It reports dup when the operation turns out to
// have been applied before (an add of an identical item that exists, a removal
// of an item that is gone).
func (a *applier) apply(op Op, ptr string) (dup bool, err error) {
	r := a.r
	if op.BaseVersion < 0 || op.BaseVersion > r.Version {
		return false, &Error{Code: EINVALID, Message: "The base version is not a version of this roadmap.", Pointer: ptr + "/baseVersion"}
	}
	switch op.Type {
	case OpSetTitle:
		if r.TitleVersion > op.BaseVersion && r.TitleVersion != a.v {
			a.conflict(op, "roadmap", []string{"title"})
			return false, nil
		}
		if r.Title, err = cleanText(op.Title, 0, MaxTitle, ptr+"/title"); err != nil {
			return false, err
		}
		r.TitleVersion = a.v

	case OpAddMember:
		m := op.Member
		if i := r.memberIndex(m.ID); i >= 0 {
			cur := r.Members[i]
			probe := m
			if probe.validate(ptr+"/member") == nil && probe.Name == cur.Name && probe.BirthYear == cur.BirthYear && probe.Role == cur.Role {
				return true, nil
			}
			a.conflict(op, "member:"+m.ID, nil)
			return false, nil
		}
		m.Version, m.Changed = a.v, nil
		if err := r.addMember(m, ptr+"/member"); err != nil {
			return false, err
		}

	case OpUpdateMember:
		i := r.memberIndex(op.TargetID)
		if i < 0 {
			a.conflict(op, "member:"+op.TargetID, nil)
			return false, nil
		}
		fields := op.MemberPatch.fields()
		if len(fields) == 0 {
			return false, &Error{Code: EINVALID, Message: "Set at least one field.", Pointer: ptr + "/set"}
		}
		m := r.Members[i]
		if s := a.stale(m.Changed, fields, op.BaseVersion); len(s) > 0 {
			a.conflict(op, "member:"+m.ID, s)
			return false, nil
		}
		p := op.MemberPatch
		if p.Name != nil {
			m.Name = *p.Name
		}
		if p.BirthYear != nil {
			m.BirthYear = *p.BirthYear
		}
		if p.Role != nil {
			m.Role = *p.Role
		}
		if p.OwnAllowed != nil {
			m.OwnAllowed = *p.OwnAllowed
		}
		if err := m.validate(ptr + "/set"); err != nil {
			return false, err
		}
		m.Version, m.Changed = a.v, a.touch(m.Changed, fields)
		r.Members[i] = m

	case OpRemoveMember:
		i := r.memberIndex(op.TargetID)
		if i < 0 {
			return true, nil
		}
		m := r.Members[i]
		if anyChangedAfter(m.Changed, op.BaseVersion, a.v) {
			a.conflict(op, "member:"+m.ID, nil)
			return false, nil
		}
		for _, s := range r.Steps {
			if s.Responsible.Kind == ByMember && s.Responsible.MemberID == m.ID {
				return false, &Error{Code: EINVALID, Message: "This member is responsible for a step. Give the step to someone else first.", Pointer: ptr + "/memberId"}
			}
		}
		r.Members = slices.Delete(r.Members, i, i+1)
		// The member no longer concerns any area or step; that is part of
		// removing them, not a change someone else could conflict with.
		for j := range r.Areas {
			r.Areas[j].MemberIDs = slices.DeleteFunc(r.Areas[j].MemberIDs, func(id string) bool { return id == m.ID })
		}
		for j := range r.Steps {
			r.Steps[j].MemberIDs = slices.DeleteFunc(r.Steps[j].MemberIDs, func(id string) bool { return id == m.ID })
		}

	case OpAddArea:
		ar := op.Area
		ar.Kind = CustomArea
		if !ValidID(ar.ID) {
			return false, &Error{Code: EINVALID, Message: "The area id is not valid.", Pointer: ptr + "/area/id"}
		}
		if i := r.areaIndex(ar.ID); i >= 0 {
			probe := ar
			cur := r.Areas[i]
			if r.validateArea(&probe, ptr+"/area") == nil && probe.Title == cur.Title && probe.Now == cur.Now &&
				probe.Desired == cur.Desired && probe.ScoreNow == cur.ScoreNow && probe.ScoreDesired == cur.ScoreDesired &&
				slices.Equal(probe.MemberIDs, cur.MemberIDs) {
				return true, nil
			}
			a.conflict(op, "area:"+ar.ID, nil)
			return false, nil
		}
		if len(r.Areas) >= MaxAreas {
			return false, &Error{Code: EINVALID, Message: "A roadmap can have at most 40 areas.", Pointer: ptr}
		}
		if err := r.validateArea(&ar, ptr+"/area"); err != nil {
			return false, err
		}
		ar.Version, ar.Changed = a.v, nil
		r.Areas = append(r.Areas, ar)

	case OpUpdateArea:
		i := r.areaIndex(op.TargetID)
		if i < 0 {
			a.conflict(op, "area:"+op.TargetID, nil)
			return false, nil
		}
		fields := op.AreaPatch.fields()
		if len(fields) == 0 {
			return false, &Error{Code: EINVALID, Message: "Set at least one field.", Pointer: ptr + "/set"}
		}
		ar := r.Areas[i]
		if s := a.stale(ar.Changed, fields, op.BaseVersion); len(s) > 0 {
			a.conflict(op, "area:"+ar.ID, s)
			return false, nil
		}
		p := op.AreaPatch
		if p.Title != nil {
			if ar.Kind == DefaultArea {
				return false, &Error{Code: EINVALID, Message: "Default areas have no title of their own.", Pointer: ptr + "/set/title"}
			}
			ar.Title = *p.Title
		}
		if p.Now != nil {
			ar.Now = *p.Now
		}
		if p.Desired != nil {
			ar.Desired = *p.Desired
		}
		if p.ScoreNow != nil {
			ar.ScoreNow = *p.ScoreNow
		}
		if p.ScoreDesired != nil {
			ar.ScoreDesired = *p.ScoreDesired
		}
		if p.MemberIDs != nil {
			ar.MemberIDs = slices.Clone(*p.MemberIDs)
		}
		if err := r.validateArea(&ar, ptr+"/set"); err != nil {
			return false, err
		}
		ar.Version, ar.Changed = a.v, a.touch(ar.Changed, fields)
		r.Areas[i] = ar

	case OpRemoveArea:
		i := r.areaIndex(op.TargetID)
		if i < 0 {
			return true, nil
		}
		ar := r.Areas[i]
		if ar.Kind == DefaultArea {
			return false, &Error{Code: EINVALID, Message: "Default areas cannot be removed; leave them empty instead.", Pointer: ptr + "/areaId"}
		}
		if anyChangedAfter(ar.Changed, op.BaseVersion, a.v) {
			a.conflict(op, "area:"+ar.ID, nil)
			return false, nil
		}
		if slices.ContainsFunc(r.Steps, func(s Step) bool { return s.AreaID == ar.ID }) {
			return false, &Error{Code: EINVALID, Message: "This area still has steps. Move or remove them first.", Pointer: ptr + "/areaId"}
		}
		r.Areas = slices.Delete(r.Areas, i, i+1)

	case OpAddStep:
		s := op.Step
		if !ValidID(s.ID) {
			return false, &Error{Code: EINVALID, Message: "The step id is not valid.", Pointer: ptr + "/step/id"}
		}
		if s.Status == "" {
			s.Status = Planned
		}
		if i := r.stepIndex(s.ID); i >= 0 {
			probe := s
			cur := r.Steps[i]
			if r.validateStep(&probe, ptr+"/step") == nil && probe.AreaID == cur.AreaID && probe.Title == cur.Title &&
				probe.Note == cur.Note && probe.Responsible == cur.Responsible && probe.Due == cur.Due &&
				probe.Status == cur.Status && probe.Term == cur.Term && slices.Equal(probe.MemberIDs, cur.MemberIDs) {
				return true, nil
			}
			a.conflict(op, "step:"+s.ID, nil)
			return false, nil
		}
		if len(r.Steps) >= MaxSteps {
			return false, &Error{Code: EINVALID, Message: "A roadmap can have at most 500 steps.", Pointer: ptr}
		}
		if err := r.validateStep(&s, ptr+"/step"); err != nil {
			return false, err
		}
		s.CreatedAt, s.UpdatedAt = a.now, a.now
		s.Version, s.Changed = a.v, nil
		r.Steps = append(r.Steps, s)

	case OpUpdateStep:
		i := r.stepIndex(op.TargetID)
		if i < 0 {
			a.conflict(op, "step:"+op.TargetID, nil)
			return false, nil
		}
		fields := op.StepPatch.fields()
		if len(fields) == 0 {
			return false, &Error{Code: EINVALID, Message: "Set at least one field.", Pointer: ptr + "/set"}
		}
		s := r.Steps[i]
		if st := a.stale(s.Changed, fields, op.BaseVersion); len(st) > 0 {
			a.conflict(op, "step:"+s.ID, st)
			return false, nil
		}
		p := op.StepPatch
		if p.AreaID != nil {
			s.AreaID = *p.AreaID
		}
		if p.Title != nil {
			s.Title = *p.Title
		}
		if p.Note != nil {
			s.Note = *p.Note
		}
		if p.Responsible != nil {
			s.Responsible = *p.Responsible
		}
		if p.Due != nil {
			s.Due = *p.Due
		}
		if p.Status != nil {
			s.Status = *p.Status
		}
		if p.Term != nil {
			s.Term = *p.Term
		}
		if p.MemberIDs != nil {
			s.MemberIDs = slices.Clone(*p.MemberIDs)
		}
		if p.Reminders != nil {
			s.Reminders = slices.Clone(*p.Reminders)
		}
		if err := r.validateStep(&s, ptr+"/set"); err != nil {
			return false, err
		}
		s.UpdatedAt = a.now
		s.Version, s.Changed = a.v, a.touch(s.Changed, fields)
		r.Steps[i] = s

	case OpRemoveStep:
		i := r.stepIndex(op.TargetID)
		if i < 0 {
			return true, nil
		}
		if anyChangedAfter(r.Steps[i].Changed, op.BaseVersion, a.v) {
			a.conflict(op, "step:"+op.TargetID, nil)
			return false, nil
		}
		r.Steps = slices.Delete(r.Steps, i, i+1)

	default:
		return false, &Error{Code: EINVALID, Message: "Unknown operation type.", Pointer: ptr + "/type"}
	}
	return false, nil
}
