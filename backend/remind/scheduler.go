package remind

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/veikart/veikart/backend/metrics"
	"github.com/veikart/veikart/backend/veikart"
)

// Outcome is what became of one notification to one device.
type Outcome int

// Outcomes.
const (
	Delivered Outcome = iota
	Gone              // the subscription no longer exists: forget it
	Failed            // refused for good, or its time ran out
	Later             // not yet: try again at the time Send returns
)

// Notification is one message to send to every device of the recipients.
type Notification struct {
	Payload []byte
	Topic   string
	// Expires is when the message stops being worth delivering: the push
	// service keeps it for a device that is offline until then.
	Expires time.Time
	// Deadline is how long this process may keep trying (within its
	// claim on the job); a retry after it is handed on (Later).
	Deadline time.Time
}

// Sender delivers a notification to one device. For Later it also returns
// when to try that device again (before n.Expires).
type Sender interface {
	Send(ctx context.Context, sub veikart.PushSubscription, n Notification) (Outcome, time.Time)
}

// Scheduler sends due reminders. Any number of schedulers may run against one
// database (one per server process); each job is sent once.
type Scheduler struct {
	Store  Store
	Sender Sender
	Now    func() time.Time
	Loc    *time.Location // the households' time zone
	Log    *slog.Logger
	// Owner names this process in its claims; unique per process.
	Owner string
	// Lease is how long a claim holds; a process that dies mid-send has its
	// jobs taken over after it. Default 2 minutes.
	Lease time.Duration
	// MaxLate is how late a reminder may still be sent (the server was
	// down, or quiet hours held it back). Default 12 hours.
	MaxLate time.Duration
	// Metrics, if set, counts what is sent and how late.
	Metrics *metrics.Metrics

	cursor time.Time
}

func (s *Scheduler) lease() time.Duration {
	if s.Lease <= 0 {
		return 2 * time.Minute
	}
	return s.Lease
}

func (s *Scheduler) maxLate() time.Duration {
	if s.MaxLate <= 0 {
		return 12 * time.Hour
	}
	return s.MaxLate
}

// Run calls Tick every interval until ctx ends.
func (s *Scheduler) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := s.Tick(ctx); err != nil && ctx.Err() == nil {
			s.Log.Error("reminders", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Tick handles every job listed in the minutes from the last tick to now, and
// reports how many it sent. The first tick looks back MaxLate.
func (s *Scheduler) Tick(ctx context.Context) (int, error) {
	now := s.Now().UTC()
	if s.cursor.IsZero() {
		s.cursor = now.Add(-s.maxLate())
	}
	sent := 0
	for m := s.cursor.Truncate(time.Minute); !m.After(now); m = m.Add(time.Minute) {
		ids, err := s.Store.Slot(ctx, m)
		if err != nil {
			return sent, err
		}
		n, err := s.handleAll(ctx, ids, now)
		sent += n
		if err != nil {
			return sent, err
		}
	}
	// The current minute is walked again next time: jobs may still be
	// listed in it.
	s.cursor = now.Truncate(time.Minute)
	return sent, nil
}

// workers is how many jobs one scheduler handles at once: most of a job's
// time is waiting for the database and the push service.
const workers = 16

// handleAll handles the jobs of one slot, several at once.
func (s *Scheduler) handleAll(ctx context.Context, ids []string, now time.Time) (int, error) {
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		sent     int
		firstErr error
	)
	sem := make(chan struct{}, workers)
	for _, id := range ids {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			ok, err := s.handle(ctx, id, now)
			mu.Lock()
			defer mu.Unlock()
			if ok {
				sent++
			}
			if err != nil && firstErr == nil {
				firstErr = err
			}
		}()
	}
	wg.Wait()
	return sent, firstErr
}

