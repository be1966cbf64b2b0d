package wire

import (
	"encoding/json"
	"net/url"
	"strings"
	"time"

	"github.com/veikart/veikart/backend/passkey"
	"github.com/veikart/veikart/backend/veikart"
)

type PushKey struct {
	PublicKey string `json:"publicKey"`
}

type PushSubscription struct {
	ID           string    `json:"id"`
	EndpointHost string    `json:"endpointHost"`
	CreatedAt    time.Time `json:"createdAt"`
	UserAgent    string    `json:"userAgent"`
}

type PushSubscriptionList struct {
	Items []PushSubscription `json:"items"`
}

type PushSubscriptionRequest struct {
	Endpoint string `json:"endpoint"`
	Keys     struct {
		P256dh string `json:"p256dh"`
		Auth   string `json:"auth"`
	} `json:"keys"`
	ExpirationTime *float64 `json:"expirationTime"` // accepted, ignored
}

// ToPushSubscription shows a subscription without its secrets: only the
// push service's host name, so a person can tell their devices apart.
func ToPushSubscription(p veikart.PushSubscription) PushSubscription {
	return PushSubscription{ID: p.ID, EndpointHost: EndpointHost(p.Endpoint), CreatedAt: p.CreatedAt, UserAgent: p.UserAgent}
}

func EndpointHost(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil || u.Hostname() == "" {
		return "unknown"
	}
	return strings.ToLower(u.Hostname())
}

type Session struct {
	ID         string    `json:"id"`
	Method     string    `json:"method"`
	Device     string    `json:"device"`
	CreatedAt  time.Time `json:"createdAt"`
	LastUsedAt time.Time `json:"lastUsedAt"`
	ActingFor  string    `json:"actingFor,omitempty"`
	Current    bool      `json:"current"`
}

type SessionList struct {
	Items []Session `json:"items"`
}

type RecoveryPerson struct {
	Key  string `json:"key"`
	Name string `json:"name"`
}

type RecoveryPeople struct {
	Items []RecoveryPerson `json:"items"`
}

type PendingRecovery struct {
	AgencyID       string    `json:"agencyId"`
	AgencyName     string    `json:"agencyName,omitempty"`
	CaseworkerName string    `json:"caseworkerName,omitempty"`
	StartedAt      time.Time `json:"startedAt"`
	EffectiveAt    time.Time `json:"effectiveAt"`
}

// RecoveryWaiting answers the new phone: registered, and when it may
// sign in.
type RecoveryWaiting struct {
	Status      string    `json:"status"` // always "waiting"
	Name        string    `json:"name"`
	EffectiveAt time.Time `json:"effectiveAt"`
}

type SecurityLog struct {
	Items []SecurityEvent `json:"items"`
	Next  string          `json:"next,omitempty"`
}

// AgencyRecovery is one recovery code an agency's caseworker made.
type AgencyRecovery struct {
	ID             string    `json:"id"`
	At             time.Time `json:"at"`
	CaseworkerID   string    `json:"caseworkerId"`
	CaseworkerName string    `json:"caseworkerName,omitempty"`
	PersonName     string    `json:"personName,omitempty"`
}

type AgencyRecoveryList struct {
	Items []AgencyRecovery `json:"items"`
	Next  string           `json:"next,omitempty"`
}

type ExchangeRequest struct {
	Code string `json:"code"`
}

type Methods struct {
	IDPorten bool `json:"idporten"`
	Passkey  bool `json:"passkey"`
	Dev      bool `json:"dev"`
}

type CreateEnrolmentRequest struct {
	Name string `json:"name"`
	// RoadmapID and PersonKey name the person to recover: an owner of a
	// roadmap shared with the agency, by the agency's own key for them
	// (GET /roadmaps/{id}/recovery-people).
	RoadmapID string `json:"roadmapId"`
	PersonKey string `json:"personKey"`
}

type Enrolment struct {
	Kind      string    `json:"kind"` // "new" or "recovery"
	Code      string    `json:"code"`
	URL       string    `json:"url"`
	QR        string    `json:"qr"`
	ExpiresAt time.Time `json:"expiresAt"`
	Name      string    `json:"name,omitempty"`
}

