package veikart

import (
	"slices"
	"strconv"
	"time"
)

// Changes of consent. Each returns a new roadmap at the next version and
// leaves its receiver untouched, like Apply. Who may call which is decided by
// package access; these check that the change itself is sound.

// GrantSpec is what an owner chooses for a grant.
type GrantSpec struct {
	Sections    []Section
	Permissions []Permission
	Purpose     string
	ExpiresAt   time.Time
	// Recovery says the owner giving the grant lets the agency help them
	// back into their account (Grant.RecoveryFor); only for accounts an
	// agency may recover at all (RecoverableByAgency).
	Recovery bool
}

// ConsentPolicy holds the operator's limits on consent.
type ConsentPolicy struct {
	// MaxGrant is the longest a grant may run from the moment it is given
	// or changed. Zero means DefaultGrantMax.
	MaxGrant time.Duration
	// OwnSayAge is the age from which a member with an account must say
	// yes before an area naming them is shared (ownsay.go). Zero means
	// DefaultOwnSayAge.
	OwnSayAge int
}

func (p ConsentPolicy) maxGrant() time.Duration {
	if p.MaxGrant <= 0 {
		return DefaultGrantMax
	}
	return p.MaxGrant
}

// next returns the private copy a change works on.
func (r *Roadmap) next(now time.Time) *Roadmap {
	n := r.Clone()
	n.Version = r.Version + 1
	n.UpdatedAt = now
	return n
}

func clock(now time.Time) time.Time { return now.UTC().Truncate(time.Millisecond) }

// checkSections cleans a list of sections: each must exist in r, none twice.
func (r *Roadmap) checkSections(ss []Section, ptr string) ([]Section, error) {
	if len(ss) == 0 {
		return nil, &Error{Code: EINVALID, Message: "Choose at least one section.", Pointer: ptr}
	}
	out := make([]Section, 0, len(ss))
	for i, s := range ss {
		if !r.HasSection(s) {
			return nil, &Error{Code: EINVALID, Message: "There is no such section in this roadmap.", Pointer: ptr + "/" + strconv.Itoa(i)}
		}
		if slices.Contains(out, s) {
			return nil, &Error{Code: EINVALID, Message: "A section is listed twice.", Pointer: ptr + "/" + strconv.Itoa(i)}
		}
		out = append(out, s)
	}
	return out, nil
}

// checkPermissions cleans a list of permissions: known ones, none twice, and
// view always among them (comment and propose need to see what they are about).
func checkPermissions(ps []Permission, ptr string) ([]Permission, error) {
	out := make([]Permission, 0, len(ps))
	for i, p := range ps {
		if !ValidPermission(p) {
			return nil, &Error{Code: EINVALID, Message: "There is no such permission.", Pointer: ptr + "/" + strconv.Itoa(i)}
		}
		if slices.Contains(out, p) {
			return nil, &Error{Code: EINVALID, Message: "A permission is listed twice.", Pointer: ptr + "/" + strconv.Itoa(i)}
		}
		out = append(out, p)
	}
	if !slices.Contains(out, View) {
		return nil, &Error{Code: EINVALID, Message: "Every grant includes view.", Pointer: ptr}
	}
	return out, nil
}

func checkExpiry(at, now time.Time, p ConsentPolicy, ptr string) (time.Time, error) {
	at = at.UTC().Truncate(time.Millisecond)
	if !at.After(now) {
		return time.Time{}, &Error{Code: EINVALID, Message: "The expiry must be in the future.", Pointer: ptr}
	}
	if at.After(now.Add(p.maxGrant())) {
		return time.Time{}, &Error{Code: EINVALID, Message: "The expiry is further away than this service allows (" + humanDuration(p.maxGrant()) + ").", Pointer: ptr}
	}
	return at, nil
}

func humanDuration(d time.Duration) string {
	if days := int(d / (24 * time.Hour)); days >= 2 {
		return strconv.Itoa(days) + " days"
	}
	return d.String()
}

