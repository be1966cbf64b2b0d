package veikart

import (
	"slices"
	"strconv"
	"time"
)

// Check-ins: the household's "now" per area, recorded as dated readings, so
// that the roadmap shows the road walked and not only where it stands. A
// reading is the household's as a whole or one member's; it says who
// scored (the family alone, or with a caseworker present) and may carry a
// sentence.
//
// Readings are not part of the roadmap: a roadmap is read on every request,
// and three years of monthly check-ins by five members in eight areas are
// 1440 readings. They live in documents of their own, one per roadmap and
// year (ReadingYear; storage keeps them by _id).
//
// The newest household reading of an area IS the area's ScoreNow: a
// check-in moves the road's "now", so the road and the chart agree
// (LatestHouseholdScores). A member's own reading is theirs and does not
// move the household's score.

// ScoredWith says who was there when a reading was scored.
type ScoredWith string

// Who scored.
const (
	ScoredAlone          ScoredWith = "family"     // the family alone
	ScoredWithCaseworker ScoredWith = "caseworker" // with a caseworker present
)

// Limits of check-ins.
const (
	MaxReadingNote = 280
	// MaxCheckInReadings bounds one sitting: every area for the household
	// and each of its members.
	MaxCheckInReadings = MaxAreas * 8
	// MaxReadingsPerYear bounds a year's document (some 150 bytes a
	// reading): a family checking in every week in every area for every
	// member stays below it.
	MaxReadingsPerYear = 4000
	// readingYearsBefore is how many years before the roadmap was made a
	// check-in may be dated ("where we started" may be told afterwards);
	// anything older is a mistake.
	readingYearsBefore = 1
)

// Reading is one dated "now" score of one area.
type Reading struct {
	ID       string // the client's: a check-in sent twice is stored once
	AreaID   string
	MemberID string // "" for the household as a whole
	Date     string // YYYY-MM-DD: the phone's day, so an offline check-in keeps it
	Score    int    // 1-5
	With     ScoredWith
	// AgencyID is the agency whose caseworker was present, if the family
	// named it (With ScoredWithCaseworker).
	AgencyID string
	Note     string
	By       string    // who recorded it (a user id; ErasedPerson after their erasure)
	At       time.Time // when the server stored it
}

// CheckIn is one sitting: readings of one day, scored in the same company.
type CheckIn struct {
	Date     string
	With     ScoredWith
	AgencyID string
	Readings []Reading // ID, AreaID, MemberID, Score, Note
}

// ReadingYear is the readings of one roadmap dated in one year, oldest
// first (by date, then as recorded).
type ReadingYear struct {
	RoadmapID string
	Year      int
	Readings  []Reading
	Rev       int64 // storage's compare-and-swap
}

// ErrReadingIDTaken answers a reading whose id is another reading's.
var ErrReadingIDTaken = &Error{Code: ECONFLICT, Message: "This id belongs to another reading. Choose another.", Pointer: "/readings"}

// ErrNoReading answers a reading id that is not there.
var ErrNoReading = &Error{Code: ENOTFOUND, Message: "There is no such reading."}

func invalid(msg, ptr string) error { return &Error{Code: EINVALID, Message: msg, Pointer: ptr} }

// ReadingYears are the years whose documents may hold r's readings, when
// today (the households' date) is today: from readingYearsBefore before
// the roadmap was made to tomorrow's year.
func ReadingYears(r *Roadmap, today string) (first, last int) {
	last = time.Now().Year()
	if d, err := time.Parse(time.DateOnly, today); err == nil {
		last = d.AddDate(0, 0, 1).Year()
	}
	first = r.CreatedAt.Year() - readingYearsBefore
	if r.CreatedAt.IsZero() || first > last {
		first = last - readingYearsBefore
	}
	return first, last
}

