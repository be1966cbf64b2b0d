package account

import (
	"context"
	"sync"
	"time"

	"github.com/veikart/veikart/backend/auth"
	"github.com/veikart/veikart/backend/veikart"
)

// SignIn starts a session for a person who has proved who they are (by
// whatever method), records it in their security log, and returns the
// session's first tokens. Every way of signing in ends here.
func (s *Service) SignIn(ctx context.Context, u *veikart.User, agencyID, method, userAgent string) (*auth.TokenPair, error) {
	pair, err := s.sessions.Start(ctx, u.ID, agencyID, userAgent, method)
	if err != nil {
		return nil, err
	}
	if err := s.store.AddUserSession(ctx, u.ID, pair.SessionID); err != nil {
		s.log.Warn("index session", "err", err) // the session works; only its listing lags
	}
	s.Security(ctx, u.ID, veikart.AuditSignIn, method, pair.SessionID)
	return pair, nil
}

// SignOut ends the session a refresh token belongs to (nothing, and no
// error, for a token that is not one).
func (s *Service) SignOut(ctx context.Context, refreshToken string) error {
	ended, err := s.sessions.Revoke(ctx, refreshToken)
	if err != nil || ended == nil {
		return err
	}
	// Like signing a device out from the list: its access tokens stop on
	// this replica's very next request, not after liveFor.
	s.alive.forget(ended.ID)
	s.Security(ctx, ended.UserID, veikart.AuditSignOut, ended.Method, ended.ID)
	return nil
}

// Sessions lists the person's sessions that are still on, and prunes the
// ended ones from their index.
func (s *Service) Sessions(ctx context.Context, userID string) ([]*veikart.Session, error) {
	u, err := s.store.User(ctx, userID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var live []*veikart.Session
	var ended []string
	for _, id := range u.SessionIDs {
		sess, err := s.store.Session(ctx, id)
		if veikart.ErrorCode(err) == veikart.ENOTFOUND {
			ended = append(ended, id)
			continue
		}
		if err != nil {
			return nil, err
		}
		if sess.UserID != userID || sess.Revoked() || !now.Before(sess.ExpiresAt) {
			ended = append(ended, id)
			continue
		}
		live = append(live, sess)
	}
	if len(ended) > 0 {
		if err := s.store.RemoveUserSessions(ctx, userID, ended); err != nil {
			s.log.Warn("prune sessions", "err", err)
		}
	}
	return live, nil
}

var errNoSession = &veikart.Error{Code: veikart.ENOTFOUND, Message: "No such signed-in device."}

// EndSession signs one of the person's devices out; someone else's session
// is "not found", exactly like a made-up id.
func (s *Service) EndSession(ctx context.Context, userID, id string) error {
	sess, err := s.store.Session(ctx, id)
	if veikart.ErrorCode(err) == veikart.ENOTFOUND || (err == nil && sess.UserID != userID) {
		return errNoSession
	}
	if err != nil {
		return err
	}
	return s.endSession(ctx, sess.ID, "signed-out")
}

// EndAllSessions signs every one of the person's devices out, the caller's
// too: what to do when a phone is lost. reason is recorded on each.
func (s *Service) EndAllSessions(ctx context.Context, userID, reason string) error {
	live, err := s.Sessions(ctx, userID)
	if err != nil {
		return err
	}
	for _, sess := range live {
		if err := s.endSession(ctx, sess.ID, reason); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) endSession(ctx context.Context, id, reason string) error {
	ended, err := s.sessions.RevokeID(ctx, id, reason)
	if err != nil {
		return err
	}
	s.alive.forget(id)
	if ended != nil {
		s.Security(ctx, ended.UserID, veikart.AuditSignOut, ended.Method, ended.ID)
	}
	return nil
}

// ForgetSessions stops this process from taking sessions ended elsewhere
// (an erased account's) as live.
func (s *Service) ForgetSessions(ids ...string) {
	for _, id := range ids {
		s.alive.forget(id)
	}
}

// MethodOf is how a session signed in; sessions from before methods were
// recorded came from the development login, the only one there was.
func MethodOf(sess *veikart.Session) string {
	if sess.Method == "" {
		return veikart.SignInDev
	}
	return sess.Method
}

var errSessionEnded = &veikart.Error{Code: veikart.EUNAUTHORIZED, Message: "This sign-in has ended (signed out, or from another device). Sign in again."}

// CheckSession refuses an access token whose session has ended (or is not
// the token's person's: only a stolen signing key could make that), and
// says how the session signed in.
func (s *Service) CheckSession(ctx context.Context, id, userID string) (string, error) {
	now := s.now()
	if method, ok := s.alive.fresh(id, userID, now); ok {
		return method, nil
	}
	sess, err := s.store.Session(ctx, id)
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return "", errSessionEnded
	}
	if err != nil {
		return "", err
	}
	if sess.Revoked() || !now.Before(sess.ExpiresAt) || sess.UserID != userID {
		return "", errSessionEnded
	}
	s.alive.remember(id, userID, MethodOf(sess), now)
	return MethodOf(sess), nil
}

// liveCache remembers for a few seconds that a session is on, so that an
// access token stops working soon after its session ends (sign-out of a
// lost phone) without a database read on every request. This process
// learns of its own sign-outs at once; another replica's within liveFor.
type liveCache struct {
	mu   sync.Mutex
	seen map[string]liveEntry // by session id
}

type liveEntry struct {
	at     time.Time // when it was last found live
	userID string    // whose session it is
	method string    // how it signed in
}

const liveFor = 5 * time.Second

// fresh reports how session id signed in if it was found live within
// liveFor and belongs to userID. A token naming another person's live
// session is a miss here, and the store then refuses it: the cache only
// ever saves a read, it never decides.
func (l *liveCache) fresh(id, userID string, now time.Time) (string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.seen[id]
	return e.method, ok && e.userID == userID && now.Sub(e.at) < liveFor
}

func (l *liveCache) remember(id, userID, method string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.seen == nil || len(l.seen) > 200_000 {
		l.seen = map[string]liveEntry{} // a rare, cheap reset bounds memory
	}
	l.seen[id] = liveEntry{at: now, userID: userID, method: method}
}

func (l *liveCache) forget(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.seen, id)
}
