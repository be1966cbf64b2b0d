package validate_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/veikart/veikart/backend/validate"
)

// MustNew compiles the schemas or stops the test.
func MustNew(tb testing.TB) *validate.Validator {
	tb.Helper()
	v, err := validate.New()
	if err != nil {
		tb.Fatalf("validate.New: %v", err)
	}
	return v
}

// long returns a JSON string literal of n runes (with non-ASCII ones, since
// limits count characters, not bytes).
func long(n int) string {
	return `"` + strings.Repeat("ø", n) + `"`
}

// ops wraps operations in an OperationsRequest body.
func ops(op ...string) string {
	return `{"operations":[` + strings.Join(op, ",") + `]}`
}

// Valid operations, one per type.
const (
	opSetTitle     = `{"opId":"o1","type":"roadmap.setTitle","baseVersion":3,"title":"Vår plan"}`
	opMemberAdd    = `{"opId":"o2","type":"member.add","member":{"id":"m1","name":"Kari","birthYear":1985,"role":"adult"}}`
	opMemberUpdate = `{"opId":"o3","type":"member.update","memberId":"m1","baseVersion":4,"set":{"birthYear":null,"name":"Kari N."}}`
	opMemberRemove = `{"opId":"o4","type":"member.remove","memberId":"m1","baseVersion":0}`
	opAreaAdd      = `{"opId":"o5","type":"area.add","area":{"id":"pets","title":"Dyr","now":"","scoreNow":2,"memberIds":["m1","m2"]}}`
	opAreaUpdate   = `{"opId":"o6","type":"area.update","areaId":"housing","baseVersion":5,"set":{"scoreNow":null,"scoreDesired":5,"now":"Vi bor trangt."}}`
	opAreaRemove   = `{"opId":"o7","type":"area.remove","areaId":"pets","baseVersion":6}`
	opStepAdd      = `{"opId":"o8","type":"step.add","step":{"id":"s1","areaId":"housing","title":"Søke kommunal bolig","responsible":{"kind":"agency","agencyId":"nav-sola"},"due":"2026-03-01","term":"short"}}`
	opStepUpdate   = `{"opId":"o9","type":"step.update","stepId":"s1","baseVersion":7,"set":{"due":null,"status":"doing","responsible":{"kind":"household"}}}`
	opStepRemove   = `{"opId":"o10","type":"step.remove","stepId":"s1","baseVersion":8}`
)

type requestCase struct {
	name   string
	schema string
	body   string
	// want lists the pointers of the violations (each once, in order); nil
	// means the body is valid.
	want []string
}

