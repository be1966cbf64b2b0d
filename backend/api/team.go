package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/veikart/veikart/backend/household"
	"github.com/veikart/veikart/backend/veikart"
	"github.com/veikart/veikart/backend/wire"
)

// The household's team (household/team.go): who helps, who coordinates,
// and what each agency promised.

func (s *Server) getTeam(c *fiber.Ctx) error {
	id, err := roadmapID(c)
	if err != nil {
		return err
	}
	t, err := s.household.Team(c.UserContext(), actorOf(c), id)
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, wire.ToTeam(t.Team, t.AgencyNames, t.Now, t.Today))
}

func (s *Server) setContact(c *fiber.Ctx) error {
	var req wire.SetContactRequest
	if err := s.decode(c, "set-contact-request.schema.json", &req); err != nil {
		return err
	}
	id, err := roadmapID(c)
	if err != nil {
		return err
	}
	got, err := s.household.SetContact(c.UserContext(), actorOf(c), id, veikart.Contact{Name: req.Name, Role: req.Role, Phone: req.Phone, Email: req.Email})
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, wire.ToContact(got))
}

func (s *Server) setCoordinator(c *fiber.Ctx) error {
	var req wire.SetCoordinatorRequest
	if err := s.decode(c, "set-coordinator-request.schema.json", &req); err != nil {
		return err
	}
	id, err := roadmapID(c)
	if err != nil {
		return err
	}
	got, err := s.household.SetCoordinator(c.UserContext(), actorOf(c), id, req.AgencyID)
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, wire.Coordinator{AgencyID: got.AgencyID, Since: got.Since})
}

func (s *Server) removeCoordinator(c *fiber.Ctx) error {
	id, err := roadmapID(c)
	if err != nil {
		return err
	}
	if _, err := s.household.SetCoordinator(c.UserContext(), actorOf(c), id, ""); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) answerPromise(c *fiber.Ctx) error {
	var req wire.AnswerPromiseRequest
	if err := s.decode(c, "answer-promise-request.schema.json", &req); err != nil {
		return err
	}
	id, sid, err := pathIDs(c, "stepId", household.ErrNoStep)
	if err != nil {
		return err
	}
	st, err := s.household.AnswerPromise(c.UserContext(), actorOf(c), id, sid, veikart.PromiseAnswer{
		Accept: req.Answer == "accept", Due: req.Due, Reason: req.Reason,
	})
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, wire.ToStep(st))
}

func (s *Server) judgePromise(c *fiber.Ctx) error {
	var req wire.PromiseOutcomeRequest
	if err := s.decode(c, "promise-outcome-request.schema.json", &req); err != nil {
		return err
	}
	id, sid, err := pathIDs(c, "stepId", household.ErrNoStep)
	if err != nil {
		return err
	}
	st, err := s.household.JudgePromise(c.UserContext(), actorOf(c), id, sid, veikart.PromiseOutcome(req.Outcome))
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, wire.ToStep(st))
}
