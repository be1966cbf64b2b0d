package storage_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"

	"github.com/veikart/veikart/backend/storage"
	"github.com/veikart/veikart/backend/testenv"
	"github.com/veikart/veikart/backend/veikart"
)

func msg(id string, from veikart.Side, user, text string) veikart.Message {
	return veikart.Message{ID: id, From: from, UserID: user, Text: text}
}

// TestMessages_SendReadAndInbox: a message counts unread for the other
// side and, from the household, in the agency's inbox; a repeat is stored
// once; reading clears the reader's side only.
func TestMessages_SendReadAndInbox(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testenv.MustStore(t)
	now := time.Now().UTC()
	if c, err := s.Conversation(ctx, "rm1", "nav"); err != nil || len(c.Messages) != 0 || c.AgencyID != "nav" {
		t.Fatalf("no conversation yet: %+v %v", c, err)
	}
	c, m, created, err := s.AddMessage(ctx, "rm1", "nav", msg("m1", veikart.SideHousehold, "kari", "Hei NAV"), now)
	if err != nil || !created || m.AgencyID != "nav" || c.UnreadAgency != 1 {
		t.Fatalf("first: %+v %+v %v %v", c, m, created, err)
	}
	// Sent again (the app's outbox after a lost answer): once.
	if c, _, created, err := s.AddMessage(ctx, "rm1", "nav", msg("m1", veikart.SideHousehold, "kari", "Hei NAV"), now.Add(time.Second)); err != nil || created || len(c.Messages) != 1 || c.UnreadAgency != 1 {
		t.Fatalf("repeat: %+v %v %v", c, created, err)
	}
	if _, _, _, err := s.AddMessage(ctx, "rm1", "nav", msg("m1", veikart.SideHousehold, "kari", "Other"), now); veikart.ErrorCode(err) != veikart.ECONFLICT {
		t.Fatalf("same id, other text: %v", err)
	}
	if _, _, _, err := s.AddMessage(ctx, "rm2", "nav", msg("x1", veikart.SideHousehold, "ola", "Hallo"), now); err != nil {
		t.Fatal(err)
	}
	in, err := s.AgencyInbox(ctx, "nav")
	if err != nil || len(in) != 2 || in["rm1"].Unread != 1 || in["rm2"].Unread != 1 {
		t.Fatalf("inbox: %+v %v", in, err)
	}
	// The agency answers: the household has one unread, the agency's
	// count stays until a caseworker reads.
	if c, _, _, err = s.AddMessage(ctx, "rm1", "nav", msg("m2", veikart.SideAgency, "nina", "Hei Kari"), now); err != nil || c.UnreadHousehold != 1 || c.UnreadAgency != 1 {
		t.Fatalf("reply: %+v %v", c, err)
	}
	before, err := s.MarkConversationRead(ctx, "rm1", "nav", veikart.SideAgency)
	if err != nil || before.UnreadAgency != 1 {
		t.Fatalf("mark read: %+v %v", before, err)
	}
	if in, _ := s.AgencyInbox(ctx, "nav"); len(in) != 1 || in["rm2"].Unread != 1 {
		t.Fatalf("inbox after reading rm1: %+v", in)
	}
	if c, _ := s.Conversation(ctx, "rm1", "nav"); c.UnreadAgency != 0 || c.UnreadHousehold != 1 || len(c.Messages) != 2 {
		t.Fatalf("after the agency read: %+v", c)
	}
	// Another process sees the same (nothing lives only in memory).
	other := testenv.OpenAgain(t, s, storage.Options{})
	if c, err := other.Conversation(ctx, "rm1", "nav"); err != nil || len(c.Messages) != 2 || c.Messages[1].Text != "Hei Kari" || c.UnreadHousehold != 1 {
		t.Fatalf("read by another process: %+v %v", c, err)
	}
}