func requestCases() []requestCase {
	or := validate.OperationsRequest
	cr := validate.CreateRoadmapRequest
	dl := validate.DevLoginRequest
	rr := validate.RefreshRequest
	hundredOne := make([]string, 101)
	for i := range hundredOne {
		hundredOne[i] = opMemberRemove
	}
	thirtyOne := make([]string, 31)
	for i := range thirtyOne {
		thirtyOne[i] = fmt.Sprintf(`"m%d"`, i)
	}
	members31 := make([]string, 31)
	for i := range members31 {
		members31[i] = fmt.Sprintf(`{"id":"m%d","name":"N","role":"child"}`, i)
	}
	return []requestCase{
		// OperationsRequest: one valid body per operation type, and all together.
		{"Operations/SetTitle", or, ops(opSetTitle), nil},
		{"Operations/MemberAdd", or, ops(opMemberAdd), nil},
		{"Operations/MemberUpdate", or, ops(opMemberUpdate), nil},
		{"Operations/MemberRemove", or, ops(opMemberRemove), nil},
		{"Operations/AreaAdd", or, ops(opAreaAdd), nil},
		{"Operations/AreaUpdate", or, ops(opAreaUpdate), nil},
		{"Operations/AreaRemove", or, ops(opAreaRemove), nil},
		{"Operations/StepAdd", or, ops(opStepAdd), nil},
		{"Operations/StepUpdate", or, ops(opStepUpdate), nil},
		{"Operations/StepRemove", or, ops(opStepRemove), nil},
		{"Operations/AllTypes", or, ops(opSetTitle, opMemberAdd, opMemberUpdate, opMemberRemove, opAreaAdd, opAreaUpdate, opAreaRemove, opStepAdd, opStepUpdate, opStepRemove), nil},
		{"Operations/EmptyTitleAllowed", or, ops(`{"opId":"o","type":"roadmap.setTitle","baseVersion":1,"title":""}`), nil},
		{"Operations/MaxLengthsAllowed", or, ops(`{"opId":"o","type":"area.update","areaId":"a","baseVersion":1,"set":{"now":` + long(4000) + `,"desired":` + long(4000) + `,"title":` + long(100) + `}}`), nil},
		{"Operations/IntegerAsFloatZeroFraction", or, ops(`{"opId":"o","type":"member.remove","memberId":"m","baseVersion":1.0}`), nil},
		{"Operations/OneHundredOpsAllowed", or, ops(hundredOne[:100]...), nil},

		{"Operations/EmptyObject", or, `{}`, []string{"/operations"}},
		{"Operations/NotAnObject", or, `[]`, []string{""}},
		{"Operations/Null", or, `null`, []string{""}},
		{"Operations/NotAnArray", or, `{"operations":{}}`, []string{"/operations"}},
		{"Operations/NoOperations", or, ops(), []string{"/operations"}},
		{"Operations/TooManyOperations", or, ops(hundredOne...), []string{"/operations"}},
		{"Operations/UnknownTopLevelField", or, `{"operations":[` + opStepRemove + `],"force":true}`, []string{"/force"}},
		{"Operations/OperationNotAnObject", or, ops(`"x"`), []string{"/operations/0"}},
		{"Operations/UnknownType", or, ops(`{"opId":"o","type":"roadmap.delete"}`), []string{"/operations/0/type"}},
		{"Operations/TypeNotAString", or, ops(`{"opId":"o","type":7}`), []string{"/operations/0/type"}},
		{"Operations/MissingType", or, ops(`{"opId":"o","stepId":"s","baseVersion":1}`), []string{"/operations/0/type"}},
		{"Operations/MissingOpId", or, ops(`{"type":"step.remove","stepId":"s1","baseVersion":8}`), []string{"/operations/0/opId"}},
		{"Operations/OpIdBadPattern", or, ops(`{"opId":"-o","type":"step.remove","stepId":"s1","baseVersion":8}`), []string{"/operations/0/opId"}},
		{"Operations/OpIdTooLong", or, ops(`{"opId":"` + strings.Repeat("a", 65) + `","type":"step.remove","stepId":"s1","baseVersion":8}`), []string{"/operations/0/opId"}},
		{"Operations/OpIdEmpty", or, ops(`{"opId":"","type":"step.remove","stepId":"s1","baseVersion":8}`), []string{"/operations/0/opId"}},
		{"Operations/ErrorInSecondOperation", or, ops(opStepRemove, `{"opId":"o","type":"step.remove","stepId":"s 1","baseVersion":8}`), []string{"/operations/1/stepId"}},
		{"Operations/IndexesSortNumerically", or, ops(slices.Repeat([]string{`{"opId":"o","type":"step.remove","baseVersion":1}`}, 11)...), []string{
			"/operations/0/stepId", "/operations/1/stepId", "/operations/2/stepId", "/operations/3/stepId", "/operations/4/stepId", "/operations/5/stepId",
			"/operations/6/stepId", "/operations/7/stepId", "/operations/8/stepId", "/operations/9/stepId", "/operations/10/stepId"}},
		{"Operations/NegativeBaseVersion", or, ops(`{"opId":"o","type":"member.remove","memberId":"m","baseVersion":-1}`), []string{"/operations/0/baseVersion"}},
		{"Operations/BaseVersionString", or, ops(`{"opId":"o","type":"member.remove","memberId":"m","baseVersion":"1"}`), []string{"/operations/0/baseVersion"}},
		{"Operations/BaseVersionFraction", or, ops(`{"opId":"o","type":"member.remove","memberId":"m","baseVersion":1.5}`), []string{"/operations/0/baseVersion"}},
		{"Operations/BaseVersionHuge", or, ops(`{"opId":"o","type":"member.remove","memberId":"m","baseVersion":123456789012345678901234567890}`), []string{"/operations/0/baseVersion"}},
		{"Operations/RemoveWithoutBaseVersion", or, ops(`{"opId":"o","type":"area.remove","areaId":"a"}`), []string{"/operations/0/baseVersion"}},
		{"Operations/RemoveWithSet", or, ops(`{"opId":"o","type":"step.remove","stepId":"s","baseVersion":1,"set":{"title":"x"}}`), []string{"/operations/0/set"}},
		{"Operations/SetTitleTooLong", or, ops(`{"opId":"o","type":"roadmap.setTitle","baseVersion":1,"title":` + long(201) + `}`), []string{"/operations/0/title"}},
		{"Operations/MemberAddMissingRoleAndExtraField", or, ops(`{"opId":"o","type":"member.add","member":{"id":"m","name":"Kari","nin":"01019012345"}}`), []string{"/operations/0/member/nin", "/operations/0/member/role"}},
		{"Operations/MemberAddWithVersion", or, ops(`{"opId":"o","type":"member.add","member":{"id":"m","name":"Kari","role":"adult","version":1}}`), []string{"/operations/0/member/version"}},
		{"Operations/MemberAddEmptyName", or, ops(`{"opId":"o","type":"member.add","member":{"id":"m","name":"","role":"adult"}}`), []string{"/operations/0/member/name"}},
		{"Operations/MemberAddBadRole", or, ops(`{"opId":"o","type":"member.add","member":{"id":"m","name":"Ola","role":"parent"}}`), []string{"/operations/0/member/role"}},
		{"Operations/MemberUpdateEmptySet", or, ops(`{"opId":"o","type":"member.update","memberId":"m","baseVersion":1,"set":{}}`), []string{"/operations/0/set"}},
		{"Operations/MemberUpdateNullName", or, ops(`{"opId":"o","type":"member.update","memberId":"m","baseVersion":1,"set":{"name":null}}`), []string{"/operations/0/set/name"}},
		{"Operations/MemberUpdateBirthYearOutOfRange", or, ops(`{"opId":"o","type":"member.update","memberId":"m","baseVersion":1,"set":{"birthYear":1899}}`), []string{"/operations/0/set/birthYear"}},
		{"Operations/MemberUpdateBirthYearString", or, ops(`{"opId":"o","type":"member.update","memberId":"m","baseVersion":1,"set":{"birthYear":"1990"}}`), []string{"/operations/0/set/birthYear"}},
		{"Operations/MemberUpdateMissingSet", or, ops(`{"opId":"o","type":"member.update","memberId":"m","baseVersion":1}`), []string{"/operations/0/set"}},
		{"Operations/AreaAddMissingTitle", or, ops(`{"opId":"o","type":"area.add","area":{"id":"a"}}`), []string{"/operations/0/area/title"}},
		{"Operations/AreaAddScoreTooHigh", or, ops(`{"opId":"o","type":"area.add","area":{"id":"a","title":"T","scoreNow":6}}`), []string{"/operations/0/area/scoreNow"}},
		{"Operations/AreaAddScoreNull", or, ops(`{"opId":"o","type":"area.add","area":{"id":"a","title":"T","scoreNow":null}}`), []string{"/operations/0/area/scoreNow"}},
		{"Operations/AreaAddWithKind", or, ops(`{"opId":"o","type":"area.add","area":{"id":"a","title":"T","kind":"default"}}`), []string{"/operations/0/area/kind"}},
		{"Operations/AreaUpdateScoreZero", or, ops(`{"opId":"o","type":"area.update","areaId":"a","baseVersion":1,"set":{"scoreDesired":0}}`), []string{"/operations/0/set/scoreDesired"}},
		{"Operations/AreaUpdateNowTooLong", or, ops(`{"opId":"o","type":"area.update","areaId":"a","baseVersion":1,"set":{"now":` + long(4001) + `}}`), []string{"/operations/0/set/now"}},
		{"Operations/AreaUpdateMemberIdsTooMany", or, ops(`{"opId":"o","type":"area.update","areaId":"a","baseVersion":1,"set":{"memberIds":[` + strings.Join(thirtyOne, ",") + `]}}`), []string{"/operations/0/set/memberIds"}},
		{"Operations/AreaUpdateMemberIdBad", or, ops(`{"opId":"o","type":"area.update","areaId":"a","baseVersion":1,"set":{"memberIds":["m1","m/2"]}}`), []string{"/operations/0/set/memberIds/1"}},
		{"Operations/StepAddImpossibleDate", or, ops(`{"opId":"o","type":"step.add","step":{"id":"s","areaId":"a","title":"T","responsible":{"kind":"household"},"term":"long","due":"2026-02-30"}}`), []string{"/operations/0/step/due"}},
		{"Operations/StepAddNorwegianDate", or, ops(`{"opId":"o","type":"step.add","step":{"id":"s","areaId":"a","title":"T","responsible":{"kind":"household"},"term":"long","due":"01.03.2026"}}`), []string{"/operations/0/step/due"}},
		{"Operations/StepAddDateTimeAsDue", or, ops(`{"opId":"o","type":"step.add","step":{"id":"s","areaId":"a","title":"T","responsible":{"kind":"household"},"term":"long","due":"2026-03-01T10:00:00Z"}}`), []string{"/operations/0/step/due"}},
		{"Operations/StepAddMemberWithoutMemberId", or, ops(`{"opId":"o","type":"step.add","step":{"id":"s","areaId":"a","title":"T","responsible":{"kind":"member"},"term":"short"}}`), []string{"/operations/0/step/responsible/memberId"}},
		{"Operations/StepAddResponsibleUnknownKind", or, ops(`{"opId":"o","type":"step.add","step":{"id":"s","areaId":"a","title":"T","responsible":{"kind":"neighbour"},"term":"short"}}`), []string{"/operations/0/step/responsible/kind"}},
		{"Operations/StepAddResponsibleMissingKind", or, ops(`{"opId":"o","type":"step.add","step":{"id":"s","areaId":"a","title":"T","responsible":{"memberId":"m"},"term":"short"}}`), []string{"/operations/0/step/responsible/kind"}},
		{"Operations/StepAddResponsibleHouseholdWithMemberId", or, ops(`{"opId":"o","type":"step.add","step":{"id":"s","areaId":"a","title":"T","responsible":{"kind":"household","memberId":"m"},"term":"short"}}`), []string{"/operations/0/step/responsible/memberId"}},
		{"Operations/StepAddResponsibleString", or, ops(`{"opId":"o","type":"step.add","step":{"id":"s","areaId":"a","title":"T","responsible":"household","term":"short"}}`), []string{"/operations/0/step/responsible"}},
		{"Operations/StepAddBadStatusAndTerm", or, ops(`{"opId":"o","type":"step.add","step":{"id":"s","areaId":"a","title":"T","responsible":{"kind":"household"},"term":"medium","status":"finished"}}`), []string{"/operations/0/step/status", "/operations/0/step/term"}},
		{"Operations/StepAddMissingFields", or, ops(`{"opId":"o","type":"step.add","step":{"id":"s"}}`), []string{"/operations/0/step/areaId", "/operations/0/step/responsible", "/operations/0/step/term", "/operations/0/step/title"}},
		{"Operations/StepAddDuplicateMemberIds", or, ops(`{"opId":"o","type":"step.add","step":{"id":"s","areaId":"a","title":"T","responsible":{"kind":"household"},"term":"short","memberIds":["m1","m1"]}}`), []string{"/operations/0/step/memberIds"}},
		{"Operations/StepAddNoteTooLong", or, ops(`{"opId":"o","type":"step.add","step":{"id":"s","areaId":"a","title":"T","responsible":{"kind":"household"},"term":"short","note":` + long(2001) + `}}`), []string{"/operations/0/step/note"}},
		{"Operations/StepAddEmptyTitle", or, ops(`{"opId":"o","type":"step.add","step":{"id":"s","areaId":"a","title":"","responsible":{"kind":"household"},"term":"short"}}`), []string{"/operations/0/step/title"}},
		{"Operations/StepAddWithVersion", or, ops(`{"opId":"o","type":"step.add","step":{"id":"s","areaId":"a","title":"T","responsible":{"kind":"household"},"term":"short","version":3}}`), []string{"/operations/0/step/version"}},
		{"Operations/StepUpdateEmptyDue", or, ops(`{"opId":"o","type":"step.update","stepId":"s","baseVersion":1,"set":{"due":""}}`), []string{"/operations/0/set/due"}},
		{"Operations/StepUpdateNullTitle", or, ops(`{"opId":"o","type":"step.update","stepId":"s","baseVersion":1,"set":{"title":null}}`), []string{"/operations/0/set/title"}},
		{"Operations/StepUpdateUnknownSetField", or, ops(`{"opId":"o","type":"step.update","stepId":"s","baseVersion":1,"set":{"createdAt":"2026-01-01T00:00:00Z"}}`), []string{"/operations/0/set/createdAt"}},
		{"Operations/StepUpdateResponsibleAgencyBadId", or, ops(`{"opId":"o","type":"step.update","stepId":"s","baseVersion":1,"set":{"responsible":{"kind":"agency","agencyId":"NAV Sola"}}}`), []string{"/operations/0/set/responsible/agencyId"}},
		{"Operations/StepRemoveMissingStepId", or, ops(`{"opId":"o","type":"step.remove","baseVersion":1}`), []string{"/operations/0/stepId"}},
		{"Operations/WrongIdFieldForType", or, ops(`{"opId":"o","type":"step.remove","memberId":"m","baseVersion":1}`), []string{"/operations/0/memberId", "/operations/0/stepId"}},

		// CreateRoadmapRequest.
		{"CreateRoadmap/Empty", cr, `{}`, nil},
		{"CreateRoadmap/Full", cr, `{"id":"3f2b8c1e-9d4a-4e7b-8a6c-2d1e0f9b7a54","title":"Familien Hansen","members":[{"id":"m1","name":"Kari","birthYear":1985,"role":"adult"},{"id":"m2","name":"Ola","role":"child"}]}`, nil},
		{"CreateRoadmap/EmptyTitle", cr, `{"title":""}`, nil},
		{"CreateRoadmap/ThirtyMembers", cr, `{"members":[` + strings.Join(members31[:30], ",") + `]}`, nil},
		{"CreateRoadmap/BadId", cr, `{"id":"r.1"}`, []string{"/id"}},
		// A roadmap id travels in links, pushes and logs: a client may not
		// choose one that carries a name, only a random UUID.
		{"CreateRoadmap/NamedId", cr, `{"id":"demo-haugen"}`, []string{"/id"}},
		{"CreateRoadmap/UpperCaseUUID", cr, `{"id":"3F2B8C1E-9D4A-4E7B-8A6C-2D1E0F9B7A54"}`, []string{"/id"}},
		{"CreateRoadmap/TitleTooLong", cr, `{"title":` + long(201) + `}`, []string{"/title"}},
		{"CreateRoadmap/TooManyMembers", cr, `{"members":[` + strings.Join(members31, ",") + `]}`, []string{"/members"}},
		{"CreateRoadmap/MemberNameTooLong", cr, `{"members":[{"id":"m1","name":` + long(101) + `,"role":"adult"}]}`, []string{"/members/0/name"}},
		{"CreateRoadmap/MemberBirthYearTooLate", cr, `{"members":[{"id":"m1","name":"K","birthYear":2101,"role":"adult"}]}`, []string{"/members/0/birthYear"}},
		{"CreateRoadmap/MemberBirthYearNull", cr, `{"members":[{"id":"m1","name":"K","birthYear":null,"role":"adult"}]}`, []string{"/members/0/birthYear"}},
		{"CreateRoadmap/ClientSetsOwners", cr, `{"owners":["someone-else"]}`, []string{"/owners"}},
		{"CreateRoadmap/ClientSetsVersion", cr, `{"id":"3f2b8c1e-9d4a-4e7b-8a6c-2d1e0f9b7a54","version":99}`, []string{"/version"}},
		{"CreateRoadmap/TitleNull", cr, `{"title":null}`, []string{"/title"}},

		// DevLoginRequest.
		{"DevLogin/Valid", dl, `{"name":"Kari Nordmann"}`, nil},
		{"DevLogin/MaxName", dl, `{"name":` + long(100) + `}`, nil},
		{"DevLogin/Missing", dl, `{}`, []string{"/name"}},
		{"DevLogin/Empty", dl, `{"name":""}`, []string{"/name"}},
		{"DevLogin/TooLong", dl, `{"name":` + long(101) + `}`, []string{"/name"}},
		{"DevLogin/Number", dl, `{"name":5}`, []string{"/name"}},
		{"DevLogin/ExtraField", dl, `{"name":"Kari","admin":true}`, []string{"/admin"}},
		{"DevLogin/String", dl, `"Kari"`, []string{""}},

		// RefreshRequest.
		{"Refresh/Valid", rr, `{"refreshToken":"rt_abc.def-123"}`, nil},
		{"Refresh/MaxLength", rr, `{"refreshToken":"` + strings.Repeat("x", 512) + `"}`, nil},
		{"Refresh/Missing", rr, `{}`, []string{"/refreshToken"}},
		{"Refresh/Empty", rr, `{"refreshToken":""}`, []string{"/refreshToken"}},
		{"Refresh/TooLong", rr, `{"refreshToken":"` + strings.Repeat("x", 513) + `"}`, []string{"/refreshToken"}},
		{"Refresh/Null", rr, `{"refreshToken":null}`, []string{"/refreshToken"}},
		{"Refresh/ExtraField", rr, `{"refreshToken":"x","accessToken":"y"}`, []string{"/accessToken"}},
	}
}

