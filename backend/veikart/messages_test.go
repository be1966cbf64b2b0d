package veikart_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/veikart"
)

// TestCleanMessage: ids from the id alphabet, text trimmed to 1..4000.
func TestCleanMessage(t *testing.T) {
	for _, c := range []struct {
		name     string
		id, text string
		want     string // the cleaned text, or the error's pointer
		ok       bool
	}{
		{"plain", "m-1", "Hei", "Hei", true},
		{"trimmed", "m-1", "  Hei \n", "Hei", true},
		{"longest", "m-1", strings.Repeat("æ", veikart.MaxMessageText), strings.Repeat("æ", veikart.MaxMessageText), true},
		{"too long", "m-1", strings.Repeat("a", veikart.MaxMessageText+1), "/text", false},
		{"empty", "m-1", "", "/text", false},
		{"only space", "m-1", " \t\n ", "/text", false},
		{"no id", "", "Hei", "/id", false},
		{"id with separator", "rm|nav", "Hei", "/id", false},
		{"id with slash", "a/p1", "Hei", "/id", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, err := veikart.CleanMessage(veikart.Message{ID: c.id, Text: c.text})
			if c.ok {
				if err != nil || m.Text != c.want {
					t.Fatalf("got %q, %v; want %q", m.Text, err, c.want)
				}
				return
			}
			var e *veikart.Error
			if err == nil || veikart.ErrorCode(err) != veikart.EINVALID {
				t.Fatalf("got %v, want invalid", err)
			}
			if e, _ = err.(*veikart.Error); e.Pointer != c.want {
				t.Errorf("pointer %q, want %q", e.Pointer, c.want)
			}
		})
	}
}

// TestConversation_Add: unread counts for the other side, a repeat is the
// same message, another text under the same id a conflict, and a full
// conversation moves its oldest messages to an archive page.
func TestConversation_Add(t *testing.T) {
	t0 := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	c := &veikart.Conversation{RoadmapID: "rm", AgencyID: "nav"}
	n, m, archived, created, err := c.Add(veikart.Message{ID: "m1", From: veikart.SideAgency, UserID: "nina", Name: "Nina", Text: "Hei"}, t0)
	if err != nil || !created || archived != nil || m.AgencyID != "nav" || !m.At.Equal(t0) {
		t.Fatalf("add: %+v %v %v %v", m, archived, created, err)
	}
	if n.UnreadHousehold != 1 || n.UnreadAgency != 0 || len(c.Messages) != 0 {
		t.Fatalf("unread %d/%d; the original changed: %d", n.UnreadHousehold, n.UnreadAgency, len(c.Messages))
	}
	for _, r := range []struct {
		name    string
		m       veikart.Message
		created bool
		code    string
	}{
		{"repeat", veikart.Message{ID: "m1", From: veikart.SideAgency, UserID: "nina", Text: "Hei"}, false, ""},
		{"other text", veikart.Message{ID: "m1", From: veikart.SideAgency, UserID: "nina", Text: "Hallo"}, false, veikart.ECONFLICT},
		{"other person", veikart.Message{ID: "m1", From: veikart.SideHousehold, UserID: "kari", Text: "Hei"}, false, veikart.ECONFLICT},
		{"reply", veikart.Message{ID: "m2", From: veikart.SideHousehold, UserID: "kari", Text: "Takk"}, true, ""},
	} {
		got, _, _, created, err := n.Add(r.m, t0.Add(time.Minute))
		if veikart.ErrorCode(err) != r.code || created != r.created {
			t.Errorf("%s: created %v, err %v", r.name, created, err)
		}
		if r.name == "repeat" && got != n {
			t.Errorf("repeat changed the conversation")
		}
		if r.name == "reply" && (got.UnreadAgency != 1 || got.UnreadHousehold != 1 || len(got.Messages) != 2) {
			t.Errorf("reply: %+v", got)
		}
	}
	if r := n.MarkRead(veikart.SideHousehold); r.UnreadHousehold != 0 || n.UnreadHousehold != 1 {
		t.Errorf("mark read: %d (original %d)", r.UnreadHousehold, n.UnreadHousehold)
	}
	if n.MarkRead(veikart.SideAgency) != n {
		t.Error("marking nothing read wrote")
	}
	full := &veikart.Conversation{RoadmapID: "rm", AgencyID: "nav"}
	for i := range veikart.MaxHeldMessages + 1 {
		var archived []veikart.Message
		full, _, archived, _, err = full.Add(veikart.Message{ID: fmt.Sprintf("m%d", i), From: veikart.SideHousehold, UserID: "kari", Text: "x"}, t0)
		if err != nil {
			t.Fatal(err)
		}
		if i < veikart.MaxHeldMessages && archived != nil {
			t.Fatalf("archived at %d", i)
		}
		if i == veikart.MaxHeldMessages && (len(archived) != veikart.ArchivePage || full.Pages != 1 || len(full.Messages) != veikart.MaxHeldMessages+1-veikart.ArchivePage) {
			t.Fatalf("full: archived %d, pages %d, held %d", len(archived), full.Pages, len(full.Messages))
		}
	}
}

// TestForgetPerson: an erased person's messages stay, without who wrote them.
func TestForgetPerson(t *testing.T) {
	msgs := []veikart.Message{{ID: "a", UserID: "nina", Name: "Nina"}, {ID: "b", UserID: "kari", Name: "Kari"}}
	got, changed := veikart.ForgetPerson(msgs, "nina")
	if !changed || got[0].UserID != veikart.ErasedPerson || got[0].Name != "" || got[1].UserID != "kari" || msgs[0].UserID != "nina" {
		t.Errorf("got %+v (original %+v)", got, msgs)
	}
	if _, changed := veikart.ForgetPerson(msgs, "ola"); changed {
		t.Error("changed for someone not there")
	}
}
