package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/veikart/veikart/backend/auth"
	"github.com/veikart/veikart/backend/push"
)

// keys creates a new signing key, and the VAPID key pair for Web Push if
// there is none. Existing signing keys stay: they keep verifying the tokens
// they signed until those expire; delete an old key file once no token signed
// by it can still be valid (the access token lifetime after rotation).
//
// -rotate-vapid replaces the VAPID key pair. Every device's push
// subscription was made for the old public key and stops working: the app
// subscribes again with the new key the next time it opens.
func keys(cfg config, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("keys", flag.ContinueOnError)
	fs.SetOutput(stdout)
	rotate := fs.Bool("rotate-vapid", false, "replace the Web Push (VAPID) key pair; every push subscription must be renewed")
	stage := fs.Bool("stage", false, "make a new signing key that verifies but does not sign yet (many replicas: stage, then promote)")
	promote := fs.Bool("promote", false, "let the staged signing key sign, from each process's next start")
	retire := fs.String("retire", "", "delete the signing key with this id (not the one that signs)")
	list := fs.Bool("list", false, "list the signing keys and what each does")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case *list:
		ks, err := auth.ListKeys(cfg.KeysDir)
		if err != nil {
			return err
		}
		for _, k := range ks {
			fmt.Fprintf(stdout, "%s\t%s\t%s\n", k.ID, k.Role, k.Name)
		}
		return nil
	case *stage:
		k, err := auth.StageKey(cfg.KeysDir, time.Now())
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "staged signing key %s in %s: it verifies from each process's next start; run `veikart keys -promote` once every replica has it\n", k.ID, cfg.KeysDir)
		return nil
	case *promote:
		ids, err := auth.PromoteStaged(cfg.KeysDir, time.Now())
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "promoted signing key %s in %s: it signs from each process's next start\n", strings.Join(ids, ", "), cfg.KeysDir)
		return nil
	case *retire != "":
		if err := auth.RetireKey(cfg.KeysDir, *retire); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "retired signing key %s from %s\n", *retire, cfg.KeysDir)
		return nil
	}
	// Rotating the push key is its own operation: it must not also put a
	// new signing key in force (which every replica would need at once).
	if *rotate {
		v, err := push.RotateVAPID(cfg.KeysDir)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "replaced the VAPID key pair in %s; public key %s\n", cfg.KeysDir, v.PublicKey)
		return nil
	}
	k, err := auth.CreateKey(cfg.KeysDir, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created signing key %s in %s\n", k.ID, cfg.KeysDir)
	v, err := push.LoadVAPID(cfg.KeysDir, true)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "VAPID public key %s (in %s)\n", v.PublicKey, cfg.KeysDir)
	return nil
}
