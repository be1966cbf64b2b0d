package storage

import (
	"context"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/veikart/veikart/backend/veikart"
)

// A person's Web Push subscriptions: one document per person, keyed by their
// user id, so that the sender and the API only ever read by _id (the one
// filter the embedded store answers from an index). Writes are a read, a
// change and a replace under the person's stripe lock.
//
// The lock holds within one process. With several replicas on a shared
// MongoDB, two writes for the same person at the same moment can lose one
// of them (the last replace wins); a device's subscription is resent by the
// app on its next start, so nothing is lost for good.
type pushDoc struct {
	ID            string       `bson:"_id"` // user id
	Subscriptions []pushSubDoc `bson:"subscriptions"`
}

type pushSubDoc struct {
	ID        string    `bson:"id"`
	Endpoint  string    `bson:"endpoint"`
	P256dh    string    `bson:"p256dh"`
	Auth      string    `bson:"auth"`
	CreatedAt time.Time `bson:"createdAt"`
	UserAgent string    `bson:"userAgent,omitempty"`
}

func toPushSubDoc(s veikart.PushSubscription) pushSubDoc {
	return pushSubDoc{ID: s.ID, Endpoint: s.Endpoint, P256dh: s.P256dh, Auth: s.Auth, CreatedAt: s.CreatedAt, UserAgent: s.UserAgent}
}

func (d pushSubDoc) toDomain(userID string) veikart.PushSubscription {
	return veikart.PushSubscription{
		ID: d.ID, UserID: userID, Endpoint: d.Endpoint, P256dh: d.P256dh, Auth: d.Auth,
		CreatedAt: d.CreatedAt.UTC(), UserAgent: d.UserAgent,
	}
}

// PushSubscriptionID is the id of the subscription with the given endpoint:
// the first 32 hex digits of its SHA-256. The endpoint names the device's
// subscription at its push service, so the same endpoint is the same
// subscription, and the id says nothing of the endpoint itself.
func PushSubscriptionID(endpoint string) string { return veikart.PushSubscriptionID(endpoint) }

// PushSubscriptions returns userID's subscriptions, oldest first; none is an
// empty list, not an error.
func (s *Store) PushSubscriptions(ctx context.Context, userID string) ([]veikart.PushSubscription, error) {
	d, found, err := s.loadPush(ctx, userID)
	if err != nil || !found {
		return []veikart.PushSubscription{}, err
	}
	out := make([]veikart.PushSubscription, len(d.Subscriptions))
	for i, x := range d.Subscriptions {
		out[i] = x.toDomain(userID)
	}
	return out, nil
}

// AddPushSubscription stores sub for sub.UserID, replacing the one with the
// same endpoint if there is one (a browser renews its keys under the same
// endpoint). sub.ID is set from the endpoint; see PushSubscriptionID. It
// returns EINVALID without a user or endpoint, and ECONFLICT when the person
// already has veikart.MaxPushSubscriptions other subscriptions.
func (s *Store) AddPushSubscription(ctx context.Context, sub veikart.PushSubscription) error {
	if sub.UserID == "" || sub.Endpoint == "" {
		return &veikart.Error{Code: veikart.EINVALID, Message: "A push subscription needs a person and an endpoint."}
	}
	sub.ID = PushSubscriptionID(sub.Endpoint)
	unlock := s.locks.lock("p:" + sub.UserID)
	defer unlock()
	d, _, err := s.loadPush(ctx, sub.UserID)
	if err != nil {
		return err
	}
	d.ID = sub.UserID
	if i := slices.IndexFunc(d.Subscriptions, func(x pushSubDoc) bool { return x.Endpoint == sub.Endpoint }); i >= 0 {
		d.Subscriptions[i] = toPushSubDoc(sub)
	} else {
		if len(d.Subscriptions) >= veikart.MaxPushSubscriptions {
			return &veikart.Error{Code: veikart.ECONFLICT, Message: fmt.Sprintf(
				"You receive reminders on %d devices already. Turn them off on a device you no longer use first.", veikart.MaxPushSubscriptions)}
		}
		d.Subscriptions = append(d.Subscriptions, toPushSubDoc(sub))
	}
	return s.savePush(ctx, d)
}

// RemovePushSubscription removes userID's subscription with the given
// endpoint, and reports whether there was one.
func (s *Store) RemovePushSubscription(ctx context.Context, userID, endpoint string) (bool, error) {
	unlock := s.locks.lock("p:" + userID)
	defer unlock()
	d, found, err := s.loadPush(ctx, userID)
	if err != nil || !found {
		return false, err
	}
	i := slices.IndexFunc(d.Subscriptions, func(x pushSubDoc) bool { return x.Endpoint == endpoint })
	if i < 0 {
		return false, nil
	}
	d.Subscriptions = slices.Delete(d.Subscriptions, i, i+1)
	if len(d.Subscriptions) == 0 {
		// No empty documents: a person without devices has none.
		if _, err := s.db.Collection(pushColl).DeleteOne(ctx, bson.D{{Key: "_id", Value: userID}}); err != nil {
			return false, mapError(err, "delete push subscriptions of %s", userID)
		}
		return true, nil
	}
	if err := s.savePush(ctx, d); err != nil {
		return false, err
	}
	return true, nil
}

// loadPush reads userID's document; found is false (and d empty) if there is
// none.
func (s *Store) loadPush(ctx context.Context, userID string) (d pushDoc, found bool, err error) {
	err = s.db.Collection(pushColl).FindOne(ctx, bson.D{{Key: "_id", Value: userID}}).Decode(&d)
	if err != nil {
		err = mapError(err, "find push subscriptions of %s", userID)
		if veikart.ErrorCode(err) == veikart.ENOTFOUND {
			return pushDoc{}, false, nil
		}
		return pushDoc{}, false, err
	}
	return d, true, nil
}

func (s *Store) savePush(ctx context.Context, d pushDoc) error {
	_, err := s.db.Collection(pushColl).ReplaceOne(ctx, bson.D{{Key: "_id", Value: d.ID}}, d, options.Replace().SetUpsert(true))
	return mapError(err, "save push subscriptions of %s", d.ID)
}
