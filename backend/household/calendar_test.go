package household_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/veikart"
)

// TestCalendarFeed_Keys: only the current address leads anywhere. A new
// one ends the old; a key left by a crash between the writes (stored, but
// not named by the user document) leads nowhere; turning the feed off
// ends it; the feed is a person's or a caseworker's, in one of the app's
// languages.
func TestCalendarFeed_Keys(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	code := veikart.ErrorCode

	admin := access.Actor{Kind: access.Agency, UserID: "u-case", AgencyID: "nav", AgencyRoles: []veikart.AgencyRole{veikart.AdminRole}}
	if _, _, err := w.svc.CreateCalendarFeed(w.ctx, admin, "nb"); code(err) != veikart.EFORBIDDEN {
		t.Fatalf("an agency's administrator, no caseworker: %v", err)
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

// TestCalendarFeed_CaseworkerKeepsOnePerRole: a caseworker's feed for
// their agency and their own as a person are two addresses, each replaced
// and turned off by itself; a language change reaches both; the agency's
// feed lists the step given to it while the grant is in force, and nothing
// once it has run out (the clock alone, no write).
func TestCalendarFeed_CaseworkerKeepsOnePerRole(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	self := access.Actor{Kind: access.Person, UserID: caseworker.UserID}
	id := w.roadmap(t)
	// The agency sees the steps it is given only where the household
	// shares the steps (as it answers them only there).
	if _, err := w.svc.CreateGrant(w.ctx, owner, id, "nav", veikart.GrantSpec{Sections: []veikart.Section{veikart.StepsSection("housing")},
		Permissions: viewOnly, Purpose: "Bolig", ExpiresAt: w.now.AddDate(0, 3, 0)}); err != nil {
		t.Fatal(err)
	}
	due := w.now.AddDate(0, 0, 6).Format(time.DateOnly)
	if _, _, err := w.svc.ApplyOperations(w.ctx, owner, id, nil, []veikart.Op{veikart.AddStep{ID: "o1", Step: veikart.Step{ID: "s-nav", AreaID: "housing", Title: "T",
		Term: veikart.ShortTerm, Due: due, Responsible: veikart.Responsible{Kind: veikart.ByAgency, AgencyID: "nav"}}}}); err != nil {
		t.Fatal(err)
	}

	work, f, err := w.svc.CreateCalendarFeed(w.ctx, caseworker, "nb")
	if err != nil || f.AgencyID != "nav" {
		t.Fatalf("agency feed: %+v %v", f, err)
	}
	own, _, err := w.svc.CreateCalendarFeed(w.ctx, self, "en")
	if err != nil {
		t.Fatal(err)
	}
	items, got, err := w.svc.CalendarEvents(w.ctx, work)
	if err != nil || got.AgencyID != "nav" || len(items) != 1 || items[0].Kind != "deadline" || items[0].Date != due || items[0].RoadmapID != id {
		t.Fatalf("agency feed's items: %+v %+v %v", items, got, err)
	}
	if items, _, err := w.svc.CalendarEvents(w.ctx, own); err != nil || len(items) != 0 {
		t.Fatalf("own feed's items: %+v %v", items, err)
	}

	if _, err := w.svc.SetCalendarLang(w.ctx, self, "ar"); err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{work, own} {
		if _, f, err := w.svc.CalendarEvents(w.ctx, secret); err != nil || f.Lang != "ar" {
			t.Fatalf("after the language change: %+v %v", f, err)
		}
	}

	// Turning the agency's off leaves the person's.
	if err := w.svc.RevokeCalendarFeed(w.ctx, caseworker); err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.svc.CalendarEvents(w.ctx, work); code(err) != veikart.ENOTFOUND {
		t.Fatalf("revoked agency feed: %v", err)
	}
	if _, _, err := w.svc.CalendarEvents(w.ctx, own); err != nil {
		t.Fatalf("own feed after the agency's was turned off: %v", err)
	}

	// A new one; the grant runs out: the next fetch lists nothing.
	work, _, err = w.svc.CreateCalendarFeed(w.ctx, caseworker, "nb")
	if err != nil {
		t.Fatal(err)
	}
	w.now = w.now.AddDate(0, 4, 0)
	if items, _, err := w.svc.CalendarEvents(w.ctx, work); err != nil || len(items) != 0 {
		t.Fatalf("after the grant ran out: %+v %v", items, err)
	}
}
