package veikart

import (
	"slices"
	"time"
)

// Growing up: a member who turns 18, or a younger one the owners allow, takes
// the parts of the family's roadmap that concern them into a roadmap of
// their own, which they alone own. The family's owners see nothing of it
// unless the young person shares it. The family's roadmap keeps its own copy
// (it is the family's history too) and records that the member moved on.

// DefaultOwnSayAge is the age from which a young member has their own say
// over what of them is shared and shown (their name or their part on the
// poster, until members have accounts of their own). Operators may set
// another (VEIKART_OWN_SAY_AGE); one setting, wherever the rule applies.
const DefaultOwnSayAge = 16

// AdultAge is the age at which a member may take their own roadmap without
// the owners' leave.
const AdultAge = 18

// MayTakeOwn reports whether member m may take their parts into a roadmap of
// their own at now: they must have their own account, and be 18 this year
// (a birth year is all a roadmap knows), or be an adult of the household
// without a birth year, or have the owners' leave.
func (m Member) MayTakeOwn(now time.Time) bool {
	if m.UserID == "" {
		return false
	}
	switch {
	case m.OwnAllowed:
		return true
	case m.BirthYear != 0:
		return now.Year()-m.BirthYear >= AdultAge
	default:
		return m.Role == Adult
	}
}

// MemberByUser returns the member linked to userID.
func (r *Roadmap) MemberByUser(userID string) (Member, bool) {
	if userID == "" {
		return Member{}, false
	}
	if i := slices.IndexFunc(r.Members, func(m Member) bool { return m.UserID == userID }); i >= 0 {
		return r.Members[i], true
	}
	return Member{}, false
}

// Concerns reports whether step s concerns member id: it names them, or they
// are responsible for it.
func (s Step) Concerns(id string) bool {
	return slices.Contains(s.MemberIDs, id) || (s.Responsible.Kind == ByMember && s.Responsible.MemberID == id)
}

// TakeOwn makes the roadmap newID of member memberID, owned by userID alone,
// from the parts of r that concern them: the areas that name them (their
// present and desired situation and scores) and the steps that name them or
// that they are responsible for. It returns r with the member marked as
// moved on, and the new roadmap. Nothing else of r goes with them: not the
// other members, not the family's grants, comments or proposals.
func (r *Roadmap) TakeOwn(memberID, userID, newID, title string, now time.Time) (family, own *Roadmap, err error) {
	now = clock(now)
	i := r.memberIndex(memberID)
	if i < 0 {
		return nil, nil, &Error{Code: ENOTFOUND, Message: "There is no such member."}
	}
	m := r.Members[i]
	if err := m.mayTakeOwnAs(userID, now); err != nil {
		return nil, nil, err
	}
	if title == "" {
		title = m.Name
	}
	self := Member{ID: m.ID, Name: m.Name, BirthYear: m.BirthYear, Role: m.Role}
	if m.BirthYear != 0 && now.Year()-m.BirthYear >= AdultAge {
		self.Role = Adult
	}
	own, err = NewRoadmap(newID, userID, title, []Member{self}, now)
	if err != nil {
		return nil, nil, err
	}
	own.Members[0].UserID = userID
	r.giveAreas(own, m.ID)
	r.giveSteps(own, m.ID, now)
	family = r.next(now)
	family.Members[i].TookOwnAt = now
	return family, own, nil
}

// mayTakeOwnAs says why the member may not take their parts into a roadmap
// of their own, signed in as userID, now; nil if they may.
func (m Member) mayTakeOwnAs(userID string, now time.Time) error {
	if m.UserID == "" || m.UserID != userID {
		return &Error{Code: EFORBIDDEN, Message: "Only the member themselves can take their part into a roadmap of their own."}
	}
	if !m.TookOwnAt.IsZero() {
		return &Error{Code: ECONFLICT, Message: "This member already has a roadmap of their own."}
	}
	if !m.MayTakeOwn(now) {
		return &Error{Code: EFORBIDDEN, Message: "A member under 18 needs the owners' leave to take a roadmap of their own."}
	}
	return nil
}

// giveAreas copies into own the areas of r that concern member id: what
// they name them in whole, a custom area with their steps by its title only.
func (r *Roadmap) giveAreas(own *Roadmap, id string) {
	for _, a := range r.Areas {
		mine := slices.Contains(a.MemberIDs, id)
		if !mine && a.Kind == DefaultArea {
			continue // the new roadmap has every default area, empty
		}
		if !mine && !slices.ContainsFunc(r.Steps, func(s Step) bool { return s.AreaID == a.ID && s.Concerns(id) }) {
			continue // a custom area is taken only for what concerns them
		}
		na := Area{ID: a.ID, Kind: a.Kind, Title: a.Title, Version: 1}
		if mine {
			na.Now, na.Desired, na.ScoreNow, na.ScoreDesired = a.Now, a.Desired, a.ScoreNow, a.ScoreDesired
			na.MemberIDs = []string{id}
		}
		if j := own.areaIndex(a.ID); j >= 0 {
			own.Areas[j] = na
		} else {
			own.Areas = append(own.Areas, na)
		}
	}
}

// giveSteps copies into own the steps of r that concern member id, as new
// steps that name only them; a step another member was responsible for
// becomes the (new) household's.
func (r *Roadmap) giveSteps(own *Roadmap, id string, now time.Time) {
	for _, s := range r.Steps {
		if !s.Concerns(id) {
			continue
		}
		ns := s
		ns.MemberIDs = []string{id}
		ns.Reminders = slices.Clone(s.Reminders)
		ns.Version, ns.Changed, ns.CreatedAt, ns.UpdatedAt = 1, nil, now, now
		if ns.Responsible.Kind == ByMember && ns.Responsible.MemberID != id {
			ns.Responsible = Responsible{Kind: ByHousehold}
		}
		own.Steps = append(own.Steps, ns)
	}
}
