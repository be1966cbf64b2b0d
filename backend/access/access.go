// Package access decides who may do what with a roadmap. Decide is the one
// place that answers "may this actor do this action on this section of this
// roadmap, now", and Project turns a roadmap into exactly what the actor may
// see. Both are pure: every handler calls them with what it has just read
// (the roadmap with its grants, the actor's agency membership), so a change
// of consent holds on the very next request.
package access

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"time"

	"github.com/veikart/veikart/backend/veikart"
)

// Kind says what sort of actor is asking.
type Kind string

// Kinds of actor.
const (
	Anonymous Kind = "anonymous"
	Person    Kind = "person"   // a signed-in person acting for themselves
	Agency    Kind = "agency"   // a signed-in person acting for one agency
	Operator  Kind = "operator" // the service's operator (admin API)
)

// Actor is who is asking. For Kind Agency, AgencyRoles are the person's roles
// in that agency as read from the agency at this request: a token only names
// the agency, it never proves membership.
type Actor struct {
	Kind        Kind
	UserID      string
	AgencyID    string
	AgencyRoles []veikart.AgencyRole
}

// Caseworker reports whether the actor acts as a caseworker of an agency.
func (a Actor) Caseworker() bool {
	return a.Kind == Agency && a.AgencyID != "" && a.UserID != "" && slices.Contains(a.AgencyRoles, veikart.CaseworkerRole)
}

// AgencyAdmin reports whether the actor acts as an administrator of an agency.
func (a Actor) AgencyAdmin() bool {
	return a.Kind == Agency && a.AgencyID != "" && a.UserID != "" && slices.Contains(a.AgencyRoles, veikart.AdminRole)
}

// Action is something an actor wants to do with a roadmap.
type Action string

// Actions on roadmaps.
const (
	Read          Action = "read"           // read the roadmap (what Project leaves of it)
	Change        Action = "change"         // apply operations; accept or reject proposals
	Delete        Action = "delete"         // delete it with everything that belongs to it
	ManageConsent Action = "manage-consent" // grants, requests, invitations, receipts
	ReadLog       Action = "read-log"       // the access log
	Comment       Action = "comment"        // comment on a section
	Propose       Action = "propose"        // propose a step in a steps section
	RequestAccess Action = "request-access" // ask the owners for access
	AcceptInvite  Action = "accept-invite"  // use an invitation code
	FollowUp      Action = "follow-up"      // see which agencies' steps are overdue
	// TakeOwn is a member taking their parts of the family's roadmap into
	// a roadmap of their own (growing up).
	TakeOwn Action = "take-own"
	// RecoverAccount is a caseworker making a code with which an owner of
	// the roadmap registers a new passkey after losing their phone.
	RecoverAccount Action = "recover-account"
	// PrintPoster is fetching what only the printed poster needs (its QR
	// code): the household's own, owners and members with accounts alike.
	PrintPoster Action = "print-poster"
	// ReadTeam is seeing the household's team: the agencies, their contact
	// persons and the coordinator, and for the owners and the coordinator
	// what each agency promised.
	ReadTeam Action = "read-team"
	// SetContact is an agency naming its contact person for the household.
	SetContact Action = "set-contact"
	// AnswerPromise is an agency accepting, with a date, or declining a
	// step the household gave it (section: the step's steps section).
	AnswerPromise Action = "answer-promise"
	// ReadMeetings is seeing the household's meetings: all of them for the
	// owners, the ones an agency is invited to (cut to its grant) for it.
	ReadMeetings Action = "read-meetings"
	// CallMeeting is calling a meeting: planned when an owner calls it,
	// proposed (waiting for the household's yes) when the coordinator does.
	CallMeeting Action = "call-meeting"
	// RunMeeting is taking notes and recording decisions during a meeting:
	// the owners, and the coordinator when their agency is invited
	// (MayRunMeeting).
	RunMeeting Action = "run-meeting"
	// ReadMessages and SendMessage are reading and writing the
	// conversation between the household and one agency; the section is
	// veikart.ConversationSection of that agency.
	ReadMessages Action = "read-messages"
	SendMessage  Action = "send-message"
	// ReadHistory is reading the timeline and the saved reviews: the
	// owners all of it, an agency with a grant in force what is about its
	// granted areas and itself (history.go). Members and helpers: none.
	ReadHistory Action = "read-history"
	// Review is setting the review rhythm, seeing what changed since the
	// last review and saving one: the owners only.
	Review Action = "review"
)

