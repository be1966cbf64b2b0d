package api

import (
	"encoding/json"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/veikart/veikart/backend/household"
	"github.com/veikart/veikart/backend/veikart"
	"github.com/veikart/veikart/backend/wire"
)

// Export: everything the service holds about a person and the roadmaps they
// own, as one JSON document valid against schemas/export.schema.json. Each
// part is what the person may see through the API anyway, read through the
// same access decisions: the owners' full view of their roadmaps with the
// consent records and the whole access log, a member's view of the
// roadmaps they are linked to, and their own devices and security log.

// exportFormatVersion changes when the export's shape does.
const exportFormatVersion = 1

// exportMe answers with everything the service holds about the caller, as
// a file to keep (household.ExportPerson), and the sessions they have on.
func (s *Server) exportMe(c *fiber.Ctx) error {
	x, err := s.household.ExportPerson(c.UserContext(), actorOf(c))
	if err != nil {
		return err
	}
	out := wire.Export{
		Format: "veikart-export", Version: exportFormatVersion, ExportedAt: x.At.UTC(),
		Profile:  wire.Me{ID: x.User.ID, Name: x.User.Name, ActingFor: actorOf(c).AgencyID, Agencies: wire.Memberships(x.Agencies, x.User.ID)},
		Roadmaps: []wire.ExportedRoadmap{}, MemberOf: wire.List(x.MemberOf, wire.PartialView),
		SecurityLog:  wire.List(x.SecurityLog, wire.ToSecurityEvent),
		CalendarFeed: wire.ToCalendarFeed(x.User.CalendarFeed),
	}
	for _, f := range x.User.Feeds() {
		if f.AgencyID != "" {
			out.WorkCalendarFeeds = append(out.WorkCalendarFeeds, wire.ToCalendarFeed(f))
		}
	}
	for _, h := range x.Helping {
		out.Helping = append(out.Helping, wire.Helping{RoadmapID: h.RoadmapID, Helper: wire.ToHelper(h.Helper, x.At)})
	}
	for _, o := range x.Owned {
		out.Roadmaps = append(out.Roadmaps, exportedRoadmap(o, x.User.ID, x.At))
	}
	// A member's own yes and no are theirs: the view holds only their own.
	for _, v := range x.MemberOf {
		for _, y := range v.Roadmap.Says {
			out.MemberSays = append(out.MemberSays, wire.MemberOwnSay{RoadmapID: v.Roadmap.ID, Say: wire.ToOwnSay(y)})
		}
		if rs := x.MemberReadings[v.Roadmap.ID]; len(rs) > 0 {
			out.MemberReadings = append(out.MemberReadings, wire.MemberReadings{RoadmapID: v.Roadmap.ID, Readings: wire.List(rs, wire.ToReading)})
		}
	}
	if out.Sessions.Items, err = s.sessionList(c, x.User.ID); err != nil {
		return err
	}
	out.Passkeys.Items = wire.List(x.Passkeys, wire.ToPasskey)
	out.PushSubscriptions.Items = wire.List(x.Push, wire.ToPushSubscription)
	b, err := json.Marshal(out)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="veikart-export-`+x.At.In(s.cfg.Location).Format(time.DateOnly)+`.json"`)
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Status(fiber.StatusOK).Send(b)
}

// exportedRoadmap is one owned roadmap with its consent records and log.
func exportedRoadmap(o household.Owned, userID string, now time.Time) wire.ExportedRoadmap {
	r := o.Roadmap
	x := wire.ExportedRoadmap{
		Roadmap:        wire.ToRoadmap(r),
		Grants:         wire.List(o.Grants, func(g household.Grant) wire.Grant { return grantFor(g, userID, now) }),
		AccessRequests: wire.List(r.Requests, wire.ToAccessRequest),
		Invitations:    wire.List(r.Invitations, wire.ToExportInvitation),
		Receipts:       wire.List(r.Receipts, wire.ToReceipt),
		AccessLog:      wire.List(o.Log, wire.ToAuditEvent),
		Meetings:       wire.List(r.Meetings, func(m veikart.Meeting) wire.Meeting { return wire.ToMeeting(m, nil) }),
		Helpers:        wire.List(r.Helpers, func(h veikart.Helper) wire.Helper { return wire.ToHelper(h, now) }),
		Says:           wire.List(r.Says, wire.ToOwnSay),
		Conversations: wire.List(o.Conversations, func(c household.ExportedConversation) wire.ExportedConversation {
			return wire.ExportedConversation{AgencyID: c.AgencyID, AgencyName: c.AgencyName, Messages: wire.List(c.Messages, wire.ToMessage)}
		}),
		Reviews:  wire.List(o.Reviews, wire.ToReview),
		Readings: wire.List(o.Readings, wire.ToReading),
	}
	if r.Review != (veikart.ReviewPlan{}) {
		rh := wire.ToReviewRhythm(r.Review, "")
		x.ReviewRhythm = &rh
	}
	return x
}
