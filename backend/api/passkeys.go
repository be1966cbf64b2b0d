package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/auth"
	"github.com/veikart/veikart/backend/passkey"
	"github.com/veikart/veikart/backend/qr"
	"github.com/veikart/veikart/backend/veikart"
)

// Passkeys, for people without a national eID.
//
// At a home visit, a caseworker makes a one-time enrolment code (POST
// /enrolments): for a new person, or, after a lost phone, for an owner who
// chose to let the caseworker's agency help them back in (recovery.go). The person
// opens its link on their own phone and registers a passkey with it
// (/passkeys/enrol/begin and /finish); later they sign in with the passkey
// alone (/passkeys/login/begin and /finish). Signed in, they list, add and
// remove their passkeys.
//
// Every ceremony's state (its challenge) is kept in the database under a
// random id for five minutes and taken once, so begin and finish may reach
// different replicas, and a finish, verified or not, cannot be tried twice.
//
// Recovery waits before it takes effect (recovery.go); then it replaces the
// person's passkeys with the new one and ends all their sessions before
// signing the new phone in: the lost phone is signed out, and its passkey no
// longer works.
//
// A person whose account was made by enrolment has no other way in, so cannot
// remove their last passkey (veikart.MayRemovePasskey); anyone else can.

// RPName is the relying party's name, shown by a phone's passkey manager.
const RPName = "Veikart"

// newRelyingParty returns the relying party for publicURL, or nil (passkeys
// unavailable) if it has none that WebAuthn accepts.
func newRelyingParty(publicURL string, log *slog.Logger) *passkey.RP {
	if publicURL == "" {
		return nil
	}
	rp, err := passkey.New(publicURL, RPName)
	if err != nil {
		if log != nil {
			log.Warn("passkeys are off", "err", err)
		}
		return nil
	}
	return rp
}

var (
	errNoPasskeys = &veikart.Error{Code: veikart.EUNAVAILABLE, Message: "Passkeys are not available on this server: it needs a public URL with a host name."}
	errBadCode    = &veikart.Error{Code: veikart.ENOTFOUND, Message: "This code is not valid: it may have expired or been used. Ask your caseworker for a new one."}
	errCeremony   = &veikart.Error{Code: veikart.ENOTFOUND, Message: "This attempt has expired or was used already. Start again."}
	errNoRecovery = &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Your agency can make a recovery code only for a person who chose, on their grant to your agency, to let it help them back in, and whose only way in is a passkey."}
	errNoPasskey  = &veikart.Error{Code: veikart.ENOTFOUND, Message: "There is no such passkey."}
	errLastKey    = &veikart.Error{Code: veikart.ECONFLICT, Message: "This is your only passkey and your only way to sign in. Add a passkey on your new phone first, then remove this one."}
	errNotSignIn  = &veikart.Error{Code: veikart.EUNAUTHORIZED, Message: "This passkey could not be verified. Try again, or ask your caseworker for a recovery code."}
)

// rp returns the relying party, or errNoPasskeys.
func (s *Server) rp() (*passkey.RP, error) {
	if s.webauthn == nil {
		return nil, errNoPasskeys
	}
	return s.webauthn, nil
}

// HashEnrolmentCode is how enrolment codes are kept: only their hash is
// stored, so a copy of the database cannot be used to register a passkey.
func HashEnrolmentCode(code string) string {
	sum := sha256.Sum256([]byte("veikart-enrolment:" + code))
	return hex.EncodeToString(sum[:])
}

// Wire types.

type createEnrolmentRequest struct {
	Name string `json:"name"`
	// RoadmapID and PersonKey name the person to recover: an owner of a
	// roadmap shared with the agency, by the agency's own key for them
	// (GET /roadmaps/{id}/recovery-people).
	RoadmapID string `json:"roadmapId"`
	PersonKey string `json:"personKey"`
}

type enrolmentJSON struct {
	Kind      string    `json:"kind"` // "new" or "recovery"
	Code      string    `json:"code"`
	URL       string    `json:"url"`
	QR        string    `json:"qr"`
	ExpiresAt time.Time `json:"expiresAt"`
	Name      string    `json:"name,omitempty"`
}

type enrolBeginRequest struct {
	Code string `json:"code"`
}

type enrolFinishRequest struct {
	Code       string          `json:"code"`
	CeremonyID string          `json:"ceremonyId"`
	Credential json.RawMessage `json:"credential"`
	Name       string          `json:"name"`
	Label      string          `json:"label"`
}

