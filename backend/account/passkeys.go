package account

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/auth"
	"github.com/veikart/veikart/backend/passkey"
	"github.com/veikart/veikart/backend/veikart"
)

// Passkeys, for people without a national eID.
//
// At a home visit, a caseworker makes a one-time enrolment code: for a new
// person, or, after a lost phone, for an owner who chose to let the
// caseworker's agency help them back in (recovery.go). The person opens its
// link on their own phone and registers a passkey with it (EnrolBegin,
// EnrolFinish); later they sign in with the passkey alone (LoginBegin,
// LoginFinish). Signed in, they list, add and remove their passkeys.
//
// Every ceremony's state (its challenge) is kept in the database under a
// random id for five minutes and taken once, so begin and finish may reach
// different replicas, and a finish, verified or not, cannot be tried twice.
//
// A person whose account was made by enrolment has no other way in, so
// cannot remove their last passkey (veikart.MayRemovePasskey); anyone else
// can.

var (
	errNoPasskeys   = &veikart.Error{Code: veikart.EUNAVAILABLE, Message: "Passkeys are not available on this server: it needs a public URL with a host name."}
	errBadCode      = &veikart.Error{Code: veikart.ENOTFOUND, Message: "This code is not valid: it may have expired or been used. Ask your caseworker for a new one."}
	errCeremony     = &veikart.Error{Code: veikart.ENOTFOUND, Message: "This attempt has expired or was used already. Start again."}
	errNoPasskey    = &veikart.Error{Code: veikart.ENOTFOUND, Message: "There is no such passkey."}
	errLastKey      = &veikart.Error{Code: veikart.ECONFLICT, Message: "This is your only passkey and your only way to sign in. Add a passkey on your new phone first, then remove this one."}
	errNotSignIn    = &veikart.Error{Code: veikart.EUNAUTHORIZED, Message: "This passkey could not be verified. Try again, or ask your caseworker for a recovery code."}
	errRegistration = &veikart.Error{Code: veikart.EINVALID, Message: "The passkey could not be verified. Try again.", Pointer: "/credential"}
	errTooManyKeys  = &veikart.Error{Code: veikart.ECONFLICT, Message: "You have as many passkeys as one person can have. Remove one you no longer use first."}
	// ErrTooManyForAccount is a passkey sign-in over the account's limit.
	ErrTooManyForAccount = &veikart.Error{Code: veikart.ETOOMANY, Message: "Too many sign-in attempts on this account. Wait a minute and try again."}
	errAccountLimited    = errors.New("too many sign-in attempts on this account")
)

// HashEnrolmentCode is how enrolment codes are kept: only their hash is
// stored, so a copy of the database cannot be used to register a passkey.
func HashEnrolmentCode(code string) string {
	sum := sha256.Sum256([]byte("veikart-enrolment:" + code))
	return hex.EncodeToString(sum[:])
}

// SignedIn is a person signed in, with their session's first tokens.
type SignedIn struct {
	User *veikart.User
	Pair *auth.TokenPair
}

// Creation is a passkey registration begun: the options for the phone and
// the ceremony that finishes it.
type Creation struct {
	Ceremony *veikart.Ceremony
	Options  *passkey.CreationOptions
	// Enrolment is the code's enrolment, for EnrolBegin.
	Enrolment *veikart.Enrolment
}

// rpOrOff returns the relying party, or errNoPasskeys.
func (s *Service) rpOrOff() (*passkey.RP, error) {
	if s.rp == nil {
		return nil, errNoPasskeys
	}
	return s.rp, nil
}

