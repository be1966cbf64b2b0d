package household_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/household"
	"github.com/veikart/veikart/backend/veikart"
)

// told records the pushes the use cases ask for.
type told struct {
	mu   sync.Mutex
	sent []string
}

func (n *told) MessageArrived(_ context.Context, userIDs []string, roadmapID, agencyID string, to veikart.Side) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.sent = append(n.sent, fmt.Sprintf("%s %s %v", to, agencyID, userIDs))
}

func (n *told) take() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := n.sent
	n.sent = nil
	return out
}

func withNotifier(w *world, n household.Notifier) {
	w.svc = household.New(household.Config{Notify: n}, w.store, w.heard, slog.New(slog.NewTextHandler(io.Discard, nil)), func() time.Time { return w.now })
}

// TestMessages_PermissionExpiryAndTheHouseholdKeeps: the caseworker needs
// the message permission on a grant in force; the household writes to any
// agency that ever had a grant and keeps the thread when access ends.
func TestMessages_PermissionExpiryAndTheHouseholdKeeps(t *testing.T) {
	w := newWorld(t)
	var pushes told
	withNotifier(w, &pushes)
	id := w.roadmap(t)
	g := w.grant(t, id) // view only

	if _, _, err := w.svc.SendMessage(w.ctx, caseworker, id, "nav", veikart.Message{ID: "m0", Text: "Hei"}); code(err) != veikart.EFORBIDDEN {
		t.Fatalf("without the permission: %v, want forbidden", err)
	}
	m, created, err := w.svc.SendMessage(w.ctx, owner, id, "nav", veikart.Message{ID: "m1", Text: " Hei NAV "})
	if err != nil || !created || m.Text != "Hei NAV" || m.Name != "Navn u-owner" || m.From != veikart.SideHousehold {
		t.Fatalf("the household writes: %+v %v %v", m, created, err)
	}
	if got := pushes.take(); len(got) != 0 {
		t.Fatalf("pushed to an agency that may not read it: %v", got)
	}
	if _, err := w.svc.UpdateGrant(w.ctx, owner, id, g.ID, veikart.GrantPatch{Permissions: []veikart.Permission{veikart.View, veikart.Messaging}}); err != nil {
		t.Fatal(err)
	}
	th, err := w.svc.Messages(w.ctx, caseworker, id, "nav", "")
	if err != nil || len(th.Messages) != 1 || th.Unread != 1 || !th.Open || th.AgencyName != "NAV Grünerløkka" {
		t.Fatalf("the caseworker reads: %+v %v", th, err)
	}
	if th.Messages[0].UserID != "" {
		t.Errorf("the household's account id reached the agency: %+v", th.Messages[0])
	}
	if log := w.log(t, id); len(log) == 0 || log[0].Action != veikart.AuditReadMessages {
		t.Fatalf("the read is not in the log: %+v", log)
	}
	m, _, err = w.svc.SendMessage(w.ctx, caseworker, id, "nav", veikart.Message{ID: "m2", Text: "Ring meg"})
	if err != nil || m.Name != "Navn u-case" || m.AgencyID != "nav" {
		t.Fatalf("the caseworker writes: %+v %v", m, err)
	}
	if got := pushes.take(); len(got) != 1 || got[0] != "household nav [u-owner]" {
		t.Fatalf("push to the household: %v", got)
	}
	cs, err := w.svc.Conversations(w.ctx, owner, id)
	if err != nil || len(cs) != 1 || cs[0].Unread != 1 || cs[0].Messages != 2 {
		t.Fatalf("the household's list: %+v %v", cs, err)
	}
	if _, err := w.svc.Conversations(w.ctx, caseworker, id); code(err) != veikart.EFORBIDDEN {
		t.Fatalf("a caseworker lists the household's conversations: %v", err)
	}

	// The grant runs out: the agency's next request is told so; the
	// household keeps reading and writing, and nobody at the agency hears.
	w.now = w.now.AddDate(0, 4, 0)
	var ended *household.EndedError
	if _, err := w.svc.Messages(w.ctx, caseworker, id, "nav", ""); !errors.As(err, &ended) || ended.Revoked {
		t.Fatalf("after expiry: %v", err)
	}
	th, err = w.svc.Messages(w.ctx, owner, id, "nav", "")
	if err != nil || th.Open || len(th.Messages) != 2 || th.Unread != 1 {
		t.Fatalf("the household after expiry: %+v %v", th, err)
	}
	if _, _, err := w.svc.SendMessage(w.ctx, owner, id, "nav", veikart.Message{ID: "m3", Text: "Takk"}); err != nil {
		t.Fatal(err)
	}
	if got := pushes.take(); len(got) != 0 {
		t.Fatalf("pushed to an agency without access: %v", got)
	}
	// An agency that never had a grant has no conversation.
	if _, err := w.svc.Messages(w.ctx, owner, id, "police", ""); !errors.Is(err, household.ErrNoConversation) {
		t.Fatalf("an agency never granted: %v", err)
	}
}

// TestMessages_PagesExportAndErasure: older messages by cursor, the whole
// conversation in the export, and nothing left after the roadmap's erasure.
func TestMessages_PagesExportAndErasure(t *testing.T) {
	w := newWorld(t)
	id := w.roadmap(t)
	w.grant(t, id)
	for i := range veikart.MaxHeldMessages + 1 {
		if _, _, err := w.svc.SendMessage(w.ctx, owner, id, "nav", veikart.Message{ID: fmt.Sprintf("m%03d", i), Text: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	th, err := w.svc.Messages(w.ctx, owner, id, "nav", "")
	if err != nil || th.Next != "p1" || len(th.Messages) != veikart.MaxHeldMessages+1-veikart.ArchivePage {
		t.Fatalf("the newest: next %q, %d messages, %v", th.Next, len(th.Messages), err)
	}
	older, err := w.svc.Messages(w.ctx, owner, id, "nav", th.Next)
	if err != nil || older.Next != "" || len(older.Messages) != veikart.ArchivePage || older.Messages[0].ID != "m000" {
		t.Fatalf("older: next %q, %d messages, %v", older.Next, len(older.Messages), err)
	}
	for _, c := range []string{"p0", "p2", "x", "p01", "p-1"} {
		if _, err := w.svc.Messages(w.ctx, owner, id, "nav", c); code(err) != veikart.EINVALID {
			t.Errorf("cursor %q: %v, want invalid", c, err)
		}
	}
	x, err := w.svc.ExportPerson(w.ctx, owner)
	if err != nil || len(x.Owned) != 1 || len(x.Owned[0].Conversations) != 1 || len(x.Owned[0].Conversations[0].Messages) != veikart.MaxHeldMessages+1 {
		t.Fatalf("export: %v", err)
	}
	if err := w.svc.EraseRoadmap(w.ctx, owner, id, nil); err != nil {
		t.Fatal(err)
	}
	c, err := w.store.Conversation(w.ctx, id, "nav")
	if err != nil || len(c.Messages) != 0 {
		t.Fatalf("after erasure: %+v %v", c, err)
	}
	if _, err := w.store.MessagePage(w.ctx, id, "nav", 1); code(err) != veikart.ENOTFOUND {
		t.Fatalf("an archive page after erasure: %v", err)
	}
}
