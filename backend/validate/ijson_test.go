package validate

import (
	"errors"
	"testing"
)

func TestCheckText(t *testing.T) {
	cases := []struct {
		name, body string
		ok         bool
	}{
		{"ASCII", `{"a":"b"}`, true},
		{"Arabic, Tigrinya and an emoji raw", `{"a":"مرحبا ሰላም 😀"}`, true},
		{"a surrogate pair escaped", `{"a":"\ud83d\ude00"}`, true},
		{"upper-case hex pair", `{"a":"\uD83D\uDE00"}`, true},
		{"an escaped quote before a backslash-u outside meaning", `{"a":"\"\\ud800"}`, true}, // \\ is a backslash, then "ud800" text
		{"escaped BMP letters", `{"a":"\u00e6\u00f8\u00e5"}`, true},
		{"a lone high surrogate", `{"a":"\ud800"}`, false},
		{"a high surrogate at the end of the body", `"\ud800`, false},
		{"a lone low surrogate", `{"a":"\udfff"}`, false},
		{"two high surrogates", `{"a":"\ud800\ud800"}`, false},
		{"a noncharacter escaped", `{"a":"\ufdd0"}`, false},
		{"a supplementary noncharacter as a pair", `{"a":"\ud83f\udffe"}`, false},
		{"U+FFFF raw", "{\"a\":\"\xef\xbf\xbf\"}", false},
		{"a byte that is not UTF-8", "{\"a\":\"\xff\"}", false},
		{"an overlong slash", "{\"a\":\"\xc0\xaf\"}", false},
		{"a surrogate encoded in UTF-8", "{\"a\":\"\xed\xa0\x80\"}", false},
		{"a truncated sequence", "{\"a\":\"\xe2\x82\"}", false},
		{"broken escapes are the decoder's to report", `{"a":"\u12"}`, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := checkText([]byte(tc.body))
			if tc.ok != (err == nil) {
				t.Fatalf("checkText(%q) = %v, want ok %v", tc.body, err, tc.ok)
			}
			if err != nil && (!errors.Is(err, ErrNotText) || !errors.Is(err, ErrMalformed)) {
				t.Fatalf("error %v does not wrap ErrNotText and ErrMalformed", err)
			}
		})
	}
}
