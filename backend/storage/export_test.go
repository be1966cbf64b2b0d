package storage

import (
	"context"
	"sync"
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
			errs[i] = mapError(s.eng.insert(ctx, s.db.Collection(auditColl), auditDoc{ID: id, RoadmapID: "rm1"}), "insert")
		}()
	}
	close(start)
	wg.Wait()
	return errs
}
