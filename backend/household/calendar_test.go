package household_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"testing"

	"github.com/veikart/veikart/backend/veikart"
)

// TestCalendarFeed_Keys: only the current address leads anywhere. A new
// one ends the old; a key left by a crash between the writes (stored, but
// not named by the user document) leads nowhere; turning the feed off
// ends it; the feed is a person's own, in one of the app's languages.
func TestCalendarFeed_Keys(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	code := veikart.ErrorCode

	if _, _, err := w.svc.CreateCalendarFeed(w.ctx, caseworker, "nb"); code(err) != veikart.EFORBIDDEN {
		t.Fatalf("acting for an agency: %v", err)
	}
	if _, _, err := w.svc.CreateCalendarFeed(w.ctx, owner, "de"); code(err) != veikart.EINVALID {
		t.Fatalf("unknown language: %v", err)
	}
	first, f, err := w.svc.CreateCalendarFeed(w.ctx, owner, "so")
	if err != nil || f.Lang != "so" || len(first) != 43 {
		t.Fatalf("create: %q %+v %v", first, f, err)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(first)
	sum := sha256.Sum256(raw)
	if f.Hash != hex.EncodeToString(sum[:]) {
		t.Fatal("the stored hash is not the secret's SHA-256")
	}
	if _, got, err := w.svc.CalendarEvents(w.ctx, first); err != nil || got.Lang != "so" {
		t.Fatalf("fetch: %+v %v", got, err)
	}

	second, _, err := w.svc.CreateCalendarFeed(w.ctx, owner, "nb")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.svc.CalendarEvents(w.ctx, first); code(err) != veikart.ENOTFOUND {
		t.Fatalf("replaced address: %v", err)
	}

	// A crash after the key and before the user document: the key alone
	// leads nowhere.
	orphan := base64.RawURLEncoding.EncodeToString(make([]byte, 32))
	zero := sha256.Sum256(make([]byte, 32))
	if err := w.store.AddCalendarKey(w.ctx, hex.EncodeToString(zero[:]), owner.UserID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.svc.CalendarEvents(w.ctx, orphan); code(err) != veikart.ENOTFOUND {
		t.Fatalf("orphan key: %v", err)
	}

	for _, bad := range []string{"", "short", first + "x", "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"} {
		if _, _, err := w.svc.CalendarEvents(w.ctx, bad); code(err) != veikart.ENOTFOUND {
			t.Fatalf("%q: %v", bad, err)
		}
	}

	if err := w.svc.RevokeCalendarFeed(w.ctx, owner); err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.svc.CalendarEvents(w.ctx, second); code(err) != veikart.ENOTFOUND {
		t.Fatalf("revoked address: %v", err)
	}
	if f, err := w.svc.CalendarFeed(w.ctx, owner); err != nil || f != nil {
		t.Fatalf("after revoking: %+v %v", f, err)
	}
	if err := w.svc.RevokeCalendarFeed(w.ctx, owner); err != nil {
		t.Fatalf("revoking again: %v", err)
	}
}
