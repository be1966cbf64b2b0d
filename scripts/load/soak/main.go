// Command soak drives a running `veikart serve` with the request mix of a
// working day, open loop, and judges the result. scripts/load/soak.sh starts
// the server on a freshly seeded embedded store and runs this against it.
//
//	soak -base http://127.0.0.1:18080 -metrics http://127.0.0.1:19464/metrics \
//	     -pid 1234 -tokens tokens.tsv -tz Europe/Oslo -duration 10m
//
// The mix: owners open, list and edit their roadmaps (area.update, each
// owner's writes one at a time, based on the version they last saw);
// caseworkers of one agency open roadmaps that households shared with it
// (each such read is written to the household's access log) and list what
// is shared, with unread messages and promises asked; households write to
// the agency, and caseworkers open a household's conversation (marking it
// read), its team and its meetings (each shared household has one, with an
// agenda the grant cuts). Meanwhile reminders fall due every minute and the server sends
// them by Web Push to a push service on loopback that this program runs
// (receiver: it checks the VAPID signature, decrypts each message and counts
// them by Topic per device, so a reminder sent twice shows).
//
// Requests start on a fixed schedule (open loop) and latency counts from the
// moment a request was due, so a server that falls behind cannot hide it by
// slowing the client down.
//
// Phases: setup (agency staff, grants); a warm-up that reads every roadmap
// once, then 15 s of the mix at -find-start (or -rate, if lower); unless
// -rate is given, a search for the highest rate at which every
// kind of request keeps p99 under -p99 for -find-step (rates growing by
// -find-factor, then one step halfway back after the first failure); then
// the hold: -hold-fraction of that rate for -duration, with the server's
// RSS (/proc/<pid>/status), Go heap and push counters (its /metrics) sampled
// every -sample. Reminders are set up just before the hold, due in its
// minutes.
//
// It exits 1 if, in the hold, any kind's p99 reaches -p99, any request fails,
// the memory is not flat (the mean RSS of the last third of the samples
// after -warmup more than -mem-tolerance above the first third's), a
// reminder is missing, sent twice or refused by the receiver, or the
// server's delivered count disagrees with the receiver's.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/veikart/veikart/backend/remind"
	"github.com/veikart/veikart/backend/veikart"
)

type options struct {
	base, metrics, tokens, out, tz, agency, admin, mix string
	pid                                                int
	duration, warmup, sample, findStep, p99, timeout   time.Duration
	rate, findStart, findFactor, holdFraction, memTol  float64
	caseworkers, shared, remindersPerMin, devices      int
	workers                                            int
}

