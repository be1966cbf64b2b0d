package api

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/household"
	"github.com/veikart/veikart/backend/veikart"
)

// A person's signed-in devices: list them, sign one out, or all.

type sessionJSON struct {
	ID         string    `json:"id"`
	Method     string    `json:"method"`
	Device     string    `json:"device"`
	CreatedAt  time.Time `json:"createdAt"`
	LastUsedAt time.Time `json:"lastUsedAt"`
	ActingFor  string    `json:"actingFor,omitempty"`
	Current    bool      `json:"current"`
}

type sessionListJSON struct {
	Items []sessionJSON `json:"items"`
}

// liveSessions lists the user's sessions that are still on, and prunes the
// ended ones from the user's index.
func (s *Server) liveSessions(ctx context.Context, userID string) ([]*veikart.Session, error) {
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

func (s *Server) listSessions(c *fiber.Ctx) error {
	actor := actorOf(c)
	if !access.Permit(actor, access.UseAccount, "") {
		return errOperatorAccount
	}
	items, err := s.sessionList(c, actor.UserID)
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, sessionListJSON{Items: items})
}

// sessionList is the person's sessions that are on, the caller's marked.
func (s *Server) sessionList(c *fiber.Ctx, userID string) ([]sessionJSON, error) {
	live, err := s.liveSessions(c.UserContext(), userID)
	if err != nil {
		return nil, err
	}
	return mapJSON(live, func(sess *veikart.Session) sessionJSON {
		return sessionJSON{
			ID: sess.ID, Method: methodOf(sess), Device: sess.UserAgent,
			CreatedAt: sess.CreatedAt, LastUsedAt: sess.LastUsedAt, ActingFor: sess.AgencyID,
			Current: sess.ID == sessionOf(c),
		}
	}), nil
}

// methodOf is how a session signed in; sessions from before methods were
// recorded came from the development login, the only one there was.
func methodOf(sess *veikart.Session) string {
	if sess.Method == "" {
		return veikart.SignInDev
	}
	return sess.Method
}

func sessionOf(c *fiber.Ctx) string {
	id, _ := c.Locals(ctxSession).(string)
	return id
}

var errOperatorAccount = household.ErrOperatorAccount

// revokeSession signs one of the person's devices out.
func (s *Server) revokeSession(c *fiber.Ctx) error {
	actor := actorOf(c)
	if !access.Permit(actor, access.UseAccount, "") {
		return errOperatorAccount
	}
	id := strings.Clone(c.Params("sessionId"))
	sess, err := s.store.Session(c.UserContext(), id)
	// Someone else's session is "not found", exactly like a made-up id.
	if veikart.ErrorCode(err) == veikart.ENOTFOUND || (err == nil && sess.UserID != actor.UserID) {
		return &veikart.Error{Code: veikart.ENOTFOUND, Message: "No such signed-in device."}
	}
	if err != nil {
		return err
	}
	if err := s.endSession(c.UserContext(), sess.ID, "signed-out"); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// revokeAllSessions signs every one of the person's devices out, this one
// too: what to do when a phone is lost.
func (s *Server) revokeAllSessions(c *fiber.Ctx) error {
	actor := actorOf(c)
	if !access.Permit(actor, access.UseAccount, "") {
		return errOperatorAccount
	}
	live, err := s.liveSessions(c.UserContext(), actor.UserID)
	if err != nil {
		return err
	}
	for _, sess := range live {
		if err := s.endSession(c.UserContext(), sess.ID, "signed-out-everywhere"); err != nil {
			return err
		}
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) endSession(ctx context.Context, id, reason string) error {
	ended, err := s.sessions.RevokeID(ctx, id, reason)
	if err != nil {
		return err
	}
	s.alive.forget(id)
	if ended != nil {
		s.security(ctx, ended.UserID, veikart.AuditSignOut, ended.Method, ended.ID)
	}
	return nil
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

var errSessionEnded = &veikart.Error{Code: veikart.EUNAUTHORIZED, Message: "This sign-in has ended (signed out, or from another device). Sign in again."}

// checkSession refuses an access token whose session has ended (or is not
// the token's person's: only a stolen signing key could make that), and
// says how the session signed in.
func (s *Server) checkSession(ctx context.Context, id, userID string) (string, error) {
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
	s.alive.remember(id, userID, methodOf(sess), now)
	return methodOf(sess), nil
}