// CreateEnrolment makes a one-time code for a person to register a passkey
// with: for a new person named name, or, with roadmapID and personKey, to
// recover the account of an owner of a roadmap shared with the caseworker's
// agency (recovery.go). Only caseworkers make them. It returns the code,
// which is not stored.
func (s *Service) CreateEnrolment(ctx context.Context, actor access.Actor, name, roadmapID, personKey string) (*veikart.Enrolment, string, error) {
	if !access.Permit(actor, access.CreateEnrolment, "") {
		return nil, "", &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Act for your agency as a caseworker to make an enrolment code."}
	}
	if _, err := s.rpOrOff(); err != nil {
		return nil, "", err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	e := &veikart.Enrolment{AgencyID: actor.AgencyID, CreatedBy: actor.UserID, CreatedAt: now, ExpiresAt: now.Add(veikart.EnrolmentTTL)}
	if roadmapID != "" {
		if err := s.recoveryEnrolment(ctx, actor, e, roadmapID, personKey); err != nil {
			return nil, "", err
		}
	} else if e.Name = strings.TrimSpace(name); e.Name == "" {
		return nil, "", &veikart.Error{Code: veikart.EINVALID, Message: "Give the person's name.", Pointer: "/name"}
	}
	code := auth.NewCode()
	e.CodeHash = HashEnrolmentCode(code)
	if err := s.store.CreateEnrolment(ctx, e); err != nil {
		return nil, "", err
	}
	return e, code, nil
}

// EnrolBegin starts registering a passkey with an enrolment code. The code
// is not used up until the passkey is registered.
func (s *Service) EnrolBegin(ctx context.Context, code string) (*Creation, error) {
	rp, err := s.rpOrOff()
	if err != nil {
		return nil, err
	}
	e, err := s.store.Enrolment(ctx, HashEnrolmentCode(code), s.now())
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return nil, errBadCode
	}
	if err != nil {
		return nil, err
	}
	a := passkey.Account{UserID: e.UserID, Name: e.Name}
	if e.Recovery() {
		u, err := s.store.User(ctx, e.UserID)
		if veikart.ErrorCode(err) == veikart.ENOTFOUND {
			return nil, errBadCode // erased since
		}
		if err != nil {
			return nil, err
		}
		a.Name = u.Name
	} else {
		// The new person's id, fixed now: it is the passkey's user handle.
		a.UserID = veikart.PasskeyUserPrefix + auth.RandomID(12)
	}
	opts, state, err := rp.BeginRegistration(a)
	if err != nil {
		return nil, err
	}
	cer, err := s.putCeremony(ctx, veikart.Ceremony{Kind: veikart.CeremonyEnrol, UserID: a.UserID, CodeHash: e.CodeHash, Name: a.Name, Session: state})
	if err != nil {
		return nil, err
	}
	return &Creation{Ceremony: cer, Options: opts, Enrolment: e}, nil
}

// Enrolled is a finished enrolment: a new person signed in, or a recovery
// that now waits.
type Enrolled struct {
	*SignedIn
	Waiting *veikart.PendingRecovery
	// Name is the person's, for a recovery.
	Name string
}

// EnrolFinish registers the passkey made with an enrolment code, uses the
// code up, and signs a new person in, with name (or the one the caseworker
// gave). A recovery is not signed in: it waits, cancellable by the person.
func (s *Service) EnrolFinish(ctx context.Context, code, ceremonyID string, credential []byte, name, label, userAgent string) (*Enrolled, error) {
	rp, err := s.rpOrOff()
	if err != nil {
		return nil, err
	}
	cer, err := s.takeCeremony(ctx, ceremonyID, veikart.CeremonyEnrol, "")
	if err != nil {
		return nil, err
	}
	hash := HashEnrolmentCode(code)
	if cer.CodeHash != hash {
		return nil, errCeremony
	}
	e, err := s.store.Enrolment(ctx, hash, s.now())
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return nil, errBadCode
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	p, err := rp.FinishRegistration(passkey.Account{UserID: cer.UserID, Name: cer.Name}, cer.Session, credential, passkeyLabel(label), now)
	if err != nil {
		s.metrics.SignInFailed(veikart.SignInPasskey)
		return nil, verified(err, errRegistration)
	}
	// Verified: now the code is used up, by this request or by none.
	if ok, err := s.store.TakeEnrolment(ctx, hash); err != nil {
		return nil, err
	} else if !ok {
		return nil, errBadCode
	}
	if e.Recovery() {
		return s.startRecovery(ctx, e, p)
	}
	if name = strings.TrimSpace(name); name == "" {
		name = cer.Name
	}
	u, err := s.store.EnsureUser(ctx, &veikart.User{ID: cer.UserID, Name: name, CreatedAt: now.UTC().Truncate(time.Millisecond)})
	if err != nil {
		return nil, err
	}
	if _, err := s.store.AddPasskey(ctx, *p, false); err != nil {
		return nil, err
	}
	s.Security(ctx, u.ID, veikart.AuditPasskeyAdded, veikart.SignInPasskey, p.ID)
	pair, err := s.SignIn(ctx, u, "", veikart.SignInPasskey, userAgent)
	if err != nil {
		return nil, err
	}
	return &Enrolled{SignedIn: &SignedIn{User: u, Pair: pair}}, nil
}

