package veikart

import (
	"slices"
	"strconv"
	"time"
)

// Helpers: people, not agencies, whom the household lets into chosen parts
// of its roadmap. A trusted person (støtteperson, pårørende) acts on the
// family's behalf for weeks or months; an interpreter for one home visit of
// at most MaxInterpreterSession. Both are one concept, a person-grant:
// the household chooses the sections and whether they may write, until a
// time, and takes it back at once. A helper never decides anything about
// consent, ownership, members, export or erasure (package access).
//
// A helper is invited with a one-time code like a co-owner (an Invitation
// of kind InviteTrusted or InviteInterpreter naming the helper), and holds
// nothing until a person accepts it: then UserID is theirs.

// HelperKind is what sort of helper a person is.
type HelperKind string

// Helper kinds.
const (
	HelperTrusted     HelperKind = "trusted"     // støtteperson or pårørende
	HelperInterpreter HelperKind = "interpreter" // one session at a home visit
)

// Invitation kinds for helpers: accepting links the invitation's helper to
// the accepting person.
const (
	InviteTrusted     InvitationKind = "trusted"
	InviteInterpreter InvitationKind = "interpreter"
)

// Receipt kinds for helpers: the household's record of whom it let in,
// when, and when it ended.
const (
	ReceiptHelperInvited  ReceiptKind = "helper-invited"
	ReceiptHelperAccepted ReceiptKind = "helper-accepted"
	ReceiptHelperRevoked  ReceiptKind = "helper-revoked"
)

// Limits of helpers.
const (
	MaxHelpers    = 50 // helper records a roadmap keeps, ended ones included
	MaxHelperName = 100
	// MaxInterpreterSession is the longest an interpreter session runs:
	// a working day's home visit, no more.
	MaxInterpreterSession = 8 * time.Hour
	// DefaultInterpreterSession is a home visit.
	DefaultInterpreterSession = 2 * time.Hour
)

// Helper is a person-grant: one person's access to chosen sections.
type Helper struct {
	ID   string
	Kind HelperKind
	// Name is what the household calls them ("Kari"): how the access log
	// and the app name them before and after they accept.
	Name string
	// UserID is the account that accepted the invitation; "" until then.
	UserID    string
	Sections  []Section
	Write     bool // write together with the family; read only if false
	CreatedAt time.Time
	CreatedBy string // the owner who invited
	ExpiresAt time.Time
	// InvitationID is the code that links a person to this helper.
	InvitationID string
	AcceptedAt   time.Time
	RevokedAt    time.Time
	RevokedBy    string
}

// ActiveAt reports whether the helper has access at now: accepted, not
// revoked, not expired. Expiry is decided against the clock at every
// request, like a grant's.
func (h *Helper) ActiveAt(now time.Time) bool {
	return h.UserID != "" && h.UserID != ErasedPerson && h.RevokedAt.IsZero() && now.Before(h.ExpiresAt)
}

// Covers reports whether the helper's sections include s.
func (h *Helper) Covers(s Section) bool { return slices.Contains(h.Sections, s) }

// Helper returns the helper with the given id.
func (r *Roadmap) Helper(id string) (Helper, bool) {
	for _, h := range r.Helpers {
		if h.ID == id {
			return h, true
		}
	}
	return Helper{}, false
}

// ActiveHelper returns the helper record through which userID has access at
// now, if any. A person holds at most one at a time (AcceptHelper).
func (r *Roadmap) ActiveHelper(userID string, now time.Time) (Helper, bool) {
	if userID == "" {
		return Helper{}, false
	}
	for _, h := range r.Helpers {
		if h.UserID == userID && h.ActiveAt(now) {
			return h, true
		}
	}
	return Helper{}, false
}

// HelperSpec is what an owner chooses when inviting a helper.
type HelperSpec struct {
	Kind     HelperKind
	Name     string
	Sections []Section
	Write    bool
	// ExpiresAt is when access ends; zero for an interpreter means
	// DefaultInterpreterSession from now.
	ExpiresAt time.Time
}

