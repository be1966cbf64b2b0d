package veikart

import (
	"cmp"
	"slices"
	"time"
)

// The timeline: a roadmap's history as events with a kind, a date and the
// ids the app words them with (in the family's language: the server never
// writes the sentence). It is a merge of sources, each listing the entries
// of one part of the roadmap; one more kind of history (check-ins) is one
// more TimelineSource.

// TimelineKind is what happened.
type TimelineKind string

// Timeline kinds.
const (
	TimelineStepDone     TimelineKind = "step-done"
	TimelineStepDropped  TimelineKind = "step-dropped"
	TimelineReview       TimelineKind = "review"
	TimelineMeetingHeld  TimelineKind = "meeting-held"
	TimelineGrantGiven   TimelineKind = "grant-given"
	TimelineGrantChanged TimelineKind = "grant-changed"
	TimelineGrantEnded   TimelineKind = "grant-ended" // revoked by the household
	TimelineGrantExpired TimelineKind = "grant-expired"
	TimelineTransition   TimelineKind = "transition"
	TimelineHelperAdded  TimelineKind = "helper-added"  // a trusted person or interpreter accepted
	TimelineHelperEnded  TimelineKind = "helper-ended"  // taken back by the household
	TimelineMemberJoined TimelineKind = "member-joined" // a member linked their own account
	TimelineCheckIn      TimelineKind = "check-in"      // a sitting's readings (checkin.go)
)

// TimelineEntry is one event. Only the fields of its kind are set.
type TimelineEntry struct {
	Kind TimelineKind
	At   time.Time
	// A step's (done, dropped): the step as it is.
	StepID, AreaID, Title string
	// A review's, a meeting's, a transition's id.
	ReviewID, MeetingID, TransitionID string
	TransitionKind                    TransitionKind
	// A grant's: the agency and the sections it was given (as after the
	// decision).
	AgencyID string
	GrantID  string
	Sections []Section
	// A helper's: their kind and the name the household gave them.
	HelperID   string
	HelperKind HelperKind
	HelperName string
	// A member's who joined: the household's own member id.
	MemberID string
	// A check-in's: who was there (AgencyID the agency present, if named)
	// and each area's readings of that sitting.
	With   ScoredWith
	Scores []AreaScore
}

// AreaScore is one area's readings in a check-in: the household's score
// (0 if only members scored it) and how many members scored it.
type AreaScore struct {
	AreaID  string
	Score   int
	Members int
}

// TimelineInput is what the sources read: the roadmap, its saved reviews
// and check-ins (kept outside it), the clock and the households' time zone.
type TimelineInput struct {
	Roadmap  *Roadmap
	Reviews  []Review
	Readings []Reading // oldest first
	Now      time.Time
	Loc      *time.Location
}

// TimelineSource lists the entries of one part of a roadmap's history.
type TimelineSource func(in TimelineInput) []TimelineEntry

// TimelineSources are the sources Timeline merges.
var TimelineSources = []TimelineSource{stepEntries, reviewEntries, checkInEntries, meetingEntries, receiptEntries, expiryEntries, transitionEntries}

// Timeline is the roadmap's history, newest first. Entries at the same
// moment keep a fixed order (kind, then a hash of their ids: see
// timeline_page.go), so that paging is stable.
func Timeline(in TimelineInput) []TimelineEntry {
	if in.Loc == nil {
		in.Loc = time.UTC
	}
	var out []TimelineEntry
	for _, src := range TimelineSources {
		out = append(out, src(in)...)
	}
	SortTimeline(out)
	return out
}

// stepEntries: steps done and dropped, dated by when their status changed.
// A step that changed status before that was recorded (StatusAt zero) is
// dated by its last change.
func stepEntries(in TimelineInput) []TimelineEntry {
	var out []TimelineEntry
	for _, s := range in.Roadmap.Steps {
		kind := TimelineStepDone
		switch s.Status {
		case Done:
		case Dropped:
			kind = TimelineStepDropped
		default:
			continue
		}
		at := s.StatusAt
		if at.IsZero() {
			at = s.UpdatedAt
		}
		out = append(out, TimelineEntry{Kind: kind, At: at, StepID: s.ID, AreaID: s.AreaID, Title: s.Title})
	}
	return out
}

func reviewEntries(in TimelineInput) []TimelineEntry {
	out := make([]TimelineEntry, 0, len(in.Reviews))
	for _, v := range in.Reviews {
		out = append(out, TimelineEntry{Kind: TimelineReview, At: v.At, ReviewID: v.ID})
	}
	return out
}

