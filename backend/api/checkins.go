package api

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/veikart/veikart/backend/veikart"
	"github.com/veikart/veikart/backend/wire"
)

// Check-ins: the household's readings of each area's "now" over time.
// Decode, call the use case (household/checkins.go), encode.

func (s *Server) listCheckIns(c *fiber.Ctx) error {
	id, err := roadmapID(c)
	if err != nil {
		return err
	}
	var area string
	if args := c.Context().QueryArgs(); args.Has("area") {
		area = strings.Clone(string(args.Peek("area")))
		if !veikart.ValidID(area) {
			return &veikart.Error{Code: veikart.EINVALID, Message: "The area id is not valid.", Pointer: "area"}
		}
	}
	rs, err := s.household.CheckIns(c.UserContext(), actorOf(c), id, area)
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, wire.ReadingList{Items: wire.List(rs, wire.ToReading)})
}

func (s *Server) checkIn(c *fiber.Ctx) error {
	var req wire.CheckInRequest
	if err := s.decode(c, "check-in-request.schema.json", &req); err != nil {
		return err
	}
	id, err := roadmapID(c)
	if err != nil {
		return err
	}
	rs, created, err := s.household.CheckIn(c.UserContext(), actorOf(c), id, req.CheckIn())
	if err != nil {
		return err
	}
	return sendJSON(c, createdOrOK(created > 0), wire.ReadingList{Items: wire.List(rs, wire.ToReading)})
}

func (s *Server) deleteCheckIn(c *fiber.Ctx) error {
	id, readingID, err := pathIDs(c, "readingId", veikart.ErrNoReading)
	if err != nil {
		return err
	}
	x, err := s.household.DeleteReading(c.UserContext(), actorOf(c), id, readingID)
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, wire.ToReading(x))
}
