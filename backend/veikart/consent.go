package veikart

import (
	"slices"
	"strings"
	"time"
)

// Consent: what a household lets an agency see and do, and the record of it.
//
// A roadmap is divided into sections. An owner grants one agency a set of
// sections with a set of permissions, for a purpose, until a date. Grants live
// inside the roadmap document, so a change of consent and the roadmap it
// governs are read and written together: there is no moment at which one is
// new and the other old.

// Limits of the consent records a roadmap holds.
const (
	MaxPurpose       = 500
	MaxComment       = 2000
	MaxGrants        = 50 // agencies with a grant at one time
	MaxOpenRequests  = 20 // pending access requests
	MaxComments      = 2000
	MaxProposals     = 500
	MaxReceipts      = 1000 // oldest dropped beyond this; the access log keeps the rest
	MaxOpenInvites   = 10
	DefaultGrantMax  = 365 * 24 * time.Hour
	InvitationTTL    = 10 * time.Minute
	MaxInvitationTTL = 30 * time.Minute
)

// Section names a part of a roadmap that can be granted:
//
//	household       the household list (members)
//	area:<areaId>   one area's present and desired situation and scores
//	steps:<areaId>  the steps of one area
type Section string

// SectionHousehold is the household list.
const SectionHousehold Section = "household"

const (
	areaPrefix  = "area:"
	stepsPrefix = "steps:"
)

// AreaSection is the section of an area's texts and scores.
func AreaSection(areaID string) Section { return Section(areaPrefix + areaID) }

// StepsSection is the section of an area's steps.
func StepsSection(areaID string) Section { return Section(stepsPrefix + areaID) }

// IsAreaOf reports whether s is AreaSection(areaID), without building that
// name: access checks ask this for every area of every roadmap listed.
func (s Section) IsAreaOf(areaID string) bool { return s.is(areaPrefix, areaID) }

// IsStepsOf reports whether s is StepsSection(areaID), without building it.
func (s Section) IsStepsOf(areaID string) bool { return s.is(stepsPrefix, areaID) }

func (s Section) is(prefix, id string) bool {
	return len(s) == len(prefix)+len(id) && strings.HasPrefix(string(s), prefix) && strings.HasSuffix(string(s), id)
}

// AreaID returns the area a section belongs to, and "" for the household.
func (s Section) AreaID() string {
	if a, ok := strings.CutPrefix(string(s), "area:"); ok {
		return a
	}
	if a, ok := strings.CutPrefix(string(s), "steps:"); ok {
		return a
	}
	return ""
}

// IsSteps reports whether s is a steps section.
func (s Section) IsSteps() bool { return strings.HasPrefix(string(s), stepsPrefix) }

// Sections returns every section r has, in display order.
func (r *Roadmap) Sections() []Section {
	out := make([]Section, 0, 1+2*len(r.Areas))
	out = append(out, SectionHousehold)
	for _, a := range r.Areas {
		out = append(out, AreaSection(a.ID), StepsSection(a.ID))
	}
	return out
}

// HasSection reports whether s names a section that exists in r.
func (r *Roadmap) HasSection(s Section) bool {
	if s == SectionHousehold {
		return true
	}
	a := s.AreaID()
	return a != "" && (strings.HasPrefix(string(s), areaPrefix) || s.IsSteps()) && r.areaIndex(a) >= 0
}

// Permission is what a grant lets an agency do with its sections.
type Permission string

// Permissions. View is part of every grant; the others add to it.
const (
	View      Permission = "view"
	CommentOn Permission = "comment" // write comments on the granted sections
	Propose   Permission = "propose" // propose steps in granted steps sections
	// Messaging lets the agency's caseworkers write with the household in
	// one conversation (messages.go). It needs no section.
	Messaging Permission = "message"
)

// ValidPermission reports whether p is a permission that exists.
func ValidPermission(p Permission) bool {
	return p == View || p == CommentOn || p == Propose || p == SeeTeam || p == Messaging
}

// GrantStatus is where a grant stands. Expiry is not a status: it is decided
// against the clock at every request (see Grant.ActiveAt).
type GrantStatus string

// Grant statuses.
const (
	GrantActive  GrantStatus = "active"
	GrantRevoked GrantStatus = "revoked"
)

// Grant is an owner's consent that one agency may act on chosen sections.
type Grant struct {
	ID          string
	AgencyID    string
	Sections    []Section
	Permissions []Permission
	Purpose     string
	CreatedAt   time.Time
	CreatedBy   string // owner's user id
	UpdatedAt   time.Time
	// StartsAt is when a grant planned ahead (a transition's) comes into
	// force; zero for a grant in force from the moment it is given.
	StartsAt  time.Time
	ExpiresAt time.Time
	Status    GrantStatus
	RevokedAt time.Time
	RevokedBy string
	// Via says how the grant came about: "owner", "request:<id>",
	// "invitation:<id>" or "transition:<id>".
	Via string
	// RecoveryFor are the owners who let this agency help them back into
	// their account after a lost phone, each by their own choice (see
	// HelpsRecover in recovery.go). Empty by default.
	RecoveryFor []string
	// Contact is the person the agency named as the household's contact
	// (team.go); zero until it does.
	Contact Contact
}

// ActiveAt reports whether the grant is in force at now. Like expiry, a
// planned start is decided against the clock at every request: nothing has
// to run for a grant to open or close on its dates.
func (g *Grant) ActiveAt(now time.Time) bool {
	return g.Status == GrantActive && !now.Before(g.StartsAt) && now.Before(g.ExpiresAt)
}

