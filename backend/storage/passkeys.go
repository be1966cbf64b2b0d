package storage

import (
	"context"
	"errors"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/veikart/veikart/backend/veikart"
)

// Passkeys and enrolment codes.
//
// A person's passkeys live in one document keyed by their user id
// (passkey_users), so that adding one, removing one (but never the last, where
// that is the rule) and counting a sign-in are each one atomic write of one
// document. Sign-in looks a passkey up by its credential id: passkeys holds
// one small document per passkey, keyed by veikart.PasskeyID(credential id),
// that names its owner. Both are _id lookups, the one filter the embedded
// store answers from an index.
//
// The owner's document is the truth. A passkeys entry is written before the
// passkey joins its owner's document and deleted after it leaves, so a failure
// between the two writes leaves at most a pointer to nothing, which signs
// nobody in.
//
// Enrolment codes are kept by the hash of the code, and taken (deleted) when
// used: of two uses at once, one wins.
const (
	passkeysColl     = "passkeys"      // per passkey: its owner
	passkeyUsersColl = "passkey_users" // per person: their passkeys
	enrolmentsColl   = "enrolments"    // per enrolment code hash: what it is for
)

// PasskeyCollections lists the collections above, for EnsureSchema.
var PasskeyCollections = []string{passkeysColl, passkeyUsersColl, enrolmentsColl}

type passkeyOwnerDoc struct {
	ID        string    `bson:"_id"` // veikart.PasskeyID
	UserID    string    `bson:"userId"`
	CreatedAt time.Time `bson:"createdAt"`
}

type passkeyUserDoc struct {
	ID       string       `bson:"_id"` // user id
	Passkeys []passkeyDoc `bson:"passkeys"`
	// Pending is a recovery waiting to take effect: beside the passkeys,
	// so that it starts, is cancelled and replaces them in one write.
	Pending *pendingRecoveryDoc `bson:"pending,omitempty"`
	// Rev increases with every write; shared-database writes compare it.
	Rev int64 `bson:"rev"`
}

type pendingRecoveryDoc struct {
	Passkey       passkeyDoc `bson:"passkey"`
	AgencyID      string     `bson:"agencyId"`
	CreatedBy     string     `bson:"createdBy"`
	CreatedByName string     `bson:"createdByName,omitempty"`
	CodeCreatedAt time.Time  `bson:"codeCreatedAt"`
	StartedAt     time.Time  `bson:"startedAt"`
	EffectiveAt   time.Time  `bson:"effectiveAt"`
}

func toPendingDoc(p *veikart.PendingRecovery) *pendingRecoveryDoc {
	if p == nil {
		return nil
	}
	return &pendingRecoveryDoc{
		Passkey: toPasskeyDoc(p.Passkey), AgencyID: p.AgencyID, CreatedBy: p.CreatedBy, CreatedByName: p.CreatedByName,
		CodeCreatedAt: p.CodeCreatedAt, StartedAt: p.StartedAt, EffectiveAt: p.EffectiveAt,
	}
}

func (d *pendingRecoveryDoc) toDomain(userID string) *veikart.PendingRecovery {
	if d == nil {
		return nil
	}
	return &veikart.PendingRecovery{
		Passkey: d.Passkey.toDomain(userID), AgencyID: d.AgencyID, CreatedBy: d.CreatedBy, CreatedByName: d.CreatedByName,
		CodeCreatedAt: d.CodeCreatedAt.UTC(), StartedAt: d.StartedAt.UTC(), EffectiveAt: d.EffectiveAt.UTC(),
	}
}

