package api

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/auth"
	"github.com/veikart/veikart/backend/qr"
	"github.com/veikart/veikart/backend/veikart"
)

// Consent routes. Every one reads the roadmap (with its grants) fresh, asks
// access.Decide, and, for anyone but the owners, writes the access log
// before it answers.

// pathID returns a path parameter that must be an id, copied.
func pathID(c *fiber.Ctx, name string, notFound error) (string, error) {
	id := strings.Clone(c.Params(name))
	if !veikart.ValidID(id) {
		return "", notFound
	}
	return id, nil
}

var (
	errNoGrant    = &veikart.Error{Code: veikart.ENOTFOUND, Message: "There is no such grant."}
	errNoRequest  = &veikart.Error{Code: veikart.ENOTFOUND, Message: "There is no such request."}
	errNoProposal = &veikart.Error{Code: veikart.ENOTFOUND, Message: "There is no such proposal."}
	errOwnersOnly = &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Only the household's owners can do this."}
)

// denied is the error for an actor that may not do action: not found when
// they may not even see the roadmap (ids reveal nothing), forbidden when
// they may.
func (s *Server) denied(actor access.Actor, r *veikart.Roadmap, forbidden error) error {
	if access.Decide(actor, access.Read, r, "", s.now()).Allowed {
		return forbidden
	}
	return errNoRoadmap
}

// readRoadmap loads the roadmap named in the path, mapping "not there" to the
// same answer as "not yours".
func (s *Server) readRoadmap(c *fiber.Ctx) (*veikart.Roadmap, error) {
	id, err := roadmapID(c)
	if err != nil {
		return nil, err
	}
	r, err := s.store.Roadmap(c.UserContext(), id)
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return nil, errNoRoadmap
	}
	return r, err
}

// ownerRead loads the roadmap for an owner-only read (consent records, log).
func (s *Server) ownerRead(c *fiber.Ctx, action access.Action) (*veikart.Roadmap, error) {
	r, err := s.readRoadmap(c)
	if err != nil {
		return nil, err
	}
	if !access.Decide(actorOf(c), action, r, "", s.now()).Allowed {
		return nil, s.denied(actorOf(c), r, errOwnersOnly)
	}
	return r, nil
}

// change applies fn to the roadmap in one atomic write after access.Decide
// allows action on section. fn returns the next roadmap (or the same one for
// no change).
func (s *Server) change(c *fiber.Ctx, action access.Action, section veikart.Section, fn func(cur *veikart.Roadmap, d access.Decision) (*veikart.Roadmap, error)) (*veikart.Roadmap, error) {
	id, err := roadmapID(c)
	if err != nil {
		return nil, err
	}
	actor := actorOf(c)
	found := false
	next, err := s.store.UpdateRoadmap(c.UserContext(), id, func(cur *veikart.Roadmap) (*veikart.Roadmap, error) {
		found = true
		d := access.Decide(actor, action, cur, section, s.now())
		if !d.Allowed {
			return nil, s.denied(actor, cur, errOwnersOnly)
		}
		return fn(cur, d)
	})
	if !found && veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return nil, errNoRoadmap
	}
	return next, err
}

// logAccess records an access by someone other than the owners. It returns
// only when the entry is stored; callers answer after it, so nothing is ever
// shown that the household cannot see in its log.
func (s *Server) logAccess(c *fiber.Ctx, roadmapID, role string, action veikart.AuditAction, sections []veikart.Section, ref string) error {
	actor := actorOf(c)
	return s.store.AppendAudit(c.UserContext(), roadmapID, veikart.AuditEvent{
		ID: auth.RandomID(9), At: s.now().UTC().Truncate(time.Millisecond), UserID: actor.UserID, AgencyID: actor.AgencyID,
		Role: role, Action: action, Sections: sections, Ref: ref,
	})
}

func (s *Server) listGrants(c *fiber.Ctx) error {
	r, err := s.ownerRead(c, access.ManageConsent)
	if err != nil {
		return err
	}
	out := grantListJSON{Items: make([]grantJSON, 0, len(r.Grants))}
	for i := len(r.Grants) - 1; i >= 0; i-- { // newest first
		out.Items = append(out.Items, s.grantJSON(c, r.Grants[i]))
	}
	return sendJSON(c, fiber.StatusOK, out)
}

