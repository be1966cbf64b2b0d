package api

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/veikart/veikart/backend/household"
	"github.com/veikart/veikart/backend/validate"
	"github.com/veikart/veikart/backend/veikart"
	"github.com/veikart/veikart/backend/wire"
)

// problem is an RFC 9457 problem details document. Type is a stable relative
// URI per kind of error; clients switch on it, never on Title or Detail.
type problem struct {
	Type           string         `json:"type"`
	Title          string         `json:"title"`
	Status         int            `json:"status"`
	Detail         string         `json:"detail,omitempty"`
	Instance       string         `json:"instance,omitempty"`
	RequestID      string         `json:"requestId,omitempty"`
	Errors         []fieldError   `json:"errors,omitempty"`
	Conflicts      []conflictJSON `json:"conflicts,omitempty"`
	CurrentVersion *int64         `json:"currentVersion,omitempty"`
	Current        *wire.Roadmap  `json:"current,omitempty"`
	// Reason and EndedAt say why a caseworker's access ended
	// (/problems/access-ended): "revoked" or "expired", and when.
	Reason  string     `json:"reason,omitempty"`
	EndedAt *time.Time `json:"endedAt,omitempty"`
}

type fieldError struct {
	Pointer string `json:"pointer"`
	Message string `json:"message"`
}

type conflictJSON struct {
	OpID    string   `json:"opId"`
	Target  string   `json:"target"`
	Fields  []string `json:"fields"`
	Current any      `json:"current"`
}

// problemKind is one row of the table that maps errors to responses.
type problemKind struct {
	slug   string
	title  string
	status int
}

var (
	kindValidation   = problemKind{"validation", "The request is not valid", fiber.StatusUnprocessableEntity}
	kindMalformed    = problemKind{"malformed-json", "The request body is not well-formed JSON", fiber.StatusBadRequest}
	kindMediaType    = problemKind{"unsupported-media-type", "The request body must be application/json", fiber.StatusUnsupportedMediaType}
	kindTooLarge     = problemKind{"body-too-large", "The request body is too large", fiber.StatusRequestEntityTooLarge}
	kindUnauthorized = problemKind{"unauthorized", "Sign-in required", fiber.StatusUnauthorized}
	kindForbidden    = problemKind{"forbidden", "Not allowed", fiber.StatusForbidden}
	kindNotFound     = problemKind{"not-found", "Not found", fiber.StatusNotFound}
	kindConflict     = problemKind{"conflict", "Conflict with the current state", fiber.StatusConflict}
	kindPrecondition = problemKind{"precondition-failed", "The resource has changed", fiber.StatusPreconditionFailed}
	kindMethod       = problemKind{"method-not-allowed", "Method not allowed", fiber.StatusMethodNotAllowed}
	kindRateLimited  = problemKind{"rate-limited", "Too many requests", fiber.StatusTooManyRequests}
	kindUnavailable  = problemKind{"unavailable", "The service is temporarily unavailable", fiber.StatusServiceUnavailable}
	kindTimeout      = problemKind{"request-timeout", "The request did not arrive in time", fiber.StatusRequestTimeout}
	kindInternal     = problemKind{"internal", "Internal error", fiber.StatusInternalServerError}
	kindStorageFull  = problemKind{"storage-full", "The server's storage is full", fiber.StatusInsufficientStorage}
	kindBadRequest   = problemKind{"bad-request", "Bad request", fiber.StatusBadRequest}
	kindAccessEnded  = problemKind{"access-ended", "Access has ended", fiber.StatusForbidden}
)

// kindByCode is the one table from domain error codes to HTTP.
var kindByCode = map[string]problemKind{
	veikart.EINVALID:      kindValidation,
	veikart.EUNAUTHORIZED: kindUnauthorized,
	veikart.EFORBIDDEN:    kindForbidden,
	veikart.ENOTFOUND:     kindNotFound,
	veikart.ECONFLICT:     kindConflict,
	veikart.EPRECONDITION: kindPrecondition,
	veikart.EUNAVAILABLE:  kindUnavailable,
	veikart.ETOOMANY:      kindRateLimited,
	veikart.ESTORAGEFULL:  kindStorageFull,
	veikart.EINTERNAL:     kindInternal,
}

