package storage

import (
	"fmt"
	"time"

	"github.com/klauspost/compress/zstd"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/veikart/veikart/backend/veikart"
)

// The storage documents. They are separate from the domain types so that the
// database layout can change (and be migrated) without touching the domain,
// and so that bson tags never leak into it.

// roadmapDoc keeps the fields a query or an index needs at the top level and
// the rest of the roadmap as one BSON blob. FerretDB's cost grows with the
// number of fields it converts (measured: 3.7 ms to find a 4 KB roadmap stored
// as nested fields, 1 ms as a blob), and nothing queries inside a roadmap: it
// is always loaded and saved whole.
type roadmapDoc struct {
	ID        string    `bson:"_id"`
	Owners    []string  `bson:"owners"`
	Version   int64     `bson:"version"`
	Rev       int64     `bson:"rev,omitempty"` // veikart.Roadmap.Rev; absent in documents written before it
	UpdatedAt time.Time `bson:"updatedAt"`
	Format    int       `bson:"format"` // of Body: formatBSON or formatZstdBSON
	Body      []byte    `bson:"body"`
}

// Body formats. Both are read; new writes use formatZstdBSON. Compressing
// costs 30 µs and shrinks a 4.7 KB roadmap to 1.8 KB, and every byte the
// store does not have to convert, base64-encode, parse for its indexes and
// write is worth more than that (measured: writes/s up from about 1,100
// to 1,200 under load, p99 from 58 to 49 ms; see docs/benchmarks.md).
const (
	formatBSON     = 1 // roadmapBody as BSON
	formatZstdBSON = 2 // roadmapBody as BSON, zstd-compressed
)

var (
	zenc = must(zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest)))
	// A body is at most a few hundred KB; the cap stops a corrupt one from
	// claiming memory.
	zdec = must(zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(64<<20)))
)

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

type roadmapBody struct {
	Title        string      `bson:"title"`
	Members      []memberDoc `bson:"members"`
	Areas        []areaDoc   `bson:"areas"`
	Steps        []stepDoc   `bson:"steps"`
	CreatedAt    time.Time   `bson:"createdAt"`
	TitleVersion int64       `bson:"titleVersion,omitempty"`
	RecentOps    []string    `bson:"recentOps,omitempty"`
	// Consent records. Roadmaps stored before consent existed have none.
	Grants      []grantDoc      `bson:"grants,omitempty"`
	Requests    []requestDoc    `bson:"requests,omitempty"`
	Invitations []invitationDoc `bson:"invitations,omitempty"`
	Comments    []commentDoc    `bson:"comments,omitempty"`
	Proposals   []proposalDoc   `bson:"proposals,omitempty"`
	Receipts    []receiptDoc    `bson:"receipts,omitempty"`
	Transitions []transitionDoc `bson:"transitions,omitempty"`
	Coordinator *coordinatorDoc `bson:"coordinator,omitempty"`
	Meetings    []meetingDoc    `bson:"meetings,omitempty"`
	Helpers     []helperDoc     `bson:"helpers,omitempty"`
	Says        []sayDoc        `bson:"says,omitempty"`
	// The household's municipality, for the blockers it shares.
	Municipality        string         `bson:"municipality,omitempty"`
	MunicipalityVersion int64          `bson:"municipalityVersion,omitempty"`
	Review              *reviewPlanDoc `bson:"review,omitempty"`
}

// reviewPlanDoc is the review rhythm (veikart.ReviewPlan); absent when
// none was ever chosen.
type reviewPlanDoc struct {
	Months int       `bson:"months"`
	SetAt  time.Time `bson:"setAt"`
	LastAt time.Time `bson:"lastAt,omitempty"`
}

func toReviewPlanDoc(p veikart.ReviewPlan) *reviewPlanDoc {
	if p == (veikart.ReviewPlan{}) {
		return nil
	}
	return &reviewPlanDoc{Months: p.Months, SetAt: p.SetAt, LastAt: p.LastAt}
}

func fromReviewPlanDoc(d *reviewPlanDoc) veikart.ReviewPlan {
	if d == nil {
		return veikart.ReviewPlan{}
	}
	return veikart.ReviewPlan{Months: d.Months, SetAt: d.SetAt.UTC(), LastAt: d.LastAt.UTC()}
}

// helperDoc is a trusted person or an interpreter (veikart.Helper).
type helperDoc struct {
	ID           string    `bson:"id"`
	Kind         string    `bson:"kind"`
	Name         string    `bson:"name"`
	UserID       string    `bson:"userId,omitempty"`
	Sections     []string  `bson:"sections"`
	Write        bool      `bson:"write,omitempty"`
	CreatedAt    time.Time `bson:"createdAt"`
	CreatedBy    string    `bson:"createdBy"`
	ExpiresAt    time.Time `bson:"expiresAt"`
	InvitationID string    `bson:"invitationId,omitempty"`
	AcceptedAt   time.Time `bson:"acceptedAt,omitempty"`
	RevokedAt    time.Time `bson:"revokedAt,omitempty"`
	RevokedBy    string    `bson:"revokedBy,omitempty"`
}

func toHelperDoc(h veikart.Helper) helperDoc {
	return helperDoc{
		ID: h.ID, Kind: string(h.Kind), Name: h.Name, UserID: h.UserID, Sections: toStrings(h.Sections), Write: h.Write,
		CreatedAt: h.CreatedAt, CreatedBy: h.CreatedBy, ExpiresAt: h.ExpiresAt, InvitationID: h.InvitationID,
		AcceptedAt: h.AcceptedAt, RevokedAt: h.RevokedAt, RevokedBy: h.RevokedBy,
	}
}