// handle sends job id if it is due, pending, still wanted, and this process
// wins its claim, and reports whether a device got it.
func (s *Scheduler) handle(ctx context.Context, id string, now time.Time) (bool, error) {
	j, ok, err := s.claim(ctx, id, now)
	if err != nil || !ok {
		return false, err
	}
	job, users, ok, err := s.wanted(ctx, j, now)
	if err != nil || !ok {
		return false, err
	}
	rd, err := s.sendRound(ctx, j, job, users, now)
	if err != nil {
		return false, err
	}
	return s.finish(ctx, j, rd, now)
}

// claim reads job id and takes it for this process if it is due now. A job
// that is not pending, or not yet due, is left alone; one too late is
// skipped; one in quiet hours moves to their end; one another process
// holds is looked at again when that lease ends, in case its holder died.
func (s *Scheduler) claim(ctx context.Context, id string, now time.Time) (Record, bool, error) {
	j, err := s.Store.Reminder(ctx, id)
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return j, false, nil
	}
	if err != nil {
		return j, false, err
	}
	if j.Status != Pending || now.Before(j.At) || now.Before(j.NotBefore) {
		return j, false, nil
	}
	if now.Sub(j.At) > s.maxLate() {
		return j, false, s.Store.SetReminderStatus(ctx, id, Skipped, "too late", now)
	}
	if quiet, until := Quiet(now, s.Loc); quiet {
		return j, false, s.Store.AddToSlot(ctx, until, id)
	}
	claim, until, err := s.Store.ClaimReminder(ctx, id, s.Owner, now, now.Add(s.lease()))
	switch {
	case err != nil || claim == Done:
		return j, false, err
	case claim == Held:
		return j, false, s.Store.AddToSlot(ctx, until.Add(time.Minute), id)
	}
	return j, true, nil
}

// wanted finds the claimed job j in its roadmap as the roadmap is now, and
// the people it goes to. A job the roadmap no longer wants is cancelled.
func (s *Scheduler) wanted(ctx context.Context, j Record, now time.Time) (Job, []string, bool, error) {
	r, err := s.Store.Roadmap(ctx, j.RoadmapID)
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return Job{}, nil, false, s.Store.SetReminderStatus(ctx, j.ID, Cancelled, "roadmap deleted", now)
	}
	if err != nil {
		return Job{}, nil, false, err
	}
	job, ok := Wanted(r, j.ID, s.Loc)
	if !ok {
		return Job{}, nil, false, s.Store.SetReminderStatus(ctx, j.ID, Cancelled, "step changed", now)
	}
	users, err := s.recipients(ctx, r, job, now)
	if err != nil {
		return Job{}, nil, false, err
	}
	return job, users, true, nil
}

// round is what one round of sending a job did.
type round struct {
	deliveredTo, failedTo []string  // subscription ids
	gone                  int       // subscriptions that no longer exist, forgotten
	later                 time.Time // the earliest a device asked to be tried again; zero: none did
}

// sendRound sends job to the devices of users, but for those a round before
// this one delivered to or gave up on (j's record).
func (s *Scheduler) sendRound(ctx context.Context, j Record, job Job, users []string, now time.Time) (round, error) {
	n := s.notification(job, now)
	handled := make(map[string]bool, len(j.DeliveredTo)+len(j.FailedTo))
	for _, ids := range [][]string{j.DeliveredTo, j.FailedTo} {
		for _, id := range ids {
			handled[id] = true
		}
	}
	var rd round
	for _, u := range users {
		subs, err := s.Store.PushSubscriptions(ctx, u)
		if err != nil {
			return rd, err
		}
		for _, sub := range subs {
			if !handled[sub.ID] {
				s.deliver(ctx, sub, n, &rd)
			}
		}
	}
	return rd, nil
}

