package wire

import (
	"time"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/veikart"
)

// Promise is an agency's answer to a step given to it. The caseworker who
// answered is named as they gave their name, never by account id.
type Promise struct {
	Status     string     `json:"status"`
	AskedAt    time.Time  `json:"askedAt"`
	Due        string     `json:"due,omitempty"`
	Reason     string     `json:"reason,omitempty"`
	ByName     string     `json:"byName,omitempty"`
	AnsweredAt *time.Time `json:"answeredAt,omitempty"`
	Outcome    string     `json:"outcome,omitempty"`
	OutcomeAt  *time.Time `json:"outcomeAt,omitempty"`
}

// ToPromise is nil for a step that is no agency's.
func ToPromise(p veikart.Promise) *Promise {
	if p.Status == "" {
		return nil
	}
	return &Promise{
		Status: string(p.Status), AskedAt: p.AskedAt, Due: p.Due, Reason: p.Reason, ByName: p.ByName,
		AnsweredAt: TimePtr(p.AnsweredAt), Outcome: string(p.Outcome), OutcomeAt: TimePtr(p.OutcomeAt),
	}
}

// Contact is an agency's contact person for the household.
type Contact struct {
	Name  string    `json:"name"`
	Role  string    `json:"role,omitempty"`
	Phone string    `json:"phone,omitempty"`
	Email string    `json:"email,omitempty"`
	At    time.Time `json:"at"`
}

// ToContact is nil for no contact.
func ToContact(c veikart.Contact) *Contact {
	if c.Name == "" {
		return nil
	}
	return &Contact{Name: c.Name, Role: c.Role, Phone: c.Phone, Email: c.Email, At: c.At}
}

// TeamMember is one agency on the household's team.
type TeamMember struct {
	AgencyID    string    `json:"agencyId"`
	AgencyName  string    `json:"agencyName,omitempty"`
	Contact     *Contact  `json:"contact,omitempty"`
	Coordinator bool      `json:"coordinator"`
	You         bool      `json:"you"`
	ExpiresAt   time.Time `json:"expiresAt"`
}

// PromiseItem is one step given to an agency, with what it shows as today.
type PromiseItem struct {
	StepID     string   `json:"stepId"`
	AreaID     string   `json:"areaId"`
	Title      string   `json:"title"`
	AgencyID   string   `json:"agencyId"`
	AgencyName string   `json:"agencyName,omitempty"`
	Due        string   `json:"due,omitempty"`
	Status     string   `json:"status"`
	State      string   `json:"state"`
	Promise    *Promise `json:"promise,omitempty"`
}

// Team is the household's team as the asker may see it: the role they see
// it in (owner, coordinator or caseworker), the agencies, and for the
// owners and the coordinator what each promised.
type Team struct {
	Role     string        `json:"role"`
	Members  []TeamMember  `json:"members"`
	Promises []PromiseItem `json:"promises,omitempty"`
}

// ToTeam converts a team; states are as of now, today being the date
// where the household lives.
func ToTeam(t *access.Team, names map[string]string, now time.Time, today string) Team {
	out := Team{Role: t.Role, Members: make([]TeamMember, len(t.Members))}
	for i, m := range t.Members {
		out.Members[i] = TeamMember{AgencyID: m.AgencyID, AgencyName: names[m.AgencyID], Contact: ToContact(m.Contact),
			Coordinator: m.Coordinator, You: m.You, ExpiresAt: m.ExpiresAt}
	}
	if t.Promises != nil {
		out.Promises = make([]PromiseItem, len(t.Promises))
		for i, s := range t.Promises {
			out.Promises[i] = PromiseItem{StepID: s.ID, AreaID: s.AreaID, Title: s.Title, AgencyID: s.Responsible.AgencyID,
				AgencyName: names[s.Responsible.AgencyID], Due: s.Due, Status: string(s.Status),
				State: string(veikart.PromiseStateOf(s, now, today)), Promise: ToPromise(s.Promise)}
		}
	}
	return out
}

// SetContactRequest is the body of PUT .../contact.
type SetContactRequest struct {
	Name  string `json:"name"`
	Role  string `json:"role"`
	Phone string `json:"phone"`
	Email string `json:"email"`
}

// SetCoordinatorRequest is the body of PUT .../coordinator.
type SetCoordinatorRequest struct {
	AgencyID string `json:"agencyId"`
}

// Coordinator is the household's coordinator: the agency whose contact
// person it is.
type Coordinator struct {
	AgencyID string    `json:"agencyId"`
	Since    time.Time `json:"since"`
}

// AnswerPromiseRequest is the body of POST .../steps/{stepId}/promise.
type AnswerPromiseRequest struct {
	Answer string `json:"answer"` // accept or decline
	Due    string `json:"due"`
	Reason string `json:"reason"`
}

// PromiseOutcomeRequest is the body of POST .../steps/{stepId}/outcome.
type PromiseOutcomeRequest struct {
	Outcome string `json:"outcome"` // kept or not-kept
}
