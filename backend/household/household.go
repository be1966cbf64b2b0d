// Package household holds Veikart's use cases for a household's roadmap: one
// method per thing a person or an agency does (read a roadmap, change it,
// grant an agency access, accept an invitation, take one's own roadmap,
// erase ...). Each method takes the actor and domain inputs and owns the
// access decision (package access), the domain call (package veikart), the
// order of the writes when there are several and what makes them safe to
// repeat, the access-log entry written before the answer, and keeping the
// reminders in line.
//
// Nothing here knows HTTP: package api decodes a request, calls one method
// and encodes what it returns. The storage it needs is declared here as
// interfaces, which package storage implements.
package household

import (
	"context"
	"log/slog"
	"time"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/veikart"
	"github.com/veikart/veikart/backend/versioned"
)

// Roadmaps is the storage of roadmaps: each write is one atomic
// single-document change.
type Roadmaps interface {
	Roadmap(ctx context.Context, id string) (*veikart.Roadmap, error)
	CreateRoadmap(ctx context.Context, r *veikart.Roadmap) error
	// UpdateRoadmap applies fn to the current roadmap and stores what it
	// returns (the same pointer for no change), retrying on a concurrent
	// write.
	UpdateRoadmap(ctx context.Context, id string, fn func(*veikart.Roadmap) (*veikart.Roadmap, error)) (*veikart.Roadmap, error)
	RoadmapsByOwner(ctx context.Context, userID string, limit int) ([]*veikart.Roadmap, error)
	RoadmapIDs(ctx context.Context, fn func(id string) error) error
}

// People is the storage of people and agencies, and of the indexes that
// lead from them to roadmaps.
type People interface {
	User(ctx context.Context, id string) (*veikart.User, error)
	UserIDs(ctx context.Context, fn func(id string) error) error
	AddUserRoadmap(ctx context.Context, userID, roadmapID string) error
	Agency(ctx context.Context, id string) (*veikart.Agency, error)
	UpdateAgency(ctx context.Context, id string, fn func(*veikart.Agency) (*veikart.Agency, error)) (*veikart.Agency, error)
	AgenciesOfStaff(ctx context.Context, userID string) ([]string, error)
	AddAgencyRoadmap(ctx context.Context, agencyID, roadmapID string) error
	AgencyRoadmapIDs(ctx context.Context, agencyID string) ([]string, error)
	AgencyNotices(ctx context.Context, agencyID string, since time.Time) ([]veikart.ErasureNotice, error)
	// Agencies lists agencies (a scan): their regions are the
	// municipalities a household may choose (blockers.go).
	Agencies(ctx context.Context, limit int) ([]*veikart.Agency, error)
}

// Logs is the storage of access logs (a roadmap's, keyed by its id) and
// security logs (a person's, veikart.SecurityLogKey).
type Logs interface {
	AppendAudit(ctx context.Context, key string, e veikart.AuditEvent) error
	RecordRead(ctx context.Context, key string, e veikart.AuditEvent) error
	AuditPage(ctx context.Context, key, cursor string, limit int) ([]veikart.AuditEvent, string, error)
}

// Invitations is the index from an invitation code's hash to its roadmap.
type Invitations interface {
	AddInvitationCode(ctx context.Context, codeHash, roadmapID string, expires time.Time) error
	InvitationRoadmap(ctx context.Context, codeHash string) (string, error)
	DeleteInvitationCode(ctx context.Context, codeHash string) error
}

// Account is the storage of what a person has beyond roadmaps: sessions,
// passkeys, devices for push; read for the export, erased with the account.
type Account interface {
	Session(ctx context.Context, id string) (*veikart.Session, error)
	Passkeys(ctx context.Context, userID string) ([]veikart.Passkey, error)
	PushSubscriptions(ctx context.Context, userID string) ([]veikart.PushSubscription, error)
	SessionIDsOfUser(ctx context.Context, userID string) ([]string, error)
	ErasePersonRecords(ctx context.Context, userID string, sessionIDs []string) error
	DeleteUser(ctx context.Context, userID string) error
}

// Erasures erases a roadmap with everything that belongs to it, in steps
// each safe to repeat (see storage.EraseRoadmap).
type Erasures interface {
	// EraseRoadmap calls check with the current roadmap before anything
	// is erased; an error from it erases nothing. newID names the notices
	// it leaves the agencies that had a grant.
	EraseRoadmap(ctx context.Context, id string, now time.Time, newID func() string, check func(*veikart.Roadmap) error) (*veikart.Erasure, error)
}

// Store is all the storage the use cases need.
type Store interface {
	Roadmaps
	People
	Logs
	Invitations
	Account
	Erasures
	Conversations
	CalendarFeeds
	BlockerReports
	ReviewStore
	CheckIns
}

