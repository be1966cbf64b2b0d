package household

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/agency"
	"github.com/veikart/veikart/backend/veikart"
)

// Messages: the household's conversation with each agency it shares with.
// Every use case reads the roadmap (with its grants) now and asks
// access.Decide about the one conversation, so a revoked or expired grant
// stops the agency's very next request, while the household keeps what
// was said. An agency's read and write are in the access log before the
// answer.

// Conversations is the storage of messages (package storage): every call
// one _id lookup or one single-document write, and never the roadmaps.
type Conversations interface {
	Conversation(ctx context.Context, roadmapID, agencyID string) (*veikart.Conversation, error)
	AddMessage(ctx context.Context, roadmapID, agencyID string, m veikart.Message, now time.Time) (*veikart.Conversation, veikart.Message, bool, error)
	MarkConversationRead(ctx context.Context, roadmapID, agencyID string, side veikart.Side) (*veikart.Conversation, error)
	MessagePage(ctx context.Context, roadmapID, agencyID string, n int) ([]veikart.Message, error)
	AgencyInbox(ctx context.Context, agencyID string) (map[string]veikart.InboxEntry, error)
}

// Notifier tells the other side's devices, by a discreet push, that a
// message came (package remind). It sends in the background and never
// fails the message: the unread counts say the same.
type Notifier interface {
	MessageArrived(ctx context.Context, userIDs []string, roadmapID, agencyID string, to veikart.Side)
}

// ErrNoConversation answers an owner naming an agency that never had a
// grant on the roadmap.
var ErrNoConversation = &veikart.Error{Code: veikart.ENOTFOUND, Message: "There is no conversation with this agency."}

var errNoMessagePermission = &veikart.Error{Code: veikart.EFORBIDDEN, Message: "The household has not let your agency write messages with it."}

// Thread is one page of a conversation as its reader sees it.
type Thread struct {
	AgencyID, AgencyName string
	// Messages are oldest first: the newest held ones, or an archive page.
	Messages []veikart.Message
	// Next is the cursor of the page of older messages, "" for none.
	Next string
	// Unread is how many of the other side's messages the reader had not
	// read before this read (which marks them read).
	Unread int
	// Open says whether the agency may read and write now (its grant in
	// force gives the message permission); the household writes anyway,
	// and the agency reads it if the household shares again.
	Open bool
}

// ConversationSummary is one agency's conversation in the household's list.
type ConversationSummary struct {
	AgencyID, AgencyName string
	Unread               int // of the agency's messages, for the household
	Messages             int // held (the newest)
	LastAt               time.Time
	Open                 bool
}

// conversation reads roadmap id and decides whether actor may do action
// on its conversation with agencyID, and on which side.
func (s *Service) conversation(ctx context.Context, actor access.Actor, id, agencyID string, action access.Action) (*veikart.Roadmap, veikart.Side, error) {
	r, err := s.read(ctx, id)
	if err != nil {
		return nil, "", err
	}
	if !veikart.ValidID(agencyID) {
		return nil, "", s.noConversation(actor, r)
	}
	now := s.now()
	d := access.Decide(actor, action, r, veikart.ConversationSection(agencyID), now)
	switch {
	case d.Allowed && d.Role == access.RoleOwner:
		return r, veikart.SideHousehold, nil
	case d.Allowed && d.Role == access.RoleCaseworker:
		return r, veikart.SideAgency, nil
	case actor.Kind == access.Agency && agencyID != actor.AgencyID:
		// Another agency's conversation: as if there were no roadmap.
		return nil, "", ErrNoRoadmap
	}
	if e, ok := access.Ended(actor, r, now); ok {
		return nil, "", &EndedError{e}
	}
	if actor.Kind == access.Agency {
		return nil, "", s.denied(actor, r, errNoMessagePermission)
	}
	return nil, "", s.noConversation(actor, r)
}

// noConversation is not found for an owner (the agency never had a grant
// here), and what denied says for anyone else.
func (s *Service) noConversation(actor access.Actor, r *veikart.Roadmap) error {
	if actor.Kind == access.Person && r.IsOwner(actor.UserID) {
		return ErrNoConversation
	}
	return s.denied(actor, r, errOwnersOnly)
}

