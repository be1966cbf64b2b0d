package pwa

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
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
