package access_test

import (
	"slices"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/veikart"
)

var t0 = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

// household returns a roadmap owned by "kari" and "per", with "mia" a member
// with an account, and grants: NAV (housing, view+comment+propose, active),
// BV (housing, view, expired at t0+1h), HB (housing, view, revoked).
func household(t *testing.T) *veikart.Roadmap {
	t.Helper()
	r, err := veikart.NewRoadmap("rm", "kari", "Familien", []veikart.Member{
		{ID: "m1", Name: "Kari", Role: veikart.Adult},
		{ID: "m2", Name: "Mia", Role: veikart.Child},
	}, t0)
	if err != nil {
		t.Fatal(err)
	}
	r.Owners = append(r.Owners, "per")
	r.Members[1].UserID = "mia"
	housing := []veikart.Section{veikart.AreaSection("housing"), veikart.StepsSection("housing")}
	add := func(id, agency string, exp time.Time, perms ...veikart.Permission) {
		if r, _, err = r.AddGrant(id, agency, "kari", veikart.GrantSpec{Sections: housing, Permissions: perms, Purpose: "p", ExpiresAt: exp}, "owner", t0, veikart.ConsentPolicy{}); err != nil {
			t.Fatal(err)
		}
	}
	add("g-nav", "nav", t0.Add(30*24*time.Hour), veikart.View, veikart.CommentOn, veikart.Propose, veikart.Messaging)
	add("g-bv", "bv", t0.Add(time.Hour), veikart.View)
	add("g-hb", "hb", t0.Add(30*24*time.Hour), veikart.View)
	if r, _, err = r.RevokeGrant("g-hb", "kari", t0); err != nil {
		t.Fatal(err)
	}
	// A release on 2026-12-10 (Oslo): the correctional service ("ko") sees
	// housing from 2026-12-05 until the end of 2026-12-13.
	if r, _, err = r.PlanTransition("t-ko", "g-ko", "kari", veikart.TransitionSpec{
		Kind: veikart.TransitionRelease, Date: "2026-12-10", AgencyID: "ko", Sections: housing, Permissions: []veikart.Permission{veikart.View},
		DaysBefore: 5, DaysAfter: 3, Summary: "KO-HANDOVER",
	}, t0, oslo); err != nil {
		t.Fatal(err)
	}
	return r
}

var oslo = func() *time.Location {
	l, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		panic(err)
	}
	return l
}()

func caseworker(agency string) access.Actor {
	return access.Actor{Kind: access.Agency, UserID: "cw-" + agency, AgencyID: agency, AgencyRoles: []veikart.AgencyRole{veikart.CaseworkerRole}}
}

