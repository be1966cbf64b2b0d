package storage

import (
	"errors"
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
// the last of count reads came, in base 36 (0 for one); role and action are
// a letter for the common ones (wordCodes), else "=" and the word; each
// section is "h" for the household, "a" or "s" and the area's id for its
// area or its steps, else "=" and the section, joined by ","; trailing empty
// fields are left off. A caseworker's read of the household and two areas
// is about 75 bytes:
//
//	mipbqxk1|1|0|u-4kT9aQ2mLx7e|demo-nav|c|r|h,ahousing,shousing,aeconomy,seconomy
//
// A document per entry with named fields took 720 bytes on the embedded
// store (FerretDB keeps each document as JSON with a type schema beside it,
// and each document's _id twice, in the row and in its index); pages of
// these strings take about 100 (BenchmarkLogBytes).
const (
	fieldSep   = "|"
	listSep    = ","
	nLogFields = 11
)

// escape keeps a value's separators, the page's line breaks and the escape
// character from being read as structure; names and refs are free text.
var (
	escaper   = strings.NewReplacer("%", "%25", "|", "%7C", ",", "%2C", "\n", "%0A")
	unescaper = strings.NewReplacer("%25", "%", "%7C", "|", "%2C", ",", "%0A", "\n")
)

// wordCodes are the letters of the roles and actions nearly every entry has.
var (
	wordCodes = map[string]string{"caseworker": "c", "member": "m", string(veikart.AuditRead): "r", string(veikart.AuditReadMessages): "t"}
	codeWords = map[string]string{"c": "caseworker", "m": "member", "r": string(veikart.AuditRead), "t": string(veikart.AuditReadMessages)}
)

func encodeWord(w string) string {
	if c, ok := wordCodes[w]; ok {
		return c
	}
	return "=" + escaper.Replace(w)
}

func decodeWord(s string) (string, error) {
	if w, ok := strings.CutPrefix(s, "="); ok {
		return unescaper.Replace(w), nil
	}
	if w, ok := codeWords[s]; ok {
		return w, nil
	}
	return "", fmt.Errorf("unknown code %q", s)
}

func encodeSection(sec veikart.Section) string {
	s := string(sec)
	if sec == veikart.SectionHousehold {
		return "h"
	}
	if id, ok := strings.CutPrefix(s, "area:"); ok {
		return "a" + escaper.Replace(id)
	}
	if id, ok := strings.CutPrefix(s, "steps:"); ok {
		return "s" + escaper.Replace(id)
	}
	return "=" + escaper.Replace(s)
}

func decodeSection(s string) (veikart.Section, error) {
	if s == "" {
		return "", fmt.Errorf("empty section")
	}
	rest := unescaper.Replace(s[1:])
	switch s[0] {
	case 'h':
		if rest == "" {
			return veikart.SectionHousehold, nil
		}
	case 'a':
		return veikart.AreaSection(rest), nil
	case 's':
		return veikart.StepsSection(rest), nil
	case '=':
		return veikart.Section(rest), nil
	}
	return "", fmt.Errorf("unknown section %q", s)
}

// encodeEntry is e as one string.
func encodeEntry(e veikart.AuditEvent) string {
	count := max(e.Count, 1)
	last := int64(0)
	if !e.LastAt.IsZero() && e.LastAt.After(e.At) {
		last = e.LastAt.Sub(e.At).Milliseconds()
	}
	secs := make([]string, len(e.Sections))
	for i, s := range e.Sections {
		secs[i] = encodeSection(s)
	}
	f := []string{
		strconv.FormatInt(e.At.UnixMilli(), 36), strconv.Itoa(count), strconv.FormatInt(last, 36),
		escaper.Replace(e.UserID), escaper.Replace(e.AgencyID), encodeWord(e.Role), encodeWord(string(e.Action)),
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
	role, err4 := decodeWord(f[5])
	action, err5 := decodeWord(f[6])
	if err := errors.Join(err1, err2, err3, err4, err5); err != nil {
		return veikart.AuditEvent{}, fmt.Errorf("log entry %.40q: %w", s, err)
	}
	if count < 1 || last < 0 {
		return veikart.AuditEvent{}, fmt.Errorf("log entry %.40q: count %d, last %d", s, count, last)
	}
	e := veikart.AuditEvent{
		At: time.UnixMilli(at).UTC(), Count: count,
		UserID: unescaper.Replace(f[3]), AgencyID: unescaper.Replace(f[4]), Role: role, Action: veikart.AuditAction(action),
		Ref: unescaper.Replace(f[8]), Name: unescaper.Replace(f[9]), Subject: unescaper.Replace(f[10]),
	}
	e.LastAt = e.At.Add(time.Duration(last) * time.Millisecond)
	if f[7] != "" {
		for _, enc := range strings.Split(f[7], listSep) {
			sec, err := decodeSection(enc)
			if err != nil {
				return veikart.AuditEvent{}, fmt.Errorf("log entry %.40q: %w", s, err)
			}
			e.Sections = append(e.Sections, sec)
		}
	}
	return e, nil
}
