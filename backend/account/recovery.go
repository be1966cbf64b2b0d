package account

import (
	"context"
	"time"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/agency"
	"github.com/veikart/veikart/backend/veikart"
)

// Account recovery after a lost phone. The rules are in veikart/recovery.go
// and access.MayRecover, the reasoning in docs/passkeys.md. In order:
//
//  1. An owner whose only way in is a passkey lets an agency help them back
//     in: a choice of their own on their grant to it ("recovery"), off by
//     default.
//  2. At a home visit, that agency's caseworker lists the owners of a shared
//     roadmap who chose it (RecoveryPeople: names and keys of the agency's
//     own, never account ids) and makes a code for one (CreateEnrolment),
//     within limits per account and per agency. The caseworker's name and
//     the time go to the person's security log, the roadmap's access log
//     and the agency's own log.
//  3. The new phone registers its passkey with the code. It does not sign
//     in: the recovery waits (Config.RecoveryWait), the person's devices are
//     told at once (push, the security log, the app) and any of them can
//     cancel it (CancelRecovery).
//  4. After the wait, the new phone's sign-in with that passkey makes the
//     recovery take effect: the passkey replaces the others, and every
//     session of the old devices ends.

var (
	// ErrNoRecovery refuses a recovery code, whatever the reason: ids
	// reveal nothing.
	ErrNoRecovery      = &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Your agency can make a recovery code only for a person who chose, on their grant to your agency, to let it help them back in, and whose only way in is a passkey."}
	errRecoveryLimited = &veikart.Error{Code: veikart.ETOOMANY, Message: "Too many recovery codes have been made for this person or by your agency this week. Ask your agency's administrator."}
	errNoPending       = &veikart.Error{Code: veikart.ENOTFOUND, Message: "No recovery of your account is waiting."}
)

// Recoverable is an owner an agency may help back in, by the agency's own
// key for them.
type Recoverable struct {
	Key, Name string
}

// RecoveryPeople lists the owners of roadmap r whom the caseworker's agency
// may help back in. The caller has checked access.RecoverAccount on r.
func (s *Service) RecoveryPeople(ctx context.Context, actor access.Actor, r *veikart.Roadmap) ([]Recoverable, error) {
	out := []Recoverable{}
	for _, id := range access.Recoverable(actor, r, s.now()) {
		u, err := s.store.User(ctx, id)
		if veikart.ErrorCode(err) == veikart.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, Recoverable{Key: access.PersonKey(r.ID, actor.AgencyID, id), Name: u.Name})
	}
	return out, nil
}

// recoveryEnrolment makes e a recovery code for the person personKey names
// on roadmapID, within the limits, and records who made it.
func (s *Service) recoveryEnrolment(ctx context.Context, actor access.Actor, e *veikart.Enrolment, roadmapID, personKey string) error {
	u, r, err := s.recoveryTarget(ctx, actor, roadmapID, personKey)
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
	return s.recordRecoveryCode(ctx, actor, cw.Name, u, r.ID, e.CreatedAt)
}

// recoveryTarget finds the person a caseworker asks to recover: the owner
// of roadmapID whose key is personKey and whom the agency may help back in.
func (s *Service) recoveryTarget(ctx context.Context, actor access.Actor, roadmapID, personKey string) (*veikart.User, *veikart.Roadmap, error) {
	if !veikart.ValidID(roadmapID) {
		return nil, nil, ErrNoRecovery
	}
	r, err := s.store.Roadmap(ctx, roadmapID)
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return nil, nil, ErrNoRecovery
	}
	if err != nil {
		return nil, nil, err
	}
	for _, id := range access.Recoverable(actor, r, s.now()) {
		if access.PersonKey(r.ID, actor.AgencyID, id) != personKey {
			continue
		}
		u, err := s.store.User(ctx, id)
		if veikart.ErrorCode(err) == veikart.ENOTFOUND {
			return nil, nil, ErrNoRecovery
		}
		if err != nil {
			return nil, nil, err
		}
		// The roadmap's owner list and the grant decided; the person's
		// own index must agree, as access.MayRecover asks.
		if !access.MayRecover(actor, u.ID, []*veikart.Roadmap{r}, s.now()) {
			return nil, nil, ErrNoRecovery
		}
		return u, r, nil
	}
	return nil, nil, ErrNoRecovery
}

// recoveryAllowance checks the limits on recovery codes: per account and
// per agency, over veikart.RecoveryWindow. Two codes made at the same
// moment may both pass the check: a limit exceeded by a request or two at
// once is still a limit.
func (s *Service) recoveryAllowance(ctx context.Context, userID, agencyID string) error {
	since := s.now().Add(-veikart.RecoveryWindow)
	for _, l := range []struct {
		key string
		max int
	}{{veikart.RecoveryCodeLogKey(userID), veikart.RecoveryCodesPerAccount}, {veikart.AgencyRecoveryLogKey(agencyID), veikart.RecoveryCodesPerAgency}} {
		events, _, err := s.store.AuditPage(ctx, l.key, "", l.max)
		if err != nil {
			return err
		}
		recent := 0
		for _, e := range events {
			if e.At.After(since) {
				recent++
			}
		}
		if recent >= l.max {
			return errRecoveryLimited
		}
	}
	return nil
}

