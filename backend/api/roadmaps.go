package api

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/household"
	"github.com/veikart/veikart/backend/veikart"
	"github.com/veikart/veikart/backend/wire"
)

// roadmapID returns the :roadmapId parameter, copied (Fiber reuses the
// buffer), or an error if it cannot be an id.
func roadmapID(c *fiber.Ctx) (string, error) { return pathID(c, "roadmapId", household.ErrNoRoadmap) }

// sendRoadmap writes the actor's view of a roadmap with its ETag.
func (s *Server) sendRoadmap(c *fiber.Ctx, status int, view *access.View) error {
	b, err := s.rendered.view(view)
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

// ifMatch is the request's If-Match as a precondition, nil when absent.
func ifMatch(c *fiber.Ctx) household.Precondition {
	h := strings.Clone(c.Get(fiber.HeaderIfMatch))
	if h == "" {
		return nil
	}
	return func(r *veikart.Roadmap) bool { return matchesETag(h, etag(r)) }
}

// getRoadmap answers with what the caller may see.
func (s *Server) getRoadmap(c *fiber.Ctx) error {
	id, err := roadmapID(c)
	if err != nil {
		return err
	}
	var known func(*veikart.Roadmap) bool
	if inm := c.Get(fiber.HeaderIfNoneMatch); inm != "" {
		known = func(r *veikart.Roadmap) bool { return matchesETag(inm, etag(r)) }
	}
	view, unchanged, err := s.household.Read(c.UserContext(), actorOf(c), id, known)
	if err != nil {
		return err
	}
	if unchanged {
		c.Set(fiber.HeaderETag, etag(view.Roadmap))
		return c.SendStatus(fiber.StatusNotModified)
	}
	return s.sendRoadmap(c, fiber.StatusOK, view)
}

func (s *Server) listRoadmaps(c *fiber.Ctx) error {
	rs, err := s.household.List(c.UserContext(), actorOf(c))
	if err != nil {
		return err
	}
	out := wire.RoadmapList{Items: wire.List(rs, func(x household.Listed) wire.RoadmapSummary {
		r := x.Roadmap
		return wire.RoadmapSummary{
			ID: r.ID, Title: r.Title, Version: r.Version, UpdatedAt: r.UpdatedAt,
			MemberCount: len(r.Members), StepCount: len(r.Steps), Role: x.Role,
		}
	})}
	c.Set(fiber.HeaderCacheControl, "private, no-cache")
	return c.JSON(out)
}

// createRoadmap creates a roadmap owned by the caller. A client may choose
// the id (a phone creating a roadmap offline does), but only a random UUID
// (the schema says so): the id travels in push payloads and logs and must
// not carry a name.
func (s *Server) createRoadmap(c *fiber.Ctx) error {
	var req wire.CreateRoadmapRequest
	if err := s.decode(c, "create-roadmap-request.schema.json", &req); err != nil {
		return err
	}
	view, created, err := s.household.Create(c.UserContext(), actorOf(c), req.ID, req.Title, wire.List(req.Members, wire.NewMember.ToDomain))
	if err != nil {
		return err
	}
	c.Location("/api/v1/roadmaps/" + view.Roadmap.ID)
	return s.sendRoadmap(c, createdOrOK(created), view)
}

// deleteRoadmap erases the roadmap with everything that belongs to it.
func (s *Server) deleteRoadmap(c *fiber.Ctx) error {
	id, err := roadmapID(c)
	if err != nil {
		return err
	}
	if err := s.household.EraseRoadmap(c.UserContext(), actorOf(c), id, ifMatch(c)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// applyOperations applies a batch of field-level operations atomically
// (household.ApplyOperations).
func (s *Server) applyOperations(c *fiber.Ctx) error {
	id, err := roadmapID(c)
	if err != nil {
		return err
	}
	var req wire.OperationsRequest
	if err := s.decode(c, "operations-request.schema.json", &req); err != nil {
		return err
	}
	ops := make([]veikart.Op, len(req.Operations))
	for i, o := range req.Operations {
		if ops[i], err = o.ToDomain(); err != nil {
			return err
		}
	}
	view, results, err := s.household.ApplyOperations(c.UserContext(), actorOf(c), id, ifMatch(c), ops)
	if err != nil {
		return err
	}
	out := wire.OperationsResponse{Roadmap: wire.ToRoadmap(view.Roadmap), Results: make([]wire.Result, len(results))}
	for i, r := range results {
		out.Results[i] = wire.Result{OpID: r.OpID, Outcome: string(r.Outcome)}
	}
	c.Set(fiber.HeaderETag, etag(view.Roadmap))
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(out)
}
