package api

import (
	"testing"

	"github.com/valyala/fasthttp"
)

// An entry lives no longer than its request: taken once, by whichever of
// requestContext or the error handler comes first; a request with a length
// leaves none; the count that lets other requests skip the lock returns to 0.
func TestReadingPaths_ForgetEachRequest(t *testing.T) {
	var p readingPaths
	chunked, sized := new(fasthttp.RequestHeader), new(fasthttp.RequestHeader)
	chunked.SetRequestURI("/api/v1/roadmaps/r/operations?x=1")
	chunked.SetContentLength(-1)
	sized.SetRequestURI("/api/v1/me")
	sized.SetContentLength(10)

	p.headerReceived(chunked)
	p.headerReceived(chunked) // the next request on the same connection
	p.headerReceived(sized)
	if n := p.n.Load(); n != 1 {
		t.Fatalf("entries %d, want 1", n)
	}
	if _, ok := p.take(sized); ok {
		t.Fatal("a request with a length was remembered")
	}
	if path, ok := p.take(chunked); !ok || path != "/api/v1/roadmaps/r/operations" {
		t.Fatalf("take: %q %v", path, ok)
	}
	if _, ok := p.take(chunked); ok || p.n.Load() != 0 || len(p.m) != 0 {
		t.Fatalf("taken twice, or left behind: n=%d m=%v", p.n.Load(), p.m)
	}
}
