package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/veikart/veikart/backend/household"
	"github.com/veikart/veikart/backend/veikart"
	"github.com/veikart/veikart/backend/wire"
)

// Transitions (veikart/transition.go) and growing up (veikart/growing.go).

// namedTransitionJSON renders a transition with its agency's name.
func namedTransitionJSON(t household.Transition) wire.Transition {
	out := wire.ToTransition(t.Transition)
	out.AgencyName = t.AgencyName
	return out
}

func (s *Server) listTransitions(c *fiber.Ctx) error {
	id, err := roadmapID(c)
	if err != nil {
		return err
	}
	ts, err := s.household.Transitions(c.UserContext(), actorOf(c), id)
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, wire.TransitionList{Items: wire.List(ts, namedTransitionJSON)})
}

func (s *Server) createTransition(c *fiber.Ctx) error {
	var req wire.CreateTransitionRequest
	if err := s.decode(c, "create-transition-request.schema.json", &req); err != nil {
		return err
	}
	id, err := roadmapID(c)
	if err != nil {
		return err
	}
	t, err := s.household.PlanTransition(c.UserContext(), actorOf(c), id, req.ID, veikart.TransitionSpec{
		Kind: veikart.TransitionKind(req.Kind), Date: req.Date, AgencyID: req.AgencyID,
		Sections: wire.ToSections(req.Sections), Permissions: wire.ToPermissions(req.Permissions),
		DaysBefore: req.DaysBefore, DaysAfter: req.DaysAfter, Summary: req.Summary, Reminders: req.Reminders,
	})
	if err != nil {
		return err
	}
	c.Location("/api/v1/roadmaps/" + id + "/transitions/" + t.ID)
	return sendJSON(c, fiber.StatusCreated, namedTransitionJSON(t))
}

func (s *Server) updateTransition(c *fiber.Ctx) error {
	id, tid, err := pathIDs(c, "transitionId", household.ErrNoTransition)
	if err != nil {
		return err
	}
	var req wire.UpdateTransitionRequest
	if err := s.decode(c, "update-transition-request.schema.json", &req); err != nil {
		return err
	}
	t, err := s.household.UpdateTransition(c.UserContext(), actorOf(c), id, tid, veikart.TransitionPatch{
		Date: req.Date, Sections: wire.ToSections(req.Sections), Permissions: wire.ToPermissions(req.Permissions),
		DaysBefore: req.DaysBefore, DaysAfter: req.DaysAfter, Summary: req.Summary, Reminders: req.Reminders,
	})
	return sendTransition(c, t, err)
}

func (s *Server) cancelTransition(c *fiber.Ctx) error {
	id, tid, err := pathIDs(c, "transitionId", household.ErrNoTransition)
	if err != nil {
		return err
	}
	t, err := s.household.CancelTransition(c.UserContext(), actorOf(c), id, tid)
	return sendTransition(c, t, err)
}

func sendTransition(c *fiber.Ctx, t household.Transition, err error) error {
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, namedTransitionJSON(t))
}

// takeOwn lets a member take their parts of the family's roadmap into a
// roadmap of their own (household.TakeOwn).
func (s *Server) takeOwn(c *fiber.Ctx) error {
	id, mid, err := pathIDs(c, "memberId", household.ErrNoMember)
	if err != nil {
		return err
	}
	var req wire.TakeOwnRequest
	if err := s.decode(c, "take-own-request.schema.json", &req); err != nil {
		return err
	}
	view, created, err := s.household.TakeOwn(c.UserContext(), actorOf(c), id, mid, req.ID, req.Title)
	if err != nil {
		return err
	}
	c.Location("/api/v1/roadmaps/" + view.Roadmap.ID)
	return s.sendRoadmap(c, createdOrOK(created), view)
}

// setChecklist chooses the lines of a transition's checklist
// (veikart/checklist.go): steps, asked of their agencies as promises.
func (s *Server) setChecklist(c *fiber.Ctx) error {
	id, tid, err := pathIDs(c, "transitionId", household.ErrNoTransition)
	if err != nil {
		return err
	}
	var req wire.SetChecklistRequest
	if err := s.decode(c, "set-checklist-request.schema.json", &req); err != nil {
		return err
	}
	steps, err := s.household.SetChecklist(c.UserContext(), actorOf(c), id, tid, wire.ToChecklistChoices(req.Lines))
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, wire.Checklist{TransitionID: tid, Items: wire.List(steps, wire.ToStep)})
}
