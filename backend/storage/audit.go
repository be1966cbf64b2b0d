package storage

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/veikart/veikart/backend/veikart"
)

// A log (a roadmap's access log, a person's security log, the logs of
// recovery codes) is kept under its key in pages: documents with _id
// "<key>/p<n>", n = 1, 2, 3 ..., each holding up to pageSlots entries
// (logentry.go), oldest first, and a head "<key>/h" that names the last
// page. Entry i of page n is number (n-1)*pageSlots + i + 1 in its log,
// which is its id and a cursor: a page of the log is a few _id lookups on
// every store. A page may close before all its slots are used (pageBytes);
// the numbers it did not use are never used.
//
// Appending changes the last page through the engine (engine.go): in
// exclusive mode from its in-memory copy, so one replace and no read; on a
// shared database as a compare-and-swap on the page's rev.
//
// A repeated read (the same person, agency, role and sections within
// veikart.ReadWindow of an entry's first read) writes no new entry: it
// counts into the open one. The count is kept in memory and written to the
// page every countFlush, in one rewrite per page however many reads came;
// the entry itself was stored before the first read's answer left. A crash
// can lose the count of the repeats in the last countFlush (and a second),
// never the entry that says the person read those sections at that time.
type logPage struct {
	ID    string
	Rev   int64
	Last  time.Time // the newest time on the page: retention deletes by it
	Users []string  // who acts in its entries: erasure finds them by it
	E     []string
	bytes int // the length of E's strings
}

// pageDoc is a page as stored. The entries are one string, a line each:
// FerretDB stores a type beside every element of an array (about 14 bytes
// per entry), and a page kept within one SQLite page (4 KiB) spills into
// no overflow page, which would be mostly empty.
type pageDoc struct {
	ID    string    `bson:"_id"`
	Rev   int64     `bson:"r"`
	Last  time.Time `bson:"t"`
	Users []string  `bson:"u"`
	E     string    `bson:"e"`
}

func (p *logPage) doc() pageDoc {
	return pageDoc{ID: p.ID, Rev: p.Rev, Last: p.Last, Users: p.Users, E: strings.Join(p.E, "\n")}
}

func (d *pageDoc) page() *logPage {
	p := &logPage{ID: d.ID, Rev: d.Rev, Last: d.Last.UTC(), Users: d.Users, bytes: len(d.E)}
	if d.E != "" {
		p.E = strings.Split(d.E, "\n")
	}
	return p
}

type logHead struct {
	ID   string `bson:"_id"`
	Page int64  `bson:"p"`
}

const (
	// pageSlots is the most entries a page holds, and pageBytes the most a
	// page may take as FerretDB stores it (estimated by size): two full
	// pages fit a SQLite page (4 KiB; a row of more than 4 061 bytes
	// spills into an overflow page, mostly empty). Every new entry
	// rewrites its page: 3 700 bytes took 100.6 bytes on disk per entry
	// (BenchmarkLogBytes), 1 900 bytes 103.4 for half the rewriting, 1 250
	// bytes 119.8.
	pageSlots = 64
	pageBytes = 1900
	// countFlush is how long counted repeat reads wait to be written:
	// each page with new counts is rewritten whole, so at 1 000
	// households read all the time, 2 s cost a fifth of the server's CPU
	// (measured).
	countFlush = 10 * time.Second
)

// full reports whether p has no room for an entry of n bytes by userID. An
// empty page takes any entry.
func (p *logPage) full(n int, userID string) bool {
	if len(p.E) == 0 {
		return false
	}
	if !slices.Contains(p.Users, userID) {
		n += len(userID) + userCost
	}
	return len(p.E) >= pageSlots || p.size()+n+1 > pageBytes
}

// size estimates what p takes as FerretDB stores it: the entries, each of
// its users with the type FerretDB writes beside each element of an array,
// and the rest (the field names twice, the types, the id).
func (p *logPage) size() int {
	n := p.bytes + 160 + 2*len(p.ID)
	for _, u := range p.Users {
		n += len(u) + userCost
	}
	return n
}

// userCost is what one element of the users array takes beyond its text:
// `"",` and `{"t":"string"},`.
const userCost = 19

