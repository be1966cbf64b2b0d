package wire

import (
	"time"

	"github.com/veikart/veikart/backend/veikart"
)

// Reading is one check-in reading (reading.schema.json).
type Reading struct {
	ID         string    `json:"id"`
	AreaID     string    `json:"areaId"`
	MemberID   string    `json:"memberId,omitempty"`
	Date       string    `json:"date"`
	Score      int       `json:"score"`
	With       string    `json:"with"`
	AgencyID   string    `json:"agencyId,omitempty"`
	Note       string    `json:"note,omitempty"`
	RecordedBy string    `json:"recordedBy,omitempty"`
	RecordedAt time.Time `json:"recordedAt"`
}

// ToReading renders x (as projected for the reader: access.ProjectReadings).
func ToReading(x veikart.Reading) Reading {
	return Reading{ID: x.ID, AreaID: x.AreaID, MemberID: x.MemberID, Date: x.Date, Score: x.Score, With: string(x.With),
		AgencyID: x.AgencyID, Note: x.Note, RecordedBy: x.By, RecordedAt: x.At.UTC()}
}

// ReadingList is readings, oldest first (reading-list.schema.json).
type ReadingList struct {
	Items []Reading `json:"items"`
}

// CheckInRequest is one sitting's readings (check-in-request.schema.json).
type CheckInRequest struct {
	Date     string           `json:"date"`
	With     string           `json:"with"`
	AgencyID string           `json:"agencyId,omitempty"`
	Readings []CheckInReading `json:"readings"`
}

// CheckInReading is one reading of a check-in request.
type CheckInReading struct {
	ID       string `json:"id"`
	AreaID   string `json:"areaId"`
	MemberID string `json:"memberId,omitempty"`
	Score    int    `json:"score"`
	Note     string `json:"note,omitempty"`
}

// CheckIn is the request as the domain takes it.
func (r CheckInRequest) CheckIn() veikart.CheckIn {
	c := veikart.CheckIn{Date: r.Date, With: veikart.ScoredWith(r.With), AgencyID: r.AgencyID, Readings: make([]veikart.Reading, len(r.Readings))}
	for i, x := range r.Readings {
		c.Readings[i] = veikart.Reading{ID: x.ID, AreaID: x.AreaID, MemberID: x.MemberID, Score: x.Score, Note: x.Note}
	}
	return c
}
