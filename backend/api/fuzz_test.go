package api

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/demo"
	"github.com/veikart/veikart/backend/validate"
	"github.com/veikart/veikart/backend/veikart"
)

// FuzzOperations feeds arbitrary bodies through everything a request for
// operations goes through before storage: schema validation, strict decoding,
// conversion to domain operations, and applying them to a full roadmap. None
// of it may panic, and a refused batch must leave the roadmap as it was.
func FuzzOperations(f *testing.F) {
	v, err := validate.New()
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		`{"operations":[{"opId":"a","type":"area.update","areaId":"housing","baseVersion":1,"set":{"now":"x","scoreNow":null,"memberIds":["kari"]}}]}`,
		`{"operations":[{"opId":"b","type":"step.add","step":{"id":"s99","areaId":"work","title":"t","responsible":{"kind":"member","memberId":"kari"},"term":"short","due":"2026-12-01"}}]}`,
		`{"operations":[{"opId":"c","type":"step.update","stepId":"s1","baseVersion":0,"set":{"responsible":{"kind":"agency","agencyId":"nav"},"due":null}}]}`,
		`{"operations":[{"opId":"d","type":"member.remove","memberId":"sara","baseVersion":1},{"opId":"e","type":"area.add","area":{"id":"x","title":"X"}}]}`,
		`{"operations":[{"opId":"f","type":"member.update","memberId":"kari","baseVersion":1,"set":{"birthYear":null,"role":"child"}}]}`,
		`{"operations":[{"opId":"g","type":"roadmap.setTitle","baseVersion":1,"title":"\u0000"}]}`,
		`{"operations":[`, `[]`, `null`, `{"operations":[{"opId":"h","type":"area.remove","areaId":"housing","baseVersion":1}]}`,
	} {
		f.Add([]byte(seed))
	}
	base := demo.Roadmap("rm", "u", time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	f.Fuzz(func(t *testing.T, body []byte) {
		if err := v.Validate("operations-request.schema.json", body); err != nil {
			return
		}
		var req operationsRequest
		if err := decodeStrict(body, &req); err != nil {
			t.Fatalf("schema accepted a body the wire type refuses: %v: %s", err, body)
		}
		ops := make([]veikart.Op, 0, len(req.Operations))
		for _, o := range req.Operations {
			op, err := o.toDomain()
			if err != nil {
				return
			}
			ops = append(ops, op)
		}
		before, _ := json.Marshal(toRoadmapJSON(base))
		next, _, err := base.Apply(ops, time.Now())
		after, _ := json.Marshal(toRoadmapJSON(base))
		if !bytes.Equal(before, after) {
			t.Fatalf("Apply changed the roadmap it was given")
		}
		if err == nil {
			if _, err := json.Marshal(toRoadmapJSON(next)); err != nil {
				t.Fatalf("result cannot be rendered: %v", err)
			}
		}
	})
}
