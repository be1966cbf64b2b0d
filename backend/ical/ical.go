// Package ical writes calendars (iCalendar, RFC 5545): one event with an
// alarm, for a meeting of a household's team, and a person's feed of
// events that a phone calendar subscribes to. It writes only what
// Veikart needs, and writes it strictly: CRLF line ends, lines folded at 75
// octets without splitting a UTF-8 character, text escaped, times in UTC.
package ical

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Event is one calendar event.
type Event struct {
	UID         string // globally unique and stable: a changed meeting replaces its event
	Sequence    int    // grows with every change of the event
	Stamp       time.Time
	Start, End  time.Time
	Summary     string
	Location    string
	Description string
	URL         string
	Cancelled   bool
	// AllDay makes the event the whole day of Start's date (as written,
	// in Start's location); End is not used.
	AllDay bool
	// Alarm is how long before Start a reminder rings; zero for none.
	Alarm time.Duration
}

// Calendar is a VCALENDAR holding ev, as the bytes of a text/calendar body.
func Calendar(ev Event) []byte {
	var w writer
	method := "PUBLISH"
	if ev.Cancelled {
		method = "CANCEL"
	}
	w.begin(method)
	w.event(ev)
	w.line("END:VCALENDAR")
	return []byte(w.b.String())
}

// Feed is a calendar that a phone subscribes to and polls: every event it
// holds, under a name, with a hint of how often to poll. An event that is
// no longer in it is gone from the subscriber's calendar at the next poll;
// a changed one keeps its UID, so calendars replace rather than duplicate.
type Feed struct {
	Name    string
	Refresh time.Duration // how often to poll; zero for no hint
	Events  []Event
}

// Bytes is f as a text/calendar body.
func (f Feed) Bytes() []byte {
	var w writer
	w.begin("PUBLISH")
	if f.Name != "" {
		w.text("X-WR-CALNAME", f.Name)
	}
	if f.Refresh > 0 {
		// RFC 7986 and its older, wider-read cousin.
		d := "PT" + strconv.Itoa(int(f.Refresh/time.Minute)) + "M"
		w.line("REFRESH-INTERVAL;VALUE=DURATION:" + d)
		w.line("X-PUBLISHED-TTL:" + d)
	}
	for _, ev := range f.Events {
		w.event(ev)
	}
	w.line("END:VCALENDAR")
	return []byte(w.b.String())
}

func (w *writer) begin(method string) {
	w.line("BEGIN:VCALENDAR")
	w.line("VERSION:2.0")
	w.line("PRODID:-//Veikart//Veikart//NO")
	w.line("CALSCALE:GREGORIAN")
	w.line("METHOD:" + method)
}

func (w *writer) event(ev Event) {
	w.line("BEGIN:VEVENT")
	w.prop("UID", ev.UID)
	w.line("SEQUENCE:" + strconv.Itoa(ev.Sequence))
	w.line("DTSTAMP:" + utc(ev.Stamp))
	if ev.AllDay {
		// A date, not a time: the day is the household's wherever the
		// phone is, and DTEND is the day after (RFC 5545 3.6.1).
		w.line("DTSTART;VALUE=DATE:" + ev.Start.Format("20060102"))
		w.line("DTEND;VALUE=DATE:" + ev.Start.AddDate(0, 0, 1).Format("20060102"))
		w.line("TRANSP:TRANSPARENT")
	} else {
		w.line("DTSTART:" + utc(ev.Start))
		w.line("DTEND:" + utc(ev.End))
	}
	w.text("SUMMARY", ev.Summary)
	if ev.Location != "" {
		w.text("LOCATION", ev.Location)
	}
	if ev.Description != "" {
		w.text("DESCRIPTION", ev.Description)
	}
	if ev.URL != "" {
		w.prop("URL", ev.URL)
	}
	if ev.Cancelled {
		w.line("STATUS:CANCELLED")
	} else {
		w.line("STATUS:CONFIRMED")
	}
	if ev.Alarm > 0 && !ev.Cancelled {
		w.line("BEGIN:VALARM")
		w.line("ACTION:DISPLAY")
		w.text("DESCRIPTION", ev.Summary)
		w.line("TRIGGER:-PT" + strconv.Itoa(int(ev.Alarm/time.Minute)) + "M")
		w.line("END:VALARM")
	}
	w.line("END:VEVENT")
}

func utc(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// writer writes content lines, folded.
type writer struct{ b strings.Builder }

// text writes a TEXT property, escaped (RFC 5545 3.3.11).
func (w *writer) text(name, v string) {
	r := strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`)
	w.line(name + ":" + r.Replace(v))
}

// prop writes a property whose value needs no escaping (a UID, a URI),
// with anything that could break the line taken out.
func (w *writer) prop(name, v string) {
	w.line(name + ":" + strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, v))
}

// line writes one content line, folded at 75 octets (RFC 5545 3.1): each
// continuation starts with a space, and a UTF-8 character is never split.
func (w *writer) line(s string) {
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		w.b.WriteString(s[:cut])
		w.b.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // the leading space counts
	}
	w.b.WriteString(s)
	w.b.WriteString("\r\n")
}
