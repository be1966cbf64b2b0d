// Package api is Veikart's HTTP interface, built on Fiber: routes, handlers,
// middleware and problem details. A handler decodes and validates its input
// against the published schemas (into package wire's documents), calls one
// use case (packages household, account, agency), which decides access and
// writes, and encodes the answer; handlers never choose their own error
// statuses (problem.go) and never write by themselves.
package api

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"mime"
	"net"
	"net/netip"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"go.opentelemetry.io/otel/trace"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/account"
	"github.com/veikart/veikart/backend/agency"
	"github.com/veikart/veikart/backend/auth"
	"github.com/veikart/veikart/backend/household"
	"github.com/veikart/veikart/backend/metrics"
	"github.com/veikart/veikart/backend/oidc"
	"github.com/veikart/veikart/backend/ratelimit"
	"github.com/veikart/veikart/backend/validate"
	"github.com/veikart/veikart/backend/veikart"
)

// Config is what the HTTP layer needs to know.
type Config struct {
	// Dev enables the development login. The caller must only set it when the
	// server listens on loopback; cmd/veikart refuses to start otherwise.
	Dev bool
	// BodyLimit caps request bodies in bytes.
	BodyLimit int
	// RequestTimeout bounds the work of one request, database calls included.
	RequestTimeout time.Duration
	// ReadTimeout bounds reading one request from the connection; zero
	// means 15 s.
	ReadTimeout time.Duration
	// Static serves the web app at /, if set.
	Static fiber.Handler
	// AccessLog logs one line per request.
	AccessLog bool
	// Consent holds the operator's limits on grants.
	Consent veikart.ConsentPolicy
	// OwnSayAge is the age from which a young member has their own say
	// (the app asks for their yes before their name goes on the poster);
	// 0 means veikart.DefaultOwnSayAge.
	OwnSayAge int
	// BlockerK is the fewest households a published blocker count may
	// have; below veikart.MinHouseholds it means that.
	BlockerK int
	// PublicURL is where users reach the service; invitation links start
	// with it.
	PublicURL string
	// Location is the households' time zone: it says what "today" is.
	// Nil means Europe/Oslo.
	Location *time.Location
	// HSTS sends Strict-Transport-Security: set it when the service is
	// reached over https (and only then; browsers remember it for a year).
	HSTS bool
	// PushEndpoints decides which Web Push endpoints a device may subscribe
	// with. If nil, every subscription is refused (503).
	PushEndpoints EndpointChecker
	// VAPIDPublicKey is the Web Push application server key, an uncompressed
	// P-256 point in base64url. If empty, GET /push/key answers 503.
	VAPIDPublicKey string
	// TrustedProxies are the addresses (or CIDR ranges) of reverse proxies
	// whose X-Forwarded-For is believed: rate limits then count the client's
	// address, not the proxy's. Empty: the connection's address counts.
	TrustedProxies []string
	// SignInBurst and SignInEvery limit sign-in attempts per client address:
	// SignInBurst at once, then one per SignInEvery (20 and 3 s if zero).
	SignInBurst int
	SignInEvery time.Duration
	// AccountBurst and AccountEvery limit sign-in attempts per account from
	// anywhere (many addresses guessing at one person): AccountBurst at once,
	// then one per AccountEvery (10 and a minute if zero).
	AccountBurst int
	AccountEvery time.Duration
	// IPRate limits every /api/v1 request per client address (an IPv6
	// client's /64), and UserRate every authenticated one per person,
	// whichever address it comes from. Zero: no limit (cmd/veikart sets
	// generous defaults).
	IPRate, UserRate ratelimit.Rate
	// Tracer, if set, makes a server span of every request, named by its
	// route pattern, continuing the caller's W3C traceparent. Nil costs
	// nothing per request.
	Tracer trace.Tracer
	// RecoveryWait is how long an account recovery waits, cancellable from
	// the person's own devices, before it takes effect
	// (veikart.DefaultRecoveryWait if zero).
	RecoveryWait time.Duration
}

