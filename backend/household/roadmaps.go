package household

import (
	"context"
	"errors"
	"slices"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/auth"
	"github.com/veikart/veikart/backend/veikart"
)

// MaxListed bounds a list of roadmaps: a household has a handful, an
// agency's shared list is paged by nobody yet.
const MaxListed = 1000

// Read is what actor may see of roadmap id. A read by anyone but the owners
// is in the access log before it returns, unless known says the caller
// holds this version already (an HTTP If-None-Match): then unchanged is
// true and nothing new was shown, so nothing is logged.
func (s *Service) Read(ctx context.Context, actor access.Actor, id string, known func(*veikart.Roadmap) bool) (view *access.View, unchanged bool, err error) {
	r, err := s.read(ctx, id)
	if err != nil {
		return nil, false, err
	}
	view = s.project(actor, r, s.now())
	if view == nil {
		// A caseworker whose agency's grant ended is told so, and why.
		if e, ok := access.Ended(actor, r, s.now()); ok {
			return nil, false, &EndedError{e}
		}
		return nil, false, ErrNoRoadmap
	}
	if known != nil && known(view.Roadmap) {
		return view, true, nil
	}
	if isHelperRole(view.Role) {
		if err := s.logHelperRead(ctx, actor, r, view.Sections); err != nil {
			return nil, false, err
		}
	} else if !view.Full {
		if err := s.logRead(ctx, actor, r.ID, view.Role, view.Sections); err != nil {
			return nil, false, err
		}
	}
	return view, false, nil
}

// Listed is one of a person's roadmaps and their role in it.
type Listed struct {
	Roadmap *veikart.Roadmap
	Role    string
}

// List is the roadmaps actor is an owner or a linked member of, the most
// recently changed first.
func (s *Service) List(ctx context.Context, actor access.Actor) ([]Listed, error) {
	u, err := s.store.User(ctx, actor.UserID)
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return nil, veikart.ErrSignInAgain
	}
	if err != nil {
		return nil, err
	}
	out := []Listed{}
	for _, id := range u.RoadmapIDs {
		if len(out) == MaxListed {
			break
		}
		r, err := s.store.Roadmap(ctx, id)
		if veikart.ErrorCode(err) == veikart.ENOTFOUND {
			continue // deleted; the index is tidied by the deleter
		}
		if err != nil {
			return nil, err
		}
		if d := access.Decide(actor, access.Read, r, "", s.now()); d.Allowed {
			if isHelperRole(d.Role) {
				// A helper's list counts only what they may see.
				r = access.Project(actor, r, s.now()).Roadmap
			}
			out = append(out, Listed{Roadmap: r, Role: d.Role})
		}
	}
	slices.SortFunc(out, func(a, b Listed) int { return b.Roadmap.UpdatedAt.Compare(a.Roadmap.UpdatedAt) })
	return out, nil
}

// Create makes a roadmap owned by actor. id is the client's choice (a phone
// creating a roadmap offline makes it) or "" for a new one. Sending the same
// creation again returns the existing roadmap with created false.
//
// Two writes, the second safe to repeat: the roadmap, then the owner's
// index, so that a retried creation repairs an index a crash left behind.
func (s *Service) Create(ctx context.Context, actor access.Actor, id, title string, members []veikart.Member) (view *access.View, created bool, err error) {
	if !access.Permit(actor, access.ActAsPerson, "") {
		return nil, false, &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Households create roadmaps. Act for yourself, not for an agency, to create one."}
	}
	if _, err := s.store.User(ctx, actor.UserID); err != nil {
		if veikart.ErrorCode(err) == veikart.ENOTFOUND {
			return nil, false, veikart.ErrSignInAgain
		}
		return nil, false, err
	}
	if id == "" {
		id = auth.NewUUID()
	}
	r, err := veikart.NewRoadmap(id, actor.UserID, title, members, s.now())
	if err != nil {
		return nil, false, err
	}
	r, created, err = s.createOrAdopt(ctx, r, func(existing *veikart.Roadmap) bool {
		return access.Decide(actor, access.Read, existing, "", s.now()).Allowed && existing.IsOwner(actor.UserID)
	})
	if err != nil {
		return nil, false, err
	}
	if err := s.store.AddUserRoadmap(ctx, actor.UserID, r.ID); err != nil {
		return nil, false, err
	}
	return access.Project(actor, r, s.now()), created, nil
}

