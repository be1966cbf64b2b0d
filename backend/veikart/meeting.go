package veikart

import (
	"slices"
	"strconv"
	"time"
)

// Meetings the household leads (ansvarsgruppemøte, samarbeidsmøte). The
// household, or its coordinator with the household's yes, calls a meeting
// of chosen agencies on its team, at home unless it says otherwise. The
// family writes the agenda first, each item tied to an area or free. Notes
// are taken per item; decisions become steps at once: the household's own,
// or an agency's, which is then a promise that agency must accept. The
// minutes are a draft until the household approves them; then each agency
// invited reads the minutes of the items within its grant.

// MeetingStatus is where a meeting stands.
type MeetingStatus string

// Meeting statuses.
const (
	MeetingProposed  MeetingStatus = "proposed" // called by the coordinator; waits for the household's yes
	MeetingPlanned   MeetingStatus = "planned"
	MeetingApproved  MeetingStatus = "approved" // held, and its minutes approved by the household
	MeetingCancelled MeetingStatus = "cancelled"
)

// Limits of meetings.
const (
	MaxMeetings       = 50
	MaxAgendaItems    = 30
	MaxMeetingNotes   = 4000
	MaxMeetingPlace   = 200
	MaxMeetingMinutes = 8 * 60
	MaxDecisions      = 20 // per agenda item
	MeetingAhead      = 365 * 24 * time.Hour
	// MeetingReminderBefore is when the alarm of the calendar invitation
	// rings, and the push reminder goes.
	MeetingReminderBefore = 24 * time.Hour
)