func fromHelperDoc(h helperDoc) veikart.Helper {
	return veikart.Helper{
		ID: h.ID, Kind: veikart.HelperKind(h.Kind), Name: h.Name, UserID: h.UserID, Sections: fromStrings[veikart.Section](h.Sections), Write: h.Write,
		CreatedAt: h.CreatedAt.UTC(), CreatedBy: h.CreatedBy, ExpiresAt: h.ExpiresAt.UTC(), InvitationID: h.InvitationID,
		AcceptedAt: h.AcceptedAt.UTC(), RevokedAt: h.RevokedAt.UTC(), RevokedBy: h.RevokedBy,
	}
}

type sayDoc struct {
	ID         string    `bson:"id"`
	MemberID   string    `bson:"memberId"`
	AreaID     string    `bson:"areaId"`
	For        string    `bson:"for"`
	Answer     string    `bson:"answer"`
	AskedBy    string    `bson:"askedBy,omitempty"`
	AskedAt    time.Time `bson:"askedAt,omitempty"`
	AnsweredAt time.Time `bson:"answeredAt,omitempty"`
}

func toSayDoc(s veikart.OwnSay) sayDoc {
	return sayDoc{ID: s.ID, MemberID: s.MemberID, AreaID: s.AreaID, For: string(s.For), Answer: string(s.Answer), AskedBy: s.AskedBy, AskedAt: s.AskedAt, AnsweredAt: s.AnsweredAt}
}

func fromSayDoc(s sayDoc) veikart.OwnSay {
	return veikart.OwnSay{ID: s.ID, MemberID: s.MemberID, AreaID: s.AreaID, For: veikart.SayFor(s.For), Answer: veikart.SayAnswer(s.Answer),
		AskedBy: s.AskedBy, AskedAt: s.AskedAt.UTC(), AnsweredAt: s.AnsweredAt.UTC()}
}

// meetingDoc is a meeting of the household's team (veikart.Meeting).
type meetingDoc struct {
	ID             string          `bson:"id"`
	At             time.Time       `bson:"at"`
	Minutes        int             `bson:"minutes"`
	Place          string          `bson:"place,omitempty"`
	Invitees       []string        `bson:"invitees"`
	Status         string          `bson:"status"`
	CalledBy       string          `bson:"calledBy"`
	CalledByAgency string          `bson:"calledByAgency,omitempty"`
	Agenda         []agendaItemDoc `bson:"agenda,omitempty"`
	ApprovedAt     time.Time       `bson:"approvedAt,omitempty"`
	CreatedAt      time.Time       `bson:"createdAt"`
	UpdatedAt      time.Time       `bson:"updatedAt"`
}

type agendaItemDoc struct {
	ID        string        `bson:"id"`
	AreaID    string        `bson:"areaId,omitempty"`
	Text      string        `bson:"text"`
	Notes     string        `bson:"notes,omitempty"`
	Decisions []decisionDoc `bson:"decisions,omitempty"`
}

type decisionDoc struct {
	ID          string         `bson:"id"`
	AreaID      string         `bson:"areaId"`
	Text        string         `bson:"text"`
	Responsible responsibleDoc `bson:"responsible"`
	Due         string         `bson:"due,omitempty"`
	StepID      string         `bson:"stepId"`
}

func toMeetingDoc(m veikart.Meeting) meetingDoc {
	return meetingDoc{
		ID: m.ID, At: m.At, Minutes: m.Minutes, Place: m.Place, Invitees: m.Invitees, Status: string(m.Status),
		CalledBy: m.CalledBy, CalledByAgency: m.CalledByAgency, ApprovedAt: m.ApprovedAt, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt,
		Agenda: convert(m.Agenda, func(it veikart.AgendaItem) agendaItemDoc {
			return agendaItemDoc{ID: it.ID, AreaID: it.AreaID, Text: it.Text, Notes: it.Notes, Decisions: convert(it.Decisions, func(d veikart.Decision) decisionDoc {
				return decisionDoc{ID: d.ID, AreaID: d.AreaID, Text: d.Text, Due: d.Due, StepID: d.StepID,
					Responsible: responsibleDoc{Kind: string(d.Responsible.Kind), MemberID: d.Responsible.MemberID, AgencyID: d.Responsible.AgencyID}}
			})}
		}),
	}
}

func fromMeetingDoc(m meetingDoc) veikart.Meeting {
	return veikart.Meeting{
		ID: m.ID, At: m.At.UTC(), Minutes: m.Minutes, Place: m.Place, Invitees: m.Invitees, Status: veikart.MeetingStatus(m.Status),
		CalledBy: m.CalledBy, CalledByAgency: m.CalledByAgency, ApprovedAt: m.ApprovedAt.UTC(), CreatedAt: m.CreatedAt.UTC(), UpdatedAt: m.UpdatedAt.UTC(),
		Agenda: convert(m.Agenda, func(it agendaItemDoc) veikart.AgendaItem {
			return veikart.AgendaItem{ID: it.ID, AreaID: it.AreaID, Text: it.Text, Notes: it.Notes, Decisions: convert(it.Decisions, func(d decisionDoc) veikart.Decision {
				return veikart.Decision{ID: d.ID, AreaID: d.AreaID, Text: d.Text, Due: d.Due, StepID: d.StepID,
					Responsible: veikart.Responsible{Kind: veikart.ResponsibleKind(d.Responsible.Kind), MemberID: d.Responsible.MemberID, AgencyID: d.Responsible.AgencyID}}
			})}
		}),
	}
}

