package veikart

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// Own say: a young member at or above the own-say age (ConsentPolicy
// OwnSayAge, DefaultOwnSayAge unless the operator set another) must say yes
// before an area that names them is shared with an agency or printed with
// their name on the poster. The owners ask; the member answers yes or no in
// their own app, and may change their mind. Each answer is a receipt.
//
// The rule binds members who have an account of their own: they can answer
// for themselves. For a member who is only a name on the roadmap nobody can
// answer in the app, and the owners speak for them, as they always have on
// the poster (a household with a 17-year-old who has no phone must still be
// able to share its housing area with the housing office).

// SayFor is what a yes is asked for: "agency:<agencyId>" for sharing with
// one agency, or SayPoster for the poster.
type SayFor string

// SayPoster is a yes to be printed by name on the household's poster.
const SayPoster SayFor = "poster"

// SayForAgency is a yes to share with agencyID.
func SayForAgency(agencyID string) SayFor { return SayFor("agency:" + agencyID) }

// AgencyID returns the agency the yes is for, "" for the poster.
func (f SayFor) AgencyID() string {
	a, _ := strings.CutPrefix(string(f), "agency:")
	if a == string(f) {
		return ""
	}
	return a
}

func (f SayFor) valid() bool { return f == SayPoster || ValidID(f.AgencyID()) }

// SayAnswer is where a member's say stands.
type SayAnswer string

// Answers. Pending is asked and not yet answered.
const (
	SayPending SayAnswer = "pending"
	SayYes     SayAnswer = "yes"
	SayNo      SayAnswer = "no"
)

// MaxSays bounds the own-say records of a roadmap: one per member, area and
// use at most, so this is far above any household's need.
const MaxSays = 500

// OwnSay is one member's say over one area for one use.
type OwnSay struct {
	ID         string
	MemberID   string
	AreaID     string
	For        SayFor
	Answer     SayAnswer
	AskedBy    string // owner's user id; "" when the member answered unasked
	AskedAt    time.Time
	AnsweredAt time.Time
}

// Receipt kinds of members joining and saying yes or no.
const (
	ReceiptMemberJoined ReceiptKind = "member-joined"
	ReceiptSaidYes      ReceiptKind = "said-yes"
	ReceiptSaidNo       ReceiptKind = "said-no"
)

// ownSayAge is the policy's age, DefaultOwnSayAge unless set.
func (p ConsentPolicy) ownSayAge() int {
	if p.OwnSayAge <= 0 {
		return DefaultOwnSayAge
	}
	return p.OwnSayAge
}

// HasOwnSay reports whether member m has their own say at now under p: an
// account of their own, and a birth year at least OwnSayAge years ago (a
// roadmap knows only the year; a member turns the age on 1 January for
// this rule, the same reckoning the poster and MayTakeOwn use). Adults of
// the household without a birth year have it too: they are adults.
func (m Member) HasOwnSay(now time.Time, p ConsentPolicy) bool {
	if m.UserID == "" {
		return false
	}
	if m.BirthYear == 0 {
		return m.Role == Adult
	}
	return now.Year()-m.BirthYear >= p.ownSayAge()
}

// Say returns the say of member memberID over areaID for f.
func (r *Roadmap) Say(memberID, areaID string, f SayFor) (OwnSay, bool) {
	i := r.sayIndex(memberID, areaID, f)
	if i < 0 {
		return OwnSay{}, false
	}
	return r.Says[i], true
}

func (r *Roadmap) sayIndex(memberID, areaID string, f SayFor) int {
	return slices.IndexFunc(r.Says, func(s OwnSay) bool { return s.MemberID == memberID && s.AreaID == areaID && s.For == f })
}

// MissingYes is one member whose yes a use of an area still needs.
type MissingYes struct {
	MemberID string
	AreaID   string
	Answer   SayAnswer // SayPending when asked, SayNo when refused, "" when never asked
}

// MissingYes returns, for sharing sections with a use f, every member with
// their own say named by an area among sections (its texts or its steps)
// who has not said yes, in the roadmap's order of areas and members.
func (r *Roadmap) MissingYes(sections []Section, f SayFor, now time.Time, p ConsentPolicy) []MissingYes {
	var out []MissingYes
	for _, a := range r.Areas {
		if !slices.ContainsFunc(sections, func(s Section) bool { return s.AreaID() == a.ID }) {
			continue
		}
		out = append(out, r.missingIn(a, f, now, p)...)
	}
	return out
}

