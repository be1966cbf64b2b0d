package api

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/veikart/veikart/backend/veikart"
)

// ReminderSync keeps reminder jobs in line with roadmaps (package remind).
type ReminderSync interface {
	Sync(ctx context.Context, old, next *veikart.Roadmap) error
}

// syncReminders updates the reminder jobs after a roadmap changed from old to
// next (next nil: deleted). The roadmap is already written: a failure here is
// logged, not returned, and the scheduler re-checks every job against the
// roadmap before it sends, so a stale job is never sent.
func (s *Server) syncReminders(c *fiber.Ctx, old, next *veikart.Roadmap) {
	if s.reminders == nil || old == next {
		return
	}
	if err := s.reminders.Sync(c.UserContext(), old, next); err != nil {
		s.log.Error("sync reminders", "err", err, "request_id", requestID(c))
	}
}