type memberDoc struct {
	ID         string           `bson:"id"`
	Name       string           `bson:"name"`
	BirthYear  int              `bson:"birthYear,omitempty"`
	Role       string           `bson:"role"`
	UserID     string           `bson:"userId,omitempty"`
	OwnAllowed bool             `bson:"ownAllowed,omitempty"`
	TookOwnAt  time.Time        `bson:"tookOwnAt,omitempty"`
	Version    int64            `bson:"v"`
	Changed    map[string]int64 `bson:"changed,omitempty"`
}

type areaDoc struct {
	ID           string           `bson:"id"`
	Kind         string           `bson:"kind"`
	Title        string           `bson:"title,omitempty"`
	Now          string           `bson:"now,omitempty"`
	Desired      string           `bson:"desired,omitempty"`
	ScoreNow     int              `bson:"scoreNow,omitempty"`
	ScoreDesired int              `bson:"scoreDesired,omitempty"`
	MemberIDs    []string         `bson:"memberIds,omitempty"`
	Version      int64            `bson:"v"`
	Changed      map[string]int64 `bson:"changed,omitempty"`
	Renderings   []renderingDoc   `bson:"renderings,omitempty"`
}

// renderingDoc is a Norwegian rendering of an area's text (veikart.Rendering).
type renderingDoc struct {
	Field       string    `bson:"field"`
	Text        string    `bson:"text"`
	ByName      string    `bson:"byName,omitempty"`
	ByRole      string    `bson:"byRole"`
	ByUser      string    `bson:"byUser,omitempty"`
	At          time.Time `bson:"at"`
	ConfirmedAt time.Time `bson:"confirmedAt,omitempty"`
	ConfirmedBy string    `bson:"confirmedBy,omitempty"`
	Original    string    `bson:"original,omitempty"`
}

func toRenderingDoc(x veikart.Rendering) renderingDoc {
	return renderingDoc{Field: x.Field, Text: x.Text, ByName: x.ByName, ByRole: x.ByRole, ByUser: x.ByUser, At: x.At, ConfirmedAt: x.ConfirmedAt, ConfirmedBy: x.ConfirmedBy, Original: x.Original}
}

func fromRenderingDoc(x renderingDoc) veikart.Rendering {
	return veikart.Rendering{Field: x.Field, Text: x.Text, ByName: x.ByName, ByRole: x.ByRole, ByUser: x.ByUser, At: x.At.UTC(), ConfirmedAt: x.ConfirmedAt.UTC(), ConfirmedBy: x.ConfirmedBy, Original: x.Original}
}

type stepDoc struct {
	ID          string         `bson:"id"`
	AreaID      string         `bson:"areaId"`
	Title       string         `bson:"title"`
	Note        string         `bson:"note,omitempty"`
	Responsible responsibleDoc `bson:"responsible"`
	Due         string         `bson:"due,omitempty"`
	Status      string         `bson:"status"`
	Term        string         `bson:"term"`
	MemberIDs   []string       `bson:"memberIds,omitempty"`
	Reminders   []reminderDoc  `bson:"reminders,omitempty"`
	Promise     *promiseDoc    `bson:"promise,omitempty"`
	// A transition's checklist line (veikart/checklist.go).
	TransitionID string           `bson:"transitionId,omitempty"`
	ChecklistKey string           `bson:"checklistKey,omitempty"`
	Blocker      *stepBlockerDoc  `bson:"blocker,omitempty"`
	StatusAt     time.Time        `bson:"statusAt,omitempty"`
	CreatedAt    time.Time        `bson:"createdAt"`
	UpdatedAt    time.Time        `bson:"updatedAt"`
	Version      int64            `bson:"v"`
	Changed      map[string]int64 `bson:"changed,omitempty"`
}

// stepBlockerDoc is what stopped a step (veikart.StepBlocker).
type stepBlockerDoc struct {
	Code     string    `bson:"code"`
	NamedAt  time.Time `bson:"namedAt"`
	Shared   bool      `bson:"shared,omitempty"`
	SharedAt time.Time `bson:"sharedAt,omitempty"`
}

func toStepBlockerDoc(b veikart.StepBlocker) *stepBlockerDoc {
	if b.Code == "" {
		return nil
	}
	return &stepBlockerDoc{Code: string(b.Code), NamedAt: b.NamedAt, Shared: b.Shared, SharedAt: b.SharedAt}
}

func fromStepBlockerDoc(d *stepBlockerDoc) veikart.StepBlocker {
	if d == nil {
		return veikart.StepBlocker{}
	}
	b := veikart.StepBlocker{Code: veikart.Blocker(d.Code), NamedAt: d.NamedAt.UTC(), Shared: d.Shared}
	if d.Shared {
		b.SharedAt = d.SharedAt.UTC()
	}
	return b
}

type reminderDoc struct {
	DaysBefore int    `bson:"daysBefore"`
	At         string `bson:"at"`
}

type responsibleDoc struct {
	Kind     string `bson:"kind"`
	MemberID string `bson:"memberId,omitempty"`
	AgencyID string `bson:"agencyId,omitempty"`
}

type grantDoc struct {
	ID          string      `bson:"id"`
	AgencyID    string      `bson:"agencyId"`
	Sections    []string    `bson:"sections"`
	Permissions []string    `bson:"permissions"`
	Purpose     string      `bson:"purpose"`
	CreatedAt   time.Time   `bson:"createdAt"`
	CreatedBy   string      `bson:"createdBy"`
	UpdatedAt   time.Time   `bson:"updatedAt"`
	StartsAt    time.Time   `bson:"startsAt,omitempty"`
	ExpiresAt   time.Time   `bson:"expiresAt"`
	Status      string      `bson:"status"`
	RevokedAt   time.Time   `bson:"revokedAt,omitempty"`
	RevokedBy   string      `bson:"revokedBy,omitempty"`
	Via         string      `bson:"via,omitempty"`
	RecoveryFor []string    `bson:"recoveryFor,omitempty"`
	Contact     *contactDoc `bson:"contact,omitempty"`
}

