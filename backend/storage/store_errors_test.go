package storage

import (
	"errors"
	"testing"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/veikart/veikart/backend/veikart"
)

// The messages are FerretDB v1's, as it answered with PostgreSQL stopped
// (cmd/veikart TestCluster shows it end to end); the last two are not the
// database being away.
func TestMapError_BackendAwayIsUnavailable(t *testing.T) {
	cases := []struct {
		name string
		err  error
		away bool
	}{
		{"terminated", mongo.CommandError{Code: 1, Name: "InternalError", Message: "[msg_find.go:344 handler.handleMaxTimeMSError] [query_iterator.go:92 postgresql.(*queryIterator).Next] FATAL: terminating connection due to administrator command (SQLSTATE 57P01)"}, true},
		{"refused", mongo.CommandError{Code: 1, Name: "InternalError", Message: "failed to connect to `user=postgres database=cluster`: 127.0.0.1:54329 (127.0.0.1): dial error: dial tcp 127.0.0.1:54329: connect: connection refused"}, true},
		{"starting up", mongo.CommandError{Code: 1, Name: "InternalError", Message: "FATAL: the database system is starting up (SQLSTATE 57P03)"}, true},
		{"connection exception", mongo.CommandError{Code: 1, Name: "InternalError", Message: "ERROR: connection failure (SQLSTATE 08006)"}, true},
		{"a bug", mongo.CommandError{Code: 1, Name: "InternalError", Message: "unexpected nil pointer in projection"}, false},
		{"not internal", mongo.CommandError{Code: 2, Name: "BadValue", Message: "conn closed"}, false},
		{"plain", errors.New("boom"), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := veikart.ErrorCode(mapError(tc.err, "find roadmap %s", "r1")) == veikart.EUNAVAILABLE
			if got != tc.away {
				t.Fatalf("unavailable = %v, want %v", got, tc.away)
			}
		})
	}
}