func (r *Roadmap) checkSpec(s GrantSpec, now time.Time, p ConsentPolicy) (GrantSpec, error) {
	var err error
	if s.Sections, err = r.checkSections(s.Sections, "/sections"); err != nil {
		return s, err
	}
	if s.Permissions, err = checkPermissions(s.Permissions, "/permissions"); err != nil {
		return s, err
	}
	if s.Purpose, err = cleanRequiredText(s.Purpose, MaxPurpose, "/purpose"); err != nil {
		return s, err
	}
	if s.ExpiresAt, err = checkExpiry(s.ExpiresAt, now, p, "/expiresAt"); err != nil {
		return s, err
	}
	return s, nil
}

func (n *Roadmap) addReceipt(kind ReceiptKind, by string, g Grant, now time.Time) {
	n.Receipts = append(n.Receipts, Receipt{
		ID: "rc" + strconv.FormatInt(n.Version, 10) + "-" + strconv.Itoa(len(n.Receipts)), Kind: kind, At: now, By: by,
		GrantID: g.ID, AgencyID: g.AgencyID, Sections: slices.Clone(g.Sections),
		Permissions: slices.Clone(g.Permissions), Purpose: g.Purpose, StartsAt: g.StartsAt, ExpiresAt: g.ExpiresAt,
	})
	if len(n.Receipts) > MaxReceipts {
		n.Receipts = slices.Clone(n.Receipts[len(n.Receipts)-MaxReceipts:])
	}
}

// AddGrant gives agencyID a new grant. An agency has at most one grant in
// force: to change what it may see, change that grant.
func (r *Roadmap) AddGrant(id, agencyID, by string, spec GrantSpec, via string, now time.Time, p ConsentPolicy) (*Roadmap, Grant, error) {
	now = clock(now)
	if !ValidID(id) || !ValidID(agencyID) {
		return nil, Grant{}, &Error{Code: EINVALID, Message: "The agency id is not valid.", Pointer: "/agencyId"}
	}
	if r.activeGrants(now) >= MaxGrants {
		return nil, Grant{}, &Error{Code: ECONFLICT, Message: "Too many agencies have access. Revoke one first."}
	}
	spec, err := r.checkSpec(spec, now, p)
	if err != nil {
		return nil, Grant{}, err
	}
	if other, ok := r.overlapping(agencyID, "", now, spec.ExpiresAt); ok {
		return nil, Grant{}, overlapError(other, now)
	}
	if err := r.needYes(spec.Sections, spec.Sections, agencyID, now, p); err != nil {
		return nil, Grant{}, err
	}
	g := Grant{
		ID: id, AgencyID: agencyID, Sections: spec.Sections, Permissions: spec.Permissions, Purpose: spec.Purpose,
		CreatedAt: now, CreatedBy: by, UpdatedAt: now, ExpiresAt: spec.ExpiresAt, Status: GrantActive, Via: via,
	}
	if spec.Recovery {
		if err := mayHelpRecover(by); err != nil {
			return nil, Grant{}, err
		}
		g.RecoveryFor = []string{by}
	}
	n := r.next(now)
	// Revoked and expired grants stay as history, but not without end.
	n.Grants = pruneGrants(n.Grants, now)
	n.Grants = append(n.Grants, g)
	n.addReceipt(ReceiptGranted, by, g, now)
	return n, g, nil
}

// overlapError explains why an agency cannot have a second grant.
func overlapError(other Grant, now time.Time) error {
	if other.ScheduledAt(now) {
		return &Error{Code: ECONFLICT, Message: "This agency has a planned grant (a transition) that starts " + other.StartsAt.Format(time.DateOnly) + ". Change that one, or end this grant before it starts.", Pointer: "/agencyId"}
	}
	return &Error{Code: ECONFLICT, Message: "This agency already has access. Change that grant instead.", Pointer: "/agencyId"}
}

// activeGrants counts the grants in force or planned: both hold a place
// among the MaxGrants agencies.
func (r *Roadmap) activeGrants(now time.Time) int {
	k := 0
	for _, g := range r.Grants {
		if g.Status == GrantActive && now.Before(g.ExpiresAt) {
			k++
		}
	}
	return k
}

