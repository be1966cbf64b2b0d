package storage_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/storage"
	"github.com/veikart/veikart/backend/testenv"
	"github.com/veikart/veikart/backend/veikart"
)

// The access log pages newest first without gaps or repeats, also while
// entries are being added, and a second store (as after a restart) carries on
// numbering where the first stopped.
func TestAudit_AppendAndPage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testenv.MustStore(t)
	t0 := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	const n = 75
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.AppendAudit(ctx, "rm1", veikart.AuditEvent{ID: fmt.Sprintf("e%03d", i), At: t0.Add(time.Duration(i) * time.Second),
				UserID: "nina", AgencyID: "nav", Role: "caseworker", Action: veikart.AuditRead, Sections: []veikart.Section{"area:housing"}})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if err := s.AppendAudit(ctx, "rm2", veikart.AuditEvent{ID: "other", At: t0, UserID: "x", Role: "caseworker", Action: veikart.AuditRead}); err != nil {
		t.Fatal(err)
	}

	// A fresh store knows nothing in memory: it must find where the log ends.
	fresh := testenv.OpenAgain(t, s, storage.Options{Exclusive: !testenv.External()})
	if err := fresh.AppendAudit(ctx, "rm1", veikart.AuditEvent{ID: "last", At: t0.Add(time.Hour), UserID: "nina", Role: "caseworker", Action: veikart.AuditComment}); err != nil {
		t.Fatal(err)
	}

	seen := map[string]bool{}
	var pages []int
	cursor := ""
	for {
		events, next, err := fresh.AuditPage(ctx, "rm1", cursor, 30)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, len(events))
		for _, e := range events {
			if seen[e.ID] || e.ID == "other" {
				t.Fatalf("entry %s twice or from another roadmap", e.ID)
			}
			seen[e.ID] = true
		}
		if len(seen) == 1 && events[0].ID != "last" {
			t.Fatalf("newest first: got %s", events[0].ID)
		}
		if next == "" {
			break
		}
		cursor = next
		// Entries added between pages do not shift the next page.
		if err := fresh.AppendAudit(ctx, "rm1", veikart.AuditEvent{ID: "during-" + next, At: t0.Add(2 * time.Hour), UserID: "nina", Role: "caseworker", Action: veikart.AuditRead}); err != nil {
			t.Fatal(err)
		}
	}
	if len(seen) != n+1 || fmt.Sprint(pages) != "[30 30 16]" {
		t.Fatalf("paged %d entries in pages %v, want %d in [30 30 16]", len(seen), pages, n+1)
	}
	if _, _, err := s.AuditPage(ctx, "rm1", "garbage", 10); veikart.ErrorCode(err) != veikart.EINVALID {
		t.Fatalf("bad cursor: %v", err)
	}
}

// An insert that collides in a group reports a duplicate key to its own
// caller only; the others in the group are stored.
func TestCommitter_InsertErrorsAreOwn(t *testing.T) {
	t.Parallel()
	if testenv.External() {
		t.Skip("group commit runs only on the embedded store")
	}
	ctx := context.Background()
	s := testenv.MustStore(t)
	if err := s.AppendAudit(ctx, "rm1", veikart.AuditEvent{ID: "a", At: time.Now(), UserID: "u", Role: "caseworker", Action: veikart.AuditRead}); err != nil {
		t.Fatal(err)
	}
	errs := storage.InsertAuditRawForTest(ctx, s, []string{"rm1/000000000001", "rm1/000000000002", "rm1/000000000003"})
	if veikart.ErrorCode(errs[0]) != veikart.ECONFLICT || errs[1] != nil || errs[2] != nil {
		t.Fatalf("errors %v, want a conflict for the first only", errs)
	}
}
