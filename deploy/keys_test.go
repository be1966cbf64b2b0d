package deploy_test

import (
	"encoding/base64"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// keys-init.sh runs in the init image (busybox); here it runs under
// busybox's sh when the machine has it, else under sh, with the binary the
// build stage made standing in for /veikart.

func TestKeysInit_Make(t *testing.T) {
	bin := mustBuild(t)
	dir := filepath.Join(t.TempDir(), "keys")

	mustKeysInit(t, bin, "make", dir)
	first := mustReadDir(t, dir)
	checkKeyDir(t, dir)
	pid, err := base64.StdEncoding.DecodeString(strings.TrimSpace(first["pid.key"]))
	if err != nil || len(pid) != 32 {
		t.Errorf("pid.key is not 32 bytes of base64: %q", first["pid.key"])
	}

	// Every start runs it again: nothing that exists may change, or
	// replicas started before and after would disagree.
	mustKeysInit(t, bin, "make", dir)
	if again := mustReadDir(t, dir); !maps.Equal(first, again) {
		t.Errorf("a second run changed the keys:\nbefore %v\nafter  %v", names(first), names(again))
	}

	// Keys made earlier by `veikart keys` alone (no pid.key yet) are kept.
	dir2 := filepath.Join(t.TempDir(), "keys")
	cmd := exec.Command(bin, "keys")
	cmd.Env = []string{"VEIKART_KEYS_DIR=" + dir2}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("veikart keys: %v\n%s", err, out)
	}
	before := mustReadDir(t, dir2)
	mustKeysInit(t, bin, "make", dir2)
	after := mustReadDir(t, dir2)
	delete(after, "pid.key")
	if !maps.Equal(before, after) {
		t.Errorf("make changed keys that were there: before %v, after %v", names(before), names(after))
	}
	checkKeyDir(t, dir2)
}

func TestKeysInit_Copy(t *testing.T) {
	bin := mustBuild(t)
	made := filepath.Join(t.TempDir(), "made")
	mustKeysInit(t, bin, "make", made)
	keys := mustReadDir(t, made)

	t.Run("FromSecretVolume", func(t *testing.T) {
		secret := fakeSecretVolume(t, keys)
		dst := filepath.Join(t.TempDir(), "keys")
		// A key removed from the Secret must not survive in the copy.
		if err := os.MkdirAll(dst, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, "signing-19990101T000000Z-old.pem"), []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
		mustKeysInit(t, bin, "copy", secret, dst)
		if got := mustReadDir(t, dst); !maps.Equal(keys, got) {
			t.Errorf("copied %v, want %v", names(got), names(keys))
		}
		checkKeyDir(t, dst)
	})
	for _, missing := range []string{"pid.key", "vapid.json", "signing-"} {
		t.Run("Refuses/"+strings.TrimSuffix(missing, "-"), func(t *testing.T) {
			partial := map[string]string{}
			for k, v := range keys {
				if !strings.HasPrefix(k, missing) {
					partial[k] = v
				}
			}
			secret := fakeSecretVolume(t, partial)
			dst := filepath.Join(t.TempDir(), "keys")
			out, err := keysInit(bin, "copy", secret, dst)
			if err == nil {
				t.Fatalf("copy succeeded without %s:\n%s", missing, out)
			}
			if !strings.Contains(out, missing) {
				t.Errorf("the error does not name %s: %s", missing, out)
			}
			if entries, _ := os.ReadDir(dst); len(entries) > 0 {
				t.Errorf("copied %d files although %s is missing", len(entries), missing)
			}
		})
	}
}

// fakeSecretVolume lays files out as the kubelet does for a Secret volume:
// the data in a timestamped directory, ..data linking to it, and each name a
// link through ..data; files group-readable, as fsGroup makes them.
func fakeSecretVolume(tb testing.TB, files map[string]string) string {
	tb.Helper()
	root := tb.TempDir()
	ts := filepath.Join(root, "..2026_11_26_00_00_00.000000001")
	if err := os.Mkdir(ts, 0o755); err != nil {
		tb.Fatal(err)
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(ts, name), []byte(body), 0o440); err != nil {
			tb.Fatal(err)
		}
		if err := os.Symlink(filepath.Join("..data", name), filepath.Join(root, name)); err != nil {
			tb.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Base(ts), filepath.Join(root, "..data")); err != nil {
		tb.Fatal(err)
	}
	return root
}

func keysInit(bin string, args ...string) (string, error) {
	shell := []string{"sh"}
	if p, err := exec.LookPath("busybox"); err == nil {
		shell = []string{p, "sh"}
	}
	cmd := exec.Command(shell[0], append(append(shell[1:], "keys-init.sh"), args...)...)
	cmd.Env = []string{"VEIKART_BIN=" + bin, "PATH=" + os.Getenv("PATH")}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func mustKeysInit(tb testing.TB, bin string, args ...string) {
	tb.Helper()
	if out, err := keysInit(bin, args...); err != nil {
		tb.Fatalf("keys-init.sh %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// checkKeyDir checks what the server will insist on when it loads dir:
// one or more signing keys, vapid.json and pid.key, none readable by anyone
// but their owner.
func checkKeyDir(tb testing.TB, dir string) {
	tb.Helper()
	files := mustReadDir(tb, dir)
	if !slices.ContainsFunc(names(files), func(n string) bool { return strings.HasPrefix(n, "signing-") && strings.HasSuffix(n, ".pem") }) {
		tb.Errorf("%s: no signing key in %v", dir, names(files))
	}
	for _, n := range []string{"vapid.json", "pid.key"} {
		if _, ok := files[n]; !ok {
			tb.Errorf("%s: no %s", dir, n)
		}
	}
	for n := range files {
		fi, err := os.Stat(filepath.Join(dir, n))
		if err != nil {
			tb.Fatal(err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			tb.Errorf("%s/%s has mode %o; the server refuses keys others can read", dir, n, fi.Mode().Perm())
		}
	}
}

// mustReadDir returns the regular files in dir by name (dot files left out).
func mustReadDir(tb testing.TB, dir string) map[string]string {
	tb.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range entries {
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			tb.Fatal(err)
		}
		out[e.Name()] = string(b)
	}
	return out
}

func names(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }
