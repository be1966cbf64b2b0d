package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestHealth runs `veikart health` against small servers that answer the way
// a ready, an unready, a misrouted and a hung server would, and against
// nothing at all. The container's HEALTHCHECK counts only the exit status,
// which is whether run returns an error.
func TestHealth(t *testing.T) {
	t.Parallel()
	ready := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/health/ready" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(`{"status":"ok"}`))
	}))
	t.Cleanup(ready.Close)
	unready := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"status":503}`, http.StatusServiceUnavailable)
	}))
	t.Cleanup(unready.Close)
	redirect := httptest.NewServer(http.RedirectHandler(ready.URL+"/health/ready", http.StatusFound))
	t.Cleanup(redirect.Close)
	// Hangs until the probe gives up, so Close does not wait on it.
	hung := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	t.Cleanup(hung.Close)
	nobody := "http://" + freeAddr(t) + "/health/ready"

	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		wantErr string // "" means healthy
	}{
		{name: "ReadyIsHealthy", args: []string{"-url", ready.URL + "/health/ready"}},
		{name: "DefaultURLFollowsAddr", env: map[string]string{"VEIKART_ADDR": ready.Listener.Addr().String()}},
		{name: "UnreadyIsUnhealthy", args: []string{"-url", unready.URL + "/health/ready"}, wantErr: "503"},
		{name: "RedirectIsUnhealthy", args: []string{"-url", redirect.URL + "/health/ready"}, wantErr: "302"},
		{name: "WrongPathIsUnhealthy", args: []string{"-url", ready.URL + "/elsewhere"}, wantErr: "404"},
		{name: "HungServerTimesOut", args: []string{"-url", hung.URL + "/health/ready", "-timeout", "200ms"}, wantErr: "did not answer within 200ms"},
		{name: "NothingListening", args: []string{"-url", nobody}, wantErr: "refused"},
		{name: "StrayArgument", args: []string{"now"}, wantErr: "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), append([]string{"health"}, tt.args...), envOf(tt.env), &stdout, &stderr)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("health: %v", err)
				}
				mustContain(t, "stdout", stdout.String(), "ok")
				return
			}
			if err == nil {
				t.Fatalf("health succeeded; want an error with %q", tt.wantErr)
			}
			mustContain(t, "error", err.Error(), tt.wantErr)
		})
	}
}

func TestDefaultHealthURL(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]string{
		"0.0.0.0:8080":   "http://127.0.0.1:8080/health/ready",
		":9000":          "http://127.0.0.1:9000/health/ready",
		"[::]:8080":      "http://127.0.0.1:8080/health/ready",
		"127.0.0.1:8081": "http://127.0.0.1:8081/health/ready",
		"[::1]:8080":     "http://[::1]:8080/health/ready",
		"not an address": "http://127.0.0.1:8080/health/ready",
	} {
		if got := defaultHealthURL(addr); got != want {
			t.Errorf("defaultHealthURL(%q) = %q, want %q", addr, got, want)
		}
	}
}
