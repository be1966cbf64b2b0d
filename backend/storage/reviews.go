package storage

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/veikart/veikart/backend/veikart"
)

// Reviews: a roadmap's saved reviews (veikart/review.go), one document per
// roadmap with _id the roadmap's id, holding them as one BSON blob (as a
// roadmap's body and a conversation's messages are: nothing queries inside
// them). They are kept out of the roadmap, which every request reads and
// writes, because they only grow; veikart.MaxReviews bounds them. Every
// read and write is by _id. No copies are kept: a review is read when the
// household opens the review screen or the timeline, not on every request.
const reviewsColl = "reviews"

// ReviewCollections lists the collections above, for EnsureSchema.
var ReviewCollections = []string{reviewsColl}

type reviewsDoc struct {
	ID   string `bson:"_id"`
	Rev  int64  `bson:"rev"`
	Body []byte `bson:"body"`
}

type reviewsBody struct {
	R []reviewDoc `bson:"r"`
}

type reviewDoc struct {
	ID       string             `bson:"id"`
	At       time.Time          `bson:"at"`
	Since    time.Time          `bson:"since"`
	Note     string             `bson:"note,omitempty"`
	Areas    []areaChangeDoc    `bson:"areas,omitempty"`
	Steps    []stepChangeDoc    `bson:"steps,omitempty"`
	Promises []promiseChangeDoc `bson:"promises,omitempty"`
	Snapshot []areaSnapshotDoc  `bson:"snapshot,omitempty"`
}

type areaChangeDoc struct {
	AreaID      string `bson:"a"`
	ScoreThen   int    `bson:"st,omitempty"`
	ScoreNow    int    `bson:"sn,omitempty"`
	DesiredThen int    `bson:"dt,omitempty"`
	DesiredNow  int    `bson:"dn,omitempty"`
	GoalChanged bool   `bson:"g,omitempty"`
}

type stepChangeDoc struct {
	StepID string    `bson:"s"`
	AreaID string    `bson:"a"`
	Title  string    `bson:"t"`
	Status string    `bson:"st"`
	At     time.Time `bson:"at"`
}

type promiseChangeDoc struct {
	StepID   string    `bson:"s"`
	AreaID   string    `bson:"a"`
	Title    string    `bson:"t"`
	AgencyID string    `bson:"ag"`
	Outcome  string    `bson:"o"`
	At       time.Time `bson:"at"`
}

type areaSnapshotDoc struct {
	AreaID       string `bson:"a"`
	ScoreNow     int    `bson:"sn,omitempty"`
	ScoreDesired int    `bson:"sd,omitempty"`
	DesiredHash  string `bson:"h,omitempty"`
}

func toReviewDoc(v veikart.Review) reviewDoc {
	return reviewDoc{
		ID: v.ID, At: v.At, Since: v.Since, Note: v.Note,
		Areas: convert(v.Changes.Areas, func(a veikart.AreaChange) areaChangeDoc {
			return areaChangeDoc{AreaID: a.AreaID, ScoreThen: a.ScoreThen, ScoreNow: a.ScoreNow, DesiredThen: a.DesiredThen, DesiredNow: a.DesiredNow, GoalChanged: a.GoalChanged}
		}),
		Steps: convert(v.Changes.Steps, func(s veikart.StepChange) stepChangeDoc {
			return stepChangeDoc{StepID: s.StepID, AreaID: s.AreaID, Title: s.Title, Status: string(s.Status), At: s.At}
		}),
		Promises: convert(v.Changes.Promises, func(p veikart.PromiseChange) promiseChangeDoc {
			return promiseChangeDoc{StepID: p.StepID, AreaID: p.AreaID, Title: p.Title, AgencyID: p.AgencyID, Outcome: string(p.Outcome), At: p.At}
		}),
		Snapshot: convert(v.Snapshot, func(s veikart.AreaSnapshot) areaSnapshotDoc {
			return areaSnapshotDoc{AreaID: s.AreaID, ScoreNow: s.ScoreNow, ScoreDesired: s.ScoreDesired, DesiredHash: s.DesiredHash}
		}),
	}
}

