package household

import (
	"sync"
	"time"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/veikart"
)

// A caseworker's view of a roadmap, and its summary in the agency's list,
// is a function of the roadmap's version and the grant alone (every change
// to a grant is a new version of the roadmap). Projecting it (copying what
// the grant shows, hashing member keys) was the largest cost of a
// caseworker's read after HTTP itself, and summarising 300 households a
// third of an agency's list; so both are kept per roadmap and grant for the
// version they were made from. Whether the grant still holds is decided on
// every request, before a kept one is used.

// byVersion keeps a value per key for one version of a roadmap.
type byVersion[T any] struct {
	mu sync.RWMutex
	m  map[string]versioned[T]
}

type versioned[T any] struct {
	version int64
	updated int64 // UpdatedAt in ns: tells apart a deleted and re-created roadmap
	v       T
}

// maxKept bounds each kind kept: a municipality's households read by
// caseworkers in a day.
const maxKept = 10_000

func (c *byVersion[T]) get(key string, r *veikart.Roadmap) (T, bool) {
	c.mu.RLock()
	e, ok := c.m[key]
	c.mu.RUnlock()
	if ok && e.version == r.Version && e.updated == r.UpdatedAt.UnixNano() {
		return e.v, true
	}
	var zero T
	return zero, false
}

func (c *byVersion[T]) put(key string, r *veikart.Roadmap, v T) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]versioned[T]{}
	}
	if _, ok := c.m[key]; !ok && len(c.m) >= maxKept {
		for k := range c.m { // Go randomises map iteration order
			delete(c.m, k)
			break
		}
	}
	if cur, ok := c.m[key]; !ok || cur.version <= r.Version {
		c.m[key] = versioned[T]{version: r.Version, updated: r.UpdatedAt.UnixNano(), v: v}
	}
}

// grantKey is the key of what a caseworker sees of r, if the decision d
// lets them see it through a grant ("" else).
func grantKey(r *veikart.Roadmap, d access.Decision) string {
	if !d.Allowed || d.Role != access.RoleCaseworker || d.Grant == nil {
		return ""
	}
	return r.ID + "\x00" + d.Grant.ID
}

// project is access.Project(actor, r, now), kept for a caseworker. Views
// are read-only and may be shared.
func (s *Service) project(actor access.Actor, r *veikart.Roadmap, now time.Time) *access.View {
	key := grantKey(r, access.Decide(actor, access.Read, r, "", now))
	if key == "" {
		return access.Project(actor, r, now)
	}
	if v, ok := s.views.get(key, r); ok {
		return v
	}
	v := access.Project(actor, r, now)
	if v != nil {
		s.views.put(key, r, v)
	}
	return v
}

// summarize is access.Summarize(actor, r, now), kept.
func (s *Service) summarize(actor access.Actor, r *veikart.Roadmap, now time.Time) (access.Summary, bool) {
	key := grantKey(r, access.Decide(actor, access.Read, r, "", now))
	if key == "" {
		return access.Summary{}, false
	}
	if sum, ok := s.summaries.get(key, r); ok {
		return sum, true
	}
	sum, ok := access.Summarize(actor, r, now)
	if ok {
		s.summaries.put(key, r, sum)
	}
	return sum, ok
}