// promiseDoc is a step's promise (veikart.Promise); absent for none.
type promiseDoc struct {
	Status     string    `bson:"status"`
	AskedAt    time.Time `bson:"askedAt"`
	Due        string    `bson:"due,omitempty"`
	Reason     string    `bson:"reason,omitempty"`
	By         string    `bson:"by,omitempty"`
	ByName     string    `bson:"byName,omitempty"`
	AnsweredAt time.Time `bson:"answeredAt,omitempty"`
	Outcome    string    `bson:"outcome,omitempty"`
	OutcomeAt  time.Time `bson:"outcomeAt,omitempty"`
}

// contactDoc is an agency's contact person on its grant; absent for none.
type contactDoc struct {
	UserID string    `bson:"userId"`
	Name   string    `bson:"name"`
	Role   string    `bson:"role,omitempty"`
	Phone  string    `bson:"phone,omitempty"`
	Email  string    `bson:"email,omitempty"`
	At     time.Time `bson:"at"`
}

// coordinatorDoc is the household's coordinator; absent for none.
type coordinatorDoc struct {
	AgencyID string    `bson:"agencyId"`
	UserID   string    `bson:"userId"`
	Since    time.Time `bson:"since"`
	By       string    `bson:"by"`
}

func toPromiseDoc(p veikart.Promise) *promiseDoc {
	if p.Status == "" {
		return nil
	}
	return &promiseDoc{Status: string(p.Status), AskedAt: p.AskedAt, Due: p.Due, Reason: p.Reason, By: p.By, ByName: p.ByName,
		AnsweredAt: p.AnsweredAt, Outcome: string(p.Outcome), OutcomeAt: p.OutcomeAt}
}

func fromPromiseDoc(p *promiseDoc) veikart.Promise {
	if p == nil {
		return veikart.Promise{}
	}
	return veikart.Promise{Status: veikart.PromiseStatus(p.Status), AskedAt: p.AskedAt.UTC(), Due: p.Due, Reason: p.Reason, By: p.By, ByName: p.ByName,
		AnsweredAt: p.AnsweredAt.UTC(), Outcome: veikart.PromiseOutcome(p.Outcome), OutcomeAt: p.OutcomeAt.UTC()}
}

func toContactDoc(c veikart.Contact) *contactDoc {
	if c.UserID == "" {
		return nil
	}
	d := contactDoc(c)
	return &d
}

func fromContactDoc(c *contactDoc) veikart.Contact {
	if c == nil {
		return veikart.Contact{}
	}
	out := veikart.Contact(*c)
	out.At = out.At.UTC()
	return out
}

func toCoordinatorDoc(c veikart.Coordinator) *coordinatorDoc {
	if c.UserID == "" {
		return nil
	}
	d := coordinatorDoc(c)
	return &d
}

func fromCoordinatorDoc(c *coordinatorDoc) veikart.Coordinator {
	if c == nil {
		return veikart.Coordinator{}
	}
	out := veikart.Coordinator(*c)
	out.Since = out.Since.UTC()
	return out
}

type requestDoc struct {
	ID          string    `bson:"id"`
	AgencyID    string    `bson:"agencyId"`
	RequestedBy string    `bson:"requestedBy"`
	Sections    []string  `bson:"sections"`
	Permissions []string  `bson:"permissions"`
	Purpose     string    `bson:"purpose"`
	CreatedAt   time.Time `bson:"createdAt"`
	Status      string    `bson:"status"`
	DecidedAt   time.Time `bson:"decidedAt,omitempty"`
	DecidedBy   string    `bson:"decidedBy,omitempty"`
	GrantID     string    `bson:"grantId,omitempty"`
}

type invitationDoc struct {
	ID             string    `bson:"id"`
	Kind           string    `bson:"kind"`
	CodeHash       string    `bson:"codeHash"`
	CreatedBy      string    `bson:"createdBy"`
	CreatedAt      time.Time `bson:"createdAt"`
	ExpiresAt      time.Time `bson:"expiresAt"`
	Sections       []string  `bson:"sections,omitempty"`
	Permissions    []string  `bson:"permissions,omitempty"`
	Purpose        string    `bson:"purpose,omitempty"`
	GrantExpiresAt time.Time `bson:"grantExpiresAt,omitempty"`
	MemberID       string    `bson:"memberId,omitempty"`
	UsedAt         time.Time `bson:"usedAt,omitempty"`
	UsedBy         string    `bson:"usedBy,omitempty"`
	UsedByAgency   string    `bson:"usedByAgency,omitempty"`
	HelperID       string    `bson:"helperId,omitempty"`
}

type commentDoc struct {
	ID        string    `bson:"id"`
	Section   string    `bson:"section"`
	StepID    string    `bson:"stepId,omitempty"`
	UserID    string    `bson:"userId"`
	AgencyID  string    `bson:"agencyId,omitempty"`
	Text      string    `bson:"text"`
	CreatedAt time.Time `bson:"createdAt"`
}

