package api

import (
	"time"

	"github.com/veikart/veikart/backend/veikart"
)

// Wire types of agencies, consent, comments, proposals and the access log.

type agencyJSON struct {
	ID     string      `json:"id"`
	Kind   string      `json:"kind"`
	Name   string      `json:"name"`
	Region string      `json:"region"`
	Staff  []staffJSON `json:"staff,omitempty"` // administrators and operators only
	// RequireSignIn is the sign-in method people acting for the agency must use.
	RequireSignIn string    `json:"requireSignIn,omitempty"`
	CreatedAt     time.Time `json:"createdAt"`
	Version       int64     `json:"version"`
}

type staffJSON struct {
	UserID  string    `json:"userId"`
	Name    string    `json:"name,omitempty"`
	Roles   []string  `json:"roles"`
	AddedAt time.Time `json:"addedAt"`
}

type agencyListJSON struct {
	Items []agencyJSON `json:"items"`
}

func toAgencyJSON(a *veikart.Agency, withStaff bool) agencyJSON {
	out := agencyJSON{ID: a.ID, Kind: string(a.Kind), Name: a.Name, Region: a.Region, CreatedAt: a.CreatedAt, Version: a.Version, RequireSignIn: a.RequireSignIn}
	if withStaff {
		out.Staff = make([]staffJSON, len(a.Staff))
		for i, s := range a.Staff {
			out.Staff[i] = staffJSON{UserID: s.UserID, Roles: rolesToStrings(s.Roles), AddedAt: s.AddedAt}
		}
	}
	return out
}

func rolesToStrings(rs []veikart.AgencyRole) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return out
}

type createAgencyRequest struct {
	ID     string `json:"id,omitempty"`
	Kind   string `json:"kind"`
	Name   string `json:"name"`
	Region string `json:"region"`
}

type staffRequest struct {
	Roles []string `json:"roles"`
}

type actRequest struct {
	RefreshToken string `json:"refreshToken"`
	AgencyID     string `json:"agencyId,omitempty"` // "" or absent: act for yourself
}

type membershipJSON struct {
	AgencyID string   `json:"agencyId"`
	Name     string   `json:"name"`
	Kind     string   `json:"kind"`
	Roles    []string `json:"roles"`
}

type meJSON struct {
	ID        string           `json:"id"`
	Name      string           `json:"name"`
	ActingFor string           `json:"actingFor,omitempty"`
	Agencies  []membershipJSON `json:"agencies"`
	// RecoverableByAgency says the account's only way in is a passkey, so
	// an agency the person chooses may help them back in after a lost
	// phone (the sharing form offers the choice only then).
	RecoverableByAgency bool `json:"recoverableByAgency,omitempty"`
	// Recovery is a recovery of the account that is waiting to take
	// effect, which the person can stop.
	Recovery *pendingRecoveryJSON `json:"recovery,omitempty"`
	// OwnSayAge is the age from which a young member has their own say
	// (the service's setting); left out of the export, which is the
	// person's data.
	OwnSayAge int `json:"ownSayAge,omitempty"`
}

type grantJSON struct {
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
}

type grantListJSON struct {
	Items []grantJSON `json:"items"`
}

func sectionsToStrings(ss []veikart.Section) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return out
}

func permsToStrings(ps []veikart.Permission) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = string(p)
	}
	return out
}

func toSections(ss []string) []veikart.Section {
	if ss == nil {
		return nil
	}
	out := make([]veikart.Section, len(ss))
	for i, s := range ss {
		out[i] = veikart.Section(s)
	}
	return out
}