// pruneGrants drops the oldest ended grants once there are more than
// MaxGrants in all; their receipts remain.
func pruneGrants(gs []Grant, now time.Time) []Grant {
	for len(gs) >= 2*MaxGrants {
		// Ended ones only: a planned grant is not active yet either.
		i := slices.IndexFunc(gs, func(g Grant) bool { return g.Status == GrantRevoked || !now.Before(g.ExpiresAt) })
		if i < 0 {
			break
		}
		gs = slices.Delete(gs, i, i+1)
	}
	return gs
}

// GrantPatch is a change an owner makes to a grant; nil fields stay.
type GrantPatch struct {
	Sections    []Section
	Permissions []Permission
	Purpose     *string
	ExpiresAt   *time.Time
	// Recovery, if set, says whether the owner making the change lets the
	// agency help them back into their account; other owners' choices stay.
	Recovery *bool
}

// mayHelpRecover refuses the recovery choice to an owner whose account an
// agency may never recover: it would promise what cannot happen.
func mayHelpRecover(by string) error {
	if !RecoverableByAgency(by) {
		return &Error{Code: EINVALID, Message: "Your account is recovered through ID-porten, not by an agency.", Pointer: "/recovery"}
	}
	return nil
}

// applyTo returns spec with the fields the patch sets.
func (patch GrantPatch) applyTo(spec GrantSpec) GrantSpec {
	if patch.Sections != nil {
		spec.Sections = patch.Sections
	}
	if patch.Permissions != nil {
		spec.Permissions = patch.Permissions
	}
	if patch.Purpose != nil {
		spec.Purpose = *patch.Purpose
	}
	if patch.ExpiresAt != nil {
		spec.ExpiresAt = *patch.ExpiresAt
	}
	return spec
}

// checkPatchedSpec is checkSpec for a changed grant. An unchanged expiry
// (newExpiry false) is not checked against today's maximum.
func (r *Roadmap) checkPatchedSpec(spec GrantSpec, newExpiry bool, now time.Time, p ConsentPolicy) (GrantSpec, error) {
	if newExpiry {
		return r.checkSpec(spec, now, p)
	}
	exp := spec.ExpiresAt
	spec.ExpiresAt = now.Add(time.Millisecond)
	spec, err := r.checkSpec(spec, now, p)
	spec.ExpiresAt = exp
	return spec, err
}

// UpdateGrant changes a grant that has not been revoked. An expired grant can
// be renewed by giving it a new expiry.
func (r *Roadmap) UpdateGrant(id, by string, patch GrantPatch, now time.Time, p ConsentPolicy) (*Roadmap, Grant, error) {
	now = clock(now)
	i := slices.IndexFunc(r.Grants, func(g Grant) bool { return g.ID == id })
	if i < 0 {
		return nil, Grant{}, &Error{Code: ENOTFOUND, Message: "There is no such grant."}
	}
	g := r.Grants[i]
	if g.Status == GrantRevoked {
		return nil, Grant{}, &Error{Code: ECONFLICT, Message: "This grant was revoked. Give a new one instead."}
	}
	if g.TransitionID() != "" {
		// Its dates follow the transition's; two places to change them
		// would drift apart.
		return nil, Grant{}, &Error{Code: ECONFLICT, Message: "This grant belongs to a planned transition. Change the transition instead."}
	}
	spec := patch.applyTo(GrantSpec{Sections: g.Sections, Permissions: g.Permissions, Purpose: g.Purpose, ExpiresAt: g.ExpiresAt})
	if !g.ActiveAt(now) && patch.ExpiresAt == nil {
		return nil, Grant{}, &Error{Code: EINVALID, Message: "This grant has expired. Give it a new expiry to renew it.", Pointer: "/expiresAt"}
	}
	// Another grant for the same agency may have been given since this one
	// expired.
	if other, ok := r.overlapping(g.AgencyID, g.ID, now, spec.ExpiresAt); ok {
		if other.ScheduledAt(now) {
			return nil, Grant{}, overlapError(other, now)
		}
		return nil, Grant{}, &Error{Code: ECONFLICT, Message: "This agency has a newer grant. Change that one instead."}
	}
	spec, err := r.checkPatchedSpec(spec, patch.ExpiresAt != nil, now, p)
	if err != nil {
		return nil, Grant{}, err
	}
	if patch.Recovery != nil && *patch.Recovery {
		if err := mayHelpRecover(by); err != nil {
			return nil, Grant{}, err
		}
	}
	// Only sections the change adds need a yes: one the grant already
	// holds was either shared before the member had their own say, or
	// had their yes, and their no takes it out at once (AnswerSay).
	added := slices.DeleteFunc(slices.Clone(spec.Sections), func(s Section) bool { return slices.Contains(g.Sections, s) })
	if err := r.needYes(added, spec.Sections, g.AgencyID, now, p); err != nil {
		return nil, Grant{}, err
	}
	n := r.next(now)
	g = n.Grants[i]
	g.Sections, g.Permissions, g.Purpose, g.ExpiresAt, g.UpdatedAt = spec.Sections, spec.Permissions, spec.Purpose, spec.ExpiresAt, now
	if patch.Recovery != nil {
		g.RecoveryFor = slices.DeleteFunc(slices.Clone(g.RecoveryFor), func(u string) bool { return u == by })
		if *patch.Recovery {
			g.RecoveryFor = append(g.RecoveryFor, by)
		}
	}
	n.Grants[i] = g
	n.addReceipt(ReceiptChanged, by, g, now)
	return n, g, nil
}

