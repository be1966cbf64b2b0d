// Package agency holds the use cases of the agencies around a household:
// the operator creates them, their administrators manage their people and
// how they sign in, everyone looks them up by name (an owner chooses whom
// to grant), and a person acts for one they work for. Package api decodes,
// calls and encodes.
package agency

import (
	"context"
	"time"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/auth"
	"github.com/veikart/veikart/backend/veikart"
)

// Store is the storage of agencies and of the people's index of them.
type Store interface {
	CreateAgency(ctx context.Context, a *veikart.Agency) error
	Agency(ctx context.Context, id string) (*veikart.Agency, error)
	Agencies(ctx context.Context, limit int) ([]*veikart.Agency, error)
	UpdateAgency(ctx context.Context, id string, fn func(*veikart.Agency) (*veikart.Agency, error)) (*veikart.Agency, error)
	User(ctx context.Context, id string) (*veikart.User, error)
	AddUserAgency(ctx context.Context, userID, agencyID string) error
	RemoveUserAgency(ctx context.Context, userID, agencyID string) error
}

// Service runs the agency use cases.
type Service struct {
	store Store
	now   func() time.Time
	// ownSignIn says whether an agency has a sign-in of its own configured
	// (an OpenID provider), which it may then require.
	ownSignIn func(agencyID string) bool
}

// New returns the agency use cases.
func New(store Store, ownSignIn func(agencyID string) bool, now func() time.Time) *Service {
	return &Service{store: store, now: now, ownSignIn: ownSignIn}
}

// MaxListed bounds the directory.
const MaxListed = 1000

var (
	// ErrNoAgency is an agency that does not exist.
	ErrNoAgency   = &veikart.Error{Code: veikart.ENOTFOUND, Message: "There is no such agency."}
	errAdminsOnly = &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Only the agency's administrators can manage its people."}
	errNotStaff   = &veikart.Error{Code: veikart.EFORBIDDEN, Message: "You do not work for the agency this sign-in acts for. Switch agency or sign in again."}
)

// Create makes an agency (id "" for a new one); only the operator may.
func (s *Service) Create(ctx context.Context, actor access.Actor, id string, kind veikart.AgencyKind, name, region string) (*veikart.Agency, error) {
	if !access.Permit(actor, access.CreateAgency, "") {
		return nil, &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Only the service's operator can create agencies."}
	}
	if id == "" {
		id = "ag-" + auth.RandomID(9)
	}
	a, err := veikart.NewAgency(id, kind, name, region, s.now())
	if err != nil {
		return nil, err
	}
	if err := s.store.CreateAgency(ctx, a); err != nil {
		if veikart.ErrorCode(err) == veikart.ECONFLICT {
			return nil, &veikart.Error{Code: veikart.ECONFLICT, Message: "An agency with this id exists.", Pointer: "/id"}
		}
		return nil, err
	}
	return a, nil
}

// List is the directory, and whether actor may see every agency's staff
// (the operator); everyone else sees names, kinds and regions.
func (s *Service) List(ctx context.Context, actor access.Actor) ([]*veikart.Agency, bool, error) {
	as, err := s.store.Agencies(ctx, MaxListed)
	return as, access.Permit(actor, access.SeeAllStaff, ""), err
}

// Get is agency id, and whether actor may see its staff (its
// administrators and the operator).
func (s *Service) Get(ctx context.Context, actor access.Actor, id string) (*veikart.Agency, bool, error) {
	a, err := s.store.Agency(ctx, id)
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return nil, false, ErrNoAgency
	}
	if err != nil {
		return nil, false, err
	}
	return a, access.Permit(actor, access.ManageStaff, id), nil
}

// SetStaff adds a person to the agency or changes their roles. Two writes:
// the agency (the truth), then the person's index of agencies, which a
// retry repairs.
func (s *Service) SetStaff(ctx context.Context, actor access.Actor, id, userID string, roles []veikart.AgencyRole) (*veikart.Agency, error) {
	if !access.Permit(actor, access.ManageStaff, id) {
		return nil, errAdminsOnly
	}
	if _, err := s.store.User(ctx, userID); err != nil {
		if veikart.ErrorCode(err) == veikart.ENOTFOUND {
			return nil, &veikart.Error{Code: veikart.EINVALID, Message: "There is no user with this id. They must sign in once first.", Pointer: "userId"}
		}
		return nil, err
	}
	a, err := s.store.UpdateAgency(ctx, id, func(cur *veikart.Agency) (*veikart.Agency, error) {
		return cur.SetStaff(userID, roles, actor.UserID, s.now())
	})
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return nil, ErrNoAgency
	}
	if err != nil {
		return nil, err
	}
	if err := s.store.AddUserAgency(ctx, userID, id); err != nil {
		return nil, err
	}
	return a, nil
}

