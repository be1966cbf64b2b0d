package household

import (
	"context"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/veikart"
)

// Renderings (veikart/rendering.go): the Norwegian rendering of the
// family's words, written by an interpreter or a trusted person in a
// section they may write in, or by the family, and confirmed by the
// family alone.

var errRenderingSection = &veikart.Error{Code: veikart.EFORBIDDEN, Message: "You can write a rendering only in the parts the family gave you."}

// SetRendering writes (or with empty text removes) the rendering of field
// ("now" or "desired") of area areaID. It returns the area as actor sees
// it after the write.
func (s *Service) SetRendering(ctx context.Context, actor access.Actor, id, areaID, field, text string) (veikart.Area, error) {
	var helper *veikart.Helper
	section := veikart.AreaSection(areaID)
	prev, next, err := s.changeOr(ctx, actor, id, access.Change, section, errRenderingSection, func(cur *veikart.Roadmap, d access.Decision) (*veikart.Roadmap, error) {
		name, role := "", "family"
		if isHelperRole(d.Role) {
			h, _ := cur.ActiveHelper(actor.UserID, s.now())
			helper, name, role = &h, h.Name, d.Role
		}
		return cur.SetRendering(areaID, field, text, name, role, actor.UserID, s.now())
	})
	if err != nil {
		return veikart.Area{}, err
	}
	// A rendering sent again (the same text: no change) is logged once.
	if helper != nil && next != prev {
		if err := s.logHelper(ctx, actor, id, *helper, AuditChange, []veikart.Section{section}, ""); err != nil {
			return veikart.Area{}, err
		}
	}
	return s.areaAsSeen(actor, next, areaID)
}

// ConfirmRendering is the family's "Dette er det vi mente" for the
// rendering of field of area areaID: the owners only.
func (s *Service) ConfirmRendering(ctx context.Context, actor access.Actor, id, areaID, field string) (veikart.Area, error) {
	_, next, err := s.change(ctx, actor, id, access.Change, "", func(cur *veikart.Roadmap, _ access.Decision) (*veikart.Roadmap, error) {
		n, _, err := cur.ConfirmRendering(areaID, field, actor.UserID, s.now())
		return n, err
	})
	if err != nil {
		return veikart.Area{}, err
	}
	return s.areaAsSeen(actor, next, areaID)
}

// areaAsSeen is area areaID of r as actor may see it.
func (s *Service) areaAsSeen(actor access.Actor, r *veikart.Roadmap, areaID string) (veikart.Area, error) {
	if v := access.Project(actor, r, s.now()); v != nil {
		for _, a := range v.Roadmap.Areas {
			if a.ID == areaID {
				return a, nil
			}
		}
	}
	return veikart.Area{}, ErrNoRoadmap
}
