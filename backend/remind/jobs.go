// Package remind turns the steps of a roadmap into reminder jobs and sends
// them when they fall due, exactly once across any number of server
// processes on one database.
//
// The rules are pure (Jobs, Text) and the engine (Scheduler) is small: it
// walks per-minute slot documents forward in time, claims each due job with
// an insert that only one process can make, sends, and records the job as
// done with another such insert.
package remind

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/veikart/veikart/backend/veikart"
)

// Job is one reminder of one step, or of a transition, at one moment.
type Job struct {
	// ID names the step, its due date and the reminder, so that a step
	// whose due date or reminders change gets new jobs and the old ones are
	// no longer wanted.
	ID        string
	RoadmapID string
	StepID    string // "" for a transition's reminder
	Due       string // YYYY-MM-DD: the step's due date, or the transition's date
	Reminder  veikart.Reminder
	At        time.Time // UTC
	// TransitionID and Audience are set for a transition's reminder: one
	// job for the household, one for the receiving agency.
	TransitionID string
	Audience     Audience
	// GrantID is set (with Audience) for the warning that a grant ends
	// soon: to the owners, who may renew it, and to the agency's
	// caseworkers, who may ask for more time. Due is its last day.
	GrantID string
	// Promise is set (with StepID) for a reminder that an agency's promise
	// is late: PromiseLate to its caseworker and the coordinator the day
	// after its date, PromiseEscalated to the agency's administrators
	// veikart.EscalateAfterDays later. Due is the promised date.
	// ChecklistUnconfirmed (with StepID and TransitionID) is a transition's
	// checklist line its agency has not confirmed veikart.ChecklistWarnDays
	// before the day; Due is the transition's date.
	Promise PromiseStage
	// MeetingID is set (with Audience) for a meeting's invitation (to the
	// invited agencies, when it is planned) and its reminder the day
	// before (to the household and the agencies). Due is its date.
	MeetingID string
	Invite    bool
	Minutes   bool // the minutes are approved: to the invited agencies
	// Review is set for the reminder that the household's review is due
	// (veikart/review.go): to the owners and the coordinator. Due is its
	// date.
	Review bool
}

// ReviewJobID is the id of the reminder of the review due on date. A new
// rhythm or a review saved moves the date, and so gets a new job.
func ReviewJobID(roadmapID, date string) string {
	return fmt.Sprintf("%s/review:%s", roadmapID, date)
}

// reviewJobs is the reminder of r's next review, if it has a rhythm: once,
// on the day at veikart.ReviewReminderAt (outside quiet hours).
func reviewJobs(r *veikart.Roadmap, loc *time.Location) []Job {
	at, ok := r.Review.DueAt(loc)
	if !ok {
		return nil
	}
	due := at.In(loc).Format(time.DateOnly)
	return []Job{{ID: ReviewJobID(r.ID, due), RoadmapID: r.ID, Due: due, At: at, Review: true,
		Reminder: veikart.Reminder{At: at.In(loc).Format("15:04")}}}
}

// MeetingJobID is the id of a meeting's invitation or reminder for one
// audience. The meeting's time is in it: a moved meeting gets new ones.
func MeetingJobID(roadmapID string, m veikart.Meeting, what string, a Audience) string {
	return fmt.Sprintf("%s/meeting:%s/%s/%s/%s", roadmapID, m.ID, m.At.UTC().Format("20060102T1504"), what, a)
}

// PromiseStage is which reminder of a late promise a job is.
type PromiseStage string

// Stages of a late promise's reminders.
const (
	PromiseLate      PromiseStage = "late"
	PromiseEscalated PromiseStage = "escalated"
	// ChecklistUnconfirmed goes to the agency (its contact person, else its
	// caseworkers) and the coordinator.
	ChecklistUnconfirmed PromiseStage = "checklist"
)

// ChecklistJobID is the id of the reminder that checklist step s of
// transition t is not confirmed. The transition's date is in it: a moved
// transition gets a new job.
func ChecklistJobID(roadmapID string, s veikart.Step, t veikart.Transition) string {
	return fmt.Sprintf("%s/checklist:%s/%s/%s", roadmapID, s.ID, t.Date, ChecklistUnconfirmed)
}

// PromiseJobID is the id of a late promise's reminder at stage st. The
// promised date is in it: a new date gets new jobs.
func PromiseJobID(roadmapID string, s veikart.Step, st PromiseStage) string {
	return fmt.Sprintf("%s/promise:%s/%s/%s", roadmapID, s.ID, s.Promise.Due, st)
}

// GrantWarningDays are how many days before its last day a grant's
// household and agency are told that it ends.
var GrantWarningDays = []int{14, 1}

