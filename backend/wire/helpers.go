package wire

import (
	"time"

	"github.com/veikart/veikart/backend/veikart"
)

// Helper is a trusted person or an interpreter as the owners see them
// (schemas/helper.schema.json). No account id: the owners know them by the
// name they gave.
type Helper struct {
	ID         string     `json:"id"`
	Kind       string     `json:"kind"`
	Name       string     `json:"name"`
	Sections   []string   `json:"sections"`
	Write      bool       `json:"write"`
	Status     string     `json:"status"`
	CreatedAt  time.Time  `json:"createdAt"`
	ExpiresAt  time.Time  `json:"expiresAt"`
	AcceptedAt *time.Time `json:"acceptedAt,omitempty"`
	RevokedAt  *time.Time `json:"revokedAt,omitempty"`
}

// Helper statuses on the wire: what the owners' screen says of each.
const (
	HelperWaiting = "waiting" // invited, nobody accepted yet
	HelperActive  = "active"
	HelperRevoked = "revoked" // the owners ended it
	HelperExpired = "expired"
)

// ToHelper renders h as it stands at now.
func ToHelper(h veikart.Helper, now time.Time) Helper {
	out := Helper{
		ID: h.ID, Kind: string(h.Kind), Name: h.Name, Sections: SectionsToStrings(h.Sections), Write: h.Write,
		CreatedAt: h.CreatedAt, ExpiresAt: h.ExpiresAt, AcceptedAt: TimePtr(h.AcceptedAt), RevokedAt: TimePtr(h.RevokedAt),
	}
	switch {
	case !h.RevokedAt.IsZero():
		out.Status = HelperRevoked
	case !now.Before(h.ExpiresAt):
		out.Status = HelperExpired
	case h.UserID == "":
		out.Status = HelperWaiting
	default:
		out.Status = HelperActive
	}
	return out
}

// HelperList is the owners' list of helpers.
type HelperList struct {
	Items []Helper `json:"items"`
}

// CreateHelperRequest is the body of POST /roadmaps/{id}/helpers.
type CreateHelperRequest struct {
	Kind     string   `json:"kind"`
	Name     string   `json:"name"`
	Sections []string `json:"sections"`
	Write    bool     `json:"write"`
	// ExpiresAt is a trusted person's end; Minutes an interpreter
	// session's length (default 120).
	ExpiresAt    *time.Time `json:"expiresAt,omitempty"`
	Minutes      int        `json:"minutes,omitempty"`
	ValidMinutes int        `json:"validMinutes,omitempty"`
}

// InvitedHelper is the answer to inviting a helper: the helper, and the
// one-time code to show them.
type InvitedHelper struct {
	Helper     Helper     `json:"helper"`
	Invitation Invitation `json:"invitation"`
}

// SetRenderingRequest is the body of PUT .../renderings/{field}.
type SetRenderingRequest struct {
	Text string `json:"text"`
}

// Helping is, in a person's export, a helper record that names them.
type Helping struct {
	RoadmapID string `json:"roadmapId"`
	Helper    Helper `json:"helper"`
}
