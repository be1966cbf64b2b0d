package account_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/account"
	"github.com/veikart/veikart/backend/auth"
	"github.com/veikart/veikart/backend/passkey"
	"github.com/veikart/veikart/backend/storage"
	"github.com/veikart/veikart/backend/testenv"
	"github.com/veikart/veikart/backend/veikart"
)

// The account use cases, tested directly on the real embedded store.

type world struct {
	svc   *account.Service
	store *storage.Store
	now   time.Time
	ctx   context.Context
}

var kari = access.Actor{Kind: access.Person, UserID: "u-kari"}

func newWorld(t *testing.T, rp *passkey.RP) *world {
	t.Helper()
	w := &world{store: testenv.MustStore(t), now: time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC), ctx: context.Background()}
	clock := func() time.Time { return w.now }
	keys, err := auth.LoadKeys(t.TempDir(), true, w.now)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	tokens := auth.NewTokens(keys, "https://veikart.test", "veikart-api", 10*time.Minute, clock)
	sessions := auth.NewSessions(w.store, tokens, 30*24*time.Hour, 90*24*time.Hour, clock, log)
	w.svc = account.New(account.Config{}, account.Deps{Store: w.store, Once: w.store, Sessions: sessions, RP: rp, Log: log, Now: clock})
	if _, err := w.store.EnsureUser(w.ctx, &veikart.User{ID: kari.UserID, Name: "Kari", CreatedAt: w.now}); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) signIn(t *testing.T, device string) *auth.TokenPair {
	t.Helper()
	u, err := w.store.User(w.ctx, kari.UserID)
	if err != nil {
		t.Fatal(err)
	}
	pair, err := w.svc.SignIn(w.ctx, u, "", veikart.SignInPasskey, device)
	if err != nil {
		t.Fatal(err)
	}
	return pair
}

