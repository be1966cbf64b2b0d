package storage

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/veikart/veikart/backend/veikart"
)

// Messages: one document per conversation (a roadmap and an agency), with
// _id "<roadmapId>|<agencyId>" ('|' is outside the id alphabet, so two
// pairs never share an id), holding its newest messages and each side's
// unread count; older messages in archive pages "<conversation>/p<n>"
// beside it; and per agency an inbox of the roadmaps where the household
// wrote something no caseworker has read, in inboxShards documents
// ("<agencyId>/<n>", the roadmap's shard by a hash of its id).
//
// Every read and write is by _id, the only lookup the embedded store
// serves from an index: sending a message reads and writes its
// conversation (and, on the agency's side, its inbox), never the roadmaps
// collection beyond the one roadmap the access decision reads. The inbox is
// written after the conversation with the absolute count copied from it,
// so a repeat or a crash in between is mended by the next write.
const (
	convColl  = "conversations"
	inboxColl = "message_inbox"
)

// MessageCollections lists the collections above, for EnsureSchema.
var MessageCollections = []string{convColl, inboxColl}

type messageDoc struct {
	ID     string    `bson:"id"`
	At     time.Time `bson:"at"`
	From   string    `bson:"f"`
	UserID string    `bson:"u"`
	Name   string    `bson:"n,omitempty"`
	Text   string    `bson:"t"`
}

// The messages of a conversation or a page are one BSON blob (messagesBody),
// as a roadmap's body is: the embedded store's cost grows with the fields
// it converts, and nothing queries inside a message (measured: a shared
// store's send into a full conversation took 54 ms with 200 messages as
// subdocuments; see BenchmarkMessages).
type conversationDoc struct {
	ID        string    `bson:"_id"`
	RoadmapID string    `bson:"r"`
	AgencyID  string    `bson:"a"`
	Rev       int64     `bson:"rev"`
	Pages     int       `bson:"pages,omitempty"`
	UnreadH   int       `bson:"uh,omitempty"`
	UnreadA   int       `bson:"ua,omitempty"`
	LastAt    time.Time `bson:"lastAt,omitempty"`
	Users     []string  `bson:"users"` // who wrote here: a person's erasure finds them
	Body      []byte    `bson:"body"`
}

// convPageDoc is an archive page: written once, rewritten only to forget
// an erased person.
type convPageDoc struct {
	ID    string   `bson:"_id"`
	Users []string `bson:"users"`
	Body  []byte   `bson:"body"`
}

type messagesBody struct {
	M []messageDoc `bson:"m"`
}

func encodeMessages(ms []veikart.Message) []byte {
	b, err := bson.Marshal(messagesBody{M: toMessageDocs(ms)})
	if err != nil {
		panic(fmt.Sprintf("encode messages: %v", err)) // strings and times only: cannot fail
	}
	return b
}

func decodeMessages(b []byte, agencyID string) ([]veikart.Message, error) {
	var body messagesBody
	if err := bson.Unmarshal(b, &body); err != nil {
		return nil, fmt.Errorf("decode messages: %w", err)
	}
	return fromMessageDocs(body.M, agencyID), nil
}

// inboxDoc holds one string per roadmap with unread messages,
// "<roadmapId>|<unread>|<lastAt, Unix ms>": 300 entries as subdocuments
// took the embedded store 20 ms to read (BenchmarkMessages/inbox-db).
type inboxDoc struct {
	ID      string   `bson:"_id"` // "<agency id>/<shard>"; the agency id before the shards
	Rev     int64    `bson:"rev"`
	Entries []string `bson:"e"`
}

type inboxEntryDoc struct {
	RoadmapID string
	Unread    int
	LastAt    time.Time
}

func (e inboxEntryDoc) String() string {
	return e.RoadmapID + "|" + strconv.Itoa(e.Unread) + "|" + strconv.FormatInt(e.LastAt.UnixMilli(), 10)
}

func parseInboxEntry(s string) (inboxEntryDoc, bool) {
	f := strings.Split(s, "|")
	if len(f) != 3 {
		return inboxEntryDoc{}, false
	}
	n, err1 := strconv.Atoi(f[1])
	ms, err2 := strconv.ParseInt(f[2], 10, 64)
	if err1 != nil || err2 != nil {
		return inboxEntryDoc{}, false
	}
	return inboxEntryDoc{RoadmapID: f[0], Unread: n, LastAt: time.UnixMilli(ms).UTC()}, true
}

