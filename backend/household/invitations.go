package household

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"time"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/auth"
	"github.com/veikart/veikart/backend/veikart"
)

// HashInvitationCode is how invitation codes are kept: only their hash is
// stored, so a copy of the database cannot be used to accept them.
func HashInvitationCode(code string) string {
	sum := sha256.Sum256([]byte("veikart-invitation:" + code))
	return hex.EncodeToString(sum[:])
}

// Invite makes a one-time code an owner shows as a link or QR code at a
// home visit: valid for ttl (veikart.InvitationTTL if zero) and once. inv
// says what accepting it gives; its id, code hash, author and expiry are
// set here. It returns the invitation and its code, which is not stored.
//
// Two writes: the code's index first, like the agency index (a code whose
// roadmap holds no invitation is refused when used), then the invitation;
// the index entry goes again if the second write fails.
func (s *Service) Invite(ctx context.Context, actor access.Actor, id string, inv veikart.Invitation, ttl time.Duration) (veikart.Invitation, string, error) {
	code := auth.NewCode()
	if ttl <= 0 {
		ttl = veikart.InvitationTTL
	}
	inv.ID, inv.CodeHash, inv.CreatedBy = "i-"+auth.RandomID(9), HashInvitationCode(code), actor.UserID
	inv.ExpiresAt = s.now().UTC().Truncate(time.Millisecond).Add(ttl)
	r, err := s.ownerRead(ctx, actor, id, access.ManageConsent)
	if err != nil {
		return veikart.Invitation{}, "", err
	}
	if err := s.store.AddInvitationCode(ctx, inv.CodeHash, r.ID, inv.ExpiresAt); err != nil {
		return veikart.Invitation{}, "", err
	}
	_, _, err = s.change(ctx, actor, id, access.ManageConsent, "", func(cur *veikart.Roadmap, _ access.Decision) (*veikart.Roadmap, error) {
		n, made, err := cur.AddInvitation(inv, s.now(), s.cfg.Consent)
		inv = made
		return n, err
	})
	if err != nil {
		_ = s.store.DeleteInvitationCode(ctx, inv.CodeHash)
		return veikart.Invitation{}, "", err
	}
	return inv, code, nil
}

// Accepted is what accepting an invitation did.
type Accepted struct {
	RoadmapID string
	Kind      veikart.InvitationKind
	// GrantID is the agency's new grant, for an agency invitation.
	GrantID string
	// HelperID is the helper the person now is, for a trusted person's
	// or an interpreter's invitation (helpers.go).
	HelperID string
}

// AcceptInvitation uses an invitation code: an agency invitation grants the
// caseworker's agency, an owner invitation makes the person an owner, a
// member invitation links a household member to their account.
//
// The writes, each safe to repeat: the agency's index (for an agency), the
// roadmap, then the person's index (for an owner or member); the code's
// index entry is deleted last, and a used code is refused by the roadmap
// even where that delete failed.
func (s *Service) AcceptInvitation(ctx context.Context, actor access.Actor, code string) (Accepted, error) {
	if !access.Permit(actor, access.AcceptInvite, "") {
		return Accepted{}, &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Sign in as yourself or as a caseworker to accept an invitation."}
	}
	h := HashInvitationCode(code)
	rid, inv, err := s.invitation(ctx, h)
	if err != nil {
		return Accepted{}, err
	}
	if inv.Kind == veikart.InviteTrusted || inv.Kind == veikart.InviteInterpreter {
		return s.acceptHelper(ctx, actor, rid, h, inv.Kind)
	}
	if inv.Kind == veikart.InviteAgency {
		if !access.Permit(actor, access.ActAsCaseworker, "") {
			return Accepted{}, &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Act for your agency as a caseworker to accept this invitation."}
		}
		if err := s.store.AddAgencyRoadmap(ctx, actor.AgencyID, rid); err != nil {
			return Accepted{}, err
		}
	} else if !access.Permit(actor, access.ActAsPerson, "") {
		return Accepted{}, &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Accept this invitation as yourself, not for an agency."}
	}
	grantID := "g-" + auth.RandomID(9)
	next, err := s.store.UpdateRoadmap(ctx, rid, func(cur *veikart.Roadmap) (*veikart.Roadmap, error) {
		if !access.Decide(actor, access.AcceptInvite, cur, "", s.now()).Allowed {
			return nil, errBadInvitation
		}
		n, _, err := cur.AcceptInvitation(h, actor.UserID, actor.AgencyID, grantID, s.now(), s.cfg.Consent)
		return n, err
	})
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return Accepted{}, errBadInvitation
	}
	if err != nil {
		return Accepted{}, err
	}
	_ = s.store.DeleteInvitationCode(ctx, h)
	out := Accepted{RoadmapID: rid, Kind: inv.Kind}
	switch inv.Kind {
	case veikart.InviteAgency:
		out.GrantID = grantID
		if err := s.logAccess(ctx, actor, rid, access.RoleCaseworker, veikart.AuditAcceptInvite, nil, grantID); err != nil {
			return Accepted{}, err
		}
	case veikart.InviteOwner, veikart.InviteMember:
		// A linked member finds the roadmap in their list too (as a
		// member), and erasure finds the link to clear.
		if err := s.store.AddUserRoadmap(ctx, actor.UserID, next.ID); err != nil {
			return Accepted{}, err
		}
	}
	return out, nil
}

// invitation finds the roadmap and the invitation a code's hash h is for.
func (s *Service) invitation(ctx context.Context, h string) (string, veikart.Invitation, error) {
	rid, err := s.store.InvitationRoadmap(ctx, h)
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return "", veikart.Invitation{}, errBadInvitation
	}
	if err != nil {
		return "", veikart.Invitation{}, err
	}
	r, err := s.store.Roadmap(ctx, rid)
	if err != nil {
		return "", veikart.Invitation{}, errBadInvitation
	}
	i := slices.IndexFunc(r.Invitations, func(x veikart.Invitation) bool { return x.CodeHash == h })
	if i < 0 {
		return "", veikart.Invitation{}, errBadInvitation
	}
	return rid, r.Invitations[i], nil
}
