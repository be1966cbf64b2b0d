package household

import (
	"context"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/veikart"
)

// Meetings the household leads (veikart/meeting.go): the owners call them,
// or the coordinator proposes one for the household's yes; the family
// writes the agenda; notes and decisions are taken by the owners or the
// coordinator; the owners approve the minutes.

// Errors of the meetings' use cases.
var (
	ErrNoMeeting        = &veikart.Error{Code: veikart.ENOTFOUND, Message: "There is no such meeting."}
	errMeetingForbidden = &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Only the household, or its coordinator, can do this."}
)

// Meetings is what actor may see of roadmap id's meetings. An agency's look
// goes to the access log first.
func (s *Service) Meetings(ctx context.Context, actor access.Actor, id string) ([]veikart.Meeting, error) {
	r, err := s.read(ctx, id)
	if err != nil {
		return nil, err
	}
	ms := access.MeetingsFor(actor, r, s.now())
	if ms == nil {
		return nil, s.denied(actor, r, errMeetingForbidden)
	}
	if actor.Kind == access.Agency {
		if err := s.logAccess(ctx, actor, r.ID, access.RoleCaseworker, veikart.AuditReadMeetings, nil, ""); err != nil {
			return nil, err
		}
	}
	return ms, nil
}

// Meeting is one meeting of roadmap id as actor may see it, with the
// roadmap's title (for the calendar invitation).
func (s *Service) Meeting(ctx context.Context, actor access.Actor, id, mid string) (veikart.Meeting, error) {
	if !veikart.ValidID(mid) {
		return veikart.Meeting{}, ErrNoMeeting
	}
	ms, err := s.Meetings(ctx, actor, id)
	if err != nil {
		return veikart.Meeting{}, err
	}
	for _, m := range ms {
		if m.ID == mid {
			return m, nil
		}
	}
	return veikart.Meeting{}, ErrNoMeeting
}

// CallMeeting adds meeting mid: planned when an owner calls it, proposed
// when the coordinator does.
func (s *Service) CallMeeting(ctx context.Context, actor access.Actor, id, mid string, spec veikart.MeetingSpec) (veikart.Meeting, bool, error) {
	var out veikart.Meeting
	prev, next, err := s.changeOr(ctx, actor, id, access.CallMeeting, "", errMeetingForbidden, func(cur *veikart.Roadmap, d access.Decision) (*veikart.Roadmap, error) {
		byAgency := ""
		if d.Role == access.RoleCoordinator {
			byAgency = actor.AgencyID
		}
		n, m, err := cur.CallMeeting(mid, spec, actor.UserID, byAgency, s.now())
		out = m
		return n, err
	})
	return out, err == nil && prev != next, err
}

// ownerMeeting runs an owners' change of meeting mid.
func (s *Service) ownerMeeting(ctx context.Context, actor access.Actor, id, mid string, fn func(cur *veikart.Roadmap) (*veikart.Roadmap, veikart.Meeting, error)) (veikart.Meeting, error) {
	if !veikart.ValidID(mid) {
		return veikart.Meeting{}, ErrNoMeeting
	}
	var out veikart.Meeting
	_, _, err := s.change(ctx, actor, id, access.Change, "", func(cur *veikart.Roadmap, _ access.Decision) (*veikart.Roadmap, error) {
		n, m, err := fn(cur)
		out = m
		return n, err
	})
	return out, err
}

// ConfirmMeeting is the owners' yes to a meeting the coordinator proposed.
func (s *Service) ConfirmMeeting(ctx context.Context, actor access.Actor, id, mid string) (veikart.Meeting, error) {
	return s.ownerMeeting(ctx, actor, id, mid, func(cur *veikart.Roadmap) (*veikart.Roadmap, veikart.Meeting, error) {
		return cur.ConfirmMeeting(mid, s.now())
	})
}

// CancelMeeting cancels a meeting.
func (s *Service) CancelMeeting(ctx context.Context, actor access.Actor, id, mid string) (veikart.Meeting, error) {
	return s.ownerMeeting(ctx, actor, id, mid, func(cur *veikart.Roadmap) (*veikart.Roadmap, veikart.Meeting, error) {
		return cur.CancelMeeting(mid, s.now())
	})
}

// SetAgenda is the family's agenda for a meeting.
func (s *Service) SetAgenda(ctx context.Context, actor access.Actor, id, mid string, items []veikart.AgendaItem) (veikart.Meeting, error) {
	return s.ownerMeeting(ctx, actor, id, mid, func(cur *veikart.Roadmap) (*veikart.Roadmap, veikart.Meeting, error) {
		return cur.SetAgenda(mid, items, s.now())
	})
}

// ApproveMinutes is the owners' approval of a meeting's minutes.
func (s *Service) ApproveMinutes(ctx context.Context, actor access.Actor, id, mid string) (veikart.Meeting, error) {
	return s.ownerMeeting(ctx, actor, id, mid, func(cur *veikart.Roadmap) (*veikart.Roadmap, veikart.Meeting, error) {
		return cur.ApproveMinutes(mid, s.now())
	})
}

// runMeeting runs a change made during meeting mid, by an owner or the
// coordinator whose agency is invited.
func (s *Service) runMeeting(ctx context.Context, actor access.Actor, id, mid string, fn func(cur *veikart.Roadmap) (*veikart.Roadmap, veikart.Meeting, error)) (veikart.Meeting, error) {
	if !veikart.ValidID(mid) {
		return veikart.Meeting{}, ErrNoMeeting
	}
	var out veikart.Meeting
	_, next, err := s.changeOr(ctx, actor, id, access.RunMeeting, "", errMeetingForbidden, func(cur *veikart.Roadmap, _ access.Decision) (*veikart.Roadmap, error) {
		m, ok := cur.Meeting(mid)
		if !ok {
			return nil, ErrNoMeeting
		}
		if !access.MayRunMeeting(actor, cur, m, s.now()) {
			return nil, errMeetingForbidden
		}
		n, m, err := fn(cur)
		out = m
		return n, err
	})
	if err != nil {
		return veikart.Meeting{}, err
	}
	if actor.Kind != access.Agency {
		return out, nil
	}
	if err := s.logAccess(ctx, actor, id, access.RoleCaseworker, veikart.AuditMeetingNotes, nil, mid); err != nil {
		return veikart.Meeting{}, err
	}
	// The coordinator gets the meeting as any read of theirs shows it: cut
	// to their grant, from the roadmap just written (no second read).
	for _, m := range access.MeetingsFor(actor, next, s.now()) {
		if m.ID == mid {
			return m, nil
		}
	}
	return veikart.Meeting{}, ErrNoMeeting
}

// NoteItem sets the notes of an agenda item.
func (s *Service) NoteItem(ctx context.Context, actor access.Actor, id, mid, itemID, notes string) (veikart.Meeting, error) {
	return s.runMeeting(ctx, actor, id, mid, func(cur *veikart.Roadmap) (*veikart.Roadmap, veikart.Meeting, error) {
		return cur.NoteItem(mid, itemID, notes, s.now())
	})
}

// Decide records a decision on an agenda item, made a step at once.
func (s *Service) Decide(ctx context.Context, actor access.Actor, id, mid, itemID string, d veikart.Decision) (veikart.Meeting, error) {
	return s.runMeeting(ctx, actor, id, mid, func(cur *veikart.Roadmap) (*veikart.Roadmap, veikart.Meeting, error) {
		return cur.Decide(mid, itemID, d, s.now())
	})
}
