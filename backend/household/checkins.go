package household

import (
	"context"
	"slices"
	"time"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/auth"
	"github.com/veikart/veikart/backend/veikart"
)

// Check-ins (veikart/checkin.go): the household's readings of each area's
// "now" over time. The readings live beside the roadmap (storage's
// check-ins, a document per roadmap and year); the roadmap keeps only each
// area's ScoreNow, which is the newest household reading's score.
//
// A check-in is two writes, each safe to repeat: the readings (their ids
// the client's, so a check-in queued offline and sent twice is stored
// once), then the roadmap's scores, derived from all the readings there
// are. A retry after a failure in between finds the readings stored and
// writes the scores.

// CheckIns is the storage of check-ins (package storage): every call one
// or a few _id lookups or one single-document write.
type CheckIns interface {
	Readings(ctx context.Context, roadmapID string, first, last int) ([]veikart.Reading, error)
	AddReadings(ctx context.Context, roadmapID string, rs []veikart.Reading) ([]veikart.Reading, int, error)
	RemoveReading(ctx context.Context, roadmapID string, year int, id string) (veikart.Reading, error)
}

var (
	// ErrNoArea answers an area the actor may not read the history of as
	// if it were not there.
	ErrNoArea      = &veikart.Error{Code: veikart.ENOTFOUND, Message: "There is no such area that you can see.", Pointer: "area"}
	errNoCheckIn   = &veikart.Error{Code: veikart.EFORBIDDEN, Message: "You cannot check in for this area. The household's owners, adult members for the areas that name them, and helpers who write in the area can."}
	errOwnReadings = &veikart.Error{Code: veikart.EFORBIDDEN, Message: "A member checks in for the household or for themselves, not for another member."}
)

// allReadings is every reading of r, oldest first.
func (s *Service) allReadings(ctx context.Context, r *veikart.Roadmap) ([]veikart.Reading, error) {
	first, last := veikart.ReadingYears(r, s.today())
	return s.store.Readings(ctx, r.ID, first, last)
}

// Readings is what actor may read of roadmap id's check-ins
// (access.ProjectReadings), oldest first: for the timeline. See CheckIns.
func (s *Service) Readings(ctx context.Context, actor access.Actor, id string) ([]veikart.Reading, error) {
	return s.CheckIns(ctx, actor, id, "")
}

