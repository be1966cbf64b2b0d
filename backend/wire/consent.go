package wire

import (
	"time"

	"github.com/veikart/veikart/backend/veikart"
)

type Agency struct {
	ID     string  `json:"id"`
	Kind   string  `json:"kind"`
	Name   string  `json:"name"`
	Region string  `json:"region"`
	Staff  []Staff `json:"staff,omitempty"` // administrators and operators only
	// RequireSignIn is the sign-in method people acting for the agency must use.
	RequireSignIn string    `json:"requireSignIn,omitempty"`
	CreatedAt     time.Time `json:"createdAt"`
	Version       int64     `json:"version"`
}

type Staff struct {
	UserID  string    `json:"userId"`
	Name    string    `json:"name,omitempty"`
	Roles   []string  `json:"roles"`
	AddedAt time.Time `json:"addedAt"`
}

type AgencyList struct {
	Items []Agency `json:"items"`
}

func ToAgency(a *veikart.Agency, withStaff bool) Agency {
	out := Agency{ID: a.ID, Kind: string(a.Kind), Name: a.Name, Region: a.Region, CreatedAt: a.CreatedAt, Version: a.Version, RequireSignIn: a.RequireSignIn}
	if withStaff {
		out.Staff = make([]Staff, len(a.Staff))
		for i, s := range a.Staff {
			out.Staff[i] = Staff{UserID: s.UserID, Roles: RolesToStrings(s.Roles), AddedAt: s.AddedAt}
		}
	}
	return out
}

func RolesToStrings(rs []veikart.AgencyRole) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return out
}

type CreateAgencyRequest struct {
	ID     string `json:"id,omitempty"`
	Kind   string `json:"kind"`
	Name   string `json:"name"`
	Region string `json:"region"`
}

type StaffRequest struct {
	Roles []string `json:"roles"`
}

type ActRequest struct {
	RefreshToken string `json:"refreshToken"`
	AgencyID     string `json:"agencyId,omitempty"` // "" or absent: act for yourself
}

type Membership struct {
	AgencyID string   `json:"agencyId"`
	Name     string   `json:"name"`
	Kind     string   `json:"kind"`
	Roles    []string `json:"roles"`
}

type Me struct {
	ID        string       `json:"id"`
	Name      string       `json:"name"`
	ActingFor string       `json:"actingFor,omitempty"`
	Agencies  []Membership `json:"agencies"`
	// RecoverableByAgency says the account's only way in is a passkey, so
	// an agency the person chooses may help them back in after a lost
	// phone (the sharing form offers the choice only then).
	RecoverableByAgency bool `json:"recoverableByAgency,omitempty"`
	// Recovery is a recovery of the account that is waiting to take
	// effect, which the person can stop.
	Recovery *PendingRecovery `json:"recovery,omitempty"`
	// OwnSayAge is the age from which a young member has their own say
	// (the service's setting); left out of the export, which is the
	// person's data.
	OwnSayAge int `json:"ownSayAge,omitempty"`
	// TimeZone is the households' time zone (the service's setting,
	// VEIKART_TIMEZONE): the app counts "today" there, as the server does,
	// whatever the phone's own zone. Left out of the export too.
	TimeZone string `json:"timeZone,omitempty"`
}

type Grant struct {
	ID          string    `json:"id"`
	AgencyID    string    `json:"agencyId"`
	AgencyName  string    `json:"agencyName,omitempty"`
	Sections    []string  `json:"sections"`
	Permissions []string  `json:"permissions"`
	Purpose     string    `json:"purpose"`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
	// StartsAt is set for a grant planned ahead (a transition's).
	StartsAt  *time.Time `json:"startsAt,omitempty"`
	ExpiresAt time.Time  `json:"expiresAt"`
	// Status is scheduled, active, expired or revoked, as of the response.
	Status    string     `json:"status"`
	RevokedAt *time.Time `json:"revokedAt,omitempty"`
	Via       string     `json:"via"`
	// Recovery says the owner asking lets this agency help them back into
	// their account (each owner chooses for themselves).
	Recovery bool `json:"recovery"`
	// Contact is the person the agency named as the household's contact.
	Contact *Contact `json:"contact,omitempty"`
}

