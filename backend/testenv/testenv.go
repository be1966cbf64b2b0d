// Package testenv gives tests a real database: the embedded FerretDB started
// once per test binary, or, when VEIKART_TEST_MONGODB_URI is set, a separately
// started MongoDB-compatible server over TCP. Each call gets a fresh database.
package testenv

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"

	_ "modernc.org/sqlite" // the embedded store's driver, for DiskBytes

	"github.com/veikart/veikart/backend/embedded"
	"github.com/veikart/veikart/backend/storage"
)

var (
	once   sync.Once
	server *embedded.Server
	dir    string
	uri    string
	errRun error
)

// External reports whether tests run against a separately started server.
func External() bool { return os.Getenv("VEIKART_TEST_MONGODB_URI") != "" }

// URI returns the connection string of the test database server, starting the
// embedded one on first use.
func URI(tb testing.TB) string {
	tb.Helper()
	once.Do(func() {
		if u := os.Getenv("VEIKART_TEST_MONGODB_URI"); u != "" {
			uri = u
			return
		}
		var err error
		dir, err = os.MkdirTemp("", "veikart-test-*")
		if err != nil {
			errRun = err
			return
		}
		server, errRun = embedded.Start(context.Background(), dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if errRun == nil {
			uri = server.URI()
		}
	})
	if errRun != nil {
		tb.Fatalf("start test database: %v", errRun)
	}
	return uri
}

// MustStore returns a store on a fresh database with its schema in place. The
// database is dropped when the test ends.
func MustStore(tb testing.TB) *storage.Store {
	tb.Helper()
	ctx := context.Background()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "t" + hex.EncodeToString(b)
	s, err := storage.Open(ctx, URI(tb), name, storage.Options{Exclusive: !External(), NoSecondaryIndexes: !External()})
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	if err := s.EnsureSchema(ctx); err != nil {
		tb.Fatalf("ensure schema: %v", err)
	}
	if server != nil {
		if err := server.FixIDIndexes(ctx, name); err != nil {
			tb.Fatalf("fix _id indexes: %v", err)
		}
	}
	tb.Cleanup(func() {
		_ = s.DropDatabase(ctx)
		_ = s.Close(ctx)
	})
	return s
}

// OpenAgain opens another store on s's database, as a second process (or the
// same one after a restart) would, and closes it when the test ends. With
// zero Options it is a shared-mode store: no in-memory copies, every read and
// write on the database.
func OpenAgain(tb testing.TB, s *storage.Store, opts storage.Options) *storage.Store {
	tb.Helper()
	ctx := context.Background()
	o, err := storage.Open(ctx, URI(tb), s.DatabaseName(), opts)
	if err != nil {
		tb.Fatalf("open the store again: %v", err)
	}
	tb.Cleanup(func() { _ = o.Close(ctx) })
	return o
}

// DiskBytes is how many bytes s's database takes in its file on the
// embedded store, after a checkpoint (the pages in use; free pages, which
// later writes reuse, not counted). Benchmarks of storage size use it; it
// skips the test on an external server.
func DiskBytes(tb testing.TB, s *storage.Store) int64 {
	tb.Helper()
	if server == nil {
		tb.Skip("disk use is measured on the embedded store")
	}
	c, err := sql.Open("sqlite", "file:"+filepath.Join(dir, s.DatabaseName()+".sqlite")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		tb.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Exec("PRAGMA wal_checkpoint(PASSIVE)"); err != nil {
		tb.Fatal(err)
	}
	var pages, free, size int64
	for q, dst := range map[string]*int64{"PRAGMA page_count": &pages, "PRAGMA freelist_count": &free, "PRAGMA page_size": &size} {
		if err := c.QueryRow(q).Scan(dst); err != nil {
			tb.Fatal(err)
		}
	}
	return (pages - free) * size
}
