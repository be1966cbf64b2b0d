package storage

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/veikart/veikart/backend/veikart"
)

// The access log is one small document per entry, with _id
// "<roadmapId>/<seq>": seq counts 1, 2, 3 ... per roadmap, zero-padded so that
// ids sort like numbers. Appending is one insert (the cheapest write the
// embedded store has: no read first), and a page is a set of _id lookups from
// the newest seq down, so both stay on the _id index of every store. A
// document per month with an array was tried first: the embedded store
// rewrites the whole document on every $push (3-25 ms per read logged).
type auditDoc struct {
	ID        string    `bson:"_id"`
	RoadmapID string    `bson:"roadmapId"`
	Seq       int64     `bson:"seq"`
	EventID   string    `bson:"eventId"`
	At        time.Time `bson:"at"`
	UserID    string    `bson:"userId"`
	AgencyID  string    `bson:"agencyId,omitempty"`
	Role      string    `bson:"role"`
	Action    string    `bson:"action"`
	Sections  []string  `bson:"sections,omitempty"`
	Ref       string    `bson:"ref,omitempty"`
	Name      string    `bson:"name,omitempty"`
	Subject   string    `bson:"subject,omitempty"`
}

func (d *auditDoc) toDomain() veikart.AuditEvent {
	e := veikart.AuditEvent{ID: d.EventID, At: d.At.UTC(), UserID: d.UserID, AgencyID: d.AgencyID, Role: d.Role, Action: veikart.AuditAction(d.Action), Ref: d.Ref, Name: d.Name, Subject: d.Subject}
	for _, s := range d.Sections {
		e.Sections = append(e.Sections, veikart.Section(s))
	}
	return e
}

func auditID(roadmapID string, seq int64) string {
	return fmt.Sprintf("%s/%012d", roadmapID, seq)
}

// AppendAudit adds e to roadmapID's access log. It returns only once the entry
// is stored: a caller that shows data after logging it never shows unlogged
// data.
func (s *Store) AppendAudit(ctx context.Context, roadmapID string, e veikart.AuditEvent) error {
	unlock := s.locks.lock("l:" + roadmapID)
	defer unlock()
	if _, gone := s.erased.get(roadmapID); gone {
		return &veikart.Error{Code: veikart.ENOTFOUND, Message: "Not found."}
	}
	last, ok := s.auditSeq.get(roadmapID)
	if !ok {
		var err error
		if last, err = s.lastAuditSeq(ctx, roadmapID); err != nil {
			return err
		}
	}
	d := auditDoc{
		RoadmapID: roadmapID, EventID: e.ID, At: e.At, UserID: e.UserID, AgencyID: e.AgencyID,
		Role: e.Role, Action: string(e.Action), Ref: e.Ref, Name: e.Name, Subject: e.Subject,
	}
	for _, sec := range e.Sections {
		d.Sections = append(d.Sections, string(sec))
	}
	// Another replica (shared database) may have taken the next number: the
	// insert then collides on _id, and the one after is tried.
	for range 100 {
		d.Seq = last + 1
		d.ID = auditID(roadmapID, d.Seq)
		err := s.eng.insert(ctx, s.db.Collection(auditColl), d)
		if err == nil {
			s.auditSeq.put(roadmapID, d.Seq)
			return nil
		}
		if veikart.ErrorCode(mapError(err, "")) != veikart.ECONFLICT {
			s.auditSeq.delete(roadmapID)
			return mapError(err, "append to access log of %s", roadmapID)
		}
		last++
	}
	return fmt.Errorf("append to access log of %s: too many concurrent writers", roadmapID)
}

