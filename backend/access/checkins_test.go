package access_test

import (
	"testing"
	"time"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/veikart"
)

// checkInHousehold is withHelpers' roadmap with housing naming m1 (an
// adult, linked to the account "anna") and health naming m2 (Mia, a
// child with an account).
func checkInHousehold(t *testing.T) *veikart.Roadmap {
	t.Helper()
	r := withHelpers(t)
	r.Members[0].UserID = "anna"
	var err error
	if r, _, err = r.Apply([]veikart.Op{
		veikart.UpdateArea{ID: "o1", AreaID: "housing", BaseVersion: r.Version, Set: veikart.AreaPatch{MemberIDs: ptr([]string{"m1"})}},
		veikart.UpdateArea{ID: "o2", AreaID: "health", BaseVersion: r.Version, Set: veikart.AreaPatch{MemberIDs: ptr([]string{"m2"})}},
	}, t0); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestDecide_CheckIns(t *testing.T) {
	r := checkInHousehold(t)
	person := func(u string) access.Actor { return access.Actor{Kind: access.Person, UserID: u} }
	later := t0.Add(2 * time.Hour)
	housing, health, work := veikart.AreaSection("housing"), veikart.AreaSection("health"), veikart.AreaSection("work")
	cases := []struct {
		name    string
		actor   access.Actor
		section veikart.Section
		check   bool // may check in
		read    bool // may read the history
		later   bool // asked after BV's grant ran out (an interpreter's session too)
	}{
		{"owner", person("kari"), work, true, true, false},
		{"co-owner", person("per"), housing, true, true, false},
		{"adult member, area names them", person("anna"), housing, true, true, false},
		{"adult member, area does not", person("anna"), work, false, false, false},
		{"child member reads their area", person("mia"), health, false, true, false},
		{"child member, other area", person("mia"), housing, false, false, false},
		{"trusted person who writes in housing", person("liv"), housing, true, true, false},
		{"trusted person, other area", person("liv"), health, false, false, false},
		{"interpreter in a session (writes with the family)", person("amir"), health, true, true, false},
		{"interpreter, other area", person("amir"), housing, false, false, false},
		{"trusted person taken back", person("ola"), housing, false, false, false},
		{"stranger", person("eve"), housing, false, false, false},
		{"caseworker, granted area", caseworker("nav"), housing, false, true, false},
		{"caseworker, area not granted", caseworker("nav"), work, false, false, false},
		{"expired grant", caseworker("bv"), housing, false, false, true},
		{"interpreter after the session", person("amir"), health, false, false, true},
		{"revoked grant", caseworker("hb"), housing, false, false, false},
		{"planned grant", caseworker("ko"), housing, false, false, false},
		{"agency admin", access.Actor{Kind: access.Agency, UserID: "adm", AgencyID: "nav", AgencyRoles: []veikart.AgencyRole{veikart.AdminRole}}, housing, false, false, false},
		{"operator", access.Actor{Kind: access.Operator, UserID: "op"}, housing, false, false, false},
		{"owner, steps section", person("kari"), veikart.StepsSection("housing"), false, false, false},
		{"owner, household section", person("kari"), veikart.SectionHousehold, false, false, false},
		{"owner, no section", person("kari"), "", false, false, false},
		{"owner, no such area", person("kari"), veikart.AreaSection("moon"), false, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			at := t0
			if c.later {
				at = later
			}
			if got := access.Decide(c.actor, access.CheckIn, r, c.section, at).Allowed; got != c.check {
				t.Errorf("check in = %v, want %v", got, c.check)
			}
			if got := access.Decide(c.actor, access.ReadCheckIns, r, c.section, at).Allowed; got != c.read {
				t.Errorf("read = %v, want %v", got, c.read)
			}
		})
	}
}

