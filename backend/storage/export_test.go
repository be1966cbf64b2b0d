package storage

import (
	"context"
	"fmt"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/veikart/veikart/backend/veikart"
)

// InsertAuditRawForTest sends access-log documents with the given ids through
// the group-commit lane at once and returns each one's error, mapped.
func InsertAuditRawForTest(ctx context.Context, s *Store, ids []string) []error {
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = mapError(s.eng.insert(ctx, s.db.Collection(auditColl), bson.D{{Key: "_id", Value: id}}), "insert")
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

// FlushCountsForTest writes the counted repeat reads now.
func FlushCountsForTest(ctx context.Context, s *Store) error { return s.flushCounts(ctx, true) }

// LogDocsForTest counts the documents of the access-log collection.
func LogDocsForTest(ctx context.Context, s *Store) (int64, error) {
	return s.db.Collection(auditColl).CountDocuments(ctx, bson.D{})
}

// LegacyLogDocsForTest counts the log entries stored one per document.
func LegacyLogDocsForTest(ctx context.Context, s *Store) (int64, error) {
	return s.db.Collection(auditColl).CountDocuments(ctx, bson.D{{Key: "seq", Value: bson.D{{Key: "$exists", Value: true}}}})
}

// InsertLegacyLogForTest stores entries as the old layout did, one
// document each, and forgets that the logs were moved, as a database from
// before pages is.
func InsertLegacyLogForTest(ctx context.Context, s *Store, key string, events []veikart.AuditEvent) error {
	coll := s.db.Collection(auditColl)
	docs := make([]any, 0, len(events))
	for i, e := range events {
		d := legacyEntry{ID: fmt.Sprintf("%s/%012d", key, i+1), RoadmapID: key, Seq: int64(i + 1), At: e.At, UserID: e.UserID,
			AgencyID: e.AgencyID, Role: e.Role, Action: string(e.Action), Ref: e.Ref, Name: e.Name}
		for _, sec := range e.Sections {
			d.Sections = append(d.Sections, string(sec))
		}
		docs = append(docs, d)
	}
	if _, err := coll.InsertMany(ctx, docs); err != nil {
		return err
	}
	_, err := coll.DeleteOne(ctx, byID(logsMoved))
	return err
}

// FlushDueCountsForTest writes the counted repeat reads that are due, as
// the store's loop does every second.
func FlushDueCountsForTest(ctx context.Context, s *Store) error { return s.flushCounts(ctx, false) }

// SweepOpenReadsForTest drops the open reads whose window has closed, as
// the store's loop does now and then, and says how many are left.
func SweepOpenReadsForTest(s *Store) int {
	s.reads.mu.Lock()
	s.reads.swept = time.Time{}
	s.reads.mu.Unlock()
	s.reads.sweepOpen(time.Now())
	s.reads.open.mu.RLock()
	defer s.reads.open.mu.RUnlock()
	return len(s.reads.open.m)
}

// InsertLegacyInboxForTest stores agencyID's inbox as one document, as it
// was before the shards: entries "<roadmapId>|<unread>|<lastAt ms>".
func InsertLegacyInboxForTest(ctx context.Context, s *Store, agencyID string, entries ...string) error {
	_, err := s.db.Collection(inboxColl).InsertOne(ctx, inboxDoc{ID: agencyID, Rev: 1, Entries: entries})
	return err
}

// InboxDocsForTest is the number of entries in each inbox document of the
// store, by _id.
func InboxDocsForTest(ctx context.Context, s *Store) (map[string]int, error) {
	cur, err := s.db.Collection(inboxColl).Find(ctx, bson.D{})
	if err != nil {
		return nil, err
	}
	var docs []inboxDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, d := range docs {
		out[d.ID] = len(d.Entries)
	}
	return out, nil
}

// DeleteRoadmapConversationsForTest erases roadmapID's conversation with
// agencyID and its inbox entry, as erasing the roadmap does.
func (s *Store) DeleteRoadmapConversationsForTest(ctx context.Context, roadmapID, agencyID string) error {
	return s.eraseConversations(ctx, roadmapID, []string{agencyID})
}