// TestMessages_InboxShards: an agency's inbox spreads over documents, so
// that its households do not all wait on one; an inbox written before the
// shards is still read, and each of its entries moves to its shard the
// first time it changes.
func TestMessages_InboxShards(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testenv.MustStore(t)
	now := time.Now().UTC().Truncate(time.Millisecond)
	ms := strconv.FormatInt(now.UnixMilli(), 10)
	if err := storage.InsertLegacyInboxForTest(ctx, s, "nav", "old1|2|"+ms, "old2|1|"+ms); err != nil {
		t.Fatal(err)
	}
	other := testenv.OpenAgain(t, s, storage.Options{}) // reads the database, no copies from before
	in, err := other.AgencyInbox(ctx, "nav")
	if err != nil || len(in) != 2 || in["old1"].Unread != 2 || !in["old1"].LastAt.Equal(now) {
		t.Fatalf("an inbox from before the shards: %+v %v", in, err)
	}
	for i := range 40 {
		rm := fmt.Sprintf("rm%d", i)
		if _, _, _, err := other.AddMessage(ctx, rm, "nav", msg("m", veikart.SideHousehold, "kari", "Hei"), now); err != nil {
			t.Fatal(err)
		}
	}
	// old1 gets a message: it moves, with its new count.
	if _, _, _, err := other.AddMessage(ctx, "old1", "nav", msg("m", veikart.SideHousehold, "kari", "Hei"), now); err != nil {
		t.Fatal(err)
	}
	docs, err := storage.InboxDocsForTest(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	if docs["nav"] != 1 {
		t.Errorf("the old document holds %d entries, want 1 (old2's)", docs["nav"])
	}
	if n := len(docs) - 1; n < 8 {
		t.Errorf("41 households in %d shards, want them in all 8 (%v)", n, docs)
	}
	in, err = other.AgencyInbox(ctx, "nav")
	if err != nil || len(in) != 42 || in["old1"].Unread != 1 || in["old2"].Unread != 1 || in["rm7"].Unread != 1 {
		t.Fatalf("inbox: %d entries, old1 %+v, old2 %+v, %v", len(in), in["old1"], in["old2"], err)
	}
	// Erasing old2's conversation (it has none in the new layout) clears
	// its entry from the old document.
	if err := other.DeleteRoadmapConversationsForTest(ctx, "old2", "nav"); err != nil {
		t.Fatal(err)
	}
	if in, _ := other.AgencyInbox(ctx, "nav"); len(in) != 41 || in["old2"].Unread != 0 {
		t.Fatalf("after erasing old2: %d entries, old2 %+v", len(in), in["old2"])
	}
}

// TestMessages_ArchivePages: a full conversation moves its oldest messages
// to a page, read with MessagePage; nothing is lost or doubled.
func TestMessages_ArchivePages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testenv.MustStore(t)
	now := time.Now().UTC()
	n := veikart.MaxHeldMessages + 1
	for i := range n {
		if _, _, _, err := s.AddMessage(ctx, "rm", "nav", msg(fmt.Sprintf("m%03d", i), veikart.SideHousehold, "kari", "x"), now); err != nil {
			t.Fatal(err)
		}
	}
	c, err := s.Conversation(ctx, "rm", "nav")
	if err != nil || c.Pages != 1 || len(c.Messages) != n-veikart.ArchivePage || c.Messages[0].ID != fmt.Sprintf("m%03d", veikart.ArchivePage) {
		t.Fatalf("head: pages %d, held %d, %v", c.Pages, len(c.Messages), err)
	}
	page, err := s.MessagePage(ctx, "rm", "nav", 1)
	if err != nil || len(page) != veikart.ArchivePage || page[0].ID != "m000" || page[len(page)-1].ID != fmt.Sprintf("m%03d", veikart.ArchivePage-1) {
		t.Fatalf("page 1: %d messages, %v", len(page), err)
	}
	if _, err := s.MessagePage(ctx, "rm", "nav", 2); veikart.ErrorCode(err) != veikart.ENOTFOUND {
		t.Fatalf("page 2: %v", err)
	}
}