// CleanCheckIn checks c against r, on the households' date today, and
// returns its readings, each with the sitting's date and company, by by,
// at now. The date is not after tomorrow (a phone a little ahead of the
// server) and not before ReadingYears allows; each reading is of an area
// of r, for the household or a member that area names, scored 1 to 5,
// with a sentence of at most MaxReadingNote characters; no area and member
// twice. Members allowed to check in only for themselves are the
// household layer's to hold to (access.Decide).
func (r *Roadmap) CleanCheckIn(c CheckIn, today, by string, now time.Time) ([]Reading, error) {
	d, err := time.Parse(time.DateOnly, c.Date)
	if err != nil || d.Format(time.DateOnly) != c.Date {
		return nil, invalid("The date must be a date like 2027-03-01.", "/date")
	}
	first, _ := ReadingYears(r, today)
	t, err := time.Parse(time.DateOnly, today)
	if err != nil {
		return nil, invalid("The date cannot be judged now.", "/date")
	}
	if c.Date > t.AddDate(0, 0, 1).Format(time.DateOnly) {
		return nil, invalid("A check-in cannot be dated in the future.", "/date")
	}
	if d.Year() < first {
		return nil, invalid("A check-in cannot be dated before "+strconv.Itoa(first)+".", "/date")
	}
	switch c.With {
	case ScoredAlone:
		if c.AgencyID != "" {
			return nil, invalid("Name an agency only when a caseworker was there.", "/agencyId")
		}
	case ScoredWithCaseworker:
		if c.AgencyID != "" && !slices.ContainsFunc(r.Grants, func(g Grant) bool { return g.AgencyID == c.AgencyID }) {
			return nil, invalid("This agency has never had access to the roadmap.", "/agencyId")
		}
	default:
		return nil, invalid("Say whether the family scored alone or with a caseworker.", "/with")
	}
	if len(c.Readings) == 0 || len(c.Readings) > MaxCheckInReadings {
		return nil, invalid("A check-in has 1 to "+strconv.Itoa(MaxCheckInReadings)+" readings.", "/readings")
	}
	out := make([]Reading, 0, len(c.Readings))
	at := clock(now)
	for i, x := range c.Readings {
		ptr := "/readings/" + strconv.Itoa(i)
		if !ValidID(x.ID) {
			return nil, invalid("A reading needs an id of letters, digits, '_' or '-'.", ptr+"/id")
		}
		a, ok := r.Area(x.AreaID)
		if !ok {
			return nil, invalid("There is no such area.", ptr+"/areaId")
		}
		if x.MemberID != "" && !slices.Contains(a.MemberIDs, x.MemberID) {
			return nil, invalid("This area does not name this member.", ptr+"/memberId")
		}
		if x.Score < 1 || x.Score > 5 {
			return nil, invalid("A score is 1 to 5.", ptr+"/score")
		}
		note, err := cleanText(x.Note, 0, MaxReadingNote, ptr+"/note")
		if err != nil {
			return nil, err
		}
		if slices.ContainsFunc(out, func(y Reading) bool { return y.ID == x.ID }) {
			return nil, invalid("Two readings have the same id.", ptr+"/id")
		}
		if slices.ContainsFunc(out, func(y Reading) bool { return y.AreaID == x.AreaID && y.MemberID == x.MemberID }) {
			return nil, invalid("One reading per area and member in a check-in.", ptr)
		}
		out = append(out, Reading{ID: x.ID, AreaID: x.AreaID, MemberID: x.MemberID, Date: c.Date, Score: x.Score,
			With: c.With, AgencyID: c.AgencyID, Note: note, By: by, At: at})
	}
	return out, nil
}

// Year is the year of the reading's date.
func (x Reading) Year() int { y, _ := strconv.Atoi(x.Date[:4]); return y }

// same reports whether x and y record the same thing (a repeat of a sent
// check-in), whenever stored.
func (x Reading) same(y Reading) bool {
	x.At, y.At = time.Time{}, time.Time{}
	return x == y
}

