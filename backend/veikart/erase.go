package veikart

import (
	"slices"
	"time"
)

// ErasedPerson stands in for the user id of a person who erased their
// account, in the records that outlive them on roadmaps they did not own
// alone: a co-owner's consent receipts, a caseworker's comment. The records
// keep what happened and when (the household's evidence of its consent and of
// who read what), but no longer who: the id is gone from the database.
const ErasedPerson = "erased-person"

// ErasureNotice tells an agency that a roadmap shared with it was deleted by
// its owners. It names neither the roadmap nor anyone in it: only when it
// was deleted and when the agency's grant was made, which is enough for a
// caseworker to recognise the case in their own records.
type ErasureNotice struct {
	ID             string
	At             time.Time
	GrantCreatedAt time.Time
}

// WithoutPerson returns a copy of r in which userID appears nowhere: no
// longer an owner, member links to the account cleared (the member stays,
// by name, in the household), and in consent records and comments the id
// replaced by ErasedPerson. It returns r itself when userID appears nowhere.
// The caller decides beforehand that r has other owners: a roadmap its last
// owner leaves is erased whole, not kept ownerless.
func (r *Roadmap) WithoutPerson(userID string, now time.Time) *Roadmap {
	if userID == "" {
		return r
	}
	n := r.Clone()
	changed := false
	swap := func(s *string) {
		if *s == userID {
			*s, changed = ErasedPerson, true
		}
	}
	if i := slices.Index(n.Owners, userID); i >= 0 {
		n.Owners, changed = slices.Delete(n.Owners, i, i+1), true
	}
	for i := range n.Members {
		if n.Members[i].UserID == userID {
			n.Members[i].UserID, changed = "", true
		}
	}
	for i := range n.Grants {
		swap(&n.Grants[i].CreatedBy)
		swap(&n.Grants[i].RevokedBy)
		if j := slices.Index(n.Grants[i].RecoveryFor, userID); j >= 0 {
			n.Grants[i].RecoveryFor, changed = slices.Delete(n.Grants[i].RecoveryFor, j, j+1), true
		}
	}
	for i := range n.Requests {
		swap(&n.Requests[i].RequestedBy)
		swap(&n.Requests[i].DecidedBy)
	}
	for i := range n.Invitations {
		swap(&n.Invitations[i].CreatedBy)
		swap(&n.Invitations[i].UsedBy)
	}
	for i := range n.Comments {
		swap(&n.Comments[i].UserID)
	}
	for i := range n.Proposals {
		swap(&n.Proposals[i].UserID)
		swap(&n.Proposals[i].DecidedBy)
	}
	for i := range n.Receipts {
		swap(&n.Receipts[i].By)
	}
	for i := range n.Transitions {
		swap(&n.Transitions[i].CreatedBy)
	}
	// A young member's yes and no stay with the member on the family's
	// roadmap (the member is the family's, the account was theirs); who
	// asked does not.
	for i := range n.Says {
		swap(&n.Says[i].AskedBy)
	}
	// The team: a caseworker who erases their account is no longer anyone's
	// contact person or coordinator, and their name leaves their answers.
	for i := range n.Grants {
		if n.Grants[i].Contact.UserID == userID {
			n.Grants[i].Contact, changed = Contact{}, true
		}
	}
	if n.Coordinator.UserID == userID {
		n.Coordinator, changed = Coordinator{}, true
	}
	swap(&n.Coordinator.By)
	for i := range n.Steps {
		if p := &n.Steps[i].Promise; p.By == userID && p.By != "" {
			p.By, p.ByName, changed = ErasedPerson, "", true
		}
	}
	for i := range n.Meetings {
		swap(&n.Meetings[i].CalledBy)
	}
	// A helper who erases their account keeps no link; the record of
	// whom the household let in, by the name it gave, stays.
	for i := range n.Areas {
		for j := range n.Areas[i].Renderings {
			swap(&n.Areas[i].Renderings[j].ByUser)
			swap(&n.Areas[i].Renderings[j].ConfirmedBy)
		}
	}
	for i := range n.Helpers {
		swap(&n.Helpers[i].UserID)
		swap(&n.Helpers[i].CreatedBy)
		swap(&n.Helpers[i].RevokedBy)
	}
	if !changed {
		return r
	}
	n.Version++
	n.UpdatedAt = now.UTC()
	return n
}

// WithoutPerson returns a copy of a without userID among its staff and with
// ErasedPerson in place of userID where it added others, or a itself when
// userID appears nowhere.
func (a *Agency) WithoutPerson(userID string, now time.Time) *Agency {
	n := a.Clone()
	changed := false
	n.Staff = slices.DeleteFunc(n.Staff, func(m StaffMember) bool {
		if m.UserID == userID {
			changed = true
			return true
		}
		return false
	})
	for i := range n.Staff {
		if n.Staff[i].AddedBy == userID {
			n.Staff[i].AddedBy, changed = ErasedPerson, true
		}
	}
	if !changed {
		return a
	}
	n.Version++
	n.UpdatedAt = now.UTC()
	return n
}

// Erasure is what an erased roadmap's erasure reached, for the caller to act
// on (tell agencies' caseworkers, forget cached state).
type Erasure struct {
	RoadmapID string
	// Roadmap is the roadmap as it was, or nil when this call finished an
	// erasure that an earlier call began.
	Roadmap *Roadmap
	// Told are the agencies that got a notice.
	Told []string
}
