package api

import (
	"context"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/agency"
	"github.com/veikart/veikart/backend/household"
	"github.com/veikart/veikart/backend/ical"
	"github.com/veikart/veikart/backend/veikart"
	"github.com/veikart/veikart/backend/wire"
)

// Meetings the household leads (household/meetings.go).

// meetingIDs are the roadmap's and the meeting's ids of the path.
func meetingIDs(c *fiber.Ctx) (string, string, error) {
	return pathIDs(c, "meetingId", household.ErrNoMeeting)
}

// itemID is the agenda item's id of the path.
func itemID(c *fiber.Ctx) (string, error) {
	return pathID(c, "itemId", &veikart.Error{Code: veikart.ENOTFOUND, Message: "There is no such agenda item."})
}

// invitees are the names of the agencies the meetings invite.
func (s *Server) invitees(ctx context.Context, ms ...veikart.Meeting) map[string]string {
	names := map[string]string{}
	for _, m := range ms {
		for _, a := range m.Invitees {
			if _, ok := names[a]; !ok {
				names[a] = agency.Name(ctx, s.store, a)
			}
		}
	}
	return names
}

func (s *Server) sendMeeting(c *fiber.Ctx, status int, m veikart.Meeting, err error) error {
	if err != nil {
		return err
	}
	return sendJSON(c, status, wire.ToMeeting(m, s.invitees(c.UserContext(), m)))
}

func (s *Server) listMeetings(c *fiber.Ctx) error {
	id, err := roadmapID(c)
	if err != nil {
		return err
	}
	ms, err := s.household.Meetings(c.UserContext(), actorOf(c), id)
	if err != nil {
		return err
	}
	names := s.invitees(c.UserContext(), ms...)
	return sendJSON(c, fiber.StatusOK, wire.MeetingList{Items: wire.List(ms, func(m veikart.Meeting) wire.Meeting { return wire.ToMeeting(m, names) })})
}

func (s *Server) callMeeting(c *fiber.Ctx) error {
	var req wire.CallMeetingRequest
	if err := s.decode(c, "call-meeting-request.schema.json", &req); err != nil {
		return err
	}
	id, err := roadmapID(c)
	if err != nil {
		return err
	}
	m, created, err := s.household.CallMeeting(c.UserContext(), actorOf(c), id, req.ID, veikart.MeetingSpec{
		At: req.At, Minutes: req.Minutes, Place: req.Place, Invitees: req.Invitees,
	})
	return s.sendMeeting(c, createdOrOK(created), m, err)
}

// meetingAction runs a change of one meeting that takes no body.
func (s *Server) meetingAction(c *fiber.Ctx, fn func(ctx context.Context, actor access.Actor, id, mid string) (veikart.Meeting, error)) error {
	id, mid, err := meetingIDs(c)
	if err != nil {
		return err
	}
	m, err := fn(c.UserContext(), actorOf(c), id, mid)
	return s.sendMeeting(c, fiber.StatusOK, m, err)
}

func (s *Server) confirmMeeting(c *fiber.Ctx) error {
	return s.meetingAction(c, s.household.ConfirmMeeting)
}
func (s *Server) cancelMeeting(c *fiber.Ctx) error {
	return s.meetingAction(c, s.household.CancelMeeting)
}
func (s *Server) approveMinutes(c *fiber.Ctx) error {
	return s.meetingAction(c, s.household.ApproveMinutes)
}

func (s *Server) setAgenda(c *fiber.Ctx) error {
	var req wire.AgendaRequest
	if err := s.decode(c, "agenda-request.schema.json", &req); err != nil {
		return err
	}
	id, mid, err := meetingIDs(c)
	if err != nil {
		return err
	}
	items := make([]veikart.AgendaItem, len(req.Items))
	for i, it := range req.Items {
		items[i] = veikart.AgendaItem{ID: it.ID, AreaID: it.AreaID, Text: it.Text}
	}
	m, err := s.household.SetAgenda(c.UserContext(), actorOf(c), id, mid, items)
	return s.sendMeeting(c, fiber.StatusOK, m, err)
}

// itemChange runs a change of the agenda item the path names.
func (s *Server) itemChange(c *fiber.Ctx, fn func(ctx context.Context, actor access.Actor, id, mid, item string) (veikart.Meeting, error)) error {
	id, mid, err := meetingIDs(c)
	if err != nil {
		return err
	}
	item, err := itemID(c)
	if err != nil {
		return err
	}
	m, err := fn(c.UserContext(), actorOf(c), id, mid, item)
	return s.sendMeeting(c, fiber.StatusOK, m, err)
}

func (s *Server) noteItem(c *fiber.Ctx) error {
	var req wire.NotesRequest
	if err := s.decode(c, "notes-request.schema.json", &req); err != nil {
		return err
	}
	return s.itemChange(c, func(ctx context.Context, actor access.Actor, id, mid, item string) (veikart.Meeting, error) {
		return s.household.NoteItem(ctx, actor, id, mid, item, req.Notes)
	})
}

func (s *Server) decide(c *fiber.Ctx) error {
	var req wire.DecisionRequest
	if err := s.decode(c, "decision-request.schema.json", &req); err != nil {
		return err
	}
	return s.itemChange(c, func(ctx context.Context, actor access.Actor, id, mid, item string) (veikart.Meeting, error) {
		return s.household.Decide(ctx, actor, id, mid, item, veikart.Decision{
			ID: req.ID, AreaID: req.AreaID, Text: req.Text, Due: req.Due,
			Responsible: veikart.Responsible{Kind: veikart.ResponsibleKind(req.Responsible.Kind), MemberID: req.Responsible.MemberID, AgencyID: req.Responsible.AgencyID},
		})
	})
}

// meetingCalendar is a meeting as a calendar invitation (RFC 5545) with an
// alarm the day before. What it says is discreet: a calendar is synced to
// places a lock screen is not, so it names neither the household nor the
// agenda, only that there is a Veikart meeting, where, and a link to it.
func (s *Server) meetingCalendar(c *fiber.Ctx) error {
	id, mid, err := meetingIDs(c)
	if err != nil {
		return err
	}
	m, err := s.household.Meeting(c.UserContext(), actorOf(c), id, mid)
	if err != nil {
		return err
	}
	place := m.Place
	if place == "" {
		place = "Hjemme hos familien"
	}
	link := strings.TrimSuffix(s.cfg.PublicURL, "/") + "/#/roadmaps/" + id + "/meetings/" + mid
	body := ical.Calendar(ical.Event{
		UID: mid + "." + id + "@veikart", Sequence: int(m.UpdatedAt.Unix() - m.CreatedAt.Unix()), Stamp: m.UpdatedAt,
		Start: m.At, End: m.At.Add(time.Duration(m.Minutes) * time.Minute),
		Summary: "Møte i Veikart", Location: place, Description: "Åpne møtet i Veikart: " + link, URL: link,
		Cancelled: m.Status == veikart.MeetingCancelled, Alarm: veikart.MeetingReminderBefore,
	})
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentType, "text/calendar; charset=utf-8")
	// mid is an id (letters, digits, - and _): nothing to quote.
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="veikart-`+mid+`.ics"`)
	return c.Status(fiber.StatusOK).Send(body)
}
