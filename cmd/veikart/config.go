package main

import (
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/veikart/veikart/backend/api"
	"github.com/veikart/veikart/backend/oidc"
	"github.com/veikart/veikart/backend/push"
	"github.com/veikart/veikart/backend/ratelimit"
	"github.com/veikart/veikart/backend/tracing"
	"github.com/veikart/veikart/backend/veikart"
)

// config is everything the binary reads from its environment, in one place.
type config struct {
	Addr          string         // VEIKART_ADDR
	DataDir       string         // VEIKART_DATA_DIR
	MongoURI      string         // MONGODB_URI; empty: the embedded store in DataDir
	Database      string         // VEIKART_DB
	PublicURL     string         // VEIKART_PUBLIC_URL
	KeysDir       string         // VEIKART_KEYS_DIR
	Dev           bool           // VEIKART_DEV
	AccessTTL     time.Duration  // VEIKART_ACCESS_TTL
	SessionIdle   time.Duration  // VEIKART_SESSION_IDLE
	SessionMax    time.Duration  // VEIKART_SESSION_MAX
	BodyLimit     int            // VEIKART_BODY_LIMIT (bytes)
	CacheSize     int            // VEIKART_CACHE_SIZE (roadmaps kept in memory, embedded store only)
	LogLevel      string         // VEIKART_LOG_LEVEL: debug, info, warn, error
	LogFormat     string         // VEIKART_LOG_FORMAT: json or text
	AccessLog     bool           // VEIKART_ACCESS_LOG
	ShutdownGrace time.Duration  // VEIKART_SHUTDOWN_GRACE
	GrantMax      time.Duration  // VEIKART_GRANT_MAX: the longest a household can grant access for
	OwnSayAge     int            // VEIKART_OWN_SAY_AGE (or VEIKART_YOUTH_CONSENT_AGE): from this age a young member has their own say (10-18, default 16)
	BlockerK      int            // VEIKART_BLOCKER_K: the fewest households a published blocker count may have (5-1000, default 5; raise only)
	RecoveryWait  time.Duration  // VEIKART_RECOVERY_WAIT: how long an account recovery waits, cancellable, before it takes effect
	LogMonths     int            // VEIKART_LOG_MONTHS: how long access and security logs are kept (6-120, default 24)
	VAPIDSubject  string         // VEIKART_VAPID_SUBJECT: mailto: or https: contact for push services
	PushHosts     []string       // VEIKART_PUSH_HOSTS: push service hosts devices may subscribe on
	PushLoopback  bool           // VEIKART_PUSH_LOOPBACK: also http://127.0.0.1 (development and tests only)
	Reminders     bool           // VEIKART_REMINDERS: send reminders from this process
	TimeZone      string         // VEIKART_TIMEZONE: the households' time zone for reminders
	Location      *time.Location // TimeZone, loaded
	MetricsAddr   string         // VEIKART_METRICS_ADDR: where /metrics listens ("" = off)
	Pprof         bool           // VEIKART_PPROF: also serve /debug/pprof/ on the metrics listener
	// ID-porten (OpenID Connect); sign-in with it is on when the issuer is set.
	IDPortenIssuer       string   // VEIKART_IDPORTEN_ISSUER, e.g. https://idporten.no
	IDPortenClientID     string   // VEIKART_IDPORTEN_CLIENT_ID
	IDPortenClientSecret string   // VEIKART_IDPORTEN_CLIENT_SECRET
	IDPortenLevel        string   // VEIKART_IDPORTEN_LEVEL: idporten-loa-substantial (default) or idporten-loa-high
	TrustedProxies       []string // VEIKART_TRUSTED_PROXIES: reverse proxies whose X-Forwarded-For counts
	AgencyOIDCFile       string   // VEIKART_AGENCY_OIDC_FILE: the agencies' own OpenID providers (JSON)
	// Rate limits on every /api/v1 request, per process.
	RateIP   ratelimit.Rate // VEIKART_RATE_IP: per client address ("requests/second,burst"; 0 = off)
	RateUser ratelimit.Rate // VEIKART_RATE_USER: per signed-in person, from any address
	// Traces: on when an OTLP endpoint is set (ours or otel's own variables).
	OTelEndpoint string // VEIKART_OTEL_ENDPOINT: OTLP/HTTP receiver, e.g. http://otel-collector:4318
	Tracing      bool   // VEIKART_OTEL_ENDPOINT, OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT set
}

