package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/veikart/veikart/backend/household"
	"github.com/veikart/veikart/backend/veikart"
	"github.com/veikart/veikart/backend/wire"
)

// Helpers: trusted persons and interpreters (household/helpers.go). The
// owners list, invite and end them; the helper accepts with the code, on
// POST /invitations/accept like every invitation.

func (s *Server) listHelpers(c *fiber.Ctx) error {
	id, err := roadmapID(c)
	if err != nil {
		return err
	}
	hs, err := s.household.Helpers(c.UserContext(), actorOf(c), id)
	if err != nil {
		return err
	}
	now := s.now()
	return sendJSON(c, fiber.StatusOK, wire.HelperList{Items: wire.List(hs, func(h veikart.Helper) wire.Helper { return wire.ToHelper(h, now) })})
}

// inviteHelper answers with the helper and its code as a link and a QR
// code, as createInvitation does (the code in the link's fragment).
func (s *Server) inviteHelper(c *fiber.Ctx) error {
	var req wire.CreateHelperRequest
	if err := s.decode(c, "create-helper-request.schema.json", &req); err != nil {
		return err
	}
	id, err := roadmapID(c)
	if err != nil {
		return err
	}
	spec := veikart.HelperSpec{Kind: veikart.HelperKind(req.Kind), Name: req.Name, Sections: wire.ToSections(req.Sections), Write: req.Write}
	if req.ExpiresAt != nil {
		spec.ExpiresAt = *req.ExpiresAt
	}
	if req.Minutes > 0 {
		spec.ExpiresAt = s.now().Add(time.Duration(req.Minutes) * time.Minute)
	}
	h, inv, code, err := s.household.InviteHelper(c.UserContext(), actorOf(c), id, spec, time.Duration(req.ValidMinutes)*time.Minute)
	if err != nil {
		return err
	}
	link, err := s.invitationLink(inv, code)
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusCreated, wire.InvitedHelper{Helper: wire.ToHelper(h, s.now()), Invitation: link})
}

// revokeHelper ends a helper's access at once: a trusted person's, or an
// interpreter session (the one tap).
func (s *Server) revokeHelper(c *fiber.Ctx) error {
	id, hid, err := pathIDs(c, "helperId", household.ErrNoHelper)
	if err != nil {
		return err
	}
	h, err := s.household.RevokeHelper(c.UserContext(), actorOf(c), id, hid)
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, wire.ToHelper(h, s.now()))
}