func fromReviewDoc(d reviewDoc) veikart.Review {
	return veikart.Review{
		ID: d.ID, At: d.At.UTC(), Since: d.Since.UTC(), Note: d.Note,
		Changes: veikart.ReviewChanges{
			Areas: convert(d.Areas, func(a areaChangeDoc) veikart.AreaChange {
				return veikart.AreaChange{AreaID: a.AreaID, ScoreThen: a.ScoreThen, ScoreNow: a.ScoreNow, DesiredThen: a.DesiredThen, DesiredNow: a.DesiredNow, GoalChanged: a.GoalChanged}
			}),
			Steps: convert(d.Steps, func(s stepChangeDoc) veikart.StepChange {
				return veikart.StepChange{StepID: s.StepID, AreaID: s.AreaID, Title: s.Title, Status: veikart.Status(s.Status), At: s.At.UTC()}
			}),
			Promises: convert(d.Promises, func(p promiseChangeDoc) veikart.PromiseChange {
				return veikart.PromiseChange{StepID: p.StepID, AreaID: p.AreaID, Title: p.Title, AgencyID: p.AgencyID, Outcome: veikart.PromiseOutcome(p.Outcome), At: p.At.UTC()}
			}),
		},
		Snapshot: convert(d.Snapshot, func(s areaSnapshotDoc) veikart.AreaSnapshot {
			return veikart.AreaSnapshot{AreaID: s.AreaID, ScoreNow: s.ScoreNow, ScoreDesired: s.ScoreDesired, DesiredHash: s.DesiredHash}
		}),
	}
}

// reviewList is a roadmap's reviews as the kind reads and writes them.
type reviewList struct {
	RoadmapID string
	Rev       int64
	Items     []veikart.Review // oldest first
}

func (l *reviewList) doc() (*reviewsDoc, error) {
	body, err := bson.Marshal(reviewsBody{R: convert(l.Items, toReviewDoc)})
	if err != nil {
		return nil, fmt.Errorf("encode reviews of %s: %w", l.RoadmapID, err)
	}
	return &reviewsDoc{ID: l.RoadmapID, Rev: l.Rev, Body: body}, nil
}

func (d *reviewsDoc) toList() (*reviewList, error) {
	var b reviewsBody
	if err := bson.Unmarshal(d.Body, &b); err != nil {
		return nil, fmt.Errorf("decode reviews of %s: %w", d.ID, err)
	}
	return &reviewList{RoadmapID: d.ID, Rev: d.Rev, Items: convert(b.R, fromReviewDoc)}, nil
}

// reviewKind: a missing document is a roadmap without reviews; compared
// on rev.
func (s *Store) reviewKind() *kind[*reviewList] {
	coll := s.db.Collection(reviewsColl)
	return &kind[*reviewList]{
		name: "reviews", coll: coll, lock: "v:",
		load:     findOrEmpty(coll, "reviews of", func(id string) *reviewList { return &reviewList{RoadmapID: id} }, (*reviewsDoc).toList),
		doc:      func(l *reviewList) (any, error) { return l.doc() },
		cas:      func(l *reviewList) bson.D { return bson.D{{Key: "rev", Value: l.Rev}} },
		conflict: "The reviews are being saved by many at once. Try again.",
	}
}

// Reviews returns roadmapID's saved reviews, oldest first (none: nil).
func (s *Store) Reviews(ctx context.Context, roadmapID string) ([]veikart.Review, error) {
	l, err := read(ctx, s, s.reviews, roadmapID)
	if err != nil {
		return nil, err
	}
	return l.Items, nil
}

// AddReview saves v among roadmapID's reviews (veikart.AddReview): a
// review with v's id already saved is returned instead, with added false.
func (s *Store) AddReview(ctx context.Context, roadmapID string, v veikart.Review) (veikart.Review, bool, error) {
	var stored veikart.Review
	var added bool
	_, err := update(ctx, s, s.reviews, roadmapID, func(cur *reviewList) (*reviewList, bool, error) {
		if _, gone := s.erased.get(roadmapID); gone {
			return nil, false, errErased
		}
		var items []veikart.Review
		items, stored, added = veikart.AddReview(cur.Items, v)
		if !added {
			return cur, false, nil
		}
		return &reviewList{RoadmapID: roadmapID, Rev: cur.Rev + 1, Items: items}, true, nil
	})
	return stored, added, err
}

// eraseReviews deletes roadmapID's reviews.
func (s *Store) eraseReviews(ctx context.Context, roadmapID string) error {
	if _, err := s.db.Collection(reviewsColl).DeleteOne(ctx, byID(roadmapID)); err != nil {
		return mapError(err, "erase reviews of %s", roadmapID)
	}
	return nil
}
