package storage

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/veikart/veikart/backend/veikart"
)

// Erasure: removing a roadmap, or a person, with everything that belongs to
// it, from every collection.
//
// There are no multi-document transactions, so erasure is a sequence of
// single-document (or single-collection) deletes that is safe to repeat:
//
//  1. an erasure record is written (erasures, _id "roadmap:<id>"): who owned
//     the roadmap, which indexes name it, which agencies are to be told;
//  2. the roadmap document is deleted, in one atomic write: from then on
//     nobody can read it, and no new grant, log entry or reminder can refer
//     to it through the API;
//  3. everything that refers to it is deleted or unlinked, each step
//     idempotent;
//  4. the erasure record is deleted, last.
//
// A crash anywhere in 3 leaves the record: the owner's retry of the same
// DELETE finds no roadmap but the record, is checked against the record's
// owners, and finishes from step 3 (so does ResumeErasures, for operators).
// A crash in 1-2 leaves the roadmap as it was, and a retry starts afresh.
//
// Steps 3 find what refers to the roadmap first by the ids the record names
// (_id lookups, cheap on every store), then by a sweep over each collection
// for anything the indexes missed. On the embedded store the sweeps are scans
// (FerretDB pushes down nothing but _id equality): acceptable for something
// as rare as erasure. On MongoDB each sweep has an index (see EnsureSchema),
// or is an anchored prefix of _id, which the _id index serves.
const (
	erasuresColl = "erasures"       // erasures under way, so that a retry finishes them
	noticesColl  = "agency_notices" // per agency: notices that a roadmap shared with it was deleted
)

// EraseCollections lists the collections above, for EnsureSchema.
var EraseCollections = []string{erasuresColl, noticesColl}

// maxNotices bounds an agency's notices; older ones fall off.
const maxNotices = 200

type erasureDoc struct {
	ID         string      `bson:"_id"` // "roadmap:<id>"
	RoadmapID  string      `bson:"roadmapId"`
	Owners     []string    `bson:"owners"`
	Version    int64       `bson:"version"`
	Users      []string    `bson:"users"`    // whose roadmap index may name it: owners, linked members
	Agencies   []string    `bson:"agencies"` // whose shared index may name it
	CodeHashes []string    `bson:"codeHashes"`
	Notices    []noticeDoc `bson:"notices"` // to deliver, one per agency with an active grant
	StartedAt  time.Time   `bson:"startedAt"`
}

type noticeDoc struct {
	ID             string    `bson:"id"`
	AgencyID       string    `bson:"agencyId,omitempty"` // in an erasure record only
	At             time.Time `bson:"at"`
	GrantCreatedAt time.Time `bson:"grantCreatedAt"`
}

type agencyNoticesDoc struct {
	ID      string      `bson:"_id"` // agency id
	Rev     int64       `bson:"rev"` // compare-and-swap on a shared database; absent (0) before it was
	Notices []noticeDoc `bson:"notices"`
}

// noticesKind: an agency's notices, read by every caseworker's list, kept
// in memory in exclusive mode; compared on rev, which documents written
// before it existed lack.
func (s *Store) noticesKind(copies *cache[*agencyNoticesDoc]) *kind[*agencyNoticesDoc] {
	coll := s.db.Collection(noticesColl)
	return &kind[*agencyNoticesDoc]{
		name: "agency notices", coll: coll, lock: "n:", cache: copies,
		load: findOrEmpty(coll, "notices of agency", func(id string) *agencyNoticesDoc { return &agencyNoticesDoc{ID: id} },
			infallible(func(d *agencyNoticesDoc) *agencyNoticesDoc { return d })),
		doc: func(d *agencyNoticesDoc) (any, error) { return d, nil },
		cas: func(d *agencyNoticesDoc) bson.D {
			if d.Rev == 0 {
				return bson.D{{Key: "rev", Value: bson.D{{Key: "$in", Value: bson.A{0, nil}}}}}
			}
			return bson.D{{Key: "rev", Value: d.Rev}}
		},
		conflict:    "The agency's notices are being changed by many at once. Try again.",
		keepMissing: true,
	}
}

func erasureID(roadmapID string) string { return "roadmap:" + roadmapID }