type proposalDoc struct {
	ID        string    `bson:"id"`
	AgencyID  string    `bson:"agencyId"`
	UserID    string    `bson:"userId"`
	Step      stepDoc   `bson:"step"`
	Status    string    `bson:"status"`
	CreatedAt time.Time `bson:"createdAt"`
	DecidedAt time.Time `bson:"decidedAt,omitempty"`
	DecidedBy string    `bson:"decidedBy,omitempty"`
	StepID    string    `bson:"stepId,omitempty"`
}

type receiptDoc struct {
	ID          string    `bson:"id"`
	Kind        string    `bson:"kind"`
	At          time.Time `bson:"at"`
	By          string    `bson:"by"`
	GrantID     string    `bson:"grantId,omitempty"`
	AgencyID    string    `bson:"agencyId,omitempty"`
	Sections    []string  `bson:"sections,omitempty"`
	Permissions []string  `bson:"permissions,omitempty"`
	Purpose     string    `bson:"purpose,omitempty"`
	StartsAt    time.Time `bson:"startsAt,omitempty"`
	ExpiresAt   time.Time `bson:"expiresAt,omitempty"`
	HelperID    string    `bson:"helperId,omitempty"`
	HelperKind  string    `bson:"helperKind,omitempty"`
	HelperName  string    `bson:"helperName,omitempty"`
	HelperWrite bool      `bson:"helperWrite,omitempty"`
	MemberID    string    `bson:"memberId,omitempty"`
}

type transitionDoc struct {
	ID          string    `bson:"id"`
	Kind        string    `bson:"kind"`
	Date        string    `bson:"date"`
	AgencyID    string    `bson:"agencyId"`
	Sections    []string  `bson:"sections"`
	Permissions []string  `bson:"permissions"`
	DaysBefore  int       `bson:"daysBefore"`
	DaysAfter   int       `bson:"daysAfter"`
	Summary     string    `bson:"summary,omitempty"`
	Reminders   []int     `bson:"reminders,omitempty"`
	GrantID     string    `bson:"grantId"`
	Status      string    `bson:"status"`
	CreatedAt   time.Time `bson:"createdAt"`
	CreatedBy   string    `bson:"createdBy"`
	UpdatedAt   time.Time `bson:"updatedAt"`
}

func toRoadmapDoc(r *veikart.Roadmap) (roadmapDoc, error) {
	b := roadmapBody{
		Title: r.Title, CreatedAt: r.CreatedAt, TitleVersion: r.TitleVersion, RecentOps: r.RecentOps,
		Members:      make([]memberDoc, len(r.Members)),
		Areas:        make([]areaDoc, len(r.Areas)),
		Steps:        make([]stepDoc, len(r.Steps)),
		Grants:       convert(r.Grants, toGrantDoc),
		Requests:     convert(r.Requests, toRequestDoc),
		Invitations:  convert(r.Invitations, toInvitationDoc),
		Comments:     convert(r.Comments, toCommentDoc),
		Proposals:    convert(r.Proposals, toProposalDoc),
		Receipts:     convert(r.Receipts, toReceiptDoc),
		Transitions:  convert(r.Transitions, toTransitionDoc),
		Coordinator:  toCoordinatorDoc(r.Coordinator),
		Meetings:     convert(r.Meetings, toMeetingDoc),
		Helpers:      convert(r.Helpers, toHelperDoc),
		Says:         convert(r.Says, toSayDoc),
		Municipality: r.Municipality, MunicipalityVersion: r.MunicipalityVersion,
		Review: toReviewPlanDoc(r.Review),
	}
	for i, m := range r.Members {
		b.Members[i] = memberDoc{
			ID: m.ID, Name: m.Name, BirthYear: m.BirthYear, Role: string(m.Role), UserID: m.UserID,
			OwnAllowed: m.OwnAllowed, TookOwnAt: m.TookOwnAt, Version: m.Version, Changed: m.Changed,
		}
	}
	for i, a := range r.Areas {
		b.Areas[i] = areaDoc{
			ID: a.ID, Kind: string(a.Kind), Title: a.Title, Now: a.Now, Desired: a.Desired,
			ScoreNow: a.ScoreNow, ScoreDesired: a.ScoreDesired, MemberIDs: a.MemberIDs, Version: a.Version, Changed: a.Changed,
			Renderings: convert(a.Renderings, toRenderingDoc),
		}
	}
	for i, s := range r.Steps {
		b.Steps[i] = toStepDoc(s)
	}
	body, err := bson.Marshal(&b)
	if err != nil {
		return roadmapDoc{}, fmt.Errorf("encode roadmap %s: %w", r.ID, err)
	}
	return roadmapDoc{ID: r.ID, Owners: r.Owners, Version: r.Version, Rev: r.Rev, UpdatedAt: r.UpdatedAt, Format: formatZstdBSON, Body: zenc.EncodeAll(body, nil)}, nil
}

