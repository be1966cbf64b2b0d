package storage

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/veikart/veikart/backend/remind"
	"github.com/veikart/veikart/backend/veikart"
)

// Reminder jobs, as package remind defines them (remind.Jobs). Three
// collections, all read by _id only, so they work the same on the embedded
// store (which indexes nothing else) and on MongoDB:
//
//   - reminder_jobs: one document per job, _id the job id;
//   - reminder_slots: one per UTC minute ("2026-11-26T08:00"), listing the
//     jobs due in it; schedulers walk them forward in time;
//   - reminder_claims: "<job>#<n>" is the n-th claim of a job, with its
//     holder and lease; "<job>#done" says it was sent. Claims are inserts:
//     of two processes inserting the same _id exactly one succeeds, on every
//     store (FerretDB does not re-check an update's filter when it writes,
//     so conditional updates could both succeed).
const (
	remindersColl = "reminder_jobs"
	slotsColl     = "reminder_slots"
	claimsColl    = "reminder_claims"
)

// The reminder scheduler's storage is this Store.
var _ remind.Store = (*Store)(nil)

// ReminderCollections lists the collections above, for EnsureSchema.
var ReminderCollections = []string{remindersColl, slotsColl, claimsColl}

// jobDoc is a remind.Record as stored.
type jobDoc struct {
	ID          string    `bson:"_id"`
	RoadmapID   string    `bson:"roadmapId"`
	StepID      string    `bson:"stepId"`
	At          time.Time `bson:"at"`
	Status      string    `bson:"status"`
	UpdatedAt   time.Time `bson:"updatedAt"`
	Detail      string    `bson:"detail,omitempty"`
	DeliveredTo []string  `bson:"deliveredTo,omitempty"`
	FailedTo    []string  `bson:"failedTo,omitempty"`
	NotBefore   time.Time `bson:"notBefore,omitempty"`
}

func toJobDoc(j remind.Record) jobDoc {
	return jobDoc{
		ID: j.ID, RoadmapID: j.RoadmapID, StepID: j.StepID, At: j.At, Status: string(j.Status), UpdatedAt: j.UpdatedAt,
		Detail: j.Detail, DeliveredTo: j.DeliveredTo, FailedTo: j.FailedTo, NotBefore: j.NotBefore,
	}
}

func (d *jobDoc) toDomain() remind.Record {
	return remind.Record{
		ID: d.ID, RoadmapID: d.RoadmapID, StepID: d.StepID, At: d.At.UTC(), Status: remind.Status(d.Status), UpdatedAt: d.UpdatedAt,
		Detail: d.Detail, DeliveredTo: d.DeliveredTo, FailedTo: d.FailedTo, NotBefore: d.NotBefore,
	}
}

// SlotID is the id of the minute slot that t falls in.
func SlotID(t time.Time) string { return t.UTC().Format("2006-01-02T15:04") }

// ScheduleReminder stores a pending job due at at (unless it was sent
// already) and lists it in at's slot.
func (s *Store) ScheduleReminder(ctx context.Context, id, roadmapID, stepID string, at, now time.Time) error {
	if err := s.storeReminder(ctx, id, roadmapID, stepID, at, now); err != nil {
		return err
	}
	// Not under the job's lock: stripes are not reentrant, and the slot's
	// lock may be the same stripe.
	return s.AddToSlot(ctx, at, id)
}

func (s *Store) storeReminder(ctx context.Context, id, roadmapID, stepID string, at, now time.Time) error {
	unlock := s.locks.lock("j:" + id)
	defer unlock()
	coll := s.db.Collection(remindersColl)
	var cur jobDoc
	err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&cur)
	switch {
	case err == nil && cur.Status == string(remind.Sent):
		return nil
	case err != nil && veikart.ErrorCode(mapError(err, "")) != veikart.ENOTFOUND:
		return mapError(err, "read reminder %s", id)
	}
	j := remind.Record{ID: id, RoadmapID: roadmapID, StepID: stepID, At: at.UTC(), Status: remind.Pending, UpdatedAt: now.UTC()}
	if _, err := coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}}, toJobDoc(j), options.Replace().SetUpsert(true)); err != nil {
		return mapError(err, "store reminder %s", id)
	}
	return nil
}

// AddToSlot lists job id in the slot of minute t (again, if it was there).
func (s *Store) AddToSlot(ctx context.Context, t time.Time, id string) error {
	slot := SlotID(t)
	unlock := s.locks.lock("t:" + slot)
	defer unlock()
	_, err := s.db.Collection(slotsColl).UpdateOne(ctx, bson.D{{Key: "_id", Value: slot}},
		bson.D{{Key: "$addToSet", Value: bson.D{{Key: "jobs", Value: id}}}}, options.UpdateOne().SetUpsert(true))
	return mapError(err, "add reminder %s to slot %s", id, slot)
}

