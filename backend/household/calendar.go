package household

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"slices"
	"time"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/veikart"
)

// A person's calendar feed (veikart.CalendarFeed): reminders for phones
// where Web Push cannot reach (an iPhone without the app on its Home
// Screen, push refused). The address's secret is the only key; what the
// feed lists is decided on every fetch, as the person, by the one access
// decision, so a lost membership or a revoked grant is gone at the next
// poll.
//
// A caseworker has feeds too, one for each agency they made one for while
// acting for it: their agency's deadlines, meetings and hand-over days, in
// every roadmap the agency may read at the fetch. It is decided as that
// caseworker (their roles read from the agency at the fetch, as Acting
// does for a token), so a revoked or expired grant takes the roadmap's
// events out at the next fetch, and someone no longer on the agency's
// staff gets 404, as for an address that was turned off.

// CalendarFeeds is the storage of calendar feeds: the person's current
// feeds are on their user document (their own, and one for each agency),
// and a key leads from a feed's hash to them.
type CalendarFeeds interface {
	AddCalendarKey(ctx context.Context, hash, userID string) error
	CalendarKeyUser(ctx context.Context, hash string) (string, error)
	DeleteCalendarKey(ctx context.Context, hash string) error
	DeleteCalendarKeysOf(ctx context.Context, userID string) error
	// SetCalendarFeed sets (nil: removes) the person's feed for agencyID,
	// "" for their own.
	SetCalendarFeed(ctx context.Context, userID, agencyID string, f *veikart.CalendarFeed) error
	// SetCalendarLang sets that feed's language if it still has hash.
	SetCalendarLang(ctx context.Context, userID, agencyID, hash, lang string) error
}

// CalendarLangs are the languages a feed's titles come in; the first is
// the default.
var CalendarLangs = []string{"nb", "nn", "en", "uk", "ar", "so", "ti"}

// ErrNoCalendarFeed answers an address that is unknown, rotated or
// revoked, all alike.
var ErrNoCalendarFeed = &veikart.Error{Code: veikart.ENOTFOUND, Message: "There is no calendar at this address. It may have been replaced or turned off in the app."}

var errCalendarActor = &veikart.Error{Code: veikart.EFORBIDDEN, Message: "A calendar feed is for a person, or for a caseworker acting for their agency."}

var errCalendarLang = &veikart.Error{Code: veikart.EINVALID, Message: "This language is not one of the app's.", Pointer: "/lang"}

// CalendarHorizon bounds what a feed lists: from a month back (so that a
// step just missed still shows) to two years ahead.
const (
	calendarBack  = 31 * 24 * time.Hour
	calendarAhead = 2 * 365 * 24 * time.Hour
	// MaxCalendarItems bounds one feed, so that one fetch cannot read
	// without end.
	MaxCalendarItems = 2000
)

// CalendarItem is one event of a feed, as the person may see it.
type CalendarItem struct {
	// Kind is "step", "meeting" or "transition" in a person's feed;
	// "deadline" (a step given to the agency), "meeting" or "handover"
	// (a transition to the agency) in a caseworker's.
	Kind      string
	RoadmapID string
	ID        string
	// Date is the day of a step or transition (YYYY-MM-DD); At and
	// Minutes are a meeting's time.
	Date     string
	At       time.Time
	Minutes  int
	Sequence int
	Stamp    time.Time
}

// CalendarFeed is actor's current feed, or nil: their own when they act
// for themselves, their feed for the agency when they act for it.
func (s *Service) CalendarFeed(ctx context.Context, actor access.Actor) (*veikart.CalendarFeed, error) {
	u, err := s.calendarUser(ctx, actor)
	if err != nil {
		return nil, err
	}
	return u.Feed(actor.AgencyID), nil
}

func (s *Service) calendarUser(ctx context.Context, actor access.Actor) (*veikart.User, error) {
	if !access.Permit(actor, access.KeepCalendarFeed, "") {
		return nil, errCalendarActor
	}
	u, err := s.store.User(ctx, actor.UserID)
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return nil, veikart.ErrSignInAgain
	}
	return u, err
}

