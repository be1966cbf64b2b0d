package household

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/auth"
	"github.com/veikart/veikart/backend/veikart"
)

// Erasure: an owner deletes a roadmap, or a person their whole account, with
// everything the service holds about it. The storage side (EraseRoadmap,
// ErasePersonRecords) says how each step is safe to repeat; here is who
// may, and in what order, so that a retry after a failure finishes the job.

var errDeleteOwnersOnly = &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Only the owners can delete a roadmap."}

// ErasureHash is what the server log keeps of an erased roadmap or account
// (kind "roadmap" or "user"): a hash of its id, which names nobody, and
// which an operator who restores a backup compares with the ids in it to
// erase again what was erased after the backup (docs/erasure.md).
func ErasureHash(kind, id string) string {
	sum := sha256.Sum256([]byte(kind + ":" + id))
	return hex.EncodeToString(sum[:16])
}

func noticeID() string { return "n-" + auth.RandomID(9) }

// EraseRoadmap erases roadmap id if actor may delete it (and pre holds,
// when given). The agencies that had a grant in force find a notice in
// their shared list that names neither the roadmap nor anyone in it.
// Reminder jobs go with the roadmap: the scheduler finds no job (and no
// roadmap) and sends nothing.
func (s *Service) EraseRoadmap(ctx context.Context, actor access.Actor, id string, pre Precondition) error {
	if !veikart.ValidID(id) {
		return ErrNoRoadmap
	}
	now := s.now()
	_, err := s.store.EraseRoadmap(ctx, id, now, noticeID, func(cur *veikart.Roadmap) error {
		if !access.Decide(actor, access.Delete, cur, "", now).Allowed {
			return s.denied(actor, cur, errDeleteOwnersOnly)
		}
		if pre != nil && !pre(cur) {
			return errChanged
		}
		return nil
	})
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return ErrNoRoadmap
	}
	if err != nil {
		return err
	}
	s.log.Info("roadmap erased", "erasure", ErasureHash("roadmap", id), "request_id", RequestID(ctx))
	return nil
}

// errLastOwner says that the person leaving a roadmap is (now) its only
// owner, so it is to be erased rather than left ownerless.
var errLastOwner = errors.New("last owner")

// leaveOrErase takes a person off roadmap id (as an owner, others
// remaining; as a linked member; as the author of its consent records and
// comments), or erases it when they are its last owner.
func (s *Service) leaveOrErase(ctx context.Context, person access.Actor, id string) error {
	_, err := s.store.UpdateRoadmap(ctx, id, func(cur *veikart.Roadmap) (*veikart.Roadmap, error) {
		if cur.IsOwner(person.UserID) && len(cur.Owners) == 1 {
			return nil, errLastOwner
		}
		return cur.WithoutPerson(person.UserID, s.now()), nil
	})
	switch {
	case veikart.ErrorCode(err) == veikart.ENOTFOUND:
		return nil
	case errors.Is(err, errLastOwner):
		if err = s.EraseRoadmap(ctx, person, id, nil); err == ErrNoRoadmap {
			return nil // erased meanwhile
		}
	}
	return err
}

// EraseAccount erases account uid. Roadmaps they own alone are erased as
// by EraseRoadmap; roadmaps with other owners lose them; member links and
// their name on others' records are cleared; for a caseworker, their
// agency memberships go. Then their sessions, devices, passkeys, codes and
// security log, and last the user document, so that a failure halfway
// leaves an account that can sign in and try again. It returns the ids of
// the sessions it ended, for the caller to forget as live.
func (s *Service) EraseAccount(ctx context.Context, uid string) ([]string, error) {
	u, err := s.store.User(ctx, uid)
	if err != nil {
		return nil, err
	}
	// The person erases their own roadmaps whichever role they act in;
	// access.Decide judges them as the person they are.
	person := access.Actor{Kind: access.Person, UserID: uid}
	if err := s.leaveRoadmaps(ctx, person, u); err != nil {
		return nil, err
	}
	if err := s.leaveAgencies(ctx, person, u); err != nil {
		return nil, err
	}
	// Every session, also those the user's index lost.
	sessions, err := s.store.SessionIDsOfUser(ctx, uid)
	if err != nil {
		return nil, err
	}
	sessions = append(sessions, u.SessionIDs...)
	if err := s.store.ErasePersonRecords(ctx, uid, sessions); err != nil {
		return nil, err
	}
	// The feed's keys before the user: a key left by a failure leads to
	// a user document that still says which key is current.
	if err := s.store.DeleteCalendarKeysOf(ctx, uid); err != nil {
		return nil, err
	}
	if err := s.store.DeleteUser(ctx, uid); err != nil {
		return nil, err
	}
	// The log line names no one: only that an account went, and its hash.
	s.log.Info("account erased", "erasure", ErasureHash("user", uid), "request_id", RequestID(ctx))
	return sessions, nil
}

