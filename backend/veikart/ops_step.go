package veikart

import "slices"

// AddStep adds a step; its status is planned unless Step.Status says.
type AddStep struct {
	ID          string
	BaseVersion int64
	// Step: ID, AreaID, Title, Note, Responsible, Due, Status, Term,
	// MemberIDs, Reminders.
	Step Step
}

// UpdateStep changes the fields of a step that Set sets.
type UpdateStep struct {
	ID          string    `json:"opId"`
	BaseVersion int64     `json:"baseVersion"`
	StepID      string    `json:"stepId"`
	Set         StepPatch `json:"set"`
}

// RemoveStep removes a step.
type RemoveStep struct {
	ID          string `json:"opId"`
	BaseVersion int64  `json:"baseVersion"`
	StepID      string `json:"stepId"`
}

// StepPatch holds the step fields an update sets; nil means unchanged.
type StepPatch struct {
	AreaID      *string      `json:"areaId,omitempty"`
	Title       *string      `json:"title,omitempty"`
	Note        *string      `json:"note,omitempty"`
	Responsible *Responsible `json:"responsible,omitempty"`
	Due         *string      `json:"due,omitempty"` // "" clears
	Status      *Status      `json:"status,omitempty"`
	Term        *Term        `json:"term,omitempty"`
	MemberIDs   *[]string    `json:"memberIds,omitempty"`
	Reminders   *[]Reminder  `json:"reminders,omitempty"`
}

func (p StepPatch) fields() []string {
	return setFields(map[string]bool{
		"areaId": p.AreaID != nil, "title": p.Title != nil, "note": p.Note != nil,
		"responsible": p.Responsible != nil, "due": p.Due != nil, "status": p.Status != nil,
		"term": p.Term != nil, "memberIds": p.MemberIDs != nil, "reminders": p.Reminders != nil,
	})
}

func (op AddStep) header() (string, int64)    { return op.ID, op.BaseVersion }
func (op UpdateStep) header() (string, int64) { return op.ID, op.BaseVersion }
func (op RemoveStep) header() (string, int64) { return op.ID, op.BaseVersion }
func (AddStep) kind() OpType                  { return OpAddStep }
func (UpdateStep) kind() OpType               { return OpUpdateStep }
func (RemoveStep) kind() OpType               { return OpRemoveStep }

func (op AddStep) apply(a *applier, ptr string) (bool, error) {
	r, s := a.r, op.Step
	if !ValidID(s.ID) {
		return false, &Error{Code: EINVALID, Message: "The step id is not valid.", Pointer: ptr + "/step/id"}
	}
	if s.Status == "" {
		s.Status = Planned
	}
	if i := r.stepIndex(s.ID); i >= 0 {
		return a.existing(op.ID, "step:"+s.ID, r.validateStep(&s, ptr+"/step") == nil && sameStep(s, r.Steps[i]))
	}
	if len(r.Steps) >= MaxSteps {
		return false, &Error{Code: EINVALID, Message: "A roadmap can have at most 500 steps.", Pointer: ptr}
	}
	if err := r.validateStep(&s, ptr+"/step"); err != nil {
		return false, err
	}
	s.CreatedAt, s.UpdatedAt = a.now, a.now
	if s.Status == Done || s.Status == Dropped {
		s.StatusAt = a.now
	}
	s.Version, s.Changed = a.v, nil
	askPromise(nil, &s, a.now)
	r.Steps = append(r.Steps, s)
	return false, nil
}

// sameStep reports whether an add of x would add what y is. Reminders are
// left out of the comparison, as they always have been.
func sameStep(x, y Step) bool {
	return x.AreaID == y.AreaID && x.Title == y.Title && x.Note == y.Note && x.Responsible == y.Responsible &&
		x.Due == y.Due && x.Status == y.Status && x.Term == y.Term && slices.Equal(x.MemberIDs, y.MemberIDs)
}

func (op UpdateStep) apply(a *applier, ptr string) (bool, error) {
	i := a.r.stepIndex(op.StepID)
	u := update{opID: op.ID, target: "step:" + op.StepID, base: op.BaseVersion, fields: op.Set.fields()}
	var s Step
	if i >= 0 {
		s = a.r.Steps[i]
	}
	if ok, err := a.check(u, i >= 0, s.Changed, ptr); !ok {
		return false, err
	}
	p := op.Set
	set(&s.AreaID, p.AreaID)
	set(&s.Title, p.Title)
	set(&s.Note, p.Note)
	set(&s.Responsible, p.Responsible)
	set(&s.Due, p.Due)
	set(&s.Status, p.Status)
	set(&s.Term, p.Term)
	setSlice(&s.MemberIDs, p.MemberIDs)
	setSlice(&s.Reminders, p.Reminders)
	if err := a.r.validateStep(&s, ptr+"/set"); err != nil {
		return false, err
	}
	askPromise(&a.r.Steps[i], &s, a.now)
	if s.Status != a.r.Steps[i].Status {
		s.StatusAt = a.now
	}
	s.UpdatedAt = a.now
	s.Version, s.Changed = a.v, a.touch(s.Changed, u.fields)
	a.r.Steps[i] = s
	return false, nil
}

func (op RemoveStep) apply(a *applier, _ string) (bool, error) {
	i := a.r.stepIndex(op.StepID)
	if i < 0 {
		return true, nil
	}
	if a.changedAfter(a.r.Steps[i].Changed, op.BaseVersion) {
		a.conflict(op.ID, "step:"+op.StepID, nil)
		return false, nil
	}
	a.r.Steps = slices.Delete(a.r.Steps, i, i+1)
	return false, nil
}