// RevokeGrant ends a grant at once. Revoking a revoked grant changes nothing.
func (r *Roadmap) RevokeGrant(id, by string, now time.Time) (*Roadmap, Grant, error) {
	now = clock(now)
	i := slices.IndexFunc(r.Grants, func(g Grant) bool { return g.ID == id })
	if i < 0 {
		return nil, Grant{}, &Error{Code: ENOTFOUND, Message: "There is no such grant."}
	}
	if r.Grants[i].Status == GrantRevoked {
		return r, r.Grants[i], nil
	}
	n := r.next(now)
	g := n.Grants[i]
	g.Status, g.RevokedAt, g.RevokedBy, g.UpdatedAt = GrantRevoked, now, by, now
	n.Grants[i] = g
	n.addReceipt(ReceiptRevoked, by, g, now)
	return n, g, nil
}

// AddRequest records an agency's request for access. An agency has at most
// one pending request per roadmap; asking again replaces nothing.
func (r *Roadmap) AddRequest(id, agencyID, userID string, sections []Section, perms []Permission, purpose string, now time.Time) (*Roadmap, AccessRequest, error) {
	now = clock(now)
	for _, q := range r.Requests {
		if q.AgencyID == agencyID && q.Status == RequestPending {
			return nil, AccessRequest{}, &Error{Code: ECONFLICT, Message: "Your agency already has a request waiting for the household's answer."}
		}
	}
	pending := 0
	for _, q := range r.Requests {
		if q.Status == RequestPending {
			pending++
		}
	}
	if pending >= MaxOpenRequests {
		return nil, AccessRequest{}, &Error{Code: ECONFLICT, Message: "This household has too many requests waiting. Try again later."}
	}
	var err error
	if sections, err = r.checkSections(sections, "/sections"); err != nil {
		return nil, AccessRequest{}, err
	}
	if perms, err = checkPermissions(perms, "/permissions"); err != nil {
		return nil, AccessRequest{}, err
	}
	if purpose, err = cleanRequiredText(purpose, MaxPurpose, "/purpose"); err != nil {
		return nil, AccessRequest{}, err
	}
	q := AccessRequest{
		ID: id, AgencyID: agencyID, RequestedBy: userID, Sections: sections, Permissions: perms,
		Purpose: purpose, CreatedAt: now, Status: RequestPending,
	}
	// Not r.next: an agency asking changes nothing the household wrote, so
	// neither Version (their pending If-Match write still applies) nor
	// UpdatedAt. The owners find it in their list of requests.
	n := r.Clone()
	// Answered requests are history; keep the last few hundred.
	if len(n.Requests) >= 10*MaxOpenRequests {
		n.Requests = slices.DeleteFunc(n.Requests, func(q AccessRequest) bool { return q.Status != RequestPending })
	}
	n.Requests = append(n.Requests, q)
	return n, q, nil
}