// ScheduledAt reports whether the grant is given but not yet in force at now.
func (g *Grant) ScheduledAt(now time.Time) bool {
	return g.Status == GrantActive && now.Before(g.StartsAt)
}

// overlaps reports whether g, unrevoked, is or will be in force at some
// moment of [from, to).
func (g *Grant) overlaps(from, to time.Time) bool {
	return g.Status == GrantActive && g.StartsAt.Before(to) && from.Before(g.ExpiresAt)
}

// Allows reports whether the grant gives permission p on section s. It does
// not look at the clock; callers check ActiveAt first.
func (g *Grant) Allows(p Permission, s Section) bool {
	return slices.Contains(g.Permissions, p) && slices.Contains(g.Sections, s)
}

// RequestStatus is where an access request stands.
type RequestStatus string

// Access request statuses.
const (
	RequestPending  RequestStatus = "pending"
	RequestApproved RequestStatus = "approved"
	RequestDeclined RequestStatus = "declined"
)

// AccessRequest is an agency asking for access. Nothing is visible to it
// until an owner approves.
type AccessRequest struct {
	ID          string
	AgencyID    string
	RequestedBy string // caseworker's user id
	Sections    []Section
	Permissions []Permission
	Purpose     string
	CreatedAt   time.Time
	Status      RequestStatus
	DecidedAt   time.Time
	DecidedBy   string
	GrantID     string // when approved
}

// InvitationKind is what accepting an invitation gives.
type InvitationKind string

// Invitation kinds.
const (
	InviteAgency InvitationKind = "agency" // a grant to the accepting caseworker's agency
	InviteOwner  InvitationKind = "owner"  // the accepting person becomes an owner
	InviteMember InvitationKind = "member" // links a household member to the accepting person
)

// Invitation is a one-time code an owner shows (as a link or QR code) for a
// caseworker or a co-owner to accept within minutes. Only a hash of the code
// is kept.
type Invitation struct {
	ID             string
	Kind           InvitationKind
	CodeHash       string
	CreatedBy      string
	CreatedAt      time.Time
	ExpiresAt      time.Time // of the invitation itself: minutes
	Sections       []Section // agency invitations
	Permissions    []Permission
	Purpose        string
	GrantExpiresAt time.Time // of the grant it creates
	MemberID       string    // member invitations
	UsedAt         time.Time
	UsedBy         string
	UsedByAgency   string
	HelperID       string // trusted and interpreter invitations (helpers.go)
}

// Comment is a remark on a section, by an owner or a caseworker.
type Comment struct {
	ID        string
	Section   Section
	StepID    string // optional: the step the comment is about
	UserID    string
	AgencyID  string // "" when an owner wrote it
	Text      string
	CreatedAt time.Time
}

// ProposalStatus is where a proposed step stands.
type ProposalStatus string

// Proposal statuses.
const (
	ProposalPending  ProposalStatus = "pending"
	ProposalAccepted ProposalStatus = "accepted"
	ProposalRejected ProposalStatus = "rejected"
)

// Proposal is a step an agency suggests. Nothing is added to the roadmap
// until an owner accepts it.
type Proposal struct {
	ID        string
	AgencyID  string
	UserID    string
	Step      Step // AreaID, Title, Note, Due, Term, Responsible
	Status    ProposalStatus
	CreatedAt time.Time
	DecidedAt time.Time
	DecidedBy string
	StepID    string // the step created on acceptance
}

// ReceiptKind is the consent event a receipt records.
type ReceiptKind string

// Receipt kinds.
const (
	ReceiptGranted  ReceiptKind = "granted"
	ReceiptChanged  ReceiptKind = "changed"
	ReceiptRevoked  ReceiptKind = "revoked"
	ReceiptDeclined ReceiptKind = "declined"
	ReceiptOwner    ReceiptKind = "owner-added"
)

// Receipt is the household's record of one consent decision: what was
// granted, to whom, why and until when, as it stood right after the decision.
type Receipt struct {
	ID          string
	Kind        ReceiptKind
	At          time.Time
	By          string // user id of the owner (or, for an invitation, the acceptor)
	GrantID     string
	AgencyID    string
	Sections    []Section
	Permissions []Permission
	Purpose     string
	StartsAt    time.Time // zero: at once
	ExpiresAt   time.Time
	// For a helper's receipt (helpers.go): whom, of what kind, and
	// whether they may write.
	HelperID    string
	HelperKind  HelperKind
	HelperName  string
	HelperWrite bool
	// MemberID is, for a member joining or saying yes or no, that member.
	MemberID string
}

// Grant returns the grant with the given id.
func (r *Roadmap) Grant(id string) (Grant, bool) {
	for _, g := range r.Grants {
		if g.ID == id {
			return g, true
		}
	}
	return Grant{}, false
}

// ActiveGrant returns the grant in force for agencyID at now, if any. There is
// at most one active grant per agency: grants of one agency never overlap in
// time (see overlapping).
func (r *Roadmap) ActiveGrant(agencyID string, now time.Time) (Grant, bool) {
	for _, g := range r.Grants {
		if g.AgencyID == agencyID && g.ActiveAt(now) {
			return g, true
		}
	}
	return Grant{}, false
}

// overlapping returns the unrevoked grant of agencyID, other than exceptID,
// that is or will be in force at some moment of [from, to).
func (r *Roadmap) overlapping(agencyID, exceptID string, from, to time.Time) (Grant, bool) {
	for _, g := range r.Grants {
		if g.AgencyID == agencyID && g.ID != exceptID && g.overlaps(from, to) {
			return g, true
		}
	}
	return Grant{}, false
}
