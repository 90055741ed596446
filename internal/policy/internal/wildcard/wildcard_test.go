package wildcard

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		name           string
		pattern, value string
		fold           bool
		want           bool
	}{
		{"empty", "", "", false, true},
		{"empty pattern", "", "a", false, false},
		{"literal", "abc", "abc", false, true},
		{"literal differs", "abc", "abd", false, false},
		{"star all", "*", "anything at all", false, true},
		{"star empty", "*", "", false, true},
		{"prefix", "ec2:Describe*", "ec2:DescribeInstances", false, true},
		{"prefix exact", "ec2:Describe*", "ec2:Describe", false, true},
		{"suffix", "*Instances", "ec2:DescribeInstances", false, true},
		{"middle", "a*c", "abbbc", false, true},
		{"middle no end", "a*c", "abbbd", false, false},
		{"backtrack", "a*b*c", "aXbYbZc", false, true},
		{"backtrack fails", "a*b*c", "aXbYbZ", false, false},
		{"question", "a?c", "abc", false, true},
		{"question needs one", "a?c", "ac", false, false},
		{"question one rune", "a?c", "aéc", false, true},
		{"many stars", "**a**", "bab", false, true},
		{"fold", "IAM:GetUser", "iam:getuser", true, true},
		{"no fold", "IAM:GetUser", "iam:getuser", false, false},
		{"fold unicode", "ÉTÉ", "été", true, true},
		{"nul literal", "a\x00b", "a\x00b", false, true},
		{"nul not an escape", "a\x00*", "a*", false, false},
		{"invalid byte equals itself", "a\xff", "a\xff", false, true},
		{"invalid bytes differ", "a\xff", "a\xfe", false, false},
		{"invalid byte is not U+FFFD", "a\uFFFD", "a\xff", true, false},
		{"question on an invalid byte", "a?", "a\xff", false, true},
		{"exact fold", "iam:GetUser", "IAM:getuser", true, true},
		{"exact fold length", "iam:GetUser", "IAM:getusers", true, false},
		{"exact fold unicode", "s3:Été", "S3:éTÉ", true, true},
		{"exact invalid byte is not U+FFFD", "a\uFFFD", "a\xff", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Compile(tt.pattern, true, false).Match(tt.value, tt.fold, nil); got != tt.want {
				t.Errorf("Match(%q, %q, %v) = %v, want %v", tt.pattern, tt.value, tt.fold, got, tt.want)
			}
		})
	}
}

func TestCompile(t *testing.T) {
	vars := map[string][]string{"aws:username": {"al*ce"}, "aws:userid": {"AIDA"}, "multi": {"a", "b"}}
	tests := []struct {
		name                 string
		pattern              string
		wildcards, variables bool
		value                string
		want                 bool
	}{
		{"no wildcards: star literal", "a*", false, false, "a*", true},
		{"no wildcards: star not wild", "a*", false, false, "ab", false},
		{"variable", "user/${aws:username}", true, true, "user/al*ce", true},
		{"variable value literal", "user/${aws:username}", true, true, "user/alice", false},
		{"variable key ignores case", "${AWS:UserId}", true, true, "AIDA", true},
		{"variables off", "${aws:userid}", true, false, "${aws:userid}", true},
		{"variables off, text with star", "${*}", true, false, "${x}", true},
		{"escapes", "${*}${?}${$}", true, true, "*?$", true},
		{"escaped star is literal", "${*}", true, true, "x", false},
		{"missing variable", "${aws:nope}", true, true, "", false},
		{"multivalued variable", "${multi}", true, true, "a", false},
		{"default", "${aws:nope, 'dflt'}", true, true, "dflt", true},
		{"default not used", "${aws:userid, 'dflt'}", true, true, "AIDA", true},
		{"unterminated is literal", "a${aws:userid", true, true, "a${aws:userid", true},
		{"wildcards around variable", "*/${aws:userid}/*", true, true, "x/AIDA/y", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Compile(tt.pattern, tt.wildcards, tt.variables)
			if got := p.Match(tt.value, false, vars); got != tt.want {
				t.Errorf("Compile(%q, %v, %v).Match(%q) = %v, want %v", tt.pattern, tt.wildcards, tt.variables, tt.value, got, tt.want)
			}
		})
	}
}

