package tracing_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/veikart/veikart/backend/tracing"
)

func TestEnabled(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want bool
	}{
		{env: map[string]string{}, want: false},
		{env: map[string]string{"VEIKART_OTEL_ENDPOINT": "http://c:4318"}, want: true},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}, want: true},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://c:4318/v1/traces"}, want: true},
		{env: map[string]string{"VEIKART_OTEL_ENDPOINT": "http://c:4318", "OTEL_SDK_DISABLED": "true"}, want: false},
	} {
		if got := tracing.Enabled(func(k string) string { return tc.env[k] }); got != tc.want {
			t.Errorf("Enabled(%v) = %v, want %v", tc.env, got, tc.want)
		}
	}
}

func TestNew_RefusesBadEndpoint(t *testing.T) {
	for _, ep := range []string{"collector:4318", "ftp://c/", "http://"} {
		if _, err := tracing.New(t.Context(), ep, ""); err == nil {
			t.Errorf("New(%q) accepted", ep)
		}
	}
}

// TestTransport_PropagatesTraceparent: a call made inside a traced request
// carries that trace on to the server it calls; one made outside carries
// nothing.
func TestTransport_PropagatesTraceparent(t *testing.T) {
	got := make(chan string, 2)
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Get("traceparent")
	}))
	defer provider.Close()
	collector := httptest.NewServer(http.NotFoundHandler())
	defer collector.Close()
	tp, err := tracing.New(t.Context(), collector.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Transport: tp.Transport(nil)}

	ctx, span := tp.Tracer().Start(t.Context(), "request")
	req, _ := http.NewRequestWithContext(ctx, "POST", provider.URL+"/token?code=secret", nil)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	span.End()
	tid := span.SpanContext().TraceID().String()
	if h := <-got; !strings.HasPrefix(h, "00-"+tid+"-") || strings.Contains(h, span.SpanContext().SpanID().String()) {
		t.Errorf("traceparent %q: want the trace %s, with the client span (not the request's) as parent", h, tid)
	}
	if req.Header.Get("traceparent") != "" {
		t.Error("the caller's request was changed")
	}

	req, _ = http.NewRequestWithContext(context.Background(), "GET", provider.URL, nil)
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if h := <-got; h != "" {
		t.Errorf("an untraced call sent traceparent %q", h)
	}
	_ = tp.Shutdown(t.Context())
}

// TestCommandMonitor_OnlyInsideTraces: a command inside a traced request is
// a span named by command and collection, without the filter; background
// work (the reminder scheduler) makes no orphan database traces; an unknown
// command end is harmless.
func TestCommandMonitor_OnlyInsideTraces(t *testing.T) {
	var mu sync.Mutex
	var spans []*tracepb.Span
	var raw []byte
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var export coltracepb.ExportTraceServiceRequest
		if err := proto.Unmarshal(body, &export); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		raw = append(raw, body...)
		for _, rs := range export.ResourceSpans {
			for _, ss := range rs.ScopeSpans {
				spans = append(spans, ss.Spans...)
			}
		}
	}))
	defer collector.Close()
	tp, err := tracing.New(t.Context(), collector.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	m := tp.CommandMonitor()
	cmd, _ := bson.Marshal(bson.D{{Key: "find", Value: "roadmaps"}, {Key: "filter", Value: bson.D{{Key: "_id", Value: "rm-secret"}}}})
	m.Started(context.Background(), &event.CommandStartedEvent{Command: cmd, CommandName: "find", RequestID: 1, ConnectionID: "c"})
	m.Succeeded(context.Background(), &event.CommandSucceededEvent{CommandFinishedEvent: event.CommandFinishedEvent{RequestID: 1, ConnectionID: "c"}})
	m.Failed(context.Background(), &event.CommandFailedEvent{CommandFinishedEvent: event.CommandFinishedEvent{RequestID: 9, ConnectionID: "c"}})

	ctx, span := tp.Tracer().Start(t.Context(), "request")
	m.Started(ctx, &event.CommandStartedEvent{Command: cmd, CommandName: "find", DatabaseName: "veikart", RequestID: 2, ConnectionID: "c"})
	m.Failed(ctx, &event.CommandFailedEvent{CommandFinishedEvent: event.CommandFinishedEvent{RequestID: 2, ConnectionID: "c"},
		Failure: errors.New(`E11000 duplicate key error dup key: { _id: "rm-secret" }`)})
	span.End()
	if err := tp.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(spans) != 2 {
		t.Fatalf("%d spans exported, want the request and one command", len(spans))
	}
	var db *tracepb.Span
	for _, s := range spans {
		if s.Name == "find roadmaps" {
			db = s
		}
	}
	if db == nil || db.Status.GetCode() != tracepb.Status_STATUS_CODE_ERROR || db.Kind != tracepb.Span_SPAN_KIND_CLIENT {
		t.Fatalf("want a failed client span \"find roadmaps\", got %v", spans)
	}
	if bytes.Contains(raw, []byte("rm-secret")) {
		t.Error("the filter or the error message was exported")
	}
}
