package api

import (
	"encoding/json"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/veikart/veikart/backend/household"
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

// exportMe answers with everything the service holds about the caller, as
// a file to keep (household.ExportPerson), and the sessions they have on.
func (s *Server) exportMe(c *fiber.Ctx) error {
	x, err := s.household.ExportPerson(c.UserContext(), actorOf(c))
	if err != nil {
		return err
	}
	out := exportJSON{
		Format: "veikart-export", Version: exportFormatVersion, ExportedAt: x.At.UTC(),
		Profile:  meJSON{ID: x.User.ID, Name: x.User.Name, ActingFor: actorOf(c).AgencyID, Agencies: memberships(x.Agencies, x.User.ID)},
		Roadmaps: []exportedRoadmapJSON{}, MemberOf: mapJSON(x.MemberOf, partialViewJSON),
		SecurityLog: mapJSON(x.SecurityLog, toSecurityEventJSON),
	}
	for _, o := range x.Owned {
		out.Roadmaps = append(out.Roadmaps, exportedRoadmap(o, x.User.ID, x.At))
	}
	if out.Sessions.Items, err = s.sessionList(c, x.User.ID); err != nil {
		return err
	}
	out.Passkeys.Items = mapJSON(x.Passkeys, toPasskeyJSON)
	out.PushSubscriptions.Items = mapJSON(x.Push, toPushSubscriptionJSON)
	b, err := json.Marshal(out)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="veikart-export-`+x.At.In(s.cfg.Location).Format(time.DateOnly)+`.json"`)
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Status(fiber.StatusOK).Send(b)
}

// exportedRoadmap is one owned roadmap with its consent records and log.
func exportedRoadmap(o household.Owned, userID string, now time.Time) exportedRoadmapJSON {
	r := o.Roadmap
	x := exportedRoadmapJSON{
		Roadmap:        toRoadmapJSON(r),
		Grants:         make([]grantJSON, len(r.Grants)),
		AccessRequests: mapJSON(r.Requests, toAccessRequestJSON),
		Invitations:    mapJSON(r.Invitations, toExportInvitationJSON),
		Receipts:       mapJSON(r.Receipts, toReceiptJSON),
		AccessLog:      mapJSON(o.Log, toAuditEventJSON),
	}
	for i, g := range r.Grants {
		x.Grants[i] = toGrantJSON(g, now)
		x.Grants[i].Recovery = grantRecoveryFor(g, userID)
		x.Grants[i].AgencyName = o.AgencyNames[g.AgencyID]
	}
	return x
}

func toExportInvitationJSON(n veikart.Invitation) exportInvitationJSON {
	return exportInvitationJSON{
		ID: n.ID, Kind: string(n.Kind), CreatedAt: n.CreatedAt, ExpiresAt: n.ExpiresAt,
		Sections: sectionsToStrings(n.Sections), Permissions: permsToStrings(n.Permissions), Purpose: n.Purpose,
		GrantExpiresAt: timePtr(n.GrantExpiresAt), MemberID: n.MemberID, UsedAt: timePtr(n.UsedAt), UsedByAgency: n.UsedByAgency,
	}
}
