// Command veikart runs the Veikart service: the API and the web app in one
// binary, on an embedded store or on MongoDB.
//
//	veikart serve   serve HTTP (configured from the environment; see README.md)
//	veikart keys    create a new token signing key in the data directory
//	veikart seed    fill the store with demo roadmaps (load tests)
//	veikart agency  create agencies and manage their people (a client of the
//	                running server's admin API)
//	veikart health  exit 0 if the running server is ready (health checks)
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // reminders need Europe/Oslo on machines without a zoneinfo database
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.As(err, new(reportedError)) {
			fmt.Fprintln(os.Stderr, "veikart:", err)
		}
		os.Exit(1)
	}
}

// reportedError is an error a command has already described on stderr, in
// more detail than one line; main only sets the exit status for it.
type reportedError struct{ err error }

func (e reportedError) Error() string { return e.err.Error() }
func (e reportedError) Unwrap() error { return e.err }

const usage = `usage: veikart <command> [flags]

commands:
  serve   serve the API and the web app (configuration from the environment)
  keys    create a new token signing key in the data directory
  seed    fill the store with demo roadmaps and print tokens (for load tests)
  agency  create agencies and manage their people, through the running
          server's admin API (veikart agency help for its subcommands)
  health  probe the running server's readiness (container health checks)
  erasures reapply FILE
          after restoring a backup, erase again what people erased since
          (FILE: the server's log lines with erasure=, docs/erasure.md)
`

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	switch args[0] {
	case "serve":
		return serve(ctx, cfg, stdout)
	case "keys":
		return keys(cfg, args[1:], stdout)
	case "seed":
		return seed(ctx, cfg, args[1:], stdout)
	case "agency":
		return agency(ctx, cfg, args[1:], stdout, stderr)
	case "health":
		return health(ctx, cfg, args[1:], stdout)
	case "erasures":
		return erasures(ctx, cfg, args[1:], os.Stdin, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}
