package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/storage"
	"github.com/veikart/veikart/backend/testenv"
	"github.com/veikart/veikart/backend/veikart"
)

// TestErase_RetryFinishesAHalfDoneErasure: an erasure that stopped after
// deleting the roadmap document is finished by the next EraseRoadmap, which
// the owners recorded at the start still decide, and agencies are told once.
func TestErase_RetryFinishesAHalfDoneErasure(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testenv.MustStore(t)
	now := time.Now().UTC()
	r := mustRoadmap(t, "rm-half", "u-owner")
	r, _, err := r.AddGrant("g1", "ag-nav", "u-owner", veikart.GrantSpec{
		Sections: []veikart.Section{veikart.AreaSection("housing")}, Permissions: []veikart.Permission{veikart.View},
		Purpose: "Follow-up", ExpiresAt: now.Add(24 * time.Hour),
	}, "owner", now, veikart.ConsentPolicy{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateRoadmap(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := s.AddAgencyRoadmap(ctx, "ag-nav", r.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendAudit(ctx, r.ID, veikart.AuditEvent{ID: "e1", At: now, UserID: "u-cw", AgencyID: "ag-nav", Role: "caseworker", Action: veikart.AuditRead}); err != nil {
		t.Fatal(err)
	}
	// The first attempt twice (a retry that stopped at the same place):
	// the second finds the roadmap gone and the record there.
	if err := storage.BeginErasureForTest(ctx, s, r.ID, now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Roadmap(ctx, r.ID); veikart.ErrorCode(err) != veikart.ENOTFOUND {
		t.Fatalf("roadmap after the first steps: %v", err)
	}
	if ids, err := s.PendingErasures(ctx); err != nil || len(ids) != 1 || ids[0] != r.ID {
		t.Fatalf("pending erasures: %v %v", ids, err)
	}
	if ev, _, err := s.AuditPage(ctx, r.ID, "", 10); err != nil || len(ev) != 1 {
		t.Fatalf("the log is still there before the retry: %v %v", ev, err)
	}

	// Someone who is not a recorded owner cannot finish it.
	refused := &veikart.Error{Code: veikart.EFORBIDDEN, Message: "no"}
	newID := func() string { return "n-retry" }
	if _, err := s.EraseRoadmap(ctx, r.ID, now, newID, func(cur *veikart.Roadmap) error {
		if !cur.IsOwner("u-stranger") {
			return refused
		}
		return nil
	}); err != refused {
		t.Fatalf("stranger's retry: %v", err)
	}
	var seen *veikart.Roadmap
	got, err := s.EraseRoadmap(ctx, r.ID, now, newID, func(cur *veikart.Roadmap) error { seen = cur; return nil })
	if err != nil {
		t.Fatal(err)
	}
	if seen == nil || !seen.IsOwner("u-owner") || got.Roadmap != nil || len(got.Told) != 1 {
		t.Fatalf("retry saw %+v, returned %+v", seen, got)
	}
	if ev, _, err := s.AuditPage(ctx, r.ID, "", 10); err != nil || len(ev) != 0 {
		t.Fatalf("log after the retry: %v %v", ev, err)
	}
	if ids, _ := s.AgencyRoadmapIDs(ctx, "ag-nav"); len(ids) != 0 {
		t.Fatalf("agency index after the retry: %v", ids)
	}
	if ids, err := s.PendingErasures(ctx); err != nil || len(ids) != 0 {
		t.Fatalf("pending erasures after the retry: %v %v", ids, err)
	}
	ns, err := s.AgencyNotices(ctx, "ag-nav", now.Add(-time.Hour))
	if err != nil || len(ns) != 1 || ns[0].ID != "n-test" {
		t.Fatalf("notices (one, with the first attempt's id): %+v %v", ns, err)
	}
	if _, err := s.EraseRoadmap(ctx, r.ID, now, newID, func(*veikart.Roadmap) error { return nil }); veikart.ErrorCode(err) != veikart.ENOTFOUND {
		t.Fatalf("erasing it again: %v", err)
	}
}

// TestErase_LateLogAppendRefused: a request that read the roadmap just
// before its erasure cannot log that read after it (the entry would outlive
// the roadmap); a new roadmap with the same id logs again.
func TestErase_LateLogAppendRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testenv.MustStore(t)
	r := mustRoadmap(t, "rm-late", "u-owner")
	if err := s.CreateRoadmap(ctx, r); err != nil {
		t.Fatal(err)
	}
	e := veikart.AuditEvent{ID: "e1", At: time.Now().UTC(), UserID: "u-m", Role: "member", Action: veikart.AuditRead}
	if err := s.AppendAudit(ctx, r.ID, e); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EraseRoadmap(ctx, r.ID, time.Now(), func() string { return "n1" }, func(*veikart.Roadmap) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendAudit(ctx, r.ID, e); veikart.ErrorCode(err) != veikart.ENOTFOUND {
		t.Fatalf("append after erasure: %v", err)
	}
	if ev, _, err := s.AuditPage(ctx, r.ID, "", 10); err != nil || len(ev) != 0 {
		t.Fatalf("log after erasure: %v %v", ev, err)
	}
	if err := s.CreateRoadmap(ctx, mustRoadmap(t, "rm-late", "u-other")); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendAudit(ctx, r.ID, e); err != nil {
		t.Fatalf("append to the new roadmap's log: %v", err)
	}
}
