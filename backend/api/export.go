package api

import (
	"context"
	"encoding/json"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/auth"
	"github.com/veikart/veikart/backend/veikart"
)

// Export: everything the service holds about a person and the roadmaps they
// own, as one JSON document valid against schemas/export.schema.json. Each
// part is what the person may see through the API anyway, read through the
// same access decisions: the owners' full view of their roadmaps with the
// consent records and the whole access log, a member's view of the
// roadmaps they are linked to, and their own devices and security log.

// exportFormatVersion changes when the export's shape does.
const exportFormatVersion = 1

// maxExportLog bounds the entries of one log in an export, so that one
// request's memory stays bounded; a log that long is cut, newest kept.
const maxExportLog = 100_000

type exportJSON struct {
	Format            string                   `json:"format"`
	Version           int                      `json:"version"`
	ExportedAt        time.Time                `json:"exportedAt"`
	Profile           meJSON                   `json:"profile"`
	Roadmaps          []exportedRoadmapJSON    `json:"roadmaps"`
	MemberOf          []roadmapJSON            `json:"memberOf"`
	Sessions          sessionListJSON          `json:"sessions"`
	Passkeys          passkeyListJSON          `json:"passkeys"`
	PushSubscriptions pushSubscriptionListJSON `json:"pushSubscriptions"`
	SecurityLog       []securityEventJSON      `json:"securityLog"`
}

type exportedRoadmapJSON struct {
	Roadmap        roadmapJSON            `json:"roadmap"`
	Grants         []grantJSON            `json:"grants"`
	AccessRequests []accessRequestJSON    `json:"accessRequests"`
	Invitations    []exportInvitationJSON `json:"invitations"`
	Receipts       []receiptJSON          `json:"receipts"`
	AccessLog      []auditEventJSON       `json:"accessLog"`
}

// exportInvitationJSON is an invitation as the owners made it, without its
// code's hash: the code is a secret and the export may be stored anywhere.
type exportInvitationJSON struct {
	ID             string     `json:"id"`
	Kind           string     `json:"kind"`
	CreatedAt      time.Time  `json:"createdAt"`
	ExpiresAt      time.Time  `json:"expiresAt"`
	Sections       []string   `json:"sections"`
	Permissions    []string   `json:"permissions"`
	Purpose        string     `json:"purpose,omitempty"`
	GrantExpiresAt *time.Time `json:"grantExpiresAt,omitempty"`
	MemberID       string     `json:"memberId,omitempty"`
	UsedAt         *time.Time `json:"usedAt,omitempty"`
	UsedByAgency   string     `json:"usedByAgency,omitempty"`
}

// securityEventJSON is one entry of a person's own security log.
type securityEventJSON struct {
	ID        string    `json:"id"`
	At        time.Time `json:"at"`
	Action    string    `json:"action"`
	Method    string    `json:"method,omitempty"`
	SessionID string    `json:"sessionId,omitempty"`
	// AgencyID, AgencyName and Name (the caseworker's) are for the
	// recovery events, which say who helped by name.
	AgencyID   string `json:"agencyId,omitempty"`
	AgencyName string `json:"agencyName,omitempty"`
	Name       string `json:"name,omitempty"`
}

func toSecurityEventJSON(e veikart.AuditEvent) securityEventJSON {
	out := securityEventJSON{ID: e.ID, At: e.At, Action: string(e.Action), AgencyID: e.AgencyID, Name: e.Name}
	switch e.Action {
	case veikart.AuditSignIn, veikart.AuditSignOut, veikart.AuditSignInFailed:
		out.Method, out.SessionID = e.Role, e.Ref
	case veikart.AuditPasskeyAdded, veikart.AuditPasskeyRemoved, veikart.AuditRecovered:
		out.Method = e.Role
	}
	return out
}

