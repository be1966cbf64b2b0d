package main

import (
	"slices"
	"sync"
	"time"
)

// kind is a type of request in the mix.
type kind int

const (
	ownerRead kind = iota // an owner opens their roadmap
	ownerList             // an owner's list of roadmaps (the app's start)
	ownerEdit             // an owner edits one field (area.update)
	cwRead                // a caseworker opens a roadmap shared with the agency
	cwList                // a caseworker's list of what is shared with the agency
	message               // a household writes to the agency
	thread                // a caseworker opens a household's conversation (read, marked read, logged)
	team                  // a caseworker opens a household's team and promises
	meetings              // a caseworker opens the household's meetings, cut to the grant
	nkinds
)

var kindNames = [nkinds]string{"owner read", "owner list", "owner edit", "caseworker read", "caseworker list",
	"message", "caseworker thread", "caseworker team", "caseworker meetings"}
var kindKeys = [nkinds]string{"read", "list", "edit", "cwread", "cwlist", "msg", "thread", "team", "meetings"}

// recorder keeps every latency of a phase, by kind, and the latencies of the
// current sampling window. Latency is measured from the moment the request
// was due to start (open loop), so a server that falls behind shows it even
// when our own workers are all waiting.
type recorder struct {
	mu     sync.Mutex
	all    [nkinds][]time.Duration
	window [nkinds][]time.Duration
	ok     [nkinds]int
	bad    [nkinds]map[string]int // "status 409", "transport: ..." -> count
	late   int                    // requests not started because the queue was full
}

func newRecorder() *recorder {
	r := &recorder{}
	for k := range r.bad {
		r.bad[k] = map[string]int{}
	}
	return r
}

func (r *recorder) add(k kind, d time.Duration, failure string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.all[k] = append(r.all[k], d)
	r.window[k] = append(r.window[k], d)
	if failure == "" {
		r.ok[k]++
	} else {
		r.bad[k][failure]++
	}
}

func (r *recorder) dropped() {
	r.mu.Lock()
	r.late++
	r.mu.Unlock()
}

// takeWindow returns the window's latencies (all kinds together and by
// kind) and starts a new window.
func (r *recorder) takeWindow() (all []time.Duration, byKind [nkinds][]time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for k := range r.window {
		all = append(all, r.window[k]...)
		byKind[k] = r.window[k]
		r.window[k] = nil
	}
	return all, byKind
}

// summary is what a phase came to, by kind and in total.
type summary struct {
	secs    float64
	n, ok   [nkinds]int
	p50     [nkinds]time.Duration
	p99     [nkinds]time.Duration
	max     [nkinds]time.Duration
	bad     [nkinds]map[string]int
	late    int
	totN    int
	totP99  time.Duration
	totFail int
}

func (r *recorder) summarize(secs float64) summary {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := summary{secs: secs, late: r.late}
	var every []time.Duration
	for k := range nkinds {
		xs := slices.Clone(r.all[k])
		slices.Sort(xs)
		s.n[k], s.ok[k] = len(xs), r.ok[k]
		s.p50[k], s.p99[k] = pct(xs, 50), pct(xs, 99)
		if len(xs) > 0 {
			s.max[k] = xs[len(xs)-1]
		}
		s.bad[k] = map[string]int{}
		for m, c := range r.bad[k] {
			s.bad[k][m] = c
			s.totFail += c
		}
		every = append(every, xs...)
	}
	slices.Sort(every)
	s.totN, s.totP99 = len(every), pct(every, 99)
	return s
}

// worstP99 is the highest p99 of any kind that had requests.
func (s summary) worstP99() time.Duration {
	var w time.Duration
	for k := range nkinds {
		if s.n[k] > 0 {
			w = max(w, s.p99[k])
		}
	}
	return w
}

// pct is the p-th percentile of sorted xs (nearest rank).
func pct(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p/100+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
