package ical_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"

	"github.com/veikart/veikart/backend/ical"
)

// TestCalendar_ReadByAnIndependentParser: what Calendar writes is read back
// by another library (emersion/go-ical), with the alarm, escaped text,
// folded long lines and Norwegian and Arabic letters intact.
func TestCalendar_ReadByAnIndependentParser(t *testing.T) {
	start := time.Date(2026, 12, 10, 9, 30, 0, 0, time.UTC)
	long := strings.Repeat("Agenda: bolig, økonomi; og helse. ", 6) + "ختام"
	ev := ical.Event{
		UID: "m1.rm1@veikart.no", Sequence: 3, Stamp: start.Add(-48 * time.Hour), Start: start, End: start.Add(90 * time.Minute),
		Summary: "Møte i Veikart", Location: "Hjemme hos familien", Description: long, URL: "https://veikart.no/#/roadmaps/rm1/meetings/m1",
		Alarm: 24 * time.Hour,
	}
	raw := ical.Calendar(ev)
	for _, l := range bytes.Split(raw, []byte("\r\n")) {
		if len(l) > 75 {
			t.Errorf("line of %d octets: %q", len(l), l)
		}
	}
	cal, err := goical.NewDecoder(bytes.NewReader(raw)).Decode()
	if err != nil {
		t.Fatalf("decode: %v\n%s", err, raw)
	}
	events := cal.Events()
	if len(events) != 1 {
		t.Fatalf("%d events", len(events))
	}
	e := events[0]
	text := func(name string) string {
		v, err := e.Props.Text(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return v
	}
	if got := text(goical.PropSummary); got != "Møte i Veikart" {
		t.Errorf("summary %q", got)
	}
	if got := text(goical.PropDescription); got != long {
		t.Errorf("description %q, want %q", got, long)
	}
	if got, err := e.DateTimeStart(time.UTC); err != nil || !got.Equal(start) {
		t.Errorf("start %v %v", got, err)
	}
	if got, err := e.DateTimeEnd(time.UTC); err != nil || !got.Equal(start.Add(90*time.Minute)) {
		t.Errorf("end %v %v", got, err)
	}
	if uid, _ := e.Props.Text(goical.PropUID); uid != ev.UID {
		t.Errorf("uid %q", uid)
	}
	var alarms int
	for _, c := range e.Children {
		if c.Name == goical.CompAlarm {
			alarms++
			if trig := c.Props.Get(goical.PropTrigger); trig == nil || trig.Value != "-PT1440M" {
				t.Errorf("trigger %+v", trig)
			}
		}
	}
	if alarms != 1 {
		t.Errorf("%d alarms", alarms)
	}

	ev.Cancelled = true
	cal, err = goical.NewDecoder(bytes.NewReader(ical.Calendar(ev))).Decode()
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := cal.Events()[0].Props.Text(goical.PropStatus); st != "CANCELLED" {
		t.Errorf("cancelled event has status %q", st)
	}
}

// TestFeed_ReadByAnIndependentParser: a feed of an all-day event and a
// timed one, with the polling hints, is read back by emersion/go-ical:
// dates as dates, each event with its alarm, every line CRLF-ended and at
// most 75 octets.
func TestFeed_ReadByAnIndependentParser(t *testing.T) {
	stamp := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	day := time.Date(2026, 12, 24, 0, 0, 0, 0, time.UTC)
	at := time.Date(2026, 12, 10, 9, 30, 0, 0, time.UTC)
	raw := ical.Feed{Name: "Veikart", Refresh: time.Hour, Events: []ical.Event{
		{UID: "step-s1.rm1@veikart", Stamp: stamp, Start: day, AllDay: true, Summary: "Veikart: ስጉምቲ", Description: "ክፈት: https://veikart.example/#/roadmaps/" + strings.Repeat("r", 80), Alarm: 15 * time.Hour},
		{UID: "meeting-m1.rm1@veikart", Sequence: 2, Stamp: stamp, Start: at, End: at.Add(time.Hour), Summary: "Veikart: اجتماع", Alarm: 24 * time.Hour},
	}}.Bytes()
	if !bytes.HasSuffix(raw, []byte("\r\n")) {
		t.Fatal("no CRLF at the end")
	}
	for _, l := range bytes.Split(raw[:len(raw)-2], []byte("\r\n")) {
		if len(l) > 75 || bytes.ContainsAny(l, "\r\n") {
			t.Errorf("line %q", l)
		}
	}
	if !bytes.Contains(raw, []byte("\r\nREFRESH-INTERVAL;VALUE=DURATION:PT60M\r\n")) || !bytes.Contains(raw, []byte("\r\nX-WR-CALNAME:Veikart\r\n")) {
		t.Errorf("no polling hints:\n%s", raw)
	}
	cal, err := goical.NewDecoder(bytes.NewReader(raw)).Decode()
	if err != nil {
		t.Fatalf("decode: %v\n%s", err, raw)
	}
	evs := cal.Events()
	if len(evs) != 2 {
		t.Fatalf("%d events", len(evs))
	}
	if p := evs[0].Props.Get(goical.PropDateTimeStart); p == nil || p.Value != "20261224" || p.ValueType() != goical.ValueDate {
		t.Errorf("all-day start %+v", p)
	}
	if p := evs[0].Props.Get(goical.PropDateTimeEnd); p == nil || p.Value != "20261225" {
		t.Errorf("all-day end %+v", p)
	}
	if got, err := evs[1].DateTimeStart(time.UTC); err != nil || !got.Equal(at) {
		t.Errorf("timed start %v %v", got, err)
	}
	for i, e := range evs {
		var alarms int
		for _, c := range e.Children {
			if c.Name == goical.CompAlarm && c.Props.Get(goical.PropAction) != nil && c.Props.Get(goical.PropTrigger) != nil && c.Props.Get(goical.PropDescription) != nil {
				alarms++
			}
		}
		if alarms != 1 {
			t.Errorf("event %d: %d complete alarms", i, alarms)
		}
	}
	if s, _ := evs[0].Props.Text(goical.PropSummary); s != "Veikart: ስጉምቲ" {
		t.Errorf("summary %q", s)
	}
}
