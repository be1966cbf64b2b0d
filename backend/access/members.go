package access

import (
	"slices"

	"github.com/veikart/veikart/backend/veikart"
)

// Members: a household member with an account of their own (a young person
// who accepted a member invitation, or an adult the owners linked). They are
// part of the household, not its owners: they see the parts of the roadmap
// that name them, add their own words there, answer for themselves when a
// yes is asked of them, and may take their part into a roadmap of their
// own. Grants, ownership, erasure of the roadmap, and other members' parts
// are the owners' alone.

// Actions of members.
const (
	// AnswerSay is a member saying yes or no to an area that names them
	// being shared with an agency or printed on the poster.
	AnswerSay Action = "answer-say"
	// ReadSays is reading the yes and no of young members: every member's
	// for the owners, one's own for a member.
	ReadSays Action = "read-says"
)

// decideMember is decidePerson for me, a member of r with an account.
func decideMember(me veikart.Member, action Action, r *veikart.Roadmap, section veikart.Section) Decision {
	switch action {
	case Read, PrintPoster, TakeOwn, AnswerSay, ReadSays:
		return Decision{Allowed: true, Role: RoleMember}
	case Comment:
		// Their own words, on the areas that name them (the area's texts
		// or its steps); never on another member's part.
		return Decision{Allowed: r.HasSection(section) && namesMember(r, section.AreaID(), me.ID), Role: RoleMember}
	}
	return deny
}

// namesMember reports whether area areaID of r names member id.
func namesMember(r *veikart.Roadmap, areaID, id string) bool {
	a, ok := r.Area(areaID)
	return ok && slices.Contains(a.MemberIDs, id)
}

// MemberSections are the sections of r that are member id's: the texts and
// the steps of each area that names them.
func MemberSections(r *veikart.Roadmap, id string) []veikart.Section {
	var out []veikart.Section
	for _, a := range r.Areas {
		if slices.Contains(a.MemberIDs, id) {
			out = append(out, veikart.AreaSection(a.ID), veikart.StepsSection(a.ID))
		}
	}
	return out
}

// projectMember is what a member sees: the areas that name them; the steps
// of those areas and any other step that names them or that they are
// responsible for; themselves in the household list (another member's name,
// birth year and account are that member's); the household's comments on
// their sections; their own yes and no. Nothing of consent, agencies'
// exchanges, meetings, transitions or the team: those are the owners'.
func projectMember(actor Actor, r *veikart.Roadmap) *View {
	me, ok := r.MemberByUser(actor.UserID)
	if !ok {
		return nil
	}
	mine := MemberSections(r, me.ID)
	v := &veikart.Roadmap{
		ID: r.ID, Title: r.Title, Owners: nil, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		TitleVersion: r.TitleVersion, Rev: r.Rev,
	}
	for _, m := range r.Members {
		if m.ID == me.ID {
			m.Changed = nil
			v.Members = append(v.Members, m)
		}
	}
	for _, a := range r.Areas {
		if slices.Contains(a.MemberIDs, me.ID) {
			a.MemberIDs = []string{me.ID}
			a.Changed = nil
			v.Areas = append(v.Areas, a)
		}
	}
	for _, s := range r.Steps {
		if s.Concerns(me.ID) || slices.Contains(mine, veikart.StepsSection(s.AreaID)) {
			s.MemberIDs = slices.DeleteFunc(slices.Clone(s.MemberIDs), func(id string) bool { return id != me.ID })
			if s.Responsible.Kind == veikart.ByMember && s.Responsible.MemberID != me.ID {
				// Another member's responsibility shows as the household's.
				s.Responsible = veikart.Responsible{Kind: veikart.ByHousehold}
			}
			s.Changed = nil
			v.Steps = append(v.Steps, s)
		}
	}
	// A step that names them in an area that does not keeps its area's
	// name, without the area's texts, so the step has somewhere to be.
	for _, s := range v.Steps {
		if _, ok := v.Area(s.AreaID); !ok {
			if a, ok := r.Area(s.AreaID); ok {
				v.Areas = append(v.Areas, veikart.Area{ID: a.ID, Kind: a.Kind, Title: a.Title, Version: a.Version})
			}
		}
	}
	for _, c := range r.Comments {
		if c.AgencyID == "" && slices.Contains(mine, c.Section) {
			v.Comments = append(v.Comments, c)
		}
	}
	v.Says = r.SaysOf(me.ID)
	return &View{Roadmap: v, Role: RoleMember, Sections: mine, MemberID: me.ID}
}
