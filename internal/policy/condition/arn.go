package condition

import "github.com/latchkey/latchkey/internal/policy/internal/wildcard"

// arnMatcher is ArnEquals and ArnLike (which AWS evaluates alike) and their
// negations: each ARN component compared on its own, case-sensitively, with
// wildcards.
type arnMatcher struct {
	patterns []wildcard.ARN
}

func newARN(values []string, variables bool) (matcher, error) {
	m := &arnMatcher{patterns: make([]wildcard.ARN, len(values))}
	for i, v := range values {
		m.patterns[i], _ = wildcard.CompileARN(v, variables)
	}
	return m, nil
}

func (m *arnMatcher) match(value string, ctx map[string][]string) bool {
	for _, p := range m.patterns {
		if p.Match(value, ctx) {
			return true
		}
	}
	return false
}