type passkeyDoc struct {
	ID                string    `bson:"id"`
	CredentialID      []byte    `bson:"credentialId"`
	Name              string    `bson:"name"`
	PublicKey         []byte    `bson:"publicKey"`
	SignCount         int64     `bson:"signCount"`
	AAGUID            []byte    `bson:"aaguid,omitempty"`
	Transports        []string  `bson:"transports,omitempty"`
	UserPresent       bool      `bson:"up"`
	UserVerified      bool      `bson:"uv"`
	BackupEligible    bool      `bson:"be"`
	BackupState       bool      `bson:"bs"`
	AttestationType   string    `bson:"attestationType,omitempty"`
	AttestationFormat string    `bson:"attestationFormat,omitempty"`
	CreatedAt         time.Time `bson:"createdAt"`
	LastUsedAt        time.Time `bson:"lastUsedAt,omitempty"`
}

func toPasskeyDoc(p veikart.Passkey) passkeyDoc {
	return passkeyDoc{
		ID: p.ID, CredentialID: p.CredentialID, Name: p.Name, PublicKey: p.PublicKey, SignCount: int64(p.SignCount),
		AAGUID: p.AAGUID, Transports: p.Transports, UserPresent: p.UserPresent, UserVerified: p.UserVerified,
		BackupEligible: p.BackupEligible, BackupState: p.BackupState, AttestationType: p.AttestationType,
		AttestationFormat: p.AttestationFormat, CreatedAt: p.CreatedAt, LastUsedAt: p.LastUsedAt,
	}
}

func (d passkeyDoc) toDomain(userID string) veikart.Passkey {
	p := veikart.Passkey{
		ID: d.ID, CredentialID: d.CredentialID, UserID: userID, Name: d.Name, PublicKey: d.PublicKey, SignCount: uint32(d.SignCount),
		AAGUID: d.AAGUID, Transports: d.Transports, UserPresent: d.UserPresent, UserVerified: d.UserVerified,
		BackupEligible: d.BackupEligible, BackupState: d.BackupState, AttestationType: d.AttestationType,
		AttestationFormat: d.AttestationFormat, CreatedAt: d.CreatedAt.UTC(),
	}
	if !d.LastUsedAt.IsZero() {
		p.LastUsedAt = d.LastUsedAt.UTC()
	}
	return p
}

// Passkeys returns userID's passkeys, oldest first; none is an empty list.
func (s *Store) Passkeys(ctx context.Context, userID string) ([]veikart.Passkey, error) {
	d, _, err := s.loadPasskeyUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := make([]veikart.Passkey, len(d.Passkeys))
	for i, x := range d.Passkeys {
		out[i] = x.toDomain(userID)
	}
	return out, nil
}

// PasskeyOwner returns the user id of the passkey with the given id
// (veikart.PasskeyID), or ENOTFOUND. The owner's own list decides whether the
// passkey still counts: see Passkeys.
func (s *Store) PasskeyOwner(ctx context.Context, passkeyID string) (string, error) {
	var d passkeyOwnerDoc
	if err := s.db.Collection(passkeysColl).FindOne(ctx, bson.D{{Key: "_id", Value: passkeyID}}).Decode(&d); err != nil {
		return "", mapError(err, "find passkey")
	}
	return d.UserID, nil
}

var errPasskeyTaken = &veikart.Error{Code: veikart.ECONFLICT, Message: "This passkey is registered already."}

// AddPasskey stores a new passkey for p.UserID. With replace, it becomes the
// person's only passkey (recovery after a lost phone) and the ids of the ones
// it replaced are returned. It returns ECONFLICT if the passkey is registered
// already, or if the person has veikart.MaxPasskeys.
func (s *Store) AddPasskey(ctx context.Context, p veikart.Passkey, replace bool) (removed []string, err error) {
	if p.UserID == "" || p.ID == "" || p.ID != veikart.PasskeyID(p.CredentialID) {
		return nil, &veikart.Error{Code: veikart.EINVALID, Message: "A passkey needs a person and a credential."}
	}
	_, err = s.db.Collection(passkeysColl).InsertOne(ctx, passkeyOwnerDoc{ID: p.ID, UserID: p.UserID, CreatedAt: p.CreatedAt})
	if err != nil {
		if err = mapError(err, "insert passkey"); veikart.ErrorCode(err) == veikart.ECONFLICT {
			return nil, errPasskeyTaken
		}
		return nil, err
	}
	err = s.UpdatePasskeys(ctx, p.UserID, func(cur []veikart.Passkey) ([]veikart.Passkey, error) {
		removed = removed[:0]
		if replace {
			for _, x := range cur {
				removed = append(removed, x.ID)
			}
			return []veikart.Passkey{p}, nil
		}
		if len(cur) >= veikart.MaxPasskeys {
			return nil, &veikart.Error{Code: veikart.ECONFLICT, Message: "You have as many passkeys as one person can have. Remove one you no longer use first."}
		}
		return append(cur, p), nil
	})
	if err != nil {
		s.dropPasskeyOwners(ctx, p.ID)
		return nil, err
	}
	s.dropPasskeyOwners(ctx, removed...)
	return removed, nil
}