// ApproveRequest turns a pending request into a grant, or, when the agency's
// grant is in force, changes that grant. The owner decides the expiry and
// may narrow (or otherwise change) what was asked for.
func (r *Roadmap) ApproveRequest(reqID, grantID, by string, spec GrantSpec, now time.Time, p ConsentPolicy) (*Roadmap, Grant, error) {
	now = clock(now)
	i := slices.IndexFunc(r.Requests, func(q AccessRequest) bool { return q.ID == reqID })
	if i < 0 {
		return nil, Grant{}, &Error{Code: ENOTFOUND, Message: "There is no such request."}
	}
	q := r.Requests[i]
	if q.Status != RequestPending {
		return nil, Grant{}, &Error{Code: ECONFLICT, Message: "This request has already been answered."}
	}
	if spec.Sections == nil {
		spec.Sections = q.Sections
	}
	if spec.Permissions == nil {
		spec.Permissions = q.Permissions
	}
	if spec.Purpose == "" {
		spec.Purpose = q.Purpose
	}
	var n *Roadmap
	var g Grant
	var err error
	if cur, ok := r.ActiveGrant(q.AgencyID, now); ok && cur.TransitionID() == "" {
		// Asked while access is in force (for more time, say, when the
		// grant is about to end): the grant in force changes, as if the
		// owner had changed it, rather than a second one being refused.
		exp := spec.ExpiresAt
		n, g, err = r.UpdateGrant(cur.ID, by, GrantPatch{Sections: spec.Sections, Permissions: spec.Permissions, Purpose: &spec.Purpose, ExpiresAt: &exp}, now, p)
	} else {
		n, g, err = r.AddGrant(grantID, q.AgencyID, by, spec, "request:"+q.ID, now, p)
	}
	if err != nil {
		return nil, Grant{}, err
	}
	n.Requests[i].Status, n.Requests[i].DecidedAt, n.Requests[i].DecidedBy, n.Requests[i].GrantID = RequestApproved, now, by, g.ID
	return n, g, nil
}

// DeclineRequest answers a pending request with no.
func (r *Roadmap) DeclineRequest(reqID, by string, now time.Time) (*Roadmap, error) {
	now = clock(now)
	i := slices.IndexFunc(r.Requests, func(q AccessRequest) bool { return q.ID == reqID })
	if i < 0 {
		return nil, &Error{Code: ENOTFOUND, Message: "There is no such request."}
	}
	q := r.Requests[i]
	if q.Status != RequestPending {
		return nil, &Error{Code: ECONFLICT, Message: "This request has already been answered."}
	}
	n := r.next(now)
	n.Requests[i].Status, n.Requests[i].DecidedAt, n.Requests[i].DecidedBy = RequestDeclined, now, by
	n.addReceipt(ReceiptDeclined, by, Grant{AgencyID: q.AgencyID, Sections: q.Sections, Permissions: q.Permissions, Purpose: q.Purpose}, now)
	return n, nil
}

