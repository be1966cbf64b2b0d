package storage

import (
	"context"
	"errors"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// maxGroup bounds how many replaces go to the database in one command.
const maxGroup = 128

// committer is group commit for whole-document replaces by _id and for
// inserts, for the exclusive engine.
//
// The embedded store has one writer at a time (SQLite): when many requests
// replace documents at once, their transactions queue inside SQLite and the
// losers sleep in its busy handler (measured: p99 740 ms at 32 connections).
// Here one goroutine sends the replaces that queued while its previous
// command ran as one unordered update command per collection (and the
// inserts as one insert command per collection), so the round trip is
// shared.
//
// One command under way at a time, on purpose. Two (so that FerretDB
// decodes one while the other is in SQLite) gave about 10 % more writes/s
// under wrk, but under overload (the soak at 2 900 requests/s) the store
// stopped answering within seconds: about 200 answers/s, each after the
// 30 s bound, and still 503 ten seconds after the load stopped. The likely
// cause: two writers (more with the writes that do not go through here)
// waiting in SQLite's busy handler hold FerretDB's connections while they
// sleep, and the reads queue behind them. With one the same load was
// answered at 2 900/s, slowly but whole.
type committer struct {
	reqs chan *replaceReq
	stop chan struct{}
	done chan struct{}
}

type replaceReq struct {
	coll    *mongo.Collection
	insert  bool // an insert, not a replace
	id      string
	doc     any
	matched bool
	err     error
	done    chan struct{}
}

var errClosed = errors.New("store is closed")

func newCommitter() *committer {
	c := &committer{
		reqs: make(chan *replaceReq, maxGroup),
		stop: make(chan struct{}),
		done: make(chan struct{}),
	}
	go func() {
		defer close(c.done)
		c.run()
	}()
	return c
}

// replace replaces the document of coll with _id id by doc and reports
// whether a document matched.
func (c *committer) replace(coll *mongo.Collection, id string, doc any) (matched bool, err error) {
	return c.send(&replaceReq{coll: coll, id: id, doc: doc, done: make(chan struct{})})
}

// insert inserts doc into coll. Inserts (new log pages, new roadmaps) go
// through the committer like replaces, so that the store sees one writer.
func (c *committer) insert(coll *mongo.Collection, doc any) error {
	_, err := c.send(&replaceReq{coll: coll, insert: true, doc: doc, done: make(chan struct{})})
	return err
}

func (c *committer) send(r *replaceReq) (bool, error) {
	select {
	case c.reqs <- r:
	case <-c.stop:
		return false, errClosed
	}
	<-r.done
	return r.matched, r.err
}

// close stops the committer after the replaces already queued.
func (c *committer) close() {
	close(c.stop)
	<-c.done
}

func (c *committer) run() {
	group := make([]*replaceReq, 0, maxGroup)
	for {
		var first *replaceReq
		select {
		case first = <-c.reqs:
		case <-c.stop:
			// Senders that won the race against stop are still served.
			for {
				select {
				case r := <-c.reqs:
					c.flush([]*replaceReq{r})
				default:
					return
				}
			}
		}
		group = append(group[:0], first)
	more:
		for len(group) < maxGroup {
			select {
			case r := <-c.reqs:
				group = append(group, r)
			default:
				break more
			}
		}
		c.flush(group)
	}
}

// flush writes a group and completes each request: the replaces as one
// unordered update command per collection, the inserts as one unordered
// insert command per collection.
// Replaces that do not come back clean (an error, or fewer matches than
// replaces) are retried one at a time to learn each one's own result (a
// replace with the same document twice is harmless); a failed insert command
// names the inserts that failed.
func (c *committer) flush(group []*replaceReq) {
	ctx := context.Background() // bounded by the client's timeout
	defer func() {
		for _, r := range group {
			close(r.done)
		}
	}()
	var replaces, inserts []*replaceReq
	for _, r := range group {
		if r.insert {
			inserts = append(inserts, r)
		} else {
			replaces = append(replaces, r)
		}
	}
	for _, g := range byCollection(replaces) {
		flushReplaces(ctx, g)
	}
	for _, g := range byCollection(inserts) {
		flushInserts(ctx, g)
	}
}

// byCollection splits reqs by collection, in order. Nearly every group is
// of one collection (roadmaps, or the access log): that costs nothing.
func byCollection(reqs []*replaceReq) [][]*replaceReq {
	var out [][]*replaceReq
	for len(reqs) > 0 {
		coll := reqs[0].coll
		if !slices.ContainsFunc(reqs, func(r *replaceReq) bool { return r.coll != coll }) {
			return append(out, reqs)
		}
		var same, rest []*replaceReq
		for _, r := range reqs {
			if r.coll == coll {
				same = append(same, r)
			} else {
				rest = append(rest, r)
			}
		}
		out = append(out, same)
		reqs = rest
	}
	return out
}

func flushReplaces(ctx context.Context, group []*replaceReq) {
	coll := group[0].coll
	if len(group) > 1 {
		models := make([]mongo.WriteModel, len(group))
		for i, r := range group {
			models[i] = mongo.NewReplaceOneModel().SetFilter(bson.D{{Key: "_id", Value: r.id}}).SetReplacement(r.doc)
		}
		res, err := coll.BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false))
		if err == nil && res.MatchedCount == int64(len(group)) {
			for _, r := range group {
				r.matched = true
			}
			return
		}
	}
	for _, r := range group {
		res, err := coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: r.id}}, r.doc)
		if err != nil {
			r.err = err
			continue
		}
		r.matched = res.MatchedCount == 1
	}
}

func flushInserts(ctx context.Context, group []*replaceReq) {
	docs := make([]any, len(group))
	for i, r := range group {
		docs[i] = r.doc
	}
	_, err := group[0].coll.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err == nil {
		return
	}
	var bwe mongo.BulkWriteException
	if errors.As(err, &bwe) && bwe.WriteConcernError == nil {
		// Only the listed inserts failed; the others are stored.
		for _, we := range bwe.WriteErrors {
			if we.Index >= 0 && we.Index < len(group) {
				// As the driver reports a single insert's failure, so that
				// IsDuplicateKeyError and friends read it the same way.
				group[we.Index].err = mongo.WriteException{WriteErrors: mongo.WriteErrors{we.WriteError}}
			}
		}
		return
	}
	for _, r := range group {
		r.err = err
	}
}
