package veikart

import "testing"

// TestOpTypes_NameTheirType checks the one table against the types: each
// name decodes to an operation that calls itself by that name, so that an
// encoded operation decodes to the same type.
func TestOpTypes_NameTheirType(t *testing.T) {
	if len(opTypes) != 12 {
		t.Fatalf("%d operation types; the schema has 12", len(opTypes))
	}
	for name, decode := range opTypes {
		op, err := decode([]byte(`{"opId":"x"}`))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if op.kind() != name {
			t.Errorf("%s decodes to %T, which calls itself %s", name, op, op.kind())
		}
	}
}
