package access

import (
	"slices"
	"time"

	"github.com/veikart/veikart/backend/veikart"
)

// TeamMember is one agency on the household's team: an agency with a
// grant in force, its contact person and whether that person coordinates.
type TeamMember struct {
	AgencyID    string
	Contact     veikart.Contact // UserID is cleared: an account id never leaves
	Coordinator bool
	// You says the contact person is the one asking.
	You       bool
	ExpiresAt time.Time
}

// Team is what an actor sees of a household's team. Promises (steps given
// to agencies, with the agencies' answers) are there for the owners and
// the coordinator only, and without their notes or who in the household
// they concern: the coordinator follows up what was promised, and sees no
// more of the roadmap than its own agency's grant shows.
type Team struct {
	Role     string
	Members  []TeamMember
	Promises []veikart.Step
}

// TeamOf returns what actor may see of r's team at now, or nil. An agency
// the household did not let see the team sees only itself on it.
func TeamOf(actor Actor, r *veikart.Roadmap, now time.Time) *Team {
	d := Decide(actor, ReadTeam, r, "", now)
	if !d.Allowed {
		return nil
	}
	t := &Team{Role: d.Role, Members: []TeamMember{}}
	whole := d.Role != RoleCaseworker || slices.Contains(d.Grant.Permissions, veikart.SeeTeam)
	for _, g := range r.Grants {
		if !g.ActiveAt(now) || (!whole && g.AgencyID != actor.AgencyID) {
			continue
		}
		c := g.Contact
		m := TeamMember{AgencyID: g.AgencyID, ExpiresAt: g.ExpiresAt,
			Coordinator: c.UserID != "" && r.Coordinator.AgencyID == g.AgencyID && r.Coordinator.UserID == c.UserID,
			You:         c.UserID != "" && actor.Kind == Agency && actor.AgencyID == g.AgencyID && actor.UserID == c.UserID,
		}
		c.UserID = ""
		m.Contact = c
		t.Members = append(t.Members, m)
	}
	if d.Role != RoleOwner && d.Role != RoleCoordinator {
		return t
	}
	t.Promises = []veikart.Step{}
	for _, s := range r.Promises() {
		s.Promise.By = ""
		if d.Role == RoleCoordinator {
			s.Note, s.MemberIDs, s.Reminders, s.Changed = "", nil, nil, nil
		}
		t.Promises = append(t.Promises, s)
	}
	return t
}
