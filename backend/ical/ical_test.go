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
