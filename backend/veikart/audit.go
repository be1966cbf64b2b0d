package veikart

import "time"

// AuditAction is what an access-log entry records.
type AuditAction string

// Audit actions: every read and change by anyone other than the owners.
const (
	AuditRead          AuditAction = "read"
	AuditComment       AuditAction = "comment"
	AuditPropose       AuditAction = "propose"
	AuditRequestAccess AuditAction = "request-access"
	AuditAcceptInvite  AuditAction = "accept-invitation"
)

// Security actions: a person's own log of sign-ins and sign-outs, kept
// like an access log under the key SecurityLogKey(userID).
const (
	AuditSignIn       AuditAction = "sign-in"
	AuditSignInFailed AuditAction = "sign-in-failed"
	AuditSignOut      AuditAction = "sign-out"
)

// SecurityLogKey is the log key of a person's security events. It cannot
// be a roadmap id: those never contain a colon.
func SecurityLogKey(userID string) string { return "user:" + userID }

// AuditEvent is one entry of a roadmap's access log: who, for which agency,
// which sections, what, when. The log is append-only: nothing edits or
// deletes an entry, and it outlives the grant that allowed the access.
type AuditEvent struct {
	ID       string
	At       time.Time
	UserID   string
	AgencyID string // "" for a household member acting for themselves
	Role     string // "caseworker" or "member"
	Action   AuditAction
	Sections []Section
	// Ref names the record the action made (a comment, proposal, request or
	// grant id), if any.
	Ref string
	// Name is the acting person's name as it was then, where the household
	// must see who by name (a caseworker making a recovery code); "" else.
	Name string
	// Subject is, in an agency's own log, the name of the person the
	// action was for (whose account a recovery code was made for).
	Subject string
}

// AgencyRecoveryLogKey is the log key of the recovery codes an agency's
// caseworkers made, for its administrators (and its rate limit).
func AgencyRecoveryLogKey(agencyID string) string { return "agency-recoveries:" + agencyID }

// RecoveryCodeLogKey is the log key of the recovery codes made for one
// account, by any agency: what the per-account limit counts.
func RecoveryCodeLogKey(userID string) string { return "recovery-codes:" + userID }
