package household

import (
	"context"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/auth"
	"github.com/veikart/veikart/backend/veikart"
)

// Members' own say (veikart/ownsay.go): the owners ask a young member for
// their yes, the member answers in their own app, and the sharing form and
// the poster show whose yes is missing.

// MemberSay is one member as the own-say screens need them.
type MemberSay struct {
	Member veikart.Member
	// Joined says the member has an account linked to this roadmap.
	Joined bool
	// HasOwnSay says their yes is needed before an area naming them is
	// shared or printed (an account, and old enough).
	HasOwnSay bool
	// Sections are the member's sections (the areas that name them).
	Sections []veikart.Section
}

// Says is what an actor may see of the own say on one roadmap.
type Says struct {
	// Role is the actor's: owner (every member) or member (themselves).
	Role      string
	OwnSayAge int
	Members   []MemberSay
	Says      []veikart.OwnSay
}

var errNotYourSay = &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Only the member an area names can answer for it."}

// Says returns the members and their yes and no: all of them for an owner,
// only their own for a member.
func (s *Service) Says(ctx context.Context, actor access.Actor, id string) (Says, error) {
	r, err := s.read(ctx, id)
	if err != nil {
		return Says{}, err
	}
	now := s.now()
	d := access.Decide(actor, access.ReadSays, r, "", now)
	if !d.Allowed {
		return Says{}, s.denied(actor, r, errOwnersOnly)
	}
	out := Says{Role: d.Role, OwnSayAge: s.ownSayAge()}
	me, _ := r.MemberByUser(actor.UserID)
	for _, m := range r.Members {
		if d.Role == access.RoleMember && m.ID != me.ID {
			continue
		}
		out.Members = append(out.Members, MemberSay{Member: m, Joined: m.UserID != "", HasOwnSay: m.HasOwnSay(now, s.cfg.Consent), Sections: access.MemberSections(r, m.ID)})
	}
	for _, x := range r.Says {
		if d.Role == access.RoleOwner || x.MemberID == me.ID {
			out.Says = append(out.Says, x)
		}
	}
	return out, nil
}

func (s *Service) ownSayAge() int {
	if s.cfg.Consent.OwnSayAge > 0 {
		return s.cfg.Consent.OwnSayAge
	}
	return veikart.DefaultOwnSayAge
}

// AskSay is an owner asking member memberID for their yes to use areaID
// for f (sharing with one agency, or the poster). For an agency, the agency
// must exist: a yes to nobody in particular would be read as a yes to all.
func (s *Service) AskSay(ctx context.Context, actor access.Actor, id, memberID, areaID string, f veikart.SayFor) (veikart.OwnSay, error) {
	if a := f.AgencyID(); a != "" {
		if err := s.sayAgency(ctx, a); err != nil {
			return veikart.OwnSay{}, err
		}
	}
	var made veikart.OwnSay
	_, _, err := s.change(ctx, actor, id, access.ManageConsent, "", func(cur *veikart.Roadmap, _ access.Decision) (*veikart.Roadmap, error) {
		n, x, err := cur.AskSay("s-"+auth.RandomID(9), memberID, areaID, f, actor.UserID, s.now(), s.cfg.Consent)
		made = x
		return n, err
	})
	return made, err
}

// AnswerSay is a member saying yes or no to areaID being used for f. A no
// to an agency takes the area out of its grant at once (veikart.AnswerSay).
func (s *Service) AnswerSay(ctx context.Context, actor access.Actor, id, areaID string, f veikart.SayFor, yes bool) (veikart.OwnSay, error) {
	if a := f.AgencyID(); a != "" {
		if err := s.sayAgency(ctx, a); err != nil {
			return veikart.OwnSay{}, err
		}
	}
	var made veikart.OwnSay
	_, _, err := s.changeOr(ctx, actor, id, access.AnswerSay, "", errNotYourSay, func(cur *veikart.Roadmap, _ access.Decision) (*veikart.Roadmap, error) {
		n, x, err := cur.AnswerSay("s-"+auth.RandomID(9), actor.UserID, areaID, f, yes, s.now(), s.cfg.Consent)
		made = x
		return n, err
	})
	return made, err
}

// sayAgency checks that the agency a yes is for exists, pointing at the
// request's "for" when it does not.
func (s *Service) sayAgency(ctx context.Context, id string) error {
	err := s.knownAgency(ctx, id)
	if err == errNoAgency {
		return &veikart.Error{Code: veikart.EINVALID, Message: "There is no such agency.", Pointer: "/for"}
	}
	return err
}