// InviteHelper records a new helper, not yet accepted, and the invitation
// whose code hashes to inv.CodeHash that links a person to it. inv's ID,
// CodeHash, CreatedBy and ExpiresAt are the caller's; the rest is set here.
func (r *Roadmap) InviteHelper(id string, spec HelperSpec, inv Invitation, now time.Time, p ConsentPolicy) (*Roadmap, Helper, error) {
	now = clock(now)
	if !ValidID(id) {
		return nil, Helper{}, &Error{Code: EINVALID, Message: "The helper id is not valid.", Pointer: "/id"}
	}
	if _, ok := r.Helper(id); ok {
		return nil, Helper{}, &Error{Code: ECONFLICT, Message: "This id cannot be used. Choose another.", Pointer: "/id"}
	}
	h := Helper{ID: id, Kind: spec.Kind, CreatedAt: now, CreatedBy: inv.CreatedBy, InvitationID: inv.ID, Write: spec.Write}
	var err error
	if h.Name, err = cleanText(spec.Name, 1, MaxHelperName, "/name"); err != nil {
		return nil, Helper{}, err
	}
	if h.Sections, err = r.checkSections(spec.Sections, "/sections"); err != nil {
		return nil, Helper{}, err
	}
	switch spec.Kind {
	case HelperTrusted:
		inv.Kind = InviteTrusted
		if h.ExpiresAt, err = checkExpiry(spec.ExpiresAt, now, p, "/expiresAt"); err != nil {
			return nil, Helper{}, err
		}
	case HelperInterpreter:
		// An interpreter renders what the family says into the roadmap:
		// reading alone is no help at a home visit.
		inv.Kind, h.Write = InviteInterpreter, true
		h.ExpiresAt = spec.ExpiresAt.UTC().Truncate(time.Millisecond)
		if spec.ExpiresAt.IsZero() {
			h.ExpiresAt = now.Add(DefaultInterpreterSession)
		}
		if !h.ExpiresAt.After(now) || h.ExpiresAt.After(now.Add(MaxInterpreterSession)) {
			return nil, Helper{}, &Error{Code: EINVALID, Message: "An interpreter session lasts at most 8 hours.", Pointer: "/expiresAt"}
		}
	default:
		return nil, Helper{}, &Error{Code: EINVALID, Message: "There is no such kind of helper.", Pointer: "/kind"}
	}
	if len(r.Helpers) >= MaxHelpers {
		// Ended helpers stay as the household's record; the oldest of
		// them makes room before a helper in force would.
		if i := slices.IndexFunc(r.Helpers, func(x Helper) bool { return !x.RevokedAt.IsZero() || !now.Before(x.ExpiresAt) }); i < 0 {
			return nil, Helper{}, &Error{Code: ECONFLICT, Message: "There are too many helpers. End one first."}
		}
	}
	open := 0
	for _, x := range r.Invitations {
		if x.UsedAt.IsZero() && now.Before(x.ExpiresAt) {
			open++
		}
	}
	if open >= MaxOpenInvites {
		return nil, Helper{}, &Error{Code: ECONFLICT, Message: "There are too many open invitations. Wait a few minutes."}
	}
	if !inv.ExpiresAt.After(now) || inv.ExpiresAt.After(now.Add(MaxInvitationTTL)) {
		return nil, Helper{}, &Error{Code: EINVALID, Message: "An invitation lasts between a minute and half an hour.", Pointer: "/validMinutes"}
	}
	inv.CreatedAt, inv.Sections, inv.Permissions, inv.Purpose, inv.HelperID = now, nil, nil, "", id
	n := r.next(now)
	if len(n.Helpers) >= MaxHelpers {
		i := slices.IndexFunc(n.Helpers, func(x Helper) bool { return !x.RevokedAt.IsZero() || !now.Before(x.ExpiresAt) })
		n.Helpers = slices.Delete(n.Helpers, i, i+1)
	}
	n.Invitations = slices.DeleteFunc(n.Invitations, func(x Invitation) bool { return !now.Before(x.ExpiresAt) })
	n.Invitations = append(n.Invitations, inv)
	n.Helpers = append(n.Helpers, h)
	n.addHelperReceipt(ReceiptHelperInvited, inv.CreatedBy, h, now)
	return n, h, nil
}

// AcceptHelper uses the helper invitation whose code hashes to codeHash,
// once, linking its helper to userID. Owners and linked members are the
// household itself and cannot also be its helpers; a person holds one
// helper record in force at a time. Every refusal that could tell a guessed
// code something is the same errInvitation.
func (r *Roadmap) AcceptHelper(codeHash, userID string, now time.Time) (*Roadmap, Helper, error) {
	now = clock(now)
	i := slices.IndexFunc(r.Invitations, func(x Invitation) bool { return x.CodeHash == codeHash })
	if i < 0 || userID == "" {
		return nil, Helper{}, errInvitation
	}
	inv := r.Invitations[i]
	if (inv.Kind != InviteTrusted && inv.Kind != InviteInterpreter) || !inv.UsedAt.IsZero() || !now.Before(inv.ExpiresAt) {
		return nil, Helper{}, errInvitation
	}
	j := slices.IndexFunc(r.Helpers, func(h Helper) bool { return h.ID == inv.HelperID })
	if j < 0 || r.Helpers[j].UserID != "" || !r.Helpers[j].RevokedAt.IsZero() || !now.Before(r.Helpers[j].ExpiresAt) {
		return nil, Helper{}, errInvitation
	}
	if r.IsOwner(userID) || slices.ContainsFunc(r.Members, func(m Member) bool { return m.UserID == userID }) {
		return nil, Helper{}, &Error{Code: ECONFLICT, Message: "You are part of this household already."}
	}
	if _, ok := r.ActiveHelper(userID, now); ok {
		return nil, Helper{}, &Error{Code: ECONFLICT, Message: "You already help this household. Ask the family to end that first."}
	}
	n := r.next(now)
	h := &n.Helpers[j]
	h.UserID, h.AcceptedAt = userID, now
	n.Invitations[i].UsedAt, n.Invitations[i].UsedBy = now, userID
	n.addHelperReceipt(ReceiptHelperAccepted, userID, *h, now)
	return n, *h, nil
}

