// Package account holds the use cases of a person's account: signing in
// and out, the sessions of their devices, their passkeys (enrolled with a
// caseworker's code, used to sign in, added and removed), and the
// recovery of an account after a lost phone. Like package household, it
// owns the access decision, the order of the writes and the security-log
// entries; package api decodes, calls and encodes.
package account

import (
	"context"
	"log/slog"
	"time"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/agency"
	"github.com/veikart/veikart/backend/auth"
	"github.com/veikart/veikart/backend/metrics"
	"github.com/veikart/veikart/backend/passkey"
	"github.com/veikart/veikart/backend/ratelimit"
	"github.com/veikart/veikart/backend/veikart"
)

// Store is the storage the account use cases need.
type Store interface {
	User(ctx context.Context, id string) (*veikart.User, error)
	EnsureUser(ctx context.Context, u *veikart.User) (*veikart.User, error)
	AddUserSession(ctx context.Context, userID, sessionID string) error
	RemoveUserSessions(ctx context.Context, userID string, sessionIDs []string) error
	Session(ctx context.Context, id string) (*veikart.Session, error)
	Agency(ctx context.Context, id string) (*veikart.Agency, error)
	Roadmap(ctx context.Context, id string) (*veikart.Roadmap, error)
	AppendAudit(ctx context.Context, key string, e veikart.AuditEvent) error
	AuditPage(ctx context.Context, key, cursor string, limit int) ([]veikart.AuditEvent, string, error)

	Passkeys(ctx context.Context, userID string) ([]veikart.Passkey, error)
	PasskeyOwner(ctx context.Context, passkeyID string) (string, error)
	AddPasskey(ctx context.Context, p veikart.Passkey, replace bool) (removed []string, err error)
	RemovePasskey(ctx context.Context, userID, passkeyID string, may func(remaining int) error) error
	UsePasskey(ctx context.Context, used veikart.Passkey, at time.Time) error
	CreateEnrolment(ctx context.Context, e *veikart.Enrolment) error
	Enrolment(ctx context.Context, codeHash string, now time.Time) (*veikart.Enrolment, error)
	TakeEnrolment(ctx context.Context, codeHash string) (bool, error)
	PutCeremony(ctx context.Context, c *veikart.Ceremony) error
	TakeCeremony(ctx context.Context, id string, now time.Time) (*veikart.Ceremony, error)

	StartRecovery(ctx context.Context, userID string, p veikart.PendingRecovery) (replaced *veikart.PendingRecovery, err error)
	PendingRecovery(ctx context.Context, userID string) (*veikart.PendingRecovery, error)
	CancelRecovery(ctx context.Context, userID string) (*veikart.PendingRecovery, error)
	CompleteRecovery(ctx context.Context, userID, passkeyID string, now time.Time) (*veikart.PendingRecovery, []string, error)

	PushSubscriptions(ctx context.Context, userID string) ([]veikart.PushSubscription, error)
	AddPushSubscription(ctx context.Context, sub veikart.PushSubscription) error
	RemovePushSubscription(ctx context.Context, userID, endpoint string) (bool, error)
}

// Alerter tells a person's devices, by push, that something about their
// account needs their eyes now. It must not block: delivery is its own
// business, and what it says is in the security log either way.
type Alerter interface {
	Alert(ctx context.Context, userID, kind string)
}

// AlertRecovery is the alert of a recovery that waits; the app's service
// worker words it in the person's language.
const AlertRecovery = "recovery"

// Config is what the account use cases need to know of the service.
type Config struct {
	// RecoveryWait is how long a recovery waits, cancellable from the
	// person's own devices, before it takes effect
	// (veikart.DefaultRecoveryWait if zero).
	RecoveryWait time.Duration
	// Location is the households' time zone, for the times told.
	Location *time.Location
	// AccountBurst and AccountEvery limit passkey sign-ins per account from
	// anywhere (many addresses guessing at one person).
	AccountBurst int
	AccountEvery time.Duration
}

