package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/veikart"
	"github.com/veikart/veikart/backend/wire"
)

// Erasure: an owner deletes a roadmap (roadmaps.go), a person their whole
// account, the operator erasures again after a restore. The use cases are
// household.EraseRoadmap, EraseAccount and ReapplyErasures.

// deleteAccount erases the caller's account (household.EraseAccount). Their
// tokens stop working on the next request (on other replicas within the
// few seconds a session is remembered as live).
func (s *Server) deleteAccount(c *fiber.Ctx) error {
	actor := actorOf(c)
	if err := access.Own(actor); err != nil {
		return err
	}
	var req wire.EraseAccountRequest
	if err := s.decode(c, "erase-account-request.schema.json", &req); err != nil {
		return err
	}
	sessions, err := s.household.EraseAccount(c.UserContext(), actor.UserID)
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return veikart.ErrSignInAgain
	}
	if err != nil {
		return err
	}
	s.account.ForgetSessions(append(sessions, sessionOf(c))...)
	return c.SendStatus(fiber.StatusNoContent)
}

// reapplyErasures lets the operator erase again, after restoring a backup,
// what people erased after the backup was taken (household.ReapplyErasures).
func (s *Server) reapplyErasures(c *fiber.Ctx) error {
	if !access.Permit(actorOf(c), access.ReapplyErasures, "") {
		return &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Only the service's operator can apply erasures again."}
	}
	var req wire.ReapplyRequest
	if err := s.decode(c, "reapply-erasures-request.schema.json", &req); err != nil {
		return err
	}
	done, err := s.household.ReapplyErasures(c.UserContext(), actorOf(c), req.Hashes)
	if err != nil {
		return err
	}
	s.account.ForgetSessions(done.Sessions...)
	return sendJSON(c, fiber.StatusOK, wire.Reapply{Roadmaps: done.Roadmaps, Accounts: done.Accounts})
}