// grantJSON renders a grant with its agency's name, when the agency exists.
func (s *Server) grantJSON(c *fiber.Ctx, g veikart.Grant) grantJSON {
	out := toGrantJSON(g, s.now())
	out.Recovery = grantRecoveryFor(g, actorOf(c).UserID)
	if a, err := s.store.Agency(c.UserContext(), g.AgencyID); err == nil {
		out.AgencyName = a.Name
	}
	return out
}

// previewGrant answers an owner with what an agency would see of the roadmap
// with the sections and permissions asked about, projected exactly as the
// caseworker's own read is (access.Preview). It writes nothing, the access
// log included: no agency read anything.
func (s *Server) previewGrant(c *fiber.Ctx) error {
	var req previewRequest
	if err := s.decode(c, "preview-request.schema.json", &req); err != nil {
		return err
	}
	r, err := s.ownerRead(c, access.ManageConsent)
	if err != nil {
		return err
	}
	view := access.Preview(r, veikart.Grant{
		AgencyID: req.AgencyID, Sections: toSections(req.Sections), Permissions: toPermissions(req.Permissions), Status: veikart.GrantActive,
	})
	return sendJSON(c, fiber.StatusOK, partialViewJSON(view))
}

func (s *Server) createGrant(c *fiber.Ctx) error {
	var req createGrantRequest
	if err := s.decode(c, "create-grant-request.schema.json", &req); err != nil {
		return err
	}
	// Checked before anything is written, the agency's index included.
	r, err := s.ownerRead(c, access.ManageConsent)
	if err != nil {
		return err
	}
	id := r.ID
	if _, err := s.store.Agency(c.UserContext(), req.AgencyID); err != nil {
		if veikart.ErrorCode(err) == veikart.ENOTFOUND {
			return &veikart.Error{Code: veikart.EINVALID, Message: "There is no such agency.", Pointer: "/agencyId"}
		}
		return err
	}
	// The agency's index first: an entry without a grant shows nothing, a
	// grant missing from the index would be invisible to the agency.
	if err := s.store.AddAgencyRoadmap(c.UserContext(), req.AgencyID, id); err != nil {
		return err
	}
	g, err := s.changeGrant(c, func(cur *veikart.Roadmap, by string) (*veikart.Roadmap, veikart.Grant, error) {
		return cur.AddGrant("g-"+auth.RandomID(9), req.AgencyID, by, veikart.GrantSpec{
			Sections: toSections(req.Sections), Permissions: toPermissions(req.Permissions), Purpose: req.Purpose, ExpiresAt: req.ExpiresAt,
			Recovery: req.Recovery,
		}, "owner", s.now(), s.cfg.Consent)
	})
	if err == nil {
		c.Location("/api/v1/roadmaps/" + id + "/grants/" + g.ID)
	}
	return s.sendGrant(c, fiber.StatusCreated, g, err)
}

func (s *Server) updateGrant(c *fiber.Ctx) error {
	gid, err := pathID(c, "grantId", errNoGrant)
	if err != nil {
		return err
	}
	var req updateGrantRequest
	if err := s.decode(c, "update-grant-request.schema.json", &req); err != nil {
		return err
	}
	g, err := s.changeGrant(c, func(cur *veikart.Roadmap, by string) (*veikart.Roadmap, veikart.Grant, error) {
		return cur.UpdateGrant(gid, by, veikart.GrantPatch{
			Sections: toSections(req.Sections), Permissions: toPermissions(req.Permissions), Purpose: req.Purpose, ExpiresAt: req.ExpiresAt,
			Recovery: req.Recovery,
		}, s.now(), s.cfg.Consent)
	})
	return s.sendGrant(c, fiber.StatusOK, g, err)
}

