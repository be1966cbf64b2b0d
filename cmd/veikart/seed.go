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

	"github.com/veikart/veikart/backend/auth"
	"github.com/veikart/veikart/backend/demo"
	"github.com/veikart/veikart/backend/veikart"
)

// The load agency: its own, not the development demo's "demo-nav", which
// `serve` in development mode fills with Kari's roadmap as well, so that an
// agency seeded to share S roadmaps would list S+1.
const (
	loadAgencyID = "load-nav"
	loadGrantTTL = 90 * 24 * time.Hour
)

// seedOptions are the flags of `veikart seed`.
type seedOptions struct {
	roadmaps, tokens int
	out              string
	ttl              time.Duration
	caseworkers      int
	caseworkerOut    string
	share            int // roadmaps granted to the load agency; -1: all
}

// seed fills the store with demo roadmaps, each with its own owner, and
// writes access tokens for some of those owners, for load tests. With
// -caseworkers it also makes an agency with that many caseworkers, shares
// the roadmaps with it, and writes the caseworkers' tokens.
func seed(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	var o seedOptions
	fl := flag.NewFlagSet("seed", flag.ContinueOnError)
	fl.IntVar(&o.roadmaps, "roadmaps", 1000, "how many roadmaps to create")
	fl.IntVar(&o.tokens, "tokens", 1000, "how many owners to write access tokens for")
	fl.StringVar(&o.out, "out", "", "file for lines of roadmapId<TAB>accessToken")
	fl.DurationVar(&o.ttl, "token-ttl", 2*time.Hour, "lifetime of the written tokens")
	fl.IntVar(&o.caseworkers, "caseworkers", 0, "how many caseworkers of the agency "+loadAgencyID+" to create (0: no agency, no grants)")
	fl.StringVar(&o.caseworkerOut, "caseworker-out", "", "file for lines of roadmapId<TAB>caseworkerToken, one per caseworker and granted roadmap among the first -tokens")
	fl.IntVar(&o.share, "share", -1, "share only the first S roadmaps with the agency (default: all)")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if o.out == "" || o.roadmaps <= 0 || o.tokens < 0 || o.tokens > o.roadmaps {
		return fmt.Errorf("seed: give -out, and 0 <= -tokens <= -roadmaps")
	}
	if o.share < 0 || o.share > o.roadmaps {
		o.share = o.roadmaps
	}
	if o.caseworkers < 0 || o.caseworkers > veikart.MaxAgencyStaff || (o.caseworkers > 0) != (o.caseworkerOut != "") {
		return fmt.Errorf("seed: give -caseworkers (at most %d) and -caseworker-out together", veikart.MaxAgencyStaff)
	}
	if o.caseworkers == 0 {
		o.share = 0
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.close(context.WithoutCancel(ctx))

	now := time.Now()
	if o.caseworkers > 0 {
		if err := seedAgency(ctx, a, o, now); err != nil {
			return err
		}
	}
	if err := seedRoadmaps(ctx, a, o, now); err != nil {
		return err
	}
	if err := writeOwnerTokens(ctx, a, o, now.UTC()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seeded %d roadmaps; %d tokens in %s\n", o.roadmaps, o.tokens, o.out)
	if o.caseworkers > 0 {
		lines, err := writeCaseworkerTokens(ctx, a, o, now.UTC())
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "agency %s: %d caseworkers, %d roadmaps shared; %d lines in %s\n",
			loadAgencyID, o.caseworkers, o.share, lines, o.caseworkerOut)
	}
	return nil
}

// seedRoadmaps inserts the owners and their roadmaps, a thousand at a time.
// The first o.share roadmaps carry their grant to the load agency from the
// start: the document AddGrant makes, as POST /roadmaps/{id}/grants would
// store it, without a read and a rewrite of each roadmap.
func seedRoadmaps(ctx context.Context, a *app, o seedOptions, now time.Time) error {
	policy := veikart.ConsentPolicy{MaxGrant: a.cfg.GrantMax}
	spec := veikart.GrantSpec{
		Sections: []veikart.Section{
			veikart.SectionHousehold,
			veikart.AreaSection("housing"), veikart.StepsSection("housing"),
			veikart.AreaSection("economy"), veikart.StepsSection("economy"),
		},
		Permissions: []veikart.Permission{veikart.View},
		Purpose:     "Lasttest: oppfølging av bolig og økonomi",
		// Never longer than the operator allows, or AddGrant refuses it.
		ExpiresAt: now.Add(min(loadGrantTTL, a.cfg.GrantMax)),
	}
	const batch = 1000
	for start := 0; start < o.roadmaps; start += batch {
		end := min(start+batch, o.roadmaps)
		users := make([]*veikart.User, 0, end-start)
		rms := make([]*veikart.Roadmap, 0, end-start)
		for i := start; i < end; i++ {
			uid, rid := ownerID(i), roadmapID(i)
			users = append(users, &veikart.User{ID: uid, Name: "Load " + strconv.Itoa(i), CreatedAt: now, RoadmapIDs: []string{rid}})
			r := demo.Roadmap(rid, uid, now)
			if i < o.share {
				var err error
				if r, _, err = r.AddGrant("g-"+auth.RandomID(9), loadAgencyID, uid, spec, "owner", now, policy); err != nil {
					return fmt.Errorf("seed: grant %s to %s: %w", rid, loadAgencyID, err)
				}
			}
			rms = append(rms, r)
		}
		if err := a.store.InsertUsers(ctx, users); err != nil {
			return err
		}
		if err := a.store.InsertRoadmaps(ctx, rms); err != nil {
			return err
		}
	}
	return nil
}

func ownerID(i int) string      { return "load-u" + strconv.Itoa(i) }
func roadmapID(i int) string    { return "load-rm" + strconv.Itoa(i) }
func caseworkerID(j int) string { return "load-cw" + strconv.Itoa(j) }

// seedAgency creates the load agency with its caseworkers, as the operator
// would through the admin API (create, then one SetStaff per person), and
// fills its index of shared roadmaps. It runs before the roadmaps are
// inserted, in the order the API writes: an index entry whose grant is not
// there yet shows nothing; a grant missing from the index is never found.
func seedAgency(ctx context.Context, a *app, o seedOptions, now time.Time) error {
	ag, err := veikart.NewAgency(loadAgencyID, veikart.KindNAV, "NAV Lasttest", "Oslo", now)
	if err != nil {
		return fmt.Errorf("seed agency: %w", err)
	}
	staff := make([]*veikart.User, o.caseworkers)
	for j := range o.caseworkers {
		uid := caseworkerID(j)
		if ag, err = ag.SetStaff(uid, []veikart.AgencyRole{veikart.CaseworkerRole}, auth.OperatorSubject, now); err != nil {
			return fmt.Errorf("seed agency staff %s: %w", uid, err)
		}
		// AgencyIDs is what AddUserAgency would have added after SetStaff.
		staff[j] = &veikart.User{ID: uid, Name: "Saksbehandler " + strconv.Itoa(j), CreatedAt: now, AgencyIDs: []string{loadAgencyID}}
	}
	if err := a.store.CreateAgency(ctx, ag); err != nil {
		return fmt.Errorf("seed agency: %w", err)
	}
	if err := a.store.InsertUsers(ctx, staff); err != nil {
		return fmt.Errorf("seed agency staff: %w", err)
	}
	return fillAgencyIndex(ctx, a, o.share)
}

// fillAgencyIndex writes the agency's index of shared roadmaps in one
// write, as the API's one addition per grant would have left it.
func fillAgencyIndex(ctx context.Context, a *app, n int) error {
	if n == 0 {
		return nil
	}
	ids := make([]string, n)
	for i := range ids {
		ids[i] = roadmapID(i)
	}
	if err := a.store.AddAgencyRoadmaps(ctx, loadAgencyID, ids); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	return nil
}

// writeOwnerTokens writes a token for each of the first o.tokens owners.
func writeOwnerTokens(ctx context.Context, a *app, o seedOptions, now time.Time) error {
	return writeTokenFile(o.out, func(w io.Writer) error {
		for i := range o.tokens {
			tok, err := issueSeedToken(ctx, a, ownerID(i), "seed-"+strconv.Itoa(i), "", o.ttl, now)
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "%s\t%s\n", roadmapID(i), tok)
		}
		return nil
	})
}

