package api

import (
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/auth"
	"github.com/veikart/veikart/backend/veikart"
)

// Transitions (veikart/transition.go) and growing up (veikart/growing.go).

var errNoTransition = &veikart.Error{Code: veikart.ENOTFOUND, Message: "There is no such transition."}

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

// transitionJSON renders a transition with its agency's name, when the
// agency exists.
func (s *Server) transitionJSON(c *fiber.Ctx, t veikart.Transition) transitionJSON {
	out := toTransitionJSON(t)
	if a, err := s.store.Agency(c.UserContext(), t.AgencyID); err == nil {
		out.AgencyName = a.Name
	}
	return out
}

func (s *Server) listTransitions(c *fiber.Ctx) error {
	r, err := s.ownerRead(c, access.ManageConsent)
	if err != nil {
		return err
	}
	ts := slices.Clone(r.Transitions)
	slices.SortStableFunc(ts, func(a, b veikart.Transition) int {
		switch {
		case a.Date < b.Date:
			return -1
		case a.Date > b.Date:
			return 1
		}
		return 0
	})
	out := transitionListJSON{Items: make([]transitionJSON, 0, len(ts))}
	for _, t := range ts {
		out.Items = append(out.Items, s.transitionJSON(c, t))
	}
	return sendJSON(c, fiber.StatusOK, out)
}

// createTransition plans a transition: one write that adds it and the grant
// that opens and closes by itself, then the reminders.
func (s *Server) createTransition(c *fiber.Ctx) error {
	var req createTransitionRequest
	if err := s.decode(c, "create-transition-request.schema.json", &req); err != nil {
		return err
	}
	r, err := s.ownerRead(c, access.ManageConsent)
	if err != nil {
		return err
	}
	if _, err := s.store.Agency(c.UserContext(), req.AgencyID); err != nil {
		if veikart.ErrorCode(err) == veikart.ENOTFOUND {
			return &veikart.Error{Code: veikart.EINVALID, Message: "There is no such agency.", Pointer: "/agencyId"}
		}
		return err
	}
	// The agency's index first, as for any grant: an entry without a grant
	// in force shows nothing.
	if err := s.store.AddAgencyRoadmap(c.UserContext(), req.AgencyID, r.ID); err != nil {
		return err
	}
	spec := veikart.TransitionSpec{
		Kind: veikart.TransitionKind(req.Kind), Date: req.Date, AgencyID: req.AgencyID,
		Sections: toSections(req.Sections), Permissions: toPermissions(req.Permissions),
		DaysBefore: req.DaysBefore, DaysAfter: req.DaysAfter, Summary: req.Summary, Reminders: req.Reminders,
	}
	var t veikart.Transition
	var old *veikart.Roadmap
	next, err := s.change(c, access.ManageConsent, "", func(cur *veikart.Roadmap, _ access.Decision) (*veikart.Roadmap, error) {
		n, tr, err := cur.PlanTransition(req.ID, "g-"+auth.RandomID(9), actorOf(c).UserID, spec, s.now(), s.cfg.Location)
		t, old = tr, cur
		return n, err
	})
	if err != nil {
		return err
	}
	s.syncReminders(c, old, next)
	c.Location("/api/v1/roadmaps/" + next.ID + "/transitions/" + t.ID)
	return sendJSON(c, fiber.StatusCreated, s.transitionJSON(c, t))
}

func (s *Server) updateTransition(c *fiber.Ctx) error {
	tid, err := pathID(c, "transitionId", errNoTransition)
	if err != nil {
		return err
	}
	var req updateTransitionRequest
	if err := s.decode(c, "update-transition-request.schema.json", &req); err != nil {
		return err
	}
	patch := veikart.TransitionPatch{
		Date: req.Date, Sections: toSections(req.Sections), Permissions: toPermissions(req.Permissions),
		DaysBefore: req.DaysBefore, DaysAfter: req.DaysAfter, Summary: req.Summary, Reminders: req.Reminders,
	}
	return s.changeTransition(c, func(cur *veikart.Roadmap, by string) (*veikart.Roadmap, veikart.Transition, error) {
		return cur.UpdateTransition(tid, by, patch, s.now(), s.cfg.Location)
	})
}

