package access

import (
	"slices"
	"time"

	"github.com/veikart/veikart/backend/veikart"
)

// Helpers: trusted persons and interpreters (veikart.Helper) are people
// acting for themselves whom the household let into chosen sections. They
// read those sections and, where the household said so, write in them
// together with the family. Nothing else: no consent, no owners, no
// members, no log, no team, no meetings, no messages, no export, no
// erasure, no poster. The moment their record ends (revoked, expired) they
// are nobody here, like anyone else signed in.

// Roles of helpers, as decisions and the access log name them.
const (
	RoleTrusted     = "trusted"
	RoleInterpreter = "interpreter"
)

// HelperRole is the role a helper of kind k acts in.
func HelperRole(k veikart.HelperKind) string {
	if k == veikart.HelperInterpreter {
		return RoleInterpreter
	}
	return RoleTrusted
}

// decideHelper is Decide for a person with a helper record in force on r.
// ok is false for anyone else (owners and linked members included: they
// are the household, and decidePerson judges them).
func decideHelper(actor Actor, action Action, r *veikart.Roadmap, section veikart.Section, now time.Time) (d Decision, ok bool) {
	if r.IsOwner(actor.UserID) || isLinkedMember(r, actor.UserID) {
		return deny, false
	}
	h, ok := r.ActiveHelper(actor.UserID, now)
	if !ok {
		return deny, false
	}
	role := HelperRole(h.Kind)
	switch action {
	case Read:
		return Decision{Allowed: true, Role: role}, true
	case Change:
		// Only within a section given to them: a change about no section
		// (a meeting, the team, the title, the members) is the household's.
		// A batch of operations is checked operation by operation with
		// MayApply.
		return Decision{Allowed: h.Write && section != "" && h.Covers(section) && r.HasSection(section), Role: role}, true
	case AcceptInvite:
		// Like anyone signed in, they may be given a code for something
		// else (an owner's invitation); the code decides.
		return Decision{Allowed: true, Role: role}, true
	}
	return deny, true
}

// MayApply reports whether actor may apply every operation of ops to r at
// now. For owners it is Decide(Change); for a helper, every operation must
// write only in sections they may write in (veikart.OpSections).
func MayApply(actor Actor, r *veikart.Roadmap, ops []veikart.Op, now time.Time) bool {
	if _, helper := decideHelper(actor, Read, r, "", now); !helper {
		return Decide(actor, Change, r, "", now).Allowed
	}
	if len(ops) == 0 {
		return false
	}
	for _, op := range ops {
		ss, ok := veikart.OpSections(r, op)
		if !ok {
			return false
		}
		for _, s := range ss {
			if !Decide(actor, Change, r, s, now).Allowed {
				return false
			}
		}
	}
	return true
}

// projectHelper is what helper h sees of r: their sections, the household's
// comments on them, and nothing of consent, agencies' exchanges, the team
// or transitions. Members keep their ids (a helper writing a step names
// the member it is for) but no account id leaves.
func projectHelper(r *veikart.Roadmap, h veikart.Helper) *View {
	v := &veikart.Roadmap{
		ID: r.ID, Title: r.Title, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		TitleVersion: r.TitleVersion, RecentOps: slices.Clone(r.RecentOps),
	}
	household := h.Covers(veikart.SectionHousehold)
	if household {
		v.Members = slices.Clone(r.Members)
		for i := range v.Members {
			v.Members[i].UserID = ""
		}
	}
	var seen []veikart.Section
	if household {
		seen = append(seen, veikart.SectionHousehold)
	}
	for _, a := range r.Areas {
		if h.Covers(veikart.AreaSection(a.ID)) {
			if !household {
				a.MemberIDs = nil
			}
			v.Areas = append(v.Areas, a)
			seen = append(seen, veikart.AreaSection(a.ID))
		}
	}
	for _, a := range r.Areas {
		if h.Covers(veikart.StepsSection(a.ID)) {
			seen = append(seen, veikart.StepsSection(a.ID))
		}
	}
	for _, s := range r.Steps {
		if !h.Covers(veikart.StepsSection(s.AreaID)) {
			continue
		}
		// What an agency promised is between it and the owners.
		s.Promise = veikart.Promise{}
		if !household {
			s.MemberIDs = nil
			if s.Responsible.Kind == veikart.ByMember {
				s.Responsible = veikart.Responsible{Kind: veikart.ByHousehold}
			}
		}
		v.Steps = append(v.Steps, s)
	}
	for _, c := range r.Comments {
		if c.AgencyID == "" && h.Covers(c.Section) {
			c.UserID = ""
			v.Comments = append(v.Comments, c)
		}
	}
	return &View{Roadmap: v, Role: HelperRole(h.Kind), Sections: seen, Helper: &h}
}

// helperEnded is Ended for a person: how their latest helper record on r
// ended, when they have none in force (and are not of the household).
func helperEnded(actor Actor, r *veikart.Roadmap, now time.Time) (Ending, bool) {
	if actor.UserID == "" || r.IsOwner(actor.UserID) || isLinkedMember(r, actor.UserID) {
		return Ending{}, false
	}
	if _, ok := r.ActiveHelper(actor.UserID, now); ok {
		return Ending{}, false
	}
	var last Ending
	var found bool
	for _, h := range r.Helpers {
		if h.UserID != actor.UserID {
			continue
		}
		e := Ending{At: h.ExpiresAt, Person: true}
		if !h.RevokedAt.IsZero() && h.RevokedAt.Before(h.ExpiresAt) {
			e = Ending{Revoked: true, At: h.RevokedAt, Person: true}
		}
		if !found || e.At.After(last.At) {
			last, found = e, true
		}
	}
	return last, found
}

// isLinkedMember reports whether userID is a member of r with an account.
func isLinkedMember(r *veikart.Roadmap, userID string) bool {
	_, ok := r.MemberByUser(userID)
	return ok
}
