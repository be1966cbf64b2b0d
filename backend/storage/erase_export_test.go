package storage

import (
	"context"
	"time"

	"github.com/veikart/veikart/backend/veikart"
)

// BeginErasureForTest runs only the first steps of EraseRoadmap (record it,
// delete the roadmap document), as a process that stopped there would.
func BeginErasureForTest(ctx context.Context, s *Store, id string, now time.Time) error {
	_, _, err := s.beginErasure(ctx, id, now, func() string { return "n-test" }, func(*veikart.Roadmap) error { return nil })
	return err
}