func pageID(key string, n int64) string { return key + "/p" + strconv.FormatInt(n, 10) }
func headID(key string) string          { return key + "/h" }

// logPageKind: pages are compared on their rev; a missing page is an empty
// one, which update inserts.
func (s *Store) logPageKind(copies *cache[*logPage]) *kind[*logPage] {
	coll := s.db.Collection(auditColl)
	return &kind[*logPage]{
		name: "log page", coll: coll, lock: "l:", cache: copies,
		load:     findOrEmpty(coll, "log page", func(id string) *logPage { return &logPage{ID: id} }, infallible((*pageDoc).page)),
		doc:      func(p *logPage) (any, error) { return p.doc(), nil },
		cas:      func(p *logPage) bson.D { return bson.D{{Key: "r", Value: p.Rev}} },
		conflict: "The log is being written by many at once. Try again.",
	}
}

// with returns a copy of p with entry i (or a new one, for i = len) set to
// enc, at is its newest time and userID its actor.
func (p *logPage) with(i int, enc string, at time.Time, userID string) *logPage {
	next := &logPage{ID: p.ID, Rev: p.Rev + 1, Last: p.Last, Users: p.Users, E: slices.Clone(p.E), bytes: p.bytes}
	if i == len(next.E) {
		next.E = append(next.E, enc)
		next.bytes += len(enc) + 1
	} else {
		next.bytes += len(enc) - len(next.E[i])
		next.E[i] = enc
	}
	if at.After(next.Last) {
		next.Last = at.UTC()
	}
	if !slices.Contains(next.Users, userID) {
		next.Users = append(slices.Clone(next.Users), userID)
	}
	return next
}

// errPageFull tells append to move on to the next page.
var errPageFull = fmt.Errorf("log page full")

// AppendAudit adds e to the log under key, as a new entry. It returns only
// once the entry is stored: a caller that shows data after logging it never
// shows unlogged data.
func (s *Store) AppendAudit(ctx context.Context, key string, e veikart.AuditEvent) error {
	_, _, err := s.appendEntry(ctx, key, e)
	return err
}

// appendEntry stores e as the last entry of key's log and returns where.
func (s *Store) appendEntry(ctx context.Context, key string, e veikart.AuditEvent) (page int64, index int, err error) {
	if _, gone := s.erased.get(key); gone {
		return 0, 0, &veikart.Error{Code: veikart.ENOTFOUND, Message: "Not found."}
	}
	n, err := s.lastPage(ctx, key)
	if err != nil {
		return 0, 0, err
	}
	n = max(n, 1)
	e.At = e.At.UTC()
	enc := encodeEntry(e)
	for range 1000 {
		_, err := update(ctx, s, s.logPages, pageID(key, n), func(p *logPage) (*logPage, bool, error) {
			if _, gone := s.erased.get(key); gone {
				return nil, false, &veikart.Error{Code: veikart.ENOTFOUND, Message: "Not found."}
			}
			if p.full(len(enc), e.UserID) {
				return nil, false, errPageFull
			}
			index = len(p.E)
			return p.with(index, enc, e.At, e.UserID), true, nil
		})
		if err == errPageFull {
			n++
			continue
		}
		if veikart.ErrorCode(err) == veikart.ECONFLICT {
			// On a shared database, other replicas kept appending to
			// the page first: try again, as many times as the loop
			// allows (a log entry must not fail for being busy).
			continue
		}
		if err != nil {
			return 0, 0, fmt.Errorf("append to log %s: %w", key, err)
		}
		if index == 0 { // a new page: the head moves on
			if err := s.setLastPage(ctx, key, n); err != nil {
				return 0, 0, err
			}
		}
		return n, index, nil
	}
	return 0, 0, fmt.Errorf("append to log %s: no room after 1000 pages", key)
}

