package agency_test

import (
	"context"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/agency"
	"github.com/veikart/veikart/backend/testenv"
	"github.com/veikart/veikart/backend/veikart"
)

// The agency use cases, tested directly on the real embedded store.

var (
	operator = access.Actor{Kind: access.Operator, UserID: "op"}
	person   = access.Actor{Kind: access.Person, UserID: "u-per"}
)

func setup(t *testing.T, ownSignIn bool) (*agency.Service, context.Context) {
	t.Helper()
	store := testenv.MustStore(t)
	ctx := context.Background()
	now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	for _, u := range []string{"u-per", "u-admin"} {
		if _, err := store.EnsureUser(ctx, &veikart.User{ID: u, Name: u, CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	return agency.New(store, func(string) bool { return ownSignIn }, func() time.Time { return now }), ctx
}

func TestStaff_OnlyAdministratorsAndTheNextRequestSeesIt(t *testing.T) {
	svc, ctx := setup(t, false)
	if _, err := svc.Create(ctx, person, "nav", veikart.AgencyKinds[0], "NAV Vest", "Oslo"); veikart.ErrorCode(err) != veikart.EFORBIDDEN {
		t.Fatalf("a person creating an agency: %v", err)
	}
	if _, err := svc.Create(ctx, operator, "nav", veikart.AgencyKinds[0], "NAV Vest", "Oslo"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Create(ctx, operator, "nav", veikart.AgencyKinds[0], "NAV Øst", "Oslo"); veikart.ErrorCode(err) != veikart.ECONFLICT {
		t.Fatalf("the same id again: %v", err)
	}
	caseworker := []veikart.AgencyRole{veikart.CaseworkerRole}
	if _, err := svc.SetStaff(ctx, person, "nav", "u-per", caseworker); veikart.ErrorCode(err) != veikart.EFORBIDDEN {
		t.Fatalf("a person adding themselves: %v", err)
	}
	if _, err := svc.SetStaff(ctx, operator, "nav", "u-nobody", caseworker); veikart.ErrorCode(err) != veikart.EINVALID {
		t.Fatalf("someone who never signed in: %v", err)
	}
	if _, err := svc.SetStaff(ctx, operator, "nav", "u-per", caseworker); err != nil {
		t.Fatal(err)
	}
	actor, err := svc.Acting(ctx, "u-per", "nav", veikart.SignInPasskey)
	if err != nil || !actor.Caseworker() {
		t.Fatalf("acting for the agency: %v %+v", err, actor)
	}
	if err := svc.CheckStaff(ctx, "u-admin", "nav"); veikart.ErrorCode(err) != veikart.EFORBIDDEN {
		t.Fatalf("someone not on the staff: %v", err)
	}
	if err := svc.RemoveStaff(ctx, operator, "nav", "u-per"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Acting(ctx, "u-per", "nav", veikart.SignInPasskey); veikart.ErrorCode(err) != veikart.EFORBIDDEN {
		t.Fatalf("acting after removal: %v, want refused on the next request", err)
	}
	a, withStaff, err := svc.Get(ctx, person, "nav")
	if err != nil || withStaff || a.Name != "NAV Vest" {
		t.Fatalf("a person looking the agency up: %v, staff shown %v", err, withStaff)
	}
}

func TestRequireSignIn_HoldsOnTheNextRequest(t *testing.T) {
	svc, ctx := setup(t, false)
	if _, err := svc.Create(ctx, operator, "nav", veikart.AgencyKinds[0], "NAV Vest", "Oslo"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetStaff(ctx, operator, "nav", "u-per", []veikart.AgencyRole{veikart.CaseworkerRole}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RequireSignIn(ctx, operator, "nav", veikart.SignInAgencyOIDC); veikart.ErrorCode(err) != veikart.EINVALID {
		t.Fatalf("requiring a sign-in the agency has not: %v", err)
	}
	if _, err := svc.RequireSignIn(ctx, operator, "nav", veikart.SignInPasskey); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Acting(ctx, "u-per", "nav", veikart.SignInIDPorten); veikart.ErrorCode(err) != veikart.EFORBIDDEN {
		t.Fatalf("acting after another way of signing in: %v", err)
	}
	if _, err := svc.Acting(ctx, "u-per", "nav", veikart.SignInPasskey); err != nil {
		t.Fatalf("acting after the required way: %v", err)
	}
}

func TestVouch_FirstSignInMakesACaseworkerOnce(t *testing.T) {
	svc, ctx := setup(t, true)
	if _, err := svc.Create(ctx, operator, "nav", veikart.AgencyKinds[0], "NAV Vest", "Oslo"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetStaff(ctx, operator, "nav", "u-admin", []veikart.AgencyRole{veikart.AdminRole}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := svc.Vouch(ctx, "nav", "u-per"); err != nil {
			t.Fatal(err)
		}
	}
	if err := svc.Vouch(ctx, "nav", "u-admin"); err != nil {
		t.Fatal(err)
	}
	a, _, err := svc.Get(ctx, operator, "nav")
	if err != nil {
		t.Fatal(err)
	}
	if got := a.Roles("u-per"); len(got) != 1 || got[0] != veikart.CaseworkerRole {
		t.Errorf("vouched roles %v, want caseworker", got)
	}
	if got := a.Roles("u-admin"); len(got) != 1 || got[0] != veikart.AdminRole {
		t.Errorf("an administrator's roles after a provider sign-in: %v, want kept", got)
	}
	if len(a.Staff) != 2 {
		t.Errorf("staff %d, want 2 (vouching twice adds once)", len(a.Staff))
	}
}
