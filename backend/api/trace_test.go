package api_test

import (
	"bytes"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/veikart/veikart/backend/api"
	"github.com/veikart/veikart/backend/storage"
	"github.com/veikart/veikart/backend/testenv"
	"github.com/veikart/veikart/backend/tracing"
)

// otlpReceiver is an OTLP/HTTP trace receiver: it decodes what the real
// exporter sends, as a collector would, and keeps the raw bytes too.
type otlpReceiver struct {
	mu    sync.Mutex
	spans []*tracepb.Span
	raw   []byte
}

func (r *otlpReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	if err != nil || req.URL.Path != "/v1/traces" || req.Header.Get("Content-Type") != "application/x-protobuf" {
		http.Error(w, "bad export", http.StatusBadRequest)
		return
	}
	var export coltracepb.ExportTraceServiceRequest
	if err := proto.Unmarshal(body, &export); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	r.raw = append(r.raw, body...)
	for _, rs := range export.ResourceSpans {
		for _, ss := range rs.ScopeSpans {
			r.spans = append(r.spans, ss.Spans...)
		}
	}
	r.mu.Unlock()
	b, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(b)
}

func attr(s *tracepb.Span, key string) (string, int64, bool) {
	for _, a := range s.Attributes {
		if a.Key == key {
			return a.Value.GetStringValue(), a.Value.GetIntValue(), true
		}
	}
	return "", 0, false
}

// TestTrace_ExportsRouteSpans sends requests through the real stack with
// traces on, to a real OTLP/HTTP receiver: server spans named by route
// pattern with their status, the caller's traceparent continued, database
// commands as child spans, and no ids or names anywhere in what is sent.
func TestTrace_ExportsRouteSpans(t *testing.T) {
	t.Parallel()
	recv := &otlpReceiver{}
	collector := httptest.NewServer(recv)
	defer collector.Close()
	tp, err := tracing.New(t.Context(), collector.URL, "test")
	if err != nil {
		t.Fatal(err)
	}
	e := mustEnvWith(t, api.Config{Dev: true, Tracer: tp.Tracer()}, nil, func(_ string, _ *api.Config, d *api.Deps) {
		// A store without in-memory copies, so that reads reach the
		// database and show as spans.
		d.Store = testenv.OpenAgain(t, d.Store.(*storage.Store), storage.Options{Monitor: tp.CommandMonitor()})
	})
	kari := e.login(t, "Kari Tracenordmann")
	e.createRoadmap(t, kari, "00000000-0000-4000-8000-000000000019", "MEMBERTRACE")

	const traceID, parentID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	r := e.do(t, "GET", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000019", kari.access, nil, "traceparent", "00-"+traceID+"-"+parentID+"-01")
	if r.status != 200 {
		t.Fatalf("read: %d %s", r.status, r.body)
	}
	if r := e.do(t, "GET", "/api/v1/roadmaps/00000000-0000-4000-8000-000000000011", kari.access, nil); r.status != 404 {
		t.Fatalf("missing roadmap: %d", r.status)
	}
	if err := tp.ForceFlush(t.Context()); err != nil {
		t.Fatal(err)
	}

	recv.mu.Lock()
	defer recv.mu.Unlock()
	var read, missing *tracepb.Span
	byName := map[string]int{}
	for _, s := range recv.spans {
		byName[s.Name]++
		if s.Kind != tracepb.Span_SPAN_KIND_SERVER || s.Name != "GET /api/v1/roadmaps/:roadmapId" {
			continue
		}
		if _, code, _ := attr(s, "http.response.status_code"); code == 200 {
			read = s
		} else if code == 404 {
			missing = s
		}
	}
	t.Logf("spans by name: %v", byName)
	if read == nil || missing == nil {
		t.Fatalf("no server spans named by the route pattern with statuses 200 and 404")
	}
	for _, want := range []string{"POST /api/v1/dev/login", "POST /api/v1/roadmaps"} {
		if byName[want] != 1 {
			t.Errorf("want one span %q", want)
		}
	}
	if got := hex.EncodeToString(read.TraceId); got != traceID {
		t.Errorf("the read's trace id is %s, want the caller's %s", got, traceID)
	}
	if got := hex.EncodeToString(read.ParentSpanId); got != parentID {
		t.Errorf("the read's parent is %s, want the caller's span %s", got, parentID)
	}
	if route, _, _ := attr(read, "http.route"); route != "/api/v1/roadmaps/:roadmapId" {
		t.Errorf("http.route %q", route)
	}
	if read.Status.GetCode() == tracepb.Status_STATUS_CODE_ERROR || missing.Status.GetCode() == tracepb.Status_STATUS_CODE_ERROR {
		t.Error("a 200 or a 404 marked as a server error")
	}
	if bytes.Equal(missing.TraceId, read.TraceId) {
		t.Error("a request without traceparent joined another trace")
	}
	var children int
	for _, s := range recv.spans {
		if !bytes.Equal(s.ParentSpanId, read.SpanId) {
			continue
		}
		children++
		if sys, _, _ := attr(s, "db.system.name"); sys != "mongodb" || s.Kind != tracepb.Span_SPAN_KIND_CLIENT || !bytes.Equal(s.TraceId, read.TraceId) {
			t.Errorf("child span %q: db.system.name %q, kind %v", s.Name, sys, s.Kind)
		}
	}
	if children == 0 {
		t.Error("the read has no database spans under it")
	}
	for _, secret := range []string{"00000000-0000-4000-8000-000000000019", "00000000-0000-4000-8000-000000000011", "MEMBERTRACE", "Tracenordmann", kari.userID} {
		if bytes.Contains(recv.raw, []byte(secret)) {
			t.Errorf("the exported traces hold %q", secret)
		}
	}
	for _, s := range recv.spans {
		if strings.Contains(s.Name, "rm-") {
			t.Errorf("span named by a path: %q", s.Name)
		}
	}
}