func TestProjectReadings(t *testing.T) {
	r := checkInHousehold(t)
	at := t0.Add(-time.Hour)
	rs := []veikart.Reading{
		{ID: "h-house", AreaID: "housing", Date: "2026-11-01", Score: 2, With: veikart.ScoredWithCaseworker, AgencyID: "bv", By: "kari", At: at},
		{ID: "m1-house", AreaID: "housing", MemberID: "m1", Date: "2026-11-01", Score: 3, With: veikart.ScoredAlone, By: "anna", At: at},
		{ID: "nav-house", AreaID: "housing", Date: "2026-11-20", Score: 3, With: veikart.ScoredWithCaseworker, AgencyID: "nav", By: "kari", At: at},
		{ID: "h-work", AreaID: "work", Date: "2026-11-01", Score: 4, With: veikart.ScoredAlone, By: "kari", At: at},
		{ID: "m2-health", AreaID: "health", MemberID: "m2", Date: "2026-11-01", Score: 1, With: veikart.ScoredAlone, By: "kari", At: at},
	}
	ids := func(xs []veikart.Reading) []string {
		var out []string
		for _, x := range xs {
			out = append(out, x.ID)
		}
		return out
	}
	t.Run("owner sees all", func(t *testing.T) {
		out, sections, role := access.ProjectReadings(access.Actor{Kind: access.Person, UserID: "kari"}, r, rs, t0)
		if len(out) != len(rs) || role != access.RoleOwner || sections != nil || out[0].By != "kari" {
			t.Fatalf("%v %v %s", ids(out), sections, role)
		}
	})
	t.Run("caseworker: granted area, no members without the household section", func(t *testing.T) {
		out, sections, role := access.ProjectReadings(caseworker("nav"), r, rs, t0)
		if got := ids(out); len(got) != 2 || got[0] != "h-house" || got[1] != "nav-house" {
			t.Fatalf("ids %v", got)
		}
		if role != access.RoleCaseworker || len(sections) != 1 || sections[0] != veikart.AreaSection("housing") {
			t.Fatalf("role %s sections %v", role, sections)
		}
		for _, x := range out {
			if x.By != "" {
				t.Errorf("%s: recorder %q shown to an agency", x.ID, x.By)
			}
		}
		if out[0].AgencyID != "" || out[1].AgencyID != "nav" {
			t.Errorf("agencies present: %q %q (another agency's presence is not NAV's to see)", out[0].AgencyID, out[1].AgencyID)
		}
	})
	t.Run("caseworker with the household section: members by key", func(t *testing.T) {
		r := checkInHousehold(t)
		for i := range r.Grants {
			if r.Grants[i].ID == "g-nav" {
				r.Grants[i].Sections = append(r.Grants[i].Sections, veikart.SectionHousehold)
			}
		}
		out, _, _ := access.ProjectReadings(caseworker("nav"), r, rs, t0)
		if len(out) != 3 || out[1].MemberID != access.MemberKey(r.ID, "nav", "m1") {
			t.Fatalf("%+v", out)
		}
	})
	t.Run("child member: household's and own", func(t *testing.T) {
		out, sections, role := access.ProjectReadings(access.Actor{Kind: access.Person, UserID: "mia"}, r, rs, t0)
		if got := ids(out); len(got) != 1 || got[0] != "m2-health" || role != access.RoleMember || len(sections) != 1 || out[0].By != "" {
			t.Fatalf("%v %v %s", got, sections, role)
		}
	})
	t.Run("adult member sees own recording", func(t *testing.T) {
		out, _, _ := access.ProjectReadings(access.Actor{Kind: access.Person, UserID: "anna"}, r, rs, t0)
		if got := ids(out); len(got) != 3 || out[1].By != "anna" || out[0].By != "" {
			t.Fatalf("%v %+v", got, out)
		}
	})
	t.Run("trusted person without the household section", func(t *testing.T) {
		out, _, role := access.ProjectReadings(access.Actor{Kind: access.Person, UserID: "liv"}, r, rs, t0)
		if got := ids(out); len(got) != 2 || role != access.RoleTrusted || out[0].By != "" {
			t.Fatalf("%v %s", got, role)
		}
	})
	t.Run("ended and strangers see nothing", func(t *testing.T) {
		for _, a := range []access.Actor{caseworker("bv"), caseworker("hb"), caseworker("police"), {Kind: access.Person, UserID: "ola"}, {Kind: access.Person, UserID: "eve"}} {
			if out, _, role := access.ProjectReadings(a, r, rs, t0.Add(2*time.Hour)); len(out) != 0 || role != "" {
				t.Errorf("%s: %v %s", a.UserID, ids(out), role)
			}
		}
	})
}
