package veikart_test

import (
	"testing"
	"time"

	"github.com/veikart/veikart/backend/veikart"
)

var now0 = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

func newRoadmap(t *testing.T) *veikart.Roadmap {
	t.Helper()
	r, err := veikart.NewRoadmap("rm", "kari", "Familien", []veikart.Member{{ID: "m1", Name: "Kari", Role: veikart.Adult}}, now0)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestAddGrant_Validation(t *testing.T) {
	policy := veikart.ConsentPolicy{MaxGrant: 30 * 24 * time.Hour}
	ok := veikart.GrantSpec{Sections: []veikart.Section{veikart.SectionHousehold}, Permissions: []veikart.Permission{veikart.View}, Purpose: "p", ExpiresAt: now0.Add(24 * time.Hour)}
	cases := []struct {
		name    string
		mod     func(*veikart.GrantSpec)
		code    string
		pointer string
	}{
		{"valid", func(*veikart.GrantSpec) {}, "", ""},
		{"no sections", func(s *veikart.GrantSpec) { s.Sections = nil }, veikart.EINVALID, "/sections"},
		{"section that does not exist", func(s *veikart.GrantSpec) { s.Sections = []veikart.Section{"area:garden"} }, veikart.EINVALID, "/sections/0"},
		{"malformed section", func(s *veikart.GrantSpec) { s.Sections = []veikart.Section{"housing"} }, veikart.EINVALID, "/sections/0"},
		{"section twice", func(s *veikart.GrantSpec) { s.Sections = []veikart.Section{"household", "household"} }, veikart.EINVALID, "/sections/1"},
		{"unknown permission", func(s *veikart.GrantSpec) { s.Permissions = []veikart.Permission{"view", "edit"} }, veikart.EINVALID, "/permissions/1"},
		{"no view", func(s *veikart.GrantSpec) { s.Permissions = []veikart.Permission{veikart.CommentOn} }, veikart.EINVALID, "/permissions"},
		{"empty purpose", func(s *veikart.GrantSpec) { s.Purpose = "  " }, veikart.EINVALID, "/purpose"},
		{"expiry now", func(s *veikart.GrantSpec) { s.ExpiresAt = now0 }, veikart.EINVALID, "/expiresAt"},
		{"expiry beyond maximum", func(s *veikart.GrantSpec) { s.ExpiresAt = now0.Add(31 * 24 * time.Hour) }, veikart.EINVALID, "/expiresAt"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newRoadmap(t)
			spec := ok
			tc.mod(&spec)
			n, g, err := r.AddGrant("g1", "nav", "kari", spec, "owner", now0, policy)
			if tc.code == "" {
				if err != nil || n.Version != r.Version+1 || g.Status != veikart.GrantActive || len(n.Receipts) != 1 || n.Receipts[0].Kind != veikart.ReceiptGranted {
					t.Fatalf("AddGrant = %+v, %v", g, err)
				}
				if len(r.Grants) != 0 {
					t.Fatal("AddGrant changed its receiver")
				}
				return
			}
			var ve *veikart.Error
			if err == nil || veikart.ErrorCode(err) != tc.code {
				t.Fatalf("err = %v, want %s", err, tc.code)
			}
			if e, isErr := err.(*veikart.Error); isErr {
				ve = e
			}
			if ve == nil || ve.Pointer != tc.pointer {
				t.Fatalf("pointer of %v, want %s", err, tc.pointer)
			}
		})
	}
}

