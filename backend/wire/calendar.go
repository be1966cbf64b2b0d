package wire

import (
	"time"

	"github.com/veikart/veikart/backend/veikart"
)

// CalendarFeedRequest makes (or replaces) the caller's calendar feed
// (POST), or sets the language of their feeds (PATCH).
type CalendarFeedRequest struct {
	Lang string `json:"lang"`
}

// CalendarFeed is the caller's calendar feed. The addresses are there
// only in the answer that made them: only their hash is kept.
type CalendarFeed struct {
	Active    bool       `json:"active"`
	CreatedAt *time.Time `json:"createdAt,omitempty"`
	Lang      string     `json:"lang,omitempty"`
	// AgencyID is, for a caseworker's feed, the agency it is for.
	AgencyID  string `json:"agencyId,omitempty"`
	URL       string `json:"url,omitempty"`
	WebcalURL string `json:"webcalUrl,omitempty"`
	// QR is an SVG image of WebcalURL, for a phone to scan.
	QR string `json:"qr,omitempty"`
}

// ToCalendarFeed is f without its addresses (f may be nil).
func ToCalendarFeed(f *veikart.CalendarFeed) CalendarFeed {
	if f == nil {
		return CalendarFeed{}
	}
	at := f.CreatedAt
	return CalendarFeed{Active: true, CreatedAt: &at, Lang: f.Lang, AgencyID: f.AgencyID}
}