// TestDecide is the pure table: every kind of actor against every action, at
// a time when BV's grant has run out.
func TestDecide(t *testing.T) {
	r := household(t)
	now := t0.Add(2 * time.Hour)
	actors := map[string]access.Actor{
		"owner":        {Kind: access.Person, UserID: "kari"},
		"co-owner":     {Kind: access.Person, UserID: "per"},
		"member":       {Kind: access.Person, UserID: "mia"},
		"stranger":     {Kind: access.Person, UserID: "ola"},
		"nav":          caseworker("nav"),
		"bv-expired":   caseworker("bv"),
		"hb-revoked":   caseworker("hb"),
		"police-never": caseworker("police"),
		"ko-scheduled": caseworker("ko"),
		"nav-admin":    {Kind: access.Agency, UserID: "ada", AgencyID: "nav", AgencyRoles: []veikart.AgencyRole{veikart.AdminRole}},
		"nav-no-roles": {Kind: access.Agency, UserID: "x", AgencyID: "nav"},
		"operator":     {Kind: access.Operator, UserID: "operator"},
		"anonymous":    {Kind: access.Anonymous},
	}
	housing, health := veikart.AreaSection("housing"), veikart.AreaSection("health")
	type q struct {
		action  access.Action
		section veikart.Section
	}
	queries := map[string]q{
		"read": {access.Read, ""}, "change": {access.Change, ""}, "delete": {access.Delete, ""},
		"consent": {access.ManageConsent, ""}, "log": {access.ReadLog, ""},
		"comment-housing": {access.Comment, housing}, "comment-health": {access.Comment, health},
		"comment-nowhere": {access.Comment, veikart.AreaSection("garden")},
		"propose-housing": {access.Propose, veikart.StepsSection("housing")}, "propose-area-section": {access.Propose, housing},
		"propose-health": {access.Propose, veikart.StepsSection("health")},
		"request":        {access.RequestAccess, ""}, "invite": {access.AcceptInvite, ""},
		"recover":  {access.RecoverAccount, ""},
		"poster":   {access.PrintPoster, ""},
		"take-own": {access.TakeOwn, ""},
		// Conversations: NAV's (in force, with the message permission),
		// HB's (revoked), BV's (expired), the police's (never granted).
		"read-nav": {access.ReadMessages, veikart.ConversationSection("nav")}, "send-nav": {access.SendMessage, veikart.ConversationSection("nav")},
		"read-hb": {access.ReadMessages, veikart.ConversationSection("hb")}, "send-bv": {access.SendMessage, veikart.ConversationSection("bv")},
		"read-police":  {access.ReadMessages, veikart.ConversationSection("police")},
		"read-nowhere": {access.ReadMessages, ""}, "read-area": {access.ReadMessages, housing},
	}
	allowed := map[string][]string{
		"owner":        {"read", "change", "delete", "consent", "log", "comment-housing", "comment-health", "invite", "poster", "read-nav", "send-nav", "read-hb", "send-bv"},
		"co-owner":     {"read", "change", "delete", "consent", "log", "comment-housing", "comment-health", "invite", "poster", "read-nav", "send-nav", "read-hb", "send-bv"},
		"member":       {"read", "poster", "take-own"},
		"stranger":     {"invite"},
		"nav":          {"read", "comment-housing", "propose-housing", "request", "invite", "recover", "read-nav", "send-nav"},
		"bv-expired":   {"request", "invite"},
		"hb-revoked":   {"request", "invite"},
		"police-never": {"request", "invite"},
		"ko-scheduled": {"request", "invite"},
	}
	for name, actor := range actors {
		for qn, qq := range queries {
			want := slices.Contains(allowed[name], qn)
			if got := access.Decide(actor, qq.action, r, qq.section, now).Allowed; got != want {
				t.Errorf("%s %s: allowed = %v, want %v", name, qn, got, want)
			}
		}
	}
	if access.Decide(actors["owner"], access.Read, nil, "", now).Allowed {
		t.Error("a nil roadmap was readable")
	}
}

// TestDecide_MessagesNeedThePermission: a grant in force without the
// message permission reads the roadmap but not the conversation; given the
// permission, the next decision allows it, and revoking ends it at once.
func TestDecide_MessagesNeedThePermission(t *testing.T) {
	r := household(t)
	bu := caseworker("bu")
	var err error
	if r, _, err = r.AddGrant("g-bu", "bu", "kari", veikart.GrantSpec{
		Sections: []veikart.Section{veikart.SectionHousehold}, Permissions: []veikart.Permission{veikart.View}, Purpose: "p", ExpiresAt: t0.Add(time.Hour),
	}, "owner", t0, veikart.ConsentPolicy{}); err != nil {
		t.Fatal(err)
	}
	conv := veikart.ConversationSection("bu")
	for _, a := range []access.Action{access.ReadMessages, access.SendMessage} {
		if access.Decide(bu, a, r, conv, t0).Allowed {
			t.Errorf("%s without the message permission", a)
		}
	}
	if r, _, err = r.UpdateGrant("g-bu", "kari", veikart.GrantPatch{Permissions: []veikart.Permission{veikart.View, veikart.Messaging}}, t0, veikart.ConsentPolicy{}); err != nil {
		t.Fatal(err)
	}
	if !access.Decide(bu, access.SendMessage, r, conv, t0).Allowed {
		t.Error("denied with the message permission")
	}
	if access.Decide(bu, access.SendMessage, r, veikart.ConversationSection("nav"), t0).Allowed {
		t.Error("allowed in another agency's conversation")
	}
	if r, _, err = r.RevokeGrant("g-bu", "kari", t0); err != nil {
		t.Fatal(err)
	}
	if access.Decide(bu, access.ReadMessages, r, conv, t0).Allowed {
		t.Error("allowed after revocation")
	}
	if !access.Decide(access.Actor{Kind: access.Person, UserID: "kari"}, access.ReadMessages, r, conv, t0).Allowed {
		t.Error("the household lost the conversation")
	}
}

