// Package metrics holds the service's Prometheus metrics: HTTP requests by
// route and status with their latency, Web Push outcomes, how late reminders
// go out, and database trouble. Labels are route patterns and outcomes, never
// ids or anything personal.
package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is one registry with the service's collectors. A nil *Metrics
// records nothing, so code can call it unconditionally.
type Metrics struct {
	reg         *prometheus.Registry
	requests    *prometheus.CounterVec
	latency     *prometheus.HistogramVec
	push        *prometheus.CounterVec
	reminder    prometheus.Histogram
	unavailable prometheus.Counter
	storageFull prometheus.Counter
	signIn      *prometheus.CounterVec
	rateLimited *prometheus.CounterVec
}

// New returns the metrics with Go runtime and process collectors included.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "veikart_http_requests_total", Help: "HTTP requests by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "veikart_http_request_duration_seconds", Help: "HTTP request latency by route pattern and method.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method"}),
		push: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "veikart_push_notifications_total", Help: "Web Push notifications by outcome (delivered, gone, retried, failed).",
		}, []string{"outcome"}),
		reminder: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "veikart_reminder_lag_seconds", Help: "How long after its due moment a reminder was sent.",
			Buckets: []float64{1, 5, 10, 30, 60, 300, 900, 3600, 4 * 3600, 12 * 3600},
		}),
		unavailable: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "veikart_database_unavailable_total", Help: "Requests answered 503: almost always the database out of reach (also push when it is not configured).",
		}),
	}
	m.storageFull = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "veikart_storage_full_total", Help: "Requests answered 507: the database's disk is full, and nothing could be written.",
	})
	m.signIn = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "veikart_sign_in_failures_total", Help: "Refused sign-ins by method (idporten, passkey, handover, rate-limited, ...).",
	}, []string{"method"})
	m.rateLimited = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "veikart_rate_limited_total", Help: "API requests refused with 429 by the request rate limits, by scope (ip, user).",
	}, []string{"scope"})
	m.reg.MustRegister(m.requests, m.latency, m.push, m.reminder, m.unavailable, m.storageFull, m.signIn, m.rateLimited,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Request records one HTTP request.
func (m *Metrics) Request(route, method string, status int, d time.Duration) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(route, method, statusText(status)).Inc()
	m.latency.WithLabelValues(route, method).Observe(d.Seconds())
	switch status {
	case http.StatusServiceUnavailable:
		m.unavailable.Inc()
	case http.StatusInsufficientStorage:
		m.storageFull.Inc()
	}
}

// Push records the outcome of one notification: "delivered", "gone",
// "retried" or "failed".
func (m *Metrics) Push(outcome string, n int) {
	if m == nil || n <= 0 {
		return
	}
	m.push.WithLabelValues(outcome).Add(float64(n))
}

// ReminderLag records how late a reminder went out.
func (m *Metrics) ReminderLag(d time.Duration) {
	if m == nil {
		return
	}
	m.reminder.Observe(max(d, 0).Seconds())
}

// SignInFailed records a refused sign-in.
func (m *Metrics) SignInFailed(method string) {
	if m == nil {
		return
	}
	m.signIn.WithLabelValues(method).Inc()
}

// RateLimited records a request refused by the rate limit of scope "ip"
// (a client address) or "user" (a person, from any address).
func (m *Metrics) RateLimited(scope string) {
	if m == nil {
		return
	}
	m.rateLimited.WithLabelValues(scope).Inc()
}

func statusText(s int) string {
	// Three digits, without an allocation per request for the common ones.
	switch s {
	case 200:
		return "200"
	case 201:
		return "201"
	case 204:
		return "204"
	case 304:
		return "304"
	case 404:
		return "404"
	}
	return itoa(s)
}

func itoa(n int) string {
	if n < 0 || n > 999 {
		return "other"
	}
	return string([]byte{byte('0' + n/100), byte('0' + n/10%10), byte('0' + n%10)})
}
