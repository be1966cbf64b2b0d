// Package storage stores Veikart's documents in MongoDB, or in anything that
// speaks its protocol (the embedded FerretDB), through the official driver.
//
// Each user action is one atomic single-document write: the embedded store has
// no transactions. Documents are read and written by _id wherever a hot path
// allows, because on the embedded store only _id equality reaches an index.
package storage

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/veikart/veikart/backend/veikart"
)

// Collection names.
const (
	roadmapsColl = "roadmaps"
	usersColl    = "users"
	sessionsColl = "sessions"
	agenciesColl = "agencies"
	sharedColl   = "agency_roadmaps" // per agency: the roadmaps granted to it
	auditColl    = "access_log"      // per log key, in pages: who read or did what
	invitesColl  = "invitations"     // per invitation code hash: its roadmap

	pushColl = "push_subscriptions" // per person: their devices' Web Push subscriptions

	probeColl = "health_probe" // one document, written by readiness after a full disk
)

// Options tune a Store.
type Options struct {
	// Exclusive says this process is the only writer to the database (the
	// embedded store, which holds a lock on its data directory). Then a write
	// needs no version in its filter, because writes to one document are
	// serialised in process, and hot documents are served from an in-memory
	// copy that every write updates synchronously, so it is always exact.
	//
	// With a shared database (many replicas on MongoDB) every write is a
	// compare-and-swap on the document's version and nothing is cached.
	//
	// Open reads it, and only Open: see engine.go.
	Exclusive bool
	// NoSecondaryIndexes skips (and drops) the indexes that only serve
	// queries on fields other than _id. FerretDB's SQLite backend, the
	// embedded store, pushes down nothing but _id equality, so it never reads
	// them, yet every write pays to maintain them (measured: about 10% of
	// writes/s). Real MongoDB needs them; leave this off there.
	NoSecondaryIndexes bool
	// CacheSize is how many roadmaps (and as many users) to keep in memory in
	// exclusive mode. Zero means 20,000.
	CacheSize int
	// Monitor, if set, hears of every database command (package tracing
	// makes spans of them).
	Monitor *event.CommandMonitor
	// Log hears of what goes wrong in the background (the access log's
	// counts of repeated reads); nil discards it.
	Log *slog.Logger
	// RoundTrip bounds one exchange with the database server; zero means
	// DefaultRoundTrip (see there why).
	RoundTrip time.Duration
}

// Store is Veikart's storage. It is safe for concurrent use.
type Store struct {
	client *mongo.Client
	db     *mongo.Database
	opts   Options
	eng    engine
	locks  stripes

	// The kinds of document read and written whole (engine.go). In
	// exclusive mode, roadmaps, users, agencies and shared keep copies.
	roadmaps     *kind[*veikart.Roadmap]
	users        *kind[*veikart.User]
	agencies     *kind[*veikart.Agency]
	directory    *directory      // the first agencies by name (directory.go)
	shared       *kind[[]string] // agency id -> its index of roadmaps (AgencyRoadmapIDs)
	sessions     *kind[*sessionDoc]
	passkeyUsers *kind[passkeyUserDoc]
	notices      *kind[*agencyNoticesDoc]
	logPages     *kind[*logPage]
	// Messages (messages.go): conversations and the agencies' inboxes.
	conversations *kind[*veikart.Conversation]
	inboxes       *kind[*inboxDoc]
	reviews       *kind[*reviewList] // reviews.go
	logHeads      *cache[int64]      // log key -> its last page (exact in exclusive mode, a hint else)
	reads         readCounts         // the access log's repeated reads, counted (audit.go)
	stopCounts    chan struct{}
	countsDone    chan struct{}
	// Check-ins (checkins.go): a roadmap's readings, a document a year.
	readingYears *kind[*veikart.ReadingYear]

	// erased holds the roadmaps erased by this process, so that a request
	// that read one just before will not append to its deleted log.
	erased *cache[bool]
	// blockerKey is the HMAC key of the blocker reports, once read
	// (blockers.go).
	blockerKey atomic.Pointer[[]byte]
}

