package veikart

import (
	"net/mail"
	"strings"
	"time"
)

// The household's team: the agencies it shares with, each with a named
// contact person, and one coordinator the household chooses among them.
// The report Veikart comes from found that nobody held the whole; the
// coordinator is the one person who does, by the household's choice.

// SeeTeam lets an agency see the household's team list: which agencies
// help, their contact persons and who coordinates. The household decides
// it per agency, like every other permission.
const SeeTeam Permission = "team"

// Contact is the person an agency names as the household's fixed contact:
// what the family sees of them, and how to reach them.
type Contact struct {
	UserID string // the caseworker's account; never shown to others
	Name   string
	Role   string // "veileder", "boligkonsulent" ...
	Phone  string
	Email  string
	At     time.Time
}

// Coordinator is the caseworker the household chose to hold the whole:
// the contact person of one of the agencies it shares with.
type Coordinator struct {
	AgencyID string
	UserID   string
	Since    time.Time
	By       string // the owner who chose them
}

// Receipt kinds for the team.
const (
	ReceiptCoordinator        ReceiptKind = "coordinator"
	ReceiptCoordinatorRemoved ReceiptKind = "coordinator-removed"
	ReceiptContact            ReceiptKind = "contact" // an agency named its contact person
)

// Team limits.
const (
	MaxContactRole  = 100
	MaxContactPhone = 30
	MaxContactEmail = 254
)

// IsCoordinator reports whether the caseworker userID of agencyID is r's
// coordinator now: chosen by the household, and their agency's grant in
// force. When the grant ends the choice stands but gives nothing.
func (r *Roadmap) IsCoordinator(agencyID, userID string, now time.Time) bool {
	c := r.Coordinator
	if c.UserID == "" || c.UserID != userID || c.AgencyID != agencyID {
		return false
	}
	_, ok := r.ActiveGrant(agencyID, now)
	return ok
}

// SetContact names c as agencyID's contact person for the household, on
// the agency's grant in force. The same contact again changes nothing.
func (r *Roadmap) SetContact(agencyID string, c Contact, now time.Time) (*Roadmap, Contact, error) {
	now = clock(now)
	g, ok := r.ActiveGrant(agencyID, now)
	if !ok {
		return nil, Contact{}, &Error{Code: ENOTFOUND, Message: "Your agency has no access to this roadmap now."}
	}
	var err error
	if c.Name, err = cleanText(c.Name, 1, MaxName, "/name"); err != nil {
		return nil, Contact{}, err
	}
	if c.Role, err = cleanText(c.Role, 0, MaxContactRole, "/role"); err != nil {
		return nil, Contact{}, err
	}
	if c.Phone, err = cleanPhone(c.Phone); err != nil {
		return nil, Contact{}, err
	}
	if c.Email, err = cleanEmail(c.Email); err != nil {
		return nil, Contact{}, err
	}
	old := g.Contact
	if old.UserID == c.UserID && old.Name == c.Name && old.Role == c.Role && old.Phone == c.Phone && old.Email == c.Email {
		return r, old, nil
	}
	c.At = now
	n := r.next(now)
	for i := range n.Grants {
		if n.Grants[i].ID == g.ID {
			n.Grants[i].Contact = c
			n.Grants[i].UpdatedAt = now
			g = n.Grants[i]
		}
	}
	// A new person on the team: the household has a receipt of it. (The
	// same person changing their phone number is no new person.)
	if old.UserID != c.UserID {
		n.addReceipt(ReceiptContact, c.UserID, g, now)
	}
	// A coordinator who is no longer their agency's contact person stops
	// being one: the household chose that person as the agency's named
	// contact, and it is told by the receipt.
	if n.Coordinator.AgencyID == agencyID && n.Coordinator.UserID != c.UserID {
		n.Coordinator = Coordinator{}
		n.addReceipt(ReceiptCoordinatorRemoved, c.UserID, g, now)
	}
	return n, c, nil
}

// SetCoordinator makes the contact person userID of agencyID the
// household's coordinator, or, with both empty, has none. The agency must
// have a grant in force and have named that person its contact.
func (r *Roadmap) SetCoordinator(agencyID, userID, by string, now time.Time) (*Roadmap, Coordinator, error) {
	now = clock(now)
	if agencyID == "" && userID == "" {
		if r.Coordinator.UserID == "" {
			return r, Coordinator{}, nil
		}
		n := r.next(now)
		g, _ := r.latestGrant(r.Coordinator.AgencyID)
		n.Coordinator = Coordinator{}
		n.addReceipt(ReceiptCoordinatorRemoved, by, g, now)
		return n, Coordinator{}, nil
	}
	g, ok := r.ActiveGrant(agencyID, now)
	if !ok {
		return nil, Coordinator{}, &Error{Code: EINVALID, Message: "This agency has no access to your roadmap now.", Pointer: "/agencyId"}
	}
	if g.Contact.UserID == "" || g.Contact.UserID != userID {
		return nil, Coordinator{}, &Error{Code: EINVALID, Message: "The coordinator must be the agency's contact person for you.", Pointer: "/userId"}
	}
	if r.Coordinator.AgencyID == agencyID && r.Coordinator.UserID == userID {
		return r, r.Coordinator, nil
	}
	n := r.next(now)
	n.Coordinator = Coordinator{AgencyID: agencyID, UserID: userID, Since: now, By: by}
	n.addReceipt(ReceiptCoordinator, by, g, now)
	return n, n.Coordinator, nil
}

// latestGrant is agencyID's newest grant, in force or not.
func (r *Roadmap) latestGrant(agencyID string) (Grant, bool) {
	for i := len(r.Grants) - 1; i >= 0; i-- {
		if r.Grants[i].AgencyID == agencyID {
			return r.Grants[i], true
		}
	}
	return Grant{AgencyID: agencyID}, false
}

// cleanPhone allows what people write in a phone number: digits, a
// leading +, spaces and dashes; empty is none.
func cleanPhone(s string) (string, error) {
	s = strings.TrimSpace(s)
	digits := 0
	for i, c := range s {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '+' && i == 0, c == ' ', c == '-':
		default:
			return "", &Error{Code: EINVALID, Message: "A phone number has digits, spaces, dashes and perhaps a leading +.", Pointer: "/phone"}
		}
	}
	if len(s) > MaxContactPhone || (s != "" && digits < 3) {
		return "", &Error{Code: EINVALID, Message: "This does not look like a phone number.", Pointer: "/phone"}
	}
	return s, nil
}

// cleanEmail allows one plain address (no display name); empty is none.
func cleanEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > MaxContactEmail {
		return "", &Error{Code: EINVALID, Message: "This does not look like an e-mail address.", Pointer: "/email"}
	}
	return s, nil
}
