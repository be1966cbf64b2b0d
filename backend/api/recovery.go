package api

import (
	"context"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/auth"
	"github.com/veikart/veikart/backend/veikart"
)

// Account recovery after a lost phone. The rules are in veikart/recovery.go
// and access.MayRecover, the reasoning in docs/passkeys.md. In order:
//
//  1. An owner whose only way in is a passkey lets an agency help them back
//     in: a choice of their own on their grant to it ("recovery"), off by
//     default.
//  2. At a home visit, that agency's caseworker lists the owners of a shared
//     roadmap who chose it (GET /roadmaps/{id}/recovery-people: names and
//     keys of the agency's own, never account ids) and makes a code for one
//     (POST /enrolments {roadmapId, personKey}), within limits per account
//     and per agency. The caseworker's name and the time go to the person's
//     security log, the roadmap's access log and the agency's own log.
//  3. The new phone registers its passkey with the code. It does not sign
//     in: the recovery waits (Config.RecoveryWait), the person's devices are
//     told at once (push, the security log, the app from GET /me) and any of
//     them can cancel it (DELETE /me/recovery).
//  4. After the wait, the new phone's sign-in with that passkey makes the
//     recovery take effect: the passkey replaces the others, and every
//     session of the old devices ends.

// SecurityAlerter tells a person's devices, by push, that something about
// their account needs their eyes now. It must not block: delivery is its
// own business, and what it says is in the security log either way.
type SecurityAlerter interface {
	Alert(ctx context.Context, userID, kind string)
}

// Alert kinds, which the app's service worker words in the person's
// language.
const alertRecovery = "recovery"

type recoveryPersonJSON struct {
	Key  string `json:"key"`
	Name string `json:"name"`
}

type recoveryPeopleJSON struct {
	Items []recoveryPersonJSON `json:"items"`
}

type pendingRecoveryJSON struct {
	AgencyID       string    `json:"agencyId"`
	AgencyName     string    `json:"agencyName,omitempty"`
	CaseworkerName string    `json:"caseworkerName,omitempty"`
	StartedAt      time.Time `json:"startedAt"`
	EffectiveAt    time.Time `json:"effectiveAt"`
}

// recoveryWaitingJSON answers the new phone: registered, and when it may
// sign in.
type recoveryWaitingJSON struct {
	Status      string    `json:"status"` // always "waiting"
	Name        string    `json:"name"`
	EffectiveAt time.Time `json:"effectiveAt"`
}

var (
	errRecoveryLimited = &requestError{kind: kindRateLimited, detail: "Too many recovery codes have been made for this person or by your agency this week. Ask your agency's administrator."}
	errNoPending       = &veikart.Error{Code: veikart.ENOTFOUND, Message: "No recovery of your account is waiting."}
)

// recoveryWait is how long a recovery waits before it takes effect.
func (s *Server) recoveryWait() time.Duration {
	if s.cfg.RecoveryWait > 0 {
		return s.cfg.RecoveryWait
	}
	return veikart.DefaultRecoveryWait
}

// recoveryPeople lists, for a caseworker, the owners of the roadmap their
// agency may help back in: by name and by a key of the agency's own.
func (s *Server) recoveryPeople(c *fiber.Ctx) error {
	id, err := roadmapID(c)
	if err != nil {
		return err
	}
	actor := actorOf(c)
	r, err := s.household.ReadFor(c.UserContext(), actor, id, access.RecoverAccount, errNoRecovery)
	if err != nil {
		return err
	}
	out := recoveryPeopleJSON{Items: []recoveryPersonJSON{}}
	for _, id := range access.Recoverable(actor, r, s.now()) {
		u, err := s.store.User(c.UserContext(), id)
		if veikart.ErrorCode(err) == veikart.ENOTFOUND {
			continue
		}
		if err != nil {
			return err
		}
		out.Items = append(out.Items, recoveryPersonJSON{Key: access.PersonKey(r.ID, actor.AgencyID, id), Name: u.Name})
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return sendJSON(c, fiber.StatusOK, out)
}

// recoveryTarget finds the person a caseworker asks to recover: the owner
// of roadmapID whose key is personKey and whom the agency may help back in.
// Anything else is errNoRecovery, whatever the reason: ids reveal nothing.
func (s *Server) recoveryTarget(ctx context.Context, actor access.Actor, roadmapID, personKey string) (*veikart.User, *veikart.Roadmap, error) {
	if !veikart.ValidID(roadmapID) {
		return nil, nil, errNoRecovery
	}
	r, err := s.store.Roadmap(ctx, roadmapID)
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return nil, nil, errNoRecovery
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
			return nil, nil, errNoRecovery
		}
		if err != nil {
			return nil, nil, err
		}
		// The roadmap's owner list and the grant decided; the person's
		// own index must agree, as access.MayRecover asks.
		if !access.MayRecover(actor, u.ID, []*veikart.Roadmap{r}, s.now()) {
			return nil, nil, errNoRecovery
		}
		return u, r, nil
	}
	return nil, nil, errNoRecovery
}

