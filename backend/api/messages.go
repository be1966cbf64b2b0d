package api

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/veikart/veikart/backend/household"
	"github.com/veikart/veikart/backend/veikart"
	"github.com/veikart/veikart/backend/wire"
)

// Messages: the household's conversation with each agency it shares with.
// Decode, call the use case (household/messages.go), encode. A caseworker
// names their own agency in the path; any other is not found, as an
// unknown roadmap is.

func (s *Server) listConversations(c *fiber.Ctx) error {
	id, err := roadmapID(c)
	if err != nil {
		return err
	}
	cs, err := s.household.Conversations(c.UserContext(), actorOf(c), id)
	if err != nil {
		return err
	}
	out := wire.ConversationList{Items: make([]wire.ConversationSummary, len(cs))}
	for i, x := range cs {
		out.Items[i] = wire.ConversationSummary{AgencyID: x.AgencyID, AgencyName: x.AgencyName, Unread: x.Unread, Messages: x.Messages, Open: x.Open}
		if !x.LastAt.IsZero() {
			at := x.LastAt.UTC()
			out.Items[i].LastAt = &at
		}
	}
	return sendJSON(c, fiber.StatusOK, out)
}

func (s *Server) listMessages(c *fiber.Ctx) error {
	id, agencyID, err := pathIDs(c, "agencyId", household.ErrNoRoadmap)
	if err != nil {
		return err
	}
	var cursor string
	if args := c.Context().QueryArgs(); args.Has("cursor") {
		cursor = strings.Clone(string(args.Peek("cursor")))
		if cursor == "" || len(cursor) > 100 {
			return &veikart.Error{Code: veikart.EINVALID, Message: "The page cursor is not valid.", Pointer: "cursor"}
		}
	}
	t, err := s.household.Messages(c.UserContext(), actorOf(c), id, agencyID, cursor)
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, wire.MessageThread{
		AgencyID: t.AgencyID, AgencyName: t.AgencyName, Items: wire.List(t.Messages, wire.ToMessage),
		Next: t.Next, Unread: t.Unread, Open: t.Open,
	})
}

func (s *Server) sendMessage(c *fiber.Ctx) error {
	var req wire.SendMessageRequest
	if err := s.decode(c, "send-message-request.schema.json", &req); err != nil {
		return err
	}
	id, agencyID, err := pathIDs(c, "agencyId", household.ErrNoRoadmap)
	if err != nil {
		return err
	}
	m, created, err := s.household.SendMessage(c.UserContext(), actorOf(c), id, agencyID, veikart.Message{ID: req.ID, Text: req.Text})
	if err != nil {
		return err
	}
	return sendJSON(c, createdOrOK(created), wire.ToMessage(m))
}