// Reading returns the reading with the given id.
func (y *ReadingYear) Reading(id string) (Reading, bool) {
	i := slices.IndexFunc(y.Readings, func(x Reading) bool { return x.ID == id })
	if i < 0 {
		return Reading{}, false
	}
	return y.Readings[i], true
}

// Add returns y with rs (cleaned by CleanCheckIn, all dated in y's year)
// added, and how many were new. A reading whose id is held already is a
// repeat when it records the same thing (nothing added), and
// ErrReadingIDTaken else; next is y itself when nothing is new.
func (y *ReadingYear) Add(rs []Reading) (next *ReadingYear, created int, err error) {
	var add []Reading
	for _, x := range rs {
		if x.Year() != y.Year {
			return nil, 0, invalid("A reading is dated in another year.", "/date")
		}
		if old, ok := y.Reading(x.ID); ok {
			if !old.same(x) {
				return nil, 0, ErrReadingIDTaken
			}
			continue
		}
		add = append(add, x)
	}
	if len(add) == 0 {
		return y, 0, nil
	}
	if len(y.Readings)+len(add) > MaxReadingsPerYear {
		return nil, 0, &Error{Code: ECONFLICT, Message: "This year holds as many check-ins as it can."}
	}
	n := *y
	n.Readings = append(slices.Clone(y.Readings), add...)
	SortReadings(n.Readings)
	return &n, len(add), nil
}

// Remove returns y without reading id, and the reading; ErrNoReading if
// there is none.
func (y *ReadingYear) Remove(id string) (*ReadingYear, Reading, error) {
	i := slices.IndexFunc(y.Readings, func(x Reading) bool { return x.ID == id })
	if i < 0 {
		return nil, Reading{}, ErrNoReading
	}
	n := *y
	n.Readings = slices.Delete(slices.Clone(y.Readings), i, i+1)
	return &n, y.Readings[i], nil
}

// SortReadings orders readings oldest first: by date, then as recorded,
// then by id (a stable order for equal times).
func SortReadings(rs []Reading) {
	slices.SortStableFunc(rs, func(a, b Reading) int {
		if a.Date != b.Date {
			if a.Date < b.Date {
				return -1
			}
			return 1
		}
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		if a.ID < b.ID {
			return -1
		} else if a.ID > b.ID {
			return 1
		}
		return 0
	})
}

// LatestHouseholdScores returns, per area, the score of its newest
// household reading in rs (sorted by SortReadings): what the area's
// ScoreNow is.
func LatestHouseholdScores(rs []Reading) map[string]int {
	out := map[string]int{}
	for _, x := range rs {
		if x.MemberID == "" {
			out[x.AreaID] = x.Score
		}
	}
	return out
}

// ScoreOps are the operations that make r's areas' ScoreNow what latest
// says (LatestHouseholdScores), for the areas in areas; none when they do
// already. opPrefix, a fresh id, names them (opPrefix-0, -1 ...): the
// roadmap remembers operation ids, and a later check-in may set the same
// area again.
func (r *Roadmap) ScoreOps(latest map[string]int, areas []string, opPrefix string) []Op {
	var ops []Op
	for _, id := range areas {
		a, ok := r.Area(id)
		score, has := latest[id]
		if !ok || !has || a.ScoreNow == score {
			continue
		}
		ops = append(ops, UpdateArea{ID: opPrefix + "-" + strconv.Itoa(len(ops)), BaseVersion: r.Version, AreaID: id, Set: AreaPatch{ScoreNow: &score}})
	}
	return ops
}

// ForgetReadingsBy replaces userID as the recorder of rs by ErasedPerson.
func ForgetReadingsBy(rs []Reading, userID string) ([]Reading, bool) {
	var out []Reading
	for i, x := range rs {
		if x.By == userID {
			if out == nil {
				out = slices.Clone(rs)
			}
			out[i].By = ErasedPerson
		}
	}
	if out == nil {
		return rs, false
	}
	return out, true
}
