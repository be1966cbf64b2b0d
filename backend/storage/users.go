package storage

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/veikart/veikart/backend/veikart"
)

// userKind: users are read whole here; they are written by field updates
// (updateUser), which forget the copy.
func (s *Store) userKind(copies *cache[*veikart.User]) *kind[*veikart.User] {
	return &kind[*veikart.User]{
		name: "user", coll: s.db.Collection(usersColl), lock: "u:", cache: copies,
		load: func(ctx context.Context, id string) (*veikart.User, bool, error) {
			var d userDoc
			if err := s.users.coll.FindOne(ctx, byID(id)).Decode(&d); err != nil {
				return nil, false, mapError(err, "find user")
			}
			return d.toDomain(), true, nil
		},
	}
}

// User returns the user with the given id, or ENOTFOUND. Treat the result as
// read-only.
func (s *Store) User(ctx context.Context, id string) (*veikart.User, error) {
	return read(ctx, s, s.users, id)
}

// EnsureUser stores u unless a user with its id exists, and returns the stored
// user either way.
func (s *Store) EnsureUser(ctx context.Context, u *veikart.User) (*veikart.User, error) {
	if got, err := s.User(ctx, u.ID); err == nil {
		return got, nil
	} else if veikart.ErrorCode(err) != veikart.ENOTFOUND {
		return nil, err
	}
	unlock := s.locks.lock("u:" + u.ID)
	_, err := s.users.coll.InsertOne(ctx, toUserDoc(u))
	unlock()
	if err != nil && veikart.ErrorCode(mapError(err, "")) != veikart.ECONFLICT {
		return nil, mapError(err, "insert user")
	}
	return s.User(ctx, u.ID)
}

// AddUserRoadmap records that userID owns roadmapID in the user's index of
// roadmaps. It is idempotent ($addToSet), so a retried creation is safe.
func (s *Store) AddUserRoadmap(ctx context.Context, userID, roadmapID string) error {
	return s.updateUser(ctx, userID, bson.D{{Key: "$addToSet", Value: bson.D{{Key: "roadmapIds", Value: roadmapID}}}})
}

// RemoveUserRoadmap removes roadmapID from the user's index of roadmaps.
func (s *Store) RemoveUserRoadmap(ctx context.Context, userID, roadmapID string) error {
	return s.updateUser(ctx, userID, bson.D{{Key: "$pull", Value: bson.D{{Key: "roadmapIds", Value: roadmapID}}}})
}

// AddUserSession adds sessionID to the user's index of sessions.
func (s *Store) AddUserSession(ctx context.Context, userID, sessionID string) error {
	return s.updateUser(ctx, userID, bson.D{{Key: "$addToSet", Value: bson.D{{Key: "sessionIds", Value: sessionID}}}})
}

// RemoveUserSessions removes ended sessions from the user's index. $pullAll,
// not $pull with $in: FerretDB 1.24 ignores the latter without an error.
func (s *Store) RemoveUserSessions(ctx context.Context, userID string, sessionIDs []string) error {
	return s.updateUser(ctx, userID, bson.D{{Key: "$pullAll", Value: bson.D{{Key: "sessionIds", Value: sessionIDs}}}})
}

func (s *Store) updateUser(ctx context.Context, userID string, update bson.D) error {
	unlock := s.locks.lock("u:" + userID)
	defer unlock()
	res, err := s.users.coll.UpdateOne(ctx, byID(userID), update)
	s.users.cache.delete(userID) // reloaded on next read, under the same lock
	if err != nil {
		return mapError(err, "update user")
	}
	if res.MatchedCount == 0 {
		return &veikart.Error{Code: veikart.ENOTFOUND, Message: "Not found."}
	}
	return nil
}

// InsertUsers stores many new users at once, for seeding.
func (s *Store) InsertUsers(ctx context.Context, us []*veikart.User) error {
	return insertBatches(ctx, s.users.coll, us, func(u *veikart.User) (any, error) { return toUserDoc(u), nil })
}
