package veikart

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits keep a roadmap small enough to load, render and print in one piece.
// The JSON Schemas in schemas/ state the same numbers.
const (
	MaxTitle      = 200
	MaxName       = 100
	MaxAreaTitle  = 100
	MaxSituation  = 4000
	MaxNote       = 2000
	MaxMembers    = 30
	MaxAreas      = 40
	MaxSteps      = 500
	MaxOwners     = 10
	MinScore      = 1
	MaxScore      = 5
	MinBirthYear  = 1900
	MaxBirthYear  = 2100
	MaxOpsPerCall = 100
	// KeptOpIDs is how many recent operation ids a roadmap remembers, so that a
	// batch a phone sends twice is applied once. Older repeats are still safe:
	// adds are idempotent by item id, and updates carry a base version.
	KeptOpIDs = 128
)

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)

// ValidID reports whether s is an acceptable client- or server-made id.
func ValidID(s string) bool { return idPattern.MatchString(s) }

// Role says whether a household member is an adult or a child.
type Role string

// Roles of household members.
const (
	Adult Role = "adult"
	Child Role = "child"
)

// AreaKind separates the default life areas from those a household adds.
type AreaKind string

// Area kinds.
const (
	DefaultArea AreaKind = "default"
	CustomArea  AreaKind = "custom"
)

// DefaultAreaIDs are the life areas every roadmap starts with, in display
// order. Their titles are translated by the app, so they carry no title here.
var DefaultAreaIDs = []string{"housing", "work", "education", "economy", "family", "health", "network", "leisure"}

// Status is where a step stands.
type Status string

// Step statuses.
const (
	Planned Status = "planned"
	Doing   Status = "doing"
	Done    Status = "done"
	Dropped Status = "dropped"
)

// Term says whether a step is for the short or the long term.
type Term string

// Step terms.
const (
	ShortTerm Term = "short"
	LongTerm  Term = "long"
)

// ResponsibleKind names who is responsible for a step.
type ResponsibleKind string

// Kinds of responsible party.
const (
	ByHousehold ResponsibleKind = "household"
	ByMember    ResponsibleKind = "member"
	ByAgency    ResponsibleKind = "agency"
)

// Responsible is the party responsible for a step.
// The json tags are for operations (ops_json.go), which carry it as it is.
type Responsible struct {
	Kind     ResponsibleKind `json:"kind"`
	MemberID string          `json:"memberId,omitempty"` // when Kind is ByMember
	AgencyID string          `json:"agencyId,omitempty"` // when Kind is ByAgency
}

// Roadmap is one household's Veikart. The owners own it; everyone else sees
// only what the owners grant.
type Roadmap struct {
	ID        string
	Title     string
	Owners    []string // user ids
	Members   []Member
	Areas     []Area
	Steps     []Step
	Version   int64 // increases by one with every applied batch of operations
	CreatedAt time.Time
	UpdatedAt time.Time
	// TitleVersion is the version at which an operation last changed Title;
	// 0 if none has.
	TitleVersion int64
	// RecentOps remembers the ids of recently applied operations (oldest first).
	RecentOps []string

	// Rev is the storage's revision: it increases with every write,
	// including one that leaves Version alone (an agency's access request,
	// which must not make the household's pending If-Match write fail).
	// The store sets it; nothing shows it.
	Rev int64

	// Consent and what agencies wrote (consent.go). Every change to these
	// except a new access request also increases Version.
	Grants      []Grant
	Requests    []AccessRequest
	Invitations []Invitation
	Comments    []Comment
	Proposals   []Proposal
	Receipts    []Receipt
	Transitions []Transition // transition.go
	// Coordinator is the caseworker the household chose to hold the
	// whole (team.go); zero for none.
	Coordinator Coordinator
	Meetings    []Meeting // meeting.go
	// Helpers are the people (not agencies) the household let in:
	// trusted persons and interpreters (helpers.go).
	Helpers []Helper
	// Says are young members' yes or no to sharing and printing the
	// areas that name them (ownsay.go).
	Says []OwnSay
	// Municipality is where the household lives, chosen from the regions
	// of the agencies the service knows, so that the blockers it shares
	// are counted there (blocker.go); "" until it shares one.
	// MunicipalityVersion is the version at which an operation last
	// changed it.
	Municipality        string
	MunicipalityVersion int64
	// Review is the household's review rhythm (review.go). The reviews
	// themselves live outside the roadmap, so that they never grow it.
	Review ReviewPlan
}

