package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/auth"
)

// The cluster test: a database server started on its own (FerretDB's server
// over TCP, on PostgreSQL) and two API processes sharing it, as replicas
// behind a load balancer would. scripts/external-db.sh runs it, passing the
// FerretDB binary and a PostgreSQL database in
// VEIKART_TEST_FERRETDB_BIN and VEIKART_TEST_PG_URL; without them it skips.
//
// It shows: a session made on one replica works on the other (refresh too),
// and a sign-out on one holds on the other within seconds; a request mix
// spread over both goes on without an error the client sees (beyond
// retrying on the other replica) when one is killed with SIGKILL, and every
// acknowledged write is there; the database gone for VEIKART_OUTAGE (30 s by
// default) makes the API answer 503 with problem details and fail
// readiness, and it recovers by itself when the database is back.
//
// Reminders are not sent twice across processes: backend/remind's
// TestTwoProcesses proves that with two real processes and SIGKILL.

type replica struct {
	name, url string
	cmd       *exec.Cmd
}

func TestCluster(t *testing.T) {
	bin, pgURL := os.Getenv("VEIKART_TEST_FERRETDB_BIN"), os.Getenv("VEIKART_TEST_PG_URL")
	if bin == "" || pgURL == "" {
		t.Skip("needs VEIKART_TEST_FERRETDB_BIN and VEIKART_TEST_PG_URL (scripts/external-db.sh sets them)")
	}
	outage := 30 * time.Second
	if d, err := time.ParseDuration(os.Getenv("VEIKART_OUTAGE")); err == nil {
		outage = d
	}
	db := startFerretDB(t, bin, pgURL)
	keys := t.TempDir() // every replica has the same keys, as deploy/ says
	a := startReplica(t, "A", db.uri, keys)
	b := startReplica(t, "B", db.uri, keys)
	client := &http.Client{Timeout: 15 * time.Second}

	t.Run("sessions work on either replica", func(t *testing.T) {
		tok := login(t, client, a.url, "Kari")
		if st, _ := call(client, b.url, "GET", "/api/v1/me", tok.Access, nil); st != 200 {
			t.Fatalf("A's token on B: %d", st)
		}
		st, body := call(client, b.url, "POST", "/api/v1/auth/refresh", "", map[string]any{"refreshToken": tok.Refresh})
		if st != 200 {
			t.Fatalf("refresh on B: %d %s", st, body)
		}
		var next tokens
		_ = json.Unmarshal(body, &next)
		if st, _ := call(client, a.url, "GET", "/api/v1/me", next.Access, nil); st != 200 {
			t.Fatalf("B's token on A: %d", st)
		}
		// Sign out on B; A refuses the token within its 5-second cache.
		if st, _ := call(client, b.url, "POST", "/api/v1/auth/logout", "", map[string]any{"refreshToken": next.Refresh}); st != 204 {
			t.Fatalf("logout on B: %d", st)
		}
		deadline := time.Now().Add(7 * time.Second)
		for {
			st, _ := call(client, a.url, "GET", "/api/v1/me", next.Access, nil)
			if st == 401 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("A still accepts a signed-out session: %d", st)
			}
			time.Sleep(200 * time.Millisecond)
		}
	})

	t.Run("a replica killed, the other carries on", func(t *testing.T) {
		const clients = 8
		var acked [clients]atomic.Int64
		var reads, retried atomic.Int64
		var failures atomic.Int64
		var failMsg sync.Map
		stop := make(chan struct{})
		var wg sync.WaitGroup
		killed := atomic.Bool{}
		ids := make([]string, clients)
		toks := make([]string, clients)
		for i := range clients {
			toks[i] = login(t, client, a.url, fmt.Sprintf("Family %d", i)).Access
			ids[i] = auth.NewUUID()
			if st, body := call(client, a.url, "POST", "/api/v1/roadmaps", toks[i], map[string]any{"id": ids[i], "title": "Cluster"}); st != 201 {
				t.Fatalf("create: %d %s", st, body)
			}
		}
		for i := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				replicas := []*replica{a, b}
				ver := int64(1) // the version this client last saw
				for n := 0; ; n++ {
					select {
					case <-stop:
						return
					default:
					}
					// Each client writes its own roadmap, so the replicas never
					// race on one document (FerretDB's filtered replace is not
					// atomic; see backend/storage); reads and writes alternate.
					path, method, body := "/api/v1/roadmaps/"+ids[i], "GET", any(nil)
					if n%2 == 1 {
						path, method = path+"/operations", "POST"
						body = map[string]any{"operations": []any{map[string]any{
							"opId": fmt.Sprintf("c%d-op%d", i, n), "type": "area.update", "areaId": "housing",
							"baseVersion": ver, "set": map[string]any{"now": fmt.Sprintf("note %d", n)}}}}
					}
					// The "load balancer": the replica by turn, the other one
					// when a connection fails. A write sent again has the
					// same opId: if the dead replica applied it, it counts
					// once (the server answers "duplicate").
					st, resp, err := -1, []byte(nil), error(nil)
					for try := range 2 {
						r := replicas[(n+i+try)%2]
						st, resp, err = callErr(client, r.url, method, path, toks[i], body)
						if err == nil {
							break
						}
						if try == 0 {
							retried.Add(1)
						}
					}
					switch {
					case err != nil:
						failures.Add(1)
						failMsg.Store(err.Error(), true)
					case st == 200:
						var r struct {
							Version int64
							Roadmap struct{ Version int64 }
						}
						_ = json.Unmarshal(resp, &r)
						ver = max(ver, r.Version, r.Roadmap.Version)
						if method == "POST" { // applied now, or before by the replica that died
							acked[i].Add(1)
						} else {
							reads.Add(1)
						}
					case st != 200:
						failures.Add(1)
						failMsg.Store(fmt.Sprintf("%s %s: %d %s", method, path, st, resp), true)
					}
				}
			}()
		}
		time.Sleep(3 * time.Second)
		_ = b.cmd.Process.Kill() // SIGKILL, mid-load
		_, _ = b.cmd.Process.Wait()
		killed.Store(true)
		time.Sleep(3 * time.Second)
		close(stop)
		wg.Wait()
		if n := failures.Load(); n > 0 {
			var msgs []string
			failMsg.Range(func(k, _ any) bool { msgs = append(msgs, k.(string)); return len(msgs) < 5 })
			t.Fatalf("%d requests failed for clients: %v", n, msgs)
		}
		for i := range clients {
			st, body := call(client, a.url, "GET", "/api/v1/roadmaps/"+ids[i], toks[i], nil)
			var r struct{ Version int64 }
			_ = json.Unmarshal(body, &r)
			// Version 1 at creation, one more per applied batch: nothing
			// acknowledged is lost, nothing is applied twice.
			if st != 200 || r.Version != 1+acked[i].Load() {
				t.Fatalf("client %d: %d acknowledged writes, roadmap at version %d (%d)", i, acked[i].Load(), r.Version, st)
			}
		}
		t.Logf("replica killed: %d writes acknowledged and %d reads over 6 s (B killed at 3 s), %d requests retried on the other replica, 0 errors seen by clients, every write there once",
			sum(acked[:]), reads.Load(), retried.Load())
	})

	t.Run("the database away and back", func(t *testing.T) {
		tok := login(t, client, a.url, "Outage")
		stopped := time.Now()
		db.stop(t)
		// Readiness fails and the API answers 503 with problem details.
		deadline := time.Now().Add(20 * time.Second)
		for {
			st, _ := call(client, a.url, "GET", "/health/ready", "", nil)
			if st == 503 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("ready still %d with the database gone", st)
			}
			time.Sleep(100 * time.Millisecond)
		}
		readyFailed := time.Since(stopped)
		// For the rest of the outage, clients keep coming, two a second,
		// each to the API and to readiness, without waiting for each other.
		// Every answer must be a 503 (a problem document from the API);
		// one that ends after the database is back may be a 200.
		type answer struct {
			ready         bool
			st            int
			ctype         string
			body          []byte
			took          time.Duration
			afterDBIsBack bool
		}
		var (
			mu      sync.Mutex
			answers []answer
			wg      sync.WaitGroup
			dbBack  atomic.Bool
		)
		tick := time.NewTicker(500 * time.Millisecond)
		for time.Since(stopped) < outage {
			for _, ready := range []bool{false, true} {
				wg.Go(func() {
					began := time.Now()
					var x answer
					x.ready = ready
					if ready {
						x.st, x.ctype, x.body = callType(client, a.url, "GET", "/health/ready", "")
					} else {
						x.st, x.ctype, x.body = callType(client, a.url, "GET", "/api/v1/roadmaps", tok.Access)
					}
					x.took, x.afterDBIsBack = time.Since(began), dbBack.Load()
					mu.Lock()
					answers = append(answers, x)
					mu.Unlock()
				})
			}
			<-tick.C
		}
		tick.Stop()
		db.start(t)
		dbBack.Store(true)
		back := time.Now()
		away := back.Sub(stopped)
		// Back by itself, without restarting the API process.
		deadline = time.Now().Add(60 * time.Second)
		for {
			st, _ := call(client, a.url, "GET", "/health/ready", "", nil)
			st2, _ := call(client, a.url, "GET", "/api/v1/roadmaps", tok.Access, nil)
			if st == 200 && st2 == 200 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("not recovered 60 s after the database came back: ready %d, roadmaps %d", st, st2)
			}
			time.Sleep(100 * time.Millisecond)
		}
		recovered := time.Since(back)
		if a.cmd.ProcessState != nil {
			t.Fatal("replica A exited")
		}
		wg.Wait() // the clients that were still waiting when it came back
		var apiAsked, problems, readyAsked, ready503, lateOK int
		var tooks []time.Duration
		for _, x := range answers {
			if x.ready {
				readyAsked++
			} else {
				apiAsked++
			}
			switch {
			case x.st == 200 && x.afterDBIsBack:
				lateOK++
			case x.ready && x.st == 503:
				ready503++
			case !x.ready && x.st == 503 && strings.HasPrefix(x.ctype, "application/problem+json") &&
				strings.Contains(string(x.body), `"type":"/problems/unavailable"`):
				problems++
				tooks = append(tooks, x.took)
			default:
				t.Fatalf("during the outage (ready probe %v): %d %s %s", x.ready, x.st, x.ctype, x.body)
			}
		}
		if problems == 0 || ready503 == 0 {
			t.Fatalf("no 503 seen during the outage: %d API answers, %d readiness answers", problems, ready503)
		}
		slices.Sort(tooks)
		// A person should hear "try again" quickly, not hang: the driver's
		// server selection gives up after 2 s (mongo.serverSelection).
		if worst := tooks[len(tooks)-1]; worst > 4*time.Second {
			t.Errorf("a 503 during the outage took %s; it should come within about 2 s", worst)
		}
		t.Logf("database away %.1f s: /health/ready 503 after %.1f s; during the outage %d of %d API requests answered 503 application/problem+json (/problems/unavailable), "+
			"in %d ms median and %d ms at most, %d readiness probes of %d answered 503, %d requests still waiting when it came back got 200; "+
			"ready and answering %.1f s after the database was back, same process (pid %d, never restarted)",
			away.Seconds(), readyFailed.Seconds(), problems, apiAsked, tooks[len(tooks)/2].Milliseconds(), tooks[len(tooks)-1].Milliseconds(),
			ready503, readyAsked, lateOK, recovered.Seconds(), a.cmd.Process.Pid)
	})

	// A database that accepts connections and then says nothing (SIGSTOP:
	// a frozen process, as in a network partition).
	t.Run("the database frozen", func(t *testing.T) {
		underFault(t, client, a, "Frozen",
			func() { _ = db.cmd.Process.Signal(syscall.SIGSTOP) },
			func() { _ = db.cmd.Process.Signal(syscall.SIGCONT) })
	})

	// FerretDB up, the PostgreSQL under it stopped: FerretDB answers with
	// its own errors, which must read as the database being away.
	t.Run("PostgreSQL stopped under FerretDB", func(t *testing.T) {
		stop, start := os.Getenv("VEIKART_TEST_PG_STOP"), os.Getenv("VEIKART_TEST_PG_START")
		if stop == "" || start == "" {
			t.Skip("needs VEIKART_TEST_PG_STOP and VEIKART_TEST_PG_START (scripts/external-db.sh sets them)")
		}
		sh := func(cmd string) {
			if out, err := exec.Command("bash", "-c", cmd).CombinedOutput(); err != nil {
				t.Fatalf("%s: %v\n%s", cmd, err, out)
			}
		}
		underFault(t, client, a, "Postgres", func() { sh(stop) }, func() { sh(start) })
	})
}

