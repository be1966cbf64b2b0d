package wire

import (
	"time"

	"github.com/veikart/veikart/backend/veikart"
)

// Message is one message of a conversation (message.schema.json).
type Message struct {
	ID       string    `json:"id"`
	At       time.Time `json:"at"`
	From     string    `json:"from"`
	UserID   string    `json:"userId,omitempty"`
	Name     string    `json:"name,omitempty"`
	AgencyID string    `json:"agencyId"`
	Text     string    `json:"text"`
}

// ToMessage renders m.
func ToMessage(m veikart.Message) Message {
	return Message{ID: m.ID, At: m.At.UTC(), From: string(m.From), UserID: m.UserID, Name: m.Name, AgencyID: m.AgencyID, Text: m.Text}
}

// MessageThread is a page of one conversation (message-thread.schema.json).
type MessageThread struct {
	AgencyID   string    `json:"agencyId"`
	AgencyName string    `json:"agencyName,omitempty"`
	Items      []Message `json:"items"`
	Next       string    `json:"next,omitempty"`
	Unread     int       `json:"unread"`
	Open       bool      `json:"open"`
}

// ConversationSummary is one agency's conversation in the household's list.
type ConversationSummary struct {
	AgencyID   string     `json:"agencyId"`
	AgencyName string     `json:"agencyName,omitempty"`
	Unread     int        `json:"unread"`
	Messages   int        `json:"messages"`
	LastAt     *time.Time `json:"lastAt,omitempty"`
	Open       bool       `json:"open"`
}

// ConversationList is the household's conversations on a roadmap
// (conversation-list.schema.json).
type ConversationList struct {
	Items []ConversationSummary `json:"items"`
}

// SendMessageRequest is the body of a new message
// (send-message-request.schema.json).
type SendMessageRequest struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// ExportedConversation is one conversation, whole, in an export.
type ExportedConversation struct {
	AgencyID   string    `json:"agencyId"`
	AgencyName string    `json:"agencyName,omitempty"`
	Messages   []Message `json:"messages"`
}