// RevokeHelper ends a helper's access at once: an owner taking it back, or
// ending an interpreter session. Its invitation, if still open, can no
// longer be used. Revoking twice is the same as once.
func (r *Roadmap) RevokeHelper(id, by string, now time.Time) (*Roadmap, Helper, error) {
	now = clock(now)
	i := slices.IndexFunc(r.Helpers, func(h Helper) bool { return h.ID == id })
	if i < 0 {
		return nil, Helper{}, &Error{Code: ENOTFOUND, Message: "There is no such helper."}
	}
	if !r.Helpers[i].RevokedAt.IsZero() {
		return r, r.Helpers[i], nil
	}
	n := r.next(now)
	h := &n.Helpers[i]
	h.RevokedAt, h.RevokedBy = now, by
	n.Invitations = slices.DeleteFunc(n.Invitations, func(x Invitation) bool { return x.HelperID == id && x.UsedAt.IsZero() })
	n.addHelperReceipt(ReceiptHelperRevoked, by, *h, now)
	return n, *h, nil
}

func (n *Roadmap) addHelperReceipt(kind ReceiptKind, by string, h Helper, now time.Time) {
	n.Receipts = append(n.Receipts, Receipt{
		ID: "rc" + strconv.FormatInt(n.Version, 10) + "-" + strconv.Itoa(len(n.Receipts)), Kind: kind, At: now, By: by,
		HelperID: h.ID, HelperKind: h.Kind, HelperName: h.Name, HelperWrite: h.Write,
		Sections: slices.Clone(h.Sections), ExpiresAt: h.ExpiresAt,
	})
	if len(n.Receipts) > MaxReceipts {
		n.Receipts = slices.Clone(n.Receipts[len(n.Receipts)-MaxReceipts:])
	}
}

// OpSections lists the sections an operation writes in, as r is before it:
// what a helper's permission to write is checked against. ok is false for
// an operation that writes outside every section (the title, the household
// list's members, adding or removing areas): the household's own, never a
// helper's. A step that is not there (a retried removal) has no section
// either: a helper cannot write what they cannot place.
func OpSections(r *Roadmap, op Op) (out []Section, ok bool) {
	switch o := op.(type) {
	case UpdateArea:
		if r.areaIndex(o.AreaID) < 0 {
			return nil, false
		}
		out = []Section{AreaSection(o.AreaID)}
		if o.Set.MemberIDs != nil {
			// Who the area concerns decides what a member sees and whose
			// yes sharing it needs: the household section's to say.
			out = append(out, SectionHousehold)
		}
		return out, true
	case AddStep:
		out = []Section{StepsSection(o.Step.AreaID)}
		if len(o.Step.MemberIDs) > 0 || o.Step.Responsible.Kind == ByMember {
			// Naming a member on a step shows it to them (and shows them
			// on it): the household section's to say, as for an area.
			out = append(out, SectionHousehold)
		}
		return out, true
	case UpdateStep:
		s, found := r.Step(o.StepID)
		if !found {
			return nil, false
		}
		out = []Section{StepsSection(s.AreaID)}
		if o.Set.AreaID != nil && *o.Set.AreaID != s.AreaID {
			out = append(out, StepsSection(*o.Set.AreaID))
		}
		// Who the step names, added or taken off: a helper without the
		// household section sees a member's step as the household's
		// (access.projectHelper), and must not unname one blind either.
		if o.Set.MemberIDs != nil ||
			o.Set.Responsible != nil && (o.Set.Responsible.Kind == ByMember || s.Responsible.Kind == ByMember) {
			out = append(out, SectionHousehold)
		}
		return out, true
	case RemoveStep:
		s, found := r.Step(o.StepID)
		if !found {
			return nil, false
		}
		return []Section{StepsSection(s.AreaID)}, true
	}
	return nil, false
}
