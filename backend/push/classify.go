package push

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxDrain bounds how much of a push service's answer is read: enough to
// reuse the connection after a normal answer, not so much that a hostile
// endpoint could keep a sender reading.
const maxDrain = 64 << 10

// maxQuote is how much of an error answer goes into Result.Err.
const maxQuote = 200

// classify turns a push service's answer into a Result, and drains and
// closes the body so that the connection goes back to the pool.
func classify(resp *http.Response, now time.Time) Result {
	defer resp.Body.Close()
	r := Result{Status: resp.StatusCode}
	switch code := resp.StatusCode; {
	case code == http.StatusOK, code == http.StatusCreated, code == http.StatusAccepted:
		r.Outcome = Delivered
	case code == http.StatusNotFound, code == http.StatusGone:
		r.Outcome = Gone
	case code == http.StatusTooManyRequests, code >= 500 && code <= 599:
		r.Outcome = Retry
		r.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), now)
	default:
		// Other 4xx: the message or its signature is wrong (400, 403, 413).
		// 3xx: a redirect, which NewSender's client refuses to follow.
		// Anything else is not what RFC 8030 lets a push service answer.
		r.Outcome = Failed
	}
	var quote []byte
	if r.Outcome != Delivered {
		quote, _ = io.ReadAll(io.LimitReader(resp.Body, maxQuote))
		r.Err = fmt.Errorf("push: %s: %q", resp.Status, strings.ToValidUTF8(string(quote), "?"))
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrain))
	return r
}

// retryAfter parses a Retry-After header (RFC 9110 §10.2.3): a number of
// seconds or an HTTP date. It returns 0 when the header is absent, invalid or
// in the past, so that the caller falls back to its own backoff.
func retryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	if n, err := strconv.ParseInt(h, 10, 64); err == nil {
		// Cap before multiplying: a huge value must not overflow into a
		// negative or tiny duration.
		if n <= 0 {
			return 0
		}
		if n > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter
		}
		return time.Duration(n) * time.Second
	}
	t, err := http.ParseTime(h)
	if err != nil {
		return 0
	}
	d := t.Sub(now)
	if d <= 0 {
		return 0
	}
	return min(d, maxRetryAfter)
}

// maxRetryAfter caps a Retry-After: no message lives longer than the 28 days
// that push services keep one at most, so waiting longer is giving up.
const maxRetryAfter = 28 * 24 * time.Hour
