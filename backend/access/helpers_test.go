package access_test

import (
	"strings"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/veikart"
)

// withHelpers is household with "liv" a trusted person who writes in
// housing, "amir" an interpreter in a session on health (two hours),
// "ola" a trusted person the owners took back, and "per" (an owner) whose
// helper record is ignored: the household is never its own helper.
func withHelpers(t *testing.T) *veikart.Roadmap {
	t.Helper()
	r := household(t)
	add := func(r *veikart.Roadmap, id, user string, spec veikart.HelperSpec) *veikart.Roadmap {
		n, _, err := r.InviteHelper(id, spec, veikart.Invitation{ID: "i-" + id, CodeHash: "c-" + id, CreatedBy: "kari", ExpiresAt: t0.Add(10 * time.Minute)}, t0, veikart.ConsentPolicy{})
		if err != nil {
			t.Fatal(err)
		}
		if n, _, err = n.AcceptHelper("c-"+id, user, t0); err != nil {
			t.Fatal(err)
		}
		return n
	}
	housing := []veikart.Section{veikart.AreaSection("housing"), veikart.StepsSection("housing")}
	r = add(r, "h-liv", "liv", veikart.HelperSpec{Kind: veikart.HelperTrusted, Name: "Liv", Sections: housing, Write: true, ExpiresAt: t0.Add(30 * 24 * time.Hour)})
	r = add(r, "h-amir", "amir", veikart.HelperSpec{Kind: veikart.HelperInterpreter, Name: "Amir", Sections: []veikart.Section{veikart.AreaSection("health")}})
	r = add(r, "h-ola", "ola", veikart.HelperSpec{Kind: veikart.HelperTrusted, Name: "Ola", Sections: housing, ExpiresAt: t0.Add(30 * 24 * time.Hour)})
	r, _, err := r.RevokeHelper("h-ola", "kari", t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestDecide_Helpers(t *testing.T) {
	r := withHelpers(t)
	person := func(u string) access.Actor { return access.Actor{Kind: access.Person, UserID: u} }
	now := t0.Add(time.Hour)
	cases := []struct {
		name    string
		who     string
		action  access.Action
		section veikart.Section
		at      time.Time
		allowed bool
		role    string
	}{
		{"trusted reads", "liv", access.Read, "", now, true, access.RoleTrusted},
		{"trusted writes in housing", "liv", access.Change, "area:housing", now, true, access.RoleTrusted},
		{"trusted writes housing's steps", "liv", access.Change, "steps:housing", now, true, access.RoleTrusted},
		{"trusted not in health", "liv", access.Change, "area:health", now, false, access.RoleTrusted},
		{"trusted: no change about no section", "liv", access.Change, "", now, false, access.RoleTrusted},
		{"trusted: no consent", "liv", access.ManageConsent, "", now, false, ""},
		{"trusted: no delete", "liv", access.Delete, "", now, false, ""},
		{"trusted: no log", "liv", access.ReadLog, "", now, false, ""},
		{"trusted: no poster", "liv", access.PrintPoster, "", now, false, ""},
		{"trusted: no team", "liv", access.ReadTeam, "", now, false, ""},
		{"trusted: no meetings", "liv", access.RunMeeting, "", now, false, ""},
		{"trusted: no messages", "liv", access.ReadMessages, veikart.ConversationSection("nav"), now, false, ""},
		{"trusted: no comments", "liv", access.Comment, "area:housing", now, false, ""},
		{"trusted: no own roadmap", "liv", access.TakeOwn, "", now, false, ""},
		{"interpreter reads", "amir", access.Read, "", now, true, access.RoleInterpreter},
		{"interpreter writes in health", "amir", access.Change, "area:health", now, true, access.RoleInterpreter},
		{"interpreter not in housing", "amir", access.Change, "area:housing", now, false, access.RoleInterpreter},
		{"interpreter after the session", "amir", access.Read, "", t0.Add(2 * time.Hour), false, ""},
		{"revoked trusted", "ola", access.Read, "", now, false, ""},
		{"an owner stays an owner", "kari", access.ManageConsent, "", now, true, access.RoleOwner},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := access.Decide(person(tc.who), tc.action, r, tc.section, tc.at)
			if d.Allowed != tc.allowed || (tc.role != "" && d.Role != tc.role) {
				t.Fatalf("got %+v, want allowed %v as %q", d, tc.allowed, tc.role)
			}
		})
	}
}

