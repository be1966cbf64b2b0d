// Package access decides who may do what with a roadmap. Decide is the one
// place that answers "may this actor do this action on this roadmap, now", and
// Project turns a roadmap into exactly what the actor may see. Both are pure:
// every handler calls them with what it has just read, so a change of consent
// holds on the very next request.
package access

import (
	"time"

	"github.com/veikart/veikart/backend/veikart"
)

// Kind says what sort of actor is asking.
type Kind string

// Kinds of actor.
const (
	Anonymous Kind = "anonymous"
	Person    Kind = "person" // a signed-in person acting for themselves
)

// Actor is who is asking.
type Actor struct {
	Kind   Kind
	UserID string
}

// Action is something an actor wants to do with a roadmap.
type Action string

// Actions on roadmaps.
const (
	Read   Action = "read"   // read the roadmap (what Project leaves of it)
	Change Action = "change" // apply operations to it
	Delete Action = "delete" // delete it with everything that belongs to it
)

// Decision is the answer, with the role the actor was judged in.
type Decision struct {
	Allowed bool
	Role    string // "owner", or "" when not allowed
}

// Decide reports whether actor may do action on r at time now. Anything not
// explicitly allowed is denied. now is unused until grants with expiry exist,
// but is part of the question from the start: consent is always "now".
func Decide(actor Actor, action Action, r *veikart.Roadmap, now time.Time) Decision {
	_ = now
	if r == nil || actor.Kind != Person || actor.UserID == "" {
		return Decision{}
	}
	if r.IsOwner(actor.UserID) {
		switch action {
		case Read, Change, Delete:
			return Decision{Allowed: true, Role: "owner"}
		}
	}
	return Decision{}
}

// Project returns the part of r that actor may read, or nil if none. Owners
// see everything. The result may share memory with r: treat it as read-only.
func Project(actor Actor, r *veikart.Roadmap, now time.Time) *veikart.Roadmap {
	if !Decide(actor, Read, r, now).Allowed {
		return nil
	}
	return r
}
