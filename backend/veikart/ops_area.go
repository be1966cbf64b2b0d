package veikart

import "slices"

// AddArea adds a custom area. Area.Kind is ignored: an added area is custom.
type AddArea struct {
	ID          string
	BaseVersion int64
	Area        Area // ID, Title, Now, Desired, ScoreNow, ScoreDesired, MemberIDs
}

// UpdateArea changes the fields of an area that Set sets.
type UpdateArea struct {
	ID          string    `json:"opId"`
	BaseVersion int64     `json:"baseVersion"`
	AreaID      string    `json:"areaId"`
	Set         AreaPatch `json:"set"`
}

// RemoveArea removes a custom area that has no steps.
type RemoveArea struct {
	ID          string `json:"opId"`
	BaseVersion int64  `json:"baseVersion"`
	AreaID      string `json:"areaId"`
}

// AreaPatch holds the area fields an update sets; nil means unchanged.
type AreaPatch struct {
	Title        *string   `json:"title,omitempty"`
	Now          *string   `json:"now,omitempty"`
	Desired      *string   `json:"desired,omitempty"`
	ScoreNow     *int      `json:"scoreNow,omitempty"`     // 0 clears
	ScoreDesired *int      `json:"scoreDesired,omitempty"` // 0 clears
	MemberIDs    *[]string `json:"memberIds,omitempty"`
}

func (p AreaPatch) fields() []string {
	return setFields(map[string]bool{
		"title": p.Title != nil, "now": p.Now != nil, "desired": p.Desired != nil,
		"scoreNow": p.ScoreNow != nil, "scoreDesired": p.ScoreDesired != nil, "memberIds": p.MemberIDs != nil,
	})
}

func (op AddArea) header() (string, int64)    { return op.ID, op.BaseVersion }
func (op UpdateArea) header() (string, int64) { return op.ID, op.BaseVersion }
func (op RemoveArea) header() (string, int64) { return op.ID, op.BaseVersion }
func (AddArea) kind() OpType                  { return OpAddArea }
func (UpdateArea) kind() OpType               { return OpUpdateArea }
func (RemoveArea) kind() OpType               { return OpRemoveArea }

func (op AddArea) apply(a *applier, ptr string) (bool, error) {
	r, ar := a.r, op.Area
	ar.Kind = CustomArea
	if !ValidID(ar.ID) {
		return false, &Error{Code: EINVALID, Message: "The area id is not valid.", Pointer: ptr + "/area/id"}
	}
	if i := r.areaIndex(ar.ID); i >= 0 {
		return a.existing(op.ID, "area:"+ar.ID, r.validateArea(&ar, ptr+"/area") == nil && sameArea(ar, r.Areas[i]))
	}
	if len(r.Areas) >= MaxAreas {
		return false, &Error{Code: EINVALID, Message: "A roadmap can have at most 40 areas.", Pointer: ptr}
	}
	if err := r.validateArea(&ar, ptr+"/area"); err != nil {
		return false, err
	}
	ar.Version, ar.Changed = a.v, nil
	r.Areas = append(r.Areas, ar)
	return false, nil
}

// sameArea reports whether an add of x would add what y is.
func sameArea(x, y Area) bool {
	return x.Title == y.Title && x.Now == y.Now && x.Desired == y.Desired &&
		x.ScoreNow == y.ScoreNow && x.ScoreDesired == y.ScoreDesired && slices.Equal(x.MemberIDs, y.MemberIDs)
}

func (op UpdateArea) apply(a *applier, ptr string) (bool, error) {
	i := a.r.areaIndex(op.AreaID)
	u := update{opID: op.ID, target: "area:" + op.AreaID, base: op.BaseVersion, fields: op.Set.fields()}
	var ar Area
	if i >= 0 {
		ar = a.r.Areas[i]
	}
	if ok, err := a.check(u, i >= 0, ar.Changed, ptr); !ok {
		return false, err
	}
	p := op.Set
	if p.Title != nil && ar.Kind == DefaultArea {
		return false, &Error{Code: EINVALID, Message: "Default areas have no title of their own.", Pointer: ptr + "/set/title"}
	}
	set(&ar.Title, p.Title)
	set(&ar.Now, p.Now)
	set(&ar.Desired, p.Desired)
	set(&ar.ScoreNow, p.ScoreNow)
	set(&ar.ScoreDesired, p.ScoreDesired)
	setSlice(&ar.MemberIDs, p.MemberIDs)
	if err := a.r.validateArea(&ar, ptr+"/set"); err != nil {
		return false, err
	}
	ar.Version, ar.Changed = a.v, a.touch(ar.Changed, u.fields)
	a.r.Areas[i] = ar
	return false, nil
}

func (op RemoveArea) apply(a *applier, ptr string) (bool, error) {
	r := a.r
	i := r.areaIndex(op.AreaID)
	if i < 0 {
		return true, nil
	}
	ar := r.Areas[i]
	if ar.Kind == DefaultArea {
		return false, &Error{Code: EINVALID, Message: "Default areas cannot be removed; leave them empty instead.", Pointer: ptr + "/areaId"}
	}
	if a.changedAfter(ar.Changed, op.BaseVersion) {
		a.conflict(op.ID, "area:"+ar.ID, nil)
		return false, nil
	}
	if slices.ContainsFunc(r.Steps, func(s Step) bool { return s.AreaID == ar.ID }) {
		return false, &Error{Code: EINVALID, Message: "This area still has steps. Move or remove them first.", Pointer: ptr + "/areaId"}
	}
	r.Areas = slices.Delete(r.Areas, i, i+1)
	return false, nil
}