// newErasure records what erasing r must reach. Notice ids come from newID;
// prev, an earlier attempt's record, keeps its notice ids so that a retry
// tells each agency once.
func newErasure(r *veikart.Roadmap, now time.Time, prev *erasureDoc, newID func() string) erasureDoc {
	d := erasureDoc{
		ID: erasureID(r.ID), RoadmapID: r.ID, Owners: slices.Clone(r.Owners), Version: r.Version,
		Users: slices.Clone(r.Owners), StartedAt: now.UTC(),
	}
	for _, m := range r.Members {
		if m.UserID != "" {
			d.Users = append(d.Users, m.UserID)
		}
	}
	for _, g := range r.Grants {
		d.Agencies = append(d.Agencies, g.AgencyID)
	}
	for _, q := range r.Requests {
		d.Agencies = append(d.Agencies, q.AgencyID)
	}
	for _, n := range r.Invitations {
		d.CodeHashes = append(d.CodeHashes, n.CodeHash)
		if n.UsedByAgency != "" {
			d.Agencies = append(d.Agencies, n.UsedByAgency)
		}
	}
	if prev != nil {
		d.Users = append(d.Users, prev.Users...)
		d.Agencies = append(d.Agencies, prev.Agencies...)
		d.CodeHashes = append(d.CodeHashes, prev.CodeHashes...)
		d.StartedAt = prev.StartedAt
	}
	d.Users, d.Agencies, d.CodeHashes = compact(d.Users), compact(d.Agencies), compact(d.CodeHashes)
	// Only agencies that could read the roadmap, or were to from a planned
	// date (a transition's grant), are told: one notice per agency, about
	// its latest such grant.
	told := map[string]bool{}
	for i := len(r.Grants) - 1; i >= 0; i-- {
		g := r.Grants[i]
		if told[g.AgencyID] || !(g.ActiveAt(now) || g.ScheduledAt(now)) {
			continue
		}
		told[g.AgencyID] = true
		id := newID()
		if prev != nil {
			if j := slices.IndexFunc(prev.Notices, func(n noticeDoc) bool { return n.AgencyID == g.AgencyID }); j >= 0 {
				id = prev.Notices[j].ID
			}
		}
		d.Notices = append(d.Notices, noticeDoc{ID: id, AgencyID: g.AgencyID, At: d.StartedAt, GrantCreatedAt: g.CreatedAt.UTC()})
	}
	return d
}

func compact(ss []string) []string {
	ss = slices.DeleteFunc(ss, func(s string) bool { return s == "" })
	slices.Sort(ss)
	return slices.Compact(ss)
}

// EraseRoadmap deletes roadmap id and everything that refers to it: its
// access log, reminder jobs and their slot entries and claims, invitation
// codes, the agencies' and people's indexes that name it, and one-time
// records about it; and it leaves each agency that had an active grant a
// notice (see AgencyNotices). check approves the roadmap as it is (the
// caller's access decision, an If-Match precondition); its error is
// returned unchanged. When an earlier call stopped halfway, the roadmap is
// gone but its erasure record is not: check then sees a roadmap with only
// its id, owners and version, and the erasure is finished. newID makes
// notice ids. ENOTFOUND if there is neither roadmap nor record.
func (s *Store) EraseRoadmap(ctx context.Context, id string, now time.Time, newID func() string, check func(*veikart.Roadmap) error) (*veikart.Erasure, error) {
	rec, r, err := s.beginErasure(ctx, id, now, newID, check)
	if err != nil {
		return nil, err
	}
	if err := s.finishErasure(ctx, rec); err != nil {
		return nil, err
	}
	out := &veikart.Erasure{RoadmapID: id, Roadmap: r}
	for _, n := range rec.Notices {
		out.Told = append(out.Told, n.AgencyID)
	}
	return out, nil
}

