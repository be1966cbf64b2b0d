package veikart

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"time"
)

// Reviews. The household picks how often it looks back (every 1, 3, 6 or
// 12 months, or never); when a review is due its owners and coordinator
// are reminded. A review compares the roadmap now with the snapshot the
// last review saved (or with nothing, since the roadmap began): scores per
// area, steps done or dropped, promises kept or not, goals changed. The
// family saves it with a few words of its own, and its snapshot is what
// the next review compares with.
//
// The roadmap holds only the rhythm and when the last review was saved
// (ReviewPlan: small, and what the reminder needs); the reviews are kept
// beside it, in a document of their own (storage/reviews.go).

// Review limits.
const (
	MaxReviewNote = 2000
	// MaxReviews is how many reviews a household keeps; older ones are
	// dropped (ten years of monthly reviews).
	MaxReviews = 120
	// ReviewReminderAt is when, local time, a due review is reminded of.
	ReviewReminderAt = 10
)

// ReviewRhythms are the rhythms a household may choose, in months; 0 is
// none.
var ReviewRhythms = []int{0, 1, 3, 6, 12}

// ReviewPlan is a roadmap's review rhythm.
type ReviewPlan struct {
	Months int       // 0: no rhythm
	SetAt  time.Time // when the rhythm was set
	LastAt time.Time // when the last review was saved; zero if none
}

// NextReview is the date (in loc) the next review is due: the rhythm's
// months after the last review, or after the rhythm was set; "" with no
// rhythm.
func (p ReviewPlan) NextReview(loc *time.Location) string {
	t, ok := p.DueAt(loc)
	if !ok {
		return ""
	}
	return t.In(loc).Format(time.DateOnly)
}

// DueAt is when the household is reminded of its next review: at
// ReviewReminderAt local time on NextReview's day (never in quiet hours).
func (p ReviewPlan) DueAt(loc *time.Location) (time.Time, bool) {
	if p.Months == 0 {
		return time.Time{}, false
	}
	base := p.SetAt
	if p.LastAt.After(base) {
		base = p.LastAt
	}
	d := base.In(loc).AddDate(0, p.Months, 0)
	return time.Date(d.Year(), d.Month(), d.Day(), ReviewReminderAt, 0, 0, 0, loc).UTC(), true
}

// SetReviewRhythm sets how often the household reviews its roadmap. The
// same rhythm again changes nothing (the same roadmap is returned), so the
// next review's date does not move.
func (r *Roadmap) SetReviewRhythm(months int, now time.Time) (*Roadmap, error) {
	if !slices.Contains(ReviewRhythms, months) {
		return nil, &Error{Code: EINVALID, Message: "Choose a review every 1, 3, 6 or 12 months, or none (0).", Pointer: "/months"}
	}
	if r.Review.Months == months {
		return r, nil
	}
	now = clock(now)
	n := r.next(now)
	n.Review.Months, n.Review.SetAt = months, now
	return n, nil
}

// ReviewSaved records that a review was saved at at. An older review
// (a retry arriving late) does not move the date back.
func (r *Roadmap) ReviewSaved(at, now time.Time) *Roadmap {
	if !at.After(r.Review.LastAt) {
		return r
	}
	n := r.next(clock(now))
	n.Review.LastAt = at
	return n
}

// AreaSnapshot is what a review keeps of an area, for the next one to
// compare with. The desired text is kept as a hash: the review must only
// tell that it changed, and the family's words stay in the roadmap.
type AreaSnapshot struct {
	AreaID       string
	ScoreNow     int
	ScoreDesired int
	DesiredHash  string
}

// AreaChange is one area's line in a review: its scores then and now, and
// whether its goal (the desired text or score) changed. Then is 0 when
// there was no score, or no review before.
type AreaChange struct {
	AreaID              string
	ScoreThen, ScoreNow int
	DesiredThen         int
	DesiredNow          int
	// GoalChanged: the desired text or the desired score changed (or was
	// set, since the roadmap began).
	GoalChanged bool
}

// StepChange is a step done or dropped since the last review, as it was.
type StepChange struct {
	StepID string
	AreaID string
	Title  string
	Status Status // Done or Dropped
	At     time.Time
}

// PromiseChange is an agency's promise the household judged since the
// last review.
type PromiseChange struct {
	StepID   string
	AreaID   string
	Title    string
	AgencyID string
	Outcome  PromiseOutcome
	At       time.Time
}

// ReviewChanges is what changed between two reviews.
type ReviewChanges struct {
	Areas    []AreaChange
	Steps    []StepChange
	Promises []PromiseChange
}

