package storage

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/veikart/veikart/backend/veikart"
)

// calendarColl leads from a calendar feed's hash (its _id) to its person:
// the feed is looked up by _id alone, the one lookup the embedded store
// indexes. The person's user document says which hash is current; a key
// left behind by a crash between writes leads to nothing.
const calendarColl = "calendar_feeds"

type calendarKeyDoc struct {
	ID     string `bson:"_id"`
	UserID string `bson:"userId"`
}

type calendarFeedDoc struct {
	Hash      string    `bson:"hash"`
	CreatedAt time.Time `bson:"createdAt"`
	Lang      string    `bson:"lang"`
}

func toCalendarFeedDoc(f *veikart.CalendarFeed) *calendarFeedDoc {
	if f == nil {
		return nil
	}
	return &calendarFeedDoc{Hash: f.Hash, CreatedAt: f.CreatedAt, Lang: f.Lang}
}

func (d *calendarFeedDoc) toDomain() *veikart.CalendarFeed {
	if d == nil {
		return nil
	}
	return &veikart.CalendarFeed{Hash: d.Hash, CreatedAt: d.CreatedAt.UTC(), Lang: d.Lang}
}

// AddCalendarKey records that the feed with hash belongs to userID.
func (s *Store) AddCalendarKey(ctx context.Context, hash, userID string) error {
	_, err := s.db.Collection(calendarColl).InsertOne(ctx, calendarKeyDoc{ID: hash, UserID: userID})
	return mapError(err, "store calendar key")
}

// CalendarKeyUser returns the person the feed with hash belongs to, or
// ENOTFOUND.
func (s *Store) CalendarKeyUser(ctx context.Context, hash string) (string, error) {
	var d calendarKeyDoc
	if err := s.db.Collection(calendarColl).FindOne(ctx, byID(hash)).Decode(&d); err != nil {
		return "", mapError(err, "find calendar key")
	}
	return d.UserID, nil
}

// DeleteCalendarKey forgets the feed with hash. Deleting one that is gone
// is no error.
func (s *Store) DeleteCalendarKey(ctx context.Context, hash string) error {
	_, err := s.db.Collection(calendarColl).DeleteOne(ctx, byID(hash))
	return mapError(err, "delete calendar key")
}

// DeleteCalendarKeysOf forgets every feed of userID, also those a crash
// left behind (a scan on the embedded store; erasure is rare).
func (s *Store) DeleteCalendarKeysOf(ctx context.Context, userID string) error {
	_, err := s.db.Collection(calendarColl).DeleteMany(ctx, bson.D{{Key: "userId", Value: userID}})
	return mapError(err, "delete calendar keys")
}

// SetCalendarFeed makes f the person's current feed; nil removes it.
func (s *Store) SetCalendarFeed(ctx context.Context, userID string, f *veikart.CalendarFeed) error {
	if f == nil {
		return s.updateUser(ctx, userID, bson.D{{Key: "$unset", Value: bson.D{{Key: "calendarFeed", Value: ""}}}})
	}
	return s.updateUser(ctx, userID, bson.D{{Key: "$set", Value: bson.D{{Key: "calendarFeed", Value: toCalendarFeedDoc(f)}}}})
}
