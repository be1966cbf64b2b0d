package household

import (
	"context"
	"time"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/auth"
	"github.com/veikart/veikart/backend/veikart"
)

// Helpers: the owners let a trusted person or an interpreter into chosen
// sections (veikart.Helper), with a one-time code shown as a QR code, and
// end it again with one tap. Everything a helper reads or writes is in the
// access log, named as done on the family's behalf.

// ErrNoHelper is the answer for a helper id that is not on the roadmap.
var ErrNoHelper = &veikart.Error{Code: veikart.ENOTFOUND, Message: "There is no such helper."}

// AuditChange is a helper's write in the family's roadmap, for the log.
const AuditChange veikart.AuditAction = "change"

// InviteHelper records a helper and makes the one-time code (valid for
// ttl, veikart.InvitationTTL if zero) with which the person links their
// account to it. It returns the helper, the invitation and the code, which
// is not stored.
//
// Two writes, as Invite: the code's index, then the roadmap (helper,
// invitation and receipt in one); the index entry goes again if the second
// fails.
func (s *Service) InviteHelper(ctx context.Context, actor access.Actor, id string, spec veikart.HelperSpec, ttl time.Duration) (veikart.Helper, veikart.Invitation, string, error) {
	if ttl <= 0 {
		ttl = veikart.InvitationTTL
	}
	code := auth.NewCode()
	inv := veikart.Invitation{
		ID: "i-" + auth.RandomID(9), CodeHash: HashInvitationCode(code), CreatedBy: actor.UserID,
		ExpiresAt: s.now().UTC().Truncate(time.Millisecond).Add(ttl),
	}
	r, err := s.ownerRead(ctx, actor, id, access.ManageConsent)
	if err != nil {
		return veikart.Helper{}, veikart.Invitation{}, "", err
	}
	if err := s.store.AddInvitationCode(ctx, inv.CodeHash, r.ID, inv.ExpiresAt); err != nil {
		return veikart.Helper{}, veikart.Invitation{}, "", err
	}
	helperID := "h-" + auth.RandomID(9)
	var made veikart.Helper
	_, next, err := s.change(ctx, actor, id, access.ManageConsent, "", func(cur *veikart.Roadmap, _ access.Decision) (*veikart.Roadmap, error) {
		n, h, err := cur.InviteHelper(helperID, spec, inv, s.now(), s.cfg.Consent)
		made = h
		return n, err
	})
	if err != nil {
		_ = s.store.DeleteInvitationCode(ctx, inv.CodeHash)
		return veikart.Helper{}, veikart.Invitation{}, "", err
	}
	for _, x := range next.Invitations {
		if x.ID == inv.ID {
			inv = x
		}
	}
	return made, inv, code, nil
}

// Helpers lists the roadmap's helpers, ended ones too, for its owners.
func (s *Service) Helpers(ctx context.Context, actor access.Actor, id string) ([]veikart.Helper, error) {
	r, err := s.ownerRead(ctx, actor, id, access.ManageConsent)
	if err != nil {
		return nil, err
	}
	out := make([]veikart.Helper, len(r.Helpers))
	copy(out, r.Helpers)
	return out, nil
}

// RevokeHelper ends a helper's access at once (an interpreter session's
// end is the same thing): their next request, from any device, gets
// nothing, and their app is told to forget what it kept.
func (s *Service) RevokeHelper(ctx context.Context, actor access.Actor, id, helperID string) (veikart.Helper, error) {
	if !veikart.ValidID(helperID) {
		return veikart.Helper{}, ErrNoHelper
	}
	var out veikart.Helper
	_, _, err := s.change(ctx, actor, id, access.ManageConsent, "", func(cur *veikart.Roadmap, _ access.Decision) (*veikart.Roadmap, error) {
		if _, ok := cur.Helper(helperID); !ok {
			return nil, ErrNoHelper
		}
		n, h, err := cur.RevokeHelper(helperID, actor.UserID, s.now())
		out = h
		return n, err
	})
	if err != nil {
		return veikart.Helper{}, err
	}
	return out, nil
}

// acceptHelper is AcceptInvitation for a trusted person's or an
// interpreter's code: the person links their account to the helper. The
// writes, each safe to repeat: the roadmap, the person's index (so that
// the roadmap is in their list, and erasure finds them), the log, then the
// code's index entry goes.
func (s *Service) acceptHelper(ctx context.Context, actor access.Actor, rid, h string, kind veikart.InvitationKind) (Accepted, error) {
	if !access.Permit(actor, access.ActAsPerson, "") {
		return Accepted{}, &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Accept this invitation as yourself, not for an agency."}
	}
	var made veikart.Helper
	_, err := s.store.UpdateRoadmap(ctx, rid, func(cur *veikart.Roadmap) (*veikart.Roadmap, error) {
		n, hp, err := cur.AcceptHelper(h, actor.UserID, s.now())
		made = hp
		return n, err
	})
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return Accepted{}, errBadInvitation
	}
	if err != nil {
		return Accepted{}, err
	}
	if err := s.store.AddUserRoadmap(ctx, actor.UserID, rid); err != nil {
		return Accepted{}, err
	}
	if err := s.logHelper(ctx, actor, rid, made, veikart.AuditAcceptInvite, made.Sections, made.ID); err != nil {
		return Accepted{}, err
	}
	_ = s.store.DeleteInvitationCode(ctx, h)
	return Accepted{RoadmapID: rid, Kind: kind, HelperID: made.ID}, nil
}

// isHelperRole reports whether role is a helper's.
func isHelperRole(role string) bool {
	return role == access.RoleTrusted || role == access.RoleInterpreter
}

// logHelper records what a helper did, with the name the household gave
// them, so that the log says "Kari (støtteperson) for familien".
func (s *Service) logHelper(ctx context.Context, actor access.Actor, roadmapID string, h veikart.Helper, action veikart.AuditAction, sections []veikart.Section, ref string) error {
	return s.store.AppendAudit(ctx, roadmapID, veikart.AuditEvent{
		At: s.now().UTC().Truncate(time.Millisecond), UserID: actor.UserID,
		Role: access.HelperRole(h.Kind), Action: action, Sections: sections, Ref: ref, Name: h.Name,
	})
}

// logHelperRead is logRead for a helper, by name.
func (s *Service) logHelperRead(ctx context.Context, actor access.Actor, r *veikart.Roadmap, sections []veikart.Section) error {
	h, _ := r.ActiveHelper(actor.UserID, s.now())
	return s.store.RecordRead(ctx, r.ID, veikart.AuditEvent{
		At: s.now().UTC().Truncate(time.Millisecond), UserID: actor.UserID,
		Role: access.HelperRole(h.Kind), Action: veikart.AuditRead, Sections: sections, Name: h.Name,
	})
}

// opsSections is every section a batch writes in, once each, in order.
func opsSections(r *veikart.Roadmap, ops []veikart.Op) []veikart.Section {
	var out []veikart.Section
	for _, op := range ops {
		ss, _ := veikart.OpSections(r, op)
		for _, x := range ss {
			seen := false
			for _, y := range out {
				seen = seen || y == x
			}
			if !seen {
				out = append(out, x)
			}
		}
	}
	return out
}