// Roles a decision names.
const (
	RoleOwner      = "owner"
	RoleMember     = "member"
	RoleCaseworker = "caseworker"
	// RoleCoordinator is a caseworker the household chose to coordinate:
	// for ReadTeam, they see what every agency promised.
	RoleCoordinator = "coordinator"
)

// Decision is the answer, with the role the actor was judged in and, for a
// caseworker, the grant that allowed it.
type Decision struct {
	Allowed bool
	Role    string
	Grant   *veikart.Grant
}

var deny = Decision{}

// Decide reports whether actor may do action on r at time now. section is
// the section the action is about (Comment, Propose); other actions ignore
// it. Anything not explicitly allowed is denied.
func Decide(actor Actor, action Action, r *veikart.Roadmap, section veikart.Section, now time.Time) Decision {
	if r == nil || actor.UserID == "" {
		return deny
	}
	if action == CheckIn || action == ReadCheckIns {
		return decideCheckIns(actor, action, r, section, now) // checkins.go
	}
	switch actor.Kind {
	case Person:
		if d, ok := decideHelper(actor, action, r, section, now); ok {
			return d // a trusted person or an interpreter (helpers.go)
		}
		return decidePerson(actor, action, r, section)
	case Agency:
		return decideAgency(actor, action, r, section, now)
	}
	return deny
}

// decidePerson is Decide for a person acting for themselves: an owner, a
// household member with an account, or anyone else.
func decidePerson(actor Actor, action Action, r *veikart.Roadmap, section veikart.Section) Decision {
	if r.IsOwner(actor.UserID) {
		switch action {
		case Read, Change, Delete, ManageConsent, ReadLog, AcceptInvite, FollowUp, PrintPoster, ReadTeam,
			ReadMeetings, CallMeeting, RunMeeting, ReadSays, ReadHistory, Review:
			return Decision{Allowed: true, Role: RoleOwner}
		case Comment:
			return Decision{Allowed: r.HasSection(section), Role: RoleOwner}
		case ReadMessages, SendMessage:
			// The household keeps its conversations after access ends:
			// any agency that ever had a grant here.
			return Decision{Allowed: everGranted(r, section.ConversationAgency()), Role: RoleOwner}
		}
		return deny
	}
	if me, ok := r.MemberByUser(actor.UserID); ok {
		return decideMember(me, action, r, section) // members.go
	}
	// Anyone signed in may try an invitation code; the code decides.
	return Decision{Allowed: action == AcceptInvite}
}

// decideAgency is Decide for a caseworker acting for their agency: what
// the agency's grant in force allows, now.
func decideAgency(actor Actor, action Action, r *veikart.Roadmap, section veikart.Section, now time.Time) Decision {
	if !actor.Caseworker() {
		return deny // administrators manage people, not roadmaps
	}
	switch action {
	case RequestAccess, AcceptInvite:
		return Decision{Allowed: true, Role: RoleCaseworker}
	}
	g, ok := r.ActiveGrant(actor.AgencyID, now)
	if !ok {
		return deny
	}
	var allowed bool
	switch action {
	case Read, RecoverAccount, SetContact, ReadMeetings:
		allowed = true
	case CallMeeting, RunMeeting:
		if r.IsCoordinator(actor.AgencyID, actor.UserID, now) {
			return Decision{Allowed: true, Role: RoleCoordinator, Grant: &g}
		}
	case ReadHistory:
		if r.IsCoordinator(actor.AgencyID, actor.UserID, now) {
			return Decision{Allowed: true, Role: RoleCoordinator, Grant: &g}
		}
		allowed = true
	case ReadTeam:
		// Every agency with access sees itself on the team (its own
		// contact person); TeamOf shows the rest only to an agency the
		// household let see the team, and the promises to the coordinator.
		if r.IsCoordinator(actor.AgencyID, actor.UserID, now) {
			return Decision{Allowed: true, Role: RoleCoordinator, Grant: &g}
		}
		allowed = true
	case AnswerPromise:
		allowed = section.IsSteps() && g.Allows(veikart.View, section) && r.HasSection(section)
	case Comment:
		allowed = g.Allows(veikart.CommentOn, section) && r.HasSection(section)
	case Propose:
		allowed = section.IsSteps() && g.Allows(veikart.Propose, section) && r.HasSection(section)
	case ReadMessages, SendMessage:
		// Only the agency's own conversation, and only while its grant
		// in force lets it write with the household.
		allowed = section.ConversationAgency() == actor.AgencyID && slices.Contains(g.Permissions, veikart.Messaging)
	}
	if !allowed {
		return deny
	}
	return Decision{Allowed: true, Role: RoleCaseworker, Grant: &g}
}

