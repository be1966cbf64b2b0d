package veikart

import (
	"slices"
	"time"
)

// Promises. A step the household gives an agency is a question to that
// agency, not yet a promise: it becomes one when the agency accepts it with
// a date ("Vi lover ... innen ..."), or the agency declines it with a
// reason. The household follows up: it sees what was promised and what is
// late, and says at the end whether the promise was kept.

// PromiseStatus is the agency's answer to a step given to it.
type PromiseStatus string

// Promise statuses. The zero value is a step that is not an agency's.
const (
	PromiseAsked    PromiseStatus = "asked" // given to the agency; no answer yet
	PromiseAccepted PromiseStatus = "accepted"
	PromiseDeclined PromiseStatus = "declined"
)

// PromiseOutcome is the household's word on an accepted promise.
type PromiseOutcome string

// Promise outcomes; the zero value is none yet.
const (
	PromiseKept    PromiseOutcome = "kept"
	PromiseNotKept PromiseOutcome = "not-kept"
)

// UnansweredAfter is how long a step may wait for its agency's answer
// before it shows as unanswered.
const UnansweredAfter = 7 * 24 * time.Hour

// EscalateAfterDays is how many days after an overdue promise's first
// reminder the agency's administrators are told.
const EscalateAfterDays = 7

// MaxPromiseReason bounds a decline's reason.
const MaxPromiseReason = 500

// Promise is where an agency's step stands as a promise. It is a value
// (not a pointer) so that a roadmap's copies never share one.
type Promise struct {
	Status  PromiseStatus
	AskedAt time.Time // when the step was given to the agency
	// The answer: who gave it, when, by what date (accepted) or why not
	// (declined). ByName is the caseworker's name as they gave it, for
	// the household to read.
	Due        string // YYYY-MM-DD
	Reason     string
	By         string
	ByName     string
	AnsweredAt time.Time
	// The household's word on an accepted promise.
	Outcome   PromiseOutcome
	OutcomeAt time.Time
}

// PromiseState is what a promise shows as on a given day: its status,
// refined by the clock and by the step.
type PromiseState string

// Promise states.
const (
	StateAsked      PromiseState = "asked"
	StateUnanswered PromiseState = "unanswered" // asked more than UnansweredAfter ago
	StateAccepted   PromiseState = "accepted"
	StateOverdue    PromiseState = "overdue" // accepted, past its date, not done
	StateDeclined   PromiseState = "declined"
	StateDone       PromiseState = "done" // the step is done or dropped
	StateKept       PromiseState = "kept"
	StateNotKept    PromiseState = "not-kept"
)

// PromiseStateOf says what step s's promise shows as at now, today being
// the date where the household lives; "" when s is no agency's.
func PromiseStateOf(s Step, now time.Time, today string) PromiseState {
	p := s.Promise
	switch {
	case s.Responsible.Kind != ByAgency || p.Status == "":
		return ""
	case p.Outcome == PromiseKept:
		return StateKept
	case p.Outcome == PromiseNotKept:
		return StateNotKept
	case s.Status == Done || s.Status == Dropped:
		return StateDone
	case p.Status == PromiseDeclined:
		return StateDeclined
	case p.Status == PromiseAccepted && p.Due != "" && p.Due < today:
		return StateOverdue
	case p.Status == PromiseAccepted:
		return StateAccepted
	case now.Sub(p.AskedAt) >= UnansweredAfter:
		return StateUnanswered
	}
	return StateAsked
}

// Late reports whether s is an accepted promise that runs late: it has a
// date, no outcome, and is neither done nor dropped. Reminders of it go on
// from the day after its date until the household says how it ended.
func (s Step) Late(today string) bool {
	p := s.Promise
	return s.Responsible.Kind == ByAgency && p.Status == PromiseAccepted && p.Outcome == "" && p.Due != "" &&
		p.Due < today && (s.Status == Planned || s.Status == Doing)
}

// askPromise keeps s's promise in line with who is responsible for it, as
// it was (old, nil for a new step) and is now: a step given to an agency
// (or to another agency) is asked afresh, one taken from an agency is no
// promise.
func askPromise(old *Step, s *Step, now time.Time) {
	switch {
	case s.Responsible.Kind != ByAgency:
		s.Promise = Promise{}
	case old == nil || old.Responsible != s.Responsible || old.Promise.Status == "":
		s.Promise = Promise{Status: PromiseAsked, AskedAt: now}
	}
}

// PromiseAnswer is an agency's answer to a step given to it.
type PromiseAnswer struct {
	Accept bool
	Due    string // accepted: by when, YYYY-MM-DD, today or later
	Reason string // declined: why
	// By and ByName are the caseworker answering.
	By, ByName string
}

