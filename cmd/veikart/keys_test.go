package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Rotating the push key pair changes nothing else: a new signing key would
// have to reach every replica at once.
func TestKeysRotateVAPIDOnly(t *testing.T) {
	dir := t.TempDir()
	cfg := config{KeysDir: dir}
	var out bytes.Buffer
	if err := keys(cfg, nil, &out); err != nil {
		t.Fatal(err)
	}
	list := func() []string {
		ents, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		return names
	}
	before := list()
	vapid, _ := os.ReadFile(filepath.Join(dir, "vapid.json"))
	out.Reset()
	if err := keys(cfg, []string{"-rotate-vapid"}, &out); err != nil {
		t.Fatal(err)
	}
	if after := list(); strings.Join(after, ",") != strings.Join(before, ",") {
		t.Fatalf("files changed from %v to %v", before, after)
	}
	if now, _ := os.ReadFile(filepath.Join(dir, "vapid.json")); bytes.Equal(now, vapid) {
		t.Fatal("the VAPID pair was not replaced")
	}
	if strings.Contains(out.String(), "signing key") {
		t.Fatalf("output mentions a signing key: %s", out.String())
	}
}