// CreateCalendarFeed gives actor a new feed address with titles in lang,
// and turns off the one they had (as a person, or for the agency they act
// for: the other feeds stay). It returns the address's secret, shown this
// once.
//
// Three writes, in this order: the new key (leads nowhere until the user
// document names it), the user document (from here the old address
// answers 404 and the new one works), the old key (a leftover leads
// nowhere, and erasure sweeps it).
func (s *Service) CreateCalendarFeed(ctx context.Context, actor access.Actor, lang string) (string, *veikart.CalendarFeed, error) {
	u, err := s.calendarUser(ctx, actor)
	if err != nil {
		return "", nil, err
	}
	if !slices.Contains(CalendarLangs, lang) {
		return "", nil, errCalendarLang
	}
	raw := make([]byte, 32)
	_, _ = rand.Read(raw) // crypto/rand.Read never fails on Linux
	secret := base64.RawURLEncoding.EncodeToString(raw)
	f := &veikart.CalendarFeed{Hash: calendarHash(raw), CreatedAt: s.now().UTC().Truncate(time.Millisecond), Lang: lang, AgencyID: actor.AgencyID}
	if err := s.store.AddCalendarKey(ctx, f.Hash, u.ID); err != nil {
		return "", nil, err
	}
	if err := s.store.SetCalendarFeed(ctx, u.ID, actor.AgencyID, f); err != nil {
		return "", nil, err
	}
	if old := u.Feed(actor.AgencyID); old != nil {
		if err := s.store.DeleteCalendarKey(ctx, old.Hash); err != nil {
			return "", nil, err
		}
	}
	return secret, f, nil
}

// SetCalendarLang makes lang the language of the titles of every feed
// the person has (their own and their agencies'), the addresses staying
// the same: the language is the person's, whichever role they act in when
// they change it. It returns actor's feed, nil if they have none (no
// error: the app says the language without knowing whether there is one).
func (s *Service) SetCalendarLang(ctx context.Context, actor access.Actor, lang string) (*veikart.CalendarFeed, error) {
	u, err := s.calendarUser(ctx, actor)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(CalendarLangs, lang) {
		return nil, errCalendarLang
	}
	for _, f := range u.Feeds() {
		if f.Lang == lang {
			continue
		}
		// Only if the feed is still the one read: a feed rotated or
		// turned off meanwhile keeps what that did.
		if err := s.store.SetCalendarLang(ctx, u.ID, f.AgencyID, f.Hash, lang); err != nil {
			return nil, err
		}
	}
	f := u.Feed(actor.AgencyID)
	if f == nil {
		return nil, nil
	}
	out := *f
	out.Lang = lang
	return &out, nil
}

// RevokeCalendarFeed turns actor's feed off (their own, or the one for the
// agency they act for): its address answers 404 from the next fetch.
// Turning off a feed that is off is no error.
func (s *Service) RevokeCalendarFeed(ctx context.Context, actor access.Actor) error {
	u, err := s.calendarUser(ctx, actor)
	if err != nil {
		return err
	}
	f := u.Feed(actor.AgencyID)
	if f == nil {
		return nil
	}
	if err := s.store.SetCalendarFeed(ctx, u.ID, actor.AgencyID, nil); err != nil {
		return err
	}
	return s.store.DeleteCalendarKey(ctx, f.Hash)
}

func calendarHash(raw []byte) string {
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

// parseCalendarSecret is the hash of an address's secret, or false for
// anything that cannot be one.
func parseCalendarSecret(secret string) (string, bool) {
	if len(secret) != 43 {
		return "", false
	}
	raw, err := base64.RawURLEncoding.DecodeString(secret)
	if err != nil {
		return "", false
	}
	return calendarHash(raw), true
}

// CalendarEvents is what the feed at secret lists, and its feed (for the
// titles' language). Unknown, rotated and revoked addresses get
// ErrNoCalendarFeed alike; the key is found by its hash, so how long the
// answer takes says nothing about how close a guess was.
func (s *Service) CalendarEvents(ctx context.Context, secret string) ([]CalendarItem, *veikart.CalendarFeed, error) {
	hash, ok := parseCalendarSecret(secret)
	if !ok {
		return nil, nil, ErrNoCalendarFeed
	}
	uid, err := s.store.CalendarKeyUser(ctx, hash)
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return nil, nil, ErrNoCalendarFeed
	}
	if err != nil {
		return nil, nil, err
	}
	u, err := s.store.User(ctx, uid)
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return nil, nil, ErrNoCalendarFeed
	}
	if err != nil {
		return nil, nil, err
	}
	// The user document is the truth: a key it no longer names (rotated,
	// revoked, or left by a crash) leads nowhere.
	f := feedWithHash(u, hash)
	if f == nil {
		return nil, nil, ErrNoCalendarFeed
	}
	if f.AgencyID == "" {
		items, err := s.calendarItems(ctx, access.Actor{Kind: access.Person, UserID: u.ID}, u)
		return items, f, err
	}
	cw, err := s.feedCaseworker(ctx, u.ID, f.AgencyID)
	if err != nil {
		return nil, nil, err
	}
	items, err := s.agencyCalendarItems(ctx, cw)
	return items, f, err
}