func main() {
	var o options
	flag.StringVar(&o.base, "base", "", "the server's base URL, e.g. http://127.0.0.1:18080")
	flag.StringVar(&o.metrics, "metrics", "", "the server's metrics URL, e.g. http://127.0.0.1:19464/metrics")
	flag.IntVar(&o.pid, "pid", 0, "the server's process id (its RSS is read from /proc/<pid>/status)")
	flag.StringVar(&o.tokens, "tokens", "", "lines of roadmapId<TAB>accessToken from `veikart seed`: the owners")
	flag.StringVar(&o.out, "out", ".", "directory for samples.csv and summary.md")
	flag.StringVar(&o.tz, "tz", "Europe/Oslo", "the server's VEIKART_TIMEZONE (reminder times are local)")
	flag.StringVar(&o.agency, "agency", "demo-nav", "the agency the households share with (the development demo's)")
	flag.StringVar(&o.admin, "admin", "Ada", "the development login name of that agency's administrator")
	flag.StringVar(&o.mix, "mix", "read=47,list=10,edit=19,cwread=14,cwlist=5,msg=1,thread=2,team=1,meetings=1", "the request mix, as weights")
	flag.DurationVar(&o.duration, "duration", 10*time.Minute, "how long to hold the rate")
	flag.DurationVar(&o.warmup, "warmup", time.Minute, "the start of the hold left out of the memory rule")
	flag.DurationVar(&o.sample, "sample", 10*time.Second, "how often to sample memory and latency")
	flag.DurationVar(&o.findStep, "find-step", 15*time.Second, "how long each rate of the search runs")
	flag.DurationVar(&o.p99, "p99", 100*time.Millisecond, "the p99 every kind of request must stay under")
	flag.DurationVar(&o.timeout, "timeout", 10*time.Second, "a request taking longer fails")
	flag.Float64Var(&o.rate, "rate", 0, "requests per second to hold; 0: search for the highest that keeps p99")
	flag.Float64Var(&o.findStart, "find-start", 200, "the search's first rate")
	flag.Float64Var(&o.findFactor, "find-factor", 1.25, "each rate of the search is the last times this")
	flag.Float64Var(&o.holdFraction, "hold-fraction", 0.6, "hold this share of the rate the search found: its 15-s steps see fewer of the bursts (a reminder minute, a checkpoint) than 10 minutes do")
	flag.Float64Var(&o.memTol, "mem-tolerance", 0.10, "how much the last third's mean RSS may exceed the first third's")
	flag.IntVar(&o.caseworkers, "caseworkers", 100, "caseworkers in the agency, each signed in (each makes rate*share/caseworkers requests a second)")
	flag.IntVar(&o.shared, "shared", 300, "how many of the owners' roadmaps are shared with the agency")
	flag.IntVar(&o.remindersPerMin, "reminders-per-minute", 30, "reminders falling due in each minute of the hold")
	flag.IntVar(&o.devices, "devices", 2, "push subscriptions (devices) of each owner with a reminder")
	flag.IntVar(&o.workers, "workers", 512, "concurrent requests at most")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ok, err := run(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(2)
	}
	if !ok {
		os.Exit(1)
	}
}

// roadmap is one owner's roadmap. mu is held for the length of a write, so
// an owner's writes go one at a time and each names the version the last
// one returned, as the app does.
type roadmap struct {
	id, token string
	mu        sync.Mutex
	version   int64
	writes    int
}

type driver struct {
	o        options
	client   *http.Client
	owners   []*roadmap
	shared   []*roadmap // the roadmaps shared with the agency
	cwTokens []string
	weights  [nkinds]int
	total    int
	seq      atomic.Int64
	loc      *time.Location
	recv     *receiver
}

var areas = []string{"housing", "work", "education", "economy", "family", "health", "network", "leisure"}