// open reports whether agencyID's grant in force on r lets it write.
func open(r *veikart.Roadmap, agencyID string, now time.Time) bool {
	g, ok := r.ActiveGrant(agencyID, now)
	return ok && slices.Contains(g.Permissions, veikart.Messaging)
}

// Messages is a page of roadmap id's conversation with agencyID: with
// cursor "" the newest, marked read for the reader's side; with a cursor
// from Thread.Next, older ones. A caseworker's read is in the access log
// (repeats within veikart.ReadWindow counted into one entry) before it
// returns.
func (s *Service) Messages(ctx context.Context, actor access.Actor, id, agencyID, cursor string) (Thread, error) {
	page, err := parseMessageCursor(cursor)
	if err != nil {
		return Thread{}, err
	}
	r, side, err := s.conversation(ctx, actor, id, agencyID, access.ReadMessages)
	if err != nil {
		return Thread{}, err
	}
	if side == veikart.SideAgency {
		// Logged first: nothing is shown that the household cannot see
		// in its log.
		if err := s.store.RecordRead(ctx, r.ID, veikart.AuditEvent{
			At: s.now().UTC().Truncate(time.Millisecond), UserID: actor.UserID, AgencyID: actor.AgencyID,
			Role: access.RoleCaseworker, Action: veikart.AuditReadMessages,
		}); err != nil {
			return Thread{}, err
		}
	}
	t := Thread{AgencyID: agencyID, AgencyName: agency.Name(ctx, s.store, agencyID), Open: open(r, agencyID, s.now())}
	if page == 0 {
		c, err := s.store.MarkConversationRead(ctx, r.ID, agencyID, side)
		if err != nil {
			return Thread{}, err
		}
		t.Messages, t.Unread = c.Messages, c.Unread(side)
		if c.Pages > 0 {
			t.Next = messageCursor(c.Pages)
		}
	} else {
		t.Messages, err = s.store.MessagePage(ctx, r.ID, agencyID, page)
		if veikart.ErrorCode(err) == veikart.ENOTFOUND {
			return Thread{}, errBadCursor
		}
		if err != nil {
			return Thread{}, err
		}
		if page > 1 {
			t.Next = messageCursor(page - 1)
		}
	}
	if side == veikart.SideAgency {
		t.Messages = forAgency(t.Messages)
	}
	return t, nil
}

// forAgency leaves no account id of the household in what an agency reads
// (as access.Project does with comments): the household's messages say
// only that the household wrote them, and by whom by name.
func forAgency(msgs []veikart.Message) []veikart.Message {
	out := slices.Clone(msgs)
	for i := range out {
		if out[i].From == veikart.SideHousehold {
			out[i].UserID = ""
		}
	}
	return out
}

var errBadCursor = &veikart.Error{Code: veikart.EINVALID, Message: "The page cursor is not valid.", Pointer: "cursor"}

// A cursor names an archive page: "p<n>".
func messageCursor(n int) string { return "p" + strconv.Itoa(n) }

func parseMessageCursor(c string) (int, error) {
	if c == "" {
		return 0, nil
	}
	digits, ok := strings.CutPrefix(c, "p")
	n, err := strconv.Atoi(digits)
	if !ok || err != nil || n < 1 || n > 1_000_000 || digits != strconv.Itoa(n) {
		return 0, errBadCursor
	}
	return n, nil
}

// SendMessage adds m (its id the client's, so that a message queued
// offline and sent twice is stored once: created false) to roadmap id's
// conversation with agencyID, from actor's side, and pushes a discreet
// notice to the other side. A caseworker's message carries their name and
// agency, and is in the access log.
func (s *Service) SendMessage(ctx context.Context, actor access.Actor, id, agencyID string, m veikart.Message) (veikart.Message, bool, error) {
	m, err := veikart.CleanMessage(m)
	if err != nil {
		return veikart.Message{}, false, err
	}
	r, side, err := s.conversation(ctx, actor, id, agencyID, access.SendMessage)
	if err != nil {
		return veikart.Message{}, false, err
	}
	m.From, m.UserID, m.Name = side, actor.UserID, ""
	if u, err := s.store.User(ctx, actor.UserID); err == nil {
		m.Name = u.Name
	} else if veikart.ErrorCode(err) != veikart.ENOTFOUND {
		return veikart.Message{}, false, err
	}
	_, stored, created, err := s.store.AddMessage(ctx, r.ID, agencyID, m, s.now())
	if err != nil {
		return veikart.Message{}, false, err
	}
	if side == veikart.SideAgency {
		if created {
			if err := s.logAccess(ctx, actor, r.ID, access.RoleCaseworker, veikart.AuditMessage, nil, stored.ID); err != nil {
				return veikart.Message{}, false, err
			}
		}
		stored = forAgency([]veikart.Message{stored})[0]
	}
	if created {
		s.notify(ctx, r, agencyID, side.Other(), actor.UserID)
	}
	return stored, created, nil
}

