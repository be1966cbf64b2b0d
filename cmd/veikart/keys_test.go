package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/auth"
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

// Stage, promote, retire: a staged key verifies and does not sign until it
// is promoted; the key that signs cannot be retired.
func TestKeysStagePromoteRetire(t *testing.T) {
	dir := t.TempDir()
	cfg := config{KeysDir: dir}
	run := func(args ...string) string {
		t.Helper()
		var out bytes.Buffer
		if err := keys(cfg, args, &out); err != nil {
			t.Fatalf("keys %v: %v", args, err)
		}
		return out.String()
	}
	signer := func() *auth.Key {
		t.Helper()
		ks, err := auth.LoadKeys(dir, false, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return ks.Signing()
	}
	run()
	old := signer().ID
	if err := keys(cfg, []string{"-promote"}, io.Discard); err == nil {
		t.Fatal("promoted with nothing staged")
	}
	staged := strings.Fields(run("-stage"))[3]
	ks, err := auth.LoadKeys(dir, false, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if ks.Signing().ID != old {
		t.Fatalf("a staged key signs")
	}
	if _, ok := ks.Lookup(staged); !ok {
		t.Fatalf("the staged key %s does not verify", staged)
	}
	if l := run("-list"); !strings.Contains(l, staged+"\tstaged") || !strings.Contains(l, old+"\tsigns") {
		t.Fatalf("list:\n%s", l)
	}
	time.Sleep(1100 * time.Millisecond) // promotion names the key by the second
	run("-promote")
	if got := signer().ID; got != staged {
		t.Fatalf("after promote %s signs, want %s", got, staged)
	}
	if err := keys(cfg, []string{"-retire", staged}, io.Discard); err == nil {
		t.Fatal("retired the key that signs")
	}
	run("-retire", old)
	if l := run("-list"); strings.Contains(l, old) || !strings.Contains(l, staged+"\tsigns") {
		t.Fatalf("after retiring %s:\n%s", old, l)
	}
}