func (s *Store) beginErasure(ctx context.Context, id string, now time.Time, newID func() string, check func(*veikart.Roadmap) error) (*erasureDoc, *veikart.Roadmap, error) {
	// The roadmap's lock in both modes: two erasures of one roadmap in this
	// process must not both write its record.
	unlock := s.locks.lock(s.roadmaps.lock + id)
	defer unlock()
	erasures := s.db.Collection(erasuresColl)
	var prev *erasureDoc
	var d erasureDoc
	switch err := erasures.FindOne(ctx, bson.D{{Key: "_id", Value: erasureID(id)}}).Decode(&d); veikart.ErrorCode(mapError(err, "")) {
	case "":
		prev = &d
	case veikart.ENOTFOUND:
	default:
		return nil, nil, mapError(err, "read erasure of %s", id)
	}
	cur, err := s.loadRoadmap(ctx, id)
	if veikart.ErrorCode(err) == veikart.ENOTFOUND && prev != nil {
		// An earlier erasure deleted the roadmap and stopped: finish it,
		// if the caller may (the owners it recorded decide).
		if err := check(&veikart.Roadmap{ID: id, Owners: prev.Owners, Version: prev.Version}); err != nil {
			return nil, nil, err
		}
		s.erased.put(id, true)
		return prev, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if err := check(cur); err != nil {
		return nil, nil, err
	}
	rec := newErasure(cur, now, prev, newID)
	if _, err := erasures.ReplaceOne(ctx, bson.D{{Key: "_id", Value: rec.ID}}, rec, options.Replace().SetUpsert(true)); err != nil {
		return nil, nil, mapError(err, "record erasure of %s", id)
	}
	if err := remove(ctx, s, s.roadmaps, id, cur); err != nil {
		// ECONFLICT: another replica changed it in between. The record
		// stays (a retry merges it with the new state) and the caller
		// looks again.
		return nil, nil, err
	}
	s.erased.put(id, true)
	return &rec, cur, nil
}

// finishErasure removes everything that refers to rec's roadmap, then rec.
// Every step may run again.
func (s *Store) finishErasure(ctx context.Context, rec *erasureDoc) error {
	id := rec.RoadmapID
	if err := s.eraseTraces(ctx, id); err != nil {
		return err
	}
	// Invitation codes: by the hashes the roadmap listed, then any other.
	invites := s.db.Collection(invitesColl)
	for _, h := range rec.CodeHashes {
		if _, err := invites.DeleteOne(ctx, bson.D{{Key: "_id", Value: h}}); err != nil {
			return mapError(err, "erase invitation code of %s", id)
		}
	}
	if _, err := invites.DeleteMany(ctx, bson.D{{Key: "roadmapId", Value: id}}); err != nil {
		return mapError(err, "erase invitation codes of %s", id)
	}
	// Its conversations, by the agencies it had grants for (a revoked
	// grant stays on the roadmap, so these are all it ever had).
	if err := s.eraseConversations(ctx, id, rec.Agencies); err != nil {
		return err
	}
	// Its check-ins (the years there are).
	if err := s.eraseReadings(ctx, id); err != nil {
		return err
	}
	// The agencies' shared lists and the people's roadmap lists.
	for _, a := range rec.Agencies {
		if err := s.RemoveAgencyRoadmap(ctx, a, id); err != nil {
			return err
		}
	}
	if err := s.pullFromArrays(ctx, sharedColl, "roadmapIds", id, func(x string) bool { return x == id }, "x:", s.forgetShared); err != nil {
		return err
	}
	for _, u := range rec.Users {
		if err := s.RemoveUserRoadmap(ctx, u, id); err != nil && veikart.ErrorCode(err) != veikart.ENOTFOUND {
			return err
		}
	}
	if err := s.pullUserRoadmapSweep(ctx, id); err != nil {
		return err
	}
	// Its household's blocker reports of quarters not yet published.
	if err := s.withdrawBlockerReports(ctx, id, blockerQuarters(rec.StartedAt)); err != nil {
		return err
	}
	// One-time records about the roadmap, if any kind names one.
	if _, err := s.db.Collection(onceColl).DeleteMany(ctx, bson.D{{Key: "v.roadmapId", Value: id}}); err != nil {
		return mapError(err, "erase one-time records of %s", id)
	}
	for _, n := range rec.Notices {
		if err := s.addNotice(ctx, n); err != nil {
			return err
		}
	}
	// Once more, last: a request on another replica that read the roadmap
	// before it was deleted may have logged that read meanwhile (in this
	// process, s.erased refuses such appends), and a reminder scheduler
	// that read a job before it was deleted may have claimed it or listed
	// it in a later slot. What is left is work that takes longer than the
	// whole erasure: see docs/erasure.md.
	if err := s.eraseTraces(ctx, id); err != nil {
		return err
	}
	if err := s.sweepConversations(ctx, id); err != nil {
		return err
	}
	if err := s.eraseReviews(ctx, id); err != nil {
		return err
	}
	if err := s.eraseReadings(ctx, id); err != nil {
		return err
	}
	if _, err := s.db.Collection(erasuresColl).DeleteOne(ctx, bson.D{{Key: "_id", Value: rec.ID}}); err != nil {
		return mapError(err, "close erasure of %s", id)
	}
	return nil
}

// eraseTraces deletes what is keyed by roadmap id without being indexed
// anywhere: its access log ("<id>/p<n>", "<id>/h"), its reminder jobs ("<id>/...")
// and their claims ("<id>/...#n"), and the jobs' entries in minute slots
// (wherever a job was ever listed, so the slots are swept rather than
// derived from the jobs' times).
func (s *Store) eraseTraces(ctx context.Context, id string) error {
	if err := s.deleteLog(ctx, id); err != nil {
		return err
	}
	for _, coll := range []string{remindersColl, claimsColl} {
		if _, err := s.db.Collection(coll).DeleteMany(ctx, idPrefix(id+"/")); err != nil {
			return mapError(err, "erase %s of %s", coll, id)
		}
	}
	return s.pullFromArrays(ctx, slotsColl, "jobs", bson.D{{Key: "$regex", Value: "^" + regexp.QuoteMeta(id+"/")}}, func(job string) bool {
		return strings.HasPrefix(job, id+"/")
	}, "t:", nil)
}

// idPrefix filters documents whose _id starts with p. Anchored and
// case-sensitive, so MongoDB answers it from the _id index.
func idPrefix(p string) bson.D {
	return bson.D{{Key: "_id", Value: bson.D{{Key: "$regex", Value: "^" + regexp.QuoteMeta(p)}}}}
}

// deleteLog deletes the log under key (a roadmap's access log, or a
// person's security log: SecurityLogKey) and forgets its copies. It holds
// the last page's lock, so that an append in this process under way there
// lands before the delete; one that comes later finds the roadmap erased
// (appendEntry checks under the page's lock).
func (s *Store) deleteLog(ctx context.Context, key string) error {
	last, err := s.lastPage(ctx, key)
	if err != nil {
		return err
	}
	unlock := s.eng.serialise(s.logPages.lock + pageID(key, max(last, 1)))
	defer unlock()
	_, err = s.db.Collection(auditColl).DeleteMany(ctx, idPrefix(key+"/"))
	for n := range last + 2 {
		s.logPages.cache.delete(pageID(key, n))
	}
	s.logHeads.delete(key)
	return mapError(err, "erase log %s", key)
}

// pullFromArrays removes the elements that match from field (an array of
// strings) in every document of coll whose field has an element matching
// elem (a value, or an operator document), each document under its own
// stripe lock (lockKind, with its _id). changed, if set, hears of each
// document written, still under its lock, to drop an in-memory copy.
func (s *Store) pullFromArrays(ctx context.Context, coll, field string, elem any, match func(string) bool, lockKind string, changed func(docID string)) error {
	c := s.db.Collection(coll)
	cur, err := c.Find(ctx, bson.D{{Key: field, Value: elem}}, options.Find().SetProjection(bson.D{{Key: field, Value: 1}}))
	if err != nil {
		return mapError(err, "find in %s", coll)
	}
	var raw []bson.M
	if err := cur.All(ctx, &raw); err != nil {
		return mapError(err, "find in %s", coll)
	}
	for _, d := range raw {
		docID, _ := d["_id"].(string)
		vals, _ := d[field].(bson.A)
		var drop []string
		for _, v := range vals {
			if x, ok := v.(string); ok && match(x) {
				drop = append(drop, x)
			}
		}
		if len(drop) == 0 {
			continue
		}
		unlock := s.locks.lock(lockKind + docID)
		// $pullAll, not $pull with $in: FerretDB 1.24 accepts the latter
		// and silently changes nothing (measured).
		_, err := c.UpdateOne(ctx, bson.D{{Key: "_id", Value: docID}},
			bson.D{{Key: "$pullAll", Value: bson.D{{Key: field, Value: drop}}}})
		if changed != nil {
			changed(docID)
		}
		unlock()
		if err != nil {
			return mapError(err, "unlink from %s", coll)
		}
	}
	return nil
}

// pullUserRoadmapSweep unlinks roadmapID from every user whose index still
// names it, through updateUser so that cached users are refreshed.
func (s *Store) pullUserRoadmapSweep(ctx context.Context, roadmapID string) error {
	cur, err := s.db.Collection(usersColl).Find(ctx, bson.D{{Key: "roadmapIds", Value: roadmapID}}, options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return mapError(err, "find users of %s", roadmapID)
	}
	var ids []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &ids); err != nil {
		return mapError(err, "find users of %s", roadmapID)
	}
	for _, u := range ids {
		if err := s.RemoveUserRoadmap(ctx, u.ID, roadmapID); err != nil && veikart.ErrorCode(err) != veikart.ENOTFOUND {
			return err
		}
	}
	return nil
}

