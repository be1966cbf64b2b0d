package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.opentelemetry.io/otel/trace"

	"github.com/veikart/veikart/backend/api"
	"github.com/veikart/veikart/backend/auth"
	"github.com/veikart/veikart/backend/demo"
	"github.com/veikart/veikart/backend/embedded"
	"github.com/veikart/veikart/backend/metrics"
	"github.com/veikart/veikart/backend/oidc"
	"github.com/veikart/veikart/backend/push"
	"github.com/veikart/veikart/backend/remind"
	"github.com/veikart/veikart/backend/storage"
	"github.com/veikart/veikart/backend/tracing"
	"github.com/veikart/veikart/backend/validate"
	"github.com/veikart/veikart/backend/veikart"
	"github.com/veikart/veikart/pwa"
	"github.com/veikart/veikart/schemas"
)

// app is the wired program: the store (and the embedded server behind it, if
// any) and the services on top. Close releases them in reverse order.
type app struct {
	cfg      config
	log      *slog.Logger
	embedded *embedded.Server
	store    *storage.Store
	keys     *auth.KeySet
	tokens   *auth.Tokens
	sessions *auth.Sessions
	vapid    *push.VAPID
	// tracing exports traces, when VEIKART_OTEL_ENDPOINT (or otel's own
	// variables) asks for them; nil otherwise.
	tracing *tracing.Provider
}

func newLogger(cfg config, w io.Writer) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// open connects to the store (starting the embedded one when no MONGODB_URI is
// set), ensures its schema, and loads (or creates) the signing keys.
func open(ctx context.Context, cfg config, log *slog.Logger) (*app, error) {
	return openTraced(ctx, cfg, log, nil)
}

// openTraced is open with the database commands traced by tp, if set.
func openTraced(ctx context.Context, cfg config, log *slog.Logger, tp *tracing.Provider) (*app, error) {
	a := &app{cfg: cfg, log: log, tracing: tp}
	var monitor *event.CommandMonitor
	if tp != nil {
		monitor = tp.CommandMonitor()
	}
	uri := cfg.MongoURI
	if uri == "" {
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("create data dir: %w", err)
		}
		// FerretDB logs failed commands with their documents at WARN; those
		// hold personal data, so only its errors reach our log.
		quiet := slog.New(log.Handler()).With("component", "ferretdb")
		quiet = slog.New(levelFilter{quiet.Handler(), slog.LevelError})
		srv, err := embedded.Start(ctx, cfg.DataDir+"/db", quiet)
		if err != nil {
			return nil, err
		}
		a.embedded = srv
		uri = srv.URI()
	}
	store, err := storage.Open(ctx, uri, cfg.Database, storage.Options{Exclusive: a.embedded != nil, NoSecondaryIndexes: a.embedded != nil, CacheSize: cfg.CacheSize, Monitor: monitor, Log: log})
	if err != nil {
		a.close(ctx)
		return nil, err
	}
	a.store = store
	if err := waitForDatabase(ctx, store, dbStartWait, log); err != nil {
		a.close(ctx)
		return nil, err
	}
	if err := store.EnsureSchema(ctx); err != nil {
		a.close(ctx)
		return nil, err
	}
	if a.embedded != nil {
		if err := a.embedded.FixIDIndexes(ctx, cfg.Database); err != nil {
			a.close(ctx)
			return nil, err
		}
	}
	if a.keys, err = auth.LoadKeys(cfg.KeysDir, true, time.Now()); err != nil {
		a.close(ctx)
		return nil, err
	}
	if a.vapid, err = push.LoadVAPID(cfg.KeysDir, true); err != nil {
		a.close(ctx)
		return nil, err
	}
	a.tokens = auth.NewTokens(a.keys, cfg.PublicURL, cfg.PublicURL+"/api", cfg.AccessTTL, time.Now)
	a.sessions = auth.NewSessions(store, a.tokens, cfg.SessionIdle, cfg.SessionMax, time.Now, log)
	return a, nil
}