// Deps are the services the use cases use.
type Deps struct {
	Store    Store
	Once     Once
	Sessions *auth.Sessions
	// RP is the passkey relying party; nil: passkeys are off.
	RP *passkey.RP
	// Alerts, if set, pushes security alerts to a person's devices.
	Alerts  Alerter
	Metrics *metrics.Metrics
	Log     *slog.Logger
	Now     func() time.Time
}

// Service runs the account use cases.
type Service struct {
	store        Store
	once         Once
	sessions     *auth.Sessions
	rp           *passkey.RP
	alerts       Alerter
	metrics      *metrics.Metrics
	log          *slog.Logger
	now          func() time.Time
	cfg          Config
	accountLimit *ratelimit.Limiter
	// alive remembers sessions recently found live.
	alive liveCache
}

// New returns the account use cases.
func New(cfg Config, d Deps) *Service {
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.RecoveryWait <= 0 {
		cfg.RecoveryWait = veikart.DefaultRecoveryWait
	}
	if cfg.AccountBurst == 0 {
		cfg.AccountBurst, cfg.AccountEvery = 10, time.Minute
	}
	return &Service{
		store: d.Store, once: d.Once, sessions: d.Sessions, rp: d.RP, alerts: d.Alerts, metrics: d.Metrics, log: d.Log, now: d.Now, cfg: cfg,
		accountLimit: ratelimit.New(cfg.AccountBurst, cfg.AccountEvery, d.Now),
	}
}

// Errors the use cases answer with.
var ()

// Security appends to a person's own log of sign-ins, sign-outs and
// passkeys. A failure to write it is logged, not fatal: it must not lock
// people out.
func (s *Service) Security(ctx context.Context, userID string, action veikart.AuditAction, method, ref string) {
	e := veikart.AuditEvent{At: s.now().UTC(), UserID: userID, Role: method, Action: action, Ref: ref}
	if err := s.store.AppendAudit(ctx, veikart.SecurityLogKey(userID), e); err != nil {
		s.log.Error("security log", "action", string(action), "err", err)
	}
	if action == veikart.AuditSignIn || action == veikart.AuditSignOut {
		// The log line holds no person: only what happened and how.
		s.log.Info("auth", "action", string(action), "method", method)
	}
}

// SecurityLog is a page of the person's own log, newest first, with the
// names of the agencies in it: sign-ins and sign-outs, passkeys, and every
// step of a recovery by the caseworker's name.
func (s *Service) SecurityLog(ctx context.Context, userID, cursor string, limit int) ([]veikart.AuditEvent, map[string]string, string, error) {
	events, next, err := s.store.AuditPage(ctx, veikart.SecurityLogKey(userID), cursor, limit)
	if err != nil {
		return nil, nil, "", err
	}
	names := map[string]string{}
	for _, e := range events {
		if _, ok := names[e.AgencyID]; e.AgencyID != "" && !ok {
			names[e.AgencyID] = agency.Name(ctx, s.store, e.AgencyID)
		}
	}
	return events, names, next, nil
}

// Profile is what the app knows of the person signed in.
type Profile struct {
	User *veikart.User
	// Agencies are those they work for.
	Agencies []*veikart.Agency
	// RecoverableByAgency says an agency may help them back in (their
	// only way in is a passkey); Pending is such a recovery that waits.
	RecoverableByAgency bool
	Pending             *Pending
}

// Me is the profile of the person actor is.
func (s *Service) Me(ctx context.Context, actor access.Actor) (*Profile, error) {
	if err := access.Own(actor); err != nil {
		return nil, err
	}
	u, err := s.store.User(ctx, actor.UserID)
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return nil, veikart.ErrSignInAgain // a valid token of a person erased since
	}
	if err != nil {
		return nil, err
	}
	p := &Profile{User: u, RecoverableByAgency: veikart.RecoverableByAgency(u.ID)}
	if p.Agencies, err = agency.Memberships(ctx, s.store, u); err != nil {
		return nil, err
	}
	if p.RecoverableByAgency {
		if p.Pending, err = s.PendingRecovery(ctx, u.ID); err != nil {
			return nil, err
		}
	}
	return p, nil
}