// faultWindow is how long the frozen database and the stopped PostgreSQL
// last: long enough for a dozen requests, short enough for make faults.
const faultWindow = 6 * time.Second

// underFault logs in and makes a roadmap on replica a, brings the fault
// about, and for faultWindow sends, twice a second, a write (an operation
// on that roadmap) and a read (the roadmap), without waiting for each
// other. Every answer must be 503 /problems/unavailable with Retry-After,
// within about the 2 s the README promises; then the fault ends and the
// same process must answer again by itself.
func underFault(t *testing.T, client *http.Client, a *replica, name string, begin, end func()) {
	tok := login(t, client, a.url, name)
	id := auth.NewUUID()
	if st, body := call(client, a.url, "POST", "/api/v1/roadmaps", tok.Access, map[string]any{"id": id, "title": name}); st != 201 {
		t.Fatalf("create: %d %s", st, body)
	}
	type answer struct {
		write bool
		st    int
		ctype string
		retry string
		body  []byte
		took  time.Duration
	}
	var (
		mu      sync.Mutex
		answers []answer
		wg      sync.WaitGroup
	)
	ask := func(write bool) {
		began := time.Now()
		var body io.Reader
		method, path := "GET", "/api/v1/roadmaps/"+id
		if write {
			method, path = "POST", path+"/operations"
			body = strings.NewReader(fmt.Sprintf(`{"operations":[{"opId":"o%d","type":"roadmap.setTitle","baseVersion":1,"title":"t"}]}`, began.UnixNano()))
		}
		req, _ := http.NewRequest(method, a.url+path, body)
		req.Header.Set("Authorization", "Bearer "+tok.Access)
		if write {
			req.Header.Set("Content-Type", "application/json")
		}
		x := answer{write: write, st: -1}
		if res, err := client.Do(req); err != nil {
			x.body = []byte(err.Error())
		} else {
			x.body, _ = io.ReadAll(res.Body)
			res.Body.Close()
			x.st, x.ctype, x.retry = res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Retry-After")
		}
		x.took = time.Since(began)
		mu.Lock()
		answers = append(answers, x)
		mu.Unlock()
	}
	begin()
	began := time.Now()
	tick := time.NewTicker(500 * time.Millisecond)
	for time.Since(began) < faultWindow {
		wg.Go(func() { ask(true) })
		wg.Go(func() { ask(false) })
		<-tick.C
	}
	tick.Stop()
	wg.Wait()
	end()
	back := time.Now()
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if st, _ := call(client, a.url, "GET", "/api/v1/roadmaps/"+id, tok.Access, nil); st == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not answering 60 s after the fault ended", name)
		}
	}
	recovered := time.Since(back)
	var tooks []time.Duration
	for _, x := range answers {
		if x.st != 503 || !strings.HasPrefix(x.ctype, "application/problem+json") || x.retry == "" ||
			!strings.Contains(string(x.body), `"type":"/problems/unavailable"`) {
			t.Errorf("%s (write %v): %d %s Retry-After %q after %s: %s", name, x.write, x.st, x.ctype, x.retry, x.took, x.body)
		}
		tooks = append(tooks, x.took)
	}
	slices.Sort(tooks)
	if worst := tooks[len(tooks)-1]; worst > 3500*time.Millisecond {
		t.Errorf("%s: an answer took %s; it should come within about 2 s", name, worst)
	}
	t.Logf("%s for %.0f s: %d requests (half writes) answered 503 in %d ms median and %d ms at most; answering again %.1f s after it ended",
		name, faultWindow.Seconds(), len(answers), tooks[len(tooks)/2].Milliseconds(), tooks[len(tooks)-1].Milliseconds(), recovered.Seconds())
}

