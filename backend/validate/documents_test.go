package validate_test

import (
	"encoding/json"
	"testing"
)

// Valid documents as the server sends them. The API tests check real
// responses with package openapitest; these pin the document schemas
// themselves, so that a loosened or broken schema shows up here.
const (
	memberDoc = `{"id":"m1","name":"Kari","birthYear":1985,"role":"adult","version":2}`
	areaDoc   = `{"id":"housing","kind":"default","now":"Vi bor trangt.","desired":"Eget rom til barna.","scoreNow":2,"scoreDesired":4,"memberIds":["m1"],"version":3}`
	customDoc = `{"id":"pets","kind":"custom","title":"Dyr","now":"","desired":"","memberIds":[],"version":4}`
	stepDoc   = `{"id":"s1","areaId":"housing","title":"Søke kommunal bolig","note":"","responsible":{"kind":"member","memberId":"m1"},"due":"2026-03-01","status":"planned","term":"short","memberIds":["m1"],"reminders":[],"createdAt":"2026-01-05T10:00:00Z","updatedAt":"2026-01-05T10:00:00.123+01:00","version":5}`

	roadmapDoc = `{"id":"r1","title":"Familien Hansen","version":5,"createdAt":"2026-01-05T10:00:00Z","updatedAt":"2026-01-05T11:00:00Z","owners":["u-1"],` +
		`"members":[` + memberDoc + `],"areas":[` + areaDoc + `,` + customDoc + `],"steps":[` + stepDoc + `],"comments":[],"proposals":[]}`
	emptyRoadmapDoc = `{"id":"r2","title":"","version":1,"createdAt":"2026-01-05T10:00:00Z","updatedAt":"2026-01-05T10:00:00Z","owners":["u-1"],"members":[],"areas":[],"steps":[],"comments":[],"proposals":[]}`
)

// mutate decodes doc, lets f change it, and encodes it again.
func mutate(tb testing.TB, doc string, f func(m map[string]any)) string {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(doc), &m); err != nil {
		tb.Fatalf("fixture: %v", err)
	}
	f(m)
	b, err := json.Marshal(m)
	if err != nil {
		tb.Fatalf("fixture: %v", err)
	}
	return string(b)
}

