package push_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/push"
	"github.com/veikart/veikart/backend/push/pushtest"
)

// TestSend_Delivered sends through a recording Front to the real service and
// checks what each side saw: the service decrypted exactly the payload, and
// the request carried the headers and a VAPID JWT that verifies with the
// server's public key and claims what RFC 8292 asks.
func TestSend_Delivered(t *testing.T) {
	svc := pushtest.Start(t)
	v := MustVAPID(t)
	for _, tc := range []struct {
		name, subject, wantSub string
		msg                    func(m push.Message) push.Message
		wantHeaders            map[string]string
	}{
		{
			name: "MailtoSubjectAllHeaders", subject: "mailto:push@veikart.example", wantSub: "mailto:push@veikart.example",
			msg: func(m push.Message) push.Message {
				m.TTL, m.Urgency, m.Topic = 90*time.Second, "high", "step-42_reminder"
				return m
			},
			wantHeaders: map[string]string{"TTL": "90", "Urgency": "high", "Topic": "step-42_reminder", "Content-Encoding": "aes128gcm"},
		},
		{
			name: "HTTPSSubjectNoOptionalHeaders", subject: "https://veikart.example/contact", wantSub: "https://veikart.example/contact",
			msg: func(m push.Message) push.Message {
				m.TTL = 1500 * time.Millisecond // rounds up, never down to 0
				return m
			},
			wantHeaders: map[string]string{"TTL": "2", "Urgency": "", "Topic": "", "Content-Encoding": "aes128gcm"},
		},
		{
			name: "VeryLowUrgency", subject: testSubject, wantSub: testSubject,
			msg: func(m push.Message) push.Message {
				m.TTL, m.Urgency = 28*24*time.Hour, "very-low"
				return m
			},
			wantHeaders: map[string]string{"TTL": "2419200", "Urgency": "very-low"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := push.NewSender(v, tc.subject, nil, nil)
			if err != nil {
				t.Fatalf("NewSender: %v", err)
			}
			front := pushtest.NewFront(t, svc)
			sub := svc.Subscribe(t, v.PublicKey)
			payload := `{"kind":"reminder","id":"r-1","text":"Påminnelse: møte på NAV-kontoret"}`
			m := tc.msg(messageTo(sub, front.Endpoint(sub), payload))

			start := time.Now()
			r := s.Send(t.Context(), m)
			if r.Outcome != push.Delivered || r.Status != http.StatusCreated || r.Attempts != 1 || r.Err != nil {
				t.Fatalf("Send = %+v, want delivered with 201", r)
			}
			if got := svc.Messages(t, sub); len(got) != 1 || got[0] != payload {
				t.Fatalf("service decrypted %q, want exactly [%q]", got, payload)
			}

			reqs := front.Requests()
			if len(reqs) != 1 {
				t.Fatalf("front saw %d requests, want 1", len(reqs))
			}
			req := reqs[0]
			for h, want := range tc.wantHeaders {
				if got := req.Header.Get(h); got != want {
					t.Errorf("header %s = %q, want %q", h, got, want)
				}
			}
			// Every message is one 4096-byte record, whatever its payload.
			if len(req.Body) != 4096 {
				t.Errorf("body is %d bytes, want 4096", len(req.Body))
			}

			claims, err := pushtest.VerifyVAPID(req.Header.Get("Authorization"))
			if err != nil {
				t.Fatalf("VerifyVAPID: %v", err)
			}
			if claims.Key != v.PublicKey {
				t.Errorf("k = %q, want the server's public key %q", claims.Key, v.PublicKey)
			}
			u, _ := url.Parse(m.Endpoint)
			if want := u.Scheme + "://" + u.Host; claims.Audience != want {
				t.Errorf("aud = %q, want %q", claims.Audience, want)
			}
			if !claims.Expires.After(start) || claims.Expires.After(time.Now().Add(24*time.Hour)) {
				t.Errorf("exp = %v, want within 24 h of %v", claims.Expires, start)
			}
			if claims.Subject != tc.wantSub {
				t.Errorf("sub = %q, want %q", claims.Subject, tc.wantSub)
			}
			if err := validSubject(claims.Subject); err != "" {
				t.Errorf("sub %q: %s", claims.Subject, err)
			}
		})
	}
}

