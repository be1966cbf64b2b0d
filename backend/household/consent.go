package household

import (
	"context"
	"slices"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/agency"
	"github.com/veikart/veikart/backend/auth"
	"github.com/veikart/veikart/backend/veikart"
)

// Consent: the owners grant, change and revoke agencies' access, answer
// their requests, and read who did what. Every use case reads the roadmap
// (with its grants) fresh and asks access.Decide; for anyone but the
// owners, the access log has the entry before it returns.

// Grant is a grant with the name of its agency ("" when the agency is gone).
type Grant struct {
	veikart.Grant
	AgencyName string
}

func (s *Service) named(ctx context.Context, g veikart.Grant) Grant {
	return Grant{Grant: g, AgencyName: agency.Name(ctx, s.store, g.AgencyID)}
}

// Grants is roadmap id's grants, newest first, for its owners.
func (s *Service) Grants(ctx context.Context, actor access.Actor, id string) ([]Grant, error) {
	r, err := s.ownerRead(ctx, actor, id, access.ManageConsent)
	if err != nil {
		return nil, err
	}
	out := make([]Grant, 0, len(r.Grants))
	for i := len(r.Grants) - 1; i >= 0; i-- {
		out = append(out, s.named(ctx, r.Grants[i]))
	}
	return out, nil
}

// Preview shows an owner what an agency would see of roadmap id under a
// grant like g, projected exactly as the caseworker's own read is. It
// writes nothing, the access log included: no agency read anything.
func (s *Service) Preview(ctx context.Context, actor access.Actor, id string, g veikart.Grant) (*access.View, error) {
	r, err := s.ownerRead(ctx, actor, id, access.ManageConsent)
	if err != nil {
		return nil, err
	}
	g.Status = veikart.GrantActive
	return access.Preview(r, g), nil
}

// CreateGrant gives agencyID access to roadmap id. Two writes: the agency's
// index first, then the grant. An index entry without a grant shows the
// agency nothing; a grant missing from the index would be invisible to it.
func (s *Service) CreateGrant(ctx context.Context, actor access.Actor, id, agencyID string, spec veikart.GrantSpec) (Grant, error) {
	// Checked before anything is written, the agency's index included.
	r, err := s.ownerRead(ctx, actor, id, access.ManageConsent)
	if err != nil {
		return Grant{}, err
	}
	if err := s.knownAgency(ctx, agencyID); err != nil {
		return Grant{}, err
	}
	if err := s.store.AddAgencyRoadmap(ctx, agencyID, r.ID); err != nil {
		return Grant{}, err
	}
	return s.changeGrant(ctx, actor, id, func(cur *veikart.Roadmap) (*veikart.Roadmap, veikart.Grant, error) {
		return cur.AddGrant("g-"+auth.RandomID(9), agencyID, actor.UserID, spec, "owner", s.now(), s.cfg.Consent)
	})
}

// UpdateGrant changes what grant gid allows.
func (s *Service) UpdateGrant(ctx context.Context, actor access.Actor, id, gid string, patch veikart.GrantPatch) (Grant, error) {
	if !veikart.ValidID(gid) {
		return Grant{}, ErrNoGrant
	}
	return s.changeGrant(ctx, actor, id, func(cur *veikart.Roadmap) (*veikart.Roadmap, veikart.Grant, error) {
		return cur.UpdateGrant(gid, actor.UserID, patch, s.now(), s.cfg.Consent)
	})
}

// RevokeGrant ends grant gid at once: the agency's next request is refused.
// The grant stays in the list as revoked, and a receipt records it.
func (s *Service) RevokeGrant(ctx context.Context, actor access.Actor, id, gid string) (Grant, error) {
	if !veikart.ValidID(gid) {
		return Grant{}, ErrNoGrant
	}
	return s.changeGrant(ctx, actor, id, func(cur *veikart.Roadmap) (*veikart.Roadmap, veikart.Grant, error) {
		return cur.RevokeGrant(gid, actor.UserID, s.now())
	})
}

