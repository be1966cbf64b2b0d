package household

import (
	"context"
	"slices"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/veikart"
)

// Reviews (veikart/review.go) and the timeline (veikart/timeline.go): the
// owners choose a rhythm, see what changed since the last review and save
// one; the owners and agencies with a grant in force read the history,
// each agency cut to its grant (access/history.go), logged before it is
// shown.

// Timeline paging.
const (
	DefaultTimelinePage = 50
	MaxTimelinePage     = 100
)

var (
	errHistoryForbidden = &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Only the household, and agencies it shares areas with, can see its history."}
)

// ReviewState is the rhythm and the next review's date.
type ReviewState struct {
	Plan veikart.ReviewPlan
	Next string // YYYY-MM-DD; "" with no rhythm
}

func (s *Service) reviewState(r *veikart.Roadmap) ReviewState {
	return ReviewState{Plan: r.Review, Next: r.Review.NextReview(s.cfg.Location)}
}

// SetReviewRhythm sets how often the household reviews its roadmap.
func (s *Service) SetReviewRhythm(ctx context.Context, actor access.Actor, id string, months int) (ReviewState, error) {
	_, next, err := s.change(ctx, actor, id, access.Review, "", func(cur *veikart.Roadmap, _ access.Decision) (*veikart.Roadmap, error) {
		return cur.SetReviewRhythm(months, s.now())
	})
	if err != nil {
		return ReviewState{}, err
	}
	return s.reviewState(next), nil
}

// ReviewDraft is what changed since the last review, as of now: what the
// review screen shows before the family saves it. The owners only.
func (s *Service) ReviewDraft(ctx context.Context, actor access.Actor, id string) (veikart.Review, ReviewState, error) {
	r, err := s.ownerRead(ctx, actor, id, access.Review)
	if err != nil {
		return veikart.Review{}, ReviewState{}, err
	}
	reviews, err := s.store.Reviews(ctx, r.ID)
	if err != nil {
		return veikart.Review{}, ReviewState{}, err
	}
	return veikart.ReviewDraft(r, veikart.LastReview(reviews), s.now()), s.reviewState(r), nil
}

// SaveReview saves the review of now with the family's words: the
// changes since the last one and the snapshot the next compares with.
// Saving the same id again returns the saved review (created false). The
// review is stored first and the roadmap's date of the last review
// after, so that a failure in between leaves a saved review whose date a
// retry (or the next review) sets.
func (s *Service) SaveReview(ctx context.Context, actor access.Actor, id, reviewID, note string) (veikart.Review, bool, error) {
	r, err := s.ownerRead(ctx, actor, id, access.Review)
	if err != nil {
		return veikart.Review{}, false, err
	}
	reviews, err := s.store.Reviews(ctx, r.ID)
	if err != nil {
		return veikart.Review{}, false, err
	}
	v, err := veikart.NewReview(r, veikart.LastReview(reviews), reviewID, note, s.now())
	if err != nil {
		return veikart.Review{}, false, err
	}
	stored, added, err := s.store.AddReview(ctx, r.ID, v)
	if err != nil {
		return veikart.Review{}, false, err
	}
	_, _, err = s.change(ctx, actor, id, access.Review, "", func(cur *veikart.Roadmap, _ access.Decision) (*veikart.Roadmap, error) {
		return cur.ReviewSaved(stored.At, s.now()), nil
	})
	if err != nil {
		return veikart.Review{}, false, err
	}
	return stored, added, nil
}

// Reviews is roadmap id's saved reviews, newest first, as actor may see
// them, and the rhythm. An agency's read is logged first.
func (s *Service) Reviews(ctx context.Context, actor access.Actor, id string) ([]veikart.Review, ReviewState, error) {
	r, v, err := s.history(ctx, actor, id)
	if err != nil {
		return nil, ReviewState{}, err
	}
	reviews, err := s.store.Reviews(ctx, r.ID)
	if err != nil {
		return nil, ReviewState{}, err
	}
	out := slices.Clone(v.Reviews(reviews))
	slices.Reverse(out)
	if err := s.logHistory(ctx, actor, r, v); err != nil {
		return nil, ReviewState{}, err
	}
	return out, s.reviewState(r), nil
}

// Timeline is a page of roadmap id's history, newest first, as actor may
// see it: limit entries after the place cursor names (from the newest
// when ""), and the cursor of the next page ("" at the end). The cursor
// is a place, not an offset (veikart/timeline_page.go): entries added
// between two pages move nothing from one page to the next. An agency's
// read is logged first.
func (s *Service) Timeline(ctx context.Context, actor access.Actor, id, cursor string, limit int) ([]veikart.TimelineEntry, string, error) {
	if limit <= 0 {
		limit = DefaultTimelinePage
	}
	limit = min(limit, MaxTimelinePage)
	r, v, err := s.history(ctx, actor, id)
	if err != nil {
		return nil, "", err
	}
	reviews, err := s.store.Reviews(ctx, r.ID)
	if err != nil {
		return nil, "", err
	}
	readings, err := s.allReadings(ctx, r)
	if err != nil {
		return nil, "", err
	}
	all := v.Timeline(r, veikart.Timeline(veikart.TimelineInput{Roadmap: r, Reviews: reviews, Readings: readings, Now: s.now(), Loc: s.cfg.Location}))
	// Sorted again as the viewer sees it: an agency's cut hides which
	// agency sat in on others' check-ins, and so their tie-break.
	veikart.SortTimeline(all)
	page, next, err := veikart.TimelinePage(all, cursor, limit)
	if err != nil {
		return nil, "", err
	}
	if err := s.logHistory(ctx, actor, r, v); err != nil {
		return nil, "", err
	}
	return page, next, nil
}

// history loads roadmap id for a read of its history by actor.
func (s *Service) history(ctx context.Context, actor access.Actor, id string) (*veikart.Roadmap, access.HistoryView, error) {
	r, err := s.read(ctx, id)
	if err != nil {
		return nil, access.HistoryView{}, err
	}
	v, ok := access.HistoryOf(actor, r, s.now())
	if !ok {
		return nil, access.HistoryView{}, s.denied(actor, r, errHistoryForbidden)
	}
	return r, v, nil
}

// logHistory records an agency's read of the history in the household's
// access log; the owners' own reads are not logged.
func (s *Service) logHistory(ctx context.Context, actor access.Actor, r *veikart.Roadmap, v access.HistoryView) error {
	if v.Grant == nil {
		return nil
	}
	return s.logAccess(ctx, actor, r.ID, v.Role, veikart.AuditReadHistory, v.Sections, "")
}