func TestValidate_Requests(t *testing.T) {
	v := MustNew(t)
	for _, tc := range requestCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			checkCase(t, v, tc)
		})
	}
}

func checkCase(t *testing.T, v *validate.Validator, tc requestCase) {
	t.Helper()
	err := v.Validate(tc.schema, []byte(tc.body))
	if tc.want == nil {
		if err != nil {
			t.Fatalf("want valid, got %v", err)
		}
		return
	}
	var verr *validate.Error
	if !errors.As(err, &verr) {
		t.Fatalf("want *validate.Error, got %v", err)
	}
	if errors.Is(err, validate.ErrMalformed) {
		t.Errorf("a schema violation must not wrap ErrMalformed")
	}
	var got []string
	for _, vi := range verr.Violations {
		if vi.Message == "" {
			t.Errorf("violation at %q has no message", vi.Pointer)
		}
		if len(got) == 0 || got[len(got)-1] != vi.Pointer {
			got = append(got, vi.Pointer)
		}
	}
	if !slices.Equal(got, tc.want) {
		t.Errorf("pointers:\n got %q\nwant %q\n(%v)", got, tc.want, err)
	}
}

func TestValidate_Messages(t *testing.T) {
	v := MustNew(t)
	tests := []struct {
		name, schema, body, pointer, message string
	}{
		{"Required", validate.DevLoginRequest, `{}`, "/name", "is required"},
		{"Unknown", validate.DevLoginRequest, `{"name":"x","role":"admin"}`, "/role", "is not allowed"},
		{"Type", validate.DevLoginRequest, `{"name":1}`, "/name", "must be a string"},
		{"MaxLength", validate.DevLoginRequest, `{"name":` + long(101) + `}`, "/name", "must be at most 100 characters long"},
		{"MinLength", validate.DevLoginRequest, `{"name":""}`, "/name", "must be at least 1 characters long"},
		{"MaxItems", validate.OperationsRequest, `{"operations":[]}`, "/operations", "must have at least 1 item(s)"},
		{"Date", validate.OperationsRequest, ops(`{"opId":"o","type":"step.update","stepId":"s","baseVersion":1,"set":{"due":"2026-13-01"}}`), "/operations/0/set/due", "must be a date (YYYY-MM-DD)"},
		{"Nullable", validate.OperationsRequest, ops(`{"opId":"o","type":"area.update","areaId":"a","baseVersion":1,"set":{"scoreNow":"3"}}`), "/operations/0/set/scoreNow", "must be null or an integer"},
		{"Maximum", validate.OperationsRequest, ops(`{"opId":"o","type":"area.update","areaId":"a","baseVersion":1,"set":{"scoreNow":9}}`), "/operations/0/set/scoreNow", "must be at most 5"},
		{"Enum", validate.OperationsRequest, ops(`{"opId":"o","type":"step.update","stepId":"s","baseVersion":1,"set":{"term":"mid"}}`), "/operations/0/set/term", "must be one of: short, long"},
		{"Discriminator", validate.OperationsRequest, ops(`{"opId":"o","type":"step.update","stepId":"s","baseVersion":1,"set":{"responsible":{"kind":"x"}}}`), "/operations/0/set/responsible/kind", "must be one of: household, member, agency"},
		{"FalseOrUnique", validate.OperationsRequest, ops(`{"opId":"o","type":"area.update","areaId":"a","baseVersion":1,"set":{"memberIds":["a","b","a"]}}`), "/operations/0/set/memberIds", "must not repeat an item (items 0 and 2 are equal)"},
		{"EscapedPointer", validate.DevLoginRequest, `{"name":"x","a/b~c":1}`, "/a~1b~0c", "is not allowed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := v.Validate(tc.schema, []byte(tc.body))
			var verr *validate.Error
			if !errors.As(err, &verr) {
				t.Fatalf("want *validate.Error, got %v", err)
			}
			want := validate.Violation{Pointer: tc.pointer, Message: tc.message}
			if !slices.Contains(verr.Violations, want) {
				t.Errorf("want violation %+v, got %+v", want, verr.Violations)
			}
		})
	}
}