// changeGrant runs one owner's change of consent that yields a grant, in
// one write, and returns that grant.
func (s *Service) changeGrant(ctx context.Context, actor access.Actor, id string, fn func(cur *veikart.Roadmap) (*veikart.Roadmap, veikart.Grant, error)) (Grant, error) {
	var g veikart.Grant
	_, _, err := s.change(ctx, actor, id, access.ManageConsent, "", func(cur *veikart.Roadmap, _ access.Decision) (*veikart.Roadmap, error) {
		n, grant, err := fn(cur)
		g = grant
		return n, err
	})
	if err != nil {
		return Grant{}, err
	}
	return s.named(ctx, g), nil
}

// Requests is roadmap id's access requests, newest first, for its owners.
func (s *Service) Requests(ctx context.Context, actor access.Actor, id string) ([]veikart.AccessRequest, error) {
	r, err := s.ownerRead(ctx, actor, id, access.ManageConsent)
	if err != nil {
		return nil, err
	}
	return newestFirst(r.Requests), nil
}

// Receipts is roadmap id's consent receipts, newest first, for its owners.
func (s *Service) Receipts(ctx context.Context, actor access.Actor, id string) ([]veikart.Receipt, error) {
	r, err := s.ownerRead(ctx, actor, id, access.ManageConsent)
	if err != nil {
		return nil, err
	}
	return newestFirst(r.Receipts), nil
}

func newestFirst[T any](xs []T) []T {
	out := slices.Clone(xs)
	slices.Reverse(out)
	if out == nil {
		out = []T{}
	}
	return out
}

// RequestAccess is an agency asking the household for access. It tells the
// agency nothing, not even whether the roadmap exists: it returns nil
// whether the request was stored, the roadmap is missing, or the household
// cannot take it now (a request of the agency's already waits, too many
// wait, a section it does not have). An agency learns a roadmap's id only
// from the household; an id it guesses must tell it nothing. The owners see
// stored requests in their list, and the log says who asked. Only a failing
// store is an error.
func (s *Service) RequestAccess(ctx context.Context, actor access.Actor, id string, sections []veikart.Section, perms []veikart.Permission, purpose string) error {
	if !access.Permit(actor, access.RequestAccess, "") {
		return &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Act for your agency as a caseworker to request access."}
	}
	var q veikart.AccessRequest
	_, next, err := s.change(ctx, actor, id, access.RequestAccess, "", func(cur *veikart.Roadmap, _ access.Decision) (*veikart.Roadmap, error) {
		n, made, err := cur.AddRequest("q-"+auth.RandomID(9), actor.AgencyID, actor.UserID, sections, perms, purpose, s.now())
		q = made
		return n, err
	})
	switch veikart.ErrorCode(err) {
	case "":
		return s.logAccess(ctx, actor, next.ID, access.RoleCaseworker, veikart.AuditRequestAccess, q.Sections, q.ID)
	case veikart.ENOTFOUND, veikart.ECONFLICT, veikart.EINVALID, veikart.EFORBIDDEN:
		return nil // not stored; the answer must not say so (see above)
	default:
		return err
	}
}

// ApproveRequest grants what request qid asked for, as the owners choose
// it (spec); a grant the agency has in force is renewed, not doubled. The
// agency's index first, as for CreateGrant.
func (s *Service) ApproveRequest(ctx context.Context, actor access.Actor, id, qid string, spec veikart.GrantSpec) (Grant, error) {
	if !veikart.ValidID(qid) {
		return Grant{}, ErrNoRequest
	}
	r, err := s.ownerRead(ctx, actor, id, access.ManageConsent)
	if err != nil {
		return Grant{}, err
	}
	i := slices.IndexFunc(r.Requests, func(q veikart.AccessRequest) bool { return q.ID == qid })
	if i < 0 {
		return Grant{}, ErrNoRequest
	}
	if err := s.store.AddAgencyRoadmap(ctx, r.Requests[i].AgencyID, r.ID); err != nil {
		return Grant{}, err
	}
	return s.changeGrant(ctx, actor, id, func(cur *veikart.Roadmap) (*veikart.Roadmap, veikart.Grant, error) {
		return cur.ApproveRequest(qid, "g-"+auth.RandomID(9), actor.UserID, spec, s.now(), s.cfg.Consent)
	})
}