func inboxRoadmap(s string) string { r, _, _ := strings.Cut(s, "|"); return r }

// ConversationID is the _id of roadmapID's conversation with agencyID.
func ConversationID(roadmapID, agencyID string) string { return roadmapID + "|" + agencyID }

func convPageID(convID string, n int) string { return convID + "/p" + strconv.Itoa(n) }

func toMessageDocs(ms []veikart.Message) []messageDoc {
	out := make([]messageDoc, len(ms))
	for i, m := range ms {
		out[i] = messageDoc{ID: m.ID, At: m.At.UTC(), From: string(m.From), UserID: m.UserID, Name: m.Name, Text: m.Text}
	}
	return out
}

func fromMessageDocs(ds []messageDoc, agencyID string) []veikart.Message {
	out := make([]veikart.Message, len(ds))
	for i, d := range ds {
		out[i] = veikart.Message{ID: d.ID, At: d.At.UTC(), From: veikart.Side(d.From), UserID: d.UserID, Name: d.Name, AgencyID: agencyID, Text: d.Text}
	}
	return out
}

func writers(ms []veikart.Message) []string {
	out := make([]string, 0, 2)
	for _, m := range ms {
		if !slices.Contains(out, m.UserID) {
			out = append(out, m.UserID)
		}
	}
	return out
}

func toConversationDoc(c *veikart.Conversation) *conversationDoc {
	return &conversationDoc{
		ID: ConversationID(c.RoadmapID, c.AgencyID), RoadmapID: c.RoadmapID, AgencyID: c.AgencyID, Rev: c.Rev,
		Pages: c.Pages, UnreadH: c.UnreadHousehold, UnreadA: c.UnreadAgency, LastAt: c.LastAt.UTC(),
		Users: writers(c.Messages), Body: encodeMessages(c.Messages),
	}
}

func (d *conversationDoc) toDomain() (*veikart.Conversation, error) {
	msgs, err := decodeMessages(d.Body, d.AgencyID)
	if err != nil {
		return nil, fmt.Errorf("conversation %s: %w", d.ID, err)
	}
	return &veikart.Conversation{
		RoadmapID: d.RoadmapID, AgencyID: d.AgencyID, Rev: d.Rev, Pages: d.Pages,
		UnreadHousehold: d.UnreadH, UnreadAgency: d.UnreadA, LastAt: d.LastAt.UTC(),
		Messages: msgs,
	}, nil
}

// splitConversationID is ConversationID backwards.
func splitConversationID(id string) (roadmapID, agencyID string) {
	roadmapID, agencyID, _ = strings.Cut(id, "|")
	return roadmapID, agencyID
}

// conversationKind: compared on rev; a missing conversation is an empty
// one, which the first message inserts.
func (s *Store) conversationKind(copies *cache[*veikart.Conversation]) *kind[*veikart.Conversation] {
	coll := s.db.Collection(convColl)
	return &kind[*veikart.Conversation]{
		name: "conversation", coll: coll, lock: "m:", cache: copies,
		load: findOrEmpty(coll, "conversation", func(id string) *veikart.Conversation {
			rid, aid := splitConversationID(id)
			return &veikart.Conversation{RoadmapID: rid, AgencyID: aid}
		}, (*conversationDoc).toDomain),
		doc:      func(c *veikart.Conversation) (any, error) { return toConversationDoc(c), nil },
		cas:      func(c *veikart.Conversation) bson.D { return bson.D{{Key: "rev", Value: c.Rev}} },
		conflict: "The conversation is being written by many at once. Try again.",
		// Most roadmaps never have one, and the household's list reads
		// one per agency.
		keepMissing: true,
	}
}