type passkeyFinishRequest struct {
	CeremonyID string          `json:"ceremonyId"`
	Credential json.RawMessage `json:"credential"`
	Label      string          `json:"label"`
}

type loginFinishRequest struct {
	CeremonyID string          `json:"ceremonyId"`
	Credential json.RawMessage `json:"credential"`
}

type creationOptionsJSON struct {
	CeremonyID string                   `json:"ceremonyId"`
	ExpiresAt  time.Time                `json:"expiresAt"`
	Kind       string                   `json:"kind,omitempty"` // enrolment only
	Name       string                   `json:"name,omitempty"` // enrolment only
	PublicKey  *passkey.CreationOptions `json:"publicKey"`
}

type requestOptionsJSON struct {
	CeremonyID string                  `json:"ceremonyId"`
	ExpiresAt  time.Time               `json:"expiresAt"`
	PublicKey  *passkey.RequestOptions `json:"publicKey"`
}

type passkeyJSON struct {
	ID         string     `json:"id"`
	Label      string     `json:"label"`
	CreatedAt  time.Time  `json:"createdAt"`
	LastUsedAt *time.Time `json:"lastUsedAt,omitempty"`
}

type passkeyListJSON struct {
	Items []passkeyJSON `json:"items"`
}

func toPasskeyJSON(p veikart.Passkey) passkeyJSON {
	out := passkeyJSON{ID: p.ID, Label: p.Name, CreatedAt: p.CreatedAt}
	if !p.LastUsedAt.IsZero() {
		out.LastUsedAt = &p.LastUsedAt
	}
	return out
}

func enrolmentKind(e *veikart.Enrolment) string {
	if e.Recovery() {
		return "recovery"
	}
	return "new"
}

// label is the passkey's name as given, or a plain default.
func label(s string) string {
	if s = strings.TrimSpace(s); s != "" {
		return s
	}
	return "Passkey"
}

// createEnrolment makes a one-time code for a person to register a passkey
// with: {name} for a new person, {userId} to recover an existing person's
// account. Only caseworkers make them; recovery only for a person who owns a
// roadmap the caseworker's agency has an active grant on.
func (s *Server) createEnrolment(c *fiber.Ctx) error {
	actor := actorOf(c)
	if !access.Permit(actor, access.CreateEnrolment, "") {
		return &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Act for your agency as a caseworker to make an enrolment code."}
	}
	var req createEnrolmentRequest
	if err := s.decode(c, "create-enrolment-request.schema.json", &req); err != nil {
		return err
	}
	if _, err := s.rp(); err != nil {
		return err
	}
	ctx := c.UserContext()
	now := s.now().UTC().Truncate(time.Millisecond)
	e := &veikart.Enrolment{AgencyID: actor.AgencyID, CreatedBy: actor.UserID, CreatedAt: now, ExpiresAt: now.Add(veikart.EnrolmentTTL)}
	if req.RoadmapID != "" {
		u, r, err := s.recoveryTarget(ctx, actor, req.RoadmapID, req.PersonKey)
		if err != nil {
			return err
		}
		if err := s.recoveryAllowance(ctx, u.ID, actor.AgencyID); err != nil {
			return err
		}
		cw, err := s.store.User(ctx, actor.UserID)
		if err != nil {
			return err
		}
		e.UserID, e.Name, e.CreatedByName = u.ID, u.Name, cw.Name
		if err := s.recordRecoveryCode(ctx, actor, cw.Name, u, r.ID, now); err != nil {
			return err
		}
	} else {
		e.Name = strings.TrimSpace(req.Name)
		if e.Name == "" {
			return &veikart.Error{Code: veikart.EINVALID, Message: "Give the person's name.", Pointer: "/name"}
		}
	}
	code := auth.NewCode()
	e.CodeHash = HashEnrolmentCode(code)
	if err := s.store.CreateEnrolment(ctx, e); err != nil {
		return err
	}
	// The code goes in the fragment, which browsers never send to a server.
	url := strings.TrimRight(s.cfg.PublicURL, "/") + "/#/enrol/" + code
	svg, err := qr.SVG(url)
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusCreated, enrolmentJSON{Kind: enrolmentKind(e), Code: code, URL: url, QR: svg, ExpiresAt: e.ExpiresAt, Name: e.Name})
}

