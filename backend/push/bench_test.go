package push_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/veikart/veikart/backend/push"
	"github.com/veikart/veikart/backend/push/pushtest"
)

// BenchmarkSend sends notifications from parallel goroutines and reports
// notifications per second. "WebPushTesting" goes to the local
// web-push-testing service, which verifies each JWT and decrypts each
// payload in one node process, usually the bottleneck; "SenderOnly" goes to
// a Go handler that answers 201 unread, which measures the sender's own
// encryption and signing.
func BenchmarkSend(b *testing.B) {
	svc := pushtest.Start(b)
	v := MustVAPID(b)
	subs := make([]pushtest.Subscription, 16)
	for i := range subs {
		subs[i] = svc.Subscribe(b, v.PublicKey)
	}
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusCreated)
	}))
	b.Cleanup(sink.Close)

	for _, tc := range []struct {
		name     string
		endpoint func(pushtest.Subscription) string
	}{
		{"WebPushTesting", func(s pushtest.Subscription) string { return s.Endpoint }},
		{"SenderOnly", func(s pushtest.Subscription) string { return sink.URL + "/notify/" + s.ClientHash }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			// The default transport keeps 2 idle connections per host;
			// parallel senders would then keep opening new ones.
			tr := http.DefaultTransport.(*http.Transport).Clone()
			tr.MaxIdleConnsPerHost = 64
			b.Cleanup(tr.CloseIdleConnections)
			s, err := push.NewSender(v, testSubject, &http.Client{Transport: tr}, nil)
			if err != nil {
				b.Fatal(err)
			}
			var next, failed atomic.Int64
			b.SetParallelism(4)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					sub := subs[next.Add(1)%int64(len(subs))]
					m := messageTo(sub, tc.endpoint(sub), `{"kind":"reminder","id":"r-1"}`)
					if r := s.Send(b.Context(), m); r.Outcome != push.Delivered && failed.Add(1) == 1 {
						b.Errorf("Send = %+v", r)
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "notifications/s")
		})
	}
}
