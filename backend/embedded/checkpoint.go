package embedded

import (
	"context"
	"database/sql"
	"log/slog"
	"path/filepath"
	"time"
)

// checkpointEvery is how often the WAL is copied back into the database files.
const checkpointEvery = time.Second

// checkpoint copies committed WAL frames into the database files, in the
// background, until ctx ends.
//
// By default SQLite checkpoints inside whichever commit pushes the WAL past
// 1,000 pages: that request then pays for copying and fsyncing the database
// file (measured: a quarter of the store's CPU per write, and the long latency
// tail under load). Start turns that off (wal_autocheckpoint(0)) and this loop
// does the work instead. A PASSIVE checkpoint never blocks readers or writers,
// and a page changed many times within a second is copied once.
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
		files, _ := filepath.Glob(filepath.Join(dir, "*.sqlite"))
		for _, f := range files {
			c, ok := conns[f]
			if !ok {
				var err error
				if c, err = sql.Open("sqlite", "file:"+f+"?_pragma=busy_timeout(1000)"); err != nil {
					logger.Error("embedded store: open for checkpoint", "file", f, "err", err)
					continue
				}
				c.SetMaxOpenConns(1)
				conns[f] = c
			}
			if _, err := c.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`); err != nil && ctx.Err() == nil {
				logger.Error("embedded store: checkpoint", "file", f, "err", err)
			}
		}
	}
}