// serverSelection is how long a command waits for a database server it can
// use before it fails (503 to the client, with Retry-After). The driver's
// default, 30 s, and our earlier 10 s kept every request during an outage
// hanging that long (measured: each 503 took 10.0 s). Two seconds covers a
// connection being re-established; during a replica set election (up to
// ~12 s) writes answer 503 quickly and the app's queue sends them again.
const serverSelection = 2 * time.Second

// Open connects to the MongoDB server at uri and uses database dbName.
func Open(ctx context.Context, uri, dbName string, opts Options) (*Store, error) {
	if opts.RoundTrip <= 0 {
		opts.RoundTrip = DefaultRoundTrip
		if opts.Exclusive {
			// The embedded store runs in this process: it cannot freeze
			// or be cut off apart from us, and a busy machine (make test
			// under -race) can take longer than 2 s for one exchange.
			opts.RoundTrip = 30 * time.Second
		}
	}
	client, err := mongo.Connect(options.Client().ApplyURI(uri).
		SetAppName("veikart").
		SetTimeout(30 * time.Second).
		SetServerSelectionTimeout(serverSelection).
		SetDialer(&boundedDialer{Dialer: net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}, roundTrip: opts.RoundTrip}).
		// Polled, not streamed: a streaming monitor's awaitable hello
		// waits up to 10 s by design, longer than a round trip may.
		SetServerMonitoringMode(options.ServerMonitoringModePoll).
		SetMonitor(opts.Monitor))
	if err != nil {
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	if opts.CacheSize <= 0 {
		opts.CacheSize = 20_000
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	s := &Store{client: client, db: client.Database(dbName), opts: opts, erased: newCache[bool](10_000)}
	// The engine choice: with the round trip above, the one place that
	// asks which mode this is (engine.go says what differs).
	copies := 0 // how many documents of a kind to keep in memory
	if opts.Exclusive {
		s.eng, copies = exclusiveEngine{commits: newCommitter(), locks: &s.locks}, opts.CacheSize
	} else {
		s.eng = sharedEngine{}
	}
	s.roadmaps = s.roadmapKind(newCache[*veikart.Roadmap](copies))
	s.users = s.userKind(newCache[*veikart.User](copies))
	s.agencies = s.agencyKind(newCache[*veikart.Agency](copies))
	s.directory = &directory{}
	if !opts.Exclusive {
		s.directory.ttl = directoryTTL
	}
	s.shared = s.sharedKind(newCache[[]string](copies))
	s.notices = s.noticesKind(newCache[*agencyNoticesDoc](copies / 10))
	s.logPages = s.logPageKind(newCache[*logPage](copies / 4))
	// Conversations are bigger than roadmaps (up to 200 messages of up
	// to 4000 characters): fewer copies. Without any, a send took 1.8 ms
	// rather than 0.8, and a read that marks nothing read 1.2 ms rather
	// than 0.3 µs (BenchmarkMessages).
	s.conversations = s.conversationKind(newCache[*veikart.Conversation](copies / 20))
	s.inboxes = s.inboxKind(newCache[*inboxDoc](copies / 10))
	s.reviews = s.reviewKind()
	// A history reads a document per year (a missing one is kept as an
	// empty copy too). A busy family's year holds a few hundred readings,
	// some 100 KB: as few copies as of conversations. Read from the
	// database, three full years took 42 ms on a shared machine, from the
	// copies 1.5 ms (BenchmarkCheckIns/history-read).
	s.readingYears = s.readingYearKind(newCache[*veikart.ReadingYear](copies / 20))
	// Both are kept in both modes: the head is only a starting point on a
	// shared database (lastPage), and a replica counts only the repeats
	// of the reads it logged itself.
	s.logHeads = newCache[int64](max(copies, 20_000))
	s.reads = readCounts{open: newCache[openRead](100_000), pending: map[string]*pageCounts{}}
	s.stopCounts, s.countsDone = make(chan struct{}), make(chan struct{})
	go s.countsLoop(s.stopCounts, s.countsDone)
	s.sessions = s.sessionKind()
	s.passkeyUsers = s.passkeyUserKind()
	return s, nil
}

// EnsureSchema creates the collections and every index that MongoDB needs for
// the queries this package makes. It is idempotent and runs at start-up.
func (s *Store) EnsureSchema(ctx context.Context) error {
	colls := append([]string{roadmapsColl, usersColl, sessionsColl, agenciesColl, sharedColl, auditColl, invitesColl, pushColl}, ReminderCollections...)
	colls = append(colls, PasskeyCollections...)
	colls = append(colls, EraseCollections...)
	colls = append(colls, MessageCollections...)
	colls = append(colls, BlockerCollections...)
	colls = append(colls, ReviewCollections...)
	colls = append(colls, CheckinCollections...)
	colls = append(colls, onceColl, calendarColl)
	for _, name := range colls {
		err := s.db.CreateCollection(ctx, name)
		var ce mongo.CommandError
		if err != nil && !(errors.As(err, &ce) && ce.Code == 48) { // 48: NamespaceExists
			return fmt.Errorf("create collection %s: %w", name, err)
		}
	}
	indexes := []struct {
		coll, name string
		keys       bson.D
	}{
		// No unique index here: NoSecondaryIndexes would skip it, and
		// uniqueness must hold on every store.
		//
		// "My roadmaps" by query, for operators and erasure; the API itself
		// uses the owner's user document, an _id lookup.
		{roadmapsColl, "owners", bson.D{{Key: "owners", Value: 1}}},
		{sessionsColl, "userId", bson.D{{Key: "userId", Value: 1}}},
		{sessionsColl, "expiresAt", bson.D{{Key: "expiresAt", Value: 1}}},
		// Erasure's sweeps (erase.go): rare, but each must be an index
		// lookup on MongoDB. Prefixes of _id need none.
		{invitesColl, "roadmapId", bson.D{{Key: "roadmapId", Value: 1}}},
		{sharedColl, "roadmapIds", bson.D{{Key: "roadmapIds", Value: 1}}},
		{usersColl, "roadmapIds", bson.D{{Key: "roadmapIds", Value: 1}}},
		{slotsColl, "jobs", bson.D{{Key: "jobs", Value: 1}}},
		// A person's erasure finds the log pages they act in; retention
		// finds the old pages.
		{auditColl, "u", bson.D{{Key: "u", Value: 1}}},
		{auditColl, "t", bson.D{{Key: "t", Value: 1}}},
		{passkeysColl, "userId", bson.D{{Key: "userId", Value: 1}}},
		// A person's erasure finds their calendar feeds' keys.
		{calendarColl, "userId", bson.D{{Key: "userId", Value: 1}}},
		// A person's erasure finds the conversations they wrote in.
		{convColl, "users", bson.D{{Key: "users", Value: 1}}},
		// ... and the check-ins they recorded.
		{checkinsColl, "users", bson.D{{Key: "users", Value: 1}}},
		{enrolmentsColl, "userId", bson.D{{Key: "userId", Value: 1}}},
		{enrolmentsColl, "createdBy", bson.D{{Key: "createdBy", Value: 1}}},
		{onceColl, "v.userId", bson.D{{Key: "v.userId", Value: 1}}},
		{onceColl, "v.roadmapId", bson.D{{Key: "v.roadmapId", Value: 1}}},
	}
	have := map[string]map[string]bool{}
	for _, ix := range indexes {
		if have[ix.coll] == nil {
			names, err := s.indexNames(ctx, ix.coll)
			if err != nil {
				return err
			}
			have[ix.coll] = names
		}
		if s.opts.NoSecondaryIndexes {
			if have[ix.coll][ix.name] {
				if err := s.db.Collection(ix.coll).Indexes().DropOne(ctx, ix.name); err != nil {
					return fmt.Errorf("drop unused index %s on %s: %w", ix.name, ix.coll, err)
				}
			}
			continue
		}
		// One at a time and only the missing ones: FerretDB 1.24 panics on a
		// createIndexes command that repeats existing indexes.
		if have[ix.coll][ix.name] {
			continue
		}
		model := mongo.IndexModel{Keys: ix.keys, Options: options.Index().SetName(ix.name)}
		if _, err := s.db.Collection(ix.coll).Indexes().CreateOne(ctx, model); err != nil {
			return fmt.Errorf("create index %s on %s: %w", ix.name, ix.coll, err)
		}
	}
	// Indexes of layouts gone by: the access log's entries had a userId.
	if names, err := s.indexNames(ctx, auditColl); err != nil {
		return err
	} else if names["userId"] {
		if err := s.db.Collection(auditColl).Indexes().DropOne(ctx, "userId"); err != nil {
			return fmt.Errorf("drop index userId on %s: %w", auditColl, err)
		}
	}
	return s.moveLegacyLogs(ctx)
}

func (s *Store) indexNames(ctx context.Context, coll string) (map[string]bool, error) {
	cur, err := s.db.Collection(coll).Indexes().List(ctx)
	if err != nil {
		return nil, fmt.Errorf("list indexes on %s: %w", coll, err)
	}
	var specs []struct {
		Name string `bson:"name"`
	}
	if err := cur.All(ctx, &specs); err != nil {
		return nil, fmt.Errorf("list indexes on %s: %w", coll, err)
	}
	have := make(map[string]bool, len(specs))
	for _, sp := range specs {
		have[sp.Name] = true
	}
	return have, nil
}

// DatabaseName returns the name of the database the store uses.
func (s *Store) DatabaseName() string { return s.db.Name() }

// pingTimeout bounds a readiness check: a probe (Kubernetes waits 1 s by
// default) should see a 503, not time out itself.
const pingTimeout = 900 * time.Millisecond

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	if err := s.db.RunCommand(ctx, bson.D{{Key: "ping", Value: 1}}).Err(); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// Close disconnects from the database.
func (s *Store) Close(ctx context.Context) error {
	close(s.stopCounts)
	<-s.countsDone
	s.eng.close()
	if err := s.client.Disconnect(ctx); err != nil {
		return fmt.Errorf("disconnect from database: %w", err)
	}
	return nil
}

// DropDatabase removes the store's database. Tests use it.
func (s *Store) DropDatabase(ctx context.Context) error {
	if err := s.db.Drop(ctx); err != nil {
		return fmt.Errorf("drop database: %w", err)
	}
	return nil
}

// mapError turns driver errors into domain errors where they have a meaning
// for the caller, and wraps the rest with context.
func mapError(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	what := fmt.Sprintf(format, args...)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return &veikart.Error{Code: veikart.ENOTFOUND, Message: "Not found."}
	case mongo.IsDuplicateKeyError(err):
		return &veikart.Error{Code: veikart.ECONFLICT, Message: "It exists already."}
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled),
		mongo.IsTimeout(err), mongo.IsNetworkError(err), isServerSelection(err), isBackendAway(err):
		return fmt.Errorf("%s: %w", what, &unavailableError{err})
	case isStorageFull(err):
		return fmt.Errorf("%s: %w", what, &storageFullError{err})
	}
	return fmt.Errorf("%s: %w", what, err)
}

