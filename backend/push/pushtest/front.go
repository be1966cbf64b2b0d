package pushtest

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Front is a loopback HTTP server in front of a Service. It records every
// request a sender makes, and answers the next queued Replies itself instead
// of forwarding: the push service answers a test needs but web-push-testing
// cannot give (429 with Retry-After, 5xx, 403, 413), and a device that is
// offline for a while, whose pushes wait within their TTL.
type Front struct {
	// URL is its base URL, http://127.0.0.1:<port>.
	URL string

	proxy *httputil.ReverseProxy

	mu       sync.Mutex
	replies  []Reply
	requests []Request
	offline  map[string]*heldFor // by endpoint path
}

// heldFor is what Front holds for a device that is offline: the pushes it
// accepted for it, each with the time it arrived, by the test's clock.
type heldFor struct {
	now  func() time.Time
	held []held
}

type held struct {
	req     *http.Request
	body    []byte
	arrived time.Time
}

// Reply is an answer Front gives instead of forwarding.
type Reply struct {
	Status int
	Header http.Header // may be nil
}

// Request is one request Front received, and how it was answered.
type Request struct {
	Path   string
	Header http.Header
	Body   []byte
	// Status is the answer the sender got, from Front or from the service.
	Status int
	// Forwarded is false when Front answered with a queued Reply.
	Forwarded bool
}

// maxBody bounds what Front reads of a request; a push message is 4096 bytes.
const maxBody = 64 << 10

// NewFront starts a Front for s and stops it when the test ends.
func NewFront(tb testing.TB, s *Service) *Front {
	tb.Helper()
	target, err := url.Parse(s.URL)
	if err != nil {
		tb.Fatalf("pushtest: front: %v", err)
	}
	f := &Front{}
	f.proxy = &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) { r.SetURL(target) }}
	srv := httptest.NewServer(f) // httptest listens on 127.0.0.1
	tb.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

// Endpoint returns sub's endpoint with Front's host in place of the
// service's, so that pushes to it pass through Front.
func (f *Front) Endpoint(sub Subscription) string {
	u, err := url.Parse(sub.Endpoint)
	if err != nil {
		panic("pushtest: endpoint from web-push-testing does not parse: " + err.Error())
	}
	fu, _ := url.Parse(f.URL)
	u.Scheme, u.Host = fu.Scheme, fu.Host
	return u.String()
}

// Offline makes sub's device unreachable, as a phone switched off or out of
// coverage: from now, Front accepts pushes for it as a push service does
// (201) and holds them with the time they arrived, by now, until Online.
func (f *Front) Offline(sub Subscription, now func() time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.offline == nil {
		f.offline = make(map[string]*heldFor)
	}
	f.offline[endpointPath(sub)] = &heldFor{now: now}
}

// Online brings sub's device back at the time at: what Front held for it is
// delivered to the service (which decrypts it) if its TTL had not run out by
// then, and dropped otherwise, as a push service drops an expired message.
// It returns how many were delivered and how many dropped.
func (f *Front) Online(tb testing.TB, sub Subscription, at time.Time) (delivered, dropped int) {
	tb.Helper()
	f.mu.Lock()
	h := f.offline[endpointPath(sub)]
	delete(f.offline, endpointPath(sub))
	f.mu.Unlock()
	if h == nil {
		return 0, 0
	}
	for _, m := range h.held {
		ttl, err := strconv.Atoi(m.req.Header.Get("TTL"))
		if err != nil || at.After(m.arrived.Add(time.Duration(ttl)*time.Second)) {
			dropped++
			continue
		}
		m.req.Body = io.NopCloser(bytes.NewReader(m.body))
		rec := httptest.NewRecorder()
		f.proxy.ServeHTTP(rec, m.req)
		if rec.Code != http.StatusCreated {
			tb.Fatalf("pushtest: a held push was refused by the service: %d %s", rec.Code, rec.Body)
		}
		delivered++
	}
	return delivered, dropped
}

func endpointPath(sub Subscription) string {
	u, err := url.Parse(sub.Endpoint)
	if err != nil {
		panic("pushtest: endpoint from web-push-testing does not parse: " + err.Error())
	}
	return u.Path
}

// Reply queues answers for the next requests, one request each, in order;
// requests after them are forwarded again.
func (f *Front) Reply(replies ...Reply) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.replies = append(f.replies, replies...)
}

// Requests returns the requests received so far, oldest first.
func (f *Front) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Request, len(f.requests))
	copy(out, f.requests)
	return out
}

// ServeHTTP records the request, then answers it from the queue or forwards
// it to the service.
func (f *Front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rec := Request{Path: r.URL.Path, Header: r.Header.Clone(), Body: body}

	f.mu.Lock()
	var reply *Reply
	if len(f.replies) > 0 {
		reply = &f.replies[0]
		f.replies = f.replies[1:]
	}
	h := f.offline[r.URL.Path]
	if reply == nil && h != nil {
		h.held = append(h.held, held{req: r.Clone(context.Background()), body: body, arrived: h.now()})
		reply = &Reply{Status: http.StatusCreated}
	}
	f.mu.Unlock()

	if reply != nil {
		for k, v := range reply.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(reply.Status)
		rec.Status = reply.Status
	} else {
		r.Body = io.NopCloser(bytes.NewReader(body))
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		f.proxy.ServeHTTP(sw, r)
		rec.Status, rec.Forwarded = sw.status, true
	}

	f.mu.Lock()
	f.requests = append(f.requests, rec)
	f.mu.Unlock()
}

// statusWriter remembers the status the proxy wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}
