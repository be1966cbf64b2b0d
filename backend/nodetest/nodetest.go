// Package nodetest holds what the test helpers that run a Node.js tool as a
// child process share (pushtest's push service, oidctest's OpenID
// provider): finding the tool in tools/, and reading the child's output.
package nodetest

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// ToolDir finds tools/<name> from the test's working directory (the package
// directory) by walking up to the module root.
func ToolDir(tb testing.TB, name string) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatalf("nodetest: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "tools", name)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatalf("nodetest: no go.mod above the working directory")
		}
		dir = parent
	}
}

// FirstLine keeps the first line written to it and closes Ready when it has
// it; later output is dropped (the tools send their chatter to stderr).
type FirstLine struct {
	Ready chan struct{}

	mu   sync.Mutex
	buf  []byte
	done bool
}

// NewFirstLine returns a FirstLine waiting for its line.
func NewFirstLine() *FirstLine { return &FirstLine{Ready: make(chan struct{})} }

func (f *FirstLine) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.done {
		return len(p), nil
	}
	f.buf = append(f.buf, p...)
	if i := bytes.IndexByte(f.buf, '\n'); i >= 0 {
		f.buf = f.buf[:i]
		f.done = true
		close(f.Ready)
	}
	return len(p), nil
}

// Line returns the line (without its newline), once Ready is closed.
func (f *FirstLine) Line() []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return bytes.Clone(f.buf)
}

// LimitedBuffer keeps the first Max bytes of a child's stderr, for failure
// messages, and never blocks the child by refusing a write.
type LimitedBuffer struct {
	Max int

	mu sync.Mutex
	b  bytes.Buffer
}

func (l *LimitedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if room := l.Max - l.b.Len(); room > 0 {
		l.b.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (l *LimitedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