// DeclineRequest declines request qid.
func (s *Service) DeclineRequest(ctx context.Context, actor access.Actor, id, qid string) (veikart.AccessRequest, error) {
	if !veikart.ValidID(qid) {
		return veikart.AccessRequest{}, ErrNoRequest
	}
	_, next, err := s.change(ctx, actor, id, access.ManageConsent, "", func(cur *veikart.Roadmap, _ access.Decision) (*veikart.Roadmap, error) {
		return cur.DeclineRequest(qid, actor.UserID, s.now())
	})
	if err != nil {
		return veikart.AccessRequest{}, err
	}
	i := slices.IndexFunc(next.Requests, func(q veikart.AccessRequest) bool { return q.ID == qid })
	return next.Requests[i], nil
}

// AccessLog is a page of roadmap id's access log for its owners, newest
// first. The household sees who read, by name and role beside the agency,
// as Helsenorge's usage log does: a caseworker's name as it is now, looked
// up once per person on the page (none for one since erased).
func (s *Service) AccessLog(ctx context.Context, actor access.Actor, id, cursor string, limit int) ([]veikart.AuditEvent, string, error) {
	r, err := s.ownerRead(ctx, actor, id, access.ReadLog)
	if err != nil {
		return nil, "", err
	}
	events, next, err := s.store.AuditPage(ctx, r.ID, cursor, limit)
	if err != nil {
		return nil, "", err
	}
	names := map[string]string{}
	for i, e := range events {
		if e.Name != "" || e.AgencyID == "" {
			continue
		}
		name, ok := names[e.UserID]
		if !ok {
			u, err := s.store.User(ctx, e.UserID)
			if err != nil && veikart.ErrorCode(err) != veikart.ENOTFOUND {
				return nil, "", err
			}
			if err == nil {
				name = u.Name
			}
			names[e.UserID] = name
		}
		events[i].Name = name
	}
	return events, next, nil
}

// Comment adds a comment c (its id the client's, or "" for a new one) by
// actor. A client sending again a comment it made offline gets it back
// with created false; another's id is a conflict. A caseworker's comment
// is in the access log.
func (s *Service) Comment(ctx context.Context, actor access.Actor, id string, c veikart.Comment) (veikart.Comment, bool, error) {
	if c.ID == "" {
		c.ID = "c-" + auth.RandomID(9)
	}
	c.UserID, c.AgencyID = actor.UserID, actor.AgencyID
	var made veikart.Comment
	created, role := true, ""
	_, next, err := s.change(ctx, actor, id, access.Comment, c.Section, func(cur *veikart.Roadmap, d access.Decision) (*veikart.Roadmap, error) {
		role = d.Role
		if i := slices.IndexFunc(cur.Comments, func(x veikart.Comment) bool { return x.ID == c.ID }); i >= 0 {
			if cur.Comments[i].UserID != actor.UserID {
				return nil, errIDTaken
			}
			made, created = cur.Comments[i], false
			return cur, nil
		}
		n, cm, err := cur.AddComment(c, s.now())
		made = cm
		return n, err
	})
	if err != nil {
		return veikart.Comment{}, false, err
	}
	// A member's words on their own areas are the household's, like an
	// owner's: the access log is for what agencies do.
	if role == access.RoleCaseworker && created {
		if err := s.logAccess(ctx, actor, next.ID, access.RoleCaseworker, veikart.AuditComment, []veikart.Section{c.Section}, made.ID); err != nil {
			return veikart.Comment{}, false, err
		}
	}
	return made, created, nil
}

