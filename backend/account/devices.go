package account

import (
	"context"
	"slices"
	"time"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/veikart"
)

// The devices a person receives reminders on (Web Push subscriptions). A
// subscription belongs to the person, whether they act for themselves or
// for an agency, so that reminders of both kinds reach the same devices.
// The endpoint and keys are the device's secrets: stored for sending,
// never shown again.

var (
	errNoSubscription = &veikart.Error{Code: veikart.ENOTFOUND, Message: "There is no such device."}
	// ErrPushNotOperators refuses an operator's token the push routes.
	ErrPushNotOperators = &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Operator tokens are for the admin API: sign in as yourself to receive reminders."}
)

// pushPerson is the person a push use case acts for: anyone signed in as a
// person, for themselves or for an agency; never an operator.
func pushPerson(actor access.Actor) error {
	if !access.Permit(actor, access.UseAccount, "") {
		return ErrPushNotOperators
	}
	return nil
}

// Devices lists the person's subscriptions, newest first.
func (s *Service) Devices(ctx context.Context, actor access.Actor) ([]veikart.PushSubscription, error) {
	if err := pushPerson(actor); err != nil {
		return nil, err
	}
	subs, err := s.store.PushSubscriptions(ctx, actor.UserID)
	slices.Reverse(subs)
	return subs, err
}

// Subscribe stores a device's subscription (its ID, UserID and CreatedAt
// are set here). The same endpoint again (a browser renewing its keys, or
// an app sending its subscription at start) is the same subscription:
// created is false and it keeps its id and when it was made.
func (s *Service) Subscribe(ctx context.Context, actor access.Actor, sub veikart.PushSubscription) (veikart.PushSubscription, bool, error) {
	if err := pushPerson(actor); err != nil {
		return sub, false, err
	}
	if _, err := s.store.User(ctx, actor.UserID); err != nil {
		if veikart.ErrorCode(err) == veikart.ENOTFOUND {
			return sub, false, veikart.ErrSignInAgain // a valid token of a person erased since
		}
		return sub, false, err
	}
	sub.ID, sub.UserID, sub.CreatedAt = veikart.PushSubscriptionID(sub.Endpoint), actor.UserID, s.now().UTC().Truncate(time.Millisecond)
	have, err := s.store.PushSubscriptions(ctx, actor.UserID)
	if err != nil {
		return sub, false, err
	}
	created := true
	if i := slices.IndexFunc(have, func(p veikart.PushSubscription) bool { return p.Endpoint == sub.Endpoint }); i >= 0 {
		created, sub.CreatedAt = false, have[i].CreatedAt
	}
	return sub, created, s.store.AddPushSubscription(ctx, sub)
}

// Unsubscribe stops reminders on one of the person's devices. Another
// person's subscription is not found, like one that never was.
func (s *Service) Unsubscribe(ctx context.Context, actor access.Actor, id string) error {
	if err := pushPerson(actor); err != nil {
		return err
	}
	subs, err := s.store.PushSubscriptions(ctx, actor.UserID)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(subs, func(p veikart.PushSubscription) bool { return p.ID == id })
	if i < 0 {
		return errNoSubscription
	}
	removed, err := s.store.RemovePushSubscription(ctx, actor.UserID, subs[i].Endpoint)
	if err != nil {
		return err
	}
	if !removed {
		return errNoSubscription // removed by a concurrent request
	}
	return nil
}