// feedWithHash is u's feed whose hash is hash, or nil. Every feed is
// compared, in constant time, so that the answer's timing says nothing of
// which of them came close.
func feedWithHash(u *veikart.User, hash string) *veikart.CalendarFeed {
	var found *veikart.CalendarFeed
	for _, f := range u.Feeds() {
		if subtle.ConstantTimeCompare([]byte(f.Hash), []byte(hash)) == 1 {
			found = f
		}
	}
	return found
}

// feedCaseworker is the actor a caseworker's feed for agencyID is decided
// as: their roles read from the agency now, as agency.Acting reads them
// for a token. Someone no longer on its staff, or no longer a caseworker
// there, has no feed for it: ErrNoCalendarFeed, the 404 of an address
// turned off. (Put back on the staff, their address works again, as their
// token would: the feed is kept, not erased, with the membership.)
func (s *Service) feedCaseworker(ctx context.Context, userID, agencyID string) (access.Actor, error) {
	a, err := s.store.Agency(ctx, agencyID)
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return access.Actor{}, ErrNoCalendarFeed
	}
	if err != nil {
		return access.Actor{}, err
	}
	cw := access.Actor{Kind: access.Agency, UserID: userID, AgencyID: agencyID, AgencyRoles: a.Roles(userID)}
	if !access.Permit(cw, access.KeepCalendarFeed, "") || !cw.Caseworker() {
		return access.Actor{}, ErrNoCalendarFeed
	}
	return cw, nil
}

// calendarWindow is the horizon of a fetch: what is in it is listed.
type calendarWindow struct {
	now, from, to time.Time
	loc           *time.Location
}

func (s *Service) calendarWindow() calendarWindow {
	now := s.now()
	return calendarWindow{now: now, from: now.Add(-calendarBack), to: now.Add(calendarAhead), loc: s.cfg.Location}
}

// day reports whether the day (YYYY-MM-DD) is within the horizon.
func (w calendarWindow) day(day string) bool {
	t, err := time.ParseInLocation(time.DateOnly, day, w.loc)
	return err == nil && !t.Before(w.from.Truncate(24*time.Hour)) && t.Before(w.to)
}

// meetings are actor's meetings in r that are to be held (neither only
// proposed nor cancelled), within the horizon.
func (w calendarWindow) meetings(actor access.Actor, r *veikart.Roadmap) []CalendarItem {
	var out []CalendarItem
	for _, m := range access.MeetingsFor(actor, r, w.now) {
		if m.Status == veikart.MeetingProposed || m.Status == veikart.MeetingCancelled || m.At.Before(w.from) || !m.At.Before(w.to) {
			continue
		}
		out = append(out, CalendarItem{Kind: "meeting", RoadmapID: r.ID, ID: m.ID, At: m.At, Minutes: m.Minutes,
			Sequence: int(m.UpdatedAt.Unix() - m.CreatedAt.Unix()), Stamp: m.UpdatedAt})
	}
	return out
}

// transitions are the planned transition days of a view, as kind.
func (w calendarWindow) transitions(kind, roadmapID string, ts []veikart.Transition) []CalendarItem {
	var out []CalendarItem
	for _, t := range ts {
		if t.Status != veikart.TransitionPlanned || !w.day(t.Date) {
			continue
		}
		out = append(out, CalendarItem{Kind: kind, RoadmapID: roadmapID, ID: t.ID, Date: t.Date,
			Sequence: int(t.UpdatedAt.Unix() - t.CreatedAt.Unix()), Stamp: t.UpdatedAt})
	}
	return out
}