// recoveryAllowance checks the limits on recovery codes: per account and
// per agency, over veikart.RecoveryWindow. Two codes made at the same
// moment may both pass the check: a limit exceeded by a request or two at
// once is still a limit.
func (s *Server) recoveryAllowance(ctx context.Context, userID, agencyID string) error {
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
func (s *Server) recordRecoveryCode(ctx context.Context, actor access.Actor, caseworkerName string, u *veikart.User, roadmapID string, at time.Time) error {
	e := veikart.AuditEvent{
		At: at, UserID: actor.UserID, AgencyID: actor.AgencyID, Role: access.RoleCaseworker, Action: veikart.AuditRecoveryCode, Name: caseworkerName,
	}
	for _, key := range []string{veikart.SecurityLogKey(u.ID), roadmapID, veikart.RecoveryCodeLogKey(u.ID), veikart.AgencyRecoveryLogKey(actor.AgencyID)} {
		e.ID = auth.RandomID(9)
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
// waiting recovery, tells their devices, and answers the new phone with when
// it may sign in.
func (s *Server) startRecovery(c *fiber.Ctx, e *veikart.Enrolment, u *veikart.User, p *veikart.Passkey) error {
	ctx := c.UserContext()
	now := s.now().UTC().Truncate(time.Millisecond)
	pr := veikart.PendingRecovery{
		Passkey: *p, AgencyID: e.AgencyID, CreatedBy: e.CreatedBy, CreatedByName: e.CreatedByName,
		CodeCreatedAt: e.CreatedAt, StartedAt: now, EffectiveAt: now.Add(s.recoveryWait()),
	}
	if _, err := s.store.StartRecovery(ctx, u.ID, pr); err != nil {
		return err
	}
	ev := veikart.AuditEvent{ID: auth.RandomID(8), At: now, UserID: e.CreatedBy, AgencyID: e.AgencyID, Role: access.RoleCaseworker,
		Action: veikart.AuditRecoveryStarted, Ref: p.ID, Name: e.CreatedByName}
	if err := s.store.AppendAudit(ctx, veikart.SecurityLogKey(u.ID), ev); err != nil {
		return err
	}
	if s.alerts != nil {
		s.alerts.Alert(context.WithoutCancel(ctx), u.ID, alertRecovery)
	}
	return sendJSON(c, fiber.StatusAccepted, recoveryWaitingJSON{Status: "waiting", Name: u.Name, EffectiveAt: pr.EffectiveAt})
}

// completeRecovery is a sign-in with a waiting recovery's passkey: refused
// with the time it may happen until the wait is over, then the recovery
// takes effect (the passkey replaces the others, every old session ends)
// before the new phone is signed in.
func (s *Server) completeRecovery(ctx context.Context, userID, passkeyID string) error {
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
	if err := s.endAllSessions(ctx, userID); err != nil {
		return err
	}
	ev := veikart.AuditEvent{ID: auth.RandomID(8), At: s.now().UTC(), UserID: userID, AgencyID: done.AgencyID, Role: veikart.SignInPasskey,
		Action: veikart.AuditRecovered, Ref: passkeyID, Name: done.CreatedByName}
	if err := s.store.AppendAudit(ctx, veikart.SecurityLogKey(userID), ev); err != nil {
		s.log.Error("security log", "action", string(ev.Action), "err", err)
	}
	return nil
}

// myRecovery answers the person with the recovery of their account that is
// waiting, if any: the app shows it on every device with a way to stop it.
func (s *Server) pendingRecoveryJSON(ctx context.Context, userID string) (*pendingRecoveryJSON, error) {
	pr, err := s.store.PendingRecovery(ctx, userID)
	if err != nil || pr == nil {
		return nil, err
	}
	out := &pendingRecoveryJSON{AgencyID: pr.AgencyID, CaseworkerName: pr.CreatedByName, StartedAt: pr.StartedAt, EffectiveAt: pr.EffectiveAt}
	if a, err := s.store.Agency(ctx, pr.AgencyID); err == nil {
		out.AgencyName = a.Name
	}
	return out, nil
}

// cancelRecovery stops the waiting recovery of the signed-in person's
// account: from one of their own devices, which a new phone is not until
// the recovery takes effect.
func (s *Server) cancelRecovery(c *fiber.Ctx) error {
	actor := actorOf(c)
	if !access.Permit(actor, access.UseAccount, "") {
		return errOperatorAccount
	}
	ctx := c.UserContext()
	pr, err := s.store.CancelRecovery(ctx, actor.UserID)
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return errNoPending
	}
	if err != nil {
		return err
	}
	ev := veikart.AuditEvent{ID: auth.RandomID(8), At: s.now().UTC(), UserID: actor.UserID, AgencyID: pr.AgencyID, Role: veikart.SignInPasskey,
		Action: veikart.AuditRecoveryCancelled, Ref: pr.Passkey.ID, Name: pr.CreatedByName}
	if err := s.store.AppendAudit(ctx, veikart.SecurityLogKey(actor.UserID), ev); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type securityLogJSON struct {
	Items []securityEventJSON `json:"items"`
	Next  string              `json:"next,omitempty"`
}

// securityLog is the signed-in person's own log, newest first, paged:
// sign-ins and sign-outs, passkeys, and every step of a recovery by the
// caseworker's name.
func (s *Server) securityLog(c *fiber.Ctx) error {
	actor := actorOf(c)
	if !access.Permit(actor, access.UseAccount, "") {
		return errOperatorAccount
	}
	cursor, limit, err := page(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	events, next, err := s.store.AuditPage(ctx, veikart.SecurityLogKey(actor.UserID), cursor, limit)
	if err != nil {
		return err
	}
	out := securityLogJSON{Items: make([]securityEventJSON, len(events)), Next: next}
	for i, e := range events {
		out.Items[i] = toSecurityEventJSON(e)
		if e.AgencyID != "" {
			if a, err := s.store.Agency(ctx, e.AgencyID); err == nil {
				out.Items[i].AgencyName = a.Name
			}
		}
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return sendJSON(c, fiber.StatusOK, out)
}

// agencyRecoveryJSON is one recovery code an agency's caseworker made.
type agencyRecoveryJSON struct {
	ID             string    `json:"id"`
	At             time.Time `json:"at"`
	CaseworkerID   string    `json:"caseworkerId"`
	CaseworkerName string    `json:"caseworkerName,omitempty"`
	PersonName     string    `json:"personName,omitempty"`
}

type agencyRecoveryListJSON struct {
	Items []agencyRecoveryJSON `json:"items"`
	Next  string               `json:"next,omitempty"`
}

// agencyRecoveries lists, for an agency's administrators, every recovery
// code its caseworkers made, newest first.
func (s *Server) agencyRecoveries(c *fiber.Ctx) error {
	agencyID, err := pathID(c, "agencyId", errNoAgency)
	if err != nil {
		return err
	}
	actor := actorOf(c)
	if !access.Permit(actor, access.ManageStaff, agencyID) {
		return &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Only the agency's administrators see its recovery codes."}
	}
	cursor, limit, err := page(c)
	if err != nil {
		return err
	}
	events, next, err := s.store.AuditPage(c.UserContext(), veikart.AgencyRecoveryLogKey(agencyID), cursor, limit)
	if err != nil {
		return err
	}
	out := agencyRecoveryListJSON{Items: make([]agencyRecoveryJSON, 0, len(events)), Next: next}
	for _, e := range events {
		out.Items = append(out.Items, agencyRecoveryJSON{ID: e.ID, At: e.At, CaseworkerID: e.UserID, CaseworkerName: e.Name, PersonName: e.Subject})
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return sendJSON(c, fiber.StatusOK, out)
}

// grantRecoveryFor renders, for the owner asking, whether they let the
// grant's agency help them back in.
func grantRecoveryFor(g veikart.Grant, userID string) bool {
	return slices.Contains(g.RecoveryFor, userID)
}