// RemoveStaff takes a person out of the agency. Their next request acting
// for it is refused.
func (s *Service) RemoveStaff(ctx context.Context, actor access.Actor, id, userID string) error {
	if !access.Permit(actor, access.ManageStaff, id) {
		return errAdminsOnly
	}
	_, err := s.store.UpdateAgency(ctx, id, func(cur *veikart.Agency) (*veikart.Agency, error) {
		return cur.RemoveStaff(userID, s.now())
	})
	if err != nil {
		return err
	}
	if err := s.store.RemoveUserAgency(ctx, userID, id); err != nil && veikart.ErrorCode(err) != veikart.ENOTFOUND {
		return err
	}
	return nil
}

// RequireSignIn lets the agency's administrators (or the operator) require
// one way of signing in of everyone who acts for it ("" for any). It holds
// on each one's next request.
func (s *Service) RequireSignIn(ctx context.Context, actor access.Actor, id, method string) (*veikart.Agency, error) {
	if !access.Permit(actor, access.ManageStaff, id) {
		return nil, &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Only the agency's administrators can decide how its people sign in."}
	}
	if method == veikart.SignInAgencyOIDC && !s.ownSignIn(id) {
		return nil, &veikart.Error{Code: veikart.EINVALID, Message: "This agency has no sign-in of its own configured on this server; ask the operator first.", Pointer: "/require"}
	}
	a, err := s.store.UpdateAgency(ctx, id, func(cur *veikart.Agency) (*veikart.Agency, error) {
		return cur.SetRequireSignIn(method, s.now())
	})
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return nil, ErrNoAgency
	}
	return a, err
}

// CheckStaff is nil when agencyID is "" or userID works there.
func (s *Service) CheckStaff(ctx context.Context, userID, agencyID string) error {
	if agencyID == "" {
		return nil
	}
	a, err := s.store.Agency(ctx, agencyID)
	if err != nil && veikart.ErrorCode(err) != veikart.ENOTFOUND {
		return err
	}
	if len(a.Roles(userID)) == 0 {
		return &veikart.Error{Code: veikart.EFORBIDDEN, Message: "You do not work for this agency.", Pointer: "/agencyId"}
	}
	return nil
}

// Acting is the actor a person's token makes them when it names an agency:
// whether they work there is read now, from the agency itself, so that
// removing someone from an agency holds on their next request; and an
// agency that requires one way of signing in refuses the others (method is
// how the session signed in).
func (s *Service) Acting(ctx context.Context, userID, agencyID, method string) (access.Actor, error) {
	a, err := s.store.Agency(ctx, agencyID)
	if err != nil && veikart.ErrorCode(err) != veikart.ENOTFOUND {
		return access.Actor{}, err
	}
	roles := a.Roles(userID)
	if len(roles) == 0 {
		return access.Actor{}, errNotStaff
	}
	if a.RequireSignIn != "" && method != a.RequireSignIn {
		return access.Actor{}, &veikart.Error{Code: veikart.EFORBIDDEN, Message: "This agency requires signing in with " + a.RequireSignIn + ". Sign in that way to act for it."}
	}
	return access.Actor{Kind: access.Agency, UserID: userID, AgencyID: agencyID, AgencyRoles: roles}, nil
}

// Vouch makes userID a caseworker of agencyID on their first sign-in
// through the agency's own provider: the provider vouches for them. Two
// writes, the agency first, as for SetStaff; someone already staff keeps
// their roles.
func (s *Service) Vouch(ctx context.Context, agencyID, userID string) error {
	a, err := s.store.Agency(ctx, agencyID)
	if err != nil {
		return err
	}
	if len(a.Roles(userID)) > 0 {
		return nil
	}
	_, err = s.store.UpdateAgency(ctx, agencyID, func(cur *veikart.Agency) (*veikart.Agency, error) {
		return cur.SetStaff(userID, []veikart.AgencyRole{veikart.CaseworkerRole}, veikart.SignInAgencyOIDC, s.now())
	})
	if err != nil {
		return err
	}
	return s.store.AddUserAgency(ctx, userID, agencyID)
}

// Agencies is the lookup of agencies Memberships needs.
type Agencies interface {
	Agency(ctx context.Context, id string) (*veikart.Agency, error)
}

// Name is agency id's name, or "" when it is gone (or cannot be read now:
// a name is shown beside what happened, never needed to do it).
func Name(ctx context.Context, store Agencies, id string) string {
	if a, err := store.Agency(ctx, id); err == nil {
		return a.Name
	}
	return ""
}

// Memberships is the agencies u works for: the agency's staff list is the
// truth, the person's index of agencies may lag (an agency gone, or one
// that removed them, is left out).
func Memberships(ctx context.Context, store Agencies, u *veikart.User) ([]*veikart.Agency, error) {
	var out []*veikart.Agency
	for _, id := range u.AgencyIDs {
		a, err := store.Agency(ctx, id)
		if veikart.ErrorCode(err) == veikart.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		if len(a.Roles(u.ID)) > 0 {
			out = append(out, a)
		}
	}
	return out, nil
}
