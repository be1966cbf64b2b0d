package storage

import (
	"testing"
	"time"

	"github.com/veikart/veikart/backend/veikart"
)

// Any entry reads back as it was written, whatever its free text holds.
func FuzzLogEntry(f *testing.F) {
	f.Add(int64(1764838800000), 3, int64(90_000), "u-1", "nav", "caseworker", "read", "housing", "area:x", "", "Nina | Berg", "")
	f.Add(int64(0), 1, int64(0), "%7C", "", "member", "comment", "", "", "a,b", "%", "|")
	f.Fuzz(func(t *testing.T, at int64, count int, last int64, user, agency, role, action, sec1, sec2, ref, name, subject string) {
		if count < 1 || last < 0 || at < 0 || at > 1<<50 || last > 1<<40 || role == "" || action == "" {
			t.Skip()
		}
		e := veikart.AuditEvent{At: time.UnixMilli(at).UTC(), Count: count, LastAt: time.UnixMilli(at + last).UTC(), UserID: user, AgencyID: agency,
			Role: role, Action: veikart.AuditAction(action), Ref: ref, Name: name, Subject: subject}
		for _, s := range []string{sec1, sec2} {
			if s != "" {
				e.Sections = append(e.Sections, veikart.Section(s))
			}
		}
		got, err := decodeEntry(encodeEntry(e))
		if err != nil {
			t.Fatalf("%+v: %v", e, err)
		}
		if got.At != e.At || got.LastAt != e.LastAt || got.Count != e.Count || got.UserID != e.UserID || got.AgencyID != e.AgencyID ||
			got.Role != e.Role || got.Action != e.Action || got.Ref != e.Ref || got.Name != e.Name || got.Subject != e.Subject ||
			len(got.Sections) != len(e.Sections) {
			t.Fatalf("wrote %+v, read %+v", e, got)
		}
		for i := range e.Sections {
			if got.Sections[i] != e.Sections[i] {
				t.Fatalf("sections %q, read %q", e.Sections, got.Sections)
			}
		}
	})
}