// deliver sends n to one device and adds the outcome to rd.
func (s *Scheduler) deliver(ctx context.Context, sub veikart.PushSubscription, n Notification, rd *round) {
	outcome, at := s.Sender.Send(ctx, sub, n)
	switch outcome {
	case Delivered:
		rd.deliveredTo = append(rd.deliveredTo, sub.ID)
	case Gone:
		rd.gone++
		if _, err := s.Store.RemovePushSubscription(ctx, sub.UserID, sub.Endpoint); err != nil {
			s.Log.Warn("remove gone push subscription", "err", err)
		}
	case Later:
		if rd.later.IsZero() || at.Before(rd.later) {
			rd.later = at
		}
	default:
		rd.failedTo = append(rd.failedTo, sub.ID)
	}
}

// finish records a round of job j: its devices, and then either the job
// handed on to when a device may be tried again, or the job done (and
// skipped if no round got it to any device). It reports whether this
// round delivered.
func (s *Scheduler) finish(ctx context.Context, j Record, rd round, now time.Time) (bool, error) {
	s.Metrics.Push("delivered", len(rd.deliveredTo))
	s.Metrics.Push("failed", len(rd.failedTo))
	s.Metrics.Push("gone", rd.gone)
	if err := s.Store.ReminderDevices(ctx, j.ID, rd.deliveredTo, rd.failedTo, rd.later); err != nil {
		return false, err
	}
	if later := rd.later; !later.IsZero() {
		// A device asked to be tried again after this claim's time (a
		// long Retry-After, a push service away): the job goes on at
		// that minute, for the devices still owed, in this process or,
		// if it is gone by then, another. The others are not held up.
		s.Metrics.Push("handed-on", 1)
		// The minute after: a slot is walked from its start, and the
		// push service said not before later.
		if !later.Equal(later.Truncate(time.Minute)) {
			later = later.Truncate(time.Minute).Add(time.Minute)
		}
		return len(rd.deliveredTo) > 0, s.Store.AddToSlot(ctx, later, j.ID)
	}
	if err := s.Store.ReminderDone(ctx, j.ID, s.Owner, now); err != nil {
		return false, err
	}
	if len(rd.deliveredTo)+len(j.DeliveredTo) == 0 {
		return false, s.Store.SetReminderStatus(ctx, j.ID, Skipped, "no device got it", now)
	}
	s.Metrics.ReminderLag(now.Sub(j.At))
	return true, nil
}

func (s *Scheduler) notification(j Job, now time.Time) Notification {
	msg := map[string]any{
		"title": "Veikart",
		"body":  Text(j, now, s.Loc),
		// The app's service worker says the same in the person's language,
		// counting the days from the due date when it shows the reminder:
		// a phone off overnight gets it a day later than it was sent.
		"days": Days(j, now, s.Loc),
		"due":  j.Due,
		// Opens the step in the app, which shows it once signed in.
		"url": "/#/roadmaps/" + j.RoadmapID + "/steps/" + j.StepID,
		"tag": Topic(j.ID),
	}
	switch {
	case j.Review:
		delete(msg, "days")
		msg["kind"], msg["url"] = "review", "/#/roadmaps/"+j.RoadmapID+"/review"
	case j.Promise == ChecklistUnconfirmed:
		// No days either: the agency opens the roadmap to answer the line.
		delete(msg, "days")
		delete(msg, "due")
		msg["kind"], msg["url"] = "checklist", "/#/roadmaps/"+j.RoadmapID
	case j.Promise != "":
		// No days: the text is the same whenever the phone shows it.
		delete(msg, "days")
		delete(msg, "due")
		msg["kind"], msg["url"] = "promise", "/#/roadmaps/"+j.RoadmapID+"/team"
	case j.MeetingID != "":
		delete(msg, "days")
		delete(msg, "due")
		msg["kind"], msg["url"] = "meeting", "/#/roadmaps/"+j.RoadmapID+"/meetings/"+j.MeetingID
		switch {
		case j.Invite:
			msg["kind"] = "meeting-invite"
		case j.Minutes:
			msg["kind"] = "meeting-minutes"
		}
	case j.GrantID != "" && j.Audience == ToHousehold:
		msg["kind"], msg["url"] = "grant", "/#/roadmaps/"+j.RoadmapID+"/sharing"
	case j.GrantID != "":
		msg["kind"], msg["url"] = "grant", "/#/roadmaps/"+j.RoadmapID
	case j.Audience == ToHousehold:
		msg["kind"], msg["url"] = "transition", "/#/roadmaps/"+j.RoadmapID+"/transitions"
	case j.Audience == ToAgency:
		msg["kind"], msg["url"] = "transition", "/#/roadmaps/"+j.RoadmapID
	}
	payload, _ := json.Marshal(msg)
	// Worth delivering until the end of the due day, at least an hour and
	// never for more than a day (an old reminder is noise): a phone that is
	// off or asleep gets it when it wakes within that time.
	due, _ := time.ParseInLocation(time.DateOnly, j.Due, s.Loc)
	ttl := min(max(due.AddDate(0, 0, 1).Sub(now), time.Hour), 24*time.Hour)
	// Retries in this call stop before the claim's lease ends, so that no
	// other process takes the job over while this one may still deliver
	// it; a retry later than that is handed on (Later), not dropped.
	return Notification{Payload: payload, Topic: Topic(j.ID), Expires: now.Add(ttl), Deadline: now.Add(min(ttl, s.lease()-10*time.Second))}
}

