package veikart_test

import (
	"testing"
	"time"

	"github.com/veikart/veikart/backend/veikart"
)

func TestSetContact(t *testing.T) {
	ok := veikart.Contact{UserID: "cw", Name: "Vera Veileder", Role: "veileder", Phone: "+47 51 00 00 00", Email: "vera@nav.no"}
	cases := []struct {
		name    string
		agency  string
		mod     func(*veikart.Contact)
		code    string
		pointer string
	}{
		{"valid", "nav", func(*veikart.Contact) {}, "", ""},
		{"no phone or e-mail", "nav", func(c *veikart.Contact) { c.Phone, c.Email = "", "" }, "", ""},
		{"no name", "nav", func(c *veikart.Contact) { c.Name = " " }, veikart.EINVALID, "/name"},
		{"phone with letters", "nav", func(c *veikart.Contact) { c.Phone = "ring meg" }, veikart.EINVALID, "/phone"},
		{"phone too short", "nav", func(c *veikart.Contact) { c.Phone = "12" }, veikart.EINVALID, "/phone"},
		{"plus inside a phone", "nav", func(c *veikart.Contact) { c.Phone = "47+51" }, veikart.EINVALID, "/phone"},
		{"e-mail with a display name", "nav", func(c *veikart.Contact) { c.Email = "Vera <vera@nav.no>" }, veikart.EINVALID, "/email"},
		{"not an e-mail", "nav", func(c *veikart.Contact) { c.Email = "vera at nav" }, veikart.EINVALID, "/email"},
		{"agency without a grant", "bolig", func(*veikart.Contact) {}, veikart.ENOTFOUND, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := withAgencyStep(t)
			c := ok
			tc.mod(&c)
			n, got, err := r.SetContact(tc.agency, c, now0)
			if tc.code != "" {
				if veikart.ErrorCode(err) != tc.code {
					t.Fatalf("err = %v, want %s", err, tc.code)
				}
				if e, isErr := err.(*veikart.Error); isErr && e.Pointer != tc.pointer {
					t.Fatalf("pointer %q, want %q", e.Pointer, tc.pointer)
				}
				return
			}
			if err != nil || got.Name != c.Name || n.Version != r.Version+1 {
				t.Fatalf("SetContact = %+v, %v", got, err)
			}
			if last := n.Receipts[len(n.Receipts)-1]; last.Kind != veikart.ReceiptContact || last.AgencyID != "nav" {
				t.Errorf("receipt %+v", last)
			}
			again, _, err := n.SetContact(tc.agency, c, now0.Add(time.Minute))
			if err != nil || again != n {
				t.Errorf("the same contact again changed the roadmap: %v", err)
			}
		})
	}
}

func TestSetCoordinator(t *testing.T) {
	r := withAgencyStep(t)
	if _, _, err := r.SetCoordinator("nav", "cw", "kari", now0); veikart.ErrorCode(err) != veikart.EINVALID {
		t.Fatalf("coordinator who is no contact: %v", err)
	}
	r, _, err := r.SetContact("nav", veikart.Contact{UserID: "cw", Name: "Vera"}, now0)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.SetCoordinator("bolig", "cw", "kari", now0); veikart.ErrorCode(err) != veikart.EINVALID {
		t.Fatalf("coordinator of an agency without access: %v", err)
	}
	n, c, err := r.SetCoordinator("nav", "cw", "kari", now0)
	if err != nil || c.UserID != "cw" || !n.IsCoordinator("nav", "cw", now0) {
		t.Fatalf("SetCoordinator = %+v, %v", c, err)
	}
	if last := n.Receipts[len(n.Receipts)-1]; last.Kind != veikart.ReceiptCoordinator || last.By != "kari" {
		t.Errorf("receipt %+v", last)
	}
	// Past the grant's end the choice stands but gives nothing.
	if n.IsCoordinator("nav", "cw", now0.Add(91*24*time.Hour)) {
		t.Error("a coordinator after the grant ended")
	}
	// NAV names another person: the coordinator is no longer one.
	m, _, err := n.SetContact("nav", veikart.Contact{UserID: "cw2", Name: "Per"}, now0)
	if err != nil || m.Coordinator.UserID != "" {
		t.Fatalf("new contact kept the old coordinator: %+v %v", m.Coordinator, err)
	}
	kinds := []veikart.ReceiptKind{}
	for _, rc := range m.Receipts[len(m.Receipts)-2:] {
		kinds = append(kinds, rc.Kind)
	}
	if kinds[0] != veikart.ReceiptContact || kinds[1] != veikart.ReceiptCoordinatorRemoved {
		t.Errorf("receipts %v", kinds)
	}
	// None: removed, with a receipt; none again changes nothing.
	o, _, err := n.SetCoordinator("", "", "kari", now0)
	if err != nil || o.Coordinator.UserID != "" || o.Receipts[len(o.Receipts)-1].Kind != veikart.ReceiptCoordinatorRemoved {
		t.Fatalf("remove: %+v %v", o.Coordinator, err)
	}
	if p, _, err := o.SetCoordinator("", "", "kari", now0); err != nil || p != o {
		t.Fatalf("remove twice: %v", err)
	}
}
