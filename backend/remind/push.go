package remind

import (
	"context"
	"log/slog"

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
// n.Deadline.
func (p PushSender) Send(ctx context.Context, sub veikart.PushSubscription, n Notification) Outcome {
	res := p.Push.Deliver(ctx, push.Message{
		Endpoint: sub.Endpoint, P256dh: sub.P256dh, Auth: sub.Auth,
		Payload: n.Payload, TTL: n.TTL, Urgency: "normal", Topic: n.Topic,
	}, n.Deadline)
	p.Metrics.Push("retried", res.Attempts-1)
	switch res.Outcome {
	case push.Delivered:
		return Delivered
	case push.Gone:
		return Gone
	}
	// The push service's words may quote the endpoint; the subscription id
	// is enough to find it.
	p.Log.Warn("push not delivered", "subscription", sub.ID, "status", res.Status, "attempts", res.Attempts, "err", res.Err)
	return Failed
}
