package embedded

import (
	"context"
	"database/sql"
	"log/slog"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// checkpointEvery is how often the WAL is copied back into the database files.
const checkpointEvery = time.Second

// walRestartFrames is the WAL length (in pages of 4 KiB) past which the
// checkpointer also starts the WAL over from its beginning: 64 MiB. A
// variable only so that a test can make it small.
var walRestartFrames int64 = 16384

// walSizeLimit is what the WAL file is cut back to when it starts over
// (journal_size_limit), so that a burst does not keep its disk space.
func walSizeLimit() int64 { return walRestartFrames * 4096 }

// restartWait bounds how long a restarting checkpoint waits for readers of
// old snapshots; writers wait behind it meanwhile, so it is kept short and
// simply tried again a second later.
const restartWait = 50 * time.Millisecond

// checkpoint copies committed WAL frames into the database files, in the
// background, until ctx ends.
//
// By default SQLite checkpoints inside whichever commit pushes the WAL past
// 1,000 pages: that request then pays for copying and fsyncing the database
// file (measured: a quarter of the store's CPU per write, and the long latency
// tail under load). Start turns that off (wal_autocheckpoint(0)) and this loop
// does the work instead. A PASSIVE checkpoint never blocks readers or writers,
// and a page changed many times within a second is copied once.
//
// But a PASSIVE checkpoint never starts the WAL over: SQLite does that only
// when a writer finds every frame copied and no reader on the WAL, which a
// steady stream of writes never allows. Then the WAL grows without end
// (measured: 1.2 GB in a 10-minute soak at 955 requests/s), and every page
// read searches an index that grows with it, so the same load gets slower
// by the minute. So once the WAL passes walRestartFrames, the loop asks for
// a RESTART checkpoint, which waits (up to restartWait) for readers to move
// to the newest snapshot, so that the next writer starts the WAL over.
func checkpoint(ctx context.Context, dir string, logger *slog.Logger) {
	conns := map[string]*sql.DB{}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		low := lowOnSpace(dir)
		files, _ := filepath.Glob(filepath.Join(dir, "*.sqlite"))
		for _, f := range files {
			c, ok := conns[f]
			if !ok {
				var err error
				if c, err = sql.Open("sqlite", "file:"+f+"?_pragma=busy_timeout("+strconv.FormatInt(restartWait.Milliseconds(), 10)+")"); err != nil {
					logger.Error("embedded store: open for checkpoint", "file", f, "err", err)
					continue
				}
				c.SetMaxOpenConns(1)
				conns[f] = c
			}
			if err := checkpointFile(ctx, c, low); err != nil && ctx.Err() == nil {
				logger.Error("embedded store: checkpoint", "file", f, "err", err)
			}
		}
	}
}

// checkpointFile runs a passive checkpoint and, if the WAL has grown past
// walRestartFrames, a restarting one. A restart that finds readers still
// busy after restartWait is not an error: it is tried again next time.
// When the disk is low on space (low), every tick truncates the WAL to
// nothing once copied, so that it never holds space the data needs.
func checkpointFile(ctx context.Context, c *sql.DB, low bool) error {
	var busy, frames, copied int64
	if err := c.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &copied); err != nil {
		return err
	}
	if low && frames > 0 {
		return c.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &frames, &copied)
	}
	if frames < walRestartFrames {
		return nil
	}
	return c.QueryRowContext(ctx, `PRAGMA wal_checkpoint(RESTART)`).Scan(&busy, &frames, &copied)
}

// lowSpaceFactor: the disk is low on space when less is free than this many
// WALs of walRestartFrames (4 × 64 MiB): then a full WAL could not be
// copied back into the database files, which needs room for the pages it
// changes. deploy/runbooks/disk-full.md says the same to operators.
const lowSpaceFactor = 4

// lowOnSpace reports whether the file system of dir has less free space
// than lowSpaceFactor WALs. An error reading it counts as not low.
func lowOnSpace(dir string) bool {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return false
	}
	return int64(st.Bavail)*st.Bsize < lowSpaceFactor*walSizeLimit()
}