func TestProject_Helper(t *testing.T) {
	r := withHelpers(t)
	v := access.Project(access.Actor{Kind: access.Person, UserID: "liv"}, r, t0.Add(time.Hour))
	if v == nil || v.Role != access.RoleTrusted || v.Helper == nil || v.Helper.Name != "Liv" {
		t.Fatalf("view %+v", v)
	}
	if len(v.Roadmap.Members) != 0 || len(v.Roadmap.Grants) != 0 || len(v.Roadmap.Helpers) != 0 || len(v.Roadmap.Invitations) != 0 || len(v.Roadmap.Receipts) != 0 || len(v.Roadmap.Owners) != 0 {
		t.Fatalf("the view holds the household's records: %+v", v.Roadmap)
	}
	for _, a := range v.Roadmap.Areas {
		if a.ID != "housing" {
			t.Fatalf("area %s shown", a.ID)
		}
	}
	for _, c := range v.Roadmap.Comments {
		if c.AgencyID != "" || c.UserID != "" {
			t.Fatalf("comment %+v", c)
		}
	}
	if got := strings.Join(sectionStrings(v.Sections), ","); got != "area:housing,steps:housing" {
		t.Fatalf("sections %s", got)
	}
}

func sectionStrings(ss []veikart.Section) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return out
}

func TestEnded_Helpers(t *testing.T) {
	r := withHelpers(t)
	person := func(u string) access.Actor { return access.Actor{Kind: access.Person, UserID: u} }
	if e, ok := access.Ended(person("ola"), r, t0.Add(time.Hour)); !ok || !e.Revoked || !e.Person || !e.At.Equal(t0.Add(time.Minute)) {
		t.Fatalf("revoked: %+v %v", e, ok)
	}
	if e, ok := access.Ended(person("amir"), r, t0.Add(3*time.Hour)); !ok || e.Revoked || !e.At.Equal(t0.Add(2*time.Hour)) {
		t.Fatalf("session over: %+v %v", e, ok)
	}
	for _, u := range []string{"liv", "kari", "mia", "stranger"} {
		if e, ok := access.Ended(person(u), r, t0.Add(time.Hour)); ok {
			t.Fatalf("%s: %+v", u, e)
		}
	}
}

func TestMayApply_Helpers(t *testing.T) {
	r := withHelpers(t)
	now := t0.Add(time.Hour)
	liv := access.Actor{Kind: access.Person, UserID: "liv"}
	text := "x"
	cases := []struct {
		name string
		ops  []veikart.Op
		want bool
	}{
		{"housing text", []veikart.Op{veikart.UpdateArea{AreaID: "housing", Set: veikart.AreaPatch{Now: &text}}}, true},
		{"who housing concerns, without the household section", []veikart.Op{veikart.UpdateArea{AreaID: "housing", Set: veikart.AreaPatch{MemberIDs: &[]string{}}}}, false},
		{"housing and health", []veikart.Op{veikart.UpdateArea{AreaID: "housing"}, veikart.UpdateArea{AreaID: "health"}}, false},
		{"the title", []veikart.Op{veikart.SetTitle{Title: "x"}}, false},
		{"a member", []veikart.Op{veikart.AddMember{}}, false},
		{"nothing", nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := access.MayApply(liv, r, tc.ops, now); got != tc.want {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
	if !access.MayApply(access.Actor{Kind: access.Person, UserID: "kari"}, r, []veikart.Op{veikart.SetTitle{Title: "x"}}, now) {
		t.Fatal("an owner may change the title")
	}
}
