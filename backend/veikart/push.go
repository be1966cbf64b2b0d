package veikart

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// MaxPushSubscriptions is how many devices one person can receive reminders on.
const MaxPushSubscriptions = 20

// PushSubscription is one device's Web Push subscription, as the browser's
// PushSubscription gives it. It belongs to a person, not to a role: reminders
// for the household's steps and for their agency's steps reach the same
// devices.
type PushSubscription struct {
	ID        string // a hash of the endpoint
	UserID    string
	Endpoint  string
	P256dh    string // the browser's public key, base64url
	Auth      string // the shared auth secret, base64url
	CreatedAt time.Time
	UserAgent string
}

// PushSubscriptionID is the id of the subscription with the given endpoint:
// the same device subscribing again is the same subscription.
func PushSubscriptionID(endpoint string) string {
	sum := sha256.Sum256([]byte(endpoint))
	return hex.EncodeToString(sum[:])[:32]
}