func (a *app) close(ctx context.Context) {
	if a.store != nil {
		if err := a.store.Close(ctx); err != nil {
			a.log.Warn("close store", "err", err)
		}
	}
	if a.embedded != nil {
		if err := a.embedded.Close(); err != nil {
			a.log.Warn("close embedded store", "err", err)
		}
	}
}

func serve(ctx context.Context, cfg config, stdout io.Writer) error {
	log := newLogger(cfg, stdout)
	if err := cfg.checkDevAllowed(); err != nil {
		return err
	}
	log.Info("starting veikart", cfg.logValue()...)

	tp, flushTraces, err := startTracing(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer flushTraces() // last, after HTTP and the database: what is still batched goes out
	a, err := openTraced(ctx, cfg, log, tp)
	if err != nil {
		return err
	}
	defer a.close(context.WithoutCancel(ctx))

	if cfg.Dev {
		// The demo is a convenience: a development server whose demo
		// cannot be seeded (the developer changed it, the database
		// refused) starts anyway and says why.
		if err := seedDemo(ctx, a); err != nil {
			log.Warn("demo not seeded, starting without it", "err", err)
		}
	}
	m := metrics.New()
	sched, err := a.scheduler(m)
	if err != nil {
		return err
	}
	if cfg.MetricsAddr != "" {
		stop, err := serveMetrics(cfg.MetricsAddr, m, cfg.Pprof, log)
		if err != nil {
			return err
		}
		defer stop()
	}
	srv, err := a.server(log, m, sched)
	if err != nil {
		return err
	}
	rctx, stopReminders := context.WithCancel(context.WithoutCancel(ctx))
	remindersDone := make(chan struct{})
	go func() {
		defer close(remindersDone)
		if cfg.Reminders {
			sched.Run(rctx, 10*time.Second)
		}
	}()
	// Stopped after HTTP and before the database (deferred calls run last
	// in, first out).
	defer func() { stopReminders(); <-remindersDone }()
	go sweep(rctx, a.store, cfg.LogMonths, log)

	return listenUntilDone(ctx, cfg, srv, log)
}

// listenUntilDone serves on cfg.Addr until ctx ends, then stops HTTP
// first, so that requests in flight finish against a live database (the
// caller's deferred calls then stop the rest).
func listenUntilDone(ctx context.Context, cfg config, srv *api.Server, log *slog.Logger) error {
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("serving", "addr", ln.Addr().String(), "url", cfg.PublicURL)
	if cfg.Dev {
		log.Info("development mode: sign in with POST /api/v1/dev/login {\"name\":\"Kari\"} to see the demo household, " +
			"or {\"name\":\"Nina\",\"agencyId\":\"demo-nav\"} to see it as the demo agency's caseworker")
	}

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

// startTracing starts the trace exporter when tracing is configured, and
// returns what flushes it at the end.
func startTracing(ctx context.Context, cfg config, log *slog.Logger) (*tracing.Provider, func(), error) {
	if !cfg.Tracing {
		return nil, func() {}, nil
	}
	tp, err := tracing.New(ctx, cfg.OTelEndpoint, buildRevision())
	if err != nil {
		return nil, nil, err
	}
	return tp, func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := tp.Shutdown(sctx); err != nil {
			log.Warn("flush traces", "err", err)
		}
	}, nil
}

// server builds the HTTP server of this process: the schemas, the app's
// files, the sign-in providers and the use cases on the store.
func (a *app) server(log *slog.Logger, m *metrics.Metrics, sched *remind.Scheduler) (*api.Server, error) {
	cfg := a.cfg
	v, err := validate.New()
	if err != nil {
		return nil, fmt.Errorf("load schemas: %w", err)
	}
	static, err := staticFiles()
	if err != nil {
		return nil, err
	}
	idporten, err := a.idporten()
	if err != nil {
		return nil, err
	}
	agencyOIDC, err := a.agencyProviders()
	if err != nil {
		return nil, err
	}
	alerts := remind.Alerts{Store: a.store, Sender: sched.Sender, Now: time.Now, Log: log, Loc: sched.Loc}
	return api.New(api.Config{
		Dev: cfg.Dev, BodyLimit: cfg.BodyLimit, Static: static, AccessLog: cfg.AccessLog,
		Consent: veikart.ConsentPolicy{MaxGrant: cfg.GrantMax}, OwnSayAge: cfg.OwnSayAge, BlockerK: cfg.BlockerK, PublicURL: cfg.PublicURL,
		PushEndpoints: push.Policy{Hosts: cfg.PushHosts, AllowLoopbackHTTP: cfg.PushLoopback}, VAPIDPublicKey: a.vapid.PublicKey,
		Location: sched.Loc, HSTS: strings.HasPrefix(cfg.PublicURL, "https://"), TrustedProxies: cfg.TrustedProxies,
		IPRate: cfg.RateIP, UserRate: cfg.RateUser, Tracer: a.tracer(), RecoveryWait: cfg.RecoveryWait,
	}, api.Deps{
		Store: a.store, Tokens: a.tokens, Sessions: a.sessions, Keys: a.keys, Validator: v, Log: log, Now: time.Now,
		Reminders: sched, Metrics: m, IDPorten: idporten, AgencyOIDC: agencyOIDC,
		Alerts: alerts, Messages: alerts,
	}), nil
}

// sweep deletes expired one-time records (sign-ins never finished, codes
// never used) and log pages past their keeping time every hour, until ctx
// ends.
func sweep(ctx context.Context, store *storage.Store, logMonths int, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := store.SweepExpired(ctx, time.Now()); err != nil {
				log.Warn("sweep expired records", "err", err)
			} else if n > 0 {
				log.Info("swept expired records", "n", n)
			}
			if n, err := store.PruneLogs(ctx, time.Now().AddDate(0, -logMonths, 0)); err != nil {
				log.Warn("prune logs", "err", err)
			} else if n > 0 {
				log.Info("pruned log pages past their keeping time", "pages", n, "months", logMonths)
			}
		}
	}
}

