package veikart

import "time"

// User is a person who signs in: a household owner, a member with an account
// of their own, or (later) a caseworker.
type User struct {
	ID        string
	Name      string
	CreatedAt time.Time
	// RoadmapIDs lists the roadmaps the user owns. It is an index for "my
	// roadmaps" kept beside the roadmaps themselves; the roadmap's own owner list
	// is the truth, so a stale entry here never grants anything.
	RoadmapIDs []string
	// AgencyIDs lists the agencies the user works in, an index kept like
	// RoadmapIDs; each agency's staff list is the truth.
	AgencyIDs []string
	// SessionIDs lists the user's sessions (signed-in devices), an index
	// kept like RoadmapIDs; ended ones are pruned when listed.
	SessionIDs []string
	// CalendarFeed is the person's calendar feed (calendar.go), nil when
	// they have none.
	CalendarFeed *CalendarFeed
	// WorkFeeds are the caseworker's calendar feeds, by agency: one for
	// each agency they made one for while acting for it. Bounded by the
	// agencies they work in.
	WorkFeeds map[string]*CalendarFeed
}

// Session is one signed-in device: a chain of refresh tokens, of which only the
// newest is valid. Presenting an older one means the chain leaked, and the
// whole session is revoked.
type Session struct {
	ID         string
	UserID     string
	Current    []byte   // hash of the refresh token that is valid now
	Previous   [][]byte // hashes of rotated-out tokens, newest last
	Generation int64
	CreatedAt  time.Time
	LastUsedAt time.Time
	ExpiresAt  time.Time
	RevokedAt  time.Time // zero while the session is live
	// RevokedReason is "logout", "reuse" or "expired".
	RevokedReason string
	UserAgent     string
	// AgencyID is the agency the person acts for in this session, "" when
	// acting for themselves. Membership is checked on every request, not here.
	AgencyID string
	// Method is how the person signed in: one of the SignIn* methods. An
	// agency may require a method of those who act for it.
	Method string
}

// Sign-in methods.
const (
	SignInDev        = "dev"         // the development login (loopback only)
	SignInIDPorten   = "idporten"    // the national eID, through OpenID Connect
	SignInPasskey    = "passkey"     // a passkey enrolled with a caseworker's code
	SignInAgencyOIDC = "agency-oidc" // the agency's own OpenID provider
)

// Revoked reports whether the session has been revoked.
func (s *Session) Revoked() bool { return !s.RevokedAt.IsZero() }
