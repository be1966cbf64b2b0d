package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/account"
	"github.com/veikart/veikart/backend/veikart"
	"github.com/veikart/veikart/backend/wire"
)

// Account recovery after a lost phone: the routes of the use cases in
// package account (recovery.go there says how it works).

// SecurityAlerter tells a person's devices, by push, that something about
// their account needs their eyes now (account.Alerter).
type SecurityAlerter = account.Alerter

// recoveryPeople lists, for a caseworker, the owners of the roadmap their
// agency may help back in: by name and by a key of the agency's own.
func (s *Server) recoveryPeople(c *fiber.Ctx) error {
	id, err := roadmapID(c)
	if err != nil {
		return err
	}
	actor := actorOf(c)
	r, err := s.household.ReadFor(c.UserContext(), actor, id, access.RecoverAccount, account.ErrNoRecovery)
	if err != nil {
		return err
	}
	people, err := s.account.RecoveryPeople(c.UserContext(), actor, r)
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, wire.RecoveryPeople{Items: wire.List(people, func(p account.Recoverable) wire.RecoveryPerson {
		return wire.RecoveryPerson{Key: p.Key, Name: p.Name}
	})})
}

// cancelRecovery stops the waiting recovery of the signed-in person's
// account.
func (s *Server) cancelRecovery(c *fiber.Ctx) error {
	if err := s.account.CancelRecovery(c.UserContext(), actorOf(c)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// securityLog is the signed-in person's own log, newest first, paged:
// sign-ins and sign-outs, passkeys, and every step of a recovery by the
// caseworker's name.
func (s *Server) securityLog(c *fiber.Ctx) error {
	actor := actorOf(c)
	if err := access.Own(actor); err != nil {
		return err
	}
	cursor, limit, err := page(c)
	if err != nil {
		return err
	}
	events, names, next, err := s.account.SecurityLog(c.UserContext(), actor.UserID, cursor, limit)
	if err != nil {
		return err
	}
	out := wire.SecurityLog{Items: make([]wire.SecurityEvent, len(events)), Next: next}
	for i, e := range events {
		out.Items[i] = wire.ToSecurityEvent(e)
		out.Items[i].AgencyName = names[e.AgencyID]
	}
	return sendJSON(c, fiber.StatusOK, out)
}

// agencyRecoveries lists, for an agency's administrators, every recovery
// code its caseworkers made, newest first.
func (s *Server) agencyRecoveries(c *fiber.Ctx) error {
	agencyID, err := pathID(c, "agencyId", errNoAgency)
	if err != nil {
		return err
	}
	cursor, limit, err := page(c)
	if err != nil {
		return err
	}
	events, next, err := s.account.AgencyRecoveries(c.UserContext(), actorOf(c), agencyID, cursor, limit)
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, wire.AgencyRecoveryList{Next: next, Items: wire.List(events, func(e veikart.AuditEvent) wire.AgencyRecovery {
		return wire.AgencyRecovery{ID: e.ID, At: e.At, CaseworkerID: e.UserID, CaseworkerName: e.Name, PersonName: e.Subject}
	})})
}