// cancelTransition cancels a transition: its grant is revoked at once and its
// reminders are not sent.
func (s *Server) cancelTransition(c *fiber.Ctx) error {
	tid, err := pathID(c, "transitionId", errNoTransition)
	if err != nil {
		return err
	}
	return s.changeTransition(c, func(cur *veikart.Roadmap, by string) (*veikart.Roadmap, veikart.Transition, error) {
		return cur.CancelTransition(tid, by, s.now())
	})
}

func (s *Server) changeTransition(c *fiber.Ctx, fn func(cur *veikart.Roadmap, by string) (*veikart.Roadmap, veikart.Transition, error)) error {
	var t veikart.Transition
	var old *veikart.Roadmap
	next, err := s.change(c, access.ManageConsent, "", func(cur *veikart.Roadmap, _ access.Decision) (*veikart.Roadmap, error) {
		n, tr, err := fn(cur, actorOf(c).UserID)
		t, old = tr, cur
		return n, err
	})
	if err != nil {
		return err
	}
	s.syncReminders(c, old, next)
	return sendJSON(c, fiber.StatusOK, s.transitionJSON(c, t))
}

// takeOwn lets a member take their parts of the family's roadmap into a
// roadmap of their own. Three writes, each safe to repeat: the new roadmap
// (its id is the member's choice, so a retry finds it), the member's index,
// then the mark on the family's roadmap. A retry after a crash between them
// finishes the job.
func (s *Server) takeOwn(c *fiber.Ctx) error {
	mid, err := pathID(c, "memberId", &veikart.Error{Code: veikart.ENOTFOUND, Message: "There is no such member."})
	if err != nil {
		return err
	}
	var req takeOwnRequest
	if err := s.decode(c, "take-own-request.schema.json", &req); err != nil {
		return err
	}
	r, err := s.readRoadmap(c)
	if err != nil {
		return err
	}
	actor := actorOf(c)
	if !access.Decide(actor, access.TakeOwn, r, "", s.now()).Allowed {
		return s.denied(actor, r, &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Only the member themselves can do this."})
	}
	ctx := c.UserContext()
	m, _ := r.Member(mid)
	status := fiber.StatusCreated
	var own *veikart.Roadmap
	if !m.TookOwnAt.IsZero() {
		// Done before: answer with what was made, if this is its retry.
		existing, err := s.store.Roadmap(ctx, req.ID)
		if err != nil || len(existing.Owners) != 1 || !existing.IsOwner(actor.UserID) || m.UserID != actor.UserID {
			return &veikart.Error{Code: veikart.ECONFLICT, Message: "This member already has a roadmap of their own."}
		}
		own, status = existing, fiber.StatusOK
	} else {
		_, made, err := r.TakeOwn(mid, actor.UserID, req.ID, req.Title, s.now())
		if err != nil {
			return err
		}
		own = made
		if err := s.store.CreateRoadmap(ctx, own); veikart.ErrorCode(err) == veikart.ECONFLICT {
			existing, gerr := s.store.Roadmap(ctx, own.ID)
			if gerr != nil || len(existing.Owners) != 1 || !existing.IsOwner(actor.UserID) {
				return &veikart.Error{Code: veikart.ECONFLICT, Message: "This id cannot be used. Choose another.", Pointer: "/id"}
			}
			own, status = existing, fiber.StatusOK
		} else if err != nil {
			return err
		}
		s.syncReminders(c, nil, own)
	}
	if err := s.store.AddUserRoadmap(ctx, actor.UserID, own.ID); err != nil {
		return err
	}
	var old *veikart.Roadmap
	next, err := s.change(c, access.TakeOwn, "", func(cur *veikart.Roadmap, _ access.Decision) (*veikart.Roadmap, error) {
		old = cur
		if cm, ok := cur.Member(mid); ok && !cm.TookOwnAt.IsZero() {
			return cur, nil
		}
		family, _, err := cur.TakeOwn(mid, actor.UserID, own.ID, own.Title, s.now())
		return family, err
	})
	if err != nil {
		return err
	}
	s.syncReminders(c, old, next)
	c.Location("/api/v1/roadmaps/" + own.ID)
	return s.sendRoadmap(c, status, s.project(actor, own))
}