// GrantJobID is the id of the warning d days before grant g ends, for one
// audience. The end date is in it: a grant renewed gets new warnings.
func GrantJobID(roadmapID string, g veikart.Grant, lastDay string, d int, a Audience) string {
	return fmt.Sprintf("%s/grant:%s/%s/%d/%s", roadmapID, g.ID, lastDay, d, a)
}

// Audience is who a transition's reminder goes to.
type Audience string

// Audiences of transition reminders.
const (
	ToHousehold Audience = "household"
	ToAgency    Audience = "agency"
)

// TransitionJobID is the id of a transition's reminder d days before its
// date, for one audience. The date is in it for the same reason as a step's
// due date: a moved transition gets new jobs.
func TransitionJobID(roadmapID string, t veikart.Transition, d int, a Audience) string {
	return fmt.Sprintf("%s/transition:%s/%s/%d/%s", roadmapID, t.ID, t.Date, d, a)
}

// JobID is the id of the job for step s's reminder rm.
func JobID(roadmapID string, s veikart.Step, rm veikart.Reminder) string {
	return fmt.Sprintf("%s/%s/%s/%d-%s", roadmapID, s.ID, s.Due, rm.DaysBefore, strings.ReplaceAll(rm.At, ":", ""))
}

// Jobs returns the reminders r wants: one per reminder of every step that has
// a due date and is planned or under way. Done and dropped steps want none.
func Jobs(r *veikart.Roadmap, loc *time.Location) []Job {
	var out []Job
	for _, s := range r.Steps {
		if s.Due == "" || (s.Status != veikart.Planned && s.Status != veikart.Doing) {
			continue
		}
		due, err := time.ParseInLocation(time.DateOnly, s.Due, loc)
		if err != nil {
			continue // validated on the way in; never here
		}
		for _, rm := range s.Reminders {
			hm, err := time.Parse("15:04", rm.At)
			if err != nil {
				continue
			}
			day := due.AddDate(0, 0, -rm.DaysBefore)
			at := time.Date(day.Year(), day.Month(), day.Day(), hm.Hour(), hm.Minute(), 0, 0, loc)
			out = append(out, Job{ID: JobID(r.ID, s, rm), RoadmapID: r.ID, StepID: s.ID, Due: s.Due, Reminder: rm, At: at.UTC()})
		}
	}
	out = append(out, promiseJobs(r, loc)...)
	out = append(out, meetingJobs(r, loc)...)
	out = append(out, checklistJobs(r, loc)...)
	out = append(out, reviewJobs(r, loc)...)
	for _, t := range r.Transitions {
		if t.Status != veikart.TransitionPlanned {
			continue
		}
		day, err := time.ParseInLocation(time.DateOnly, t.Date, loc)
		if err != nil {
			continue
		}
		hm, _ := time.Parse("15:04", veikart.TransitionReminderAt)
		for _, d := range t.Reminders {
			at := time.Date(day.Year(), day.Month(), day.Day()-d, hm.Hour(), hm.Minute(), 0, 0, loc).UTC()
			rm := veikart.Reminder{DaysBefore: d, At: veikart.TransitionReminderAt}
			for _, a := range []Audience{ToHousehold, ToAgency} {
				out = append(out, Job{ID: TransitionJobID(r.ID, t, d, a), RoadmapID: r.ID, Due: t.Date, Reminder: rm, At: at, TransitionID: t.ID, Audience: a})
			}
		}
	}
	for _, g := range r.Grants {
		if g.Status != veikart.GrantActive || g.ExpiresAt.IsZero() {
			continue
		}
		// The grant is in force until ExpiresAt, exclusive: its last day
		// is the day of the moment before.
		last := g.ExpiresAt.Add(-time.Nanosecond).In(loc)
		lastDay := last.Format(time.DateOnly)
		hm, _ := time.Parse("15:04", veikart.TransitionReminderAt)
		for _, d := range GrantWarningDays {
			at := time.Date(last.Year(), last.Month(), last.Day()-d, hm.Hour(), hm.Minute(), 0, 0, loc).UTC()
			// Only a grant in force for d days or more by then: one given
			// (or starting) shortly before it ends was chosen knowing when
			// it ends, and a warning at once would be noise.
			if at.Before(maxTime(g.CreatedAt, g.StartsAt).AddDate(0, 0, d)) {
				continue
			}
			rm := veikart.Reminder{DaysBefore: d, At: veikart.TransitionReminderAt}
			for _, a := range []Audience{ToHousehold, ToAgency} {
				out = append(out, Job{ID: GrantJobID(r.ID, g, lastDay, d, a), RoadmapID: r.ID, Due: lastDay, Reminder: rm, At: at, GrantID: g.ID, Audience: a})
			}
		}
	}
	return out
}

