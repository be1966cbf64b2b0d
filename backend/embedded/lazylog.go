package embedded

import (
	"context"
	"log/slog"
)

// lazyHandler defers the attributes given to With until a record is actually
// handled.
//
// FerretDB calls logger.With(args...) before every SQL statement, with the
// whole document as an argument, and only then decides (at DEBUG) whether to
// log. slog's built-in handlers format With attributes eagerly, so with a
// quiet logger a third of the store's CPU went into quoting documents that
// were thrown away. Here With only appends to a slice; the attributes are
// formatted when a record passes the level check, which for a quiet logger
// is almost never.
type lazyHandler struct {
	inner slog.Handler
	attrs []slog.Attr
}

func newLazyHandler(h slog.Handler) *lazyHandler { return &lazyHandler{inner: h} }

func (h *lazyHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.inner.Enabled(ctx, l)
}

func (h *lazyHandler) Handle(ctx context.Context, r slog.Record) error {
	if len(h.attrs) == 0 {
		return h.inner.Handle(ctx, r)
	}
	return h.inner.WithAttrs(h.attrs).Handle(ctx, r)
}

func (h *lazyHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	// Full slice expression: never share a backing array between siblings.
	return &lazyHandler{inner: h.inner, attrs: append(h.attrs[:len(h.attrs):len(h.attrs)], attrs...)}
}

// WithGroup is rare in FerretDB; the pending attributes are applied first so
// they stay outside the group, as slog requires.
func (h *lazyHandler) WithGroup(name string) slog.Handler {
	inner := h.inner
	if len(h.attrs) > 0 {
		inner = inner.WithAttrs(h.attrs)
	}
	return &lazyHandler{inner: inner.WithGroup(name)}
}