type GrantList struct {
	Items []Grant `json:"items"`
}

func SectionsToStrings(ss []veikart.Section) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return out
}

func PermsToStrings(ps []veikart.Permission) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = string(p)
	}
	return out
}

func ToSections(ss []string) []veikart.Section {
	if ss == nil {
		return nil
	}
	out := make([]veikart.Section, len(ss))
	for i, s := range ss {
		out[i] = veikart.Section(s)
	}
	return out
}

func ToPermissions(ps []string) []veikart.Permission {
	if ps == nil {
		return nil
	}
	out := make([]veikart.Permission, len(ps))
	for i, p := range ps {
		out[i] = veikart.Permission(p)
	}
	return out
}

func TimePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func ToGrant(g veikart.Grant, now time.Time) Grant {
	status := string(g.Status)
	switch {
	case g.ScheduledAt(now):
		status = "scheduled"
	case g.Status == veikart.GrantActive && !g.ActiveAt(now):
		status = "expired"
	}
	return Grant{
		ID: g.ID, AgencyID: g.AgencyID, Sections: SectionsToStrings(g.Sections), Permissions: PermsToStrings(g.Permissions),
		Purpose: g.Purpose, CreatedAt: g.CreatedAt, UpdatedAt: g.UpdatedAt, StartsAt: TimePtr(g.StartsAt), ExpiresAt: g.ExpiresAt, Status: status,
		RevokedAt: TimePtr(g.RevokedAt), Via: g.Via, Contact: ToContact(g.Contact),
	}
}

type CreateGrantRequest struct {
	AgencyID    string    `json:"agencyId"`
	Sections    []string  `json:"sections"`
	Permissions []string  `json:"permissions"`
	Purpose     string    `json:"purpose"`
	ExpiresAt   time.Time `json:"expiresAt"`
	Recovery    bool      `json:"recovery"`
}

// PreviewRequest is the body of POST /roadmaps/{id}/preview.
type PreviewRequest struct {
	AgencyID    string   `json:"agencyId"`
	Sections    []string `json:"sections"`
	Permissions []string `json:"permissions"`
}

type UpdateGrantRequest struct {
	Sections    []string   `json:"sections,omitempty"`
	Permissions []string   `json:"permissions,omitempty"`
	Purpose     *string    `json:"purpose,omitempty"`
	ExpiresAt   *time.Time `json:"expiresAt,omitempty"`
	Recovery    *bool      `json:"recovery,omitempty"`
}

type AccessRequest struct {
	ID          string     `json:"id"`
	AgencyID    string     `json:"agencyId"`
	RequestedBy string     `json:"requestedBy"`
	Sections    []string   `json:"sections"`
	Permissions []string   `json:"permissions"`
	Purpose     string     `json:"purpose"`
	CreatedAt   time.Time  `json:"createdAt"`
	Status      string     `json:"status"`
	DecidedAt   *time.Time `json:"decidedAt,omitempty"`
	GrantID     string     `json:"grantId,omitempty"`
}

type AccessRequestList struct {
	Items []AccessRequest `json:"items"`
}

func ToAccessRequest(q veikart.AccessRequest) AccessRequest {
	return AccessRequest{
		ID: q.ID, AgencyID: q.AgencyID, RequestedBy: q.RequestedBy, Sections: SectionsToStrings(q.Sections),
		Permissions: PermsToStrings(q.Permissions), Purpose: q.Purpose, CreatedAt: q.CreatedAt, Status: string(q.Status),
		DecidedAt: TimePtr(q.DecidedAt), GrantID: q.GrantID,
	}
}

type CreateAccessRequest struct {
	Sections    []string `json:"sections"`
	Permissions []string `json:"permissions"`
	Purpose     string   `json:"purpose"`
}

type ApproveRequest struct {
	ExpiresAt   time.Time `json:"expiresAt"`
	Sections    []string  `json:"sections,omitempty"`
	Permissions []string  `json:"permissions,omitempty"`
	Purpose     string    `json:"purpose,omitempty"`
}