// Server is the HTTP server.
type Server struct {
	// storageFull is set when a write found the database's disk full, and
	// cleared when readiness finds it writing again.
	storageFull atomic.Bool

	// reading names the path of a chunked request while its body is read,
	// for a 413's instance (reading.go).
	reading readingPaths

	app       *fiber.App
	cfg       Config
	store     Store
	tokens    *auth.Tokens
	sessions  *auth.Sessions
	validator *validate.Validator
	keys      *auth.KeySet
	log       *slog.Logger
	now       func() time.Time
	rendered  *renderCache
	household *household.Service
	metrics   *metrics.Metrics
	idporten  *oidc.Client
	// agencyOIDC holds the agencies' own OpenID providers, by agency id.
	agencyOIDC map[string]*oidc.Client
	// signInLimit counts sign-in attempts per client address (the
	// account's own limit is package account's).
	signInLimit *ratelimit.Limiter
	// ipLimit and userLimit hold every API request to Config.IPRate and
	// UserRate; nil when off. trusted are the proxies whose
	// X-Forwarded-For names the client (see clientIP).
	ipLimit   *ratelimit.Keyed[[16]byte]
	userLimit *ratelimit.Keyed[string]
	trusted   []netip.Prefix
	tracer    trace.Tracer
	// passkeys says whether the passkey relying party is configured.
	passkeys bool
	// account runs the use cases of a person's account, agencies those of
	// the agencies.
	account  *account.Service
	agencies *agency.Service
}

// Store is the storage the server's use cases and its health checks need;
// package storage implements it.
type Store interface {
	household.Store
	account.Store
	account.Once
	agency.Store
	Ping(ctx context.Context) error
	ProbeWrite(ctx context.Context) error
}

// Deps are the services the server uses.
type Deps struct {
	Store     Store
	Tokens    *auth.Tokens
	Sessions  *auth.Sessions
	Keys      *auth.KeySet
	Validator *validate.Validator
	Log       *slog.Logger
	Now       func() time.Time
	// Reminders, if set, hears of every roadmap change (package remind).
	Reminders household.Reminders
	// Metrics, if set, counts every request.
	Metrics *metrics.Metrics
	// IDPorten, if set, signs citizens in through ID-porten.
	IDPorten *oidc.Client
	// AgencyOIDC holds the agencies' own providers, by agency id.
	AgencyOIDC map[string]*oidc.Client
	// Alerts, if set, pushes security alerts to a person's devices.
	Alerts SecurityAlerter
	// Messages, if set, pushes the arrival of a message to the other side
	// of a conversation.
	Messages household.Notifier
}