// Default rate limits, per process. Per address: an office of a few hundred
// caseworkers behind one NAT (or a mobile operator's shared address) opening
// the app at 08:00 needs ~30 requests each, then a few a minute; 2000 at
// once and 100 a second carry that. Per person: a phone's cold start with
// a long offline queue to replay (one request per roadmap per 100 edits)
// takes well under 100; a person clicking makes about one a second.
var (
	defaultRateIP   = ratelimit.Rate{PerSecond: 100, Burst: 2000}
	defaultRateUser = ratelimit.Rate{PerSecond: 10, Burst: 200}
)

func loadConfig(getenv func(string) string) (config, error) {
	c := config{
		Addr:          or(getenv("VEIKART_ADDR"), "127.0.0.1:8080"),
		DataDir:       or(getenv("VEIKART_DATA_DIR"), "./data"),
		MongoURI:      getenv("MONGODB_URI"),
		Database:      or(getenv("VEIKART_DB"), "veikart"),
		PublicURL:     getenv("VEIKART_PUBLIC_URL"),
		KeysDir:       getenv("VEIKART_KEYS_DIR"),
		LogLevel:      or(getenv("VEIKART_LOG_LEVEL"), "info"),
		LogFormat:     or(getenv("VEIKART_LOG_FORMAT"), "json"),
		AccessTTL:     10 * time.Minute,
		SessionIdle:   30 * 24 * time.Hour,
		SessionMax:    90 * 24 * time.Hour,
		BodyLimit:     256 << 10,
		ShutdownGrace: 15 * time.Second,
		GrantMax:      365 * 24 * time.Hour,
		OwnSayAge:     veikart.DefaultOwnSayAge,
		BlockerK:      veikart.MinHouseholds,
		RecoveryWait:  veikart.DefaultRecoveryWait,
		LogMonths:     veikart.DefaultLogMonths,
		VAPIDSubject:  getenv("VEIKART_VAPID_SUBJECT"),
		PushHosts:     push.DefaultHosts,
		Reminders:     true,
		TimeZone:      or(getenv("VEIKART_TIMEZONE"), "Europe/Oslo"),
		MetricsAddr:   getenv("VEIKART_METRICS_ADDR"),

		IDPortenIssuer:       getenv("VEIKART_IDPORTEN_ISSUER"),
		IDPortenClientID:     getenv("VEIKART_IDPORTEN_CLIENT_ID"),
		IDPortenClientSecret: getenv("VEIKART_IDPORTEN_CLIENT_SECRET"),
		IDPortenLevel:        or(getenv("VEIKART_IDPORTEN_LEVEL"), "idporten-loa-substantial"),
		AgencyOIDCFile:       getenv("VEIKART_AGENCY_OIDC_FILE"),
		RateIP:               defaultRateIP,
		RateUser:             defaultRateUser,
		OTelEndpoint:         getenv("VEIKART_OTEL_ENDPOINT"),
		Tracing:              tracing.Enabled(getenv),
	}
	for _, step := range []func(*config, func(string) string) error{
		(*config).readProxies, (*config).readRates, (*config).readIDPorten, (*config).readPush,
		(*config).readFlags, (*config).readDurations, (*config).readNumbers, (*config).derive,
	} {
		if err := step(&c, getenv); err != nil {
			return c, err
		}
	}
	return c, nil
}

// readProxies reads VEIKART_TRUSTED_PROXIES.
func (c *config) readProxies(getenv func(string) string) error {
	for _, p := range strings.Split(getenv("VEIKART_TRUSTED_PROXIES"), ",") {
		if p = strings.TrimSpace(p); p != "" {
			c.TrustedProxies = append(c.TrustedProxies, p)
		}
	}
	for _, p := range c.TrustedProxies {
		if !api.ValidTrustedProxy(p) {
			return fmt.Errorf("VEIKART_TRUSTED_PROXIES: %q is not an address or a CIDR range", p)
		}
	}
	return nil
}

// readRates reads the rate limits.
func (c *config) readRates(getenv func(string) string) error {
	for _, r := range []struct {
		name string
		dst  *ratelimit.Rate
	}{{"VEIKART_RATE_IP", &c.RateIP}, {"VEIKART_RATE_USER", &c.RateUser}} {
		if v := getenv(r.name); v != "" {
			rate, err := ratelimit.ParseRate(v)
			if err != nil {
				return fmt.Errorf("%s: %w", r.name, err)
			}
			*r.dst = rate
		}
	}
	return nil
}