func documentCases(t testing.TB) []requestCase {
	const (
		roadmap  = "roadmap.schema.json"
		member   = "member.schema.json"
		area     = "area.schema.json"
		step     = "step.schema.json"
		problem  = "problem.schema.json"
		list     = "roadmap-list.schema.json"
		token    = "token-response.schema.json"
		opsResp  = "operations-response.schema.json"
		jwks     = "jwks.schema.json"
		health   = "health.schema.json"
		me       = "me.schema.json"
		defaults = "defs.schema.json"
	)
	set := func(k string, val any) func(map[string]any) { return func(m map[string]any) { m[k] = val } }
	del := func(k string) func(map[string]any) { return func(m map[string]any) { delete(m, k) } }
	return []requestCase{
		{"Roadmap/Valid", roadmap, roadmapDoc, nil},
		{"Roadmap/Empty", roadmap, emptyRoadmapDoc, nil},
		{"Roadmap/NoOwners", roadmap, mutate(t, emptyRoadmapDoc, set("owners", []any{})), nil},
		{"Roadmap/VersionZero", roadmap, mutate(t, emptyRoadmapDoc, set("version", 0)), []string{"/version"}},
		{"Roadmap/MissingSteps", roadmap, mutate(t, emptyRoadmapDoc, del("steps")), []string{"/steps"}},
		{"Roadmap/BadTimestamp", roadmap, mutate(t, emptyRoadmapDoc, set("updatedAt", "2026-01-05 10:00")), []string{"/updatedAt"}},
		{"Roadmap/InternalField", roadmap, mutate(t, emptyRoadmapDoc, set("_id", "r2")), []string{"/_id"}},
		{"Roadmap/BadStepInside", roadmap, mutate(t, roadmapDoc, func(m map[string]any) {
			m["steps"].([]any)[0].(map[string]any)["status"] = "started"
		}), []string{"/steps/0/status"}},

		{"Member/Valid", member, memberDoc, nil},
		{"Member/NoVersion", member, mutate(t, memberDoc, del("version")), []string{"/version"}},

		{"Area/Default", area, areaDoc, nil},
		{"Area/Custom", area, customDoc, nil},
		{"Area/DefaultWithTitle", area, mutate(t, areaDoc, set("title", "Bolig")), []string{"/title"}},
		{"Area/DefaultWithOtherId", area, mutate(t, areaDoc, set("id", "pets")), []string{"/id"}},
		{"Area/CustomWithoutTitle", area, mutate(t, customDoc, del("title")), []string{"/title"}},
		{"Area/UnknownKind", area, mutate(t, customDoc, set("kind", "special")), []string{"/kind"}},
		{"Area/ScoreNull", area, mutate(t, areaDoc, set("scoreNow", nil)), []string{"/scoreNow"}},

		{"Step/Valid", step, stepDoc, nil},
		{"Step/NoDue", step, mutate(t, stepDoc, del("due")), nil},
		{"Step/NullDue", step, mutate(t, stepDoc, set("due", nil)), []string{"/due"}},
		{"Step/MissingNote", step, mutate(t, stepDoc, del("note")), []string{"/note"}},

		{"OperationsResponse/Valid", opsResp, `{"roadmap":` + roadmapDoc + `,"results":[{"opId":"o1","outcome":"applied"},{"opId":"o2","outcome":"duplicate"}]}`, nil},
		{"OperationsResponse/BadOutcome", opsResp, `{"roadmap":` + roadmapDoc + `,"results":[{"opId":"o1","outcome":"skipped"}]}`, []string{"/results/0/outcome"}},

		{"RoadmapList/Valid", list, `{"items":[{"id":"r1","title":"","version":1,"updatedAt":"2026-01-05T10:00:00Z","memberCount":0,"stepCount":0,"role":"owner"}]}`, nil},
		{"RoadmapList/Empty", list, `{"items":[]}`, nil},
		{"RoadmapList/BadRole", list, `{"items":[{"id":"r1","title":"","version":1,"updatedAt":"2026-01-05T10:00:00Z","memberCount":0,"stepCount":0,"role":"admin"}]}`, []string{"/items/0/role"}},

		{"TokenResponse/Valid", token, `{"accessToken":"eyJhbGciOiJFZERTQSJ9.e30.sig","refreshToken":"rt","tokenType":"Bearer","expiresIn":900,"user":{"id":"u-1","name":"Kari"}}`, nil},
		{"TokenResponse/LowercaseType", token, `{"accessToken":"a","refreshToken":"rt","tokenType":"bearer","expiresIn":900,"user":{"id":"u-1","name":"Kari"}}`, []string{"/tokenType"}},
		{"TokenResponse/ExpiresInString", token, `{"accessToken":"a","refreshToken":"rt","tokenType":"Bearer","expiresIn":"900","user":{"id":"u-1","name":"Kari"}}`, []string{"/expiresIn"}},
		{"Me/Valid", me, `{"id":"u-1","name":"Kari","agencies":[]}`, nil},
		{"Me/Extra", me, `{"id":"u-1","name":"Kari","agencies":[],"passwordHash":"x"}`, []string{"/passwordHash"}},

		{"Problem/Validation", problem, `{"type":"/problems/validation","title":"Invalid request","status":422,"requestId":"req-1","errors":[{"pointer":"/name","message":"is required"}]}`, nil},
		{"Problem/Conflict", problem, `{"type":"/problems/conflict","title":"Conflict","status":409,"conflicts":[{"opId":"o1","target":"step/s1","fields":["title"],"current":` + stepDoc + `},{"opId":"o2","target":"member/m9","fields":[],"current":null},{"opId":"o3","target":"roadmap","fields":["title"],"current":{"title":"Ny"}}],"currentVersion":5,"current":` + roadmapDoc + `}`, nil},
		{"Problem/UnknownType", problem, `{"type":"/problems/teapot","title":"x","status":418}`, []string{"/type"}},
		{"Problem/StatusNotError", problem, `{"type":"/problems/internal","title":"x","status":200}`, []string{"/status"}},
		{"Problem/LeaksInternals", problem, `{"type":"/problems/internal","title":"x","status":500,"stack":"main.go:12"}`, []string{"/stack"}},

		{"JWKS/Valid", jwks, `{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"2026-01","use":"sig","alg":"EdDSA"}]}`, nil},
		{"JWKS/PrivateKeyLeak", jwks, `{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","kid":"2026-01","use":"sig","alg":"EdDSA"}]}`, []string{"/keys/0/d"}},
		{"JWKS/Padded", jwks, `{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHUR=","kid":"2026-01","use":"sig","alg":"EdDSA"}]}`, []string{"/keys/0/x"}},

		{"Health/Ok", health, `{"status":"ok"}`, nil},
		{"Health/Other", health, `{"status":"degraded"}`, []string{"/status"}},

		// defs.schema.json is a bag of definitions: it accepts anything.
		{"Defs/AnyValue", defaults, `{"x":1}`, nil},
	}
}

func TestValidate_Documents(t *testing.T) {
	v := MustNew(t)
	for _, tc := range documentCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			checkCase(t, v, tc)
		})
	}
}