// The messages go to the client and into logs: they must name the rule, never
// repeat what was sent.
func TestValidate_MessagesDoNotEchoValues(t *testing.T) {
	v := MustNew(t)
	const secret = "Hemmelig"
	bodies := []struct{ schema, body string }{
		{validate.DevLoginRequest, `{"name":"` + strings.Repeat(secret, 20) + `"}`},
		{validate.DevLoginRequest, `{"name":["` + secret + `"]}`},
		{validate.RefreshRequest, `{"refreshToken":{"` + secret + `":1}}`},
		{validate.CreateRoadmapRequest, `{"id":"` + secret + ` 1","members":[{"id":"m","name":"x","role":"` + secret + `"}]}`},
		{validate.OperationsRequest, ops(`{"opId":"`+secret+`!","type":"`+secret+`"}`, `{"opId":"o","type":"step.update","stepId":"s","baseVersion":"`+secret+`","set":{"due":"`+secret+`","status":"`+secret+`","responsible":{"kind":"`+secret+`"}}}`)},
		{validate.OperationsRequest, ops(`{"opId":"o","type":"member.update","memberId":"m","baseVersion":1,"set":{"birthYear":18.5,"role":"` + secret + `"}}`)},
	}
	for i, b := range bodies {
		err := v.Validate(b.schema, []byte(b.body))
		var verr *validate.Error
		if !errors.As(err, &verr) {
			t.Fatalf("body %d: want *validate.Error, got %v", i, err)
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("body %d: error repeats the value: %v", i, err)
		}
		if strings.Contains(err.Error(), "18.5") {
			t.Errorf("body %d: error repeats a number: %v", i, err)
		}
	}
}

