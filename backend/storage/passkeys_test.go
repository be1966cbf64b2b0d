package storage_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/testenv"
	"github.com/veikart/veikart/backend/veikart"
)

func passkey(userID string, n int, at time.Time) veikart.Passkey {
	cred := []byte(fmt.Sprintf("credential-%s-%d", userID, n))
	return veikart.Passkey{
		ID: veikart.PasskeyID(cred), CredentialID: cred, UserID: userID, Name: fmt.Sprintf("phone %d", n),
		PublicKey: []byte{0xa5, byte(n)}, Transports: []string{"internal"}, UserPresent: true, CreatedAt: at,
	}
}

// A person's passkeys come back as stored, each found by its id; the same
// credential cannot be registered twice; removal takes it out of both.
func TestPasskeys_AddFindRemove(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testenv.MustStore(t)
	t0 := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

	if got, err := s.Passkeys(ctx, "pk-kari"); err != nil || got == nil || len(got) != 0 {
		t.Fatalf("no passkeys: %v %v", got, err)
	}
	a, b := passkey("pk-kari", 1, t0), passkey("pk-kari", 2, t0.Add(time.Minute))
	for _, p := range []veikart.Passkey{a, b} {
		if _, err := s.AddPasskey(ctx, p, false); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.AddPasskey(ctx, a, false); veikart.ErrorCode(err) != veikart.ECONFLICT {
		t.Fatalf("same credential twice: %v", err)
	}
	got, err := s.Passkeys(ctx, "pk-kari")
	if err != nil || len(got) != 2 || got[0].ID != a.ID || got[1].Name != "phone 2" || !got[0].CreatedAt.Equal(t0) || string(got[0].CredentialID) != string(a.CredentialID) {
		t.Fatalf("passkeys %+v %v", got, err)
	}
	if owner, err := s.PasskeyOwner(ctx, b.ID); err != nil || owner != "pk-kari" {
		t.Fatalf("owner %q %v", owner, err)
	}
	// Someone else's passkey is not found in one's own list.
	if err := s.RemovePasskey(ctx, "pk-ola", a.ID, func(int) error { return nil }); veikart.ErrorCode(err) != veikart.ENOTFOUND {
		t.Fatalf("remove another's: %v", err)
	}
	if err := s.RemovePasskey(ctx, "pk-kari", a.ID, func(n int) error {
		if n != 1 {
			t.Errorf("remaining %d", n)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PasskeyOwner(ctx, a.ID); veikart.ErrorCode(err) != veikart.ENOTFOUND {
		t.Fatalf("removed passkey still found: %v", err)
	}
	// Recovery: the new passkey replaces every other.
	c := passkey("pk-kari", 3, t0)
	removed, err := s.AddPasskey(ctx, c, true)
	if err != nil || len(removed) != 1 || removed[0] != b.ID {
		t.Fatalf("replace: %v %v", removed, err)
	}
	if got, _ := s.Passkeys(ctx, "pk-kari"); len(got) != 1 || got[0].ID != c.ID {
		t.Fatalf("after replace: %+v", got)
	}
	if _, err := s.PasskeyOwner(ctx, b.ID); veikart.ErrorCode(err) != veikart.ENOTFOUND {
		t.Fatalf("replaced passkey still found: %v", err)
	}
}

// Of two removals racing for a person's last two passkeys, where the last
// must stay, exactly one succeeds.
func TestPasskeys_LastOneStaysUnderRace(t *testing.T) {
	t.Parallel()
	if testenv.External() {
		// As for roadmaps: FerretDB v1 does not re-check a replace's filter,
		// so compare-and-swap races are only safe on real MongoDB (shared
		// mode) and on the embedded store (serialised in process).
		t.Skip("compare-and-swap is not atomic on FerretDB; shared mode needs real MongoDB")
	}
	ctx := context.Background()
	s := testenv.MustStore(t)
	t0 := time.Now()
	ps := []veikart.Passkey{passkey("pk-ola", 1, t0), passkey("pk-ola", 2, t0)}
	for _, p := range ps {
		if _, err := s.AddPasskey(ctx, p, false); err != nil {
			t.Fatal(err)
		}
	}
	var ok atomic.Int32
	var wg sync.WaitGroup
	for _, p := range ps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.RemovePasskey(ctx, "pk-ola", p.ID, func(remaining int) error {
				if !veikart.MayRemovePasskey("pk-ola", remaining) {
					return &veikart.Error{Code: veikart.ECONFLICT, Message: "last"}
				}
				return nil
			})
			if err == nil {
				ok.Add(1)
			} else if veikart.ErrorCode(err) != veikart.ECONFLICT {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got, _ := s.Passkeys(ctx, "pk-ola"); ok.Load() != 1 || len(got) != 1 {
		t.Fatalf("%d removals succeeded, %d passkeys left", ok.Load(), len(got))
	}
}

// A sign-in counts up; a counter that does not move forward is refused and
// stores nothing.
func TestPasskeys_SignCount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testenv.MustStore(t)
	t0 := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	p := passkey("pk-mia", 1, t0)
	if _, err := s.AddPasskey(ctx, p, false); err != nil {
		t.Fatal(err)
	}
	// Synced passkeys send 0 every time.
	if err := s.UsePasskey(ctx, p, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	p.SignCount = 5
	if err := s.UsePasskey(ctx, p, t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, n := range []uint32{5, 4, 0} {
		p.SignCount = n
		if err := s.UsePasskey(ctx, p, t0.Add(3*time.Hour)); veikart.ErrorCode(err) != veikart.EUNAUTHORIZED {
			t.Fatalf("count %d: %v", n, err)
		}
	}
	got, _ := s.Passkeys(ctx, "pk-mia")
	if got[0].SignCount != 5 || !got[0].LastUsedAt.Equal(t0.Add(2*time.Hour)) {
		t.Fatalf("stored %+v", got[0])
	}
}

// An enrolment code is found until it expires, and taken once.
func TestEnrolments_TakenOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testenv.MustStore(t)
	t0 := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	e := &veikart.Enrolment{CodeHash: "h1", AgencyID: "nav", CreatedBy: "nina", Name: "Amina", CreatedAt: t0, ExpiresAt: t0.Add(30 * time.Minute)}
	if err := s.CreateEnrolment(ctx, e); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Enrolment(ctx, "h1", t0.Add(29*time.Minute)); err != nil || got.Name != "Amina" || got.Recovery() {
		t.Fatalf("enrolment %+v %v", got, err)
	}
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ok, err := s.TakeEnrolment(ctx, "h1"); err != nil {
				t.Error(err)
			} else if ok {
				wins.Add(1)
			}
		}()
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("%d takes won", wins.Load())
	}
	if _, err := s.Enrolment(ctx, "h1", t0); veikart.ErrorCode(err) != veikart.ENOTFOUND {
		t.Fatalf("used code found: %v", err)
	}
	e.CodeHash = "h2"
	if err := s.CreateEnrolment(ctx, e); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Enrolment(ctx, "h2", t0.Add(30*time.Minute)); veikart.ErrorCode(err) != veikart.ENOTFOUND {
		t.Fatalf("expired code found: %v", err)
	}
}

// A waiting recovery is kept beside the passkeys: its passkey is findable
// but not among the person's passkeys; it cannot take effect early; once
// due it replaces them in one write; stopped, it leaves nothing behind.
func TestPasskeys_PendingRecovery(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testenv.MustStore(t)
	t0 := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	old := passkey("pk-amina", 1, t0)
	if _, err := s.AddPasskey(ctx, old, false); err != nil {
		t.Fatal(err)
	}
	pending := func(n int) veikart.PendingRecovery {
		return veikart.PendingRecovery{Passkey: passkey("pk-amina", n, t0), AgencyID: "nav", CreatedBy: "nina", CreatedByName: "Nina",
			CodeCreatedAt: t0, StartedAt: t0, EffectiveAt: t0.Add(72 * time.Hour)}
	}

	// Started, then started again: the second replaces the first.
	first, second := pending(2), pending(3)
	if _, err := s.StartRecovery(ctx, "pk-amina", first); err != nil {
		t.Fatal(err)
	}
	if replaced, err := s.StartRecovery(ctx, "pk-amina", second); err != nil || replaced == nil || replaced.Passkey.ID != first.Passkey.ID {
		t.Fatalf("second start: replaced %+v, %v", replaced, err)
	}
	if _, err := s.PasskeyOwner(ctx, first.Passkey.ID); veikart.ErrorCode(err) != veikart.ENOTFOUND {
		t.Fatalf("the replaced recovery's passkey is still findable: %v", err)
	}
	if owner, err := s.PasskeyOwner(ctx, second.Passkey.ID); err != nil || owner != "pk-amina" {
		t.Fatalf("the waiting passkey is not findable: %q %v", owner, err)
	}
	if got, err := s.Passkeys(ctx, "pk-amina"); err != nil || len(got) != 1 || got[0].ID != old.ID {
		t.Fatalf("a waiting passkey counts as the person's: %+v %v", got, err)
	}
	pr, err := s.PendingRecovery(ctx, "pk-amina")
	if err != nil || pr == nil || pr.CreatedByName != "Nina" || !pr.EffectiveAt.Equal(second.EffectiveAt) || string(pr.Passkey.CredentialID) != string(second.Passkey.CredentialID) {
		t.Fatalf("pending %+v %v", pr, err)
	}

	// Not before it is due, not with another passkey.
	if _, _, err := s.CompleteRecovery(ctx, "pk-amina", second.Passkey.ID, t0.Add(71*time.Hour)); veikart.ErrorCode(err) != veikart.ECONFLICT {
		t.Fatalf("early: %v", err)
	}
	if _, _, err := s.CompleteRecovery(ctx, "pk-amina", old.ID, t0.Add(73*time.Hour)); veikart.ErrorCode(err) != veikart.ENOTFOUND {
		t.Fatalf("another passkey: %v", err)
	}
	done, removed, err := s.CompleteRecovery(ctx, "pk-amina", second.Passkey.ID, t0.Add(72*time.Hour))
	if err != nil || done == nil || len(removed) != 1 || removed[0] != old.ID {
		t.Fatalf("complete: %+v %v %v", done, removed, err)
	}
	if got, _ := s.Passkeys(ctx, "pk-amina"); len(got) != 1 || got[0].ID != second.Passkey.ID {
		t.Fatalf("after: %+v", got)
	}
	if _, err := s.PasskeyOwner(ctx, old.ID); veikart.ErrorCode(err) != veikart.ENOTFOUND {
		t.Fatalf("the replaced passkey still signs in: %v", err)
	}
	if pr, _ := s.PendingRecovery(ctx, "pk-amina"); pr != nil {
		t.Fatalf("still waiting: %+v", pr)
	}

	// Stopped: nothing of it remains.
	third := pending(4)
	if _, err := s.StartRecovery(ctx, "pk-amina", third); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CancelRecovery(ctx, "pk-amina"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CancelRecovery(ctx, "pk-amina"); veikart.ErrorCode(err) != veikart.ENOTFOUND {
		t.Fatalf("second cancel: %v", err)
	}
	if _, err := s.PasskeyOwner(ctx, third.Passkey.ID); veikart.ErrorCode(err) != veikart.ENOTFOUND {
		t.Fatalf("a stopped recovery's passkey is findable: %v", err)
	}
	if got, _ := s.Passkeys(ctx, "pk-amina"); len(got) != 1 || got[0].ID != second.Passkey.ID {
		t.Fatalf("stopping changed the passkeys: %+v", got)
	}
}