// recipients are the people a reminder goes to: the owners for the
// household's and its members' steps; for an agency's step, the agency's
// caseworkers, and only while the household lets the agency see the step.
// A transition's reminder goes to the owners, or to the receiving agency's
// caseworkers while its grant is in force; so does the warning that a grant
// ends soon, to the owners or to the agency's caseworkers.
func (s *Scheduler) recipients(ctx context.Context, r *veikart.Roadmap, j Job, now time.Time) ([]string, error) {
	var g veikart.Grant
	switch {
	case j.Review:
		return s.withCoordinator(r, slices.Clone(r.Owners), now), nil
	case j.Promise == ChecklistUnconfirmed:
		return s.checklistRecipients(ctx, r, j, now)
	case j.Promise != "":
		return s.promiseRecipients(ctx, r, j, now)
	case j.MeetingID != "" && j.Audience == ToAgency:
		return s.meetingRecipients(ctx, r, j, now)
	case j.Audience == ToHousehold:
		return slices.Clone(r.Owners), nil
	case j.GrantID != "":
		var ok bool
		if g, ok = r.Grant(j.GrantID); !ok || !g.ActiveAt(now) {
			return nil, nil
		}
	case j.Audience == ToAgency:
		t, ok := r.Transition(j.TransitionID)
		if !ok {
			return nil, nil
		}
		if g, ok = r.Grant(t.GrantID); !ok || !g.ActiveAt(now) {
			return nil, nil
		}
	default:
		st, ok := r.Step(j.StepID)
		if !ok {
			return nil, nil
		}
		if st.Responsible.Kind != veikart.ByAgency {
			return slices.Clone(r.Owners), nil
		}
		if g, ok = r.ActiveGrant(st.Responsible.AgencyID, now); !ok || !g.Allows(veikart.View, veikart.StepsSection(st.AreaID)) {
			return nil, nil
		}
	}
	return s.staff(ctx, g.AgencyID, veikart.CaseworkerRole)
}

// staff are the people of agencyID with role; none if it is gone.
func (s *Scheduler) staff(ctx context.Context, agencyID string, role veikart.AgencyRole) ([]string, error) {
	a, err := s.Store.Agency(ctx, agencyID)
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range a.Staff {
		if slices.Contains(m.Roles, role) {
			out = append(out, m.UserID)
		}
	}
	return out, nil
}

