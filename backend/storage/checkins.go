package storage

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/veikart/veikart/backend/veikart"
)

// Check-ins (veikart/checkin.go): a roadmap's readings, one document per
// roadmap and year, _id "<roadmapId>/<yyyy>" ('/' is outside the id
// alphabet), holding that year's readings as one BSON blob, as a
// conversation holds its messages (messages.go says why a blob).
//
// The roadmap document does not grow with them: a check-in writes the
// year's document (and, when it moves an area's score, the roadmap's
// ScoreNow, which the roadmap had anyway). Reading a roadmap's history
// reads its years by _id, the only lookup the embedded store serves from
// an index: a roadmap made in 2026 and read in 2029 is five lookups
// (ReadingYears), each kept in memory on the embedded store.
//
// On MongoDB the same documents serve, by _id too. A retried check-in
// finds its readings' ids in the year's document and writes nothing.
const checkinsColl = "checkins"

// CheckinCollections lists the collections above, for EnsureSchema.
var CheckinCollections = []string{checkinsColl}

type readingDoc struct {
	ID       string    `bson:"id"`
	AreaID   string    `bson:"a"`
	MemberID string    `bson:"m,omitempty"`
	Date     string    `bson:"d"`
	Score    int       `bson:"s"`
	With     string    `bson:"w"`
	AgencyID string    `bson:"g,omitempty"`
	Note     string    `bson:"n,omitempty"`
	By       string    `bson:"u"`
	At       time.Time `bson:"at"`
}

type readingsBody struct {
	R []readingDoc `bson:"r"`
}

type readingYearDoc struct {
	ID        string   `bson:"_id"`
	RoadmapID string   `bson:"roadmapId"`
	Year      int      `bson:"year"`
	Rev       int64    `bson:"rev"`
	Users     []string `bson:"users"` // who recorded here: a person's erasure finds them
	Body      []byte   `bson:"body"`
}

// ReadingYearID is the _id of roadmapID's readings of year.
func ReadingYearID(roadmapID string, year int) string {
	return roadmapID + "/" + strconv.Itoa(year)
}

func splitReadingYearID(id string) (string, int) {
	r, y, _ := strings.Cut(id, "/")
	n, _ := strconv.Atoi(y)
	return r, n
}

func toReadingYearDoc(y *veikart.ReadingYear) *readingYearDoc {
	ds := make([]readingDoc, len(y.Readings))
	var users []string
	for i, x := range y.Readings {
		ds[i] = readingDoc{ID: x.ID, AreaID: x.AreaID, MemberID: x.MemberID, Date: x.Date, Score: x.Score, With: string(x.With),
			AgencyID: x.AgencyID, Note: x.Note, By: x.By, At: x.At.UTC()}
		if !slices.Contains(users, x.By) {
			users = append(users, x.By)
		}
	}
	b, err := bson.Marshal(readingsBody{R: ds})
	if err != nil {
		panic(fmt.Sprintf("encode readings: %v", err)) // strings, ints and times only: cannot fail
	}
	return &readingYearDoc{ID: ReadingYearID(y.RoadmapID, y.Year), RoadmapID: y.RoadmapID, Year: y.Year, Rev: y.Rev, Users: users, Body: b}
}

func (d *readingYearDoc) toDomain() (*veikart.ReadingYear, error) {
	var body readingsBody
	if err := bson.Unmarshal(d.Body, &body); err != nil {
		return nil, fmt.Errorf("decode readings %s: %w", d.ID, err)
	}
	y := &veikart.ReadingYear{RoadmapID: d.RoadmapID, Year: d.Year, Rev: d.Rev, Readings: make([]veikart.Reading, len(body.R))}
	for i, x := range body.R {
		y.Readings[i] = veikart.Reading{ID: x.ID, AreaID: x.AreaID, MemberID: x.MemberID, Date: x.Date, Score: x.Score,
			With: veikart.ScoredWith(x.With), AgencyID: x.AgencyID, Note: x.Note, By: x.By, At: x.At.UTC()}
	}
	return y, nil
}

// readingYearKind: compared on rev; a missing year is an empty one, which
// the first check-in inserts, and is kept as a copy (most years of most
// roadmaps have none, and a history reads them all).
func (s *Store) readingYearKind(copies *cache[*veikart.ReadingYear]) *kind[*veikart.ReadingYear] {
	coll := s.db.Collection(checkinsColl)
	return &kind[*veikart.ReadingYear]{
		name: "check-ins", coll: coll, lock: "c:", cache: copies,
		load: findOrEmpty(coll, "check-ins", func(id string) *veikart.ReadingYear {
			rid, year := splitReadingYearID(id)
			return &veikart.ReadingYear{RoadmapID: rid, Year: year}
		}, (*readingYearDoc).toDomain),
		doc:         func(y *veikart.ReadingYear) (any, error) { return toReadingYearDoc(y), nil },
		cas:         func(y *veikart.ReadingYear) bson.D { return bson.D{{Key: "rev", Value: y.Rev}} },
		conflict:    "The check-ins are being written by many at once. Try again.",
		keepMissing: true,
	}
}

