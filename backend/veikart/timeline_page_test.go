package veikart_test

import (
	"encoding/base64"
	"slices"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/veikart"
)

// pageAll reads entries a page of limit at a time; between(i) runs after
// page i was read and returns the entries as they are then.
func pageAll(t *testing.T, entries []veikart.TimelineEntry, limit int, between func(i int, cur []veikart.TimelineEntry) []veikart.TimelineEntry) []veikart.TimelineEntry {
	t.Helper()
	var got []veikart.TimelineEntry
	cursor := ""
	for i := 0; i <= len(entries)+5; i++ {
		page, next, err := veikart.TimelinePage(entries, cursor, limit)
		if err != nil {
			t.Fatalf("page %d: %v", i, err)
		}
		if len(page) > limit {
			t.Fatalf("page %d has %d entries, more than %d", i, len(page), limit)
		}
		got = append(got, page...)
		if next == "" {
			return got
		}
		cursor = next
		if between != nil {
			entries = between(i, entries)
		}
	}
	t.Fatal("the pages never end")
	return nil
}

func ids(es []veikart.TimelineEntry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = string(e.Kind) + ":" + e.StepID + e.ReviewID + e.MeetingID + e.GrantID + e.TransitionID + e.HelperID + e.MemberID + string(e.With) + e.AgencyID + "@" + e.At.Format(time.RFC3339)
	}
	return out
}

// TestTimelinePage_AddedBetweenPages: whatever the page size, an entry
// added between two pages, newer than the first page (as a step done
// now is) or older than the cursor (a check-in of a day gone by), moves
// no entry: every entry there was comes once and in order; the older one
// comes in its place.
func TestTimelinePage_AddedBetweenPages(t *testing.T) {
	r := historyRoadmap()
	base := veikart.Timeline(veikart.TimelineInput{Roadmap: r, Reviews: []veikart.Review{{ID: "rv1", At: hours(11)}}, Now: hours(72), Loc: time.UTC})
	newer := veikart.TimelineEntry{Kind: veikart.TimelineStepDone, At: hours(100), StepID: "s9"}
	older := veikart.TimelineEntry{Kind: veikart.TimelineReview, At: hours(0), ReviewID: "rv0"}
	add := func(e veikart.TimelineEntry) func(int, []veikart.TimelineEntry) []veikart.TimelineEntry {
		return func(i int, cur []veikart.TimelineEntry) []veikart.TimelineEntry {
			if i != 0 {
				return cur
			}
			out := append(slices.Clone(cur), e)
			veikart.SortTimeline(out)
			return out
		}
	}
	for _, limit := range []int{1, 2, 3, 5, len(base) - 1, len(base), 100} {
		if got := pageAll(t, base, limit, nil); !slices.Equal(ids(got), ids(base)) {
			t.Errorf("limit %d, nothing added: %v", limit, ids(got))
		}
		if got := pageAll(t, base, limit, add(newer)); !slices.Equal(ids(got), ids(base)) {
			t.Errorf("limit %d, a newer one added: %v", limit, ids(got))
		}
		if limit < len(base) {
			want := append(slices.Clone(base), older)
			if got := pageAll(t, base, limit, add(older)); !slices.Equal(ids(got), ids(want)) {
				t.Errorf("limit %d, an older one added: %v", limit, ids(got))
			}
		}
	}
}

// TestTimelinePage_SamePlace: entries nothing tells apart (two check-ins
// on one day with agencies a third may not know) are each shown once,
// however the pages fall.
func TestTimelinePage_SamePlace(t *testing.T) {
	same := veikart.TimelineEntry{Kind: veikart.TimelineCheckIn, At: hours(5), With: veikart.ScoredWith("caseworker")}
	entries := []veikart.TimelineEntry{
		{Kind: veikart.TimelineReview, At: hours(9), ReviewID: "rv2"},
		same, same, same,
		{Kind: veikart.TimelineReview, At: hours(1), ReviewID: "rv1"},
	}
	veikart.SortTimeline(entries)
	for limit := 1; limit <= 6; limit++ {
		if got := pageAll(t, entries, limit, nil); len(got) != len(entries) || !slices.Equal(ids(got), ids(entries)) {
			t.Errorf("limit %d: %v", limit, ids(got))
		}
	}
}

// TestTimelinePage_BadCursor: a cursor not made by TimelinePage is
// refused as invalid (the API's 422), never read as some place.
func TestTimelinePage_BadCursor(t *testing.T) {
	entries := veikart.Timeline(veikart.TimelineInput{Roadmap: historyRoadmap(), Now: hours(72), Loc: time.UTC})
	_, good, err := veikart.TimelinePage(entries, "", 2)
	if err != nil || good == "" {
		t.Fatalf("first page: %q %v", good, err)
	}
	if _, _, err := veikart.TimelinePage(entries, good, 2); err != nil {
		t.Fatalf("a good cursor: %v", err)
	}
	b := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for name, c := range map[string]string{
		"an offset":              "2",
		"not base64":             "!!!",
		"padded base64":          b("1.1764000000.0.review.0123456789abcdef.1") + "=",
		"standard base64":        base64.StdEncoding.EncodeToString([]byte("1.1764000000.0.review.0123456789abcdef.1??")),
		"another version":        b("2.1764000000.0.review.0123456789abcdef.1"),
		"a part missing":         b("1.1764000000.0.review.0123456789abcdef"),
		"a part too many":        b("1.1764000000.0.review.0123456789abcdef.1.1"),
		"seconds not a number":   b("1.soon.0.review.0123456789abcdef.1"),
		"seconds with a plus":    b("1.+1764000000.0.review.0123456789abcdef.1"),
		"seconds past year 9999": b("1.253402300800.0.review.0123456789abcdef.1"),
		"seconds before year 1":  b("1.-62135596801.0.review.0123456789abcdef.1"),
		"nanoseconds too many":   b("1.1764000000.1000000000.review.0123456789abcdef.1"),
		"nanoseconds padded":     b("1.1764000000.01.review.0123456789abcdef.1"),
		"an unknown kind":        b("1.1764000000.0.reviews.0123456789abcdef.1"),
		"a tie too short":        b("1.1764000000.0.review.0123456789abcde.1"),
		"a tie in capitals":      b("1.1764000000.0.review.0123456789ABCDEF.1"),
		"seen 0":                 b("1.1764000000.0.review.0123456789abcdef.0"),
		"seen negative":          b("1.1764000000.0.review.0123456789abcdef.-1"),
		"seen huge":              b("1.1764000000.0.review.0123456789abcdef.99999999999999999999"),
	} {
		if _, _, err := veikart.TimelinePage(entries, c, 2); veikart.ErrorCode(err) != veikart.EINVALID {
			t.Errorf("%s (%q): %v, want EINVALID", name, c, err)
		}
	}
	// A well-formed cursor of a place that is not there is a place all
	// the same: the entries after it, nothing more.
	page, _, err := veikart.TimelinePage(entries, b("1.0.0.review.0123456789abcdef.1"), 100)
	if err != nil || len(page) != 0 {
		t.Fatalf("a place before every entry: %v %v", ids(page), err)
	}
}
