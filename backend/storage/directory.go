package storage

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/veikart/veikart/backend/veikart"
)

// The agency directory (GET /agencies) is read by every family that opens
// the sharing form, and it is a sort of every agency by name: a scan on
// every store. With thousands of agencies on FerretDB over PostgreSQL one
// scan took longer than a request may (the role table saw 503s), so the
// first directoryCap agencies by name are kept in memory.
//
// This process's own agency writes go into the copy at once, so it is exact
// in exclusive mode and never expires there. In shared mode other replicas
// write too, and the copy is read again once it is directoryTTL old: a new
// agency reaches the other replicas' directories within that time.
const (
	directoryCap = 1000
	directoryTTL = 30 * time.Second
)

type directory struct {
	ttl time.Duration // 0: never expires

	mu      sync.Mutex
	list    []*veikart.Agency // sorted by name, then id; at most directoryCap
	loaded  time.Time         // zero: no copy
	loading chan struct{}     // closed when the running load ends; nil if none
	pending []*veikart.Agency // this process's writes during the running load
}

// agencyOrder is the directory's order, the one the query sorts by.
func agencyOrder(a, b *veikart.Agency) int {
	return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
}

// get returns the first limit agencies by name, loading the copy with load
// when there is none or it is too old. One load runs at a time; others wait
// for it rather than scanning too.
func (d *directory) get(ctx context.Context, limit int, load func(context.Context) ([]*veikart.Agency, error)) ([]*veikart.Agency, error) {
	for {
		d.mu.Lock()
		if !d.loaded.IsZero() && (d.ttl == 0 || time.Since(d.loaded) < d.ttl) {
			out := d.list[:min(limit, len(d.list))]
			d.mu.Unlock()
			return slices.Clone(out), nil
		}
		if wait := d.loading; wait != nil {
			d.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		done := make(chan struct{})
		d.loading, d.pending = done, nil
		d.mu.Unlock()

		list, err := load(ctx)

		d.mu.Lock()
		d.loading = nil
		if err == nil {
			d.list, d.loaded = list, time.Now()
			// A write that came during the scan may or may not be in it:
			// putting it again is the same either way.
			for _, a := range d.pending {
				d.putLocked(a)
			}
		}
		d.pending = nil
		close(done)
		d.mu.Unlock()
		if err != nil {
			return nil, err
		}
	}
}

// put brings an agency this process created or changed into the copy.
func (d *directory) put(a *veikart.Agency) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.loading != nil {
		d.pending = append(d.pending, a)
	}
	if !d.loaded.IsZero() {
		d.putLocked(a)
	}
}

func (d *directory) putLocked(a *veikart.Agency) {
	full := len(d.list) == directoryCap
	if i := slices.IndexFunc(d.list, func(b *veikart.Agency) bool { return b.ID == a.ID }); i >= 0 {
		d.list = slices.Delete(d.list, i, i+1)
		if full && agencyOrder(a, d.list[len(d.list)-1]) > 0 {
			// It moved past the end of a full copy: which agency
			// comes in after it is not known here.
			d.loaded = time.Time{}
			return
		}
	} else if full && agencyOrder(a, d.list[len(d.list)-1]) > 0 {
		return // beyond the copy, as beyond the directory
	}
	i, _ := slices.BinarySearchFunc(d.list, a, agencyOrder)
	d.list = slices.Insert(d.list, i, a)
	if len(d.list) > directoryCap {
		d.list = d.list[:directoryCap]
	}
}
