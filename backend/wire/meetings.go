package wire

import (
	"time"

	"github.com/veikart/veikart/backend/veikart"
)

// Meeting is a meeting of the household's team, as the asker may see it.
type Meeting struct {
	ID             string       `json:"id"`
	At             time.Time    `json:"at"`
	Minutes        int          `json:"minutes"`
	Place          string       `json:"place"`
	Invitees       []Invitee    `json:"invitees"`
	Status         string       `json:"status"`
	CalledByAgency string       `json:"calledByAgency,omitempty"`
	Agenda         []AgendaItem `json:"agenda"`
	ApprovedAt     *time.Time   `json:"approvedAt,omitempty"`
	CreatedAt      time.Time    `json:"createdAt"`
	UpdatedAt      time.Time    `json:"updatedAt"`
}

// Invitee is an agency invited to a meeting.
type Invitee struct {
	AgencyID   string `json:"agencyId"`
	AgencyName string `json:"agencyName,omitempty"`
}

// AgendaItem is one point of a meeting's agenda.
type AgendaItem struct {
	ID        string     `json:"id"`
	AreaID    string     `json:"areaId,omitempty"`
	Text      string     `json:"text"`
	Notes     string     `json:"notes"`
	Decisions []Decision `json:"decisions"`
}

// Decision is a meeting's decision, made a step.
type Decision struct {
	ID          string      `json:"id"`
	AreaID      string      `json:"areaId,omitempty"`
	Text        string      `json:"text"`
	Responsible Responsible `json:"responsible"`
	Due         string      `json:"due,omitempty"`
	StepID      string      `json:"stepId,omitempty"`
}

// MeetingList is a roadmap's meetings.
type MeetingList struct {
	Items []Meeting `json:"items"`
}

// ToMeeting converts a meeting; names are the invitees' agency names.
func ToMeeting(m veikart.Meeting, names map[string]string) Meeting {
	out := Meeting{
		ID: m.ID, At: m.At, Minutes: m.Minutes, Place: m.Place, Status: string(m.Status), CalledByAgency: m.CalledByAgency,
		ApprovedAt: TimePtr(m.ApprovedAt), CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt,
		Invitees: make([]Invitee, len(m.Invitees)), Agenda: make([]AgendaItem, len(m.Agenda)),
	}
	for i, a := range m.Invitees {
		out.Invitees[i] = Invitee{AgencyID: a, AgencyName: names[a]}
	}
	for i, it := range m.Agenda {
		ds := make([]Decision, len(it.Decisions))
		for j, d := range it.Decisions {
			ds[j] = Decision{ID: d.ID, AreaID: d.AreaID, Text: d.Text, Due: d.Due, StepID: d.StepID,
				Responsible: Responsible{Kind: string(d.Responsible.Kind), MemberID: d.Responsible.MemberID, AgencyID: d.Responsible.AgencyID}}
		}
		out.Agenda[i] = AgendaItem{ID: it.ID, AreaID: it.AreaID, Text: it.Text, Notes: it.Notes, Decisions: ds}
	}
	return out
}

// CallMeetingRequest is the body of POST .../meetings.
type CallMeetingRequest struct {
	ID       string    `json:"id"`
	At       time.Time `json:"at"`
	Minutes  int       `json:"minutes"`
	Place    string    `json:"place"`
	Invitees []string  `json:"invitees"`
}

// AgendaRequest is the body of PUT .../agenda.
type AgendaRequest struct {
	Items []struct {
		ID     string `json:"id"`
		AreaID string `json:"areaId"`
		Text   string `json:"text"`
	} `json:"items"`
}

// NotesRequest is the body of PUT .../agenda/{itemId}/notes.
type NotesRequest struct {
	Notes string `json:"notes"`
}

// DecisionRequest is the body of POST .../agenda/{itemId}/decisions.
type DecisionRequest struct {
	ID          string      `json:"id"`
	AreaID      string      `json:"areaId"`
	Text        string      `json:"text"`
	Responsible Responsible `json:"responsible"`
	Due         string      `json:"due"`
}