// AddInvitation stores an invitation whose code hashes to inv.CodeHash.
func (r *Roadmap) AddInvitation(inv Invitation, now time.Time, p ConsentPolicy) (*Roadmap, Invitation, error) {
	now = clock(now)
	open := 0
	for _, x := range r.Invitations {
		if x.UsedAt.IsZero() && now.Before(x.ExpiresAt) {
			open++
		}
	}
	if open >= MaxOpenInvites {
		return nil, Invitation{}, &Error{Code: ECONFLICT, Message: "There are too many open invitations. Wait a few minutes."}
	}
	inv.CreatedAt = now
	if inv.ExpiresAt.IsZero() {
		inv.ExpiresAt = now.Add(InvitationTTL)
	}
	if !inv.ExpiresAt.After(now) || inv.ExpiresAt.After(now.Add(MaxInvitationTTL)) {
		return nil, Invitation{}, &Error{Code: EINVALID, Message: "An invitation lasts between a minute and half an hour.", Pointer: "/validMinutes"}
	}
	switch inv.Kind {
	case InviteAgency:
		spec, err := r.checkSpec(GrantSpec{Sections: inv.Sections, Permissions: inv.Permissions, Purpose: inv.Purpose, ExpiresAt: inv.GrantExpiresAt}, now, p)
		if err != nil {
			return nil, Invitation{}, err
		}
		inv.Sections, inv.Permissions, inv.Purpose, inv.GrantExpiresAt = spec.Sections, spec.Permissions, spec.Purpose, spec.ExpiresAt
	case InviteOwner:
		if len(r.Owners) >= MaxOwners {
			return nil, Invitation{}, &Error{Code: ECONFLICT, Message: "This roadmap has as many owners as it can have."}
		}
		inv.Sections, inv.Permissions, inv.Purpose = nil, nil, ""
	case InviteMember:
		m, ok := r.Member(inv.MemberID)
		if !ok {
			return nil, Invitation{}, &Error{Code: EINVALID, Message: "There is no such member.", Pointer: "/memberId"}
		}
		if m.UserID != "" {
			return nil, Invitation{}, &Error{Code: ECONFLICT, Message: "This member already has an account linked.", Pointer: "/memberId"}
		}
		inv.Sections, inv.Permissions, inv.Purpose = nil, nil, ""
	default:
		return nil, Invitation{}, &Error{Code: EINVALID, Message: "There is no such kind of invitation.", Pointer: "/kind"}
	}
	n := r.next(now)
	n.Invitations = slices.DeleteFunc(n.Invitations, func(x Invitation) bool { return !now.Before(x.ExpiresAt) })
	n.Invitations = append(n.Invitations, inv)
	return n, inv, nil
}

// errInvitation is the one answer for every invitation that cannot be used,
// so a guessed code learns nothing.
var errInvitation = &Error{Code: ENOTFOUND, Message: "This invitation is not valid: it may have expired or been used. Ask for a new one."}

// AcceptInvitation uses the invitation whose code hashes to codeHash, once.
// For an agency invitation, agencyID is the acceptor's agency and grantID the
// new grant's id.
func (r *Roadmap) AcceptInvitation(codeHash, userID, agencyID, grantID string, now time.Time, p ConsentPolicy) (*Roadmap, Invitation, error) {
	now = clock(now)
	i := slices.IndexFunc(r.Invitations, func(x Invitation) bool { return x.CodeHash == codeHash })
	if i < 0 {
		return nil, Invitation{}, errInvitation
	}
	inv := r.Invitations[i]
	if !inv.UsedAt.IsZero() || !now.Before(inv.ExpiresAt) {
		return nil, Invitation{}, errInvitation
	}
	var n *Roadmap
	switch inv.Kind {
	case InviteAgency:
		if agencyID == "" {
			return nil, Invitation{}, &Error{Code: EFORBIDDEN, Message: "Act for your agency to accept this invitation."}
		}
		var err error
		// The grant's expiry was checked when the invitation was made.
		spec := GrantSpec{Sections: inv.Sections, Permissions: inv.Permissions, Purpose: inv.Purpose, ExpiresAt: inv.GrantExpiresAt}
		if n, _, err = r.AddGrant(grantID, agencyID, inv.CreatedBy, spec, "invitation:"+inv.ID, now, p); err != nil {
			return nil, Invitation{}, err
		}
	case InviteOwner:
		if r.IsOwner(userID) {
			return nil, Invitation{}, &Error{Code: ECONFLICT, Message: "You already own this roadmap."}
		}
		if len(r.Owners) >= MaxOwners {
			return nil, Invitation{}, &Error{Code: ECONFLICT, Message: "This roadmap has as many owners as it can have."}
		}
		n = r.next(now)
		n.Owners = append(n.Owners, userID)
		n.addReceipt(ReceiptOwner, userID, Grant{}, now)
	case InviteMember:
		j := r.memberIndex(inv.MemberID)
		if j < 0 || r.Members[j].UserID != "" || r.IsOwner(userID) || slices.ContainsFunc(r.Members, func(m Member) bool { return m.UserID == userID }) {
			return nil, Invitation{}, errInvitation
		}
		n = r.next(now)
		n.Members[j].UserID = userID
		n.addReceipt(ReceiptMemberJoined, userID, Grant{}, now)
		n.Receipts[len(n.Receipts)-1].MemberID = inv.MemberID
	}
	n.Invitations[i].UsedAt, n.Invitations[i].UsedBy, n.Invitations[i].UsedByAgency = now, userID, agencyID
	return n, n.Invitations[i], nil
}