// scheduler builds the reminder scheduler of this process. It always keeps
// reminder jobs in line with roadmap changes; whether it also sends them is
// VEIKART_REMINDERS (any number of processes may send: each job goes once).
func (a *app) scheduler(m *metrics.Metrics) (*remind.Scheduler, error) {
	sender, err := push.NewSender(a.vapid, a.cfg.VAPIDSubject, &http.Client{Timeout: push.DefaultTimeout}, time.Now)
	if err != nil {
		return nil, fmt.Errorf("push sender (VEIKART_VAPID_SUBJECT): %w", err)
	}
	host, _ := os.Hostname()
	return &remind.Scheduler{
		Store: a.store, Sender: remind.PushSender{Push: sender, Log: a.log, Metrics: m}, Now: time.Now, Loc: a.cfg.Location, Log: a.log, Metrics: m,
		Owner: fmt.Sprintf("%s/%d/%s", host, os.Getpid(), auth.RandomID(4)),
	}, nil
}

// dbStartWait is how long start-up waits for the database to answer: a
// replica started together with its database (compose, a node reboot)
// should not crash-loop while the database starts.
const dbStartWait = 60 * time.Second

// waitForDatabase pings the database until it answers or wait has passed.
// Each ping fails after the driver's short server-selection timeout.
func waitForDatabase(ctx context.Context, store *storage.Store, wait time.Duration, log *slog.Logger) error {
	deadline := time.Now().Add(wait)
	for {
		err := store.Ping(ctx)
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("database did not answer within %s: %w", wait, err)
		}
		log.Warn("waiting for the database", "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

// serveMetrics serves /metrics on its own listener, so that it can stay on
// an internal address while the API faces the world. It returns a function
// that stops it. With withPprof the Go profiler's handlers are there too:
// they show code paths and timings but no request data, and never face the
// world, because this listener is internal.
func serveMetrics(addr string, m *metrics.Metrics, withPprof bool, log *slog.Logger) (func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen for metrics on %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	write := 30 * time.Second
	if withPprof {
		mux.HandleFunc("GET /debug/pprof/", pprof.Index)
		mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
		write = 5 * time.Minute // a CPU profile or trace streams for ?seconds=N
		// Waits of a millisecond or more always show in the block profile,
		// shorter ones in proportion; one in ten mutex contentions is kept.
		runtime.SetBlockProfileRate(int(time.Millisecond))
		runtime.SetMutexProfileFraction(10)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: write}
	go func() {
		if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
			log.Error("metrics server", "err", err)
		}
	}()
	log.Info("metrics", "addr", ln.Addr().String())
	return func() { _ = srv.Close() }, nil
}

// idporten returns the ID-porten client, or nil when it is not configured.
func (a *app) idporten() (*oidc.Client, error) {
	if a.cfg.IDPortenIssuer == "" {
		return nil, nil
	}
	key, err := auth.LoadPIDKey(a.cfg.KeysDir, true)
	if err != nil {
		return nil, err
	}
	return oidc.New(oidc.Config{
		Issuer: a.cfg.IDPortenIssuer, ClientID: a.cfg.IDPortenClientID, ClientSecret: a.cfg.IDPortenClientSecret,
		RedirectURL: api.IDPortenRedirect(a.cfg.PublicURL), MinLevel: a.cfg.IDPortenLevel, PIDKey: key,
		HTTPClient: a.providerClient(),
	})
}

// agencyProvider is one agency's own OpenID provider, as the operator
// configures it in VEIKART_AGENCY_OIDC_FILE (a JSON array of these). The
// file holds client secrets: mount it from a secret, mode 0600.
type agencyProvider struct {
	AgencyID     string `json:"agencyId"`
	Issuer       string `json:"issuer"`
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
}

// agencyProviders reads the agencies' providers, if any are configured.
func (a *app) agencyProviders() (map[string]*oidc.Client, error) {
	if a.cfg.AgencyOIDCFile == "" {
		return nil, nil
	}
	raw, err := os.ReadFile(a.cfg.AgencyOIDCFile)
	if err != nil {
		return nil, fmt.Errorf("VEIKART_AGENCY_OIDC_FILE: %w", err)
	}
	var list []agencyProvider
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&list); err != nil {
		return nil, fmt.Errorf("VEIKART_AGENCY_OIDC_FILE: %w", err)
	}
	key, err := auth.LoadPIDKey(a.cfg.KeysDir, true)
	if err != nil {
		return nil, err
	}
	out := map[string]*oidc.Client{}
	for _, p := range list {
		if !veikart.ValidID(p.AgencyID) || out[p.AgencyID] != nil {
			return nil, fmt.Errorf("VEIKART_AGENCY_OIDC_FILE: agency id %q is not valid or appears twice", p.AgencyID)
		}
		c, err := oidc.New(oidc.Config{
			Issuer: p.Issuer, ClientID: p.ClientID, ClientSecret: p.ClientSecret, Plain: true,
			RedirectURL: api.AgencyRedirect(a.cfg.PublicURL), PIDKey: key,
			HTTPClient: a.providerClient(),
		})
		if err != nil {
			return nil, fmt.Errorf("VEIKART_AGENCY_OIDC_FILE: agency %s: %w", p.AgencyID, err)
		}
		out[p.AgencyID] = c
	}
	return out, nil
}