// Readings returns roadmapID's readings dated in the years first to last
// (veikart.ReadingYears), oldest first: one _id lookup per year.
func (s *Store) Readings(ctx context.Context, roadmapID string, first, last int) ([]veikart.Reading, error) {
	var out []veikart.Reading
	for y := first; y <= last; y++ {
		d, err := read(ctx, s, s.readingYears, ReadingYearID(roadmapID, y))
		if err != nil {
			return nil, err
		}
		out = append(out, d.Readings...)
	}
	return out, nil
}

// AddReadings adds rs (cleaned: veikart.Roadmap.CleanCheckIn; all of one
// date) to roadmapID's readings, in one write of the year's document; a
// repeat of readings stored already writes nothing. It returns them as
// stored (a repeat's as first stored) and how many were new.
func (s *Store) AddReadings(ctx context.Context, roadmapID string, rs []veikart.Reading) ([]veikart.Reading, int, error) {
	if len(rs) == 0 {
		return nil, 0, nil
	}
	var created int
	y, err := update(ctx, s, s.readingYears, ReadingYearID(roadmapID, rs[0].Year()), func(cur *veikart.ReadingYear) (*veikart.ReadingYear, bool, error) {
		if _, gone := s.erased.get(roadmapID); gone {
			return nil, false, errErased
		}
		next, n, err := cur.Add(rs)
		created = n
		if err != nil || n == 0 {
			return next, false, err
		}
		next.Rev = cur.Rev + 1
		return next, true, nil
	})
	if err != nil {
		return nil, 0, err
	}
	stored := make([]veikart.Reading, 0, len(rs))
	for _, x := range rs {
		if held, ok := y.Reading(x.ID); ok {
			stored = append(stored, held)
		}
	}
	return stored, created, nil
}

// RemoveReading deletes reading id of roadmapID, dated in year, and
// returns it; veikart.ErrNoReading if it is not there.
func (s *Store) RemoveReading(ctx context.Context, roadmapID string, year int, id string) (veikart.Reading, error) {
	var gone veikart.Reading
	_, err := update(ctx, s, s.readingYears, ReadingYearID(roadmapID, year), func(cur *veikart.ReadingYear) (*veikart.ReadingYear, bool, error) {
		next, x, err := cur.Remove(id)
		if err != nil {
			return cur, false, err
		}
		gone = x
		next.Rev = cur.Rev + 1
		return next, true, nil
	})
	return gone, err
}

// eraseReadings deletes every year of roadmapID's readings: the years
// found by an anchored _id prefix (MongoDB's _id index; a scan of the
// check-ins on the embedded store, once per erasure), each deleted by _id
// under its lock with its copy forgotten. Safe to repeat.
func (s *Store) eraseReadings(ctx context.Context, roadmapID string) error {
	coll := s.readingYears.coll
	cur, err := coll.Find(ctx, idPrefix(roadmapID+"/"), options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return mapError(err, "find check-ins of %s", roadmapID)
	}
	var ids []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &ids); err != nil {
		return mapError(err, "find check-ins of %s", roadmapID)
	}
	for _, d := range ids {
		unlock := s.eng.serialise(s.readingYears.lock + d.ID)
		_, err := coll.DeleteOne(ctx, byID(d.ID))
		s.readingYears.cache.delete(d.ID)
		unlock()
		if err != nil {
			return mapError(err, "erase check-ins %s", d.ID)
		}
	}
	return nil
}

// unlinkFromReadings replaces userID, as the recorder of readings, by
// veikart.ErasedPerson: the household keeps its history, as it keeps its
// conversations (unlinkFromConversations).
func (s *Store) unlinkFromReadings(ctx context.Context, userID string) error {
	cur, err := s.readingYears.coll.Find(ctx, bson.D{{Key: "users", Value: userID}}, options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return mapError(err, "find check-ins of %s", userID)
	}
	var ids []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &ids); err != nil {
		return mapError(err, "find check-ins of %s", userID)
	}
	for _, d := range ids {
		_, err := update(ctx, s, s.readingYears, d.ID, func(y *veikart.ReadingYear) (*veikart.ReadingYear, bool, error) {
			rs, changed := veikart.ForgetReadingsBy(y.Readings, userID)
			if !changed {
				return y, false, nil
			}
			next := *y
			next.Readings, next.Rev = rs, y.Rev+1
			return &next, true, nil
		})
		if err != nil {
			return fmt.Errorf("unlink %s from check-ins %s: %w", userID, d.ID, err)
		}
	}
	return nil
}
