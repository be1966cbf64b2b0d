package veikart

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// Transitions: the moments where help falls apart (release from prison,
// discharge from hospital, turning 18, the end of the introduction
// programme). An owner plans one ahead: on a date, a receiving agency gets
// chosen sections from some days before until some days after, with a
// hand-over summary written with the household, and both are reminded
// before the date.
//
// The access is an ordinary grant with a start (Grant.StartsAt): access
// decides against the clock at every request, so the grant opens and closes
// by itself, with nothing that has to run on the day.

// TransitionKind is the sort of transition.
type TransitionKind string

// Transition kinds.
const (
	TransitionRelease      TransitionKind = "release"            // from prison or custody
	TransitionDischarge    TransitionKind = "discharge"          // from hospital or treatment
	TransitionAdulthood    TransitionKind = "turning-18"         // a young person turning 18
	TransitionIntroduction TransitionKind = "introduction-ended" // the refugee introduction programme ends
	// TransitionCustody is someone going into prison or custody: the home
	// must be kept while they are away (rent, housing benefit, bills).
	TransitionCustody TransitionKind = "custody-begins"
	TransitionOther   TransitionKind = "other"
)

// ValidTransitionKind reports whether k is a kind that exists.
func ValidTransitionKind(k TransitionKind) bool {
	switch k {
	case TransitionRelease, TransitionDischarge, TransitionAdulthood, TransitionIntroduction, TransitionCustody, TransitionOther:
		return true
	}
	return false
}

// TransitionStatus is where a transition stands.
type TransitionStatus string

// Transition statuses. Whether its access is open, planned or over is the
// grant's, decided against the clock.
const (
	TransitionPlanned   TransitionStatus = "planned"
	TransitionCancelled TransitionStatus = "cancelled"
)

// Limits of transitions.
const (
	MaxTransitions        = 20
	MaxSummary            = 4000
	MaxDaysBefore         = 90
	MaxDaysAfter          = 180
	MaxTransitionAhead    = 2 * 365 // days from today to the transition's date
	MaxTransitionReminder = 30      // days before the date
	// TransitionReminderAt is when, local time, transition reminders go.
	TransitionReminderAt = "10:00"
)

// Transition is one planned hand-over to a receiving agency.
type Transition struct {
	ID          string
	Kind        TransitionKind
	Date        string // YYYY-MM-DD, in the household's time zone
	AgencyID    string // the receiving agency
	Sections    []Section
	Permissions []Permission
	DaysBefore  int // access opens this many days before Date, at midnight
	DaysAfter   int // and closes at the end of this many days after Date
	// Summary is the hand-over: what the receiving agency should know,
	// written with the household. The agency reads it while its grant is
	// in force.
	Summary string
	// Reminders are days before Date on which the household and the
	// agency are reminded, at TransitionReminderAt.
	Reminders []int
	GrantID   string
	Status    TransitionStatus
	CreatedAt time.Time
	CreatedBy string
	UpdatedAt time.Time
}

// TransitionSpec is what an owner chooses for a transition.
type TransitionSpec struct {
	Kind        TransitionKind
	Date        string
	AgencyID    string
	Sections    []Section
	Permissions []Permission
	DaysBefore  int
	DaysAfter   int
	Summary     string
	Reminders   []int
}

// Window returns when the transition's access opens and closes, in loc.
func (t *Transition) Window(loc *time.Location) (from, to time.Time, err error) {
	day, err := time.ParseInLocation(time.DateOnly, t.Date, loc)
	if err != nil {
		return time.Time{}, time.Time{}, &Error{Code: EINVALID, Message: "The date must be a date like 2027-03-01.", Pointer: "/date"}
	}
	return day.AddDate(0, 0, -t.DaysBefore).UTC(), day.AddDate(0, 0, t.DaysAfter+1).UTC(), nil
}

// Transition returns the transition with the given id.
func (r *Roadmap) Transition(id string) (Transition, bool) {
	if i := slices.IndexFunc(r.Transitions, func(t Transition) bool { return t.ID == id }); i >= 0 {
		return r.Transitions[i], true
	}
	return Transition{}, false
}

// TransitionID returns the transition a grant was given for, or "".
func (g *Grant) TransitionID() string {
	id, _ := strings.CutPrefix(g.Via, "transition:")
	if id == g.Via {
		return ""
	}
	return id
}

func transitionPurpose(k TransitionKind, date string) string {
	return "Transition (" + string(k) + ") on " + date
}