// staticFiles serves the embedded web app at / and the published schemas at
// /schemas/, so that the app and any client use the same contract files.
func staticFiles() (fiber.Handler, error) {
	schemaHandler := filesystem.New(filesystem.Config{Root: http.FS(schemas.FS), PathPrefix: "", MaxAge: 300})
	app, err := pwa.New()
	if err != nil {
		return nil, err
	}
	return func(c *fiber.Ctx) error {
		if rest, ok := strings.CutPrefix(c.Path(), "/schemas/"); ok {
			if _, err := fs.Stat(schemas.FS, rest); err != nil || !strings.HasSuffix(rest, ".json") {
				return fiber.ErrNotFound
			}
			c.Path("/" + rest)
			return schemaHandler(c)
		}
		return app.Handler(c)
	}, nil
}

// The development demo: a household and an agency it shares with, so that
// `make run` shows both sides of consent without any clicking first.
const (
	// Opaque, as the app's ids are (crypto.randomUUID): a roadmap id
	// travels in URLs, push payloads and logs, and must not carry a name.
	demoRoadmapID = "5d1c0a0e-3f57-4c2b-9a4e-7f0b8a2c6d13"
	// The demo's id before it was opaque; a data directory that has it
	// keeps it (seeded again under the new id, it would be a second one).
	legacyDemoRoadmapID = "demo-haugen"
	demoAgencyID        = "demo-nav"
	demoGrantTTL        = 90 * 24 * time.Hour
)

