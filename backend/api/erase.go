package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/household"
	"github.com/veikart/veikart/backend/veikart"
)

// Erasure: an owner deletes a roadmap (roadmaps.go), a person their whole
// account, the operator erasures again after a restore. The use cases are
// household.EraseRoadmap, EraseAccount and ReapplyErasures.

// eraseAccountRequest is the body of DELETE /me. Confirm must be the exact
// phrase: a client cannot erase an account by sending an empty DELETE by
// mistake, and the app asks the person to type a word first.
type eraseAccountRequest struct {
	Confirm string `json:"confirm"`
}

// deleteAccount erases the caller's account (household.EraseAccount). Their
// tokens stop working on the next request (on other replicas within the
// few seconds a session is remembered as live).
func (s *Server) deleteAccount(c *fiber.Ctx) error {
	actor := actorOf(c)
	if !access.Permit(actor, access.UseAccount, "") {
		return household.ErrOperatorAccount
	}
	var req eraseAccountRequest
	if err := s.decode(c, "erase-account-request.schema.json", &req); err != nil {
		return err
	}
	sessions, err := s.household.EraseAccount(c.UserContext(), actor.UserID)
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return household.ErrSignInAgain
	}
	if err != nil {
		return err
	}
	s.account.ForgetSessions(append(sessions, sessionOf(c))...)
	return c.SendStatus(fiber.StatusNoContent)
}

// noticeJSON tells a caseworker that a roadmap shared with their agency was
// deleted by its owners: when, and when the agency's grant was made. Nothing
// else: the roadmap and the people in it are erased.
type noticeJSON struct {
	ID             string `json:"id"`
	DeletedOn      string `json:"deletedOn"`
	GrantCreatedOn string `json:"grantCreatedOn"`
}

// reapplyRequest is the body of POST /admin/erasures: erasure hashes from the
// server log (household.ErasureHash), as lowercase hex.
type reapplyRequest struct {
	Hashes []string `json:"hashes"`
}

type reapplyJSON struct {
	Roadmaps int `json:"roadmaps"`
	Accounts int `json:"accounts"`
}

// reapplyErasures lets the operator erase again, after restoring a backup,
// what people erased after the backup was taken (household.ReapplyErasures).
func (s *Server) reapplyErasures(c *fiber.Ctx) error {
	if !access.Permit(actorOf(c), access.ReapplyErasures, "") {
		return &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Only the service's operator can apply erasures again."}
	}
	var req reapplyRequest
	if err := s.decode(c, "reapply-erasures-request.schema.json", &req); err != nil {
		return err
	}
	done, err := s.household.ReapplyErasures(c.UserContext(), actorOf(c), req.Hashes)
	if err != nil {
		return err
	}
	s.account.ForgetSessions(done.Sessions...)
	return sendJSON(c, fiber.StatusOK, reapplyJSON{Roadmaps: done.Roadmaps, Accounts: done.Accounts})
}
