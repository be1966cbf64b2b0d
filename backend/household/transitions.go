package household

import (
	"context"
	"slices"
	"strings"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/agency"
	"github.com/veikart/veikart/backend/auth"
	"github.com/veikart/veikart/backend/veikart"
)

// Transition is a transition with the name of its agency ("" when gone).
type Transition struct {
	veikart.Transition
	AgencyName string
}

// Transitions is roadmap id's transitions by date, for its owners.
func (s *Service) Transitions(ctx context.Context, actor access.Actor, id string) ([]Transition, error) {
	r, err := s.ownerRead(ctx, actor, id, access.ManageConsent)
	if err != nil {
		return nil, err
	}
	ts := slices.Clone(r.Transitions)
	slices.SortStableFunc(ts, func(a, b veikart.Transition) int { return strings.Compare(a.Date, b.Date) })
	out := make([]Transition, len(ts))
	for i, t := range ts {
		out[i] = Transition{Transition: t, AgencyName: agency.Name(ctx, s.store, t.AgencyID)}
	}
	return out, nil
}

// PlanTransition plans a transition (tid the client's id, or "") with the
// grant that opens and closes by itself, then its reminders. Two writes, as
// for any grant: the agency's index, then the roadmap.
func (s *Service) PlanTransition(ctx context.Context, actor access.Actor, id, tid string, spec veikart.TransitionSpec) (Transition, error) {
	r, err := s.ownerRead(ctx, actor, id, access.ManageConsent)
	if err != nil {
		return Transition{}, err
	}
	if err := s.knownAgency(ctx, spec.AgencyID); err != nil {
		return Transition{}, err
	}
	if err := s.store.AddAgencyRoadmap(ctx, spec.AgencyID, r.ID); err != nil {
		return Transition{}, err
	}
	return s.changeTransition(ctx, actor, id, func(cur *veikart.Roadmap) (*veikart.Roadmap, veikart.Transition, error) {
		// A transition's grant is a grant: a young member's own say holds.
		if err := cur.NeedYes(spec.Sections, spec.AgencyID, s.now(), s.cfg.Consent); err != nil {
			return nil, veikart.Transition{}, err
		}
		return cur.PlanTransition(tid, "g-"+auth.RandomID(9), actor.UserID, spec, s.now(), s.cfg.Location)
	})
}

// UpdateTransition moves or changes transition tid, its grant and its
// reminders with it.
func (s *Service) UpdateTransition(ctx context.Context, actor access.Actor, id, tid string, patch veikart.TransitionPatch) (Transition, error) {
	if !veikart.ValidID(tid) {
		return Transition{}, ErrNoTransition
	}
	return s.changeTransition(ctx, actor, id, func(cur *veikart.Roadmap) (*veikart.Roadmap, veikart.Transition, error) {
		if i := slices.IndexFunc(cur.Transitions, func(t veikart.Transition) bool { return t.ID == tid }); i >= 0 && patch.Sections != nil {
			// Only the sections the change adds (as for UpdateGrant).
			t := cur.Transitions[i]
			added := slices.DeleteFunc(slices.Clone(patch.Sections), func(x veikart.Section) bool { return slices.Contains(t.Sections, x) })
			if err := cur.NeedYes(added, t.AgencyID, s.now(), s.cfg.Consent); err != nil {
				return nil, veikart.Transition{}, err
			}
		}
		return cur.UpdateTransition(tid, actor.UserID, patch, s.now(), s.cfg.Location)
	})
}

// CancelTransition cancels transition tid: its grant is revoked at once and
// its reminders are not sent.
func (s *Service) CancelTransition(ctx context.Context, actor access.Actor, id, tid string) (Transition, error) {
	if !veikart.ValidID(tid) {
		return Transition{}, ErrNoTransition
	}
	return s.changeTransition(ctx, actor, id, func(cur *veikart.Roadmap) (*veikart.Roadmap, veikart.Transition, error) {
		return cur.CancelTransition(tid, actor.UserID, s.now())
	})
}

func (s *Service) changeTransition(ctx context.Context, actor access.Actor, id string, fn func(cur *veikart.Roadmap) (*veikart.Roadmap, veikart.Transition, error)) (Transition, error) {
	var t veikart.Transition
	_, _, err := s.change(ctx, actor, id, access.ManageConsent, "", func(cur *veikart.Roadmap, _ access.Decision) (*veikart.Roadmap, error) {
		n, tr, err := fn(cur)
		t = tr
		return n, err
	})
	if err != nil {
		return Transition{}, err
	}
	return Transition{Transition: t, AgencyName: agency.Name(ctx, s.store, t.AgencyID)}, nil
}

// TakeOwn lets member mid take their parts of the family's roadmap into a
// roadmap of their own, with the id newID (the member's choice, so that a
// retry finds it) and title. Three writes, each safe to repeat: the new
// roadmap, the member's index, then the mark on the family's roadmap. A
// retry after a crash between them finishes the job and returns the
// roadmap made, with created false.
func (s *Service) TakeOwn(ctx context.Context, actor access.Actor, id, mid, newID, title string) (*access.View, bool, error) {
	if !veikart.ValidID(mid) {
		return nil, false, ErrNoMember
	}
	r, err := s.read(ctx, id)
	if err != nil {
		return nil, false, err
	}
	if !access.Decide(actor, access.TakeOwn, r, "", s.now()).Allowed {
		return nil, false, s.denied(actor, r, &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Only the member themselves can do this."})
	}
	own, created, err := s.ownRoadmap(ctx, actor, r, mid, newID, title)
	if err != nil {
		return nil, false, err
	}
	if err := s.store.AddUserRoadmap(ctx, actor.UserID, own.ID); err != nil {
		return nil, false, err
	}
	_, _, err = s.change(ctx, actor, id, access.TakeOwn, "", func(cur *veikart.Roadmap, _ access.Decision) (*veikart.Roadmap, error) {
		if cm, ok := cur.Member(mid); ok && !cm.TookOwnAt.IsZero() {
			return cur, nil
		}
		family, _, err := cur.TakeOwn(mid, actor.UserID, own.ID, own.Title, s.now())
		return family, err
	})
	if err != nil {
		return nil, false, err
	}
	return access.Project(actor, own, s.now()), created, nil
}

// ownRoadmap is TakeOwn's first write: the member's new roadmap made from
// family's, or the one an earlier try made.
func (s *Service) ownRoadmap(ctx context.Context, actor access.Actor, family *veikart.Roadmap, mid, newID, title string) (*veikart.Roadmap, bool, error) {
	soleOwner := func(x *veikart.Roadmap) bool { return len(x.Owners) == 1 && x.IsOwner(actor.UserID) }
	m, _ := family.Member(mid)
	if !m.TookOwnAt.IsZero() {
		// Done before: answer with what was made, if this is its retry.
		existing, err := s.store.Roadmap(ctx, newID)
		if err != nil || !soleOwner(existing) || m.UserID != actor.UserID {
			return nil, false, &veikart.Error{Code: veikart.ECONFLICT, Message: "This member already has a roadmap of their own."}
		}
		return existing, false, nil
	}
	_, made, err := family.TakeOwn(mid, actor.UserID, newID, title, s.now())
	if err != nil {
		return nil, false, err
	}
	own, created, err := s.createOrAdopt(ctx, made, soleOwner)
	if err != nil {
		return nil, false, err
	}
	s.syncReminders(ctx, nil, own)
	return own, created, nil
}
