package api_test

import (
	"net/http/httptest"
	"testing"

	"github.com/veikart/veikart/backend/api"
	"github.com/veikart/veikart/backend/ratelimit"
	"github.com/veikart/veikart/backend/tracing"
)

// BenchmarkReadWith is BenchmarkRead's owner read with the request rate
// limits on (high enough never to refuse: the cost of counting) and with
// traces exported to a real OTLP/HTTP receiver, beside neither, in one run so
// that the numbers compare.
func BenchmarkReadWith(b *testing.B) {
	never := ratelimit.Rate{PerSecond: 1e9, Burst: 1e9}
	collector := httptest.NewServer(&otlpReceiver{})
	defer collector.Close()
	for _, tc := range []struct {
		name  string
		cfg   func() api.Config
		trace bool
	}{
		{name: "plain", cfg: func() api.Config { return api.Config{} }},
		{name: "rate-limits", cfg: func() api.Config { return api.Config{IPRate: never, UserRate: never} }},
		{name: "traced", trace: true, cfg: func() api.Config { return api.Config{} }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			cfg := tc.cfg()
			if tc.trace {
				tp, err := tracing.New(b.Context(), collector.URL, "bench")
				if err != nil {
					b.Fatal(err)
				}
				defer tp.Shutdown(b.Context())
				cfg.Tracer = tp.Tracer()
			}
			e := mustEnvWith(b, cfg, nil)
			w := newWorld(b, e)
			url, token := e.url+"/api/v1/roadmaps/"+w.id, w.tokens["owner"]
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if !benchGet(b, url, token) {
						return
					}
				}
			})
		})
	}
}
