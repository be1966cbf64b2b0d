package api_test

import (
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// BenchmarkRead compares an owner's read of a roadmap with a caseworker's read
// of the same roadmap through a grant: the access check, the projection and
// the access-log write that must be stored before the answer. Both go over
// real HTTP to a server on the embedded store, from parallel clients.
func BenchmarkRead(b *testing.B) {
	e := mustEnv(b, false)
	w := newWorld(b, e)
	// Many households, each shared with its own agency, read by 16 clients
	// at once: the access-log writes of different roadmaps then compete.
	many := make([]*world, 64)
	for i := range many {
		many[i] = newWorld(b, e)
	}
	for _, tc := range []struct{ name, token string }{
		{"owner", w.tokens["owner"]},
		{"caseworker", w.tokens["caseworker"]},
	} {
		b.Run(tc.name, func(b *testing.B) {
			url := e.url + "/api/v1/roadmaps/" + w.id
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if !benchGet(b, url, tc.token) {
						return
					}
				}
			})
		})
	}
	b.Run("caseworkers-16-clients-64-roadmaps", func(b *testing.B) {
		b.SetParallelism(8) // x GOMAXPROCS(2) = 16 clients
		var next atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				w := many[next.Add(1)%int64(len(many))]
				if !benchGet(b, e.url+"/api/v1/roadmaps/"+w.id, w.tokens["caseworker"]) {
					return
				}
			}
		})
	})
}

// benchGet reads url with token and reports whether it answered 200.
func benchGet(b *testing.B, url, token string) bool { return benchDo(b, "GET", url, token, "", 200) }

// benchDo sends a request (a JSON body unless it is "") and reports
// whether it answered want.
func benchDo(b *testing.B, method, url, token, body string, want int) bool {
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Error(err)
		return false
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != want {
		b.Errorf("%s %s: status %d, want %d", method, url, resp.StatusCode, want)
		return false
	}
	return true
}
