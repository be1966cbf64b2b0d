package access_test

import (
	"slices"
	"testing"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/veikart"
)

// TestProject_MemberSeesWhatNamesThem: a member sees the areas that name
// them, the steps there and the steps that name them, the household's
// comments on their sections, and themselves; not another member, not
// another area's texts, not an agency's remark, not consent records.
func TestProject_MemberSeesWhatNamesThem(t *testing.T) {
	r := household(t)
	health, housing := []string{"m2"}, []string{"m1"}
	var err error
	if r, _, err = r.Apply([]veikart.Op{
		veikart.UpdateArea{ID: "o1", AreaID: "health", BaseVersion: r.Version, Set: veikart.AreaPatch{MemberIDs: &health, Now: ptr("MIA-HEALTH")}},
		veikart.UpdateArea{ID: "o2", AreaID: "housing", BaseVersion: r.Version, Set: veikart.AreaPatch{MemberIDs: &housing, Now: ptr("KARI-HOUSING")}},
		veikart.AddStep{ID: "o3", Step: veikart.Step{ID: "s-health", AreaID: "health", Title: "In health", Term: veikart.ShortTerm, Responsible: veikart.Responsible{Kind: veikart.ByMember, MemberID: "m1"}}},
		veikart.AddStep{ID: "o4", Step: veikart.Step{ID: "s-work", AreaID: "work", Title: "Names Mia", Term: veikart.ShortTerm, MemberIDs: []string{"m1", "m2"}, Responsible: veikart.Responsible{Kind: veikart.ByHousehold}}},
		veikart.AddStep{ID: "o5", Step: veikart.Step{ID: "s-housing", AreaID: "housing", Title: "Kari's", Term: veikart.ShortTerm, Responsible: veikart.Responsible{Kind: veikart.ByHousehold}}},
	}, t0); err != nil {
		t.Fatal(err)
	}
	for _, c := range []veikart.Comment{
		{ID: "c-health", Section: veikart.AreaSection("health"), UserID: "kari", Text: "on health"},
		{ID: "c-health-agency", Section: veikart.AreaSection("health"), UserID: "cw", AgencyID: "nav", Text: "agency"},
		{ID: "c-housing", Section: veikart.AreaSection("housing"), UserID: "kari", Text: "on housing"},
	} {
		if r, _, err = r.AddComment(c, t0); err != nil {
			t.Fatal(err)
		}
	}
	v := access.Project(access.Actor{Kind: access.Person, UserID: "mia"}, r, t0)
	if v == nil || v.Role != access.RoleMember || v.MemberID != "m2" {
		t.Fatalf("view %+v", v)
	}
	got := v.Roadmap
	ids := func(n int, id func(int) string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = id(i)
		}
		return out
	}
	for _, c := range []struct {
		what      string
		got, want []string
	}{
		{"members", ids(len(got.Members), func(i int) string { return got.Members[i].ID }), []string{"m2"}},
		{"areas", ids(len(got.Areas), func(i int) string { return got.Areas[i].ID + "=" + got.Areas[i].Now }), []string{"health=MIA-HEALTH", "work="}},
		{"steps", ids(len(got.Steps), func(i int) string { return got.Steps[i].ID }), []string{"s-health", "s-work"}},
		{"comments", ids(len(got.Comments), func(i int) string { return got.Comments[i].ID }), []string{"c-health"}},
		{"sections", ids(len(v.Sections), func(i int) string { return string(v.Sections[i]) }), []string{"area:health", "steps:health"}},
	} {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("%s: %v, want %v", c.what, c.got, c.want)
		}
	}
	// Kari is named nowhere in what Mia sees: her responsibility shows as
	// the household's, and the step that named both names only Mia.
	for _, s := range got.Steps {
		if slices.Contains(s.MemberIDs, "m1") || s.Responsible.MemberID == "m1" {
			t.Errorf("step %s names another member: %+v", s.ID, s)
		}
	}
	if len(got.Owners)+len(got.Grants)+len(got.Receipts)+len(got.Invitations)+len(got.Requests)+len(got.Transitions)+len(got.Meetings) != 0 || got.Coordinator != (veikart.Coordinator{}) {
		t.Errorf("owners' records in a member's view: %+v", got)
	}
}

// TestDecide_MemberActions: what a member may and may not do.
func TestDecide_MemberActions(t *testing.T) {
	r := household(t)
	health := []string{"m2"}
	var err error
	if r, _, err = r.Apply([]veikart.Op{veikart.UpdateArea{ID: "o1", AreaID: "health", BaseVersion: r.Version, Set: veikart.AreaPatch{MemberIDs: &health}}}, t0); err != nil {
		t.Fatal(err)
	}
	mia := access.Actor{Kind: access.Person, UserID: "mia"}
	for _, c := range []struct {
		action  access.Action
		section veikart.Section
		want    bool
	}{
		{access.Read, "", true},
		{access.AnswerSay, "", true},
		{access.ReadSays, "", true},
		{access.TakeOwn, "", true},
		{access.PrintPoster, "", true},
		{access.Comment, veikart.AreaSection("health"), true},
		{access.Comment, veikart.StepsSection("health"), true},
		{access.Comment, veikart.AreaSection("housing"), false}, // another's part
		{access.Comment, veikart.SectionHousehold, false},
		{access.Comment, veikart.AreaSection("nowhere"), false},
		{access.Change, "", false},
		{access.ManageConsent, "", false}, // grants and invitations
		{access.Delete, "", false},        // erasure of the roadmap
		{access.ReadLog, "", false},
		{access.ReadTeam, "", false},
		{access.ReadMeetings, "", false},
		{access.SendMessage, veikart.ConversationSection("nav"), false},
	} {
		if got := access.Decide(mia, c.action, r, c.section, t0).Allowed; got != c.want {
			t.Errorf("%s %q: allowed %v, want %v", c.action, c.section, got, c.want)
		}
	}
	// An owner may read the says, and not answer for the member.
	kari := access.Actor{Kind: access.Person, UserID: "kari"}
	if !access.Decide(kari, access.ReadSays, r, "", t0).Allowed || access.Decide(kari, access.AnswerSay, r, "", t0).Allowed {
		t.Error("owner: read says yes, answer no")
	}
}

func ptr[T any](v T) *T { return &v }
