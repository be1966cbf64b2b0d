// Package pwa holds the installable web app and serves it. The files are
// embedded into the binary, so `veikart serve` serves the app with nothing
// else installed and no build step.
package pwa

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"mime"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
	"github.com/gofiber/fiber/v2"
)

// FS holds the app's files. The tests in tests/ are not part of it.
//
//go:embed index.html app.css poster.css sw.js manifest.webmanifest js i18n icons
var FS embed.FS

// file is one file, ready to send. Its compressed forms are made once, not
// on every request, since the app never changes while running; but not
// before the server starts either: brotli's best level takes seconds (1.7 s
// here, 14 s under the race detector), and a restarted replica should be
// ready at once. New starts a goroutine that compresses every file; a
// request that comes first makes its file's forms itself.
type file struct {
	body        []byte
	contentType string
	etag        string
	compress    bool // text: worth compressing

	once   sync.Once
	gz, br []byte // nil until made, or if making them failed
}

// The compressors are reused: a brotli writer at its best level sets up
// tens of megabytes of tables, which for each of the app's files made
// about a gigabyte of garbage at every start (measured).
var (
	gzipWriters = sync.Pool{New: func() any {
		w, _ := gzip.NewWriterLevel(nil, gzip.BestCompression) // a valid level: no error
		return w
	}}
	brotliWriters = sync.Pool{New: func() any { return brotli.NewWriterLevel(nil, brotli.BestCompression) }}
)

// encoded returns the file's gzip and brotli forms, making them on first use.
func (f *file) encoded() (gz, br []byte) {
	if !f.compress {
		return nil, nil
	}
	f.once.Do(func() {
		// Writing to memory cannot fail; if it did, the file goes out as is.
		var gzb, brb bytes.Buffer
		zw := gzipWriters.Get().(*gzip.Writer)
		zw.Reset(&gzb)
		if _, err := zw.Write(f.body); err == nil && zw.Close() == nil {
			f.gz = gzb.Bytes()
		}
		gzipWriters.Put(zw)
		bw := brotliWriters.Get().(*brotli.Writer)
		bw.Reset(&brb)
		if _, err := bw.Write(f.body); err == nil && bw.Close() == nil {
			f.br = brb.Bytes()
		}
		brotliWriters.Put(bw)
	})
	return f.gz, f.br
}

// App serves the embedded app.
type App struct {
	files   map[string]*file
	version string
}

// New reads and compresses every file. The service worker learns the app's
// version (a hash of every file) and the list of files to keep offline, so
// that a new binary is an update to installed apps without anyone
// remembering to bump a number.
func New() (*App, error) {
	a := &App{files: map[string]*file{}}
	var names []string
	h := sha256.New()
	err := fs.WalkDir(FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		names = append(names, p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("pwa: list files: %w", err)
	}
	slices.Sort(names)
	raw := map[string][]byte{}
	for _, n := range names {
		b, err := fs.ReadFile(FS, n)
		if err != nil {
			return nil, fmt.Errorf("pwa: read %s: %w", n, err)
		}
		raw[n] = b
		h.Write([]byte(n))
		h.Write(b)
	}
	a.version = hex.EncodeToString(h.Sum(nil))[:16]
	shell := make([]string, 0, len(names))
	for _, n := range names {
		if n != "sw.js" {
			shell = append(shell, "/"+n)
		}
	}
	list, _ := json.Marshal(append([]string{"/"}, shell...))
	sw := raw["sw.js"]
	sw = bytes.Replace(sw, []byte(`"__VERSION__"`), []byte(`"`+a.version+`"`), 1)
	sw = bytes.Replace(sw, []byte(`["__SHELL__"]`), list, 1)
	raw["sw.js"] = sw
	for _, n := range names {
		a.files["/"+n] = newFile(n, raw[n])
	}
	a.files["/"] = a.files["/index.html"]
	go func() {
		for _, n := range names {
			a.files["/"+n].encoded()
		}
	}()
	return a, nil
}

func newFile(name string, b []byte) *file {
	ct := mime.TypeByExtension(path.Ext(name))
	switch path.Ext(name) {
	case ".webmanifest":
		ct = "application/manifest+json"
	case ".js":
		ct = "text/javascript; charset=utf-8"
	case ".json":
		ct = "application/json; charset=utf-8"
	}
	sum := sha256.Sum256(b)
	return &file{
		body: b, contentType: ct, etag: `"` + hex.EncodeToString(sum[:8]) + `"`,
		compress: !strings.HasPrefix(ct, "image/png"), // PNG is compressed already
	}
}

// Version is the app's version: a hash of its files.
func (a *App) Version() string { return a.version }

// Handler serves the app's files. Every response is revalidated (no-cache
// with an ETag): installed apps get their files from the service worker's
// cache, and the service worker itself must always be checked for updates.
func (a *App) Handler(c *fiber.Ctx) error {
	if c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead {
		return fiber.ErrNotFound
	}
	f, ok := a.files[c.Path()]
	if !ok {
		return fiber.ErrNotFound
	}
	c.Set(fiber.HeaderContentType, f.contentType)
	c.Set(fiber.HeaderCacheControl, "no-cache")
	c.Set(fiber.HeaderETag, f.etag)
	c.Vary(fiber.HeaderAcceptEncoding)
	if c.Get(fiber.HeaderIfNoneMatch) == f.etag {
		return c.SendStatus(fiber.StatusNotModified)
	}
	body := f.body
	ae := c.Get(fiber.HeaderAcceptEncoding)
	gz, br := f.encoded()
	switch {
	case br != nil && acceptsEncoding(ae, "br"):
		c.Set(fiber.HeaderContentEncoding, "br")
		body = br
	case gz != nil && acceptsEncoding(ae, "gzip"):
		c.Set(fiber.HeaderContentEncoding, "gzip")
		body = gz
	}
	return c.Send(body)
}

// acceptsEncoding reports whether an Accept-Encoding header allows enc: it
// is listed without q=0.
func acceptsEncoding(header, enc string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), enc) {
			continue
		}
		q, ok := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q=")
		if !ok {
			return true
		}
		v, err := strconv.ParseFloat(q, 64)
		return err == nil && v > 0
	}
	return false
}
