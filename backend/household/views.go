package household

import (
	"sync"
	"time"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/veikart"
)

// views keeps the caseworkers' views of recent roadmap versions, one per
// grant. A caseworker's view is a function of the roadmap's version and
// the grant alone (every change to a grant is a new version), and
// projecting it (copying what the grant shows, hashing member keys) was
// the largest cost of a caseworker's read after HTTP itself. Whether the
// grant still holds is decided on every read, before the copy is used.
type views struct {
	mu  sync.RWMutex
	m   map[string]viewAt
	max int
}

type viewAt struct {
	version int64
	updated int64 // UpdatedAt in ns: tells apart a deleted and re-created roadmap
	view    *access.View
}

const maxViews = 10_000

// project is access.Project(actor, r, now), from the copy where there is
// one. Views are read-only and may be shared.
func (s *Service) project(actor access.Actor, r *veikart.Roadmap, now time.Time) *access.View {
	d := access.Decide(actor, access.Read, r, "", now)
	if !d.Allowed || d.Role != access.RoleCaseworker || d.Grant == nil {
		return access.Project(actor, r, now)
	}
	key := r.ID + "\x00" + d.Grant.ID
	c := &s.views
	c.mu.RLock()
	e, ok := c.m[key]
	c.mu.RUnlock()
	if ok && e.version == r.Version && e.updated == r.UpdatedAt.UnixNano() {
		return e.view
	}
	v := access.Project(actor, r, now)
	if v == nil {
		return nil
	}
	c.mu.Lock()
	if c.m == nil {
		c.m = map[string]viewAt{}
	}
	if _, ok := c.m[key]; !ok && len(c.m) >= maxViews {
		for k := range c.m { // Go randomises map iteration order
			delete(c.m, k)
			break
		}
	}
	if cur, ok := c.m[key]; !ok || cur.version <= r.Version {
		c.m[key] = viewAt{version: r.Version, updated: r.UpdatedAt.UnixNano(), view: v}
	}
	c.mu.Unlock()
	return v
}
