package storage

import (
	"reflect"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/veikart/veikart/backend/demo"
	"github.com/veikart/veikart/backend/veikart"
)

// Roadmaps written before compression (format 1) must still read, and both
// formats must give back exactly the roadmap that was stored.
func TestRoadmapDoc_Formats(t *testing.T) {
	want := demo.Roadmap("rm1", "u1", time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
	d, err := toRoadmapDoc(want)
	if err != nil {
		t.Fatal(err)
	}
	if d.Format != formatZstdBSON {
		t.Fatalf("new documents are written as format %d", d.Format)
	}
	raw, err := zdec.DecodeAll(d.Body, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Body) >= len(raw) {
		t.Errorf("compressed body %d bytes, raw %d", len(d.Body), len(raw))
	}
	old := d
	old.Format, old.Body = formatBSON, raw
	for _, doc := range []roadmapDoc{d, old} {
		got, err := doc.toDomain()
		if err != nil {
			t.Fatalf("format %d: %v", doc.Format, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("format %d read back\n%+v\nwant\n%+v", doc.Format, got, want)
		}
	}
	bad := d
	bad.Body = []byte("not zstd")
	if _, err := bad.toDomain(); err == nil {
		t.Error("a corrupt body decoded without error")
	}
	bad.Format = 9
	if _, err := bad.toDomain(); err == nil {
		t.Error("an unknown format decoded without error")
	}
}

// Consent records (grants, requests, invitations, comments, proposals,
// receipts) and linked members must come back exactly as stored, with times
// that were never set still zero.
func TestRoadmapDoc_Consent(t *testing.T) {
	at := func(min int) time.Time {
		return time.Date(2026, 11, 26, 9, min, 7, 123_000_000, time.UTC)
	}
	want := demo.Roadmap("rm1", "u1", at(0))
	want.Members[0].UserID = "u2"
	sections := []veikart.Section{veikart.SectionHousehold, veikart.AreaSection("housing"), veikart.StepsSection("housing")}
	perms := []veikart.Permission{veikart.View, veikart.CommentOn, veikart.Propose}
	want.Grants = []veikart.Grant{
		{
			ID: "g1", AgencyID: "nav-oslo", Sections: sections, Permissions: perms, Purpose: "Oppfølging av bolig",
			CreatedAt: at(1), CreatedBy: "u1", UpdatedAt: at(2), ExpiresAt: at(3).AddDate(0, 3, 0),
			Status: veikart.GrantRevoked, RevokedAt: at(4), RevokedBy: "u1", Via: "request:q1",
		},
		{
			ID: "g2", AgencyID: "bydel", Sections: []veikart.Section{veikart.AreaSection("work")}, Permissions: []veikart.Permission{veikart.View},
			Purpose: "Arbeid", CreatedAt: at(5), CreatedBy: "u1", UpdatedAt: at(5), ExpiresAt: at(6), Status: veikart.GrantActive, Via: "owner",
			Contact: veikart.Contact{UserID: "c3", Name: "Vera Veileder", Role: "veileder", Phone: "+47 22 00 00 00", Email: "vera@bydel.no", At: at(6)},
		},
	}
	want.Coordinator = veikart.Coordinator{AgencyID: "bydel", UserID: "c3", Since: at(7), By: "u1"}
	want.Steps[0].Responsible = veikart.Responsible{Kind: veikart.ByAgency, AgencyID: "bydel"}
	// When a step's status changed, and the review rhythm (review.go).
	want.Steps[0].StatusAt = at(8)
	want.Review = veikart.ReviewPlan{Months: 3, SetAt: at(9), LastAt: at(10)}
	want.Steps[0].Promise = veikart.Promise{Status: veikart.PromiseAccepted, AskedAt: at(1), Due: "2026-12-24", By: "c3", ByName: "Vera",
		AnsweredAt: at(2), Outcome: veikart.PromiseKept, OutcomeAt: at(3)}
	want.Meetings = []veikart.Meeting{{
		ID: "mt1", At: at(30).Truncate(time.Minute), Minutes: 90, Place: "NAV-kontoret", Invitees: []string{"bydel", "nav-oslo"}, Status: veikart.MeetingApproved,
		CalledBy: "c3", CalledByAgency: "bydel", ApprovedAt: at(31), CreatedAt: at(20), UpdatedAt: at(31),
		Agenda: []veikart.AgendaItem{
			{ID: "a1", AreaID: "housing", Text: "Bolig", Notes: "Søknaden\ner sendt.", Decisions: []veikart.Decision{{
				ID: "d1", AreaID: "housing", Text: "Ringe utleier", Responsible: veikart.Responsible{Kind: veikart.ByAgency, AgencyID: "bydel"}, Due: "2026-12-20", StepID: "d1"}}},
			{ID: "a2", Text: "Annet"},
		},
	}}
	want.Steps[0].TransitionID, want.Steps[0].ChecklistKey = "t1", "bed"
	want.Requests = []veikart.AccessRequest{
		{
			ID: "q1", AgencyID: "nav-oslo", RequestedBy: "c1", Sections: sections, Permissions: perms, Purpose: "Oppfølging",
			CreatedAt: at(1), Status: veikart.RequestApproved, DecidedAt: at(2), DecidedBy: "u1", GrantID: "g1",
		},
		{
			ID: "q2", AgencyID: "skole", RequestedBy: "c2", Sections: []veikart.Section{veikart.SectionHousehold},
			Permissions: []veikart.Permission{veikart.View}, Purpose: "Skole", CreatedAt: at(7), Status: veikart.RequestPending,
		},
	}
	want.Invitations = []veikart.Invitation{
		{
			ID: "i1", Kind: veikart.InviteAgency, CodeHash: "hash1", CreatedBy: "u1", CreatedAt: at(8), ExpiresAt: at(18),
			Sections: sections, Permissions: perms, Purpose: "Møte", GrantExpiresAt: at(8).AddDate(0, 1, 0),
			MemberID: "sara", UsedAt: at(9), UsedBy: "c3", UsedByAgency: "bydel",
		},
		{ID: "i2", Kind: veikart.InviteOwner, CodeHash: "hash2", CreatedBy: "u1", CreatedAt: at(10), ExpiresAt: at(20)},
	}
	want.Comments = []veikart.Comment{
		{ID: "c1", Section: veikart.StepsSection("housing"), StepID: "s1", UserID: "c1", AgencyID: "nav-oslo", Text: "Vi kan hjelpe\nmed søknaden.", CreatedAt: at(11)},
		{ID: "c2", Section: veikart.SectionHousehold, UserID: "u1", Text: "Takk!", CreatedAt: at(12)},
	}
	want.Proposals = []veikart.Proposal{
		{
			ID: "p1", AgencyID: "nav-oslo", UserID: "c1",
			Step: veikart.Step{
				ID: "proposed", AreaID: "housing", Title: "Søke bostøtte", Note: "Husbanken",
				Responsible: veikart.Responsible{Kind: veikart.ByAgency, MemberID: "kari", AgencyID: "nav-oslo"},
				Due:         "2026-12-31", Status: veikart.Planned, Term: veikart.ShortTerm, MemberIDs: []string{"kari", "amir"},
				CreatedAt: at(13), UpdatedAt: at(14), Version: 7, Changed: map[string]int64{"title": 7},
			},
			Status: veikart.ProposalAccepted, CreatedAt: at(13), DecidedAt: at(15), DecidedBy: "u1", StepID: "s9",
		},
		{
			ID: "p2", AgencyID: "bydel", UserID: "c3",
			Step: veikart.Step{
				ID: "proposed", AreaID: "work", Title: "Arbeidspraksis", Responsible: veikart.Responsible{Kind: veikart.ByHousehold},
				Status: veikart.Planned, Term: veikart.LongTerm, CreatedAt: at(16), UpdatedAt: at(16),
			},
			Status: veikart.ProposalPending, CreatedAt: at(16),
		},
	}
	want.Receipts = []veikart.Receipt{
		{
			ID: "rc2-0", Kind: veikart.ReceiptGranted, At: at(2), By: "u1", GrantID: "g1", AgencyID: "nav-oslo",
			Sections: sections, Permissions: perms, Purpose: "Oppfølging av bolig", ExpiresAt: at(3).AddDate(0, 3, 0),
		},
		{ID: "rc3-1", Kind: veikart.ReceiptOwner, At: at(17), By: "u3"},
	}

	d, err := toRoadmapDoc(want)
	if err != nil {
		t.Fatal(err)
	}
	got, err := d.toDomain()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read back\n%+v\nwant\n%+v", got, want)
	}

	// A roadmap without consent records stores none of their keys, and one
	// stored before they existed reads back without them.
	d, err = toRoadmapDoc(demo.Roadmap("rm2", "u1", at(0)))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := zdec.DecodeAll(d.Body, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"grants", "requests", "invitations", "comments", "proposals", "receipts"} {
		if _, err := bson.Raw(raw).LookupErr(key); err == nil {
			t.Errorf("a roadmap without %s stores the key", key)
		}
	}
	if got, err = d.toDomain(); err != nil {
		t.Fatal(err)
	}
	if got.Grants != nil || got.Requests != nil || got.Invitations != nil || got.Comments != nil || got.Proposals != nil || got.Receipts != nil {
		t.Errorf("a roadmap without consent records read back with some: %+v", got)
	}
}
