package veikart

import (
	"fmt"
	"slices"
	"strconv"
	"time"
)

// The system's blockers: when a step is dropped or runs late, the household
// may name what stopped it from a short fixed list, and may choose to share
// that anonymously. Shared blockers are counted per blocker, municipality
// and quarter, and an agency's administrators see a count only where at
// least MinHouseholds households reported it.
//
// A count is published once per quarter, after the quarter has ended, and
// never changes after that (BlockerCounts). Nothing of the quarter that is
// under way is ever shown, so two looks at the counts, before and after one
// household's report, show the same thing: the report becomes visible only
// together with everyone else's of its quarter, and only where five or more
// said the same.

// Blocker is a code for what stopped a step; the app words it.
type Blocker string

// The blockers, chosen for the two groups the report speaks for: people
// with addiction or mental illness without a safe home, and low-income
// families with children.
const (
	BlockerNoHome        Blocker = "no-suitable-home"
	BlockerWaitingList   Blocker = "waiting-list"
	BlockerLostHelpAt18  Blocker = "lost-help-at-18"
	BlockerDebt          Blocker = "debt"
	BlockerLanguage      Blocker = "language"
	BlockerWaitingAgency Blocker = "waiting-for-agency"
	BlockerAgencyRules   Blocker = "other-agency-rules"
	BlockerNoPlace       Blocker = "no-kindergarten-or-school-place"
	BlockerHealth        Blocker = "health"
	BlockerTransport     Blocker = "transport"
)

// Blockers is the list, in the order the app offers it.
var Blockers = []Blocker{
	BlockerNoHome, BlockerWaitingList, BlockerLostHelpAt18, BlockerDebt, BlockerLanguage,
	BlockerWaitingAgency, BlockerAgencyRules, BlockerNoPlace, BlockerHealth, BlockerTransport,
}

// Valid reports whether b is on the list.
func (b Blocker) Valid() bool { return slices.Contains(Blockers, b) }

// MinHouseholds is k: a count is shown only where at least this many
// distinct households reported the same blocker in the same municipality
// and quarter. It may be raised (CountBlockers' k), never lowered.
const MinHouseholds = 5

// PublishedQuarters is how many ended quarters the counts cover: two
// years. Reports of a quarter are kept until it is published.
const PublishedQuarters = 8

// StepBlocker is what a household named as the blocker of a step.
type StepBlocker struct {
	Code    Blocker   // "" for none
	NamedAt time.Time // when it was named
	// Shared: the household said yes to counting it anonymously. SharedAt
	// dates the report: it counts in SharedAt's quarter, in the
	// household's municipality.
	Shared   bool
	SharedAt time.Time
}

// Quarter is a calendar quarter, "2026-Q4", where the households live
// (the service's time zone): a report shared at 23:30 on 31 December in
// Oslo counts in that year's Q4, though it is 1 January in some zones.
type Quarter string

// QuarterOf is the quarter t falls in, in loc.
func QuarterOf(t time.Time, loc *time.Location) Quarter {
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	return Quarter(fmt.Sprintf("%04d-Q%d", t.Year(), (int(t.Month())-1)/3+1))
}

// parse returns the quarter's year and number, ok false if q is not one.
func (q Quarter) parse() (year, n int, ok bool) {
	s := string(q)
	if len(s) != 7 || s[4:6] != "-Q" || s[6] < '1' || s[6] > '4' {
		return 0, 0, false
	}
	year, err := strconv.Atoi(s[:4])
	if err != nil || year < 2000 {
		return 0, 0, false
	}
	return year, int(s[6] - '0'), true
}

// Valid reports whether q names a quarter.
func (q Quarter) Valid() bool { _, _, ok := q.parse(); return ok }

// Start is the quarter's first instant in loc.
func (q Quarter) Start(loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	y, n, _ := q.parse()
	return time.Date(y, time.Month(3*(n-1)+1), 1, 0, 0, 0, 0, loc)
}

// End is the first instant after the quarter in loc.
func (q Quarter) End(loc *time.Location) time.Time { return q.Start(loc).AddDate(0, 3, 0) }

// Prev is the quarter before q (the calendar's, in any zone).
func (q Quarter) Prev() Quarter {
	return QuarterOf(q.Start(time.UTC).Add(-time.Nanosecond), time.UTC)
}

// ClosedQuarters are the n quarters that ended last before now in loc,
// newest first: the only ones whose counts can be published.
func ClosedQuarters(now time.Time, n int, loc *time.Location) []Quarter {
	out := make([]Quarter, 0, n)
	q := QuarterOf(now, loc)
	for range n {
		q = q.Prev()
		out = append(out, q)
	}
	return out
}

// BlockerShare names where a household's shared blockers count: a
// municipality in a quarter.
type BlockerShare struct {
	Municipality string
	Quarter      Quarter
}

// BlockerShares is what r reports to the counts: per municipality and
// quarter (in loc), the blockers it shared there (sorted, each once, however many
// steps name it). Without a municipality it reports nothing.
func (r *Roadmap) BlockerShares(loc *time.Location) map[BlockerShare][]Blocker {
	out := map[BlockerShare][]Blocker{}
	if r == nil || r.Municipality == "" {
		return out
	}
	for _, s := range r.Steps {
		b := s.Blocker
		if !b.Shared || !b.Code.Valid() {
			continue
		}
		k := BlockerShare{Municipality: r.Municipality, Quarter: QuarterOf(b.SharedAt, loc)}
		if !slices.Contains(out[k], b.Code) {
			out[k] = append(out[k], b.Code)
			slices.Sort(out[k])
		}
	}
	return out
}

