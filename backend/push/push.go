// Package push sends Web Push notifications (RFC 8030, encrypted as RFC 8291,
// signed with VAPID as RFC 8292) to the push services that browsers
// subscribe with. It holds the server's VAPID key pair, decides which
// endpoints the server may POST to at all, and classifies each push service
// answer into what the caller must do next: nothing, remove the
// subscription, try again later, or give up.
//
// It wraps github.com/SherClockHolmes/webpush-go v1.4.0 and works around its
// traps: it prefixes "mailto:" to any subscriber that does not start with
// "https:", its default TTL is 0, it has no HTTP timeout, and it pads the
// payload into the caller's slice.
package push

import (
	"fmt"
	"time"
)

// MaxPayload is the largest payload, in bytes, that fits one message.
// webpush-go pads every message into a single 4096-byte record, the size
// every push service must accept (RFC 8291 §4); 103 bytes of it go to the
// record header, the padding delimiter and the authentication tag. A side
// effect worth keeping: every message is the same size on the wire, so its
// length says nothing about what it holds.
const MaxPayload = 3993

// Message is one notification for one subscription.
type Message struct {
	Endpoint string // the subscription's push service URL
	P256dh   string // the browser's public key, base64url
	Auth     string // the browser's auth secret, base64url
	Payload  []byte // at most MaxPayload bytes; never modified
	// TTL is how long the push service keeps the message for a device that is
	// offline. It must be at least one second: a TTL of 0 means "deliver now
	// or drop", which loses a reminder to any phone that is asleep.
	TTL time.Duration
	// Expires, if set, is when the message stops being worth delivering;
	// Deliver then asks the push service to keep it until then, whatever
	// its own deadline for retrying (see Deliver), and TTL is not used.
	Expires time.Time
	// Urgency is "very-low", "low", "normal" or "high" (RFC 8030 §5.3); empty
	// sends no header, which push services treat as "normal".
	Urgency string
	// Topic, if set, replaces an earlier undelivered message with the same
	// topic (RFC 8030 §5.4): at most 32 characters of the URL-safe base64
	// alphabet.
	Topic string
}

// Outcome is what a push service's answer means for the caller.
type Outcome int

// The outcomes of one send.
const (
	// Delivered: the push service accepted the message (200, 201, 202).
	Delivered Outcome = iota + 1
	// Gone: the subscription no longer exists (404, 410); remove it.
	Gone
	// Retry: a temporary failure (429, 5xx, network); try again after
	// Result.RetryAfter or a backoff. From Deliver it means Deliver gave up.
	Retry
	// Failed: the message or the subscription is wrong (400, 403, 413, other
	// 4xx, or a message that cannot be encrypted); sending it again would
	// fail the same way.
	Failed
)

func (o Outcome) String() string {
	switch o {
	case Delivered:
		return "delivered"
	case Gone:
		return "gone"
	case Retry:
		return "retry"
	case Failed:
		return "failed"
	}
	return fmt.Sprintf("outcome(%d)", int(o))
}

// Result is the outcome of a send, with what explains it.
type Result struct {
	Outcome Outcome
	// Status is the push service's HTTP status, 0 when there was no answer.
	Status int
	// RetryAfter is the push service's Retry-After, 0 when it sent none.
	RetryAfter time.Duration
	// Attempts is how many requests were made: from Send 1, or 0 for a
	// message refused before sending.
	Attempts int
	// RetryAt is, for a Retry that Deliver stopped because its deadline
	// came first, when the push service may be asked again while the
	// message is still worth sending (before Message.Expires): the caller
	// hands that attempt on. Zero when no later attempt is worth making.
	RetryAt time.Time
	// Err explains any outcome but Delivered. It may quote the push service;
	// log it, do not show it to the person.
	Err error
}
