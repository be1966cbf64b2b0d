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

// CalendarFeeds is the storage of calendar feeds: the person's current
// feed is on their user document, and a key leads from its hash to them.
type CalendarFeeds interface {
	AddCalendarKey(ctx context.Context, hash, userID string) error
	CalendarKeyUser(ctx context.Context, hash string) (string, error)
	DeleteCalendarKey(ctx context.Context, hash string) error
	DeleteCalendarKeysOf(ctx context.Context, userID string) error
	SetCalendarFeed(ctx context.Context, userID string, f *veikart.CalendarFeed) error
}

// CalendarLangs are the languages a feed's titles come in; the first is
// the default.
var CalendarLangs = []string{"nb", "nn", "en", "uk", "ar", "so", "ti"}

// ErrNoCalendarFeed answers an address that is unknown, rotated or
// revoked, all alike.
var ErrNoCalendarFeed = &veikart.Error{Code: veikart.ENOTFOUND, Message: "There is no calendar at this address. It may have been replaced or turned off in the app."}

var errCalendarPersons = &veikart.Error{Code: veikart.EFORBIDDEN, Message: "A calendar feed is personal. Act for yourself, not for an agency, to make one."}

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
	Kind      string // "step", "meeting" or "transition"
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

// CalendarFeed is actor's current feed, or nil.
func (s *Service) CalendarFeed(ctx context.Context, actor access.Actor) (*veikart.CalendarFeed, error) {
	u, err := s.calendarUser(ctx, actor)
	if err != nil {
		return nil, err
	}
	return u.CalendarFeed, nil
}

func (s *Service) calendarUser(ctx context.Context, actor access.Actor) (*veikart.User, error) {
	if !access.Permit(actor, access.ActAsPerson, "") {
		return nil, errCalendarPersons
	}
	u, err := s.store.User(ctx, actor.UserID)
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		return nil, veikart.ErrSignInAgain
	}
	return u, err
}

// CreateCalendarFeed gives actor a new feed address with titles in lang,
// and turns off the one they had. It returns the address's secret, shown
// this once.
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
		return "", nil, &veikart.Error{Code: veikart.EINVALID, Message: "This language is not one of the app's.", Pointer: "/lang"}
	}
	raw := make([]byte, 32)
	_, _ = rand.Read(raw) // crypto/rand.Read never fails on Linux
	secret := base64.RawURLEncoding.EncodeToString(raw)
	f := &veikart.CalendarFeed{Hash: calendarHash(raw), CreatedAt: s.now().UTC().Truncate(time.Millisecond), Lang: lang}
	if err := s.store.AddCalendarKey(ctx, f.Hash, u.ID); err != nil {
		return "", nil, err
	}
	if err := s.store.SetCalendarFeed(ctx, u.ID, f); err != nil {
		return "", nil, err
	}
	if u.CalendarFeed != nil {
		if err := s.store.DeleteCalendarKey(ctx, u.CalendarFeed.Hash); err != nil {
			return "", nil, err
		}
	}
	return secret, f, nil
}

// RevokeCalendarFeed turns actor's feed off: its address answers 404 from
// the next fetch. Turning off a feed that is off is no error.
func (s *Service) RevokeCalendarFeed(ctx context.Context, actor access.Actor) error {
	u, err := s.calendarUser(ctx, actor)
	if err != nil || u.CalendarFeed == nil {
		return err
	}
	if err := s.store.SetCalendarFeed(ctx, u.ID, nil); err != nil {
		return err
	}
	return s.store.DeleteCalendarKey(ctx, u.CalendarFeed.Hash)
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
	if u.CalendarFeed == nil || subtle.ConstantTimeCompare([]byte(u.CalendarFeed.Hash), []byte(hash)) != 1 {
		return nil, nil, ErrNoCalendarFeed
	}
	items, err := s.calendarItems(ctx, access.Actor{Kind: access.Person, UserID: u.ID}, u)
	return items, u.CalendarFeed, err
}

// calendarItems are the person's steps with a due date that are not done
// or dropped, the meetings they may see that are not proposed or
// cancelled, and the planned transition days, of every roadmap they may
// read now, within the horizon.
func (s *Service) calendarItems(ctx context.Context, person access.Actor, u *veikart.User) ([]CalendarItem, error) {
	now := s.now()
	from, to := now.Add(-calendarBack), now.Add(calendarAhead)
	inRange := func(day string) bool {
		t, err := time.ParseInLocation(time.DateOnly, day, s.cfg.Location)
		return err == nil && !t.Before(from.Truncate(24*time.Hour)) && t.Before(to)
	}
	items := []CalendarItem{}
	for _, id := range u.RoadmapIDs {
		r, err := s.store.Roadmap(ctx, id)
		if veikart.ErrorCode(err) == veikart.ENOTFOUND {
			continue // deleted; the index is tidied by the deleter
		}
		if err != nil {
			return nil, err
		}
		v := access.Project(person, r, now)
		if v == nil {
			continue
		}
		for _, st := range v.Roadmap.Steps {
			if st.Due == "" || st.Status != veikart.Planned && st.Status != veikart.Doing || !inRange(st.Due) {
				continue
			}
			items = append(items, CalendarItem{Kind: "step", RoadmapID: r.ID, ID: st.ID, Date: st.Due,
				Sequence: int(st.Version), Stamp: st.UpdatedAt})
		}
		for _, m := range access.MeetingsFor(person, r, now) {
			if m.Status == veikart.MeetingProposed || m.Status == veikart.MeetingCancelled || m.At.Before(from) || !m.At.Before(to) {
				continue
			}
			items = append(items, CalendarItem{Kind: "meeting", RoadmapID: r.ID, ID: m.ID, At: m.At, Minutes: m.Minutes,
				Sequence: int(m.UpdatedAt.Unix() - m.CreatedAt.Unix()), Stamp: m.UpdatedAt})
		}
		for _, t := range v.Roadmap.Transitions {
			if t.Status != veikart.TransitionPlanned || !inRange(t.Date) {
				continue
			}
			items = append(items, CalendarItem{Kind: "transition", RoadmapID: r.ID, ID: t.ID, Date: t.Date,
				Sequence: int(t.UpdatedAt.Unix() - t.CreatedAt.Unix()), Stamp: t.UpdatedAt})
		}
		if len(items) >= MaxCalendarItems {
			return items[:MaxCalendarItems], nil
		}
	}
	return items, nil
}