// enrolBegin starts registering a passkey with an enrolment code. The code
// is not used up until the passkey is registered.
func (s *Server) enrolBegin(c *fiber.Ctx) error {
	if !s.limitSignIn(c) {
		return errTooMany
	}
	var req enrolBeginRequest
	if err := s.decode(c, "passkey-enrol-begin-request.schema.json", &req); err != nil {
		return err
	}
	rp, err := s.rp()
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	e, err := s.store.Enrolment(ctx, HashEnrolmentCode(req.Code), s.now())
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return errBadCode
	}
	if err != nil {
		return err
	}
	a := passkey.Account{UserID: e.UserID, Name: e.Name}
	if e.Recovery() {
		u, err := s.store.User(ctx, e.UserID)
		if veikart.ErrorCode(err) == veikart.ENOTFOUND {
			return errBadCode // erased since
		}
		if err != nil {
			return err
		}
		a.Name = u.Name
	} else {
		// The new person's id, fixed now: it is the passkey's user handle.
		a.UserID = veikart.PasskeyUserPrefix + auth.RandomID(12)
	}
	opts, state, err := rp.BeginRegistration(a)
	if err != nil {
		return err
	}
	cer, err := s.putCeremony(ctx, veikart.Ceremony{Kind: veikart.CeremonyEnrol, UserID: a.UserID, CodeHash: e.CodeHash, Name: a.Name, Session: state})
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, creationOptionsJSON{CeremonyID: cer.ID, ExpiresAt: cer.ExpiresAt, Kind: enrolmentKind(e), Name: a.Name, PublicKey: opts})
}

func (s *Server) putCeremony(ctx context.Context, cer veikart.Ceremony) (*veikart.Ceremony, error) {
	cer.ID = auth.RandomID(16)
	cer.ExpiresAt = s.now().UTC().Truncate(time.Millisecond).Add(veikart.CeremonyTTL)
	if err := s.store.PutCeremony(ctx, &cer); err != nil {
		return nil, err
	}
	return &cer, nil
}

// takeCeremony uses up the ceremony the request names, which must be of
// kind and (for registrations) for userID.
func (s *Server) takeCeremony(ctx context.Context, id string, kind veikart.CeremonyKind, userID string) (*veikart.Ceremony, error) {
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

// verified maps package passkey's refusals to a problem: the client's
// (invalid registration, failed sign-in) or, for anything else, ours.
func verified(err error, refusal *veikart.Error) error {
	if errors.Is(err, passkey.ErrNotVerified) {
		return refusal
	}
	return err
}

var errRegistration = &veikart.Error{Code: veikart.EINVALID, Message: "The passkey could not be verified. Try again.", Pointer: "/credential"}

// enrolFinish registers the passkey made with an enrolment code, uses the
// code up, and signs the person in: a new person gets their account, a
// recovered person loses every other passkey and session.
func (s *Server) enrolFinish(c *fiber.Ctx) error {
	if !s.limitSignIn(c) {
		return errTooMany
	}
	var req enrolFinishRequest
	if err := s.decode(c, "passkey-enrol-finish-request.schema.json", &req); err != nil {
		return err
	}
	rp, err := s.rp()
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	cer, err := s.takeCeremony(ctx, req.CeremonyID, veikart.CeremonyEnrol, "")
	if err != nil {
		return err
	}
	hash := HashEnrolmentCode(req.Code)
	if cer.CodeHash != hash {
		return errCeremony
	}
	e, err := s.store.Enrolment(ctx, hash, s.now())
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return errBadCode
	}
	if err != nil {
		return err
	}
	now := s.now()
	p, err := rp.FinishRegistration(passkey.Account{UserID: cer.UserID, Name: cer.Name}, cer.Session, req.Credential, label(req.Label), now)
	if err != nil {
		s.metrics.SignInFailed(veikart.SignInPasskey)
		return verified(err, errRegistration)
	}
	// Verified: now the code is used up, by this request or by none.
	if ok, err := s.store.TakeEnrolment(ctx, hash); err != nil {
		return err
	} else if !ok {
		return errBadCode
	}
	if e.Recovery() {
		u, err := s.store.User(ctx, e.UserID)
		if err != nil {
			return err
		}
		// Not signed in: the recovery waits, cancellable by the person.
		return s.startRecovery(c, e, u, p)
	}
	name := strings.TrimSpace(req.Name)
	if name == "" {
		name = cer.Name
	}
	u, err := s.store.EnsureUser(ctx, &veikart.User{ID: cer.UserID, Name: name, CreatedAt: now.UTC().Truncate(time.Millisecond)})
	if err != nil {
		return err
	}
	if _, err := s.store.AddPasskey(ctx, *p, false); err != nil {
		return err
	}
	s.passkeyEvent(ctx, u.ID, veikart.AuditPasskeyAdded, p.ID)
	return s.signIn(c, u, "", veikart.SignInPasskey)
}