// RemovePasskey removes userID's passkey passkeyID. may is asked, with how
// many passkeys the person would have left, before anything changes; its
// error is returned as it is. A passkey that is not the person's is
// ENOTFOUND, like one that does not exist.
func (s *Store) RemovePasskey(ctx context.Context, userID, passkeyID string, may func(remaining int) error) error {
	err := s.UpdatePasskeys(ctx, userID, func(cur []veikart.Passkey) ([]veikart.Passkey, error) {
		i := slices.IndexFunc(cur, func(p veikart.Passkey) bool { return p.ID == passkeyID })
		if i < 0 {
			return nil, &veikart.Error{Code: veikart.ENOTFOUND, Message: "There is no such passkey."}
		}
		if err := may(len(cur) - 1); err != nil {
			return nil, err
		}
		return slices.Delete(cur, i, i+1), nil
	})
	if err != nil {
		return err
	}
	s.dropPasskeyOwners(ctx, passkeyID)
	return nil
}

// UsePasskey records a sign-in with used (as package passkey verified it: its
// new sign count and flags) at time at. If the stored signature counter has
// reached used's meanwhile (a sign-in with a copy of the key, or a replay
// racing this one), it stores nothing and returns EUNAUTHORIZED. A passkey no
// longer in the person's list is ENOTFOUND.
func (s *Store) UsePasskey(ctx context.Context, used veikart.Passkey, at time.Time) error {
	return s.UpdatePasskeys(ctx, used.UserID, func(cur []veikart.Passkey) ([]veikart.Passkey, error) {
		i := slices.IndexFunc(cur, func(p veikart.Passkey) bool { return p.ID == used.ID })
		if i < 0 {
			return nil, &veikart.Error{Code: veikart.ENOTFOUND, Message: "There is no such passkey."}
		}
		p := cur[i]
		// Authenticators that keep no counter (synced passkeys) send 0
		// every time; anything else must count up.
		if (used.SignCount != 0 || p.SignCount != 0) && used.SignCount <= p.SignCount {
			return nil, &veikart.Error{Code: veikart.EUNAUTHORIZED, Message: "This passkey could not be verified. Sign in again."}
		}
		p.SignCount, p.UserPresent, p.UserVerified, p.BackupState = used.SignCount, used.UserPresent, used.UserVerified || p.UserVerified, used.BackupState
		p.LastUsedAt = at.UTC().Truncate(time.Millisecond)
		cur[i] = p
		return cur, nil
	})
}