// addNotice adds n to its agency's notices unless it is there already.
func (s *Store) addNotice(ctx context.Context, n noticeDoc) error {
	agency := n.AgencyID
	n.AgencyID = ""
	_, err := update(ctx, s, s.notices, agency, func(d *agencyNoticesDoc) (*agencyNoticesDoc, bool, error) {
		if slices.ContainsFunc(d.Notices, func(x noticeDoc) bool { return x.ID == n.ID }) {
			return d, false, nil
		}
		next := &agencyNoticesDoc{ID: agency, Rev: d.Rev + 1, Notices: append(slices.Clone(d.Notices), n)}
		if len(next.Notices) > maxNotices {
			next.Notices = next.Notices[len(next.Notices)-maxNotices:]
		}
		return next, true, nil
	})
	return err
}

// AgencyNotices returns the notices for agencyID made after since, newest
// first.
func (s *Store) AgencyNotices(ctx context.Context, agencyID string, since time.Time) ([]veikart.ErasureNotice, error) {
	d, err := read(ctx, s, s.notices, agencyID)
	if err != nil {
		return nil, err
	}
	var out []veikart.ErasureNotice
	for i := len(d.Notices) - 1; i >= 0; i-- {
		n := d.Notices[i]
		if n.At.After(since) {
			out = append(out, veikart.ErasureNotice{ID: n.ID, At: n.At.UTC(), GrantCreatedAt: n.GrantCreatedAt.UTC()})
		}
	}
	return out, nil
}