// inboxKind: an agency's inbox, read by every caseworker's list; compared
// on rev.
func (s *Store) inboxKind(copies *cache[*inboxDoc]) *kind[*inboxDoc] {
	coll := s.db.Collection(inboxColl)
	return &kind[*inboxDoc]{
		name: "message inbox", coll: coll, lock: "i:", cache: copies,
		load: func(ctx context.Context, agencyID string) (*inboxDoc, bool, error) {
			var d inboxDoc
			err := coll.FindOne(ctx, byID(agencyID)).Decode(&d)
			if veikart.ErrorCode(mapError(err, "")) == veikart.ENOTFOUND {
				return &inboxDoc{ID: agencyID}, false, nil
			}
			if err != nil {
				return nil, false, mapError(err, "read inbox of %s", agencyID)
			}
			return &d, true, nil
		},
		doc:         func(d *inboxDoc) (any, error) { return d, nil },
		cas:         func(d *inboxDoc) bson.D { return bson.D{{Key: "rev", Value: d.Rev}} },
		conflict:    "The agency's inbox is being written by many at once. Try again.",
		keepMissing: true,
	}
}

// errErased refuses a write to a conversation of a roadmap this process
// erased (a request that read the roadmap just before).
var errErased = &veikart.Error{Code: veikart.ENOTFOUND, Message: "Not found."}

// Conversation returns roadmapID's conversation with agencyID: an empty
// one if nobody wrote yet. Treat it as read-only.
func (s *Store) Conversation(ctx context.Context, roadmapID, agencyID string) (*veikart.Conversation, error) {
	return read(ctx, s, s.conversations, ConversationID(roadmapID, agencyID))
}

// AddMessage adds m (cleaned: veikart.CleanMessage) to roadmapID's
// conversation with agencyID, in one write of the conversation; a full
// conversation first writes its oldest messages to an archive page (the
// same page again, if a retry comes). A repeat of a stored message
// (veikart.Conversation.Add) writes nothing and returns created false.
// Then the agency's inbox gets the conversation's count.
func (s *Store) AddMessage(ctx context.Context, roadmapID, agencyID string, m veikart.Message, now time.Time) (*veikart.Conversation, veikart.Message, bool, error) {
	id := ConversationID(roadmapID, agencyID)
	var stored veikart.Message
	var created bool
	c, err := update(ctx, s, s.conversations, id, func(cur *veikart.Conversation) (*veikart.Conversation, bool, error) {
		if _, gone := s.erased.get(roadmapID); gone {
			return nil, false, errErased
		}
		next, msg, archived, made, err := cur.Add(m, now)
		if err != nil || !made {
			stored, created = msg, false
			return cur, false, err
		}
		stored, created = msg, true
		if archived != nil {
			// Before the conversation that no longer holds them: a crash
			// in between leaves them in both, and the next message writes
			// the same page again.
			page := convPageDoc{ID: convPageID(id, next.Pages), Users: writers(archived), Body: encodeMessages(archived)}
			if _, err := s.conversations.coll.ReplaceOne(ctx, byID(page.ID), page, options.Replace().SetUpsert(true)); err != nil {
				return nil, false, mapError(err, "archive messages of %s", id)
			}
		}
		next.Rev = cur.Rev + 1
		return next, true, nil
	})
	if err != nil {
		return nil, veikart.Message{}, false, err
	}
	if err := s.setInbox(ctx, c); err != nil {
		return nil, veikart.Message{}, false, err
	}
	return c, stored, created, nil
}

// MarkConversationRead sets side's unread count of roadmapID's
// conversation with agencyID to nothing (no write if it was), and for the
// agency its inbox too. It returns the conversation as it was read, with
// its counts before.
func (s *Store) MarkConversationRead(ctx context.Context, roadmapID, agencyID string, side veikart.Side) (*veikart.Conversation, error) {
	var before *veikart.Conversation
	c, err := update(ctx, s, s.conversations, ConversationID(roadmapID, agencyID), func(cur *veikart.Conversation) (*veikart.Conversation, bool, error) {
		before = cur
		next := cur.MarkRead(side)
		if next == cur {
			return cur, false, nil
		}
		if _, gone := s.erased.get(roadmapID); gone {
			return nil, false, errErased
		}
		next.Rev = cur.Rev + 1
		return next, true, nil
	})
	if err != nil {
		return nil, err
	}
	if side == veikart.SideAgency {
		if err := s.setInbox(ctx, c); err != nil {
			return nil, err
		}
	}
	return before, nil
}

// MessagePage returns archive page n (1 is the oldest) of roadmapID's
// conversation with agencyID, oldest first; ENOTFOUND if there is none.
func (s *Store) MessagePage(ctx context.Context, roadmapID, agencyID string, n int) ([]veikart.Message, error) {
	var d convPageDoc
	id := convPageID(ConversationID(roadmapID, agencyID), n)
	if err := s.conversations.coll.FindOne(ctx, byID(id)).Decode(&d); err != nil {
		return nil, mapError(err, "read messages %s", id)
	}
	return decodeMessages(d.Body, agencyID)
}

