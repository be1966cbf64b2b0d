package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/auth"
	"github.com/veikart/veikart/backend/veikart"
)

// Erasure: an owner deletes a roadmap, or a person their whole account, with
// everything the service holds about it. The storage side (mongo.EraseRoadmap,
// ErasePersonRecords) says how each step is safe to repeat; here is who may,
// and in what order, so that a retry after a failure finishes the job.

// eraseAccountRequest is the body of DELETE /me. Confirm must be the exact
// phrase: a client cannot erase an account by sending an empty DELETE by
// mistake, and the app asks the person to type a word first.
type eraseAccountRequest struct {
	Confirm string `json:"confirm"`
}

var errDeleteOwnersOnly = &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Only the owners can delete a roadmap."}

// eraseRoadmap erases roadmap id if actor may delete it (and it still
// matches ifMatch, when given). The agencies that had an active grant find a
// notice in their shared list that names neither the roadmap nor anyone in it.
func (s *Server) eraseRoadmap(c *fiber.Ctx, actor access.Actor, id, ifMatch string) error {
	now := s.now()
	_, err := s.store.EraseRoadmap(c.UserContext(), id, now, func() string { return "n-" + auth.RandomID(9) }, func(cur *veikart.Roadmap) error {
		if !access.Decide(actor, access.Delete, cur, "", now).Allowed {
			return s.denied(actor, cur, errDeleteOwnersOnly)
		}
		if ifMatch != "" && !matchesETag(ifMatch, etag(cur)) {
			return &veikart.Error{Code: veikart.EPRECONDITION, Message: "The roadmap has changed since you last saw it."}
		}
		return nil
	})
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return errNoRoadmap
	}
	if err != nil {
		return err
	}
	// Reminder jobs are deleted with the roadmap, not cancelled: the
	// scheduler finds no job (and no roadmap) and sends nothing.
	s.log.Info("roadmap erased", "erasure", ErasureHash("roadmap", id), "request_id", requestID(c))
	return nil
}

// ErasureHash is what the server log keeps of an erased roadmap or account
// (kind "roadmap" or "user"): a hash of its id, which names nobody, and
// which an operator who restores a backup compares with the ids in it to
// erase again what was erased after the backup (docs/erasure.md).
func ErasureHash(kind, id string) string {
	sum := sha256.Sum256([]byte(kind + ":" + id))
	return hex.EncodeToString(sum[:16])
}

// errLastOwner says that the person leaving a roadmap is (now) its only
// owner, so it is to be erased rather than left ownerless.
var errLastOwner = errors.New("last owner")

// leaveRoadmap removes userID from roadmap id: as an owner (others remain),
// as a linked member, and as the author of its consent records and comments.
func (s *Server) leaveRoadmap(ctx context.Context, id, userID string) error {
	_, err := s.store.UpdateRoadmap(ctx, id, func(cur *veikart.Roadmap) (*veikart.Roadmap, error) {
		if cur.IsOwner(userID) && len(cur.Owners) == 1 {
			return nil, errLastOwner
		}
		return cur.WithoutPerson(userID, s.now()), nil
	})
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return nil
	}
	return err
}

// leaveOrErase takes person off roadmap id, or erases it when they are its
// last owner.
func (s *Server) leaveOrErase(c *fiber.Ctx, person access.Actor, id string) error {
	err := s.leaveRoadmap(c.UserContext(), id, person.UserID)
	if errors.Is(err, errLastOwner) {
		if err = s.eraseRoadmap(c, person, id, ""); err == errNoRoadmap {
			err = nil // erased meanwhile
		}
	}
	return err
}

// deleteAccount erases the caller's account. Roadmaps they own alone are
// erased as by DELETE /roadmaps/{id}; roadmaps with other owners lose them;
// member links and their name on others' records are cleared; for a
// caseworker, their agency memberships go. Then their sessions, devices,
// passkeys, codes and security log, and last the user document, so that a
// failure halfway leaves an account that can sign in and try again. Their
// tokens stop working on the next request (on other replicas within the
// few seconds a session is remembered as live).
func (s *Server) deleteAccount(c *fiber.Ctx) error {
	actor := actorOf(c)
	if !access.Permit(actor, access.UseAccount, "") {
		return errOperatorAccount
	}
	var req eraseAccountRequest
	if err := s.decode(c, "erase-account-request.schema.json", &req); err != nil {
		return err
	}
	err := s.eraseAccount(c, actor.UserID)
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return &veikart.Error{Code: veikart.EUNAUTHORIZED, Message: "Sign in again."}
	}
	if err != nil {
		return err
	}
	s.alive.forget(sessionOf(c))
	return c.SendStatus(fiber.StatusNoContent)
}

