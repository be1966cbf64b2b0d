package veikart

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"time"
)

// The day of a transition. Help falls apart on the day itself: nobody
// knew where the person would sleep, the medicine ran out, the money came
// a week late. So a planned transition has a checklist: lines from a
// template per kind, each the household's own or given to an agency. A
// line given to an agency is an ordinary step with a promise (promise.go):
// the agency accepts it with a date or declines, and a line still not
// confirmed ChecklistWarnDays before the day is told to the agency and
// the coordinator, and shows to the family as not confirmed.
//
// The templates are keys, not words: the app translates each line into
// the person's language, so the server never chooses the words.

// ChecklistWarnDays is how many days before a transition an unconfirmed
// line is reminded and shows red to the family.
const ChecklistWarnDays = 3

// ChecklistLine is one line a template offers: its stable key (the app's
// words are looked up by it) and the area its step goes in.
type ChecklistLine struct {
	Key    string
	AreaID string
}

// checklists are the templates per kind, in the order the app shows them.
var checklists = map[TransitionKind][]ChecklistLine{
	TransitionRelease:   dayOut,
	TransitionDischarge: dayOut,
	TransitionAdulthood: {
		{"housing", "housing"}, {"income", "economy"}, {"bank-account", "economy"},
		{"health-follow-up", "health"}, {"who-to-call", "network"},
	},
	TransitionIntroduction: {{"income", "economy"}, {"housing", "housing"}, {"work-education", "work"}},
	TransitionCustody: {
		{"rent", "housing"}, {"housing-benefit", "economy"}, {"bills-post", "economy"},
		{"keys", "housing"}, {"home-care", "housing"},
	},
	TransitionOther: {{"bed", "housing"}, {"money", "economy"}, {"meet", "network"}, {"who-to-call", "network"}},
}

// dayOut is the day someone walks out of prison or hospital.
var dayOut = []ChecklistLine{
	{"bed", "housing"}, {"medicine", "health"}, {"money", "economy"},
	{"meet", "network"}, {"id-papers", "economy"}, {"keys", "housing"},
}

// Checklist is the template of kind k; nil for a kind that has none.
func Checklist(k TransitionKind) []ChecklistLine {
	return slices.Clone(checklists[k])
}

// ChecklistChoice is a line the household chose: the template's key, the
// words the step is shown with to the agency (the household's language;
// "" gives the key), and the agency it goes to ("" for the household's
// own).
type ChecklistChoice struct {
	Key      string
	Title    string
	AgencyID string
}

// ChecklistStepID is the id of the step of transition tid's line key. It
// is derived, so that the same checklist sent twice makes the same steps.
func ChecklistStepID(tid, key string) string {
	sum := sha256.Sum256([]byte(tid + "/" + key))
	return "cl-" + hex.EncodeToString(sum[:10])
}

// ChecklistSteps are the steps of transition tid's checklist, in the
// roadmap's order.
func (r *Roadmap) ChecklistSteps(tid string) []Step {
	return slices.DeleteFunc(slices.Clone(r.Steps), func(s Step) bool { return s.TransitionID != tid })
}

// Confirmed reports whether checklist step s is settled for transition t:
// the household's own line always is (the family knows); an agency's line
// once the agency accepted it by the day, or it is done.
func Confirmed(s Step, t Transition) bool {
	switch {
	case s.Responsible.Kind != ByAgency, s.Status == Done:
		return true
	case s.Status == Dropped:
		return false
	}
	return s.Promise.Status == PromiseAccepted && s.Promise.Due != "" && s.Promise.Due <= t.Date
}

// Unconfirmed reports whether s is a line that should be told about: an
// agency's line, still open and not confirmed for t.
func Unconfirmed(s Step, t Transition) bool {
	return s.Responsible.Kind == ByAgency && (s.Status == Planned || s.Status == Doing) && !Confirmed(s, t)
}