type EnrolBeginRequest struct {
	Code string `json:"code"`
}

type EnrolFinishRequest struct {
	Code       string          `json:"code"`
	CeremonyID string          `json:"ceremonyId"`
	Credential json.RawMessage `json:"credential"`
	Name       string          `json:"name"`
	Label      string          `json:"label"`
}

type PasskeyFinishRequest struct {
	CeremonyID string          `json:"ceremonyId"`
	Credential json.RawMessage `json:"credential"`
	Label      string          `json:"label"`
}

type LoginFinishRequest struct {
	CeremonyID string          `json:"ceremonyId"`
	Credential json.RawMessage `json:"credential"`
}

type CreationOptions struct {
	CeremonyID string                   `json:"ceremonyId"`
	ExpiresAt  time.Time                `json:"expiresAt"`
	Kind       string                   `json:"kind,omitempty"` // enrolment only
	Name       string                   `json:"name,omitempty"` // enrolment only
	PublicKey  *passkey.CreationOptions `json:"publicKey"`
}

type RequestOptions struct {
	CeremonyID string                  `json:"ceremonyId"`
	ExpiresAt  time.Time               `json:"expiresAt"`
	PublicKey  *passkey.RequestOptions `json:"publicKey"`
}

type Passkey struct {
	ID         string     `json:"id"`
	Label      string     `json:"label"`
	CreatedAt  time.Time  `json:"createdAt"`
	LastUsedAt *time.Time `json:"lastUsedAt,omitempty"`
}

type PasskeyList struct {
	Items []Passkey `json:"items"`
}

func ToPasskey(p veikart.Passkey) Passkey {
	out := Passkey{ID: p.ID, Label: p.Name, CreatedAt: p.CreatedAt}
	if !p.LastUsedAt.IsZero() {
		out.LastUsedAt = &p.LastUsedAt
	}
	return out
}

type RequireSignInRequest struct {
	Require string `json:"require"`
}

// EraseAccountRequest is the body of DELETE /me. Confirm must be the exact
// phrase: a client cannot erase an account by sending an empty DELETE by
// mistake, and the app asks the person to type a word first.
type EraseAccountRequest struct {
	Confirm string `json:"confirm"`
}

// Notice tells a caseworker that a roadmap shared with their agency was
// deleted by its owners: when, and when the agency's grant was made. Nothing
// else: the roadmap and the people in it are erased.
type Notice struct {
	ID             string `json:"id"`
	DeletedOn      string `json:"deletedOn"`
	GrantCreatedOn string `json:"grantCreatedOn"`
}

// ReapplyRequest is the body of POST /admin/erasures: erasure hashes from the
// server log (household.ErasureHash), as lowercase hex.
type ReapplyRequest struct {
	Hashes []string `json:"hashes"`
}

type Reapply struct {
	Roadmaps int `json:"roadmaps"`
	Accounts int `json:"accounts"`
}

type Export struct {
	Format            string               `json:"format"`
	Version           int                  `json:"version"`
	ExportedAt        time.Time            `json:"exportedAt"`
	Profile           Me                   `json:"profile"`
	Roadmaps          []ExportedRoadmap    `json:"roadmaps"`
	MemberOf          []Roadmap            `json:"memberOf"`
	Helping           []Helping            `json:"helping,omitempty"`
	MemberSays        []MemberOwnSay       `json:"memberSays,omitempty"`
	MemberReadings    []MemberReadings     `json:"memberReadings,omitempty"`
	Sessions          SessionList          `json:"sessions"`
	Passkeys          PasskeyList          `json:"passkeys"`
	PushSubscriptions PushSubscriptionList `json:"pushSubscriptions"`
	SecurityLog       []SecurityEvent      `json:"securityLog"`
	// CalendarFeed says whether the person has a calendar feed; never
	// its address.
	CalendarFeed CalendarFeed `json:"calendarFeed"`
	// WorkCalendarFeeds are the caseworker's feeds, one per agency; never
	// their addresses.
	WorkCalendarFeeds []CalendarFeed `json:"workCalendarFeeds,omitempty"`
}