// MissingYesAll is MissingYes for every area of r.
func (r *Roadmap) MissingYesAll(f SayFor, now time.Time, p ConsentPolicy) []MissingYes {
	var out []MissingYes
	for _, a := range r.Areas {
		out = append(out, r.missingIn(a, f, now, p)...)
	}
	return out
}

func (r *Roadmap) missingIn(a Area, f SayFor, now time.Time, p ConsentPolicy) []MissingYes {
	var out []MissingYes
	for _, id := range a.MemberIDs {
		m, ok := r.Member(id)
		if !ok || !m.HasOwnSay(now, p) {
			continue
		}
		s, _ := r.Say(id, a.ID, f)
		if s.Answer != SayYes {
			out = append(out, MissingYes{MemberID: id, AreaID: a.ID, Answer: s.Answer})
		}
	}
	return out
}

// needYes refuses sharing sections with agencyID while a member with their
// own say named by one of them has not said yes.
//
// Refused, not granted without those areas: a grant that quietly holds less
// than the owners chose would let the household believe the agency sees
// something it does not; the sharing form shows the missing yes beside each
// area so the owners take it out themselves, or ask. The problem names the
// first area, for the form to point at, by its place in all (the sections
// of the request, of which sections are the ones to check).
func (r *Roadmap) needYes(sections, all []Section, agencyID string, now time.Time, p ConsentPolicy) error {
	miss := r.MissingYes(sections, SayForAgency(agencyID), now, p)
	if len(miss) == 0 {
		return nil
	}
	m, _ := r.Member(miss[0].MemberID)
	msg := m.Name + " has not said yes to sharing an area that names them with this agency. Ask them, or leave the area out."
	if miss[0].Answer == SayNo {
		msg = m.Name + " said no to sharing an area that names them with this agency. Leave the area out."
	}
	ptr := "/sections/" + strconv.Itoa(slices.IndexFunc(all, func(s Section) bool { return s.AreaID() == miss[0].AreaID }))
	return &Error{Code: EFORBIDDEN, Message: msg, Pointer: ptr}
}

// AskSay records that owner by asks member memberID for their yes to use
// areaID for f. Asking again after a no asks anew (the member sees it as
// pending again); asking after a yes changes nothing.
func (r *Roadmap) AskSay(id, memberID, areaID string, f SayFor, by string, now time.Time, p ConsentPolicy) (*Roadmap, OwnSay, error) {
	now = clock(now)
	m, ok := r.Member(memberID)
	if !ok {
		return nil, OwnSay{}, &Error{Code: EINVALID, Message: "There is no such member.", Pointer: "/memberId"}
	}
	a := r.areaIndex(areaID)
	if a < 0 {
		return nil, OwnSay{}, &Error{Code: EINVALID, Message: "There is no such area.", Pointer: "/areaId"}
	}
	if !slices.Contains(r.Areas[a].MemberIDs, memberID) {
		return nil, OwnSay{}, &Error{Code: EINVALID, Message: "This area does not name this member.", Pointer: "/areaId"}
	}
	if !f.valid() {
		return nil, OwnSay{}, &Error{Code: EINVALID, Message: "Ask for the poster or for one agency.", Pointer: "/for"}
	}
	if !m.HasOwnSay(now, p) {
		return nil, OwnSay{}, &Error{Code: ECONFLICT, Message: "This member does not have their own say in the app: they need an account and to be old enough.", Pointer: "/memberId"}
	}
	if i := r.sayIndex(memberID, areaID, f); i >= 0 {
		if r.Says[i].Answer == SayYes {
			return r, r.Says[i], nil
		}
		if r.Says[i].Answer == SayPending {
			return r, r.Says[i], nil // asked already: idempotent for a queued retry
		}
		n := r.next(now)
		n.Says[i].Answer, n.Says[i].AskedBy, n.Says[i].AskedAt, n.Says[i].AnsweredAt = SayPending, by, now, time.Time{}
		return n, n.Says[i], nil
	}
	if len(r.Says) >= MaxSays {
		return nil, OwnSay{}, &Error{Code: ECONFLICT, Message: "This roadmap holds too many requests for a yes."}
	}
	s := OwnSay{ID: id, MemberID: memberID, AreaID: areaID, For: f, Answer: SayPending, AskedBy: by, AskedAt: now}
	n := r.next(now)
	n.Says = append(n.Says, s)
	return n, s, nil
}