// New builds the server and its routes.
func New(cfg Config, d Deps) *Server {
	if cfg.BodyLimit == 0 {
		cfg.BodyLimit = 256 << 10
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = 10 * time.Second
	}
	if cfg.Location == nil {
		if loc, err := time.LoadLocation("Europe/Oslo"); err == nil {
			cfg.Location = loc
		} else {
			cfg.Location = time.UTC
		}
	}
	if cfg.SignInBurst == 0 {
		cfg.SignInBurst, cfg.SignInEvery = 20, 3*time.Second
	}
	s := &Server{
		cfg: cfg, store: d.Store, tokens: d.Tokens, sessions: d.Sessions, keys: d.Keys,
		validator: d.Validator, log: d.Log, now: d.Now, rendered: newRenderCache(20_000), metrics: d.Metrics,
		idporten: d.IDPorten, agencyOIDC: d.AgencyOIDC,
		signInLimit: ratelimit.New(cfg.SignInBurst, cfg.SignInEvery, d.Now),
		trusted:     parseTrusted(cfg.TrustedProxies),
		tracer:      cfg.Tracer,
	}
	if !cfg.IPRate.Off() {
		s.ipLimit = ratelimit.NewKeyed[[16]byte](cfg.IPRate, 0, d.Now)
	}
	if !cfg.UserRate.Off() {
		s.userLimit = ratelimit.NewKeyed[string](cfg.UserRate, 0, d.Now)
	}
	s.household = household.New(household.Config{Consent: consentPolicy(cfg), Location: cfg.Location, Notify: d.Messages, BlockerK: cfg.BlockerK},
		d.Store, d.Reminders, d.Log, d.Now)
	s.agencies = agency.New(d.Store, func(id string) bool { return d.AgencyOIDC[id] != nil }, d.Now)
	rp := newRelyingParty(cfg.PublicURL, d.Log)
	s.passkeys = rp != nil
	s.account = account.New(account.Config{
		RecoveryWait: cfg.RecoveryWait, Location: cfg.Location, AccountBurst: cfg.AccountBurst, AccountEvery: cfg.AccountEvery,
	}, account.Deps{Store: d.Store, Once: d.Store, Sessions: d.Sessions, RP: rp, Alerts: d.Alerts, Metrics: d.Metrics, Log: d.Log, Now: d.Now})
	s.app = fiber.New(fiber.Config{
		AppName:               "veikart",
		BodyLimit:             cfg.BodyLimit,
		ReadTimeout:           cmp.Or(cfg.ReadTimeout, 15*time.Second),
		WriteTimeout:          15 * time.Second,
		IdleTimeout:           60 * time.Second,
		ReadBufferSize:        8192,
		DisableStartupMessage: true,
		ErrorHandler:          s.errorHandler,
		// Fiber's c.IP() would be the raw X-Forwarded-For behind a trusted
		// proxy, client-written entries and all; the rate limits read it
		// with clientIP instead.
		EnableTrustedProxyCheck: len(cfg.TrustedProxies) > 0,
		TrustedProxies:          cfg.TrustedProxies,
		ProxyHeader:             proxyHeader(cfg.TrustedProxies),
	})
	s.app.Server().HeaderReceived = s.reading.headerReceived
	s.routes()
	return s
}

// Serve serves HTTP on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error { return s.app.Listener(ln) }

// Shutdown stops accepting connections and waits for in-flight requests,
// up to ctx's deadline.
func (s *Server) Shutdown(ctx context.Context) error { return s.app.ShutdownWithContext(ctx) }

func proxyHeader(trusted []string) string {
	if len(trusted) == 0 {
		return ""
	}
	return fiber.HeaderXForwardedFor
}

// limitSignIn takes one sign-in attempt from the client's allowance.
func (s *Server) limitSignIn(c *fiber.Ctx) bool {
	ok, wait := s.signInLimit.Try(s.clientIP(c).String())
	if ok {
		return true
	}
	c.Set(fiber.HeaderRetryAfter, retryAfterSeconds(wait))
	s.metrics.SignInFailed("rate-limited")
	return false
}

var errTooMany = &requestError{kind: kindRateLimited, detail: "Too many sign-in attempts from here. Wait a minute and try again."}

