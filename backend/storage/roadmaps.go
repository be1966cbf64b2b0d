package storage

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/veikart/veikart/backend/veikart"
)

// roadmapKind: roadmaps are compared on both version and rev, because a
// write may leave the version alone (an access request), and one by an older
// server leaves rev alone.
func (s *Store) roadmapKind(copies *cache[*veikart.Roadmap]) *kind[*veikart.Roadmap] {
	return &kind[*veikart.Roadmap]{
		name: "roadmap", coll: s.db.Collection(roadmapsColl), lock: "r:", cache: copies,
		load: func(ctx context.Context, id string) (*veikart.Roadmap, bool, error) {
			r, err := s.loadRoadmap(ctx, id)
			return r, true, err
		},
		doc: func(r *veikart.Roadmap) (any, error) { return toRoadmapDoc(r) },
		cas: func(r *veikart.Roadmap) bson.D {
			return bson.D{{Key: "version", Value: r.Version}, revFilter(r.Rev)}
		},
		conflict: "The roadmap is being changed by others right now. Try again.",
	}
}

// CreateRoadmap stores a new roadmap. It returns ECONFLICT if the id is taken.
func (s *Store) CreateRoadmap(ctx context.Context, r *veikart.Roadmap) error {
	unlock := s.eng.serialise(s.roadmaps.lock + r.ID)
	defer unlock()
	doc, err := toRoadmapDoc(r)
	if err != nil {
		return err
	}
	if _, err := s.roadmaps.coll.InsertOne(ctx, doc); err != nil {
		return mapError(err, "insert roadmap %s", r.ID)
	}
	s.erased.delete(r.ID) // an id may be used again after its erasure
	s.roadmaps.cache.put(r.ID, r)
	return nil
}

// Roadmap returns the roadmap with the given id, or ENOTFOUND. The result may
// be shared with other callers: treat it as read-only (Clone to change it).
func (s *Store) Roadmap(ctx context.Context, id string) (*veikart.Roadmap, error) {
	return read(ctx, s, s.roadmaps, id)
}

func (s *Store) loadRoadmap(ctx context.Context, id string) (*veikart.Roadmap, error) {
	var d roadmapDoc
	if err := s.roadmaps.coll.FindOne(ctx, byID(id)).Decode(&d); err != nil {
		return nil, mapError(err, "find roadmap %s", id)
	}
	return d.toDomain()
}

// RoadmapsByOwner returns the roadmaps that userID owns, by querying the
// owners index. On the embedded store prefer the user's RoadmapIDs, which are
// _id lookups.
func (s *Store) RoadmapsByOwner(ctx context.Context, userID string, limit int) ([]*veikart.Roadmap, error) {
	cur, err := s.roadmaps.coll.Find(ctx, bson.D{{Key: "owners", Value: userID}},
		options.Find().SetLimit(int64(limit)).SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, mapError(err, "find roadmaps of owner")
	}
	defer cur.Close(ctx)
	var out []*veikart.Roadmap
	for cur.Next(ctx) {
		var d roadmapDoc
		if err := cur.Decode(&d); err != nil {
			return nil, fmt.Errorf("decode roadmap: %w", err)
		}
		r, err := d.toDomain()
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if err := cur.Err(); err != nil {
		return nil, mapError(err, "find roadmaps of owner")
	}
	return out, nil
}

// UpdateRoadmap reads the roadmap, calls fn with it and stores what fn
// returns, atomically with respect to every other write of the same roadmap
// (in exclusive mode by an in-process lock, on a shared database by a
// compare-and-swap on the version and revision, retried with a fresh read). fn must not
// change its argument; it returns a new roadmap, or the same pointer when
// nothing is to change, or an error, which UpdateRoadmap returns unchanged.
func (s *Store) UpdateRoadmap(ctx context.Context, id string, fn func(*veikart.Roadmap) (*veikart.Roadmap, error)) (*veikart.Roadmap, error) {
	return update(ctx, s, s.roadmaps, id, func(cur *veikart.Roadmap) (*veikart.Roadmap, bool, error) {
		next, err := fn(cur)
		if err != nil || next == cur {
			return next, false, err
		}
		next.Rev = cur.Rev + 1
		return next, true, nil
	})
}

// DeleteRoadmap deletes the roadmap after check approves the current state
// (ownership, an If-Match precondition). check's error is returned unchanged.
func (s *Store) DeleteRoadmap(ctx context.Context, id string, check func(*veikart.Roadmap) error) error {
	unlock := s.eng.serialise(s.roadmaps.lock + id)
	defer unlock()
	cur, err := s.loadRoadmap(ctx, id)
	if err != nil {
		return err
	}
	if err := check(cur); err != nil {
		return err
	}
	return remove(ctx, s, s.roadmaps, id, cur)
}

// revFilter matches a document at storage revision rev; 0 is a document
// written before revisions, which has none.
func revFilter(rev int64) bson.E {
	if rev == 0 {
		return bson.E{Key: "rev", Value: bson.D{{Key: "$exists", Value: false}}}
	}
	return bson.E{Key: "rev", Value: rev}
}

// InsertRoadmaps stores many new roadmaps in one round trip per thousand. It
// is for seeding (demo data, benchmarks, load tests) and does not fill the
// cache.
func (s *Store) InsertRoadmaps(ctx context.Context, rs []*veikart.Roadmap) error {
	return insertBatches(ctx, s.roadmaps.coll, rs, func(r *veikart.Roadmap) (any, error) { return toRoadmapDoc(r) })
}

// insertBatches inserts one document per item, a thousand per round trip.
func insertBatches[T any](ctx context.Context, coll *mongo.Collection, items []T, toDoc func(T) (any, error)) error {
	const batch = 1000
	for len(items) > 0 {
		n := min(batch, len(items))
		docs := make([]any, n)
		for i, it := range items[:n] {
			d, err := toDoc(it)
			if err != nil {
				return err
			}
			docs[i] = d
		}
		if _, err := coll.InsertMany(ctx, docs); err != nil {
			return mapError(err, "insert into %s", coll.Name())
		}
		items = items[n:]
	}
	return nil
}
