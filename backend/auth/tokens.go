package auth

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/veikart/veikart/backend/veikart"
)

// accessTokenType is the JWT "typ" of access tokens (RFC 9068), so that no
// other JWT signed with the same key can pass for one.
const accessTokenType = "at+jwt"

// Principal is who an access token speaks for.
type Principal struct {
	UserID    string
	SessionID string
	// AgencyID is the agency the person acts for, "" for themselves. A
	// token naming an agency proves nothing about membership: the API checks
	// the agency's staff list on every request.
	AgencyID string
	// Operator marks a token minted for the service's operator (by the
	// veikart CLI, from the signing keys on disk) for the admin API.
	Operator bool
	Expires  time.Time
}

type accessClaims struct {
	jwt.RegisteredClaims
	SessionID string `json:"sid"`
	AgencyID  string `json:"agency,omitempty"`
	Operator  bool   `json:"op,omitempty"`
}

// Tokens issues and verifies access tokens.
type Tokens struct {
	keys     *KeySet
	issuer   string
	audience string
	ttl      time.Duration
	now      func() time.Time
	parser   *jwt.Parser

	// verified remembers tokens whose signature has been checked, until they
	// expire: verifying Ed25519 costs more than the rest of a read. Only the
	// signature check is skipped; expiry is checked on every use.
	mu       sync.RWMutex
	verified map[string]Principal
}

// NewTokens returns a token issuer and verifier. now is the clock (tests pass
// a controllable one).
func NewTokens(keys *KeySet, issuer, audience string, ttl time.Duration, now func() time.Time) *Tokens {
	return &Tokens{
		keys: keys, issuer: issuer, audience: audience, ttl: ttl, now: now,
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}),
			jwt.WithIssuer(issuer),
			jwt.WithAudience(audience),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithLeeway(30*time.Second),
			jwt.WithTimeFunc(now),
		),
		verified: make(map[string]Principal),
	}
}

// Issue returns a signed access token for the user in the session. It holds
// no personal data: the subject is an opaque user id.
func (t *Tokens) Issue(userID, sessionID, agencyID string) (string, time.Time, error) {
	return t.IssueFor(userID, sessionID, agencyID, t.ttl)
}

// IssueFor is Issue with a chosen lifetime (the load-test seeder uses it).
func (t *Tokens) IssueFor(userID, sessionID, agencyID string, ttl time.Duration) (string, time.Time, error) {
	return t.issue(accessClaims{SessionID: sessionID, AgencyID: agencyID}, userID, ttl)
}

// OperatorSubject is the subject of operator tokens.
const OperatorSubject = "operator"

// IssueOperator returns a short-lived token for the admin API. Whoever can
// read the signing keys can mint one; that is the operator.
func (t *Tokens) IssueOperator(ttl time.Duration) (string, time.Time, error) {
	return t.issue(accessClaims{SessionID: "operator", Operator: true}, OperatorSubject, ttl)
}

func (t *Tokens) issue(c accessClaims, subject string, ttl time.Duration) (string, time.Time, error) {
	now := t.now().UTC()
	exp := now.Add(ttl)
	k := t.keys.Signing()
	c.RegisteredClaims = jwt.RegisteredClaims{
		Issuer:    t.issuer,
		Subject:   subject,
		Audience:  jwt.ClaimStrings{t.audience},
		IssuedAt:  jwt.NewNumericDate(now),
		NotBefore: jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(exp),
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c)
	tok.Header["kid"] = k.ID
	tok.Header["typ"] = accessTokenType
	s, err := tok.SignedString(k.Private)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("sign access token: %w", err)
	}
	return s, exp, nil
}

var errBadToken = &veikart.Error{Code: veikart.EUNAUTHORIZED, Message: "The access token is missing, invalid or expired."}

// Verify checks an access token's signature, type, issuer, audience and
// expiry, and returns its principal, or an EUNAUTHORIZED error.
func (t *Tokens) Verify(token string) (Principal, error) {
	now := t.now()
	t.mu.RLock()
	p, ok := t.verified[token]
	t.mu.RUnlock()
	if ok {
		if now.Before(p.Expires.Add(30 * time.Second)) {
			return p, nil
		}
		t.mu.Lock()
		delete(t.verified, token)
		t.mu.Unlock()
		return Principal{}, errBadToken
	}

	var c accessClaims
	_, err := t.parser.ParseWithClaims(token, &c, func(tok *jwt.Token) (any, error) {
		if typ, _ := tok.Header["typ"].(string); typ != accessTokenType {
			return nil, errors.New("not an access token")
		}
		kid, _ := tok.Header["kid"].(string)
		k, ok := t.keys.Lookup(kid)
		if !ok {
			return nil, errors.New("unknown key")
		}
		return k.Public, nil
	})
	if err != nil || c.Subject == "" || c.SessionID == "" {
		return Principal{}, errBadToken
	}
	if c.Operator != (c.Subject == OperatorSubject) {
		return Principal{}, errBadToken
	}
	p = Principal{UserID: c.Subject, SessionID: c.SessionID, AgencyID: c.AgencyID, Operator: c.Operator, Expires: c.ExpiresAt.Time}
	t.remember(token, p, now)
	return p, nil
}

// maxVerified bounds the verified-token memory; when full, expired entries
// are dropped, and if none are, everything is (it refills as tokens are used).
const maxVerified = 100_000

func (t *Tokens) remember(token string, p Principal, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.verified) >= maxVerified {
		for k, v := range t.verified {
			if !now.Before(v.Expires) {
				delete(t.verified, k)
			}
		}
		if len(t.verified) >= maxVerified {
			clear(t.verified)
		}
	}
	// Clone the key: callers (Fiber) may pass a string that aliases a buffer
	// they reuse for the next request, which would corrupt the map and could
	// hand one person's principal to another's token.
	t.verified[strings.Clone(token)] = p
}