func (s *Server) exportMe(c *fiber.Ctx) error {
	actor := actorOf(c)
	if !access.Permit(actor, access.UseAccount, "") {
		return errOperatorAccount
	}
	ctx := c.UserContext()
	u, err := s.store.User(ctx, actor.UserID)
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return &veikart.Error{Code: veikart.EUNAUTHORIZED, Message: "Sign in again."}
	}
	if err != nil {
		return err
	}
	now := s.now()
	// The person's own data, whichever role the token acts in.
	person := access.Actor{Kind: access.Person, UserID: u.ID}
	out := exportJSON{
		Format: "veikart-export", Version: exportFormatVersion, ExportedAt: now.UTC(),
		Profile:  meJSON{ID: u.ID, Name: u.Name, ActingFor: actor.AgencyID, Agencies: []membershipJSON{}},
		Roadmaps: []exportedRoadmapJSON{}, MemberOf: []roadmapJSON{}, SecurityLog: []securityEventJSON{},
	}
	for _, id := range u.AgencyIDs {
		a, err := s.store.Agency(ctx, id)
		if veikart.ErrorCode(err) == veikart.ENOTFOUND {
			continue
		}
		if err != nil {
			return err
		}
		if roles := a.Roles(u.ID); len(roles) > 0 {
			out.Profile.Agencies = append(out.Profile.Agencies, membershipJSON{AgencyID: a.ID, Name: a.Name, Kind: string(a.Kind), Roles: rolesToStrings(roles)})
		}
	}

	for _, id := range u.RoadmapIDs {
		r, err := s.store.Roadmap(ctx, id)
		if veikart.ErrorCode(err) == veikart.ENOTFOUND {
			continue
		}
		if err != nil {
			return err
		}
		view := access.Project(person, r, now)
		switch {
		case view == nil:
			continue
		case view.Role == access.RoleOwner && access.Decide(person, access.ManageConsent, r, "", now).Allowed &&
			access.Decide(person, access.ReadLog, r, "", now).Allowed:
			x, err := s.exportOwned(ctx, r, u.ID, now)
			if err != nil {
				return err
			}
			out.Roadmaps = append(out.Roadmaps, x)
		case view.Role == access.RoleMember:
			// A member's read is in the household's log, as on GET.
			if err := s.store.AppendAudit(ctx, r.ID, veikart.AuditEvent{
				ID: auth.RandomID(9), At: now.UTC().Truncate(time.Millisecond), UserID: u.ID,
				Role: view.Role, Action: veikart.AuditRead, Sections: view.Sections,
			}); err != nil {
				return err
			}
			m := toRoadmapJSON(view.Roadmap)
			a := toAccessJSON(view)
			m.Access = &a
			out.MemberOf = append(out.MemberOf, m)
		}
	}

	live, err := s.liveSessions(ctx, u.ID)
	if err != nil {
		return err
	}
	out.Sessions.Items = make([]sessionJSON, 0, len(live))
	for _, sess := range live {
		out.Sessions.Items = append(out.Sessions.Items, sessionJSON{
			ID: sess.ID, Method: methodOf(sess), Device: sess.UserAgent,
			CreatedAt: sess.CreatedAt, LastUsedAt: sess.LastUsedAt, ActingFor: sess.AgencyID,
			Current: sess.ID == sessionOf(c),
		})
	}
	keys, err := s.store.Passkeys(ctx, u.ID)
	if err != nil {
		return err
	}
	out.Passkeys.Items = make([]passkeyJSON, len(keys))
	for i, k := range keys {
		out.Passkeys.Items[i] = toPasskeyJSON(k)
	}
	subs, err := s.store.PushSubscriptions(ctx, u.ID)
	if err != nil {
		return err
	}
	out.PushSubscriptions.Items = make([]pushSubscriptionJSON, len(subs))
	for i, p := range subs {
		out.PushSubscriptions.Items[i] = toPushSubscriptionJSON(p)
	}
	events, err := s.wholeLog(ctx, veikart.SecurityLogKey(u.ID))
	if err != nil {
		return err
	}
	for _, e := range events {
		out.SecurityLog = append(out.SecurityLog, toSecurityEventJSON(e))
	}

	b, err := json.Marshal(out)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="veikart-export-`+now.In(s.cfg.Location).Format(time.DateOnly)+`.json"`)
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Status(fiber.StatusOK).Send(b)
}

// exportOwned is one owned roadmap with its consent records and access log.
func (s *Server) exportOwned(ctx context.Context, r *veikart.Roadmap, userID string, now time.Time) (exportedRoadmapJSON, error) {
	x := exportedRoadmapJSON{
		Roadmap:        toRoadmapJSON(r),
		Grants:         make([]grantJSON, len(r.Grants)),
		AccessRequests: make([]accessRequestJSON, len(r.Requests)),
		Invitations:    make([]exportInvitationJSON, len(r.Invitations)),
		Receipts:       make([]receiptJSON, len(r.Receipts)),
		AccessLog:      []auditEventJSON{},
	}
	for i, g := range r.Grants {
		x.Grants[i] = toGrantJSON(g, now)
		x.Grants[i].Recovery = grantRecoveryFor(g, userID)
		if a, err := s.store.Agency(ctx, g.AgencyID); err == nil {
			x.Grants[i].AgencyName = a.Name
		}
	}
	for i, q := range r.Requests {
		x.AccessRequests[i] = toAccessRequestJSON(q)
	}
	for i, n := range r.Invitations {
		x.Invitations[i] = exportInvitationJSON{
			ID: n.ID, Kind: string(n.Kind), CreatedAt: n.CreatedAt, ExpiresAt: n.ExpiresAt,
			Sections: sectionsToStrings(n.Sections), Permissions: permsToStrings(n.Permissions), Purpose: n.Purpose,
			GrantExpiresAt: timePtr(n.GrantExpiresAt), MemberID: n.MemberID, UsedAt: timePtr(n.UsedAt), UsedByAgency: n.UsedByAgency,
		}
	}
	for i, rc := range r.Receipts {
		x.Receipts[i] = toReceiptJSON(rc)
	}
	events, err := s.wholeLog(ctx, r.ID)
	if err != nil {
		return x, err
	}
	for _, e := range events {
		x.AccessLog = append(x.AccessLog, toAuditEventJSON(e))
	}
	return x, nil
}

// wholeLog reads a log from the newest entry down, up to maxExportLog.
func (s *Server) wholeLog(ctx context.Context, key string) ([]veikart.AuditEvent, error) {
	var all []veikart.AuditEvent
	cursor := ""
	for len(all) < maxExportLog {
		page, next, err := s.store.AuditPage(ctx, key, cursor, 100)
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if next == "" {
			break
		}
		cursor = next
	}
	return all, nil
}