func (r *Roadmap) checkTransition(s TransitionSpec, now time.Time, loc *time.Location) (TransitionSpec, error) {
	if !ValidTransitionKind(s.Kind) {
		return s, &Error{Code: EINVALID, Message: "There is no such kind of transition.", Pointer: "/kind"}
	}
	if !ValidID(s.AgencyID) {
		return s, &Error{Code: EINVALID, Message: "The agency id is not valid.", Pointer: "/agencyId"}
	}
	day, err := time.ParseInLocation(time.DateOnly, s.Date, loc)
	if err != nil {
		return s, &Error{Code: EINVALID, Message: "The date must be a date like 2027-03-01.", Pointer: "/date"}
	}
	today := now.In(loc)
	today = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, loc)
	if day.After(today.AddDate(0, 0, MaxTransitionAhead)) {
		return s, &Error{Code: EINVALID, Message: "A transition can be planned at most two years ahead.", Pointer: "/date"}
	}
	if s.DaysBefore < 0 || s.DaysBefore > MaxDaysBefore {
		return s, &Error{Code: EINVALID, Message: "Access can open at most " + strconv.Itoa(MaxDaysBefore) + " days before.", Pointer: "/daysBefore"}
	}
	if s.DaysAfter < 0 || s.DaysAfter > MaxDaysAfter {
		return s, &Error{Code: EINVALID, Message: "Access can last at most " + strconv.Itoa(MaxDaysAfter) + " days after.", Pointer: "/daysAfter"}
	}
	if !day.AddDate(0, 0, s.DaysAfter+1).After(now) {
		return s, &Error{Code: EINVALID, Message: "This transition and its days after are already over.", Pointer: "/date"}
	}
	if s.Sections, err = r.checkSections(s.Sections, "/sections"); err != nil {
		return s, err
	}
	if s.Permissions, err = checkPermissions(s.Permissions, "/permissions"); err != nil {
		return s, err
	}
	if s.Summary, err = cleanText(s.Summary, 0, MaxSummary, "/summary"); err != nil {
		return s, err
	}
	rs := make([]int, 0, len(s.Reminders))
	for i, d := range s.Reminders {
		if d < 0 || d > MaxTransitionReminder {
			return s, &Error{Code: EINVALID, Message: "A reminder can be at most 30 days before.", Pointer: "/reminders/" + strconv.Itoa(i)}
		}
		if slices.Contains(rs, d) {
			return s, &Error{Code: EINVALID, Message: "A reminder is listed twice.", Pointer: "/reminders/" + strconv.Itoa(i)}
		}
		rs = append(rs, d)
	}
	if len(rs) > MaxReminders {
		return s, &Error{Code: EINVALID, Message: "A transition can have at most 5 reminders.", Pointer: "/reminders"}
	}
	slices.Sort(rs)
	s.Reminders = rs
	return s, nil
}

// PlanTransition plans a transition and gives its agency the grant that opens
// and closes by itself around the date. loc is the household's time zone.
func (r *Roadmap) PlanTransition(id, grantID, by string, spec TransitionSpec, now time.Time, loc *time.Location) (*Roadmap, Transition, error) {
	now = clock(now)
	if !ValidID(id) || !ValidID(grantID) {
		return nil, Transition{}, &Error{Code: EINVALID, Message: "The transition id is not valid.", Pointer: "/id"}
	}
	if t, ok := r.Transition(id); ok {
		// The same plan sent twice (a phone that lost the answer).
		if t.CreatedBy == by && t.Kind == spec.Kind && t.Date == spec.Date && t.AgencyID == spec.AgencyID {
			return r, t, nil
		}
		return nil, Transition{}, &Error{Code: ECONFLICT, Message: "A transition with this id already exists.", Pointer: "/id"}
	}
	if len(r.Transitions) >= MaxTransitions {
		return nil, Transition{}, &Error{Code: ECONFLICT, Message: "This roadmap has too many transitions. Cancel an old one first."}
	}
	if r.activeGrants(now) >= MaxGrants {
		return nil, Transition{}, &Error{Code: ECONFLICT, Message: "Too many agencies have access. Revoke one first."}
	}
	spec, err := r.checkTransition(spec, now, loc)
	if err != nil {
		return nil, Transition{}, err
	}
	t := Transition{
		ID: id, Kind: spec.Kind, Date: spec.Date, AgencyID: spec.AgencyID, Sections: spec.Sections,
		Permissions: spec.Permissions, DaysBefore: spec.DaysBefore, DaysAfter: spec.DaysAfter, Summary: spec.Summary,
		Reminders: spec.Reminders, GrantID: grantID, Status: TransitionPlanned, CreatedAt: now, CreatedBy: by, UpdatedAt: now,
	}
	from, to, _ := t.Window(loc)
	if other, ok := r.overlapping(t.AgencyID, "", from, to); ok {
		return nil, Transition{}, overlapError(other, now)
	}
	g := Grant{
		ID: grantID, AgencyID: t.AgencyID, Sections: slices.Clone(t.Sections), Permissions: slices.Clone(t.Permissions),
		Purpose: transitionPurpose(t.Kind, t.Date), CreatedAt: now, CreatedBy: by, UpdatedAt: now,
		StartsAt: from, ExpiresAt: to, Status: GrantActive, Via: "transition:" + id,
	}
	n := r.next(now)
	n.Grants = pruneGrants(n.Grants, now)
	n.Grants = append(n.Grants, g)
	n.Transitions = append(n.Transitions, t)
	n.addReceipt(ReceiptGranted, by, g, now)
	return n, t, nil
}

