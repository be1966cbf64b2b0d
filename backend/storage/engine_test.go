package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/storage"
	"github.com/veikart/veikart/backend/testenv"
	"github.com/veikart/veikart/backend/veikart"
)

// TestEngine_SharedModeKeepsTheOtherWrite: every kind written through the
// one update engine, on a shared database, with another process writing the
// same document between this writer's read and its write. The writer's
// compare-and-swap must miss, read again, call its function again (calls
// 2) and keep both writes (what the document reads 2 of). A kind whose cas
// compared the wrong field would lose the other process's write.
func TestEngine_SharedModeKeepsTheOtherWrite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t0 := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	base := testenv.MustStore(t)
	a, b := testenv.OpenAgain(t, base, storage.Options{}), testenv.OpenAgain(t, base, storage.Options{})

	// Each kind: setup (may be nil), a write of one more of something by
	// s (the interleave, if set, runs between its read and its write), and
	// how many there are.
	type kindCase struct {
		name  string
		setup func() error
		write func(s *storage.Store, interleave func() error) error
		count func() (int, error)
	}
	interleaved := func(interleave func() error) error {
		if interleave == nil {
			return nil
		}
		return interleave()
	}
	cases := []kindCase{{
		name: "agency",
		setup: func() error {
			return base.CreateAgency(ctx, &veikart.Agency{ID: "ag-eng", Kind: "nav", Name: "NAV", Version: 1})
		},
		write: func(s *storage.Store, interleave func() error) error {
			_, err := s.UpdateAgency(ctx, "ag-eng", func(cur *veikart.Agency) (*veikart.Agency, error) {
				if err := interleaved(interleave); err != nil {
					return nil, err
				}
				next := *cur
				next.Staff = append(next.Staff[:len(next.Staff):len(next.Staff)], veikart.StaffMember{UserID: fmt.Sprintf("u%d", len(cur.Staff)), AddedAt: t0})
				next.Version++ // as every agency change does
				return &next, nil
			})
			return err
		},
		count: func() (int, error) {
			ag, err := base.Agency(ctx, "ag-eng")
			if err != nil {
				return 0, err
			}
			return len(ag.Staff), nil
		},
	}, {
		name: "session",
		setup: func() error {
			return base.CreateSession(ctx, &veikart.Session{ID: "s-eng", UserID: "u1", CreatedAt: t0, LastUsedAt: t0, ExpiresAt: t0.AddDate(0, 3, 0)})
		},
		write: func(s *storage.Store, interleave func() error) error {
			_, err := s.UpdateSession(ctx, "s-eng", func(cur *veikart.Session) (*veikart.Session, error) {
				if err := interleaved(interleave); err != nil {
					return nil, err
				}
				cur.Generation++
				return cur, nil
			})
			return err
		},
		count: func() (int, error) {
			sess, err := base.Session(ctx, "s-eng")
			if err != nil {
				return 0, err
			}
			return int(sess.Generation), nil
		},
	}, {
		// No document yet: both writers insert, and the second one's
		// insert collides and is retried as a replace.
		name: "passkeys, first ones",
		write: func(s *storage.Store, interleave func() error) error {
			return s.UpdatePasskeys(ctx, "pk-eng", func(cur []veikart.Passkey) ([]veikart.Passkey, error) {
				if err := interleaved(interleave); err != nil {
					return nil, err
				}
				return append(cur, passkey("pk-eng", len(cur)+1, t0)), nil
			})
		},
		count: func() (int, error) {
			ps, err := base.Passkeys(ctx, "pk-eng")
			return len(ps), err
		},
	}, {
		name: "passkeys, more",
		setup: func() error {
			return base.UpdatePasskeys(ctx, "pk-eng2", func([]veikart.Passkey) ([]veikart.Passkey, error) {
				return []veikart.Passkey{passkey("pk-eng2", 1, t0)}, nil
			})
		},
		write: func(s *storage.Store, interleave func() error) error {
			return s.UpdatePasskeys(ctx, "pk-eng2", func(cur []veikart.Passkey) ([]veikart.Passkey, error) {
				if err := interleaved(interleave); err != nil {
					return nil, err
				}
				return append(cur, passkey("pk-eng2", len(cur)+1, t0)), nil
			})
		},
		count: func() (int, error) {
			ps, err := base.Passkeys(ctx, "pk-eng2")
			return len(ps) - 1, err // the one setup made
		},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.setup != nil {
				if err := tc.setup(); err != nil {
					t.Fatal(err)
				}
			}
			calls := 0
			err := tc.write(a, func() error {
				calls++
				if calls > 1 {
					return nil
				}
				return tc.write(b, nil) // another process, between a's read and a's write
			})
			if err != nil {
				t.Fatal(err)
			}
			n, err := tc.count()
			if err != nil {
				t.Fatal(err)
			}
			if calls != 2 || n != 2 {
				t.Fatalf("calls %d, %d written; want 2 and 2", calls, n)
			}
		})
	}
}

// TestEngine_MissingDocument: an update of a document that does not exist is
// ENOTFOUND, and stores nothing, in both modes.
func TestEngine_MissingDocument(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	base := testenv.MustStore(t)
	for _, mode := range []struct {
		name string
		s    *storage.Store
	}{{"this test's mode", base}, {"shared", testenv.OpenAgain(t, base, storage.Options{})}} {
		t.Run(mode.name, func(t *testing.T) {
			s := mode.s
			if _, err := s.UpdateRoadmap(ctx, "no-such", func(cur *veikart.Roadmap) (*veikart.Roadmap, error) { return cur.Clone(), nil }); veikart.ErrorCode(err) != veikart.ENOTFOUND {
				t.Errorf("roadmap: %v", err)
			}
			if _, err := s.UpdateAgency(ctx, "no-such", func(cur *veikart.Agency) (*veikart.Agency, error) { n := *cur; return &n, nil }); veikart.ErrorCode(err) != veikart.ENOTFOUND {
				t.Errorf("agency: %v", err)
			}
			if _, err := s.UpdateSession(ctx, "no-such", func(cur *veikart.Session) (*veikart.Session, error) { return cur, nil }); veikart.ErrorCode(err) != veikart.ENOTFOUND {
				t.Errorf("session: %v", err)
			}
			if err := s.DeleteRoadmap(ctx, "no-such", func(*veikart.Roadmap) error { return nil }); veikart.ErrorCode(err) != veikart.ENOTFOUND {
				t.Errorf("delete roadmap: %v", err)
			}
		})
	}
}