// ReviewStore keeps a roadmap's saved reviews beside it (reviews.go).
type ReviewStore interface {
	// Reviews are the roadmap's reviews, oldest first.
	Reviews(ctx context.Context, roadmapID string) ([]veikart.Review, error)
	// AddReview saves v, or returns the review already saved with its id
	// (added false).
	AddReview(ctx context.Context, roadmapID string, v veikart.Review) (veikart.Review, bool, error)
}

// Reminders hears of every roadmap change, to keep the reminder jobs in
// line with the steps (package remind).
type Reminders interface {
	Sync(ctx context.Context, old, next *veikart.Roadmap) error
}

// Config is what the use cases need to know of the service.
type Config struct {
	// Consent holds the operator's limits on grants.
	Consent veikart.ConsentPolicy
	// Location is the households' time zone: it says what "today" is.
	Location *time.Location
	// Notify, if set, pushes the arrival of a message to the other side.
	Notify Notifier
	// BlockerK raises the number of households a blocker count needs
	// before it is shown; below veikart.MinHouseholds it means that.
	BlockerK int
}

// Service runs the use cases.
type Service struct {
	store     Store
	reminders Reminders
	log       *slog.Logger
	now       func() time.Time
	cfg       Config
	// Caseworkers' views and summaries of recent versions (views.go).
	views     *versioned.Cache[*access.View]
	summaries *versioned.Cache[access.Summary]
}

// New returns the use cases on store. reminders may be nil (no reminders).
func New(cfg Config, store Store, reminders Reminders, log *slog.Logger, now func() time.Time) *Service {
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	return &Service{store: store, reminders: reminders, log: log, now: now, cfg: cfg,
		views: versioned.New[*access.View](maxKept), summaries: versioned.New[access.Summary](maxKept)}
}

// Errors the use cases answer with. A roadmap that does not exist and one
// the actor may not see get the same error, so that ids reveal nothing.
var (
	ErrNoRoadmap     = &veikart.Error{Code: veikart.ENOTFOUND, Message: "There is no roadmap with this id that you can see."}
	ErrNoGrant       = &veikart.Error{Code: veikart.ENOTFOUND, Message: "There is no such grant."}
	ErrNoRequest     = &veikart.Error{Code: veikart.ENOTFOUND, Message: "There is no such request."}
	ErrNoProposal    = &veikart.Error{Code: veikart.ENOTFOUND, Message: "There is no such proposal."}
	ErrNoTransition  = &veikart.Error{Code: veikart.ENOTFOUND, Message: "There is no such transition."}
	ErrNoMember      = &veikart.Error{Code: veikart.ENOTFOUND, Message: "There is no such member."}
	errOwnersOnly    = &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Only the household's owners can do this."}
	errChanged       = &veikart.Error{Code: veikart.EPRECONDITION, Message: "The roadmap has changed since you last saw it."}
	errIDTaken       = &veikart.Error{Code: veikart.ECONFLICT, Message: "This id cannot be used. Choose another.", Pointer: "/id"}
	errNoAgency      = &veikart.Error{Code: veikart.EINVALID, Message: "There is no such agency.", Pointer: "/agencyId"}
	errBadInvitation = &veikart.Error{Code: veikart.ENOTFOUND, Message: "This invitation is not valid: it may have expired or been used. Ask for a new one."}
)

// EndedError answers a caseworker whose agency's grant ended: when and why,
// rather than "not found", so that their app says it in plain words and
// forgets what it showed.
type EndedError struct{ access.Ending }

func (e *EndedError) Error() string { return "access ended" }

// Precondition is what a write asks of the roadmap as it finds it (an HTTP
// If-Match); nil asks nothing.
type Precondition func(*veikart.Roadmap) bool

// denied is the error for an actor that may not do an action: not found
// when they may not even see the roadmap (ids reveal nothing), forbidden
// when they may.
func (s *Service) denied(actor access.Actor, r *veikart.Roadmap, forbidden error) error {
	if access.Decide(actor, access.Read, r, "", s.now()).Allowed {
		return forbidden
	}
	return ErrNoRoadmap
}

// read loads roadmap id, mapping "not there" to the same answer as "not
// yours".
func (s *Service) read(ctx context.Context, id string) (*veikart.Roadmap, error) {
	if !veikart.ValidID(id) {
		return nil, ErrNoRoadmap
	}
	r, err := s.store.Roadmap(ctx, id)
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return nil, ErrNoRoadmap
	}
	return r, err
}

// ownerRead loads roadmap id for a read only the owners may do (consent
// records, the log).
func (s *Service) ownerRead(ctx context.Context, actor access.Actor, id string, action access.Action) (*veikart.Roadmap, error) {
	r, err := s.read(ctx, id)
	if err != nil {
		return nil, err
	}
	if !access.Decide(actor, action, r, "", s.now()).Allowed {
		return nil, s.denied(actor, r, errOwnersOnly)
	}
	return r, nil
}