// seedDemo gives a newcomer something to look at: the person "Kari" (sign in
// with the development login) owns a filled-in demo roadmap, and shares part
// of it with the agency "NAV Demo", where "Nina" is a caseworker and "Ada" an
// administrator. Every step is idempotent, so restarts keep what a developer
// changed instead of failing or duplicating it.
func seedDemo(ctx context.Context, a *app) error {
	now := time.Now()
	kari, err := ensureDevUser(ctx, a, "Kari", now)
	if err != nil {
		return err
	}
	id := demoRoadmapID
	if _, err := a.store.Roadmap(ctx, legacyDemoRoadmapID); err == nil {
		id = legacyDemoRoadmapID
	}
	if err := seedDemoRoadmap(ctx, a, id, kari.ID, now); err != nil {
		return err
	}
	if err := seedDemoAgency(ctx, a, now); err != nil {
		return err
	}
	if err := seedDemoGrant(ctx, a, id, kari.ID, now); err != nil {
		return err
	}
	a.log.Info("demo ready", "roadmap", id, "agency", demoAgencyID)
	return nil
}

// ensureDevUser stores the user the development login gives name, so that
// the demo can refer to them before they ever sign in.
func ensureDevUser(ctx context.Context, a *app, name string, now time.Time) (*veikart.User, error) {
	u, err := a.store.EnsureUser(ctx, &veikart.User{ID: api.DevUserID(name), Name: name, CreatedAt: now.UTC()})
	if err != nil {
		return nil, fmt.Errorf("seed demo user %s: %w", name, err)
	}
	return u, nil
}

// seedDemoRoadmap creates Kari's roadmap unless it exists; a developer's edits
// to it survive restarts.
func seedDemoRoadmap(ctx context.Context, a *app, id, ownerID string, now time.Time) error {
	if _, err := a.store.Roadmap(ctx, id); err == nil {
		return nil
	} else if veikart.ErrorCode(err) != veikart.ENOTFOUND {
		return fmt.Errorf("seed demo roadmap: %w", err)
	}
	if err := a.store.CreateRoadmap(ctx, demo.Roadmap(id, ownerID, now)); err != nil && veikart.ErrorCode(err) != veikart.ECONFLICT {
		return fmt.Errorf("seed demo roadmap: %w", err)
	}
	if err := a.store.AddUserRoadmap(ctx, ownerID, id); err != nil {
		return fmt.Errorf("seed demo roadmap: %w", err)
	}
	return nil
}

// seedDemoAgency creates the demo agency with Nina as caseworker and Ada as
// administrator. An existing agency is left as it is: its people may have
// been changed on purpose through the admin API.
func seedDemoAgency(ctx context.Context, a *app, now time.Time) error {
	nina, err := ensureDevUser(ctx, a, "Nina", now)
	if err != nil {
		return err
	}
	ada, err := ensureDevUser(ctx, a, "Ada", now)
	if err != nil {
		return err
	}
	ag, err := newDemoAgency(nina.ID, ada.ID, now)
	if err != nil {
		return fmt.Errorf("seed demo agency: %w", err)
	}
	if err := a.store.CreateAgency(ctx, ag); err != nil && veikart.ErrorCode(err) != veikart.ECONFLICT {
		return fmt.Errorf("seed demo agency: %w", err)
	}
	// The users' own index of agencies is what /me and the agency switcher
	// read; $addToSet makes this safe to repeat.
	for _, uid := range []string{nina.ID, ada.ID} {
		if err := a.store.AddUserAgency(ctx, uid, demoAgencyID); err != nil {
			return fmt.Errorf("seed demo agency member: %w", err)
		}
	}
	return nil
}

