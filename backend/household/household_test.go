package household_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/auth"
	"github.com/veikart/veikart/backend/household"
	"github.com/veikart/veikart/backend/storage"
	"github.com/veikart/veikart/backend/testenv"
	"github.com/veikart/veikart/backend/veikart"
)

// The use cases, tested directly on the real embedded store: no HTTP.

// heard records what the reminders were told.
type heard struct {
	mu      sync.Mutex
	changes [][2]*veikart.Roadmap
}

func (h *heard) Sync(_ context.Context, old, next *veikart.Roadmap) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.changes = append(h.changes, [2]*veikart.Roadmap{old, next})
	return nil
}

type world struct {
	svc   *household.Service
	store *storage.Store
	heard *heard
	now   time.Time
	ctx   context.Context
}

var (
	owner      = access.Actor{Kind: access.Person, UserID: "u-owner"}
	other      = access.Actor{Kind: access.Person, UserID: "u-other"}
	caseworker = access.Actor{Kind: access.Agency, UserID: "u-case", AgencyID: "nav", AgencyRoles: []veikart.AgencyRole{veikart.CaseworkerRole}}
	housing    = []veikart.Section{veikart.AreaSection("housing")}
	viewOnly   = []veikart.Permission{veikart.View}
)

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{store: testenv.MustStore(t), heard: &heard{}, now: time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC), ctx: context.Background()}
	w.svc = household.New(household.Config{}, w.store, w.heard, slog.New(slog.NewTextHandler(io.Discard, nil)), func() time.Time { return w.now })
	for _, u := range []string{owner.UserID, other.UserID, caseworker.UserID} {
		if _, err := w.store.EnsureUser(w.ctx, &veikart.User{ID: u, Name: "Navn " + u, CreatedAt: w.now}); err != nil {
			t.Fatal(err)
		}
	}
	a, err := veikart.NewAgency("nav", veikart.AgencyKinds[0], "NAV Grünerløkka", "Oslo", w.now)
	if err != nil {
		t.Fatal(err)
	}
	a.Staff = []veikart.StaffMember{{UserID: caseworker.UserID, Roles: caseworker.AgencyRoles, AddedAt: w.now}}
	if err := w.store.CreateAgency(w.ctx, a); err != nil {
		t.Fatal(err)
	}
	return w
}

// roadmap makes a roadmap the owner owns.
func (w *world) roadmap(t *testing.T) string {
	t.Helper()
	view, created, err := w.svc.Create(w.ctx, owner, auth.NewUUID(), "Familien", nil)
	if err != nil || !created {
		t.Fatalf("create: %v, created %v", err, created)
	}
	return view.Roadmap.ID
}

