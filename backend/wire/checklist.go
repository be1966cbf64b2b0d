package wire

import "github.com/veikart/veikart/backend/veikart"

// SetChecklistRequest is the body of PUT .../transitions/{id}/checklist.
type SetChecklistRequest struct {
	Lines []ChecklistLine `json:"lines"`
}

// ChecklistLine is one line the household chose.
type ChecklistLine struct {
	Key      string `json:"key"`
	Title    string `json:"title"`
	AgencyID string `json:"agencyId"`
}

// Checklist is a transition's checklist: the steps that are its lines.
type Checklist struct {
	TransitionID string `json:"transitionId"`
	Items        []Step `json:"items"`
}

// ToChecklistChoices converts the request's lines for the domain.
func ToChecklistChoices(ls []ChecklistLine) []veikart.ChecklistChoice {
	out := make([]veikart.ChecklistChoice, len(ls))
	for i, l := range ls {
		out[i] = veikart.ChecklistChoice{Key: l.Key, Title: l.Title, AgencyID: l.AgencyID}
	}
	return out
}

// TemplateLine is a line a transition kind's checklist offers.
type TemplateLine struct {
	Key    string `json:"key"`
	AreaID string `json:"areaId"`
}

// ToTemplate renders a kind's template, so that the app offers the lines
// the server accepts.
func ToTemplate(ls []veikart.ChecklistLine) []TemplateLine {
	return List(ls, func(l veikart.ChecklistLine) TemplateLine { return TemplateLine{Key: l.Key, AreaID: l.AreaID} })
}