// An agency's inbox is written by every message a household sends it and
// every conversation a caseworker reads, one write at a time per document:
// as one document it was the busiest in the store, and in the soak a queue
// of those writes held up the requests waiting on it for seconds. In
// shards, a municipality's households spread over inboxShards documents;
// a caseworker's list reads them all, each by _id (copies in memory on the
// embedded store; a query with $in would be one round trip to MongoDB, but
// a scan of the collection on FerretDB). Eight: a writer waits on an
// eighth of the traffic, a list without copies makes nine reads.
const inboxShards = 8

// inboxShardID is the inbox document of agencyID that holds roadmapID.
func inboxShardID(agencyID, roadmapID string) string {
	h := fnv.New32a()
	h.Write([]byte(roadmapID))
	return agencyID + "/" + strconv.Itoa(int(h.Sum32()%inboxShards))
}

// An inbox written before the shards is one document, _id the agency id.
// It is still read, and an entry moves from it to its shard the first time
// it changes; so it empties as the households write, and no release has to
// move it first.

// setInbox makes c's roadmap's entry in its agency's inbox say what c says
// of the agency's unread messages: an entry while there are any, none
// after. No write when it says so already.
func (s *Store) setInbox(ctx context.Context, c *veikart.Conversation) error {
	return s.setInboxEntry(ctx, c.AgencyID, veikart.InboxEntry{RoadmapID: c.RoadmapID, Unread: c.UnreadAgency, LastAt: c.LastAt})
}

func (s *Store) setInboxEntry(ctx context.Context, agencyID string, e veikart.InboxEntry) error {
	want := ""
	if e.Unread > 0 {
		want = inboxEntryDoc{RoadmapID: e.RoadmapID, Unread: e.Unread, LastAt: e.LastAt.UTC()}.String()
	}
	if err := s.putInboxEntry(ctx, inboxShardID(agencyID, e.RoadmapID), e.RoadmapID, want); err != nil {
		return err
	}
	// The entry's place before the shards: none, or it would show again.
	return s.putInboxEntry(ctx, agencyID, e.RoadmapID, "")
}

// putInboxEntry sets roadmapID's entry in inbox document id to want, or
// removes it for "". No write when it is so already.
func (s *Store) putInboxEntry(ctx context.Context, id, roadmapID, want string) error {
	_, err := update(ctx, s, s.inboxes, id, func(d *inboxDoc) (*inboxDoc, bool, error) {
		i := slices.IndexFunc(d.Entries, func(x string) bool { return inboxRoadmap(x) == roadmapID })
		switch {
		case i < 0 && want == "", i >= 0 && d.Entries[i] == want:
			return d, false, nil
		}
		next := &inboxDoc{ID: id, Rev: d.Rev + 1, Entries: slices.Clone(d.Entries)}
		switch {
		case i < 0:
			next.Entries = append(next.Entries, want)
		case want == "":
			next.Entries = slices.Delete(next.Entries, i, i+1)
		default:
			next.Entries[i] = want
		}
		return next, true, nil
	})
	return err
}

// AgencyInbox returns, by roadmap id, what agencyID's caseworkers have not
// read: the inbox's documents read by _id, however many roadmaps are
// shared with it.
func (s *Store) AgencyInbox(ctx context.Context, agencyID string) (map[string]veikart.InboxEntry, error) {
	// The document from before the shards first: a shard's entry is newer.
	ids := make([]string, 0, inboxShards+1)
	ids = append(ids, agencyID)
	for n := range inboxShards {
		ids = append(ids, agencyID+"/"+strconv.Itoa(n))
	}
	out := map[string]veikart.InboxEntry{}
	for _, id := range ids {
		d, err := read(ctx, s, s.inboxes, id)
		if err != nil {
			return nil, err
		}
		for _, s := range d.Entries {
			if e, ok := parseInboxEntry(s); ok {
				out[e.RoadmapID] = veikart.InboxEntry{RoadmapID: e.RoadmapID, Unread: e.Unread, LastAt: e.LastAt}
			}
		}
	}
	return out, nil
}