type CreateInvitationRequest struct {
	Kind           string     `json:"kind"`
	Sections       []string   `json:"sections,omitempty"`
	Permissions    []string   `json:"permissions,omitempty"`
	Purpose        string     `json:"purpose,omitempty"`
	GrantExpiresAt *time.Time `json:"grantExpiresAt,omitempty"`
	MemberID       string     `json:"memberId,omitempty"`
	ValidMinutes   int        `json:"validMinutes,omitempty"`
}

type Invitation struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	Code      string    `json:"code"`
	URL       string    `json:"url"`
	QR        string    `json:"qr"`
	ExpiresAt time.Time `json:"expiresAt"`
}

type AcceptInvitationRequest struct {
	Code string `json:"code"`
}

type AcceptedInvitation struct {
	RoadmapID string `json:"roadmapId"`
	Kind      string `json:"kind"`
	GrantID   string `json:"grantId,omitempty"`
	HelperID  string `json:"helperId,omitempty"`
}

type Comment struct {
	ID      string `json:"id"`
	Section string `json:"section"`
	StepID  string `json:"stepId,omitempty"`
	// UserID is absent from an agency's view of what the household wrote.
	UserID    string    `json:"userId,omitempty"`
	AgencyID  string    `json:"agencyId,omitempty"`
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"createdAt"`
}

func ToComment(c veikart.Comment) Comment {
	return Comment{ID: c.ID, Section: string(c.Section), StepID: c.StepID, UserID: c.UserID, AgencyID: c.AgencyID, Text: c.Text, CreatedAt: c.CreatedAt}
}

type CreateCommentRequest struct {
	ID      string `json:"id,omitempty"`
	Section string `json:"section"`
	StepID  string `json:"stepId,omitempty"`
	Text    string `json:"text"`
}

type Proposal struct {
	ID        string     `json:"id"`
	AgencyID  string     `json:"agencyId"`
	UserID    string     `json:"userId"`
	Step      Step       `json:"step"`
	Status    string     `json:"status"`
	CreatedAt time.Time  `json:"createdAt"`
	DecidedAt *time.Time `json:"decidedAt,omitempty"`
	StepID    string     `json:"stepId,omitempty"`
}

func ToProposal(p veikart.Proposal) Proposal {
	return Proposal{
		ID: p.ID, AgencyID: p.AgencyID, UserID: p.UserID, Step: ToStep(p.Step), Status: string(p.Status),
		CreatedAt: p.CreatedAt, DecidedAt: TimePtr(p.DecidedAt), StepID: p.StepID,
	}
}

type CreateProposalRequest struct {
	ID   string       `json:"id,omitempty"`
	Step ProposedStep `json:"step"`
}

type ProposedStep struct {
	AreaID      string       `json:"areaId"`
	Title       string       `json:"title"`
	Note        string       `json:"note,omitempty"`
	Due         string       `json:"due,omitempty"`
	Term        string       `json:"term"`
	Responsible *Responsible `json:"responsible,omitempty"`
}

type Receipt struct {
	ID          string     `json:"id"`
	Kind        string     `json:"kind"`
	At          time.Time  `json:"at"`
	By          string     `json:"by"`
	GrantID     string     `json:"grantId,omitempty"`
	AgencyID    string     `json:"agencyId,omitempty"`
	Sections    []string   `json:"sections"`
	Permissions []string   `json:"permissions"`
	Purpose     string     `json:"purpose,omitempty"`
	StartsAt    *time.Time `json:"startsAt,omitempty"`
	ExpiresAt   *time.Time `json:"expiresAt,omitempty"`
	// A helper's receipt (helpers.go): whom, of what kind, may they write.
	HelperID    string `json:"helperId,omitempty"`
	HelperKind  string `json:"helperKind,omitempty"`
	HelperName  string `json:"helperName,omitempty"`
	HelperWrite *bool  `json:"helperWrite,omitempty"`
	MemberID    string `json:"memberId,omitempty"`
}

type ReceiptList struct {
	Items []Receipt `json:"items"`
}

func ToReceipt(r veikart.Receipt) Receipt {
	out := Receipt{
		ID: r.ID, Kind: string(r.Kind), At: r.At, By: r.By, GrantID: r.GrantID, AgencyID: r.AgencyID,
		Sections: SectionsToStrings(r.Sections), Permissions: PermsToStrings(r.Permissions), Purpose: r.Purpose,
		StartsAt: TimePtr(r.StartsAt), ExpiresAt: TimePtr(r.ExpiresAt), MemberID: r.MemberID,
	}
	if r.HelperID != "" {
		w := r.HelperWrite
		out.HelperID, out.HelperKind, out.HelperName, out.HelperWrite = r.HelperID, string(r.HelperKind), r.HelperName, &w
	}
	return out
}

type AuditEvent struct {
	ID       string    `json:"id"`
	At       time.Time `json:"at"`
	UserID   string    `json:"userId"`
	AgencyID string    `json:"agencyId,omitempty"`
	Role     string    `json:"role"`
	Action   string    `json:"action"`
	Sections []string  `json:"sections"`
	Ref      string    `json:"ref,omitempty"`
	// Name is the caseworker's: the household sees who read, by name.
	Name string `json:"name,omitempty"`
	// Count reads of the same sections within veikart.ReadWindow of At are
	// one entry; LastAt is the last of them.
	Count  int       `json:"count"`
	LastAt time.Time `json:"lastAt"`
}

type AccessLog struct {
	Items []AuditEvent `json:"items"`
	Next  string       `json:"next,omitempty"`
}

func ToAuditEvent(e veikart.AuditEvent) AuditEvent {
	return AuditEvent{
		ID: e.ID, At: e.At, UserID: e.UserID, AgencyID: e.AgencyID, Role: e.Role, Action: string(e.Action),
		Sections: SectionsToStrings(e.Sections), Ref: e.Ref, Name: e.Name,
		Count: max(e.Count, 1), LastAt: lastAt(e),
	}
}

func lastAt(e veikart.AuditEvent) time.Time {
	if e.LastAt.After(e.At) {
		return e.LastAt
	}
	return e.At
}

// Access tells a caseworker what their agency was granted, inside the
// roadmap they read.
type Access struct {
	Role        string     `json:"role"`
	AgencyID    string     `json:"agencyId,omitempty"`
	Sections    []string   `json:"sections"`
	Permissions []string   `json:"permissions"`
	ExpiresAt   *time.Time `json:"expiresAt,omitempty"`
	Purpose     string     `json:"purpose,omitempty"`
	// MemberID is, for a member, the household member they are.
	MemberID string `json:"memberId,omitempty"`
	// Contact is, for a caseworker, the person their agency named as the
	// household's contact.
	Contact *Contact `json:"contact,omitempty"`
	// For a trusted person or an interpreter: the name the family gave
	// them, and whether they may write in Sections (helpers.go).
	Name  string `json:"name,omitempty"`
	Write *bool  `json:"write,omitempty"`
}

type SharedItem struct {
	RoadmapID string    `json:"roadmapId"`
	Title     string    `json:"title"`
	Version   int64     `json:"version"`
	UpdatedAt time.Time `json:"updatedAt"`
	Access    Access    `json:"access"`
	// Counts of what the agency can see, never of the whole roadmap.
	AreaCount    int `json:"areaCount"`
	StepCount    int `json:"stepCount"`
	CommentCount int `json:"commentCount"`
	// PromisesAsked counts the steps given to the agency that wait for its answer.
	PromisesAsked int `json:"promisesAsked,omitempty"`
	// UnreadMessages are the household's messages no caseworker of the
	// agency has read. Always rendered (no omitempty): the API sets it in
	// an item it keeps rendered with 0 (api.listShared).
	UnreadMessages int `json:"unreadMessages"`
}

type SharedList struct {
	Items []SharedItem `json:"items"`
	// Notices are of roadmaps shared with the agency that their owners
	// deleted (erase.go).
	Notices []Notice `json:"notices,omitempty"`
}
