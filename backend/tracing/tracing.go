// Package tracing exports OpenTelemetry traces over OTLP/HTTP, when an
// operator asks for them, and makes child spans of the database commands
// and outgoing HTTP calls a request makes. Spans hold route patterns,
// command and collection names, hosts and statuses: never ids, names,
// queries or anything else a household wrote.
//
// The provider is never made otel's global one: the embedded FerretDB
// traces into the global provider, and its spans would carry query details.
package tracing

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"go.mongodb.org/mongo-driver/v2/event"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// Provider is a running trace pipeline: spans are batched and sent to the
// receiver in the background.
type Provider struct {
	tp *sdktrace.TracerProvider
}

// Enabled reports whether the environment asks for traces:
// VEIKART_OTEL_ENDPOINT, or otel's own OTEL_EXPORTER_OTLP_ENDPOINT or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, set and OTEL_SDK_DISABLED not true.
func Enabled(getenv func(string) string) bool {
	if strings.EqualFold(strings.TrimSpace(getenv("OTEL_SDK_DISABLED")), "true") {
		return false
	}
	return getenv("VEIKART_OTEL_ENDPOINT") != "" || getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" ||
		getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
}

// New starts exporting to endpoint, the base URL of an OTLP/HTTP receiver
// such as http://otel-collector:4318 (/v1/traces is added when it has no
// path). An empty endpoint leaves it to otel's OTEL_EXPORTER_OTLP_*
// variables, which also set headers, TLS and the rest. Sampling follows
// OTEL_TRACES_SAMPLER (parent-based, always on, if unset), and
// OTEL_RESOURCE_ATTRIBUTES adds to the resource.
func New(ctx context.Context, endpoint, version string) (*Provider, error) {
	var opts []otlptracehttp.Option
	if endpoint != "" {
		u, err := url.Parse(endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("otel endpoint %q is not an http(s) URL like http://otel-collector:4318", endpoint)
		}
		if u.Path == "" || u.Path == "/" {
			u.Path = "/v1/traces"
		}
		opts = append(opts, otlptracehttp.WithEndpointURL(u.String()))
	}
	exp, err := otlptracehttp.New(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("otlp trace exporter: %w", err)
	}
	res, err := resource.New(ctx, resource.WithFromEnv(), resource.WithTelemetrySDK(),
		resource.WithAttributes(attribute.String("service.name", "veikart"), attribute.String("service.version", version)))
	if err != nil && !errors.Is(err, resource.ErrPartialResource) {
		return nil, fmt.Errorf("otel resource: %w", err)
	}
	return &Provider{tp: sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))}, nil
}

// Tracer is the tracer the HTTP layer starts server spans with.
func (p *Provider) Tracer() trace.Tracer {
	return p.tp.Tracer("github.com/veikart/veikart/backend/api")
}

// Shutdown sends what is still batched and stops, within ctx's deadline.
func (p *Provider) Shutdown(ctx context.Context) error { return p.tp.Shutdown(ctx) }

// ForceFlush sends what is batched now.
func (p *Provider) ForceFlush(ctx context.Context) error { return p.tp.ForceFlush(ctx) }

// CommandMonitor makes a client span of every database command that runs
// inside a traced request (commands outside one, such as the reminder
// scheduler's, make no orphan traces). The span is named by the command and
// collection, "find roadmaps"; the filter, documents and error messages
// (a duplicate key error quotes the key) stay out.
func (p *Provider) CommandMonitor() *event.CommandMonitor {
	tracer := p.tp.Tracer("github.com/veikart/veikart/backend/storage")
	var spans sync.Map // connection id and request id -> trace.Span
	type key struct {
		conn string
		req  int64
	}
	end := func(conn string, req int64, failed bool) {
		v, ok := spans.LoadAndDelete(key{conn, req})
		if !ok {
			return
		}
		span := v.(trace.Span)
		if failed {
			span.SetStatus(codes.Error, "command failed")
		}
		span.End()
	}
	return &event.CommandMonitor{
		Started: func(ctx context.Context, e *event.CommandStartedEvent) {
			if !trace.SpanContextFromContext(ctx).IsValid() {
				return
			}
			coll := ""
			if v, err := e.Command.IndexErr(0); err == nil {
				coll, _ = v.Value().StringValueOK()
			}
			name := e.CommandName
			attrs := []attribute.KeyValue{
				attribute.String("db.system.name", "mongodb"),
				attribute.String("db.operation.name", e.CommandName),
				attribute.String("db.namespace", e.DatabaseName),
			}
			if coll != "" && coll != e.CommandName {
				name += " " + coll
				attrs = append(attrs, attribute.String("db.collection.name", coll))
			}
			_, span := tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
			spans.Store(key{e.ConnectionID, e.RequestID}, span)
		},
		Succeeded: func(_ context.Context, e *event.CommandSucceededEvent) { end(e.ConnectionID, e.RequestID, false) },
		Failed:    func(_ context.Context, e *event.CommandFailedEvent) { end(e.ConnectionID, e.RequestID, true) },
	}
}

// Transport makes a client span of each outgoing HTTP request made inside
// a traced request, and sends the W3C traceparent along, so that a sign-in
// provider's traces join ours. Only the method, host and status are
// recorded: query strings hold codes and states.
func (p *Provider) Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &transport{base: base, tracer: p.tp.Tracer("github.com/veikart/veikart/backend/tracing")}
}

type transport struct {
	base   http.RoundTripper
	tracer trace.Tracer
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !trace.SpanContextFromContext(req.Context()).IsValid() {
		return t.base.RoundTrip(req)
	}
	ctx, span := t.tracer.Start(req.Context(), "HTTP "+req.Method, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("http.request.method", req.Method), attribute.String("server.address", req.URL.Hostname())))
	defer span.End()
	req = req.Clone(ctx) // a RoundTripper must not change the caller's request
	propagation.TraceContext{}.Inject(ctx, propagation.HeaderCarrier(req.Header))
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		span.SetStatus(codes.Error, "request failed")
		return nil, err
	}
	span.SetAttributes(attribute.Int("http.response.status_code", resp.StatusCode))
	if resp.StatusCode >= 400 {
		span.SetStatus(codes.Error, "")
	}
	return resp, nil
}
