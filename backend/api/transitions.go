package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/veikart/veikart/backend/household"
	"github.com/veikart/veikart/backend/veikart"
)

// Transitions (veikart/transition.go) and growing up (veikart/growing.go).

type transitionJSON struct {
	ID          string    `json:"id"`
	Kind        string    `json:"kind"`
	Date        string    `json:"date"`
	AgencyID    string    `json:"agencyId"`
	AgencyName  string    `json:"agencyName,omitempty"`
	Sections    []string  `json:"sections"`
	Permissions []string  `json:"permissions"`
	DaysBefore  int       `json:"daysBefore"`
	DaysAfter   int       `json:"daysAfter"`
	Summary     string    `json:"summary"`
	Reminders   []int     `json:"reminders"`
	GrantID     string    `json:"grantId"`
	Status      string    `json:"status"`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
}

type transitionListJSON struct {
	Items []transitionJSON `json:"items"`
}

func toTransitionJSON(t veikart.Transition) transitionJSON {
	rs := t.Reminders
	if rs == nil {
		rs = []int{}
	}
	return transitionJSON{
		ID: t.ID, Kind: string(t.Kind), Date: t.Date, AgencyID: t.AgencyID,
		Sections: sectionsToStrings(t.Sections), Permissions: permsToStrings(t.Permissions),
		DaysBefore: t.DaysBefore, DaysAfter: t.DaysAfter, Summary: t.Summary, Reminders: rs,
		GrantID: t.GrantID, Status: string(t.Status), CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt,
	}
}

type createTransitionRequest struct {
	ID          string   `json:"id"`
	Kind        string   `json:"kind"`
	Date        string   `json:"date"`
	AgencyID    string   `json:"agencyId"`
	Sections    []string `json:"sections"`
	Permissions []string `json:"permissions"`
	DaysBefore  int      `json:"daysBefore"`
	DaysAfter   int      `json:"daysAfter"`
	Summary     string   `json:"summary"`
	Reminders   []int    `json:"reminders"`
}

type updateTransitionRequest struct {
	Date        *string  `json:"date"`
	Sections    []string `json:"sections"`
	Permissions []string `json:"permissions"`
	DaysBefore  *int     `json:"daysBefore"`
	DaysAfter   *int     `json:"daysAfter"`
	Summary     *string  `json:"summary"`
	Reminders   []int    `json:"reminders"`
}

type takeOwnRequest struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// namedTransitionJSON renders a transition with its agency's name.
func namedTransitionJSON(t household.Transition) transitionJSON {
	out := toTransitionJSON(t.Transition)
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
	return sendJSON(c, fiber.StatusOK, transitionListJSON{Items: mapJSON(ts, namedTransitionJSON)})
}

func (s *Server) createTransition(c *fiber.Ctx) error {
	var req createTransitionRequest
	if err := s.decode(c, "create-transition-request.schema.json", &req); err != nil {
		return err
	}
	id, err := roadmapID(c)
	if err != nil {
		return err
	}
	t, err := s.household.PlanTransition(c.UserContext(), actorOf(c), id, req.ID, veikart.TransitionSpec{
		Kind: veikart.TransitionKind(req.Kind), Date: req.Date, AgencyID: req.AgencyID,
		Sections: toSections(req.Sections), Permissions: toPermissions(req.Permissions),
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
	var req updateTransitionRequest
	if err := s.decode(c, "update-transition-request.schema.json", &req); err != nil {
		return err
	}
	t, err := s.household.UpdateTransition(c.UserContext(), actorOf(c), id, tid, veikart.TransitionPatch{
		Date: req.Date, Sections: toSections(req.Sections), Permissions: toPermissions(req.Permissions),
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
	var req takeOwnRequest
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