// Meeting is one meeting of the household's team.
type Meeting struct {
	ID       string
	At       time.Time
	Minutes  int    // how long, in minutes
	Place    string // "" is at the household's home
	Invitees []string
	Status   MeetingStatus
	// CalledBy is who called it: an owner, or the coordinator (with
	// CalledByAgency set) whose meeting waits for the household's yes.
	CalledBy       string
	CalledByAgency string
	Agenda         []AgendaItem
	ApprovedAt     time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// AgendaItem is one point of a meeting's agenda: about an area (AreaID),
// or free (""). Notes and decisions are written during the meeting.
type AgendaItem struct {
	ID        string
	AreaID    string
	Text      string
	Notes     string
	Decisions []Decision
}

// Decision is what a meeting decided on an agenda item: a step, made at
// once (StepID), in the item's area or, for a free item, the one chosen.
type Decision struct {
	ID          string
	AreaID      string
	Text        string
	Responsible Responsible
	Due         string
	StepID      string
}

// MeetingSpec is what whoever calls a meeting chooses.
type MeetingSpec struct {
	At       time.Time
	Minutes  int
	Place    string
	Invitees []string
}

// Meeting returns the meeting with the given id.
func (r *Roadmap) Meeting(id string) (Meeting, bool) {
	i := r.meetingIndex(id)
	if i < 0 {
		return Meeting{}, false
	}
	return r.Meetings[i], true
}

func (r *Roadmap) meetingIndex(id string) int {
	return slices.IndexFunc(r.Meetings, func(m Meeting) bool { return m.ID == id })
}

// Invited reports whether agencyID is invited to m.
func (m Meeting) Invited(agencyID string) bool { return slices.Contains(m.Invitees, agencyID) }

var errNoMeeting = &Error{Code: ENOTFOUND, Message: "There is no such meeting."}

// checkSpec cleans a meeting's time, length, place and invitees: each
// invitee an agency with a grant in force, none twice.
func (r *Roadmap) checkMeetingSpec(s MeetingSpec, now time.Time) (MeetingSpec, error) {
	s.At = s.At.UTC().Truncate(time.Minute)
	if !s.At.After(now) || s.At.After(now.Add(MeetingAhead)) {
		return s, &Error{Code: EINVALID, Message: "Choose a time in the coming year.", Pointer: "/at"}
	}
	if s.Minutes == 0 {
		s.Minutes = 60
	}
	if s.Minutes < 15 || s.Minutes > MaxMeetingMinutes {
		return s, &Error{Code: EINVALID, Message: "A meeting lasts from 15 minutes to 8 hours.", Pointer: "/minutes"}
	}
	var err error
	if s.Place, err = cleanText(s.Place, 0, MaxMeetingPlace, "/place"); err != nil {
		return s, err
	}
	if len(s.Invitees) == 0 {
		return s, &Error{Code: EINVALID, Message: "Invite at least one service.", Pointer: "/invitees"}
	}
	seen := make([]string, 0, len(s.Invitees))
	for i, a := range s.Invitees {
		ptr := "/invitees/" + strconv.Itoa(i)
		if _, ok := r.ActiveGrant(a, now); !ok {
			return s, &Error{Code: EINVALID, Message: "Only services that have access to your roadmap now can be invited.", Pointer: ptr}
		}
		if slices.Contains(seen, a) {
			return s, &Error{Code: EINVALID, Message: "A service is invited twice.", Pointer: ptr}
		}
		seen = append(seen, a)
	}
	s.Invitees = seen
	return s, nil
}

// CallMeeting adds meeting id. Called by an owner (byAgency "") it is
// planned; by the coordinator it is proposed, and waits for an owner's
// ConfirmMeeting. The same id again with the same time is a repeat and
// changes nothing.
func (r *Roadmap) CallMeeting(id string, s MeetingSpec, by, byAgency string, now time.Time) (*Roadmap, Meeting, error) {
	now = clock(now)
	if !ValidID(id) {
		return nil, Meeting{}, &Error{Code: EINVALID, Message: "The meeting id is not valid.", Pointer: "/id"}
	}
	if m, ok := r.Meeting(id); ok {
		if m.At.Equal(s.At.UTC().Truncate(time.Minute)) && m.CalledBy == by {
			return r, m, nil
		}
		return nil, Meeting{}, &Error{Code: ECONFLICT, Message: "This id cannot be used. Choose another.", Pointer: "/id"}
	}
	s, err := r.checkMeetingSpec(s, now)
	if err != nil {
		return nil, Meeting{}, err
	}
	n := r.next(now)
	n.Meetings = pruneMeetings(n.Meetings)
	if len(n.Meetings) >= MaxMeetings {
		return nil, Meeting{}, &Error{Code: ECONFLICT, Message: "This roadmap has as many meetings as it can hold. Cancel one first."}
	}
	m := Meeting{ID: id, At: s.At, Minutes: s.Minutes, Place: s.Place, Invitees: s.Invitees, Status: MeetingPlanned,
		CalledBy: by, CalledByAgency: byAgency, CreatedAt: now, UpdatedAt: now}
	if byAgency != "" {
		m.Status = MeetingProposed
	}
	n.Meetings = append(n.Meetings, m)
	return n, m, nil
}

// pruneMeetings drops the oldest cancelled meetings, to make room.
func pruneMeetings(ms []Meeting) []Meeting {
	for len(ms) >= MaxMeetings {
		i := slices.IndexFunc(ms, func(m Meeting) bool { return m.Status == MeetingCancelled })
		if i < 0 {
			break
		}
		ms = slices.Delete(ms, i, i+1)
	}
	return ms
}

// changeMeeting applies fn to a private copy of meeting id in the next
// roadmap. fn reports whether it changed anything; if not, r is returned.
func (r *Roadmap) changeMeeting(id string, now time.Time, fn func(m *Meeting, n *Roadmap) (bool, error)) (*Roadmap, Meeting, error) {
	now = clock(now)
	i := r.meetingIndex(id)
	if i < 0 {
		return nil, Meeting{}, errNoMeeting
	}
	n := r.next(now)
	m := cloneMeeting(n.Meetings[i])
	changed, err := fn(&m, n)
	if err != nil {
		return nil, Meeting{}, err
	}
	if !changed {
		return r, r.Meetings[i], nil
	}
	m.UpdatedAt = now
	n.Meetings[i] = m
	return n, m, nil
}

func cloneMeeting(m Meeting) Meeting {
	m.Invitees = slices.Clone(m.Invitees)
	m.Agenda = slices.Clone(m.Agenda)
	for i := range m.Agenda {
		m.Agenda[i].Decisions = slices.Clone(m.Agenda[i].Decisions)
	}
	return m
}

// open checks that a meeting can still change: not cancelled, its minutes
// not yet approved.
func (m *Meeting) open() error {
	switch m.Status {
	case MeetingApproved:
		return &Error{Code: ECONFLICT, Message: "The minutes of this meeting are approved; it cannot change."}
	case MeetingCancelled:
		return &Error{Code: ECONFLICT, Message: "This meeting was cancelled."}
	}
	return nil
}

// ConfirmMeeting is the household's yes to a meeting its coordinator
// proposed.
func (r *Roadmap) ConfirmMeeting(id string, now time.Time) (*Roadmap, Meeting, error) {
	return r.changeMeeting(id, now, func(m *Meeting, _ *Roadmap) (bool, error) {
		if m.Status == MeetingPlanned {
			return false, nil
		}
		if err := m.open(); err != nil {
			return false, err
		}
		m.Status = MeetingPlanned
		return true, nil
	})
}

// CancelMeeting cancels a meeting whose minutes are not approved.
func (r *Roadmap) CancelMeeting(id string, now time.Time) (*Roadmap, Meeting, error) {
	return r.changeMeeting(id, now, func(m *Meeting, _ *Roadmap) (bool, error) {
		if m.Status == MeetingCancelled {
			return false, nil
		}
		if err := m.open(); err != nil {
			return false, err
		}
		m.Status = MeetingCancelled
		return true, nil
	})
}

// SetAgenda replaces the agenda's items (id, area, text), keeping the notes
// and decisions of items that stay. The family writes it.
func (r *Roadmap) SetAgenda(id string, items []AgendaItem, now time.Time) (*Roadmap, Meeting, error) {
	return r.changeMeeting(id, now, func(m *Meeting, _ *Roadmap) (bool, error) {
		if err := m.open(); err != nil {
			return false, err
		}
		if len(items) > MaxAgendaItems {
			return false, &Error{Code: EINVALID, Message: "An agenda has at most 30 items.", Pointer: "/items"}
		}
		out := make([]AgendaItem, 0, len(items))
		for i, it := range items {
			ptr := "/items/" + strconv.Itoa(i)
			if !ValidID(it.ID) || slices.ContainsFunc(out, func(x AgendaItem) bool { return x.ID == it.ID }) {
				return false, &Error{Code: EINVALID, Message: "Each item needs an id of its own.", Pointer: ptr + "/id"}
			}
			if it.AreaID != "" && r.areaIndex(it.AreaID) < 0 {
				return false, &Error{Code: EINVALID, Message: "There is no such area.", Pointer: ptr + "/areaId"}
			}
			text, err := cleanText(it.Text, 1, MaxTitle, ptr+"/text")
			if err != nil {
				return false, err
			}
			next := AgendaItem{ID: it.ID, AreaID: it.AreaID, Text: text}
			if j := slices.IndexFunc(m.Agenda, func(x AgendaItem) bool { return x.ID == it.ID }); j >= 0 {
				next.Notes, next.Decisions = m.Agenda[j].Notes, m.Agenda[j].Decisions
			}
			out = append(out, next)
		}
		if agendaEqual(m.Agenda, out) {
			return false, nil
		}
		m.Agenda = out
		return true, nil
	})
}

func agendaEqual(a, b []AgendaItem) bool {
	return slices.EqualFunc(a, b, func(x, y AgendaItem) bool { return x.ID == y.ID && x.AreaID == y.AreaID && x.Text == y.Text })
}

// NoteItem sets the notes of an agenda item.
func (r *Roadmap) NoteItem(id, itemID, notes string, now time.Time) (*Roadmap, Meeting, error) {
	return r.changeMeeting(id, now, func(m *Meeting, _ *Roadmap) (bool, error) {
		if err := m.open(); err != nil {
			return false, err
		}
		j := slices.IndexFunc(m.Agenda, func(x AgendaItem) bool { return x.ID == itemID })
		if j < 0 {
			return false, &Error{Code: ENOTFOUND, Message: "There is no such agenda item."}
		}
		notes, err := cleanLongText(notes, MaxMeetingNotes, "/notes")
		if err != nil {
			return false, err
		}
		if m.Agenda[j].Notes == notes {
			return false, nil
		}
		m.Agenda[j].Notes = notes
		return true, nil
	})
}

// Decide records a decision on an agenda item and makes it a step at once:
// the household's own, or an agency's (a promise that agency must accept;
// askPromise). d.ID names both, so a decision sent twice is made once.
func (r *Roadmap) Decide(id, itemID string, d Decision, now time.Time) (*Roadmap, Meeting, error) {
	return r.changeMeeting(id, now, func(m *Meeting, n *Roadmap) (bool, error) {
		if err := m.open(); err != nil {
			return false, err
		}
		j := slices.IndexFunc(m.Agenda, func(x AgendaItem) bool { return x.ID == itemID })
		if j < 0 {
			return false, &Error{Code: ENOTFOUND, Message: "There is no such agenda item."}
		}
		item := &m.Agenda[j]
		if !ValidID(d.ID) {
			return false, &Error{Code: EINVALID, Message: "The decision id is not valid.", Pointer: "/id"}
		}
		if slices.ContainsFunc(item.Decisions, func(x Decision) bool { return x.ID == d.ID }) {
			return false, nil // made before
		}
		if len(item.Decisions) >= MaxDecisions {
			return false, &Error{Code: EINVALID, Message: "An agenda item has at most 20 decisions."}
		}
		if item.AreaID != "" {
			d.AreaID = item.AreaID
		}
		if d.Responsible.Kind == ByAgency && !m.Invited(d.Responsible.AgencyID) {
			return false, &Error{Code: EINVALID, Message: "A decision can be given to a service at the meeting only.", Pointer: "/responsible/agencyId"}
		}
		step := Step{ID: d.ID, AreaID: d.AreaID, Title: d.Text, Responsible: d.Responsible, Due: d.Due, Status: Planned, Term: ShortTerm}
		if err := n.validateStep(&step, ""); err != nil {
			return false, err
		}
		if n.stepIndex(step.ID) >= 0 {
			return false, &Error{Code: ECONFLICT, Message: "This id cannot be used. Choose another.", Pointer: "/id"}
		}
		if len(n.Steps) >= MaxSteps {
			return false, &Error{Code: EINVALID, Message: "A roadmap can have at most 500 steps."}
		}
		step.CreatedAt, step.UpdatedAt, step.Version = n.UpdatedAt, n.UpdatedAt, n.Version
		askPromise(nil, &step, n.UpdatedAt)
		n.Steps = append(n.Steps, step)
		d.Text, d.Responsible, d.Due, d.StepID = step.Title, step.Responsible, step.Due, step.ID
		item.Decisions = append(item.Decisions, d)
		return true, nil
	})
}

// ApproveMinutes is the household's approval of a meeting's minutes: from
// now on they are final, and each agency invited reads the items within
// its grant.
func (r *Roadmap) ApproveMinutes(id string, now time.Time) (*Roadmap, Meeting, error) {
	return r.changeMeeting(id, now, func(m *Meeting, n *Roadmap) (bool, error) {
		if m.Status == MeetingApproved {
			return false, nil
		}
		if err := m.open(); err != nil {
			return false, err
		}
		if m.Status != MeetingPlanned {
			return false, &Error{Code: ECONFLICT, Message: "Say yes to the meeting first."}
		}
		m.Status, m.ApprovedAt = MeetingApproved, n.UpdatedAt
		return true, nil
	})
}