// linkedMember makes a family's roadmap whose member m1, Sara, is the
// other person: she accepted a member invitation.
func (w *world) linkedMember(t *testing.T) string {
	t.Helper()
	view, _, err := w.svc.Create(w.ctx, owner, auth.NewUUID(), "Familien",
		[]veikart.Member{{ID: "m1", Name: "Sara", BirthYear: 2008, Role: veikart.Child}})
	if err != nil {
		t.Fatal(err)
	}
	_, c, err := w.svc.Invite(w.ctx, owner, view.Roadmap.ID, veikart.Invitation{Kind: veikart.InviteMember, MemberID: "m1"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.AcceptInvitation(w.ctx, other, c); err != nil {
		t.Fatal(err)
	}
	return view.Roadmap.ID
}

func (w *world) grant(t *testing.T, id string) household.Grant {
	t.Helper()
	g, err := w.svc.CreateGrant(w.ctx, owner, id, "nav", veikart.GrantSpec{Sections: housing, Permissions: viewOnly, Purpose: "Bolig", ExpiresAt: w.now.AddDate(0, 3, 0)})
	if err != nil {
		t.Fatalf("grant: %v", err)
	}
	return g
}

func (w *world) log(t *testing.T, id string) []veikart.AuditEvent {
	t.Helper()
	events, _, err := w.svc.AccessLog(w.ctx, owner, id, "", 100)
	if err != nil {
		t.Fatalf("access log: %v", err)
	}
	return events
}

func code(err error) string { return veikart.ErrorCode(err) }

func TestCreate_RetryAdoptsOthersConflict(t *testing.T) {
	w := newWorld(t)
	id := auth.NewUUID()
	first, created, err := w.svc.Create(w.ctx, owner, id, "Familien", nil)
	if err != nil || !created {
		t.Fatalf("first: %v %v", err, created)
	}
	again, created, err := w.svc.Create(w.ctx, owner, id, "Familien", nil)
	if err != nil || created || again.Roadmap.Version != first.Roadmap.Version {
		t.Fatalf("retry: err %v, created %v: want the same roadmap back", err, created)
	}
	if _, _, err := w.svc.Create(w.ctx, other, id, "Annen", nil); code(err) != veikart.ECONFLICT {
		t.Fatalf("another person's id: %v, want a conflict", err)
	}
	if _, _, err := w.svc.Create(w.ctx, caseworker, "", "Etat", nil); code(err) != veikart.EFORBIDDEN {
		t.Fatalf("an agency creating: %v, want forbidden", err)
	}
	list, err := w.svc.List(w.ctx, owner)
	if err != nil || len(list) != 1 || list[0].Roadmap.ID != id || list[0].Role != access.RoleOwner {
		t.Fatalf("list: %v %+v", err, list)
	}
}

func TestRead_AgencyReadsAreLoggedFirstAndEndOnRevoke(t *testing.T) {
	w := newWorld(t)
	id := w.roadmap(t)
	if _, _, err := w.svc.Read(w.ctx, caseworker, id, nil); !errors.Is(err, household.ErrNoRoadmap) {
		t.Fatalf("before a grant: %v, want no roadmap", err)
	}
	g := w.grant(t, id)
	if g.AgencyName != "NAV Grünerløkka" {
		t.Errorf("grant's agency name %q", g.AgencyName)
	}
	view, _, err := w.svc.Read(w.ctx, caseworker, id, nil)
	if err != nil || view.Full || len(view.Roadmap.Areas) != 1 {
		t.Fatalf("caseworker's read: %v, %+v", err, view)
	}
	if got := w.log(t, id); len(got) != 1 || got[0].Action != veikart.AuditRead || got[0].AgencyID != "nav" || got[0].Name != "Navn u-case" {
		t.Fatalf("log after one read: %+v", got)
	}
	// A read of what the caseworker holds already shows nothing new.
	if _, unchanged, err := w.svc.Read(w.ctx, caseworker, id, func(*veikart.Roadmap) bool { return true }); err != nil || !unchanged {
		t.Fatalf("known read: %v %v", err, unchanged)
	}
	if _, _, err := w.svc.Read(w.ctx, owner, id, nil); err != nil {
		t.Fatal(err)
	}
	if got := w.log(t, id); len(got) != 1 {
		t.Fatalf("the owners' and a known read are not logged: %d entries", len(got))
	}
	if _, err := w.svc.RevokeGrant(w.ctx, owner, id, g.ID); err != nil {
		t.Fatal(err)
	}
	var ended *household.EndedError
	if _, _, err := w.svc.Read(w.ctx, caseworker, id, nil); !errors.As(err, &ended) || !ended.Revoked {
		t.Fatalf("the next read after revoking: %v, want access ended (revoked)", err)
	}
}

// A caseworker's view is kept per version and grant: every change shows on
// the next read, an expiry ends it on the next read though nothing changed,
// and a second read in the window is counted into the first's entry.
func TestRead_CaseworkersViewFollowsEveryChange(t *testing.T) {
	w := newWorld(t)
	id := w.roadmap(t)
	w.grant(t, id)
	read := func() *access.View {
		t.Helper()
		view, _, err := w.svc.Read(w.ctx, caseworker, id, nil)
		if err != nil {
			t.Fatal(err)
		}
		return view
	}
	first := read()
	if again := read(); again != first {
		t.Errorf("a second read of the same version projected again")
	}
	if got := w.log(t, id); len(got) != 1 || got[0].Count != 2 {
		t.Fatalf("two reads in the window: %+v, want one entry counted twice", got)
	}
	_, _, err := w.svc.ApplyOperations(w.ctx, owner, id, nil, []veikart.Op{veikart.UpdateArea{ID: "o1", AreaID: "housing", BaseVersion: first.Roadmap.Version, Set: veikart.AreaPatch{Now: ptr("Vi bor trangt.")}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := read(); got.Roadmap.Areas[0].Now != "Vi bor trangt." {
		t.Fatalf("after a change the caseworker sees %q", got.Roadmap.Areas[0].Now)
	}
	w.now = w.now.AddDate(0, 4, 0) // past the grant's three months
	var ended *household.EndedError
	if _, _, err := w.svc.Read(w.ctx, caseworker, id, nil); !errors.As(err, &ended) {
		t.Fatalf("after the grant expired: %v, want access ended", err)
	}
}

func ptr[T any](v T) *T { return &v }

func TestRequestAccess_TellsTheAgencyNothing(t *testing.T) {
	w := newWorld(t)
	id := w.roadmap(t)
	for _, rid := range []string{id, auth.NewUUID(), "not an id"} {
		if err := w.svc.RequestAccess(w.ctx, caseworker, rid, housing, viewOnly, "Bolig"); err != nil {
			t.Fatalf("request for %q: %v, want nil", rid, err)
		}
	}
	// The same request again: one waits already; the answer is the same.
	if err := w.svc.RequestAccess(w.ctx, caseworker, id, housing, viewOnly, "Bolig"); err != nil {
		t.Fatal(err)
	}
	qs, err := w.svc.Requests(w.ctx, owner, id)
	if err != nil || len(qs) != 1 {
		t.Fatalf("requests: %v, %d, want the one stored", err, len(qs))
	}
	if got := w.log(t, id); len(got) != 1 || got[0].Action != veikart.AuditRequestAccess {
		t.Fatalf("log: %+v", got)
	}
	if err := w.svc.RequestAccess(w.ctx, owner, id, housing, viewOnly, "x"); code(err) != veikart.EFORBIDDEN {
		t.Fatalf("a person requesting: %v", err)
	}
	g, err := w.svc.ApproveRequest(w.ctx, owner, id, qs[0].ID, veikart.GrantSpec{Sections: housing, Permissions: viewOnly, Purpose: "Bolig", ExpiresAt: w.now.AddDate(0, 3, 0)})
	if err != nil || g.AgencyID != "nav" {
		t.Fatalf("approve: %v %+v", err, g)
	}
	if shared, _, err := w.svc.Shared(w.ctx, caseworker); err != nil || len(shared) != 1 || shared[0].Roadmap.ID != id {
		t.Fatalf("shared after approval: %v %+v", err, shared)
	}
}

func TestAcceptInvitation_OnceAndLogged(t *testing.T) {
	w := newWorld(t)
	id := w.roadmap(t)
	inv, code1, err := w.svc.Invite(w.ctx, owner, id, veikart.Invitation{Kind: veikart.InviteAgency, Sections: housing, Permissions: viewOnly, Purpose: "Bolig", GrantExpiresAt: w.now.AddDate(0, 3, 0)}, 0)
	if err != nil || code1 == "" || inv.ExpiresAt.Sub(w.now) != veikart.InvitationTTL {
		t.Fatalf("invite: %v, %+v", err, inv)
	}
	if _, err := w.svc.AcceptInvitation(w.ctx, owner, code1); code(err) != veikart.EFORBIDDEN {
		t.Fatalf("a person accepting an agency invitation: %v", err)
	}
	a, err := w.svc.AcceptInvitation(w.ctx, caseworker, code1)
	if err != nil || a.RoadmapID != id || a.GrantID == "" {
		t.Fatalf("accept: %v %+v", err, a)
	}
	if _, err := w.svc.AcceptInvitation(w.ctx, caseworker, code1); code(err) != veikart.ENOTFOUND {
		t.Fatalf("the same code again: %v, want not valid", err)
	}
	if got := w.log(t, id); len(got) != 1 || got[0].Action != veikart.AuditAcceptInvite || got[0].Ref != a.GrantID {
		t.Fatalf("log: %+v", got)
	}
	ids, err := w.store.AgencyRoadmapIDs(w.ctx, "nav")
	if err != nil || len(ids) != 1 || ids[0] != id {
		t.Fatalf("the agency's index: %v %v", err, ids)
	}
}

func TestApplyOperations_PreconditionAndReminders(t *testing.T) {
	w := newWorld(t)
	id := w.roadmap(t)
	var op veikart.Op = veikart.SetTitle{ID: "o1", Title: "Nytt navn", BaseVersion: 1}
	stale := func(*veikart.Roadmap) bool { return false }
	if _, _, err := w.svc.ApplyOperations(w.ctx, owner, id, stale, []veikart.Op{op}); code(err) != veikart.EPRECONDITION {
		t.Fatalf("stale precondition: %v", err)
	}
	before := len(w.heard.changes)
	view, res, err := w.svc.ApplyOperations(w.ctx, owner, id, nil, []veikart.Op{op})
	if err != nil || view.Roadmap.Title != "Nytt navn" || len(res) != 1 {
		t.Fatalf("apply: %v %+v", err, res)
	}
	if len(w.heard.changes) != before+1 {
		t.Fatalf("reminders heard %d changes, want one more", len(w.heard.changes)-before)
	}
	// Sent again (a phone's retry): applied once, nothing new to hear.
	if _, _, err := w.svc.ApplyOperations(w.ctx, owner, id, nil, []veikart.Op{op}); err != nil {
		t.Fatal(err)
	}
	w.grant(t, id)
	if _, _, err := w.svc.ApplyOperations(w.ctx, caseworker, id, nil, []veikart.Op{op}); code(err) != veikart.EFORBIDDEN {
		t.Fatalf("an agency changing: %v, want forbidden", err)
	}
	if _, _, err := w.svc.ApplyOperations(w.ctx, other, id, nil, []veikart.Op{op}); !errors.Is(err, household.ErrNoRoadmap) {
		t.Fatalf("a stranger changing: %v, want no roadmap", err)
	}
}

func TestEraseAccount_LastOwnerErasesCoOwnedIsLeft(t *testing.T) {
	w := newWorld(t)
	alone := w.roadmap(t)
	shared := w.roadmap(t)
	inv, c, err := w.svc.Invite(w.ctx, owner, shared, veikart.Invitation{Kind: veikart.InviteOwner}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.AcceptInvitation(w.ctx, other, c); err != nil {
		t.Fatalf("accept %s: %v", inv.ID, err)
	}
	if _, err := w.svc.EraseAccount(w.ctx, owner.UserID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.store.Roadmap(w.ctx, alone); code(err) != veikart.ENOTFOUND {
		t.Fatalf("the roadmap they owned alone: %v, want erased", err)
	}
	r, err := w.store.Roadmap(w.ctx, shared)
	if err != nil || r.IsOwner(owner.UserID) || !r.IsOwner(other.UserID) {
		t.Fatalf("the co-owned roadmap: %v, owners %v", err, r.Owners)
	}
	if _, err := w.store.User(w.ctx, owner.UserID); code(err) != veikart.ENOTFOUND {
		t.Fatalf("the account: %v, want gone", err)
	}
	// Again, as after a restore: the hash finds nothing more to erase.
	done, err := w.svc.ReapplyErasures(w.ctx, access.Actor{Kind: access.Operator, UserID: "op"}, []string{household.ErasureHash("user", owner.UserID)})
	if err != nil || done.Accounts != 0 || done.Roadmaps != 0 {
		t.Fatalf("reapply: %v %+v", err, done)
	}
}

func TestTakeOwn_ARetryFinishesTheJob(t *testing.T) {
	w := newWorld(t)
	id := w.linkedMember(t)
	newID := auth.NewUUID()
	own, created, err := w.svc.TakeOwn(w.ctx, other, id, "m1", newID, "Saras veikart")
	if err != nil || !created || own.Roadmap.ID != newID {
		t.Fatalf("take own: %v created %v", err, created)
	}
	again, created, err := w.svc.TakeOwn(w.ctx, other, id, "m1", newID, "Saras veikart")
	if err != nil || created || again.Roadmap.ID != newID {
		t.Fatalf("the retry: %v created %v, want the same roadmap", err, created)
	}
	if _, _, err := w.svc.TakeOwn(w.ctx, owner, id, "m1", auth.NewUUID(), "x"); code(err) != veikart.EFORBIDDEN {
		t.Fatalf("someone else taking the member's parts: %v", err)
	}
}

func TestExport_AMembersReadIsInTheFamilysLog(t *testing.T) {
	w := newWorld(t)
	id := w.linkedMember(t)
	x, err := w.svc.ExportPerson(w.ctx, other)
	if err != nil || len(x.MemberOf) != 1 || len(x.Owned) != 0 {
		t.Fatalf("member's export: %v %+v", err, x)
	}
	if got := w.log(t, id); len(got) != 1 || got[0].UserID != other.UserID || got[0].Role != access.RoleMember {
		t.Fatalf("log: %+v", got)
	}
	mine, err := w.svc.ExportPerson(w.ctx, owner)
	if err != nil || len(mine.Owned) != 1 || len(mine.Owned[0].Log) != 1 {
		t.Fatalf("owner's export: %v %+v", err, mine)
	}
	if _, err := w.svc.ExportPerson(w.ctx, access.Actor{Kind: access.Operator, UserID: "op"}); !errors.Is(err, access.ErrOperatorAccount) {
		t.Fatalf("an operator's export: %v", err)
	}
}
