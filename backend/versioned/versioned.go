// Package versioned keeps values made from one version of a roadmap: a
// caseworker's view of it, the JSON of it as someone sees it. Such a value
// never changes while the roadmap's version does not (every change of a
// grant is a new version too), so it is kept until a newer version
// replaces it. The bound is loose: past it, a random entry makes room.
package versioned

import (
	"sync"

	"github.com/veikart/veikart/backend/veikart"
)

// Cache keeps a T per key for one version of a roadmap. The zero value is
// not usable: make one with New.
type Cache[T any] struct {
	mu  sync.RWMutex
	m   map[string]entry[T]
	max int
}

type entry[T any] struct {
	version int64
	updated int64 // UpdatedAt in ns: tells apart a deleted and re-created roadmap
	v       T
}

// New returns a cache of at most max entries.
func New[T any](max int) *Cache[T] {
	return &Cache[T]{m: make(map[string]entry[T], 1024), max: max}
}

// Get is the value kept under key for r's version, if there is one.
func (c *Cache[T]) Get(key string, r *veikart.Roadmap) (T, bool) {
	c.mu.RLock()
	e, ok := c.m[key]
	c.mu.RUnlock()
	if ok && e.version == r.Version && e.updated == r.UpdatedAt.UnixNano() {
		return e.v, true
	}
	var zero T
	return zero, false
}

// Put keeps v under key for r's version, unless a newer version's value is
// there already (a slow request must not put back an old one).
func (c *Cache[T]) Put(key string, r *veikart.Roadmap, v T) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[key]; !ok && len(c.m) >= c.max {
		for k := range c.m { // Go randomises map iteration order
			delete(c.m, k)
			break
		}
	}
	if cur, ok := c.m[key]; !ok || cur.version <= r.Version {
		c.m[key] = entry[T]{version: r.Version, updated: r.UpdatedAt.UnixNano(), v: v}
	}
}
