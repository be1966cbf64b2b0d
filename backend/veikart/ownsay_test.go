package veikart_test

import (
	"slices"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/veikart"
)

// youngFamily is Kari's roadmap with Mia (born 2010, 16 in 2026, with an
// account) and Ola (born 2014, with an account), health naming Mia and
// Ola, work naming nobody.
func youngFamily(t *testing.T) *veikart.Roadmap {
	t.Helper()
	r, err := veikart.NewRoadmap("rm", "kari", "Familien", []veikart.Member{
		{ID: "m1", Name: "Kari", Role: veikart.Adult},
		{ID: "m2", Name: "Mia", Role: veikart.Child, BirthYear: 2010},
		{ID: "m3", Name: "Ola", Role: veikart.Child, BirthYear: 2014},
	}, now0)
	if err != nil {
		t.Fatal(err)
	}
	r.Members[1].UserID, r.Members[2].UserID = "mia", "ola"
	health := []string{"m2", "m3"}
	if r, _, err = r.Apply([]veikart.Op{veikart.UpdateArea{ID: "o1", AreaID: "health", BaseVersion: 1, Set: veikart.AreaPatch{MemberIDs: &health}}}, now0); err != nil {
		t.Fatal(err)
	}
	return r
}

func spec(sections ...veikart.Section) veikart.GrantSpec {
	return veikart.GrantSpec{Sections: sections, Permissions: []veikart.Permission{veikart.View}, Purpose: "p", ExpiresAt: now0.Add(24 * time.Hour)}
}

// TestOwnSay_GrantNeedsYes: a grant that includes an area naming a member
// with their own say is refused until they said yes to that agency; a
// younger member, or one without an account, does not hold it up.
func TestOwnSay_GrantNeedsYes(t *testing.T) {
	p := veikart.ConsentPolicy{}
	health, steps := veikart.AreaSection("health"), veikart.StepsSection("health")
	for _, c := range []struct {
		name     string
		prepare  func(*testing.T, *veikart.Roadmap) *veikart.Roadmap
		sections []veikart.Section
		policy   veikart.ConsentPolicy
		code     string
	}{
		{"other area", nil, []veikart.Section{veikart.AreaSection("work"), veikart.SectionHousehold}, p, ""},
		{"never asked", nil, []veikart.Section{health}, p, veikart.EFORBIDDEN},
		{"steps only", nil, []veikart.Section{steps}, p, veikart.EFORBIDDEN},
		{"asked, waiting", func(t *testing.T, r *veikart.Roadmap) *veikart.Roadmap {
			n, _, err := r.AskSay("s1", "m2", "health", veikart.SayForAgency("nav"), "kari", now0, p)
			must(t, err)
			return n
		}, []veikart.Section{health}, p, veikart.EFORBIDDEN},
		{"said no", func(t *testing.T, r *veikart.Roadmap) *veikart.Roadmap {
			n, _, err := r.AnswerSay("s1", "mia", "health", veikart.SayForAgency("nav"), false, now0, p)
			must(t, err)
			return n
		}, []veikart.Section{health}, p, veikart.EFORBIDDEN},
		{"said yes to another agency", func(t *testing.T, r *veikart.Roadmap) *veikart.Roadmap {
			n, _, err := r.AnswerSay("s1", "mia", "health", veikart.SayForAgency("bv"), true, now0, p)
			must(t, err)
			return n
		}, []veikart.Section{health}, p, veikart.EFORBIDDEN},
		{"said yes to the poster", func(t *testing.T, r *veikart.Roadmap) *veikart.Roadmap {
			n, _, err := r.AnswerSay("s1", "mia", "health", veikart.SayPoster, true, now0, p)
			must(t, err)
			return n
		}, []veikart.Section{health}, p, veikart.EFORBIDDEN},
		{"said yes", func(t *testing.T, r *veikart.Roadmap) *veikart.Roadmap {
			n, _, err := r.AnswerSay("s1", "mia", "health", veikart.SayForAgency("nav"), true, now0, p)
			must(t, err)
			return n
		}, []veikart.Section{health, steps}, p, ""},
		{"no account", func(t *testing.T, r *veikart.Roadmap) *veikart.Roadmap {
			r.Members[1].UserID = ""
			return r
		}, []veikart.Section{health}, p, ""},
		// At 14 (the operator's age) Ola has his say too.
		{"operator's age, both", func(t *testing.T, r *veikart.Roadmap) *veikart.Roadmap {
			n, _, err := r.AnswerSay("s1", "mia", "health", veikart.SayForAgency("nav"), true, now0, p)
			must(t, err)
			return n
		}, []veikart.Section{health}, veikart.ConsentPolicy{OwnSayAge: 12}, veikart.EFORBIDDEN},
		{"older than the operator's age", nil, []veikart.Section{health}, veikart.ConsentPolicy{OwnSayAge: 17}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := youngFamily(t)
			if c.prepare != nil {
				r = c.prepare(t, r)
			}
			n, _, err := r.AddGrant("g1", "nav", "kari", spec(c.sections...), "owner", now0, c.policy)
			if veikart.ErrorCode(err) != c.code {
				t.Fatalf("error %v, want code %q", err, c.code)
			}
			if c.code == "" && n == nil {
				t.Fatal("no roadmap")
			}
			if e, ok := err.(*veikart.Error); c.code != "" && (!ok || e.Pointer == "") {
				t.Errorf("no pointer to the section in %v", err)
			}
		})
	}
}

