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
	AgencyID  string    `bson:"agencyId,omitempty"`
}

func toCalendarFeedDoc(f *veikart.CalendarFeed) *calendarFeedDoc {
	if f == nil {
		return nil
	}
	return &calendarFeedDoc{Hash: f.Hash, CreatedAt: f.CreatedAt, Lang: f.Lang, AgencyID: f.AgencyID}
}

func (d *calendarFeedDoc) toDomain() *veikart.CalendarFeed {
	if d == nil {
		return nil
	}
	return &veikart.CalendarFeed{Hash: d.Hash, CreatedAt: d.CreatedAt.UTC(), Lang: d.Lang, AgencyID: d.AgencyID}
}

func toWorkFeedDocs(fs map[string]*veikart.CalendarFeed) map[string]*calendarFeedDoc {
	if len(fs) == 0 {
		return nil
	}
	out := make(map[string]*calendarFeedDoc, len(fs))
	for a, f := range fs {
		out[a] = toCalendarFeedDoc(f)
	}
	return out
}

func workFeedsToDomain(ds map[string]*calendarFeedDoc) map[string]*veikart.CalendarFeed {
	if len(ds) == 0 {
		return nil
	}
	out := make(map[string]*veikart.CalendarFeed, len(ds))
	for a, d := range ds {
		if f := d.toDomain(); f != nil {
			f.AgencyID = a // the key is the truth
			out[a] = f
		}
	}
	return out
}

// feedPath is the field of a user document that holds their feed for
// agencyID ("" for their own). Agency ids are letters, digits, '_' and
// '-' (defs.schema.json#/$defs/id): never a dot that would split the path.
func feedPath(agencyID string) string {
	if agencyID == "" {
		return "calendarFeed"
	}
	return "workFeeds." + agencyID
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

// SetCalendarFeed makes f the person's current feed for agencyID ("" for
// their own); nil removes it.
func (s *Store) SetCalendarFeed(ctx context.Context, userID, agencyID string, f *veikart.CalendarFeed) error {
	path := feedPath(agencyID)
	if f == nil {
		return s.updateUser(ctx, userID, bson.D{{Key: "$unset", Value: bson.D{{Key: path, Value: ""}}}})
	}
	return s.updateUser(ctx, userID, bson.D{{Key: "$set", Value: bson.D{{Key: path, Value: toCalendarFeedDoc(f)}}}})
}

// SetCalendarLang sets the language of the person's feed for agencyID
// ("" for their own) if that feed is still the one with hash: a feed
// rotated or turned off meanwhile is left as it is (no error), so that a
// language change never brings back an address that was replaced. As
// with a roadmap's revision filter, the _id equality is what the embedded
// store looks the document up by; the hash is checked on that one.
func (s *Store) SetCalendarLang(ctx context.Context, userID, agencyID, hash, lang string) error {
	path := feedPath(agencyID)
	unlock := s.locks.lock("u:" + userID)
	defer unlock()
	_, err := s.users.coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: userID}, {Key: path + ".hash", Value: hash}},
		bson.D{{Key: "$set", Value: bson.D{{Key: path + ".lang", Value: lang}}}})
	s.users.cache.delete(userID) // reloaded on next read, under the same lock
	return mapError(err, "set calendar language")
}