func (d *roadmapDoc) toDomain() (*veikart.Roadmap, error) {
	raw := d.Body
	switch d.Format {
	case formatBSON:
	case formatZstdBSON:
		var err error
		if raw, err = zdec.DecodeAll(d.Body, nil); err != nil {
			return nil, fmt.Errorf("decompress roadmap %s: %w", d.ID, err)
		}
	default:
		return nil, fmt.Errorf("roadmap %s: unknown storage format %d", d.ID, d.Format)
	}
	var b roadmapBody
	if err := bson.Unmarshal(raw, &b); err != nil {
		return nil, fmt.Errorf("decode roadmap %s: %w", d.ID, err)
	}
	r := &veikart.Roadmap{
		ID: d.ID, Title: b.Title, Owners: d.Owners, Version: d.Version, Rev: d.Rev,
		CreatedAt: b.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(), TitleVersion: b.TitleVersion, RecentOps: b.RecentOps,
		Members:      make([]veikart.Member, len(b.Members)),
		Areas:        make([]veikart.Area, len(b.Areas)),
		Steps:        make([]veikart.Step, len(b.Steps)),
		Grants:       convert(b.Grants, fromGrantDoc),
		Requests:     convert(b.Requests, fromRequestDoc),
		Invitations:  convert(b.Invitations, fromInvitationDoc),
		Comments:     convert(b.Comments, fromCommentDoc),
		Proposals:    convert(b.Proposals, fromProposalDoc),
		Receipts:     convert(b.Receipts, fromReceiptDoc),
		Transitions:  convert(b.Transitions, fromTransitionDoc),
		Coordinator:  fromCoordinatorDoc(b.Coordinator),
		Meetings:     convert(b.Meetings, fromMeetingDoc),
		Helpers:      convert(b.Helpers, fromHelperDoc),
		Says:         convert(b.Says, fromSayDoc),
		Municipality: b.Municipality, MunicipalityVersion: b.MunicipalityVersion,
		Review: fromReviewPlanDoc(b.Review),
	}
	for i, m := range b.Members {
		r.Members[i] = veikart.Member{
			ID: m.ID, Name: m.Name, BirthYear: m.BirthYear, Role: veikart.Role(m.Role), UserID: m.UserID,
			OwnAllowed: m.OwnAllowed, TookOwnAt: m.TookOwnAt.UTC(), Version: m.Version, Changed: m.Changed,
		}
	}
	for i, a := range b.Areas {
		r.Areas[i] = veikart.Area{
			ID: a.ID, Kind: veikart.AreaKind(a.Kind), Title: a.Title, Now: a.Now, Desired: a.Desired,
			ScoreNow: a.ScoreNow, ScoreDesired: a.ScoreDesired, MemberIDs: a.MemberIDs, Version: a.Version, Changed: a.Changed,
			Renderings: convert(a.Renderings, fromRenderingDoc),
		}
	}
	for i, s := range b.Steps {
		r.Steps[i] = fromStepDoc(s)
	}
	return r, nil
}

