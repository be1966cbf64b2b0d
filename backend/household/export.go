package household

import (
	"context"
	"time"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/agency"
	"github.com/veikart/veikart/backend/veikart"
)

// MaxExportLog bounds the entries of one log in an export, so that one
// request cannot read without end.
const MaxExportLog = 100_000

// Export is everything the service holds about a person, for them to take
// away (GDPR art. 15 and 20).
type Export struct {
	User *veikart.User
	// Agencies are those the person works for, with their roles there.
	Agencies []*veikart.Agency
	// Owned are the roadmaps the person owns, with their consent records
	// and access logs.
	Owned []Owned
	// MemberOf are the views of the roadmaps the person is a linked
	// member of, and MemberReadings the check-ins each lets them read
	// (the areas that name them), by roadmap id.
	MemberOf       []*access.View
	MemberReadings map[string][]veikart.Reading
	// Helping are the helper records that name the person (helpers.go):
	// what each household let them do, not its roadmap.
	Helping     []Helping
	Passkeys    []veikart.Passkey
	Push        []veikart.PushSubscription
	SecurityLog []veikart.AuditEvent
	At          time.Time
}

// Helping is one helper record of the person, on roadmap RoadmapID.
type Helping struct {
	RoadmapID string
	Helper    veikart.Helper
}

// Owned is an owned roadmap in an export.
type Owned struct {
	Roadmap *veikart.Roadmap
	// Grants are its grants, in order, with their agencies' names.
	Grants []Grant
	Log    []veikart.AuditEvent
	// Conversations are its conversations with agencies, whole.
	Conversations []ExportedConversation
	// Reviews are its saved reviews, oldest first.
	Reviews []veikart.Review
	// Readings are its check-ins, every one, oldest first.
	Readings []veikart.Reading
}

// ExportPerson gathers actor's own data, whichever role their sign-in acts
// in. A member's read of a family's roadmap is in that family's log, as a
// read of it is.
func (s *Service) ExportPerson(ctx context.Context, actor access.Actor) (*Export, error) {
	if err := access.Own(actor); err != nil {
		return nil, err
	}
	u, err := s.store.User(ctx, actor.UserID)
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return nil, veikart.ErrSignInAgain
	}
	if err != nil {
		return nil, err
	}
	x := &Export{User: u, At: s.now()}
	if x.Agencies, err = agency.Memberships(ctx, s.store, u); err != nil {
		return nil, err
	}
	if err := s.exportRoadmaps(ctx, x); err != nil {
		return nil, err
	}
	if x.Passkeys, err = s.store.Passkeys(ctx, u.ID); err != nil {
		return nil, err
	}
	if x.Push, err = s.store.PushSubscriptions(ctx, u.ID); err != nil {
		return nil, err
	}
	if x.SecurityLog, err = s.wholeLog(ctx, veikart.SecurityLogKey(u.ID)); err != nil {
		return nil, err
	}
	return x, nil
}

// exportRoadmaps adds the roadmaps the person owns or is a member of.
func (s *Service) exportRoadmaps(ctx context.Context, x *Export) error {
	person := access.Actor{Kind: access.Person, UserID: x.User.ID}
	for _, id := range x.User.RoadmapIDs {
		r, err := s.store.Roadmap(ctx, id)
		if veikart.ErrorCode(err) == veikart.ENOTFOUND {
			continue
		}
		if err != nil {
			return err
		}
		if !r.IsOwner(person.UserID) {
			for _, h := range r.Helpers {
				if h.UserID == person.UserID {
					x.Helping = append(x.Helping, Helping{RoadmapID: r.ID, Helper: h})
				}
			}
		}
		view := access.Project(person, r, x.At)
		switch {
		case view == nil:
			continue
		case view.Role == access.RoleOwner && access.Decide(person, access.ManageConsent, r, "", x.At).Allowed &&
			access.Decide(person, access.ReadLog, r, "", x.At).Allowed:
			o, err := s.exportOwned(ctx, r)
			if err != nil {
				return err
			}
			x.Owned = append(x.Owned, o)
		case view.Role == access.RoleMember:
			if err := s.logRead(ctx, person, r.ID, view.Role, view.Sections); err != nil {
				return err
			}
			x.MemberOf = append(x.MemberOf, view)
			all, err := s.allReadings(ctx, r)
			if err != nil {
				return err
			}
			if mine, _, _ := access.ProjectReadings(person, r, all, x.At); len(mine) > 0 {
				if x.MemberReadings == nil {
					x.MemberReadings = map[string][]veikart.Reading{}
				}
				x.MemberReadings[r.ID] = mine
			}
		}
	}
	return nil
}

func (s *Service) exportOwned(ctx context.Context, r *veikart.Roadmap) (Owned, error) {
	o := Owned{Roadmap: r, Grants: make([]Grant, len(r.Grants))}
	for i, g := range r.Grants {
		o.Grants[i] = s.named(ctx, g)
	}
	var err error
	if o.Conversations, err = s.exportConversations(ctx, r); err != nil {
		return Owned{}, err
	}
	if o.Reviews, err = s.store.Reviews(ctx, r.ID); err != nil {
		return Owned{}, err
	}
	if o.Readings, err = s.allReadings(ctx, r); err != nil {
		return Owned{}, err
	}
	o.Log, err = s.wholeLog(ctx, r.ID)
	return o, err
}

// wholeLog reads a log from the newest entry down, up to MaxExportLog.
func (s *Service) wholeLog(ctx context.Context, key string) ([]veikart.AuditEvent, error) {
	var all []veikart.AuditEvent
	cursor := ""
	for len(all) < MaxExportLog {
		page, next, err := s.store.AuditPage(ctx, key, cursor, 100)
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if next == "" {
			break
		}
		cursor = next
	}
	return all, nil
}
