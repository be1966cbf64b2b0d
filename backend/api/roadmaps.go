package api

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/auth"
	"github.com/veikart/veikart/backend/veikart"
)

// errNoRoadmap is what a caller gets for a roadmap that does not exist and for
// one they may not see alike, so that ids reveal nothing.
var errNoRoadmap = &veikart.Error{Code: veikart.ENOTFOUND, Message: "There is no roadmap with this id that you can see."}

// maxListed bounds "my roadmaps"; a household has a handful.
const maxListed = 1000

// roadmapID returns the :roadmapId parameter, copied (Fiber reuses the
// buffer), or an error if it cannot be an id.
func roadmapID(c *fiber.Ctx) (string, error) { return pathID(c, "roadmapId", errNoRoadmap) }

// project returns what actor may see of r (nil for nothing).
func (s *Server) project(actor access.Actor, r *veikart.Roadmap) *access.View {
	if r == nil {
		return nil
	}
	return access.Project(actor, r, s.now())
}

// sendRoadmap writes the actor's view of a roadmap with its ETag.
func (s *Server) sendRoadmap(c *fiber.Ctx, status int, view *access.View) error {
	var b []byte
	var err error
	if view.Full {
		b, err = s.rendered.fullView(view.Roadmap)
	} else {
		b, err = json.Marshal(partialViewJSON(view))
	}
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderETag, etag(view.Roadmap))
	if view.Full {
		c.Set(fiber.HeaderCacheControl, "private, no-cache")
	} else {
		// A part of the roadmap (an agency's grant, a member's view) is not
		// kept in the browser's cache: for a caseworker's device, revoking
		// must end it at once.
		c.Set(fiber.HeaderCacheControl, "no-store")
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Status(status).Send(b)
}

// partialViewJSON is a view that is not the whole roadmap (an agency's, a
// member's) with the access it was projected through.
func partialViewJSON(view *access.View) roadmapJSON {
	out := toRoadmapJSON(view.Roadmap)
	a := toAccessJSON(view)
	out.Access = &a
	return out
}

// getRoadmap answers with what the caller may see. A read by anyone but the
// owners is in the access log before the answer leaves.
func (s *Server) getRoadmap(c *fiber.Ctx) error {
	r, err := s.readRoadmap(c)
	if err != nil {
		return err
	}
	view := s.project(actorOf(c), r)
	if view == nil {
		// A caseworker whose agency's grant ended is told so, and why,
		// rather than "not found": their app then says it in plain words
		// and forgets what it showed.
		if e, ok := access.Ended(actorOf(c), r, s.now()); ok {
			return &accessEndedError{e}
		}
		return errNoRoadmap
	}
	if inm := c.Get(fiber.HeaderIfNoneMatch); inm != "" && matchesETag(inm, etag(view.Roadmap)) {
		c.Set(fiber.HeaderETag, etag(view.Roadmap))
		return c.SendStatus(fiber.StatusNotModified)
	}
	if !view.Full {
		if err := s.logAccess(c, r.ID, view.Role, veikart.AuditRead, view.Sections, ""); err != nil {
			return err
		}
	}
	return s.sendRoadmap(c, fiber.StatusOK, view)
}

func (s *Server) listRoadmaps(c *fiber.Ctx) error {
	actor := actorOf(c)
	ctx := c.UserContext()
	u, err := s.store.User(ctx, actor.UserID)
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return &veikart.Error{Code: veikart.EUNAUTHORIZED, Message: "Sign in again."}
	}
	if err != nil {
		return err
	}
	out := roadmapListJSON{Items: []roadmapSummaryJSON{}}
	for _, id := range u.RoadmapIDs {
		if len(out.Items) == maxListed {
			break
		}
		r, err := s.store.Roadmap(ctx, id)
		if veikart.ErrorCode(err) == veikart.ENOTFOUND {
			continue // deleted; the index is tidied by the deleter
		}
		if err != nil {
			return err
		}
		d := access.Decide(actor, access.Read, r, "", s.now())
		if !d.Allowed {
			continue
		}
		out.Items = append(out.Items, roadmapSummaryJSON{
			ID: r.ID, Title: r.Title, Version: r.Version, UpdatedAt: r.UpdatedAt,
			MemberCount: len(r.Members), StepCount: len(r.Steps), Role: d.Role,
		})
	}
	slices.SortFunc(out.Items, func(a, b roadmapSummaryJSON) int { return b.UpdatedAt.Compare(a.UpdatedAt) })
	c.Set(fiber.HeaderCacheControl, "private, no-cache")
	return c.JSON(out)
}