// TestMessages_ErasedWithTheRoadmap: erasing a roadmap takes its
// conversations, their pages and its inbox entries; another roadmap's stay.
func TestMessages_ErasedWithTheRoadmap(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testenv.MustStore(t)
	now := time.Now().UTC()
	r := mustRoadmap(t, "rm-erase", "kari")
	r, _, err := r.AddGrant("g1", "nav", "kari", veikart.GrantSpec{
		Sections: []veikart.Section{veikart.SectionHousehold}, Permissions: []veikart.Permission{veikart.View, veikart.Messaging},
		Purpose: "p", ExpiresAt: now.Add(time.Hour),
	}, "owner", now, veikart.ConsentPolicy{})
	if err != nil {
		t.Fatal(err)
	}
	if r, _, err = r.RevokeGrant("g1", "kari", now); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateRoadmap(ctx, r); err != nil {
		t.Fatal(err)
	}
	for i := range veikart.MaxHeldMessages + 1 {
		if _, _, _, err := s.AddMessage(ctx, r.ID, "nav", msg(fmt.Sprintf("m%d", i), veikart.SideHousehold, "kari", "x"), now); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, _, err := s.AddMessage(ctx, "rm-keep", "nav", msg("k", veikart.SideHousehold, "ola", "keep"), now); err != nil {
		t.Fatal(err)
	}
	for range 2 { // safe to repeat
		if _, err := s.EraseRoadmap(ctx, r.ID, now, func() string { return "n1" }, func(*veikart.Roadmap) error { return nil }); err != nil && veikart.ErrorCode(err) != veikart.ENOTFOUND {
			t.Fatal(err)
		}
	}
	other := testenv.OpenAgain(t, s, storage.Options{})
	for _, st := range []*storage.Store{s, other} {
		if c, err := st.Conversation(ctx, r.ID, "nav"); err != nil || len(c.Messages) != 0 || c.Pages != 0 {
			t.Fatalf("conversation after erasure: %+v %v", c, err)
		}
		if _, err := st.MessagePage(ctx, r.ID, "nav", 1); veikart.ErrorCode(err) != veikart.ENOTFOUND {
			t.Fatalf("archive page after erasure: %v", err)
		}
		if in, err := st.AgencyInbox(ctx, "nav"); err != nil || len(in) != 1 || in["rm-keep"].Unread != 1 {
			t.Fatalf("inbox after erasure: %+v %v", in, err)
		}
	}
	// A request that read the roadmap before it was erased writes nothing.
	if _, _, _, err := s.AddMessage(ctx, r.ID, "nav", msg("late", veikart.SideHousehold, "kari", "late"), now); veikart.ErrorCode(err) != veikart.ENOTFOUND {
		t.Fatalf("a late message: %v", err)
	}
}

// TestMessages_PersonErased: an erased caseworker's messages stay, without
// their id or name, in the conversation and its pages.
func TestMessages_PersonErased(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testenv.MustStore(t)
	now := time.Now().UTC()
	for i := range veikart.MaxHeldMessages + 2 {
		m := msg(fmt.Sprintf("m%d", i), veikart.SideAgency, "nina", "x")
		m.Name = "Nina"
		if i%2 == 1 {
			m = msg(fmt.Sprintf("m%d", i), veikart.SideHousehold, "kari", "y")
		}
		if _, _, _, err := s.AddMessage(ctx, "rm", "nav", m, now); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.ErasePersonRecords(ctx, "nina", nil); err != nil {
		t.Fatal(err)
	}
	c, _ := s.Conversation(ctx, "rm", "nav")
	page, _ := s.MessagePage(ctx, "rm", "nav", 1)
	for _, m := range append(page, c.Messages...) {
		if m.UserID == "nina" || m.Name == "Nina" {
			t.Fatalf("still named: %+v", m)
		}
		if m.From == veikart.SideAgency && m.UserID != veikart.ErasedPerson {
			t.Fatalf("not marked erased: %+v", m)
		}
		if m.From == veikart.SideHousehold && m.UserID != "kari" {
			t.Fatalf("someone else unlinked: %+v", m)
		}
	}
}

// commands records the database commands a store sends: their names, the
// collections and the filters.
type commands struct {
	mu   sync.Mutex
	seen []command
}

type command struct {
	name, coll string
	filters    []bson.Raw
}

func (c *commands) monitor() *event.CommandMonitor {
	return &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		cmd := command{name: e.CommandName}
		if v, err := e.Command.LookupErr(e.CommandName); err == nil {
			cmd.coll, _ = v.StringValueOK()
		}
		if f, err := e.Command.LookupErr("filter"); err == nil {
			cmd.filters = append(cmd.filters, f.Document())
		}
		for _, list := range []string{"updates", "deletes"} {
			if arr, err := e.Command.LookupErr(list); err == nil {
				vals, _ := arr.Array().Values()
				for _, v := range vals {
					if q, err := v.Document().LookupErr("q"); err == nil {
						cmd.filters = append(cmd.filters, q.Document())
					}
				}
			}
		}
		c.mu.Lock()
		c.seen = append(c.seen, cmd)
		c.mu.Unlock()
	}}
}

// TestMessages_NoScans: on the embedded store, sending a message, reading
// the conversation and the agency's inbox touch no roadmap, and every
// filter is an _id equality (with the compare-and-swap fields a shared
// database adds), the only lookup the embedded store serves from an index.
func TestMessages_NoScans(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	base := testenv.MustStore(t)
	for _, exclusive := range []bool{true, false} {
		var cmds commands
		s := testenv.OpenAgain(t, base, storage.Options{Exclusive: exclusive && !testenv.External(), Monitor: cmds.monitor()})
		now := time.Now().UTC()
		rid := fmt.Sprintf("rm-%v", exclusive)
		for i := range veikart.MaxHeldMessages + 1 { // an archive page included
			if _, _, _, err := s.AddMessage(ctx, rid, "nav", msg(fmt.Sprintf("m%d", i), veikart.SideHousehold, "kari", "x"), now); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.MarkConversationRead(ctx, rid, "nav", veikart.SideAgency); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AgencyInbox(ctx, "nav"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.MessagePage(ctx, rid, "nav", 1); err != nil {
			t.Fatal(err)
		}
		cmds.mu.Lock()
		if !slices.ContainsFunc(cmds.seen, func(c command) bool { return c.coll == "conversations" }) {
			t.Errorf("exclusive %v: no command on conversations was seen: %+v", exclusive, cmds.seen)
		}
		for _, c := range cmds.seen {
			if c.coll == "roadmaps" {
				t.Errorf("exclusive %v: %s on roadmaps", exclusive, c.name)
			}
			for _, f := range c.filters {
				els, _ := f.Elements()
				keys := make([]string, len(els))
				for i, e := range els {
					keys[i] = e.Key()
				}
				if len(keys) == 0 || keys[0] != "_id" || slices.ContainsFunc(keys[1:], func(k string) bool { return k != "rev" }) {
					t.Errorf("exclusive %v: %s on %s filters by %v", exclusive, c.name, c.coll, keys)
				}
				if v, _ := f.LookupErr("_id"); v.Type != bson.TypeString {
					t.Errorf("exclusive %v: %s on %s: _id is not an equality: %s", exclusive, c.name, c.coll, f)
				}
			}
		}
		cmds.mu.Unlock()
	}
}