// lastPage is the number of the last page of key's log (0 for none). In
// exclusive mode the number this process keeps, once it has one, is exact:
// it is the only writer. Else it looks past the head for pages a writer
// made after it: another replica, or a process that stopped between
// writing a new page and its head.
func (s *Store) lastPage(ctx context.Context, key string) (int64, error) {
	n, ok := s.logHeads.get(key)
	if ok && s.logPages.cache != nil {
		return n, nil
	}
	if !ok {
		var h logHead
		err := s.db.Collection(auditColl).FindOne(ctx, byID(headID(key))).Decode(&h)
		if err != nil && veikart.ErrorCode(mapError(err, "")) != veikart.ENOTFOUND {
			return 0, mapError(err, "read log head %s", key)
		}
		n = h.Page
	}
	for {
		p, err := read(ctx, s, s.logPages, pageID(key, n+1))
		if err != nil {
			return 0, err
		}
		if len(p.E) == 0 {
			break
		}
		n++
	}
	s.logHeads.put(key, n)
	return n, nil
}

// setLastPage moves key's head to page n, never back.
func (s *Store) setLastPage(ctx context.Context, key string, n int64) error {
	_, err := s.db.Collection(auditColl).UpdateOne(ctx, byID(headID(key)),
		bson.D{{Key: "$max", Value: bson.D{{Key: "p", Value: n}}}}, options.UpdateOne().SetUpsert(true))
	if err != nil {
		s.logHeads.delete(key)
		return mapError(err, "move log head %s", key)
	}
	s.logHeads.put(key, n)
	return nil
}

// An open read is the entry that repeats of a read count into.
type openRead struct {
	page  int64
	index int
	first time.Time
	until time.Time
}

// readCounts holds the counted repeats not yet written, per page.
type readCounts struct {
	mu      sync.Mutex
	open    *cache[openRead]
	pending map[string]*pageCounts // by page id
	// latest is the newest read's time, on the service's clock (the one
	// open reads' windows are on); swept is when open reads whose window
	// closed were last dropped, on the machine's.
	latest time.Time
	swept  time.Time
}

// sweepEvery is how often open reads whose window has closed are dropped,
// so that the memory they take follows the reads of the last window or
// two, not every pair of person and roadmap read since the start.
const sweepEvery = veikart.ReadWindow / 2

// sweepOpen drops the open reads whose window closed before the newest
// read, once every sweepEvery.
func (c *readCounts) sweepOpen(now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if now.Sub(c.swept) < sweepEvery {
		return
	}
	c.swept = now
	latest := c.latest
	c.open.keep(func(o openRead) bool { return o.until.After(latest) })
}

// pageCounts are a page's repeats not yet written: since when (this
// process's clock), and per entry index how many more and the last.
type pageCounts struct {
	key    string // the log's
	since  time.Time
	counts map[int]pending
}

type pending struct {
	n    int
	last time.Time
}

// add counts n more reads, the last at last, into entry i of page id.
// Callers hold c.mu.
func (c *readCounts) add(id, key string, i, n int, last time.Time) {
	pc := c.pending[id]
	if pc == nil {
		pc = &pageCounts{key: key, since: time.Now(), counts: map[int]pending{}}
		c.pending[id] = pc
	}
	p := pc.counts[i]
	pc.counts[i] = pending{n: p.n + n, last: later(p.last, last)}
}

func readKey(key string, e veikart.AuditEvent) string {
	secs := make([]string, len(e.Sections))
	for i, s := range e.Sections {
		secs[i] = string(s)
	}
	return strings.Join([]string{key, e.UserID, e.AgencyID, e.Role, string(e.Action), strings.Join(secs, ",")}, "\x00")
}