// change is every single-roadmap write: in one atomic write, it asks
// access.Decide whether actor may do action on section of the roadmap as
// it is now, applies fn, and then keeps the reminders in line. fn returns
// the next roadmap (or cur itself for no change). It returns the roadmap
// before and after.
func (s *Service) change(ctx context.Context, actor access.Actor, id string, action access.Action, section veikart.Section,
	fn func(cur *veikart.Roadmap, d access.Decision) (*veikart.Roadmap, error)) (prev, next *veikart.Roadmap, err error) {
	return s.changeOr(ctx, actor, id, action, section, errOwnersOnly, fn)
}

// changeOr is change with the error for an actor who may see the roadmap
// but not do this.
func (s *Service) changeOr(ctx context.Context, actor access.Actor, id string, action access.Action, section veikart.Section, forbidden error,
	fn func(cur *veikart.Roadmap, d access.Decision) (*veikart.Roadmap, error)) (prev, next *veikart.Roadmap, err error) {
	return s.changeAt(ctx, actor, id, action, func(*veikart.Roadmap) veikart.Section { return section }, forbidden, fn)
}

// changeAt is changeOr for an action whose section depends on the roadmap
// as it is at the write (a step's, which may have moved to another area).
func (s *Service) changeAt(ctx context.Context, actor access.Actor, id string, action access.Action, sectionOf func(*veikart.Roadmap) veikart.Section, forbidden error,
	fn func(cur *veikart.Roadmap, d access.Decision) (*veikart.Roadmap, error)) (prev, next *veikart.Roadmap, err error) {
	if !veikart.ValidID(id) {
		return nil, nil, ErrNoRoadmap
	}
	next, err = s.store.UpdateRoadmap(ctx, id, func(cur *veikart.Roadmap) (*veikart.Roadmap, error) {
		prev = cur
		d := access.Decide(actor, action, cur, sectionOf(cur), s.now())
		if !d.Allowed {
			return nil, s.denied(actor, cur, forbidden)
		}
		return fn(cur, d)
	})
	if prev == nil && veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return nil, nil, ErrNoRoadmap
	}
	if err != nil {
		return nil, nil, err
	}
	s.syncReminders(ctx, prev, next)
	s.syncBlockers(ctx, prev, next)
	return prev, next, nil
}

// syncReminders updates the reminder jobs after a roadmap changed from old
// to next (next nil: deleted). The roadmap is already written: a failure
// here is logged, not returned, and the scheduler checks every job against
// the roadmap before it sends, so a stale job is never sent.
func (s *Service) syncReminders(ctx context.Context, old, next *veikart.Roadmap) {
	if s.reminders == nil || old == next {
		return
	}
	if err := s.reminders.Sync(ctx, old, next); err != nil {
		s.log.Error("sync reminders", "err", err, "request_id", RequestID(ctx))
	}
}

type ctxKey struct{}

// WithRequestID returns ctx carrying the id of the request it serves, for
// the log lines a use case writes.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// RequestID is the id WithRequestID put in ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

// logAccess records an access by someone other than the owners. It returns
// only when the entry is stored; use cases return after it, so nothing is
// ever shown that the household cannot see in its log.
func (s *Service) logAccess(ctx context.Context, actor access.Actor, roadmapID, role string, action veikart.AuditAction, sections []veikart.Section, ref string) error {
	return s.store.AppendAudit(ctx, roadmapID, veikart.AuditEvent{
		At: s.now().UTC().Truncate(time.Millisecond), UserID: actor.UserID, AgencyID: actor.AgencyID,
		Role: role, Action: action, Sections: sections, Ref: ref,
	})
}

// logRead records a read by someone other than the owners, as logAccess
// does; a repeat of the same read within veikart.ReadWindow counts into
// the entry of the first (the store says how).
func (s *Service) logRead(ctx context.Context, actor access.Actor, roadmapID, role string, sections []veikart.Section) error {
	return s.store.RecordRead(ctx, roadmapID, veikart.AuditEvent{
		At: s.now().UTC().Truncate(time.Millisecond), UserID: actor.UserID, AgencyID: actor.AgencyID,
		Role: role, Action: veikart.AuditRead, Sections: sections,
	})
}

// knownAgency checks that an agency a grant is to name exists.
func (s *Service) knownAgency(ctx context.Context, id string) error {
	_, err := s.store.Agency(ctx, id)
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return errNoAgency
	}
	return err
}

// today is the date in the households' time zone.
func (s *Service) today() string { return s.now().In(s.cfg.Location).Format(time.DateOnly) }

// ReadFor is roadmap id for an action that reads it without showing its
// content (its poster's QR code, the people an agency may help back in):
// the roadmap if actor may do action, else the error every such route
// gives (not found if they cannot see the roadmap, forbidden if they can).
func (s *Service) ReadFor(ctx context.Context, actor access.Actor, id string, action access.Action, forbidden error) (*veikart.Roadmap, error) {
	r, err := s.read(ctx, id)
	if err != nil {
		return nil, err
	}
	if !access.Decide(actor, action, r, "", s.now()).Allowed {
		return nil, s.denied(actor, r, forbidden)
	}
	return r, nil
}