type ExportedRoadmap struct {
	Roadmap        Roadmap            `json:"roadmap"`
	Grants         []Grant            `json:"grants"`
	AccessRequests []AccessRequest    `json:"accessRequests"`
	Invitations    []ExportInvitation `json:"invitations"`
	Receipts       []Receipt          `json:"receipts"`
	AccessLog      []AuditEvent       `json:"accessLog"`
	Meetings       []Meeting          `json:"meetings"`
	Helpers        []Helper           `json:"helpers,omitempty"`
	Says           []OwnSay           `json:"says,omitempty"`
	// Conversations are the household's messages with agencies.
	Conversations []ExportedConversation `json:"conversations"`
	// ReviewRhythm and Reviews are the household's reviews (reviews.go).
	ReviewRhythm *ReviewRhythm `json:"reviewRhythm,omitempty"`
	Reviews      []Review      `json:"reviews,omitempty"`
	// Readings are its check-ins, every one, oldest first.
	Readings []Reading `json:"readings,omitempty"`
}

// ExportInvitation is an invitation as the owners made it, without its
// code's hash: the code is a secret and the export may be stored anywhere.
type ExportInvitation struct {
	ID             string     `json:"id"`
	Kind           string     `json:"kind"`
	CreatedAt      time.Time  `json:"createdAt"`
	ExpiresAt      time.Time  `json:"expiresAt"`
	Sections       []string   `json:"sections"`
	Permissions    []string   `json:"permissions"`
	Purpose        string     `json:"purpose,omitempty"`
	GrantExpiresAt *time.Time `json:"grantExpiresAt,omitempty"`
	MemberID       string     `json:"memberId,omitempty"`
	UsedAt         *time.Time `json:"usedAt,omitempty"`
	UsedByAgency   string     `json:"usedByAgency,omitempty"`
}

// SecurityEvent is one entry of a person's own security log.
type SecurityEvent struct {
	ID        string    `json:"id"`
	At        time.Time `json:"at"`
	Action    string    `json:"action"`
	Method    string    `json:"method,omitempty"`
	SessionID string    `json:"sessionId,omitempty"`
	// AgencyID, AgencyName and Name (the caseworker's) are for the
	// recovery events, which say who helped by name.
	AgencyID   string `json:"agencyId,omitempty"`
	AgencyName string `json:"agencyName,omitempty"`
	Name       string `json:"name,omitempty"`
}

func ToSecurityEvent(e veikart.AuditEvent) SecurityEvent {
	out := SecurityEvent{ID: e.ID, At: e.At, Action: string(e.Action), AgencyID: e.AgencyID, Name: e.Name}
	switch e.Action {
	case veikart.AuditSignIn, veikart.AuditSignOut, veikart.AuditSignInFailed:
		out.Method, out.SessionID = e.Role, e.Ref
	case veikart.AuditPasskeyAdded, veikart.AuditPasskeyRemoved, veikart.AuditRecovered:
		out.Method = e.Role
	}
	return out
}

func ToExportInvitation(n veikart.Invitation) ExportInvitation {
	return ExportInvitation{
		ID: n.ID, Kind: string(n.Kind), CreatedAt: n.CreatedAt, ExpiresAt: n.ExpiresAt,
		Sections: SectionsToStrings(n.Sections), Permissions: PermsToStrings(n.Permissions), Purpose: n.Purpose,
		GrantExpiresAt: TimePtr(n.GrantExpiresAt), MemberID: n.MemberID, UsedAt: TimePtr(n.UsedAt), UsedByAgency: n.UsedByAgency,
	}
}

// Memberships renders the agencies a person works for, with their roles.
func Memberships(as []*veikart.Agency, userID string) []Membership {
	return List(as, func(a *veikart.Agency) Membership {
		return Membership{AgencyID: a.ID, Name: a.Name, Kind: string(a.Kind), Roles: RolesToStrings(a.Roles(userID))}
	})
}