// validSubject says what is wrong with a VAPID sub claim, or "".
func validSubject(sub string) string {
	switch {
	case strings.HasPrefix(sub, "mailto:"):
		addr := strings.TrimPrefix(sub, "mailto:")
		if strings.Contains(addr, ":") {
			return "mailto: with a scheme inside (mailto:mailto:?)"
		}
		if a, err := mail.ParseAddress(addr); err != nil || a.Address != addr {
			return "not mailto: and a bare address"
		}
	case strings.HasPrefix(sub, "https:"):
		if u, err := url.Parse(sub); err != nil || u.Host == "" {
			return "not an https URL with a host"
		}
	default:
		return "neither mailto: nor https:"
	}
	return ""
}

// TestSend_PayloadUntouched guards against webpush-go's padding: it appends
// to the slice it is given, which would write into a caller's spare capacity
// and race between concurrent sends of one payload.
func TestSend_PayloadUntouched(t *testing.T) {
	svc := pushtest.Start(t)
	v := MustVAPID(t)
	s := MustSender(t, v, nil)
	sub := svc.Subscribe(t, v.PublicKey)

	backing := bytes.Repeat([]byte{'#'}, 8192)
	payload := backing[:5]
	copy(payload, "hello")
	m := messageTo(sub, sub.Endpoint, "")
	m.Payload = payload
	for range 2 {
		if r := s.Send(t.Context(), m); r.Outcome != push.Delivered {
			t.Fatalf("Send = %+v", r)
		}
	}
	if string(backing[:5]) != "hello" || !bytes.Equal(backing[5:], bytes.Repeat([]byte{'#'}, 8192-5)) {
		t.Fatalf("Send wrote into the payload's backing array")
	}
	if got := svc.Messages(t, sub); len(got) != 2 || got[0] != "hello" || got[1] != "hello" {
		t.Fatalf("service decrypted %q, want [hello hello]", got)
	}
}

// TestSend_MaxPayload checks the bound at its edge against the real
// decryption: MaxPayload bytes arrive intact, one more is refused unsent.
func TestSend_MaxPayload(t *testing.T) {
	svc := pushtest.Start(t)
	v := MustVAPID(t)
	s := MustSender(t, v, nil)
	sub := svc.Subscribe(t, v.PublicKey)
	front := pushtest.NewFront(t, svc)

	full := strings.Repeat("æ", push.MaxPayload/2) + "x" // 3993 bytes of UTF-8
	if r := s.Send(t.Context(), messageTo(sub, front.Endpoint(sub), full)); r.Outcome != push.Delivered {
		t.Fatalf("Send(MaxPayload) = %+v", r)
	}
	if got := svc.Messages(t, sub); len(got) != 1 || got[0] != full {
		t.Fatalf("service decrypted %d messages, want the full payload once", len(got))
	}
	if r := s.Send(t.Context(), messageTo(sub, front.Endpoint(sub), full+"x")); r.Outcome != push.Failed || r.Err == nil {
		t.Fatalf("Send(MaxPayload+1) = %+v, want failed", r)
	}
	if n := len(front.Requests()); n != 1 {
		t.Fatalf("front saw %d requests, want 1: the oversized message must not be sent", n)
	}
}

