package storage

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/veikart/veikart/backend/veikart"
)

func names(as []*veikart.Agency) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.Name
	}
	return out
}

// TestDirectory_Put: this process's writes keep the copy in the database's
// order, and a full copy that can no longer know its last entry is read
// again.
func TestDirectory_Put(t *testing.T) {
	ag := func(id, name string) *veikart.Agency { return &veikart.Agency{ID: id, Name: name} }
	full := func() []*veikart.Agency {
		out := make([]*veikart.Agency, directoryCap)
		for i := range out {
			out[i] = ag(fmt.Sprintf("a%04d", i), fmt.Sprintf("N%04d", i))
		}
		return out
	}
	for _, tc := range []struct {
		name     string
		list     func() []*veikart.Agency
		put      *veikart.Agency
		first    []string // the first names after the put
		n        int      // the copy's length after
		reloaded bool     // the copy is dropped, to be read again
	}{
		{"into an empty copy", func() []*veikart.Agency { return nil }, ag("x", "NAV"), []string{"NAV"}, 1, false},
		{"in name order", func() []*veikart.Agency { return []*veikart.Agency{ag("a", "Barnevern"), ag("b", "NAV")} }, ag("c", "Helse"), []string{"Barnevern", "Helse", "NAV"}, 3, false},
		{"a tie goes by id", func() []*veikart.Agency { return []*veikart.Agency{ag("b", "NAV")} }, ag("a", "NAV"), []string{"NAV", "NAV"}, 2, false},
		{"a rename moves it", func() []*veikart.Agency { return []*veikart.Agency{ag("a", "Barnevern"), ag("b", "NAV")} }, ag("a", "Ønskebo"), []string{"NAV", "Ønskebo"}, 2, false},
		{"a new one before the end of a full copy pushes the last out", full, ag("new", "A"), []string{"A", "N0000"}, directoryCap, false},
		{"a new one after the end of a full copy is not in it", full, ag("new", "Z"), []string{"N0000", "N0001"}, directoryCap, false},
		{"one within a full copy renamed within it", full, ag("a0001", "N0000x"), []string{"N0000", "N0000x", "N0002"}, directoryCap, false},
		{"one renamed past the end of a full copy", full, ag("a0001", "Z"), nil, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := &directory{}
			calls := 0
			load := func(context.Context) ([]*veikart.Agency, error) { calls++; return tc.list(), nil }
			if _, err := d.get(context.Background(), directoryCap, load); err != nil {
				t.Fatal(err)
			}
			d.put(tc.put)
			got, err := d.get(context.Background(), directoryCap, load)
			if err != nil {
				t.Fatal(err)
			}
			if tc.reloaded {
				if calls != 2 {
					t.Fatalf("%d loads, want 2", calls)
				}
				return
			}
			if calls != 1 || len(got) != tc.n || !slices.Equal(names(got)[:len(tc.first)], tc.first) {
				t.Fatalf("%d loads, %d agencies starting %v; want 1, %d starting %v", calls, len(got), names(got)[:min(3, len(got))], tc.n, tc.first)
			}
			if !slices.IsSortedFunc(got, agencyOrder) {
				t.Fatal("the copy is out of order")
			}
		})
	}
}

// TestDirectory_OneLoadAtATime: readers that come during a load wait for it
// rather than scanning too, and a write during the load is in the copy
// whether or not the scan saw it.
func TestDirectory_OneLoadAtATime(t *testing.T) {
	d := &directory{}
	var loads atomic.Int32
	started, release := make(chan struct{}), make(chan struct{})
	load := func(context.Context) ([]*veikart.Agency, error) {
		if loads.Add(1) == 1 {
			close(started)
		}
		<-release
		return []*veikart.Agency{{ID: "a", Name: "Barnevern"}}, nil // the scan did not see "b"
	}
	var wg sync.WaitGroup
	results := make([][]*veikart.Agency, 8)
	for i := range results {
		wg.Go(func() {
			got, err := d.get(context.Background(), 10, load)
			if err != nil {
				t.Error(err)
			}
			results[i] = got
		})
	}
	<-started
	d.put(&veikart.Agency{ID: "b", Name: "NAV"})
	close(release)
	wg.Wait()
	if n := loads.Load(); n != 1 {
		t.Fatalf("%d loads, want 1", n)
	}
	got, _ := d.get(context.Background(), 10, load)
	if !slices.Equal(names(got), []string{"Barnevern", "NAV"}) {
		t.Fatalf("after the load %v, want [Barnevern NAV]", names(got))
	}
}