// TransitionPatch is a change an owner makes to a transition; nil fields stay.
type TransitionPatch struct {
	Date        *string
	Sections    []Section
	Permissions []Permission
	DaysBefore  *int
	DaysAfter   *int
	Summary     *string
	Reminders   []int
}

// UpdateTransition changes a planned transition and its grant with it.
func (r *Roadmap) UpdateTransition(id, by string, p TransitionPatch, now time.Time, loc *time.Location) (*Roadmap, Transition, error) {
	now = clock(now)
	i := slices.IndexFunc(r.Transitions, func(t Transition) bool { return t.ID == id })
	if i < 0 {
		return nil, Transition{}, &Error{Code: ENOTFOUND, Message: "There is no such transition."}
	}
	t := r.Transitions[i]
	if t.Status == TransitionCancelled {
		return nil, Transition{}, &Error{Code: ECONFLICT, Message: "This transition was cancelled. Plan a new one instead."}
	}
	gi := slices.IndexFunc(r.Grants, func(g Grant) bool { return g.ID == t.GrantID })
	if gi < 0 || r.Grants[gi].Status == GrantRevoked {
		return nil, Transition{}, &Error{Code: ECONFLICT, Message: "The access of this transition was revoked. Plan a new one instead."}
	}
	spec := TransitionSpec{
		Kind: t.Kind, Date: t.Date, AgencyID: t.AgencyID, Sections: t.Sections, Permissions: t.Permissions,
		DaysBefore: t.DaysBefore, DaysAfter: t.DaysAfter, Summary: t.Summary, Reminders: t.Reminders,
	}
	if p.Date != nil {
		spec.Date = *p.Date
	}
	if p.Sections != nil {
		spec.Sections = p.Sections
	}
	if p.Permissions != nil {
		spec.Permissions = p.Permissions
	}
	if p.DaysBefore != nil {
		spec.DaysBefore = *p.DaysBefore
	}
	if p.DaysAfter != nil {
		spec.DaysAfter = *p.DaysAfter
	}
	if p.Summary != nil {
		spec.Summary = *p.Summary
	}
	if p.Reminders != nil {
		spec.Reminders = p.Reminders
	}
	spec, err := r.checkTransition(spec, now, loc)
	if err != nil {
		return nil, Transition{}, err
	}
	t.Date, t.Sections, t.Permissions, t.DaysBefore, t.DaysAfter = spec.Date, spec.Sections, spec.Permissions, spec.DaysBefore, spec.DaysAfter
	t.Summary, t.Reminders, t.UpdatedAt = spec.Summary, spec.Reminders, now
	from, to, _ := t.Window(loc)
	if other, ok := r.overlapping(t.AgencyID, t.GrantID, from, to); ok {
		return nil, Transition{}, overlapError(other, now)
	}
	n := r.next(now)
	n.Transitions[i] = t
	n.moveChecklist(t, now)
	g := n.Grants[gi]
	g.Sections, g.Permissions, g.Purpose = slices.Clone(t.Sections), slices.Clone(t.Permissions), transitionPurpose(t.Kind, t.Date)
	g.StartsAt, g.ExpiresAt, g.UpdatedAt = from, to, now
	n.Grants[gi] = g
	n.addReceipt(ReceiptChanged, by, g, now)
	return n, t, nil
}

// CancelTransition cancels a transition and revokes its grant at once.
// Cancelling a cancelled transition changes nothing.
func (r *Roadmap) CancelTransition(id, by string, now time.Time) (*Roadmap, Transition, error) {
	now = clock(now)
	i := slices.IndexFunc(r.Transitions, func(t Transition) bool { return t.ID == id })
	if i < 0 {
		return nil, Transition{}, &Error{Code: ENOTFOUND, Message: "There is no such transition."}
	}
	if r.Transitions[i].Status == TransitionCancelled {
		return r, r.Transitions[i], nil
	}
	n := r
	if g, ok := r.Grant(r.Transitions[i].GrantID); ok && g.Status != GrantRevoked {
		var err error
		if n, _, err = r.RevokeGrant(g.ID, by, now); err != nil {
			return nil, Transition{}, err
		}
	} else {
		n = r.next(now)
	}
	t := n.Transitions[i]
	t.Status, t.UpdatedAt = TransitionCancelled, now
	n.Transitions[i] = t
	return n, t, nil
}
