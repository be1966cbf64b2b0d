// Package passkey is Veikart's WebAuthn relying party, built on
// github.com/go-webauthn/webauthn: it makes the options a browser needs to
// create or use a passkey, and verifies what the browser answers. It does no
// I/O: the caller keeps the ceremony state (Session bytes) and the passkeys,
// server-side, and hands them back.
//
// Registration asks for a discoverable credential (resident key required) so
// that a person signs in with the passkey alone, no user name typed; user
// verification is preferred, not required, so that a phone without a screen
// lock can still hold one. Attestation is not asked for: Veikart trusts the
// person's own phone, not a particular make of authenticator.
package passkey

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/veikart/veikart/backend/veikart"
)

// Timeout is how long the browser is told to wait for the person.
const Timeout = 5 * time.Minute

// RP is the relying party: the site passkeys are made for. It is safe for
// concurrent use.
type RP struct {
	wa *webauthn.WebAuthn
	// ID is the RP ID (the host, without port) and Origin the one origin
	// responses must come from (scheme://host[:port]).
	ID, Origin string
}

// New returns the relying party for the service reached at publicURL. The RP
// ID is its host name; WebAuthn forbids IP addresses there, so a service
// reached by address (http://127.0.0.1:8080) cannot offer passkeys: use a
// name (http://localhost:8080 for development).
func New(publicURL, displayName string) (*RP, error) {
	u, err := url.Parse(publicURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Hostname() == "" {
		return nil, fmt.Errorf("passkeys need the public URL of the service (https://host), not %q", publicURL)
	}
	host := u.Hostname()
	if net.ParseIP(host) != nil {
		return nil, fmt.Errorf("passkeys need a host name in the public URL, not the address %s", host)
	}
	origin := u.Scheme + "://" + u.Host
	wa, err := webauthn.New(&webauthn.Config{
		RPID:          host,
		RPDisplayName: displayName,
		RPOrigins:     []string{origin},
		Timeouts: webauthn.TimeoutsConfig{
			// Enforced by the caller, against its own clock.
			Login:        webauthn.TimeoutConfig{Timeout: Timeout, TimeoutUVD: Timeout},
			Registration: webauthn.TimeoutConfig{Timeout: Timeout, TimeoutUVD: Timeout},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("passkey relying party: %w", err)
	}
	return &RP{wa: wa, ID: host, Origin: origin}, nil
}

// Account is the person a registration is for.
type Account struct {
	// UserID becomes the passkey's user handle: at most 64 bytes.
	UserID string
	// Name is shown by the phone's passkey manager.
	Name string
	// Passkeys are the person's passkeys already: the phone is told not to
	// make a second one beside any of them.
	Passkeys []veikart.Passkey
}

type user struct {
	a     Account
	creds []webauthn.Credential
}

func (u *user) WebAuthnID() []byte                         { return []byte(u.a.UserID) }
func (u *user) WebAuthnName() string                       { return u.a.Name }
func (u *user) WebAuthnDisplayName() string                { return u.a.Name }
func (u *user) WebAuthnCredentials() []webauthn.Credential { return u.creds }

func newUser(a Account) *user {
	u := &user{a: a}
	for _, p := range a.Passkeys {
		u.creds = append(u.creds, toCredential(p))
	}
	return u
}

// CreationOptions are PublicKeyCredentialCreationOptions as JSON
// (WebAuthn Level 3, PublicKeyCredentialCreationOptionsJSON): binary members
// in base64url.
type CreationOptions struct {
	RP                     RPEntity               `json:"rp"`
	User                   UserEntity             `json:"user"`
	Challenge              string                 `json:"challenge"`
	PubKeyCredParams       []CredentialParameter  `json:"pubKeyCredParams"`
	Timeout                int64                  `json:"timeout"`
	ExcludeCredentials     []CredentialDescriptor `json:"excludeCredentials"`
	AuthenticatorSelection AuthenticatorSelection `json:"authenticatorSelection"`
	Attestation            string                 `json:"attestation"`
}

// RPEntity names the relying party.
type RPEntity struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// UserEntity names the account a passkey is made for.
type UserEntity struct {
	ID          string `json:"id"` // base64url of the user handle
	Name        string `json:"name"`
	DisplayName string `json:"displayName"`
}

// CredentialParameter is one acceptable key type.
type CredentialParameter struct {
	Type string `json:"type"`
	Alg  int64  `json:"alg"`
}

// CredentialDescriptor names one existing credential.
type CredentialDescriptor struct {
	Type       string   `json:"type"`
	ID         string   `json:"id"` // base64url
	Transports []string `json:"transports,omitempty"`
}

// AuthenticatorSelection says what kind of credential is wanted.
type AuthenticatorSelection struct {
	ResidentKey        string `json:"residentKey"`
	RequireResidentKey bool   `json:"requireResidentKey"`
	UserVerification   string `json:"userVerification"`
}

// RequestOptions are PublicKeyCredentialRequestOptions as JSON, for a
// discoverable sign-in: no allowCredentials, the phone offers the passkeys it
// holds for this site.
type RequestOptions struct {
	Challenge        string `json:"challenge"`
	Timeout          int64  `json:"timeout"`
	RPID             string `json:"rpId"`
	UserVerification string `json:"userVerification"`
}

// BeginRegistration starts making a passkey for a. It returns the options for
// navigator.credentials.create and the ceremony state to keep, server-side,
// until FinishRegistration.
func (rp *RP) BeginRegistration(a Account) (*CreationOptions, []byte, error) {
	if len(a.UserID) == 0 || len(a.UserID) > 64 {
		return nil, nil, &veikart.Error{Code: veikart.EINVALID, Message: "This account cannot have a passkey: its id is too long for one."}
	}
	u := newUser(a)
	creation, session, err := rp.wa.BeginRegistration(u,
		webauthn.WithResidentKeyRequirement(protocol.ResidentKeyRequirementRequired),
		webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{
			ResidentKey:        protocol.ResidentKeyRequirementRequired,
			RequireResidentKey: protocol.ResidentKeyRequired(),
			UserVerification:   protocol.VerificationPreferred,
		}),
		webauthn.WithConveyancePreference(protocol.PreferNoAttestation),
		webauthn.WithExclusions(webauthn.Credentials(u.creds).CredentialDescriptors()),
	)
	if err != nil {
		return nil, nil, fmt.Errorf("begin passkey registration: %w", err)
	}
	state, err := json.Marshal(session)
	if err != nil {
		return nil, nil, fmt.Errorf("encode registration ceremony: %w", err)
	}
	o := creation.Response
	out := &CreationOptions{
		RP:        RPEntity{ID: o.RelyingParty.ID, Name: o.RelyingParty.Name},
		User:      UserEntity{ID: b64(u.WebAuthnID()), Name: a.Name, DisplayName: a.Name},
		Challenge: o.Challenge.String(), Timeout: Timeout.Milliseconds(),
		ExcludeCredentials: []CredentialDescriptor{},
		AuthenticatorSelection: AuthenticatorSelection{
			ResidentKey: string(protocol.ResidentKeyRequirementRequired), RequireResidentKey: true,
			UserVerification: string(protocol.VerificationPreferred),
		},
		Attestation: string(protocol.PreferNoAttestation),
	}
	for _, p := range o.Parameters {
		out.PubKeyCredParams = append(out.PubKeyCredParams, CredentialParameter{Type: string(p.Type), Alg: int64(p.Algorithm)})
	}
	for _, c := range o.CredentialExcludeList {
		d := CredentialDescriptor{Type: string(c.Type), ID: b64(c.CredentialID)}
		for _, t := range c.Transport {
			d.Transports = append(d.Transports, string(t))
		}
		out.ExcludeCredentials = append(out.ExcludeCredentials, d)
	}
	return out, state, nil
}

// ErrNotVerified is wrapped by every error of FinishRegistration and
// FinishLogin that is the client's: a response that does not parse, is not
// for this ceremony or this site, or whose signature does not verify.
var ErrNotVerified = errors.New("passkey not verified")

// FinishRegistration verifies the browser's answer to BeginRegistration
// (a PublicKeyCredential as JSON) against the ceremony state, and returns the
// new passkey, named name, made at now.
func (rp *RP) FinishRegistration(a Account, state, credential []byte, name string, now time.Time) (*veikart.Passkey, error) {
	var session webauthn.SessionData
	if err := json.Unmarshal(state, &session); err != nil {
		return nil, fmt.Errorf("decode registration ceremony: %w", err)
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(credential)
	if err != nil {
		return nil, notVerified(err)
	}
	c, err := rp.wa.CreateCredential(newUser(a), session, parsed)
	if err != nil {
		return nil, notVerified(err)
	}
	p := fromCredential(c, a.UserID)
	p.Name = name
	p.CreatedAt = now.UTC().Truncate(time.Millisecond)
	return &p, nil
}

// BeginLogin starts a sign-in with a discoverable passkey: the options for
// navigator.credentials.get and the ceremony state to keep.
func (rp *RP) BeginLogin() (*RequestOptions, []byte, error) {
	assertion, session, err := rp.wa.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationPreferred))
	if err != nil {
		return nil, nil, fmt.Errorf("begin passkey sign-in: %w", err)
	}
	state, err := json.Marshal(session)
	if err != nil {
		return nil, nil, fmt.Errorf("encode sign-in ceremony: %w", err)
	}
	o := assertion.Response
	return &RequestOptions{
		Challenge: o.Challenge.String(), Timeout: Timeout.Milliseconds(), RPID: o.RelyingPartyID,
		UserVerification: string(o.UserVerification),
	}, state, nil
}

// Lookup finds the person a credential belongs to, from the credential id
// and the user handle the phone answered with: their user id and every
// passkey they have. It returns an error if there is no such passkey.
type Lookup func(credentialID []byte, userID string) (passkeys []veikart.Passkey, err error)

// Login is a verified sign-in.
type Login struct {
	UserID string
	// Passkey is the passkey used, with its sign count and flags as they are
	// after this sign-in. The caller stores them, refusing the sign-in if the
	// stored count has moved on meanwhile (see veikart.Passkey.SignCount).
	Passkey veikart.Passkey
}

// FinishLogin verifies the browser's answer to BeginLogin. A passkey whose
// signature counter did not move forward is refused: its key was copied.
func (rp *RP) FinishLogin(state, credential []byte, lookup Lookup) (*Login, error) {
	var session webauthn.SessionData
	if err := json.Unmarshal(state, &session); err != nil {
		return nil, fmt.Errorf("decode sign-in ceremony: %w", err)
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(credential)
	if err != nil {
		return nil, notVerified(err)
	}
	var found []veikart.Passkey
	handler := func(rawID, userHandle []byte) (webauthn.User, error) {
		ps, err := lookup(rawID, string(userHandle))
		if err != nil {
			return nil, err
		}
		found = ps
		return newUser(Account{UserID: string(userHandle), Passkeys: ps}), nil
	}
	u, c, err := rp.wa.ValidatePasskeyLogin(handler, session, parsed)
	if err != nil {
		return nil, notVerified(err)
	}
	if c.Authenticator.CloneWarning {
		return nil, fmt.Errorf("%w: the signature counter went backwards", ErrNotVerified)
	}
	userID := string(u.WebAuthnID())
	for _, p := range found {
		if string(p.CredentialID) == string(c.ID) {
			p.SignCount = c.Authenticator.SignCount
			p.UserPresent, p.UserVerified = c.Flags.UserPresent, c.Flags.UserVerified
			p.BackupState = c.Flags.BackupState
			return &Login{UserID: userID, Passkey: p}, nil
		}
	}
	return nil, fmt.Errorf("%w: credential not among the person's", ErrNotVerified)
}

func notVerified(err error) error {
	var pe *protocol.Error
	if errors.As(err, &pe) {
		// The library's details say what failed, never a secret.
		return fmt.Errorf("%w: %s: %s", ErrNotVerified, pe.Type, pe.Details)
	}
	return fmt.Errorf("%w: %v", ErrNotVerified, err)
}

func toCredential(p veikart.Passkey) webauthn.Credential {
	c := webauthn.Credential{
		ID: p.CredentialID, PublicKey: p.PublicKey,
		AttestationType: p.AttestationType, AttestationFormat: p.AttestationFormat,
		Flags: webauthn.CredentialFlags{
			UserPresent: p.UserPresent, UserVerified: p.UserVerified,
			BackupEligible: p.BackupEligible, BackupState: p.BackupState,
		},
		Authenticator: webauthn.Authenticator{AAGUID: p.AAGUID, SignCount: p.SignCount},
	}
	for _, t := range p.Transports {
		c.Transport = append(c.Transport, protocol.AuthenticatorTransport(t))
	}
	return c
}

func fromCredential(c *webauthn.Credential, userID string) veikart.Passkey {
	p := veikart.Passkey{
		ID: veikart.PasskeyID(c.ID), CredentialID: c.ID, UserID: userID, PublicKey: c.PublicKey,
		SignCount: c.Authenticator.SignCount, AAGUID: c.Authenticator.AAGUID,
		UserPresent: c.Flags.UserPresent, UserVerified: c.Flags.UserVerified,
		BackupEligible: c.Flags.BackupEligible, BackupState: c.Flags.BackupState,
		AttestationType: c.AttestationType, AttestationFormat: c.AttestationFormat,
	}
	for _, t := range c.Transport {
		p.Transports = append(p.Transports, string(t))
	}
	return p
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