func (s *Server) routes() {
	app := s.app
	app.Use(s.requestContext)
	app.Get("/health/live", s.live)
	app.Get("/health/ready", s.ready)
	app.Get("/.well-known/jwks.json", s.jwks)

	// Everything under /api/v1 is rate-limited per client address; health,
	// the JWKS and the web app's files are not.
	v1 := app.Group("/api/v1", s.limitIP)
	if s.cfg.Dev {
		v1.Post("/dev/login", s.devLogin)
	}
	v1.Get("/auth/methods", s.signInMethods)
	v1.Get("/auth/idporten", s.idportenStart)
	v1.Get("/auth/idporten/callback", s.idportenCallback)
	v1.Get("/auth/agency/callback", s.agencySignInCallback)
	v1.Get("/auth/agency/:agencyId", s.agencySignInStart)
	v1.Post("/auth/exchange", s.exchange)
	v1.Post("/auth/refresh", s.refresh)
	v1.Post("/auth/logout", s.logout)
	v1.Get("/me", s.authenticate, s.me)
	v1.Get("/me/export", s.authenticate, s.exportMe)
	v1.Get("/me/security-log", s.authenticate, s.securityLog)
	v1.Delete("/me/recovery", s.authenticate, s.cancelRecovery)
	v1.Delete("/me", s.authenticate, s.deleteAccount)
	// A person's calendar feed: made, replaced and turned off signed in;
	// read by a phone's calendar with the address's secret alone.
	v1.Get("/me/calendar-feed", s.authenticate, s.getCalendarFeed)
	v1.Post("/me/calendar-feed", s.authenticate, s.createCalendarFeed)
	v1.Patch("/me/calendar-feed", s.authenticate, s.setCalendarLang)
	v1.Delete("/me/calendar-feed", s.authenticate, s.revokeCalendarFeed)
	v1.Get("/calendar/:feedSecret", s.calendarFeed)
	v1.Get("/sessions", s.authenticate, s.listSessions)
	v1.Delete("/sessions", s.authenticate, s.revokeAllSessions)
	v1.Delete("/sessions/:sessionId", s.authenticate, s.revokeSession)
	v1.Get("/roadmaps", s.authenticate, s.listRoadmaps)
	v1.Post("/roadmaps", s.authenticate, s.createRoadmap)
	v1.Get("/roadmaps/:roadmapId", s.authenticate, s.getRoadmap)
	v1.Delete("/roadmaps/:roadmapId", s.authenticate, s.deleteRoadmap)
	v1.Post("/roadmaps/:roadmapId/operations", s.authenticate, s.applyOperations)
	v1.Get("/roadmaps/:roadmapId/poster-qr", s.authenticate, s.posterQR)

	// Consent: the owners' side.
	v1.Get("/roadmaps/:roadmapId/grants", s.authenticate, s.listGrants)
	v1.Post("/roadmaps/:roadmapId/grants", s.authenticate, s.createGrant)
	v1.Post("/roadmaps/:roadmapId/preview", s.authenticate, s.previewGrant)
	v1.Patch("/roadmaps/:roadmapId/grants/:grantId", s.authenticate, s.updateGrant)
	v1.Delete("/roadmaps/:roadmapId/grants/:grantId", s.authenticate, s.revokeGrant)
	v1.Get("/roadmaps/:roadmapId/access-requests", s.authenticate, s.listAccessRequests)
	v1.Post("/roadmaps/:roadmapId/access-requests/:requestId/approve", s.authenticate, s.approveAccessRequest)
	v1.Post("/roadmaps/:roadmapId/access-requests/:requestId/decline", s.authenticate, s.declineAccessRequest)
	v1.Post("/roadmaps/:roadmapId/invitations", s.authenticate, s.createInvitation)
	v1.Get("/roadmaps/:roadmapId/receipts", s.authenticate, s.listReceipts)
	v1.Get("/roadmaps/:roadmapId/access-log", s.authenticate, s.accessLog)
	v1.Get("/roadmaps/:roadmapId/overdue", s.authenticate, s.overdue)
	v1.Get("/roadmaps/:roadmapId/team", s.authenticate, s.getTeam)
	v1.Put("/roadmaps/:roadmapId/coordinator", s.authenticate, s.setCoordinator)
	v1.Delete("/roadmaps/:roadmapId/coordinator", s.authenticate, s.removeCoordinator)
	v1.Post("/roadmaps/:roadmapId/steps/:stepId/outcome", s.authenticate, s.judgePromise)
	v1.Get("/roadmaps/:roadmapId/meetings", s.authenticate, s.listMeetings)
	v1.Post("/roadmaps/:roadmapId/meetings", s.authenticate, s.callMeeting)
	v1.Get("/roadmaps/:roadmapId/meetings/:meetingId/calendar.ics", s.authenticate, s.meetingCalendar)
	v1.Post("/roadmaps/:roadmapId/meetings/:meetingId/confirm", s.authenticate, s.confirmMeeting)
	v1.Delete("/roadmaps/:roadmapId/meetings/:meetingId", s.authenticate, s.cancelMeeting)
	v1.Put("/roadmaps/:roadmapId/meetings/:meetingId/agenda", s.authenticate, s.setAgenda)
	v1.Put("/roadmaps/:roadmapId/meetings/:meetingId/agenda/:itemId/notes", s.authenticate, s.noteItem)
	v1.Post("/roadmaps/:roadmapId/meetings/:meetingId/agenda/:itemId/decisions", s.authenticate, s.decide)
	v1.Post("/roadmaps/:roadmapId/meetings/:meetingId/approve", s.authenticate, s.approveMinutes)
	v1.Put("/roadmaps/:roadmapId/review-rhythm", s.authenticate, s.setReviewRhythm)
	v1.Get("/roadmaps/:roadmapId/reviews", s.authenticate, s.listReviews)
	v1.Get("/roadmaps/:roadmapId/reviews/draft", s.authenticate, s.reviewDraft)
	v1.Post("/roadmaps/:roadmapId/reviews", s.authenticate, s.saveReview)
	v1.Get("/roadmaps/:roadmapId/timeline", s.authenticate, s.timeline)
	v1.Post("/roadmaps/:roadmapId/proposals/:proposalId/accept", s.authenticate, s.acceptProposal)
	v1.Post("/roadmaps/:roadmapId/proposals/:proposalId/reject", s.authenticate, s.rejectProposal)
	v1.Get("/roadmaps/:roadmapId/transitions", s.authenticate, s.listTransitions)
	v1.Post("/roadmaps/:roadmapId/transitions", s.authenticate, s.createTransition)
	v1.Patch("/roadmaps/:roadmapId/transitions/:transitionId", s.authenticate, s.updateTransition)
	v1.Delete("/roadmaps/:roadmapId/transitions/:transitionId", s.authenticate, s.cancelTransition)
	v1.Put("/roadmaps/:roadmapId/transitions/:transitionId/checklist", s.authenticate, s.setChecklist)
	v1.Post("/roadmaps/:roadmapId/members/:memberId/own-roadmap", s.authenticate, s.takeOwn)
	// Members' own say (members.go).
	v1.Get("/roadmaps/:roadmapId/says", s.authenticate, s.listSays)
	v1.Post("/roadmaps/:roadmapId/says", s.authenticate, s.askSay)
	v1.Put("/roadmaps/:roadmapId/says/answer", s.authenticate, s.answerSay)
	v1.Get("/roadmaps/:roadmapId/recovery-people", s.authenticate, s.recoveryPeople)
	v1.Get("/roadmaps/:roadmapId/helpers", s.authenticate, s.listHelpers)
	v1.Post("/roadmaps/:roadmapId/helpers", s.authenticate, s.inviteHelper)
	v1.Delete("/roadmaps/:roadmapId/helpers/:helperId", s.authenticate, s.revokeHelper)
	v1.Put("/roadmaps/:roadmapId/areas/:areaId/renderings/:field", s.authenticate, s.setRendering)
	v1.Post("/roadmaps/:roadmapId/areas/:areaId/renderings/:field/confirm", s.authenticate, s.confirmRendering)
	// Consent: the agencies' side, and both.
	v1.Post("/roadmaps/:roadmapId/access-requests", s.authenticate, s.createAccessRequest)
	v1.Post("/roadmaps/:roadmapId/comments", s.authenticate, s.createComment)
	v1.Post("/roadmaps/:roadmapId/proposals", s.authenticate, s.createProposal)
	v1.Put("/roadmaps/:roadmapId/contact", s.authenticate, s.setContact)
	v1.Post("/roadmaps/:roadmapId/steps/:stepId/promise", s.authenticate, s.answerPromise)
	v1.Post("/invitations/accept", s.authenticate, s.acceptInvitation)
	v1.Get("/shared", s.authenticate, s.listShared)
	// Messages: the household and each agency it shares with.
	v1.Get("/roadmaps/:roadmapId/conversations", s.authenticate, s.listConversations)
	v1.Get("/roadmaps/:roadmapId/conversations/:agencyId/messages", s.authenticate, s.listMessages)
	v1.Post("/roadmaps/:roadmapId/conversations/:agencyId/messages", s.authenticate, s.sendMessage)
	// Check-ins: readings of each area's "now" over time.
	v1.Get("/roadmaps/:roadmapId/checkins", s.authenticate, s.listCheckIns)
	v1.Post("/roadmaps/:roadmapId/checkins", s.authenticate, s.checkIn)
	v1.Delete("/roadmaps/:roadmapId/checkins/:readingId", s.authenticate, s.deleteCheckIn)

	// Agencies.
	v1.Post("/auth/act", s.act)
	v1.Get("/agencies", s.authenticate, s.listAgencies)
	v1.Get("/agencies/:agencyId", s.authenticate, s.getAgency)
	v1.Get("/agencies/:agencyId/blockers", s.authenticate, s.agencyBlockers)
	v1.Put("/agencies/:agencyId/staff/:userId", s.authenticate, s.setStaff)
	v1.Delete("/agencies/:agencyId/staff/:userId", s.authenticate, s.removeStaff)
	v1.Put("/agencies/:agencyId/sign-in", s.authenticate, s.setRequireSignIn)
	v1.Get("/agencies/:agencyId/recoveries", s.authenticate, s.agencyRecoveries)
	v1.Post("/admin/agencies", s.authenticate, s.createAgency)
	v1.Post("/admin/erasures", s.authenticate, s.reapplyErasures)

	// Web Push: a person's devices.
	v1.Get("/push/key", s.authenticate, s.pushKey)
	v1.Get("/push/subscriptions", s.authenticate, s.listPushSubscriptions)
	v1.Post("/push/subscriptions", s.authenticate, s.createPushSubscription)
	v1.Delete("/push/subscriptions/:subscriptionId", s.authenticate, s.deletePushSubscription)

	// Passkeys: enrolment by a caseworker's code, sign-in, a person's own.
	v1.Post("/enrolments", s.authenticate, s.createEnrolment)
	v1.Post("/passkeys/enrol/begin", s.enrolBegin)
	v1.Post("/passkeys/enrol/finish", s.enrolFinish)
	v1.Post("/passkeys/login/begin", s.loginBegin)
	v1.Post("/passkeys/login/finish", s.loginFinish)
	v1.Get("/passkeys", s.authenticate, s.listPasskeys)
	v1.Post("/passkeys/begin", s.authenticate, s.addBegin)
	v1.Post("/passkeys/finish", s.authenticate, s.addFinish)
	v1.Delete("/passkeys/:passkeyId", s.authenticate, s.deletePasskey)
	v1.All("/*", func(c *fiber.Ctx) error { return fiber.ErrNotFound })

	if s.cfg.Static != nil {
		app.Use(s.cfg.Static)
	}
	app.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
}

