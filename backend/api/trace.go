package api

import (
	"context"

	"github.com/gofiber/fiber/v2"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// traceContext reads and writes W3C traceparent and tracestate. It is ours,
// not otel's global propagator, as the tracer is ours and not the global
// provider: the embedded FerretDB traces into the global one, and its spans
// carry query details.
var traceContext = propagation.TraceContext{}

// startSpan starts the request's server span, continuing the caller's trace
// if it sent a traceparent. It is named for the method alone until the route
// is known: the path holds ids.
func (s *Server) startSpan(ctx context.Context, c *fiber.Ctx) (context.Context, trace.Span) {
	ctx = traceContext.Extract(ctx, fiberHeaders{c})
	return s.tracer.Start(ctx, c.Method(), trace.WithSpanKind(trace.SpanKindServer))
}

// endSpan names the span by its route pattern and records the status that
// was sent. Only the pattern, the method and the status go in: no path, no
// query, no address, no user.
func (s *Server) endSpan(c *fiber.Ctx, span trace.Span) {
	route, method := c.Route().Path, c.Route().Method
	status := c.Response().StatusCode()
	span.SetName(method + " " + route)
	span.SetAttributes(
		attribute.String("http.request.method", method),
		attribute.String("http.route", route),
		attribute.Int("http.response.status_code", status),
	)
	if status >= 500 {
		// Server spans mark 5xx only: a 4xx is the client's, not ours.
		span.SetStatus(codes.Error, "")
	}
	span.End()
}

// fiberHeaders lets the propagator read request headers. The values are
// only read during Extract, inside the handler, as Fiber requires.
type fiberHeaders struct{ c *fiber.Ctx }

func (h fiberHeaders) Get(key string) string { return h.c.Get(key) }
func (h fiberHeaders) Set(string, string)    {}
func (h fiberHeaders) Keys() []string        { return []string{"traceparent", "tracestate"} }
