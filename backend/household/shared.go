package household

import (
	"context"
	"slices"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/veikart"
)

// SharedRoadmap is a roadmap shared with an agency, as the agency may see it.
type SharedRoadmap struct {
	Roadmap *veikart.Roadmap
	access.Summary
	// UnreadMessages are the household's messages no caseworker of the
	// agency has read (0 unless the grant gives the message permission).
	UnreadMessages int
}

// Shared is what the caseworker's agency may see now, with what was granted
// and until when, the most recently changed first; and the notices of
// roadmaps erased in the last NoticeDays days that had been shared with it.
func (s *Service) Shared(ctx context.Context, actor access.Actor) ([]SharedRoadmap, []veikart.ErasureNotice, error) {
	if !access.Permit(actor, access.ActAsCaseworker, "") {
		return nil, nil, &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Act for your agency as a caseworker to see what is shared with it."}
	}
	ids, err := s.store.AgencyRoadmapIDs(ctx, actor.AgencyID)
	if err != nil {
		return nil, nil, err
	}
	// One read for the whole list, never one per roadmap.
	inbox, err := s.store.AgencyInbox(ctx, actor.AgencyID)
	if err != nil {
		return nil, nil, err
	}
	out := []SharedRoadmap{}
	now := s.now()
	for _, id := range ids {
		if len(out) == MaxListed {
			break
		}
		r, err := s.store.Roadmap(ctx, id)
		if veikart.ErrorCode(err) == veikart.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		if sum, ok := s.summarize(actor, r, now); ok { // else revoked, expired, or never approved
			x := SharedRoadmap{Roadmap: r, Summary: sum}
			if slices.Contains(sum.Grant.Permissions, veikart.Messaging) {
				x.UnreadMessages = inbox[r.ID].Unread
			}
			out = append(out, x)
		}
	}
	slices.SortFunc(out, func(a, b SharedRoadmap) int { return b.Roadmap.UpdatedAt.Compare(a.Roadmap.UpdatedAt) })
	notices, err := s.store.AgencyNotices(ctx, actor.AgencyID, s.now().AddDate(0, 0, -NoticeDays))
	if err != nil {
		return nil, nil, err
	}
	return out, notices, nil
}

// NoticeDays is how long a notice of an erased roadmap shows in an agency's
// shared list.
const NoticeDays = 90
