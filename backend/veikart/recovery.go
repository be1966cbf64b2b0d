package veikart

import (
	"slices"
	"strings"
	"time"
)

// Account recovery after a lost phone, for people whose only way in is a
// passkey. A caseworker makes a recovery code at a home visit; the person
// registers a passkey on a new phone with it. Because a caseworker could
// turn that into a takeover of someone's account, recovery is bound by
// these rules (docs/passkeys.md gives the reasoning):
//
//   - only an account that has no other way in can be recovered by an
//     agency (RecoverableByAgency); an ID-porten account recovers through
//     ID-porten;
//   - only by an agency the person chose for it, on a grant of theirs that
//     is in force (Grant.HelpsRecover), never by any grant;
//   - not at once: the new passkey waits (PendingRecovery) while the
//     person's own devices are told and can cancel it; only after the wait
//     does it replace the old passkeys and end the old sessions;
//   - at most RecoveryCodesPerAccount codes per account and
//     RecoveryCodesPerAgency per agency in RecoveryWindow.

// Recovery limits.
const (
	// DefaultRecoveryWait is how long a recovery waits before it takes
	// effect, unless the operator sets another (VEIKART_RECOVERY_WAIT).
	DefaultRecoveryWait = 72 * time.Hour
	// RecoveryWindow is the period the per-account and per-agency limits
	// count codes in.
	RecoveryWindow = 7 * 24 * time.Hour
	// RecoveryCodesPerAccount is how many recovery codes may be made for
	// one account in RecoveryWindow.
	RecoveryCodesPerAccount = 3
	// RecoveryCodesPerAgency is how many recovery codes one agency's
	// caseworkers may make in RecoveryWindow, for everyone together.
	RecoveryCodesPerAgency = 50
)

// RecoverableByAgency reports whether an agency may ever help userID back in:
// only an account made by enrolment (a passkey and nothing else). Anyone
// with ID-porten signs in with it and adds a passkey from there.
func RecoverableByAgency(userID string) bool {
	return strings.HasPrefix(userID, PasskeyUserPrefix)
}

// HelpsRecover reports whether the grant lets its agency help userID back
// into their account: the person ticked it on this grant themselves.
func (g *Grant) HelpsRecover(userID string) bool {
	return userID != "" && slices.Contains(g.RecoveryFor, userID)
}

// PendingRecovery is a new phone's passkey waiting to replace a person's
// passkeys: made with a caseworker's recovery code, verified, and held until
// EffectiveAt. Until then the person's own devices can cancel it, and the
// new passkey signs nobody in.
type PendingRecovery struct {
	Passkey Passkey
	// AgencyID and CreatedBy name the agency and the caseworker who made
	// the code; CreatedByName is the caseworker's name as it was then.
	AgencyID      string
	CreatedBy     string
	CreatedByName string
	CodeCreatedAt time.Time
	StartedAt     time.Time
	EffectiveAt   time.Time
}

// Due reports whether the recovery may take effect at now.
func (p *PendingRecovery) Due(now time.Time) bool { return !now.Before(p.EffectiveAt) }

// Security actions of recovery, in the person's own log; each names the
// caseworker and the agency.
const (
	// AuditRecoveryStarted is a new phone's passkey registered with a
	// recovery code, waiting to take effect.
	AuditRecoveryStarted AuditAction = "recovery-started"
	// AuditRecoveryCancelled is the person cancelling a waiting recovery
	// from one of their own devices.
	AuditRecoveryCancelled AuditAction = "recovery-cancelled"
)
