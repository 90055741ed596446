package policy

import (
	"strings"

	"github.com/latchkey/latchkey/internal/policy/internal/wildcard"
)

// An action pattern is "*" or "vendor:name", where vendor is a service
// prefix (iam, s3, ec2...) and either part may hold the wildcards '*' and
// '?'. Actions match case-insensitively, as AWS matches them ("IAM:getuser"
// is iam:GetUser); policy variables are not substituted in actions.
//
// IAM checks only the shape of an action, not that the service or the
// action exists: "iam: asdf safdsf af " and "aaaaaadsfdsafsadfsadfaaaaa:ListBucket"
// are accepted (moto's AWS-checked documents).

// checkAction returns the message AWS refuses action a with, or "": one
// colon exactly ("*" alone excepted); a vendor of letters, digits, '-' and
// '.' ("s3-s", "s3.s" are accepted, "a a" is not).
//
// Deviation: Latchkey also accepts '*' and '?' in a vendor ("s3*:Get*"),
// which stored policies may hold and AWS's behaviour for is not known; the
// lone "*" vendor ("*:Get*") AWS accepts.
func checkAction(a string) (string, []any) {
	if a == "*" {
		return "", nil
	}
	switch strings.Count(a, ":") {
	case 0:
		return msgVendor, nil
	case 1:
	default:
		return msgOneColon, nil
	}
	vendor, _, _ := strings.Cut(a, ":")
	for i := 0; i < len(vendor); i++ {
		switch c := vendor[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '.', c == '*', c == '?':
		default:
			return msgInvalidVendor, []any{vendor}
		}
	}
	return "", nil
}

// compileActions compiles valid action patterns.
func compileActions(actions []string) []wildcard.Pattern {
	patterns := make([]wildcard.Pattern, len(actions))
	for i, a := range actions {
		patterns[i] = wildcard.Compile(a, true, false)
	}
	return patterns
}

// matchAction reports whether action matches any of patterns.
func matchAction(patterns []wildcard.Pattern, action string) bool {
	for _, p := range patterns {
		if p.Match(action, true, nil) {
			return true
		}
	}
	return false
}