// everGranted reports whether agencyID has or had a grant on r, in force or
// not (a revoked grant stays on the roadmap).
func everGranted(r *veikart.Roadmap, agencyID string) bool {
	return agencyID != "" && slices.ContainsFunc(r.Grants, func(g veikart.Grant) bool { return g.AgencyID == agencyID })
}

// View is what an actor sees of a roadmap: the projected roadmap and, for a
// caseworker, the grant it was projected through.
type View struct {
	Roadmap *veikart.Roadmap
	Role    string
	Grant   *veikart.Grant
	// Sections are the sections present in the view, for the access log;
	// nil for a full (owner's) view.
	Sections []veikart.Section
	// Full says the view is the whole roadmap (an owner's).
	Full bool
	// MemberID is, for a member, the household member they are.
	MemberID string
	// Helper is, for a trusted person or an interpreter, their record
	// (helpers.go).
	Helper *veikart.Helper
}

// Project returns what actor may read of r, or nil if nothing. Whatever is
// not granted is absent from the result, not blanked: ungranted areas, their
// steps and the comments on them are not there, and the household list is
// empty unless granted. Consent records (grants, requests, invitations,
// receipts) are never part of a view; owners read them on their own routes.
// An owner's view shares memory with r: treat every view as read-only.
func Project(actor Actor, r *veikart.Roadmap, now time.Time) *View {
	d := Decide(actor, Read, r, "", now)
	if !d.Allowed {
		return nil
	}
	switch d.Role {
	case RoleOwner:
		// Sections stays nil: it is for the access log, which owners'
		// reads do not go to, and this is the hottest path there is.
		return &View{Roadmap: r, Role: d.Role, Full: true}
	case RoleMember:
		return projectMember(actor, r) // members.go
	case RoleCaseworker:
		return projectGrant(r, *d.Grant)
	case RoleTrusted, RoleInterpreter:
		h, _ := r.ActiveHelper(actor.UserID, now)
		return projectHelper(r, h)
	}
	return nil
}

func projectGrant(r *veikart.Roadmap, g veikart.Grant) *View {
	f := grantFilter{g}
	v := &veikart.Roadmap{
		ID: r.ID, Title: r.Title, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		TitleVersion: r.TitleVersion,
	}
	// No account id of anyone in the household leaves in an agency's
	// view, and members are named by keys of this agency's own (an account
	// id was the first link of a chain that ended in an account takeover).
	// Without the household section the agency does not see the members
	// at all, so nothing may point at one either.
	keys := memberKeys{roadmapID: r.ID, agencyID: g.AgencyID, shown: f.household(), memo: map[string]string{}}
	if keys.shown {
		v.Members = slices.Clone(r.Members)
		for i := range v.Members {
			v.Members[i].ID = keys.key(v.Members[i].ID)
			v.Members[i].UserID = ""
		}
	}
	for _, a := range r.Areas {
		if f.area(a) {
			a.MemberIDs = keys.keys(a.MemberIDs)
			v.Areas = append(v.Areas, a)
		}
	}
	for _, s := range r.Steps {
		if f.step(s) {
			if s.Responsible.AgencyID != g.AgencyID {
				// Another agency's answer to the household is theirs.
				s.Promise = veikart.Promise{}
			}
			// What the household named as its blocker it shares, if
			// at all, only as a count (veikart/blocker.go).
			s.Blocker = veikart.StepBlocker{}
			v.Steps = append(v.Steps, keys.step(s))
		}
	}
	for _, c := range r.Comments {
		if f.comment(c) {
			if c.AgencyID != g.AgencyID {
				c.UserID = "" // the household's: the agency knows only that the household wrote it
			}
			v.Comments = append(v.Comments, c)
		}
	}
	for _, p := range r.Proposals {
		if p.AgencyID == g.AgencyID {
			p.Step = keys.step(p.Step)
			p.DecidedBy = ""
			v.Proposals = append(v.Proposals, p)
		}
	}
	// A transition's receiving agency reads the hand-over the household
	// wrote for it, and only that transition.
	if id := g.TransitionID(); id != "" {
		if t, ok := r.Transition(id); ok && t.Status == veikart.TransitionPlanned {
			t.CreatedBy = ""
			v.Transitions = []veikart.Transition{t}
		}
	}
	return &View{Roadmap: v, Role: RoleCaseworker, Grant: &g, Sections: f.sections(r)}
}