// Propose is an agency proposing step (proposalID the client's, or "").
// The roadmap gains nothing until an owner accepts it. A step with no one
// responsible is the agency's own; an agency may propose a step for the
// household or for itself, and the household decides the rest.
func (s *Service) Propose(ctx context.Context, actor access.Actor, id, proposalID string, step veikart.Step) (veikart.Proposal, bool, error) {
	if !veikart.ValidID(step.AreaID) {
		return veikart.Proposal{}, false, &veikart.Error{Code: veikart.EINVALID, Message: "There is no such area.", Pointer: "/step/areaId"}
	}
	if step.Responsible.Kind == "" {
		step.Responsible = veikart.Responsible{Kind: veikart.ByAgency, AgencyID: actor.AgencyID}
	} else if r := step.Responsible; r.Kind == veikart.ByMember || (r.Kind == veikart.ByAgency && r.AgencyID != actor.AgencyID) {
		return veikart.Proposal{}, false, &veikart.Error{Code: veikart.EINVALID, Message: "Propose the step for the household or for your own agency; the household decides the rest.", Pointer: "/step/responsible"}
	}
	if proposalID == "" {
		proposalID = "p-" + auth.RandomID(9)
	}
	section := veikart.StepsSection(step.AreaID)
	var made veikart.Proposal
	created := true
	_, next, err := s.change(ctx, actor, id, access.Propose, section, func(cur *veikart.Roadmap, _ access.Decision) (*veikart.Roadmap, error) {
		if i := slices.IndexFunc(cur.Proposals, func(x veikart.Proposal) bool { return x.ID == proposalID }); i >= 0 {
			if cur.Proposals[i].UserID != actor.UserID {
				return nil, errIDTaken
			}
			made, created = cur.Proposals[i], false
			return cur, nil
		}
		n, p, err := cur.AddProposal(veikart.Proposal{ID: proposalID, AgencyID: actor.AgencyID, UserID: actor.UserID, Step: step}, s.now())
		made = p
		return n, err
	})
	if err != nil {
		return veikart.Proposal{}, false, err
	}
	if created {
		if err := s.logAccess(ctx, actor, next.ID, access.RoleCaseworker, veikart.AuditPropose, []veikart.Section{section}, made.ID); err != nil {
			return veikart.Proposal{}, false, err
		}
	}
	return made, created, nil
}

// DecideProposal accepts (the step joins the roadmap) or rejects proposal
// pid.
func (s *Service) DecideProposal(ctx context.Context, actor access.Actor, id, pid string, accept bool) (veikart.Proposal, error) {
	if !veikart.ValidID(pid) {
		return veikart.Proposal{}, ErrNoProposal
	}
	var p veikart.Proposal
	_, _, err := s.change(ctx, actor, id, access.Change, "", func(cur *veikart.Roadmap, _ access.Decision) (*veikart.Roadmap, error) {
		n, decided, err := cur.DecideProposal(pid, "s-"+auth.RandomID(9), actor.UserID, accept, s.now())
		p = decided
		return n, err
	})
	return p, err
}

// Overdue is the agencies' steps in roadmap id that are past their due date
// and not done, for the owners: the household follows up on what was
// promised to it.
func (s *Service) Overdue(ctx context.Context, actor access.Actor, id string) ([]veikart.Step, error) {
	r, err := s.ownerRead(ctx, actor, id, access.FollowUp)
	if err != nil {
		return nil, err
	}
	today := s.today()
	out := []veikart.Step{}
	for _, st := range r.Steps {
		if st.Responsible.Kind == veikart.ByAgency && st.Due != "" && st.Due < today &&
			(st.Status == veikart.Planned || st.Status == veikart.Doing) {
			out = append(out, st)
		}
	}
	return out, nil
}
