package storage

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/veikart/veikart/backend/veikart"
)

type agencyDoc struct {
	ID        string     `bson:"_id"`
	Kind      string     `bson:"kind"`
	Name      string     `bson:"name"`
	Region    string     `bson:"region"`
	Staff     []staffDoc `bson:"staff"`
	Require   string     `bson:"requireSignIn,omitempty"`
	CreatedAt time.Time  `bson:"createdAt"`
	UpdatedAt time.Time  `bson:"updatedAt"`
	Version   int64      `bson:"version"`
}

type staffDoc struct {
	UserID  string    `bson:"userId"`
	Roles   []string  `bson:"roles"`
	AddedAt time.Time `bson:"addedAt"`
	AddedBy string    `bson:"addedBy,omitempty"`
}

func toAgencyDoc(a *veikart.Agency) agencyDoc {
	d := agencyDoc{
		ID: a.ID, Kind: string(a.Kind), Name: a.Name, Region: a.Region, Staff: make([]staffDoc, len(a.Staff)), Require: a.RequireSignIn,
		CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt, Version: a.Version,
	}
	for i, s := range a.Staff {
		roles := make([]string, len(s.Roles))
		for j, r := range s.Roles {
			roles[j] = string(r)
		}
		d.Staff[i] = staffDoc{UserID: s.UserID, Roles: roles, AddedAt: s.AddedAt, AddedBy: s.AddedBy}
	}
	return d
}

func (d *agencyDoc) toDomain() *veikart.Agency {
	a := &veikart.Agency{
		ID: d.ID, Kind: veikart.AgencyKind(d.Kind), Name: d.Name, Region: d.Region, RequireSignIn: d.Require,
		CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(), Version: d.Version,
	}
	for _, s := range d.Staff {
		roles := make([]veikart.AgencyRole, len(s.Roles))
		for j, r := range s.Roles {
			roles[j] = veikart.AgencyRole(r)
		}
		a.Staff = append(a.Staff, veikart.StaffMember{UserID: s.UserID, Roles: roles, AddedAt: s.AddedAt.UTC(), AddedBy: s.AddedBy})
	}
	return a
}

// agencyKind: agencies are compared on their version.
func (s *Store) agencyKind(copies *cache[*veikart.Agency]) *kind[*veikart.Agency] {
	return &kind[*veikart.Agency]{
		name: "agency", coll: s.db.Collection(agenciesColl), lock: "a:", cache: copies,
		load: func(ctx context.Context, id string) (*veikart.Agency, bool, error) {
			var d agencyDoc
			if err := s.agencies.coll.FindOne(ctx, byID(id)).Decode(&d); err != nil {
				return nil, false, mapError(err, "find agency %s", id)
			}
			return d.toDomain(), true, nil
		},
		doc:      func(a *veikart.Agency) (any, error) { return toAgencyDoc(a), nil },
		cas:      func(a *veikart.Agency) bson.D { return bson.D{{Key: "version", Value: a.Version}} },
		conflict: "The agency is being changed by others right now. Try again.",
	}
}

// CreateAgency stores a new agency; ECONFLICT if its id is taken.
func (s *Store) CreateAgency(ctx context.Context, a *veikart.Agency) error {
	if _, err := s.agencies.coll.InsertOne(ctx, toAgencyDoc(a)); err != nil {
		return mapError(err, "insert agency %s", a.ID)
	}
	s.directory.put(a)
	return nil
}

// Agency returns the agency with the given id, or ENOTFOUND. Treat the result
// as read-only. It is read on every request a caseworker makes (membership is
// never taken from a token), so in exclusive mode it comes from the exact
// in-memory copy that every agency write updates.
func (s *Store) Agency(ctx context.Context, id string) (*veikart.Agency, error) {
	return read(ctx, s, s.agencies, id)
}

// Agencies lists agencies by name (then id), up to limit, from the
// directory's copy (directory.go). Treat the result as read-only.
func (s *Store) Agencies(ctx context.Context, limit int) ([]*veikart.Agency, error) {
	if limit > directoryCap {
		return s.scanAgencies(ctx, limit)
	}
	return s.directory.get(ctx, limit, func(ctx context.Context) ([]*veikart.Agency, error) {
		return s.scanAgencies(ctx, directoryCap)
	})
}

