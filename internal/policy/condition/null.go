package condition

import (
	"strings"

	"github.com/latchkey/latchkey/internal/policy/internal/wildcard"
)

// null is the Null operator: "true" holds when the key is absent from the
// request (or has no value), "false" when it is present. IAM accepts it
// with IfExists or a set qualifier (see Split); they change nothing, since
// Null tests presence.
type null struct {
	op, key string
	values  []string
	absent  []bool // per policy value: true means "the key must be absent"
}

func newNull(op, key string, values []string) (Condition, error) {
	n := &null{op: op, key: key, values: values, absent: make([]bool, len(values))}
	for i, v := range values {
		switch {
		case strings.EqualFold(v, "true"):
			n.absent[i] = true
		case strings.EqualFold(v, "false"):
		default:
			return nil, invalidValue(op, key, v)
		}
	}
	return n, nil
}

func (n *null) Operator() string { return n.op }
func (n *null) Key() string      { return n.key }
func (n *null) Values() []string { return n.values }
func (n *null) sealed()          {}

func (n *null) Match(ctx map[string][]string) bool {
	_, present := wildcard.Lookup(ctx, n.key)
	for _, absent := range n.absent {
		if absent != present {
			return true
		}
	}
	return false
}
