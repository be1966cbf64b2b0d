package veikart

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// Passkeys: a way in for people without a national eID. A caseworker makes a
// one-time enrolment code at a home visit; the person registers a passkey on
// their own phone with it, and signs in with that passkey from then on.

// Limits of passkeys and enrolment codes.
const (
	// MaxPasskeys is how many passkeys one person can have.
	MaxPasskeys = 10
	// EnrolmentTTL is how long an enrolment code can be used.
	EnrolmentTTL = 30 * time.Minute
	// CeremonyTTL is how long a begun WebAuthn ceremony waits for its finish.
	CeremonyTTL = 5 * time.Minute
)

// PasskeyUserPrefix starts the id of every person whose account was made by
// enrolment with a passkey. Such a person has no other way in: they cannot
// remove their last passkey (see MayRemovePasskey).
const PasskeyUserPrefix = "pk-"

// Passkey is one WebAuthn credential of a person: the public half of a key
// pair whose private half stays on their phone (or their passkey manager).
type Passkey struct {
	// ID is PasskeyID(CredentialID): short enough for a path.
	ID           string
	CredentialID []byte
	UserID       string
	// Name is the person's label for it ("Samsung", "work phone").
	Name string
	// PublicKey is the credential's public key, COSE-encoded.
	PublicKey []byte
	// SignCount is the authenticator's signature counter at the last
	// sign-in; a counter that goes backwards means a copied key.
	SignCount uint32
	AAGUID    []byte
	// Transports are the authenticator's hints (internal, hybrid, usb ...).
	Transports        []string
	UserPresent       bool
	UserVerified      bool
	BackupEligible    bool
	BackupState       bool
	AttestationType   string
	AttestationFormat string
	CreatedAt         time.Time
	LastUsedAt        time.Time // zero until first used to sign in
}

// PasskeyID is the id of the passkey with the given credential id: the first
// 128 bits of its SHA-256, in hex. Credential ids can be up to 1023 bytes.
func PasskeyID(credentialID []byte) string {
	sum := sha256.Sum256(credentialID)
	return hex.EncodeToString(sum[:16])
}

// MayRemovePasskey reports whether a person may remove one of their passkeys
// when they have remaining others after it. A person whose account was made
// by enrolment has no other way in, so keeps at least one; anyone else signs
// in with their eID too.
func MayRemovePasskey(userID string, remaining int) bool {
	return remaining > 0 || !strings.HasPrefix(userID, PasskeyUserPrefix)
}

// Enrolment is a one-time code a caseworker made for a person to register a
// passkey with: for a new person (UserID empty, Name given) or to recover an
// existing person's account after a lost phone (UserID set).
type Enrolment struct {
	// CodeHash is the hash of the code; the code itself is never stored.
	CodeHash string
	AgencyID string
	// CreatedBy is the caseworker who made it; CreatedByName their name
	// then, which a recovered person sees.
	CreatedBy     string
	CreatedByName string
	Name          string
	UserID        string
	CreatedAt     time.Time
	ExpiresAt     time.Time
}

// Recovery reports whether the enrolment recovers an existing account.
func (e *Enrolment) Recovery() bool { return e.UserID != "" }

// CeremonyKind is which WebAuthn ceremony a Ceremony is part of.
type CeremonyKind string

// Kinds of ceremony.
const (
	CeremonyEnrol CeremonyKind = "enrol" // registration with an enrolment code
	CeremonyAdd   CeremonyKind = "add"   // registration by a signed-in person
	CeremonyLogin CeremonyKind = "login" // sign-in with a discoverable passkey
)

// Ceremony is the server's half of a begun WebAuthn ceremony: the challenge
// and what it was begun for. It is kept server-side (not in the client, not in
// one replica's memory) under a random id, and used once.
type Ceremony struct {
	ID   string
	Kind CeremonyKind
	// UserID is whom a registration is for: the signed-in person, the
	// account being recovered, or the id a new person will get.
	UserID string
	// CodeHash is the enrolment code an enrol ceremony was begun with.
	CodeHash string
	// Name is the new person's name, for an enrol ceremony.
	Name string
	// Session is the relying party's ceremony state (package passkey),
	// opaque to the store.
	Session   []byte
	ExpiresAt time.Time
}

// Security actions about passkeys, in a person's own log (SecurityLogKey).
const (
	AuditPasskeyAdded   AuditAction = "passkey-added"
	AuditPasskeyRemoved AuditAction = "passkey-removed"
	// AuditRecoveryCode is a caseworker making a code to recover the
	// person's account; the event names the caseworker and the agency.
	AuditRecoveryCode AuditAction = "recovery-code"
	// AuditRecovered is the person registering a passkey with a recovery
	// code: their other passkeys and sessions ended.
	AuditRecovered AuditAction = "recovered"
)