// changeGrant runs one owner's change of consent that yields a grant, in
// one write, and returns that grant.
func (s *Server) changeGrant(c *fiber.Ctx, fn func(cur *veikart.Roadmap, by string) (*veikart.Roadmap, veikart.Grant, error)) (veikart.Grant, error) {
	var g veikart.Grant
	_, err := s.change(c, access.ManageConsent, "", func(cur *veikart.Roadmap, _ access.Decision) (*veikart.Roadmap, error) {
		n, grant, err := fn(cur, actorOf(c).UserID)
		g = grant
		return n, err
	})
	return g, err
}

// sendGrant answers with a grant, or with err.
func (s *Server) sendGrant(c *fiber.Ctx, status int, g veikart.Grant, err error) error {
	if err != nil {
		return err
	}
	return sendJSON(c, status, s.grantJSON(c, g))
}

// revokeGrant ends a grant at once: the agency's next request is refused.
// The grant stays in the list as revoked, and a receipt records it.
func (s *Server) revokeGrant(c *fiber.Ctx) error {
	gid, err := pathID(c, "grantId", errNoGrant)
	if err != nil {
		return err
	}
	g, err := s.changeGrant(c, func(cur *veikart.Roadmap, by string) (*veikart.Roadmap, veikart.Grant, error) {
		return cur.RevokeGrant(gid, by, s.now())
	})
	return s.sendGrant(c, fiber.StatusOK, g, err)
}

func (s *Server) listAccessRequests(c *fiber.Ctx) error {
	r, err := s.ownerRead(c, access.ManageConsent)
	if err != nil {
		return err
	}
	out := accessRequestListJSON{Items: make([]accessRequestJSON, 0, len(r.Requests))}
	for i := len(r.Requests) - 1; i >= 0; i-- {
		out.Items = append(out.Items, toAccessRequestJSON(r.Requests[i]))
	}
	return sendJSON(c, fiber.StatusOK, out)
}

