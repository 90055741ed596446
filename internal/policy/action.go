package policy

import (
	"strings"

	"github.com/latchkey/latchkey/internal/policy/internal/wildcard"
)

// An action pattern is "*" or "vendor:name", where vendor is a service
// prefix (iam, s3, ec2...) and either part may hold the wildcards '*' and
// '?'. Actions match case-insensitively, as AWS matches them ("IAM:getuser"
// is iam:GetUser); policy variables are not substituted in actions.

// compileActions validates action patterns and compiles them.
func compileActions(actions []string) ([]wildcard.Pattern, error) {
	patterns := make([]wildcard.Pattern, len(actions))
	for i, a := range actions {
		if err := validAction(a); err != nil {
			return nil, err
		}
		patterns[i] = wildcard.Compile(a, true, false)
	}
	return patterns, nil
}

func validAction(a string) error {
	if a == "*" {
		return nil
	}
	vendor, name, ok := strings.Cut(a, ":")
	if !ok || vendor == "" || name == "" {
		return malformed(msgVendor)
	}
	for i := 0; i < len(vendor); i++ {
		switch c := vendor[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '*', c == '?':
		default:
			return malformed(msgInvalidVendor, vendor)
		}
	}
	return nil
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
