package mongo

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
}

type memberDoc struct {
	ID        string           `bson:"id"`
	Name      string           `bson:"name"`
	BirthYear int              `bson:"birthYear,omitempty"`
	Role      string           `bson:"role"`
	Version   int64            `bson:"v"`
	Changed   map[string]int64 `bson:"changed,omitempty"`
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
}

type stepDoc struct {
	ID          string           `bson:"id"`
	AreaID      string           `bson:"areaId"`
	Title       string           `bson:"title"`
	Note        string           `bson:"note,omitempty"`
	Responsible responsibleDoc   `bson:"responsible"`
	Due         string           `bson:"due,omitempty"`
	Status      string           `bson:"status"`
	Term        string           `bson:"term"`
	MemberIDs   []string         `bson:"memberIds,omitempty"`
	CreatedAt   time.Time        `bson:"createdAt"`
	UpdatedAt   time.Time        `bson:"updatedAt"`
	Version     int64            `bson:"v"`
	Changed     map[string]int64 `bson:"changed,omitempty"`
}

type responsibleDoc struct {
	Kind     string `bson:"kind"`
	MemberID string `bson:"memberId,omitempty"`
	AgencyID string `bson:"agencyId,omitempty"`
}

func toRoadmapDoc(r *veikart.Roadmap) (roadmapDoc, error) {
	b := roadmapBody{
		Title: r.Title, CreatedAt: r.CreatedAt, TitleVersion: r.TitleVersion, RecentOps: r.RecentOps,
		Members: make([]memberDoc, len(r.Members)),
		Areas:   make([]areaDoc, len(r.Areas)),
		Steps:   make([]stepDoc, len(r.Steps)),
	}
	for i, m := range r.Members {
		b.Members[i] = memberDoc{ID: m.ID, Name: m.Name, BirthYear: m.BirthYear, Role: string(m.Role), Version: m.Version, Changed: m.Changed}
	}
	for i, a := range r.Areas {
		b.Areas[i] = areaDoc{
			ID: a.ID, Kind: string(a.Kind), Title: a.Title, Now: a.Now, Desired: a.Desired,
			ScoreNow: a.ScoreNow, ScoreDesired: a.ScoreDesired, MemberIDs: a.MemberIDs, Version: a.Version, Changed: a.Changed,
		}
	}
	for i, s := range r.Steps {
		b.Steps[i] = stepDoc{
			ID: s.ID, AreaID: s.AreaID, Title: s.Title, Note: s.Note,
			Responsible: responsibleDoc{Kind: string(s.Responsible.Kind), MemberID: s.Responsible.MemberID, AgencyID: s.Responsible.AgencyID},
			Due:         s.Due, Status: string(s.Status), Term: string(s.Term), MemberIDs: s.MemberIDs,
			CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt, Version: s.Version, Changed: s.Changed,
		}
	}
	body, err := bson.Marshal(&b)
	if err != nil {
		return roadmapDoc{}, fmt.Errorf("encode roadmap %s: %w", r.ID, err)
	}
	return roadmapDoc{ID: r.ID, Owners: r.Owners, Version: r.Version, UpdatedAt: r.UpdatedAt, Format: formatZstdBSON, Body: zenc.EncodeAll(body, nil)}, nil
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
		ID: d.ID, Title: b.Title, Owners: d.Owners, Version: d.Version,
		CreatedAt: b.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(), TitleVersion: b.TitleVersion, RecentOps: b.RecentOps,
		Members: make([]veikart.Member, len(b.Members)),
		Areas:   make([]veikart.Area, len(b.Areas)),
		Steps:   make([]veikart.Step, len(b.Steps)),
	}
	for i, m := range b.Members {
		r.Members[i] = veikart.Member{ID: m.ID, Name: m.Name, BirthYear: m.BirthYear, Role: veikart.Role(m.Role), Version: m.Version, Changed: m.Changed}
	}
	for i, a := range b.Areas {
		r.Areas[i] = veikart.Area{
			ID: a.ID, Kind: veikart.AreaKind(a.Kind), Title: a.Title, Now: a.Now, Desired: a.Desired,
			ScoreNow: a.ScoreNow, ScoreDesired: a.ScoreDesired, MemberIDs: a.MemberIDs, Version: a.Version, Changed: a.Changed,
		}
	}
	for i, s := range b.Steps {
		r.Steps[i] = veikart.Step{
			ID: s.ID, AreaID: s.AreaID, Title: s.Title, Note: s.Note,
			Responsible: veikart.Responsible{Kind: veikart.ResponsibleKind(s.Responsible.Kind), MemberID: s.Responsible.MemberID, AgencyID: s.Responsible.AgencyID},
			Due:         s.Due, Status: veikart.Status(s.Status), Term: veikart.Term(s.Term), MemberIDs: s.MemberIDs,
			CreatedAt: s.CreatedAt.UTC(), UpdatedAt: s.UpdatedAt.UTC(), Version: s.Version, Changed: s.Changed,
		}
	}
	return r, nil
}

type userDoc struct {
	ID         string    `bson:"_id"`
	Name       string    `bson:"name"`
	CreatedAt  time.Time `bson:"createdAt"`
	RoadmapIDs []string  `bson:"roadmapIds"`
}

func toUserDoc(u *veikart.User) userDoc {
	ids := u.RoadmapIDs
	if ids == nil {
		ids = []string{}
	}
	return userDoc{ID: u.ID, Name: u.Name, CreatedAt: u.CreatedAt, RoadmapIDs: ids}
}

func (d *userDoc) toDomain() *veikart.User {
	return &veikart.User{ID: d.ID, Name: d.Name, CreatedAt: d.CreatedAt.UTC(), RoadmapIDs: d.RoadmapIDs}
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
	// Rev increases with every write; shared-database writes compare it.
	Rev int64 `bson:"rev"`
}

func toSessionDoc(s *veikart.Session, rev int64) sessionDoc {
	return sessionDoc{
		ID: s.ID, UserID: s.UserID, Current: s.Current, Previous: s.Previous, Generation: s.Generation,
		CreatedAt: s.CreatedAt, LastUsedAt: s.LastUsedAt, ExpiresAt: s.ExpiresAt, RevokedAt: s.RevokedAt,
		RevokedReason: s.RevokedReason, UserAgent: s.UserAgent, Rev: rev,
	}
}

func (d *sessionDoc) toDomain() *veikart.Session {
	s := &veikart.Session{
		ID: d.ID, UserID: d.UserID, Current: d.Current, Previous: d.Previous, Generation: d.Generation,
		CreatedAt: d.CreatedAt.UTC(), LastUsedAt: d.LastUsedAt.UTC(), ExpiresAt: d.ExpiresAt.UTC(),
		RevokedReason: d.RevokedReason, UserAgent: d.UserAgent,
	}
	if !d.RevokedAt.IsZero() {
		s.RevokedAt = d.RevokedAt.UTC()
	}
	return s
}
