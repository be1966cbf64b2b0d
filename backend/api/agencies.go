package api

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/auth"
	"github.com/veikart/veikart/backend/veikart"
)

// Agencies: operators create them, an agency's administrators manage its
// people, and every signed-in person can look them up by name (an owner
// chooses whom to grant).

var errNoAgency = &veikart.Error{Code: veikart.ENOTFOUND, Message: "There is no such agency."}

// maxAgencies bounds the directory listing.
const maxAgencies = 1000

func (s *Server) createAgency(c *fiber.Ctx) error {
	if !access.Permit(actorOf(c), access.CreateAgency, "") {
		return &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Only the service's operator can create agencies."}
	}
	var req createAgencyRequest
	if err := s.decode(c, "create-agency-request.schema.json", &req); err != nil {
		return err
	}
	id := req.ID
	if id == "" {
		id = "ag-" + auth.RandomID(9)
	}
	a, err := veikart.NewAgency(id, veikart.AgencyKind(req.Kind), req.Name, req.Region, s.now())
	if err != nil {
		return err
	}
	if err := s.store.CreateAgency(c.UserContext(), a); err != nil {
		if veikart.ErrorCode(err) == veikart.ECONFLICT {
			return &veikart.Error{Code: veikart.ECONFLICT, Message: "An agency with this id exists.", Pointer: "/id"}
		}
		return err
	}
	c.Location("/api/v1/agencies/" + a.ID)
	return sendJSON(c, fiber.StatusCreated, toAgencyJSON(a, true))
}

// listAgencies is the directory: names, kinds and regions, never staff.
func (s *Server) listAgencies(c *fiber.Ctx) error {
	as, err := s.store.Agencies(c.UserContext(), maxAgencies)
	if err != nil {
		return err
	}
	withStaff := access.Permit(actorOf(c), access.SeeAllStaff, "")
	out := agencyListJSON{Items: make([]agencyJSON, len(as))}
	for i, a := range as {
		out.Items[i] = toAgencyJSON(a, withStaff)
	}
	return sendJSON(c, fiber.StatusOK, out)
}

// getAgency shows an agency; its staff list only to its administrators and
// the operator.
func (s *Server) getAgency(c *fiber.Ctx) error {
	id, err := pathID(c, "agencyId", errNoAgency)
	if err != nil {
		return err
	}
	a, err := s.store.Agency(c.UserContext(), id)
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return errNoAgency
	}
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, toAgencyJSON(a, access.Permit(actorOf(c), access.ManageStaff, id)))
}

// setStaff adds a person to the agency or changes their roles.
func (s *Server) setStaff(c *fiber.Ctx) error {
	id, err := pathID(c, "agencyId", errNoAgency)
	if err != nil {
		return err
	}
	userID := strings.Clone(c.Params("userId"))
	var req staffRequest
	if err := s.decode(c, "staff-request.schema.json", &req); err != nil {
		return err
	}
	actor := actorOf(c)
	if !access.Permit(actor, access.ManageStaff, id) {
		return &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Only the agency's administrators can manage its people."}
	}
	ctx := c.UserContext()
	if _, err := s.store.User(ctx, userID); err != nil {
		if veikart.ErrorCode(err) == veikart.ENOTFOUND {
			return &veikart.Error{Code: veikart.EINVALID, Message: "There is no user with this id. They must sign in once first.", Pointer: "userId"}
		}
		return err
	}
	roles := make([]veikart.AgencyRole, len(req.Roles))
	for i, r := range req.Roles {
		roles[i] = veikart.AgencyRole(r)
	}
	a, err := s.store.UpdateAgency(ctx, id, func(cur *veikart.Agency) (*veikart.Agency, error) {
		return cur.SetStaff(userID, roles, actor.UserID, s.now())
	})
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return errNoAgency
	}
	if err != nil {
		return err
	}
	if err := s.store.AddUserAgency(ctx, userID, id); err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, toAgencyJSON(a, true))
}

// removeStaff takes a person out of the agency. Their next request acting for
// it is refused.
func (s *Server) removeStaff(c *fiber.Ctx) error {
	id, err := pathID(c, "agencyId", errNoAgency)
	if err != nil {
		return err
	}
	userID := strings.Clone(c.Params("userId"))
	actor := actorOf(c)
	if !access.Permit(actor, access.ManageStaff, id) {
		return &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Only the agency's administrators can manage its people."}
	}
	ctx := c.UserContext()
	_, err = s.store.UpdateAgency(ctx, id, func(cur *veikart.Agency) (*veikart.Agency, error) {
		return cur.RemoveStaff(userID, s.now())
	})
	if err != nil {
		return err
	}
	if err := s.store.RemoveUserAgency(ctx, userID, id); err != nil && veikart.ErrorCode(err) != veikart.ENOTFOUND {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// act switches the agency a session acts for ("" for oneself), rotating its
// refresh token like /auth/refresh.
func (s *Server) act(c *fiber.Ctx) error {
	var req actRequest
	if err := s.decode(c, "act-request.schema.json", &req); err != nil {
		return err
	}
	ctx := c.UserContext()
	pair, err := s.sessions.Act(ctx, req.RefreshToken, req.AgencyID, func(userID string) error {
		return s.checkStaff(c, userID, req.AgencyID)
	})
	if err != nil {
		return err
	}
	u, err := s.store.User(ctx, pair.UserID)
	if err != nil {
		return err
	}
	return s.sendTokens(c, pair, u, req.AgencyID)
}

// checkStaff is nil when agencyID is "" or the user works there.
func (s *Server) checkStaff(c *fiber.Ctx, userID, agencyID string) error {
	if agencyID == "" {
		return nil
	}
	a, err := s.store.Agency(c.UserContext(), agencyID)
	if err != nil && veikart.ErrorCode(err) != veikart.ENOTFOUND {
		return err
	}
	if len(a.Roles(userID)) == 0 {
		return &veikart.Error{Code: veikart.EFORBIDDEN, Message: "You do not work for this agency.", Pointer: "/agencyId"}
	}
	return nil
}
