package policy

import (
	"encoding/json"
	"net"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Condition is one operator applied to one key with its values.
type Condition struct {
	Operator string // as written, e.g. "ForAnyValue:StringLikeIfExists"
	Key      string
	Values   []string

	base     string // operator without qualifier and IfExists
	ifExists bool
	set      string // "", "ForAllValues", "ForAnyValue"
	match    matchFunc
}

// matchFunc reports whether one request value satisfies one policy value.
type matchFunc func(reqValue, policyValue string) bool

// operators maps each base operator name to its matcher, and whether it is
// negated (a Not… operator matches when no value matches).
var operators = map[string]struct {
	match   matchFunc
	negated bool
}{
	"StringEquals":              {func(a, b string) bool { return a == b }, false},
	"StringNotEquals":           {func(a, b string) bool { return a == b }, true},
	"StringEqualsIgnoreCase":    {strings.EqualFold, false},
	"StringNotEqualsIgnoreCase": {strings.EqualFold, true},
	"StringLike":                {func(a, b string) bool { return wildcardMatch(b, a, false) }, false},
	"StringNotLike":             {func(a, b string) bool { return wildcardMatch(b, a, false) }, true},
	"NumericEquals":             {numeric(func(a, b float64) bool { return a == b }), false},
	"NumericNotEquals":          {numeric(func(a, b float64) bool { return a == b }), true},
	"NumericLessThan":           {numeric(func(a, b float64) bool { return a < b }), false},
	"NumericLessThanEquals":     {numeric(func(a, b float64) bool { return a <= b }), false},
	"NumericGreaterThan":        {numeric(func(a, b float64) bool { return a > b }), false},
	"NumericGreaterThanEquals":  {numeric(func(a, b float64) bool { return a >= b }), false},
	"DateEquals":                {date(func(a, b time.Time) bool { return a.Equal(b) }), false},
	"DateNotEquals":             {date(func(a, b time.Time) bool { return a.Equal(b) }), true},
	"DateLessThan":              {date(func(a, b time.Time) bool { return a.Before(b) }), false},
	"DateLessThanEquals":        {date(func(a, b time.Time) bool { return !a.After(b) }), false},
	"DateGreaterThan":           {date(func(a, b time.Time) bool { return a.After(b) }), false},
	"DateGreaterThanEquals":     {date(func(a, b time.Time) bool { return !a.Before(b) }), false},
	"Bool":                      {func(a, b string) bool { return strings.EqualFold(a, b) }, false},
	"IpAddress":                 {ipMatch, false},
	"NotIpAddress":              {ipMatch, true},
	"ArnEquals":                 {func(a, b string) bool { return wildcardMatch(b, a, false) }, false},
	"ArnLike":                   {func(a, b string) bool { return wildcardMatch(b, a, false) }, false},
	"ArnNotEquals":              {func(a, b string) bool { return wildcardMatch(b, a, false) }, true},
	"ArnNotLike":                {func(a, b string) bool { return wildcardMatch(b, a, false) }, true},
	"Null":                      {nil, false},
}

func numeric(cmp func(a, b float64) bool) matchFunc {
	return func(a, b string) bool {
		x, err1 := strconv.ParseFloat(a, 64)
		y, err2 := strconv.ParseFloat(b, 64)
		return err1 == nil && err2 == nil && cmp(x, y)
	}
}

func parseDate(s string) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, true
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, true
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0), true
	}
	return time.Time{}, false
}

func date(cmp func(a, b time.Time) bool) matchFunc {
	return func(a, b string) bool {
		x, ok1 := parseDate(a)
		y, ok2 := parseDate(b)
		return ok1 && ok2 && cmp(x, y)
	}
}

func ipMatch(reqValue, cidr string) bool {
	ip := net.ParseIP(reqValue)
	if ip == nil {
		return false
	}
	if !strings.Contains(cidr, "/") {
		return ip.Equal(net.ParseIP(cidr))
	}
	_, n, err := net.ParseCIDR(cidr)
	return err == nil && n.Contains(ip)
}

// parseConditions validates a Condition block: operator → key → value(s).
func parseConditions(raw json.RawMessage) ([]Condition, error) {
	var block map[string]map[string]json.RawMessage
	if err := json.Unmarshal(raw, &block); err != nil {
		return nil, malformed("Syntax errors in policy.")
	}
	var out []Condition
	ops := make([]string, 0, len(block))
	for op := range block {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	for _, op := range ops {
		c := Condition{Operator: op}
		name := op
		if q, rest, ok := strings.Cut(name, ":"); ok {
			if q != "ForAllValues" && q != "ForAnyValue" {
				return nil, malformed("Invalid Condition type : %s", op)
			}
			c.set, name = q, rest
		}
		if n, ok := strings.CutSuffix(name, "IfExists"); ok && n != "Null" {
			c.ifExists, name = true, n
		}
		def, ok := operators[name]
		if !ok {
			return nil, malformed("Invalid Condition type : %s", op)
		}
		c.base = name
		c.match = def.match
		keys := make([]string, 0, len(block[op]))
		for k := range block[op] {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, key := range keys {
			vals, err := conditionValues(block[op][key])
			if err != nil {
				return nil, err
			}
			cc := c
			cc.Key, cc.Values = key, vals
			if name == "Null" {
				for _, v := range vals {
					if v != "true" && v != "false" {
						return nil, malformed("Null condition values must be true or false")
					}
				}
			}
			out = append(out, cc)
		}
	}
	return out, nil
}

// conditionValues accepts a string, number or boolean, or a list of them.
func conditionValues(raw json.RawMessage) ([]string, error) {
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		list = []json.RawMessage{raw}
	}
	if len(list) == 0 {
		return nil, malformed("Syntax errors in policy.")
	}
	out := make([]string, 0, len(list))
	for _, item := range list {
		var v any
		if err := json.Unmarshal(item, &v); err != nil {
			return nil, malformed("Syntax errors in policy.")
		}
		switch x := v.(type) {
		case string:
			out = append(out, x)
		case bool:
			out = append(out, strconv.FormatBool(x))
		case float64:
			out = append(out, strings.TrimSpace(string(item)))
		default:
			return nil, malformed("Syntax errors in policy.")
		}
	}
	return out, nil
}

// matches evaluates the condition against the request context.
func (c *Condition) matches(ctx map[string][]string) bool {
	reqVals, present := lookupKey(ctx, c.Key)
	if c.base == "Null" {
		want := c.Values[0] == "true"
		return want == !present
	}
	if !present {
		if c.set == "ForAllValues" {
			return true // vacuously true, as AWS
		}
		return c.ifExists
	}
	negated := operators[c.base].negated
	anyPolicy := func(rv string) bool {
		for _, pv := range c.Values {
			if c.match(rv, pv) {
				return true
			}
		}
		return false
	}
	switch c.set {
	case "ForAllValues":
		for _, rv := range reqVals {
			if anyPolicy(rv) == negated {
				return false
			}
		}
		return true
	default: // single-valued and ForAnyValue: some request value satisfies
		for _, rv := range reqVals {
			if anyPolicy(rv) != negated {
				return true
			}
		}
		return false
	}
}

// lookupKey finds a condition key; keys compare ignoring case, as in AWS.
func lookupKey(ctx map[string][]string, key string) ([]string, bool) {
	if v, ok := ctx[key]; ok {
		return v, len(v) > 0
	}
	for k, v := range ctx {
		if strings.EqualFold(k, key) {
			return v, len(v) > 0
		}
	}
	return nil, false
}