// promiseRecipients are the people told that a promise is late, while the
// household lets the agency see the step: first the caseworker who made
// the promise (while they still are one; else the agency's caseworkers)
// and the coordinator; a week later, the agency's administrators.
func (s *Scheduler) promiseRecipients(ctx context.Context, r *veikart.Roadmap, j Job, now time.Time) ([]string, error) {
	st, ok := r.Step(j.StepID)
	if !ok {
		return nil, nil
	}
	agencyID := st.Responsible.AgencyID
	if g, ok := r.ActiveGrant(agencyID, now); !ok || !g.Allows(veikart.View, veikart.StepsSection(st.AreaID)) {
		return nil, nil
	}
	if j.Promise == PromiseEscalated {
		return s.staff(ctx, agencyID, veikart.AdminRole)
	}
	caseworkers, err := s.staff(ctx, agencyID, veikart.CaseworkerRole)
	if err != nil {
		return nil, err
	}
	out := caseworkers
	if slices.Contains(caseworkers, st.Promise.By) {
		out = []string{st.Promise.By}
	}
	return s.withCoordinator(r, out, now), nil
}

// checklistRecipients are the people told that a checklist line is not
// confirmed, while the household lets the agency see the step: the
// agency's contact person for the household if it named one (and they are
// still a caseworker), else its caseworkers; and the coordinator.
func (s *Scheduler) checklistRecipients(ctx context.Context, r *veikart.Roadmap, j Job, now time.Time) ([]string, error) {
	st, ok := r.Step(j.StepID)
	if !ok {
		return nil, nil
	}
	g, ok := r.ActiveGrant(st.Responsible.AgencyID, now)
	if !ok || !g.Allows(veikart.View, veikart.StepsSection(st.AreaID)) {
		return nil, nil
	}
	out, err := s.staff(ctx, g.AgencyID, veikart.CaseworkerRole)
	if err != nil {
		return nil, err
	}
	if slices.Contains(out, g.Contact.UserID) {
		out = []string{g.Contact.UserID}
	}
	return s.withCoordinator(r, out, now), nil
}

// withCoordinator is people and r's coordinator, if r has one in force.
func (s *Scheduler) withCoordinator(r *veikart.Roadmap, people []string, now time.Time) []string {
	if c := r.Coordinator; r.IsCoordinator(c.AgencyID, c.UserID, now) && !slices.Contains(people, c.UserID) {
		people = append(people, c.UserID)
	}
	return people
}

// Sync brings the stored jobs in line with a change of a roadmap from old to
// next (either may be nil). A reminder whose moment has passed is scheduled
// for now if it is at most MaxLate late, else not at all.
func (s *Scheduler) Sync(ctx context.Context, old, next *veikart.Roadmap) error {
	now := s.Now().UTC()
	add, cancel := Changes(old, next, s.Loc)
	for _, j := range add {
		at := j.At
		if at.Before(now) {
			if now.Sub(at) > s.maxLate() {
				continue
			}
			at = now
		}
		if err := s.Store.ScheduleReminder(ctx, j.ID, j.RoadmapID, j.StepID, at, now); err != nil {
			return err
		}
	}
	for _, id := range cancel {
		if err := s.Store.SetReminderStatus(ctx, id, Cancelled, "step changed", now); err != nil {
			return err
		}
	}
	return nil
}

// meetingRecipients are the people of the agencies invited to a meeting
// told of it: each agency's contact person for the household, or, where it
// named none, its caseworkers; only while its grant is in force.
func (s *Scheduler) meetingRecipients(ctx context.Context, r *veikart.Roadmap, j Job, now time.Time) ([]string, error) {
	m, ok := r.Meeting(j.MeetingID)
	if !ok {
		return nil, nil
	}
	var out []string
	for _, a := range m.Invitees {
		g, ok := r.ActiveGrant(a, now)
		if !ok {
			continue
		}
		if g.Contact.UserID != "" {
			out = append(out, g.Contact.UserID)
			continue
		}
		staff, err := s.staff(ctx, a, veikart.CaseworkerRole)
		if err != nil {
			return nil, err
		}
		out = append(out, staff...)
	}
	return out, nil
}