// convert converts each element of a slice with f. A nil slice stays nil, so
// that a roadmap without consent records reads back without them.
func convert[T, U any](in []T, f func(T) U) []U {
	if in == nil {
		return nil
	}
	out := make([]U, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}

// toStrings and fromStrings store sections and permissions as plain strings.
func toStrings[T ~string](in []T) []string {
	return convert(in, func(v T) string { return string(v) })
}

func fromStrings[T ~string](in []string) []T {
	return convert(in, func(v string) T { return T(v) })
}

func toStepDoc(s veikart.Step) stepDoc {
	return stepDoc{
		ID: s.ID, AreaID: s.AreaID, Title: s.Title, Note: s.Note,
		Responsible: responsibleDoc{Kind: string(s.Responsible.Kind), MemberID: s.Responsible.MemberID, AgencyID: s.Responsible.AgencyID},
		Due:         s.Due, Status: string(s.Status), Term: string(s.Term), MemberIDs: s.MemberIDs,
		Reminders: convert(s.Reminders, func(r veikart.Reminder) reminderDoc { return reminderDoc{DaysBefore: r.DaysBefore, At: r.At} }),
		Promise:   toPromiseDoc(s.Promise), TransitionID: s.TransitionID, ChecklistKey: s.ChecklistKey, StatusAt: s.StatusAt,
		Blocker:   toStepBlockerDoc(s.Blocker),
		CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt, Version: s.Version, Changed: s.Changed,
	}
}

func fromStepDoc(s stepDoc) veikart.Step {
	return veikart.Step{
		ID: s.ID, AreaID: s.AreaID, Title: s.Title, Note: s.Note,
		Responsible: veikart.Responsible{Kind: veikart.ResponsibleKind(s.Responsible.Kind), MemberID: s.Responsible.MemberID, AgencyID: s.Responsible.AgencyID},
		Due:         s.Due, Status: veikart.Status(s.Status), Term: veikart.Term(s.Term), MemberIDs: s.MemberIDs,
		Reminders: convert(s.Reminders, func(r reminderDoc) veikart.Reminder { return veikart.Reminder{DaysBefore: r.DaysBefore, At: r.At} }),
		Promise:   fromPromiseDoc(s.Promise), TransitionID: s.TransitionID, ChecklistKey: s.ChecklistKey, StatusAt: s.StatusAt.UTC(),
		Blocker:   fromStepBlockerDoc(s.Blocker),
		CreatedAt: s.CreatedAt.UTC(), UpdatedAt: s.UpdatedAt.UTC(), Version: s.Version, Changed: s.Changed,
	}
}

func toGrantDoc(g veikart.Grant) grantDoc {
	return grantDoc{
		ID: g.ID, AgencyID: g.AgencyID, Sections: toStrings(g.Sections), Permissions: toStrings(g.Permissions), Purpose: g.Purpose,
		CreatedAt: g.CreatedAt, CreatedBy: g.CreatedBy, UpdatedAt: g.UpdatedAt, StartsAt: g.StartsAt, ExpiresAt: g.ExpiresAt,
		Status: string(g.Status), RevokedAt: g.RevokedAt, RevokedBy: g.RevokedBy, Via: g.Via, RecoveryFor: g.RecoveryFor,
		Contact: toContactDoc(g.Contact),
	}
}

func fromGrantDoc(g grantDoc) veikart.Grant {
	return veikart.Grant{
		ID: g.ID, AgencyID: g.AgencyID, Sections: fromStrings[veikart.Section](g.Sections), Permissions: fromStrings[veikart.Permission](g.Permissions), Purpose: g.Purpose,
		CreatedAt: g.CreatedAt.UTC(), CreatedBy: g.CreatedBy, UpdatedAt: g.UpdatedAt.UTC(), StartsAt: g.StartsAt.UTC(), ExpiresAt: g.ExpiresAt.UTC(),
		Status: veikart.GrantStatus(g.Status), RevokedAt: g.RevokedAt.UTC(), RevokedBy: g.RevokedBy, Via: g.Via, RecoveryFor: g.RecoveryFor,
		Contact: fromContactDoc(g.Contact),
	}
}

func toRequestDoc(q veikart.AccessRequest) requestDoc {
	return requestDoc{
		ID: q.ID, AgencyID: q.AgencyID, RequestedBy: q.RequestedBy, Sections: toStrings(q.Sections), Permissions: toStrings(q.Permissions),
		Purpose: q.Purpose, CreatedAt: q.CreatedAt, Status: string(q.Status), DecidedAt: q.DecidedAt, DecidedBy: q.DecidedBy, GrantID: q.GrantID,
	}
}

func fromRequestDoc(q requestDoc) veikart.AccessRequest {
	return veikart.AccessRequest{
		ID: q.ID, AgencyID: q.AgencyID, RequestedBy: q.RequestedBy, Sections: fromStrings[veikart.Section](q.Sections), Permissions: fromStrings[veikart.Permission](q.Permissions),
		Purpose: q.Purpose, CreatedAt: q.CreatedAt.UTC(), Status: veikart.RequestStatus(q.Status), DecidedAt: q.DecidedAt.UTC(), DecidedBy: q.DecidedBy, GrantID: q.GrantID,
	}
}

func toInvitationDoc(n veikart.Invitation) invitationDoc {
	return invitationDoc{
		ID: n.ID, Kind: string(n.Kind), CodeHash: n.CodeHash, CreatedBy: n.CreatedBy, CreatedAt: n.CreatedAt, ExpiresAt: n.ExpiresAt,
		Sections: toStrings(n.Sections), Permissions: toStrings(n.Permissions), Purpose: n.Purpose, GrantExpiresAt: n.GrantExpiresAt,
		MemberID: n.MemberID, UsedAt: n.UsedAt, UsedBy: n.UsedBy, UsedByAgency: n.UsedByAgency, HelperID: n.HelperID,
	}
}

func fromInvitationDoc(n invitationDoc) veikart.Invitation {
	return veikart.Invitation{
		ID: n.ID, Kind: veikart.InvitationKind(n.Kind), CodeHash: n.CodeHash, CreatedBy: n.CreatedBy, CreatedAt: n.CreatedAt.UTC(), ExpiresAt: n.ExpiresAt.UTC(),
		Sections: fromStrings[veikart.Section](n.Sections), Permissions: fromStrings[veikart.Permission](n.Permissions), Purpose: n.Purpose, GrantExpiresAt: n.GrantExpiresAt.UTC(),
		MemberID: n.MemberID, UsedAt: n.UsedAt.UTC(), UsedBy: n.UsedBy, UsedByAgency: n.UsedByAgency, HelperID: n.HelperID,
	}
}

func toCommentDoc(c veikart.Comment) commentDoc {
	return commentDoc{ID: c.ID, Section: string(c.Section), StepID: c.StepID, UserID: c.UserID, AgencyID: c.AgencyID, Text: c.Text, CreatedAt: c.CreatedAt}
}

func fromCommentDoc(c commentDoc) veikart.Comment {
	return veikart.Comment{ID: c.ID, Section: veikart.Section(c.Section), StepID: c.StepID, UserID: c.UserID, AgencyID: c.AgencyID, Text: c.Text, CreatedAt: c.CreatedAt.UTC()}
}

func toProposalDoc(p veikart.Proposal) proposalDoc {
	return proposalDoc{
		ID: p.ID, AgencyID: p.AgencyID, UserID: p.UserID, Step: toStepDoc(p.Step), Status: string(p.Status),
		CreatedAt: p.CreatedAt, DecidedAt: p.DecidedAt, DecidedBy: p.DecidedBy, StepID: p.StepID,
	}
}

func fromProposalDoc(p proposalDoc) veikart.Proposal {
	return veikart.Proposal{
		ID: p.ID, AgencyID: p.AgencyID, UserID: p.UserID, Step: fromStepDoc(p.Step), Status: veikart.ProposalStatus(p.Status),
		CreatedAt: p.CreatedAt.UTC(), DecidedAt: p.DecidedAt.UTC(), DecidedBy: p.DecidedBy, StepID: p.StepID,
	}
}

func toReceiptDoc(c veikart.Receipt) receiptDoc {
	return receiptDoc{
		ID: c.ID, Kind: string(c.Kind), At: c.At, By: c.By, GrantID: c.GrantID, AgencyID: c.AgencyID,
		Sections: toStrings(c.Sections), Permissions: toStrings(c.Permissions), Purpose: c.Purpose, StartsAt: c.StartsAt, ExpiresAt: c.ExpiresAt,
		HelperID: c.HelperID, HelperKind: string(c.HelperKind), HelperName: c.HelperName, HelperWrite: c.HelperWrite, MemberID: c.MemberID,
	}
}

func fromReceiptDoc(c receiptDoc) veikart.Receipt {
	return veikart.Receipt{
		ID: c.ID, Kind: veikart.ReceiptKind(c.Kind), At: c.At.UTC(), By: c.By, GrantID: c.GrantID, AgencyID: c.AgencyID,
		Sections: fromStrings[veikart.Section](c.Sections), Permissions: fromStrings[veikart.Permission](c.Permissions), Purpose: c.Purpose, StartsAt: c.StartsAt.UTC(), ExpiresAt: c.ExpiresAt.UTC(),
		HelperID: c.HelperID, HelperKind: veikart.HelperKind(c.HelperKind), HelperName: c.HelperName, HelperWrite: c.HelperWrite, MemberID: c.MemberID,
	}
}

func toTransitionDoc(t veikart.Transition) transitionDoc {
	return transitionDoc{
		ID: t.ID, Kind: string(t.Kind), Date: t.Date, AgencyID: t.AgencyID, Sections: toStrings(t.Sections), Permissions: toStrings(t.Permissions),
		DaysBefore: t.DaysBefore, DaysAfter: t.DaysAfter, Summary: t.Summary, Reminders: t.Reminders, GrantID: t.GrantID,
		Status: string(t.Status), CreatedAt: t.CreatedAt, CreatedBy: t.CreatedBy, UpdatedAt: t.UpdatedAt,
	}
}

func fromTransitionDoc(t transitionDoc) veikart.Transition {
	return veikart.Transition{
		ID: t.ID, Kind: veikart.TransitionKind(t.Kind), Date: t.Date, AgencyID: t.AgencyID, Sections: fromStrings[veikart.Section](t.Sections),
		Permissions: fromStrings[veikart.Permission](t.Permissions), DaysBefore: t.DaysBefore, DaysAfter: t.DaysAfter, Summary: t.Summary,
		Reminders: t.Reminders, GrantID: t.GrantID, Status: veikart.TransitionStatus(t.Status), CreatedAt: t.CreatedAt.UTC(),
		CreatedBy: t.CreatedBy, UpdatedAt: t.UpdatedAt.UTC(),
	}
}

type userDoc struct {
	ID         string    `bson:"_id"`
	Name       string    `bson:"name"`
	CreatedAt  time.Time `bson:"createdAt"`
	RoadmapIDs []string  `bson:"roadmapIds"`
	AgencyIDs  []string  `bson:"agencyIds,omitempty"`
	SessionIDs []string  `bson:"sessionIds,omitempty"`
	// CalendarFeed is set and unset by field updates (calendar.go).
	CalendarFeed *calendarFeedDoc `bson:"calendarFeed,omitempty"`
	// WorkFeeds are a caseworker's feeds by agency id, each set and
	// unset by a field update of its own.
	WorkFeeds map[string]*calendarFeedDoc `bson:"workFeeds,omitempty"`
}

func toUserDoc(u *veikart.User) userDoc {
	ids := u.RoadmapIDs
	if ids == nil {
		ids = []string{}
	}
	return userDoc{ID: u.ID, Name: u.Name, CreatedAt: u.CreatedAt, RoadmapIDs: ids, AgencyIDs: u.AgencyIDs, SessionIDs: u.SessionIDs,
		CalendarFeed: toCalendarFeedDoc(u.CalendarFeed), WorkFeeds: toWorkFeedDocs(u.WorkFeeds)}
}

func (d *userDoc) toDomain() *veikart.User {
	return &veikart.User{ID: d.ID, Name: d.Name, CreatedAt: d.CreatedAt.UTC(), RoadmapIDs: d.RoadmapIDs, AgencyIDs: d.AgencyIDs, SessionIDs: d.SessionIDs,
		CalendarFeed: d.CalendarFeed.toDomain(), WorkFeeds: workFeedsToDomain(d.WorkFeeds)}
}

type sessionDoc struct {
	ID            string    `bson:"_id"`
	UserID        string    `bson:"userId"`
	Current       []byte    `bson:"current"`
	Previous      [][]byte  `bson:"previous,omitempty"`
	Generation    int64     `bson:"generation"`
	CreatedAt     time.Time `bson:"createdAt"`
	LastUsedAt    time.Time `bson:"lastUsedAt"`
	ExpiresAt     time.Time `bson:"expiresAt"`
	RevokedAt     time.Time `bson:"revokedAt,omitempty"`
	RevokedReason string    `bson:"revokedReason,omitempty"`
	UserAgent     string    `bson:"userAgent,omitempty"`
	AgencyID      string    `bson:"agencyId,omitempty"`
	Method        string    `bson:"method,omitempty"`
	// Rev increases with every write; shared-database writes compare it.
	Rev int64 `bson:"rev"`
}

func toSessionDoc(s *veikart.Session, rev int64) sessionDoc {
	return sessionDoc{
		ID: s.ID, UserID: s.UserID, Current: s.Current, Previous: s.Previous, Generation: s.Generation,
		CreatedAt: s.CreatedAt, LastUsedAt: s.LastUsedAt, ExpiresAt: s.ExpiresAt, RevokedAt: s.RevokedAt,
		RevokedReason: s.RevokedReason, UserAgent: s.UserAgent, AgencyID: s.AgencyID, Method: s.Method, Rev: rev,
	}
}

func (d *sessionDoc) toDomain() *veikart.Session {
	s := &veikart.Session{
		ID: d.ID, UserID: d.UserID, Current: d.Current, Previous: d.Previous, Generation: d.Generation,
		CreatedAt: d.CreatedAt.UTC(), LastUsedAt: d.LastUsedAt.UTC(), ExpiresAt: d.ExpiresAt.UTC(),
		RevokedReason: d.RevokedReason, UserAgent: d.UserAgent, AgencyID: d.AgencyID, Method: d.Method,
	}
	if !d.RevokedAt.IsZero() {
		s.RevokedAt = d.RevokedAt.UTC()
	}
	return s
}