// endAllSessions signs the person out everywhere: recovery after a lost
// phone.
func (s *Server) endAllSessions(ctx context.Context, userID string) error {
	live, err := s.liveSessions(ctx, userID)
	if err != nil {
		return err
	}
	for _, sess := range live {
		if err := s.endSession(ctx, sess.ID, "recovered"); err != nil {
			return err
		}
	}
	return nil
}

// passkeyEvent records a change of a person's passkeys in their security
// log; like sign-ins, a failure to write it is logged, not fatal.
func (s *Server) passkeyEvent(ctx context.Context, userID string, action veikart.AuditAction, passkeyID string) {
	e := veikart.AuditEvent{ID: auth.RandomID(8), At: s.now().UTC(), UserID: userID, Role: veikart.SignInPasskey, Action: action, Ref: passkeyID}
	if err := s.store.AppendAudit(ctx, veikart.SecurityLogKey(userID), e); err != nil {
		s.log.Error("security log", "action", string(action), "err", err)
	}
}

// loginBegin starts a sign-in with a passkey alone: the phone offers the
// passkeys it holds for this site.
func (s *Server) loginBegin(c *fiber.Ctx) error {
	if !s.limitSignIn(c) {
		return errTooMany
	}
	rp, err := s.rp()
	if err != nil {
		return err
	}
	opts, state, err := rp.BeginLogin()
	if err != nil {
		return err
	}
	cer, err := s.putCeremony(c.UserContext(), veikart.Ceremony{Kind: veikart.CeremonyLogin, Session: state})
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, requestOptionsJSON{CeremonyID: cer.ID, ExpiresAt: cer.ExpiresAt, PublicKey: opts})
}

// loginFinish verifies a passkey sign-in, counts it (refusing a counter that
// did not move forward), and signs the person in.
func (s *Server) loginFinish(c *fiber.Ctx) error {
	if !s.limitSignIn(c) {
		return errTooMany
	}
	var req loginFinishRequest
	if err := s.decode(c, "passkey-login-finish-request.schema.json", &req); err != nil {
		return err
	}
	rp, err := s.rp()
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	cer, err := s.takeCeremony(ctx, req.CeremonyID, veikart.CeremonyLogin, "")
	if err != nil {
		return err
	}
	limited := false // go-webauthn does not keep the callback's error
	l, err := rp.FinishLogin(cer.Session, req.Credential, func(credentialID []byte, userID string) ([]veikart.Passkey, error) {
		owner, err := s.store.PasskeyOwner(ctx, veikart.PasskeyID(credentialID))
		if err != nil {
			return nil, err
		}
		// Every attempt on an account counts, before anything is checked.
		if !s.accountLimit.Allow("passkey:" + owner) {
			limited = true
			return nil, errAccountLimited
		}
		if owner != userID {
			return nil, errors.New("the user handle is not the passkey's owner")
		}
		ps, err := s.store.Passkeys(ctx, owner)
		if err != nil {
			return nil, err
		}
		// A waiting recovery's passkey is verified like the others, so
		// that the new phone proves it holds it before it hears when it
		// may sign in; completeRecovery decides the rest.
		if pr, err := s.store.PendingRecovery(ctx, owner); err != nil {
			return nil, err
		} else if pr != nil {
			ps = append(ps, pr.Passkey)
		}
		return ps, nil
	})
	if limited {
		s.metrics.SignInFailed("rate-limited")
		return errTooManyForAccount
	}
	if err != nil {
		s.metrics.SignInFailed(veikart.SignInPasskey)
		return verified(err, errNotSignIn)
	}
	if pr, err := s.store.PendingRecovery(ctx, l.UserID); err != nil {
		return err
	} else if pr != nil && pr.Passkey.ID == l.Passkey.ID {
		if err := s.completeRecovery(ctx, l.UserID, l.Passkey.ID); err != nil {
			return err
		}
	}
	if err := s.store.UsePasskey(ctx, l.Passkey, s.now()); err != nil {
		if code := veikart.ErrorCode(err); code == veikart.EUNAUTHORIZED || code == veikart.ENOTFOUND {
			s.metrics.SignInFailed(veikart.SignInPasskey)
			return errNotSignIn
		}
		return err
	}
	u, err := s.store.User(ctx, l.UserID)
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return errNotSignIn // erased
	}
	if err != nil {
		return err
	}
	return s.signIn(c, u, "", veikart.SignInPasskey)
}