func TestCompileARN(t *testing.T) {
	vars := map[string][]string{"aws:username": {"bob"}, "aws:PrincipalAccount": {"123"}}
	tests := []struct {
		name, pattern string
		variables     bool
		isARN         bool
		value         string
		want          bool
	}{
		{"star", "*", true, false, "not an arn", true},
		{"exact", "arn:aws:iam::123:user/bob", true, true, "arn:aws:iam::123:user/bob", true},
		{"account wildcard", "arn:aws:iam::*:user/bob", true, true, "arn:aws:iam::123:user/bob", true},
		{"no spanning", "arn:aws:*:::x", true, true, "arn:aws:s3:r:::x", false},
		{"colons in resource", "arn:aws:s3:::b/*", true, true, "arn:aws:s3:::b/a:b:c", true},
		{"variable with colon in name", "arn:aws:iam::${aws:PrincipalAccount}:user/${aws:username}", true, true, "arn:aws:iam::123:user/bob", true},
		{"2008: variable is literal text", "arn:aws:iam::${aws:PrincipalAccount}:user/x", false, true, "arn:aws:iam::${aws:PrincipalAccount}:user/x", true},
		{"2008: variable not substituted", "arn:aws:iam::${aws:PrincipalAccount}:user/x", false, true, "arn:aws:iam::123:user/x", false},
		{"too few components", "arn:aws:s3::b", true, false, "arn:aws:s3::b", true},
		{"too few components: wildcard spans colons", "arn:aws:sqs:*", true, false, "arn:aws:sqs:r:1:q", true},
		{"six components without arn", "foo:aws:s3:::b*", true, true, "foo:aws:s3:::bx", true},
		{"six components without arn: no spanning", "foo:*:s3:::b", true, true, "foo:a:b:s3:::b", false},
		{"short value", "arn:aws:s3:::*", true, true, "arn:aws:s3", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, isARN := CompileARN(tt.pattern, tt.variables)
			if isARN != tt.isARN {
				t.Errorf("isARN = %v, want %v", isARN, tt.isARN)
			}
			if got := a.Match(tt.value, vars); got != tt.want {
				t.Errorf("Match(%q) = %v, want %v", tt.value, got, tt.want)
			}
		})
	}
}

func TestKeys(t *testing.T) {
	tests := []struct {
		name, s string
		want    []string
	}{
		{"none", "arn:aws:s3:::b", nil},
		{"one", "arn:aws:iam::*:user/${aws:username}", []string{"aws:username"}},
		{"several in order", "${aws:userid}/${aws:PrincipalTag/team}", []string{"aws:userid", "aws:PrincipalTag/team"}},
		{"default", "${ aws:PrincipalTag/team , 'none' }", []string{"aws:PrincipalTag/team"}},
		{"escapes are no keys", "${*}${?}${$}", nil},
		{"unterminated", "a${aws:userid", nil},
		{"repeated", "${a:b}${a:b}", []string{"a:b", "a:b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Keys(tt.s); !slices.Equal(got, tt.want) {
				t.Errorf("Keys(%q) = %q, want %q", tt.s, got, tt.want)
			}
		})
	}
}

func TestColons(t *testing.T) {
	if got, want := Colons("a:${b:c}:d", true, -1), []int{1, 8}; !slices.Equal(got, want) {
		t.Errorf("with variables: %v, want %v", got, want)
	}
	if got, want := Colons("a:${b:c}:d", false, -1), []int{1, 5, 8}; !slices.Equal(got, want) {
		t.Errorf("without variables: %v, want %v", got, want)
	}
	if got, want := Colons("a:b:c:d", false, 2), []int{1, 3}; !slices.Equal(got, want) {
		t.Errorf("at most 2: %v, want %v", got, want)
	}
}

func TestMatchDoesNotAllocate(t *testing.T) {
	static := Compile("arn:aws:iam::*:user/*", true, true)
	dynamic := Compile("user/${aws:username}/*", true, true)
	vars := map[string][]string{"aws:username": {"alice"}}
	if n := testing.AllocsPerRun(100, func() { static.Match("arn:aws:iam::1:user/x", false, nil) }); n != 0 {
		t.Errorf("static pattern: %v allocations", n)
	}
	if n := testing.AllocsPerRun(100, func() { dynamic.Match("user/alice/x", false, vars) }); n != 0 {
		t.Errorf("pattern with a variable: %v allocations", n)
	}
}

// FuzzMatch checks the matcher against regexp as a reference: '*' is
// (?s:.*), '?' is (?s:.), the rest literal; with case folding on ASCII.
func FuzzMatch(f *testing.F) {
	f.Add("a*b?c", "aXXbYc", false)
	f.Add("*?*", "é", false)
	f.Add("IAM:Get*", "iam:getuser", true)
	f.Add("a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaa", false)
	f.Fuzz(func(t *testing.T, pattern, value string, fold bool) {
		if !utf8.ValidString(pattern) || !utf8.ValidString(value) || strings.ContainsRune(pattern, esc) {
			t.Skip()
		}
		if fold && (!isASCII(pattern) || !isASCII(value)) {
			t.Skip()
		}
		var re strings.Builder
		re.WriteString("^")
		if fold {
			re.WriteString("(?i)")
		}
		for _, r := range pattern {
			switch r {
			case '*':
				re.WriteString("(?s:.*)")
			case '?':
				re.WriteString("(?s:.)")
			default:
				re.WriteString(regexp.QuoteMeta(string(r)))
			}
		}
		re.WriteString("$")
		want := regexp.MustCompile(re.String()).MatchString(value)
		if got := Compile(pattern, true, false).Match(value, fold, nil); got != want {
			t.Errorf("Match(%q, %q, %v) = %v, regexp says %v", pattern, value, fold, got, want)
		}
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