// eraseAccount erases the account uid, as DELETE /me does; see deleteAccount.
// The operator calls it too, to apply erasures again after a restore
// (reapplyErasures).
func (s *Server) eraseAccount(c *fiber.Ctx, uid string) error {
	ctx := c.UserContext()
	u, err := s.store.User(ctx, uid)
	if err != nil {
		return err
	}
	// The person erases their own roadmaps whichever role the token acts
	// in; access.Decide judges them as the person they are.
	person := access.Actor{Kind: access.Person, UserID: uid}

	// Their roadmaps: the index, and the owners query in case the index
	// lags (a scan on the embedded store; erasure is rare).
	ids := slices.Clone(u.RoadmapIDs)
	owned, err := s.store.RoadmapsByOwner(ctx, uid, 10_000)
	if err != nil {
		return err
	}
	for _, r := range owned {
		ids = append(ids, r.ID)
	}
	slices.Sort(ids)
	for _, id := range slices.Compact(ids) {
		if err := s.leaveOrErase(c, person, id); err != nil {
			return err
		}
	}

	// As a caseworker: their place in each agency, and their name on what
	// they wrote in the roadmaps shared with it.
	agencies, err := s.store.AgenciesOfStaff(ctx, uid)
	if err != nil {
		return err
	}
	agencies = append(agencies, u.AgencyIDs...)
	slices.Sort(agencies)
	for _, a := range slices.Compact(agencies) {
		_, err := s.store.UpdateAgency(ctx, a, func(cur *veikart.Agency) (*veikart.Agency, error) {
			return cur.WithoutPerson(uid, s.now()), nil
		})
		if err != nil && veikart.ErrorCode(err) != veikart.ENOTFOUND {
			return err
		}
		shared, err := s.store.AgencyRoadmapIDs(ctx, a)
		if err != nil {
			return err
		}
		for _, id := range shared {
			if err := s.leaveOrErase(c, person, id); err != nil {
				return err
			}
		}
	}

	// Every session, also those the user's index lost, so that this
	// process forgets them all as live.
	sessions, err := s.store.SessionIDsOfUser(ctx, uid)
	if err != nil {
		return err
	}
	sessions = append(sessions, u.SessionIDs...)
	if err := s.store.ErasePersonRecords(ctx, uid, sessions); err != nil {
		return err
	}
	for _, id := range sessions {
		s.alive.forget(id)
	}
	if err := s.store.DeleteUser(ctx, uid); err != nil {
		return err
	}
	// The log line names no one: only that an account went, and its hash.
	s.log.Info("account erased", "erasure", ErasureHash("user", uid), "request_id", requestID(c))
	return nil
}

// noticeJSON tells a caseworker that a roadmap shared with their agency was
// deleted by its owners: when, and when the agency's grant was made. Nothing
// else: the roadmap and the people in it are erased.
type noticeJSON struct {
	ID             string `json:"id"`
	DeletedOn      string `json:"deletedOn"`
	GrantCreatedOn string `json:"grantCreatedOn"`
}

// noticeDays is how long a notice shows in the agency's shared list.
const noticeDays = 90

// erasureNotices are the agency's notices of the last noticeDays days, as
// dates in the households' time zone.
func (s *Server) erasureNotices(ctx context.Context, agencyID string) ([]noticeJSON, error) {
	ns, err := s.store.AgencyNotices(ctx, agencyID, s.now().AddDate(0, 0, -noticeDays))
	if err != nil {
		return nil, err
	}
	var out []noticeJSON
	for _, n := range ns {
		out = append(out, noticeJSON{
			ID: n.ID, DeletedOn: n.At.In(s.cfg.Location).Format(time.DateOnly),
			GrantCreatedOn: n.GrantCreatedAt.In(s.cfg.Location).Format(time.DateOnly),
		})
	}
	return out, nil
}

// reapplyRequest is the body of POST /admin/erasures: erasure hashes from the
// server log (ErasureHash), as lowercase hex.
type reapplyRequest struct {
	Hashes []string `json:"hashes"`
}

type reapplyJSON struct {
	Roadmaps int `json:"roadmaps"`
	Accounts int `json:"accounts"`
}

// reapplyErasures lets the operator erase again, after restoring a backup,
// what people erased after the backup was taken: every roadmap and account
// whose id hashes to one of the given erasure hashes is erased as its owner
// would have erased it. The hashes name no one; only ids in the database
// match them. Sending the same hashes again erases nothing more.
func (s *Server) reapplyErasures(c *fiber.Ctx) error {
	if !access.Permit(actorOf(c), access.ReapplyErasures, "") {
		return &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Only the service's operator can apply erasures again."}
	}
	var req reapplyRequest
	if err := s.decode(c, "reapply-erasures-request.schema.json", &req); err != nil {
		return err
	}
	want := make(map[string]bool, len(req.Hashes))
	for _, h := range req.Hashes {
		want[h] = true
	}
	ctx := c.UserContext()
	// Matches are collected first and erased after: erasing while a cursor
	// walks the same collection would be walking a moving floor.
	var roadmaps, users []string
	if err := s.store.RoadmapIDs(ctx, func(id string) error {
		if want[ErasureHash("roadmap", id)] {
			roadmaps = append(roadmaps, id)
		}
		return nil
	}); err != nil {
		return err
	}
	if err := s.store.UserIDs(ctx, func(id string) error {
		if want[ErasureHash("user", id)] {
			users = append(users, id)
		}
		return nil
	}); err != nil {
		return err
	}
	out := reapplyJSON{}
	now := s.now()
	for _, id := range roadmaps {
		_, err := s.store.EraseRoadmap(ctx, id, now, func() string { return "n-" + auth.RandomID(9) }, func(*veikart.Roadmap) error { return nil })
		if veikart.ErrorCode(err) == veikart.ENOTFOUND {
			continue // erased meanwhile, with an account below or by its owner
		}
		if err != nil {
			return err
		}
		s.log.Info("roadmap erased again", "erasure", ErasureHash("roadmap", id), "request_id", requestID(c))
		out.Roadmaps++
	}
	for _, uid := range users {
		err := s.eraseAccount(c, uid)
		if veikart.ErrorCode(err) == veikart.ENOTFOUND {
			continue
		}
		if err != nil {
			return err
		}
		out.Accounts++
	}
	return sendJSON(c, fiber.StatusOK, out)
}
