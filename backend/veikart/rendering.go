package veikart

import (
	"slices"
	"time"
)

// Renderings: an area's text in the family's own words and language, with
// a Norwegian rendering beside it, as an interpreter (or the family) wrote
// it at a home visit, each labelled by who wrote it. The family confirms
// the rendering ("Dette er det vi mente"); agencies read both, and see
// which is which and whether the family confirmed it. The family's words
// are the area's own text (Now or Desired); the rendering is kept beside
// it, never instead of it.

// Rendered fields of an area.
const (
	RenderNow     = "now"
	RenderDesired = "desired"
)

// MaxRendering is the longest a rendering may be: as long as the text.
const MaxRendering = MaxSituation

// Rendering is the Norwegian rendering of one of an area's texts.
type Rendering struct {
	Field string // RenderNow or RenderDesired
	Text  string
	// ByName and ByRole say who wrote it: the name the family gave an
	// interpreter (role "interpreter"), a trusted person ("trusted"), or
	// the family itself ("family", no name).
	ByName string
	ByRole string
	ByUser string // the account, for erasure; never shown
	At     time.Time
	// Confirmed is when the family said "this is what we meant", and
	// Original the family's words it confirmed the rendering of: a
	// confirmation holds only while both texts are still those.
	ConfirmedAt time.Time
	ConfirmedBy string
	Original    string
}

// Confirmed reports whether the family confirmed r as the rendering of
// original, the area's text as it is now.
func (r Rendering) Confirmed(original string) bool {
	return !r.ConfirmedAt.IsZero() && r.Original == original
}

func renderedText(a Area, field string) (string, bool) {
	switch field {
	case RenderNow:
		return a.Now, true
	case RenderDesired:
		return a.Desired, true
	}
	return "", false
}

// SetRendering writes (or, with empty text, removes) the rendering of an
// area's field. Writing it anew undoes the family's confirmation; writing
// what is there already returns r itself.
func (r *Roadmap) SetRendering(areaID, field, text, byName, byRole, byUser string, now time.Time) (*Roadmap, error) {
	now = clock(now)
	i := r.areaIndex(areaID)
	if i < 0 {
		return nil, &Error{Code: ENOTFOUND, Message: "There is no such area."}
	}
	if _, ok := renderedText(r.Areas[i], field); !ok {
		return nil, &Error{Code: EINVALID, Message: "Only the texts now and desired have a rendering.", Pointer: "/field"}
	}
	text, err := cleanLongText(text, MaxRendering, "/text")
	if err != nil {
		return nil, err
	}
	// The same text from the same writer again is no change: a phone that
	// sends a rendering again after a lost answer (the outbox) neither
	// makes a new version nor undoes the family's confirmation.
	j := slices.IndexFunc(r.Areas[i].Renderings, func(x Rendering) bool { return x.Field == field })
	if j < 0 && text == "" {
		return r, nil
	}
	if j >= 0 {
		x := r.Areas[i].Renderings[j]
		if x.Text == text && x.ByUser == byUser && x.ByName == byName && x.ByRole == byRole {
			return r, nil
		}
	}
	n := r.next(now)
	a := &n.Areas[i]
	a.Renderings = slices.DeleteFunc(a.Renderings, func(x Rendering) bool { return x.Field == field })
	if text != "" {
		a.Renderings = append(a.Renderings, Rendering{Field: field, Text: text, ByName: byName, ByRole: byRole, ByUser: byUser, At: now})
	}
	return n, nil
}

// ConfirmRendering records the family's "this is what we meant" for the
// rendering of an area's field as it is now.
func (r *Roadmap) ConfirmRendering(areaID, field, by string, now time.Time) (*Roadmap, Rendering, error) {
	now = clock(now)
	i := r.areaIndex(areaID)
	if i < 0 {
		return nil, Rendering{}, &Error{Code: ENOTFOUND, Message: "There is no such area."}
	}
	j := slices.IndexFunc(r.Areas[i].Renderings, func(x Rendering) bool { return x.Field == field })
	if j < 0 {
		return nil, Rendering{}, &Error{Code: ENOTFOUND, Message: "There is no rendering of this text to confirm."}
	}
	original, _ := renderedText(r.Areas[i], field)
	if r.Areas[i].Renderings[j].Confirmed(original) {
		return r, r.Areas[i].Renderings[j], nil
	}
	n := r.next(now)
	x := &n.Areas[i].Renderings[j]
	x.ConfirmedAt, x.ConfirmedBy, x.Original = now, by, original
	return n, *x, nil
}