// requestError is an error raised by the HTTP layer itself (bad headers,
// malformed bodies) rather than by the domain.
type requestError struct {
	kind   problemKind
	detail string
	errors []fieldError
}

func (e *requestError) Error() string { return e.kind.slug + ": " + e.detail }

func newProblem(k problemKind, detail string) *problem {
	return &problem{Type: "/problems/" + k.slug, Title: k.title, Status: k.status, Detail: detail}
}

// errorHandler is Fiber's error handler: every error a handler returns ends
// here and leaves as problem details. Causes of internal errors are logged
// with the request id and never sent.
func (s *Server) errorHandler(c *fiber.Ctx, err error) error {
	p := s.toProblem(c, err)
	// A request refused while it was read (a chunked body over the limit)
	// reaches here emptied by fasthttp: its path is the one remembered when
	// its header arrived. Any other request as read has a Host (HTTP/1.1
	// requires one; fasthttp fills it in for HTTP/1.0); one without, refused
	// before its header was whole, gets no instance rather than a wrong "/".
	if path, ok := s.reading.take(&c.Request().Header); ok {
		p.Instance = path
	} else if len(c.Context().Request.Header.Host()) > 0 {
		p.Instance = c.Path()
	}
	p.RequestID = requestID(c)
	if p.Status == fiber.StatusUnauthorized {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="veikart"`)
	}
	if p.Status == fiber.StatusServiceUnavailable {
		c.Set(fiber.HeaderRetryAfter, "5")
	}
	if p.Status == fiber.StatusInsufficientStorage {
		// An operator has to free space: not in seconds.
		c.Set(fiber.HeaderRetryAfter, "60")
	}
	if p.Status == fiber.StatusRequestTimeout {
		c.Context().SetConnectionClose()
	}
	if p.Status == fiber.StatusTooManyRequests && len(c.Response().Header.Peek(fiber.HeaderRetryAfter)) == 0 {
		// The limiters say exactly when; a 429 from elsewhere (the
		// per-account sign-in limit: one a minute) gets a minute.
		c.Set(fiber.HeaderRetryAfter, "60")
	}
	b, merr := json.Marshal(p)
	if merr != nil {
		s.log.Error("encode problem", "err", merr, "request_id", p.RequestID)
		b = []byte(`{"type":"/problems/internal","title":"Internal error","status":500}`)
		p.Status = fiber.StatusInternalServerError
	}
	c.Set(fiber.HeaderContentType, "application/problem+json")
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(p.Status).Send(b)
}

func (s *Server) toProblem(c *fiber.Ctx, err error) *problem {
	for _, known := range []func(error) *problem{accessEnded, requestProblem, validationProblem, fiberProblem, conflictProblem} {
		if p := known(err); p != nil {
			return p
		}
	}
	var de *veikart.Error
	if errors.As(err, &de) {
		return s.domainProblem(c, err, de)
	}
	s.log.Error("internal error", "err", err, "request_id", requestID(c), "path", c.Path())
	return newProblem(kindInternal, "")
}

// accessEnded answers a caseworker whose agency's grant ended: when, and
// whether revoked or run out.
func accessEnded(err error) *problem {
	var ae *household.EndedError
	if !errors.As(err, &ae) {
		return nil
	}
	p := newProblem(kindAccessEnded, "The household revoked your agency's access to this roadmap.")
	p.Reason = "revoked"
	if !ae.Revoked {
		p.Detail, p.Reason = "Your agency's access to this roadmap ran out.", "expired"
	}
	if ae.Person { // a trusted person's or an interpreter's (helpers.go)
		p.Detail = "The household ended your access to this roadmap."
		if !ae.Revoked {
			p.Detail = "Your access to this roadmap ran out."
		}
	}
	at := ae.At.UTC()
	p.EndedAt = &at
	return p
}

func requestProblem(err error) *problem {
	var re *requestError
	if !errors.As(err, &re) {
		return nil
	}
	p := newProblem(re.kind, re.detail)
	p.Errors = re.errors
	return p
}

// validationProblem is a body the schema or the I-JSON rules refused.
func validationProblem(err error) *problem {
	var ve *validate.Error
	switch {
	case errors.As(err, &ve):
		p := newProblem(kindValidation, "Some fields are not valid.")
		for _, v := range ve.Violations {
			p.Errors = append(p.Errors, fieldError{Pointer: v.Pointer, Message: v.Message})
		}
		return p
	case errors.Is(err, validate.ErrNotText):
		return newProblem(kindMalformed, "The body must be UTF-8 text with no lone surrogates or noncharacters (I-JSON, RFC 7493).")
	case errors.Is(err, validate.ErrMalformed):
		return newProblem(kindMalformed, "The body could not be parsed as JSON.")
	}
	return nil
}

// fiberProblems are the answers to Fiber's own errors by status.
var fiberProblems = map[int]struct {
	kind   problemKind
	detail string
}{
	fiber.StatusNotFound:              {kindNotFound, "There is nothing at this address."},
	fiber.StatusMethodNotAllowed:      {kindMethod, "This address does not accept this method."},
	fiber.StatusRequestEntityTooLarge: {kindTooLarge, "The request body is larger than allowed."},
	fiber.StatusTooManyRequests:       {kindRateLimited, "Slow down and try again shortly."},
	// The connection's read deadline passed (fasthttp), possibly on an
	// idle keep-alive connection: say 408 and close it. Clients know that
	// answer on an idle connection means "closed, send again elsewhere"; a
	// 503 there read as an unsolicited response.
	fiber.StatusRequestTimeout:     {kindTimeout, "Send the request again."},
	fiber.StatusServiceUnavailable: {kindUnavailable, "Try again shortly."},
}

func fiberProblem(err error) *problem {
	var fe *fiber.Error
	if !errors.As(err, &fe) {
		return nil
	}
	if k, ok := fiberProblems[fe.Code]; ok {
		return newProblem(k.kind, k.detail)
	}
	if fe.Code >= 400 && fe.Code < 500 {
		p := newProblem(kindBadRequest, "The request could not be understood.")
		p.Status = fe.Code
		return p
	}
	return nil
}

// conflictProblem is a batch of operations that conflicts with the roadmap
// as it is now, with the current state as the caller may see it
// (household.ApplyOperations projected it).
func conflictProblem(err error) *problem {
	var ce *veikart.ConflictError
	if !errors.As(err, &ce) {
		return nil
	}
	p := newProblem(kindConflict, ce.Error())
	cur := ce.Current
	for _, cf := range ce.Conflicts {
		fields := cf.Fields
		if fields == nil {
			fields = []string{}
		}
		p.Conflicts = append(p.Conflicts, conflictJSON{OpID: cf.OpID, Target: cf.Target, Fields: fields, Current: wire.ConflictCurrent(cur, cf.Target)})
	}
	if cur != nil {
		p.CurrentVersion = &cur.Version
		rj := wire.ToRoadmap(cur)
		p.Current = &rj
	}
	return p
}

// domainProblem answers a domain error by its code (kindByCode); what has
// no code there is internal, logged and not shown.
func (s *Server) domainProblem(c *fiber.Ctx, err error, de *veikart.Error) *problem {
	k, ok := kindByCode[de.Code]
	if !ok {
		k = kindInternal
	}
	switch {
	case k == kindInternal:
		// The route pattern, not the path: paths hold ids.
		s.log.Error("internal error", "err", err, "request_id", requestID(c), "route", c.Route().Path)
		return newProblem(kindInternal, "")
	case k == kindUnavailable:
		// The database out of reach, or a feature not configured: err says which.
		s.log.Warn("unavailable", "err", err, "request_id", requestID(c))
	case k == kindStorageFull && s.storageFull.CompareAndSwap(false, true):
		// Once, until readiness finds the store writing again.
		s.log.Error("storage full: writes are refused (507) and readiness fails until the database can write again; "+
			"free space on the database's disk (see deploy/runbooks/disk-full.md for how much)", "err", err, "request_id", requestID(c))
	}
	p := newProblem(k, de.Message)
	if de.Pointer != "" {
		p.Errors = []fieldError{{Pointer: de.Pointer, Message: de.Message}}
	}
	return p
}
