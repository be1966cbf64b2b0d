package api

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/account"
	"github.com/veikart/veikart/backend/veikart"
	"github.com/veikart/veikart/backend/wire"
)

// A person's signed-in devices: list them, sign one out, or all.

func (s *Server) listSessions(c *fiber.Ctx) error {
	actor := actorOf(c)
	if err := access.Own(actor); err != nil {
		return err
	}
	items, err := s.sessionList(c, actor.UserID)
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, wire.SessionList{Items: items})
}

// sessionList is the person's sessions that are on, the caller's marked.
func (s *Server) sessionList(c *fiber.Ctx, userID string) ([]wire.Session, error) {
	live, err := s.account.Sessions(c.UserContext(), userID)
	if err != nil {
		return nil, err
	}
	return wire.List(live, func(sess *veikart.Session) wire.Session {
		return wire.Session{
			ID: sess.ID, Method: account.MethodOf(sess), Device: sess.UserAgent,
			CreatedAt: sess.CreatedAt, LastUsedAt: sess.LastUsedAt, ActingFor: sess.AgencyID,
			Current: sess.ID == sessionOf(c),
		}
	}), nil
}

func sessionOf(c *fiber.Ctx) string {
	id, _ := c.Locals(ctxSession).(string)
	return id
}

// revokeSession signs one of the person's devices out.
func (s *Server) revokeSession(c *fiber.Ctx) error {
	actor := actorOf(c)
	if err := access.Own(actor); err != nil {
		return err
	}
	if err := s.account.EndSession(c.UserContext(), actor.UserID, strings.Clone(c.Params("sessionId"))); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// revokeAllSessions signs every one of the person's devices out, this one
// too: what to do when a phone is lost.
func (s *Server) revokeAllSessions(c *fiber.Ctx) error {
	actor := actorOf(c)
	if err := access.Own(actor); err != nil {
		return err
	}
	if err := s.account.EndAllSessions(c.UserContext(), actor.UserID, "signed-out-everywhere"); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