// unavailableError marks an error as the database being out of reach, which
// the API reports as 503 rather than 500. The cause stays in the server log.
type unavailableError struct{ cause error }

func (e *unavailableError) Error() string { return "database unavailable: " + e.cause.Error() }
func (e *unavailableError) Unwrap() []error {
	return []error{e.cause, &veikart.Error{Code: veikart.EUNAVAILABLE, Message: "The service is temporarily unavailable. Try again shortly."}}
}

// backendAway are what FerretDB passes on, inside an InternalError, when
// the PostgreSQL under it is gone, restarting or refusing: SQLSTATE class
// 08 (connection exceptions), 57P01-57P03 (shut down by an administrator,
// a crash, starting up), 53300 (too many connections), and pgx's words for
// a connection that could not be made or was lost. MongoDB's own
// InternalError (a bug) matches none of them and stays a 500.
var backendAway = []string{
	"(SQLSTATE 08", "(SQLSTATE 57P0", "(SQLSTATE 53300)",
	"failed to connect to", "dial error", "conn closed", "connection reset by peer", "broken pipe",
	"unexpected EOF", "the database system is",
}

// isBackendAway reports an InternalError from FerretDB that says its
// backend cannot be reached: the database is away, not broken.
func isBackendAway(err error) bool {
	var ce mongo.CommandError
	if !errors.As(err, &ce) || (ce.Code != 1 && ce.Name != "InternalError") {
		return false
	}
	for _, s := range backendAway {
		if strings.Contains(ce.Message, s) {
			return true
		}
	}
	return false
}

