package wire

import (
	"time"

	"github.com/veikart/veikart/backend/veikart"
)

// BlockerCounts is blocker-counts.schema.json: the published counts of the
// blockers households shared, per quarter, newest first. A cell is there
// only with at least its quarter's minHouseholds households; every other
// is fewer. MinHouseholds is the highest of the quarters'.
type BlockerCounts struct {
	MinHouseholds int              `json:"minHouseholds"`
	Blockers      []string         `json:"blockers"`
	Quarters      []BlockerQuarter `json:"quarters"`
}

// BlockerQuarter is one quarter's published cells, each of at least
// MinHouseholds households (the threshold when it was published).
type BlockerQuarter struct {
	Quarter       string        `json:"quarter"`
	PublishedAt   time.Time     `json:"publishedAt"`
	MinHouseholds int           `json:"minHouseholds"`
	Cells         []BlockerCell `json:"cells"`
}

// BlockerCell is a count of households that reported a blocker in a
// municipality.
type BlockerCell struct {
	Blocker      string `json:"blocker"`
	Municipality string `json:"municipality"`
	Households   int    `json:"households"`
}

// ToBlockerCounts converts the published quarters.
func ToBlockerCounts(qs []*veikart.BlockerCounts) BlockerCounts {
	out := BlockerCounts{MinHouseholds: veikart.MinHouseholds, Blockers: make([]string, len(veikart.Blockers)), Quarters: make([]BlockerQuarter, len(qs))}
	for i, b := range veikart.Blockers {
		out.Blockers[i] = string(b)
	}
	for i, q := range qs {
		out.MinHouseholds = max(out.MinHouseholds, q.K)
		w := BlockerQuarter{Quarter: string(q.Quarter), PublishedAt: q.PublishedAt, MinHouseholds: q.K, Cells: make([]BlockerCell, len(q.Cells))}
		for j, c := range q.Cells {
			w.Cells[j] = BlockerCell{Blocker: string(c.Blocker), Municipality: c.Municipality, Households: c.Households}
		}
		out.Quarters[i] = w
	}
	return out
}