// RecordRead adds a read e (veikart.AuditRead, or another kind of read such
// as veikart.AuditReadMessages; none is AuditRead) to key's log: a new
// entry, or, when the same person read the same sections for the same
// agency less than
// veikart.ReadWindow before and that entry is stored, a count on it. It
// returns once the read is recorded: stored as an entry, or counted into
// a stored one.
func (s *Store) RecordRead(ctx context.Context, key string, e veikart.AuditEvent) error {
	if _, gone := s.erased.get(key); gone {
		return &veikart.Error{Code: veikart.ENOTFOUND, Message: "Not found."}
	}
	if e.Action == "" {
		e.Action = veikart.AuditRead
	}
	rk := readKey(key, e)
	c := &s.reads
	c.mu.Lock()
	c.latest = later(c.latest, e.At)
	if o, ok := c.open.get(rk); ok && !e.At.Before(o.first) && e.At.Before(o.until) {
		c.add(pageID(key, o.page), key, o.index, 1, e.At)
		c.mu.Unlock()
		return nil
	}
	c.mu.Unlock()
	e.Count, e.LastAt = 1, time.Time{}
	page, index, err := s.appendEntry(ctx, key, e)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.open.put(rk, openRead{page: page, index: index, first: e.At, until: e.At.Add(veikart.ReadWindow)})
	c.mu.Unlock()
	return nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// flushCounts writes the counted repeats that have waited countFlush (all
// of them, with all set) to their entries, one rewrite per page. Pages are
// due one by one, each countFlush after its first repeat, so the writes
// come spread over time, not in a burst that the writes of roadmaps would
// queue behind. A page gone meanwhile (erased, or past retention) takes its
// counts with it; a page that could not be written keeps them.
func (s *Store) flushCounts(ctx context.Context, all bool) error {
	c := &s.reads
	due := time.Now().Add(-countFlush)
	work := map[string]*pageCounts{}
	c.mu.Lock()
	for id, pc := range c.pending {
		if all || !pc.since.After(due) {
			work[id] = pc
			delete(c.pending, id)
		}
	}
	c.mu.Unlock()
	var firstErr error
	for id, pc := range work {
		if _, gone := s.erased.get(pc.key); gone {
			continue
		}
		if err := s.writeCounts(ctx, id, pc.counts); err != nil {
			c.mu.Lock()
			for i, add := range pc.counts {
				c.add(id, pc.key, i, add.n, add.last)
			}
			c.mu.Unlock()
			if firstErr == nil {
				firstErr = err
			}
		}
	}
	return firstErr
}

// writeCounts adds counts to the entries of page id.
func (s *Store) writeCounts(ctx context.Context, id string, counts map[int]pending) error {
	_, err := update(ctx, s, s.logPages, id, func(p *logPage) (*logPage, bool, error) {
		if len(p.E) == 0 {
			return nil, false, nil // not there: nothing to count into
		}
		next := p
		for i, add := range counts {
			if i >= len(next.E) {
				continue
			}
			e, err := decodeEntry(next.E[i])
			if err != nil {
				return nil, false, err
			}
			e.Count += add.n
			e.LastAt = later(e.LastAt, add.last)
			next = next.with(i, encodeEntry(e), e.LastAt, e.UserID)
		}
		return next, next != p, nil
	})
	if err != nil {
		// Not the page's id: a security log's names the person, and this
		// goes to the server's log.
		return fmt.Errorf("write read counts to a page of %s: %w", logKind(id), err)
	}
	return nil
}

// logKind names the sort of log page id belongs to, for the server's log.
func logKind(id string) string {
	if strings.HasPrefix(id, veikart.SecurityLogKey("")) {
		return "a person's security log"
	}
	return "a roadmap's access log"
}

// countsLoop writes the counted repeats that are due every second until
// stop closes, and all of them then; now and then it drops the open reads
// whose window has closed.
func (s *Store) countsLoop(stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-stop:
			if err := s.flushCounts(context.Background(), true); err != nil {
				s.opts.Log.Error("access log: counts of repeated reads not written at close", "err", err)
			}
			return
		}
		if err := s.flushCounts(context.Background(), false); err != nil {
			s.opts.Log.Warn("access log: counts of repeated reads not written yet", "err", err)
		}
		s.reads.sweepOpen(time.Now())
	}
}

// pendingFor adds the counts not yet written to the entries of page id.
func (s *Store) pendingFor(id string, events []veikart.AuditEvent) {
	c := &s.reads
	c.mu.Lock()
	defer c.mu.Unlock()
	pc := c.pending[id]
	if pc == nil {
		return
	}
	for i, add := range pc.counts {
		if i < len(events) {
			events[i].Count += add.n
			events[i].LastAt = later(events[i].LastAt, add.last)
		}
	}
}