// createOrAdopt stores a new roadmap r, or, when its id is taken, adopts the
// roadmap already there if ours says it is this same creation sent again
// (a retry). Any other taken id is a conflict.
func (s *Service) createOrAdopt(ctx context.Context, r *veikart.Roadmap, ours func(existing *veikart.Roadmap) bool) (*veikart.Roadmap, bool, error) {
	err := s.store.CreateRoadmap(ctx, r)
	if veikart.ErrorCode(err) != veikart.ECONFLICT {
		return r, err == nil, err
	}
	existing, err := s.store.Roadmap(ctx, r.ID)
	if err != nil || !ours(existing) {
		return nil, false, errIDTaken
	}
	return existing, false, nil
}

// ApplyOperations applies a batch of field-level operations atomically.
// Each carries a client-made id, so a batch a phone sends twice is applied
// once; each names the version it was based on, so a stale edit is refused
// with the current state rather than silently overwriting.
func (s *Service) ApplyOperations(ctx context.Context, actor access.Actor, id string, pre Precondition, ops []veikart.Op) (*access.View, []veikart.Result, error) {
	var results []veikart.Result
	var helper *veikart.Helper // a trusted person or interpreter writing, for the log
	var sections []veikart.Section
	forbidden := &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Only the owners can change the roadmap. Comment or propose a step instead, if the household allows it."}
	if err := s.checkMunicipalities(ctx, ops); err != nil {
		return nil, nil, err
	}
	// The section decided on is the batch's first: the owners' decision
	// does not depend on it, and a helper's is then checked for every
	// operation (MayApply). A batch that writes outside every section
	// has none, which no helper may write in.
	firstSection := func(cur *veikart.Roadmap) veikart.Section {
		if ss := opsSections(cur, ops); len(ss) > 0 {
			return ss[0]
		}
		return ""
	}
	_, next, err := s.changeAt(ctx, actor, id, access.Change, firstSection, forbidden, func(cur *veikart.Roadmap, d access.Decision) (*veikart.Roadmap, error) {
		if pre != nil && !pre(cur) {
			return nil, errChanged
		}
		if isHelperRole(d.Role) {
			// A helper writes only in the sections they were given.
			if !access.MayApply(actor, cur, ops, s.now()) {
				return nil, errHelperSections
			}
			h, _ := cur.ActiveHelper(actor.UserID, s.now())
			helper, sections = &h, opsSections(cur, ops)
		}
		n, res, err := cur.ApplyIn(ops, s.now(), s.cfg.Location)
		results = res
		return n, err
	})
	var ce *veikart.ConflictError
	if errors.As(err, &ce) && ce.Current != nil {
		// The conflict shows the roadmap as it is now: as actor may see it.
		full := ce.Current
		ce.Current = nil
		if v := access.Project(actor, full, s.now()); v != nil {
			ce.Current = v.Roadmap
		}
	}
	if err != nil {
		return nil, nil, err
	}
	if helper != nil && slices.ContainsFunc(results, func(r veikart.Result) bool { return r.Outcome == veikart.Applied }) {
		if err := s.logHelper(ctx, actor, id, *helper, AuditChange, sections, ""); err != nil {
			return nil, nil, err
		}
	}
	// A score changed on the area's form is a check-in too (checkins.go).
	if err := s.scoreReadings(ctx, actor, next, ops, results); err != nil {
		return nil, nil, err
	}
	return access.Project(actor, next, s.now()), results, nil
}

// errHelperSections refuses a helper's write outside their sections.
var errHelperSections = &veikart.Error{Code: veikart.EFORBIDDEN, Message: "You can write only in the parts the family gave you, and never change its title, members or areas."}