// AnswerSay records the yes or no of the member linked to userID over
// areaID for f, asked or not (a young person may say no before anyone
// asks). A no to an agency that has the area already takes the area (its
// texts and its steps) out of that agency's grants at once, with a
// "changed" receipt: a no that waited for the owners' next change would
// leave the young person's part shared against their word.
func (r *Roadmap) AnswerSay(id, userID, areaID string, f SayFor, yes bool, now time.Time, p ConsentPolicy) (*Roadmap, OwnSay, error) {
	now = clock(now)
	m, ok := r.MemberByUser(userID)
	if !ok {
		return nil, OwnSay{}, &Error{Code: EFORBIDDEN, Message: "Only the member themselves can answer."}
	}
	a := r.areaIndex(areaID)
	if a < 0 || !slices.Contains(r.Areas[a].MemberIDs, m.ID) {
		return nil, OwnSay{}, &Error{Code: EINVALID, Message: "This area does not name you.", Pointer: "/areaId"}
	}
	if !f.valid() {
		return nil, OwnSay{}, &Error{Code: EINVALID, Message: "Answer for the poster or for one agency.", Pointer: "/for"}
	}
	answer := SayNo
	kind := ReceiptSaidNo
	if yes {
		answer, kind = SayYes, ReceiptSaidYes
	}
	i := r.sayIndex(m.ID, areaID, f)
	if i >= 0 && r.Says[i].Answer == answer {
		return r, r.Says[i], nil // the same answer again (a retried tap): nothing new to record
	}
	if i < 0 && len(r.Says) >= MaxSays {
		return nil, OwnSay{}, &Error{Code: ECONFLICT, Message: "This roadmap holds too many answers."}
	}
	n := r.next(now)
	if i < 0 {
		n.Says = append(n.Says, OwnSay{ID: id, MemberID: m.ID, AreaID: areaID, For: f})
		i = len(n.Says) - 1
	}
	n.Says[i].Answer, n.Says[i].AnsweredAt = answer, now
	n.addReceipt(kind, userID, Grant{AgencyID: f.AgencyID(), Sections: []Section{AreaSection(areaID)}}, now)
	n.Receipts[len(n.Receipts)-1].MemberID = m.ID
	if !yes && f.AgencyID() != "" {
		n.withdrawArea(f.AgencyID(), areaID, userID, now)
	}
	return n, n.Says[i], nil
}

// SaysOf returns the says of member memberID, in the order they were made.
func (r *Roadmap) SaysOf(memberID string) []OwnSay {
	var out []OwnSay
	for _, s := range r.Says {
		if s.MemberID == memberID {
			out = append(out, s)
		}
	}
	return out
}

// withdrawArea takes areaID out of agencyID's unrevoked grants (in force or
// planned), recording each change as a receipt by the member userID.
func (n *Roadmap) withdrawArea(agencyID, areaID, userID string, now time.Time) {
	for i := range n.Grants {
		g := &n.Grants[i]
		if g.AgencyID != agencyID || g.Status != GrantActive || !now.Before(g.ExpiresAt) {
			continue
		}
		kept := slices.DeleteFunc(slices.Clone(g.Sections), func(s Section) bool { return s.AreaID() == areaID })
		if len(kept) == len(g.Sections) {
			continue
		}
		g.Sections, g.UpdatedAt = kept, now
		n.addReceipt(ReceiptChanged, userID, *g, now)
	}
}

// NeedYes is the own-say rule for a grant planned outside AddGrant (a
// transition's): nil when sharing sections with agencyID has every yes it
// needs, else the problem, pointing into sections.
func (r *Roadmap) NeedYes(sections []Section, agencyID string, now time.Time, p ConsentPolicy) error {
	return r.needYes(sections, sections, agencyID, now, p)
}