// newDemoAgency builds the demo agency and its staff, as the operator would.
func newDemoAgency(caseworkerID, adminID string, now time.Time) (*veikart.Agency, error) {
	ag, err := veikart.NewAgency(demoAgencyID, veikart.KindNAV, "NAV Demo", "Oslo", now)
	if err != nil {
		return nil, err
	}
	if ag, err = ag.SetStaff(caseworkerID, []veikart.AgencyRole{veikart.CaseworkerRole}, auth.OperatorSubject, now); err != nil {
		return nil, err
	}
	return ag.SetStaff(adminID, []veikart.AgencyRole{veikart.AdminRole}, auth.OperatorSubject, now)
}

// seedDemoGrant has Kari share housing and economy with the demo agency,
// unless a grant is already in force (a restart must not stack grants, and a
// grant the developer revoked or let expire is replaced by a fresh one).
func seedDemoGrant(ctx context.Context, a *app, id, ownerID string, now time.Time) error {
	// The agency's index first, as the API does: an index entry without a
	// grant shows nothing, a grant missing from the index is never found.
	if err := a.store.AddAgencyRoadmap(ctx, demoAgencyID, id); err != nil {
		return fmt.Errorf("seed demo grant: %w", err)
	}
	policy := veikart.ConsentPolicy{MaxGrant: a.cfg.GrantMax}
	spec := veikart.GrantSpec{
		Sections: []veikart.Section{
			veikart.AreaSection("housing"), veikart.StepsSection("housing"),
			veikart.AreaSection("economy"), veikart.StepsSection("economy"),
		},
		Permissions: []veikart.Permission{veikart.View, veikart.CommentOn, veikart.Propose},
		Purpose:     "Oppfølging av bolig og økonomi",
		// Never longer than the operator allows, or a short VEIKART_GRANT_MAX
		// would stop the development server from starting.
		ExpiresAt: now.Add(min(demoGrantTTL, a.cfg.GrantMax)),
	}
	_, err := a.store.UpdateRoadmap(ctx, id, func(cur *veikart.Roadmap) (*veikart.Roadmap, error) {
		if _, ok := cur.ActiveGrant(demoAgencyID, now); ok {
			return cur, nil
		}
		n, _, err := cur.AddGrant("g-"+auth.RandomID(9), demoAgencyID, ownerID, spec, "owner", now, policy)
		if veikart.ErrorCode(err) == veikart.ECONFLICT {
			// The developer planned a transition to the agency, or shared
			// with others up to the limit: their data as they left it.
			return cur, nil
		}
		return n, err
	})
	if err != nil {
		return fmt.Errorf("seed demo grant: %w", err)
	}
	return nil
}

// levelFilter passes only records at or above min.
type levelFilter struct {
	slog.Handler
	min slog.Level
}

func (f levelFilter) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= f.min && f.Handler.Enabled(ctx, l)
}

func (f levelFilter) WithAttrs(as []slog.Attr) slog.Handler {
	return levelFilter{f.Handler.WithAttrs(as), f.min}
}

func (f levelFilter) WithGroup(name string) slog.Handler {
	return levelFilter{f.Handler.WithGroup(name), f.min}
}

// tracer is the HTTP layer's tracer, or nil when traces are off.
func (a *app) tracer() trace.Tracer {
	if a.tracing == nil {
		return nil
	}
	return a.tracing.Tracer()
}

// providerClient talks to OpenID providers: nil (the oidc package's default)
// unless traces are on, when calls made for a request join its trace.
func (a *app) providerClient() *http.Client {
	if a.tracing == nil {
		return nil
	}
	return &http.Client{Timeout: 10 * time.Second, Transport: a.tracing.Transport(nil)}
}

// buildRevision is the commit the binary was built from, if Go recorded it.
func buildRevision() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				return s.Value
			}
		}
	}
	return ""
}