// contentSecurityPolicy lets the app load only its own files: no inline
// script or style, no other origins, no framing. (The camera is allowed to
// the app itself, for scanning a caseworker's invitation QR code.)
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; manifest-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; " +
	"form-action 'self'; frame-ancestors 'none'"

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// requestContext gives every request an id (the caller's, if it is sane) and a
// deadline that database calls inherit, and sets headers every response needs.
func (s *Server) requestContext(c *fiber.Ctx) error {
	s.reading.take(&c.Request().Header) // read in full: no longer needed
	id := c.Get(fiber.HeaderXRequestID)
	if !requestIDPattern.MatchString(id) {
		id = auth.RandomID(8)
	} else {
		id = strings.Clone(id) // Fiber reuses its buffers after the handler
	}
	c.Locals(ctxRequestID, id)
	c.Set(fiber.HeaderXRequestID, id)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderReferrerPolicy, "no-referrer")
	c.Set(fiber.HeaderXFrameOptions, "DENY")
	c.Set(fiber.HeaderContentSecurityPolicy, contentSecurityPolicy)
	c.Set(fiber.HeaderPermissionsPolicy, "camera=(self), microphone=(), geolocation=(), payment=()")
	c.Set("Cross-Origin-Opener-Policy", "same-origin")
	if s.cfg.HSTS {
		c.Set(fiber.HeaderStrictTransportSecurity, "max-age=31536000; includeSubDomains")
	}
	ctx, cancel := context.WithTimeout(household.WithRequestID(context.Background(), id), s.cfg.RequestTimeout)
	defer cancel()
	if s.tracer != nil {
		var span trace.Span
		ctx, span = s.startSpan(ctx, c)
		defer s.endSpan(c, span) // after the error is answered below: the span has the status sent
	}
	c.SetUserContext(ctx)
	if !s.cfg.AccessLog && s.metrics == nil && s.tracer == nil {
		return c.Next()
	}
	start := time.Now()
	err := c.Next()
	if err != nil {
		// Answer here rather than in Fiber's error handler, so that the
		// status logged and counted is the one sent.
		err = s.errorHandler(c, err)
	}
	status := c.Response().StatusCode()
	elapsed := time.Since(start)
	// The route pattern, not the path: paths hold ids, and neither logs nor
	// metrics hold personal data.
	// The route's own strings: c.Method() points into a buffer Fiber reuses,
	// and the metrics keep their labels.
	route, method := c.Route().Path, c.Route().Method
	s.metrics.Request(route, method, status, elapsed)
	if s.cfg.AccessLog {
		s.log.Info("request", "method", method, "route", route, "status", status,
			"duration_ms", float64(elapsed.Microseconds())/1000, "request_id", id)
	}
	return err
}

