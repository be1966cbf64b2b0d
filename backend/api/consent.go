package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/veikart/veikart/backend/household"
	"github.com/veikart/veikart/backend/qr"
	"github.com/veikart/veikart/backend/veikart"
	"github.com/veikart/veikart/backend/wire"
)

// Consent routes: decode, call the use case (package household), encode.

// pathID returns a path parameter that must be an id, copied (Fiber reuses
// the buffer).
func pathID(c *fiber.Ctx, name string, notFound error) (string, error) {
	id := strings.Clone(c.Params(name))
	if !veikart.ValidID(id) {
		return "", notFound
	}
	return id, nil
}

// pathIDs returns the roadmap id of the path and the id of the item under
// it named by name.
func pathIDs(c *fiber.Ctx, name string, notFound error) (string, string, error) {
	rid, err := roadmapID(c)
	if err != nil {
		return "", "", err
	}
	id, err := pathID(c, name, notFound)
	return rid, id, err
}

func (s *Server) listGrants(c *fiber.Ctx) error {
	id, err := roadmapID(c)
	if err != nil {
		return err
	}
	gs, err := s.household.Grants(c.UserContext(), actorOf(c), id)
	if err != nil {
		return err
	}
	out := wire.GrantList{Items: make([]wire.Grant, len(gs))}
	for i, g := range gs {
		out.Items[i] = s.grantJSON(c, g)
	}
	return sendJSON(c, fiber.StatusOK, out)
}

// grantJSON renders a grant for the owner who asked.
func (s *Server) grantJSON(c *fiber.Ctx, g household.Grant) wire.Grant {
	return grantFor(g, actorOf(c).UserID, s.now())
}

// grantFor renders a grant with its agency's name and, for the owner
// userID, whether they let the agency help them back into their account.
func grantFor(g household.Grant, userID string, now time.Time) wire.Grant {
	out := wire.ToGrant(g.Grant, now)
	out.Recovery = slices.Contains(g.RecoveryFor, userID)
	out.AgencyName = g.AgencyName
	return out
}

func (s *Server) previewGrant(c *fiber.Ctx) error {
	var req wire.PreviewRequest
	if err := s.decode(c, "preview-request.schema.json", &req); err != nil {
		return err
	}
	id, err := roadmapID(c)
	if err != nil {
		return err
	}
	view, err := s.household.Preview(c.UserContext(), actorOf(c), id, veikart.Grant{
		AgencyID: req.AgencyID, Sections: wire.ToSections(req.Sections), Permissions: wire.ToPermissions(req.Permissions),
	})
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, wire.PartialView(view))
}

func (s *Server) createGrant(c *fiber.Ctx) error {
	var req wire.CreateGrantRequest
	if err := s.decode(c, "create-grant-request.schema.json", &req); err != nil {
		return err
	}
	id, err := roadmapID(c)
	if err != nil {
		return err
	}
	g, err := s.household.CreateGrant(c.UserContext(), actorOf(c), id, req.AgencyID, veikart.GrantSpec{
		Sections: wire.ToSections(req.Sections), Permissions: wire.ToPermissions(req.Permissions), Purpose: req.Purpose, ExpiresAt: req.ExpiresAt,
		Recovery: req.Recovery,
	})
	if err != nil {
		return err
	}
	c.Location("/api/v1/roadmaps/" + id + "/grants/" + g.ID)
	return sendJSON(c, fiber.StatusCreated, s.grantJSON(c, g))
}

func (s *Server) updateGrant(c *fiber.Ctx) error {
	id, gid, err := pathIDs(c, "grantId", household.ErrNoGrant)
	if err != nil {
		return err
	}
	var req wire.UpdateGrantRequest
	if err := s.decode(c, "update-grant-request.schema.json", &req); err != nil {
		return err
	}
	g, err := s.household.UpdateGrant(c.UserContext(), actorOf(c), id, gid, veikart.GrantPatch{
		Sections: wire.ToSections(req.Sections), Permissions: wire.ToPermissions(req.Permissions), Purpose: req.Purpose, ExpiresAt: req.ExpiresAt,
		Recovery: req.Recovery,
	})
	return s.sendGrant(c, fiber.StatusOK, g, err)
}

// sendGrant answers with a grant, or with err.
func (s *Server) sendGrant(c *fiber.Ctx, status int, g household.Grant, err error) error {
	if err != nil {
		return err
	}
	return sendJSON(c, status, s.grantJSON(c, g))
}

func (s *Server) revokeGrant(c *fiber.Ctx) error {
	id, gid, err := pathIDs(c, "grantId", household.ErrNoGrant)
	if err != nil {
		return err
	}
	g, err := s.household.RevokeGrant(c.UserContext(), actorOf(c), id, gid)
	return s.sendGrant(c, fiber.StatusOK, g, err)
}

func (s *Server) listAccessRequests(c *fiber.Ctx) error {
	id, err := roadmapID(c)
	if err != nil {
		return err
	}
	qs, err := s.household.Requests(c.UserContext(), actorOf(c), id)
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, wire.AccessRequestList{Items: wire.List(qs, wire.ToAccessRequest)})
}

