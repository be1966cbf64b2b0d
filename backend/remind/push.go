package remind

import (
	"context"
	"log/slog"
	"time"

	"github.com/veikart/veikart/backend/metrics"
	"github.com/veikart/veikart/backend/push"
	"github.com/veikart/veikart/backend/veikart"
)

// PushSender sends reminders with Web Push.
type PushSender struct {
	Push    *push.Sender
	Log     *slog.Logger
	Metrics *metrics.Metrics // counts retries; may be nil
}

// Send delivers n to one device, retrying temporary failures until
// n.Deadline; a retry the push service asks for after that, while the
// message is still worth sending, is Later.
func (p PushSender) Send(ctx context.Context, sub veikart.PushSubscription, n Notification) (Outcome, time.Time) {
	res := p.Push.Deliver(ctx, push.Message{
		Endpoint: sub.Endpoint, P256dh: sub.P256dh, Auth: sub.Auth,
		Payload: n.Payload, Expires: n.Expires, Urgency: "normal", Topic: n.Topic,
	}, n.Deadline)
	p.Metrics.Push("retried", max(res.Attempts-1, 0))
	switch {
	case res.Outcome == push.Delivered:
		return Delivered, time.Time{}
	case res.Outcome == push.Gone:
		return Gone, time.Time{}
	case res.Outcome == push.Retry && !res.RetryAt.IsZero():
		return Later, res.RetryAt
	}
	// The push service's words may quote the endpoint; the subscription id
	// is enough to find it.
	p.Log.Warn("push not delivered", "subscription", sub.ID, "status", res.Status, "attempts", res.Attempts, "err", res.Err)
	return Failed, time.Time{}
}