// BlockerCell is one published count: Households distinct households
// reported Blocker in Municipality, in the quarter.
type BlockerCell struct {
	Blocker      Blocker
	Municipality string
	Households   int
}

// BlockerCounts are a quarter's published counts: only the cells with at
// least K households. Any cell that is not there had fewer (or none); no
// totals are kept, so none can be subtracted to find one.
type BlockerCounts struct {
	Quarter     Quarter
	K           int
	PublishedAt time.Time
	Cells       []BlockerCell
}

// CountBlockers publishes quarter q from its reports: per municipality,
// per blocker, the number of distinct households (each household is in a
// report once per blocker, municipality and quarter: the store keeps them
// as a set). Cells under k (never under MinHouseholds) are left out.
func CountBlockers(q Quarter, reports map[string]map[Blocker]int, k int, now time.Time) *BlockerCounts {
	k = max(k, MinHouseholds)
	c := &BlockerCounts{Quarter: q, K: k, PublishedAt: now.UTC().Truncate(time.Millisecond), Cells: []BlockerCell{}}
	for m, byBlocker := range reports {
		for b, n := range byBlocker {
			if n >= k && b.Valid() {
				c.Cells = append(c.Cells, BlockerCell{Blocker: b, Municipality: m, Households: n})
			}
		}
	}
	slices.SortFunc(c.Cells, func(x, y BlockerCell) int {
		if x.Municipality != y.Municipality {
			if x.Municipality < y.Municipality {
				return -1
			}
			return 1
		}
		return slices.Index(Blockers, x.Blocker) - slices.Index(Blockers, y.Blocker)
	})
	return c
}

// SetBlocker names (or, with Blocker "", clears) what stopped a step, and
// says whether the household shares it anonymously. Naming needs a step
// that was dropped or is overdue; sharing needs the household's
// municipality. Saying no to sharing withdraws a report.
type SetBlocker struct {
	ID          string  `json:"opId"`
	BaseVersion int64   `json:"baseVersion"`
	StepID      string  `json:"stepId"`
	Blocker     Blocker `json:"blocker"`
	Share       bool    `json:"share"`
}

// SetMunicipality sets the household's municipality ("" clears it, which
// withdraws whatever it shared this quarter). The service checks that it
// is the region of an agency it knows.
type SetMunicipality struct {
	ID           string `json:"opId"`
	BaseVersion  int64  `json:"baseVersion"`
	Municipality string `json:"municipality"`
}

func (op SetBlocker) header() (string, int64)      { return op.ID, op.BaseVersion }
func (op SetMunicipality) header() (string, int64) { return op.ID, op.BaseVersion }
func (SetBlocker) kind() OpType                    { return OpSetBlocker }
func (SetMunicipality) kind() OpType               { return OpSetMunicipality }

// Overdue reports whether s is past its due date (today, "YYYY-MM-DD")
// and neither done nor dropped.
func (s Step) Overdue(today string) bool {
	return s.Due != "" && s.Due < today && (s.Status == Planned || s.Status == Doing)
}

func (op SetBlocker) apply(a *applier, ptr string) (bool, error) {
	i := a.r.stepIndex(op.StepID)
	var s Step
	if i >= 0 {
		s = a.r.Steps[i]
	}
	u := update{opID: op.ID, target: "step:" + op.StepID, base: op.BaseVersion, fields: []string{"blocker"}}
	if ok, err := a.check(u, i >= 0, s.Changed, ptr); !ok {
		return false, err
	}
	b := s.Blocker
	switch {
	case op.Blocker == "":
		if op.Share {
			return false, &Error{Code: EINVALID, Message: "Name what stopped the step before you share it.", Pointer: ptr + "/share"}
		}
		b = StepBlocker{}
	case !op.Blocker.Valid():
		return false, &Error{Code: EINVALID, Message: "Choose what stopped the step from the list.", Pointer: ptr + "/blocker"}
	case op.Blocker != b.Code:
		// Today where the household lives: a step due today is not
		// overdue until its midnight, whatever UTC's day is.
		if s.Status != Dropped && !s.Overdue(a.today()) {
			return false, &Error{Code: EINVALID, Message: "You can say what stopped a step once it was dropped or is overdue.", Pointer: ptr + "/stepId"}
		}
		b = StepBlocker{Code: op.Blocker, NamedAt: a.now}
	}
	switch {
	case op.Share && a.r.Municipality == "":
		return false, &Error{Code: EINVALID, Message: "Choose your municipality before you share.", Pointer: ptr + "/share"}
	case op.Share && !b.Shared:
		b.Shared, b.SharedAt = true, a.now
	case !op.Share:
		b.Shared, b.SharedAt = false, time.Time{}
	}
	s.Blocker = b
	s.UpdatedAt = a.now
	s.Version, s.Changed = a.v, a.touch(s.Changed, u.fields)
	a.r.Steps[i] = s
	return false, nil
}

func (op SetMunicipality) apply(a *applier, ptr string) (bool, error) {
	r := a.r
	if r.MunicipalityVersion > op.BaseVersion && r.MunicipalityVersion != a.v {
		a.conflict(op.ID, "roadmap", []string{"municipality"})
		return false, nil
	}
	m, err := cleanText(op.Municipality, 0, MaxRegion, ptr+"/municipality")
	if err != nil {
		return false, err
	}
	r.Municipality, r.MunicipalityVersion = m, a.v
	return false, nil
}