func sum(xs []atomic.Int64) int64 {
	var n int64
	for i := range xs {
		n += xs[i].Load()
	}
	return n
}

type ferret struct {
	bin, pgURL, addr, uri string
	cmd                   *exec.Cmd
	state                 string
}

func startFerretDB(t *testing.T, bin, pgURL string) *ferret {
	f := &ferret{bin: bin, pgURL: pgURL, addr: freeAddr(t), state: t.TempDir()}
	f.uri = "mongodb://" + f.addr + "/"
	f.start(t)
	t.Cleanup(func() { f.stop(t) })
	return f
}

func (f *ferret) start(t *testing.T) {
	t.Helper()
	f.cmd = exec.Command(f.bin, "--handler=postgresql", "--postgresql-url="+f.pgURL, "--listen-addr="+f.addr,
		"--debug-addr=127.0.0.1:0", "--state-dir="+f.state, "--telemetry=disable", "--log-level=error")
	f.cmd.Stderr = io.Discard
	if err := f.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp", f.addr); err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("FerretDB did not start")
		}
	}
}

func (f *ferret) stop(t *testing.T) {
	if f.cmd == nil || f.cmd.Process == nil || f.cmd.ProcessState != nil {
		return
	}
	_ = f.cmd.Process.Kill()
	_, _ = f.cmd.Process.Wait()
}

