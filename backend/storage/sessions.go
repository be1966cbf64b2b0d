package storage

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/veikart/veikart/backend/veikart"
)

// CreateSession stores a new session.
func (s *Store) CreateSession(ctx context.Context, sess *veikart.Session) error {
	if _, err := s.sessions.coll.InsertOne(ctx, toSessionDoc(sess, 1)); err != nil {
		return mapError(err, "insert session")
	}
	return nil
}

// Session returns the session with the given id, or ENOTFOUND.
func (s *Store) Session(ctx context.Context, id string) (*veikart.Session, error) {
	d, err := s.loadSession(ctx, id)
	if err != nil {
		return nil, err
	}
	return d.toDomain(), nil
}

func (s *Store) loadSession(ctx context.Context, id string) (*sessionDoc, error) {
	var d sessionDoc
	if err := s.sessions.coll.FindOne(ctx, byID(id)).Decode(&d); err != nil {
		return nil, mapError(err, "find session")
	}
	return &d, nil
}

// sessionKind: sessions are compared on their rev.
func (s *Store) sessionKind() *kind[*sessionDoc] {
	return &kind[*sessionDoc]{
		name: "session", coll: s.db.Collection(sessionsColl), lock: "s:",
		load: func(ctx context.Context, id string) (*sessionDoc, bool, error) {
			d, err := s.loadSession(ctx, id)
			return d, true, err
		},
		doc:      func(d *sessionDoc) (any, error) { return d, nil },
		cas:      func(d *sessionDoc) bson.D { return bson.D{{Key: "rev", Value: d.Rev}} },
		conflict: "The session is being changed right now. Try again.",
	}
}

// UpdateSession reads the session, calls fn with a copy and stores what fn
// returns, atomically with respect to other writes of the same session, so
// that two refreshes racing with one token can never both succeed. fn returns
// nil to store nothing; its error is returned unchanged and stores nothing.
func (s *Store) UpdateSession(ctx context.Context, id string, fn func(*veikart.Session) (*veikart.Session, error)) (*veikart.Session, error) {
	var out *veikart.Session
	_, err := update(ctx, s, s.sessions, id, func(d *sessionDoc) (*sessionDoc, bool, error) {
		next, err := fn(d.toDomain())
		if out = next; err != nil || next == nil {
			return nil, false, err
		}
		nd := toSessionDoc(next, d.Rev+1)
		return &nd, true, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
