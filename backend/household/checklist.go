package household

import (
	"context"
	"slices"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/veikart"
)

// SetChecklist makes the lines of transition tid's checklist the ones the
// household chose (veikart.SetChecklist): one write of the roadmap, with
// the agencies' steps asked as promises and their reminders synced. Each
// agency named must exist; the household gives lines to the agencies it
// works with, as on any step.
func (s *Service) SetChecklist(ctx context.Context, actor access.Actor, id, tid string, lines []veikart.ChecklistChoice) ([]veikart.Step, error) {
	if !veikart.ValidID(tid) {
		return nil, ErrNoTransition
	}
	var checked []string
	for _, l := range lines {
		if l.AgencyID == "" || slices.Contains(checked, l.AgencyID) {
			continue
		}
		if !veikart.ValidID(l.AgencyID) {
			continue // the domain says which line
		}
		if err := s.knownAgency(ctx, l.AgencyID); err != nil {
			return nil, err
		}
		checked = append(checked, l.AgencyID)
	}
	var steps []veikart.Step
	_, _, err := s.change(ctx, actor, id, access.ManageConsent, "", func(cur *veikart.Roadmap, _ access.Decision) (*veikart.Roadmap, error) {
		n, st, err := cur.SetChecklist(tid, lines, s.now())
		steps = st
		return n, err
	})
	if err != nil {
		return nil, err
	}
	return steps, nil
}
