package api

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/veikart"
	"github.com/veikart/veikart/backend/versioned"
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
type renderCache struct{ kept *versioned.Cache[[]byte] }

func newRenderCache(max int) *renderCache {
	return &renderCache{kept: versioned.New[[]byte](max)}
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
	if b, ok := rc.kept.Get(key, r); ok {
		return b, nil
	}
	b, err := json.Marshal(doc())
	if err != nil {
		return nil, err
	}
	rc.kept.Put(key, r, b)
	return b, nil
}
