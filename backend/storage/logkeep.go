package storage

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/veikart/veikart/backend/veikart"
)

// What happens to logs over time: retention, a person's erasure, and the
// move from the old layout (a document per entry) to pages.

// PruneLogs deletes the log pages whose newest entry is older than before,
// in every log, and returns how many. Pages fill in time order, so what is
// deleted is always the oldest part of a log; its head stays, so the
// numbering goes on. Any replica may run it; running it twice is harmless.
func (s *Store) PruneLogs(ctx context.Context, before time.Time) (int64, error) {
	coll := s.db.Collection(auditColl)
	cur, err := coll.Find(ctx, bson.D{{Key: "t", Value: bson.D{{Key: "$lt", Value: before.UTC()}}}},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return 0, mapError(err, "find log pages to prune")
	}
	var ids []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &ids); err != nil {
		return 0, mapError(err, "find log pages to prune")
	}
	var n int64
	for chunk := range slices.Chunk(ids, 500) {
		list := make(bson.A, len(chunk))
		for i, d := range chunk {
			list[i] = d.ID
			s.logPages.cache.delete(d.ID)
		}
		// The filter again: a page written since the Find is kept.
		res, err := coll.DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: list}}},
			{Key: "t", Value: bson.D{{Key: "$lt", Value: before.UTC()}}}})
		if err != nil {
			return n, mapError(err, "prune log pages")
		}
		n += res.DeletedCount
	}
	return n, nil
}

// unlinkFromLogs replaces userID by veikart.ErasedPerson in every log
// entry: the entries stay (the household keeps knowing that someone from
// NAV read), but not who. It is the one rewrite of entries besides counts.
func (s *Store) unlinkFromLogs(ctx context.Context, userID string) error {
	cur, err := s.db.Collection(auditColl).Find(ctx, bson.D{{Key: "u", Value: userID}},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return mapError(err, "find log pages of %s", userID)
	}
	var ids []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &ids); err != nil {
		return mapError(err, "find log pages of %s", userID)
	}
	for _, d := range ids {
		_, err := update(ctx, s, s.logPages, d.ID, func(p *logPage) (*logPage, bool, error) {
			if !slices.Contains(p.Users, userID) {
				return nil, false, nil
			}
			next := &logPage{ID: p.ID, Rev: p.Rev + 1, Last: p.Last, E: slices.Clone(p.E), bytes: p.bytes}
			for _, u := range p.Users {
				if u != userID {
					next.Users = append(next.Users, u)
				}
			}
			next.Users = append(next.Users, veikart.ErasedPerson)
			for i, enc := range next.E {
				e, err := decodeEntry(enc)
				if err != nil {
					return nil, false, err
				}
				if e.UserID == userID {
					e.UserID = veikart.ErasedPerson
					next.E[i] = encodeEntry(e)
					next.bytes += len(next.E[i]) - len(enc)
				}
			}
			return next, true, nil
		})
		if err != nil {
			return fmt.Errorf("unlink %s from log page %s: %w", userID, d.ID, err)
		}
	}
	return nil
}

// legacyEntry is an entry as it was stored before pages: a document of its
// own with _id "<key>/<seq, 12 digits>".
type legacyEntry struct {
	ID        string    `bson:"_id"`
	RoadmapID string    `bson:"roadmapId"` // the log's key
	Seq       int64     `bson:"seq"`
	At        time.Time `bson:"at"`
	UserID    string    `bson:"userId"`
	AgencyID  string    `bson:"agencyId,omitempty"`
	Role      string    `bson:"role"`
	Action    string    `bson:"action"`
	Sections  []string  `bson:"sections,omitempty"`
	Ref       string    `bson:"ref,omitempty"`
	Name      string    `bson:"name,omitempty"`
	Subject   string    `bson:"subject,omitempty"`
}

// logsMoved marks a database whose logs are in pages.
const logsMoved = "_layout/log-pages"

