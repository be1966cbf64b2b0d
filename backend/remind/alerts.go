package remind

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"
)

// Alerts tells all of a person's devices at once that something about
// their account needs their eyes (a recovery of it has started): a push,
// in the background, each device once. It is not a reminder job: what it
// says is in the person's security log and shown by the app whatever
// becomes of the push, so a process that stops before delivering loses
// only the nudge.
type Alerts struct {
	Store  Devices
	Sender Sender
	Now    func() time.Time
	Log    *slog.Logger
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

// Alert pushes an alert of kind to userID's devices without waiting. The
// lock-screen text is discreet and in the person's language: the app's
// service worker words it from kind.
func (a Alerts) Alert(ctx context.Context, userID, kind string) {
	go a.send(context.WithoutCancel(ctx), userID, kind)
}

func (a Alerts) send(ctx context.Context, userID, kind string) {
	if a.Done != nil {
		defer a.Done(userID)
	}
	ctx, cancel := context.WithTimeout(ctx, alertRetry+30*time.Second)
	defer cancel()
	subs, err := a.Store.PushSubscriptions(ctx, userID)
	if err != nil {
		a.Log.Warn("security alert: push subscriptions", "err", err)
		return
	}
	payload, _ := json.Marshal(map[string]any{
		"title": "Veikart", "kind": "security", "alert": kind,
		"body": "Noe skjer med kontoen din i Veikart. Åpne appen.",
		"url":  "/#/settings/security", "tag": "security-" + kind,
	})
	now := a.Now()
	n := Notification{Payload: payload, Topic: "security-" + kind, Expires: now.Add(alertTTL), Deadline: now.Add(alertRetry)}
	for _, sub := range subs {
		// Best effort: a retry asked for after alertRetry is not made
		// (the app and the security log say the same).
		if outcome, _ := a.Sender.Send(ctx, sub, n); outcome == Gone {
			if _, err := a.Store.RemovePushSubscription(ctx, sub.UserID, sub.Endpoint); err != nil {
				a.Log.Warn("remove gone push subscription", "err", err)
			}
		}
	}
}