// TestOwnSay_NoWithdraws: a no to an agency that has the area takes the
// area out of its grant at once, with receipts for the no and the change;
// widening the grant again is refused.
func TestOwnSay_NoWithdraws(t *testing.T) {
	p := veikart.ConsentPolicy{}
	r, _, err := youngFamily(t).AnswerSay("s1", "mia", "health", veikart.SayForAgency("nav"), true, now0, p)
	must(t, err)
	health := []veikart.Section{veikart.AreaSection("health"), veikart.StepsSection("health"), veikart.AreaSection("work")}
	r, _, err = r.AddGrant("g1", "nav", "kari", spec(health...), "owner", now0, p)
	must(t, err)
	r, s, err := r.AnswerSay("s2", "mia", "health", veikart.SayForAgency("nav"), false, now0.Add(time.Minute), p)
	must(t, err)
	if s.Answer != veikart.SayNo {
		t.Fatalf("answer %+v", s)
	}
	g, _ := r.Grant("g1")
	if !slices.Equal(g.Sections, []veikart.Section{veikart.AreaSection("work")}) {
		t.Errorf("sections after the no: %v", g.Sections)
	}
	kinds := []veikart.ReceiptKind{}
	for _, x := range r.Receipts {
		kinds = append(kinds, x.Kind)
	}
	if want := []veikart.ReceiptKind{veikart.ReceiptSaidYes, veikart.ReceiptGranted, veikart.ReceiptSaidNo, veikart.ReceiptChanged}; !slices.Equal(kinds, want) {
		t.Errorf("receipts %v, want %v", kinds, want)
	}
	if last := r.Receipts[2]; last.MemberID != "m2" || last.By != "mia" || last.AgencyID != "nav" {
		t.Errorf("the no's receipt: %+v", last)
	}
	if _, _, err := r.UpdateGrant("g1", "kari", veikart.GrantPatch{Sections: health}, now0.Add(2*time.Minute), p); veikart.ErrorCode(err) != veikart.EFORBIDDEN {
		t.Errorf("widening after the no: %v", err)
	}
	// Changing the rest of the grant is not held up by the no.
	purpose := "new"
	if _, _, err := r.UpdateGrant("g1", "kari", veikart.GrantPatch{Purpose: &purpose}, now0.Add(2*time.Minute), p); err != nil {
		t.Errorf("changing the purpose: %v", err)
	}
}

