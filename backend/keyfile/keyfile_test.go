package keyfile

import (
	"os"
	"path/filepath"
	"testing"
)

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		mode os.FileMode
		ok   bool
	}{
		{0o600, true},
		{0o400, true},
		{0o640, true},
		{0o440, true}, // a Kubernetes Secret volume with fsGroup
		{0o660, false},
		{0o644, false},
		{0o604, false},
		{0o602, false},
		{0o610, false},
		{0o777, false},
	}
	for _, c := range cases {
		p := filepath.Join(dir, c.mode.String())
		if err := os.WriteFile(p, []byte("k"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, c.mode); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := Check("key", p, fi); (err == nil) != c.ok {
			t.Errorf("mode %04o: err %v, want ok=%v", c.mode, err, c.ok)
		}
	}
}