// Slot returns the ids of the jobs listed in minute t.
func (s *Store) Slot(ctx context.Context, t time.Time) ([]string, error) {
	var d struct {
		Jobs []string `bson:"jobs"`
	}
	err := s.db.Collection(slotsColl).FindOne(ctx, bson.D{{Key: "_id", Value: SlotID(t)}}).Decode(&d)
	if veikart.ErrorCode(mapError(err, "")) == veikart.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, mapError(err, "read reminder slot %s", SlotID(t))
	}
	return d.Jobs, nil
}

// Reminder returns the job with the given id, or ENOTFOUND.
func (s *Store) Reminder(ctx context.Context, id string) (remind.Record, error) {
	var d jobDoc
	err := s.db.Collection(remindersColl).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
	return d.toDomain(), mapError(err, "read reminder %s", id)
}

// SetReminderStatus records how a job ended (or that it was cancelled).
// Sent jobs stay sent.
func (s *Store) SetReminderStatus(ctx context.Context, id string, status remind.Status, detail string, now time.Time) error {
	unlock := s.locks.lock("j:" + id)
	defer unlock()
	j, err := s.Reminder(ctx, id)
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	if j.Status == remind.Sent {
		return nil
	}
	j.Status, j.Detail, j.UpdatedAt = status, detail, now.UTC()
	_, err = s.db.Collection(remindersColl).ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}}, toJobDoc(j))
	return mapError(err, "update reminder %s", id)
}

type claimDoc struct {
	ID    string    `bson:"_id"`
	Owner string    `bson:"owner"`
	Until time.Time `bson:"until"`
}

// ClaimReminder tries to take job id for owner until the lease ends. The
// latest claim wins: a new claim is made only when there is none, or when
// the latest one's lease has run out (its holder died or gave up) or was this
// owner's own. until is returned for Held.
func (s *Store) ClaimReminder(ctx context.Context, id, owner string, now, lease time.Time) (remind.Claim, time.Time, error) {
	coll := s.db.Collection(claimsColl)
	if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: id + "#done"}}).Err(); err == nil {
		return remind.Done, time.Time{}, nil
	} else if veikart.ErrorCode(mapError(err, "")) != veikart.ENOTFOUND {
		return 0, time.Time{}, mapError(err, "read claims of %s", id)
	}
	var last claimDoc
	n := 0
	for ; ; n++ {
		var c claimDoc
		err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: fmt.Sprintf("%s#%d", id, n+1)}}).Decode(&c)
		if veikart.ErrorCode(mapError(err, "")) == veikart.ENOTFOUND {
			break
		}
		if err != nil {
			return 0, time.Time{}, mapError(err, "read claims of %s", id)
		}
		last = c
	}
	if n > 0 && last.Owner != owner && now.Before(last.Until) {
		return remind.Held, last.Until.UTC(), nil
	}
	_, err := coll.InsertOne(ctx, claimDoc{ID: fmt.Sprintf("%s#%d", id, n+1), Owner: owner, Until: lease.UTC()})
	if veikart.ErrorCode(mapError(err, "")) == veikart.ECONFLICT {
		return remind.Held, lease.UTC(), nil // another process claimed it just now
	}
	if err != nil {
		return 0, time.Time{}, mapError(err, "claim reminder %s", id)
	}
	return remind.Claimed, time.Time{}, nil
}

// ReminderDevices adds to job id's devices delivered to and given up on,
// and sets when the devices still owed may be tried again (zero: any time).
func (s *Store) ReminderDevices(ctx context.Context, id string, delivered, failed []string, notBefore time.Time) error {
	if len(delivered)+len(failed) == 0 && notBefore.IsZero() {
		return nil
	}
	unlock := s.locks.lock("j:" + id)
	defer unlock()
	set := bson.D{}
	if len(delivered) > 0 {
		set = append(set, bson.E{Key: "deliveredTo", Value: bson.D{{Key: "$each", Value: delivered}}})
	}
	if len(failed) > 0 {
		set = append(set, bson.E{Key: "failedTo", Value: bson.D{{Key: "$each", Value: failed}}})
	}
	update := bson.D{{Key: "$set", Value: bson.D{{Key: "notBefore", Value: notBefore.UTC()}}}}
	if len(set) > 0 {
		update = append(update, bson.E{Key: "$addToSet", Value: set})
	}
	_, err := s.db.Collection(remindersColl).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, update)
	return mapError(err, "record devices of reminder %s", id)
}

// ReminderDone records that job id was sent, once: a second call is a no-op.
// Call it after sending and before anything else.
func (s *Store) ReminderDone(ctx context.Context, id, owner string, now time.Time) error {
	_, err := s.db.Collection(claimsColl).InsertOne(ctx, claimDoc{ID: id + "#done", Owner: owner, Until: now.UTC()})
	if err != nil && veikart.ErrorCode(mapError(err, "")) != veikart.ECONFLICT {
		return mapError(err, "record reminder %s as sent", id)
	}
	return s.SetReminderStatus(ctx, id, remind.Sent, "", now)
}
