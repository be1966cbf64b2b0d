// Package embedded runs FerretDB v1 in-process on SQLite files, so that the
// single binary needs nothing installed. The rest of the program talks to it
// through the ordinary MongoDB driver over loopback, the same code path as a
// real MongoDB deployment.
package embedded

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	_ "modernc.org/sqlite" // the SQLite driver FerretDB itself uses
)

// Server is a running in-process FerretDB.
type Server struct {
	dir    string
	uri    string
	lock   *os.File
	cancel context.CancelFunc
	done   chan struct{}
}

// Start opens (creating it if needed) the store in dir and starts FerretDB on
// a random loopback port. It takes an exclusive lock on dir: the server must be
// the only writer to its files, which is what lets the storage layer keep an
// exact in-memory copy of hot documents.
//
// logger receives FerretDB's own logs; pass a quiet one (FerretDB logs failed
// commands with document contents at WARN, and documents hold personal data).
func Start(ctx context.Context, dir string, logger *slog.Logger) (*Server, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("embedded store dir: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create embedded store dir: %w", err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}

	// synchronous(normal) in WAL mode loses no committed transaction when the
	// process dies (kill -9); only a power cut can lose the last few, which is
	// the trade every embedded database in this class makes for write speed.
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(wal)")
	q.Add("_pragma", "synchronous(normal)")
	q.Add("_pragma", "auto_vacuum(none)")
	q.Add("_pragma", "wal_autocheckpoint(0)") // see checkpoint
	q.Add("_pragma", fmt.Sprintf("journal_size_limit(%d)", walSizeLimit()))
	sqliteURL := (&url.URL{Scheme: "file", Path: dir + "/", RawQuery: q.Encode()}).String()

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Logger:    slog.New(newLazyHandler(logger.Handler())),
		Handler:   "sqlite",
		SQLiteURL: sqliteURL,
	})
	if err != nil {
		_ = lock.Close()
		return nil, fmt.Errorf("start embedded store: %w", err)
	}

	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s := &Server{dir: dir, lock: lock, cancel: cancel, done: make(chan struct{})}
	cpDone := make(chan struct{})
	go func() {
		defer close(cpDone)
		checkpoint(runCtx, dir, logger)
	}()
	go func() {
		defer close(s.done)
		_ = f.Run(runCtx)
		<-cpDone
	}()
	// MongoDBURI waits until the listener is ready.
	s.uri = f.MongoDBURI()
	return s, nil
}

// URI returns the MongoDB connection string of the running store.
func (s *Server) URI() string { return s.uri }

// Close stops FerretDB, waits for it to finish and releases the lock.
func (s *Server) Close() error {
	s.cancel()
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		return errors.New("embedded store did not stop within 10s")
	}
	return s.lock.Close()
}

// FixIDIndexes makes lookups, updates and deletes by _id use an index in every
// collection of database db.
//
// FerretDB 1.24's SQLite backend creates its unique _id index on the
// expression _ferretdb_sjson->"_id" but queries with _ferretdb_sjson->'$._id'.
// SQLite only uses an expression index for the identical expression, so every
// operation by _id scanned the whole table (measured: 4 ms per write at 1k
// documents, 28 ms at 10k). Both expressions extract the same value (an
// unknown double-quoted identifier is a string literal in SQLite, and "_id"
// and '$._id' name the same JSON member), so we rebuild FerretDB's index,
// under the same name and still UNIQUE, on the expression the queries use:
// FerretDB's catalogue and its duplicate-key errors stay as they were, and
// every write maintains one _id index, not two. Call it after the collections
// exist; it is idempotent.
func (s *Server) FixIDIndexes(ctx context.Context, db string) error {
	path := filepath.Join(s.dir, db+".sqlite")
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("fix _id indexes of %s: %w", db, err)
	}
	// _txlock=immediate: each table's fix takes the write lock when it
	// begins, waiting (busy_timeout) for another writer. A deferred
	// transaction began as a reader and failed at once with SQLITE_BUSY
	// when it came to write after someone else had (seen under make
	// test's load at start-up).
	conn, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_txlock=immediate")
	if err != nil {
		return fmt.Errorf("fix _id indexes of %s: open: %w", db, err)
	}
	defer conn.Close()

	rows, err := conn.QueryContext(ctx, `SELECT table_name FROM _ferretdb_collections`)
	if err != nil {
		return fmt.Errorf("fix _id indexes of %s: list tables: %w", db, err)
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return fmt.Errorf("fix _id indexes of %s: %w", db, err)
		}
		tables = append(tables, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("fix _id indexes of %s: %w", db, err)
	}

	for _, t := range tables {
		if err := fixIDIndex(ctx, conn, t); err != nil {
			return fmt.Errorf("fix _id index of %s.%s: %w", db, t, err)
		}
	}
	return nil
}

func fixIDIndex(ctx context.Context, conn *sql.DB, table string) error {
	name := table + "__id_" // FerretDB's name for the index named _id_
	var def string
	err := conn.QueryRowContext(ctx, `SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?`, name).Scan(&def)
	if err != nil {
		return fmt.Errorf("read index %s: %w", name, err)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	stmts := []string{
		// The extra index earlier versions added beside FerretDB's.
		`DROP INDEX IF EXISTS ` + quoteIdent(table+"_veikart_id"),
	}
	if !strings.Contains(def, `'$._id'`) {
		stmts = append(stmts,
			`DROP INDEX `+quoteIdent(name),
			fmt.Sprintf(`CREATE UNIQUE INDEX %s ON %s (_ferretdb_sjson->'$._id')`, quoteIdent(name), quoteIdent(table)))
	}
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return tx.Commit()
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// lockDir takes an exclusive, non-blocking lock on dir/LOCK. The lock goes with
// the process, so a crash never leaves a stale lock behind.
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, "LOCK"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("data directory %s is in use by another process: %w", dir, err)
	}
	return f, nil
}
