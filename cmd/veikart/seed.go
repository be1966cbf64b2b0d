package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/veikart/veikart/backend/demo"
	"github.com/veikart/veikart/backend/veikart"
)

// seed fills the store with demo roadmaps, each with its own owner, and
// writes access tokens for some of those owners, for load tests.
func seed(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	fl := flag.NewFlagSet("seed", flag.ContinueOnError)
	n := fl.Int("roadmaps", 1000, "how many roadmaps to create")
	k := fl.Int("tokens", 1000, "how many owners to write access tokens for")
	out := fl.String("out", "", "file for lines of roadmapId<TAB>accessToken")
	ttl := fl.Duration("token-ttl", 2*time.Hour, "lifetime of the written tokens")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if *out == "" || *n <= 0 || *k < 0 || *k > *n {
		return fmt.Errorf("seed: give -out, and 0 <= -tokens <= -roadmaps")
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.close(context.WithoutCancel(ctx))

	now := time.Now()
	const batch = 1000
	for start := 0; start < *n; start += batch {
		end := min(start+batch, *n)
		users := make([]*veikart.User, 0, end-start)
		rms := make([]*veikart.Roadmap, 0, end-start)
		for i := start; i < end; i++ {
			uid, rid := "load-u"+strconv.Itoa(i), "load-rm"+strconv.Itoa(i)
			users = append(users, &veikart.User{ID: uid, Name: "Load " + strconv.Itoa(i), CreatedAt: now, RoadmapIDs: []string{rid}})
			rms = append(rms, demo.Roadmap(rid, uid, now))
		}
		if err := a.store.InsertUsers(ctx, users); err != nil {
			return err
		}
		if err := a.store.InsertRoadmaps(ctx, rms); err != nil {
			return err
		}
	}

	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	w := bufio.NewWriter(f)
	now = now.UTC()
	for i := range *k {
		// A session per token: the API refuses tokens whose session is not on.
		uid, sid := "load-u"+strconv.Itoa(i), "seed-"+strconv.Itoa(i)
		sess := &veikart.Session{ID: sid, UserID: uid, CreatedAt: now, LastUsedAt: now, ExpiresAt: now.Add(*ttl), Method: veikart.SignInDev}
		if err := a.store.CreateSession(ctx, sess); err != nil && veikart.ErrorCode(err) != veikart.ECONFLICT {
			f.Close()
			return err
		}
		tok, _, err := a.tokens.IssueFor(uid, sid, "", *ttl)
		if err != nil {
			f.Close()
			return err
		}
		fmt.Fprintf(w, "load-rm%d\t%s\n", i, tok)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("seed: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	fmt.Fprintf(stdout, "seeded %d roadmaps; %d tokens in %s\n", *n, *k, *out)
	return nil
}
