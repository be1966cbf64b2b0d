package mongo

import (
	"reflect"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/demo"
)

// Roadmaps written before compression (format 1) must still read, and both
// formats must give back exactly the roadmap that was stored.
func TestRoadmapDoc_Formats(t *testing.T) {
	want := demo.Roadmap("rm1", "u1", time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
	d, err := toRoadmapDoc(want)
	if err != nil {
		t.Fatal(err)
	}
	if d.Format != formatZstdBSON {
		t.Fatalf("new documents are written as format %d", d.Format)
	}
	raw, err := zdec.DecodeAll(d.Body, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Body) >= len(raw) {
		t.Errorf("compressed body %d bytes, raw %d", len(d.Body), len(raw))
	}
	old := d
	old.Format, old.Body = formatBSON, raw
	for _, doc := range []roadmapDoc{d, old} {
		got, err := doc.toDomain()
		if err != nil {
			t.Fatalf("format %d: %v", doc.Format, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("format %d read back\n%+v\nwant\n%+v", doc.Format, got, want)
		}
	}
	bad := d
	bad.Body = []byte("not zstd")
	if _, err := bad.toDomain(); err == nil {
		t.Error("a corrupt body decoded without error")
	}
	bad.Format = 9
	if _, err := bad.toDomain(); err == nil {
		t.Error("an unknown format decoded without error")
	}
}