// StartRecovery holds p (a new phone's verified passkey) as userID's
// waiting recovery. A recovery already waiting is replaced, and returned:
// the person's devices are told of the new one either way, and can cancel
// it. p's passkey is findable by its credential id at once (so that the
// new phone is told it must wait, rather than that its passkey is
// unknown), but signs nobody in until CompleteRecovery.
func (s *Store) StartRecovery(ctx context.Context, userID string, p veikart.PendingRecovery) (replaced *veikart.PendingRecovery, err error) {
	k := p.Passkey
	if k.UserID != userID || k.ID == "" || k.ID != veikart.PasskeyID(k.CredentialID) {
		return nil, &veikart.Error{Code: veikart.EINVALID, Message: "A passkey needs a person and a credential."}
	}
	if _, err := s.db.Collection(passkeysColl).InsertOne(ctx, passkeyOwnerDoc{ID: k.ID, UserID: userID, CreatedAt: k.CreatedAt}); err != nil {
		if err = mapError(err, "insert passkey"); veikart.ErrorCode(err) == veikart.ECONFLICT {
			return nil, errPasskeyTaken
		}
		return nil, err
	}
	err = s.updateAccount(ctx, userID, func(a *passkeyAccount) error {
		replaced, a.pending = a.pending, &p
		return nil
	})
	if err != nil {
		s.dropPasskeyOwners(ctx, k.ID)
		return nil, err
	}
	if replaced != nil {
		s.dropPasskeyOwners(ctx, replaced.Passkey.ID)
	}
	return replaced, nil
}

// PendingRecovery returns userID's waiting recovery, or nil.
func (s *Store) PendingRecovery(ctx context.Context, userID string) (*veikart.PendingRecovery, error) {
	d, _, err := s.loadPasskeyUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	return d.Pending.toDomain(userID), nil
}

