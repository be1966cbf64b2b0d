package storage_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
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
	// 75 writers at once. On an external server the store is in shared
	// mode, and appends compare and swap on the page; the server the
	// tests use there, FerretDB 1.x, does not apply a filter and its
	// write atomically (measured: 16 of 75 concurrent appends kept, with
	// no error), so there they go one at a time. MongoDB, the shared
	// database Veikart runs on, does.
	const n = 75
	var wg sync.WaitGroup
	for i := range n {
		if testenv.External() {
			wg.Wait() // the one before is done
		}
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
			if seen[e.ID] || e.UserID == "x" {
				t.Fatalf("entry %s twice or from another roadmap", e.ID)
			}
			seen[e.ID] = true
		}
		if len(seen) == 1 && events[0].Action != veikart.AuditComment {
			t.Fatalf("newest first: got %+v", events[0])
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
	errs := storage.InsertAuditRawForTest(ctx, s, []string{"rm1/p1", "rm1/x2", "rm1/x3"})
	if veikart.ErrorCode(errs[0]) != veikart.ECONFLICT || errs[1] != nil || errs[2] != nil {
		t.Fatalf("errors %v, want a conflict for the first only", errs)
	}
}

// Repeated reads of the same sections by the same person for the same
// agency within veikart.ReadWindow are one entry with a count, and cost no
// new document; anything else that differs is an entry of its own. The
// count shows at once, and after a restart once it is written.
func TestRecordRead_RepeatsCountIntoOneEntry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testenv.MustStore(t)
	t0 := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	read := func(at time.Duration, user, agency string, secs ...veikart.Section) {
		t.Helper()
		if err := s.RecordRead(ctx, "rm1", veikart.AuditEvent{At: t0.Add(at), UserID: user, AgencyID: agency, Role: "caseworker", Sections: secs}); err != nil {
			t.Fatal(err)
		}
	}
	read(0, "nina", "nav", "housing", "economy")
	if err := storage.FlushCountsForTest(ctx, s); err != nil {
		t.Fatal(err)
	}
	docs, err := storage.LogDocsForTest(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < 5; i++ {
		read(time.Duration(i)*time.Minute, "nina", "nav", "housing", "economy")
	}
	if err := storage.FlushCountsForTest(ctx, s); err != nil {
		t.Fatal(err)
	}
	if after, err := storage.LogDocsForTest(ctx, s); err != nil || after != docs {
		t.Fatalf("four repeats made %d documents into %d (%v), want none more", docs, after, err)
	}
	read(5*time.Minute, "nina", "nav", "housing")                // other sections
	read(6*time.Minute, "nina", "bufetat", "housing", "economy") // other agency
	read(7*time.Minute, "ola", "nav", "housing", "economy")      // other person
	read(10*time.Minute, "nina", "nav", "housing", "economy")    // the window has closed
	read(11*time.Minute, "nina", "nav", "housing", "economy")    // ... and counts into the new one

	check := func(s *storage.Store) {
		t.Helper()
		events, _, err := s.AuditPage(ctx, "rm1", "", 100)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range events {
			got = append(got, fmt.Sprintf("%s %s %v x%d %s-%s", e.UserID, e.AgencyID, e.Sections, e.Count, e.At.Format("15:04"), e.LastAt.Format("15:04")))
		}
		want := []string{
			"nina nav [housing economy] x2 09:10-09:11",
			"ola nav [housing economy] x1 09:07-09:07",
			"nina bufetat [housing economy] x1 09:06-09:06",
			"nina nav [housing] x1 09:05-09:05",
			"nina nav [housing economy] x5 09:00-09:04",
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
	check(s) // the last repeat is not written yet, and shows
	if err := storage.FlushCountsForTest(ctx, s); err != nil {
		t.Fatal(err)
	}
	check(testenv.OpenAgain(t, s, storage.Options{Exclusive: !testenv.External()}))
}

// Pages past their keeping time go, oldest first; the numbering and the
// newer entries stay, and appending goes on.
func TestPruneLogs_DropsOnlyOldPages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testenv.MustStore(t)
	old := time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC)
	for i := range 140 { // two full pages (64 entries each) and 12 entries of old ones
		if err := s.AppendAudit(ctx, "rm1", veikart.AuditEvent{At: old.Add(time.Duration(i) * time.Hour), UserID: "nina", Role: "caseworker", Action: veikart.AuditComment}); err != nil {
			t.Fatal(err)
		}
	}
	recent := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	for i := range 3 {
		if err := s.AppendAudit(ctx, "rm1", veikart.AuditEvent{At: recent.Add(time.Duration(i) * time.Hour), UserID: "ola", Role: "caseworker", Action: veikart.AuditComment}); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.PruneLogs(ctx, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil || n != 2 {
		t.Fatalf("pruned %d pages (%v), want the two full old ones", n, err)
	}
	if err := s.AppendAudit(ctx, "rm1", veikart.AuditEvent{At: recent.Add(time.Hour * 24), UserID: "kari", Role: "member", Action: veikart.AuditComment}); err != nil {
		t.Fatal(err)
	}
	for _, st := range []*storage.Store{s, testenv.OpenAgain(t, s, storage.Options{Exclusive: !testenv.External()})} {
		events, next, err := st.AuditPage(ctx, "rm1", "", 100)
		if err != nil {
			t.Fatal(err)
		}
		// The third page holds the last old entries, the 3 new ones and
		// the newest: it stays whole, for its newest entry is recent.
		ola, prev := 0, int64(1<<62)
		for _, e := range events {
			id, _ := strconv.ParseInt(e.ID, 10, 64)
			if id >= prev {
				t.Fatalf("ids not newest first: %s after %d", e.ID, prev)
			}
			prev = id
			if e.UserID == "ola" {
				ola++
			}
		}
		if next != "" || events[0].UserID != "kari" || ola != 3 || len(events) < 5 || len(events) > 68 {
			t.Fatalf("after pruning: %d entries, newest by %s, %d by ola, next %q", len(events), events[0].UserID, ola, next)
		}
	}
}

// Erasing a person keeps the entries of their reads, without them.
func TestErasePerson_UnlinksFromLogs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testenv.MustStore(t)
	at := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	for i, u := range []string{"nina", "ola", "nina"} {
		if err := s.RecordRead(ctx, "rm1", veikart.AuditEvent{At: at.Add(time.Duration(i) * time.Minute), UserID: u, AgencyID: "nav", Role: "caseworker", Sections: []veikart.Section{"housing"}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.ErasePersonRecords(ctx, "nina", nil); err != nil {
		t.Fatal(err)
	}
	events, _, err := s.AuditPage(ctx, "rm1", "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 2 || events[0].UserID != "ola" || events[1].UserID != veikart.ErasedPerson || events[1].Count != 2 {
		t.Fatalf("after erasing nina: %+v", events)
	}
}

// A database from before pages has its logs moved on start, in order and
// whole.
func TestMoveLegacyLogs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testenv.MustStore(t)
	at := time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)
	var events []veikart.AuditEvent
	for i := range 100 {
		events = append(events, veikart.AuditEvent{At: at.Add(time.Duration(i) * time.Minute), UserID: fmt.Sprintf("u%d", i), AgencyID: "nav",
			Role: "caseworker", Action: veikart.AuditRead, Sections: []veikart.Section{"housing", "area:x|y,z%"}, Name: "Nina | Berg"})
	}
	if err := storage.InsertLegacyLogForTest(ctx, s, "rm1", events); err != nil {
		t.Fatal(err)
	}
	for range 2 { // and a second start changes nothing
		if err := s.EnsureSchema(ctx); err != nil {
			t.Fatal(err)
		}
	}
	fresh := testenv.OpenAgain(t, s, storage.Options{Exclusive: !testenv.External()})
	got, _, err := fresh.AuditPage(ctx, "rm1", "", 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 100 {
		t.Fatalf("moved %d entries, want 100", len(got))
	}
	for i, e := range got {
		w := events[99-i]
		if !e.At.Equal(w.At) || e.UserID != w.UserID || fmt.Sprint(e.Sections) != fmt.Sprint(w.Sections) || e.Name != w.Name || e.Count != 1 {
			t.Fatalf("entry %d: %+v, want %+v", i, e, w)
		}
	}
	if docs, err := storage.LegacyLogDocsForTest(ctx, fresh); err != nil || docs != 0 {
		t.Fatalf("%d old documents left after the move (%v)", docs, err)
	}
	if docs, err := storage.LogDocsForTest(ctx, fresh); err != nil || docs > 12 {
		t.Fatalf("%d documents after the move (%v), want a few pages, the head and the mark", docs, err)
	}
}

// A page's counts wait about 10 s before they are written, so that the
// rewrites come spread over time; until then they show from memory.
// TestRecordRead_ClosedWindowsAreDropped: the sweep forgets the reads
// whose window closed before the newest read, and only those: a repeat in
// a window still open counts into its entry after the sweep.
func TestRecordRead_ClosedWindowsAreDropped(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testenv.MustStore(t)
	t0 := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	read := func(at time.Duration, user string) {
		t.Helper()
		if err := s.RecordRead(ctx, "rm1", veikart.AuditEvent{At: t0.Add(at), UserID: user, AgencyID: "nav", Role: "caseworker", Sections: []veikart.Section{"housing"}}); err != nil {
			t.Fatal(err)
		}
	}
	read(0, "nina")
	read(5*time.Minute, "ola")
	read(12*time.Minute, "per") // nina's window closed at 09:10
	if left := storage.SweepOpenReadsForTest(s); left != 2 {
		t.Fatalf("%d open reads left after the sweep, want 2 (ola's, per's)", left)
	}
	read(13*time.Minute, "ola")  // a repeat in ola's window
	read(13*time.Minute, "nina") // a new window
	if err := storage.FlushCountsForTest(ctx, s); err != nil {
		t.Fatal(err)
	}
	events, _, err := s.AuditPage(ctx, "rm1", "", 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range events {
		got = append(got, fmt.Sprintf("%s x%d %s", e.UserID, e.Count, e.At.Format("15:04")))
	}
	if want := []string{"nina x1 09:13", "per x1 09:12", "ola x2 09:05", "nina x1 09:00"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("log %v, want %v", got, want)
	}
}

func TestRecordRead_CountsWaitTheirTurn(t *testing.T) {
	t.Parallel()
	if testenv.External() {
		t.Skip("a second store on a shared database reads the same")
	}
	ctx := context.Background()
	s := testenv.MustStore(t)
	at := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	for i := range 3 {
		if err := s.RecordRead(ctx, "rm1", veikart.AuditEvent{At: at.Add(time.Duration(i) * time.Second), UserID: "nina", AgencyID: "nav", Role: "caseworker"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := storage.FlushDueCountsForTest(ctx, s); err != nil {
		t.Fatal(err)
	}
	count := func(s *storage.Store) int {
		t.Helper()
		events, _, err := s.AuditPage(ctx, "rm1", "", 10)
		if err != nil || len(events) != 1 {
			t.Fatalf("%v %+v", err, events)
		}
		return events[0].Count
	}
	other := testenv.OpenAgain(t, s, storage.Options{})
	if mine, stored := count(s), count(other); mine != 3 || stored != 1 {
		t.Fatalf("before its turn: %d here, %d stored; want 3 and 1", mine, stored)
	}
	if err := storage.FlushCountsForTest(ctx, s); err != nil {
		t.Fatal(err)
	}
	if stored := count(other); stored != 3 {
		t.Fatalf("after: %d stored, want 3", stored)
	}
}
