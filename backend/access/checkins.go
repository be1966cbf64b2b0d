package access

import (
	"slices"
	"time"

	"github.com/veikart/veikart/backend/veikart"
)

// Check-ins (veikart/checkin.go): readings of an area's "now" over time.
// Both actions are about one area: the section is the area's texts
// section (veikart.AreaSection), the section a score belongs to.
//
//   - CheckIn (record readings, and for the owners take a mistaken one
//     back): the owners; an adult member with an account, for an area
//     that names them; a trusted person or interpreter who may write in
//     the area's section. Never a caseworker: one may be present, and the
//     family records it.
//   - ReadCheckIns: the owners; a member, for an area that names them; a
//     helper, for an area given to them; a caseworker whose grant in
//     force lets the agency view the area.
const (
	CheckIn      Action = "check-in"
	ReadCheckIns Action = "read-check-ins"
)

// decideCheckIns is Decide for CheckIn and ReadCheckIns.
func decideCheckIns(actor Actor, action Action, r *veikart.Roadmap, section veikart.Section, now time.Time) Decision {
	area := section.AreaID()
	if area == "" || section != veikart.AreaSection(area) || !r.HasSection(section) {
		return deny
	}
	switch actor.Kind {
	case Person:
		if d, ok := decideHelper(actor, Read, r, section, now); ok {
			if !d.Allowed {
				return deny
			}
			h, _ := r.ActiveHelper(actor.UserID, now)
			ok := h.Covers(section) && (action == ReadCheckIns || h.Write)
			return Decision{Allowed: ok, Role: d.Role}
		}
		if r.IsOwner(actor.UserID) {
			return Decision{Allowed: true, Role: RoleOwner}
		}
		if me, ok := r.MemberByUser(actor.UserID); ok {
			ok := namesMember(r, area, me.ID) && (action == ReadCheckIns || me.Role == veikart.Adult)
			return Decision{Allowed: ok, Role: RoleMember}
		}
	case Agency:
		if action != ReadCheckIns || !actor.Caseworker() {
			return deny
		}
		g, ok := r.ActiveGrant(actor.AgencyID, now)
		if ok && g.Allows(veikart.View, section) {
			return Decision{Allowed: true, Role: RoleCaseworker, Grant: &g}
		}
	}
	return deny
}

// ProjectReadings returns what actor may read of rs, readings of r: the
// readings of the areas ReadCheckIns allows them, cut as Project cuts the
// roadmap, and the area sections they come from (for the access log).
//
//   - The owners see everything.
//   - A member sees the household's readings and their own, not another
//     member's; who recorded a reading, only when it was themselves.
//   - A helper sees members' readings only when the household section is
//     given to them (then with the household's member ids, as in their view
//     of the roadmap); never who recorded.
//   - An agency sees members' readings only with the household section,
//     each member named by the agency's own key (MemberKey); never who
//     recorded, and which agency was present only when it was itself.
//     Without the household section a member's reading is left out: which
//     member it is is the household section's to say, and a member's score
//     shown as the household's would mislead.
func ProjectReadings(actor Actor, r *veikart.Roadmap, rs []veikart.Reading, now time.Time) (out []veikart.Reading, sections []veikart.Section, role string) {
	allowed := map[string]Decision{}
	for _, a := range r.Areas {
		d := Decide(actor, ReadCheckIns, r, veikart.AreaSection(a.ID), now)
		if d.Allowed {
			allowed[a.ID] = d
			sections = append(sections, veikart.AreaSection(a.ID))
			role = d.Role
		}
	}
	if len(allowed) == 0 {
		return nil, nil, ""
	}
	var me veikart.Member
	var keys memberKeys
	var household bool
	switch role {
	case RoleMember:
		me, _ = r.MemberByUser(actor.UserID)
	case RoleCaseworker:
		g := *allowed[sections[0].AreaID()].Grant
		household = grantFilter{g}.household()
		keys = memberKeys{roadmapID: r.ID, agencyID: g.AgencyID, shown: household, memo: map[string]string{}}
	case RoleTrusted, RoleInterpreter:
		h, _ := r.ActiveHelper(actor.UserID, now)
		household = h.Covers(veikart.SectionHousehold)
	}
	out = make([]veikart.Reading, 0, len(rs))
	for _, x := range rs {
		if _, ok := allowed[x.AreaID]; !ok {
			continue
		}
		switch role {
		case RoleMember:
			if x.MemberID != "" && x.MemberID != me.ID {
				continue
			}
			if x.By != actor.UserID {
				x.By = ""
			}
		case RoleCaseworker:
			if x.MemberID != "" {
				if !household {
					continue
				}
				x.MemberID = keys.key(x.MemberID)
			}
			x.By = ""
			if x.AgencyID != actor.AgencyID {
				x.AgencyID = ""
			}
		case RoleTrusted, RoleInterpreter:
			if x.MemberID != "" && !household {
				continue
			}
			x.By = ""
		}
		out = append(out, x)
	}
	if role == RoleOwner {
		sections = nil // owners' reads are not logged
	}
	return slices.Clip(out), sections, role
}
