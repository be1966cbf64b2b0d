package main

import (
	"strings"
	"testing"

	"github.com/veikart/veikart/backend/ratelimit"
)

// TestConfig_RateLimitsAndTracing: the request limits default to the
// generous numbers, read "requests per second,burst" or 0, refuse anything
// else by name; trusted proxies must be addresses or ranges; traces are on
// only when an endpoint is set.
func TestConfig_RateLimitsAndTracing(t *testing.T) {
	for _, tc := range []struct {
		name     string
		env      map[string]string
		ip, user ratelimit.Rate
		tracing  bool
		err      string
	}{
		{name: "Defaults", env: map[string]string{}, ip: defaultRateIP, user: defaultRateUser},
		{name: "Set", env: map[string]string{"VEIKART_RATE_IP": "50,500", "VEIKART_RATE_USER": "2.5,20"},
			ip: ratelimit.Rate{PerSecond: 50, Burst: 500}, user: ratelimit.Rate{PerSecond: 2.5, Burst: 20}},
		{name: "Off", env: map[string]string{"VEIKART_RATE_IP": "0", "VEIKART_RATE_USER": "0"}},
		{name: "BadRate", env: map[string]string{"VEIKART_RATE_USER": "fast"}, err: "VEIKART_RATE_USER"},
		{name: "BadProxy", env: map[string]string{"VEIKART_TRUSTED_PROXIES": "10.0.0.1, ingress"}, err: "VEIKART_TRUSTED_PROXIES"},
		{name: "Proxies", env: map[string]string{"VEIKART_TRUSTED_PROXIES": "10.0.0.1, 10.244.0.0/16, fd00::/8"}, ip: defaultRateIP, user: defaultRateUser},
		{name: "Traced", env: map[string]string{"VEIKART_OTEL_ENDPOINT": "http://otel-collector:4318"}, ip: defaultRateIP, user: defaultRateUser, tracing: true},
		{name: "PprofWithoutMetrics", env: map[string]string{"VEIKART_PPROF": "1"}, err: "VEIKART_METRICS_ADDR"},
		{name: "Pprof", env: map[string]string{"VEIKART_PPROF": "1", "VEIKART_METRICS_ADDR": "127.0.0.1:9464"}, ip: defaultRateIP, user: defaultRateUser},
		{name: "TracedByOtelVariable", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}, ip: defaultRateIP, user: defaultRateUser, tracing: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := loadConfig(func(k string) string { return tc.env[k] })
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one naming %s", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.RateIP != tc.ip || c.RateUser != tc.user || c.Tracing != tc.tracing {
				t.Fatalf("ip %v user %v tracing %v; want %v %v %v", c.RateIP, c.RateUser, c.Tracing, tc.ip, tc.user, tc.tracing)
			}
		})
	}
}

// TestConfig_OwnSayAge: one setting for the age from which a young member
// has their own say, 16 unless set, from 10 to 18.
func TestConfig_OwnSayAge(t *testing.T) {
	for _, tc := range []struct {
		v    string
		want int
		ok   bool
	}{{"", 16, true}, {"15", 15, true}, {"18", 18, true}, {"9", 0, false}, {"19", 0, false}, {"sixteen", 0, false}} {
		c, err := loadConfig(func(k string) string {
			if k == "VEIKART_OWN_SAY_AGE" {
				return tc.v
			}
			return ""
		})
		if (err == nil) != tc.ok || (tc.ok && c.OwnSayAge != tc.want) {
			t.Errorf("%q: age %d, err %v; want %d, ok %v", tc.v, c.OwnSayAge, err, tc.want, tc.ok)
		}
	}
}

// TestConfig_YouthConsentAge: VEIKART_YOUTH_CONSENT_AGE is another name
// for VEIKART_OWN_SAY_AGE; both set and different is refused.
func TestConfig_YouthConsentAge(t *testing.T) {
	for _, tc := range []struct {
		own, youth string
		want       int
		ok         bool
	}{
		{"", "17", 17, true}, {"17", "17", 17, true}, {"15", "", 15, true},
		{"15", "17", 0, false}, {"", "9", 0, false}, {"", "x", 0, false},
	} {
		c, err := loadConfig(func(k string) string {
			switch k {
			case "VEIKART_OWN_SAY_AGE":
				return tc.own
			case "VEIKART_YOUTH_CONSENT_AGE":
				return tc.youth
			}
			return ""
		})
		if (err == nil) != tc.ok || (tc.ok && c.OwnSayAge != tc.want) {
			t.Errorf("%q/%q: age %d, err %v; want %d, ok %v", tc.own, tc.youth, c.OwnSayAge, err, tc.want, tc.ok)
		}
	}
}

// TestConfig_LogMonths: the logs are kept 24 months unless set, from 6 to
// 120.
func TestConfig_LogMonths(t *testing.T) {
	for _, tc := range []struct {
		v    string
		want int
		ok   bool
	}{{"", 24, true}, {"6", 6, true}, {"120", 120, true}, {"5", 0, false}, {"121", 0, false}, {"2y", 0, false}} {
		c, err := loadConfig(func(k string) string {
			if k == "VEIKART_LOG_MONTHS" {
				return tc.v
			}
			return ""
		})
		if (err == nil) != tc.ok || (tc.ok && c.LogMonths != tc.want) {
			t.Errorf("%q: %d months, err %v; want %d, ok %v", tc.v, c.LogMonths, err, tc.want, tc.ok)
		}
	}
}

// TestConfig_BlockerK: the fewest households a blocker count is published
// with is 5 unless raised; it cannot be lowered.
func TestConfig_BlockerK(t *testing.T) {
	for _, tc := range []struct {
		v    string
		want int
		ok   bool
	}{{"", 5, true}, {"5", 5, true}, {"10", 10, true}, {"4", 0, false}, {"0", 0, false}, {"1001", 0, false}, {"five", 0, false}} {
		c, err := loadConfig(func(k string) string {
			if k == "VEIKART_BLOCKER_K" {
				return tc.v
			}
			return ""
		})
		if (err == nil) != tc.ok || (tc.ok && c.BlockerK != tc.want) {
			t.Errorf("%q: k %d, err %v; want %d, ok %v", tc.v, c.BlockerK, err, tc.want, tc.ok)
		}
	}
}