// TestDecide_ExpiryIsExclusive: a grant holds until the instant before it
// expires, and not at that instant.
func TestDecide_ExpiryIsExclusive(t *testing.T) {
	r := household(t)
	bv := caseworker("bv")
	if !access.Decide(bv, access.Read, r, "", t0.Add(time.Hour-time.Millisecond)).Allowed {
		t.Error("denied before expiry")
	}
	if access.Decide(bv, access.Read, r, "", t0.Add(time.Hour)).Allowed {
		t.Error("allowed at expiry")
	}
}

// TestDecide_TransitionGrantOpensAndCloses: a transition's grant is nothing
// before its window, a grant in it, and nothing after; the receiving agency
// reads the hand-over, no other agency does.
func TestDecide_TransitionGrantOpensAndCloses(t *testing.T) {
	r := household(t)
	ko := caseworker("ko")
	opens := time.Date(2026, 12, 5, 0, 0, 0, 0, oslo)
	closes := time.Date(2026, 12, 14, 0, 0, 0, 0, oslo)
	for _, c := range []struct {
		at   time.Time
		want bool
	}{
		{opens.Add(-time.Millisecond), false}, {opens, true}, {closes.Add(-time.Millisecond), true}, {closes, false},
	} {
		if got := access.Decide(ko, access.Read, r, "", c.at).Allowed; got != c.want {
			t.Errorf("at %s: allowed %v, want %v", c.at, got, c.want)
		}
	}
	v := access.Project(ko, r, opens)
	if v == nil || len(v.Roadmap.Transitions) != 1 || v.Roadmap.Transitions[0].Summary != "KO-HANDOVER" {
		t.Fatalf("the receiving agency's view: %+v", v)
	}
	if nav := access.Project(caseworker("nav"), r, opens); len(nav.Roadmap.Transitions) != 0 {
		t.Errorf("another agency sees the transition: %+v", nav.Roadmap.Transitions)
	}
	if mia := access.Project(access.Actor{Kind: access.Person, UserID: "mia"}, r, opens); len(mia.Roadmap.Transitions) != 0 {
		t.Errorf("a member sees the owners' plans: %+v", mia.Roadmap.Transitions)
	}
}

// TestProject_CaseworkerSeesOnlyGranted: the projection leaves out what was
// not granted instead of blanking it.
func TestProject_CaseworkerSeesOnlyGranted(t *testing.T) {
	r := household(t)
	var err error
	if r, _, err = r.AddComment(veikart.Comment{ID: "c1", Section: veikart.AreaSection("housing"), UserID: "cw-bv", AgencyID: "bv", Text: "bv"}, t0); err != nil {
		t.Fatal(err)
	}
	if r, _, err = r.AddComment(veikart.Comment{ID: "c2", Section: veikart.AreaSection("housing"), UserID: "kari", Text: "kari"}, t0); err != nil {
		t.Fatal(err)
	}
	if r, _, err = r.AddComment(veikart.Comment{ID: "c3", Section: veikart.AreaSection("health"), UserID: "kari", Text: "health"}, t0); err != nil {
		t.Fatal(err)
	}
	v := access.Project(caseworker("nav"), r, t0)
	if v == nil || v.Full || v.Role != access.RoleCaseworker {
		t.Fatalf("view %+v", v)
	}
	got := v.Roadmap
	if len(got.Members) != 0 || len(got.Owners) != 0 || len(got.Grants) != 0 || len(got.Receipts) != 0 {
		t.Errorf("household, owners or consent records in view: %+v", got)
	}
	if len(got.Areas) != 1 || got.Areas[0].ID != "housing" {
		t.Errorf("areas %+v, want housing only", got.Areas)
	}
	if len(got.Comments) != 1 || got.Comments[0].ID != "c2" {
		t.Errorf("comments %+v, want only the owner's on housing", got.Comments)
	}
	if want := []veikart.Section{veikart.AreaSection("housing"), veikart.StepsSection("housing")}; !slices.Equal(v.Sections, want) {
		t.Errorf("sections %v, want %v", v.Sections, want)
	}
	// The member sees only what names her (members_test.go has the
	// cases): no area here does, so no comment either.
	m := access.Project(access.Actor{Kind: access.Person, UserID: "mia"}, r, t0)
	if m == nil || len(m.Roadmap.Comments) != 0 || len(m.Roadmap.Grants) != 0 {
		t.Errorf("member view %+v", m)
	}
	// The projection never changes the roadmap it projects.
	if len(r.Comments) != 3 || len(r.Members) != 2 {
		t.Error("projection changed its input")
	}
}