// scanAgencies is the directory read from the database: a scan.
func (s *Store) scanAgencies(ctx context.Context, limit int) ([]*veikart.Agency, error) {
	cur, err := s.agencies.coll.Find(ctx, bson.D{},
		options.Find().SetSort(bson.D{{Key: "name", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, mapError(err, "list agencies")
	}
	var docs []agencyDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mapError(err, "list agencies")
	}
	out := make([]*veikart.Agency, len(docs))
	for i := range docs {
		out[i] = docs[i].toDomain()
	}
	return out, nil
}

// UpdateAgency is UpdateRoadmap for agencies: fn gets the current agency and
// returns the next one (or the same pointer for no change, or an error).
func (s *Store) UpdateAgency(ctx context.Context, id string, fn func(*veikart.Agency) (*veikart.Agency, error)) (*veikart.Agency, error) {
	a, err := update(ctx, s, s.agencies, id, func(cur *veikart.Agency) (*veikart.Agency, bool, error) {
		next, err := fn(cur)
		return next, err == nil && next != cur, err
	})
	if err == nil {
		s.directory.put(a)
	}
	return a, err
}

// AddUserAgency and RemoveUserAgency keep the user's index of agencies.
func (s *Store) AddUserAgency(ctx context.Context, userID, agencyID string) error {
	return s.updateUser(ctx, userID, bson.D{{Key: "$addToSet", Value: bson.D{{Key: "agencyIds", Value: agencyID}}}})
}

// RemoveUserAgency removes agencyID from the user's index of agencies.
func (s *Store) RemoveUserAgency(ctx context.Context, userID, agencyID string) error {
	return s.updateUser(ctx, userID, bson.D{{Key: "$pull", Value: bson.D{{Key: "agencyIds", Value: agencyID}}}})
}

// The index of roadmaps an agency has (or had) a grant to: one document per
// agency, so that "shared with my agency" is an _id lookup on every store.
// Each roadmap's own grants are the truth; the index only says where to look.
type sharedDoc struct {
	ID         string   `bson:"_id"` // agency id
	RoadmapIDs []string `bson:"roadmapIds"`
}

// AddAgencyRoadmap records that agencyID has been granted access to roadmapID.
// It is idempotent.
func (s *Store) AddAgencyRoadmap(ctx context.Context, agencyID, roadmapID string) error {
	unlock := s.locks.lock("x:" + agencyID)
	defer unlock()
	_, err := s.shared.coll.UpdateOne(ctx, byID(agencyID),
		bson.D{{Key: "$addToSet", Value: bson.D{{Key: "roadmapIds", Value: roadmapID}}}}, options.UpdateOne().SetUpsert(true))
	s.forgetShared(agencyID)
	return mapError(err, "add to agency %s index", agencyID)
}

// AddAgencyRoadmaps adds roadmapIDs, none of them in agencyID's index yet,
// to it in one write, as many AddAgencyRoadmap calls would (the seeder of
// load tests shares 100 000 roadmaps at once: one $addToSet each would
// compare each id with all before it).
func (s *Store) AddAgencyRoadmaps(ctx context.Context, agencyID string, roadmapIDs []string) error {
	unlock := s.locks.lock("x:" + agencyID)
	defer unlock()
	_, err := s.shared.coll.UpdateOne(ctx, byID(agencyID),
		bson.D{{Key: "$push", Value: bson.D{{Key: "roadmapIds", Value: bson.D{{Key: "$each", Value: roadmapIDs}}}}}},
		options.UpdateOne().SetUpsert(true))
	s.forgetShared(agencyID)
	return mapError(err, "add %d to agency %s index", len(roadmapIDs), agencyID)
}

// RemoveAgencyRoadmap drops roadmapID from agencyID's index.
func (s *Store) RemoveAgencyRoadmap(ctx context.Context, agencyID, roadmapID string) error {
	unlock := s.locks.lock("x:" + agencyID)
	defer unlock()
	_, err := s.shared.coll.UpdateOne(ctx, byID(agencyID),
		bson.D{{Key: "$pull", Value: bson.D{{Key: "roadmapIds", Value: roadmapID}}}})
	s.forgetShared(agencyID)
	return mapError(err, "remove from agency %s index", agencyID)
}

// forgetShared drops agencyID's index from memory after a write to it (or
// an attempt: a failed write may still have landed). Callers hold its lock.
func (s *Store) forgetShared(agencyID string) {
	s.shared.cache.delete(agencyID)
}

// sharedKind: an agency's index is only ever read whole here; it is written
// by $addToSet and $pull, which forget the copy.
func (s *Store) sharedKind(copies *cache[[]string]) *kind[[]string] {
	return &kind[[]string]{
		name: "agency index", coll: s.db.Collection(sharedColl), lock: "x:", cache: copies,
		load: func(ctx context.Context, agencyID string) ([]string, bool, error) {
			var d sharedDoc
			err := s.shared.coll.FindOne(ctx, byID(agencyID)).Decode(&d)
			if err != nil {
				if veikart.ErrorCode(mapError(err, "")) == veikart.ENOTFOUND {
					return nil, true, nil
				}
				return nil, false, mapError(err, "read agency %s index", agencyID)
			}
			return d.RoadmapIDs, true, nil
		},
	}
}

// AgencyRoadmapIDs returns the ids in agencyID's index. The result may be
// shared with other callers: do not change it.
//
// In exclusive mode it is kept in memory: every caseworker's list reads it,
// and FerretDB decoding an array of a few hundred strings from its JSON
// made a quarter of the server's allocations under a working day's mix.
// Every write to the index goes through this process and forgets it.
func (s *Store) AgencyRoadmapIDs(ctx context.Context, agencyID string) ([]string, error) {
	return read(ctx, s, s.shared, agencyID)
}