func TestValidate_Malformed(t *testing.T) {
	v := MustNew(t)
	for _, body := range []string{"", " ", "{", `{"operations":[}`, `{"name":"x",}`, `{"name":"x"} {}`, `{"name":"x"}x`, "nul", "'x'", "\xff", `{"name":"x"`, `{name:"x"}`, "\ufeff{}"} {
		err := v.Validate(validate.DevLoginRequest, []byte(body))
		if !errors.Is(err, validate.ErrMalformed) {
			t.Errorf("%q: want ErrMalformed, got %v", body, err)
		}
		var verr *validate.Error
		if errors.As(err, &verr) {
			t.Errorf("%q: malformed JSON must not be a *validate.Error", body)
		}
		if strings.Contains(err.Error(), "'") {
			t.Errorf("%q: error quotes the body: %v", body, err)
		}
	}
	// Whitespace around the value is fine.
	if err := v.Validate(validate.DevLoginRequest, []byte(" \n{\"name\":\"x\"}\n ")); err != nil {
		t.Errorf("whitespace: %v", err)
	}
}

func TestValidate_UnknownSchema(t *testing.T) {
	v := MustNew(t)
	err := v.Validate("nope.schema.json", []byte(`{}`))
	var verr *validate.Error
	if err == nil || errors.As(err, &verr) || errors.Is(err, validate.ErrMalformed) {
		t.Fatalf("want a plain error for an unknown schema, got %v", err)
	}
}