// TestSend_Statuses makes the push service answer each status RFC 8030 and
// the push services document, and checks the outcome and that Send made
// exactly one request. 410 comes from the real service (an expired
// subscription); the others from a Front.
func TestSend_Statuses(t *testing.T) {
	svc := pushtest.Start(t)
	v := MustVAPID(t)
	clock := newFakeClock()
	s := MustSender(t, v, clock.Now)
	for _, tc := range []struct {
		name           string
		reply          *pushtest.Reply // nil: the real service answers
		expire         bool
		want           push.Outcome
		wantStatus     int
		wantRetryAfter time.Duration
	}{
		{name: "ExpiredSubscriptionIsGone", expire: true, want: push.Gone, wantStatus: 410},
		{name: "404IsGone", reply: &pushtest.Reply{Status: 404}, want: push.Gone, wantStatus: 404},
		{name: "200IsDelivered", reply: &pushtest.Reply{Status: 200}, want: push.Delivered, wantStatus: 200},
		{name: "202IsDelivered", reply: &pushtest.Reply{Status: 202}, want: push.Delivered, wantStatus: 202},
		{name: "429RetryAfterSeconds", reply: &pushtest.Reply{Status: 429, Header: http.Header{"Retry-After": {"7"}}}, want: push.Retry, wantStatus: 429, wantRetryAfter: 7 * time.Second},
		{name: "503RetryAfterDate", reply: &pushtest.Reply{Status: 503, Header: http.Header{"Retry-After": {clock.Now().Add(90 * time.Second).Format(http.TimeFormat)}}}, want: push.Retry, wantStatus: 503, wantRetryAfter: 90 * time.Second},
		{name: "503RetryAfterPastDate", reply: &pushtest.Reply{Status: 503, Header: http.Header{"Retry-After": {clock.Now().Add(-time.Hour).Format(http.TimeFormat)}}}, want: push.Retry, wantStatus: 503},
		{name: "429RetryAfterGarbage", reply: &pushtest.Reply{Status: 429, Header: http.Header{"Retry-After": {"soon"}}}, want: push.Retry, wantStatus: 429},
		{name: "500NoRetryAfter", reply: &pushtest.Reply{Status: 500}, want: push.Retry, wantStatus: 500},
		{name: "502", reply: &pushtest.Reply{Status: 502}, want: push.Retry, wantStatus: 502},
		{name: "400IsFailed", reply: &pushtest.Reply{Status: 400}, want: push.Failed, wantStatus: 400},
		{name: "401IsFailed", reply: &pushtest.Reply{Status: 401}, want: push.Failed, wantStatus: 401},
		{name: "403IsFailed", reply: &pushtest.Reply{Status: 403}, want: push.Failed, wantStatus: 403},
		{name: "413IsFailed", reply: &pushtest.Reply{Status: 413}, want: push.Failed, wantStatus: 413},
		{name: "RedirectNotFollowed", reply: &pushtest.Reply{Status: 307, Header: http.Header{"Location": {svc.URL + "/status"}}}, want: push.Failed, wantStatus: 307},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sub := svc.Subscribe(t, v.PublicKey)
			front := pushtest.NewFront(t, svc)
			if tc.expire {
				svc.Expire(t, sub)
			}
			if tc.reply != nil {
				front.Reply(*tc.reply)
			}
			r := s.Send(t.Context(), messageTo(sub, front.Endpoint(sub), "x"))
			if r.Outcome != tc.want || r.Status != tc.wantStatus || r.RetryAfter != tc.wantRetryAfter || r.Attempts != 1 {
				t.Fatalf("Send = %+v, want %v, status %d, retry after %v", r, tc.want, tc.wantStatus, tc.wantRetryAfter)
			}
			if (r.Err == nil) != (tc.want == push.Delivered) {
				t.Errorf("Err = %v for outcome %v", r.Err, r.Outcome)
			}
			if n := len(front.Requests()); n != 1 {
				t.Errorf("front saw %d requests, want 1", n)
			}
			if got := svc.Messages(t, sub); len(got) != 0 {
				t.Errorf("service received %q, want nothing", got)
			}
		})
	}
}

// TestSend_NetworkErrorIsRetry sends to a port where nothing listens.
func TestSend_NetworkErrorIsRetry(t *testing.T) {
	svc := pushtest.Start(t)
	v := MustVAPID(t)
	s := MustSender(t, v, nil)
	sub := svc.Subscribe(t, v.PublicKey)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()

	r := s.Send(t.Context(), messageTo(sub, closed.URL+"/notify/"+sub.ClientHash, "x"))
	if r.Outcome != push.Retry || r.Status != 0 || r.Err == nil {
		t.Fatalf("Send = %+v, want retry with no status", r)
	}
	// The error is logged; the endpoint's path names one person's device.
	if strings.Contains(r.Err.Error(), sub.ClientHash) {
		t.Errorf("Err quotes the endpoint path: %v", r.Err)
	}
}

// TestSend_Refused lists messages that Send refuses without a request.
func TestSend_Refused(t *testing.T) {
	svc := pushtest.Start(t)
	v := MustVAPID(t)
	s := MustSender(t, v, nil)
	sub := svc.Subscribe(t, v.PublicKey)
	front := pushtest.NewFront(t, svc)
	for _, tc := range []struct {
		name string
		edit func(*push.Message)
	}{
		{"NoTTL", func(m *push.Message) { m.TTL = 0 }},
		{"SubSecondTTL", func(m *push.Message) { m.TTL = 999 * time.Millisecond }},
		{"UnknownUrgency", func(m *push.Message) { m.Urgency = "urgent" }},
		{"TopicTooLong", func(m *push.Message) { m.Topic = strings.Repeat("a", 33) }},
		{"TopicNotBase64URL", func(m *push.Message) { m.Topic = "step.42" }},
		{"TopicPadding", func(m *push.Message) { m.Topic = "c3RlcA==" }},
		{"NoEndpoint", func(m *push.Message) { m.Endpoint = "" }},
		{"KeyNotOnCurve", func(m *push.Message) { m.P256dh = "BAAA" + m.P256dh[4:] }},
		{"AuthNotBase64", func(m *push.Message) { m.Auth = "!!!" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := messageTo(sub, front.Endpoint(sub), "x")
			tc.edit(&m)
			if r := s.Send(t.Context(), m); r.Outcome != push.Failed || r.Err == nil || r.Status != 0 || r.Attempts != 0 {
				t.Fatalf("Send = %+v, want failed before sending", r)
			}
		})
	}
	if n := len(front.Requests()); n != 0 {
		t.Fatalf("front saw %d requests, want none", n)
	}
	// The limit on topics is the RFC's, not tighter.
	m := messageTo(sub, front.Endpoint(sub), "x")
	m.Topic = strings.Repeat("Az09-_", 5) + "zz"
	if r := s.Send(t.Context(), m); r.Outcome != push.Delivered {
		t.Fatalf("Send with a 32-character topic = %+v", r)
	}
}

