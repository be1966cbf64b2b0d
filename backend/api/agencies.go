package api

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/agency"
	"github.com/veikart/veikart/backend/veikart"
	"github.com/veikart/veikart/backend/wire"
)

// Agencies: operators create them, an agency's administrators manage its
// people, and every signed-in person can look them up by name (an owner
// chooses whom to grant).

var errNoAgency = agency.ErrNoAgency

func (s *Server) createAgency(c *fiber.Ctx) error {
	if !access.Permit(actorOf(c), access.CreateAgency, "") {
		return &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Only the service's operator can create agencies."}
	}
	var req wire.CreateAgencyRequest
	if err := s.decode(c, "create-agency-request.schema.json", &req); err != nil {
		return err
	}
	a, err := s.agencies.Create(c.UserContext(), actorOf(c), req.ID, veikart.AgencyKind(req.Kind), req.Name, req.Region)
	if err != nil {
		return err
	}
	c.Location("/api/v1/agencies/" + a.ID)
	return sendJSON(c, fiber.StatusCreated, wire.ToAgency(a, true))
}

// listAgencies is the directory: names, kinds and regions, never staff.
func (s *Server) listAgencies(c *fiber.Ctx) error {
	as, withStaff, err := s.agencies.List(c.UserContext(), actorOf(c))
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, wire.AgencyList{Items: wire.List(as, func(a *veikart.Agency) wire.Agency { return wire.ToAgency(a, withStaff) })})
}

// getAgency shows an agency; its staff list only to its administrators and
// the operator.
func (s *Server) getAgency(c *fiber.Ctx) error {
	id, err := pathID(c, "agencyId", errNoAgency)
	if err != nil {
		return err
	}
	a, withStaff, err := s.agencies.Get(c.UserContext(), actorOf(c), id)
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, wire.ToAgency(a, withStaff))
}

// setStaff adds a person to the agency or changes their roles.
func (s *Server) setStaff(c *fiber.Ctx) error {
	id, err := pathID(c, "agencyId", errNoAgency)
	if err != nil {
		return err
	}
	userID := strings.Clone(c.Params("userId"))
	var req wire.StaffRequest
	if err := s.decode(c, "staff-request.schema.json", &req); err != nil {
		return err
	}
	roles := make([]veikart.AgencyRole, len(req.Roles))
	for i, r := range req.Roles {
		roles[i] = veikart.AgencyRole(r)
	}
	a, err := s.agencies.SetStaff(c.UserContext(), actorOf(c), id, userID, roles)
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, wire.ToAgency(a, true))
}

// removeStaff takes a person out of the agency.
func (s *Server) removeStaff(c *fiber.Ctx) error {
	id, err := pathID(c, "agencyId", errNoAgency)
	if err != nil {
		return err
	}
	if err := s.agencies.RemoveStaff(c.UserContext(), actorOf(c), id, strings.Clone(c.Params("userId"))); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// act switches the agency a session acts for ("" for oneself), rotating its
// refresh token like /auth/refresh.
func (s *Server) act(c *fiber.Ctx) error {
	var req wire.ActRequest
	if err := s.decode(c, "act-request.schema.json", &req); err != nil {
		return err
	}
	ctx := c.UserContext()
	pair, err := s.sessions.Act(ctx, req.RefreshToken, req.AgencyID, func(userID string) error {
		return s.agencies.CheckStaff(ctx, userID, req.AgencyID)
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

// agencyBlockers is the published counts of the blockers households shared
// (veikart/blocker.go), for the agency's administrators.
func (s *Server) agencyBlockers(c *fiber.Ctx) error {
	id, err := pathID(c, "agencyId", errNoAgency)
	if err != nil {
		return err
	}
	qs, err := s.household.BlockerCounts(c.UserContext(), actorOf(c), id)
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, wire.ToBlockerCounts(qs))
}
