package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/veikart/veikart/backend/veikart"
)

// SessionStore keeps sessions. UpdateSession must be atomic per session: two
// concurrent calls for one id never both succeed on the same state.
type SessionStore interface {
	CreateSession(ctx context.Context, s *veikart.Session) error
	UpdateSession(ctx context.Context, id string, fn func(*veikart.Session) (*veikart.Session, error)) (*veikart.Session, error)
}

// TokenPair is what a sign-in or a refresh returns.
type TokenPair struct {
	AccessToken  string
	RefreshToken string
	ExpiresAt    time.Time
	UserID       string
	AgencyID     string // the agency the session acts for, "" for oneself
	SessionID    string
}

// Sessions starts, refreshes and ends sessions.
type Sessions struct {
	store  SessionStore
	tokens *Tokens
	// idle is how long a session lives without a refresh; max is how long it
	// lives at all. A phone used weekly stays signed in; a lost one not forever.
	idle, max time.Duration
	now       func() time.Time
	log       *slog.Logger
}

// NewSessions returns a session service.
func NewSessions(store SessionStore, tokens *Tokens, idle, max time.Duration, now func() time.Time, log *slog.Logger) *Sessions {
	return &Sessions{store: store, tokens: tokens, idle: idle, max: max, now: now, log: log}
}

// keptPrevious bounds how many rotated-out token hashes a session remembers
// for reuse detection.
const keptPrevious = 32

// refreshPrefix marks Veikart refresh tokens (and versions their format), so
// that secret scanners can recognise a leaked one.
const refreshPrefix = "vkr1."

var errBadRefresh = &veikart.Error{Code: veikart.EUNAUTHORIZED, Message: "The refresh token is invalid, expired or revoked. Sign in again."}

// Start creates a session for the user and returns its first tokens.
// agencyID is the agency the person acts for ("" for themselves); the caller
// has checked that they work there. method is how they signed in.
func (s *Sessions) Start(ctx context.Context, userID, agencyID, userAgent, method string) (*TokenPair, error) {
	now := s.now().UTC().Truncate(time.Millisecond)
	id := randomID(16)
	secret, hash := newSecret()
	sess := &veikart.Session{
		ID: id, UserID: userID, Current: hash, Generation: 1,
		CreatedAt: now, LastUsedAt: now, ExpiresAt: s.expiry(now, now),
		UserAgent: truncate(userAgent, 200), AgencyID: agencyID, Method: method,
	}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return nil, fmt.Errorf("start session: %w", err)
	}
	return s.pair(sess, secret)
}

// Refresh exchanges a refresh token for new tokens. The old refresh token
// stops working. Presenting a token that was already exchanged revokes the
// whole session: one of the two holders is not its owner.
func (s *Sessions) Refresh(ctx context.Context, refreshToken string) (*TokenPair, error) {
	return s.rotate(ctx, refreshToken, nil, nil)
}

// Act is Refresh that also switches the agency the person acts for ("" for
// themselves). The caller has checked that they work there.
// check is called with the session's user before anything changes.
func (s *Sessions) Act(ctx context.Context, refreshToken, agencyID string, check func(userID string) error) (*TokenPair, error) {
	return s.rotate(ctx, refreshToken, &agencyID, check)
}

func (s *Sessions) rotate(ctx context.Context, refreshToken string, agencyID *string, check func(string) error) (*TokenPair, error) {
	id, secretHash, ok := parseRefresh(refreshToken)
	if !ok {
		return nil, errBadRefresh
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	secret, newHash := newSecret()
	var reused bool
	sess, err := s.store.UpdateSession(ctx, id, func(cur *veikart.Session) (*veikart.Session, error) {
		if cur.Revoked() || !now.Before(cur.ExpiresAt) {
			return nil, errBadRefresh
		}
		next := *cur
		if subtle.ConstantTimeCompare(secretHash, cur.Current) == 1 {
			if check != nil {
				if err := check(cur.UserID); err != nil {
					return nil, err
				}
			}
			next.Previous = append(append([][]byte(nil), cur.Previous...), cur.Current)
			if len(next.Previous) > keptPrevious {
				next.Previous = next.Previous[len(next.Previous)-keptPrevious:]
			}
			next.Current = newHash
			next.Generation++
			next.LastUsedAt = now
			next.ExpiresAt = s.expiry(cur.CreatedAt, now)
			if agencyID != nil {
				next.AgencyID = *agencyID
			}
			return &next, nil
		}
		for _, p := range cur.Previous {
			if subtle.ConstantTimeCompare(secretHash, p) == 1 {
				reused = true
				next.RevokedAt, next.RevokedReason = now, "reuse"
				return &next, nil
			}
		}
		return nil, errBadRefresh
	})
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return nil, errBadRefresh
	}
	if err != nil {
		return nil, err
	}
	if reused {
		s.log.Warn("refresh token reused; session revoked", "session", sess.ID, "user", sess.UserID)
		return nil, errBadRefresh
	}
	return s.pair(sess, secret)
}