func startReplica(t *testing.T, name, uri, keys string) *replica {
	t.Helper()
	addr := freeAddr(t)
	r := &replica{name: name, url: "http://" + addr}
	r.cmd = exec.Command(os.Args[0], "-test.run=^$")
	r.cmd.Env = append(os.Environ(), "VEIKART_KILL_CHILD=1", "VEIKART_DEV=1", "VEIKART_ADDR="+addr,
		// One public address for all replicas, as behind a load balancer:
		// it is the tokens' issuer and audience.
		"VEIKART_PUBLIC_URL=http://veikart.cluster.test",
		"MONGODB_URI="+uri, "VEIKART_DB=veikart_cluster", "VEIKART_KEYS_DIR="+keys, "VEIKART_DATA_DIR="+t.TempDir(),
		"VEIKART_LOG_LEVEL=error",
		// Eight clients on one address, each as fast as it can: a load
		// test of failover, not of the rate limits.
		"VEIKART_RATE_IP=0", "VEIKART_RATE_USER=0")
	r.cmd.Stderr = os.Stderr
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if r.cmd.ProcessState == nil {
			_ = r.cmd.Process.Kill()
			_, _ = r.cmd.Process.Wait()
		}
	})
	client := &http.Client{Timeout: 2 * time.Second}
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if res, err := client.Get(r.url + "/health/ready"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return r
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("replica %s did not become ready", name)
		}
	}
}

