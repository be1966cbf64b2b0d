package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/veikart/veikart/backend/wire"
)

// Reviews and the timeline (household/reviews.go).

func (s *Server) setReviewRhythm(c *fiber.Ctx) error {
	var req wire.ReviewRhythmRequest
	if err := s.decode(c, "review-rhythm-request.schema.json", &req); err != nil {
		return err
	}
	id, err := roadmapID(c)
	if err != nil {
		return err
	}
	st, err := s.household.SetReviewRhythm(c.UserContext(), actorOf(c), id, req.Months)
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, wire.ToReviewRhythm(st.Plan, st.Next))
}

func (s *Server) listReviews(c *fiber.Ctx) error {
	id, err := roadmapID(c)
	if err != nil {
		return err
	}
	vs, st, err := s.household.Reviews(c.UserContext(), actorOf(c), id)
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, wire.ReviewList{Rhythm: wire.ToReviewRhythm(st.Plan, st.Next), Items: wire.List(vs, wire.ToReview)})
}

func (s *Server) reviewDraft(c *fiber.Ctx) error {
	id, err := roadmapID(c)
	if err != nil {
		return err
	}
	v, st, err := s.household.ReviewDraft(c.UserContext(), actorOf(c), id)
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, wire.ReviewDraft{Rhythm: wire.ToReviewRhythm(st.Plan, st.Next), Changes: wire.ToReview(v)})
}

func (s *Server) saveReview(c *fiber.Ctx) error {
	var req wire.SaveReviewRequest
	if err := s.decode(c, "save-review-request.schema.json", &req); err != nil {
		return err
	}
	id, err := roadmapID(c)
	if err != nil {
		return err
	}
	v, created, err := s.household.SaveReview(c.UserContext(), actorOf(c), id, req.ID, req.Note)
	if err != nil {
		return err
	}
	return sendJSON(c, createdOrOK(created), wire.ToReview(v))
}

func (s *Server) timeline(c *fiber.Ctx) error {
	id, err := roadmapID(c)
	if err != nil {
		return err
	}
	cursor, limit, err := page(c)
	if err != nil {
		return err
	}
	es, next, err := s.household.Timeline(c.UserContext(), actorOf(c), id, cursor, limit)
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, wire.Timeline{Items: wire.List(es, wire.ToTimelineEntry), Next: next})
}
