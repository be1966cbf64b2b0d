package veikart

import (
	"slices"
	"time"
)

// Messages: per roadmap, one conversation between the household and each
// agency it shares with (a grant with the Message permission). Either side
// starts and replies. The household keeps its conversations after the
// agency's access ends; the agency loses them with the grant (see
// access.Decide). No attachments.
//
// A conversation is a document of its own, not part of the roadmap: a
// message changes nothing the roadmap's version stands for, and the
// roadmap (read on every request) would grow with every word.

// Side is who in a conversation wrote a message, or has unread ones.
type Side string

// Sides of a conversation.
const (
	SideHousehold Side = "household"
	SideAgency    Side = "agency"
)

// Other is the side that is not s.
func (s Side) Other() Side {
	if s == SideHousehold {
		return SideAgency
	}
	return SideHousehold
}

// Limits of messages.
const (
	MaxMessageText = 4000
	// MaxHeldMessages is how many messages a conversation holds itself;
	// when it is full, the oldest ArchivePage of them move to an archive
	// page of their own (read on with a cursor), so that the document a
	// new message rewrites stays small.
	MaxHeldMessages = 200
	ArchivePage     = 100
)

// Message is one message of a conversation.
type Message struct {
	ID   string // the client's: a message sent twice is stored once
	At   time.Time
	From Side
	// UserID is who wrote it; Name their name as it was then: a
	// caseworker's always (the household sees who wrote, by name), an
	// owner's if known. AgencyID is the conversation's agency.
	UserID, Name, AgencyID string
	Text                   string
}

// ConversationSection is the section a decision on agencyID's conversation
// is about (access.Decide's section): not a part of the roadmap, and never
// granted as one.
func ConversationSection(agencyID string) Section { return Section(conversationPrefix + agencyID) }

const conversationPrefix = "conversation:"

// ConversationAgency returns the agency of a ConversationSection, or "".
func (s Section) ConversationAgency() string {
	if len(s) > len(conversationPrefix) && string(s[:len(conversationPrefix)]) == conversationPrefix {
		return string(s[len(conversationPrefix):])
	}
	return ""
}

// Conversation is the household's conversation with one agency about one
// roadmap: its newest messages, oldest first, and what each side has not
// read.
type Conversation struct {
	RoadmapID, AgencyID string
	Messages            []Message
	// Pages is how many archive pages hold older messages (1 .. Pages,
	// oldest first).
	Pages int
	// Unread counts the messages of the other side each side has not read.
	UnreadHousehold, UnreadAgency int
	LastAt                        time.Time
	Rev                           int64 // storage's compare-and-swap
}

// Unread is what side has not read.
func (c *Conversation) Unread(side Side) int {
	if side == SideAgency {
		return c.UnreadAgency
	}
	return c.UnreadHousehold
}

// Message returns the held message with the given id.
func (c *Conversation) Message(id string) (Message, bool) {
	i := slices.IndexFunc(c.Messages, func(m Message) bool { return m.ID == id })
	if i < 0 {
		return Message{}, false
	}
	return c.Messages[i], true
}

// ErrMessageIDTaken answers a message whose id is another message's.
var ErrMessageIDTaken = &Error{Code: ECONFLICT, Message: "This id belongs to another message. Choose another.", Pointer: "/id"}

// CleanMessage checks m's id and text (trimmed, 1 to MaxMessageText
// characters) before anything is read or written.
func CleanMessage(m Message) (Message, error) {
	if !ValidID(m.ID) {
		return Message{}, &Error{Code: EINVALID, Message: "A message needs an id of letters, digits, '_' or '-'.", Pointer: "/id"}
	}
	var err error
	m.Text, err = cleanRequiredText(m.Text, MaxMessageText, "/text")
	return m, err
}

// Add returns c with m (cleaned by CleanMessage) as its newest message,
// counted unread for the other side, and archived, the oldest ArchivePage
// messages to move to page next.Pages when the conversation is full (nil
// else). A message with the same id held already is a repeat of it: the
// same text by the same person gives back the one stored (created false,
// next is c); anything else is ErrMessageIDTaken.
func (c *Conversation) Add(m Message, now time.Time) (next *Conversation, stored Message, archived []Message, created bool, err error) {
	if old, ok := c.Message(m.ID); ok {
		if old.UserID != m.UserID || old.Text != m.Text || old.From != m.From {
			return nil, Message{}, nil, false, ErrMessageIDTaken
		}
		return c, old, nil, false, nil
	}
	m.At = clock(now)
	m.AgencyID = c.AgencyID
	n := *c
	n.Messages = append(slices.Clone(c.Messages), m)
	if len(n.Messages) > MaxHeldMessages {
		archived = slices.Clone(n.Messages[:ArchivePage])
		n.Messages = slices.Clone(n.Messages[ArchivePage:])
		n.Pages++
	}
	if m.From == SideHousehold {
		n.UnreadAgency++
	} else {
		n.UnreadHousehold++
	}
	n.LastAt = m.At
	return &n, m, archived, true, nil
}

// MarkRead returns c with nothing unread for side, or c itself when there
// was nothing.
func (c *Conversation) MarkRead(side Side) *Conversation {
	if c.Unread(side) == 0 {
		return c
	}
	n := *c
	if side == SideAgency {
		n.UnreadAgency = 0
	} else {
		n.UnreadHousehold = 0
	}
	return &n
}

// ForgetPerson returns msgs with userID's messages kept but for who wrote
// them (ErasedPerson, no name), and whether anything changed; as the
// access log keeps an erased person's entries.
func ForgetPerson(msgs []Message, userID string) ([]Message, bool) {
	var out []Message
	for i, m := range msgs {
		if m.UserID != userID {
			continue
		}
		if out == nil {
			out = slices.Clone(msgs)
		}
		out[i].UserID, out[i].Name = ErasedPerson, ""
	}
	if out == nil {
		return msgs, false
	}
	return out, true
}

// InboxEntry is what an agency's inbox says of one roadmap: how many of the
// household's messages no caseworker has read yet, and when the newest
// came. Only roadmaps with unread messages have one.
type InboxEntry struct {
	RoadmapID string
	Unread    int
	LastAt    time.Time
}
