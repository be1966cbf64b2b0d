package storage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// onceColl holds values that are good for one use within minutes: a
// sign-in on its way to the provider and back, a code that hands the app its
// first tokens. Keys are stored only as hashes.
const onceColl = "once"

type onceDoc struct {
	ID        string    `bson:"_id"`
	Value     bson.Raw  `bson:"v"`
	ExpiresAt time.Time `bson:"expiresAt"`
}

func onceID(kind, key string) string {
	sum := sha256.Sum256([]byte(key))
	return kind + ":" + hex.EncodeToString(sum[:])
}

// PutOnce keeps v under kind and key until expires, for one TakeOnce.
func (s *Store) PutOnce(ctx context.Context, kind, key string, v any, expires time.Time) error {
	raw, err := bson.Marshal(v)
	if err != nil {
		return fmt.Errorf("put %s: encode: %w", kind, err)
	}
	_, err = s.db.Collection(onceColl).InsertOne(ctx, onceDoc{ID: onceID(kind, key), Value: raw, ExpiresAt: expires.UTC()})
	return mapError(err, "put %s", kind)
}

// TakeOnce reads the value under kind and key into v and removes it. It
// reports false if there is none, it has expired, or another call took it
// first: of two concurrent calls, at most one gets it (a delete by _id
// reports whether it deleted; the exclusive store also takes a lock).
func (s *Store) TakeOnce(ctx context.Context, kind, key string, now time.Time, v any) (bool, error) {
	id := onceID(kind, key)
	unlock := s.eng.serialise("o:" + id)
	defer unlock()
	var d onceDoc
	err := s.db.Collection(onceColl).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	if err != nil {
		return false, mapError(err, "take %s", kind)
	}
	res, err := s.db.Collection(onceColl).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	if err != nil {
		return false, mapError(err, "take %s", kind)
	}
	if res.DeletedCount != 1 || !now.Before(d.ExpiresAt) {
		return false, nil
	}
	if err := bson.Unmarshal(d.Value, v); err != nil {
		return false, fmt.Errorf("take %s: decode: %w", kind, err)
	}
	return true, nil
}

// SweepExpired deletes the one-time records that expired unused (sign-ins
// never finished, codes never used) before now, and returns how many. It
// scans (the embedded store has no index on expiresAt), which is fine at
// the hourly pace the server runs it: used records are deleted when used,
// so these collections stay small.
func (s *Store) SweepExpired(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	for _, coll := range []string{onceColl, enrolmentsColl} {
		res, err := s.db.Collection(coll).DeleteMany(ctx, bson.D{{Key: "expiresAt", Value: bson.D{{Key: "$lt", Value: now.UTC()}}}})
		if err != nil {
			return n, mapError(err, "sweep %s", coll)
		}
		n += res.DeletedCount
	}
	return n, nil
}
