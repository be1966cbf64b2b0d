package wire

import (
	"time"

	"github.com/veikart/veikart/backend/veikart"
)

// OwnSay is one member's yes or no over one area for one use.
type OwnSay struct {
	ID         string     `json:"id"`
	MemberID   string     `json:"memberId"`
	AreaID     string     `json:"areaId"`
	For        string     `json:"for"`
	Answer     string     `json:"answer"`
	AskedAt    *time.Time `json:"askedAt,omitempty"`
	AnsweredAt *time.Time `json:"answeredAt,omitempty"`
}

// ToOwnSay is the wire form of s. Who asked is left out: a young person
// sees that the household asks, not which parent.
func ToOwnSay(s veikart.OwnSay) OwnSay {
	return OwnSay{ID: s.ID, MemberID: s.MemberID, AreaID: s.AreaID, For: string(s.For), Answer: string(s.Answer),
		AskedAt: TimePtr(s.AskedAt), AnsweredAt: TimePtr(s.AnsweredAt)}
}

// MemberSay is one member as the own-say screens need them.
type MemberSay struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	BirthYear  int      `json:"birthYear,omitempty"`
	Joined     bool     `json:"joined"`
	HasOwnSay  bool     `json:"hasOwnSay"`
	MayTakeOwn bool     `json:"mayTakeOwn"`
	TookOwn    bool     `json:"tookOwn"`
	Sections   []string `json:"sections"`
}

// Says is the body of GET /roadmaps/{id}/says.
type Says struct {
	Role      string      `json:"role"`
	OwnSayAge int         `json:"ownSayAge"`
	Members   []MemberSay `json:"members"`
	Says      []OwnSay    `json:"says"`
}

// AskSayRequest is the body of POST /roadmaps/{id}/says.
type AskSayRequest struct {
	MemberID string `json:"memberId"`
	AreaID   string `json:"areaId"`
	For      string `json:"for"`
}

// AnswerSayRequest is the body of PUT /roadmaps/{id}/says/answer.
type AnswerSayRequest struct {
	AreaID string `json:"areaId"`
	For    string `json:"for"`
	Answer string `json:"answer"`
}

// MemberOwnSay is one of a member's own answers in their export.
// MemberReadings are the check-ins a linked member may read on one
// roadmap, in their own export.
type MemberReadings struct {
	RoadmapID string    `json:"roadmapId"`
	Readings  []Reading `json:"readings"`
}

type MemberOwnSay struct {
	RoadmapID string `json:"roadmapId"`
	Say       OwnSay `json:"say"`
}