// Request is a passkey sign-in begun.
type Request struct {
	Ceremony *veikart.Ceremony
	Options  *passkey.RequestOptions
}

// LoginBegin starts a sign-in with a passkey alone: the phone offers the
// passkeys it holds for this site.
func (s *Service) LoginBegin(ctx context.Context) (*Request, error) {
	rp, err := s.rpOrOff()
	if err != nil {
		return nil, err
	}
	opts, state, err := rp.BeginLogin()
	if err != nil {
		return nil, err
	}
	cer, err := s.putCeremony(ctx, veikart.Ceremony{Kind: veikart.CeremonyLogin, Session: state})
	if err != nil {
		return nil, err
	}
	return &Request{Ceremony: cer, Options: opts}, nil
}

// LoginFinish verifies a passkey sign-in, counts it (refusing a counter
// that did not move forward), completes a recovery whose wait is over, and
// signs the person in.
func (s *Service) LoginFinish(ctx context.Context, ceremonyID string, credential []byte, userAgent string) (*SignedIn, error) {
	rp, err := s.rpOrOff()
	if err != nil {
		return nil, err
	}
	cer, err := s.takeCeremony(ctx, ceremonyID, veikart.CeremonyLogin, "")
	if err != nil {
		return nil, err
	}
	limited := false // go-webauthn does not keep the lookup's error
	l, err := rp.FinishLogin(cer.Session, credential, s.loginPasskeys(ctx, &limited))
	if limited {
		s.metrics.SignInFailed("rate-limited")
		return nil, ErrTooManyForAccount
	}
	if err != nil {
		s.metrics.SignInFailed(veikart.SignInPasskey)
		return nil, verified(err, errNotSignIn)
	}
	if pr, err := s.store.PendingRecovery(ctx, l.UserID); err != nil {
		return nil, err
	} else if pr != nil && pr.Passkey.ID == l.Passkey.ID {
		if err := s.completeRecovery(ctx, l.UserID, l.Passkey.ID); err != nil {
			return nil, err
		}
	}
	if err := s.store.UsePasskey(ctx, l.Passkey, s.now()); err != nil {
		if code := veikart.ErrorCode(err); code == veikart.EUNAUTHORIZED || code == veikart.ENOTFOUND {
			s.metrics.SignInFailed(veikart.SignInPasskey)
			return nil, errNotSignIn
		}
		return nil, err
	}
	u, err := s.store.User(ctx, l.UserID)
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return nil, errNotSignIn // erased
	}
	if err != nil {
		return nil, err
	}
	pair, err := s.SignIn(ctx, u, "", veikart.SignInPasskey, userAgent)
	if err != nil {
		return nil, err
	}
	return &SignedIn{User: u, Pair: pair}, nil
}

// loginPasskeys is the lookup a sign-in verifies against: the passkeys of
// the credential's owner, a waiting recovery's among them, so that the new
// phone proves it holds it before it hears when it may sign in
// (completeRecovery decides the rest). Every attempt on an account counts
// against its limit before anything is checked; *limited says one did not.
func (s *Service) loginPasskeys(ctx context.Context, limited *bool) passkey.Lookup {
	return func(credentialID []byte, userID string) ([]veikart.Passkey, error) {
		owner, err := s.store.PasskeyOwner(ctx, veikart.PasskeyID(credentialID))
		if err != nil {
			return nil, err
		}
		if !s.accountLimit.Allow("passkey:" + owner) {
			*limited = true
			return nil, errAccountLimited
		}
		if owner != userID {
			return nil, errors.New("the user handle is not the passkey's owner")
		}
		ps, err := s.store.Passkeys(ctx, owner)
		if err != nil {
			return nil, err
		}
		if pr, err := s.store.PendingRecovery(ctx, owner); err != nil {
			return nil, err
		} else if pr != nil {
			ps = append(ps, pr.Passkey)
		}
		return ps, nil
	}
}

// Passkeys lists the person's passkeys.
func (s *Service) Passkeys(ctx context.Context, actor access.Actor) ([]veikart.Passkey, error) {
	if err := access.Own(actor); err != nil {
		return nil, err
	}
	return s.store.Passkeys(ctx, actor.UserID)
}

