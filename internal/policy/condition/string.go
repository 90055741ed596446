package condition

import "github.com/latchkey/latchkey/internal/policy/internal/wildcard"

// stringMatcher is StringEquals, StringEqualsIgnoreCase and StringLike
// (and their negations): case-sensitive unless fold, '*' and '?' wildcards
// only for StringLike. Policy variables are substituted in the policy's
// values when enabled.
type stringMatcher struct {
	fold     bool
	patterns []wildcard.Pattern
}

func newString(fold, like bool) constructor {
	return func(values []string, variables bool) (matcher, error) {
		m := &stringMatcher{fold: fold, patterns: make([]wildcard.Pattern, len(values))}
		for i, v := range values {
			m.patterns[i] = wildcard.Compile(v, like, variables)
		}
		return m, nil
	}
}

func (m *stringMatcher) match(value string, ctx map[string][]string) bool {
	for _, p := range m.patterns {
		if p.Match(value, m.fold, ctx) {
			return true
		}
	}
	return false
}