// CancelRecovery drops userID's waiting recovery and returns it; ENOTFOUND
// if none is waiting.
func (s *Store) CancelRecovery(ctx context.Context, userID string) (*veikart.PendingRecovery, error) {
	var was *veikart.PendingRecovery
	err := s.updateAccount(ctx, userID, func(a *passkeyAccount) error {
		if a.pending == nil {
			return &veikart.Error{Code: veikart.ENOTFOUND, Message: "No recovery is waiting."}
		}
		was, a.pending = a.pending, nil
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.dropPasskeyOwners(ctx, was.Passkey.ID)
	return was, nil
}

// CompleteRecovery makes userID's waiting recovery take effect at now: its
// passkey becomes the person's only one, in one write. It returns the
// recovery and the ids of the passkeys it replaced; ENOTFOUND if no
// recovery with passkey passkeyID is waiting, ECONFLICT if it is not due.
func (s *Store) CompleteRecovery(ctx context.Context, userID, passkeyID string, now time.Time) (*veikart.PendingRecovery, []string, error) {
	var done *veikart.PendingRecovery
	var removed []string
	err := s.updateAccount(ctx, userID, func(a *passkeyAccount) error {
		removed = removed[:0]
		if a.pending == nil || a.pending.Passkey.ID != passkeyID {
			return &veikart.Error{Code: veikart.ENOTFOUND, Message: "No recovery is waiting."}
		}
		if !a.pending.Due(now) {
			return &veikart.Error{Code: veikart.ECONFLICT, Message: "This recovery is still waiting."}
		}
		for _, p := range a.passkeys {
			removed = append(removed, p.ID)
		}
		done, a.passkeys, a.pending = a.pending, []veikart.Passkey{a.pending.Passkey}, nil
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	s.dropPasskeyOwners(ctx, removed...)
	return done, removed, nil
}

// UpdatePasskeys reads userID's passkeys, calls fn with them and stores what
// fn returns, atomically with respect to other writes of the same person's
// passkeys. fn's error is returned as it is and stores nothing; fn may change
// and return the slice it is given. A waiting recovery stays as it is.
func (s *Store) UpdatePasskeys(ctx context.Context, userID string, fn func([]veikart.Passkey) ([]veikart.Passkey, error)) error {
	return s.updateAccount(ctx, userID, func(a *passkeyAccount) error {
		next, err := fn(a.passkeys)
		a.passkeys = next
		return err
	})
}

// passkeyAccount is what one passkey_users document holds, in domain terms.
type passkeyAccount struct {
	passkeys []veikart.Passkey
	pending  *veikart.PendingRecovery
}

// passkeyUserKind: a person's passkeys are compared on their rev; a person
// without any has no document, which the first write inserts.
func (s *Store) passkeyUserKind() *kind[passkeyUserDoc] {
	return &kind[passkeyUserDoc]{
		name: "passkeys of", coll: s.db.Collection(passkeyUsersColl), lock: "k:",
		load:     s.loadPasskeyUser,
		doc:      func(d passkeyUserDoc) (any, error) { return d, nil },
		cas:      func(d passkeyUserDoc) bson.D { return bson.D{{Key: "rev", Value: d.Rev}} },
		conflict: "Your passkeys are being changed right now. Try again.",
	}
}

// updateAccount is UpdatePasskeys for the whole document: fn may change
// the passkeys and the waiting recovery together.
func (s *Store) updateAccount(ctx context.Context, userID string, fn func(*passkeyAccount) error) error {
	_, err := update(ctx, s, s.passkeyUsers, userID, func(d passkeyUserDoc) (passkeyUserDoc, bool, error) {
		a := passkeyAccount{passkeys: make([]veikart.Passkey, len(d.Passkeys)), pending: d.Pending.toDomain(userID)}
		for i, x := range d.Passkeys {
			a.passkeys[i] = x.toDomain(userID)
		}
		if err := fn(&a); err != nil {
			return d, false, err
		}
		nd := passkeyUserDoc{ID: userID, Passkeys: make([]passkeyDoc, len(a.passkeys)), Pending: toPendingDoc(a.pending), Rev: d.Rev + 1}
		for i, p := range a.passkeys {
			nd.Passkeys[i] = toPasskeyDoc(p)
		}
		return nd, true, nil
	})
	return err
}

func (s *Store) loadPasskeyUser(ctx context.Context, userID string) (passkeyUserDoc, bool, error) {
	var d passkeyUserDoc
	err := s.passkeyUsers.coll.FindOne(ctx, byID(userID)).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return passkeyUserDoc{ID: userID}, false, nil
	}
	if err != nil {
		return d, false, mapError(err, "find passkeys of %s", userID)
	}
	return d, true, nil
}

// dropPasskeyOwners deletes passkeys entries. A failure leaves an entry
// that points at nothing, which signs nobody in: not worth failing for.
func (s *Store) dropPasskeyOwners(ctx context.Context, ids ...string) {
	for _, id := range ids {
		_, _ = s.db.Collection(passkeysColl).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	}
}

type enrolmentDoc struct {
	ID            string    `bson:"_id"` // hash of the code
	AgencyID      string    `bson:"agencyId"`
	CreatedBy     string    `bson:"createdBy"`
	CreatedByName string    `bson:"createdByName,omitempty"`
	Name          string    `bson:"name,omitempty"`
	UserID        string    `bson:"userId,omitempty"`
	CreatedAt     time.Time `bson:"createdAt"`
	ExpiresAt     time.Time `bson:"expiresAt"`
}

// CreateEnrolment stores an enrolment code (by its hash).
func (s *Store) CreateEnrolment(ctx context.Context, e *veikart.Enrolment) error {
	_, err := s.db.Collection(enrolmentsColl).InsertOne(ctx, enrolmentDoc{
		ID: e.CodeHash, AgencyID: e.AgencyID, CreatedBy: e.CreatedBy, CreatedByName: e.CreatedByName, Name: e.Name, UserID: e.UserID,
		CreatedAt: e.CreatedAt, ExpiresAt: e.ExpiresAt,
	})
	return mapError(err, "insert enrolment code")
}

// Enrolment returns the enrolment with the given code hash if it is unused
// and has not expired at now; otherwise ENOTFOUND.
func (s *Store) Enrolment(ctx context.Context, codeHash string, now time.Time) (*veikart.Enrolment, error) {
	var d enrolmentDoc
	if err := s.db.Collection(enrolmentsColl).FindOne(ctx, bson.D{{Key: "_id", Value: codeHash}}).Decode(&d); err != nil {
		return nil, mapError(err, "find enrolment code")
	}
	if !now.Before(d.ExpiresAt) {
		// Forgotten once seen expired: the store has no TTL indexes.
		_, _ = s.db.Collection(enrolmentsColl).DeleteOne(ctx, bson.D{{Key: "_id", Value: codeHash}})
		return nil, &veikart.Error{Code: veikart.ENOTFOUND, Message: "Not found."}
	}
	return &veikart.Enrolment{
		CodeHash: d.ID, AgencyID: d.AgencyID, CreatedBy: d.CreatedBy, CreatedByName: d.CreatedByName, Name: d.Name, UserID: d.UserID,
		CreatedAt: d.CreatedAt.UTC(), ExpiresAt: d.ExpiresAt.UTC(),
	}, nil
}

// TakeEnrolment uses up the enrolment code with the given hash, and reports
// whether this call did: of two concurrent calls, at most one gets true.
func (s *Store) TakeEnrolment(ctx context.Context, codeHash string) (bool, error) {
	unlock := s.eng.serialise("e:" + codeHash)
	defer unlock()
	res, err := s.db.Collection(enrolmentsColl).DeleteOne(ctx, bson.D{{Key: "_id", Value: codeHash}})
	if err != nil {
		return false, mapError(err, "take enrolment code")
	}
	return res.DeletedCount == 1, nil
}

// SessionIDsOfUser returns the ids of userID's sessions that are not revoked
// (expired ones included). It filters on a field other than _id: a scan on
// the embedded store, so keep it off hot paths (it serves account recovery).
func (s *Store) SessionIDsOfUser(ctx context.Context, userID string) ([]string, error) {
	cur, err := s.db.Collection(sessionsColl).Find(ctx, bson.D{{Key: "userId", Value: userID}},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}, {Key: "revokedAt", Value: 1}}))
	if err != nil {
		return nil, mapError(err, "find sessions of %s", userID)
	}
	var docs []struct {
		ID        string    `bson:"_id"`
		RevokedAt time.Time `bson:"revokedAt"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mapError(err, "find sessions of %s", userID)
	}
	ids := make([]string, 0, len(docs))
	for _, d := range docs {
		if d.RevokedAt.IsZero() {
			ids = append(ids, d.ID)
		}
	}
	return ids, nil
}

// Begun WebAuthn ceremonies are kept with PutOnce and TakeOnce: by a random
// id, until they expire, for one use, on every replica alike.
const onceCeremony = "passkey-ceremony"

type ceremonyDoc struct {
	Kind     string `bson:"kind"`
	UserID   string `bson:"userId,omitempty"`
	CodeHash string `bson:"codeHash,omitempty"`
	Name     string `bson:"name,omitempty"`
	Session  []byte `bson:"session"`
}

// PutCeremony keeps a begun ceremony until c.ExpiresAt, for one
// TakeCeremony.
func (s *Store) PutCeremony(ctx context.Context, c *veikart.Ceremony) error {
	return s.PutOnce(ctx, onceCeremony, c.ID, ceremonyDoc{Kind: string(c.Kind), UserID: c.UserID, CodeHash: c.CodeHash, Name: c.Name, Session: c.Session}, c.ExpiresAt)
}

// TakeCeremony returns the ceremony with the given id and forgets it. It
// returns ENOTFOUND if there is none, it expired before now, or it was
// taken already.
func (s *Store) TakeCeremony(ctx context.Context, id string, now time.Time) (*veikart.Ceremony, error) {
	var d ceremonyDoc
	ok, err := s.TakeOnce(ctx, onceCeremony, id, now, &d)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &veikart.Error{Code: veikart.ENOTFOUND, Message: "Not found."}
	}
	return &veikart.Ceremony{ID: id, Kind: veikart.CeremonyKind(d.Kind), UserID: d.UserID, CodeHash: d.CodeHash, Name: d.Name, Session: d.Session}, nil
}
