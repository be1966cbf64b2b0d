package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/veikart/veikart/backend/veikart"
	"github.com/veikart/veikart/backend/wire"
)

// Members' own say: the owners ask, the young member answers (household
// members.go; the rule is veikart/ownsay.go).

func (s *Server) listSays(c *fiber.Ctx) error {
	id, err := roadmapID(c)
	if err != nil {
		return err
	}
	x, err := s.household.Says(c.UserContext(), actorOf(c), id)
	if err != nil {
		return err
	}
	now := s.now()
	out := wire.Says{Role: x.Role, OwnSayAge: x.OwnSayAge, Members: []wire.MemberSay{}, Says: wire.List(x.Says, wire.ToOwnSay)}
	for _, m := range x.Members {
		out.Members = append(out.Members, wire.MemberSay{
			ID: m.Member.ID, Name: m.Member.Name, BirthYear: m.Member.BirthYear, Joined: m.Joined, HasOwnSay: m.HasOwnSay,
			MayTakeOwn: m.Member.MayTakeOwn(now) && m.Member.TookOwnAt.IsZero(), TookOwn: !m.Member.TookOwnAt.IsZero(),
			Sections: wire.SectionsToStrings(m.Sections),
		})
	}
	return sendJSON(c, fiber.StatusOK, out)
}

func (s *Server) askSay(c *fiber.Ctx) error {
	var req wire.AskSayRequest
	if err := s.decode(c, "ask-say-request.schema.json", &req); err != nil {
		return err
	}
	id, err := roadmapID(c)
	if err != nil {
		return err
	}
	x, err := s.household.AskSay(c.UserContext(), actorOf(c), id, req.MemberID, req.AreaID, veikart.SayFor(req.For))
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, wire.ToOwnSay(x))
}

func (s *Server) answerSay(c *fiber.Ctx) error {
	var req wire.AnswerSayRequest
	if err := s.decode(c, "answer-say-request.schema.json", &req); err != nil {
		return err
	}
	id, err := roadmapID(c)
	if err != nil {
		return err
	}
	x, err := s.household.AnswerSay(c.UserContext(), actorOf(c), id, req.AreaID, veikart.SayFor(req.For), req.Answer == "yes")
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, wire.ToOwnSay(x))
}
