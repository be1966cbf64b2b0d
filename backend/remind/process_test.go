package remind_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/push"
	"github.com/veikart/veikart/backend/push/pushtest"
	"github.com/veikart/veikart/backend/remind"
	"github.com/veikart/veikart/backend/storage"
	"github.com/veikart/veikart/backend/testenv"
	"github.com/veikart/veikart/backend/veikart"
)

// The test binary doubles as a reminder-sending server process: with
// VEIKART_REMIND_CHILD set it runs a scheduler against the database and push
// service the parent names, on the parent's clock (a file), until killed.
func TestMain(m *testing.M) {
	if os.Getenv("VEIKART_REMIND_CHILD") != "" {
		if err := child(); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func child() error {
	ctx := context.Background()
	store, err := storage.Open(ctx, os.Getenv("CHILD_URI"), os.Getenv("CHILD_DB"), storage.Options{})
	if err != nil {
		return err
	}
	vapid, err := push.LoadVAPID(os.Getenv("CHILD_KEYS"), false)
	if err != nil {
		return err
	}
	clockFile := os.Getenv("CHILD_CLOCK")
	now := func() time.Time {
		b, err := os.ReadFile(clockFile)
		if err != nil {
			panic(err)
		}
		t, err := time.Parse(time.RFC3339Nano, string(b))
		if err != nil {
			panic(err)
		}
		return t
	}
	// The sender judges deadlines by the test's clock too: its days are
	// fixed, and the real clock would find them past.
	ps, err := push.NewSender(vapid, "mailto:drift@veikart.no", &http.Client{Timeout: 5 * time.Second}, now)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	var sender remind.Sender = remind.PushSender{Push: ps, Log: log}
	if n, _ := strconv.Atoi(os.Getenv("CHILD_STALL_AFTER")); n > 0 {
		sender = &stalling{inner: sender, after: n, flag: os.Getenv("CHILD_STALL_FLAG")}
	}
	sch := &remind.Scheduler{Store: store, Sender: sender, Now: now, Loc: oslo, Log: log, Owner: os.Getenv("CHILD_OWNER"), Lease: 2 * time.Minute}
	for {
		if _, err := sch.Tick(ctx); err != nil {
			log.Error("tick", "err", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stalling sends the first `after` notifications, then hangs before sending
// the next one and says so in a file: the parent kills the process there, in
// the middle of its work, holding a claim on a job it never sent.
type stalling struct {
	inner remind.Sender
	after int
	flag  string
	mu    sync.Mutex
	n     int
}

func (s *stalling) Send(ctx context.Context, sub veikart.PushSubscription, n remind.Notification) (remind.Outcome, time.Time) {
	s.mu.Lock()
	s.n++
	stall := s.n > s.after
	s.mu.Unlock()
	if stall {
		_ = os.WriteFile(s.flag, []byte("stalled"), 0o600)
		select {}
	}
	return s.inner.Send(ctx, sub, n)
}

// TestReminders_TwoServerProcesses runs two real processes that send
// reminders from one database through a real push service, kills one of them
// (SIGKILL) in the middle of its work, moves the shared clock past its
// leases, and checks that the device received every reminder exactly once.
func TestReminders_TwoServerProcesses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc := pushtest.Start(t)
	keys := t.TempDir()
	vapid, err := push.LoadVAPID(keys, true)
	if err != nil {
		t.Fatal(err)
	}
	base := testenv.MustStore(t)
	s := testenv.OpenAgain(t, base, storage.Options{})
	dir := t.TempDir()
	clockFile := filepath.Join(dir, "clock")
	setClock := func(at time.Time) {
		tmp := clockFile + ".tmp"
		if err := os.WriteFile(tmp, []byte(at.Format(time.RFC3339Nano)), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, clockFile); err != nil {
			t.Fatal(err)
		}
	}
	at := time.Date(2026, 11, 26, 7, 0, 0, 0, time.UTC) // 08:00 Oslo
	setClock(at)

	phone := svc.Subscribe(t, vapid.PublicKey)
	if err := s.AddPushSubscription(ctx, veikart.PushSubscription{ID: storage.PushSubscriptionID(phone.Endpoint), UserID: "kari",
		Endpoint: phone.Endpoint, P256dh: phone.P256dh, Auth: phone.Auth, CreatedAt: at}); err != nil {
		t.Fatal(err)
	}
	const n = 30
	setup := &remind.Scheduler{Store: s, Now: func() time.Time { return at }, Loc: oslo, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Owner: "setup"}
	want := map[string]bool{}
	for i := range n {
		r := roadmapWithStep(t, "2026-11-27", veikart.Planned, veikart.Reminder{DaysBefore: 1, At: "09:00"})
		r.ID = fmt.Sprintf("rm%02d", i)
		if err := s.CreateRoadmap(ctx, r); err != nil {
			t.Fatal(err)
		}
		if err := setup.Sync(ctx, nil, r); err != nil {
			t.Fatal(err)
		}
		want[remind.Topic(remind.Jobs(r, oslo)[0].ID)] = true
	}

	start := func(owner string, stallAfter int, flag string) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "VEIKART_REMIND_CHILD=1", "CHILD_URI="+testenv.URI(t), "CHILD_DB="+s.DatabaseName(),
			"CHILD_KEYS="+keys, "CHILD_CLOCK="+clockFile, "CHILD_OWNER="+owner,
			"CHILD_STALL_AFTER="+strconv.Itoa(stallAfter), "CHILD_STALL_FLAG="+flag)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		return cmd
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
		}
	}

	// A goes first and stalls after eight reminders, holding claims on the
	// jobs its other workers had taken; B starts while A is stuck in the
	// middle of its work, and then A is killed.
	flag := filepath.Join(dir, "a-stalled")
	a := start("process-a", 8, flag)
	setClock(at.Add(time.Hour + 30*time.Second)) // 09:00:30 Oslo: all due
	waitFor("process A to stall mid-work", func() bool { _, err := os.Stat(flag); return err == nil })
	start("process-b", 0, "")
	waitFor("process B to send", func() bool { return len(svc.Messages(t, phone)) > 8 })
	if err := a.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = a.Wait()
	// B sends everything but the jobs A died holding (one per worker it had
	// running); after A's leases run out, B takes those over too.
	setClock(at.Add(time.Hour + 3*time.Minute))
	waitFor("every reminder", func() bool { return len(svc.Messages(t, phone)) >= n })
	time.Sleep(300 * time.Millisecond) // room for a duplicate to show up

	got := map[string]int{}
	for _, m := range svc.Messages(t, phone) {
		var p struct{ Tag string }
		if err := json.Unmarshal([]byte(m), &p); err != nil {
			t.Fatalf("payload %q: %v", m, err)
		}
		got[p.Tag]++
	}
	for tag := range want {
		if got[tag] != 1 {
			t.Errorf("reminder %s delivered %d times", tag, got[tag])
		}
	}
	if len(got) != n {
		t.Errorf("%d distinct reminders delivered, want %d", len(got), n)
	}
}
