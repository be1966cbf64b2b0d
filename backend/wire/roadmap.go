package wire

import (
	"strings"
	"time"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/veikart"
)

type Roadmap struct {
	ID        string     `json:"id"`
	Title     string     `json:"title"`
	Version   int64      `json:"version"`
	CreatedAt time.Time  `json:"createdAt"`
	UpdatedAt time.Time  `json:"updatedAt"`
	Owners    []string   `json:"owners"`
	Members   []Member   `json:"members"`
	Areas     []Area     `json:"areas"`
	Steps     []Step     `json:"steps"`
	Comments  []Comment  `json:"comments"`
	Proposals []Proposal `json:"proposals"`
	// Transitions are the owners' plans (transitions.go); an agency sees
	// the one it receives, with its hand-over summary.
	Transitions []Transition `json:"transitions,omitempty"`
	// Municipality is where the household's shared blockers count; only
	// its owners see it.
	Municipality string `json:"municipality,omitempty"`
	// Access says in what role the caller sees the roadmap and, for an
	// agency, what was granted.
	Access *Access `json:"access,omitempty"`
}

type Member struct {
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

type Area struct {
	ID           string   `json:"id"`
	Kind         string   `json:"kind"`
	Title        string   `json:"title,omitempty"`
	Now          string   `json:"now"`
	Desired      string   `json:"desired"`
	ScoreNow     int      `json:"scoreNow,omitempty"`
	ScoreDesired int      `json:"scoreDesired,omitempty"`
	MemberIDs    []string `json:"memberIds"`
	Version      int64    `json:"version"`
	// Renderings are Norwegian renderings beside the family's words.
	Renderings []Rendering `json:"renderings,omitempty"`
}

// Rendering is a Norwegian rendering of an area's text, with who wrote it
// and whether the family confirmed it for the text as it is now.
type Rendering struct {
	Field       string     `json:"field"`
	Text        string     `json:"text"`
	ByRole      string     `json:"byRole"`
	ByName      string     `json:"byName,omitempty"`
	At          time.Time  `json:"at"`
	Confirmed   bool       `json:"confirmed"`
	ConfirmedAt *time.Time `json:"confirmedAt,omitempty"`
}

type Step struct {
	ID          string      `json:"id"`
	AreaID      string      `json:"areaId"`
	Title       string      `json:"title"`
	Note        string      `json:"note"`
	Responsible Responsible `json:"responsible"`
	Due         string      `json:"due,omitempty"`
	Status      string      `json:"status"`
	Term        string      `json:"term"`
	MemberIDs   []string    `json:"memberIds"`
	Reminders   []Reminder  `json:"reminders"`
	Promise     *Promise    `json:"promise,omitempty"`
	// TransitionID and ChecklistKey mark a transition's checklist line.
	TransitionID string `json:"transitionId,omitempty"`
	ChecklistKey string `json:"checklistKey,omitempty"`
	// Blocker is what the household said stopped the step (not shown to
	// agencies).
	Blocker   *StepBlocker `json:"blocker,omitempty"`
	CreatedAt time.Time    `json:"createdAt"`
	UpdatedAt time.Time    `json:"updatedAt"`
	Version   int64        `json:"version"`
}

type Reminder struct {
	DaysBefore int    `json:"daysBefore"`
	At         string `json:"at"`
}

func FromReminders(rs []veikart.Reminder) []Reminder {
	out := make([]Reminder, len(rs))
	for i, r := range rs {
		out[i] = Reminder{DaysBefore: r.DaysBefore, At: r.At}
	}
	return out
}

type Responsible struct {
	Kind     string `json:"kind"`
	MemberID string `json:"memberId,omitempty"`
	AgencyID string `json:"agencyId,omitempty"`
}

func NonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func ToMember(m veikart.Member) Member {
	return Member{
		ID: m.ID, Name: m.Name, BirthYear: m.BirthYear, Role: string(m.Role), Version: m.Version,
		OwnAllowed: m.OwnAllowed, HasAccount: m.UserID != "", TookOwnAt: TimePtr(m.TookOwnAt),
	}
}

func ToArea(a veikart.Area) Area {
	out := Area{
		ID: a.ID, Kind: string(a.Kind), Title: a.Title, Now: a.Now, Desired: a.Desired,
		ScoreNow: a.ScoreNow, ScoreDesired: a.ScoreDesired, MemberIDs: NonNil(a.MemberIDs), Version: a.Version,
	}
	for _, x := range a.Renderings {
		original := a.Now
		if x.Field == veikart.RenderDesired {
			original = a.Desired
		}
		w := Rendering{Field: x.Field, Text: x.Text, ByRole: x.ByRole, ByName: x.ByName, At: x.At, Confirmed: x.Confirmed(original)}
		if w.Confirmed {
			w.ConfirmedAt = TimePtr(x.ConfirmedAt)
		}
		out.Renderings = append(out.Renderings, w)
	}
	return out
}

// StepBlocker is what stopped a step, and whether the household shares
// it anonymously (and since when: that dates its report).
type StepBlocker struct {
	Code     string     `json:"code"`
	NamedAt  time.Time  `json:"namedAt"`
	Shared   bool       `json:"shared"`
	SharedAt *time.Time `json:"sharedAt,omitempty"`
}

// ToStepBlocker is nil for a step without a blocker.
func ToStepBlocker(b veikart.StepBlocker) *StepBlocker {
	if b.Code == "" {
		return nil
	}
	return &StepBlocker{Code: string(b.Code), NamedAt: b.NamedAt, Shared: b.Shared, SharedAt: TimePtr(b.SharedAt)}
}

func ToStep(s veikart.Step) Step {
	return Step{
		ID: s.ID, AreaID: s.AreaID, Title: s.Title, Note: s.Note,
		Responsible: Responsible{Kind: string(s.Responsible.Kind), MemberID: s.Responsible.MemberID, AgencyID: s.Responsible.AgencyID},
		Due:         s.Due, Status: string(s.Status), Term: string(s.Term), MemberIDs: NonNil(s.MemberIDs),
		Reminders: FromReminders(s.Reminders),
		Promise:   ToPromise(s.Promise), TransitionID: s.TransitionID, ChecklistKey: s.ChecklistKey,
		Blocker:   ToStepBlocker(s.Blocker),
		CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt, Version: s.Version,
	}
}

func ToRoadmap(r *veikart.Roadmap) Roadmap {
	out := Roadmap{
		ID: r.ID, Title: r.Title, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		Owners: NonNil(r.Owners), Municipality: r.Municipality,
		Members: make([]Member, len(r.Members)),
		Areas:   make([]Area, len(r.Areas)),
		Steps:   make([]Step, len(r.Steps)),
	}
	for i, m := range r.Members {
		out.Members[i] = ToMember(m)
	}
	for i, a := range r.Areas {
		out.Areas[i] = ToArea(a)
	}
	for i, s := range r.Steps {
		out.Steps[i] = ToStep(s)
	}
	out.Comments = make([]Comment, len(r.Comments))
	for i, c := range r.Comments {
		out.Comments[i] = ToComment(c)
	}
	out.Proposals = make([]Proposal, len(r.Proposals))
	for i, p := range r.Proposals {
		out.Proposals[i] = ToProposal(p)
	}
	for _, t := range r.Transitions {
		out.Transitions = append(out.Transitions, ToTransition(t))
	}
	return out
}

// ConflictCurrent returns the current state of a conflict's target, in wire
// form, or nil when it is gone (or not visible to the actor).
func ConflictCurrent(r *veikart.Roadmap, target string) any {
	if r == nil {
		return nil
	}
	kind, id, _ := strings.Cut(target, ":")
	switch kind {
	case "roadmap":
		return map[string]any{"title": r.Title}
	case "member":
		if m, ok := r.Member(id); ok {
			return ToMember(m)
		}
	case "area":
		if a, ok := r.Area(id); ok {
			return ToArea(a)
		}
	case "step":
		if s, ok := r.Step(id); ok {
			return ToStep(s)
		}
	}
	return nil
}

type RoadmapSummary struct {
	ID          string    `json:"id"`
	Title       string    `json:"title"`
	Version     int64     `json:"version"`
	UpdatedAt   time.Time `json:"updatedAt"`
	MemberCount int       `json:"memberCount"`
	StepCount   int       `json:"stepCount"`
	Role        string    `json:"role"`
}

type RoadmapList struct {
	Items []RoadmapSummary `json:"items"`
}

type NewMember struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	BirthYear int    `json:"birthYear"`
	Role      string `json:"role"`
}

