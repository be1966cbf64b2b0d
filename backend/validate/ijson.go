package validate

import (
	"fmt"
	"unicode/utf8"
)

// checkText refuses a body that is not I-JSON text (RFC 7493 section 2.1):
// bytes that are not UTF-8, and code points that are surrogates or
// noncharacters, raw or written as \u escapes. encoding/json and the schema
// validator would otherwise turn them into U+FFFD and store that, so what
// the household wrote and what we kept would silently differ. An escaped
// surrogate pair that makes one character (\ud83d\ude00) is that character
// and is accepted.
func checkText(body []byte) error {
	inString := false
	for i := 0; i < len(body); {
		b := body[i]
		if b >= utf8.RuneSelf {
			r, n := utf8.DecodeRune(body[i:])
			if r == utf8.RuneError && n == 1 {
				return fmt.Errorf("%w: not UTF-8 at byte %d", ErrNotText, i)
			}
			if noncharacter(r) {
				return fmt.Errorf("%w: the noncharacter U+%04X at byte %d", ErrNotText, r, i)
			}
			i += n
			continue
		}
		switch {
		case b == '"':
			inString = !inString
		case b == '\\' && inString:
			n, err := checkEscape(body, i)
			if err != nil {
				return err
			}
			i += n
			continue
		}
		i++
	}
	return nil
}

// checkEscape checks the escape at body[i] (a backslash inside a string)
// and returns its length. Only \u escapes can name a code point I-JSON
// forbids; anything malformed is left for the JSON decoder to report.
func checkEscape(body []byte, i int) (int, error) {
	if i+1 >= len(body) || body[i+1] != 'u' {
		return 2, nil
	}
	r, ok := hex4(body, i+2)
	if !ok {
		return 2, nil
	}
	switch {
	case r >= 0xd800 && r <= 0xdbff:
		if i+11 < len(body) && body[i+6] == '\\' && body[i+7] == 'u' {
			if lo, ok := hex4(body, i+8); ok && lo >= 0xdc00 && lo <= 0xdfff {
				pair := 0x10000 + (r-0xd800)<<10 + (lo - 0xdc00)
				if noncharacter(pair) {
					return 0, fmt.Errorf("%w: the noncharacter U+%04X at byte %d", ErrNotText, pair, i)
				}
				return 12, nil
			}
		}
		return 0, fmt.Errorf("%w: a lone surrogate (\\u%04x) at byte %d", ErrNotText, r, i)
	case r >= 0xdc00 && r <= 0xdfff:
		return 0, fmt.Errorf("%w: a lone surrogate (\\u%04x) at byte %d", ErrNotText, r, i)
	case noncharacter(r):
		return 0, fmt.Errorf("%w: the noncharacter U+%04X at byte %d", ErrNotText, r, i)
	}
	return 6, nil
}

// hex4 reads the four hex digits at body[i:i+4].
func hex4(body []byte, i int) (rune, bool) {
	if i+4 > len(body) {
		return 0, false
	}
	var r rune
	for _, c := range body[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// noncharacter reports the 66 code points Unicode reserves never to be
// characters: U+FDD0 to U+FDEF, and the last two of every plane.
func noncharacter(r rune) bool {
	return (r >= 0xfdd0 && r <= 0xfdef) || r&0xfffe == 0xfffe
}
