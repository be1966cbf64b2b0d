package api

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/veikart/veikart/backend/household"
	"github.com/veikart/veikart/backend/ical"
	"github.com/veikart/veikart/backend/qr"
	"github.com/veikart/veikart/backend/veikart"
	"github.com/veikart/veikart/backend/wire"
)

// A person's calendar feed (household/calendar.go): reminders for phones
// that Web Push cannot reach; and a caseworker's, of their agency's
// deadlines, meetings and hand-overs. The /me/calendar-feed routes manage
// the caller's feed for whom they act: themselves, or their agency.

func (s *Server) getCalendarFeed(c *fiber.Ctx) error {
	f, err := s.household.CalendarFeed(c.UserContext(), actorOf(c))
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, wire.ToCalendarFeed(f))
}

// createCalendarFeed makes a new address, replacing the old one at once,
// and answers with it: the one time it is shown.
func (s *Server) createCalendarFeed(c *fiber.Ctx) error {
	var req wire.CalendarFeedRequest
	if err := s.decode(c, "calendar-feed-request.schema.json", &req); err != nil {
		return err
	}
	secret, f, err := s.household.CreateCalendarFeed(c.UserContext(), actorOf(c), req.Lang)
	if err != nil {
		return err
	}
	out := wire.ToCalendarFeed(f)
	out.URL = strings.TrimSuffix(s.cfg.PublicURL, "/") + "/api/v1/calendar/" + secret
	if rest, ok := strings.CutPrefix(out.URL, "https://"); ok {
		out.WebcalURL = "webcal://" + rest
	} else if rest, ok := strings.CutPrefix(out.URL, "http://"); ok {
		out.WebcalURL = "webcal://" + rest
	}
	if out.QR, err = qr.SVG(out.URL); err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusCreated, out)
}

// setCalendarLang makes the language of the caller's feeds the app's new
// one, the addresses staying the same; it answers with the caller's feed
// (active false when they have none).
func (s *Server) setCalendarLang(c *fiber.Ctx) error {
	var req wire.CalendarFeedRequest
	if err := s.decode(c, "calendar-feed-request.schema.json", &req); err != nil {
		return err
	}
	f, err := s.household.SetCalendarLang(c.UserContext(), actorOf(c), req.Lang)
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, wire.ToCalendarFeed(f))
}

func (s *Server) revokeCalendarFeed(c *fiber.Ctx) error {
	if err := s.household.RevokeCalendarFeed(c.UserContext(), actorOf(c)); err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.SendStatus(fiber.StatusNoContent)
}

// calendarPoll is how often a subscribed calendar is asked to fetch again.
const calendarPoll = time.Hour

