// Package condition implements the operators of the Condition element of
// the IAM policy language: StringEquals, NumericLessThan, DateGreaterThan,
// Bool, IpAddress, ArnLike, Null and the rest, with the ...IfExists suffix
// and the ForAllValues:/ForAnyValue: set qualifiers.
//
// Operators are looked up by name in one table, and a condition is built
// (and its values validated) once, when its policy is parsed: New is the
// only way to make a Condition, and Match never fails.
package condition

import (
	"slices"
	"strings"

	"github.com/latchkey/latchkey/internal/awserr"
	"github.com/latchkey/latchkey/internal/policy/internal/wildcard"
)

// Condition is one parsed condition: an operator applied to one context key
// with the policy's values. The interface is sealed: its implementations
// live in this package and are made by New.
type Condition interface {
	// Operator is the operator as written, e.g. "ForAnyValue:StringLikeIfExists".
	Operator() string
	// Key is the condition key as written, e.g. "aws:SourceIp".
	Key() string
	// Values are the policy's values, JSON booleans and numbers as their text.
	Values() []string
	// Match reports whether the condition holds for a request whose context
	// is ctx (condition key -> values; keys compare ignoring case, a key
	// with no values is absent).
	Match(ctx map[string][]string) bool

	sealed()
}

// Set is the set qualifier of an operator, for multivalued context keys.
type Set int

const (
	// Single: no qualifier. The condition holds when any request value
	// satisfies it; a negated operator holds when no request value matches.
	Single Set = iota
	// ForAllValues: every request value must satisfy the operator; true
	// when the key is absent (AWS: "returns true if there are no context
	// keys in the request").
	ForAllValues
	// ForAnyValue: at least one request value must satisfy the operator;
	// false when the key is absent.
	ForAnyValue
)

// matcher reports whether one request value matches one of the policy's
// values. Negation is applied around it, not inside.
type matcher interface {
	match(value string, ctx map[string][]string) bool
}

// constructor validates an operator's policy values and compiles them.
// variables enables policy variables (${aws:username}) in the values, as
// version 2012-10-17 does for the string and ARN operators.
type constructor func(values []string, variables bool) (matcher, error)

// operator is one entry of the table: a constructor and whether the
// operator is the negation of its matcher (StringNotEquals, NotIpAddress...).
type operator struct {
	build   constructor
	negated bool
}

// operators maps each base operator name (no qualifier, no IfExists) to
// its constructor. Null is handled on its own: it tests presence, not values.
var operators = map[string]operator{
	"StringEquals":              {newString(false, false), false},
	"StringNotEquals":           {newString(false, false), true},
	"StringEqualsIgnoreCase":    {newString(true, false), false},
	"StringNotEqualsIgnoreCase": {newString(true, false), true},
	"StringLike":                {newString(false, true), false},
	"StringNotLike":             {newString(false, true), true},

	"NumericEquals":            {newNumeric(func(a, b float64) bool { return a == b }), false},
	"NumericNotEquals":         {newNumeric(func(a, b float64) bool { return a == b }), true},
	"NumericLessThan":          {newNumeric(func(a, b float64) bool { return a < b }), false},
	"NumericLessThanEquals":    {newNumeric(func(a, b float64) bool { return a <= b }), false},
	"NumericGreaterThan":       {newNumeric(func(a, b float64) bool { return a > b }), false},
	"NumericGreaterThanEquals": {newNumeric(func(a, b float64) bool { return a >= b }), false},

	"DateEquals":            {newDate(func(c int) bool { return c == 0 }), false},
	"DateNotEquals":         {newDate(func(c int) bool { return c == 0 }), true},
	"DateLessThan":          {newDate(func(c int) bool { return c < 0 }), false},
	"DateLessThanEquals":    {newDate(func(c int) bool { return c <= 0 }), false},
	"DateGreaterThan":       {newDate(func(c int) bool { return c > 0 }), false},
	"DateGreaterThanEquals": {newDate(func(c int) bool { return c >= 0 }), false},

	"Bool":         {newBool, false},
	"BinaryEquals": {newBinary, false},

	"IpAddress":    {newIP, false},
	"NotIpAddress": {newIP, true},

	"ArnEquals":    {newARN, false},
	"ArnLike":      {newARN, false},
	"ArnNotEquals": {newARN, true},
	"ArnNotLike":   {newARN, true},
}

// Operators returns the base operator names New accepts, sorted; each may
// take the IfExists suffix and a set qualifier (see Split).
func Operators() []string {
	names := make([]string, 0, len(operators)+1)
	for name := range operators {
		names = append(names, name)
	}
	names = append(names, "Null")
	slices.Sort(names)
	return names
}

// Messages New answers with, as MalformedPolicyDocument.
const (
	msgSyntax = "Syntax errors in policy."
	// msgLegacyParsing: a Date... value outside the date grammar AWS's
	// legacy parser accepts (see date.go).
	msgLegacyParsing = "The policy failed legacy parsing"
)

