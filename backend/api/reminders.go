package api

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/veikart/veikart/backend/access"
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

// overdueJSON lists the agencies' steps that are past their due date.
type overdueJSON struct {
	Items []stepJSON `json:"items"`
}

// overdue shows the owners which agencies' steps are past their due date and
// not done: the household follows up on what was promised to it.
func (s *Server) overdue(c *fiber.Ctx) error {
	r, err := s.ownerRead(c, access.FollowUp)
	if err != nil {
		return err
	}
	today := s.now().In(s.cfg.Location).Format(time.DateOnly)
	out := overdueJSON{Items: []stepJSON{}}
	for _, st := range r.Steps {
		if st.Responsible.Kind == veikart.ByAgency && st.Due != "" && st.Due < today &&
			(st.Status == veikart.Planned || st.Status == veikart.Doing) {
			out.Items = append(out.Items, toStepJSON(st))
		}
	}
	return sendJSON(c, fiber.StatusOK, out)
}