// AnswerPromise records agencyID's answer to step stepID, which must be
// given to that agency and still open. It may answer again (a new date, a
// change of mind) until the household has said how it ended. Accepting
// sets the step's due date to the promised one, so that the reminders and
// the household's overdue list follow it. The same answer again changes
// nothing (the same roadmap is returned).
func (r *Roadmap) AnswerPromise(stepID, agencyID string, a PromiseAnswer, now time.Time, today string) (*Roadmap, Step, error) {
	now = clock(now)
	i := r.stepIndex(stepID)
	if i < 0 || r.Steps[i].Responsible.Kind != ByAgency || r.Steps[i].Responsible.AgencyID != agencyID {
		return nil, Step{}, &Error{Code: ENOTFOUND, Message: "There is no such step for your agency."}
	}
	s := r.Steps[i]
	if s.Promise.Outcome != "" || s.Status == Done || s.Status == Dropped {
		return nil, Step{}, &Error{Code: ECONFLICT, Message: "This step is closed: the household has marked it done or said how the promise ended."}
	}
	p := s.Promise
	if p.Status == "" { // a step from before promises: asked now
		p = Promise{Status: PromiseAsked, AskedAt: now}
	}
	var err error
	if a.Accept {
		if d, perr := time.Parse(time.DateOnly, a.Due); perr != nil || a.Due < today || d.Year() > 9999 {
			return nil, Step{}, &Error{Code: EINVALID, Message: "Give the date you promise it by, today or later, like 2026-12-31.", Pointer: "/due"}
		}
		if p.Status == PromiseAccepted && p.Due == a.Due {
			return r, s, nil
		}
		p.Status, p.Due, p.Reason = PromiseAccepted, a.Due, ""
	} else {
		if a.Reason, err = cleanRequiredText(a.Reason, MaxPromiseReason, "/reason"); err != nil {
			return nil, Step{}, err
		}
		if p.Status == PromiseDeclined && p.Reason == a.Reason {
			return r, s, nil
		}
		p.Status, p.Due, p.Reason = PromiseDeclined, "", a.Reason
	}
	if a.ByName, err = cleanText(a.ByName, 0, MaxName, "/name"); err != nil {
		return nil, Step{}, err
	}
	p.By, p.ByName, p.AnsweredAt = a.By, a.ByName, now
	n := r.next(now)
	s = n.Steps[i]
	s.Promise = p
	fields := []string{"promise"}
	if a.Accept && s.Due != a.Due {
		s.Due = a.Due
		fields = append(fields, "due")
	}
	s = s.touched(n.Version, now, fields)
	n.Steps[i] = s
	return n, s, nil
}

// JudgePromise records the household's word on an accepted promise: kept
// or not. A kept promise's step is done. The same word again changes
// nothing.
func (r *Roadmap) JudgePromise(stepID string, o PromiseOutcome, now time.Time) (*Roadmap, Step, error) {
	now = clock(now)
	i := r.stepIndex(stepID)
	if i < 0 || r.Steps[i].Responsible.Kind != ByAgency {
		return nil, Step{}, &Error{Code: ENOTFOUND, Message: "There is no such promise."}
	}
	if o != PromiseKept && o != PromiseNotKept {
		return nil, Step{}, &Error{Code: EINVALID, Message: "Say kept or not-kept.", Pointer: "/outcome"}
	}
	s := r.Steps[i]
	if s.Promise.Status != PromiseAccepted {
		return nil, Step{}, &Error{Code: ECONFLICT, Message: "The agency has not promised this yet."}
	}
	if s.Promise.Outcome == o {
		return r, s, nil
	}
	n := r.next(now)
	s = n.Steps[i]
	s.Promise.Outcome, s.Promise.OutcomeAt = o, now
	fields := []string{"promise"}
	if o == PromiseKept && s.Status != Done {
		s.Status, s.StatusAt = Done, now
		fields = append(fields, "status")
	}
	s = s.touched(n.Version, now, fields)
	n.Steps[i] = s
	return n, s, nil
}

// Promises lists r's steps given to agencies, in the roadmap's order.
func (r *Roadmap) Promises() []Step {
	return slices.DeleteFunc(slices.Clone(r.Steps), func(s Step) bool { return s.Responsible.Kind != ByAgency })
}

// touched is s changed at version v: its fields as changed then, for the
// conflict check of operations a phone queued before (see applier.stale).
func (s Step) touched(v int64, now time.Time, fields []string) Step {
	s.UpdatedAt, s.Version = now, v
	s.Changed = cloneMap(s.Changed)
	if s.Changed == nil {
		s.Changed = make(map[string]int64, len(fields))
	}
	for _, f := range fields {
		s.Changed[f] = v
	}
	return s
}