func TestSessions_SignOutHoldsOnTheNextCheck(t *testing.T) {
	w := newWorld(t, nil)
	phone, tablet := w.signIn(t, "phone"), w.signIn(t, "tablet")
	for _, p := range []*auth.TokenPair{phone, tablet} {
		if method, err := w.svc.CheckSession(w.ctx, p.SessionID, kari.UserID); err != nil || method != veikart.SignInPasskey {
			t.Fatalf("a live session: %v %q", err, method)
		}
	}
	if _, err := w.svc.CheckSession(w.ctx, phone.SessionID, "u-someone-else"); veikart.ErrorCode(err) != veikart.EUNAUTHORIZED {
		t.Fatalf("a session named by another person's token: %v", err)
	}
	live, err := w.svc.Sessions(w.ctx, kari.UserID)
	if err != nil || len(live) != 2 {
		t.Fatalf("sessions: %v, %d", err, len(live))
	}
	// The phone was checked a moment ago and is remembered as live; the
	// sign-out must still hold at once.
	if err := w.svc.EndSession(w.ctx, kari.UserID, phone.SessionID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.CheckSession(w.ctx, phone.SessionID, kari.UserID); veikart.ErrorCode(err) != veikart.EUNAUTHORIZED {
		t.Fatalf("the signed-out phone: %v", err)
	}
	if err := w.svc.EndSession(w.ctx, "u-someone-else", tablet.SessionID); veikart.ErrorCode(err) != veikart.ENOTFOUND {
		t.Fatalf("someone else signing Kari's tablet out: %v, want not found", err)
	}
	if err := w.svc.EndAllSessions(w.ctx, kari.UserID, "signed-out-everywhere"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.CheckSession(w.ctx, tablet.SessionID, kari.UserID); veikart.ErrorCode(err) != veikart.EUNAUTHORIZED {
		t.Fatalf("the tablet after signing out everywhere: %v", err)
	}
	events, _, _, err := w.svc.SecurityLog(w.ctx, kari.UserID, "", 10)
	if err != nil || len(events) != 4 {
		t.Fatalf("security log: %v, %d entries, want two sign-ins and two sign-outs", err, len(events))
	}
}

func TestHandOver_ExchangedOnce(t *testing.T) {
	w := newWorld(t, nil)
	code, err := w.svc.HandOver(w.ctx, kari.UserID, veikart.SignInIDPorten, "")
	if err != nil {
		t.Fatal(err)
	}
	in, err := w.svc.Exchange(w.ctx, code, "phone")
	if err != nil || in.User.ID != kari.UserID || in.Pair.AccessToken == "" {
		t.Fatalf("exchange: %v", err)
	}
	if _, err := w.svc.Exchange(w.ctx, code, "phone"); veikart.ErrorCode(err) != veikart.EUNAUTHORIZED {
		t.Fatalf("the same code again: %v", err)
	}
	late, err := w.svc.HandOver(w.ctx, kari.UserID, veikart.SignInIDPorten, "")
	if err != nil {
		t.Fatal(err)
	}
	w.now = w.now.Add(3 * time.Minute)
	if _, err := w.svc.Exchange(w.ctx, late, "phone"); veikart.ErrorCode(err) != veikart.EUNAUTHORIZED {
		t.Fatalf("a code three minutes old: %v", err)
	}
}

func TestDevices_TheSameEndpointIsTheSameDevice(t *testing.T) {
	w := newWorld(t, nil)
	sub := veikart.PushSubscription{Endpoint: "https://fcm.googleapis.com/fcm/send/KARI", P256dh: "k", Auth: "a", UserAgent: "phone"}
	made, created, err := w.svc.Subscribe(w.ctx, kari, sub)
	if err != nil || !created || made.ID != veikart.PushSubscriptionID(sub.Endpoint) {
		t.Fatalf("subscribe: %v %v %+v", err, created, made)
	}
	w.now = w.now.Add(time.Hour)
	again, created, err := w.svc.Subscribe(w.ctx, kari, sub)
	if err != nil || created || again.ID != made.ID || !again.CreatedAt.Equal(made.CreatedAt) {
		t.Fatalf("the same endpoint again: %v created %v, %+v", err, created, again)
	}
	if _, _, err := w.svc.Subscribe(w.ctx, access.Actor{Kind: access.Operator, UserID: "op"}, sub); veikart.ErrorCode(err) != veikart.EFORBIDDEN {
		t.Fatalf("an operator subscribing: %v", err)
	}
	if err := w.svc.Unsubscribe(w.ctx, access.Actor{Kind: access.Person, UserID: "u-other"}, made.ID); veikart.ErrorCode(err) != veikart.ENOTFOUND {
		t.Fatalf("someone else unsubscribing Kari's phone: %v", err)
	}
	if err := w.svc.Unsubscribe(w.ctx, kari, made.ID); err != nil {
		t.Fatal(err)
	}
	if subs, err := w.svc.Devices(w.ctx, kari); err != nil || len(subs) != 0 {
		t.Fatalf("devices after unsubscribing: %v %v", err, subs)
	}
}

func TestEnrolment_OnlyCaseworkersWithPasskeysOn(t *testing.T) {
	caseworker := access.Actor{Kind: access.Agency, UserID: "u-case", AgencyID: "nav", AgencyRoles: []veikart.AgencyRole{veikart.CaseworkerRole}}
	off := newWorld(t, nil)
	if _, _, err := off.svc.CreateEnrolment(off.ctx, caseworker, "Amina", "", ""); veikart.ErrorCode(err) != veikart.EUNAVAILABLE {
		t.Fatalf("passkeys off: %v", err)
	}
	rp, err := passkey.New("https://veikart.test", "Veikart")
	if err != nil {
		t.Fatal(err)
	}
	w := newWorld(t, rp)
	if _, _, err := w.svc.CreateEnrolment(w.ctx, kari, "Amina", "", ""); veikart.ErrorCode(err) != veikart.EFORBIDDEN {
		t.Fatalf("a person making a code: %v", err)
	}
	if _, _, err := w.svc.CreateEnrolment(w.ctx, caseworker, "  ", "", ""); veikart.ErrorCode(err) != veikart.EINVALID {
		t.Fatalf("no name: %v", err)
	}
	e, code, err := w.svc.CreateEnrolment(w.ctx, caseworker, " Amina ", "", "")
	if err != nil || e.Name != "Amina" || e.CodeHash != account.HashEnrolmentCode(code) || e.ExpiresAt.Sub(w.now) != veikart.EnrolmentTTL {
		t.Fatalf("enrolment: %v %+v", err, e)
	}
	begun, err := w.svc.EnrolBegin(w.ctx, code)
	if err != nil || begun.Options == nil || begun.Ceremony.Name != "Amina" {
		t.Fatalf("begin: %v", err)
	}
	if _, err := w.svc.EnrolBegin(w.ctx, "not-a-code"); veikart.ErrorCode(err) != veikart.ENOTFOUND {
		t.Fatalf("a made-up code: %v", err)
	}
	// Recovery only for an owner who chose it, on a roadmap shared with
	// the agency: a roadmap that is not there tells nothing more.
	if _, _, err := w.svc.CreateEnrolment(w.ctx, caseworker, "", auth.NewUUID(), "key"); err != account.ErrNoRecovery {
		t.Fatalf("recovery on a roadmap that is not there: %v", err)
	}
}

func TestMe_AnErasedPersonSignsInAgain(t *testing.T) {
	w := newWorld(t, nil)
	p, err := w.svc.Me(w.ctx, kari)
	if err != nil || p.User.Name != "Kari" || len(p.Agencies) != 0 {
		t.Fatalf("me: %v %+v", err, p)
	}
	if _, err := w.svc.Me(w.ctx, access.Actor{Kind: access.Person, UserID: "u-gone"}); err != veikart.ErrSignInAgain {
		t.Fatalf("an erased person: %v", err)
	}
}
