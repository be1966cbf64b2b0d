package embedded

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// The lazy handler must log exactly what the plain handler logs.
func TestLazyHandlerSameOutput(t *testing.T) {
	logWith := func(h slog.Handler) string {
		l := slog.New(h)
		l.With("a", 1).With("b", "two").Debug("dropped", "c", 3)
		l.With("a", 1).With("b", "two").WithGroup("g").With("d", 4).Error("kept", "c", 3)
		parent := l.With("p", 0)
		_ = parent.With("x", 1)
		parent.With("y", 2).Error("sibling")
		return strings.ReplaceAll(h.(interface{ String() string }).String(), "\n", "|")
	}
	plain, lazy := &recorder{}, &recorder{}
	plain.Handler = slog.NewTextHandler(&plain.buf, &slog.HandlerOptions{Level: slog.LevelError, ReplaceAttr: noTime})
	lazy.Handler = slog.NewTextHandler(&lazy.buf, &slog.HandlerOptions{Level: slog.LevelError, ReplaceAttr: noTime})
	want := logWith(plain)
	got := logWith(&stringer{newLazyHandler(lazy.Handler), &lazy.buf})
	if got != want {
		t.Errorf("lazy handler wrote\n%s\nplain handler wrote\n%s", got, want)
	}
	if !strings.Contains(want, "g.d=4") || strings.Contains(want, "dropped") {
		t.Fatalf("test is not testing what it should: %s", want)
	}
}

type recorder struct {
	slog.Handler
	buf bytes.Buffer
}

func (r *recorder) String() string { return r.buf.String() }

type stringer struct {
	slog.Handler
	buf *bytes.Buffer
}

func (s *stringer) String() string { return s.buf.String() }

func noTime(_ []string, a slog.Attr) slog.Attr {
	if a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}

func BenchmarkLazyWith(b *testing.B) {
	doc := strings.Repeat(`{"title":"Ny bolig"}`, 200)
	for _, tc := range []struct {
		name string
		h    slog.Handler
	}{
		{"text", slog.NewTextHandler(&bytes.Buffer{}, &slog.HandlerOptions{Level: slog.LevelError})},
		{"lazy", newLazyHandler(slog.NewTextHandler(&bytes.Buffer{}, &slog.HandlerOptions{Level: slog.LevelError}))},
	} {
		b.Run(tc.name, func(b *testing.B) {
			l := slog.New(tc.h)
			for b.Loop() {
				l.With(slog.Any("args", []any{doc})).Debug(">>> UPDATE")
			}
		})
	}
}