// recordRecoveryCode writes who made a recovery code for whom, and when,
// everywhere it must be seen: the person's security log and the roadmap's
// access log (by the caseworker's name), the agency's own log (for its
// administrators and its limit) and the account's (for the account's
// limit). The code is shown only after all four are stored.
func (s *Service) recordRecoveryCode(ctx context.Context, actor access.Actor, caseworkerName string, u *veikart.User, roadmapID string, at time.Time) error {
	e := veikart.AuditEvent{
		At: at, UserID: actor.UserID, AgencyID: actor.AgencyID, Role: access.RoleCaseworker, Action: veikart.AuditRecoveryCode, Name: caseworkerName,
	}
	for _, key := range []string{veikart.SecurityLogKey(u.ID), roadmapID, veikart.RecoveryCodeLogKey(u.ID), veikart.AgencyRecoveryLogKey(actor.AgencyID)} {
		if key == veikart.AgencyRecoveryLogKey(actor.AgencyID) {
			e.Subject = u.Name
		}
		if err := s.store.AppendAudit(ctx, key, e); err != nil {
			return err
		}
	}
	return nil
}

// startRecovery holds a new phone's verified passkey as the person's
// waiting recovery and tells their devices.
func (s *Service) startRecovery(ctx context.Context, e *veikart.Enrolment, p *veikart.Passkey) (*Enrolled, error) {
	u, err := s.store.User(ctx, e.UserID)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	pr := veikart.PendingRecovery{
		Passkey: *p, AgencyID: e.AgencyID, CreatedBy: e.CreatedBy, CreatedByName: e.CreatedByName,
		CodeCreatedAt: e.CreatedAt, StartedAt: now, EffectiveAt: now.Add(s.cfg.RecoveryWait),
	}
	if _, err := s.store.StartRecovery(ctx, u.ID, pr); err != nil {
		return nil, err
	}
	ev := veikart.AuditEvent{At: now, UserID: e.CreatedBy, AgencyID: e.AgencyID, Role: access.RoleCaseworker,
		Action: veikart.AuditRecoveryStarted, Ref: p.ID, Name: e.CreatedByName}
	if err := s.store.AppendAudit(ctx, veikart.SecurityLogKey(u.ID), ev); err != nil {
		return nil, err
	}
	if s.alerts != nil {
		s.alerts.Alert(context.WithoutCancel(ctx), u.ID, AlertRecovery)
	}
	return &Enrolled{Waiting: &pr, Name: u.Name}, nil
}

// completeRecovery is a sign-in with a waiting recovery's passkey: refused
// with the time it may happen until the wait is over, then the recovery
// takes effect (the passkey replaces the others, every old session ends)
// before the new phone is signed in.
func (s *Service) completeRecovery(ctx context.Context, userID, passkeyID string) error {
	done, _, err := s.store.CompleteRecovery(ctx, userID, passkeyID, s.now())
	if veikart.ErrorCode(err) == veikart.ECONFLICT {
		pr, perr := s.store.PendingRecovery(ctx, userID)
		if perr != nil || pr == nil {
			return errNotSignIn
		}
		return &veikart.Error{Code: veikart.EFORBIDDEN, Message: "This phone can sign in from " + pr.EffectiveAt.In(s.cfg.Location).Format("2006-01-02 15:04") +
			". Until then the person's other devices can stop it. The account is kept safe this way."}
	}
	if err != nil {
		return errNotSignIn // cancelled meanwhile
	}
	if err := s.EndAllSessions(ctx, userID, "recovered"); err != nil {
		return err
	}
	ev := veikart.AuditEvent{At: s.now().UTC(), UserID: userID, AgencyID: done.AgencyID, Role: veikart.SignInPasskey,
		Action: veikart.AuditRecovered, Ref: passkeyID, Name: done.CreatedByName}
	if err := s.store.AppendAudit(ctx, veikart.SecurityLogKey(userID), ev); err != nil {
		s.log.Error("security log", "action", string(ev.Action), "err", err)
	}
	return nil
}

// Pending is a recovery of the person's account that waits, with the name
// of the agency that helps ("" when gone).
type Pending struct {
	*veikart.PendingRecovery
	AgencyName string
}

// PendingRecovery is the recovery of the person's account that waits, or
// nil: the app shows it on every device with a way to stop it.
func (s *Service) PendingRecovery(ctx context.Context, userID string) (*Pending, error) {
	pr, err := s.store.PendingRecovery(ctx, userID)
	if err != nil || pr == nil {
		return nil, err
	}
	return &Pending{PendingRecovery: pr, AgencyName: agency.Name(ctx, s.store, pr.AgencyID)}, nil
}

// CancelRecovery stops the waiting recovery of the signed-in person's
// account: from one of their own devices, which a new phone is not until
// the recovery takes effect.
func (s *Service) CancelRecovery(ctx context.Context, actor access.Actor) error {
	if err := access.Own(actor); err != nil {
		return err
	}
	pr, err := s.store.CancelRecovery(ctx, actor.UserID)
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return errNoPending
	}
	if err != nil {
		return err
	}
	ev := veikart.AuditEvent{At: s.now().UTC(), UserID: actor.UserID, AgencyID: pr.AgencyID, Role: veikart.SignInPasskey,
		Action: veikart.AuditRecoveryCancelled, Ref: pr.Passkey.ID, Name: pr.CreatedByName}
	return s.store.AppendAudit(ctx, veikart.SecurityLogKey(actor.UserID), ev)
}

// AgencyRecoveries is a page of the recovery codes an agency's caseworkers
// made, newest first, for its administrators.
func (s *Service) AgencyRecoveries(ctx context.Context, actor access.Actor, agencyID, cursor string, limit int) ([]veikart.AuditEvent, string, error) {
	if !access.Permit(actor, access.ManageStaff, agencyID) {
		return nil, "", &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Only the agency's administrators see its recovery codes."}
	}
	return s.store.AuditPage(ctx, veikart.AgencyRecoveryLogKey(agencyID), cursor, limit)
}