func TestValidate_CapsViolations(t *testing.T) {
	v := MustNew(t)
	fields := make([]string, 500)
	for i := range fields {
		fields[i] = fmt.Sprintf(`"f%d":1`, i)
	}
	err := v.Validate(validate.DevLoginRequest, []byte(`{`+strings.Join(fields, ",")+`}`))
	var verr *validate.Error
	if !errors.As(err, &verr) {
		t.Fatalf("want *validate.Error, got %v", err)
	}
	if n := len(verr.Violations); n != validate.MaxViolations {
		t.Errorf("got %d violations, want %d", n, validate.MaxViolations)
	}
	// A field name as long as the body is shortened in the pointer.
	err = v.Validate(validate.DevLoginRequest, []byte(`{"name":"x","`+strings.Repeat("k", 100000)+`":1}`))
	if !errors.As(err, &verr) {
		t.Fatalf("want *validate.Error, got %v", err)
	}
	if p := verr.Violations[0].Pointer; len(p) > 100 {
		t.Errorf("pointer is %d bytes long", len(p))
	}
}

func TestValidate_Concurrent(t *testing.T) {
	v := MustNew(t)
	cases := requestCases()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range cases {
				tc := cases[(i+g)%len(cases)]
				t.Run(tc.name, func(t *testing.T) { checkCase(t, v, tc) })
			}
		})
	}
	wg.Wait()
}