// TestPermit is the table for actions that are not about a roadmap: every
// kind of actor against every such action.
func TestPermit(t *testing.T) {
	actors := map[string]access.Actor{
		"person":          {Kind: access.Person, UserID: "kari"},
		"caseworker":      caseworker("nav"),
		"nav-admin":       {Kind: access.Agency, UserID: "ada", AgencyID: "nav", AgencyRoles: []veikart.AgencyRole{veikart.AdminRole}},
		"nav-no-roles":    {Kind: access.Agency, UserID: "x", AgencyID: "nav"},
		"operator":        {Kind: access.Operator, UserID: "operator"},
		"anonymous":       {Kind: access.Anonymous},
		"person-no-id":    {Kind: access.Person},
		"operator-no-id":  {Kind: access.Operator},
		"caseworker-no-a": {Kind: access.Agency, UserID: "y", AgencyRoles: []veikart.AgencyRole{veikart.CaseworkerRole}},
	}
	type q struct {
		action access.Action
		agency string
	}
	queries := map[string]q{
		"as-person": {access.ActAsPerson, ""}, "as-caseworker": {access.ActAsCaseworker, ""}, "request": {access.RequestAccess, ""},
		"invite": {access.AcceptInvite, ""}, "account": {access.UseAccount, ""}, "create-agency": {access.CreateAgency, ""},
		"all-staff": {access.SeeAllStaff, ""}, "staff-nav": {access.ManageStaff, "nav"}, "staff-bv": {access.ManageStaff, "bv"},
		"staff-none": {access.ManageStaff, ""}, "roadmap-read": {access.Read, ""},
		"enrol": {access.CreateEnrolment, ""}, "reapply-erasures": {access.ReapplyErasures, ""},
		"calendar": {access.KeepCalendarFeed, ""},
	}
	allowed := map[string][]string{
		"person":       {"as-person", "invite", "account", "calendar"},
		"caseworker":   {"as-caseworker", "request", "invite", "account", "enrol", "calendar"},
		"nav-admin":    {"account", "staff-nav"},
		"nav-no-roles": {"account"},
		// Acting for no agency is not acting as a caseworker; the account
		// is still one's own.
		"caseworker-no-a": {"account"},
		"operator":        {"create-agency", "all-staff", "staff-nav", "staff-bv", "staff-none", "reapply-erasures"},
	}
	for name, actor := range actors {
		for qn, qq := range queries {
			want := slices.Contains(allowed[name], qn)
			if got := access.Permit(actor, qq.action, qq.agency); got != want {
				t.Errorf("%s %s: permitted = %v, want %v", name, qn, got, want)
			}
		}
	}
}

// TestMayRecover: a recovery code for a person only from a caseworker whose
// agency holds an active grant on a roadmap the person owns; a member's
// account, or a grant that ran out or was revoked, is not enough.
func TestMayRecover(t *testing.T) {
	r := household(t)
	// Two more owners whose only way in is a passkey: Amina let NAV (and
	// the services whose grants ended) help her back in, Omar let nobody.
	r.Owners = append(r.Owners, "pk-amina", "pk-omar")
	for i := range r.Grants {
		r.Grants[i].RecoveryFor = []string{"pk-amina", "kari"}
	}
	now := t0.Add(2 * time.Hour)
	owned := []*veikart.Roadmap{nil, r}
	cases := []struct {
		name  string
		actor access.Actor
		user  string
		want  bool
	}{
		{"nav for an owner who chose it", caseworker("nav"), "pk-amina", true},
		{"nav for an owner who did not", caseworker("nav"), "pk-omar", false},
		{"nav for an owner with ID-porten", caseworker("nav"), "kari", false},
		{"nav for the co-owner", caseworker("nav"), "per", false},
		{"nav for a member", caseworker("nav"), "mia", false},
		{"nav for someone else", caseworker("nav"), "pk-ola", false},
		{"nav for nobody", caseworker("nav"), "", false},
		{"expired grant", caseworker("bv"), "pk-amina", false},
		{"revoked grant", caseworker("hb"), "pk-amina", false},
		{"no grant", caseworker("police"), "pk-amina", false},
		{"agency admin", access.Actor{Kind: access.Agency, UserID: "ada", AgencyID: "nav", AgencyRoles: []veikart.AgencyRole{veikart.AdminRole}}, "pk-amina", false},
		{"the owner herself", access.Actor{Kind: access.Person, UserID: "pk-amina"}, "pk-amina", false},
		{"operator", access.Actor{Kind: access.Operator, UserID: "operator"}, "pk-amina", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := access.MayRecover(tc.actor, tc.user, owned, now); got != tc.want {
				t.Errorf("%v, want %v", got, tc.want)
			}
		})
	}
	if access.MayRecover(caseworker("nav"), "pk-amina", nil, now) {
		t.Error("recovery allowed without a roadmap")
	}
	if got := access.Recoverable(caseworker("nav"), r, now); !slices.Equal(got, []string{"pk-amina"}) {
		t.Errorf("Recoverable: %v, want only pk-amina", got)
	}
	if got := access.Recoverable(caseworker("bv"), r, now); got != nil {
		t.Errorf("Recoverable through an expired grant: %v", got)
	}
}

