package access

import (
	"slices"
	"time"

	"github.com/veikart/veikart/backend/veikart"
)

// MayRunMeeting reports whether actor may take notes and record decisions
// in meeting m of r: an owner, or the coordinator whose agency is invited.
func MayRunMeeting(actor Actor, r *veikart.Roadmap, m veikart.Meeting, now time.Time) bool {
	d := Decide(actor, RunMeeting, r, "", now)
	return d.Allowed && (d.Role == RoleOwner || m.Invited(actor.AgencyID))
}

// MeetingsFor is what actor may see of r's meetings at now: every meeting
// for the owners; for an agency with a grant in force, the meetings it is
// invited to, with the agenda items within its grant (and the free ones),
// and their notes and decisions only once the household approved the
// minutes (the coordinator, who takes notes, sees them before). Nil when
// actor may see none.
func MeetingsFor(actor Actor, r *veikart.Roadmap, now time.Time) []veikart.Meeting {
	d := Decide(actor, ReadMeetings, r, "", now)
	if !d.Allowed {
		return nil
	}
	out := []veikart.Meeting{}
	if d.Role == RoleOwner {
		return append(out, r.Meetings...)
	}
	if d.Grant == nil {
		return nil
	}
	f := grantFilter{*d.Grant}
	coordinator := r.IsCoordinator(actor.AgencyID, actor.UserID, now)
	for _, m := range r.Meetings {
		if !m.Invited(actor.AgencyID) || m.Status == veikart.MeetingProposed && !coordinator {
			continue
		}
		m.CalledBy = ""
		m.Agenda = slices.Clone(m.Agenda)
		m.Agenda = slices.DeleteFunc(m.Agenda, func(it veikart.AgendaItem) bool {
			if it.AreaID == "" {
				return false
			}
			_, area := f.areaSection(it.AreaID)
			_, steps := f.stepsSection(it.AreaID)
			return !area && !steps
		})
		if m.Status != veikart.MeetingApproved && !coordinator {
			for i := range m.Agenda {
				m.Agenda[i].Notes, m.Agenda[i].Decisions = "", nil
			}
		}
		for i := range m.Agenda {
			// A decision on a free item may make a step in an area the
			// agency does not see: the words stay, not where it went.
			m.Agenda[i].Decisions = slices.Clone(m.Agenda[i].Decisions)
			for j, dc := range m.Agenda[i].Decisions {
				if _, ok := f.stepsSection(dc.AreaID); !ok {
					m.Agenda[i].Decisions[j].AreaID, m.Agenda[i].Decisions[j].StepID = "", ""
				}
				if dc.Responsible.Kind == veikart.ByMember {
					m.Agenda[i].Decisions[j].Responsible = veikart.Responsible{Kind: veikart.ByHousehold}
				}
			}
		}
		out = append(out, m)
	}
	return out
}