// promiseJobs are the reminders of r's promises that may run late: for
// each accepted promise not yet closed (no outcome, neither done nor
// dropped), one the day after its date and one EscalateAfterDays after
// that, at TransitionReminderAt. A promise closed in time wants none.
func promiseJobs(r *veikart.Roadmap, loc *time.Location) []Job {
	var out []Job
	hm, _ := time.Parse("15:04", veikart.TransitionReminderAt)
	for _, s := range r.Steps {
		p := s.Promise
		if s.Responsible.Kind != veikart.ByAgency || p.Status != veikart.PromiseAccepted || p.Outcome != "" || p.Due == "" ||
			(s.Status != veikart.Planned && s.Status != veikart.Doing) {
			continue
		}
		due, err := time.ParseInLocation(time.DateOnly, p.Due, loc)
		if err != nil {
			continue
		}
		for _, st := range []struct {
			stage PromiseStage
			after int
		}{{PromiseLate, 1}, {PromiseEscalated, 1 + veikart.EscalateAfterDays}} {
			at := time.Date(due.Year(), due.Month(), due.Day()+st.after, hm.Hour(), hm.Minute(), 0, 0, loc).UTC()
			out = append(out, Job{ID: PromiseJobID(r.ID, s, st.stage), RoadmapID: r.ID, StepID: s.ID, Due: p.Due,
				Reminder: veikart.Reminder{DaysBefore: -st.after, At: veikart.TransitionReminderAt}, At: at, Promise: st.stage})
		}
	}
	return out
}

// meetingJobs are the pushes of r's planned meetings: the invitation to the
// invited agencies when the meeting is planned (its time is when the job is
// first wanted: the household's yes to a proposed meeting invites then),
// and a reminder the day before to the household and the agencies.
func meetingJobs(r *veikart.Roadmap, loc *time.Location) []Job {
	var out []Job
	for _, m := range r.Meetings {
		due := m.At.In(loc).Format(time.DateOnly)
		rm := veikart.Reminder{At: m.At.In(loc).Format("15:04")}
		switch m.Status {
		case veikart.MeetingApproved:
			// Each agency may read its part of the minutes now.
			out = append(out, Job{ID: MeetingJobID(r.ID, m, "minutes", ToAgency), RoadmapID: r.ID, Due: due, Reminder: rm, At: m.ApprovedAt, MeetingID: m.ID, Minutes: true, Audience: ToAgency})
		case veikart.MeetingPlanned:
			out = append(out, Job{ID: MeetingJobID(r.ID, m, "invite", ToAgency), RoadmapID: r.ID, Due: due, Reminder: rm, At: m.UpdatedAt, MeetingID: m.ID, Invite: true, Audience: ToAgency})
			at := m.At.Add(-veikart.MeetingReminderBefore)
			for _, a := range []Audience{ToHousehold, ToAgency} {
				out = append(out, Job{ID: MeetingJobID(r.ID, m, "reminder", a), RoadmapID: r.ID, Due: due, Reminder: rm, At: at, MeetingID: m.ID, Audience: a})
			}
		}
	}
	return out
}

