package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/veikart/veikart/backend/veikart"
)

// live answers as long as the process serves HTTP: a failing liveness probe
// means "restart me", so it must not depend on the database.
func (s *Server) live(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"status": "ok"})
}

// ready answers 200 only when the database answers, so that a load balancer
// stops sending traffic to a replica that cannot serve it.
func (s *Server) ready(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	if err := s.store.Ping(c.UserContext()); err != nil {
		s.log.Warn("readiness: database does not answer", "err", err)
		return &veikart.Error{Code: veikart.EUNAVAILABLE, Message: "The database does not answer."}
	}
	// A store whose disk filled up answers reads but cannot write: not
	// ready (so a load balancer drains this replica) until a write goes
	// through again, which readiness itself tries.
	if s.storageFull.Load() {
		if err := s.store.ProbeWrite(c.UserContext()); err != nil {
			// Logged: a probe failing for another reason than space (a
			// lock, a timeout) would otherwise look like a full disk.
			s.log.Warn("readiness: a write still fails", "err", err)
			return &veikart.Error{Code: veikart.EUNAVAILABLE, Message: "The database cannot write: its disk is full."}
		}
		s.storageFull.Store(false)
		s.log.Info("storage writable again")
	}
	return c.JSON(fiber.Map{"status": "ok"})
}

func (s *Server) jwks(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.JSON(fiber.Map{"keys": s.keys.JWKS()})
}