// TestProject_NoHouseholdIDsForAgencies: an agency's view holds no account
// id and names members by keys of its own, the same key for the same
// member throughout the view, another for every agency; without the
// household section nothing points at a member at all.
func TestProject_NoHouseholdIDsForAgencies(t *testing.T) {
	r := household(t)
	var err error
	members := []string{"m1", "m2"}
	if r, _, err = r.Apply([]veikart.Op{
		veikart.UpdateArea{ID: "o1", AreaID: "housing", BaseVersion: r.Version, Set: veikart.AreaPatch{MemberIDs: &members}},
		veikart.AddStep{ID: "o2", Step: veikart.Step{ID: "s1", AreaID: "housing", Title: "Søke bolig", Term: veikart.ShortTerm, Responsible: veikart.Responsible{Kind: veikart.ByMember, MemberID: "m1"}, MemberIDs: []string{"m2"}}},
	}, t0); err != nil {
		t.Fatal(err)
	}
	if r, _, err = r.AddComment(veikart.Comment{ID: "c1", Section: veikart.AreaSection("housing"), UserID: "kari", Text: "kari"}, t0); err != nil {
		t.Fatal(err)
	}
	if r, _, err = r.AddComment(veikart.Comment{ID: "c2", Section: veikart.AreaSection("housing"), UserID: "cw-nav", AgencyID: "nav", Text: "nav"}, t0); err != nil {
		t.Fatal(err)
	}

	// Without the household section: no member, no pointer to one.
	v := access.Project(caseworker("nav"), r, t0).Roadmap
	if len(v.Members) != 0 || len(v.Areas[0].MemberIDs) != 0 || len(v.Steps[0].MemberIDs) != 0 || v.Steps[0].Responsible != (veikart.Responsible{Kind: veikart.ByHousehold}) {
		t.Errorf("member references without the household section: %+v %+v", v.Areas[0], v.Steps[0])
	}
	if v.Comments[0].UserID != "" || v.Comments[1].UserID != "cw-nav" {
		t.Errorf("comments' authors: %q %q, want only the agency's own", v.Comments[0].UserID, v.Comments[1].UserID)
	}

	// With it: keys, consistent within the view, differing between agencies.
	if r, _, err = r.UpdateGrant("g-nav", "kari", veikart.GrantPatch{Sections: []veikart.Section{veikart.SectionHousehold, veikart.AreaSection("housing"), veikart.StepsSection("housing")}}, t0, veikart.ConsentPolicy{}); err != nil {
		t.Fatal(err)
	}
	v = access.Project(caseworker("nav"), r, t0).Roadmap
	k1, k2 := access.MemberKey(r.ID, "nav", "m1"), access.MemberKey(r.ID, "nav", "m2")
	if v.Members[0].ID != k1 || v.Members[1].ID != k2 || v.Members[1].UserID != "" {
		t.Errorf("members %+v, want keys %s %s and no account", v.Members, k1, k2)
	}
	if !slices.Equal(v.Areas[0].MemberIDs, []string{k1, k2}) || v.Steps[0].Responsible.MemberID != k1 || !slices.Equal(v.Steps[0].MemberIDs, []string{k2}) {
		t.Errorf("references %+v %+v, want the members' keys", v.Areas[0], v.Steps[0])
	}
	if k1 == access.MemberKey(r.ID, "bv", "m1") || k1 == access.MemberKey("other", "nav", "m1") {
		t.Error("two agencies, or two roadmaps, share a member key")
	}
	if r.Members[0].ID != "m1" || r.Areas[0].MemberIDs[0] != "m1" {
		t.Error("projection changed its input")
	}
}

