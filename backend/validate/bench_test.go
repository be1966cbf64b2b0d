package validate_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/veikart/veikart/backend/validate"
)

// body4K builds a valid OperationsRequest of about 4 KB that cycles through
// every operation type, as a phone replaying an offline queue would send.
func body4K(tb testing.TB) []byte {
	tb.Helper()
	all := []string{opSetTitle, opMemberAdd, opMemberUpdate, opMemberRemove, opAreaAdd, opAreaUpdate, opAreaRemove, opStepAdd, opStepUpdate, opStepRemove}
	var list []string
	size := 0
	for i := 0; size < 4000; i++ {
		op := strings.Replace(all[i%len(all)], `"opId":"o`, fmt.Sprintf(`"opId":"q%d-o`, i), 1)
		list = append(list, op)
		size += len(op) + 1
	}
	body := []byte(ops(list...))
	v := MustNew(tb)
	if err := v.Validate(validate.OperationsRequest, body); err != nil {
		tb.Fatalf("benchmark body is invalid: %v", err)
	}
	return body
}

func BenchmarkValidate(b *testing.B) {
	v := MustNew(b)
	body := body4K(b)
	b.Run(fmt.Sprintf("Valid%dB", len(body)), func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			if err := v.Validate(validate.OperationsRequest, body); err != nil {
				b.Fatal(err)
			}
		}
	})
	// The same body with one violation in every operation: the error path
	// does more work (it keeps and flattens the error tree).
	bad := []byte(strings.ReplaceAll(string(body), `"baseVersion":`, `"baseVersion":-`))
	b.Run(fmt.Sprintf("Invalid%dB", len(bad)), func(b *testing.B) {
		b.SetBytes(int64(len(bad)))
		b.ReportAllocs()
		for b.Loop() {
			var verr *validate.Error
			if err := v.Validate(validate.OperationsRequest, bad); !errors.As(err, &verr) {
				b.Fatal(err)
			}
		}
	})
	b.Run("Parallel", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := v.Validate(validate.OperationsRequest, body); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := validate.New(); err != nil {
			b.Fatal(err)
		}
	}
}
