package main

import (
	"fmt"
	"io"
	"time"

	"github.com/veikart/veikart/backend/auth"
)

// keys creates a new signing key. Existing keys stay: they keep verifying the
// tokens they signed until those expire; delete an old key file once no token
// signed by it can still be valid (the access token lifetime after rotation).
func keys(cfg config, stdout io.Writer) error {
	k, err := auth.CreateKey(cfg.KeysDir, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created signing key %s in %s\n", k.ID, cfg.KeysDir)
	return nil
}