type ctxKey int

const (
	ctxRequestID ctxKey = iota
	ctxActor
	ctxSession
)

func requestID(c *fiber.Ctx) string {
	id, _ := c.Locals(ctxRequestID).(string)
	return id
}

func actorOf(c *fiber.Ctx) access.Actor {
	a, ok := c.Locals(ctxActor).(access.Actor)
	if !ok {
		return access.Actor{Kind: access.Anonymous}
	}
	return a
}

// authenticate requires a valid access token and records who the caller is.
func (s *Server) authenticate(c *fiber.Ctx) error {
	h := c.Get(fiber.HeaderAuthorization)
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || tok == "" {
		return &veikart.Error{Code: veikart.EUNAUTHORIZED, Message: "Sign in first: the Authorization header must carry a Bearer token."}
	}
	p, err := s.tokens.Verify(tok)
	if err != nil {
		return err
	}
	if err := s.limitUser(c, p.UserID); err != nil {
		return err
	}
	// Operator tokens have no session: they are minted by the CLI from the
	// keys on disk and live for minutes.
	var method string
	if !p.Operator {
		if method, err = s.account.CheckSession(c.UserContext(), p.SessionID, p.UserID); err != nil {
			return err
		}
	}
	c.Locals(ctxSession, p.SessionID)
	actor := access.Actor{Kind: access.Person, UserID: p.UserID}
	switch {
	case p.Operator:
		actor = access.Actor{Kind: access.Operator, UserID: p.UserID}
	case p.AgencyID != "":
		if actor, err = s.agencies.Acting(c.UserContext(), p.UserID, p.AgencyID, method); err != nil {
			return err
		}
	}
	c.Locals(ctxActor, actor)
	return c.Next()
}

