package storage

import (
	"fmt"
	"testing"
	"time"
)

// Holding a lock of one kind, any lock of another kind can be taken: with one
// shared array of mutexes, some of these 2,000 keys would land on the held
// stripe and the test would hang.
func TestStripes_KindsNeverShareAMutex(t *testing.T) {
	var s stripes
	done := make(chan struct{})
	go func() {
		defer close(done)
		unlock := s.lock("s:session-1")
		defer unlock()
		for i := range 2000 {
			s.lock(fmt.Sprintf("a:agency-%d", i))()
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a lock of another kind waited for the held one")
	}
}
