package veikart

import "slices"

// AddMember adds a member to the household. Member.ID is the client's.
type AddMember struct {
	ID          string
	BaseVersion int64
	Member      Member // ID, Name, BirthYear, Role
}

// UpdateMember changes the fields of a member that Set sets.
type UpdateMember struct {
	ID          string      `json:"opId"`
	BaseVersion int64       `json:"baseVersion"`
	MemberID    string      `json:"memberId"`
	Set         MemberPatch `json:"set"`
}

// RemoveMember removes a member, and with them their place in areas and
// steps; not while they are responsible for a step.
type RemoveMember struct {
	ID          string `json:"opId"`
	BaseVersion int64  `json:"baseVersion"`
	MemberID    string `json:"memberId"`
}

// MemberPatch holds the member fields an update sets; nil means unchanged.
type MemberPatch struct {
	Name      *string `json:"name,omitempty"`
	BirthYear *int    `json:"birthYear,omitempty"` // 0 clears
	Role      *Role   `json:"role,omitempty"`
	// OwnAllowed: the owners let a child take their parts into a roadmap
	// of their own (growing.go).
	OwnAllowed *bool `json:"ownAllowed,omitempty"`
}

func (p MemberPatch) fields() []string {
	return setFields(map[string]bool{"name": p.Name != nil, "birthYear": p.BirthYear != nil, "role": p.Role != nil, "ownAllowed": p.OwnAllowed != nil})
}

func (op AddMember) header() (string, int64)    { return op.ID, op.BaseVersion }
func (op UpdateMember) header() (string, int64) { return op.ID, op.BaseVersion }
func (op RemoveMember) header() (string, int64) { return op.ID, op.BaseVersion }
func (AddMember) kind() OpType                  { return OpAddMember }
func (UpdateMember) kind() OpType               { return OpUpdateMember }
func (RemoveMember) kind() OpType               { return OpRemoveMember }

func (op AddMember) apply(a *applier, ptr string) (bool, error) {
	m := op.Member
	if i := a.r.memberIndex(m.ID); i >= 0 {
		cur := a.r.Members[i]
		same := m.validate(ptr+"/member") == nil && m.Name == cur.Name && m.BirthYear == cur.BirthYear && m.Role == cur.Role
		return a.existing(op.ID, "member:"+m.ID, same)
	}
	m.Version, m.Changed = a.v, nil
	return false, a.r.addMember(m, ptr+"/member")
}

func (op UpdateMember) apply(a *applier, ptr string) (bool, error) {
	i := a.r.memberIndex(op.MemberID)
	u := update{opID: op.ID, target: "member:" + op.MemberID, base: op.BaseVersion, fields: op.Set.fields()}
	var m Member
	if i >= 0 {
		m = a.r.Members[i]
	}
	if ok, err := a.check(u, i >= 0, m.Changed, ptr); !ok {
		return false, err
	}
	p := op.Set
	set(&m.Name, p.Name)
	set(&m.BirthYear, p.BirthYear)
	set(&m.Role, p.Role)
	set(&m.OwnAllowed, p.OwnAllowed)
	if err := m.validate(ptr + "/set"); err != nil {
		return false, err
	}
	m.Version, m.Changed = a.v, a.touch(m.Changed, u.fields)
	a.r.Members[i] = m
	return false, nil
}

func (op RemoveMember) apply(a *applier, ptr string) (bool, error) {
	r := a.r
	i := r.memberIndex(op.MemberID)
	if i < 0 {
		return true, nil
	}
	m := r.Members[i]
	if a.changedAfter(m.Changed, op.BaseVersion) {
		a.conflict(op.ID, "member:"+m.ID, nil)
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
	isM := func(id string) bool { return id == m.ID }
	for j := range r.Areas {
		r.Areas[j].MemberIDs = slices.DeleteFunc(r.Areas[j].MemberIDs, isM)
	}
	for j := range r.Steps {
		r.Steps[j].MemberIDs = slices.DeleteFunc(r.Steps[j].MemberIDs, isM)
	}
	// Their yes and no were about them; they go with them.
	r.Says = slices.DeleteFunc(r.Says, func(s OwnSay) bool { return s.MemberID == m.ID })
	return false, nil
}