// CheckIns is what actor may read of roadmap id's readings, of area areaID
// or ("") of every area they may read the history of, oldest first. A read
// by anyone but the owners is in the access log, with the area sections it
// showed, before it returns. An area the actor may not read is not there
// (ErrNoArea); a caseworker or helper whose access ended is told so.
func (s *Service) CheckIns(ctx context.Context, actor access.Actor, id, areaID string) ([]veikart.Reading, error) {
	r, err := s.read(ctx, id)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if err := s.readable(actor, r); err != nil {
		return nil, err
	}
	if areaID != "" && !access.Decide(actor, access.ReadCheckIns, r, veikart.AreaSection(areaID), now).Allowed {
		return nil, ErrNoArea
	}
	all, err := s.allReadings(ctx, r)
	if err != nil {
		return nil, err
	}
	out, sections, role := access.ProjectReadings(actor, r, all, now)
	if areaID != "" {
		out = slices.DeleteFunc(out, func(x veikart.Reading) bool { return x.AreaID != areaID })
		sections = []veikart.Section{veikart.AreaSection(areaID)}
	}
	switch {
	case role == "" || role == access.RoleOwner:
		// Nothing shown, or the household's own read.
	case isHelperRole(role):
		err = s.logHelperRead(ctx, actor, r, sections)
	default:
		err = s.logRead(ctx, actor, r.ID, role, sections)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// readable is nil when actor may read r, and else what they are told: that
// their access ended, or that there is no such roadmap.
func (s *Service) readable(actor access.Actor, r *veikart.Roadmap) error {
	now := s.now()
	if access.Decide(actor, access.Read, r, "", now).Allowed {
		return nil
	}
	if e, ok := access.Ended(actor, r, now); ok {
		return &EndedError{e}
	}
	return ErrNoRoadmap
}

// CheckIn records one sitting's readings on roadmap id, recorded by actor,
// and moves the ScoreNow of each area with a household reading to the
// newest household reading's score. It returns the readings as stored (as
// actor may read them) and how many were new: none for a repeat.
func (s *Service) CheckIn(ctx context.Context, actor access.Actor, id string, c veikart.CheckIn) ([]veikart.Reading, int, error) {
	r, err := s.read(ctx, id)
	if err != nil {
		return nil, 0, err
	}
	if err := s.readable(actor, r); err != nil {
		return nil, 0, err
	}
	rs, err := r.CleanCheckIn(c, s.today(), actor.UserID, s.now())
	if err != nil {
		return nil, 0, err
	}
	now := s.now()
	var role string
	var sections []veikart.Section
	for _, x := range rs {
		sec := veikart.AreaSection(x.AreaID)
		d := access.Decide(actor, access.CheckIn, r, sec, now)
		if !d.Allowed {
			return nil, 0, errNoCheckIn
		}
		if d.Role == access.RoleMember && x.MemberID != "" {
			if me, _ := r.MemberByUser(actor.UserID); me.ID != x.MemberID {
				return nil, 0, errOwnReadings
			}
		}
		role = d.Role
		if !slices.Contains(sections, sec) {
			sections = append(sections, sec)
		}
	}
	stored, created, err := s.store.AddReadings(ctx, r.ID, rs)
	if err != nil {
		return nil, 0, err
	}
	if created > 0 && isHelperRole(role) {
		h, _ := r.ActiveHelper(actor.UserID, now)
		if err := s.logHelper(ctx, actor, r.ID, h, AuditCheckIn, sections, ""); err != nil {
			return nil, 0, err
		}
	}
	if err := s.syncScores(ctx, actor, r.ID, householdAreas(stored)); err != nil {
		return nil, 0, err
	}
	out, _, _ := access.ProjectReadings(actor, r, stored, now)
	return out, created, nil
}

// AuditCheckIn is a helper's check-in, for the log.
const AuditCheckIn veikart.AuditAction = "check-in"

// householdAreas are the areas with a household reading in rs.
func householdAreas(rs []veikart.Reading) []string {
	var out []string
	for _, x := range rs {
		if x.MemberID == "" && !slices.Contains(out, x.AreaID) {
			out = append(out, x.AreaID)
		}
	}
	return out
}

// syncScores makes the ScoreNow of areas of roadmap id the newest
// household reading's score, in one write of the roadmap (none when they
// are so already), decided as actor's check-in in each area.
func (s *Service) syncScores(ctx context.Context, actor access.Actor, id string, areas []string) error {
	if len(areas) == 0 {
		return nil
	}
	r, err := s.read(ctx, id)
	if err != nil {
		return err
	}
	all, err := s.allReadings(ctx, r)
	if err != nil {
		return err
	}
	latest := veikart.LatestHouseholdScores(all)
	opPrefix := "ci-" + auth.NewUUID()
	_, _, err = s.changeAt(ctx, actor, id, access.CheckIn, func(*veikart.Roadmap) veikart.Section { return veikart.AreaSection(areas[0]) }, errNoCheckIn,
		func(cur *veikart.Roadmap, _ access.Decision) (*veikart.Roadmap, error) {
			for _, a := range areas[1:] {
				if !access.Decide(actor, access.CheckIn, cur, veikart.AreaSection(a), s.now()).Allowed {
					return nil, errNoCheckIn
				}
			}
			ops := cur.ScoreOps(latest, areas, opPrefix)
			if len(ops) == 0 {
				return cur, nil
			}
			next, _, err := cur.ApplyIn(ops, s.now(), s.cfg.Location)
			return next, err
		})
	return err
}

// DeleteReading takes back reading readingID of roadmap id, recorded by
// mistake: the owners only. When it was an area's newest household
// reading, the area's ScoreNow goes back to the one before (it stays as it
// is when there is none). It returns the reading.
func (s *Service) DeleteReading(ctx context.Context, actor access.Actor, id, readingID string) (veikart.Reading, error) {
	r, err := s.read(ctx, id)
	if err != nil {
		return veikart.Reading{}, err
	}
	if err := s.readable(actor, r); err != nil {
		return veikart.Reading{}, err
	}
	if !veikart.ValidID(readingID) {
		return veikart.Reading{}, veikart.ErrNoReading
	}
	all, err := s.allReadings(ctx, r)
	if err != nil {
		return veikart.Reading{}, err
	}
	i := slices.IndexFunc(all, func(x veikart.Reading) bool { return x.ID == readingID })
	if i < 0 {
		return veikart.Reading{}, veikart.ErrNoReading
	}
	x := all[i]
	if d := access.Decide(actor, access.CheckIn, r, veikart.AreaSection(x.AreaID), s.now()); !d.Allowed || d.Role != access.RoleOwner {
		return veikart.Reading{}, errOwnersOnly
	}
	gone, err := s.store.RemoveReading(ctx, r.ID, x.Year(), readingID)
	if err != nil {
		return veikart.Reading{}, err
	}
	if gone.MemberID == "" {
		if err := s.syncScores(ctx, actor, r.ID, []string{gone.AreaID}); err != nil {
			return veikart.Reading{}, err
		}
	}
	return gone, nil
}

// scoreReadings records, for each operation of a batch that set an area's
// ScoreNow (applied now, or a repeat of one applied before), a household
// reading dated today by actor: a score changed on the area's form is a
// check-in too, so nothing of the road walked is lost, and the newest
// household reading stays the area's "now". The reading's id is the
// operation's, so a batch sent again records it once. The roadmap is
// written already: a reading that cannot be stored under its id (the same
// id for something else) is logged and left out; any other failure is
// returned, and the app's retry of the batch records it.
func (s *Service) scoreReadings(ctx context.Context, actor access.Actor, r *veikart.Roadmap, ops []veikart.Op, results []veikart.Result) error {
	var rs []veikart.Reading
	at := s.now().UTC().Truncate(time.Millisecond)
	for i, op := range ops {
		u, ok := op.(veikart.UpdateArea)
		if !ok || u.Set.ScoreNow == nil || *u.Set.ScoreNow < 1 || *u.Set.ScoreNow > 5 || i >= len(results) {
			continue
		}
		if _, ok := r.Area(u.AreaID); !ok {
			continue
		}
		rs = append(rs, veikart.Reading{ID: u.ID, AreaID: u.AreaID, Date: s.today(), Score: *u.Set.ScoreNow, With: veikart.ScoredAlone, By: actor.UserID, At: at})
	}
	if len(rs) == 0 {
		return nil
	}
	_, _, err := s.store.AddReadings(ctx, r.ID, rs)
	if veikart.ErrorCode(err) == veikart.ECONFLICT {
		s.log.Warn("score change not recorded as a reading", "err", err, "request_id", RequestID(ctx))
		return nil
	}
	return err
}
