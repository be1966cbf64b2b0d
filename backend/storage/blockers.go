package storage

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/veikart/veikart/backend/veikart"
)

// The system's blockers (veikart/blocker.go), counted without naming anyone.
//
// blocker_reports holds the reports of quarters not yet published, all by
// _id: "<quarter>/<municipality>" holds, per blocker, the set of households
// that reported it there, each as an HMAC of its roadmap id under a key only
// the server has (so the reports hold no roadmap id, and the same household
// is one member of a set however many steps name the blocker); "<quarter>"
// lists the municipalities that have such a document, so that a quarter can
// be counted and deleted by _id alone; "hmac-key" holds the key.
//
// blocker_counts holds the published counts, _id "<quarter>": written once,
// by insert, so the first publication of a quarter is the only one; then the
// quarter's reports are deleted, and nothing changes a published number.
const (
	blockerReportsColl = "blocker_reports"
	blockerCountsColl  = "blocker_counts"
	blockerKeyID       = "hmac-key"
)

// BlockerCollections lists the collections above, for EnsureSchema.
var BlockerCollections = []string{blockerReportsColl, blockerCountsColl}

type blockerIndexDoc struct {
	ID             string   `bson:"_id"` // quarter
	Municipalities []string `bson:"municipalities"`
}

type blockerReportDoc struct {
	ID         string              `bson:"_id"`        // "<quarter>/<municipality>"
	Households map[string][]string `bson:"households"` // blocker -> household hashes
}

type blockerKeyDoc struct {
	ID  string `bson:"_id"`
	Key []byte `bson:"key"`
}

type blockerCountsDoc struct {
	ID          string           `bson:"_id"` // quarter
	K           int              `bson:"k"`
	PublishedAt time.Time        `bson:"publishedAt"`
	Cells       []blockerCellDoc `bson:"cells"`
}

type blockerCellDoc struct {
	Blocker      string `bson:"blocker"`
	Municipality string `bson:"municipality"`
	Households   int    `bson:"households"`
}

// blockerHash is the household's name in the reports: an HMAC of its
// roadmap id. The key is made once, by whoever needs it first (an insert
// that only one process wins), and read by every other.
func (s *Store) blockerHash(ctx context.Context, roadmapID string) (string, error) {
	key := s.blockerKey.Load()
	if key == nil {
		coll := s.db.Collection(blockerReportsColl)
		fresh := make([]byte, 32)
		if _, err := rand.Read(fresh); err != nil {
			return "", fmt.Errorf("make blocker key: %w", err)
		}
		_, err := coll.InsertOne(ctx, blockerKeyDoc{ID: blockerKeyID, Key: fresh})
		if err != nil && veikart.ErrorCode(mapError(err, "")) != veikart.ECONFLICT {
			return "", mapError(err, "store blocker key")
		}
		var d blockerKeyDoc
		if err := coll.FindOne(ctx, byID(blockerKeyID)).Decode(&d); err != nil {
			return "", mapError(err, "read blocker key")
		}
		if len(d.Key) < 32 {
			return "", fmt.Errorf("blocker key: %d bytes, want 32", len(d.Key))
		}
		s.blockerKey.CompareAndSwap(nil, &d.Key)
		key = s.blockerKey.Load()
	}
	m := hmac.New(sha256.New, *key)
	m.Write([]byte(roadmapID))
	return hex.EncodeToString(m.Sum(nil)[:16]), nil
}

func blockerReportID(at veikart.BlockerShare) string {
	return string(at.Quarter) + "/" + at.Municipality
}

// SetBlockerReport adds roadmap roadmapID's household to the reports of the
// blockers in add, and takes it out of those in remove, in municipality and
// quarter at. Both are idempotent. Only an add creates a document.
func (s *Store) SetBlockerReport(ctx context.Context, roadmapID string, at veikart.BlockerShare, add, remove []veikart.Blocker) error {
	if len(add) == 0 && len(remove) == 0 {
		return nil
	}
	h, err := s.blockerHash(ctx, roadmapID)
	if err != nil {
		return err
	}
	coll := s.db.Collection(blockerReportsColl)
	id := blockerReportID(at)
	if len(add) > 0 {
		// The quarter's index first: a report it does not list would never
		// be counted or deleted.
		unlock := s.locks.lock("bq:" + string(at.Quarter))
		_, err := coll.UpdateOne(ctx, byID(string(at.Quarter)),
			bson.D{{Key: "$addToSet", Value: bson.D{{Key: "municipalities", Value: at.Municipality}}}}, options.UpdateOne().SetUpsert(true))
		unlock()
		if err != nil {
			return mapError(err, "index blocker report %s", id)
		}
	}
	var sets, pulls bson.D
	for _, b := range add {
		sets = append(sets, bson.E{Key: "households." + string(b), Value: h})
	}
	for _, b := range remove {
		pulls = append(pulls, bson.E{Key: "households." + string(b), Value: h})
	}
	upd := bson.D{}
	if len(sets) > 0 {
		upd = append(upd, bson.E{Key: "$addToSet", Value: sets})
	}
	if len(pulls) > 0 {
		upd = append(upd, bson.E{Key: "$pull", Value: pulls})
	}
	unlock := s.locks.lock("b:" + id)
	defer unlock()
	_, err = coll.UpdateOne(ctx, byID(id), upd, options.UpdateOne().SetUpsert(len(add) > 0))
	return mapError(err, "write blocker report %s", id)
}