// Member is a person in the household.
type Member struct {
	ID        string
	Name      string
	BirthYear int // 0 when not given
	Role      Role
	// UserID links the member to their own account, once they accepted a
	// member invitation; "" for members who are just names.
	UserID string
	// OwnAllowed says the owners let this member take their parts into a
	// roadmap of their own before turning 18 (growing.go).
	OwnAllowed bool
	// TookOwnAt is when the member did so; zero if they have not.
	TookOwnAt time.Time
	Version   int64            // version at which the member last changed
	Changed   map[string]int64 // field -> version at which it last changed
}

// Area is a life domain with the present and the desired situation in the
// household's own words and optional self-assessed scores on an open 1-5 scale.
type Area struct {
	ID           string
	Kind         AreaKind
	Title        string // custom areas only
	Now          string
	Desired      string
	ScoreNow     int // 0 when not given
	ScoreDesired int // 0 when not given
	MemberIDs    []string
	Version      int64
	Changed      map[string]int64
	// Renderings are Norwegian renderings of Now and Desired beside the
	// family's own words (rendering.go).
	Renderings []Rendering
}

// Step is something agreed on the way from now to desired.
type Step struct {
	ID          string
	AreaID      string
	Title       string
	Note        string
	Responsible Responsible
	Due         string // YYYY-MM-DD, empty when not given
	Status      Status
	Term        Term
	MemberIDs   []string
	// Reminders say when, relative to Due, the responsible are reminded.
	// Without a due date they wait.
	Reminders []Reminder
	// Promise is, for an agency's step, the agency's answer (promise.go).
	Promise Promise
	// TransitionID and ChecklistKey make the step a line of a
	// transition's checklist (checklist.go); "" for other steps.
	TransitionID string
	ChecklistKey string
	// Blocker is what the household says stopped the step, once it was
	// dropped or ran late, and whether it shares that anonymously
	// (blocker.go); zero for none.
	Blocker StepBlocker
	// StatusAt is when Status last changed (or, for a step added done or
	// dropped, when it was added): what a review and the timeline date a
	// step done by. Zero for steps whose status changed before it existed.
	StatusAt  time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int64
	Changed   map[string]int64
}

// Reminder is one push reminder of a step: DaysBefore days before its due
// date, at At ("HH:MM") in the household's time zone (Europe/Oslo).
// The json tags are for operations (ops_json.go), which carry it as it is.
type Reminder struct {
	DaysBefore int    `json:"daysBefore"`
	At         string `json:"at"`
}

// Reminder limits. Nobody is reminded at night: times are between the end
// of quiet hours (08:00) and their start (21:00).
const (
	MaxReminders    = 5
	MaxReminderDays = 30
	QuietHoursEnd   = 8  // 08:00, local time
	QuietHoursStart = 21 // 21:00, local time
)