// MemberKey is the id by which agencyID knows member memberID of roadmap
// roadmapID: stable (the agency's app can tell members apart from one
// read to the next), different for every agency and roadmap (two agencies
// cannot match their keys), and no account id. Member ids are the
// household's own, chosen by its app, and may be anything from a random
// id to a first name.
func MemberKey(roadmapID, agencyID, memberID string) string {
	return "mk-" + hashKey("veikart-member-key", roadmapID, agencyID, memberID)
}

// hashKey is 96 bits of the SHA-256 of parts, in hex: enough that keys
// never collide within a roadmap and cannot be guessed from random ids.
func hashKey(parts ...string) string {
	h := sha256.New()
	for _, s := range parts {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// memberKeys rewrites member ids for one agency's view: to its keys when
// the household section is shown, else to nothing. Each member's key is
// hashed once per view (memo), not once for every area and step naming
// them.
type memberKeys struct {
	roadmapID, agencyID string
	shown               bool
	memo                map[string]string
}

func (k memberKeys) key(id string) string {
	if key, ok := k.memo[id]; ok {
		return key
	}
	key := MemberKey(k.roadmapID, k.agencyID, id)
	k.memo[id] = key
	return key
}

func (k memberKeys) keys(ids []string) []string {
	if !k.shown || len(ids) == 0 {
		return nil
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = k.key(id)
	}
	return out
}

// step returns s with its member ids rewritten. A member responsible for
// it becomes the household as a whole when the members are not shown: it
// is one of them, and which one is the household section's to say.
func (k memberKeys) step(s veikart.Step) veikart.Step {
	s.MemberIDs = k.keys(s.MemberIDs)
	if s.Responsible.Kind == veikart.ByMember {
		if k.shown {
			s.Responsible.MemberID = k.key(s.Responsible.MemberID)
		} else {
			s.Responsible = veikart.Responsible{Kind: veikart.ByHousehold}
		}
	}
	return s
}

// grantFilter says what a grant shows of a roadmap. Project copies what it
// shows; Summarize counts it. Both ask here, so they cannot disagree. It
// finds sections by comparing names rather than building them: a list of
// 300 households asks about every area of each.
type grantFilter struct{ g veikart.Grant }

func (f grantFilter) household() bool { return slices.Contains(f.g.Sections, veikart.SectionHousehold) }

// areaSection returns the grant's section for area id's texts, if granted.
func (f grantFilter) areaSection(id string) (veikart.Section, bool) {
	for _, s := range f.g.Sections {
		if s.IsAreaOf(id) {
			return s, true
		}
	}
	return "", false
}

// stepsSection returns the grant's section for area id's steps, if granted.
func (f grantFilter) stepsSection(id string) (veikart.Section, bool) {
	for _, s := range f.g.Sections {
		if s.IsStepsOf(id) {
			return s, true
		}
	}
	return "", false
}

func (f grantFilter) area(a veikart.Area) bool { _, ok := f.areaSection(a.ID); return ok }
func (f grantFilter) step(s veikart.Step) bool { _, ok := f.stepsSection(s.AreaID); return ok }

// comment: comments by the household and by this agency on granted
// sections; what other agencies wrote is theirs and the household's.
func (f grantFilter) comment(c veikart.Comment) bool {
	return slices.Contains(f.g.Sections, c.Section) && (c.AgencyID == "" || c.AgencyID == f.g.AgencyID)
}

// sections lists the granted sections the roadmap has, in the roadmap's
// order: the household, then each area, then each area's steps.
func (f grantFilter) sections(r *veikart.Roadmap) []veikart.Section {
	seen := make([]veikart.Section, 0, len(f.g.Sections))
	if f.household() {
		seen = append(seen, veikart.SectionHousehold)
	}
	for _, a := range r.Areas {
		if s, ok := f.areaSection(a.ID); ok {
			seen = append(seen, s)
		}
	}
	for _, a := range r.Areas {
		if s, ok := f.stepsSection(a.ID); ok {
			seen = append(seen, s)
		}
	}
	return seen
}

// Summary is what a caseworker's list says of one shared roadmap: the grant
// it is read through and how much of it that grant shows.
type Summary struct {
	View                   // Roadmap is nil: nothing is copied
	Areas, Steps, Comments int
	// Asked counts the steps given to the agency that wait for its answer.
	Asked int
}

// Summarize is Project for a list: the same decision and the same counts
// as len(Project(...).Roadmap.Areas) and the rest, without copying the
// roadmap (a list of 300 households copied every one: a fifth of the
// server's CPU under a working day's mix). It returns false unless actor
// reads r as a caseworker through a grant in force.
func Summarize(actor Actor, r *veikart.Roadmap, now time.Time) (Summary, bool) {
	d := Decide(actor, Read, r, "", now)
	if !d.Allowed || d.Role != RoleCaseworker || d.Grant == nil {
		return Summary{}, false
	}
	g := *d.Grant
	f := grantFilter{g}
	out := Summary{View: View{Role: RoleCaseworker, Grant: &g, Sections: f.sections(r)}}
	for _, a := range r.Areas {
		if f.area(a) {
			out.Areas++
		}
	}
	for _, s := range r.Steps {
		if f.step(s) {
			out.Steps++
			if s.Responsible.AgencyID == g.AgencyID && s.Promise.Status == veikart.PromiseAsked {
				out.Asked++
			}
		}
	}
	for _, c := range r.Comments {
		if f.comment(c) {
			out.Comments++
		}
	}
	return out, true
}

// Actions that are not about one roadmap: what a caller may do with the
// service itself, with agencies, and with their own account.
const (
	ActAsPerson     Action = "act-as-person"     // create roadmaps, accept owner and member invitations
	ActAsCaseworker Action = "act-as-caseworker" // see what is shared with the agency, ask for access, accept agency invitations
	UseAccount      Action = "use-account"       // one's own profile and push devices
	CreateAgency    Action = "create-agency"
	// ReapplyErasures is erasing again, after a restore, what people had
	// erased after the backup was taken.
	ReapplyErasures Action = "reapply-erasures"
	SeeAllStaff     Action = "see-all-staff" // every agency's people, in the directory
	ManageStaff     Action = "manage-staff"  // add and remove the people of agencyID
	// CreateEnrolment is making a one-time code with which a new person
	// (without a national eID) registers a passkey; see also RecoverAccount.
	CreateEnrolment Action = "create-enrolment"
	// SeeBlockerCounts is reading the published counts of the blockers
	// households shared (veikart/blocker.go), for agencyID's
	// administrators.
	SeeBlockerCounts Action = "see-blocker-counts"
	// KeepCalendarFeed is having a calendar feed and managing it: a
	// person's own, or a caseworker's for the agency they act for. What a
	// feed lists is decided at each fetch, roadmap by roadmap, by Decide.
	KeepCalendarFeed Action = "keep-calendar-feed"
)

// ErrOperatorAccount refuses an operator's token what only a person does
// with their own account.
var ErrOperatorAccount = &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Operator tokens are for the admin API."}

// Own is nil when actor is a person using their own account (for
// themselves or for an agency), and ErrOperatorAccount for an operator.
func Own(actor Actor) error {
	if !Permit(actor, UseAccount, "") {
		return ErrOperatorAccount
	}
	return nil
}

// Permit is Decide for actions that are not about a roadmap; agencyID is the
// agency the action is about (ManageStaff), else "". Anything not explicitly
// allowed is denied.
func Permit(actor Actor, action Action, agencyID string) bool {
	if actor.UserID == "" {
		return false
	}
	switch action {
	case ActAsPerson:
		return actor.Kind == Person
	case ActAsCaseworker, RequestAccess, CreateEnrolment:
		return actor.Caseworker()
	case AcceptInvite, KeepCalendarFeed:
		return actor.Kind == Person || actor.Caseworker()
	case UseAccount:
		return actor.Kind == Person || actor.Kind == Agency
	case CreateAgency, SeeAllStaff, ReapplyErasures:
		return actor.Kind == Operator
	case ManageStaff:
		return actor.Kind == Operator || (actor.AgencyAdmin() && actor.AgencyID == agencyID && agencyID != "")
	case SeeBlockerCounts:
		// Counts of every municipality, for an agency's administrators:
		// the people who plan services. The operator runs the service and
		// is no agency.
		return actor.AgencyAdmin() && actor.AgencyID == agencyID && agencyID != ""
	}
	return false
}

// MayRecover reports whether actor may make a recovery code for the person
// userID (see RecoverAccount and veikart/recovery.go): only a caseworker
// whose agency holds a grant in force on a roadmap the person owns, on which
// the person chose to let that agency help them back in, and only for an
// account that has no other way in. owned are the roadmaps the person's
// index names; the roadmaps' own owner lists decide, not the index.
func MayRecover(actor Actor, userID string, owned []*veikart.Roadmap, now time.Time) bool {
	if !veikart.RecoverableByAgency(userID) || actor.Kind != Agency {
		return false
	}
	for _, r := range owned {
		if r != nil && slices.Contains(Recoverable(actor, r, now), userID) {
			return true
		}
	}
	return false
}

// Recoverable lists the owners of r whom actor may help back into their
// accounts (MayRecover), in r's order; nil for anyone else.
func Recoverable(actor Actor, r *veikart.Roadmap, now time.Time) []string {
	d := Decide(actor, RecoverAccount, r, "", now)
	if !d.Allowed || d.Grant == nil {
		return nil
	}
	var out []string
	for _, u := range r.Owners {
		if veikart.RecoverableByAgency(u) && d.Grant.HelpsRecover(u) {
			out = append(out, u)
		}
	}
	return out
}

// PersonKey is the id by which agencyID names owner userID of roadmap
// roadmapID when it helps them back in: like MemberKey, an agency's own
// key, never the account id.
func PersonKey(roadmapID, agencyID, userID string) string {
	return "rk-" + hashKey("veikart-person-key", roadmapID, agencyID, userID)
}

// Ending is why an agency's access to a roadmap ended, and when.
type Ending struct {
	Revoked bool // the owners took it back; otherwise it ran out
	At      time.Time
	// Person says it was a trusted person's or interpreter's own access
	// (helpers.go), not an agency's.
	Person bool
}

// Ended reports, for a caseworker without access to r at now, how the
// agency's latest grant ended (for a trusted person or an interpreter, how
// their latest helper record ended: helperEnded): the household revoked it or it expired. An
// agency that had a grant knew of the roadmap, so saying so tells it
// nothing new, and it spares the caseworker a bare "not found". A grant
// planned for later, or none ever, is no ending (ok false).
func Ended(actor Actor, r *veikart.Roadmap, now time.Time) (Ending, bool) {
	if r != nil && actor.Kind == Person {
		return helperEnded(actor, r, now) // a trusted person's or interpreter's (helpers.go)
	}
	if r == nil || actor.Kind != Agency || !actor.Caseworker() {
		return Ending{}, false
	}
	if _, ok := r.ActiveGrant(actor.AgencyID, now); ok {
		return Ending{}, false
	}
	var last Ending
	var found bool
	for _, g := range r.Grants {
		if g.AgencyID != actor.AgencyID {
			continue
		}
		var e Ending
		switch {
		case g.Status == veikart.GrantRevoked:
			e = Ending{Revoked: true, At: g.RevokedAt}
		case !now.Before(g.ExpiresAt):
			e = Ending{At: g.ExpiresAt}
		default:
			continue // planned for later
		}
		if !found || e.At.After(last.At) {
			last, found = e, true
		}
	}
	return last, found
}

// Preview is what the agency of grant g sees of r: the very projection a
// caseworker's read goes through, for the household to look at before it
// says yes ("Dette ser NAV") and at any time after.
func Preview(r *veikart.Roadmap, g veikart.Grant) *View {
	return projectGrant(r, g)
}