// TestOwnSay_AskAndAnswer: who may ask and answer what, and that repeats
// change nothing.
func TestOwnSay_AskAndAnswer(t *testing.T) {
	p := veikart.ConsentPolicy{}
	nav := veikart.SayForAgency("nav")
	r := youngFamily(t)
	for _, c := range []struct {
		name         string
		member, area string
		f            veikart.SayFor
		code         string
	}{
		{"no such member", "m9", "health", nav, veikart.EINVALID},
		{"no such area", "m2", "nowhere", nav, veikart.EINVALID},
		{"area does not name them", "m2", "work", nav, veikart.EINVALID},
		{"bad use", "m2", "health", veikart.SayFor("everyone"), veikart.EINVALID},
		{"too young", "m3", "health", nav, veikart.ECONFLICT},
		{"adult without account", "m1", "health", nav, veikart.EINVALID},
		{"ok", "m2", "health", nav, ""},
	} {
		t.Run("ask/"+c.name, func(t *testing.T) {
			_, _, err := r.AskSay("s1", c.member, c.area, c.f, "kari", now0, p)
			if veikart.ErrorCode(err) != c.code {
				t.Errorf("error %v, want %q", err, c.code)
			}
		})
	}
	n, s, err := r.AskSay("s1", "m2", "health", nav, "kari", now0, p)
	must(t, err)
	if s.Answer != veikart.SayPending || n.Version != r.Version+1 {
		t.Fatalf("asked: %+v", s)
	}
	if again, _, err := n.AskSay("s2", "m2", "health", nav, "kari", now0, p); err != nil || again != n {
		t.Errorf("asking again changed the roadmap: %v", err)
	}
	for _, c := range []struct {
		name, user, area string
		code             string
	}{
		{"an owner", "kari", "health", veikart.EFORBIDDEN},
		{"a stranger", "x", "health", veikart.EFORBIDDEN},
		{"not their area", "mia", "work", veikart.EINVALID},
	} {
		t.Run("answer/"+c.name, func(t *testing.T) {
			if _, _, err := n.AnswerSay("s3", c.user, c.area, nav, true, now0, p); veikart.ErrorCode(err) != c.code {
				t.Errorf("error %v, want %q", err, c.code)
			}
		})
	}
	y, s, err := n.AnswerSay("s3", "mia", "health", nav, true, now0, p)
	must(t, err)
	if s.ID != "s1" || s.Answer != veikart.SayYes || len(y.Says) != 1 {
		t.Fatalf("answered: %+v (%d says)", s, len(y.Says))
	}
	if again, _, err := y.AnswerSay("s4", "mia", "health", nav, true, now0, p); err != nil || again != y {
		t.Errorf("the same answer again changed the roadmap: %v", err)
	}
	// Removing Mia takes her says with her.
	gone, _, err := y.Apply([]veikart.Op{veikart.RemoveMember{ID: "o9", MemberID: "m2", BaseVersion: y.Version}}, now0)
	must(t, err)
	if len(gone.Says) != 0 || len(y.Says) != 1 {
		t.Errorf("says after removing the member: %d (before: %d)", len(gone.Says), len(y.Says))
	}
}

// TestOwnSay_MemberJoinsWithReceipt: accepting a member invitation links
// the member and leaves a receipt naming them.
func TestOwnSay_MemberJoinsWithReceipt(t *testing.T) {
	r, err := veikart.NewRoadmap("rm", "kari", "F", []veikart.Member{{ID: "m2", Name: "Mia", Role: veikart.Child, BirthYear: 2010}}, now0)
	must(t, err)
	r, _, err = r.AddInvitation(veikart.Invitation{ID: "i1", Kind: veikart.InviteMember, CodeHash: "h", CreatedBy: "kari", MemberID: "m2"}, now0, veikart.ConsentPolicy{})
	must(t, err)
	r, _, err = r.AcceptInvitation("h", "mia", "", "", now0, veikart.ConsentPolicy{})
	must(t, err)
	last := r.Receipts[len(r.Receipts)-1]
	if last.Kind != veikart.ReceiptMemberJoined || last.MemberID != "m2" || last.By != "mia" || r.Members[0].UserID != "mia" {
		t.Errorf("receipt %+v, member %+v", last, r.Members[0])
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