// NewRoadmap returns a roadmap owned by owner, with the default areas and the
// given members, at version 1. It validates everything it is given.
func NewRoadmap(id, owner, title string, members []Member, now time.Time) (*Roadmap, error) {
	if !ValidID(id) {
		return nil, &Error{Code: EINVALID, Message: "The roadmap id is not valid.", Pointer: "/id"}
	}
	now = now.UTC().Truncate(time.Millisecond)
	r := &Roadmap{
		ID:        id,
		Owners:    []string{owner},
		Version:   1,
		CreatedAt: now,
		UpdatedAt: now,
	}
	var err error
	if r.Title, err = cleanText(title, 0, MaxTitle, "/title"); err != nil {
		return nil, err
	}
	for _, a := range DefaultAreaIDs {
		r.Areas = append(r.Areas, Area{ID: a, Kind: DefaultArea, Version: 1})
	}
	if len(members) > MaxMembers {
		return nil, &Error{Code: EINVALID, Message: "A household can have at most 30 members.", Pointer: "/members"}
	}
	for i, m := range members {
		m.Version, m.Changed = 1, nil
		if err := r.addMember(m, "/members/"+strconv.Itoa(i)); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// IsOwner reports whether userID owns the roadmap.
func (r *Roadmap) IsOwner(userID string) bool {
	return userID != "" && slices.Contains(r.Owners, userID)
}

// Clone returns a deep copy, so that a cached roadmap is never changed in place.
func (r *Roadmap) Clone() *Roadmap {
	c := *r
	c.Owners = slices.Clone(r.Owners)
	c.RecentOps = slices.Clone(r.RecentOps)
	c.Members = slices.Clone(r.Members)
	for i := range c.Members {
		c.Members[i].Changed = cloneMap(c.Members[i].Changed)
	}
	c.Areas = slices.Clone(r.Areas)
	for i := range c.Areas {
		c.Areas[i].MemberIDs = slices.Clone(c.Areas[i].MemberIDs)
		c.Areas[i].Changed = cloneMap(c.Areas[i].Changed)
		c.Areas[i].Renderings = slices.Clone(c.Areas[i].Renderings)
	}
	c.Steps = slices.Clone(r.Steps)
	for i := range c.Steps {
		c.Steps[i].MemberIDs = slices.Clone(c.Steps[i].MemberIDs)
		c.Steps[i].Reminders = slices.Clone(c.Steps[i].Reminders)
		c.Steps[i].Changed = cloneMap(c.Steps[i].Changed)
	}
	c.Meetings = slices.Clone(r.Meetings)
	for i := range c.Meetings {
		c.Meetings[i] = cloneMeeting(c.Meetings[i])
	}
	c.Grants = slices.Clone(r.Grants)
	for i := range c.Grants {
		c.Grants[i].Sections = slices.Clone(c.Grants[i].Sections)
		c.Grants[i].Permissions = slices.Clone(c.Grants[i].Permissions)
		c.Grants[i].RecoveryFor = slices.Clone(c.Grants[i].RecoveryFor)
	}
	c.Requests = slices.Clone(r.Requests)
	for i := range c.Requests {
		c.Requests[i].Sections = slices.Clone(c.Requests[i].Sections)
		c.Requests[i].Permissions = slices.Clone(c.Requests[i].Permissions)
	}
	c.Invitations = slices.Clone(r.Invitations)
	for i := range c.Invitations {
		c.Invitations[i].Sections = slices.Clone(c.Invitations[i].Sections)
		c.Invitations[i].Permissions = slices.Clone(c.Invitations[i].Permissions)
	}
	c.Says = slices.Clone(r.Says)
	c.Comments = slices.Clone(r.Comments)
	c.Proposals = slices.Clone(r.Proposals)
	for i := range c.Proposals {
		c.Proposals[i].Step.MemberIDs = slices.Clone(c.Proposals[i].Step.MemberIDs)
	}
	c.Transitions = slices.Clone(r.Transitions)
	for i := range c.Transitions {
		c.Transitions[i].Sections = slices.Clone(c.Transitions[i].Sections)
		c.Transitions[i].Permissions = slices.Clone(c.Transitions[i].Permissions)
		c.Transitions[i].Reminders = slices.Clone(c.Transitions[i].Reminders)
	}
	c.Helpers = slices.Clone(r.Helpers)
	for i := range c.Helpers {
		c.Helpers[i].Sections = slices.Clone(c.Helpers[i].Sections)
	}
	c.Receipts = slices.Clone(r.Receipts)
	for i := range c.Receipts {
		c.Receipts[i].Sections = slices.Clone(c.Receipts[i].Sections)
		c.Receipts[i].Permissions = slices.Clone(c.Receipts[i].Permissions)
	}
	return &c
}

func cloneMap(m map[string]int64) map[string]int64 {
	if m == nil {
		return nil
	}
	c := make(map[string]int64, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

func (r *Roadmap) memberIndex(id string) int {
	return slices.IndexFunc(r.Members, func(m Member) bool { return m.ID == id })
}

func (r *Roadmap) areaIndex(id string) int {
	return slices.IndexFunc(r.Areas, func(a Area) bool { return a.ID == id })
}

func (r *Roadmap) stepIndex(id string) int {
	return slices.IndexFunc(r.Steps, func(s Step) bool { return s.ID == id })
}

// Member returns the member with the given id.
func (r *Roadmap) Member(id string) (Member, bool) {
	if i := r.memberIndex(id); i >= 0 {
		return r.Members[i], true
	}
	return Member{}, false
}

// Area returns the area with the given id.
func (r *Roadmap) Area(id string) (Area, bool) {
	if i := r.areaIndex(id); i >= 0 {
		return r.Areas[i], true
	}
	return Area{}, false
}

// Step returns the step with the given id.
func (r *Roadmap) Step(id string) (Step, bool) {
	if i := r.stepIndex(id); i >= 0 {
		return r.Steps[i], true
	}
	return Step{}, false
}

func (r *Roadmap) addMember(m Member, ptr string) error {
	if !ValidID(m.ID) {
		return &Error{Code: EINVALID, Message: "The member id is not valid.", Pointer: ptr + "/id"}
	}
	if r.memberIndex(m.ID) >= 0 {
		return &Error{Code: EINVALID, Message: "A member with this id already exists.", Pointer: ptr + "/id"}
	}
	if len(r.Members) >= MaxMembers {
		return &Error{Code: EINVALID, Message: "A household can have at most 30 members.", Pointer: ptr}
	}
	if err := m.validate(ptr); err != nil {
		return err
	}
	r.Members = append(r.Members, m)
	return nil
}

func (m *Member) validate(ptr string) error {
	var err error
	if m.Name, err = cleanText(m.Name, 1, MaxName, ptr+"/name"); err != nil {
		return err
	}
	if m.BirthYear != 0 && (m.BirthYear < MinBirthYear || m.BirthYear > MaxBirthYear) {
		return &Error{Code: EINVALID, Message: "The birth year must be between 1900 and 2100.", Pointer: ptr + "/birthYear"}
	}
	if m.Role != Adult && m.Role != Child {
		return &Error{Code: EINVALID, Message: "The role must be adult or child.", Pointer: ptr + "/role"}
	}
	return nil
}

func (r *Roadmap) validateArea(a *Area, ptr string) error {
	var err error
	if a.Kind == CustomArea {
		if a.Title, err = cleanText(a.Title, 1, MaxAreaTitle, ptr+"/title"); err != nil {
			return err
		}
	} else if a.Title != "" {
		return &Error{Code: EINVALID, Message: "Default areas have no title of their own.", Pointer: ptr + "/title"}
	}
	if a.Now, err = cleanLongText(a.Now, MaxSituation, ptr+"/now"); err != nil {
		return err
	}
	if a.Desired, err = cleanLongText(a.Desired, MaxSituation, ptr+"/desired"); err != nil {
		return err
	}
	for _, s := range []struct {
		v   int
		ptr string
	}{{a.ScoreNow, "/scoreNow"}, {a.ScoreDesired, "/scoreDesired"}} {
		if s.v != 0 && (s.v < MinScore || s.v > MaxScore) {
			return &Error{Code: EINVALID, Message: "A score must be between 1 and 5.", Pointer: ptr + s.ptr}
		}
	}
	if a.MemberIDs, err = r.cleanMemberIDs(a.MemberIDs, ptr+"/memberIds"); err != nil {
		return err
	}
	return nil
}

func (r *Roadmap) validateStep(s *Step, ptr string) error {
	var err error
	if r.areaIndex(s.AreaID) < 0 {
		return &Error{Code: EINVALID, Message: "The step's area does not exist.", Pointer: ptr + "/areaId"}
	}
	if s.Title, err = cleanText(s.Title, 1, MaxTitle, ptr+"/title"); err != nil {
		return err
	}
	if s.Note, err = cleanLongText(s.Note, MaxNote, ptr+"/note"); err != nil {
		return err
	}
	switch s.Responsible.Kind {
	case ByHousehold:
		s.Responsible.MemberID, s.Responsible.AgencyID = "", ""
	case ByMember:
		s.Responsible.AgencyID = ""
		if r.memberIndex(s.Responsible.MemberID) < 0 {
			return &Error{Code: EINVALID, Message: "The responsible member does not exist.", Pointer: ptr + "/responsible/memberId"}
		}
	case ByAgency:
		s.Responsible.MemberID = ""
		if !ValidID(s.Responsible.AgencyID) {
			return &Error{Code: EINVALID, Message: "The responsible agency id is not valid.", Pointer: ptr + "/responsible/agencyId"}
		}
	default:
		return &Error{Code: EINVALID, Message: "The responsible party must be the household, a member or an agency.", Pointer: ptr + "/responsible/kind"}
	}
	if s.Due != "" {
		// The schema's "format": "date" allows 0000-01-01, but a reminder
		// up to MaxReminderDays before it would fall in year -1, which no
		// RFC 3339 date-time can write (and years before 0001 are not dates
		// in many clients' calendars): from 0001 on, every reminder can be.
		if d, err := time.Parse(time.DateOnly, s.Due); err != nil || d.Year() < 1 {
			return &Error{Code: EINVALID, Message: "The due date must be a date from year 0001 on, like 2026-12-31.", Pointer: ptr + "/due"}
		}
	}
	switch s.Status {
	case Planned, Doing, Done, Dropped:
	default:
		return &Error{Code: EINVALID, Message: "The status must be planned, doing, done or dropped.", Pointer: ptr + "/status"}
	}
	if s.Term != ShortTerm && s.Term != LongTerm {
		return &Error{Code: EINVALID, Message: "The term must be short or long.", Pointer: ptr + "/term"}
	}
	if s.MemberIDs, err = r.cleanMemberIDs(s.MemberIDs, ptr+"/memberIds"); err != nil {
		return err
	}
	return checkReminders(s.Reminders, ptr+"/reminders")
}

func checkReminders(rs []Reminder, ptr string) error {
	if len(rs) > MaxReminders {
		return &Error{Code: EINVALID, Message: "A step can have at most " + strconv.Itoa(MaxReminders) + " reminders.", Pointer: ptr}
	}
	for i, rm := range rs {
		p := ptr + "/" + strconv.Itoa(i)
		if rm.DaysBefore < 0 || rm.DaysBefore > MaxReminderDays {
			return &Error{Code: EINVALID, Message: "A reminder comes 0 to 30 days before the due date.", Pointer: p + "/daysBefore"}
		}
		t, err := time.Parse("15:04", rm.At)
		if err != nil || len(rm.At) != 5 {
			return &Error{Code: EINVALID, Message: "A reminder's time is like 09:00.", Pointer: p + "/at"}
		}
		if t.Hour() < QuietHoursEnd || t.Hour() >= QuietHoursStart {
			return &Error{Code: EINVALID, Message: "Reminders are not sent at night: choose a time from 08:00 to 20:59.", Pointer: p + "/at"}
		}
		if slices.Index(rs, rm) < i {
			return &Error{Code: EINVALID, Message: "The same reminder is listed twice.", Pointer: p}
		}
	}
	return nil
}

func (r *Roadmap) cleanMemberIDs(ids []string, ptr string) ([]string, error) {
	if len(ids) > MaxMembers {
		return nil, &Error{Code: EINVALID, Message: "Too many members.", Pointer: ptr}
	}
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if r.memberIndex(id) < 0 {
			return nil, &Error{Code: EINVALID, Message: "A listed member does not exist.", Pointer: ptr}
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out, nil
}

// cleanText trims a one-line text and checks its length in characters. Control
// characters are refused: they have no place in a name or title and can hide
// text on a printed poster.
func cleanText(s string, minLen, maxLen int, ptr string) (string, error) {
	s = strings.TrimSpace(s)
	n := utf8.RuneCountInString(s)
	if !utf8.ValidString(s) || strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return "", &Error{Code: EINVALID, Message: "The text contains characters that are not allowed.", Pointer: ptr}
	}
	if n < minLen {
		return "", &Error{Code: EINVALID, Message: "This field cannot be empty.", Pointer: ptr}
	}
	if n > maxLen {
		return "", &Error{Code: EINVALID, Message: "The text is too long (at most " + strconv.Itoa(maxLen) + " characters).", Pointer: ptr}
	}
	return s, nil
}

// cleanLongText is cleanText for free text, where line breaks and tabs are
// part of how a family writes.
func cleanLongText(s string, maxLen int, ptr string) (string, error) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) || strings.IndexFunc(s, func(r rune) bool {
		return unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r'
	}) >= 0 {
		return "", &Error{Code: EINVALID, Message: "The text contains characters that are not allowed.", Pointer: ptr}
	}
	if utf8.RuneCountInString(s) > maxLen {
		return "", &Error{Code: EINVALID, Message: "The text is too long (at most " + strconv.Itoa(maxLen) + " characters).", Pointer: ptr}
	}
	return s, nil
}
