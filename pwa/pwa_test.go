package pwa

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
)

// The server sends a Content-Security-Policy without 'unsafe-inline': a page
// with inline script or style, or an event-handler attribute, would break
// under it. Every HTML file here must load its script and style from files.
func TestNoInlineScriptOrStyle(t *testing.T) {
	inline := regexp.MustCompile(`(?i)<style|<script(?:\s[^>]*)?>\s*[^<\s]|\sstyle=|\son[a-z]+=`)
	err := fs.WalkDir(FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".html") {
			return err
		}
		b, err := fs.ReadFile(FS, path)
		if err != nil {
			return err
		}
		if m := inline.Find(b); m != nil {
			t.Errorf("%s has inline script or style (%q): the Content-Security-Policy blocks it", path, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestHandler(t *testing.T) {
	a, err := New()
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New()
	app.Use(a.Handler)
	get := func(path string, hdr map[string]string) *http.Response {
		t.Helper()
		req := httptest.NewRequest("GET", path, nil)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		// No deadline (Fiber's default is 1 s): the first request of a
		// file compresses it, which under -race on a busy machine took
		// longer and failed the test without anything being wrong.
		res, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	body := func(res *http.Response) string {
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}

	res := get("/", nil)
	if res.StatusCode != 200 || !strings.Contains(body(res), `<script type="module" src="/js/app.js">`) || res.Header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("/: %d %v", res.StatusCode, res.Header)
	}
	// The service worker knows the version and every file to keep offline.
	sw := body(get("/sw.js", nil))
	if !strings.Contains(sw, `const VERSION = "`+a.Version()+`"`) || !strings.Contains(sw, `"/js/app.js"`) || !strings.Contains(sw, `"/i18n/ar.json"`) || strings.Contains(sw, "__") {
		t.Fatalf("sw.js not filled in: %.300s", sw)
	}
	if len(a.Version()) != 16 {
		t.Fatalf("version %q", a.Version())
	}
	// Compressed as the browser allows, and revalidated by ETag.
	res = get("/js/app.js", map[string]string{"Accept-Encoding": "gzip, deflate, br"})
	if res.Header.Get("Content-Encoding") != "br" || res.Header.Get("Content-Type") != "text/javascript; charset=utf-8" {
		t.Fatalf("app.js: %v", res.Header)
	}
	res = get("/js/app.js", map[string]string{"Accept-Encoding": "gzip;q=1, br;q=0"})
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("br;q=0 still got %q", res.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if want, _ := fs.ReadFile(FS, "js/app.js"); string(plain) != string(want) {
		t.Fatal("gzip body differs from the file")
	}
	etag := res.Header.Get("ETag")
	if res = get("/js/app.js", map[string]string{"If-None-Match": etag}); res.StatusCode != 304 {
		t.Fatalf("If-None-Match: %d", res.StatusCode)
	}
	if res = get("/manifest.webmanifest", nil); res.Header.Get("Content-Type") != "application/manifest+json" {
		t.Fatalf("manifest type %q", res.Header.Get("Content-Type"))
	}
	for _, p := range []string{"/tests/package.json", "/pwa.go", "/../go.mod", "/nothing"} {
		if res = get(p, nil); res.StatusCode != 404 {
			t.Errorf("%s: %d, want 404", p, res.StatusCode)
		}
	}
}

// Every message the app uses is in the bokmål catalogue, and every other
// catalogue has the same keys (a plural category of its own aside).
func TestCatalogues(t *testing.T) {
	read := func(name string) map[string]string {
		b, err := fs.ReadFile(FS, "i18n/"+name+".json")
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		// JSON allows a key twice and keeps the last: one message would be
		// lost without a word.
		if keys := regexp.MustCompile(`(?m)^\s*"([^"]+)":`).FindAllSubmatch(b, -1); len(keys) != len(m) {
			seen := map[string]bool{}
			for _, k := range keys {
				if seen[string(k[1])] {
					t.Errorf("%s.json has %q twice", name, k[1])
				}
				seen[string(k[1])] = true
			}
		}
		return m
	}
	nb := read("nb")
	used := regexp.MustCompile(`\b(?:t|plural)\('([a-zA-Z.-]+)'`)
	err := fs.WalkDir(FS, "js", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := fs.ReadFile(FS, path)
		for _, m := range used.FindAllStringSubmatch(string(b), -1) {
			k := m[1]
			if _, ok := nb[k]; !ok {
				if _, ok := nb[k+".other"]; !ok {
					t.Errorf("%s uses %q, not in nb.json", path, k)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	placeholders := regexp.MustCompile(`\{\w+\}`)
	for _, lang := range []string{"nn", "en", "ar", "uk", "so", "ti"} {
		m := read(lang)
		for k, v := range nb {
			if plural := strings.HasSuffix(k, ".other") || strings.HasSuffix(k, ".one"); plural && strings.HasSuffix(k, ".one") {
				continue // a language may have no "one" form
			}
			tr, ok := m[k]
			if !ok {
				t.Errorf("%s.json lacks %q", lang, k)
				continue
			}
			for _, p := range placeholders.FindAllString(v, -1) {
				if !strings.Contains(tr, p) && p != "{n}" {
					t.Errorf("%s.json %q lacks %s", lang, k, p)
				}
			}
		}
	}
}
