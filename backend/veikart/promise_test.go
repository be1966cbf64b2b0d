package veikart_test

import (
	"testing"
	"time"

	"github.com/veikart/veikart/backend/veikart"
)

// withAgencyStep is a roadmap with one area, NAV's grant and a step given
// to NAV at now0.
func withAgencyStep(t *testing.T) *veikart.Roadmap {
	t.Helper()
	r := newRoadmap(t)
	r, _, err := r.Apply([]veikart.Op{
		veikart.AddStep{ID: "o2", BaseVersion: r.Version, Step: veikart.Step{ID: "s1", AreaID: "work", Title: "Søke AAP", Term: veikart.ShortTerm,
			Responsible: veikart.Responsible{Kind: veikart.ByAgency, AgencyID: "nav"}}},
	}, now0)
	if err != nil {
		t.Fatal(err)
	}
	spec := veikart.GrantSpec{Sections: []veikart.Section{veikart.StepsSection("work")}, Permissions: []veikart.Permission{veikart.View}, Purpose: "AAP", ExpiresAt: now0.Add(90 * 24 * time.Hour)}
	r, _, err = r.AddGrant("g1", "nav", "kari", spec, "owner", now0, veikart.ConsentPolicy{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestPromise_AskedWhenGivenToAnAgency(t *testing.T) {
	r := withAgencyStep(t)
	s, _ := r.Step("s1")
	if s.Promise.Status != veikart.PromiseAsked || !s.Promise.AskedAt.Equal(now0) {
		t.Fatalf("new agency step: promise %+v", s.Promise)
	}
	// To the household: no promise. Back to an agency: asked afresh.
	later := now0.Add(time.Hour)
	household := veikart.Responsible{Kind: veikart.ByHousehold}
	r2, _, err := r.Apply([]veikart.Op{veikart.UpdateStep{ID: "o3", BaseVersion: r.Version, StepID: "s1", Set: veikart.StepPatch{Responsible: &household}}}, later)
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := r2.Step("s1"); s.Promise.Status != "" {
		t.Fatalf("household step has promise %+v", s.Promise)
	}
	other := veikart.Responsible{Kind: veikart.ByAgency, AgencyID: "bolig"}
	r3, _, err := r2.Apply([]veikart.Op{veikart.UpdateStep{ID: "o4", BaseVersion: r2.Version, StepID: "s1", Set: veikart.StepPatch{Responsible: &other}}}, later)
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := r3.Step("s1"); s.Promise.Status != veikart.PromiseAsked || !s.Promise.AskedAt.Equal(later) {
		t.Fatalf("re-given step: promise %+v", s.Promise)
	}
	// A change of title keeps the answer.
	r4, _, err := r.AnswerPromise("s1", "nav", veikart.PromiseAnswer{Accept: true, Due: "2026-12-10", By: "cw", ByName: "Vera"}, now0, "2026-11-26")
	if err != nil {
		t.Fatal(err)
	}
	title := "Søke AAP nå"
	r5, _, err := r4.Apply([]veikart.Op{veikart.UpdateStep{ID: "o5", StepID: "s1", BaseVersion: r4.Version, Set: veikart.StepPatch{Title: &title}}}, later)
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := r5.Step("s1"); s.Promise.Status != veikart.PromiseAccepted {
		t.Fatalf("title change lost the answer: %+v", s.Promise)
	}
}

func TestAnswerPromise(t *testing.T) {
	const today = "2026-11-26"
	cases := []struct {
		name    string
		step    string
		agency  string
		answer  veikart.PromiseAnswer
		code    string
		pointer string
	}{
		{"accept", "s1", "nav", veikart.PromiseAnswer{Accept: true, Due: "2026-12-10"}, "", ""},
		{"accept today", "s1", "nav", veikart.PromiseAnswer{Accept: true, Due: today}, "", ""},
		{"decline", "s1", "nav", veikart.PromiseAnswer{Reason: "Det er kommunens oppgave"}, "", ""},
		{"date in the past", "s1", "nav", veikart.PromiseAnswer{Accept: true, Due: "2026-11-25"}, veikart.EINVALID, "/due"},
		{"no date", "s1", "nav", veikart.PromiseAnswer{Accept: true}, veikart.EINVALID, "/due"},
		{"not a date", "s1", "nav", veikart.PromiseAnswer{Accept: true, Due: "2026-13-01"}, veikart.EINVALID, "/due"},
		{"decline without reason", "s1", "nav", veikart.PromiseAnswer{Reason: "  "}, veikart.EINVALID, "/reason"},
		{"another agency's step", "s1", "bolig", veikart.PromiseAnswer{Accept: true, Due: "2026-12-10"}, veikart.ENOTFOUND, ""},
		{"no such step", "s9", "nav", veikart.PromiseAnswer{Accept: true, Due: "2026-12-10"}, veikart.ENOTFOUND, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := withAgencyStep(t)
			tc.answer.By, tc.answer.ByName = "cw", "Vera"
			n, s, err := r.AnswerPromise(tc.step, tc.agency, tc.answer, now0, today)
			if tc.code != "" {
				if veikart.ErrorCode(err) != tc.code {
					t.Fatalf("err = %v, want %s", err, tc.code)
				}
				if e, ok := err.(*veikart.Error); ok && e.Pointer != tc.pointer {
					t.Fatalf("pointer = %q, want %q", e.Pointer, tc.pointer)
				}
				return
			}
			if err != nil || n.Version != r.Version+1 || s.Promise.By != "cw" || s.Promise.ByName != "Vera" {
				t.Fatalf("AnswerPromise = %+v, %v", s, err)
			}
			if tc.answer.Accept && (s.Due != tc.answer.Due || s.Promise.Due != tc.answer.Due || s.Changed["due"] != n.Version) {
				t.Fatalf("accepted step: %+v", s)
			}
			if old, _ := r.Step("s1"); old.Promise.Status != veikart.PromiseAsked {
				t.Fatal("AnswerPromise changed its receiver")
			}
			// The same answer again changes nothing.
			again, _, err := n.AnswerPromise(tc.step, tc.agency, tc.answer, now0.Add(time.Minute), today)
			if err != nil || again != n {
				t.Fatalf("repeat: %v, same roadmap %v", err, again == n)
			}
		})
	}
}

func TestPromiseStates(t *testing.T) {
	r := withAgencyStep(t)
	state := func(r *veikart.Roadmap, now time.Time, today string) veikart.PromiseState {
		s, _ := r.Step("s1")
		return veikart.PromiseStateOf(s, now, today)
	}
	if got := state(r, now0.Add(6*24*time.Hour), "2026-12-02"); got != veikart.StateAsked {
		t.Fatalf("after 6 days: %s", got)
	}
	if got := state(r, now0.Add(7*24*time.Hour), "2026-12-03"); got != veikart.StateUnanswered {
		t.Fatalf("after 7 days: %s", got)
	}
	a, _, err := r.AnswerPromise("s1", "nav", veikart.PromiseAnswer{Accept: true, Due: "2026-12-10", By: "cw"}, now0, "2026-11-26")
	if err != nil {
		t.Fatal(err)
	}
	if got := state(a, now0, "2026-12-10"); got != veikart.StateAccepted {
		t.Fatalf("on the day: %s", got)
	}
	if s, _ := a.Step("s1"); state(a, now0, "2026-12-11") != veikart.StateOverdue || !s.Late("2026-12-11") || s.Late("2026-12-10") {
		t.Fatal("the day after is not overdue")
	}
	if _, _, err := r.JudgePromise("s1", veikart.PromiseKept, now0); veikart.ErrorCode(err) != veikart.ECONFLICT {
		t.Fatalf("judging an unanswered promise: %v", err)
	}
	if _, _, err := a.JudgePromise("s1", "maybe", now0); veikart.ErrorCode(err) != veikart.EINVALID {
		t.Fatalf("judging with a bad word: %v", err)
	}
	k, s, err := a.JudgePromise("s1", veikart.PromiseKept, now0)
	if err != nil || s.Status != veikart.Done || state(k, now0, "2026-12-11") != veikart.StateKept {
		t.Fatalf("kept: %+v, %v", s, err)
	}
	if _, _, err := k.AnswerPromise("s1", "nav", veikart.PromiseAnswer{Accept: true, Due: "2026-12-20", By: "cw"}, now0, "2026-11-26"); veikart.ErrorCode(err) != veikart.ECONFLICT {
		t.Fatalf("answering a closed promise: %v", err)
	}
	nk, _, err := a.JudgePromise("s1", veikart.PromiseNotKept, now0)
	if err != nil || state(nk, now0, "2026-12-11") != veikart.StateNotKept {
		t.Fatalf("not kept: %v", err)
	}
	if s, _ := nk.Step("s1"); s.Late("2026-12-11") {
		t.Fatal("a promise the household closed still runs late")
	}
}