func run(ctx context.Context, o options) (bool, error) {
	if o.base == "" || o.metrics == "" || o.tokens == "" || o.pid == 0 {
		return false, errors.New("give -base, -metrics, -tokens and -pid")
	}
	d := &driver{o: o, client: &http.Client{Timeout: o.timeout, Transport: &http.Transport{
		MaxIdleConns: o.workers, MaxIdleConnsPerHost: o.workers, DisableCompression: true, IdleConnTimeout: time.Minute,
	}}}
	var err error
	if d.loc, err = time.LoadLocation(o.tz); err != nil {
		return false, err
	}
	if err := d.parseMix(o.mix); err != nil {
		return false, err
	}
	if err := d.loadOwners(o.tokens); err != nil {
		return false, err
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return false, err
	}
	if d.recv, err = startReceiver(); err != nil {
		return false, err
	}
	defer d.recv.srv.Close()

	t0 := time.Now()
	if err := d.setupAgency(ctx); err != nil {
		return false, fmt.Errorf("setup: %w", err)
	}
	if err := d.warm(ctx); err != nil {
		return false, fmt.Errorf("warm-up: %w", err)
	}
	logf("setup: %d owners, %d caseworkers, %d roadmaps shared with %s, in %.1fs",
		len(d.owners), len(d.cwTokens), len(d.shared), o.agency, time.Since(t0).Seconds())

	// A little load before anything is judged: the setup's writes are
	// still being checkpointed, and the first requests of each kind pay
	// for what they bring into memory.
	warmRate := o.findStart
	if o.rate > 0 {
		warmRate = min(o.rate, warmRate)
	}
	logf("warm-up: %.0f requests/s for 15s (not judged)", warmRate)
	d.load(ctx, warmRate, 15*time.Second, newRecorder())
	time.Sleep(2 * time.Second)

	rate := o.rate
	var steps []stepResult
	if rate <= 0 {
		var best float64
		steps, best = d.find(ctx)
		if best == 0 {
			return false, errors.New("not even the search's first rate kept p99 under the limit; lower -find-start")
		}
		rate = math.Floor(best * o.holdFraction)
		logf("search: highest passing rate %.0f/s; holding %.0f%% of it: %.0f/s", best, o.holdFraction*100, rate)
	}
	if ctx.Err() != nil {
		return false, ctx.Err()
	}

	// Reminders due in the minutes of the hold, for owners with devices here.
	holdStart := time.Now().Add(5 * time.Second) // after the setup below
	want, lastDue, err := d.setupReminders(ctx, holdStart, holdStart.Add(o.duration))
	if err != nil {
		return false, fmt.Errorf("reminders: %w", err)
	}
	pushBase := d.pushCounts(ctx)
	cpuBase := d.scrape(ctx)["process_cpu_seconds_total"]
	selfBase := selfCPU()

	logf("hold: %.0f requests/s for %s (mix %s); sampling every %s", rate, o.duration, o.mix, o.sample)
	rec := newRecorder()
	var samples []sample
	sctx, stopSampling := context.WithCancel(ctx)
	samplerDone := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(samplerDone)
		samples = d.sampleLoop(sctx, rec, start, pushBase)
	}()
	d.load(ctx, rate, o.duration, rec)
	secs := time.Since(start).Seconds()
	cpu := cpuUse{server: (d.scrape(ctx)["process_cpu_seconds_total"] - cpuBase) / secs, driver: (selfCPU() - selfBase) / secs}
	stopSampling()
	<-samplerDone
	hold := rec.summarize(secs)

	// Every reminder was due at least a minute before the end, or the
	// scheduler's 10 s tick and the send are still under way: wait for
	// them, then a little longer for a second copy to show.
	deadline := lastDue.Add(60 * time.Second)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if got, _, _, _ := d.recv.counts(); complete(got, want) {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	time.Sleep(3 * time.Second)
	pushEnd := d.pushCounts(ctx)

	return d.report(o, rate, steps, hold, samples, cpu, want, pushBase, pushEnd)
}

// cpuUse is how many cores the server and this program used in the hold.
type cpuUse struct{ server, driver float64 }

// selfCPU is this process's user and system CPU time so far, in seconds.
func selfCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

func (d *driver) parseMix(s string) error {
	for part := range strings.SplitSeq(s, ",") {
		name, w, ok := strings.Cut(strings.TrimSpace(part), "=")
		n, err := strconv.Atoi(w)
		k := slices.Index(kindKeys[:], name)
		if !ok || err != nil || n < 0 || k < 0 {
			return fmt.Errorf("-mix: %q is not one of %v = a weight", part, kindKeys)
		}
		d.weights[k] = n
		d.total += n
	}
	if d.total == 0 {
		return errors.New("-mix: all weights are 0")
	}
	return nil
}

func (d *driver) loadOwners(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 64<<10)
	for sc.Scan() {
		id, tok, ok := strings.Cut(sc.Text(), "\t")
		if ok {
			tok, _, _ = strings.Cut(tok, "\t")
			d.owners = append(d.owners, &roadmap{id: id, token: tok})
		}
	}
	if len(d.owners) == 0 {
		return fmt.Errorf("no owners in %s", path)
	}
	if d.o.shared > len(d.owners) {
		d.o.shared = len(d.owners)
	}
	return sc.Err()
}

// call makes one request and reads the whole answer.
func (d *driver) call(ctx context.Context, method, path, token string, body any) (int, []byte, http.Header, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, d.o.base+path, rd)
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := d.client.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, b, res.Header, err
}