// createRoadmap creates a roadmap owned by the caller. A client may choose the
// id (a phone creating a roadmap offline does), but only a random UUID (the
// schema says so): the id travels in push payloads and logs and must not
// carry a name. Sending the same creation again returns the existing roadmap
// instead of failing.
func (s *Server) createRoadmap(c *fiber.Ctx) error {
	var req createRoadmapRequest
	if err := s.decode(c, "create-roadmap-request.schema.json", &req); err != nil {
		return err
	}
	actor := actorOf(c)
	if !access.Permit(actor, access.ActAsPerson, "") {
		return &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Households create roadmaps. Act for yourself, not for an agency, to create one."}
	}
	ctx := c.UserContext()
	if _, err := s.store.User(ctx, actor.UserID); err != nil {
		if veikart.ErrorCode(err) == veikart.ENOTFOUND {
			return &veikart.Error{Code: veikart.EUNAUTHORIZED, Message: "Sign in again."}
		}
		return err
	}
	id := req.ID
	if id == "" {
		id = auth.NewUUID()
	}
	members := make([]veikart.Member, len(req.Members))
	for i, m := range req.Members {
		members[i] = m.toDomain()
	}
	r, err := veikart.NewRoadmap(id, actor.UserID, req.Title, members, s.now())
	if err != nil {
		return err
	}
	status := fiber.StatusCreated
	if err := s.store.CreateRoadmap(ctx, r); veikart.ErrorCode(err) == veikart.ECONFLICT {
		existing, gerr := s.store.Roadmap(ctx, id)
		if gerr != nil || !access.Decide(actor, access.Read, existing, "", s.now()).Allowed || !existing.IsOwner(actor.UserID) {
			return &veikart.Error{Code: veikart.ECONFLICT, Message: "This id cannot be used. Choose another.", Pointer: "/id"}
		}
		r, status = existing, fiber.StatusOK
	} else if err != nil {
		return err
	}
	// Second write: the owner's index. Idempotent, so a retried creation
	// repairs it if the process died between the two writes.
	if err := s.store.AddUserRoadmap(ctx, actor.UserID, r.ID); err != nil {
		return err
	}
	c.Location("/api/v1/roadmaps/" + r.ID)
	return s.sendRoadmap(c, status, s.project(actor, r))
}

// deleteRoadmap erases the roadmap with everything that belongs to it; see
// eraseRoadmap (erase.go).
func (s *Server) deleteRoadmap(c *fiber.Ctx) error {
	id, err := roadmapID(c)
	if err != nil {
		return err
	}
	if err := s.eraseRoadmap(c, actorOf(c), id, strings.Clone(c.Get(fiber.HeaderIfMatch))); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// applyOperations applies a batch of field-level operations atomically. Each
// operation carries a client-made id, so a batch a phone sends twice is applied
// once; each names the version it was based on, so a stale edit is refused
// with the current state (409) rather than silently overwriting.
func (s *Server) applyOperations(c *fiber.Ctx) error {
	id, err := roadmapID(c)
	if err != nil {
		return err
	}
	var req operationsRequest
	if err := s.decode(c, "operations-request.schema.json", &req); err != nil {
		return err
	}
	ops := make([]veikart.Op, len(req.Operations))
	for i, o := range req.Operations {
		if ops[i], err = o.toDomain(); err != nil {
			return err
		}
	}
	actor := actorOf(c)
	ifMatch := strings.Clone(c.Get(fiber.HeaderIfMatch))
	var results []veikart.Result
	var prev *veikart.Roadmap
	next, err := s.store.UpdateRoadmap(c.UserContext(), id, func(cur *veikart.Roadmap) (*veikart.Roadmap, error) {
		prev = cur
		if !access.Decide(actor, access.Change, cur, "", s.now()).Allowed {
			return nil, s.denied(actor, cur, &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Only the owners can change the roadmap. Comment or propose a step instead, if the household allows it."})
		}
		if ifMatch != "" && !matchesETag(ifMatch, etag(cur)) {
			return nil, &veikart.Error{Code: veikart.EPRECONDITION, Message: "The roadmap has changed since you last saw it."}
		}
		n, res, err := cur.Apply(ops, s.now())
		results = res
		return n, err
	})
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return errNoRoadmap
	}
	if err != nil {
		return err
	}
	s.syncReminders(c, prev, next)
	view := s.project(actor, next)
	out := operationsResponse{Roadmap: toRoadmapJSON(view.Roadmap), Results: make([]resultJSON, len(results))}
	for i, r := range results {
		out.Results[i] = resultJSON{OpID: r.OpID, Outcome: string(r.Outcome)}
	}
	c.Set(fiber.HeaderETag, etag(view.Roadmap))
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(out)
}