// createAccessRequest is an agency asking the household for access. It shows
// the agency nothing, not even whether the roadmap exists: every caseworker
// gets the same 202 whether the request was stored, the roadmap is missing,
// or the household cannot take it now (a request of the agency's already
// waits, too many wait, a section it does not have). An agency learns a
// roadmap's id only from the household (an invitation, an earlier grant);
// an id it guesses must tell it nothing. The owners see stored requests in
// their list, and the log says who asked.
func (s *Server) createAccessRequest(c *fiber.Ctx) error {
	var req createAccessRequest
	if err := s.decode(c, "create-access-request.schema.json", &req); err != nil {
		return err
	}
	actor := actorOf(c)
	if !access.Permit(actor, access.RequestAccess, "") {
		return &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Act for your agency as a caseworker to request access."}
	}
	var q veikart.AccessRequest
	next, err := s.change(c, access.RequestAccess, "", func(cur *veikart.Roadmap, _ access.Decision) (*veikart.Roadmap, error) {
		n, made, err := cur.AddRequest("q-"+auth.RandomID(9), actor.AgencyID, actor.UserID, toSections(req.Sections), toPermissions(req.Permissions), req.Purpose, s.now())
		q = made
		return n, err
	})
	switch veikart.ErrorCode(err) {
	case "":
		if err := s.logAccess(c, next.ID, access.RoleCaseworker, veikart.AuditRequestAccess, q.Sections, q.ID); err != nil {
			return err
		}
	case veikart.ENOTFOUND, veikart.ECONFLICT, veikart.EINVALID, veikart.EFORBIDDEN:
		// Not stored; the answer must not say so (see above).
	default:
		return err // the store failed: 503, as for any request
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(fiber.StatusAccepted).Send(nil)
}

func (s *Server) approveAccessRequest(c *fiber.Ctx) error {
	qid, err := pathID(c, "requestId", errNoRequest)
	if err != nil {
		return err
	}
	var req approveRequest
	if err := s.decode(c, "approve-request.schema.json", &req); err != nil {
		return err
	}
	r, err := s.ownerRead(c, access.ManageConsent)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(r.Requests, func(q veikart.AccessRequest) bool { return q.ID == qid })
	if i < 0 {
		return errNoRequest
	}
	if err := s.store.AddAgencyRoadmap(c.UserContext(), r.Requests[i].AgencyID, r.ID); err != nil {
		return err
	}
	g, err := s.changeGrant(c, func(cur *veikart.Roadmap, by string) (*veikart.Roadmap, veikart.Grant, error) {
		return cur.ApproveRequest(qid, "g-"+auth.RandomID(9), by, veikart.GrantSpec{
			Sections: toSections(req.Sections), Permissions: toPermissions(req.Permissions), Purpose: req.Purpose, ExpiresAt: req.ExpiresAt,
		}, s.now(), s.cfg.Consent)
	})
	return s.sendGrant(c, fiber.StatusCreated, g, err)
}

func (s *Server) declineAccessRequest(c *fiber.Ctx) error {
	qid, err := pathID(c, "requestId", errNoRequest)
	if err != nil {
		return err
	}
	next, err := s.change(c, access.ManageConsent, "", func(cur *veikart.Roadmap, _ access.Decision) (*veikart.Roadmap, error) {
		return cur.DeclineRequest(qid, actorOf(c).UserID, s.now())
	})
	if err != nil {
		return err
	}
	i := slices.IndexFunc(next.Requests, func(q veikart.AccessRequest) bool { return q.ID == qid })
	return sendJSON(c, fiber.StatusOK, toAccessRequestJSON(next.Requests[i]))
}

func (s *Server) listReceipts(c *fiber.Ctx) error {
	r, err := s.ownerRead(c, access.ManageConsent)
	if err != nil {
		return err
	}
	out := receiptListJSON{Items: make([]receiptJSON, 0, len(r.Receipts))}
	for i := len(r.Receipts) - 1; i >= 0; i-- {
		out.Items = append(out.Items, toReceiptJSON(r.Receipts[i]))
	}
	return sendJSON(c, fiber.StatusOK, out)
}

// accessLog is the roadmap's access log for its owners, newest first, paged.
func (s *Server) accessLog(c *fiber.Ctx) error {
	r, err := s.ownerRead(c, access.ReadLog)
	if err != nil {
		return err
	}
	cursor, limit, err := page(c)
	if err != nil {
		return err
	}
	events, next, err := s.store.AuditPage(c.UserContext(), r.ID, cursor, limit)
	if err != nil {
		return err
	}
	out := accessLogJSON{Items: make([]auditEventJSON, len(events)), Next: next}
	// The household sees who read, by name and role beside the agency, as
	// Helsenorge's usage log does: the caseworker's name as it is now,
	// looked up once per person on the page (none for one since erased).
	names := map[string]string{}
	for i, e := range events {
		out.Items[i] = toAuditEventJSON(e)
		if e.Name != "" || e.AgencyID == "" {
			continue
		}
		name, ok := names[e.UserID]
		if !ok {
			u, err := s.store.User(c.UserContext(), e.UserID)
			if err != nil && veikart.ErrorCode(err) != veikart.ENOTFOUND {
				return err
			}
			if err == nil {
				name = u.Name
			}
			names[e.UserID] = name
		}
		out.Items[i].Name = name
	}
	return sendJSON(c, fiber.StatusOK, out)
}

func (s *Server) createComment(c *fiber.Ctx) error {
	var req createCommentRequest
	if err := s.decode(c, "create-comment-request.schema.json", &req); err != nil {
		return err
	}
	actor := actorOf(c)
	section := veikart.Section(req.Section)
	id := req.ID
	if id == "" {
		id = "c-" + auth.RandomID(9)
	}
	var made veikart.Comment
	status := fiber.StatusCreated
	var role string
	next, err := s.change(c, access.Comment, section, func(cur *veikart.Roadmap, d access.Decision) (*veikart.Roadmap, error) {
		role = d.Role
		if i := slices.IndexFunc(cur.Comments, func(x veikart.Comment) bool { return x.ID == id }); i >= 0 {
			// A client resending a comment it made offline gets it back.
			if cur.Comments[i].UserID == actor.UserID {
				made, status = cur.Comments[i], fiber.StatusOK
				return cur, nil
			}
			return nil, &veikart.Error{Code: veikart.ECONFLICT, Message: "This id cannot be used. Choose another.", Pointer: "/id"}
		}
		n, cm, err := cur.AddComment(veikart.Comment{
			ID: id, Section: section, StepID: req.StepID, UserID: actor.UserID, AgencyID: actor.AgencyID, Text: req.Text,
		}, s.now())
		made = cm
		return n, err
	})
	if err != nil {
		return err
	}
	if role != access.RoleOwner && status == fiber.StatusCreated {
		if err := s.logAccess(c, next.ID, access.RoleCaseworker, veikart.AuditComment, []veikart.Section{section}, made.ID); err != nil {
			return err
		}
	}
	return sendJSON(c, status, toCommentJSON(made))
}

// createProposal is an agency proposing a step. The roadmap gains nothing
// until an owner accepts it.
func (s *Server) createProposal(c *fiber.Ctx) error {
	var req createProposalRequest
	if err := s.decode(c, "create-proposal-request.schema.json", &req); err != nil {
		return err
	}
	actor := actorOf(c)
	if !veikart.ValidID(req.Step.AreaID) {
		return &veikart.Error{Code: veikart.EINVALID, Message: "There is no such area.", Pointer: "/step/areaId"}
	}
	section := veikart.StepsSection(req.Step.AreaID)
	resp := veikart.Responsible{Kind: veikart.ByAgency, AgencyID: actor.AgencyID}
	if req.Step.Responsible != nil {
		resp = veikart.Responsible{Kind: veikart.ResponsibleKind(req.Step.Responsible.Kind), MemberID: req.Step.Responsible.MemberID, AgencyID: req.Step.Responsible.AgencyID}
		if resp.Kind == veikart.ByMember || (resp.Kind == veikart.ByAgency && resp.AgencyID != actor.AgencyID) {
			return &veikart.Error{Code: veikart.EINVALID, Message: "Propose the step for the household or for your own agency; the household decides the rest.", Pointer: "/step/responsible"}
		}
	}
	id := req.ID
	if id == "" {
		id = "p-" + auth.RandomID(9)
	}
	var made veikart.Proposal
	status := fiber.StatusCreated
	next, err := s.change(c, access.Propose, section, func(cur *veikart.Roadmap, _ access.Decision) (*veikart.Roadmap, error) {
		if i := slices.IndexFunc(cur.Proposals, func(x veikart.Proposal) bool { return x.ID == id }); i >= 0 {
			if cur.Proposals[i].UserID == actor.UserID {
				made, status = cur.Proposals[i], fiber.StatusOK
				return cur, nil
			}
			return nil, &veikart.Error{Code: veikart.ECONFLICT, Message: "This id cannot be used. Choose another.", Pointer: "/id"}
		}
		n, p, err := cur.AddProposal(veikart.Proposal{
			ID: id, AgencyID: actor.AgencyID, UserID: actor.UserID,
			Step: veikart.Step{AreaID: req.Step.AreaID, Title: req.Step.Title, Note: req.Step.Note, Due: req.Step.Due, Term: veikart.Term(req.Step.Term), Responsible: resp},
		}, s.now())
		made = p
		return n, err
	})
	if err != nil {
		return err
	}
	if status == fiber.StatusCreated {
		if err := s.logAccess(c, next.ID, access.RoleCaseworker, veikart.AuditPropose, []veikart.Section{section}, made.ID); err != nil {
			return err
		}
	}
	return sendJSON(c, status, toProposalJSON(made))
}

func (s *Server) acceptProposal(c *fiber.Ctx) error { return s.decideProposal(c, true) }
func (s *Server) rejectProposal(c *fiber.Ctx) error { return s.decideProposal(c, false) }

func (s *Server) decideProposal(c *fiber.Ctx, accept bool) error {
	pid, err := pathID(c, "proposalId", errNoProposal)
	if err != nil {
		return err
	}
	var p veikart.Proposal
	var prev *veikart.Roadmap
	next, err := s.change(c, access.Change, "", func(cur *veikart.Roadmap, _ access.Decision) (*veikart.Roadmap, error) {
		prev = cur
		n, decided, err := cur.DecideProposal(pid, "s-"+auth.RandomID(9), actorOf(c).UserID, accept, s.now())
		p = decided
		return n, err
	})
	if err != nil {
		return err
	}
	s.syncReminders(c, prev, next)
	return sendJSON(c, fiber.StatusOK, toProposalJSON(p))
}

// HashInvitationCode is how invitation codes are kept: only their hash is stored, so a
// copy of the database cannot be used to accept them.
func HashInvitationCode(code string) string {
	sum := sha256.Sum256([]byte("veikart-invitation:" + code))
	return hex.EncodeToString(sum[:])
}

// createInvitation makes a one-time code an owner shows as a link or QR code
// at a home visit. It is valid for minutes and works once.
func (s *Server) createInvitation(c *fiber.Ctx) error {
	var req createInvitationRequest
	if err := s.decode(c, "create-invitation-request.schema.json", &req); err != nil {
		return err
	}
	code := newCode()
	ttl := veikart.InvitationTTL
	if req.ValidMinutes > 0 {
		ttl = time.Duration(req.ValidMinutes) * time.Minute
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	inv := veikart.Invitation{
		ID: "i-" + auth.RandomID(9), Kind: veikart.InvitationKind(req.Kind), CodeHash: HashInvitationCode(code),
		CreatedBy: actorOf(c).UserID, ExpiresAt: now.Add(ttl), Sections: toSections(req.Sections),
		Permissions: toPermissions(req.Permissions), Purpose: req.Purpose, MemberID: req.MemberID,
	}
	if req.GrantExpiresAt != nil {
		inv.GrantExpiresAt = *req.GrantExpiresAt
	}
	r, err := s.ownerRead(c, access.ManageConsent)
	if err != nil {
		return err
	}
	id := r.ID
	// The code's index first, like the agency index: a code whose roadmap
	// holds no invitation is refused when used.
	if err := s.store.AddInvitationCode(c.UserContext(), inv.CodeHash, id, inv.ExpiresAt); err != nil {
		return err
	}
	_, err = s.change(c, access.ManageConsent, "", func(cur *veikart.Roadmap, _ access.Decision) (*veikart.Roadmap, error) {
		n, made, err := cur.AddInvitation(inv, s.now(), s.cfg.Consent)
		inv = made
		return n, err
	})
	if err != nil {
		_ = s.store.DeleteInvitationCode(c.UserContext(), inv.CodeHash)
		return err
	}
	// The code goes in the fragment, which browsers never send to a
	// server, so it stays out of access logs and proxies.
	url := strings.TrimRight(s.cfg.PublicURL, "/") + "/#/invitation/" + code
	svg, err := qr.SVG(url)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(fiber.StatusCreated).JSON(invitationJSON{
		ID: inv.ID, Kind: string(inv.Kind), Code: code, ExpiresAt: inv.ExpiresAt, URL: url, QR: svg,
	})
}

func newCode() string {
	b := make([]byte, 24) // 192 bits: not guessable within minutes
	_, _ = rand.Read(b)   // never fails on Linux; see crypto/rand
	return base64.RawURLEncoding.EncodeToString(b)
}

// acceptInvitation uses an invitation code: an agency invitation grants the
// caseworker's agency, an owner invitation makes the person an owner, a
// member invitation links a household member to their account.
func (s *Server) acceptInvitation(c *fiber.Ctx) error {
	var req acceptInvitationRequest
	if err := s.decode(c, "accept-invitation-request.schema.json", &req); err != nil {
		return err
	}
	actor := actorOf(c)
	if !access.Permit(actor, access.AcceptInvite, "") {
		return &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Sign in as yourself or as a caseworker to accept an invitation."}
	}
	h := HashInvitationCode(req.Code)
	ctx := c.UserContext()
	rid, err := s.store.InvitationRoadmap(ctx, h)
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return errBadInvitation
	}
	if err != nil {
		return err
	}
	inv, ok := veikart.Invitation{}, false
	if r, err := s.store.Roadmap(ctx, rid); err == nil {
		i := slices.IndexFunc(r.Invitations, func(x veikart.Invitation) bool { return x.CodeHash == h })
		if i >= 0 {
			inv, ok = r.Invitations[i], true
		}
	}
	if !ok {
		return errBadInvitation
	}
	if inv.Kind == veikart.InviteAgency {
		if !access.Permit(actor, access.ActAsCaseworker, "") {
			return &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Act for your agency as a caseworker to accept this invitation."}
		}
		if err := s.store.AddAgencyRoadmap(ctx, actor.AgencyID, rid); err != nil {
			return err
		}
	} else if !access.Permit(actor, access.ActAsPerson, "") {
		return &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Accept this invitation as yourself, not for an agency."}
	}
	grantID := "g-" + auth.RandomID(9)
	next, err := s.store.UpdateRoadmap(ctx, rid, func(cur *veikart.Roadmap) (*veikart.Roadmap, error) {
		if !access.Decide(actor, access.AcceptInvite, cur, "", s.now()).Allowed {
			return nil, errBadInvitation
		}
		n, _, err := cur.AcceptInvitation(h, actor.UserID, actor.AgencyID, grantID, s.now(), s.cfg.Consent)
		return n, err
	})
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return errBadInvitation
	}
	if err != nil {
		return err
	}
	_ = s.store.DeleteInvitationCode(ctx, h)
	out := acceptedInvitationJSON{RoadmapID: rid, Kind: string(inv.Kind)}
	switch inv.Kind {
	case veikart.InviteAgency:
		out.GrantID = grantID
		if err := s.logAccess(c, rid, access.RoleCaseworker, veikart.AuditAcceptInvite, nil, grantID); err != nil {
			return err
		}
	case veikart.InviteOwner, veikart.InviteMember:
		// A linked member finds the roadmap in their list too (as a
		// member), and erasure finds the link to clear.
		if err := s.store.AddUserRoadmap(ctx, actor.UserID, next.ID); err != nil {
			return err
		}
	}
	return sendJSON(c, fiber.StatusOK, out)
}

