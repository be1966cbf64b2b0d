package api

import (
	"strings"
	"time"

	"github.com/veikart/veikart/backend/veikart"
)

// The wire types: what goes over HTTP as JSON. They mirror the schemas in
// schemas/ and are converted to and from the domain types here, so that the
// domain never carries json tags and the wire can be versioned on its own.

type roadmapJSON struct {
	ID        string         `json:"id"`
	Title     string         `json:"title"`
	Version   int64          `json:"version"`
	CreatedAt time.Time      `json:"createdAt"`
	UpdatedAt time.Time      `json:"updatedAt"`
	Owners    []string       `json:"owners"`
	Members   []memberJSON   `json:"members"`
	Areas     []areaJSON     `json:"areas"`
	Steps     []stepJSON     `json:"steps"`
	Comments  []commentJSON  `json:"comments"`
	Proposals []proposalJSON `json:"proposals"`
	// Transitions are the owners' plans (transitions.go); an agency sees
	// the one it receives, with its hand-over summary.
	Transitions []transitionJSON `json:"transitions,omitempty"`
	// Access says in what role the caller sees the roadmap and, for an
	// agency, what was granted.
	Access *accessJSON `json:"access,omitempty"`
}

type memberJSON struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	BirthYear int    `json:"birthYear,omitempty"`
	Role      string `json:"role"`
	Version   int64  `json:"version"`
	// Growing up (veikart/growing.go).
	OwnAllowed bool       `json:"ownAllowed,omitempty"`
	HasAccount bool       `json:"hasAccount,omitempty"`
	TookOwnAt  *time.Time `json:"tookOwnAt,omitempty"`
}

type areaJSON struct {
	ID           string   `json:"id"`
	Kind         string   `json:"kind"`
	Title        string   `json:"title,omitempty"`
	Now          string   `json:"now"`
	Desired      string   `json:"desired"`
	ScoreNow     int      `json:"scoreNow,omitempty"`
	ScoreDesired int      `json:"scoreDesired,omitempty"`
	MemberIDs    []string `json:"memberIds"`
	Version      int64    `json:"version"`
}

type stepJSON struct {
	ID          string          `json:"id"`
	AreaID      string          `json:"areaId"`
	Title       string          `json:"title"`
	Note        string          `json:"note"`
	Responsible responsibleJSON `json:"responsible"`
	Due         string          `json:"due,omitempty"`
	Status      string          `json:"status"`
	Term        string          `json:"term"`
	MemberIDs   []string        `json:"memberIds"`
	Reminders   []reminderJSON  `json:"reminders"`
	CreatedAt   time.Time       `json:"createdAt"`
	UpdatedAt   time.Time       `json:"updatedAt"`
	Version     int64           `json:"version"`
}

type reminderJSON struct {
	DaysBefore int    `json:"daysBefore"`
	At         string `json:"at"`
}

func fromReminders(rs []veikart.Reminder) []reminderJSON {
	out := make([]reminderJSON, len(rs))
	for i, r := range rs {
		out[i] = reminderJSON{DaysBefore: r.DaysBefore, At: r.At}
	}
	return out
}

