package storage

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/veikart/veikart/backend/veikart"
)

// CreateSession stores a new session.
func (s *Store) CreateSession(ctx context.Context, sess *veikart.Session) error {
	if _, err := s.db.Collection(sessionsColl).InsertOne(ctx, toSessionDoc(sess, 1)); err != nil {
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
	if err := s.db.Collection(sessionsColl).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return nil, mapError(err, "find session")
	}
	return &d, nil
}

// UpdateSession reads the session, calls fn with a copy and stores what fn
// returns, atomically with respect to other writes of the same session, so
// that two refreshes racing with one token can never both succeed. fn returns
// nil to store nothing; its error is returned unchanged and stores nothing.
func (s *Store) UpdateSession(ctx context.Context, id string, fn func(*veikart.Session) (*veikart.Session, error)) (*veikart.Session, error) {
	if s.opts.Exclusive {
		unlock := s.locks.lock("s:" + id)
		defer unlock()
	}
	for range maxCASRetries {
		d, err := s.loadSession(ctx, id)
		if err != nil {
			return nil, err
		}
		next, err := fn(d.toDomain())
		if err != nil || next == nil {
			return nil, err
		}
		filter := bson.D{{Key: "_id", Value: id}}
		if !s.opts.Exclusive {
			filter = append(filter, bson.E{Key: "rev", Value: d.Rev})
		}
		res, err := s.db.Collection(sessionsColl).ReplaceOne(ctx, filter, toSessionDoc(next, d.Rev+1))
		if err != nil {
			return nil, mapError(err, "replace session")
		}
		if res.MatchedCount == 1 {
			return next, nil
		}
	}
	return nil, &veikart.Error{Code: veikart.ECONFLICT, Message: "The session is being changed right now. Try again."}
}
