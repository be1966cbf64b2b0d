package account

import (
	"context"
	"time"

	"github.com/veikart/veikart/backend/auth"
	"github.com/veikart/veikart/backend/veikart"
)

// Sign-in through an OpenID provider (ID-porten, or an agency's own): the
// provider vouches for a subject; the person is theirs from then on. The
// browser comes back to the app with a one-time code that stands for the
// sign-in (HandOver), and the app exchanges it for its tokens (Exchange),
// so that tokens never travel in an address.

// Once is the store of one-time records: put with an expiry, taken once.
type Once interface {
	PutOnce(ctx context.Context, kind, key string, v any, expires time.Time) error
	TakeOnce(ctx context.Context, kind, key string, now time.Time, v any) (bool, error)
}

// handoverTTL is how long a one-time sign-in code is valid.
const handoverTTL = 2 * time.Minute

// handover is what a one-time sign-in code stands for.
type handover struct {
	UserID   string `bson:"userId"`
	Method   string `bson:"method"`
	AgencyID string `bson:"agencyId,omitempty"` // the session acts for it
}

var errBadHandover = &veikart.Error{Code: veikart.EUNAUTHORIZED, Message: "The sign-in code is not valid (used, expired or unknown). Sign in again."}

// ProviderUser is the person a provider's subject is: prefix names the
// provider's kind ("id-" for ID-porten, "ag-" for an agency's), so that
// two providers' subjects never meet. The first sign-in makes the account.
func (s *Service) ProviderUser(ctx context.Context, prefix, subject string) (*veikart.User, error) {
	if len(subject) > 40 {
		subject = subject[:40]
	}
	return s.store.EnsureUser(ctx, &veikart.User{ID: prefix + subject, CreatedAt: s.now().UTC()})
}

// HandOver returns a one-time code that stands for userID's sign-in by
// method (acting for agencyID, or "").
func (s *Service) HandOver(ctx context.Context, userID, method, agencyID string) (string, error) {
	code := auth.RandomID(32)
	h := handover{UserID: userID, Method: method, AgencyID: agencyID}
	if err := s.once.PutOnce(ctx, "handover", code, h, s.now().Add(handoverTTL)); err != nil {
		return "", err
	}
	return code, nil
}

// Exchange signs in the person a one-time code stands for, once.
func (s *Service) Exchange(ctx context.Context, code, userAgent string) (*SignedIn, error) {
	var h handover
	ok, err := s.once.TakeOnce(ctx, "handover", code, s.now(), &h)
	if err != nil {
		return nil, err
	}
	if !ok {
		s.metrics.SignInFailed("handover")
		return nil, errBadHandover
	}
	u, err := s.store.User(ctx, h.UserID)
	if err != nil {
		return nil, err
	}
	pair, err := s.SignIn(ctx, u, h.AgencyID, h.Method, userAgent)
	if err != nil {
		return nil, err
	}
	return &SignedIn{User: u, Pair: pair}, nil
}