// leaveRoadmaps leaves or erases the person's roadmaps: those in their
// index, and those the owners query finds in case the index lags (a scan
// on the embedded store; erasure is rare).
func (s *Service) leaveRoadmaps(ctx context.Context, person access.Actor, u *veikart.User) error {
	ids := slices.Clone(u.RoadmapIDs)
	owned, err := s.store.RoadmapsByOwner(ctx, u.ID, 10_000)
	if err != nil {
		return err
	}
	for _, r := range owned {
		ids = append(ids, r.ID)
	}
	slices.Sort(ids)
	for _, id := range slices.Compact(ids) {
		if err := s.leaveOrErase(ctx, person, id); err != nil {
			return err
		}
	}
	return nil
}

// leaveAgencies takes a caseworker out of each agency, and their name off
// what they wrote in the roadmaps shared with it.
func (s *Service) leaveAgencies(ctx context.Context, person access.Actor, u *veikart.User) error {
	agencies, err := s.store.AgenciesOfStaff(ctx, u.ID)
	if err != nil {
		return err
	}
	agencies = append(agencies, u.AgencyIDs...)
	slices.Sort(agencies)
	for _, a := range slices.Compact(agencies) {
		_, err := s.store.UpdateAgency(ctx, a, func(cur *veikart.Agency) (*veikart.Agency, error) {
			return cur.WithoutPerson(u.ID, s.now()), nil
		})
		if err != nil && veikart.ErrorCode(err) != veikart.ENOTFOUND {
			return err
		}
		shared, err := s.store.AgencyRoadmapIDs(ctx, a)
		if err != nil {
			return err
		}
		for _, id := range shared {
			if err := s.leaveOrErase(ctx, person, id); err != nil {
				return err
			}
		}
	}
	return nil
}

// Reapplied counts what ReapplyErasures erased.
type Reapplied struct {
	Roadmaps, Accounts int
	// Sessions are the sessions the erased accounts had.
	Sessions []string
}

// ReapplyErasures lets the operator erase again, after restoring a backup,
// what people erased after the backup was taken: every roadmap and account
// whose id hashes to one of hashes (ErasureHash) is erased as its owner
// would have erased it. The hashes name no one; only ids in the database
// match them. The same hashes again erase nothing more.
func (s *Service) ReapplyErasures(ctx context.Context, actor access.Actor, hashes []string) (Reapplied, error) {
	if !access.Permit(actor, access.ReapplyErasures, "") {
		return Reapplied{}, &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Only the service's operator can apply erasures again."}
	}
	want := make(map[string]bool, len(hashes))
	for _, h := range hashes {
		want[h] = true
	}
	// Matches are collected first and erased after: erasing while a cursor
	// walks the same collection would be walking a moving floor.
	roadmaps, err := s.matching(ctx, s.store.RoadmapIDs, "roadmap", want)
	if err != nil {
		return Reapplied{}, err
	}
	users, err := s.matching(ctx, s.store.UserIDs, "user", want)
	if err != nil {
		return Reapplied{}, err
	}
	var out Reapplied
	for _, id := range roadmaps {
		_, err := s.store.EraseRoadmap(ctx, id, s.now(), noticeID, func(*veikart.Roadmap) error { return nil })
		if veikart.ErrorCode(err) == veikart.ENOTFOUND {
			continue // erased meanwhile, with an account below or by its owner
		}
		if err != nil {
			return Reapplied{}, err
		}
		s.log.Info("roadmap erased again", "erasure", ErasureHash("roadmap", id), "request_id", RequestID(ctx))
		out.Roadmaps++
	}
	for _, uid := range users {
		sessions, err := s.EraseAccount(ctx, uid)
		if veikart.ErrorCode(err) == veikart.ENOTFOUND {
			continue
		}
		if err != nil {
			return Reapplied{}, err
		}
		out.Accounts++
		out.Sessions = append(out.Sessions, sessions...)
	}
	return out, nil
}

// matching is the ids that each walks whose ErasureHash of kind is wanted.
func (s *Service) matching(ctx context.Context, each func(context.Context, func(string) error) error, kind string, want map[string]bool) ([]string, error) {
	var ids []string
	err := each(ctx, func(id string) error {
		if want[ErasureHash(kind, id)] {
			ids = append(ids, id)
		}
		return nil
	})
	return ids, err
}
