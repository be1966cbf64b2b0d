package push

import (
	"context"
	"time"
)

// SetSleep replaces how s waits between attempts, so that tests of Deliver
// can record the waits and move a fake clock instead of sleeping.
func SetSleep(s *Sender, sleep func(ctx context.Context, d time.Duration) error) {
	s.sleep = sleep
}