func TestGrantLifecycle(t *testing.T) {
	p := veikart.ConsentPolicy{}
	r := newRoadmap(t)
	spec := veikart.GrantSpec{Sections: []veikart.Section{veikart.AreaSection("work")}, Permissions: []veikart.Permission{veikart.View}, Purpose: "Jobb", ExpiresAt: now0.Add(time.Hour)}
	r, _, err := r.AddGrant("g1", "nav", "kari", spec, "owner", now0, p)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.AddGrant("g2", "nav", "kari", spec, "owner", now0, p); veikart.ErrorCode(err) != veikart.ECONFLICT {
		t.Fatalf("second active grant to one agency: %v", err)
	}
	// Expired: renewing needs a new expiry.
	later := now0.Add(2 * time.Hour)
	purpose := "Ny"
	if _, _, err := r.UpdateGrant("g1", "kari", veikart.GrantPatch{Purpose: &purpose}, later, p); veikart.ErrorCode(err) != veikart.EINVALID {
		t.Fatalf("change of an expired grant without a new expiry: %v", err)
	}
	exp := later.Add(time.Hour)
	r, g, err := r.UpdateGrant("g1", "kari", veikart.GrantPatch{ExpiresAt: &exp, Sections: []veikart.Section{veikart.AreaSection("work"), veikart.SectionHousehold}}, later, p)
	if err != nil || !g.ActiveAt(later) || len(g.Sections) != 2 {
		t.Fatalf("renew: %+v %v", g, err)
	}
	r, g, err = r.RevokeGrant("g1", "kari", later)
	if err != nil || g.Status != veikart.GrantRevoked || g.ActiveAt(later) {
		t.Fatalf("revoke: %+v %v", g, err)
	}
	if again, _, err := r.RevokeGrant("g1", "kari", later); err != nil || again != r {
		t.Fatalf("revoking twice changed something: %v", err)
	}
	if _, _, err := r.UpdateGrant("g1", "kari", veikart.GrantPatch{ExpiresAt: &exp}, later, p); veikart.ErrorCode(err) != veikart.ECONFLICT {
		t.Fatalf("change after revocation: %v", err)
	}
	kinds := []veikart.ReceiptKind{}
	for _, rc := range r.Receipts {
		kinds = append(kinds, rc.Kind)
	}
	if len(kinds) != 3 || kinds[0] != veikart.ReceiptGranted || kinds[1] != veikart.ReceiptChanged || kinds[2] != veikart.ReceiptRevoked {
		t.Fatalf("receipts %v", kinds)
	}
	// A new grant after revocation is fine.
	if _, _, err := r.AddGrant("g3", "nav", "kari", veikart.GrantSpec{Sections: spec.Sections, Permissions: spec.Permissions, Purpose: "p", ExpiresAt: later.Add(time.Hour)}, "owner", later, p); err != nil {
		t.Fatal(err)
	}
}

func TestInvitation_OnceAndInTime(t *testing.T) {
	p := veikart.ConsentPolicy{}
	r := newRoadmap(t)
	r, inv, err := r.AddInvitation(veikart.Invitation{ID: "i1", Kind: veikart.InviteAgency, CodeHash: "h1", CreatedBy: "kari",
		Sections: []veikart.Section{veikart.AreaSection("housing")}, Permissions: []veikart.Permission{veikart.View}, Purpose: "p",
		GrantExpiresAt: now0.Add(24 * time.Hour)}, now0, p)
	if err != nil || inv.ExpiresAt != now0.Add(veikart.InvitationTTL) {
		t.Fatalf("invite: %+v %v", inv, err)
	}
	if _, _, err := r.AcceptInvitation("h1", "nina", "nav", "g1", inv.ExpiresAt, p); veikart.ErrorCode(err) != veikart.ENOTFOUND {
		t.Fatalf("accepted at expiry: %v", err)
	}
	if _, _, err := r.AcceptInvitation("h1", "kari", "", "g1", now0, p); veikart.ErrorCode(err) != veikart.EFORBIDDEN {
		t.Fatalf("agency invitation accepted without an agency: %v", err)
	}
	n, _, err := r.AcceptInvitation("h1", "nina", "nav", "g1", now0.Add(time.Minute), p)
	if err != nil {
		t.Fatal(err)
	}
	if g, ok := n.ActiveGrant("nav", now0.Add(time.Minute)); !ok || g.Via != "invitation:i1" || g.CreatedBy != "kari" {
		t.Fatalf("grant from invitation: %+v %v", g, ok)
	}
	if _, _, err := n.AcceptInvitation("h1", "eva", "bv", "g2", now0.Add(2*time.Minute), p); veikart.ErrorCode(err) != veikart.ENOTFOUND {
		t.Fatalf("invitation used twice: %v", err)
	}
}