// must is call for the setup: anything but want is an error.
func (d *driver) must(ctx context.Context, want int, method, path, token string, body any) ([]byte, error) {
	st, b, _, err := d.call(ctx, method, path, token, body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if st != want {
		return nil, fmt.Errorf("%s %s: %d %s", method, path, st, b)
	}
	return b, nil
}

func (d *driver) devLogin(ctx context.Context, name, agency string) (token, userID string, err error) {
	body := map[string]any{"name": name}
	if agency != "" {
		body["agencyId"] = agency
	}
	b, err := d.must(ctx, 200, "POST", "/api/v1/dev/login", "", body)
	if err != nil {
		return "", "", err
	}
	var t struct {
		AccessToken string
		User        struct{ ID string }
	}
	if err := json.Unmarshal(b, &t); err != nil {
		return "", "", err
	}
	return t.AccessToken, t.User.ID, nil
}

// setupAgency signs in the agency's caseworkers (made staff by its
// administrator) and has the first -shared owners share part of their
// roadmap with the agency.
func (d *driver) setupAgency(ctx context.Context) error {
	admin, _, err := d.devLogin(ctx, d.o.admin, d.o.agency)
	if err != nil {
		return fmt.Errorf("the agency's administrator (is the server in development mode?): %w", err)
	}
	for i := range d.o.caseworkers {
		name := fmt.Sprintf("Soak caseworker %d", i)
		_, uid, err := d.devLogin(ctx, name, "")
		if err != nil {
			return err
		}
		if _, err := d.must(ctx, 200, "PUT", "/api/v1/agencies/"+d.o.agency+"/staff/"+uid, admin,
			map[string]any{"roles": []string{"caseworker"}}); err != nil {
			return err
		}
		tok, _, err := d.devLogin(ctx, name, d.o.agency)
		if err != nil {
			return err
		}
		d.cwTokens = append(d.cwTokens, tok)
	}
	expires := time.Now().Add(30 * 24 * time.Hour).UTC().Format(time.RFC3339)
	var mu sync.Mutex
	return d.parallel(ctx, d.o.shared, func(i int) error {
		r := d.owners[i]
		_, err := d.must(ctx, 201, "POST", "/api/v1/roadmaps/"+r.id+"/grants", r.token, map[string]any{
			"agencyId": d.o.agency, "sections": []string{"household", "area:housing", "steps:housing", "area:economy", "steps:economy"},
			"permissions": []string{"view", "comment", "team", "message"}, "purpose": "Oppfølging av bolig og økonomi", "expiresAt": expires,
		})
		if err != nil {
			return err
		}
		// A meeting in ten days with the agency, its agenda an item of a
		// granted area, one of an area not granted and a free one.
		mid := fmt.Sprintf("soak-meeting-%d", i)
		if _, err := d.must(ctx, 201, "POST", "/api/v1/roadmaps/"+r.id+"/meetings", r.token, map[string]any{
			"id": mid, "at": time.Now().Add(10 * 24 * time.Hour).UTC().Format(time.RFC3339), "invitees": []string{d.o.agency},
		}); err != nil {
			return err
		}
		if _, err := d.must(ctx, 200, "PUT", "/api/v1/roadmaps/"+r.id+"/meetings/"+mid+"/agenda", r.token, map[string]any{"items": []map[string]string{
			{"id": "i1", "areaId": "housing", "text": "Leiligheten"}, {"id": "i2", "areaId": "health", "text": "Fastlegen"}, {"id": "i3", "text": "Neste møte"},
		}}); err != nil {
			return err
		}
		mu.Lock()
		d.shared = append(d.shared, r)
		mu.Unlock()
		return nil
	})
}

// parallel runs f(0..n-1) on 16 goroutines and returns the first error.
func (d *driver) parallel(ctx context.Context, n int, f func(i int) error) error {
	var mu sync.Mutex
	var first error
	next := atomic.Int64{}
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				err := f(i)
				mu.Lock()
				if err != nil && first == nil {
					first = err
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}

// warm reads every owner's roadmap once (and keeps its version from the
// ETag) and every shared roadmap as a caseworker once.
func (d *driver) warm(ctx context.Context) error {
	err := d.parallel(ctx, len(d.owners), func(i int) error {
		r := d.owners[i]
		st, b, h, err := d.call(ctx, "GET", "/api/v1/roadmaps/"+r.id, r.token, nil)
		if err != nil || st != 200 {
			return fmt.Errorf("read %s: %d %v %.200s", r.id, st, err, b)
		}
		v, err := strconv.ParseInt(strings.Trim(strings.TrimPrefix(h.Get("ETag"), "W/"), `"v`), 10, 64)
		if err != nil {
			return fmt.Errorf("read %s: ETag %q", r.id, h.Get("ETag"))
		}
		r.version = v
		return nil
	})
	if err != nil {
		return err
	}
	return d.parallel(ctx, len(d.shared), func(i int) error {
		_, err := d.must(ctx, 200, "GET", "/api/v1/roadmaps/"+d.shared[i].id, d.cwTokens[i%len(d.cwTokens)], nil)
		return err
	})
}

// setupReminders subscribes devices for some owners and gives each of them a
// step due today with a reminder in one of the minutes of [from, to): the
// last such minute at least 40 s before to, so that the scheduler (which
// looks every 10 s) sends it inside the hold. It returns the "<device path>
// <topic>" pairs that must each arrive exactly once, and the last due time.
func (d *driver) setupReminders(ctx context.Context, from, to time.Time) (map[string]bool, time.Time, error) {
	first := from.Add(20 * time.Second).Truncate(time.Minute).Add(time.Minute)
	var minutes []time.Time
	for m := first; !m.After(to.Add(-40 * time.Second)); m = m.Add(time.Minute) {
		minutes = append(minutes, m)
	}
	if len(minutes) == 0 { // a hold shorter than about two minutes: one minute, sent just after it
		minutes = append(minutes, first)
	}
	n := min(len(minutes)*d.o.remindersPerMin, len(d.owners))
	want := map[string]bool{}
	var mu sync.Mutex
	for _, m := range minutes {
		if l := m.In(d.loc); l.Hour() < veikart.QuietHoursEnd || l.Hour() >= veikart.QuietHoursStart {
			return nil, time.Time{}, fmt.Errorf("%s is in quiet hours in %s: run with a -tz (and server VEIKART_TIMEZONE) where it is day", l.Format("15:04"), d.o.tz)
		}
	}
	// From the end of the owner list, so that most are not also shared.
	err := d.parallel(ctx, n, func(i int) error {
		oi := len(d.owners) - 1 - i
		r := d.owners[oi]
		var paths []string
		for dev := range d.o.devices {
			sub, err := d.recv.newDevice(deviceName(oi, dev))
			if err != nil {
				return err
			}
			if _, err := d.must(ctx, 201, "POST", "/api/v1/push/subscriptions", r.token, sub); err != nil {
				return err
			}
			paths = append(paths, "/push/"+deviceName(oi, dev))
		}
		at := minutes[i%len(minutes)].In(d.loc)
		step := veikart.Step{ID: "soak-rem-" + strconv.Itoa(i), Due: at.Format(time.DateOnly)}
		rm := veikart.Reminder{DaysBefore: 0, At: at.Format("15:04")}
		r.mu.Lock()
		defer r.mu.Unlock()
		b, err := d.must(ctx, 200, "POST", "/api/v1/roadmaps/"+r.id+"/operations", r.token, map[string]any{"operations": []any{map[string]any{
			"opId": fmt.Sprintf("soak-rem-%d-%d", i, time.Now().UnixNano()), "type": "step.add", "step": map[string]any{
				"id": step.ID, "areaId": "housing", "title": "Soak: a reminder", "term": "short",
				"responsible": map[string]string{"kind": "household"}, "due": step.Due,
				"reminders": []map[string]any{{"daysBefore": rm.DaysBefore, "at": rm.At}}}}}})
		if err != nil {
			return err
		}
		var resp struct{ Roadmap struct{ Version int64 } }
		if err := json.Unmarshal(b, &resp); err == nil && resp.Roadmap.Version > r.version {
			r.version = resp.Roadmap.Version
		}
		topic := remind.Topic(remind.JobID(r.id, step, rm))
		mu.Lock()
		for _, p := range paths {
			want[key(p, topic)] = true
		}
		mu.Unlock()
		return nil
	})
	last := minutes[min(n, len(minutes))-1]
	logf("reminders: %d due in %d minute(s) from %s to %s (%s), %d device(s) each: %d pushes expected",
		n, min(n, len(minutes)), minutes[0].In(d.loc).Format("15:04"), last.In(d.loc).Format("15:04"), d.o.tz, d.o.devices, len(want))
	return want, last, err
}

func complete(got map[string]int, want map[string]bool) bool {
	for k := range want {
		if got[k] == 0 {
			return false
		}
	}
	return true
}

// pick chooses the next request's kind by the mix's weights.
func (d *driver) pick() kind {
	n := rand.IntN(d.total)
	for k := range nkinds {
		if n < d.weights[k] {
			return k
		}
		n -= d.weights[k]
	}
	return ownerRead
}

// do makes one request of kind k and returns "" or why it failed.
func (d *driver) do(ctx context.Context, k kind) string {
	var st int
	var err error
	var b []byte
	switch k {
	case ownerRead:
		r := d.owners[rand.IntN(len(d.owners))]
		st, _, _, err = d.call(ctx, "GET", "/api/v1/roadmaps/"+r.id, r.token, nil)
	case ownerList:
		r := d.owners[rand.IntN(len(d.owners))]
		st, _, _, err = d.call(ctx, "GET", "/api/v1/roadmaps", r.token, nil)
	case cwRead:
		st, _, _, err = d.call(ctx, "GET", "/api/v1/roadmaps/"+d.shared[rand.IntN(len(d.shared))].id, d.cwTokens[rand.IntN(len(d.cwTokens))], nil)
	case message:
		// The household writes (the agency's caseworkers have no devices,
		// so no push competes with the reminders the receiver counts).
		r := d.shared[rand.IntN(len(d.shared))]
		st, _, _, err = d.call(ctx, "POST", "/api/v1/roadmaps/"+r.id+"/conversations/"+d.o.agency+"/messages", r.token, map[string]any{
			"id": "soak-msg-" + strconv.FormatInt(d.seq.Add(1), 36), "text": "Hei, vi lurer på når vi kan komme innom?"})
		if st == 201 {
			st = 200
		}
	case thread:
		st, _, _, err = d.call(ctx, "GET", "/api/v1/roadmaps/"+d.shared[rand.IntN(len(d.shared))].id+"/conversations/"+d.o.agency+"/messages", d.cwTokens[rand.IntN(len(d.cwTokens))], nil)
	case team:
		st, _, _, err = d.call(ctx, "GET", "/api/v1/roadmaps/"+d.shared[rand.IntN(len(d.shared))].id+"/team", d.cwTokens[rand.IntN(len(d.cwTokens))], nil)
	case meetings:
		st, _, _, err = d.call(ctx, "GET", "/api/v1/roadmaps/"+d.shared[rand.IntN(len(d.shared))].id+"/meetings", d.cwTokens[rand.IntN(len(d.cwTokens))], nil)
	case cwList:
		st, _, _, err = d.call(ctx, "GET", "/api/v1/shared", d.cwTokens[rand.IntN(len(d.cwTokens))], nil)
	case ownerEdit:
		// An owner not already writing: every owner's writes go one at a time.
		var r *roadmap
		for range 32 {
			if c := d.owners[rand.IntN(len(d.owners))]; c.mu.TryLock() {
				r = c
				break
			}
		}
		if r == nil {
			r = d.owners[rand.IntN(len(d.owners))]
			r.mu.Lock()
		}
		defer r.mu.Unlock()
		r.writes++
		seq := d.seq.Add(1)
		st, b, _, err = d.call(ctx, "POST", "/api/v1/roadmaps/"+r.id+"/operations", r.token, map[string]any{"operations": []any{map[string]any{
			"opId": "soak-" + strconv.FormatInt(seq, 36) + "-" + strconv.FormatInt(time.Now().UnixNano(), 36), "type": "area.update",
			"areaId": areas[r.writes%len(areas)], "baseVersion": r.version, "set": map[string]string{"now": "Soak " + strconv.FormatInt(seq, 10)}}}})
		if err == nil && st == 200 {
			var resp struct{ Roadmap struct{ Version int64 } }
			if json.Unmarshal(b, &resp) != nil || resp.Roadmap.Version <= r.version {
				return "edit answered without a newer version"
			}
			r.version = resp.Roadmap.Version
		}
	}
	switch {
	case err != nil:
		if ctx.Err() != nil {
			return ""
		}
		msg := err.Error()
		if i := strings.LastIndex(msg, ": "); i >= 0 {
			msg = msg[i+2:] // the cause, without the URL (ids)
		}
		return "transport: " + msg
	case st != 200:
		return "status " + strconv.Itoa(st)
	}
	return ""
}

// load runs the mix at rate requests per second for dur, open loop.
func (d *driver) load(ctx context.Context, rate float64, dur time.Duration, rec *recorder) {
	queue := make(chan time.Time, max(int(rate*2), 100)) // two seconds' worth: more is overload
	var wg sync.WaitGroup
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range d.o.workers {
		wg.Go(func() {
			for due := range queue {
				k := d.pick()
				why := d.do(rctx, k)
				if rctx.Err() != nil {
					return
				}
				rec.add(k, time.Since(due), why)
			}
		})
	}
	start := time.Now()
	interval := time.Duration(float64(time.Second) / rate)
	for i := 0; ; i++ {
		due := start.Add(time.Duration(i) * interval)
		if due.Sub(start) >= dur || ctx.Err() != nil {
			break
		}
		if w := time.Until(due); w > 0 {
			time.Sleep(w)
		}
		select {
		case queue <- due:
		default:
			rec.dropped()
		}
	}
	close(queue)
	wg.Wait()
}

type stepResult struct {
	rate float64
	s    summary
	pass bool
}

// find raises the rate until a step fails twice in a row (one burst, a
// reminder minute or a checkpoint, should not end the search at a rate the
// machine holds), then tries once halfway between the last pass and the
// failure (again with a second chance); it returns the steps and the
// highest rate that passed.
func (d *driver) find(ctx context.Context) ([]stepResult, float64) {
	var steps []stepResult
	try := func(rate float64) bool {
		rec := newRecorder()
		start := time.Now()
		d.load(ctx, rate, d.o.findStep, rec)
		s := rec.summarize(time.Since(start).Seconds())
		achieved := float64(s.totN) / s.secs
		pass := s.worstP99() < d.o.p99 && s.totFail == 0 && s.late == 0 && achieved >= 0.97*rate
		steps = append(steps, stepResult{rate, s, pass})
		var kinds []string
		for k := range nkinds {
			if s.n[k] > 0 {
				kinds = append(kinds, fmt.Sprintf("%s %.1f/%.1f", kindKeys[k], ms(s.p50[k]), ms(s.p99[k])))
			}
		}
		logf("search: %6.0f/s offered, %6.0f/s done, worst p99 %7.1f ms, %d failed, %d not started: %s (p50/p99 ms: %s)",
			rate, achieved, ms(s.worstP99()), s.totFail, s.late, map[bool]string{true: "pass", false: "FAIL"}[pass], strings.Join(kinds, ", "))
		time.Sleep(2 * time.Second) // let the queue and the group commit drain
		return pass
	}
	try2 := func(rate float64) bool { return try(rate) || (ctx.Err() == nil && try(rate)) }
	best, rate := 0.0, d.o.findStart
	for ctx.Err() == nil && try2(rate) {
		best = rate
		rate = math.Round(rate * d.o.findFactor)
	}
	if best > 0 && ctx.Err() == nil {
		if mid := math.Round((best + rate) / 2); mid > best && mid < rate && try2(mid) {
			best = mid
		}
	}
	return steps, best
}

// sample is one look at the server during the hold.
type sample struct {
	t                    float64 // seconds into the hold
	rps                  float64
	p50, p99             time.Duration
	failed               int
	rssKB                int64
	heapInuse, heapGoal  float64 // bytes
	goroutines           float64
	delivered, pushFails float64 // pushes since the hold began
}

func (d *driver) sampleLoop(ctx context.Context, rec *recorder, start time.Time, pushBase map[string]float64) []sample {
	f, err := os.Create(filepath.Join(d.o.out, "samples.csv"))
	if err != nil {
		logf("samples.csv: %v", err)
	}
	if f != nil {
		defer f.Close()
		fmt.Fprintln(f, "seconds,requests_per_s,p50_ms,p99_ms,failed,rss_mib,heap_inuse_mib,heap_goal_mib,goroutines,pushes_delivered,pushes_failed")
	}
	var out []sample
	t := time.NewTicker(d.o.sample)
	defer t.Stop()
	last := start
	failedBefore := 0
	for {
		select {
		case <-ctx.Done():
			return out
		case now := <-t.C:
			all, _ := rec.takeWindow()
			slices.Sort(all)
			rec.mu.Lock()
			failed := 0
			for k := range nkinds {
				for _, c := range rec.bad[k] {
					failed += c
				}
			}
			rec.mu.Unlock()
			s := sample{t: now.Sub(start).Seconds(), rps: float64(len(all)) / now.Sub(last).Seconds(),
				p50: pct(all, 50), p99: pct(all, 99), failed: failed - failedBefore}
			last, failedBefore = now, failed
			s.rssKB = rss(d.o.pid)
			m := d.scrape(ctx)
			s.heapInuse, s.heapGoal, s.goroutines = m["go_memstats_heap_inuse_bytes"], m["go_memstats_next_gc_bytes"], m["go_goroutines"]
			s.delivered = m[`veikart_push_notifications_total{outcome="delivered"}`] - pushBase[`veikart_push_notifications_total{outcome="delivered"}`]
			s.pushFails = m[`veikart_push_notifications_total{outcome="failed"}`] - pushBase[`veikart_push_notifications_total{outcome="failed"}`]
			out = append(out, s)
			logf("hold %4.0fs: %6.0f req/s, p50 %6.2f ms, p99 %7.2f ms, %d failed; RSS %6.1f MiB, heap %6.1f MiB (goal %6.1f), %4.0f goroutines; %3.0f pushes delivered",
				s.t, s.rps, ms(s.p50), ms(s.p99), s.failed, float64(s.rssKB)/1024, s.heapInuse/(1<<20), s.heapGoal/(1<<20), s.goroutines, s.delivered)
			if f != nil {
				fmt.Fprintf(f, "%.0f,%.0f,%.2f,%.2f,%d,%.1f,%.1f,%.1f,%.0f,%.0f,%.0f\n", s.t, s.rps, ms(s.p50), ms(s.p99), s.failed,
					float64(s.rssKB)/1024, s.heapInuse/(1<<20), s.heapGoal/(1<<20), s.goroutines, s.delivered, s.pushFails)
			}
		}
	}
}

// rss is the process's resident set in KiB, from /proc/<pid>/status.
func rss(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

// scrape reads the server's /metrics into "name{labels}" -> value, for the
// series this program looks at.
func (d *driver) scrape(ctx context.Context) map[string]float64 {
	out := map[string]float64{}
	req, err := http.NewRequestWithContext(context.WithoutCancel(ctx), "GET", d.o.metrics, nil)
	if err != nil {
		return out
	}
	res, err := d.client.Do(req)
	if err != nil {
		logf("metrics: %v", err)
		return out
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "go_") && !strings.HasPrefix(line, "veikart_push_") && !strings.HasPrefix(line, "process_") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
			out[line[:i]] = v
		}
	}
	return out
}

func (d *driver) pushCounts(ctx context.Context) map[string]float64 {
	m := d.scrape(ctx)
	out := map[string]float64{}
	for k, v := range m {
		if strings.HasPrefix(k, "veikart_push_notifications_total") {
			out[k] = v
		}
	}
	return out
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s soak: %s\n", time.Now().UTC().Format("15:04:05"), fmt.Sprintf(format, args...))
}
