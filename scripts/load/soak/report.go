package main

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// report prints the summary (and writes it to summary.md) and says whether
// the run passed.
func (d *driver) report(o options, rate float64, steps []stepResult, hold summary, samples []sample, cpu cpuUse,
	want map[string]bool, pushBase, pushEnd map[string]float64) (bool, error) {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	ok := true
	var verdicts []string
	judge := func(pass bool, format string, args ...any) {
		word := "PASS"
		if !pass {
			word, ok = "FAIL", false
		}
		verdicts = append(verdicts, word+": "+fmt.Sprintf(format, args...))
	}

	p("Soak of veikart serve: %s at %.0f requests/s, %s, p99 limit %s", o.duration, rate, time.Now().UTC().Format("2006-01-02 15:04 MST"), o.p99)
	p("")
	if len(steps) > 0 {
		p("Search (each rate for %s; pass: every kind's p99 under %s, nothing failed, at least 97%% of the rate done):", o.findStep, o.p99)
		p("")
		p("| offered/s | done/s | worst p99 ms | failed | result |")
		p("| ---: | ---: | ---: | ---: | --- |")
		for _, s := range steps {
			p("| %.0f | %.0f | %.1f | %d | %s |", s.rate, float64(s.s.totN)/s.s.secs, ms(s.s.worstP99()), s.s.totFail+s.s.late,
				map[bool]string{true: "pass", false: "fail"}[s.pass])
		}
		p("")
		p("Hold: %.0f%% of the highest passing rate.", o.holdFraction*100)
		p("")
	}

	p("| request | share | requests | per s | p50 ms | p99 ms | max ms | failed |")
	p("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	var failures []string
	for k := range nkinds {
		if d.weights[k] == 0 {
			continue
		}
		nbad := 0
		for m, c := range hold.bad[k] {
			nbad += c
			failures = append(failures, fmt.Sprintf("%s: %s x%d", kindNames[k], m, c))
		}
		p("| %s | %d%% | %d | %.0f | %.2f | %.2f | %.1f | %d |", kindNames[k], d.weights[k]*100/d.total, hold.n[k],
			float64(hold.n[k])/hold.secs, ms(hold.p50[k]), ms(hold.p99[k]), ms(hold.max[k]), nbad)
	}
	p("| all | 100%% | %d | %.0f | | %.2f | | %d |", hold.totN, float64(hold.totN)/hold.secs, ms(hold.totP99), hold.totFail)
	p("")
	p("CPU in the hold: the server %.2f cores, this driver %.2f (of %d).", cpu.server, cpu.driver, runtime.NumCPU())
	p("")
	judge(hold.worstP99() < o.p99, "every kind's p99 under %s (worst %.1f ms)", o.p99, ms(hold.worstP99()))
	slices.Sort(failures)
	judge(hold.totFail == 0 && hold.late == 0, "no request failed (%d failed%s; %d not started, queue full)", hold.totFail,
		map[bool]string{true: ": " + strings.Join(failures, "; "), false: ""}[len(failures) > 0], hold.late)
	judge(float64(hold.totN)/hold.secs >= 0.97*rate, "the rate was held (%.0f/s done of %.0f/s offered)", float64(hold.totN)/hold.secs, rate)

	// Memory.
	var after []sample
	for _, s := range samples {
		if s.t >= o.warmup.Seconds() {
			after = append(after, s)
		}
	}
	if len(after) < 2 {
		judge(false, "memory flat: only %d samples after the %s warm-up; run longer", len(after), o.warmup)
	} else {
		n := max(1, len(after)/3)
		first, last := after[:n], after[len(after)-n:]
		mean := func(xs []sample, f func(sample) float64) float64 {
			t := 0.0
			for _, x := range xs {
				t += f(x)
			}
			return t / float64(len(xs))
		}
		p("Memory: mean of the first and last third of the %d samples after the %s warm-up (%d each):", len(after), o.warmup, n)
		p("")
		p("| | first third | last third | change |")
		p("| --- | ---: | ---: | ---: |")
		row := func(name string, f func(sample) float64) (float64, float64) {
			a, z := mean(first, f), mean(last, f)
			p("| %s | %.1f | %.1f | %+.1f%% |", name, a, z, (z/a-1)*100)
			return a, z
		}
		ra, rz := row("RSS MiB", func(s sample) float64 { return float64(s.rssKB) / 1024 })
		row("Go heap in use MiB", func(s sample) float64 { return s.heapInuse / (1 << 20) })
		row("Go heap goal MiB", func(s sample) float64 { return s.heapGoal / (1 << 20) })
		row("goroutines", func(s sample) float64 { return s.goroutines })
		minR, maxR := after[0].rssKB, after[0].rssKB
		for _, s := range after {
			minR, maxR = min(minR, s.rssKB), max(maxR, s.rssKB)
		}
		p("")
		p("RSS after warm-up ranged %.1f-%.1f MiB.", float64(minR)/1024, float64(maxR)/1024)
		p("")
		judge(ra > 0 && rz <= ra*(1+o.memTol), "memory flat: last third's mean RSS %.1f MiB within +%.0f%% of the first third's %.1f MiB (%+.1f%%)",
			rz, o.memTol*100, ra, (rz/ra-1)*100)
	}

	// The timeline, a row a minute (or a sample) so that a trend shows.
	if len(samples) > 0 {
		per := 1
		if o.duration >= 3*time.Minute {
			per = max(1, int(time.Minute/o.sample))
		}
		p("Timeline (a row per %s; every sample in samples.csv):", time.Duration(per)*o.sample)
		p("")
		p("| until s | req/s | worst p99 ms | failed | RSS MiB | heap in use MiB | heap goal MiB | goroutines | pushes delivered |")
		p("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
		for i := 0; i < len(samples); i += per {
			g := samples[i:min(i+per, len(samples))]
			z := g[len(g)-1]
			rps, worst, failed := 0.0, time.Duration(0), 0
			for _, s := range g {
				rps += s.rps
				worst = max(worst, s.p99)
				failed += s.failed
			}
			p("| %.0f | %.0f | %.1f | %d | %.1f | %.1f | %.1f | %.0f | %.0f |", z.t, rps/float64(len(g)), ms(worst), failed,
				float64(z.rssKB)/1024, z.heapInuse/(1<<20), z.heapGoal/(1<<20), z.goroutines, z.delivered)
		}
		p("")
	}

	// Reminders.
	got, total, refused, why := d.recv.counts()
	missing, twice, unwanted := 0, 0, 0
	for k := range want {
		switch c := got[k]; {
		case c == 0:
			missing++
		case c > 1:
			twice++
		}
	}
	for k := range got {
		if !want[k] {
			unwanted++
		}
	}
	delta := func(outcome string) float64 {
		k := `veikart_push_notifications_total{outcome="` + outcome + `"}`
		return pushEnd[k] - pushBase[k]
	}
	outcomes := slices.Sorted(maps.Keys(pushEnd))
	var om []string
	for _, k := range outcomes {
		om = append(om, fmt.Sprintf("%s %.0f", strings.TrimSuffix(strings.TrimPrefix(k, `veikart_push_notifications_total{outcome="`), `"}`), pushEnd[k]-pushBase[k]))
	}
	p("Reminders: %d pushes expected (one per device per reminder); the receiver accepted %d, refused %d; missing %d, more than once %d, not expected %d. Server's veikart_push_notifications_total over the hold: %s.",
		len(want), total, refused, missing, twice, unwanted, strings.Join(om, ", "))
	p("")
	judge(missing == 0 && twice == 0 && unwanted == 0 && refused == 0 && len(want) > 0,
		"every reminder delivered to every device exactly once (%d of %d; %d twice; %d refused%s)", len(want)-missing, len(want), twice, refused,
		map[bool]string{true: ": " + strings.Join(why, "; "), false: ""}[len(why) > 0])
	judge(delta("delivered") == float64(total), "the server counted what the receiver got (delivered %.0f, received %.0f)", delta("delivered"), float64(total))

	for _, v := range verdicts {
		p("- %s", v)
	}
	fmt.Print(b.String())
	if err := os.WriteFile(filepath.Join(o.out, "summary.md"), []byte(b.String()), 0o644); err != nil {
		return ok, err
	}
	return ok, nil
}
