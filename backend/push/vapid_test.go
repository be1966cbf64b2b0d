package push_test

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/veikart/veikart/backend/push"
)

func TestLoadVAPID(t *testing.T) {
	t.Run("CreatesPrivateFileAndReloadsSameKeys", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "data", "keys")
		v, err := push.LoadVAPID(dir, true)
		if err != nil {
			t.Fatalf("LoadVAPID(create): %v", err)
		}
		mustMode(t, filepath.Join(dir, "vapid.json"), 0o600)
		mustMode(t, dir, 0o700|fs.ModeDir)
		if _, err := push.NewSender(v, testSubject, nil, nil); err != nil {
			t.Fatalf("created keys do not make a sender: %v", err)
		}
		again, err := push.LoadVAPID(dir, false)
		if err != nil {
			t.Fatalf("LoadVAPID(reload): %v", err)
		}
		if *again != *v {
			t.Fatalf("reloaded %+v, want %+v", again, v)
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) != 1 {
			t.Fatalf("dir holds %d entries, want only vapid.json (no temporary files left)", len(entries))
		}
	})

	t.Run("MissingWithoutCreate", func(t *testing.T) {
		if _, err := push.LoadVAPID(t.TempDir(), false); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("LoadVAPID = %v, want not exist", err)
		}
	})

	// Group-readable is allowed (a Kubernetes Secret with fsGroup); see
	// backend/keyfile.
	for _, mode := range []os.FileMode{0o644, 0o604, 0o660, 0o602} {
		t.Run("Refuses"+mode.String(), func(t *testing.T) {
			dir := t.TempDir()
			if _, err := push.LoadVAPID(dir, true); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(filepath.Join(dir, "vapid.json"), mode); err != nil {
				t.Fatal(err)
			}
			for _, create := range []bool{false, true} {
				_, err := push.LoadVAPID(dir, create)
				if err == nil || !strings.Contains(err.Error(), "open to others") {
					t.Fatalf("LoadVAPID(create=%v) on mode %v = %v, want refused", create, mode, err)
				}
			}
		})
	}

	t.Run("RefusesMismatchedPair", func(t *testing.T) {
		dir := t.TempDir()
		a, b := MustVAPID(t), MustVAPID(t)
		mustWriteKeyFile(t, dir, map[string]string{"publicKey": a.PublicKey, "privateKey": b.PrivateKey})
		if _, err := push.LoadVAPID(dir, true); err == nil || !strings.Contains(err.Error(), "does not belong") {
			t.Fatalf("LoadVAPID = %v, want mismatched pair refused", err)
		}
	})

	t.Run("RefusesGarbage", func(t *testing.T) {
		dir := t.TempDir()
		mustWriteKeyFile(t, dir, map[string]string{"publicKey": "x", "privateKey": "y"})
		if _, err := push.LoadVAPID(dir, true); err == nil {
			t.Fatal("LoadVAPID accepted keys that are not P-256")
		}
	})

	t.Run("ConcurrentCreateAgrees", func(t *testing.T) {
		dir := t.TempDir()
		const n = 8
		keys := make([]*push.VAPID, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { keys[i], errs[i] = push.LoadVAPID(dir, true) })
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("LoadVAPID %d: %v", i, errs[i])
			}
			if *keys[i] != *keys[0] {
				t.Fatalf("concurrent creators got different keys")
			}
		}
	})
}

func TestRotateVAPID(t *testing.T) {
	dir := t.TempDir()
	old, err := push.LoadVAPID(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	v, err := push.RotateVAPID(dir)
	if err != nil {
		t.Fatalf("RotateVAPID: %v", err)
	}
	if v.PublicKey == old.PublicKey || v.PrivateKey == old.PrivateKey {
		t.Fatal("RotateVAPID kept the old keys")
	}
	mustMode(t, filepath.Join(dir, "vapid.json"), 0o600)
	got, err := push.LoadVAPID(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if *got != *v {
		t.Fatalf("LoadVAPID after rotation = %+v, want the new keys", got)
	}
}

func mustMode(tb testing.TB, path string, want os.FileMode) {
	tb.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		tb.Fatal(err)
	}
	if got := fi.Mode() & (fs.ModePerm | fs.ModeDir); got != want {
		tb.Fatalf("%s has mode %v, want %v", path, got, want)
	}
}

func mustWriteKeyFile(tb testing.TB, dir string, content map[string]string) {
	tb.Helper()
	b, err := json.Marshal(content)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "vapid.json"), b, 0o600); err != nil {
		tb.Fatal(err)
	}
}