func (m NewMember) ToDomain() veikart.Member {
	return veikart.Member{ID: m.ID, Name: m.Name, BirthYear: m.BirthYear, Role: veikart.Role(m.Role)}
}

type CreateRoadmapRequest struct {
	ID      string      `json:"id"`
	Title   string      `json:"title"`
	Members []NewMember `json:"members"`
}

// Operation is one operation on the wire. The domain reads and writes
// it (veikart.DecodeOp): the kinds of operation and their fields are the
// domain's, named in one table there.
type Operation struct{ op veikart.Op }

func (o *Operation) UnmarshalJSON(b []byte) error {
	op, err := veikart.DecodeOp(b)
	o.op = op
	return err
}

func (o Operation) MarshalJSON() ([]byte, error) { return veikart.EncodeOp(o.op) }

// toDomain returns the decoded operation; it cannot fail any more, and stays
// for the handler's sake until the handler passes the operations on as they are.
func (o Operation) ToDomain() (veikart.Op, error) { return o.op, nil }

type OperationsRequest struct {
	Operations []Operation `json:"operations"`
}

type Result struct {
	OpID    string `json:"opId"`
	Outcome string `json:"outcome"`
}

type OperationsResponse struct {
	Roadmap Roadmap  `json:"roadmap"`
	Results []Result `json:"results"`
}

