package household

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/veikart"
)

// The system's blockers (veikart/blocker.go): a household names what
// stopped a step with an operation (step.setBlocker) and may share it;
// after every roadmap write, syncBlockers brings the household's reports in
// line with what it shares. An agency's administrators read the published
// counts; a quarter is published the first time someone asks after it
// ended, and never changes after that.

// BlockerReports is the storage of the blocker reports and the published
// counts (package storage, blockers.go). Households are named there by a
// keyed hash of their roadmap id, which the store makes.
type BlockerReports interface {
	// SetBlockerReport adds the household of roadmapID to the reports of
	// the blockers in add and takes it out of those in remove, at a
	// municipality and quarter; idempotent.
	SetBlockerReport(ctx context.Context, roadmapID string, at veikart.BlockerShare, add, remove []veikart.Blocker) error
	// BlockerReports counts a quarter's reports: per municipality, per
	// blocker, the distinct households.
	BlockerReports(ctx context.Context, q veikart.Quarter) (map[string]map[veikart.Blocker]int, error)
	// PublishedBlockers is a quarter's published counts, or ENOTFOUND.
	PublishedBlockers(ctx context.Context, q veikart.Quarter) (*veikart.BlockerCounts, error)
	// PublishBlockers stores a quarter's counts once (ECONFLICT if they
	// are there) and deletes its reports.
	PublishBlockers(ctx context.Context, c *veikart.BlockerCounts) error
	// DropBlockerReports deletes a quarter's reports.
	DropBlockerReports(ctx context.Context, q veikart.Quarter) error
}

var (
	errBlockersAdminsOnly = &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Only the agency's administrators can see the blockers households report."}
	errNoMunicipality     = &veikart.Error{Code: veikart.EINVALID, Message: "Choose a municipality from the list."}
)

// syncBlockers brings the household's reports in line with what next
// shares, after the roadmap changed from old (next nil: erased; storage
// erasure withdraws then). A report is added only in the quarter under
// way: one of a quarter that has ended may be withdrawn, never made, so
// nothing can join a quarter's counts after it closed. The roadmap is
// written already: a failure is logged, as for reminders.
func (s *Service) syncBlockers(ctx context.Context, old, next *veikart.Roadmap) {
	if old == next || next == nil {
		return
	}
	loc := s.cfg.Location
	before, after := old.BlockerShares(loc), next.BlockerShares(loc)
	current := veikart.QuarterOf(s.now(), loc)
	keys := make([]veikart.BlockerShare, 0, len(before)+len(after))
	for k := range before {
		keys = append(keys, k)
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			keys = append(keys, k)
		}
	}
	for _, k := range keys {
		was, is := before[k], after[k]
		if slices.Equal(was, is) {
			continue
		}
		var add, remove []veikart.Blocker
		if k.Quarter == current {
			add = is
		}
		for _, b := range was {
			if !slices.Contains(is, b) {
				remove = append(remove, b)
			}
		}
		if err := s.store.SetBlockerReport(ctx, next.ID, k, add, remove); err != nil {
			s.log.Error("sync blocker reports", "err", err, "request_id", RequestID(ctx))
		}
	}
}

// Municipalities are the places a household may say it lives in: the
// regions of the agencies the service knows, sorted, each once.
func (s *Service) Municipalities(ctx context.Context) ([]string, error) {
	as, err := s.store.Agencies(ctx, MaxListed)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, a := range as {
		if a.Region != "" && !slices.Contains(out, a.Region) {
			out = append(out, a.Region)
		}
	}
	slices.Sort(out)
	return out, nil
}

// checkMunicipalities refuses a batch that sets a municipality that is not
// one of Municipalities: no free text reaches the counts.
func (s *Service) checkMunicipalities(ctx context.Context, ops []veikart.Op) error {
	var known []string
	for i, op := range ops {
		m, ok := op.(veikart.SetMunicipality)
		if !ok || strings.TrimSpace(m.Municipality) == "" {
			continue
		}
		if known == nil {
			var err error
			if known, err = s.Municipalities(ctx); err != nil {
				return err
			}
		}
		if !slices.Contains(known, strings.TrimSpace(m.Municipality)) {
			e := *errNoMunicipality
			e.Pointer = "/operations/" + strconv.Itoa(i) + "/municipality"
			return &e
		}
	}
	return nil
}

// BlockerCounts are the published counts of the last
// veikart.PublishedQuarters quarters that ended, newest first, for the
// administrators of agencyID only. A quarter not yet published is
// published now, from its reports, once.
func (s *Service) BlockerCounts(ctx context.Context, actor access.Actor, agencyID string) ([]*veikart.BlockerCounts, error) {
	if !access.Permit(actor, access.SeeBlockerCounts, agencyID) {
		return nil, errBlockersAdminsOnly
	}
	now := s.now()
	qs := veikart.ClosedQuarters(now, veikart.PublishedQuarters, s.cfg.Location)
	out := make([]*veikart.BlockerCounts, 0, len(qs))
	for _, q := range qs {
		c, err := s.store.PublishedBlockers(ctx, q)
		if veikart.ErrorCode(err) == veikart.ENOTFOUND {
			c, err = s.publishBlockers(ctx, q)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	// Reports of a quarter past the window will never be published.
	if err := s.store.DropBlockerReports(ctx, qs[len(qs)-1].Prev()); err != nil {
		return nil, err
	}
	return out, nil
}

// publishBlockers counts quarter q and publishes it; if another request
// published it first, theirs stands.
func (s *Service) publishBlockers(ctx context.Context, q veikart.Quarter) (*veikart.BlockerCounts, error) {
	reports, err := s.store.BlockerReports(ctx, q)
	if err != nil {
		return nil, err
	}
	c := veikart.CountBlockers(q, reports, s.cfg.BlockerK, s.now())
	err = s.store.PublishBlockers(ctx, c)
	if veikart.ErrorCode(err) == veikart.ECONFLICT {
		return s.store.PublishedBlockers(ctx, q)
	}
	return c, err
}
