package veikart

import (
	"slices"
	"strconv"
	"time"
)

// AgencyKind is what sort of service an agency is.
type AgencyKind string

// Agency kinds.
const (
	KindNAV            AgencyKind = "nav"
	KindHousingOffice  AgencyKind = "housing-office"
	KindRefugeeService AgencyKind = "refugee-service"
	KindChildWelfare   AgencyKind = "child-welfare"
	KindMentalHealth   AgencyKind = "mental-health-addiction"
	KindHealthTrust    AgencyKind = "health-trust"
	KindCorrectional   AgencyKind = "correctional-service"
	KindHusbanken      AgencyKind = "husbanken"
	KindPolice         AgencyKind = "police"
	KindOther          AgencyKind = "other"
)

// AgencyKinds lists every kind, in display order.
var AgencyKinds = []AgencyKind{
	KindNAV, KindHousingOffice, KindRefugeeService, KindChildWelfare, KindMentalHealth,
	KindHealthTrust, KindCorrectional, KindHusbanken, KindPolice, KindOther,
}

// AgencyRole is what a person does in an agency.
type AgencyRole string

// Agency roles. A person may hold both.
const (
	CaseworkerRole AgencyRole = "caseworker" // reads and works on roadmaps shared with the agency
	AdminRole      AgencyRole = "admin"      // adds and removes the agency's people
)

// Limits of agencies.
const (
	MaxAgencyName  = 200
	MaxRegion      = 100
	MaxAgencyStaff = 5000
)

// Agency is an organisation a household can share its roadmap with.
type Agency struct {
	ID     string
	Kind   AgencyKind
	Name   string
	Region string // municipality or region
	Staff  []StaffMember
	// RequireSignIn, if set, is the one sign-in method (SignInAgencyOIDC or
	// SignInPasskey) with which people may act for the agency; their
	// administrators decide.
	RequireSignIn string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Version       int64
}

// SetRequireSignIn sets the sign-in method the agency requires ("" for any).
func (a *Agency) SetRequireSignIn(method string, now time.Time) (*Agency, error) {
	switch method {
	case "", SignInAgencyOIDC, SignInPasskey:
	default:
		return nil, &Error{Code: EINVALID, Message: "An agency can require agency-oidc or passkey sign-in, or nothing.", Pointer: "/require"}
	}
	n := a.Clone()
	n.RequireSignIn, n.UpdatedAt = method, now.UTC()
	n.Version++
	return n, nil
}

// StaffMember is a person in an agency and their roles there.
type StaffMember struct {
	UserID  string
	Roles   []AgencyRole
	AddedAt time.Time
	AddedBy string
}

// NewAgency validates and returns a new agency.
func NewAgency(id string, kind AgencyKind, name, region string, now time.Time) (*Agency, error) {
	if !ValidID(id) {
		return nil, &Error{Code: EINVALID, Message: "The agency id is not valid.", Pointer: "/id"}
	}
	if !slices.Contains(AgencyKinds, kind) {
		return nil, &Error{Code: EINVALID, Message: "There is no such kind of agency.", Pointer: "/kind"}
	}
	var err error
	if name, err = cleanText(name, 1, MaxAgencyName, "/name"); err != nil {
		return nil, err
	}
	if region, err = cleanText(region, 1, MaxRegion, "/region"); err != nil {
		return nil, err
	}
	now = clock(now)
	return &Agency{ID: id, Kind: kind, Name: name, Region: region, CreatedAt: now, UpdatedAt: now, Version: 1}, nil
}

// Roles returns userID's roles in the agency (nil if none).
func (a *Agency) Roles(userID string) []AgencyRole {
	if a == nil {
		return nil
	}
	for _, s := range a.Staff {
		if s.UserID == userID {
			return s.Roles
		}
	}
	return nil
}

// Clone returns a deep copy.
func (a *Agency) Clone() *Agency {
	c := *a
	c.Staff = slices.Clone(a.Staff)
	for i := range c.Staff {
		c.Staff[i].Roles = slices.Clone(c.Staff[i].Roles)
	}
	return &c
}

// SetStaff adds userID to the agency with the given roles, or changes their
// roles. An agency always keeps at least one administrator once it has one.
func (a *Agency) SetStaff(userID string, roles []AgencyRole, by string, now time.Time) (*Agency, error) {
	if !ValidID(userID) {
		return nil, &Error{Code: EINVALID, Message: "The user id is not valid.", Pointer: "/userId"}
	}
	clean := make([]AgencyRole, 0, len(roles))
	for i, r := range roles {
		if r != CaseworkerRole && r != AdminRole {
			return nil, &Error{Code: EINVALID, Message: "There is no such role.", Pointer: "/roles/" + strconv.Itoa(i)}
		}
		if slices.Contains(clean, r) {
			return nil, &Error{Code: EINVALID, Message: "A role is listed twice.", Pointer: "/roles/" + strconv.Itoa(i)}
		}
		clean = append(clean, r)
	}
	if len(clean) == 0 {
		return nil, &Error{Code: EINVALID, Message: "Give at least one role.", Pointer: "/roles"}
	}
	now = clock(now)
	n := a.Clone()
	n.Version++
	n.UpdatedAt = now
	i := slices.IndexFunc(n.Staff, func(s StaffMember) bool { return s.UserID == userID })
	if i < 0 {
		if len(n.Staff) >= MaxAgencyStaff {
			return nil, &Error{Code: ECONFLICT, Message: "This agency has as many people as it can have."}
		}
		n.Staff = append(n.Staff, StaffMember{UserID: userID, Roles: clean, AddedAt: now, AddedBy: by})
	} else {
		n.Staff[i].Roles = clean
	}
	if a.admins() > 0 && n.admins() == 0 {
		return nil, &Error{Code: ECONFLICT, Message: "An agency must keep at least one administrator."}
	}
	return n, nil
}

// RemoveStaff removes userID from the agency.
func (a *Agency) RemoveStaff(userID string, now time.Time) (*Agency, error) {
	i := slices.IndexFunc(a.Staff, func(s StaffMember) bool { return s.UserID == userID })
	if i < 0 {
		return nil, &Error{Code: ENOTFOUND, Message: "This person is not in the agency."}
	}
	n := a.Clone()
	n.Staff = slices.Delete(n.Staff, i, i+1)
	if a.admins() > 0 && n.admins() == 0 {
		return nil, &Error{Code: ECONFLICT, Message: "An agency must keep at least one administrator."}
	}
	n.Version++
	n.UpdatedAt = clock(now)
	return n, nil
}

func (a *Agency) admins() int {
	k := 0
	for _, s := range a.Staff {
		if slices.Contains(s.Roles, AdminRole) {
			k++
		}
	}
	return k
}