type DevLoginRequest struct {
	AgencyID string `json:"agencyId,omitempty"`
	Name     string `json:"name"`
}

type RefreshRequest struct {
	RefreshToken string `json:"refreshToken"`
}

type User struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type TokenResponse struct {
	AccessToken  string `json:"accessToken"`
	RefreshToken string `json:"refreshToken"`
	TokenType    string `json:"tokenType"`
	ExpiresIn    int64  `json:"expiresIn"`
	User         User   `json:"user"`
	ActingFor    string `json:"actingFor,omitempty"` // agency id
}

// Overdue lists the agencies' steps that are past their due date.
type Overdue struct {
	Items []Step `json:"items"`
}

func ToAccess(v *access.View) Access {
	out := Access{Role: v.Role, Sections: SectionsToStrings(v.Sections), Permissions: []string{}, MemberID: v.MemberID}
	if g := v.Grant; g != nil {
		out.AgencyID, out.Permissions, out.ExpiresAt, out.Purpose = g.AgencyID, PermsToStrings(g.Permissions), TimePtr(g.ExpiresAt), g.Purpose
		out.Contact = ToContact(g.Contact)
	}
	if h := v.Helper; h != nil {
		w := h.Write
		out.ExpiresAt, out.Name, out.Write = TimePtr(h.ExpiresAt), h.Name, &w
	}
	return out
}

// List renders each of xs with f, as a list that is never null.
func List[T, J any](xs []T, f func(T) J) []J {
	out := make([]J, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

type Transition struct {
	ID          string    `json:"id"`
	Kind        string    `json:"kind"`
	Date        string    `json:"date"`
	AgencyID    string    `json:"agencyId"`
	AgencyName  string    `json:"agencyName,omitempty"`
	Sections    []string  `json:"sections"`
	Permissions []string  `json:"permissions"`
	DaysBefore  int       `json:"daysBefore"`
	DaysAfter   int       `json:"daysAfter"`
	Summary     string    `json:"summary"`
	Reminders   []int     `json:"reminders"`
	GrantID     string    `json:"grantId"`
	Status      string    `json:"status"`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
	// Checklist is the template of the kind's checklist (veikart/checklist.go).
	Checklist []TemplateLine `json:"checklist,omitempty"`
}

type TransitionList struct {
	Items []Transition `json:"items"`
}

func ToTransition(t veikart.Transition) Transition {
	rs := t.Reminders
	if rs == nil {
		rs = []int{}
	}
	return Transition{
		ID: t.ID, Kind: string(t.Kind), Date: t.Date, AgencyID: t.AgencyID,
		Sections: SectionsToStrings(t.Sections), Permissions: PermsToStrings(t.Permissions),
		DaysBefore: t.DaysBefore, DaysAfter: t.DaysAfter, Summary: t.Summary, Reminders: rs,
		GrantID: t.GrantID, Status: string(t.Status), CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt,
		Checklist: ToTemplate(veikart.Checklist(t.Kind)),
	}
}

type CreateTransitionRequest struct {
	ID          string   `json:"id"`
	Kind        string   `json:"kind"`
	Date        string   `json:"date"`
	AgencyID    string   `json:"agencyId"`
	Sections    []string `json:"sections"`
	Permissions []string `json:"permissions"`
	DaysBefore  int      `json:"daysBefore"`
	DaysAfter   int      `json:"daysAfter"`
	Summary     string   `json:"summary"`
	Reminders   []int    `json:"reminders"`
}

type UpdateTransitionRequest struct {
	Date        *string  `json:"date"`
	Sections    []string `json:"sections"`
	Permissions []string `json:"permissions"`
	DaysBefore  *int     `json:"daysBefore"`
	DaysAfter   *int     `json:"daysAfter"`
	Summary     *string  `json:"summary"`
	Reminders   []int    `json:"reminders"`
}

type TakeOwnRequest struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// PartialView is a view that is not the whole roadmap (an agency's, a
// member's) with the access it was projected through.
func PartialView(view *access.View) Roadmap {
	out := ToRoadmap(view.Roadmap)
	a := ToAccess(view)
	out.Access = &a
	return out
}