// TestSummarize_AgreesWithProject: the caseworkers' list counts exactly
// what Project would show, for every kind of actor, before, during and
// after grants (BV's runs out after an hour, KO's opens on 2026-12-05).
func TestSummarize_AgreesWithProject(t *testing.T) {
	r := household(t)
	var err error
	for _, c := range []veikart.Comment{
		{ID: "c1", Section: veikart.AreaSection("housing"), UserID: "cw-bv", AgencyID: "bv", Text: "bv"},
		{ID: "c2", Section: veikart.AreaSection("housing"), UserID: "kari", Text: "kari"},
		{ID: "c3", Section: veikart.AreaSection("health"), UserID: "kari", Text: "health"},
		{ID: "c4", Section: veikart.StepsSection("housing"), UserID: "cw-nav", AgencyID: "nav", Text: "nav"},
	} {
		if r, _, err = r.AddComment(c, t0); err != nil {
			t.Fatal(err)
		}
	}
	actors := map[string]access.Actor{
		"owner":    {Kind: access.Person, UserID: "kari"},
		"member":   {Kind: access.Person, UserID: "mia"},
		"stranger": {Kind: access.Person, UserID: "ola"},
		"nav":      caseworker("nav"),
		"bv":       caseworker("bv"),
		"hb":       caseworker("hb"),
		"ko":       caseworker("ko"),
		"navadmin": {Kind: access.Agency, UserID: "adm", AgencyID: "nav", AgencyRoles: []veikart.AgencyRole{veikart.AdminRole}},
	}
	times := map[string]time.Time{
		"now": t0, "bv expired": t0.Add(2 * time.Hour),
		"ko open": time.Date(2026, 12, 8, 12, 0, 0, 0, oslo), "ko closed": time.Date(2026, 12, 20, 12, 0, 0, 0, oslo),
	}
	seen := 0
	for an, a := range actors {
		for tn, at := range times {
			v := access.Project(a, r, at)
			sum, ok := access.Summarize(a, r, at)
			wantOK := v != nil && v.Role == access.RoleCaseworker && v.Grant != nil
			if ok != wantOK {
				t.Errorf("%s at %s: Summarize ok=%v, Project gives %+v", an, tn, ok, v)
				continue
			}
			if !ok {
				continue
			}
			seen++
			got := [3]int{sum.Areas, sum.Steps, sum.Comments}
			want := [3]int{len(v.Roadmap.Areas), len(v.Roadmap.Steps), len(v.Roadmap.Comments)}
			if got != want || sum.Grant.ID != v.Grant.ID || !slices.Equal(sum.Sections, v.Sections) || sum.Role != v.Role || sum.Roadmap != nil {
				t.Errorf("%s at %s: summary %v %s %v, project %v %s %v", an, tn, got, sum.Grant.ID, sum.Sections, want, v.Grant.ID, v.Sections)
			}
		}
	}
	if seen < 4 {
		t.Fatalf("only %d caseworker views compared; the fixture lost its grants", seen)
	}
}

// TestEnded: a caseworker without access learns why, if their agency had a
// grant: revoked (HB) or run out (BV); an agency in force (NAV), one never
// granted, one whose grant is still to come (KO before its window), a
// person, or an administrator who is not a caseworker learn nothing.
func TestEnded(t *testing.T) {
	r := household(t)
	admin := access.Actor{Kind: access.Agency, UserID: "adm", AgencyID: "bv", AgencyRoles: []veikart.AgencyRole{veikart.AdminRole}}
	at := t0.Add(2 * time.Hour)
	for _, c := range []struct {
		name  string
		actor access.Actor
		want  access.Ending
		ok    bool
	}{
		{"revoked", caseworker("hb"), access.Ending{Revoked: true, At: t0}, true},
		{"expired", caseworker("bv"), access.Ending{At: t0.Add(time.Hour)}, true},
		{"in force", caseworker("nav"), access.Ending{}, false},
		{"never granted", caseworker("other"), access.Ending{}, false},
		{"planned for later", caseworker("ko"), access.Ending{}, false},
		{"a person", access.Actor{Kind: access.Person, UserID: "kari"}, access.Ending{}, false},
		{"an administrator", admin, access.Ending{}, false},
	} {
		got, ok := access.Ended(c.actor, r, at)
		if ok != c.ok || got != c.want {
			t.Errorf("%s: %+v %v, want %+v %v", c.name, got, ok, c.want, c.ok)
		}
	}
	if _, ok := access.Ended(caseworker("bv"), r, t0); ok {
		t.Error("BV's grant ended before it expired")
	}
}
