package remind

import (
	"context"
	"time"

	"github.com/veikart/veikart/backend/veikart"
)

// Status is where a stored job stands.
type Status string

// Job statuses.
const (
	Pending   Status = "pending"
	Sent      Status = "sent"
	Cancelled Status = "cancelled"
	Skipped   Status = "skipped" // nobody to send to, or too late
)

// Record is a job as stored: what is due when, and how far sending it got.
type Record struct {
	ID        string
	RoadmapID string
	StepID    string
	At        time.Time // UTC
	Status    Status
	UpdatedAt time.Time
	Detail    string // why it was cancelled or skipped
	// The devices (push subscription ids) a round of sending delivered to,
	// or gave up on: a later round, after a device asked to be tried
	// again later, skips them.
	DeliveredTo []string
	FailedTo    []string
	// NotBefore is when a device still owed may be tried again (its push
	// service's Retry-After): earlier rounds leave the job alone.
	NotBefore time.Time
}

// Claim is what became of an attempt to take a job for sending.
type Claim int

// Claim outcomes.
const (
	Claimed Claim = iota // this process holds the job until the lease ends
	Held                 // another process holds it; look again after the time returned
	Done                 // it was sent
)

// JobStore is the storage of jobs (package storage implements it). Jobs are
// listed in per-minute slots that schedulers walk forward in time; claims
// are made so that, of any number of processes on one database, one wins.
type JobStore interface {
	// ScheduleReminder stores job id as pending, due at at (unless it was
	// sent already), and lists it in at's slot.
	ScheduleReminder(ctx context.Context, id, roadmapID, stepID string, at, now time.Time) error
	// AddToSlot lists job id in the slot of minute t (again, if it was).
	AddToSlot(ctx context.Context, t time.Time, id string) error
	// Slot returns the ids of the jobs listed in minute t.
	Slot(ctx context.Context, t time.Time) ([]string, error)
	// Reminder returns job id, or ENOTFOUND.
	Reminder(ctx context.Context, id string) (Record, error)
	// SetReminderStatus records how a job ended, or that it was
	// cancelled; a sent job stays sent. A missing job is no error.
	SetReminderStatus(ctx context.Context, id string, status Status, detail string, now time.Time) error
	// ClaimReminder tries to take job id for owner until lease; for Held
	// it returns when the other process's lease ends.
	ClaimReminder(ctx context.Context, id, owner string, now, lease time.Time) (Claim, time.Time, error)
	// ReminderDevices adds to job id's devices delivered to and given up
	// on, and sets when the devices still owed may be tried (zero: any
	// time).
	ReminderDevices(ctx context.Context, id string, delivered, failed []string, notBefore time.Time) error
	// ReminderDone records, once, that job id was sent, and marks it Sent.
	ReminderDone(ctx context.Context, id, owner string, now time.Time) error
}

// Devices are people's push subscriptions.
type Devices interface {
	// PushSubscriptions returns userID's subscriptions; none is an empty
	// list.
	PushSubscriptions(ctx context.Context, userID string) ([]veikart.PushSubscription, error)
	// RemovePushSubscription forgets userID's subscription with the given
	// endpoint, and reports whether there was one.
	RemovePushSubscription(ctx context.Context, userID, endpoint string) (bool, error)
}

// Store is what a Scheduler needs of storage: the jobs, the devices, and
// the roadmaps and agencies that decide whether a job is still wanted and
// who gets it (ENOTFOUND for one that is gone).
type Store interface {
	JobStore
	Devices
	Roadmap(ctx context.Context, id string) (*veikart.Roadmap, error)
	Agency(ctx context.Context, id string) (*veikart.Agency, error)
}