// PendingErasures returns the ids of roadmaps whose erasure began and did
// not finish (the process stopped halfway), for operators and the sweeper.
func (s *Store) PendingErasures(ctx context.Context) ([]string, error) {
	cur, err := s.db.Collection(erasuresColl).Find(ctx, bson.D{}, options.Find().SetProjection(bson.D{{Key: "roadmapId", Value: 1}}))
	if err != nil {
		return nil, mapError(err, "list erasures")
	}
	var docs []struct {
		RoadmapID string `bson:"roadmapId"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mapError(err, "list erasures")
	}
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = d.RoadmapID
	}
	return out, nil
}

// ErasePersonRecords deletes what the store keeps about userID outside
// roadmaps and agencies: sessions (with their refresh tokens), push
// subscriptions, passkeys and their owner index, enrolment codes made for
// or by them, pending one-time records, and their security log; and in
// other roadmaps' access logs it replaces their id by veikart.ErasedPerson
// (the household keeps the record of which agency read what). The user
// document itself is left for DeleteUser, last, so that a retry can sign in
// and finish. sessionIDs are the ids the user's index names; the sweep by
// userId finds any other.
func (s *Store) ErasePersonRecords(ctx context.Context, userID string, sessionIDs []string) error {
	sessions := s.db.Collection(sessionsColl)
	for _, id := range sessionIDs {
		if _, err := sessions.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}}); err != nil {
			return mapError(err, "erase session of %s", userID)
		}
	}
	if _, err := sessions.DeleteMany(ctx, bson.D{{Key: "userId", Value: userID}}); err != nil {
		return mapError(err, "erase sessions of %s", userID)
	}
	unlock := s.locks.lock("p:" + userID)
	_, err := s.db.Collection(pushColl).DeleteOne(ctx, bson.D{{Key: "_id", Value: userID}})
	unlock()
	if err != nil {
		return mapError(err, "erase push subscriptions of %s", userID)
	}
	// Passkeys: the owner index first (by the person's list, then a sweep),
	// then the list; a crash in between leaves a list a retry reads again.
	keys, err := s.Passkeys(ctx, userID)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if _, err := s.db.Collection(passkeysColl).DeleteOne(ctx, bson.D{{Key: "_id", Value: k.ID}}); err != nil {
			return mapError(err, "erase passkey of %s", userID)
		}
	}
	if _, err := s.db.Collection(passkeysColl).DeleteMany(ctx, bson.D{{Key: "userId", Value: userID}}); err != nil {
		return mapError(err, "erase passkeys of %s", userID)
	}
	unlock = s.locks.lock("k:" + userID)
	_, err = s.db.Collection(passkeyUsersColl).DeleteOne(ctx, bson.D{{Key: "_id", Value: userID}})
	unlock()
	if err != nil {
		return mapError(err, "erase passkeys of %s", userID)
	}
	for _, f := range []string{"userId", "createdBy"} {
		if _, err := s.db.Collection(enrolmentsColl).DeleteMany(ctx, bson.D{{Key: f, Value: userID}}); err != nil {
			return mapError(err, "erase enrolment codes of %s", userID)
		}
	}
	if _, err := s.db.Collection(onceColl).DeleteMany(ctx, bson.D{{Key: "v.userId", Value: userID}}); err != nil {
		return mapError(err, "erase one-time records of %s", userID)
	}
	if err := s.deleteLog(ctx, veikart.SecurityLogKey(userID)); err != nil {
		return err
	}
	// Entries are never edited otherwise: this rewrite is the one
	// exception, and it keeps each entry but for who made it. Messages
	// likewise keep what was said.
	if err := s.unlinkFromConversations(ctx, userID); err != nil {
		return err
	}
	// Check-ins likewise keep the scores, not who recorded them.
	if err := s.unlinkFromReadings(ctx, userID); err != nil {
		return err
	}
	return s.unlinkFromLogs(ctx, userID)
}

// DeleteUser deletes the user document: the last step of erasing a person.
// Deleting one that is gone already is not an error.
func (s *Store) DeleteUser(ctx context.Context, userID string) error {
	unlock := s.locks.lock("u:" + userID)
	defer unlock()
	_, err := s.users.coll.DeleteOne(ctx, byID(userID))
	s.users.cache.delete(userID)
	if err != nil {
		return mapError(err, "delete user %s", userID)
	}
	return nil
}

// AgenciesOfStaff returns the ids of the agencies that list userID among
// their staff. It scans the agencies (a few hundred at most): it serves
// erasure, where the user's own index might lag.
func (s *Store) AgenciesOfStaff(ctx context.Context, userID string) ([]string, error) {
	cur, err := s.db.Collection(agenciesColl).Find(ctx, bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "staff.userId", Value: userID}}, bson.D{{Key: "staff.addedBy", Value: userID}},
	}}}, options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, mapError(err, "find agencies of %s", userID)
	}
	var docs []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mapError(err, "find agencies of %s", userID)
	}
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = d.ID
	}
	return out, nil
}

// RoadmapIDs calls fn with the id of every roadmap, and UserIDs with every
// person's: an operator applying erasures again after a restore compares
// them with the erasure hashes in the server log. A scan of ids only, on
// every store; it runs once per restore.
func (s *Store) RoadmapIDs(ctx context.Context, fn func(id string) error) error {
	return s.eachID(ctx, roadmapsColl, fn)
}

// UserIDs: see RoadmapIDs.
func (s *Store) UserIDs(ctx context.Context, fn func(id string) error) error {
	return s.eachID(ctx, usersColl, fn)
}

func (s *Store) eachID(ctx context.Context, coll string, fn func(id string) error) error {
	cur, err := s.db.Collection(coll).Find(ctx, bson.D{}, options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return mapError(err, "list %s", coll)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var d struct {
			ID string `bson:"_id"`
		}
		if err := cur.Decode(&d); err != nil {
			return fmt.Errorf("list %s: %w", coll, err)
		}
		if err := fn(d.ID); err != nil {
			return err
		}
	}
	return mapError(cur.Err(), "list %s", coll)
}