// lastAuditSeq finds the highest seq in use by galloping and then bisecting
// over _id lookups: about 2 log2(n) lookups, once per roadmap in exclusive
// mode (then the count is kept in memory).
func (s *Store) lastAuditSeq(ctx context.Context, roadmapID string) (int64, error) {
	exists := func(seq int64) (bool, error) {
		err := s.db.Collection(auditColl).FindOne(ctx, bson.D{{Key: "_id", Value: auditID(roadmapID, seq)}},
			options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
		if veikart.ErrorCode(mapError(err, "")) == veikart.ENOTFOUND {
			return false, nil
		}
		if err != nil {
			return false, mapError(err, "read access log of %s", roadmapID)
		}
		return true, nil
	}
	lo, hi := int64(0), int64(1) // lo exists (0 stands for "none"), hi is to be tested
	for {
		ok, err := exists(hi)
		if err != nil {
			return 0, err
		}
		if !ok {
			break
		}
		lo, hi = hi, hi*2
	}
	for hi-lo > 1 { // lo exists, hi does not
		mid := lo + (hi-lo)/2
		ok, err := exists(mid)
		if err != nil {
			return 0, err
		}
		if ok {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo, nil
}

// AuditPage returns up to limit entries of roadmapID's access log, newest
// first, starting after cursor ("" for the newest), and the cursor of the next
// page ("" when there is none). A cursor names a position, so entries added
// while someone pages do not shift the pages.
func (s *Store) AuditPage(ctx context.Context, roadmapID, cursor string, limit int) ([]veikart.AuditEvent, string, error) {
	var top int64
	if cursor == "" {
		var err error
		if top, err = s.lastAuditSeq(ctx, roadmapID); err != nil {
			return nil, "", err
		}
	} else {
		n, err := strconv.ParseInt(cursor, 10, 64)
		if err != nil || n < 1 || n > 1<<50 {
			return nil, "", &veikart.Error{Code: veikart.EINVALID, Message: "The page cursor is not valid.", Pointer: "cursor"}
		}
		top = n
	}
	bottom := max(top-int64(limit)+1, 1)
	if top < 1 {
		return nil, "", nil
	}
	docs := make([]*auditDoc, top-bottom+1)
	// The lookups are independent: a few at a time hide the round trips.
	errs := make(chan error, len(docs))
	sem := make(chan struct{}, 8)
	for i := range docs {
		sem <- struct{}{}
		go func() {
			defer func() { <-sem }()
			var d auditDoc
			err := s.db.Collection(auditColl).FindOne(ctx, bson.D{{Key: "_id", Value: auditID(roadmapID, top-int64(i))}}).Decode(&d)
			if veikart.ErrorCode(mapError(err, "")) == veikart.ENOTFOUND {
				errs <- nil
				return
			}
			if err == nil {
				docs[i] = &d
			}
			errs <- mapError(err, "read access log of %s", roadmapID)
		}()
	}
	var firstErr error
	for range docs {
		if err := <-errs; err != nil && firstErr == nil {
			firstErr = err
		}
	}
	if firstErr != nil {
		return nil, "", firstErr
	}
	out := make([]veikart.AuditEvent, 0, len(docs))
	for _, d := range docs {
		if d != nil {
			out = append(out, d.toDomain())
		}
	}
	next := ""
	if bottom > 1 {
		next = strconv.FormatInt(bottom-1, 10)
	}
	return out, next, nil
}

// The index of invitation codes: _id is the code's hash, so accepting one is
// an _id lookup that leads to its roadmap; the roadmap's copy of the
// invitation decides whether it is still good.
type inviteDoc struct {
	ID        string    `bson:"_id"`
	RoadmapID string    `bson:"roadmapId"`
	ExpiresAt time.Time `bson:"expiresAt"`
}

// AddInvitationCode records which roadmap an invitation code belongs to.
func (s *Store) AddInvitationCode(ctx context.Context, codeHash, roadmapID string, expires time.Time) error {
	_, err := s.db.Collection(invitesColl).InsertOne(ctx, inviteDoc{ID: codeHash, RoadmapID: roadmapID, ExpiresAt: expires})
	return mapError(err, "store invitation code")
}

// InvitationRoadmap returns the roadmap an invitation code belongs to, or
// ENOTFOUND.
func (s *Store) InvitationRoadmap(ctx context.Context, codeHash string) (string, error) {
	var d inviteDoc
	if err := s.db.Collection(invitesColl).FindOne(ctx, bson.D{{Key: "_id", Value: codeHash}}).Decode(&d); err != nil {
		return "", mapError(err, "find invitation code")
	}
	return d.RoadmapID, nil
}

// DeleteInvitationCode forgets a used or expired code.
func (s *Store) DeleteInvitationCode(ctx context.Context, codeHash string) error {
	_, err := s.db.Collection(invitesColl).DeleteOne(ctx, bson.D{{Key: "_id", Value: codeHash}})
	return mapError(err, "delete invitation code")
}
