package storage

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/veikart/veikart/backend/veikart"
)

// One engine, two modes.
//
// Every document that is read whole and changed whole (a roadmap, an
// agency, a session, a person's passkeys ...) is a kind, and is read by
// read and changed by update, written once for both modes. What differs
// between the modes is only how a write reaches the database, the engine:
//
//   - exclusive (the embedded store, which this process alone writes):
//     writers of one document queue on its stripe lock, so what they read
//     is still there when they write; a write needs nothing but _id in its
//     filter, and the in-memory copies every write updates stay exact.
//     Writes go through the committer (group commit): the store sees one
//     writer.
//   - shared (MongoDB with several replicas): a write matches the fields
//     it read (its kind's cas: version, rev), and update reads again and
//     retries when another replica wrote first. No copies are kept.
//
// Open picks the engine, and whether copies are kept, from its Options;
// nothing else in the package asks which mode it is in.
//
// On a shared database update takes no lock, though one would spare this
// process's own writers of a document a lost compare-and-swap: a lock held
// across a round trip to a frozen database queues every other writer of
// the document behind it, each for a round trip more (measured: cmd/veikart
// TestCluster's frozen database, answers after 10 s where 2 s is the bound).

// engine is how writes of whole documents reach the database. cas is the
// filter a shared database compares beside _id: the fields as the writer
// read them.
type engine interface {
	// serialise makes the writers of the document named by key (its kind's
	// lock prefix and its id) in this process wait for each other, where
	// that is what makes a read-modify-write atomic. It returns the unlock.
	serialise(key string) (unlock func())
	// replace replaces document id of coll by doc, and reports whether it
	// matched (was there, and as read).
	replace(ctx context.Context, coll *mongo.Collection, id string, cas bson.D, doc any) (bool, error)
	// insert inserts doc into coll.
	insert(ctx context.Context, coll *mongo.Collection, doc any) error
	// remove deletes document id of coll, and reports whether it matched.
	remove(ctx context.Context, coll *mongo.Collection, id string, cas bson.D) (bool, error)
	// close waits for the writes under way.
	close()
}

// maxCASRetries bounds how often a write on a shared database is retried when
// another replica changed the document in between.
const maxCASRetries = 8

func byID(id string) bson.D { return bson.D{{Key: "_id", Value: id}} }

// exclusiveEngine is the engine of a store that is the only writer to its
// database: the stripe locks serialise the writers of a document, so the
// filters need no cas.
type exclusiveEngine struct {
	commits *committer
	locks   *stripes // the Store's
}

func (e exclusiveEngine) serialise(key string) func() { return e.locks.lock(key) }

func (e exclusiveEngine) replace(_ context.Context, coll *mongo.Collection, id string, _ bson.D, doc any) (bool, error) {
	return e.commits.replace(coll, id, doc)
}

func (e exclusiveEngine) insert(_ context.Context, coll *mongo.Collection, doc any) error {
	return e.commits.insert(coll, doc)
}

func (e exclusiveEngine) remove(ctx context.Context, coll *mongo.Collection, id string, _ bson.D) (bool, error) {
	res, err := coll.DeleteOne(ctx, byID(id))
	if err != nil {
		return false, err
	}
	return res.DeletedCount == 1, nil
}

func (e exclusiveEngine) close() { e.commits.close() }

// sharedEngine is the engine of a store on a database that other processes write
// too: every write is a compare-and-swap on cas.
type sharedEngine struct{}

func (sharedEngine) serialise(string) func() { return func() {} }

func (sharedEngine) replace(ctx context.Context, coll *mongo.Collection, id string, cas bson.D, doc any) (bool, error) {
	res, err := coll.ReplaceOne(ctx, append(byID(id), cas...), doc)
	if err != nil {
		return false, err
	}
	return res.MatchedCount == 1, nil
}

func (sharedEngine) insert(ctx context.Context, coll *mongo.Collection, doc any) error {
	_, err := coll.InsertOne(ctx, doc)
	return err
}

func (sharedEngine) remove(ctx context.Context, coll *mongo.Collection, id string, cas bson.D) (bool, error) {
	res, err := coll.DeleteOne(ctx, append(byID(id), cas...))
	if err != nil {
		return false, err
	}
	return res.DeletedCount == 1, nil
}

func (sharedEngine) close() {}

// kind is one kind of document that is read whole and written whole.
type kind[T any] struct {
	name string // in errors: "roadmap"
	coll *mongo.Collection
	lock string // its stripes' prefix: "r:"
	// cache holds exact copies (exclusive mode); nil keeps none.
	cache *cache[T]
	// load reads document id from the database: ENOTFOUND if there is
	// none, or, for a kind whose missing document is an empty one, that
	// empty value with found false (update then inserts it).
	load func(ctx context.Context, id string) (v T, found bool, err error)
	// doc is what is stored for v; cas is what a shared database must
	// still find for a write of a document read as v.
	doc func(v T) (any, error)
	cas func(v T) bson.D
	// conflict is the message of the ECONFLICT update returns when others
	// kept writing first.
	conflict string
	// keepMissing keeps the empty value of a missing document as its copy
	// too, for a kind read far more often than it exists (an agency's
	// notices, read by every list of what is shared with it). A write of
	// it then replaces first, matches nothing, reads again and inserts.
	keepMissing bool
}

