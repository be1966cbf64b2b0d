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
	AuditReadTeam      AuditAction = "read-team"      // the team list, and for a coordinator the promises
	AuditSetContact    AuditAction = "set-contact"    // an agency named its contact person
	AuditAnswerPromise AuditAction = "answer-promise" // an agency accepted or declined a step
	AuditReadMeetings  AuditAction = "read-meetings"  // the meetings the agency is invited to
	AuditReadHistory   AuditAction = "read-history"   // the timeline or the reviews, cut to the grant
	AuditMeetingNotes  AuditAction = "meeting-notes"  // the coordinator wrote notes or a decision
	// A caseworker read the conversation with the household (counted like
	// AuditRead), or wrote in it.
	AuditReadMessages AuditAction = "read-messages"
	AuditMessage      AuditAction = "message"
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
// which sections, what, when. The log is append-only: nothing edits an
// entry but the count of repeated reads, or deletes one before its time
// (DefaultLogMonths), and it outlives the grant that allowed the access.
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
	// Count is how many times the same person read the same sections for
	// the same agency within ReadWindow of At (1 for any other action);
	// LastAt is when the last of them was.
	Count  int
	LastAt time.Time
}

// ReadWindow is how long repeated reads of the same sections by the same
// person for the same agency count into one entry of the access log: a
// caseworker opening the roadmap five times at the kitchen table read it
// once, five times, in one line.
const ReadWindow = 10 * time.Minute

// DefaultLogMonths is how long an entry of an access log (or a security
// log) is kept, unless the operator says otherwise. Two sides weigh here:
// the household's right to know who read what about it, which a complaint
// or a request for insight can reach back a long way for, and its right
// not to have a record of its contact with the services kept longer than
// needed. Two years covers a year's plan, a review after it and the time
// to complain, and no more. Erasing the roadmap erases its log at once.
const DefaultLogMonths = 24

// AgencyRecoveryLogKey is the log key of the recovery codes an agency's
// caseworkers made, for its administrators (and its rate limit).
func AgencyRecoveryLogKey(agencyID string) string { return "agency-recoveries:" + agencyID }

// RecoveryCodeLogKey is the log key of the recovery codes made for one
// account, by any agency: what the per-account limit counts.
func RecoveryCodeLogKey(userID string) string { return "recovery-codes:" + userID }