// readIDPorten checks the ID-porten settings: all of them or none.
func (c *config) readIDPorten(func(string) string) error {
	if c.IDPortenIssuer != "" && (c.IDPortenClientID == "" || c.IDPortenClientSecret == "") {
		return fmt.Errorf("VEIKART_IDPORTEN_ISSUER is set: VEIKART_IDPORTEN_CLIENT_ID and VEIKART_IDPORTEN_CLIENT_SECRET are needed too")
	}
	if !oidc.ValidLevel(c.IDPortenLevel) {
		return fmt.Errorf("VEIKART_IDPORTEN_LEVEL: %q is not idporten-loa-substantial or idporten-loa-high", c.IDPortenLevel)
	}
	return nil
}

// readPush reads the push services allowed.
func (c *config) readPush(getenv func(string) string) error {
	if v := getenv("VEIKART_PUSH_HOSTS"); v != "" {
		c.PushHosts = nil
		for _, h := range strings.Split(v, ",") {
			if h = strings.TrimSpace(h); h != "" {
				c.PushHosts = append(c.PushHosts, h)
			}
		}
	}
	return nil
}

// readFlags reads the time zone and the switches.
func (c *config) readFlags(getenv func(string) string) error {
	var err error
	if c.Location, err = time.LoadLocation(c.TimeZone); err != nil {
		return fmt.Errorf("VEIKART_TIMEZONE: %q is not a time zone like Europe/Oslo", c.TimeZone)
	}
	for _, f := range []struct {
		name string
		dst  *bool
	}{{"VEIKART_DEV", &c.Dev}, {"VEIKART_ACCESS_LOG", &c.AccessLog}, {"VEIKART_PPROF", &c.Pprof}, {"VEIKART_PUSH_LOOPBACK", &c.PushLoopback}} {
		if *f.dst, err = parseBool(getenv, f.name); err != nil {
			return err
		}
	}
	if c.Pprof && c.MetricsAddr == "" {
		return fmt.Errorf("VEIKART_PPROF needs VEIKART_METRICS_ADDR: profiles are served on the internal metrics listener only")
	}
	if getenv("VEIKART_REMINDERS") != "" {
		if c.Reminders, err = parseBool(getenv, "VEIKART_REMINDERS"); err != nil {
			return err
		}
	}
	if c.PushLoopback && !c.Dev {
		return fmt.Errorf("VEIKART_PUSH_LOOPBACK only works with VEIKART_DEV: loopback push endpoints are for development and tests")
	}
	return nil
}

// readDurations reads the durations: each positive.
func (c *config) readDurations(getenv func(string) string) error {
	for _, d := range []struct {
		name string
		dst  *time.Duration
	}{{"VEIKART_ACCESS_TTL", &c.AccessTTL}, {"VEIKART_SESSION_IDLE", &c.SessionIdle}, {"VEIKART_SESSION_MAX", &c.SessionMax}, {"VEIKART_SHUTDOWN_GRACE", &c.ShutdownGrace}, {"VEIKART_GRANT_MAX", &c.GrantMax}, {"VEIKART_RECOVERY_WAIT", &c.RecoveryWait}} {
		if v := getenv(d.name); v != "" {
			var err error
			if *d.dst, err = time.ParseDuration(v); err != nil || *d.dst <= 0 {
				return fmt.Errorf("%s: %q is not a positive duration like 10m", d.name, v)
			}
		}
	}
	return nil
}