type responsibleJSON struct {
	Kind     string `json:"kind"`
	MemberID string `json:"memberId,omitempty"`
	AgencyID string `json:"agencyId,omitempty"`
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func toMemberJSON(m veikart.Member) memberJSON {
	return memberJSON{
		ID: m.ID, Name: m.Name, BirthYear: m.BirthYear, Role: string(m.Role), Version: m.Version,
		OwnAllowed: m.OwnAllowed, HasAccount: m.UserID != "", TookOwnAt: timePtr(m.TookOwnAt),
	}
}

func toAreaJSON(a veikart.Area) areaJSON {
	return areaJSON{
		ID: a.ID, Kind: string(a.Kind), Title: a.Title, Now: a.Now, Desired: a.Desired,
		ScoreNow: a.ScoreNow, ScoreDesired: a.ScoreDesired, MemberIDs: nonNil(a.MemberIDs), Version: a.Version,
	}
}

func toStepJSON(s veikart.Step) stepJSON {
	return stepJSON{
		ID: s.ID, AreaID: s.AreaID, Title: s.Title, Note: s.Note,
		Responsible: responsibleJSON{Kind: string(s.Responsible.Kind), MemberID: s.Responsible.MemberID, AgencyID: s.Responsible.AgencyID},
		Due:         s.Due, Status: string(s.Status), Term: string(s.Term), MemberIDs: nonNil(s.MemberIDs),
		Reminders: fromReminders(s.Reminders),
		CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt, Version: s.Version,
	}
}

func toRoadmapJSON(r *veikart.Roadmap) roadmapJSON {
	out := roadmapJSON{
		ID: r.ID, Title: r.Title, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		Owners:  nonNil(r.Owners),
		Members: make([]memberJSON, len(r.Members)),
		Areas:   make([]areaJSON, len(r.Areas)),
		Steps:   make([]stepJSON, len(r.Steps)),
	}
	for i, m := range r.Members {
		out.Members[i] = toMemberJSON(m)
	}
	for i, a := range r.Areas {
		out.Areas[i] = toAreaJSON(a)
	}
	for i, s := range r.Steps {
		out.Steps[i] = toStepJSON(s)
	}
	out.Comments = make([]commentJSON, len(r.Comments))
	for i, c := range r.Comments {
		out.Comments[i] = toCommentJSON(c)
	}
	out.Proposals = make([]proposalJSON, len(r.Proposals))
	for i, p := range r.Proposals {
		out.Proposals[i] = toProposalJSON(p)
	}
	for _, t := range r.Transitions {
		out.Transitions = append(out.Transitions, toTransitionJSON(t))
	}
	return out
}

// conflictCurrent returns the current state of a conflict's target, in wire
// form, or nil when it is gone (or not visible to the actor).
func conflictCurrent(r *veikart.Roadmap, target string) any {
	if r == nil {
		return nil
	}
	kind, id, _ := strings.Cut(target, ":")
	switch kind {
	case "roadmap":
		return map[string]any{"title": r.Title}
	case "member":
		if m, ok := r.Member(id); ok {
			return toMemberJSON(m)
		}
	case "area":
		if a, ok := r.Area(id); ok {
			return toAreaJSON(a)
		}
	case "step":
		if s, ok := r.Step(id); ok {
			return toStepJSON(s)
		}
	}
	return nil
}

type roadmapSummaryJSON struct {
	ID          string    `json:"id"`
	Title       string    `json:"title"`
	Version     int64     `json:"version"`
	UpdatedAt   time.Time `json:"updatedAt"`
	MemberCount int       `json:"memberCount"`
	StepCount   int       `json:"stepCount"`
	Role        string    `json:"role"`
}

type roadmapListJSON struct {
	Items []roadmapSummaryJSON `json:"items"`
}

// Requests.

type newMemberJSON struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	BirthYear int    `json:"birthYear"`
	Role      string `json:"role"`
}

func (m newMemberJSON) toDomain() veikart.Member {
	return veikart.Member{ID: m.ID, Name: m.Name, BirthYear: m.BirthYear, Role: veikart.Role(m.Role)}
}

type createRoadmapRequest struct {
	ID      string          `json:"id"`
	Title   string          `json:"title"`
	Members []newMemberJSON `json:"members"`
}

// operationJSON is one operation on the wire. The domain reads and writes
// it (veikart.DecodeOp): the kinds of operation and their fields are the
// domain's, named in one table there.
type operationJSON struct{ op veikart.Op }

func (o *operationJSON) UnmarshalJSON(b []byte) error {
	op, err := veikart.DecodeOp(b)
	o.op = op
	return err
}

func (o operationJSON) MarshalJSON() ([]byte, error) { return veikart.EncodeOp(o.op) }

// toDomain returns the decoded operation; it cannot fail any more, and stays
// for the handler's sake until the handler passes the operations on as they are.
func (o operationJSON) toDomain() (veikart.Op, error) { return o.op, nil }

type operationsRequest struct {
	Operations []operationJSON `json:"operations"`
}

type resultJSON struct {
	OpID    string `json:"opId"`
	Outcome string `json:"outcome"`
}

type operationsResponse struct {
	Roadmap roadmapJSON  `json:"roadmap"`
	Results []resultJSON `json:"results"`
}

type devLoginRequest struct {
	AgencyID string `json:"agencyId,omitempty"`
	Name     string `json:"name"`
}

type refreshRequest struct {
	RefreshToken string `json:"refreshToken"`
}

type userJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type tokenResponse struct {
	AccessToken  string   `json:"accessToken"`
	RefreshToken string   `json:"refreshToken"`
	TokenType    string   `json:"tokenType"`
	ExpiresIn    int64    `json:"expiresIn"`
	User         userJSON `json:"user"`
	ActingFor    string   `json:"actingFor,omitempty"` // agency id
}