// createAccessRequest answers the same empty 202 whatever became of the
// request: see household.RequestAccess.
func (s *Server) createAccessRequest(c *fiber.Ctx) error {
	var req wire.CreateAccessRequest
	if err := s.decode(c, "create-access-request.schema.json", &req); err != nil {
		return err
	}
	// The id as sent, even one that cannot be: the answer is the same.
	id := strings.Clone(c.Params("roadmapId"))
	if err := s.household.RequestAccess(c.UserContext(), actorOf(c), id, wire.ToSections(req.Sections), wire.ToPermissions(req.Permissions), req.Purpose); err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(fiber.StatusAccepted).Send(nil)
}

func (s *Server) approveAccessRequest(c *fiber.Ctx) error {
	id, qid, err := pathIDs(c, "requestId", household.ErrNoRequest)
	if err != nil {
		return err
	}
	var req wire.ApproveRequest
	if err := s.decode(c, "approve-request.schema.json", &req); err != nil {
		return err
	}
	g, err := s.household.ApproveRequest(c.UserContext(), actorOf(c), id, qid, veikart.GrantSpec{
		Sections: wire.ToSections(req.Sections), Permissions: wire.ToPermissions(req.Permissions), Purpose: req.Purpose, ExpiresAt: req.ExpiresAt,
	})
	return s.sendGrant(c, fiber.StatusCreated, g, err)
}

func (s *Server) declineAccessRequest(c *fiber.Ctx) error {
	id, qid, err := pathIDs(c, "requestId", household.ErrNoRequest)
	if err != nil {
		return err
	}
	q, err := s.household.DeclineRequest(c.UserContext(), actorOf(c), id, qid)
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, wire.ToAccessRequest(q))
}

func (s *Server) listReceipts(c *fiber.Ctx) error {
	id, err := roadmapID(c)
	if err != nil {
		return err
	}
	rs, err := s.household.Receipts(c.UserContext(), actorOf(c), id)
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, wire.ReceiptList{Items: wire.List(rs, wire.ToReceipt)})
}

// accessLog is the roadmap's access log for its owners, newest first, paged.
func (s *Server) accessLog(c *fiber.Ctx) error {
	id, err := roadmapID(c)
	if err != nil {
		return err
	}
	cursor, limit, err := page(c)
	if err != nil {
		return err
	}
	events, next, err := s.household.AccessLog(c.UserContext(), actorOf(c), id, cursor, limit)
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, wire.AccessLog{Items: wire.List(events, wire.ToAuditEvent), Next: next})
}

func (s *Server) createComment(c *fiber.Ctx) error {
	var req wire.CreateCommentRequest
	if err := s.decode(c, "create-comment-request.schema.json", &req); err != nil {
		return err
	}
	id, err := roadmapID(c)
	if err != nil {
		return err
	}
	made, created, err := s.household.Comment(c.UserContext(), actorOf(c), id, veikart.Comment{
		ID: req.ID, Section: veikart.Section(req.Section), StepID: req.StepID, Text: req.Text,
	})
	if err != nil {
		return err
	}
	return sendJSON(c, createdOrOK(created), wire.ToComment(made))
}

// createdOrOK is 201 for something made now, 200 for a retry that found it.
func createdOrOK(created bool) int {
	if created {
		return fiber.StatusCreated
	}
	return fiber.StatusOK
}

func (s *Server) createProposal(c *fiber.Ctx) error {
	var req wire.CreateProposalRequest
	if err := s.decode(c, "create-proposal-request.schema.json", &req); err != nil {
		return err
	}
	id, err := roadmapID(c)
	if err != nil {
		return err
	}
	step := veikart.Step{AreaID: req.Step.AreaID, Title: req.Step.Title, Note: req.Step.Note, Due: req.Step.Due, Term: veikart.Term(req.Step.Term)}
	if r := req.Step.Responsible; r != nil {
		step.Responsible = veikart.Responsible{Kind: veikart.ResponsibleKind(r.Kind), MemberID: r.MemberID, AgencyID: r.AgencyID}
	}
	p, created, err := s.household.Propose(c.UserContext(), actorOf(c), id, req.ID, step)
	if err != nil {
		return err
	}
	return sendJSON(c, createdOrOK(created), wire.ToProposal(p))
}

func (s *Server) acceptProposal(c *fiber.Ctx) error { return s.decideProposal(c, true) }
func (s *Server) rejectProposal(c *fiber.Ctx) error { return s.decideProposal(c, false) }

func (s *Server) decideProposal(c *fiber.Ctx, accept bool) error {
	id, pid, err := pathIDs(c, "proposalId", household.ErrNoProposal)
	if err != nil {
		return err
	}
	p, err := s.household.DecideProposal(c.UserContext(), actorOf(c), id, pid, accept)
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, wire.ToProposal(p))
}

