package veikart

import (
	"slices"
	"strings"
	"time"
)

// CalendarFeed is a person's calendar feed: a secret address that a phone
// calendar subscribes to, listing the person's steps, meetings and
// transition days with discreet titles; or a caseworker's, listing their
// agency's deadlines, meetings and hand-over days. Only the hash of the address's
// secret is kept; the address itself is shown once, when it is made.
type CalendarFeed struct {
	// Hash is the SHA-256 of the address's secret, in hex. The secret is
	// 256 random bits: a fast hash is enough, there is nothing to guess.
	Hash      string
	CreatedAt time.Time
	// Lang is the language of the events' titles (one of the app's); it
	// follows the app's language, the address staying the same.
	Lang string
	// AgencyID is, for a caseworker's feed, the agency it is made for;
	// "" for a person's own.
	AgencyID string
}

// Feed is u's feed for agencyID ("" for their own), or nil.
func (u *User) Feed(agencyID string) *CalendarFeed {
	if agencyID == "" {
		return u.CalendarFeed
	}
	return u.WorkFeeds[agencyID]
}

// Feeds are all of u's feeds: their own first, then one for each agency
// they made one for, by the agency's id.
func (u *User) Feeds() []*CalendarFeed {
	var out []*CalendarFeed
	if u.CalendarFeed != nil {
		out = append(out, u.CalendarFeed)
	}
	work := make([]*CalendarFeed, 0, len(u.WorkFeeds))
	for _, f := range u.WorkFeeds {
		work = append(work, f)
	}
	slices.SortFunc(work, func(a, b *CalendarFeed) int { return strings.Compare(a.AgencyID, b.AgencyID) })
	return append(out, work...)
}