// AddBegin starts registering another passkey for the signed-in person.
func (s *Service) AddBegin(ctx context.Context, actor access.Actor) (*Creation, error) {
	if err := access.Own(actor); err != nil {
		return nil, err
	}
	rp, err := s.rpOrOff()
	if err != nil {
		return nil, err
	}
	a, err := s.passkeyAccount(ctx, actor.UserID)
	if err != nil {
		return nil, err
	}
	if len(a.Passkeys) >= veikart.MaxPasskeys {
		return nil, errTooManyKeys
	}
	opts, state, err := rp.BeginRegistration(*a)
	if err != nil {
		return nil, err
	}
	cer, err := s.putCeremony(ctx, veikart.Ceremony{Kind: veikart.CeremonyAdd, UserID: actor.UserID, Session: state})
	if err != nil {
		return nil, err
	}
	return &Creation{Ceremony: cer, Options: opts}, nil
}

// AddFinish registers the signed-in person's new passkey.
func (s *Service) AddFinish(ctx context.Context, actor access.Actor, ceremonyID string, credential []byte, label string) (*veikart.Passkey, error) {
	if err := access.Own(actor); err != nil {
		return nil, err
	}
	rp, err := s.rpOrOff()
	if err != nil {
		return nil, err
	}
	cer, err := s.takeCeremony(ctx, ceremonyID, veikart.CeremonyAdd, actor.UserID)
	if err != nil {
		return nil, err
	}
	a, err := s.passkeyAccount(ctx, actor.UserID)
	if err != nil {
		return nil, err
	}
	p, err := rp.FinishRegistration(*a, cer.Session, credential, passkeyLabel(label), s.now())
	if err != nil {
		return nil, verified(err, errRegistration)
	}
	if _, err := s.store.AddPasskey(ctx, *p, false); err != nil {
		return nil, err
	}
	s.Security(ctx, actor.UserID, veikart.AuditPasskeyAdded, veikart.SignInPasskey, p.ID)
	return p, nil
}

var passkeyIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// RemovePasskey removes one of the signed-in person's passkeys; someone
// else's is not found, like one that does not exist.
func (s *Service) RemovePasskey(ctx context.Context, actor access.Actor, id string) error {
	if err := access.Own(actor); err != nil {
		return err
	}
	if !passkeyIDPattern.MatchString(id) {
		return errNoPasskey
	}
	err := s.store.RemovePasskey(ctx, actor.UserID, id, func(remaining int) error {
		if !veikart.MayRemovePasskey(actor.UserID, remaining) {
			return errLastKey
		}
		return nil
	})
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return errNoPasskey
	}
	if err != nil {
		return err
	}
	s.Security(ctx, actor.UserID, veikart.AuditPasskeyRemoved, veikart.SignInPasskey, id)
	return nil
}

func (s *Service) passkeyAccount(ctx context.Context, userID string) (*passkey.Account, error) {
	u, err := s.store.User(ctx, userID)
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return nil, veikart.ErrSignInAgain
	}
	if err != nil {
		return nil, err
	}
	ps, err := s.store.Passkeys(ctx, userID)
	if err != nil {
		return nil, err
	}
	return &passkey.Account{UserID: u.ID, Name: u.Name, Passkeys: ps}, nil
}

func (s *Service) putCeremony(ctx context.Context, cer veikart.Ceremony) (*veikart.Ceremony, error) {
	cer.ID = auth.RandomID(16)
	cer.ExpiresAt = s.now().UTC().Truncate(time.Millisecond).Add(veikart.CeremonyTTL)
	if err := s.store.PutCeremony(ctx, &cer); err != nil {
		return nil, err
	}
	return &cer, nil
}

// takeCeremony uses up ceremony id, which must be of kind and (for
// registrations) for userID.
func (s *Service) takeCeremony(ctx context.Context, id string, kind veikart.CeremonyKind, userID string) (*veikart.Ceremony, error) {
	cer, err := s.store.TakeCeremony(ctx, id, s.now())
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return nil, errCeremony
	}
	if err != nil {
		return nil, err
	}
	if cer.Kind != kind || (userID != "" && cer.UserID != userID) {
		return nil, errCeremony
	}
	return cer, nil
}

// verified maps package passkey's refusals to the client's error (invalid
// registration, failed sign-in); anything else is ours.
func verified(err error, refusal *veikart.Error) error {
	if errors.Is(err, passkey.ErrNotVerified) {
		return refusal
	}
	return err
}

// passkeyLabel is the passkey's name as given, or a plain default.
func passkeyLabel(s string) string {
	if s = strings.TrimSpace(s); s != "" {
		return s
	}
	return "Passkey"
}
