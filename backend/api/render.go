package api

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"sync"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/veikart"
	"github.com/veikart/veikart/backend/wire"
)

func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// etag is the strong entity tag of a roadmap version as the caller sees it.
func etag(r *veikart.Roadmap) string { return `"v` + strconv.FormatInt(r.Version, 10) + `"` }

// matchesETag reports whether an If-Match or If-None-Match header value names
// tag (or is "*").
func matchesETag(header, tag string) bool {
	for _, p := range strings.Split(header, ",") {
		p = strings.TrimPrefix(strings.TrimSpace(p), "W/")
		if p == "*" || p == tag {
			return true
		}
	}
	return false
}

// renderCache keeps the JSON of recent roadmap versions as an owner sees
// them, and as each agency sees them through its grant: reading a roadmap
// is the hottest path, a caseworker's read the second, and the bytes for
// one version seen through one grant never change (a change to the grant
// is a change to the roadmap: a new version). A member's view is rendered
// each time.
type renderCache struct {
	mu  sync.RWMutex
	m   map[string]rendered
	max int
}

type rendered struct {
	version int64
	updated int64 // UpdatedAt in ns: tells apart a deleted and re-created roadmap
	body    []byte
}

func newRenderCache(max int) *renderCache {
	return &renderCache{m: make(map[string]rendered, 1024), max: max}
}

// view is the JSON of view.
func (rc *renderCache) view(view *access.View) ([]byte, error) {
	switch {
	case view.Full:
		return rc.get(view.Roadmap.ID, view.Roadmap, func() any { return wire.ToRoadmap(view.Roadmap) })
	case view.Grant != nil:
		return rc.get(view.Roadmap.ID+"\x00"+view.Grant.ID, view.Roadmap, func() any { return wire.PartialView(view) })
	}
	return json.Marshal(wire.PartialView(view))
}

func (rc *renderCache) get(key string, r *veikart.Roadmap, doc func() any) ([]byte, error) {
	rc.mu.RLock()
	e, ok := rc.m[key]
	rc.mu.RUnlock()
	if ok && e.version == r.Version && e.updated == r.UpdatedAt.UnixNano() {
		return e.body, nil
	}
	b, err := json.Marshal(doc())
	if err != nil {
		return nil, err
	}
	rc.mu.Lock()
	if len(rc.m) >= rc.max {
		for k := range rc.m {
			delete(rc.m, k)
			break
		}
	}
	if cur, ok := rc.m[key]; !ok || cur.version <= r.Version {
		rc.m[key] = rendered{version: r.Version, updated: r.UpdatedAt.UnixNano(), body: b}
	}
	rc.mu.Unlock()
	return b, nil
}
