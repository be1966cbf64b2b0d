package remind

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/veikart/veikart/backend/veikart"
)

// Alerts tells all of a person's devices at once that something needs
// their eyes: a recovery of their account has started (Alert), or a
// message came (MessageArrived). A push, in the background, each device
// once. It is not a reminder job: what it says is shown by the app
// whatever becomes of the push (the security log, the unread counts), so
// a process that stops before delivering loses only the nudge.
type Alerts struct {
	Store  Devices
	Sender Sender
	Now    func() time.Time
	Log    *slog.Logger
	// Loc is the households' time zone, for quiet hours; nil is UTC.
	Loc *time.Location
	// Done, if set, is called when an alert has been tried on every
	// device (tests wait on it).
	Done func(userID string)
}

// alertTTL is how long a push service holds an alert for a device that is
// off: a recovery waits three days, and the person should hear of it the
// moment their phone is back.
const alertTTL = 3 * 24 * time.Hour

// alertRetry is how long one alert is retried on a device that answers
// 429 or 5xx.
const alertRetry = 5 * time.Minute

// messageTTL is how long a push service holds the notice of a message: a
// day; after that the unread count says it.
const messageTTL = 24 * time.Hour

// Alert pushes an alert of kind to userID's devices without waiting. The
// lock-screen text is discreet and in the person's language: the app's
// service worker words it from kind.
func (a Alerts) Alert(ctx context.Context, userID, kind string) {
	payload, _ := json.Marshal(map[string]any{
		"title": "Veikart", "kind": "security", "alert": kind,
		"body": "Noe skjer med kontoen din i Veikart. Åpne appen.",
		"url":  "/#/settings/security", "tag": "security-" + kind,
	})
	now := a.Now()
	n := Notification{Payload: payload, Topic: "security-" + kind, Expires: now.Add(alertTTL), Deadline: now.Add(alertRetry)}
	go a.send(context.WithoutCancel(ctx), userID, n)
}

// MessageArrived pushes to userIDs' devices, without waiting, that a
// message came in roadmapID's conversation with agencyID, for side to.
// Discreet: "Du har en ny melding i Veikart" (the service worker words it
// in the person's language from kind "message"); the app fetches the rest.
// In quiet hours nothing is pushed: the unread counts show it.
func (a Alerts) MessageArrived(ctx context.Context, userIDs []string, roadmapID, agencyID string, to veikart.Side) {
	if quiet, _ := Quiet(a.Now(), a.loc()); quiet {
		return
	}
	url := "/#/roadmaps/" + roadmapID + "/messages/" + agencyID
	// One tag and Topic for all messages: a push service holding several
	// for a phone that is off delivers only the newest, and the phone
	// shows one notice, not a pile of them.
	payload, _ := json.Marshal(map[string]any{
		"title": "Veikart", "kind": "message", "side": string(to),
		"body": "Du har en ny melding i Veikart", "url": url, "tag": "message",
	})
	now := a.Now()
	n := Notification{Payload: payload, Topic: "message", Expires: now.Add(messageTTL), Deadline: now.Add(alertRetry)}
	ctx = context.WithoutCancel(ctx)
	for _, u := range userIDs {
		go a.send(ctx, u, n)
	}
}

func (a Alerts) loc() *time.Location {
	if a.Loc == nil {
		return time.UTC
	}
	return a.Loc
}

// send tries n on each of userID's devices once, forgetting the devices
// whose push service says they are gone.
func (a Alerts) send(ctx context.Context, userID string, n Notification) {
	if a.Done != nil {
		defer a.Done(userID)
	}
	ctx, cancel := context.WithTimeout(ctx, alertRetry+30*time.Second)
	defer cancel()
	subs, err := a.Store.PushSubscriptions(ctx, userID)
	if err != nil {
		a.Log.Warn("alert: push subscriptions", "err", err)
		return
	}
	for _, sub := range subs {
		// Best effort: a retry asked for after alertRetry is not made
		// (the app says the same).
		if outcome, _ := a.Sender.Send(ctx, sub, n); outcome == Gone {
			if _, err := a.Store.RemovePushSubscription(ctx, sub.UserID, sub.Endpoint); err != nil {
				a.Log.Warn("remove gone push subscription", "err", err)
			}
		}
	}
}