func TestProposal_NothingAddedUntilAccepted(t *testing.T) {
	r := newRoadmap(t)
	r, p, err := r.AddProposal(veikart.Proposal{ID: "p1", AgencyID: "nav", UserID: "nina", Step: veikart.Step{
		AreaID: "housing", Title: "Søke bostøtte", Term: veikart.ShortTerm, Responsible: veikart.Responsible{Kind: veikart.ByAgency, AgencyID: "nav"}}}, now0)
	if err != nil || p.Status != veikart.ProposalPending || len(r.Steps) != 0 {
		t.Fatalf("propose: %+v %v; steps %d", p, err, len(r.Steps))
	}
	rejected, _, err := r.DecideProposal("p1", "s1", "kari", false, now0)
	if err != nil || len(rejected.Steps) != 0 || rejected.Proposals[0].Status != veikart.ProposalRejected {
		t.Fatalf("reject: %v", err)
	}
	accepted, p, err := r.DecideProposal("p1", "s1", "kari", true, now0)
	if err != nil || len(accepted.Steps) != 1 || accepted.Steps[0].Title != "Søke bostøtte" || p.StepID != "s1" || accepted.Version != r.Version+1 {
		t.Fatalf("accept: %+v %v", p, err)
	}
	if _, _, err := accepted.DecideProposal("p1", "s2", "kari", true, now0); veikart.ErrorCode(err) != veikart.ECONFLICT {
		t.Fatalf("accepted twice: %v", err)
	}
}

// FuzzConsent feeds arbitrary sections, permissions, purposes and expiries to
// the consent changes: none may panic, a refused change must leave the
// roadmap as it was, and an accepted grant must hold only sections that exist.
func FuzzConsent(f *testing.F) {
	f.Add("area:housing", "view", "Oppfølging", int64(3600))
	f.Add("steps:housing\x00", "comment", "", int64(-1))
	f.Add("household", "propose", "\u202e", int64(1<<40))
	f.Fuzz(func(t *testing.T, section, perm, purpose string, secs int64) {
		r := newRoadmap(t)
		before := r.Version
		spec := veikart.GrantSpec{
			Sections:    []veikart.Section{veikart.Section(section), veikart.SectionHousehold},
			Permissions: []veikart.Permission{veikart.View, veikart.Permission(perm)},
			Purpose:     purpose, ExpiresAt: now0.Add(time.Duration(secs) * time.Second),
		}
		n, g, err := r.AddGrant("g1", "nav", "kari", spec, "owner", now0, veikart.ConsentPolicy{})
		if r.Version != before || len(r.Grants) != 0 {
			t.Fatal("AddGrant changed its receiver")
		}
		if err != nil {
			return
		}
		for _, s := range g.Sections {
			if !n.HasSection(s) {
				t.Fatalf("granted a section that does not exist: %q", s)
			}
		}
		if _, _, err := n.AddComment(veikart.Comment{ID: "c", Section: veikart.Section(section), UserID: "u", Text: purpose}, now0); err == nil && !n.HasSection(veikart.Section(section)) {
			t.Fatalf("comment on a section that does not exist: %q", section)
		}
	})
}

// TestSection_IsAreaOfIsStepsOf: the comparisons agree with the names the
// constructors build, and with nothing else.
func TestSection_IsAreaOfIsStepsOf(t *testing.T) {
	for _, tc := range []struct {
		s           veikart.Section
		id          string
		area, steps bool
	}{
		{veikart.AreaSection("housing"), "housing", true, false},
		{veikart.StepsSection("housing"), "housing", false, true},
		{veikart.AreaSection("housing"), "hous", false, false},
		{veikart.AreaSection("hous"), "housing", false, false},
		{veikart.StepsSection("work"), "housing", false, false},
		{veikart.SectionHousehold, "household", false, false},
		{veikart.Section("area:"), "", true, false},
		{veikart.Section("xarea:housing"), "housing", false, false},
	} {
		if got := tc.s.IsAreaOf(tc.id); got != tc.area {
			t.Errorf("%q.IsAreaOf(%q) = %v", tc.s, tc.id, got)
		}
		if got := tc.s.IsStepsOf(tc.id); got != tc.steps {
			t.Errorf("%q.IsStepsOf(%q) = %v", tc.s, tc.id, got)
		}
	}
}