var (
	errAccountLimited    = errors.New("too many sign-in attempts on this account")
	errTooManyForAccount = &requestError{kind: kindRateLimited, detail: "Too many sign-in attempts on this account. Wait a minute and try again."}
)

// ownPasskeys checks that the caller is a person using their own account.
func ownPasskeys(c *fiber.Ctx) (access.Actor, error) {
	actor := actorOf(c)
	if !access.Permit(actor, access.UseAccount, "") {
		return actor, &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Operator tokens are for the admin API."}
	}
	return actor, nil
}

func (s *Server) listPasskeys(c *fiber.Ctx) error {
	actor, err := ownPasskeys(c)
	if err != nil {
		return err
	}
	ps, err := s.store.Passkeys(c.UserContext(), actor.UserID)
	if err != nil {
		return err
	}
	out := passkeyListJSON{Items: make([]passkeyJSON, len(ps))}
	for i, p := range ps {
		out.Items[i] = toPasskeyJSON(p)
	}
	return sendJSON(c, fiber.StatusOK, out)
}

// addBegin starts registering another passkey for the signed-in person.
func (s *Server) addBegin(c *fiber.Ctx) error {
	actor, err := ownPasskeys(c)
	if err != nil {
		return err
	}
	rp, err := s.rp()
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	a, err := s.account(ctx, actor.UserID)
	if err != nil {
		return err
	}
	if len(a.Passkeys) >= veikart.MaxPasskeys {
		return &veikart.Error{Code: veikart.ECONFLICT, Message: "You have as many passkeys as one person can have. Remove one you no longer use first."}
	}
	opts, state, err := rp.BeginRegistration(*a)
	if err != nil {
		return err
	}
	cer, err := s.putCeremony(ctx, veikart.Ceremony{Kind: veikart.CeremonyAdd, UserID: actor.UserID, Session: state})
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, creationOptionsJSON{CeremonyID: cer.ID, ExpiresAt: cer.ExpiresAt, PublicKey: opts})
}

func (s *Server) account(ctx context.Context, userID string) (*passkey.Account, error) {
	u, err := s.store.User(ctx, userID)
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return nil, &veikart.Error{Code: veikart.EUNAUTHORIZED, Message: "Sign in again."}
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

// addFinish registers the signed-in person's new passkey.
func (s *Server) addFinish(c *fiber.Ctx) error {
	actor, err := ownPasskeys(c)
	if err != nil {
		return err
	}
	var req passkeyFinishRequest
	if err := s.decode(c, "passkey-finish-request.schema.json", &req); err != nil {
		return err
	}
	rp, err := s.rp()
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	cer, err := s.takeCeremony(ctx, req.CeremonyID, veikart.CeremonyAdd, actor.UserID)
	if err != nil {
		return err
	}
	a, err := s.account(ctx, actor.UserID)
	if err != nil {
		return err
	}
	p, err := rp.FinishRegistration(*a, cer.Session, req.Credential, label(req.Label), s.now())
	if err != nil {
		return verified(err, errRegistration)
	}
	if _, err := s.store.AddPasskey(ctx, *p, false); err != nil {
		return err
	}
	s.passkeyEvent(ctx, actor.UserID, veikart.AuditPasskeyAdded, p.ID)
	c.Location("/api/v1/passkeys/" + p.ID)
	return sendJSON(c, fiber.StatusCreated, toPasskeyJSON(*p))
}

var passkeyIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// deletePasskey removes one of the signed-in person's passkeys; someone
// else's is not found, like one that does not exist.
func (s *Server) deletePasskey(c *fiber.Ctx) error {
	actor, err := ownPasskeys(c)
	if err != nil {
		return err
	}
	id := strings.Clone(c.Params("passkeyId"))
	if !passkeyIDPattern.MatchString(id) {
		return errNoPasskey
	}
	err = s.store.RemovePasskey(c.UserContext(), actor.UserID, id, func(remaining int) error {
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
	s.passkeyEvent(c.UserContext(), actor.UserID, veikart.AuditPasskeyRemoved, id)
	return c.SendStatus(fiber.StatusNoContent)
}
