package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
)

// erasures applies erasures again after a backup was restored: it reads the
// erasure hashes that the server logged when people erased roadmaps and
// accounts (the erasure= field of its "roadmap erased" and "account erased"
// lines, in text or JSON logs, or one bare hash per line) and asks the
// running server to erase whatever in the restored database matches them
// (POST /api/v1/admin/erasures, as the operator). docs/erasure.md says when.
//
//	veikart erasures reapply [-server URL] FILE   (- for standard input)
func erasures(ctx context.Context, cfg config, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	const use = "usage: veikart erasures reapply [-server URL] FILE   (FILE: server log lines or hashes; - reads standard input)\n"
	if len(args) == 0 || args[0] != "reapply" {
		fmt.Fprint(stderr, use)
		return errors.New("erasures: want the subcommand reapply")
	}
	fl := flag.NewFlagSet("erasures reapply", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.Usage = func() { fmt.Fprint(stderr, use); fl.PrintDefaults() }
	server := fl.String("server", cfg.PublicURL, "the server's `URL`")
	pos, err := parseInterspersed(fl, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("erasures reapply: %w", err)
	}
	if len(pos) != 1 {
		fl.Usage()
		return fmt.Errorf("erasures reapply: want 1 file, got %d", len(pos))
	}
	in := stdin
	if pos[0] != "-" {
		f, err := os.Open(pos[0])
		if err != nil {
			return fmt.Errorf("erasures reapply: %w", err)
		}
		defer f.Close()
		in = f
	}
	hashes, err := erasureHashes(in)
	if err != nil {
		return fmt.Errorf("erasures reapply: read %s: %w", pos[0], err)
	}
	if len(hashes) == 0 {
		return fmt.Errorf("erasures reapply: no erasure hashes in %s", pos[0])
	}
	client, err := newAdminClient(cfg, *server)
	if err != nil {
		return err
	}
	var total struct{ Roadmaps, Accounts int }
	for batch := range slices.Chunk(hashes, maxHashesPerRequest) {
		answer, err := client.do(ctx, "POST", "/api/v1/admin/erasures", map[string]any{"hashes": batch})
		if err != nil {
			return reportProblem(stderr, err)
		}
		var got struct{ Roadmaps, Accounts int }
		if err := json.Unmarshal(answer, &got); err != nil {
			return fmt.Errorf("erasures reapply: the server's answer: %w", err)
		}
		total.Roadmaps += got.Roadmaps
		total.Accounts += got.Accounts
	}
	fmt.Fprintf(stdout, "%d erasure hashes: erased %d roadmaps and %d accounts again\n", len(hashes), total.Roadmaps, total.Accounts)
	return nil
}

// maxHashesPerRequest keeps each request under the server's body limit
// (schemas/reapply-erasures-request.schema.json allows 5,000).
const maxHashesPerRequest = 5000

var (
	loggedHash = regexp.MustCompile(`erasure"?\s*[=:]\s*"?([0-9a-f]{32})\b`)
	bareHash   = regexp.MustCompile(`^\s*([0-9a-f]{32})\s*$`)
)

// erasureHashes reads the distinct erasure hashes in r, in the order found.
func erasureHashes(r io.Reader) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		m := loggedHash.FindStringSubmatch(line)
		if m == nil {
			m = bareHash.FindStringSubmatch(line)
		}
		if m != nil && !seen[m[1]] {
			seen[m[1]] = true
			out = append(out, m[1])
		}
	}
	return out, sc.Err()
}