// readNumbers reads the sizes and the young member's own-say age.
func (c *config) readNumbers(getenv func(string) string) error {
	var err error
	for _, n := range []struct {
		name string
		dst  *int
	}{{"VEIKART_BODY_LIMIT", &c.BodyLimit}, {"VEIKART_CACHE_SIZE", &c.CacheSize}} {
		if v := getenv(n.name); v != "" {
			if *n.dst, err = strconv.Atoi(v); err != nil || *n.dst <= 0 {
				return fmt.Errorf("%s: %q is not a positive number", n.name, v)
			}
		}
	}
	// One setting under two names: issue 20 calls it
	// VEIKART_YOUTH_CONSENT_AGE; both set and different is a mistake that
	// must not be settled by guessing which one the operator meant.
	own, youth := getenv("VEIKART_OWN_SAY_AGE"), getenv("VEIKART_YOUTH_CONSENT_AGE")
	if own != "" && youth != "" && own != youth {
		return fmt.Errorf("VEIKART_OWN_SAY_AGE (%q) and VEIKART_YOUTH_CONSENT_AGE (%q) name the same setting: set one, or both alike", own, youth)
	}
	for _, n := range []struct{ name, v string }{{"VEIKART_OWN_SAY_AGE", own}, {"VEIKART_YOUTH_CONSENT_AGE", youth}} {
		if n.v == "" {
			continue
		}
		if c.OwnSayAge, err = strconv.Atoi(n.v); err != nil || c.OwnSayAge < 10 || c.OwnSayAge > 18 {
			return fmt.Errorf("%s: %q is not an age from 10 to 18", n.name, n.v)
		}
	}
	if v := getenv("VEIKART_BLOCKER_K"); v != "" {
		// Lowering it would show smaller cells than households were
		// promised (veikart/blocker.go), so only raising is accepted.
		if c.BlockerK, err = strconv.Atoi(v); err != nil || c.BlockerK < veikart.MinHouseholds || c.BlockerK > 1000 {
			return fmt.Errorf("VEIKART_BLOCKER_K: %q is not a number of households from %d to 1000", v, veikart.MinHouseholds)
		}
	}
	if v := getenv("VEIKART_LOG_MONTHS"); v != "" {
		if c.LogMonths, err = strconv.Atoi(v); err != nil || c.LogMonths < 6 || c.LogMonths > 120 {
			return fmt.Errorf("VEIKART_LOG_MONTHS: %q is not a number of months from 6 to 120", v)
		}
	}
	return nil
}

// derive fills in what follows from the rest.
func (c *config) derive(func(string) string) error {
	if c.KeysDir == "" {
		c.KeysDir = filepath.Join(c.DataDir, "keys")
	}
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.Addr
	}
	if _, err := url.Parse(c.PublicURL); err != nil {
		return fmt.Errorf("VEIKART_PUBLIC_URL: %w", err)
	}
	if c.VAPIDSubject == "" {
		// Push services contact the sender through this; an https public
		// URL is a fair default, and an operator should set a mailbox.
		c.VAPIDSubject = "mailto:drift@veikart.invalid"
		if strings.HasPrefix(c.PublicURL, "https://") {
			c.VAPIDSubject = c.PublicURL
		}
	}
	return nil
}

// checkDevAllowed refuses development mode unless the server listens on
// loopback only: the development login hands out sessions without any
// credential, so it must be unreachable from any network.
func (c config) checkDevAllowed() error {
	if !c.Dev {
		return nil
	}
	host, _, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return fmt.Errorf("VEIKART_ADDR %q: %w", c.Addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("development mode (VEIKART_DEV) only runs on a loopback address such as 127.0.0.1:8080, not %q", c.Addr)
}

// logValue returns the config as log attributes, with the database password
// masked.
func (c config) logValue() []any {
	return []any{
		"addr", c.Addr, "data_dir", c.DataDir, "mongodb_uri", maskURI(c.MongoURI), "database", c.Database,
		"public_url", c.PublicURL, "keys_dir", c.KeysDir, "dev", c.Dev, "access_ttl", c.AccessTTL.String(),
		"session_idle", c.SessionIdle.String(), "session_max", c.SessionMax.String(), "body_limit", c.BodyLimit,
		"cache_size", c.CacheSize, "log_level", c.LogLevel, "access_log", c.AccessLog, "grant_max", c.GrantMax.String(), "blocker_k", c.BlockerK, "recovery_wait", c.RecoveryWait.String(), "log_months", c.LogMonths,
		"vapid_subject", c.VAPIDSubject, "push_hosts", strings.Join(c.PushHosts, ","), "push_loopback", c.PushLoopback,
		"reminders", c.Reminders, "timezone", c.TimeZone, "metrics_addr", c.MetricsAddr,
		"idporten_issuer", c.IDPortenIssuer, "idporten_client_id", c.IDPortenClientID, "idporten_level", c.IDPortenLevel,
		"trusted_proxies", strings.Join(c.TrustedProxies, ","), "agency_oidc_file", c.AgencyOIDCFile,
		"rate_ip", c.RateIP.String(), "rate_user", c.RateUser.String(), "tracing", c.Tracing,
	}
}

func maskURI(s string) string {
	if s == "" {
		return "(embedded)"
	}
	u, err := url.Parse(s)
	if err != nil {
		return "(unparseable)"
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	q := u.Query()
	for k := range q {
		if strings.Contains(strings.ToLower(k), "password") || strings.Contains(strings.ToLower(k), "secret") {
			q.Set(k, "xxxxx")
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func parseBool(getenv func(string) string, name string) (bool, error) {
	v := getenv(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s: %q is not true or false", name, v)
	}
	return b, nil
}