// TestGrant_RecoveryIsEachOwnersOwnChoice: an owner lets an agency help
// them back in on their grant to it; a co-owner's change leaves that
// choice alone; an account with ID-porten cannot make it.
func TestGrant_RecoveryIsEachOwnersOwnChoice(t *testing.T) {
	r, err := veikart.NewRoadmap("rm", "pk-amina", "Familien", nil, now0)
	if err != nil {
		t.Fatal(err)
	}
	r.Owners = append(r.Owners, "pk-omar", "kari")
	spec := veikart.GrantSpec{Sections: []veikart.Section{veikart.SectionHousehold}, Permissions: []veikart.Permission{veikart.View}, Purpose: "p", ExpiresAt: now0.Add(24 * time.Hour), Recovery: true}
	if _, _, err := r.AddGrant("g-kari", "nav", "kari", spec, "owner", now0, veikart.ConsentPolicy{}); veikart.ErrorCode(err) != veikart.EINVALID {
		t.Fatalf("an ID-porten owner's choice: %v", err)
	}
	r, g, err := r.AddGrant("g1", "nav", "pk-amina", spec, "owner", now0, veikart.ConsentPolicy{})
	if err != nil || !g.HelpsRecover("pk-amina") || g.HelpsRecover("pk-omar") {
		t.Fatalf("grant %+v %v", g, err)
	}
	yes, no := true, false
	if r, g, err = r.UpdateGrant("g1", "pk-omar", veikart.GrantPatch{Recovery: &yes}, now0, veikart.ConsentPolicy{}); err != nil || !g.HelpsRecover("pk-omar") || !g.HelpsRecover("pk-amina") {
		t.Fatalf("omar chooses too: %+v %v", g, err)
	}
	if r, g, err = r.UpdateGrant("g1", "pk-amina", veikart.GrantPatch{Recovery: &no}, now0, veikart.ConsentPolicy{}); err != nil || g.HelpsRecover("pk-amina") || !g.HelpsRecover("pk-omar") {
		t.Fatalf("amina takes hers back: %+v %v", g, err)
	}
	if _, g, err = r.UpdateGrant("g1", "pk-omar", veikart.GrantPatch{Purpose: &spec.Purpose}, now0, veikart.ConsentPolicy{}); err != nil || !g.HelpsRecover("pk-omar") {
		t.Fatalf("another change forgot the choice: %+v %v", g, err)
	}
	if _, _, err := r.UpdateGrant("g1", "kari", veikart.GrantPatch{Recovery: &yes}, now0, veikart.ConsentPolicy{}); veikart.ErrorCode(err) != veikart.EINVALID {
		t.Fatalf("an ID-porten owner's change: %v", err)
	}
	// Erasing a person takes their choice with them.
	if n := r.WithoutPerson("pk-omar", now0); n.Grants[0].HelpsRecover("pk-omar") {
		t.Fatal("an erased person's choice remains")
	}
}

// TestApproveRequest_WhileInForceRenews: an agency whose grant ends soon asks
// for more time; approving changes the grant in force (the same grant, a
// later expiry) instead of refusing a second one.
func TestApproveRequest_WhileInForceRenews(t *testing.T) {
	p := veikart.ConsentPolicy{}
	r := newRoadmap(t)
	spec := veikart.GrantSpec{Sections: []veikart.Section{veikart.SectionHousehold}, Permissions: []veikart.Permission{veikart.View}, Purpose: "Bolig", ExpiresAt: now0.Add(24 * time.Hour)}
	r, _, err := r.AddGrant("g1", "nav", "kari", spec, "owner", now0, p)
	if err != nil {
		t.Fatal(err)
	}
	r, _, err = r.AddRequest("q1", "nav", "cw", spec.Sections, spec.Permissions, "Forlengelse", now0)
	if err != nil {
		t.Fatal(err)
	}
	later := now0.Add(90 * 24 * time.Hour)
	r, g, err := r.ApproveRequest("q1", "g2", "kari", veikart.GrantSpec{ExpiresAt: later}, now0.Add(time.Hour), p)
	if err != nil || g.ID != "g1" || !g.ExpiresAt.Equal(later) || g.Purpose != "Forlengelse" {
		t.Fatalf("approve while in force: %+v %v", g, err)
	}
	if len(r.Grants) != 1 || r.Requests[0].Status != veikart.RequestApproved || r.Requests[0].GrantID != "g1" {
		t.Fatalf("grants %+v, request %+v", r.Grants, r.Requests[0])
	}
}