// moveLegacyLogs moves entries stored one per document into pages, once
// per database, before the server serves. It reads the old entries in _id
// order, which is each log's entries in order, one log after another, and
// holds one log's entries at a time. A key whose head exists was moved
// already (the head is written after its pages), so a move cut short runs
// again from where it stopped; a log's old documents are deleted after its
// pages and head are in.
func (s *Store) moveLegacyLogs(ctx context.Context) error {
	coll := s.db.Collection(auditColl)
	err := coll.FindOne(ctx, byID(logsMoved)).Err()
	if err == nil {
		return nil
	}
	if veikart.ErrorCode(mapError(err, "")) != veikart.ENOTFOUND {
		return mapError(err, "read log layout")
	}
	cur, err := coll.Find(ctx, bson.D{{Key: "seq", Value: bson.D{{Key: "$exists", Value: true}}}},
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return mapError(err, "read old log entries")
	}
	defer cur.Close(ctx)
	var key string
	var entries []legacyEntry
	for cur.Next(ctx) {
		var d legacyEntry
		if err := cur.Decode(&d); err != nil {
			return mapError(err, "read old log entry")
		}
		k := d.RoadmapID
		if k == "" { // the key is the _id's part before the last "/"
			k = d.ID[:max(strings.LastIndex(d.ID, "/"), 0)]
		}
		if k != key && len(entries) > 0 {
			if err := s.moveLegacyLog(ctx, key, entries); err != nil {
				return err
			}
			entries = entries[:0]
		}
		key = k
		entries = append(entries, d)
	}
	if err := cur.Err(); err != nil {
		return mapError(err, "read old log entries")
	}
	if len(entries) > 0 {
		if err := s.moveLegacyLog(ctx, key, entries); err != nil {
			return err
		}
	}
	_, err = coll.InsertOne(ctx, bson.D{{Key: "_id", Value: logsMoved}, {Key: "at", Value: time.Now().UTC()}})
	if veikart.ErrorCode(mapError(err, "")) == veikart.ECONFLICT {
		err = nil // another replica finished first
	}
	return mapError(err, "mark logs moved")
}

func (s *Store) moveLegacyLog(ctx context.Context, key string, entries []legacyEntry) error {
	coll := s.db.Collection(auditColl)
	err := coll.FindOne(ctx, byID(headID(key))).Err()
	if veikart.ErrorCode(mapError(err, "")) == veikart.ENOTFOUND {
		sort.Slice(entries, func(i, j int) bool { return entries[i].Seq < entries[j].Seq })
		var pages []pageDoc
		p := &logPage{ID: pageID(key, 1)}
		for _, d := range entries {
			e := veikart.AuditEvent{At: d.At.UTC(), UserID: d.UserID, AgencyID: d.AgencyID, Role: d.Role,
				Action: veikart.AuditAction(d.Action), Ref: d.Ref, Name: d.Name, Subject: d.Subject}
			for _, sec := range d.Sections {
				e.Sections = append(e.Sections, veikart.Section(sec))
			}
			enc := encodeEntry(e)
			if p.full(len(enc), e.UserID) {
				pages = append(pages, p.doc())
				p = &logPage{ID: pageID(key, int64(len(pages)+1))}
			}
			p = p.with(len(p.E), enc, e.At, e.UserID)
		}
		pages = append(pages, p.doc())
		// A page left by a move cut short is replaced, not duplicated:
		// the same old entries make the same pages. Everything here is
		// by _id, the one lookup the embedded store has an index for (a
		// filter on anything else reads the whole collection, once per
		// log: hours for 100 000 entries).
		models := make([]mongo.WriteModel, len(pages))
		for i, d := range pages {
			models[i] = mongo.NewReplaceOneModel().SetFilter(byID(d.ID)).SetReplacement(d).SetUpsert(true)
		}
		if _, err := coll.BulkWrite(ctx, models); err != nil {
			return mapError(err, "move log %s", key)
		}
		if err := s.setLastPage(ctx, key, int64(len(pages))); err != nil {
			return err
		}
	} else if err != nil {
		return mapError(err, "move log %s", key)
	}
	models := make([]mongo.WriteModel, len(entries))
	for i, d := range entries {
		models[i] = mongo.NewDeleteOneModel().SetFilter(byID(d.ID))
	}
	_, err = coll.BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false))
	return mapError(err, "delete moved log entries of %s", key)
}