// checkInEntries: one entry per sitting (a day, and who was there), dated
// at noon of that day where the household lives (a reading's date is the
// phone's day, not a moment), but never later than it was recorded: a
// check-in made at 00:05 is not placed after what happens that morning.
// Each area's readings of the sitting are in it.
func checkInEntries(in TimelineInput) []TimelineEntry {
	var out []TimelineEntry
	at := map[[3]string]int{} // date, with, agency -> index in out
	for _, r := range in.Readings {
		key := [3]string{r.Date, string(r.With), r.AgencyID}
		i, ok := at[key]
		if !ok {
			day, err := time.ParseInLocation(time.DateOnly, r.Date, in.Loc)
			if err != nil {
				continue // stored readings are valid; a bad one is left out, not guessed
			}
			i = len(out)
			at[key] = i
			out = append(out, TimelineEntry{Kind: TimelineCheckIn, At: day.Add(12 * time.Hour), With: r.With, AgencyID: r.AgencyID})
		}
		e := &out[i]
		if !r.At.IsZero() && r.At.Before(e.At) {
			e.At = r.At
		}
		j := slices.IndexFunc(e.Scores, func(a AreaScore) bool { return a.AreaID == r.AreaID })
		if j < 0 {
			e.Scores = append(e.Scores, AreaScore{AreaID: r.AreaID})
			j = len(e.Scores) - 1
		}
		if r.MemberID == "" {
			e.Scores[j].Score = r.Score // the later of two that day stands, as it does for the road
		} else {
			e.Scores[j].Members++
		}
	}
	// In the roadmap's order of areas, as every screen lists them (a
	// removed area's readings last).
	pos := func(id string) int {
		if i := slices.IndexFunc(in.Roadmap.Areas, func(a Area) bool { return a.ID == id }); i >= 0 {
			return i
		}
		return len(in.Roadmap.Areas)
	}
	for i := range out {
		slices.SortStableFunc(out[i].Scores, func(a, b AreaScore) int { return cmp.Compare(pos(a.AreaID), pos(b.AreaID)) })
	}
	return out
}

// meetingEntries: meetings held, which are those whose minutes the
// household approved, dated by when they were held.
func meetingEntries(in TimelineInput) []TimelineEntry {
	var out []TimelineEntry
	for _, m := range in.Roadmap.Meetings {
		if m.Status == MeetingApproved {
			out = append(out, TimelineEntry{Kind: TimelineMeetingHeld, At: m.At, MeetingID: m.ID})
		}
	}
	return out
}

// receiptEntries: grants given, changed and ended, helpers let in and
// taken back, members joining, as the household's receipts record them.
func receiptEntries(in TimelineInput) []TimelineEntry {
	kinds := map[ReceiptKind]TimelineKind{
		ReceiptGranted: TimelineGrantGiven, ReceiptChanged: TimelineGrantChanged, ReceiptRevoked: TimelineGrantEnded,
		ReceiptHelperAccepted: TimelineHelperAdded, ReceiptHelperRevoked: TimelineHelperEnded,
		ReceiptMemberJoined: TimelineMemberJoined,
	}
	var out []TimelineEntry
	for _, c := range in.Roadmap.Receipts {
		kind, ok := kinds[c.Kind]
		switch {
		case !ok:
			continue
		case c.HelperID != "":
			out = append(out, TimelineEntry{Kind: kind, At: c.At, HelperID: c.HelperID, HelperKind: c.HelperKind, HelperName: c.HelperName})
		case kind == TimelineMemberJoined:
			out = append(out, TimelineEntry{Kind: kind, At: c.At, MemberID: c.MemberID})
		case c.AgencyID != "":
			out = append(out, TimelineEntry{Kind: kind, At: c.At, GrantID: c.GrantID, AgencyID: c.AgencyID, Sections: slices.Clone(c.Sections)})
		}
	}
	return out
}

// expiryEntries: grants that ran out (no receipt records that: nothing
// happens, the clock passes the date).
func expiryEntries(in TimelineInput) []TimelineEntry {
	var out []TimelineEntry
	for _, g := range in.Roadmap.Grants {
		if g.Status == GrantActive && !g.ExpiresAt.IsZero() && !in.Now.Before(g.ExpiresAt) {
			out = append(out, TimelineEntry{Kind: TimelineGrantExpired, At: g.ExpiresAt, AgencyID: g.AgencyID, GrantID: g.ID, Sections: slices.Clone(g.Sections)})
		}
	}
	return out
}

// transitionEntries: transitions whose day has come, dated by that day.
func transitionEntries(in TimelineInput) []TimelineEntry {
	var out []TimelineEntry
	for _, t := range in.Roadmap.Transitions {
		if t.Status != TransitionPlanned {
			continue
		}
		day, err := time.ParseInLocation(time.DateOnly, t.Date, in.Loc)
		if err != nil || in.Now.Before(day) {
			continue
		}
		out = append(out, TimelineEntry{Kind: TimelineTransition, At: day.UTC(), TransitionID: t.ID, TransitionKind: t.Kind, AgencyID: t.AgencyID})
	}
	return out
}