func toPermissions(ps []string) []veikart.Permission {
	if ps == nil {
		return nil
	}
	out := make([]veikart.Permission, len(ps))
	for i, p := range ps {
		out[i] = veikart.Permission(p)
	}
	return out
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func toGrantJSON(g veikart.Grant, now time.Time) grantJSON {
	status := string(g.Status)
	switch {
	case g.ScheduledAt(now):
		status = "scheduled"
	case g.Status == veikart.GrantActive && !g.ActiveAt(now):
		status = "expired"
	}
	return grantJSON{
		ID: g.ID, AgencyID: g.AgencyID, Sections: sectionsToStrings(g.Sections), Permissions: permsToStrings(g.Permissions),
		Purpose: g.Purpose, CreatedAt: g.CreatedAt, UpdatedAt: g.UpdatedAt, StartsAt: timePtr(g.StartsAt), ExpiresAt: g.ExpiresAt, Status: status,
		RevokedAt: timePtr(g.RevokedAt), Via: g.Via,
	}
}

type createGrantRequest struct {
	AgencyID    string    `json:"agencyId"`
	Sections    []string  `json:"sections"`
	Permissions []string  `json:"permissions"`
	Purpose     string    `json:"purpose"`
	ExpiresAt   time.Time `json:"expiresAt"`
	Recovery    bool      `json:"recovery"`
}

// previewRequest is the body of POST /roadmaps/{id}/preview.
type previewRequest struct {
	AgencyID    string   `json:"agencyId"`
	Sections    []string `json:"sections"`
	Permissions []string `json:"permissions"`
}

type updateGrantRequest struct {
	Sections    []string   `json:"sections,omitempty"`
	Permissions []string   `json:"permissions,omitempty"`
	Purpose     *string    `json:"purpose,omitempty"`
	ExpiresAt   *time.Time `json:"expiresAt,omitempty"`
	Recovery    *bool      `json:"recovery,omitempty"`
}

type accessRequestJSON struct {
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

type accessRequestListJSON struct {
	Items []accessRequestJSON `json:"items"`
}

func toAccessRequestJSON(q veikart.AccessRequest) accessRequestJSON {
	return accessRequestJSON{
		ID: q.ID, AgencyID: q.AgencyID, RequestedBy: q.RequestedBy, Sections: sectionsToStrings(q.Sections),
		Permissions: permsToStrings(q.Permissions), Purpose: q.Purpose, CreatedAt: q.CreatedAt, Status: string(q.Status),
		DecidedAt: timePtr(q.DecidedAt), GrantID: q.GrantID,
	}
}

type createAccessRequest struct {
	Sections    []string `json:"sections"`
	Permissions []string `json:"permissions"`
	Purpose     string   `json:"purpose"`
}

type approveRequest struct {
	ExpiresAt   time.Time `json:"expiresAt"`
	Sections    []string  `json:"sections,omitempty"`
	Permissions []string  `json:"permissions,omitempty"`
	Purpose     string    `json:"purpose,omitempty"`
}

type createInvitationRequest struct {
	Kind           string     `json:"kind"`
	Sections       []string   `json:"sections,omitempty"`
	Permissions    []string   `json:"permissions,omitempty"`
	Purpose        string     `json:"purpose,omitempty"`
	GrantExpiresAt *time.Time `json:"grantExpiresAt,omitempty"`
	MemberID       string     `json:"memberId,omitempty"`
	ValidMinutes   int        `json:"validMinutes,omitempty"`
}

type invitationJSON struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	Code      string    `json:"code"`
	URL       string    `json:"url"`
	QR        string    `json:"qr"`
	ExpiresAt time.Time `json:"expiresAt"`
}

type acceptInvitationRequest struct {
	Code string `json:"code"`
}

type acceptedInvitationJSON struct {
	RoadmapID string `json:"roadmapId"`
	Kind      string `json:"kind"`
	GrantID   string `json:"grantId,omitempty"`
}

type commentJSON struct {
	ID      string `json:"id"`
	Section string `json:"section"`
	StepID  string `json:"stepId,omitempty"`
	// UserID is absent from an agency's view of what the household wrote.
	UserID    string    `json:"userId,omitempty"`
	AgencyID  string    `json:"agencyId,omitempty"`
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"createdAt"`
}

func toCommentJSON(c veikart.Comment) commentJSON {
	return commentJSON{ID: c.ID, Section: string(c.Section), StepID: c.StepID, UserID: c.UserID, AgencyID: c.AgencyID, Text: c.Text, CreatedAt: c.CreatedAt}
}

type createCommentRequest struct {
	ID      string `json:"id,omitempty"`
	Section string `json:"section"`
	StepID  string `json:"stepId,omitempty"`
	Text    string `json:"text"`
}

type proposalJSON struct {
	ID        string     `json:"id"`
	AgencyID  string     `json:"agencyId"`
	UserID    string     `json:"userId"`
	Step      stepJSON   `json:"step"`
	Status    string     `json:"status"`
	CreatedAt time.Time  `json:"createdAt"`
	DecidedAt *time.Time `json:"decidedAt,omitempty"`
	StepID    string     `json:"stepId,omitempty"`
}

func toProposalJSON(p veikart.Proposal) proposalJSON {
	return proposalJSON{
		ID: p.ID, AgencyID: p.AgencyID, UserID: p.UserID, Step: toStepJSON(p.Step), Status: string(p.Status),
		CreatedAt: p.CreatedAt, DecidedAt: timePtr(p.DecidedAt), StepID: p.StepID,
	}
}

type createProposalRequest struct {
	ID   string         `json:"id,omitempty"`
	Step proposedStepJS `json:"step"`
}

type proposedStepJS struct {
	AreaID      string           `json:"areaId"`
	Title       string           `json:"title"`
	Note        string           `json:"note,omitempty"`
	Due         string           `json:"due,omitempty"`
	Term        string           `json:"term"`
	Responsible *responsibleJSON `json:"responsible,omitempty"`
}

type receiptJSON struct {
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
}

type receiptListJSON struct {
	Items []receiptJSON `json:"items"`
}

func toReceiptJSON(r veikart.Receipt) receiptJSON {
	return receiptJSON{
		ID: r.ID, Kind: string(r.Kind), At: r.At, By: r.By, GrantID: r.GrantID, AgencyID: r.AgencyID,
		Sections: sectionsToStrings(r.Sections), Permissions: permsToStrings(r.Permissions), Purpose: r.Purpose,
		StartsAt: timePtr(r.StartsAt), ExpiresAt: timePtr(r.ExpiresAt),
	}
}

type auditEventJSON struct {
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
}

type accessLogJSON struct {
	Items []auditEventJSON `json:"items"`
	Next  string           `json:"next,omitempty"`
}

func toAuditEventJSON(e veikart.AuditEvent) auditEventJSON {
	return auditEventJSON{
		ID: e.ID, At: e.At, UserID: e.UserID, AgencyID: e.AgencyID, Role: e.Role, Action: string(e.Action),
		Sections: sectionsToStrings(e.Sections), Ref: e.Ref, Name: e.Name,
	}
}

// accessJSON tells a caseworker what their agency was granted, inside the
// roadmap they read.
type accessJSON struct {
	Role        string     `json:"role"`
	AgencyID    string     `json:"agencyId,omitempty"`
	Sections    []string   `json:"sections"`
	Permissions []string   `json:"permissions"`
	ExpiresAt   *time.Time `json:"expiresAt,omitempty"`
	Purpose     string     `json:"purpose,omitempty"`
	// MemberID is, for a member, the household member they are.
	MemberID string `json:"memberId,omitempty"`
}

type sharedItemJSON struct {
	RoadmapID string     `json:"roadmapId"`
	Title     string     `json:"title"`
	Version   int64      `json:"version"`
	UpdatedAt time.Time  `json:"updatedAt"`
	Access    accessJSON `json:"access"`
	// Counts of what the agency can see, never of the whole roadmap.
	AreaCount    int `json:"areaCount"`
	StepCount    int `json:"stepCount"`
	CommentCount int `json:"commentCount"`
}

type sharedListJSON struct {
	Items []sharedItemJSON `json:"items"`
	// Notices are of roadmaps shared with the agency that their owners
	// deleted (erase.go).
	Notices []noticeJSON `json:"notices,omitempty"`
}
