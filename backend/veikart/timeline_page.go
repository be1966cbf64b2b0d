package veikart

import (
	"cmp"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Paging the timeline by position, not by offset: a page's cursor names
// the place of its last entry in the newest-first order (its moment, its
// kind and a tie-break of its ids), so that an entry added between two
// page loads (newer than the first page, as almost all are) moves no
// other entry from one page to the next: none shows twice, none is lost.
//
// The cursor is opaque to the client and read strictly on the way in. It
// carries no id, only a short hash of the entry's ids as the viewer saw
// them, and an invented one is only a place in the viewer's own,
// already cut, history: it can show nothing that the first page could
// not.

// TimelinePos is an entry's place in the newest-first order.
type TimelinePos struct {
	At   time.Time
	Kind TimelineKind
	Tie  string // 16 hex digits: a hash of the entry's ids
	// Seen is how many entries at exactly this place the pages before
	// showed (entries that no field tells apart, as two check-ins on one
	// day with other agencies look to a third).
	Seen int
}

// Pos is e's place (Seen 0).
func (e TimelineEntry) Pos() TimelinePos {
	ids := []string{e.StepID, e.ReviewID, e.MeetingID, e.GrantID, e.TransitionID, e.HelperID, e.MemberID, string(e.With), e.AgencyID}
	h := sha256.Sum256([]byte(strings.Join(ids, "\x00")))
	return TimelinePos{At: e.At, Kind: e.Kind, Tie: hex.EncodeToString(h[:8])}
}

// comparePos orders places newest first, then by kind and tie.
func comparePos(a, b TimelinePos) int {
	return cmp.Or(b.At.Compare(a.At), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Tie, b.Tie))
}

// SortTimeline sorts entries newest first, by place (stable among equal
// places). Run it on the entries as the viewer sees them: a cut can
// change an entry's tie.
func SortTimeline(entries []TimelineEntry) {
	type keyed struct {
		p TimelinePos
		e TimelineEntry
	}
	ks := make([]keyed, len(entries))
	for i, e := range entries {
		ks[i] = keyed{e.Pos(), e}
	}
	slices.SortStableFunc(ks, func(a, b keyed) int { return comparePos(a.p, b.p) })
	for i := range ks {
		entries[i] = ks[i].e
	}
}

// TimelinePage is the page of sorted entries (SortTimeline) after the
// place cursor names ("" for the newest), at most limit long, and the
// cursor of the page after it ("" at the end). A cursor that is not one
// this function made is refused with EINVALID.
func TimelinePage(entries []TimelineEntry, cursor string, limit int) ([]TimelineEntry, string, error) {
	from := 0
	if cursor != "" {
		after, err := parseTimelineCursor(cursor)
		if err != nil {
			return nil, "", err
		}
		// The first entry past the cursor's place, and past the entries
		// at that very place that the pages before showed.
		from, _ = slices.BinarySearchFunc(entries, after, func(e TimelineEntry, p TimelinePos) int {
			return comparePos(e.Pos(), TimelinePos{At: p.At, Kind: p.Kind, Tie: p.Tie})
		})
		for seen := 0; from < len(entries) && seen < after.Seen && comparePos(entries[from].Pos(), after) == 0; seen++ {
			from++
		}
	}
	to := min(from+max(limit, 1), len(entries))
	page := entries[from:to]
	if to == len(entries) {
		return page, "", nil
	}
	last := page[len(page)-1].Pos()
	// Count the entries at the last one's place shown so far, this page
	// and those before.
	for i := to - 1; i >= 0 && comparePos(entries[i].Pos(), last) == 0; i-- {
		last.Seen++
	}
	return page, last.cursor(), nil
}

// The cursor's text before base64: "1" (the form's version), the moment
// in Unix seconds and nanoseconds, the kind, the tie and Seen, joined by
// ".". Within the API's 100 characters for any moment a time.Time holds.
func (p TimelinePos) cursor() string {
	s := strings.Join([]string{"1", strconv.FormatInt(p.At.Unix(), 10), strconv.Itoa(p.At.Nanosecond()), string(p.Kind), p.Tie, strconv.Itoa(p.Seen)}, ".")
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

var (
	errTimelineCursor = &Error{Code: EINVALID, Message: "The page cursor is not valid.", Pointer: "cursor"}
	tiePattern        = regexp.MustCompile(`^[0-9a-f]{16}$`)
	timelineKinds     = []TimelineKind{TimelineStepDone, TimelineStepDropped, TimelineReview, TimelineMeetingHeld,
		TimelineGrantGiven, TimelineGrantChanged, TimelineGrantEnded, TimelineGrantExpired, TimelineTransition,
		TimelineHelperAdded, TimelineHelperEnded, TimelineMemberJoined, TimelineCheckIn}
)

// parseTimelineCursor reads a cursor strictly: every part present, in
// its one canonical spelling, and in range.
func parseTimelineCursor(c string) (TimelinePos, error) {
	raw, err := base64.RawURLEncoding.Strict().DecodeString(c)
	if err != nil {
		return TimelinePos{}, errTimelineCursor
	}
	parts := strings.Split(string(raw), ".")
	if len(parts) != 6 || parts[0] != "1" {
		return TimelinePos{}, errTimelineCursor
	}
	sec, err1 := strconv.ParseInt(parts[1], 10, 64)
	nsec, err2 := strconv.Atoi(parts[2])
	seen, err3 := strconv.Atoi(parts[5])
	kind := TimelineKind(parts[3])
	switch {
	case err1 != nil || err2 != nil || err3 != nil,
		strconv.FormatInt(sec, 10) != parts[1] || strconv.Itoa(nsec) != parts[2] || strconv.Itoa(seen) != parts[5],
		nsec < 0 || nsec > 999_999_999 || seen < 1 || seen > 1_000_000,
		// Between year 1 (a zero time) and year 9999.
		sec < time.Time{}.Unix() || sec > 253402300799,
		!slices.Contains(timelineKinds, kind), !tiePattern.MatchString(parts[4]):
		return TimelinePos{}, errTimelineCursor
	}
	return TimelinePos{At: time.Unix(sec, int64(nsec)).UTC(), Kind: kind, Tie: parts[4], Seen: seen}, nil
}
