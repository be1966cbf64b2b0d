package veikart_test

import (
	"slices"
	"testing"

	"github.com/veikart/veikart/backend/veikart"
)

func TestWithoutPerson(t *testing.T) {
	r := newRoadmap(t)
	r.Owners = append(r.Owners, "ola")
	r.Members = append(r.Members, veikart.Member{ID: "m2", Name: "Ola", Role: veikart.Adult, UserID: "ola"})
	r.Grants = []veikart.Grant{{ID: "g1", AgencyID: "nav", CreatedBy: "ola", RevokedBy: "kari"}}
	r.Comments = []veikart.Comment{{ID: "c1", UserID: "ola", Text: "our words"}}
	r.Receipts = []veikart.Receipt{{ID: "rc1", By: "ola"}}

	if got := r.WithoutPerson("nobody", now0); got != r {
		t.Fatal("a person who appears nowhere changes nothing")
	}
	got := r.WithoutPerson("ola", now0)
	if got == r || got.Version != r.Version+1 {
		t.Fatalf("a change is a new version: %d -> %d", r.Version, got.Version)
	}
	if slices.Contains(got.Owners, "ola") || got.Members[1].UserID != "" || got.Members[1].Name != "Ola" {
		t.Fatalf("owners %v, member %+v", got.Owners, got.Members[1])
	}
	if got.Grants[0].CreatedBy != veikart.ErasedPerson || got.Grants[0].RevokedBy != "kari" ||
		got.Comments[0].UserID != veikart.ErasedPerson || got.Comments[0].Text != "our words" || got.Receipts[0].By != veikart.ErasedPerson {
		t.Fatalf("records: %+v %+v %+v", got.Grants[0], got.Comments[0], got.Receipts[0])
	}
	// The original (a cached, shared copy) is untouched.
	if !slices.Contains(r.Owners, "ola") || r.Members[1].UserID != "ola" || r.Grants[0].CreatedBy != "ola" || r.Comments[0].UserID != "ola" {
		t.Fatal("WithoutPerson changed its receiver")
	}
}

func TestAgencyWithoutPerson(t *testing.T) {
	a, err := veikart.NewAgency("nav", veikart.KindNAV, "NAV", "Oslo", now0)
	if err != nil {
		t.Fatal(err)
	}
	if a, err = a.SetStaff("nina", []veikart.AgencyRole{veikart.AdminRole}, "op", now0); err != nil {
		t.Fatal(err)
	}
	if a, err = a.SetStaff("per", []veikart.AgencyRole{veikart.CaseworkerRole}, "nina", now0); err != nil {
		t.Fatal(err)
	}
	got := a.WithoutPerson("nina", now0)
	if len(got.Staff) != 1 || got.Staff[0].UserID != "per" || got.Staff[0].AddedBy != veikart.ErasedPerson || got.Version != a.Version+1 {
		t.Fatalf("staff after: %+v", got.Staff)
	}
	if len(a.Staff) != 2 || a.Staff[1].AddedBy != "nina" {
		t.Fatal("WithoutPerson changed its receiver")
	}
	if a.WithoutPerson("nobody", now0) != a {
		t.Fatal("no change is the same agency")
	}
}