// Review is one saved review: the changes since the last one (Since), the
// family's words, and the snapshot the next one compares with.
type Review struct {
	ID       string
	At       time.Time
	Since    time.Time
	Note     string
	Changes  ReviewChanges
	Snapshot []AreaSnapshot
}

// ReviewDraft is what changed in r since last (nil: since r began), as of
// now: the review the family would save.
func ReviewDraft(r *Roadmap, last *Review, now time.Time) Review {
	since := r.CreatedAt
	var then []AreaSnapshot
	if last != nil {
		since, then = last.At, last.Snapshot
	}
	d := Review{At: clock(now), Since: since, Snapshot: Snapshot(r)}
	for _, is := range d.Snapshot {
		i := slices.IndexFunc(then, func(s AreaSnapshot) bool { return s.AreaID == is.AreaID })
		var was AreaSnapshot
		if i >= 0 {
			was = then[i]
		}
		c := AreaChange{
			AreaID: is.AreaID, ScoreThen: was.ScoreNow, ScoreNow: is.ScoreNow,
			DesiredThen: was.ScoreDesired, DesiredNow: is.ScoreDesired,
			GoalChanged: was.DesiredHash != is.DesiredHash || was.ScoreDesired != is.ScoreDesired,
		}
		if c.ScoreThen != 0 || c.ScoreNow != 0 || c.GoalChanged {
			d.Changes.Areas = append(d.Changes.Areas, c)
		}
	}
	// The first review counts everything since the roadmap began, a step
	// done at its first save too, and a step done before its time was
	// recorded (dated by its last change).
	cutoff := time.Time{}
	if last != nil {
		cutoff = since
	}
	for _, s := range r.Steps {
		at := s.StatusAt
		if at.IsZero() && last == nil {
			at = s.UpdatedAt
		}
		if (s.Status == Done || s.Status == Dropped) && !at.IsZero() && at.After(cutoff) {
			d.Changes.Steps = append(d.Changes.Steps, StepChange{StepID: s.ID, AreaID: s.AreaID, Title: s.Title, Status: s.Status, At: at})
		}
		if p := s.Promise; p.Outcome != "" && p.OutcomeAt.After(cutoff) {
			d.Changes.Promises = append(d.Changes.Promises, PromiseChange{
				StepID: s.ID, AreaID: s.AreaID, Title: s.Title, AgencyID: s.Responsible.AgencyID, Outcome: p.Outcome, At: p.OutcomeAt,
			})
		}
	}
	slices.SortStableFunc(d.Changes.Steps, func(a, b StepChange) int { return a.At.Compare(b.At) })
	slices.SortStableFunc(d.Changes.Promises, func(a, b PromiseChange) int { return a.At.Compare(b.At) })
	return d
}

// Snapshot is what a review keeps of r's areas.
func Snapshot(r *Roadmap) []AreaSnapshot {
	out := make([]AreaSnapshot, 0, len(r.Areas))
	for _, a := range r.Areas {
		s := AreaSnapshot{AreaID: a.ID, ScoreNow: a.ScoreNow, ScoreDesired: a.ScoreDesired}
		if a.Desired != "" {
			h := sha256.Sum256([]byte(a.Desired))
			s.DesiredHash = hex.EncodeToString(h[:8])
		}
		out = append(out, s)
	}
	return out
}

// NewReview is the review the family saves now: the draft since last,
// with its id and its words.
func NewReview(r *Roadmap, last *Review, id, note string, now time.Time) (Review, error) {
	if !ValidID(id) {
		return Review{}, &Error{Code: EINVALID, Message: "The review id is not valid.", Pointer: "/id"}
	}
	note, err := cleanLongText(note, MaxReviewNote, "/note")
	if err != nil {
		return Review{}, err
	}
	v := ReviewDraft(r, last, now)
	v.ID, v.Note = id, note
	return v, nil
}

// AddReview adds v to reviews (oldest first), keeping at most MaxReviews.
// A review with v's id already there is returned instead, with added
// false: saving twice saves once.
func AddReview(reviews []Review, v Review) (out []Review, stored Review, added bool) {
	if i := slices.IndexFunc(reviews, func(x Review) bool { return x.ID == v.ID }); i >= 0 {
		return reviews, reviews[i], false
	}
	out = append(slices.Clone(reviews), v)
	slices.SortStableFunc(out, func(a, b Review) int { return cmp.Compare(a.At.UnixMilli(), b.At.UnixMilli()) })
	if len(out) > MaxReviews {
		out = out[len(out)-MaxReviews:]
	}
	return out, v, true
}

// LastReview is the newest of reviews (oldest first), or nil.
func LastReview(reviews []Review) *Review {
	if len(reviews) == 0 {
		return nil
	}
	return &reviews[len(reviews)-1]
}
