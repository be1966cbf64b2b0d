package storage_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/testenv"
)

type pending struct {
	Nonce string `bson:"nonce"`
}

func TestOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testenv.MustStore(t)
	now := time.Now()
	if err := s.PutOnce(ctx, "login", "state-1", pending{Nonce: "n1"}, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	// Of many takers at once, one gets it.
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var p pending
			ok, err := s.TakeOnce(ctx, "login", "state-1", now, &p)
			if err != nil {
				t.Error(err)
			}
			if ok {
				if p.Nonce != "n1" {
					t.Errorf("took %+v", p)
				}
				wins.Add(1)
			}
		}()
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("%d takers got it, want 1", wins.Load())
	}
	// Expired is gone; another kind with the same key is another record.
	if err := s.PutOnce(ctx, "login", "state-2", pending{}, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	var p pending
	if ok, _ := s.TakeOnce(ctx, "handover", "state-2", now, &p); ok {
		t.Fatal("taken under another kind")
	}
	if ok, _ := s.TakeOnce(ctx, "login", "state-2", now.Add(2*time.Minute), &p); ok {
		t.Fatal("taken after expiry")
	}
}

func TestSweepExpired(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testenv.MustStore(t)
	now := time.Now()
	for i, exp := range []time.Duration{-time.Hour, -time.Minute, time.Hour} {
		if err := s.PutOnce(ctx, "sweep", string(rune('a'+i)), pending{}, now.Add(exp)); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.SweepExpired(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if n < 2 {
		t.Fatalf("swept %d, want at least the 2 expired", n)
	}
	var p pending
	if ok, _ := s.TakeOnce(ctx, "sweep", "c", now, &p); !ok {
		t.Fatal("the live record was swept")
	}
}
