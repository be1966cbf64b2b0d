package ratelimit

import (
	"strconv"
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	l := New(3, time.Minute, func() time.Time { return now })
	for i := range 3 {
		if !l.Allow("a") {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	if l.Allow("a") {
		t.Fatal("a fourth request at once was allowed")
	}
	if !l.Allow("b") {
		t.Fatal("another key shares the bucket")
	}
	now = now.Add(59 * time.Second)
	if l.Allow("a") {
		t.Fatal("allowed before a token was refilled")
	}
	now = now.Add(time.Second)
	if !l.Allow("a") || l.Allow("a") {
		t.Fatal("one token a minute: want exactly one allowed")
	}
	now = now.Add(time.Hour)
	for i := range 3 {
		if !l.Allow("a") {
			t.Fatalf("after an hour, request %d refused: the bucket should be full (and no fuller)", i+1)
		}
	}
	if l.Allow("a") {
		t.Fatal("the bucket filled past its burst")
	}
}

func TestSweepKeepsMemoryBounded(t *testing.T) {
	now := time.Unix(0, 0)
	l := New(1, time.Second, func() time.Time { return now })
	for i := range maxKeys {
		l.Allow(strconv.Itoa(i))
	}
	now = now.Add(2 * time.Second) // all refilled
	l.Allow("new")
	if len(l.buckets) > 1 {
		t.Fatalf("%d buckets kept after a sweep, want 1", len(l.buckets))
	}
}