// createInvitation answers with the code as a link and a QR code. The code
// goes in the link's fragment, which browsers never send to a server, so
// it stays out of access logs and proxies.
func (s *Server) createInvitation(c *fiber.Ctx) error {
	var req wire.CreateInvitationRequest
	if err := s.decode(c, "create-invitation-request.schema.json", &req); err != nil {
		return err
	}
	id, err := roadmapID(c)
	if err != nil {
		return err
	}
	inv := veikart.Invitation{
		Kind: veikart.InvitationKind(req.Kind), Sections: wire.ToSections(req.Sections),
		Permissions: wire.ToPermissions(req.Permissions), Purpose: req.Purpose, MemberID: req.MemberID,
	}
	if req.GrantExpiresAt != nil {
		inv.GrantExpiresAt = *req.GrantExpiresAt
	}
	inv, code, err := s.household.Invite(c.UserContext(), actorOf(c), id, inv, time.Duration(req.ValidMinutes)*time.Minute)
	if err != nil {
		return err
	}
	out, err := s.invitationLink(inv, code)
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusCreated, out)
}

// invitationLink is invitation inv with its code as a link (the code in
// the fragment, never sent to a server) and that link as a QR code: for the
// household's invitations and its helpers' alike.
func (s *Server) invitationLink(inv veikart.Invitation, code string) (wire.Invitation, error) {
	url := strings.TrimRight(s.cfg.PublicURL, "/") + "/#/invitation/" + code
	svg, err := qr.SVG(url)
	if err != nil {
		return wire.Invitation{}, err
	}
	return wire.Invitation{ID: inv.ID, Kind: string(inv.Kind), Code: code, ExpiresAt: inv.ExpiresAt, URL: url, QR: svg}, nil
}

func (s *Server) acceptInvitation(c *fiber.Ctx) error {
	var req wire.AcceptInvitationRequest
	if err := s.decode(c, "accept-invitation-request.schema.json", &req); err != nil {
		return err
	}
	a, err := s.household.AcceptInvitation(c.UserContext(), actorOf(c), req.Code)
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, wire.AcceptedInvitation{RoadmapID: a.RoadmapID, Kind: string(a.Kind), GrantID: a.GrantID, HelperID: a.HelperID})
}

// unreadZero is how a shared item kept rendered says its unread count.
var unreadZero = []byte(`"unreadMessages":0`)

// listShared lists the roadmaps shared with the caseworker's agency, with
// what was granted and until when. Counts are of what the agency may see.
func (s *Server) listShared(c *fiber.Ctx) error {
	shared, notices, err := s.household.Shared(c.UserContext(), actorOf(c))
	if err != nil {
		return err
	}
	// {"items":[...],"notices":[...]}, as json.Marshal(wire.SharedList)
	// writes it, with each item's JSON kept per roadmap version and grant
	// (render.go): an agency's list of 300 households spent a third of its
	// time encoding the same items again.
	b := append(make([]byte, 0, 64+400*len(shared)), `{"items":[`...)
	for i, x := range shared {
		item, err := s.rendered.get(x.Roadmap.ID+"\x00s\x00"+x.Grant.ID, x.Roadmap, func() any {
			r := x.Roadmap
			return wire.SharedItem{
				RoadmapID: r.ID, Title: r.Title, Version: r.Version, UpdatedAt: r.UpdatedAt,
				Access:    wire.ToAccess(&x.View),
				AreaCount: x.Areas, StepCount: x.Steps, CommentCount: x.Comments, PromisesAsked: x.Asked,
			}
		})
		if err != nil {
			return err
		}
		if i > 0 {
			b = append(b, ',')
		}
		// The unread count changes without the roadmap: set in the item
		// kept for its version, rendered with 0. The key cannot occur in a
		// string value (its quotes would be escaped there).
		i := bytes.LastIndex(item, unreadZero)
		if i < 0 {
			return fmt.Errorf("shared item of %s: no unread count", x.Roadmap.ID)
		}
		b = append(b, item[:i+len(unreadZero)-1]...)
		b = append(append(b, strconv.Itoa(x.UnreadMessages)...), item[i+len(unreadZero):]...)
	}
	b = append(b, ']')
	if len(notices) > 0 {
		list := make([]wire.Notice, len(notices))
		for i, n := range notices {
			list[i] = wire.Notice{
				ID: n.ID, DeletedOn: n.At.In(s.cfg.Location).Format(time.DateOnly),
				GrantCreatedOn: n.GrantCreatedAt.In(s.cfg.Location).Format(time.DateOnly),
			}
		}
		nb, err := json.Marshal(list)
		if err != nil {
			return err
		}
		b = append(append(b, `,"notices":`...), nb...)
	}
	b = append(b, '}')
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Status(fiber.StatusOK).Send(b)
}

// overdue shows the owners which agencies' steps are past their due date
// and not done.
func (s *Server) overdue(c *fiber.Ctx) error {
	id, err := roadmapID(c)
	if err != nil {
		return err
	}
	steps, err := s.household.Overdue(c.UserContext(), actorOf(c), id)
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, wire.Overdue{Items: wire.List(steps, wire.ToStep)})
}

// sendJSON answers with v as JSON and no caching: everything here is
// personal and changes with consent.
func sendJSON(c *fiber.Ctx, status int, v any) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(status).JSON(v)
}