// Revoke ends the session a refresh token belongs to, and returns it if this
// call ended it (nil otherwise). It is idempotent and reports success for
// unknown tokens too, so that it reveals nothing.
func (s *Sessions) Revoke(ctx context.Context, refreshToken string) (*veikart.Session, error) {
	id, secretHash, ok := parseRefresh(refreshToken)
	if !ok {
		return nil, nil
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	ended, err := s.store.UpdateSession(ctx, id, func(cur *veikart.Session) (*veikart.Session, error) {
		if cur.Revoked() {
			return nil, nil
		}
		known := subtle.ConstantTimeCompare(secretHash, cur.Current) == 1
		for _, p := range cur.Previous {
			known = known || subtle.ConstantTimeCompare(secretHash, p) == 1
		}
		if !known {
			return nil, nil
		}
		next := *cur
		next.RevokedAt, next.RevokedReason = now, "logout"
		return &next, nil
	})
	if err != nil && veikart.ErrorCode(err) != veikart.ENOTFOUND {
		return nil, fmt.Errorf("revoke session: %w", err)
	}
	return ended, nil // nil when this call changed nothing
}

// RevokeID ends session id, for "sign out that device" and "sign out
// everywhere". It returns the session if this call ended it.
func (s *Sessions) RevokeID(ctx context.Context, id, reason string) (*veikart.Session, error) {
	now := s.now().UTC().Truncate(time.Millisecond)
	ended, err := s.store.UpdateSession(ctx, id, func(cur *veikart.Session) (*veikart.Session, error) {
		if cur.Revoked() {
			return nil, nil
		}
		next := *cur
		next.RevokedAt, next.RevokedReason = now, reason
		return &next, nil
	})
	if err != nil && veikart.ErrorCode(err) != veikart.ENOTFOUND {
		return nil, fmt.Errorf("revoke session: %w", err)
	}
	return ended, nil
}

func (s *Sessions) expiry(created, now time.Time) time.Time {
	if idle, hard := now.Add(s.idle), created.Add(s.max); idle.Before(hard) {
		return idle
	} else {
		return hard
	}
}

func (s *Sessions) pair(sess *veikart.Session, secret string) (*TokenPair, error) {
	at, exp, err := s.tokens.Issue(sess.UserID, sess.ID, sess.AgencyID)
	if err != nil {
		return nil, err
	}
	return &TokenPair{AccessToken: at, RefreshToken: refreshPrefix + sess.ID + "." + secret, ExpiresAt: exp, UserID: sess.UserID, AgencyID: sess.AgencyID, SessionID: sess.ID}, nil
}

func parseRefresh(tok string) (id string, hash []byte, ok bool) {
	rest, found := strings.CutPrefix(tok, refreshPrefix)
	if !found {
		return "", nil, false
	}
	id, secret, found := strings.Cut(rest, ".")
	if !found || !veikart.ValidID(id) || len(secret) != 43 {
		return "", nil, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(secret)
	if err != nil {
		return "", nil, false
	}
	sum := sha256.Sum256(raw)
	return id, sum[:], true
}

// newSecret returns a 256-bit random secret and its hash. The secret is
// random enough that a fast hash is safe: nothing to brute-force.
func newSecret() (string, []byte) {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on Linux
	sum := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(b), sum[:]
}

func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// RandomID returns a random hex id of n bytes, for server-made ids.
func RandomID(n int) string { return randomID(n) }

// NewCode returns a one-time code for a link or a QR code (an invitation,
// an enrolment): 192 bits, not guessable within the minutes it is valid,
// in base64url.
func NewCode() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b) // never fails on Linux; see crypto/rand
	return base64.RawURLEncoding.EncodeToString(b)
}

// NewUUID returns a random (version 4) UUID in lower case, the form roadmap
// ids take: opaque, so that nothing about a household can be read from one.
func NewUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