// SetChecklist makes transition tid's checklist the lines chosen: a line
// new to it becomes a step due on the day (an agency's is asked of the
// agency), a line given to another agency is asked afresh, and a line left
// out is removed with its step. The same checklist again changes nothing
// (the same roadmap is returned). Agencies must exist; the caller checks.
func (r *Roadmap) SetChecklist(tid string, lines []ChecklistChoice, now time.Time) (*Roadmap, []Step, error) {
	now = clock(now)
	t, ok := r.Transition(tid)
	if !ok {
		return nil, nil, &Error{Code: ENOTFOUND, Message: "There is no such transition."}
	}
	if t.Status != TransitionPlanned {
		return nil, nil, &Error{Code: ECONFLICT, Message: "This transition was cancelled. Plan a new one instead."}
	}
	template := checklists[t.Kind]
	want := make([]Step, 0, len(lines))
	for i, l := range lines {
		ptr := "/lines/" + strconv.Itoa(i)
		li := slices.IndexFunc(template, func(c ChecklistLine) bool { return c.Key == l.Key })
		if li < 0 {
			return nil, nil, &Error{Code: EINVALID, Message: "This line is not in the checklist of this kind of transition.", Pointer: ptr + "/key"}
		}
		if slices.ContainsFunc(lines[:i], func(o ChecklistChoice) bool { return o.Key == l.Key }) {
			return nil, nil, &Error{Code: EINVALID, Message: "A line is listed twice.", Pointer: ptr + "/key"}
		}
		title := l.Title
		if title == "" {
			title = l.Key
		}
		resp := Responsible{Kind: ByHousehold}
		if l.AgencyID != "" {
			resp = Responsible{Kind: ByAgency, AgencyID: l.AgencyID}
		}
		s := Step{
			ID: ChecklistStepID(tid, l.Key), AreaID: template[li].AreaID, Title: title, Responsible: resp,
			Due: t.Date, Status: Planned, Term: ShortTerm, TransitionID: tid, ChecklistKey: l.Key,
		}
		if err := r.validateStep(&s, ptr); err != nil {
			if e, ok := err.(*Error); ok && e.Pointer == ptr+"/responsible/agencyId" {
				e.Pointer = ptr + "/agencyId"
			}
			return nil, nil, err
		}
		want = append(want, s)
	}
	n := r.next(now)
	changed := false
	n.Steps = slices.DeleteFunc(n.Steps, func(s Step) bool {
		gone := s.TransitionID == tid && !slices.ContainsFunc(want, func(w Step) bool { return w.ID == s.ID })
		changed = changed || gone
		return gone
	})
	for _, w := range want {
		i := n.stepIndex(w.ID)
		if i < 0 {
			w.CreatedAt, w.UpdatedAt, w.Version = now, now, n.Version
			askPromise(nil, &w, now)
			n.Steps = append(n.Steps, w)
			changed = true
			continue
		}
		s := n.Steps[i]
		var fields []string
		if s.Title != w.Title {
			s.Title, fields = w.Title, append(fields, "title")
		}
		if s.Responsible != w.Responsible {
			old := s
			s.Responsible, fields = w.Responsible, append(fields, "responsible")
			askPromise(&old, &s, now)
		}
		if len(fields) > 0 {
			n.Steps[i] = s.touched(n.Version, now, fields)
			changed = true
		}
	}
	if !changed {
		return r, r.ChecklistSteps(tid), nil
	}
	if len(n.Steps) > MaxSteps {
		return nil, nil, &Error{Code: EINVALID, Message: "A roadmap can have at most 500 steps.", Pointer: "/lines"}
	}
	return n, n.ChecklistSteps(tid), nil
}

// moveChecklist moves the lines of transition t that no agency has
// promised yet to its new date: a promise keeps its date, and is no
// longer a confirmation if that falls after the new day.
func (r *Roadmap) moveChecklist(t Transition, now time.Time) {
	for i, s := range r.Steps {
		if s.TransitionID == t.ID && s.Due != t.Date && s.Promise.Status != PromiseAccepted {
			s.Due = t.Date
			r.Steps[i] = s.touched(r.Version, now, []string{"due"})
		}
	}
}
