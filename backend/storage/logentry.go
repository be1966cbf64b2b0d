package storage

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/veikart/veikart/backend/veikart"
)

// A log entry is stored as one compact string of fields separated by "|":
//
//	at|count|last|userId|agencyId|role|action|sections|ref|name|subject
//
// at is Unix milliseconds in base 36; last is how many milliseconds after at
// the last of count reads came (0 for one); sections are joined by ",";
// trailing empty fields are left off. A read of three sections by a
// caseworker is about 75 bytes:
//
//	mipbqxk1|1|0|u-4kT9aQ2mLx7e|demo-nav|caseworker|read|household,housing,economy
//
// A document per entry with named fields took 720 bytes on the embedded
// store (FerretDB keeps each document as JSON with a type schema beside it,
// and each document's _id twice, in the row and in its index); packing 64
// entries as strings into one page document takes about a sixth of that
// (docs/benchmarks.md).
const (
	fieldSep   = "|"
	listSep    = ","
	nLogFields = 11
)

// escape keeps a value's separators and escape character from being read
// as structure; names and refs are free text.
var (
	escaper   = strings.NewReplacer("%", "%25", "|", "%7C", ",", "%2C")
	unescaper = strings.NewReplacer("%25", "%", "%7C", "|", "%2C", ",")
)

// encodeEntry is e as one string, counted count times with the last at last.
func encodeEntry(e veikart.AuditEvent) string {
	count := max(e.Count, 1)
	last := int64(0)
	if !e.LastAt.IsZero() && e.LastAt.After(e.At) {
		last = e.LastAt.Sub(e.At).Milliseconds()
	}
	secs := make([]string, len(e.Sections))
	for i, s := range e.Sections {
		secs[i] = escaper.Replace(string(s))
	}
	f := []string{
		strconv.FormatInt(e.At.UnixMilli(), 36), strconv.Itoa(count), strconv.FormatInt(last, 36),
		escaper.Replace(e.UserID), escaper.Replace(e.AgencyID), escaper.Replace(e.Role), escaper.Replace(string(e.Action)),
		strings.Join(secs, listSep), escaper.Replace(e.Ref), escaper.Replace(e.Name), escaper.Replace(e.Subject),
	}
	for len(f) > 7 && f[len(f)-1] == "" {
		f = f[:len(f)-1]
	}
	return strings.Join(f, fieldSep)
}

// decodeEntry reads a string encodeEntry made. The entry's ID is given by
// its place in the log, not stored.
func decodeEntry(s string) (veikart.AuditEvent, error) {
	f := strings.Split(s, fieldSep)
	if len(f) < 7 || len(f) > nLogFields {
		return veikart.AuditEvent{}, fmt.Errorf("log entry has %d fields", len(f))
	}
	f = append(f, make([]string, nLogFields-len(f))...)
	at, err1 := strconv.ParseInt(f[0], 36, 64)
	count, err2 := strconv.Atoi(f[1])
	last, err3 := strconv.ParseInt(f[2], 36, 64)
	if err1 != nil || err2 != nil || err3 != nil || count < 1 || last < 0 {
		return veikart.AuditEvent{}, fmt.Errorf("log entry %.40q: bad time or count", s)
	}
	e := veikart.AuditEvent{
		At: time.UnixMilli(at).UTC(), Count: count,
		UserID: unescaper.Replace(f[3]), AgencyID: unescaper.Replace(f[4]), Role: unescaper.Replace(f[5]),
		Action: veikart.AuditAction(unescaper.Replace(f[6])),
		Ref:    unescaper.Replace(f[8]), Name: unescaper.Replace(f[9]), Subject: unescaper.Replace(f[10]),
	}
	e.LastAt = e.At.Add(time.Duration(last) * time.Millisecond)
	if f[7] != "" {
		for _, sec := range strings.Split(f[7], listSep) {
			e.Sections = append(e.Sections, veikart.Section(unescaper.Replace(sec)))
		}
	}
	return e, nil
}
