package api

import (
	"bytes"
	"sync"
	"sync/atomic"

	"github.com/valyala/fasthttp"
)

// readingPaths remembers the path of each chunked request while its body is
// read. fasthttp empties a request whose body fails to read (a chunked body
// over the limit) before the error handler sees it, so without this the 413
// could not name the request's path as its instance. A body sent with a
// Content-Length is refused on its header, the request intact, and needs
// nothing here; browsers send one, so the map stays small.
type readingPaths struct {
	n  atomic.Int64 // entries in m, so that most requests skip the lock
	mu sync.Mutex
	m  map[*fasthttp.RequestHeader]string
}

// headerReceived is fasthttp's HeaderReceived hook: it runs once a request's
// header is read, before its body. The zero RequestConfig keeps the server's
// limits and timeouts.
func (p *readingPaths) headerReceived(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
	if h.ContentLength() != -1 { // -1: chunked
		return fasthttp.RequestConfig{}
	}
	path, _, _ := bytes.Cut(h.RequestURI(), []byte("?"))
	p.mu.Lock()
	if p.m == nil {
		p.m = make(map[*fasthttp.RequestHeader]string)
	}
	if _, ok := p.m[h]; !ok {
		p.n.Add(1)
	}
	p.m[h] = string(path)
	p.mu.Unlock()
	return fasthttp.RequestConfig{}
}

// take returns and forgets the path remembered for h. Every request calls
// it (requestContext, and the error handler for a request refused while
// read), so an entry lives no longer than its request.
func (p *readingPaths) take(h *fasthttp.RequestHeader) (string, bool) {
	if p.n.Load() == 0 {
		return "", false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	path, ok := p.m[h]
	if ok {
		delete(p.m, h)
		p.n.Add(-1)
	}
	return path, ok
}
