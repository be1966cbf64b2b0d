package embedded_test

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/veikart/veikart/backend/embedded"
)

// startWithClient starts the embedded store in a fresh directory and
// connects to it; both stop when the test ends.
func startWithClient(t *testing.T) (dir string, srv *embedded.Server, client *mongo.Client) {
	t.Helper()
	dir = t.TempDir()
	srv, err := embedded.Start(context.Background(), dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	if client, err = mongo.Connect(options.Client().ApplyURI(srv.URI())); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	return dir, srv, client
}

// After FixIDIndexes, FerretDB's own queries by _id use an index, _id stays
// unique, and a second call changes nothing.
func TestFixIDIndexes(t *testing.T) {
	ctx := context.Background()
	dir, srv, client := startWithClient(t)
	coll := client.Database("fix").Collection("things")
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "a"}, {Key: "n", Value: 1}}); err != nil {
		t.Fatal(err)
	}

	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "fix.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// A fresh connection per statement: EXPLAIN on a pooled connection may
	// plan with the schema it read before the fix.
	db.SetMaxIdleConns(0)
	var table string
	if err := db.QueryRow(`SELECT table_name FROM _ferretdb_collections WHERE name = 'things'`).Scan(&table); err != nil {
		t.Fatal(err)
	}
	// The statement FerretDB runs for an update by _id.
	plan := func() string {
		var id, parent, unused int
		var detail string
		err := db.QueryRow(`EXPLAIN QUERY PLAN UPDATE "`+table+`" SET _ferretdb_sjson = ? WHERE _ferretdb_sjson->'$._id' = ?`, "{}", `"a"`).
			Scan(&id, &parent, &unused, &detail)
		if err != nil {
			t.Fatal(err)
		}
		return detail
	}
	if p := plan(); !strings.HasPrefix(p, "SCAN") {
		t.Fatalf("before the fix the plan is %q; FerretDB may have fixed its index, and FixIDIndexes may no longer be needed", p)
	}

	for range 2 {
		if err := srv.FixIDIndexes(ctx, "fix"); err != nil {
			t.Fatal(err)
		}
		if p := plan(); !strings.Contains(p, "USING INDEX "+table+"__id_") {
			t.Errorf("plan after the fix = %q, want the _id index", p)
		}
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = ?`, table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("table has %d indexes, want only the _id index", n)
		}
		_, err = coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "a"}, {Key: "n", Value: 2}})
		var we mongo.WriteException
		if !errors.As(err, &we) || !we.HasErrorCode(11000) {
			t.Errorf("inserting a duplicate _id: err = %v, want duplicate key error 11000", err)
		}
	}
	var got bson.M
	if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: "a"}}).Decode(&got); err != nil || got["n"] != int32(1) {
		t.Errorf("find by _id after the fix = %v, %v", got, err)
	}
}