// storageFull are the words for a disk that is full: SQLite's (the
// embedded store, through FerretDB), PostgreSQL's disk_full (53100) and
// the system's ENOSPC, wherever it surfaces.
var storageFull = []string{"database or disk is full", "SQLITE_FULL", "(SQLSTATE 53100)", "no space left on device"}

func isStorageFull(err error) bool {
	msg := err.Error()
	for _, s := range storageFull {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// storageFullError marks an error as the database's disk being full: the
// API answers 507 with Retry-After, and readiness fails until a write
// succeeds again (Store.ProbeWrite).
type storageFullError struct{ cause error }

func (e *storageFullError) Error() string { return "storage full: " + e.cause.Error() }
func (e *storageFullError) Unwrap() []error {
	return []error{e.cause, &veikart.Error{Code: veikart.ESTORAGEFULL, Message: "The server's storage is full, so nothing can be saved right now. Your change is kept on your phone; try again later."}}
}

// ProbeWrite writes one small document, to learn whether the database can
// write again after its disk was full.
func (s *Store) ProbeWrite(ctx context.Context) error {
	_, err := s.db.Collection(probeColl).UpdateOne(ctx, bson.D{{Key: "_id", Value: "write"}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: 1}}}}, options.UpdateOne().SetUpsert(true))
	return mapError(err, "probe a write")
}

