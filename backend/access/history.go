package access

import (
	"slices"
	"time"

	"github.com/veikart/veikart/backend/veikart"
)

// History: the timeline and the saved reviews, cut to what an actor may
// see. The owners see all of it. An agency with a grant in force (the
// coordinator included) sees, like its view of the roadmap, only what is
// about the areas granted to it and about itself: steps of the areas
// whose steps are granted, a review's lines of granted areas (without the
// family's own words, which may speak of anything, or the snapshot),
// promises of its own, meetings it was invited to, its own grant and
// transition, and nothing of other agencies or of the household's
// helpers. No entry names a member, so there is nothing to pseudonymise.
// Members and helpers (trusted persons, interpreters) see no history:
// Decide denies them ReadHistory.

// HistoryView is what HistoryOf decided: nil Grant for the owners.
type HistoryView struct {
	Role  string
	Grant *veikart.Grant
	// Sections are the granted sections the roadmap has, for the access
	// log; nil for the owners.
	Sections []veikart.Section
}

// HistoryOf decides whether actor may read r's history at now.
func HistoryOf(actor Actor, r *veikart.Roadmap, now time.Time) (HistoryView, bool) {
	d := Decide(actor, ReadHistory, r, "", now)
	if !d.Allowed {
		return HistoryView{}, false
	}
	if d.Role == RoleOwner {
		return HistoryView{Role: d.Role}, true
	}
	if d.Grant == nil {
		return HistoryView{}, false
	}
	return HistoryView{Role: d.Role, Grant: d.Grant, Sections: grantFilter{*d.Grant}.sections(r)}, true
}

// Timeline is entries cut to what v shows of r.
func (v HistoryView) Timeline(r *veikart.Roadmap, entries []veikart.TimelineEntry) []veikart.TimelineEntry {
	if v.Grant == nil {
		return entries
	}
	f := grantFilter{*v.Grant}
	own := v.Grant.AgencyID
	out := make([]veikart.TimelineEntry, 0, len(entries))
	for _, e := range entries {
		switch e.Kind {
		case veikart.TimelineStepDone, veikart.TimelineStepDropped:
			if _, ok := f.stepsSection(e.AreaID); !ok {
				continue
			}
		case veikart.TimelineReview:
		case veikart.TimelineCheckIn:
			// Only the granted areas' scores; members' readings are
			// counted on the agency's own chart, under its member keys.
			var scores []veikart.AreaScore
			for _, a := range e.Scores {
				if _, ok := f.areaSection(a.AreaID); ok && a.Score > 0 {
					scores = append(scores, veikart.AreaScore{AreaID: a.AreaID, Score: a.Score})
				}
			}
			if len(scores) == 0 {
				continue
			}
			e.Scores = scores
			if e.AgencyID != own {
				e.AgencyID = "" // another agency's presence is not this one's to know
			}
		case veikart.TimelineMeetingHeld:
			if m, ok := r.Meeting(e.MeetingID); !ok || !m.Invited(own) {
				continue
			}
		case veikart.TimelineGrantGiven, veikart.TimelineGrantChanged, veikart.TimelineGrantEnded,
			veikart.TimelineGrantExpired, veikart.TimelineTransition:
			if e.AgencyID != own {
				continue
			}
		default: // helpers, and any kind added later until decided here
			continue
		}
		out = append(out, e)
	}
	return out
}

// Review is v cut to what v shows: nil Grant, all of it.
func (v HistoryView) Review(rv veikart.Review) veikart.Review {
	if v.Grant == nil {
		return rv
	}
	f := grantFilter{*v.Grant}
	out := veikart.Review{ID: rv.ID, At: rv.At, Since: rv.Since}
	for _, a := range rv.Changes.Areas {
		if _, ok := f.areaSection(a.AreaID); ok {
			out.Changes.Areas = append(out.Changes.Areas, a)
		}
	}
	for _, s := range rv.Changes.Steps {
		if _, ok := f.stepsSection(s.AreaID); ok {
			out.Changes.Steps = append(out.Changes.Steps, s)
		}
	}
	for _, p := range rv.Changes.Promises {
		if _, ok := f.stepsSection(p.AreaID); ok && p.AgencyID == v.Grant.AgencyID {
			out.Changes.Promises = append(out.Changes.Promises, p)
		}
	}
	return out
}

// Reviews is reviews cut to what v shows.
func (v HistoryView) Reviews(reviews []veikart.Review) []veikart.Review {
	if v.Grant == nil {
		return reviews
	}
	out := slices.Clone(reviews)
	for i := range out {
		out[i] = v.Review(out[i])
	}
	return out
}
