package codegen

import (
	"regexp"
	"strings"
	"testing"
)

func TestConvertPattern(t *testing.T) {
	tests := []struct {
		java, re2, reject string
	}{
		{`[\w+=,.@-]+`, `^(?:[\w+=,.@-]+)$`, ""},
		{`(\u002F)|(\u002F[\u0021-\u007E]+\u002F)`, `^(?:(\x{002F})|(\x{002F}[\x{0021}-\x{007E}]+\x{002F}))$`, ""},
		// Java reads exactly four hex digits after \u.
		{`[\u10000-\u10FFFF]`, `^(?:[\x{1000}0-\x{10FF}FF])$`, ""},
		{`[\p{L}\p{Z}\p{N}_.:/=+\-@]*`, `^(?:[\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`, ""},
		{`^o-[0-9a-z]{10,32}\/r-[0-9a-z]{4,32}[0-9a-z-\/]*`, `^(?:^o-[0-9a-z]{10,32}\/r-[0-9a-z]{4,32}[0-9a-z-\/]*)$`, ""},
		{`a.b`, `^(?:a` + javaDot + `b)$`, ""},
		{`[.]`, `^(?:[.])$`, ""},
		{`\s+`, `^(?:[\t\n\x0B\f\r\x20]+)$`, ""},
		{`[a\s]`, `^(?:[a\t\n\x0B\f\r\x20])$`, ""},
		{`^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$`, `^(?:[a-z0-9][a-z0-9-]{1,61}[a-z0-9])$`, `--`},
	}
	for _, tt := range tests {
		re2, reject, err := ConvertPattern(tt.java)
		if err != nil || re2 != tt.re2 || reject != tt.reject {
			t.Errorf("ConvertPattern(%q) = %q, %q, %v; want %q, %q", tt.java, re2, reject, err, tt.re2, tt.reject)
		}
	}
	for _, java := range []string{
		`a(?!b)`,      // lookahead without a rewrite
		`a(?<=b)`,     // lookbehind
		`a*+`,         // possessive
		`[a-z[A-Z]]`,  // class union
		`[a-z&&[^e]]`, // class intersection
		`\v`, `\h`, `\R`, `\Z`, `\0101`,
		`[\S]`,
		`\u12`, `\u12G4`, `[abc`, `abc\`,
	} {
		if re2, _, err := ConvertPattern(java); err == nil {
			t.Errorf("ConvertPattern(%q) = %q, want an error", java, re2)
		}
	}
}

// TestRewritesMatchJava checks each hand translation against the Java
// pattern's meaning on a set of values, using an independent reading of
// the pattern: for the DNS-label pattern, 3 to 63 characters of [a-z0-9-],
// first and last not '-', no "--".
func TestRewritesMatchJava(t *testing.T) {
	java := `^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$`
	re2, reject, err := ConvertPattern(java)
	if err != nil {
		t.Fatal(err)
	}
	re, rej := regexp.MustCompile(re2), regexp.MustCompile(reject)
	spec := func(s string) bool {
		if len(s) < 3 || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' || strings.Contains(s, "--") {
			return false
		}
		return strings.Trim(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == ""
	}
	for _, s := range []string{"", "a", "ab", "abc", "a-c", "a--c", "-bc", "ab-", "a-b-c", "A-b", "a_b",
		strings.Repeat("a", 62), strings.Repeat("a", 63), strings.Repeat("a", 64), "a" + strings.Repeat("-b", 30) + "c", "é-a"} {
		if got, want := re.MatchString(s) && !rej.MatchString(s), spec(s); got != want {
			t.Errorf("%q: translation says %t, Java pattern says %t", s, got, want)
		}
	}
}