var errBadInvitation = &veikart.Error{Code: veikart.ENOTFOUND, Message: "This invitation is not valid: it may have expired or been used. Ask for a new one."}

// listShared lists the roadmaps shared with the caseworker's agency, with
// what was granted and until when. Counts are of what the agency may see.
func (s *Server) listShared(c *fiber.Ctx) error {
	actor := actorOf(c)
	if !access.Permit(actor, access.ActAsCaseworker, "") {
		return &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Act for your agency as a caseworker to see what is shared with it."}
	}
	ctx := c.UserContext()
	ids, err := s.store.AgencyRoadmapIDs(ctx, actor.AgencyID)
	if err != nil {
		return err
	}
	out := sharedListJSON{Items: []sharedItemJSON{}}
	for _, id := range ids {
		if len(out.Items) == maxListed {
			break
		}
		r, err := s.store.Roadmap(ctx, id)
		if veikart.ErrorCode(err) == veikart.ENOTFOUND {
			continue
		}
		if err != nil {
			return err
		}
		sum, ok := access.Summarize(actor, r, s.now())
		if !ok {
			continue // revoked, expired, or never approved
		}
		out.Items = append(out.Items, sharedItemJSON{
			RoadmapID: r.ID, Title: r.Title, Version: r.Version, UpdatedAt: r.UpdatedAt,
			Access:    toAccessJSON(&sum.View),
			AreaCount: sum.Areas, StepCount: sum.Steps, CommentCount: sum.Comments,
		})
	}
	slices.SortFunc(out.Items, func(a, b sharedItemJSON) int { return b.UpdatedAt.Compare(a.UpdatedAt) })
	if out.Notices, err = s.erasureNotices(ctx, actor.AgencyID); err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, out)
}

func toAccessJSON(v *access.View) accessJSON {
	out := accessJSON{Role: v.Role, Sections: sectionsToStrings(v.Sections), Permissions: []string{}, MemberID: v.MemberID}
	if g := v.Grant; g != nil {
		out.AgencyID, out.Permissions, out.ExpiresAt, out.Purpose = g.AgencyID, permsToStrings(g.Permissions), timePtr(g.ExpiresAt), g.Purpose
	}
	return out
}

// sendJSON answers with v as JSON and no caching: everything here is
// personal and changes with consent.
func sendJSON(c *fiber.Ctx, status int, v any) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(status).JSON(v)
}