// blockerIndex lists the municipalities with reports in quarter q.
func (s *Store) blockerIndex(ctx context.Context, q veikart.Quarter) ([]string, error) {
	var d blockerIndexDoc
	err := s.db.Collection(blockerReportsColl).FindOne(ctx, byID(string(q))).Decode(&d)
	if veikart.ErrorCode(mapError(err, "")) == veikart.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, mapError(err, "read blocker index %s", q)
	}
	return d.Municipalities, nil
}

// BlockerReports counts quarter q's reports: per municipality, per
// blocker, the number of distinct households.
func (s *Store) BlockerReports(ctx context.Context, q veikart.Quarter) (map[string]map[veikart.Blocker]int, error) {
	ms, err := s.blockerIndex(ctx, q)
	if err != nil {
		return nil, err
	}
	out := map[string]map[veikart.Blocker]int{}
	coll := s.db.Collection(blockerReportsColl)
	for _, m := range ms {
		id := blockerReportID(veikart.BlockerShare{Municipality: m, Quarter: q})
		var d blockerReportDoc
		err := coll.FindOne(ctx, byID(id)).Decode(&d)
		if veikart.ErrorCode(mapError(err, "")) == veikart.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, mapError(err, "read blocker report %s", id)
		}
		for b, hs := range d.Households {
			if len(hs) > 0 {
				if out[m] == nil {
					out[m] = map[veikart.Blocker]int{}
				}
				out[m][veikart.Blocker(b)] = len(hs)
			}
		}
	}
	return out, nil
}

// PublishedBlockers is quarter q's published counts, or ENOTFOUND.
func (s *Store) PublishedBlockers(ctx context.Context, q veikart.Quarter) (*veikart.BlockerCounts, error) {
	var d blockerCountsDoc
	if err := s.db.Collection(blockerCountsColl).FindOne(ctx, byID(string(q))).Decode(&d); err != nil {
		return nil, mapError(err, "read blocker counts %s", q)
	}
	c := &veikart.BlockerCounts{Quarter: veikart.Quarter(d.ID), K: d.K, PublishedAt: d.PublishedAt.UTC(), Cells: []veikart.BlockerCell{}}
	for _, x := range d.Cells {
		c.Cells = append(c.Cells, veikart.BlockerCell{Blocker: veikart.Blocker(x.Blocker), Municipality: x.Municipality, Households: x.Households})
	}
	return c, nil
}

// PublishBlockers stores a quarter's counts, once: ECONFLICT if they are
// published already. Then it deletes the quarter's reports, which nothing
// needs any more (and which a failure here leaves for DropBlockerReports).
func (s *Store) PublishBlockers(ctx context.Context, c *veikart.BlockerCounts) error {
	d := blockerCountsDoc{ID: string(c.Quarter), K: c.K, PublishedAt: c.PublishedAt, Cells: []blockerCellDoc{}}
	for _, x := range c.Cells {
		d.Cells = append(d.Cells, blockerCellDoc{Blocker: string(x.Blocker), Municipality: x.Municipality, Households: x.Households})
	}
	if _, err := s.db.Collection(blockerCountsColl).InsertOne(ctx, d); err != nil {
		return mapError(err, "publish blocker counts %s", c.Quarter)
	}
	return s.DropBlockerReports(ctx, c.Quarter)
}

// DropBlockerReports deletes quarter q's reports: each municipality's, then
// the index. Safe to repeat.
func (s *Store) DropBlockerReports(ctx context.Context, q veikart.Quarter) error {
	ms, err := s.blockerIndex(ctx, q)
	if err != nil {
		return err
	}
	coll := s.db.Collection(blockerReportsColl)
	for _, m := range ms {
		id := blockerReportID(veikart.BlockerShare{Municipality: m, Quarter: q})
		if _, err := coll.DeleteOne(ctx, byID(id)); err != nil {
			return mapError(err, "delete blocker report %s", id)
		}
	}
	_, err = coll.DeleteOne(ctx, byID(string(q)))
	return mapError(err, "delete blocker index %s", q)
}

// withdrawBlockerReports takes roadmap roadmapID's household out of every
// report of the quarters qs, wherever it is: an erasure does not know (or
// no longer knows) what the household shared where.
func (s *Store) withdrawBlockerReports(ctx context.Context, roadmapID string, qs []veikart.Quarter) error {
	for _, q := range qs {
		ms, err := s.blockerIndex(ctx, q)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if err := s.SetBlockerReport(ctx, roadmapID, veikart.BlockerShare{Municipality: m, Quarter: q}, nil, veikart.Blockers); err != nil {
				return err
			}
		}
	}
	return nil
}

// blockerQuarters are the quarters an erasure at now withdraws from: the
// one under way and those whose counts can still be published. The store
// does not know the households' time zone, so it takes the quarter under
// way in the zone furthest ahead of UTC (+14 h) and the quarters before
// it: near a quarter's end that is one more, already ended where the
// households live, than needed, and no report is left behind.
func blockerQuarters(now time.Time) []veikart.Quarter {
	ahead := veikart.QuarterOf(now.Add(14*time.Hour), time.UTC)
	return append([]veikart.Quarter{ahead}, veikart.ClosedQuarters(now.Add(14*time.Hour), veikart.PublishedQuarters+1, time.UTC)...)
}