// decode checks the request's content type, validates its body against the
// named schema and decodes it into v. Unknown fields, wrong types and
// oversize values are refused by the schema before anything reads them.
func (s *Server) decode(c *fiber.Ctx, schema string, v any) error {
	ct, params, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if err != nil || ct != fiber.MIMEApplicationJSON {
		return &requestError{kind: kindMediaType, detail: "Send the body as application/json."}
	}
	// JSON is UTF-8 (RFC 8259 section 8.1); a body labelled otherwise was
	// meant as something we would read wrongly.
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return &requestError{kind: kindMediaType, detail: "Send the body as UTF-8 (charset=utf-8, or no charset)."}
	}
	// Normalize validates, then rewrites what the schema accepts but
	// encoding/json would refuse (1.0 for an integer, a lower-case "t").
	body, err := s.validator.Normalize(schema, c.Body())
	if err != nil {
		return err
	}
	if err := decodeStrict(body, v); err != nil {
		// The schema accepted it, so this is a mismatch between schema and
		// wire type: our bug, not the caller's.
		return errors.Join(errors.New("decode after validation"), err)
	}
	return nil
}

// consentPolicy is the operator's consent policy with the own-say age in it:
// one setting (Config.OwnSayAge) for the poster, the app and the domain's
// rule that a young member says yes before their areas are shared.
func consentPolicy(cfg Config) veikart.ConsentPolicy {
	p := cfg.Consent
	if p.OwnSayAge == 0 {
		p.OwnSayAge = cfg.OwnSayAge
	}
	return p
}