// AuditPage returns up to limit entries of the log under key, newest first,
// starting after cursor ("" for the newest), and the cursor of the next
// page ("" when there is none). A cursor names a position, so entries added
// while someone pages do not shift the pages.
func (s *Store) AuditPage(ctx context.Context, key, cursor string, limit int) ([]veikart.AuditEvent, string, error) {
	top, err := s.topSeq(ctx, key, cursor)
	if err != nil || top == 0 {
		return nil, "", err
	}
	limit = max(limit, 1)
	out := make([]veikart.AuditEvent, 0, min(int64(limit), top))
	seq := top
	for seq >= 1 && len(out) < limit {
		n := (seq-1)/pageSlots + 1
		events, err := s.pageEvents(ctx, key, n)
		if err != nil {
			return nil, "", err
		}
		if len(events) == 0 {
			seq = 0 // the pages before are past retention
			break
		}
		first := (n - 1) * pageSlots // seq of the page's entry 0, less one
		for ; seq > first && len(out) < limit; seq-- {
			if i := seq - first - 1; i < int64(len(events)) {
				out = append(out, events[i])
			}
		}
	}
	next := ""
	if seq >= 1 {
		next = strconv.FormatInt(seq, 10)
	}
	return out, next, nil
}

// topSeq is the number of the entry a page of key's log starts from: the
// cursor's, or for none the newest entry's (0 for an empty log).
func (s *Store) topSeq(ctx context.Context, key, cursor string) (int64, error) {
	if cursor != "" {
		n, err := strconv.ParseInt(cursor, 10, 64)
		if err != nil || n < 1 || n > 1<<50 {
			return 0, &veikart.Error{Code: veikart.EINVALID, Message: "The page cursor is not valid.", Pointer: "cursor"}
		}
		return n, nil
	}
	n, err := s.lastPage(ctx, key)
	if err != nil || n == 0 {
		return 0, err
	}
	p, err := read(ctx, s, s.logPages, pageID(key, n))
	if err != nil {
		return 0, err
	}
	return (n-1)*pageSlots + int64(len(p.E)), nil
}

// pageEvents are the entries of page n of key's log, oldest first, with
// their ids and the counts not yet written.
func (s *Store) pageEvents(ctx context.Context, key string, n int64) ([]veikart.AuditEvent, error) {
	p, err := read(ctx, s, s.logPages, pageID(key, n))
	if err != nil {
		return nil, err
	}
	first := (n - 1) * pageSlots
	events := make([]veikart.AuditEvent, len(p.E))
	for i, enc := range p.E {
		e, err := decodeEntry(enc)
		if err != nil {
			return nil, fmt.Errorf("read log %s: %w", key, err)
		}
		e.ID = strconv.FormatInt(first+int64(i)+1, 10)
		events[i] = e
	}
	s.pendingFor(p.ID, events)
	return events, nil
}

// The index of invitation codes: _id is the code's hash, so accepting one is
// an _id lookup that leads to its roadmap; the roadmap's copy of the
// invitation decides whether it is still good.
type inviteDoc struct {
	ID        string    `bson:"_id"`
	RoadmapID string    `bson:"roadmapId"`
	ExpiresAt time.Time `bson:"expiresAt"`
}

// AddInvitationCode records which roadmap an invitation code belongs to.
func (s *Store) AddInvitationCode(ctx context.Context, codeHash, roadmapID string, expires time.Time) error {
	_, err := s.db.Collection(invitesColl).InsertOne(ctx, inviteDoc{ID: codeHash, RoadmapID: roadmapID, ExpiresAt: expires})
	return mapError(err, "store invitation code")
}

// InvitationRoadmap returns the roadmap an invitation code belongs to, or
// ENOTFOUND.
func (s *Store) InvitationRoadmap(ctx context.Context, codeHash string) (string, error) {
	var d inviteDoc
	if err := s.db.Collection(invitesColl).FindOne(ctx, bson.D{{Key: "_id", Value: codeHash}}).Decode(&d); err != nil {
		return "", mapError(err, "find invitation code")
	}
	return d.RoadmapID, nil
}

// DeleteInvitationCode forgets a used or expired code.
func (s *Store) DeleteInvitationCode(ctx context.Context, codeHash string) error {
	_, err := s.db.Collection(invitesColl).DeleteOne(ctx, bson.D{{Key: "_id", Value: codeHash}})
	return mapError(err, "delete invitation code")
}
