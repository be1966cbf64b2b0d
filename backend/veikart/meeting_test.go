package veikart_test

import (
	"testing"
	"time"

	"github.com/veikart/veikart/backend/veikart"
)

// meetingRoadmap is withAgencyStep's roadmap with a meeting NAV is invited
// to, on the agenda the work area and a free item.
func meetingRoadmap(t *testing.T) *veikart.Roadmap {
	t.Helper()
	r := withAgencyStep(t)
	r, m, err := r.CallMeeting("mt1", veikart.MeetingSpec{At: now0.Add(48 * time.Hour), Invitees: []string{"nav"}}, "kari", "", now0)
	if err != nil || m.Status != veikart.MeetingPlanned || m.Minutes != 60 {
		t.Fatalf("CallMeeting = %+v, %v", m, err)
	}
	r, _, err = r.SetAgenda("mt1", []veikart.AgendaItem{{ID: "a1", AreaID: "work", Text: "Jobb"}, {ID: "a2", Text: "Annet"}}, now0)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestCallMeeting(t *testing.T) {
	at := now0.Add(48 * time.Hour)
	cases := []struct {
		name    string
		spec    veikart.MeetingSpec
		code    string
		pointer string
	}{
		{"at home for an hour", veikart.MeetingSpec{At: at, Invitees: []string{"nav"}}, "", ""},
		{"somewhere else, 90 minutes", veikart.MeetingSpec{At: at, Minutes: 90, Place: "NAV Sola", Invitees: []string{"nav"}}, "", ""},
		{"in the past", veikart.MeetingSpec{At: now0.Add(-time.Minute), Invitees: []string{"nav"}}, veikart.EINVALID, "/at"},
		{"over a year ahead", veikart.MeetingSpec{At: now0.AddDate(1, 0, 1), Invitees: []string{"nav"}}, veikart.EINVALID, "/at"},
		{"ten minutes", veikart.MeetingSpec{At: at, Minutes: 10, Invitees: []string{"nav"}}, veikart.EINVALID, "/minutes"},
		{"nobody invited", veikart.MeetingSpec{At: at}, veikart.EINVALID, "/invitees"},
		{"an agency without access", veikart.MeetingSpec{At: at, Invitees: []string{"nav", "bolig"}}, veikart.EINVALID, "/invitees/1"},
		{"an agency twice", veikart.MeetingSpec{At: at, Invitees: []string{"nav", "nav"}}, veikart.EINVALID, "/invitees/1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := withAgencyStep(t)
			n, m, err := r.CallMeeting("mt1", tc.spec, "kari", "", now0)
			if tc.code != "" {
				if veikart.ErrorCode(err) != tc.code {
					t.Fatalf("err = %v, want %s", err, tc.code)
				}
				if e, ok := err.(*veikart.Error); ok && e.Pointer != tc.pointer {
					t.Fatalf("pointer %q, want %q", e.Pointer, tc.pointer)
				}
				return
			}
			if err != nil || len(n.Meetings) != 1 || m.Status != veikart.MeetingPlanned || len(r.Meetings) != 0 {
				t.Fatalf("CallMeeting = %+v, %v", m, err)
			}
			again, _, err := n.CallMeeting("mt1", tc.spec, "kari", "", now0.Add(time.Minute))
			if err != nil || again != n {
				t.Fatalf("the same meeting again: %v", err)
			}
		})
	}
	// The coordinator's meeting waits for the household's yes.
	r := withAgencyStep(t)
	n, m, err := r.CallMeeting("mt2", veikart.MeetingSpec{At: at, Invitees: []string{"nav"}}, "cw", "nav", now0)
	if err != nil || m.Status != veikart.MeetingProposed {
		t.Fatalf("proposed: %+v %v", m, err)
	}
	if _, _, err := n.ApproveMinutes("mt2", now0); veikart.ErrorCode(err) != veikart.ECONFLICT {
		t.Fatalf("minutes of a meeting not yet said yes to: %v", err)
	}
	if _, m, err := n.ConfirmMeeting("mt2", now0); err != nil || m.Status != veikart.MeetingPlanned {
		t.Fatalf("confirm: %+v %v", m, err)
	}
}

func TestMeeting_AgendaNotesDecisionsMinutes(t *testing.T) {
	r := meetingRoadmap(t)
	// Notes and decisions on an item; an agency's decision is a promise.
	r, _, err := r.NoteItem("mt1", "a1", "Kari vil prøve arbeidstrening.", now0)
	if err != nil {
		t.Fatal(err)
	}
	nav := veikart.Responsible{Kind: veikart.ByAgency, AgencyID: "nav"}
	r, m, err := r.Decide("mt1", "a1", veikart.Decision{ID: "d1", Text: "Finne praksisplass", Responsible: nav, Due: "2026-12-20"}, now0)
	if err != nil {
		t.Fatal(err)
	}
	st, ok := r.Step("d1")
	if !ok || st.AreaID != "work" || st.Promise.Status != veikart.PromiseAsked || m.Agenda[0].Decisions[0].StepID != "d1" {
		t.Fatalf("decision's step %+v %v", st, ok)
	}
	// The same decision again is made once.
	if again, _, err := r.Decide("mt1", "a1", veikart.Decision{ID: "d1", Text: "Finne praksisplass", Responsible: nav}, now0); err != nil || again != r {
		t.Fatalf("decided twice: %v", err)
	}
	// A free item's decision needs an area; one for an agency not invited
	// is refused.
	if _, _, err := r.Decide("mt1", "a2", veikart.Decision{ID: "d2", Text: "x", Responsible: veikart.Responsible{Kind: veikart.ByHousehold}}, now0); veikart.ErrorCode(err) != veikart.EINVALID {
		t.Fatalf("free item without an area: %v", err)
	}
	if _, _, err := r.Decide("mt1", "a2", veikart.Decision{ID: "d2", AreaID: "housing", Text: "x", Responsible: veikart.Responsible{Kind: veikart.ByAgency, AgencyID: "bolig"}}, now0); veikart.ErrorCode(err) != veikart.EINVALID {
		t.Fatalf("decision for an agency not there: %v", err)
	}
	// A new agenda keeps the notes and decisions of items that stay.
	r, m, err = r.SetAgenda("mt1", []veikart.AgendaItem{{ID: "a1", AreaID: "work", Text: "Jobb og praksis"}}, now0)
	if err != nil || m.Agenda[0].Notes == "" || len(m.Agenda[0].Decisions) != 1 {
		t.Fatalf("agenda kept %+v %v", m.Agenda, err)
	}
	// Approved minutes are final.
	r, m, err = r.ApproveMinutes("mt1", now0.Add(49*time.Hour))
	if err != nil || m.Status != veikart.MeetingApproved {
		t.Fatalf("approve: %+v %v", m, err)
	}
	for name, change := range map[string]func() error{
		"notes":  func() error { _, _, err := r.NoteItem("mt1", "a1", "later", now0); return err },
		"agenda": func() error { _, _, err := r.SetAgenda("mt1", nil, now0); return err },
		"decide": func() error {
			_, _, err := r.Decide("mt1", "a1", veikart.Decision{ID: "d9", Text: "x", Responsible: veikart.Responsible{Kind: veikart.ByHousehold}}, now0)
			return err
		},
		"cancel": func() error { _, _, err := r.CancelMeeting("mt1", now0); return err },
	} {
		if err := change(); veikart.ErrorCode(err) != veikart.ECONFLICT {
			t.Errorf("%s after approval: %v", name, err)
		}
	}
}