// calendarFeed is the feed at a secret address, as a phone's calendar
// fetches it: no sign-in, the address is the key. What it lists is decided
// as its person, on every fetch.
func (s *Server) calendarFeed(c *fiber.Ctx) error {
	// Fiber reuses the path's buffer: the secret is copied before use.
	items, f, err := s.household.CalendarEvents(c.UserContext(), strings.Clone(c.Params("feedSecret")))
	if err != nil {
		return err
	}
	body := ical.Feed{Name: "Veikart", Refresh: calendarPoll, Events: s.calendarEvents(items, f)}.Bytes()
	sum := sha256.Sum256(body)
	etag := `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`
	// Calendars poll: "no-cache" with an ETag lets them ask cheaply and
	// see a change at once; "private" keeps shared caches out of it.
	c.Set(fiber.HeaderCacheControl, "private, no-cache")
	c.Set(fiber.HeaderETag, etag)
	c.Set("X-Robots-Tag", "noindex")
	if c.Get(fiber.HeaderIfNoneMatch) == etag {
		return c.SendStatus(fiber.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, "text/calendar; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `inline; filename="veikart.ics"`)
	return c.Status(fiber.StatusOK).Send(body)
}

// calendarTitles are the events' titles, by language: discreet, for a
// lock screen or a calendar shared with others (a caseworker's may be
// synced to a work account colleagues see). They name no household, no
// member, no area and nothing of what the step or meeting is about.
// "deadline" and "handover" are a caseworker's: a step given to the
// agency, and a transition to it.
var calendarTitles = map[string]map[string]string{
	"nb": {"step": "Veikart: et steg", "meeting": "Veikart: møte", "transition": "Veikart: en viktig dag", "deadline": "Veikart: frist", "handover": "Veikart: overgang", "open": "Åpne Veikart"},
	"nn": {"step": "Veikart: eit steg", "meeting": "Veikart: møte", "transition": "Veikart: ein viktig dag", "deadline": "Veikart: frist", "handover": "Veikart: overgang", "open": "Opne Veikart"},
	"en": {"step": "Veikart: a step", "meeting": "Veikart: meeting", "transition": "Veikart: an important day", "deadline": "Veikart: deadline", "handover": "Veikart: hand-over", "open": "Open Veikart"},
	"uk": {"step": "Veikart: крок", "meeting": "Veikart: зустріч", "transition": "Veikart: важливий день", "deadline": "Veikart: строк", "handover": "Veikart: передача", "open": "Відкрити Veikart"},
	"ar": {"step": "Veikart: خطوة", "meeting": "Veikart: اجتماع", "transition": "Veikart: يوم مهم", "deadline": "Veikart: موعد نهائي", "handover": "Veikart: تسليم", "open": "افتح Veikart"},
	"so": {"step": "Veikart: tallaabo", "meeting": "Veikart: kulan", "transition": "Veikart: maalin muhiim ah", "deadline": "Veikart: waqtiga kama dambaysta ah", "handover": "Veikart: wareejin", "open": "Fur Veikart"},
	"ti": {"step": "Veikart: ስጉምቲ", "meeting": "Veikart: ኣኼባ", "transition": "Veikart: ኣገዳሲ መዓልቲ", "deadline": "Veikart: ናይ መወዳእታ ዕለት", "handover": "Veikart: ርክክብ", "open": "Veikart ክፈት"},
}

// stepAlarm rings at 09:00 the day before a step's or transition's day
// (an all-day event starts at midnight, the phone's local time).
const stepAlarm = 15 * time.Hour

// calendarEvents are the feed's items as events, titled in f's language.
func (s *Server) calendarEvents(items []household.CalendarItem, f *veikart.CalendarFeed) []ical.Event {
	titles, ok := calendarTitles[f.Lang]
	if !ok {
		titles = calendarTitles["nb"]
	}
	base := strings.TrimSuffix(s.cfg.PublicURL, "/")
	out := make([]ical.Event, 0, len(items))
	for _, it := range items {
		link := base + "/#/roadmaps/" + it.RoadmapID
		// Kind, item and roadmap: unique, and the same on every fetch,
		// so a calendar updates the event rather than adding another.
		uid := it.Kind + "-" + it.ID + "." + it.RoadmapID + "@veikart"
		if f.AgencyID != "" {
			// A caseworker's calendar may be synced to a work account
			// colleagues see: the household's own ids for its steps and
			// meetings (its app's to choose, and maybe a name) stay out.
			// The roadmap's id is a random UUID (newRoadmapId).
			uid = it.Kind + "-" + workUID(f.AgencyID, it) + "@veikart"
		}
		ev := ical.Event{
			UID: uid, Sequence: max(it.Sequence, 0), Stamp: it.Stamp,
			Summary: titles[it.Kind], Description: titles["open"] + ": " + link, URL: link,
		}
		if it.Kind == "meeting" {
			if f.AgencyID != "" {
				link += "/meetings"
			} else {
				link += "/meetings/" + it.ID
			}
			ev.URL, ev.Description = link, titles["open"]+": "+link
			ev.Start, ev.End, ev.Alarm = it.At, it.At.Add(time.Duration(it.Minutes)*time.Minute), veikart.MeetingReminderBefore
		} else {
			day, err := time.Parse(time.DateOnly, it.Date)
			if err != nil {
				continue // not a date: the domain never stores one
			}
			ev.Start, ev.AllDay, ev.Alarm = day, true, stepAlarm
		}
		out = append(out, ev)
	}
	return out
}

// workUID is the stable, opaque part of an event's UID in agencyID's
// feed: a hash of what makes it unique.
func workUID(agencyID string, it household.CalendarItem) string {
	sum := sha256.Sum256([]byte("veikart-calendar-uid\x00" + agencyID + "\x00" + it.RoadmapID + "\x00" + it.Kind + "\x00" + it.ID))
	return hex.EncodeToString(sum[:16])
}
