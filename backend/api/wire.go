package api

import (
	"bytes"
	"encoding/json"
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

func toReminders(rs []reminderJSON) []veikart.Reminder {
	if rs == nil {
		return nil
	}
	out := make([]veikart.Reminder, len(rs))
	for i, r := range rs {
		out[i] = veikart.Reminder{DaysBefore: r.DaysBefore, At: r.At}
	}
	return out
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

type newAreaJSON struct {
	ID           string   `json:"id"`
	Title        string   `json:"title"`
	Now          string   `json:"now"`
	Desired      string   `json:"desired"`
	ScoreNow     int      `json:"scoreNow"`
	ScoreDesired int      `json:"scoreDesired"`
	MemberIDs    []string `json:"memberIds"`
}

type newStepJSON struct {
	ID          string          `json:"id"`
	AreaID      string          `json:"areaId"`
	Title       string          `json:"title"`
	Note        string          `json:"note"`
	Responsible responsibleJSON `json:"responsible"`
	Due         string          `json:"due"`
	Status      string          `json:"status"`
	Term        string          `json:"term"`
	MemberIDs   []string        `json:"memberIds"`
	Reminders   []reminderJSON  `json:"reminders"`
}

type operationJSON struct {
	OpID        string          `json:"opId"`
	Type        string          `json:"type"`
	BaseVersion int64           `json:"baseVersion"`
	Title       string          `json:"title"`
	Member      *newMemberJSON  `json:"member"`
	Area        *newAreaJSON    `json:"area"`
	Step        *newStepJSON    `json:"step"`
	MemberID    string          `json:"memberId"`
	AreaID      string          `json:"areaId"`
	StepID      string          `json:"stepId"`
	Set         json.RawMessage `json:"set"`
}

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

// patch reads the "set" object of an update operation. Each field is absent
// (unchanged), null (cleared, where the schema allows it) or a value.
type patch map[string]json.RawMessage

func (p patch) has(k string) bool { _, ok := p[k]; return ok }

func (p patch) isNull(k string) bool { return bytes.Equal(bytes.TrimSpace(p[k]), []byte("null")) }

func (p patch) str(k string) *string {
	if !p.has(k) {
		return nil
	}
	var s string
	if p.isNull(k) {
		return &s
	}
	_ = json.Unmarshal(p[k], &s) // the schema has checked the type
	return &s
}

func (p patch) bool(k string) *bool {
	if !p.has(k) {
		return nil
	}
	var b bool
	_ = json.Unmarshal(p[k], &b)
	return &b
}

func (p patch) int(k string) *int {
	if !p.has(k) {
		return nil
	}
	var n int
	if !p.isNull(k) {
		_ = json.Unmarshal(p[k], &n)
	}
	return &n
}

func (p patch) strs(k string) *[]string {
	if !p.has(k) {
		return nil
	}
	s := []string{}
	if !p.isNull(k) {
		_ = json.Unmarshal(p[k], &s)
	}
	return &s
}

func (o operationJSON) toDomain() (veikart.Op, error) {
	op := veikart.Op{ID: o.OpID, Type: veikart.OpType(o.Type), BaseVersion: o.BaseVersion, Title: o.Title}
	var p patch
	if len(o.Set) > 0 {
		if err := json.Unmarshal(o.Set, &p); err != nil {
			return op, &veikart.Error{Code: veikart.EINVALID, Message: "The set object is not valid."}
		}
	}
	switch op.Type {
	case veikart.OpAddMember:
		if o.Member != nil {
			op.Member = o.Member.toDomain()
		}
	case veikart.OpUpdateMember:
		op.TargetID = o.MemberID
		op.MemberPatch = veikart.MemberPatch{Name: p.str("name"), BirthYear: p.int("birthYear"), OwnAllowed: p.bool("ownAllowed")}
		if r := p.str("role"); r != nil {
			role := veikart.Role(*r)
			op.MemberPatch.Role = &role
		}
	case veikart.OpRemoveMember:
		op.TargetID = o.MemberID
	case veikart.OpAddArea:
		if a := o.Area; a != nil {
			op.Area = veikart.Area{ID: a.ID, Title: a.Title, Now: a.Now, Desired: a.Desired,
				ScoreNow: a.ScoreNow, ScoreDesired: a.ScoreDesired, MemberIDs: a.MemberIDs}
		}
	case veikart.OpUpdateArea:
		op.TargetID = o.AreaID
		op.AreaPatch = veikart.AreaPatch{Title: p.str("title"), Now: p.str("now"), Desired: p.str("desired"),
			ScoreNow: p.int("scoreNow"), ScoreDesired: p.int("scoreDesired"), MemberIDs: p.strs("memberIds")}
	case veikart.OpRemoveArea:
		op.TargetID = o.AreaID
	case veikart.OpAddStep:
		if s := o.Step; s != nil {
			op.Step = veikart.Step{ID: s.ID, AreaID: s.AreaID, Title: s.Title, Note: s.Note,
				Responsible: veikart.Responsible{Kind: veikart.ResponsibleKind(s.Responsible.Kind), MemberID: s.Responsible.MemberID, AgencyID: s.Responsible.AgencyID},
				Due:         s.Due, Status: veikart.Status(s.Status), Term: veikart.Term(s.Term), MemberIDs: s.MemberIDs,
				Reminders: toReminders(s.Reminders)}
		}
	case veikart.OpUpdateStep:
		op.TargetID = o.StepID
		sp := veikart.StepPatch{AreaID: p.str("areaId"), Title: p.str("title"), Note: p.str("note"),
			Due: p.str("due"), MemberIDs: p.strs("memberIds")}
		if p.has("reminders") {
			var rs []reminderJSON
			if !p.isNull("reminders") {
				_ = json.Unmarshal(p["reminders"], &rs) // the schema has checked the type
			}
			r := toReminders(rs)
			if r == nil {
				r = []veikart.Reminder{}
			}
			sp.Reminders = &r
		}
		if v := p.str("status"); v != nil {
			st := veikart.Status(*v)
			sp.Status = &st
		}
		if v := p.str("term"); v != nil {
			t := veikart.Term(*v)
			sp.Term = &t
		}
		if p.has("responsible") {
			var r responsibleJSON
			if err := json.Unmarshal(p["responsible"], &r); err != nil {
				return op, &veikart.Error{Code: veikart.EINVALID, Message: "The responsible party is not valid."}
			}
			sp.Responsible = &veikart.Responsible{Kind: veikart.ResponsibleKind(r.Kind), MemberID: r.MemberID, AgencyID: r.AgencyID}
		}
		op.StepPatch = sp
	case veikart.OpRemoveStep:
		op.TargetID = o.StepID
	}
	return op, nil
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
