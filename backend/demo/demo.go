// Package demo builds the demo household that development mode shows a
// newcomer, and that benchmarks and load tests use as a realistic roadmap: a
// household of three, eight areas with a few sentences each and ten steps,
// about 4 KB of JSON.
package demo

import (
	"fmt"
	"time"

	"github.com/veikart/veikart/backend/veikart"
)

// Roadmap returns the demo roadmap with the given id, owned by owner. Step due
// dates are placed relative to now, so the demo always looks current.
func Roadmap(id, owner string, now time.Time) *veikart.Roadmap {
	r, err := veikart.NewRoadmap(id, owner, "Familien Haugen", []veikart.Member{
		{ID: "kari", Name: "Kari Haugen", BirthYear: 1987, Role: veikart.Adult},
		{ID: "amir", Name: "Amir Haugen", BirthYear: 1984, Role: veikart.Adult},
		{ID: "sara", Name: "Sara", BirthYear: 2011, Role: veikart.Child},
	}, now)
	if err != nil {
		panic(fmt.Sprintf("demo roadmap is invalid: %v", err)) // a programming error
	}
	text := map[string][2]string{
		"housing":   {"Vi bor fem personer i en toroms leilighet med fukt på badet. Husleia er høy og kontrakten går ut i mars.", "Et trygt hjem med eget rom til Sara, nær skolen hennes, som vi har råd til over tid."},
		"work":      {"Amir har deltidsjobb på lager, ti timer i uka. Kari er hjemme og går på norskkurs.", "Amir i fast stilling, og Kari i arbeidspraksis innen helse og omsorg."},
		"education": {"Sara går i sjette klasse og trives, men strever med matte. Kari har fagbrev fra hjemlandet som ikke er godkjent.", "Sara får leksehjelp. Karis utdanning er godkjent, eller hun tar fagbrev her."},
		"economy":   {"Vi har gjeld etter et billån og kommer ofte til kort mot slutten av måneden.", "En plan for gjelden og et budsjett som går opp hver måned."},
		"family":    {"Vi er mye sammen, men trangboddheten gir mange konflikter.", "Ro i hjemmet og tid til hverandre i helgene."},
		"health":    {"Kari sover dårlig og har hodepine. Sara har astma som blir verre av fukten.", "Bedre søvn for Kari, og Saras astma under kontroll."},
		"network":   {"Vi kjenner få her utenom to familier fra kirka.", "Flere å spørre om hjelp, og en fast kontakt i kommunen."},
		"leisure":   {"Sara vil gjerne spille fotball, men vi har ikke råd til kontingent og utstyr.", "Sara på fotballag, og en aktivitet for hele familien."},
	}
	scores := map[string][2]int{"housing": {1, 4}, "work": {2, 4}, "economy": {1, 3}, "health": {2, 4}}
	for i := range r.Areas {
		a := &r.Areas[i]
		a.Now, a.Desired = text[a.ID][0], text[a.ID][1]
		a.ScoreNow, a.ScoreDesired = scores[a.ID][0], scores[a.ID][1]
	}
	r.Areas[0].MemberIDs = []string{"kari", "amir", "sara"}
	r.Areas[5].MemberIDs = []string{"kari", "sara"}

	day := func(d int) string { return now.AddDate(0, 0, d).Format(time.DateOnly) }
	steps := []veikart.Step{
		{ID: "s1", AreaID: "housing", Title: "Søke om kommunal bolig", Responsible: veikart.Responsible{Kind: veikart.ByMember, MemberID: "kari"}, Due: day(7), Status: veikart.Doing, Term: veikart.ShortTerm},
		{ID: "s2", AreaID: "housing", Title: "Søke startlån hos Husbanken", Responsible: veikart.Responsible{Kind: veikart.ByAgency, AgencyID: "husbanken"}, Due: day(60), Status: veikart.Planned, Term: veikart.LongTerm},
		{ID: "s3", AreaID: "housing", Title: "Melde fukt på badet til utleier skriftlig", Responsible: veikart.Responsible{Kind: veikart.ByMember, MemberID: "amir"}, Due: day(2), Status: veikart.Planned, Term: veikart.ShortTerm},
		{ID: "s4", AreaID: "work", Title: "Møte med NAV-veileder om arbeidspraksis", Responsible: veikart.Responsible{Kind: veikart.ByAgency, AgencyID: "nav"}, Due: day(10), Status: veikart.Planned, Term: veikart.ShortTerm},
		{ID: "s5", AreaID: "education", Title: "Søke godkjenning av utdanning", Responsible: veikart.Responsible{Kind: veikart.ByMember, MemberID: "kari"}, Due: day(30), Status: veikart.Planned, Term: veikart.LongTerm},
		{ID: "s6", AreaID: "education", Title: "Spørre skolen om leksehjelp", Responsible: veikart.Responsible{Kind: veikart.ByHousehold}, Due: day(5), Status: veikart.Done, Term: veikart.ShortTerm},
		{ID: "s7", AreaID: "economy", Title: "Time hos gjeldsrådgiver", Responsible: veikart.Responsible{Kind: veikart.ByAgency, AgencyID: "nav"}, Due: day(14), Status: veikart.Planned, Term: veikart.ShortTerm},
		{ID: "s8", AreaID: "health", Title: "Legetime for Kari om søvn", Responsible: veikart.Responsible{Kind: veikart.ByMember, MemberID: "kari"}, Due: day(9), Status: veikart.Planned, Term: veikart.ShortTerm},
		{ID: "s9", AreaID: "leisure", Title: "Søke om støtte til fritidsaktivitet", Responsible: veikart.Responsible{Kind: veikart.ByHousehold}, Due: day(21), Status: veikart.Planned, Term: veikart.ShortTerm, MemberIDs: []string{"sara"}},
		{ID: "s10", AreaID: "network", Title: "Bli med på familiekafé i bydelen", Responsible: veikart.Responsible{Kind: veikart.ByHousehold}, Status: veikart.Planned, Term: veikart.LongTerm},
	}
	t := now.UTC().Truncate(time.Millisecond)
	for i := range steps {
		steps[i].CreatedAt, steps[i].UpdatedAt, steps[i].Version = t, t, 1
	}
	r.Steps = steps
	return r
}
