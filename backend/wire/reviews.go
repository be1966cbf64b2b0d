package wire

import (
	"time"

	"github.com/veikart/veikart/backend/veikart"
)

// ReviewRhythmRequest is the body of PUT .../review-rhythm.
type ReviewRhythmRequest struct {
	Months int `json:"months"`
}

// ReviewRhythm is the household's review rhythm and its next review.
type ReviewRhythm struct {
	Months int        `json:"months"`
	SetAt  *time.Time `json:"setAt,omitempty"`
	LastAt *time.Time `json:"lastAt,omitempty"`
	// Next is the next review's date (YYYY-MM-DD), absent with no rhythm.
	Next string `json:"next,omitempty"`
}

// ToReviewRhythm converts a review plan and its next date.
func ToReviewRhythm(p veikart.ReviewPlan, next string) ReviewRhythm {
	return ReviewRhythm{Months: p.Months, SetAt: TimePtr(p.SetAt), LastAt: TimePtr(p.LastAt), Next: next}
}

// SaveReviewRequest is the body of POST .../reviews.
type SaveReviewRequest struct {
	ID   string `json:"id"`
	Note string `json:"note"`
}

// Review is a saved review, or (without id) what changed now.
type Review struct {
	ID       string          `json:"id,omitempty"`
	At       time.Time       `json:"at"`
	Since    time.Time       `json:"since"`
	Note     string          `json:"note,omitempty"`
	Areas    []AreaChange    `json:"areas"`
	Steps    []StepChange    `json:"steps"`
	Promises []PromiseChange `json:"promises"`
}

// AreaChange is an area's scores then and now.
type AreaChange struct {
	AreaID      string `json:"areaId"`
	ScoreThen   int    `json:"scoreThen,omitempty"`
	ScoreNow    int    `json:"scoreNow,omitempty"`
	DesiredThen int    `json:"desiredThen,omitempty"`
	DesiredNow  int    `json:"desiredNow,omitempty"`
	GoalChanged bool   `json:"goalChanged"`
}

// StepChange is a step done or dropped.
type StepChange struct {
	StepID string    `json:"stepId"`
	AreaID string    `json:"areaId"`
	Title  string    `json:"title"`
	Status string    `json:"status"`
	At     time.Time `json:"at"`
}

// PromiseChange is a promise kept or not.
type PromiseChange struct {
	StepID   string    `json:"stepId"`
	AreaID   string    `json:"areaId"`
	Title    string    `json:"title"`
	AgencyID string    `json:"agencyId"`
	Outcome  string    `json:"outcome"`
	At       time.Time `json:"at"`
}

// ToReview converts a review (the snapshot stays on the server).
func ToReview(v veikart.Review) Review {
	return Review{
		ID: v.ID, At: v.At, Since: v.Since, Note: v.Note,
		Areas: List(v.Changes.Areas, func(a veikart.AreaChange) AreaChange {
			return AreaChange{AreaID: a.AreaID, ScoreThen: a.ScoreThen, ScoreNow: a.ScoreNow, DesiredThen: a.DesiredThen, DesiredNow: a.DesiredNow, GoalChanged: a.GoalChanged}
		}),
		Steps: List(v.Changes.Steps, func(s veikart.StepChange) StepChange {
			return StepChange{StepID: s.StepID, AreaID: s.AreaID, Title: s.Title, Status: string(s.Status), At: s.At}
		}),
		Promises: List(v.Changes.Promises, func(p veikart.PromiseChange) PromiseChange {
			return PromiseChange{StepID: p.StepID, AreaID: p.AreaID, Title: p.Title, AgencyID: p.AgencyID, Outcome: string(p.Outcome), At: p.At}
		}),
	}
}

// ReviewList is the saved reviews, newest first, and the rhythm.
type ReviewList struct {
	Rhythm ReviewRhythm `json:"rhythm"`
	Items  []Review     `json:"items"`
}

// ReviewDraft is what changed since the last review, and the rhythm.
type ReviewDraft struct {
	Rhythm  ReviewRhythm `json:"rhythm"`
	Changes Review       `json:"changes"`
}

// TimelineEntry is one event of a roadmap's history; the app words it.
type TimelineEntry struct {
	Kind           string      `json:"kind"`
	At             time.Time   `json:"at"`
	StepID         string      `json:"stepId,omitempty"`
	AreaID         string      `json:"areaId,omitempty"`
	Title          string      `json:"title,omitempty"`
	ReviewID       string      `json:"reviewId,omitempty"`
	MeetingID      string      `json:"meetingId,omitempty"`
	TransitionID   string      `json:"transitionId,omitempty"`
	TransitionKind string      `json:"transitionKind,omitempty"`
	AgencyID       string      `json:"agencyId,omitempty"`
	GrantID        string      `json:"grantId,omitempty"`
	Sections       []string    `json:"sections,omitempty"`
	HelperKind     string      `json:"helperKind,omitempty"`
	HelperName     string      `json:"helperName,omitempty"`
	MemberID       string      `json:"memberId,omitempty"`
	With           string      `json:"with,omitempty"`
	Scores         []AreaScore `json:"scores,omitempty"`
}

// AreaScore is one area's readings in a check-in of the timeline.
type AreaScore struct {
	AreaID  string `json:"areaId"`
	Score   int    `json:"score,omitempty"`
	Members int    `json:"members,omitempty"`
}

// ToTimelineEntry converts a timeline entry.
func ToTimelineEntry(e veikart.TimelineEntry) TimelineEntry {
	return TimelineEntry{
		Kind: string(e.Kind), At: e.At, StepID: e.StepID, AreaID: e.AreaID, Title: e.Title,
		ReviewID: e.ReviewID, MeetingID: e.MeetingID, TransitionID: e.TransitionID, TransitionKind: string(e.TransitionKind),
		AgencyID: e.AgencyID, GrantID: e.GrantID, Sections: SectionsToStrings(e.Sections),
		HelperKind: string(e.HelperKind), HelperName: e.HelperName, MemberID: e.MemberID,
		With: string(e.With), Scores: List(e.Scores, func(a veikart.AreaScore) AreaScore {
			return AreaScore{AreaID: a.AreaID, Score: a.Score, Members: a.Members}
		}),
	}
}

// Timeline is a page of a roadmap's history, newest first.
type Timeline struct {
	Items []TimelineEntry `json:"items"`
	Next  string          `json:"next,omitempty"`
}