// eraseConversations deletes roadmapID's conversations with agencyIDs and
// their archive pages, by _id (the pages the conversation counts first,
// then the conversation: a repeat after a crash in between finds the
// conversation still there and counts them again), and their entries in
// the agencies' inboxes. sweepConversations, last, finds any other. Safe
// to repeat.
func (s *Store) eraseConversations(ctx context.Context, roadmapID string, agencyIDs []string) error {
	for _, a := range agencyIDs {
		id := ConversationID(roadmapID, a)
		unlock := s.eng.serialise(s.conversations.lock + id)
		err := s.deleteConversation(ctx, id)
		s.conversations.cache.delete(id)
		unlock()
		if err != nil {
			return err
		}
		if err := s.setInboxEntry(ctx, a, veikart.InboxEntry{RoadmapID: roadmapID}); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) deleteConversation(ctx context.Context, id string) error {
	var head struct {
		Pages int `bson:"pages"`
	}
	err := s.conversations.coll.FindOne(ctx, byID(id), options.FindOne().SetProjection(bson.D{{Key: "pages", Value: 1}})).Decode(&head)
	if veikart.ErrorCode(mapError(err, "")) == veikart.ENOTFOUND {
		return nil
	}
	if err != nil {
		return mapError(err, "read conversation %s", id)
	}
	for n := 1; n <= head.Pages; n++ {
		if _, err := s.conversations.coll.DeleteOne(ctx, byID(convPageID(id, n))); err != nil {
			return mapError(err, "erase messages of %s", id)
		}
	}
	_, err = s.conversations.coll.DeleteOne(ctx, byID(id))
	return mapError(err, "erase conversation %s", id)
}

// sweepConversations deletes whatever of roadmapID's conversations is left
// (a message a request on another replica wrote meanwhile): an anchored
// _id prefix, which MongoDB answers from the _id index and the embedded
// store by a scan of the conversations, once per erasure.
func (s *Store) sweepConversations(ctx context.Context, roadmapID string) error {
	_, err := s.conversations.coll.DeleteMany(ctx, idPrefix(roadmapID+"|"))
	return mapError(err, "erase conversations of %s", roadmapID)
}

// unlinkFromConversations replaces userID, in every conversation and
// archive page they wrote in, by veikart.ErasedPerson, and drops their
// name: the household keeps what was said, as its access log keeps what
// was done (unlinkFromLogs).
func (s *Store) unlinkFromConversations(ctx context.Context, userID string) error {
	cur, err := s.conversations.coll.Find(ctx, bson.D{{Key: "users", Value: userID}}, options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return mapError(err, "find conversations of %s", userID)
	}
	var ids []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &ids); err != nil {
		return mapError(err, "find conversations of %s", userID)
	}
	for _, d := range ids {
		if strings.Contains(d.ID, "/p") {
			if err := s.unlinkFromPage(ctx, d.ID, userID); err != nil {
				return err
			}
			continue
		}
		_, err := update(ctx, s, s.conversations, d.ID, func(c *veikart.Conversation) (*veikart.Conversation, bool, error) {
			msgs, changed := veikart.ForgetPerson(c.Messages, userID)
			if !changed {
				return c, false, nil
			}
			next := *c
			next.Messages, next.Rev = msgs, c.Rev+1
			return &next, true, nil
		})
		if err != nil {
			return fmt.Errorf("unlink %s from conversation %s: %w", userID, d.ID, err)
		}
	}
	return nil
}

func (s *Store) unlinkFromPage(ctx context.Context, id, userID string) error {
	var d convPageDoc
	if err := s.conversations.coll.FindOne(ctx, byID(id)).Decode(&d); err != nil {
		if veikart.ErrorCode(mapError(err, "")) == veikart.ENOTFOUND {
			return nil
		}
		return mapError(err, "read messages %s", id)
	}
	conv, _, _ := strings.Cut(id, "/")
	_, agencyID := splitConversationID(conv)
	msgs, err := decodeMessages(d.Body, agencyID)
	if err != nil {
		return fmt.Errorf("unlink %s from %s: %w", userID, id, err)
	}
	msgs, _ = veikart.ForgetPerson(msgs, userID)
	d.Body, d.Users = encodeMessages(msgs), writers(msgs)
	_, err = s.conversations.coll.ReplaceOne(ctx, byID(id), d)
	return mapError(err, "unlink %s from %s", userID, id)
}