// AddComment adds a comment. The section (and step, if given) must exist.
func (r *Roadmap) AddComment(c Comment, now time.Time) (*Roadmap, Comment, error) {
	now = clock(now)
	if !r.HasSection(c.Section) {
		return nil, Comment{}, &Error{Code: EINVALID, Message: "There is no such section in this roadmap.", Pointer: "/section"}
	}
	if c.StepID != "" {
		s, ok := r.Step(c.StepID)
		if !ok || !c.Section.IsSteps() || s.AreaID != c.Section.AreaID() {
			return nil, Comment{}, &Error{Code: EINVALID, Message: "There is no such step in this section.", Pointer: "/stepId"}
		}
	}
	if len(r.Comments) >= MaxComments {
		return nil, Comment{}, &Error{Code: ECONFLICT, Message: "This roadmap has as many comments as it can hold."}
	}
	var err error
	if c.Text, err = cleanRequiredText(c.Text, MaxComment, "/text"); err != nil {
		return nil, Comment{}, err
	}
	c.CreatedAt = now
	n := r.next(now)
	n.Comments = append(n.Comments, c)
	return n, c, nil
}

// AddProposal records a step an agency proposes.
func (r *Roadmap) AddProposal(p Proposal, now time.Time) (*Roadmap, Proposal, error) {
	now = clock(now)
	pending := 0
	for _, x := range r.Proposals {
		if x.Status == ProposalPending {
			pending++
		}
	}
	if pending >= MaxOpenRequests || len(r.Proposals) >= MaxProposals {
		return nil, Proposal{}, &Error{Code: ECONFLICT, Message: "This household has too many proposals waiting."}
	}
	s := p.Step
	s.ID, s.Status, s.CreatedAt, s.UpdatedAt, s.MemberIDs, s.Version = "proposed", Planned, now, now, nil, r.Version+1
	if err := r.validateStep(&s, "/step"); err != nil {
		return nil, Proposal{}, err
	}
	p.Step, p.Status, p.CreatedAt = s, ProposalPending, now
	n := r.next(now)
	n.Proposals = append(n.Proposals, p)
	return n, p, nil
}

// DecideProposal accepts (adding the step with id stepID) or rejects a
// pending proposal.
func (r *Roadmap) DecideProposal(id, stepID, by string, accept bool, now time.Time) (*Roadmap, Proposal, error) {
	now = clock(now)
	i := slices.IndexFunc(r.Proposals, func(p Proposal) bool { return p.ID == id })
	if i < 0 {
		return nil, Proposal{}, &Error{Code: ENOTFOUND, Message: "There is no such proposal."}
	}
	if r.Proposals[i].Status != ProposalPending {
		return nil, Proposal{}, &Error{Code: ECONFLICT, Message: "This proposal has already been answered."}
	}
	n := r
	if accept {
		s := r.Proposals[i].Step
		s.ID = stepID
		var err error
		if n, _, err = r.Apply([]Op{AddStep{ID: "proposal-" + id, Step: s}}, now); err != nil {
			return nil, Proposal{}, err
		}
		n.Version = r.Version // next() below counts the change once
	}
	n = n.next(now)
	p := &n.Proposals[i]
	p.Status, p.DecidedAt, p.DecidedBy = ProposalRejected, now, by
	if accept {
		p.Status, p.StepID = ProposalAccepted, stepID
	}
	return n, *p, nil
}

// cleanRequiredText is cleanLongText for text that must not be empty.
func cleanRequiredText(s string, maxLen int, ptr string) (string, error) {
	s, err := cleanLongText(s, maxLen, ptr)
	if err == nil && s == "" {
		return "", &Error{Code: EINVALID, Message: "This field cannot be empty.", Pointer: ptr}
	}
	return s, err
}
