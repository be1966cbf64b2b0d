package metrics_test

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/metrics"
)

func TestMetrics(t *testing.T) {
	m := metrics.New()
	m.Request("/api/v1/roadmaps/:roadmapId", "GET", 200, 3*time.Millisecond)
	m.Request("/api/v1/roadmaps/:roadmapId", "GET", 200, 30*time.Millisecond)
	m.Request("/health/ready", "GET", 503, time.Millisecond)
	m.Push("delivered", 3)
	m.Push("retried", 0) // nothing to count
	m.ReminderLag(90 * time.Second)
	m.RateLimited("ip")
	m.RateLimited("user")
	m.RateLimited("user")
	var nilMetrics *metrics.Metrics
	nilMetrics.Request("/x", "GET", 200, time.Second) // a nil Metrics records nothing, and does not panic

	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	out := string(body)
	for _, want := range []string{
		`veikart_http_requests_total{method="GET",route="/api/v1/roadmaps/:roadmapId",status="200"} 2`,
		`veikart_http_requests_total{method="GET",route="/health/ready",status="503"} 1`,
		`veikart_http_request_duration_seconds_bucket{method="GET",route="/api/v1/roadmaps/:roadmapId",le="0.005"} 1`,
		`veikart_push_notifications_total{outcome="delivered"} 3`,
		`veikart_reminder_lag_seconds_count 1`,
		`veikart_database_unavailable_total 1`,
		`veikart_rate_limited_total{scope="ip"} 1`,
		`veikart_rate_limited_total{scope="user"} 2`,
		`go_goroutines`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(out, `outcome="retried"`) {
		t.Error("a zero count created a series")
	}
}