func TestNew_Schemas(t *testing.T) {
	v := MustNew(t)
	got := v.Schemas()
	for _, want := range []string{
		"area.schema.json", "create-roadmap-request.schema.json", "defs.schema.json", "dev-login-request.schema.json",
		"health.schema.json", "jwks.schema.json", "me.schema.json", "member.schema.json", "operation.schema.json",
		"operations-request.schema.json", "operations-response.schema.json", "problem.schema.json",
		"refresh-request.schema.json", "roadmap-list.schema.json", "roadmap.schema.json", "step.schema.json",
		"token-response.schema.json",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("schema %s not compiled (have %v)", want, got)
		}
	}
}

// An array longer than its schema allows is reported alone, without the
// items being validated one by one.
func TestValidate_OversizedArray(t *testing.T) {
	v := MustNew(t)
	bad := `{"opId":"-","type":"step.add","step":{}}`
	ids := make([]string, 1000)
	for i := range ids {
		ids[i] = `"m m"`
	}
	tests := []struct {
		name, schema, body, pointer string
	}{
		{"Operations", validate.OperationsRequest, ops(slices.Repeat([]string{bad}, 10000)...), "/operations"},
		{"Members", validate.CreateRoadmapRequest, `{"members":[` + strings.Repeat(`{},`, 999) + `{}]}`, "/members"},
		{"InsideOperation", validate.OperationsRequest, ops(opStepRemove, `{"opId":"o","type":"step.update","stepId":"s","baseVersion":1,"set":{"memberIds":[`+strings.Join(ids, ",")+`]}}`), "/operations/1/set/memberIds"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := v.Validate(tc.schema, []byte(tc.body))
			var verr *validate.Error
			if !errors.As(err, &verr) {
				t.Fatalf("want *validate.Error, got %v", err)
			}
			if len(verr.Violations) != 1 || verr.Violations[0].Pointer != tc.pointer {
				t.Errorf("got %+v, want one violation at %s", verr.Violations, tc.pointer)
			}
		})
	}
}