// findOrEmpty is a kind's load for a kind whose missing document is an
// empty one: document id of coll decoded into a D and converted by conv, or
// empty(id) with found false when there is none.
func findOrEmpty[D, T any](coll *mongo.Collection, what string, empty func(id string) T, conv func(*D) (T, error)) func(context.Context, string) (T, bool, error) {
	return func(ctx context.Context, id string) (T, bool, error) {
		var d D
		err := coll.FindOne(ctx, byID(id)).Decode(&d)
		if veikart.ErrorCode(mapError(err, "")) == veikart.ENOTFOUND {
			return empty(id), false, nil
		}
		if err != nil {
			var zero T
			return zero, false, mapError(err, "read %s %s", what, id)
		}
		v, err := conv(&d)
		return v, err == nil, err
	}
}

// infallible makes a conversion that cannot fail one for findOrEmpty.
func infallible[D, T any](conv func(*D) T) func(*D) (T, error) {
	return func(d *D) (T, error) { return conv(d), nil }
}

// current returns document id from the copy or the database, and keeps the
// copy. Where copies are kept (exclusive mode), callers hold the document's
// stripe lock, so that a concurrent write, which takes the same lock, cannot
// land between the load and the fill and leave a stale copy.
func (k *kind[T]) current(ctx context.Context, id string) (T, bool, error) {
	if v, ok := k.cache.get(id); ok {
		return v, true, nil
	}
	v, found, err := k.load(ctx, id)
	if err == nil && (found || k.keepMissing) {
		k.cache.put(id, v)
	}
	return v, found, err
}

// read returns document id of kind k. The result may be shared with other
// callers (the copy): treat it as read-only.
func read[T any](ctx context.Context, s *Store, k *kind[T], id string) (T, error) {
	if k.cache == nil { // no copies: nothing to fill, no lock to take
		v, _, err := k.load(ctx, id)
		return v, err
	}
	if v, ok := k.cache.get(id); ok {
		return v, nil
	}
	unlock := s.locks.lock(k.lock + id)
	defer unlock()
	v, _, err := k.current(ctx, id)
	return v, err
}

// update reads document id of kind k, calls fn with it and stores what fn
// returns, atomically with respect to every other write of the document
// (see engine). fn must not change its argument (it may be the shared
// copy). When fn returns an error or write false, update stores nothing
// and returns what fn returned. A shared database's lost compare-and-swap
// reads again and calls fn again, up to maxCASRetries times, then is
// ECONFLICT.
func update[T any](ctx context.Context, s *Store, k *kind[T], id string, fn func(cur T) (next T, write bool, err error)) (T, error) {
	var zero T
	unlock := s.eng.serialise(k.lock + id)
	defer unlock()
	for range maxCASRetries {
		cur, found, err := k.current(ctx, id)
		if err != nil {
			return zero, err
		}
		next, write, err := fn(cur)
		if err != nil || !write {
			return next, err
		}
		doc, err := k.doc(next)
		if err != nil {
			return zero, err
		}
		var matched bool
		op := "replace"
		if found {
			matched, err = s.eng.replace(ctx, k.coll, id, k.cas(cur), doc)
		} else {
			op = "insert"
			err = s.eng.insert(ctx, k.coll, doc)
			matched = err == nil
			if veikart.ErrorCode(mapError(err, "")) == veikart.ECONFLICT {
				err = nil // someone else made it first: read it
			}
		}
		if err != nil || !matched {
			// The write may or may not have landed, or the document is
			// not as read: forget the copy.
			k.cache.delete(id)
		}
		if err != nil {
			return zero, mapError(err, "%s %s %s", op, k.name, id)
		}
		if matched {
			k.cache.put(id, next)
			return next, nil
		}
		// Someone else wrote first, or deleted it: read again.
	}
	return zero, &veikart.Error{Code: veikart.ECONFLICT, Message: k.conflict}
}

// remove deletes document id of kind k, read as cur, if it is still as read,
// and forgets its copy. Callers hold its stripe lock. ECONFLICT if it
// changed meanwhile (on a shared database) or is gone.
func remove[T any](ctx context.Context, s *Store, k *kind[T], id string, cur T) error {
	deleted, err := s.eng.remove(ctx, k.coll, id, k.cas(cur))
	k.cache.delete(id)
	if err != nil {
		return mapError(err, "delete %s %s", k.name, id)
	}
	if !deleted {
		return &veikart.Error{Code: veikart.ECONFLICT, Message: "The " + k.name + " changed while it was being deleted. Look again and retry."}
	}
	return nil
}
