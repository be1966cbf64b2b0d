package household

import (
	"context"
	"time"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/agency"
	"github.com/veikart/veikart/backend/veikart"
)

// The household's team: the agencies it shares with and their contact
// persons, the coordinator it chooses among them, and what each agency
// promised (veikart/team.go, veikart/promise.go).

// Errors of the team's use cases.
var (
	ErrNoStep        = &veikart.Error{Code: veikart.ENOTFOUND, Message: "There is no such step."}
	errTeamForbidden = &veikart.Error{Code: veikart.EFORBIDDEN, Message: "The household has not let your agency see its team."}
	errStepForbidden = &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Your agency cannot see this step."}
)

// Team is a household's team as an actor sees it, with the agencies' names
// ("" for an agency that is gone), and the moment it was read: promises'
// states (late, unanswered) are judged at Now, their dates against Today in
// the households' time zone.
type Team struct {
	*access.Team
	AgencyNames map[string]string
	Now         time.Time
	Today       string
}

// Team is roadmap id's team as actor may see it. An agency's look at it
// goes to the access log first.
func (s *Service) Team(ctx context.Context, actor access.Actor, id string) (Team, error) {
	r, err := s.read(ctx, id)
	if err != nil {
		return Team{}, err
	}
	now := s.now()
	t := access.TeamOf(actor, r, now)
	if t == nil {
		return Team{}, s.denied(actor, r, errTeamForbidden)
	}
	if t.Role != access.RoleOwner {
		// As a caseworker: a coordinator is one, chosen by the household.
		if err := s.logAccess(ctx, actor, r.ID, access.RoleCaseworker, veikart.AuditReadTeam, nil, ""); err != nil {
			return Team{}, err
		}
	}
	names := map[string]string{}
	add := func(id string) {
		if _, ok := names[id]; !ok {
			names[id] = agency.Name(ctx, s.store, id)
		}
	}
	for _, m := range t.Members {
		add(m.AgencyID)
	}
	for _, p := range t.Promises {
		add(p.Responsible.AgencyID)
	}
	return Team{Team: t, AgencyNames: names, Now: now, Today: now.In(s.cfg.Location).Format(time.DateOnly)}, nil
}

// SetContact names the caseworker actor as their agency's contact person
// for the household, with how to reach them.
func (s *Service) SetContact(ctx context.Context, actor access.Actor, id string, c veikart.Contact) (veikart.Contact, error) {
	c.UserID = actor.UserID
	var out veikart.Contact
	prev, next, err := s.change(ctx, actor, id, access.SetContact, "", func(cur *veikart.Roadmap, _ access.Decision) (*veikart.Roadmap, error) {
		n, set, err := cur.SetContact(actor.AgencyID, c, s.now())
		out = set
		return n, err
	})
	if err != nil {
		return veikart.Contact{}, err
	}
	if prev != next {
		if err := s.logAccess(ctx, actor, id, access.RoleCaseworker, veikart.AuditSetContact, nil, ""); err != nil {
			return veikart.Contact{}, err
		}
	}
	return out, nil
}

// SetCoordinator makes agencyID's contact person the household's
// coordinator; "" has none.
func (s *Service) SetCoordinator(ctx context.Context, actor access.Actor, id, agencyID string) (veikart.Coordinator, error) {
	var out veikart.Coordinator
	_, _, err := s.change(ctx, actor, id, access.ManageConsent, "", func(cur *veikart.Roadmap, _ access.Decision) (*veikart.Roadmap, error) {
		var userID string
		if agencyID != "" {
			g, ok := cur.ActiveGrant(agencyID, s.now())
			if !ok {
				return nil, &veikart.Error{Code: veikart.EINVALID, Message: "This agency has no access to your roadmap now.", Pointer: "/agencyId"}
			}
			if userID = g.Contact.UserID; userID == "" {
				return nil, &veikart.Error{Code: veikart.EINVALID, Message: "This agency has not named a contact person for you yet.", Pointer: "/agencyId"}
			}
		}
		n, c, err := cur.SetCoordinator(agencyID, userID, actor.UserID, s.now())
		out = c
		return n, err
	})
	return out, err
}

// AnswerPromise is a caseworker's answer, for their agency, to step
// stepID: accepted with a date, or declined with a reason. The agency must
// see the step (its steps section in its grant).
func (s *Service) AnswerPromise(ctx context.Context, actor access.Actor, id, stepID string, a veikart.PromiseAnswer) (veikart.Step, error) {
	if !veikart.ValidID(stepID) {
		return veikart.Step{}, ErrNoStep
	}
	a.By = actor.UserID
	if u, err := s.store.User(ctx, actor.UserID); err == nil {
		a.ByName = u.Name
	}
	sectionOf := func(r *veikart.Roadmap) veikart.Section {
		if st, ok := r.Step(stepID); ok {
			return veikart.StepsSection(st.AreaID)
		}
		return ""
	}
	var section veikart.Section
	prev, next, err := s.changeAt(ctx, actor, id, access.AnswerPromise, sectionOf, errStepForbidden, func(cur *veikart.Roadmap, _ access.Decision) (*veikart.Roadmap, error) {
		section = sectionOf(cur)
		n, _, err := cur.AnswerPromise(stepID, actor.AgencyID, a, s.now(), s.today())
		return n, err
	})
	if err != nil {
		return veikart.Step{}, err
	}
	if prev != next {
		if err := s.logAccess(ctx, actor, id, access.RoleCaseworker, veikart.AuditAnswerPromise, []veikart.Section{section}, stepID); err != nil {
			return veikart.Step{}, err
		}
	}
	// The step as the agency sees it (member ids are its own keys).
	if v := access.Project(actor, next, s.now()); v != nil {
		if st, ok := v.Roadmap.Step(stepID); ok {
			return st, nil
		}
	}
	return veikart.Step{}, ErrNoStep // never: the write was allowed
}

// JudgePromise is the owners' word on an accepted promise: kept or not.
func (s *Service) JudgePromise(ctx context.Context, actor access.Actor, id, stepID string, o veikart.PromiseOutcome) (veikart.Step, error) {
	if !veikart.ValidID(stepID) {
		return veikart.Step{}, ErrNoStep
	}
	var out veikart.Step
	_, _, err := s.change(ctx, actor, id, access.Change, "", func(cur *veikart.Roadmap, _ access.Decision) (*veikart.Roadmap, error) {
		n, st, err := cur.JudgePromise(stepID, o, s.now())
		out = st
		return n, err
	})
	return out, err
}