// checklistJobs are the reminders of the checklist lines of r's planned
// transitions that their agencies have not confirmed: one each,
// veikart.ChecklistWarnDays before the day at TransitionReminderAt, or, for
// a line asked later than that, the minute after it was asked (the day is
// near: it cannot wait, and a reminder already past would never go). A
// line confirmed by then wants none, so its job is cancelled, or not sent.
func checklistJobs(r *veikart.Roadmap, loc *time.Location) []Job {
	var out []Job
	hm, _ := time.Parse("15:04", veikart.TransitionReminderAt)
	for _, t := range r.Transitions {
		if t.Status != veikart.TransitionPlanned {
			continue
		}
		day, err := time.ParseInLocation(time.DateOnly, t.Date, loc)
		if err != nil {
			continue
		}
		at := time.Date(day.Year(), day.Month(), day.Day()-veikart.ChecklistWarnDays, hm.Hour(), hm.Minute(), 0, 0, loc).UTC()
		for _, s := range r.ChecklistSteps(t.ID) {
			if !veikart.Unconfirmed(s, t) {
				continue
			}
			when := at
			if asked := s.Promise.AskedAt; asked.After(when) {
				when = asked.Truncate(time.Minute).Add(time.Minute).UTC()
			}
			out = append(out, Job{ID: ChecklistJobID(r.ID, s, t), RoadmapID: r.ID, StepID: s.ID, Due: t.Date, TransitionID: t.ID,
				Reminder: veikart.Reminder{DaysBefore: veikart.ChecklistWarnDays, At: veikart.TransitionReminderAt}, At: when, Promise: ChecklistUnconfirmed})
		}
	}
	return out
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// Changes compares what old and next want: jobs to add and job ids to
// cancel. old may be nil (a new roadmap) and so may next (a deleted one).
func Changes(old, next *veikart.Roadmap, loc *time.Location) (add []Job, cancel []string) {
	had := map[string]bool{}
	if old != nil {
		for _, j := range Jobs(old, loc) {
			had[j.ID] = true
		}
	}
	want := map[string]bool{}
	if next != nil {
		for _, j := range Jobs(next, loc) {
			want[j.ID] = true
			if !had[j.ID] {
				add = append(add, j)
			}
		}
	}
	for id := range had {
		if !want[id] {
			cancel = append(cancel, id)
		}
	}
	return add, cancel
}

// Wanted reports whether r still wants the job with the given id.
func Wanted(r *veikart.Roadmap, id string, loc *time.Location) (Job, bool) {
	for _, j := range Jobs(r, loc) {
		if j.ID == id {
			return j, true
		}
	}
	return Job{}, false
}

// Quiet reports whether t falls in quiet hours where the household lives,
// and if so, when they end.
func Quiet(t time.Time, loc *time.Location) (bool, time.Time) {
	l := t.In(loc)
	h := l.Hour()
	if h >= veikart.QuietHoursEnd && h < veikart.QuietHoursStart {
		return false, time.Time{}
	}
	day := l
	if h >= veikart.QuietHoursStart {
		day = l.AddDate(0, 0, 1)
	}
	return true, time.Date(day.Year(), day.Month(), day.Day(), veikart.QuietHoursEnd, 0, 0, 0, loc).UTC()
}

// Text is the notification's discreet text: it says there is a step (or a
// transition) and when, never what it is (a lock screen is seen by others).
// The app shows the details once it is open and the person signed in.
func Text(j Job, now time.Time, loc *time.Location) string {
	w := stepWords
	switch {
	case j.Promise == ChecklistUnconfirmed:
		return checklistText
	case j.Review:
		return reviewText
	case j.Promise != "":
		return promiseText
	case j.MeetingID != "" && j.Invite:
		return meetingInviteText
	case j.MeetingID != "" && j.Minutes:
		return meetingMinutesText
	case j.MeetingID != "":
		return meetingReminderText
	case j.GrantID != "":
		w = grantWords
	case j.TransitionID != "":
		w = transitionWords
	}
	switch days := Days(j, now, loc); {
	case days <= 0:
		return w.today
	case days == 1:
		return w.tomorrow
	default:
		return fmt.Sprintf(w.days, days)
	}
}

// words are one kind of reminder's texts: today, tomorrow, in %d days.
type words struct{ today, tomorrow, days string }

var (
	stepWords           = words{"Du har et steg i Veikart i dag.", "Du har et steg i Veikart i morgen.", "Du har et steg i Veikart om %d dager."}
	transitionWords     = words{"Du har en overgang i Veikart i dag.", "Du har en overgang i Veikart i morgen.", "Du har en overgang i Veikart om %d dager."}
	promiseText         = "Et løfte i Veikart er forsinket."
	meetingInviteText   = "Du er invitert til et møte i Veikart."
	meetingReminderText = "Du har et møte i Veikart i morgen."
	meetingMinutesText  = "Referatet fra et møte i Veikart er klart."
	checklistText       = "Noe må avklares i Veikart før en overgang."
	reviewText          = "Det er tid for å se tilbake i Veikart."
	grantWords          = words{"En tilgang i Veikart går ut i dag.", "En tilgang i Veikart går ut i morgen.", "En tilgang i Veikart går ut om %d dager."}
)

// Days is how many days are left until the step is due, counted in
// calendar days where the household lives (0: today; negative: overdue).
func Days(j Job, now time.Time, loc *time.Location) int {
	today := now.In(loc)
	due, _ := time.ParseInLocation(time.DateOnly, j.Due, loc)
	return int(due.Sub(time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, loc)).Hours()+12) / 24
}

// Topic is the Web Push Topic of a job: a push service keeps only the newest
// message per topic, so a job sent twice (a process that died between
// sending and recording it) reaches the device once. RFC 8030 allows 32
// characters of the URL-safe base64 alphabet.
func Topic(jobID string) string {
	sum := sha256.Sum256([]byte(jobID))
	return base64.RawURLEncoding.EncodeToString(sum[:24]) // 32 characters
}
