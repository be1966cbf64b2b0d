package embedded_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/veikart/veikart/backend/embedded"
)

// TestCheckpoint_WALStaysBounded: under writes that never pause, with reads
// alongside, the WAL starts over once it passes walRestartFrames instead of
// growing with everything written (1.2 GB in a 10-minute soak before).
func TestCheckpoint_WALStaysBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("writes for a few seconds")
	}
	// 1 MiB, so that a few seconds of writes cross it many times.
	defer embedded.SetWALRestartFrames(256)()
	ctx := context.Background()
	dir, srv, client := startWithClient(t)
	coll := client.Database("wal").Collection("docs")
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: -1}}); err != nil {
		t.Fatal(err)
	}
	if err := srv.FixIDIndexes(ctx, "wal"); err != nil { // as serve does: _id lookups use an index
		t.Fatal(err)
	}
	body := strings.Repeat("x", 4000)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var written int64
	var mu sync.Mutex
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				_, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: w*1_000_000 + i}, {Key: "b", Value: body}})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				written += int64(len(body))
				mu.Unlock()
			}
		}()
	}
	wg.Add(1)
	go func() { // a reader that is always somewhere in the WAL
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			_ = coll.FindOne(ctx, bson.D{{Key: "_id", Value: -1}}).Err()
			time.Sleep(time.Millisecond)
		}
	}()
	wal := filepath.Join(dir, "wal.sqlite-wal")
	var largest int64
	const run = 12 * time.Second
	deadline := time.Now().Add(run)
	for time.Now().Before(deadline) {
		if fi, err := os.Stat(wal); err == nil && fi.Size() > largest {
			largest = fi.Size()
		}
		time.Sleep(50 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	t.Logf("wrote %d MB of documents; the WAL was at most %.1f MB", written>>20, float64(largest)/(1<<20))
	if written < 8<<20 {
		t.Skipf("only %d MB written: too slow a machine to tell", written>>20)
	}
	// The checkpointer looks once a second, so the WAL holds up to about a
	// second of writes; without restarts it holds all of them, at about
	// four bytes of WAL per byte of document (measured: 226 MB for 51 MB;
	// with restarts 34 MB).
	if largest > written {
		t.Fatalf("WAL grew to %d bytes for %d bytes of documents in %s: it does not start over", largest, written, run)
	}
}