// writeCaseworkerTokens gives each caseworker a session acting for the load
// agency, and writes a line for each roadmap that is both shared and among
// the first o.tokens: caseworker j takes roadmaps j, j+C, j+2C ... The lines
// go in roadmap order, so that wrk's threads (which take alternate lines)
// each get many caseworkers. It returns the number of lines.
func writeCaseworkerTokens(ctx context.Context, a *app, o seedOptions, now time.Time) (int, error) {
	toks := make([]string, o.caseworkers)
	for j := range toks {
		var err error
		if toks[j], err = issueSeedToken(ctx, a, caseworkerID(j), "seed-cw"+strconv.Itoa(j), loadAgencyID, o.ttl, now); err != nil {
			return 0, err
		}
	}
	lines := min(o.tokens, o.share)
	return lines, writeTokenFile(o.caseworkerOut, func(w io.Writer) error {
		for i := range lines {
			fmt.Fprintf(w, "%s\t%s\n", roadmapID(i), toks[i%o.caseworkers])
		}
		return nil
	})
}

// issueSeedToken starts a session for uid (acting for agencyID unless "")
// and returns an access token in it: the API refuses tokens whose session
// is not on, and checks a caseworker's agency on every request.
func issueSeedToken(ctx context.Context, a *app, uid, sid, agencyID string, ttl time.Duration, now time.Time) (string, error) {
	sess := &veikart.Session{ID: sid, UserID: uid, CreatedAt: now, LastUsedAt: now, ExpiresAt: now.Add(ttl),
		Method: veikart.SignInDev, AgencyID: agencyID}
	if err := a.store.CreateSession(ctx, sess); err != nil && veikart.ErrorCode(err) != veikart.ECONFLICT {
		return "", fmt.Errorf("seed session for %s: %w", uid, err)
	}
	tok, _, err := a.tokens.IssueFor(uid, sid, agencyID, ttl)
	if err != nil {
		return "", fmt.Errorf("seed token for %s: %w", uid, err)
	}
	return tok, nil
}

// writeTokenFile creates path (readable by its owner only: it holds bearer
// tokens) and fills it with fill through a buffer.
func writeTokenFile(path string, fill func(w io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	w := bufio.NewWriter(f)
	if err := fill(w); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("seed: write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	return nil
}
