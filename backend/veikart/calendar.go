package veikart

import "time"

// CalendarFeed is a person's calendar feed: a secret address that a phone
// calendar subscribes to, listing the person's steps, meetings and
// transition days with discreet titles. Only the hash of the address's
// secret is kept; the address itself is shown once, when it is made.
type CalendarFeed struct {
	// Hash is the SHA-256 of the address's secret, in hex. The secret is
	// 256 random bits: a fast hash is enough, there is nothing to guess.
	Hash      string
	CreatedAt time.Time
	// Lang is the language of the events' titles (one of the app's).
	Lang string
}
