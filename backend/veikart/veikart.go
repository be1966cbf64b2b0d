// Package veikart holds the domain of Veikart: roadmaps, their household members,
// areas and steps, the operations that change them, and the people and sessions
// that use them. It does no I/O; storage, HTTP and auth depend on it, never the
// reverse.
package veikart

import (
	"errors"
	"fmt"
)

// Error codes. They are few on purpose: each maps to one HTTP status in the
// API's error handler, and storage maps driver errors onto them.
const (
	EINVALID      = "invalid"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	EPRECONDITION = "precondition_failed"
	EUNAVAILABLE  = "unavailable"
	ESTORAGEFULL  = "storage_full" // the database's disk is full: nothing can be written
	ETOOMANY      = "too_many"     // a limit on attempts or codes is reached: wait
	EINTERNAL     = "internal"
)

// ErrSignInAgain answers a valid token of a person who no longer exists
// (erased since it was issued).
var ErrSignInAgain = &Error{Code: EUNAUTHORIZED, Message: "Sign in again."}

// Error is a domain error whose Message is safe to show to the person who
// caused it. Anything that is not an *Error is treated as internal.
type Error struct {
	Code    string
	Message string
	// Pointer optionally names the offending field as a JSON pointer into the
	// request, so that a client can show the error next to the field.
	Pointer string
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// ErrorCode returns the code of the first *Error or *ConflictError in err's
// chain, or EINTERNAL.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var ce *ConflictError
	if errors.As(err, &ce) {
		return ECONFLICT
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// Conflict describes one operation that was based on a stale version of what it
// changes.
type Conflict struct {
	OpID string
	// Target names what the operation changes: "roadmap", "member:<id>",
	// "area:<id>" or "step:<id>".
	Target string
	// Fields lists the fields that someone else changed after the client's
	// base version; empty when the whole item changed or is gone.
	Fields []string
}

// ConflictError reports stale operations. Nothing of the batch was applied.
type ConflictError struct {
	Conflicts []Conflict
	// Current is the roadmap as it is now, so the client can show both sides.
	Current *Roadmap
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("%d operation(s) are based on an outdated version; nothing was changed", len(e.Conflicts))
}
