package veikart_test

import (
	"testing"
	"time"

	"github.com/veikart/veikart/backend/veikart"
)

var h0 = time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)

// helperRoadmap is Kari's roadmap, with Mia a member with an account.
func helperRoadmap(t *testing.T) *veikart.Roadmap {
	t.Helper()
	r, err := veikart.NewRoadmap("rm", "kari", "Familien", []veikart.Member{{ID: "m1", Name: "Kari", Role: veikart.Adult}, {ID: "m2", Name: "Mia", Role: veikart.Child}}, h0)
	if err != nil {
		t.Fatal(err)
	}
	r.Members[1].UserID = "mia"
	return r
}

func inv(id string) veikart.Invitation {
	return veikart.Invitation{ID: "i-" + id, CodeHash: "hash-" + id, CreatedBy: "kari", ExpiresAt: h0.Add(10 * time.Minute)}
}

func TestInviteHelper(t *testing.T) {
	housing := []veikart.Section{veikart.AreaSection("housing"), veikart.StepsSection("housing")}
	trusted := veikart.HelperSpec{Kind: veikart.HelperTrusted, Name: "Per", Sections: housing, Write: true, ExpiresAt: h0.Add(30 * 24 * time.Hour)}
	cases := []struct {
		name    string
		mod     func(*veikart.HelperSpec)
		code    string
		pointer string
	}{
		{"trusted", func(*veikart.HelperSpec) {}, "", ""},
		{"interpreter, default length", func(s *veikart.HelperSpec) { s.Kind, s.ExpiresAt = veikart.HelperInterpreter, time.Time{} }, "", ""},
		{"interpreter, 8 hours", func(s *veikart.HelperSpec) { s.Kind, s.ExpiresAt = veikart.HelperInterpreter, h0.Add(8*time.Hour) }, "", ""},
		{"interpreter, over 8 hours", func(s *veikart.HelperSpec) {
			s.Kind, s.ExpiresAt = veikart.HelperInterpreter, h0.Add(8*time.Hour+time.Minute)
		}, veikart.EINVALID, "/expiresAt"},
		{"no name", func(s *veikart.HelperSpec) { s.Name = "  " }, veikart.EINVALID, "/name"},
		{"control characters in the name", func(s *veikart.HelperSpec) { s.Name = "Per\x00" }, veikart.EINVALID, "/name"},
		{"no sections", func(s *veikart.HelperSpec) { s.Sections = nil }, veikart.EINVALID, "/sections"},
		{"no such section", func(s *veikart.HelperSpec) { s.Sections = []veikart.Section{"area:moon"} }, veikart.EINVALID, "/sections/0"},
		{"trusted without an end", func(s *veikart.HelperSpec) { s.ExpiresAt = time.Time{} }, veikart.EINVALID, "/expiresAt"},
		{"trusted beyond the grant limit", func(s *veikart.HelperSpec) { s.ExpiresAt = h0.Add(400 * 24 * time.Hour) }, veikart.EINVALID, "/expiresAt"},
		{"no such kind", func(s *veikart.HelperSpec) { s.Kind = "agency" }, veikart.EINVALID, "/kind"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := helperRoadmap(t)
			spec := trusted
			tc.mod(&spec)
			n, h, err := r.InviteHelper("h1", spec, inv("h1"), h0, veikart.ConsentPolicy{})
			if tc.code != "" {
				if veikart.ErrorCode(err) != tc.code || err.(*veikart.Error).Pointer != tc.pointer {
					t.Fatalf("err %v, want %s at %s", err, tc.code, tc.pointer)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if h.UserID != "" || n.Version != r.Version+1 || len(n.Helpers) != 1 || len(n.Invitations) != 1 || n.Invitations[0].HelperID != "h1" {
				t.Fatalf("helper %+v, roadmap v%d, %d invitations", h, n.Version, len(n.Invitations))
			}
			if spec.Kind == veikart.HelperInterpreter && (!h.Write || n.Invitations[0].Kind != veikart.InviteInterpreter) {
				t.Fatalf("an interpreter always writes: %+v", h)
			}
			if got := n.Receipts[len(n.Receipts)-1]; got.Kind != veikart.ReceiptHelperInvited || got.HelperName != "Per" {
				t.Fatalf("receipt %+v", got)
			}
			if len(r.Helpers) != 0 {
				t.Fatal("the receiver changed")
			}
		})
	}
}

func TestAcceptAndRevokeHelper(t *testing.T) {
	spec := veikart.HelperSpec{Kind: veikart.HelperTrusted, Name: "Per", Sections: []veikart.Section{veikart.AreaSection("housing")}, ExpiresAt: h0.Add(24 * time.Hour)}
	base := func(t *testing.T) *veikart.Roadmap {
		r, _, err := helperRoadmap(t).InviteHelper("h1", spec, inv("h1"), h0, veikart.ConsentPolicy{})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	cases := []struct {
		name, user, hash string
		at               time.Time
		prep             func(*veikart.Roadmap) *veikart.Roadmap
		code             string
	}{
		{"a new person", "per", "hash-h1", h0, nil, ""},
		{"an owner", "kari", "hash-h1", h0, nil, veikart.ECONFLICT},
		{"a linked member", "mia", "hash-h1", h0, nil, veikart.ECONFLICT},
		{"a guessed code", "per", "hash-x", h0, nil, veikart.ENOTFOUND},
		{"the code ran out", "per", "hash-h1", h0.Add(11 * time.Minute), nil, veikart.ENOTFOUND},
		{"revoked before it was used", "per", "hash-h1", h0, func(r *veikart.Roadmap) *veikart.Roadmap {
			n, _, _ := r.RevokeHelper("h1", "kari", h0)
			return n
		}, veikart.ENOTFOUND},
		{"used already", "ola", "hash-h1", h0, func(r *veikart.Roadmap) *veikart.Roadmap {
			n, _, _ := r.AcceptHelper("hash-h1", "per", h0)
			return n
		}, veikart.ENOTFOUND},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := base(t)
			if tc.prep != nil {
				r = tc.prep(r)
			}
			n, h, err := r.AcceptHelper(tc.hash, tc.user, tc.at)
			if veikart.ErrorCode(err) != tc.code {
				t.Fatalf("err %v, want %q", err, tc.code)
			}
			if err != nil {
				return
			}
			if got, ok := n.ActiveHelper("per", h0); !ok || got.ID != "h1" || h.AcceptedAt.IsZero() {
				t.Fatalf("not active after accepting: %+v", got)
			}
			if _, ok := n.ActiveHelper("per", h0.Add(24*time.Hour)); ok {
				t.Fatal("still active at its end")
			}
			// Ended at once, and ending again is the same.
			e, _, err := n.RevokeHelper("h1", "kari", h0.Add(time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := e.ActiveHelper("per", h0.Add(time.Minute)); ok {
				t.Fatal("active after revocation")
			}
			if again, _, err := e.RevokeHelper("h1", "kari", h0.Add(2*time.Minute)); err != nil || again != e {
				t.Fatalf("revoking twice: %v", err)
			}
			if _, _, err := e.RevokeHelper("h-none", "kari", h0); veikart.ErrorCode(err) != veikart.ENOTFOUND {
				t.Fatalf("no such helper: %v", err)
			}
			// The person erases their account: no link left, the record stays.
			w := e.WithoutPerson("per", h0)
			if w.Helpers[0].UserID != veikart.ErasedPerson || w.Helpers[0].Name != "Per" {
				t.Fatalf("after erasure: %+v", w.Helpers[0])
			}
			if _, ok := w.ActiveHelper(veikart.ErasedPerson, h0); ok {
				t.Fatal("the erased person's placeholder is a helper")
			}
		})
	}
}

func TestOpSections(t *testing.T) {
	r := helperRoadmap(t)
	r, _, err := r.Apply([]veikart.Op{
		veikart.AddStep{ID: "o1", Step: veikart.Step{ID: "s1", AreaID: "housing", Title: "Ring", Term: veikart.ShortTerm, Responsible: veikart.Responsible{Kind: veikart.ByHousehold}}},
		veikart.AddStep{ID: "o2", Step: veikart.Step{ID: "s2", AreaID: "housing", Title: "Søk", Term: veikart.ShortTerm, Responsible: veikart.Responsible{Kind: veikart.ByMember, MemberID: "m2"}}},
	}, h0)
	if err != nil {
		t.Fatal(err)
	}
	health := "health"
	cases := []struct {
		name string
		op   veikart.Op
		want []veikart.Section
	}{
		{"area text", veikart.UpdateArea{AreaID: "housing"}, []veikart.Section{"area:housing"}},
		{"who the area concerns", veikart.UpdateArea{AreaID: "housing", Set: veikart.AreaPatch{MemberIDs: &[]string{}}}, []veikart.Section{"area:housing", "household"}},
		{"no such area", veikart.UpdateArea{AreaID: "moon"}, nil},
		{"new step", veikart.AddStep{Step: veikart.Step{AreaID: "health"}}, []veikart.Section{"steps:health"}},
		{"a step moved", veikart.UpdateStep{StepID: "s1", Set: veikart.StepPatch{AreaID: &health}}, []veikart.Section{"steps:housing", "steps:health"}},
		{"a new step for a member", veikart.AddStep{Step: veikart.Step{AreaID: "health", Responsible: veikart.Responsible{Kind: veikart.ByMember, MemberID: "m1"}}}, []veikart.Section{"steps:health", "household"}},
		{"a new step naming a member", veikart.AddStep{Step: veikart.Step{AreaID: "health", MemberIDs: []string{"m1"}}}, []veikart.Section{"steps:health", "household"}},
		{"a step given to a member", veikart.UpdateStep{StepID: "s1", Set: veikart.StepPatch{Responsible: &veikart.Responsible{Kind: veikart.ByMember, MemberID: "m1"}}}, []veikart.Section{"steps:housing", "household"}},
		{"a step given to an agency", veikart.UpdateStep{StepID: "s1", Set: veikart.StepPatch{Responsible: &veikart.Responsible{Kind: veikart.ByAgency, AgencyID: "nav"}}}, []veikart.Section{"steps:housing"}},
		{"whom a step names", veikart.UpdateStep{StepID: "s1", Set: veikart.StepPatch{MemberIDs: &[]string{}}}, []veikart.Section{"steps:housing", "household"}},
		{"a member's step given back", veikart.UpdateStep{StepID: "s2", Set: veikart.StepPatch{Responsible: &veikart.Responsible{Kind: veikart.ByHousehold}}}, []veikart.Section{"steps:housing", "household"}},
		{"a step removed", veikart.RemoveStep{StepID: "s1"}, []veikart.Section{"steps:housing"}},
		{"a step that is gone", veikart.RemoveStep{StepID: "gone"}, nil},
		{"the title", veikart.SetTitle{}, nil},
		{"a member", veikart.AddMember{}, nil},
		{"a new area", veikart.AddArea{}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := veikart.OpSections(r, tc.op)
			if ok != (tc.want != nil) || len(got) != len(tc.want) {
				t.Fatalf("got %v %v, want %v", got, ok, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
			}
		})
	}
}

func TestRendering(t *testing.T) {
	r := helperRoadmap(t)
	words := "أريد أن أعمل."
	r, _, err := r.Apply([]veikart.Op{veikart.UpdateArea{ID: "o1", AreaID: "work", BaseVersion: 1, Set: veikart.AreaPatch{Now: &words}}}, h0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.SetRendering("work", "later", "x", "", "family", "kari", h0); veikart.ErrorCode(err) != veikart.EINVALID {
		t.Fatalf("no such field: %v", err)
	}
	if _, err := r.SetRendering("moon", "now", "x", "", "family", "kari", h0); veikart.ErrorCode(err) != veikart.ENOTFOUND {
		t.Fatalf("no such area: %v", err)
	}
	if _, _, err := r.ConfirmRendering("work", "now", "kari", h0); veikart.ErrorCode(err) != veikart.ENOTFOUND {
		t.Fatalf("nothing to confirm: %v", err)
	}
	n, err := r.SetRendering("work", "now", " Jeg vil jobbe. ", "Amir", "interpreter", "amir", h0)
	if err != nil {
		t.Fatal(err)
	}
	x := areaOf(n, "work").Renderings[0]
	if x.Text != "Jeg vil jobbe." || x.ByName != "Amir" || x.Confirmed(words) || len(areaOf(r, "work").Renderings) != 0 {
		t.Fatalf("rendering %+v", x)
	}
	c, got, err := n.ConfirmRendering("work", "now", "kari", h0)
	if err != nil || !got.Confirmed(words) {
		t.Fatalf("confirm: %+v %v", got, err)
	}
	if again, _, _ := c.ConfirmRendering("work", "now", "kari", h0); again != c {
		t.Fatal("confirming twice changed the roadmap")
	}
	// The same rendering sent again (a phone's retry) is no change and
	// keeps the confirmation; the same words by someone else are theirs.
	if again, err := c.SetRendering("work", "now", "Jeg vil jobbe. ", "Amir", "interpreter", "amir", h0); err != nil || again != c {
		t.Fatalf("the same rendering again changed the roadmap: %v", err)
	}
	if other, _ := c.SetRendering("work", "now", "Jeg vil jobbe.", "", "family", "kari", h0); other == c || areaOf(other, "work").Renderings[0].ByRole != "family" {
		t.Fatal("the family's own rendering of the same words was not recorded")
	}
	if none, _ := r.SetRendering("work", "desired", "", "", "family", "kari", h0); none != r {
		t.Fatal("removing a rendering that is not there changed the roadmap")
	}
	// A new rendering undoes the confirmation; empty text removes it.
	d, _ := c.SetRendering("work", "now", "Jeg vil jobbe igjen.", "Amir", "interpreter", "amir", h0)
	if areaOf(d, "work").Renderings[0].Confirmed(words) {
		t.Fatal("a new rendering is still confirmed")
	}
	e, _ := d.SetRendering("work", "now", "", "", "family", "kari", h0)
	if len(areaOf(e, "work").Renderings) != 0 {
		t.Fatal("empty text did not remove the rendering")
	}
	// The interpreter erases their account: the name stays, the id goes.
	if w := c.WithoutPerson("amir", h0); areaOf(w, "work").Renderings[0].ByUser != veikart.ErasedPerson {
		t.Fatal("the rendering still names the erased account")
	}
}

func areaOf(r *veikart.Roadmap, id string) veikart.Area {
	for _, a := range r.Areas {
		if a.ID == id {
			return a
		}
	}
	return veikart.Area{}
}