// TestNewSender checks the subject forms webpush-go would mangle or push
// services reject, and that the caller's client is left as it was.
func TestNewSender(t *testing.T) {
	v := MustVAPID(t)
	for _, tc := range []struct {
		subject string
		ok      bool
	}{
		{"mailto:push@veikart.example", true},
		{"https://veikart.example/contact", true},
		{"https://veikart.example", true},
		{"push@veikart.example", false},
		{"mailto:mailto:push@veikart.example", false},
		{"mailto:Veikart <push@veikart.example>", false},
		{"mailto:", false},
		{"mailto:push@veikart.example?subject=hi", false},
		{"http://veikart.example", false},
		{"https://", false},
		{"https://user@veikart.example", false},
		{"HTTPS://veikart.example", false},
		{"", false},
	} {
		t.Run(tc.subject, func(t *testing.T) {
			_, err := push.NewSender(v, tc.subject, nil, nil)
			if (err == nil) != tc.ok {
				t.Fatalf("NewSender(%q) error = %v, want ok = %v", tc.subject, err, tc.ok)
			}
		})
	}

	t.Run("BadKeys", func(t *testing.T) {
		other := MustVAPID(t)
		for _, bad := range []*push.VAPID{
			nil,
			{},
			{PublicKey: v.PublicKey, PrivateKey: other.PrivateKey},
			{PublicKey: "not base64!", PrivateKey: v.PrivateKey},
		} {
			if _, err := push.NewSender(bad, testSubject, nil, nil); err == nil {
				t.Errorf("NewSender(%+v) = nil error", bad)
			}
		}
	})

	t.Run("ClientNotModified", func(t *testing.T) {
		c := &http.Client{}
		if _, err := push.NewSender(v, testSubject, c, nil); err != nil {
			t.Fatal(err)
		}
		if c.Timeout != 0 || c.CheckRedirect != nil {
			t.Fatalf("NewSender changed the caller's client: %+v", c)
		}
	})
}

// TestSend_ContextCanceled: a canceled context sends nothing that counts and
// is reported as Retry, since the message was not delivered.
func TestSend_ContextCanceled(t *testing.T) {
	svc := pushtest.Start(t)
	v := MustVAPID(t)
	s := MustSender(t, v, nil)
	sub := svc.Subscribe(t, v.PublicKey)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if r := s.Send(ctx, messageTo(sub, sub.Endpoint, "x")); r.Outcome != push.Retry || r.Err == nil {
		t.Fatalf("Send = %+v, want retry", r)
	}
}

// TestSend_OtherKeyRejected shows the service really checks the signature,
// and what key rotation does: a subscription made with one key refuses
// pushes signed with another, and no retry can fix that.
func TestSend_OtherKeyRejected(t *testing.T) {
	svc := pushtest.Start(t)
	dir := t.TempDir()
	old, err := push.LoadVAPID(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	sub := svc.Subscribe(t, old.PublicKey)
	rotated, err := push.RotateVAPID(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := MustSender(t, rotated, nil)
	r := s.Send(t.Context(), messageTo(sub, sub.Endpoint, "x"))
	// web-push-testing answers 400; real push services 401 or 403. All are
	// Failed, never Retry.
	if r.Outcome != push.Failed || r.Status != http.StatusBadRequest {
		t.Fatalf("Send signed with a rotated key = %+v, want failed with 400", r)
	}
	if got := svc.Messages(t, sub); len(got) != 0 {
		t.Fatalf("service accepted %q", got)
	}
}
