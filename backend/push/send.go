package push

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"time"

	webpush "github.com/SherClockHolmes/webpush-go"
)

// DefaultTimeout bounds one request to a push service when the client given
// to NewSender has no timeout of its own: webpush-go sets none, and a push
// service that never answers would otherwise hold a sender forever.
const DefaultTimeout = 10 * time.Second

// vapidLifetime is how long each VAPID JWT is valid. RFC 8292 allows at most
// 24 hours; half of that leaves room for a clock that runs ahead.
const vapidLifetime = 12 * time.Hour

// Sender sends messages signed with one VAPID key pair. It is safe for
// concurrent use.
type Sender struct {
	vapid      VAPID
	subscriber string // the subject as webpush-go wants it: see NewSender
	client     *http.Client
	now        func() time.Time
	// sleep waits d or until ctx ends; tests replace it so that retries need
	// not wait in real time.
	sleep func(ctx context.Context, d time.Duration) error
}

// NewSender returns a Sender that signs with v and names subject as the
// contact for the push services: "mailto:" and an email address, or an
// https URL. client may be nil; NewSender uses a copy of it with a timeout
// of DefaultTimeout if it has none, and which never follows redirects (a
// push service does not redirect, and following one would send the request
// to a host the Policy never checked). now may be nil for time.Now.
func NewSender(v *VAPID, subject string, client *http.Client, now func() time.Time) (*Sender, error) {
	if err := v.check(); err != nil {
		return nil, fmt.Errorf("new push sender: %w", err)
	}
	subscriber, err := subscriberOf(subject)
	if err != nil {
		return nil, fmt.Errorf("new push sender: %w", err)
	}
	c := &http.Client{}
	if client != nil {
		*c = *client
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if now == nil {
		now = time.Now
	}
	return &Sender{vapid: *v, subscriber: subscriber, client: c, now: now, sleep: sleepCtx}, nil
}

// subscriberOf validates the VAPID subject and returns it in the form
// webpush-go v1.4.0 needs: it prefixes "mailto:" to anything that does not
// start with "https:", so an email subject must be passed without it or the
// JWT says "mailto:mailto:...", which push services may reject.
func subscriberOf(subject string) (string, error) {
	switch {
	case strings.HasPrefix(subject, "mailto:"):
		addr := strings.TrimPrefix(subject, "mailto:")
		// ParseAddress accepts "?" and "=" in a domain; in a mailto: URI they
		// would start header fields, so the domain must be a host name.
		a, err := mail.ParseAddress(addr)
		if err != nil || a.Address != addr || a.Name != "" || !hostName(addr[strings.LastIndexByte(addr, '@')+1:]) {
			return "", fmt.Errorf("vapid subject %q: want mailto: and a bare email address", subject)
		}
		return addr, nil
	case strings.HasPrefix(subject, "https://"):
		u, err := url.Parse(subject)
		if err != nil || u.Host == "" || u.User != nil {
			return "", fmt.Errorf("vapid subject %q: want an https URL with a host", subject)
		}
		return subject, nil
	}
	return "", fmt.Errorf("vapid subject %q: want mailto:someone@example.org or an https:// URL", subject)
}

// hostName reports whether h is a DNS name of letters, digits and hyphens.
func hostName(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for label := range strings.SplitSeq(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range []byte(label) {
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// Send makes one attempt to deliver m and classifies the answer. It does not
// check the endpoint against a Policy: do that when the subscription is
// stored.
func (s *Sender) Send(ctx context.Context, m Message) Result {
	if err := m.check(); err != nil {
		return Result{Outcome: Failed, Err: err}
	}
	// webpush-go appends its padding to the payload slice it is given; a
	// fresh copy per send keeps concurrent sends of one payload from writing
	// into each other (and into the caller's array). Its capacity holds the
	// padding, so the buffer never grows.
	payload := make([]byte, len(m.Payload), MaxPayload+1)
	copy(payload, m.Payload)
	a := &attempt{client: s.client}
	resp, err := webpush.SendNotificationWithContext(ctx, payload, &webpush.Subscription{
		Endpoint: m.Endpoint,
		Keys:     webpush.Keys{Auth: m.Auth, P256dh: m.P256dh},
	}, &webpush.Options{
		HTTPClient:      a,
		Subscriber:      s.subscriber,
		Topic:           m.Topic,
		TTL:             ttlSeconds(m.TTL),
		Urgency:         webpush.Urgency(m.Urgency),
		VAPIDPublicKey:  s.vapid.PublicKey,
		VAPIDPrivateKey: s.vapid.PrivateKey,
		// v1.4.0 ignores this and always uses the real clock plus 12 hours;
		// set it anyway so that a fixed version honours the injected clock.
		VapidExpiration: s.now().Add(vapidLifetime),
	})
	if err != nil {
		if !a.sent {
			// Encryption or signing failed before any request: bad
			// subscription keys, which no retry will fix.
			return Result{Outcome: Failed, Err: fmt.Errorf("push: prepare message: %w", err)}
		}
		return Result{Outcome: Retry, Attempts: 1, Err: redact(err)}
	}
	r := classify(resp, s.now())
	r.Attempts = 1
	return r
}

// redact drops the endpoint's path from a transport error, keeping its
// host: the path identifies one person's device, and the error gets logged.
func redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		host := "endpoint"
		if u, perr := url.Parse(ue.URL); perr == nil {
			host = u.Host
		}
		return fmt.Errorf("push: send to %s: %w", host, ue.Err)
	}
	return fmt.Errorf("push: send: %w", err)
}

// attempt passes requests to the client and records whether webpush-go got
// as far as making one, which its errors do not tell.
type attempt struct {
	client *http.Client
	sent   bool
}

func (a *attempt) Do(req *http.Request) (*http.Response, error) {
	a.sent = true
	return a.client.Do(req)
}

// check refuses what webpush-go would send anyway but no push service
// should get: a message that would be dropped at once or that the service
// will reject with a 400.
func (m Message) check() error {
	switch {
	case m.Endpoint == "":
		return errors.New("push: message has no endpoint")
	case len(m.Payload) > MaxPayload:
		return fmt.Errorf("push: payload of %d bytes exceeds %d", len(m.Payload), MaxPayload)
	case m.TTL < time.Second:
		return fmt.Errorf("push: TTL %v is under one second", m.TTL)
	}
	switch m.Urgency {
	case "", "very-low", "low", "normal", "high":
	default:
		return fmt.Errorf("push: urgency %q is not very-low, low, normal or high", m.Urgency)
	}
	if !validTopic(m.Topic) {
		return fmt.Errorf("push: topic %q is not at most 32 characters of the URL-safe base64 alphabet", m.Topic)
	}
	return nil
}

// validTopic checks RFC 8030 §5.4: a topic is at most 32 characters from the
// URL and filename safe base64 alphabet.
func validTopic(t string) bool {
	if len(t) > 32 {
		return false
	}
	for _, c := range []byte(t) {
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_':
		default:
			return false
		}
	}
	return true
}

// ttlSeconds rounds up, so that a TTL is never cut to 0 and a message is kept
// at least as long as asked.
func ttlSeconds(d time.Duration) int {
	return int((d + time.Second - 1) / time.Second)
}