type tokens struct {
	Access  string `json:"accessToken"`
	Refresh string `json:"refreshToken"`
}

func login(t *testing.T, client *http.Client, base, name string) tokens {
	t.Helper()
	st, body := call(client, base, "POST", "/api/v1/dev/login", "", map[string]any{"name": name})
	if st != 200 {
		t.Fatalf("login %s: %d %s", name, st, body)
	}
	var tk tokens
	if err := json.Unmarshal(body, &tk); err != nil {
		t.Fatal(err)
	}
	return tk
}

func call(client *http.Client, base, method, path, token string, body any) (int, []byte) {
	st, b, err := callErr(client, base, method, path, token, body)
	if err != nil {
		return -1, []byte(err.Error())
	}
	return st, b
}

// callType is call that also returns the answer's Content-Type.
func callType(client *http.Client, base, method, path, token string) (int, string, []byte) {
	req, err := http.NewRequest(method, base+path, nil)
	if err != nil {
		return -1, "", []byte(err.Error())
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := client.Do(req)
	if err != nil {
		return -1, "", []byte(err.Error())
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("Content-Type"), b
}

func statusIs(client *http.Client, url string, want int) bool {
	res, err := client.Get(url)
	if err != nil {
		return false
	}
	res.Body.Close()
	return res.StatusCode == want
}

// callErr reports a connection error apart from an HTTP answer: the first
// is what a load balancer retries on another replica.
func callErr(client *http.Client, base, method, path, token string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b, nil
}
