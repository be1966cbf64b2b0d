package storage

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// BlockerDocsForTest returns every document of the blocker collections as
// extended JSON.
func BlockerDocsForTest(ctx context.Context, s *Store) ([]string, error) {
	var out []string
	for _, coll := range BlockerCollections {
		cur, err := s.db.Collection(coll).Find(ctx, bson.D{})
		if err != nil {
			return nil, err
		}
		for cur.Next(ctx) {
			b, err := bson.MarshalExtJSON(cur.Current, false, false)
			if err != nil {
				return nil, err
			}
			out = append(out, string(b))
		}
		if err := cur.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