func invalidValue(op, key, value string) error {
	return awserr.MalformedPolicyDocument("Invalid value %q for condition %s on key %s.", value, op, key)
}

// Split splits an operator as IAM reads it: at most one set qualifier
// prefix ("ForAnyValue:" or "ForAllValues:", case-sensitive) is taken off,
// then at most one "IfExists" suffix, and what remains must be a base
// operator (Operators). known is false otherwise: IAM refuses such an
// operator with "Syntax errors in policy." unless its block is empty
// ({"x": {}} is accepted, and means nothing).
//
// This is the rule of moto's IAM policy validator, whose test documents were
// checked against AWS: "ForAnyValue::StringEqualsIfExists" and "x" with a
// key are syntax errors, "StringEqualsIfExists", "ForAnyValue:StringEqualsIfExists"
// and an empty "x" are accepted. It also accepts "NullIfExists" and
// "ForAnyValue:Null", which AWS's documentation says make no sense (Null
// tests presence); New accepts them and evaluates them as Null.
func Split(op string) (base string, set Set, ifExists, known bool) {
	base = op
	switch {
	case strings.HasPrefix(base, "ForAnyValue:"):
		base, set = base[len("ForAnyValue:"):], ForAnyValue
	case strings.HasPrefix(base, "ForAllValues:"):
		base, set = base[len("ForAllValues:"):], ForAllValues
	}
	base, ifExists = strings.CutSuffix(base, "IfExists")
	_, known = operators[base]
	return base, set, ifExists, known || base == "Null"
}

// IsDate reports whether op is a Date... operator (qualified or not), the
// only operators whose values IAM checks when it stores a policy (LegacyDate).
func IsDate(op string) bool {
	base, _, _, known := Split(op)
	return known && strings.HasPrefix(base, "Date")
}

// New parses operator (with its optional set qualifier and IfExists suffix),
// checks its values, and returns the condition. values are the policy's
// values as text (JSON true is "true", JSON 3600 is "3600"); there may be
// none (IAM accepts {"aws:CurrentTime": []}: a condition no value
// satisfies). The key is not checked: IAM accepts keys without a vendor
// prefix ({"StringEqualsIfExists": {"a": "asf"}}). Errors are
// *awserr.Error MalformedPolicyDocument: "Syntax errors in policy." for an
// unknown operator, "The policy failed legacy parsing" for a date outside
// AWS's grammar, and "Invalid value ..." for a number, boolean, IP
// address, base64 or Null value that does not parse (a check AWS's
// documented grammar implies, whose message is Latchkey's own).
func New(op, key string, values []string, variables bool) (Condition, error) {
	base, set, ifExists, known := Split(op)
	if !known {
		return nil, awserr.MalformedPolicyDocument(msgSyntax)
	}
	values = slices.Clone(values)
	if base == "Null" {
		return newNull(op, key, values)
	}
	def := operators[base]
	m, err := def.build(values, variables)
	if err != nil {
		if v, ok := err.(badValue); ok {
			if strings.HasPrefix(base, "Date") {
				return nil, awserr.MalformedPolicyDocument(msgLegacyParsing)
			}
			return nil, invalidValue(op, key, string(v))
		}
		return nil, err
	}
	return &condition{op: op, key: key, values: values, set: set, ifExists: ifExists, negated: def.negated, m: m}, nil
}

// badValue is a constructor's report of the first value it refuses.
type badValue string

func (v badValue) Error() string { return "invalid condition value " + string(v) }

// condition is every operator but Null.
type condition struct {
	op, key  string
	values   []string
	set      Set
	ifExists bool
	negated  bool
	m        matcher
}

func (c *condition) Operator() string { return c.op }
func (c *condition) Key() string      { return c.key }
func (c *condition) Values() []string { return c.values }
func (c *condition) sealed()          {}

// Match follows AWS's rules. When the key is absent: ...IfExists holds,
// ForAllValues holds, ForAnyValue does not; otherwise a positive operator
// does not hold and a negated one (StringNotEquals, NotIpAddress, ...) does
// (AWS: "If the policy condition requires that the key is not matched, such
// as StringNotLike or ArnNotLike, and the right key is not present, the
// condition is true.").
func (c *condition) Match(ctx map[string][]string) bool {
	values, present := wildcard.Lookup(ctx, c.key)
	if !present {
		switch {
		case c.ifExists, c.set == ForAllValues:
			return true
		case c.set == ForAnyValue:
			return false
		default:
			return c.negated
		}
	}
	switch c.set {
	case ForAllValues: // every request value satisfies the operator
		for _, v := range values {
			if c.m.match(v, ctx) == c.negated {
				return false
			}
		}
		return true
	case ForAnyValue: // some request value satisfies the operator
		for _, v := range values {
			if c.m.match(v, ctx) != c.negated {
				return true
			}
		}
		return false
	default: // any request value matches; negated: none does
		for _, v := range values {
			if c.m.match(v, ctx) {
				return !c.negated
			}
		}
		return c.negated
	}
}