func isServerSelection(err error) bool {
	msg := err.Error()
	return errors.Is(err, mongo.ErrClientDisconnected) ||
		strings.Contains(msg, "server selection error") || strings.Contains(msg, "connection refused")
}

// stripes serialises read-modify-write cycles on one document within this
// process. A fixed array of mutexes per kind of key (the part before ':')
// keeps memory flat however many documents there are; two ids sharing a
// stripe only wait for each other briefly.
//
// Each kind has its own array, so that code holding one kind's lock may take
// another kind's (a session's, then an agency's) without ever finding the
// same mutex: the mutexes are not reentrant. Nothing takes two locks of one
// kind at once.
type stripes struct {
	seed  maphash.Seed
	once  sync.Once
	mu    sync.Mutex
	kinds map[string]*[256]sync.Mutex
}

func (s *stripes) lock(key string) func() {
	s.once.Do(func() {
		s.seed = maphash.MakeSeed()
		s.kinds = map[string]*[256]sync.Mutex{}
	})
	kind, _, _ := strings.Cut(key, ":")
	s.mu.Lock()
	arr := s.kinds[kind]
	if arr == nil {
		arr = new([256]sync.Mutex)
		s.kinds[kind] = arr
	}
	s.mu.Unlock()
	m := &arr[maphash.String(s.seed, key)%uint64(len(arr))]
	m.Lock()
	return m.Unlock
}

// cache is a bounded map with random eviction: cheap, and with a cache big
// enough for the active households, misses are rare enough not to matter.
// A nil cache (shared mode) keeps nothing.
type cache[T any] struct {
	mu  sync.RWMutex
	m   map[string]T
	max int
}

// newCache returns a cache of max entries; none (nil) for max 0.
func newCache[T any](max int) *cache[T] {
	if max <= 0 {
		return nil
	}
	return &cache[T]{m: make(map[string]T, min(max, 1024)), max: max} // grown as filled: many stores (tests) stay small
}

func (c *cache[T]) get(id string) (T, bool) {
	if c == nil {
		var zero T
		return zero, false
	}
	c.mu.RLock()
	v, ok := c.m[id]
	c.mu.RUnlock()
	return v, ok
}

func (c *cache[T]) put(id string, v T) {
	if c == nil {
		return
	}
	c.mu.Lock()
	if _, ok := c.m[id]; !ok && len(c.m) >= c.max {
		for k := range c.m { // Go randomises map iteration order
			delete(c.m, k)
			break
		}
	}
	c.m[id] = v
	c.mu.Unlock()
}

// keep drops the entries keep says no to. The survivors go into a new map:
// a Go map never gives back the room of entries deleted from it.
func (c *cache[T]) keep(keep func(T) bool) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	m := make(map[string]T, min(c.max, 1024))
	for k, v := range c.m {
		if keep(v) {
			m[k] = v
		}
	}
	c.m = m
}

func (c *cache[T]) delete(id string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	delete(c.m, id)
	c.mu.Unlock()
}
