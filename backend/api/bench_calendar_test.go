package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/veikart"
)

// BenchmarkCalendarFeed_Agency is a caseworker's calendar polling their
// agency's feed over real HTTP on the embedded store, with n households
// sharing their housing steps with the agency, each with a step given to
// it (due in ten days, not yet answered). Every fetch decides access per
// roadmap as the agency's caseworker (a revoked grant is out at the next
// fetch), so the cost grows with the households. Calendars poll about
// hourly (REFRESH-INTERVAL). Run with:
// go test -run '^$' -bench CalendarFeed_Agency -benchtime 50x ./backend/api
func BenchmarkCalendarFeed_Agency(b *testing.B) {
	for _, n := range []int{100, 500, 2000} {
		b.Run(fmt.Sprintf("households-%d", n), func(b *testing.B) {
			e := mustEnv(b, false)
			feed := agencyBenchWorld(b, e, n)
			var size int
			b.ResetTimer()
			for b.Loop() {
				resp, err := http.Get(e.url + feed)
				if err != nil {
					b.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatalf("feed: %d %s", resp.StatusCode, body)
				}
				if got := bytes.Count(body, []byte("BEGIN:VEVENT")); got != n {
					b.Fatalf("%d events, want %d", got, n)
				}
				size = len(body)
			}
			b.ReportMetric(float64(size)/1024, "KiB/feed")
		})
	}
}

// agencyBenchWorld stores an agency with one caseworker and n households
// that share their housing steps with it, each with a step given to the
// agency; it returns the path of the caseworker's feed for the agency.
func agencyBenchWorld(b *testing.B, e *env, n int) string {
	b.Helper()
	now := e.clock.Now()
	a := benchAgency(b, e, "nav-cal", "u-nina")
	due := now.AddDate(0, 0, 10).Format(time.DateOnly)
	for i := range n {
		id := fmt.Sprintf("00000000-0000-4000-9100-%012d", i)
		r, err := veikart.NewRoadmap(id, fmt.Sprintf("u-owner-%d", i), fmt.Sprintf("Familie %d", i), nil, now)
		if err != nil {
			b.Fatal(err)
		}
		if r, _, err = r.Apply([]veikart.Op{veikart.AddStep{ID: "o1", Step: veikart.Step{ID: "s1", AreaID: "housing", Title: "Svar på søknaden",
			Term: veikart.ShortTerm, Due: due, Responsible: veikart.Responsible{Kind: veikart.ByAgency, AgencyID: a.ID}}}}, now); err != nil {
			b.Fatal(err)
		}
		benchShare(b, e, a.ID, r, []veikart.Section{veikart.StepsSection("housing")}, veikart.View)
	}
	req, _ := http.NewRequest("POST", e.url+"/api/v1/me/calendar-feed", strings.NewReader(`{"lang":"nb"}`))
	req.Header.Set("Authorization", "Bearer "+e.issue(b, "u-nina", a.ID))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var made struct {
		URL string `json:"url"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&made); err != nil || resp.StatusCode != 201 {
		b.Fatalf("feed: %d %v", resp.StatusCode, err)
	}
	i := strings.Index(made.URL, "/api/v1/calendar/")
	if i < 0 {
		b.Fatalf("feed url %q", made.URL)
	}
	return made.URL[i:]
}
