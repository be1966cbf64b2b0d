// Package keyfile checks that a file holding a secret key is private enough
// to trust.
//
// The owner may read and write it, and its group may read it: a Kubernetes
// Secret volume with defaultMode 0440 and the pod's fsGroup, the usual way
// to hand a container its keys, is group-readable and owned by root. Nobody
// else may read it, and nobody but the owner may change it.
package keyfile

import (
	"fmt"
	"io/fs"
)

// forbidden are the permission bits a key file must not have: group write
// and execute, and everything for others.
const forbidden fs.FileMode = 0o037

// Check returns an error, naming what and path, if fi's permissions let
// anyone but its owner and group read the key, or anyone but its owner
// change it.
func Check(what, path string, fi fs.FileInfo) error {
	if p := fi.Mode().Perm(); p&forbidden != 0 {
		return fmt.Errorf("%s %s is open to others (mode %04o): allow only its owner, and at most reading by its group (chmod 600 or 640; a Kubernetes Secret with defaultMode 0440 is fine)", what, path, p)
	}
	return nil
}
