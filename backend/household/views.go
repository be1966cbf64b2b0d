package household

import (
	"time"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/veikart"
)

// A caseworker's view of a roadmap, and its summary in the agency's list,
// is a function of the roadmap's version and the grant alone (every change
// to a grant is a new version of the roadmap). Projecting it (copying what
// the grant shows, hashing member keys) was the largest cost of a
// caseworker's read after HTTP itself, and summarising 300 households a
// third of an agency's list; so both are kept per roadmap and grant for the
// version they were made from. Whether the grant still holds is decided on
// every request, before a kept one is used.

// maxKept bounds each kind kept: a municipality's households read by
// caseworkers in a day.
const maxKept = 10_000

// grantKey is the key of what a caseworker sees of r, if the decision d
// lets them see it through a grant ("" else).
func grantKey(r *veikart.Roadmap, d access.Decision) string {
	if !d.Allowed || d.Role != access.RoleCaseworker || d.Grant == nil {
		return ""
	}
	return r.ID + "\x00" + d.Grant.ID
}

// project is access.Project(actor, r, now), kept for a caseworker. Views
// are read-only and may be shared.
func (s *Service) project(actor access.Actor, r *veikart.Roadmap, now time.Time) *access.View {
	key := grantKey(r, access.Decide(actor, access.Read, r, "", now))
	if key == "" {
		return access.Project(actor, r, now)
	}
	if v, ok := s.views.Get(key, r); ok {
		return v
	}
	v := access.Project(actor, r, now)
	if v != nil {
		s.views.Put(key, r, v)
	}
	return v
}

// summarize is access.Summarize(actor, r, now), kept.
func (s *Service) summarize(actor access.Actor, r *veikart.Roadmap, now time.Time) (access.Summary, bool) {
	key := grantKey(r, access.Decide(actor, access.Read, r, "", now))
	if key == "" {
		return access.Summary{}, false
	}
	if sum, ok := s.summaries.Get(key, r); ok {
		return sum, true
	}
	sum, ok := access.Summarize(actor, r, now)
	if ok {
		s.summaries.Put(key, r, sum)
	}
	return sum, ok
}