// calendarItems are the person's steps with a due date that are not done
// or dropped, the meetings they may see that are not proposed or
// cancelled, and the planned transition days, of every roadmap they may
// read now, within the horizon.
func (s *Service) calendarItems(ctx context.Context, person access.Actor, u *veikart.User) ([]CalendarItem, error) {
	w := s.calendarWindow()
	return s.eachReadable(ctx, person, u.RoadmapIDs, w, func(r *veikart.Roadmap, v *access.View) []CalendarItem {
		var items []CalendarItem
		for _, st := range v.Roadmap.Steps {
			if st.Due == "" || st.Status != veikart.Planned && st.Status != veikart.Doing || !w.day(st.Due) {
				continue
			}
			items = append(items, CalendarItem{Kind: "step", RoadmapID: r.ID, ID: st.ID, Date: st.Due,
				Sequence: int(st.Version), Stamp: st.UpdatedAt})
		}
		items = append(items, w.meetings(person, r)...)
		return append(items, w.transitions("transition", r.ID, v.Roadmap.Transitions)...)
	})
}

// eachReadable gathers items(r, view) over the roadmaps ids that actor may
// read now (access.Decide, through the kept projection), at most
// MaxCalendarItems; a roadmap gone since the index listed it is skipped
// (its deleter tidies the index).
func (s *Service) eachReadable(ctx context.Context, actor access.Actor, ids []string, w calendarWindow,
	items func(*veikart.Roadmap, *access.View) []CalendarItem) ([]CalendarItem, error) {
	out := []CalendarItem{}
	for _, id := range ids {
		r, err := s.store.Roadmap(ctx, id)
		if veikart.ErrorCode(err) == veikart.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		v := s.project(actor, r, w.now)
		if v == nil {
			continue // revoked, expired, or never in force
		}
		out = append(out, items(r, v)...)
		if len(out) >= MaxCalendarItems {
			return out[:MaxCalendarItems], nil
		}
	}
	return out, nil
}

// agencyCalendarItems are what a caseworker's feed lists, of every roadmap
// their agency may read now (access.Decide, through the projection): the
// steps given to the agency that are not done, dropped or declined, on the
// date it promised or, while only asked, the household's (where the
// household shares those steps with it: the agency sees and answers them
// only there, access.AnswerPromise); the meetings the
// agency is invited to; and the day of a transition to the agency, while
// its grant for the hand-over is in force (the view holds it only then).
//
// How it scales: one read of the agency's index (kept in memory in
// exclusive mode), then one read by _id per roadmap in it, each a cached
// roadmap when recently read, and a projection kept per roadmap version
// and grant (views.go); nothing scans a collection. An agency with 500
// households is 500 lookups by _id per fetch, and calendars fetch about
// once an hour (REFRESH-INTERVAL); MaxCalendarItems bounds the answer.
func (s *Service) agencyCalendarItems(ctx context.Context, cw access.Actor) ([]CalendarItem, error) {
	ids, err := s.store.AgencyRoadmapIDs(ctx, cw.AgencyID)
	if err != nil {
		return nil, err
	}
	w := s.calendarWindow()
	return s.eachReadable(ctx, cw, ids, w, func(r *veikart.Roadmap, v *access.View) []CalendarItem {
		var items []CalendarItem
		for _, st := range v.Roadmap.Steps {
			due := agencyDue(st, cw.AgencyID)
			if due == "" || st.Status != veikart.Planned && st.Status != veikart.Doing || !w.day(due) {
				continue
			}
			items = append(items, CalendarItem{Kind: "deadline", RoadmapID: r.ID, ID: st.ID, Date: due,
				Sequence: int(st.Version), Stamp: st.UpdatedAt})
		}
		items = append(items, w.meetings(cw, r)...)
		var mine []veikart.Transition
		for _, t := range v.Roadmap.Transitions {
			if t.AgencyID == cw.AgencyID {
				mine = append(mine, t)
			}
		}
		return append(items, w.transitions("handover", r.ID, mine)...)
	})
}

// agencyDue is the day of step st in agencyID's calendar: the date the
// agency promised, or, asked and not yet answered, the household's due
// date; "" for a step that is not the agency's, declined, or without a
// date.
func agencyDue(st veikart.Step, agencyID string) string {
	if st.Responsible.Kind != veikart.ByAgency || st.Responsible.AgencyID != agencyID {
		return ""
	}
	switch st.Promise.Status {
	case veikart.PromiseAccepted:
		if st.Promise.Due != "" {
			return st.Promise.Due
		}
		return st.Due
	case veikart.PromiseAsked:
		return st.Due
	}
	return ""
}