// notify pushes the arrival of a message to side: the owners' devices, or
// the agency's caseworkers' while its grant lets them read it. Never the
// writer's own.
func (s *Service) notify(ctx context.Context, r *veikart.Roadmap, agencyID string, to veikart.Side, writer string) {
	if s.cfg.Notify == nil {
		return
	}
	var people []string
	if to == veikart.SideHousehold {
		people = slices.Clone(r.Owners)
	} else if open(r, agencyID, s.now()) {
		a, err := s.store.Agency(ctx, agencyID)
		if err != nil {
			s.log.Warn("message push: agency", "err", err, "request_id", RequestID(ctx))
			return
		}
		for _, st := range a.Staff {
			if slices.Contains(st.Roles, veikart.CaseworkerRole) {
				people = append(people, st.UserID)
			}
		}
	}
	people = slices.DeleteFunc(people, func(u string) bool { return u == writer })
	if len(people) > 0 {
		s.cfg.Notify.MessageArrived(ctx, people, r.ID, agencyID, to)
	}
}

// Conversations is the household's list of its conversations on roadmap
// id: one for each agency that has or had a grant, newest message first,
// with what the household has not read. Owners only.
func (s *Service) Conversations(ctx context.Context, actor access.Actor, id string) ([]ConversationSummary, error) {
	r, err := s.read(ctx, id)
	if err != nil {
		return nil, err
	}
	if !access.Decide(actor, access.ManageConsent, r, "", s.now()).Allowed {
		return nil, s.denied(actor, r, errOwnersOnly)
	}
	now := s.now()
	var out []ConversationSummary
	for i := len(r.Grants) - 1; i >= 0; i-- {
		a := r.Grants[i].AgencyID
		if slices.ContainsFunc(out, func(c ConversationSummary) bool { return c.AgencyID == a }) ||
			!access.Decide(actor, access.ReadMessages, r, veikart.ConversationSection(a), now).Allowed {
			continue
		}
		c, err := s.store.Conversation(ctx, r.ID, a)
		if err != nil {
			return nil, err
		}
		out = append(out, ConversationSummary{
			AgencyID: a, AgencyName: agency.Name(ctx, s.store, a), Unread: c.UnreadHousehold,
			Messages: len(c.Messages), LastAt: c.LastAt, Open: open(r, a, now),
		})
	}
	slices.SortStableFunc(out, func(a, b ConversationSummary) int { return b.LastAt.Compare(a.LastAt) })
	return out, nil
}

// ExportedConversation is one conversation in an export, every message.
type ExportedConversation struct {
	AgencyID, AgencyName string
	Messages             []veikart.Message // oldest first
}

// exportConversations reads r's conversations whole: archive pages, then
// the newest.
func (s *Service) exportConversations(ctx context.Context, r *veikart.Roadmap) ([]ExportedConversation, error) {
	var out []ExportedConversation
	for _, g := range r.Grants {
		if slices.ContainsFunc(out, func(x ExportedConversation) bool { return x.AgencyID == g.AgencyID }) {
			continue
		}
		c, err := s.store.Conversation(ctx, r.ID, g.AgencyID)
		if err != nil {
			return nil, err
		}
		if len(c.Messages) == 0 {
			continue
		}
		x := ExportedConversation{AgencyID: g.AgencyID, AgencyName: agency.Name(ctx, s.store, g.AgencyID)}
		for n := 1; n <= c.Pages; n++ {
			page, err := s.store.MessagePage(ctx, r.ID, g.AgencyID, n)
			if err != nil && veikart.ErrorCode(err) != veikart.ENOTFOUND {
				return nil, err
			}
			x.Messages = append(x.Messages, page...)
		}
		x.Messages = append(x.Messages, c.Messages...)
		out = append(out, x)
	}
	return out, nil
}
