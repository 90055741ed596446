package awsmodel

import (
	"encoding/base64"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/latchkey/latchkey/internal/awserr"
	"github.com/latchkey/latchkey/internal/query"
)

// MaxReported bounds how many violations one ValidationError lists; its
// count ("12 validation errors detected") still counts them all. AWS lists
// every violation; a request can carry thousands, and the message must stay
// bounded.
const MaxReported = 10

// maxValueInMessage bounds, in characters, how much of a client value a
// message repeats; longer values end with "...".
const maxValueInMessage = 256

// Validate checks v against the operation's input shape, recursively:
// scalars as Name, structures as Name.Field, lists as Name.member.N (N from
// 1, contiguous; "Name=" alone is an empty list), maps as
// Name.entry.N.key and Name.entry.N.value. Parameters the shape does not
// name are ignored, as AWS ignores them (Action, Version, X-Amz-*,
// AWSAccessKeyId, misspellings).
//
// Constraint violations are collected into one ValidationError worded as
// AWS's (Coral) validation layer words them, members in model order:
//
//	1 validation error detected: Value 'bad name!' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+
//	2 validation errors detected: Value 'x' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F); Value null at 'userName' failed to satisfy constraint: Member must not be null
//
// Each broken constraint is one violation, in the order length, pattern,
// enum (an empty user name breaks both its minimum length and its pattern).
// String lengths count characters (code points), an invalid UTF-8 byte
// counting as one; patterns see an invalid byte as U+FFFD. Numbers are shown
// as parsed ('-7' for "-007"), strings as sent, cut after 256 characters
// with "...".
//
// Member paths lower-case the first letter of each member name and number
// list elements as AWS does: 'tags.1.member.key'. A violation by an element
// of a list of scalars (or by a map key or value) is reported once for the
// whole list, listing the element shape's constraints:
//
//	Value '[a, b!]' at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 128, ...]
//
// Malformed parameters, which AWS's decoder refuses before validation (a
// non-numeric or overflowing number, a boolean other than true or false, a
// list with a gap or a bad index), are reported alone, as a ValidationError
// naming the parameter as sent. Validate never panics.
func (op *Op) Validate(v query.Values) error {
	if op.Input == nil {
		return nil
	}
	c := checker{v: v}
	c.structure(op.Input, "")
	if c.malformed != nil {
		return c.malformed
	}
	if c.count == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString(strconv.Itoa(c.count))
	if c.count == 1 {
		b.WriteString(" validation error detected: ")
	} else {
		b.WriteString(" validation errors detected: ")
	}
	for i, m := range c.msgs {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(m)
	}
	return awserr.ValidationError("%s", b.String())
}

// checker walks one request's parameters along an input shape.
type checker struct {
	v    query.Values
	keys []string // sorted parameter names, built on first need

	// path is the member path being checked: member names (first letter
	// lower-cased when rendered) and list indexes (rendered "N.member").
	path []pathElem

	count     int
	msgs      []string
	malformed error // first malformed parameter; stops the walk
}

type pathElem struct {
	name  string // member name; "" for a list element
	index int
}

func (c *checker) push(e pathElem) { c.path = append(c.path, e) }
func (c *checker) pop()            { c.path = c.path[:len(c.path)-1] }

func (c *checker) pathString() string {
	var b strings.Builder
	for i, e := range c.path {
		if i > 0 {
			b.WriteByte('.')
		}
		if e.name == "" {
			b.WriteString(strconv.Itoa(e.index))
			b.WriteString(".member")
			continue
		}
		r, n := utf8.DecodeRuneInString(e.name)
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		b.WriteRune(r)
		b.WriteString(e.name[n:])
	}
	return b.String()
}

// violate records a constraint violation at the current path; value is
// already rendered ("null", or quoted by quote).
func (c *checker) violate(value, constraint string) {
	c.count++
	if len(c.msgs) < MaxReported {
		c.msgs = append(c.msgs, "Value "+value+" at '"+c.pathString()+"' failed to satisfy constraint: "+constraint)
	}
}

// fail records a malformed parameter; the walk stops.
func (c *checker) fail(format string, args ...any) {
	if c.malformed == nil {
		c.malformed = awserr.ValidationError(format, args...)
	}
}

// sorted returns the parameter names in order, so that the names under a
// prefix form one run.
func (c *checker) sorted() []string {
	if c.keys == nil {
		c.keys = make([]string, 0, len(c.v))
		for k := range c.v {
			c.keys = append(c.keys, k)
		}
		sort.Strings(c.keys)
	}
	return c.keys
}

// under returns the sorted parameter names that start with prefix.
func (c *checker) under(prefix string) []string {
	keys := c.sorted()
	lo := sort.SearchStrings(keys, prefix)
	hi := lo
	for hi < len(keys) && strings.HasPrefix(keys[hi], prefix) {
		hi++
	}
	return keys[lo:hi]
}

// structure checks the members of sh, whose parameters are named
// prefix+LocationName.
func (c *checker) structure(sh *Shape, prefix string) {
	for i := range sh.Members {
		if c.malformed != nil {
			return
		}
		m := &sh.Members[i]
		key := m.LocationName
		if prefix != "" {
			key = prefix + key
		}
		c.push(pathElem{name: m.Name})
		c.member(m.Shape, key, m.Required)
		c.pop()
	}
}

// member checks the value of shape sh named key, at the current path.
func (c *checker) member(sh *Shape, key string, required bool) {
	switch sh.Kind {
	case KindList:
		c.list(sh, key, required)
	case KindMap:
		c.mapOf(sh, key, required)
	case KindStructure:
		_, exact := c.v[key]
		if !exact && len(c.under(key+".")) == 0 {
			if required {
				c.violate("null", "Member must not be null")
			}
			return
		}
		c.structure(sh, key+".")
	default:
		s, ok := c.v[key]
		if !ok {
			if required {
				c.violate("null", "Member must not be null")
			}
			return
		}
		c.scalar(sh, key, s, true)
	}
}

// elements finds the indexes N of the parameters named prefix+N or
// prefix+N.*, checks that they run from 1 without gaps, and returns how many
// there are. name is the list or map parameter and one and many name its
// elements, for messages.
func (c *checker) elements(name, prefix, one, many string) int {
	keys := c.under(prefix)
	count, highest := 0, 0
	last := ""
	for _, k := range keys {
		num, _, _ := strings.Cut(k[len(prefix):], ".")
		if num == last {
			continue // same element; its names are adjacent in sorted order
		}
		n, ok := query.Index(num)
		if !ok {
			c.fail("Invalid parameter name %s: %s are numbered by positive integers from 1 up to %d.", paramName(k), many, query.MaxFields)
			return 0
		}
		last = num
		count++
		highest = max(highest, n)
	}
	if highest != count {
		// Indexes are distinct, so some index in 1..highest is missing.
		seen := make([]bool, highest+1)
		for _, k := range keys {
			num, _, _ := strings.Cut(k[len(prefix):], ".")
			n, _ := query.Index(num)
			seen[n] = true
		}
		missing := 1
		for seen[missing] {
			missing++
		}
		c.fail("Invalid parameter %s: %s %s%d is missing; %s are numbered from 1 without gaps.", paramName(name), one, paramName(prefix), missing, many)
		return 0
	}
	return count
}

func (c *checker) list(sh *Shape, key string, required bool) {
	prefix := key + "." + sh.ElemName + "."
	n := c.elements(key, prefix, "list member", "list members")
	if c.malformed != nil {
		return
	}
	if n == 0 {
		s, ok := c.v[key]
		switch {
		case !ok:
			if required {
				c.violate("null", "Member must not be null")
			}
			return
		case s != "":
			// botocore sends an empty list as "Name="; anything else is a
			// client treating the list as a scalar.
			c.fail("Invalid value for parameter %s: a list is sent as %s.%s.N; %s alone must be empty.", paramName(key), paramName(key), sh.ElemName, paramName(key))
			return
		}
	}
	if sh.HasMax && int64(n) > sh.Max {
		c.violate(quote(c.listValue(sh, prefix, n)), "Member must have length less than or equal to "+strconv.FormatInt(sh.Max, 10))
	}
	if sh.HasMin && int64(n) < sh.Min {
		c.violate(quote(c.listValue(sh, prefix, n)), "Member must have length greater than or equal to "+strconv.FormatInt(sh.Min, 10))
	}
	elem := sh.Elem
	if isScalar(elem) {
		bad := false
		for i := 1; i <= n && c.malformed == nil; i++ {
			ek := prefix + strconv.Itoa(i)
			s, ok := c.v[ek]
			if !ok {
				c.fail("Invalid parameter %s: list member %d has no value.", paramName(key), i)
				return
			}
			if !c.scalar(elem, ek, s, false) {
				bad = true
			}
		}
		if bad && c.malformed == nil {
			c.violate(quote(c.listValue(sh, prefix, n)), "Member must satisfy constraint: ["+constraints(elem)+"]")
		}
		return
	}
	for i := 1; i <= n && c.malformed == nil; i++ {
		c.push(pathElem{index: i})
		c.member(elem, prefix+strconv.Itoa(i), true)
		c.pop()
	}
}

func (c *checker) mapOf(sh *Shape, key string, required bool) {
	prefix := key + ".entry."
	n := c.elements(key, prefix, "map entry", "map entries")
	if c.malformed != nil {
		return
	}
	if n == 0 {
		if _, ok := c.v[key]; !ok {
			if required {
				c.violate("null", "Member must not be null")
			}
			return
		}
	}
	if sh.HasMax && int64(n) > sh.Max {
		c.violate(quote(c.mapValue(sh, prefix, n)), "Member must have length less than or equal to "+strconv.FormatInt(sh.Max, 10))
	}
	if sh.HasMin && int64(n) < sh.Min {
		c.violate(quote(c.mapValue(sh, prefix, n)), "Member must have length greater than or equal to "+strconv.FormatInt(sh.Min, 10))
	}
	badKey, badValue := false, false
	for i := 1; i <= n && c.malformed == nil; i++ {
		ep := prefix + strconv.Itoa(i) + "."
		k, ok := c.v[ep+sh.KeyName]
		if !ok {
			c.fail("Invalid parameter %s: map entry %d has no %s.", paramName(key), i, sh.KeyName)
			return
		}
		val, ok := c.v[ep+sh.ElemName]
		if !ok {
			c.fail("Invalid parameter %s: map entry %d has no %s.", paramName(key), i, sh.ElemName)
			return
		}
		if !c.scalar(sh.Key, ep+sh.KeyName, k, false) {
			badKey = true
		}
		if !c.scalar(sh.Elem, ep+sh.ElemName, val, false) {
			badValue = true
		}
	}
	if c.malformed != nil {
		return
	}
	if badKey {
		c.violate(quote(c.mapValue(sh, prefix, n)), "Map keys must satisfy constraint: ["+constraints(sh.Key)+"]")
	}
	if badValue {
		c.violate(quote(c.mapValue(sh, prefix, n)), "Map value must satisfy constraint: ["+constraints(sh.Elem)+"]")
	}
}

func isScalar(sh *Shape) bool {
	return sh.Kind != KindList && sh.Kind != KindMap && sh.Kind != KindStructure
}

// scalar checks the value s of parameter key against sh. With report set it
// records each violated constraint at the current path; without, it only
// reports whether all hold (for list elements and map entries, which AWS
// reports for the whole collection). It returns whether all constraints
// hold; a malformed value fails the walk instead.
func (c *checker) scalar(sh *Shape, key, s string, report bool) bool {
	ok := true
	// broken marks a violated constraint; constraint wordings are built
	// only then, so that valid requests allocate nothing here.
	broken := func(value, constraint string) {
		ok = false
		if report {
			if sh.Sensitive {
				value = "***"
			}
			c.violate(quote(value), constraint)
		}
	}
	switch sh.Kind {
	case KindString:
		n := int64(utf8.RuneCountInString(s))
		if sh.HasMax && n > sh.Max {
			broken(s, lengthMax(sh.Max))
		}
		if sh.HasMin && n < sh.Min {
			broken(s, lengthMin(sh.Min))
		}
		if sh.Pattern != nil && !sh.Pattern.MatchString(s) {
			broken(s, patternConstraint(sh.Pattern))
		}
		if len(sh.Enum) > 0 && !inEnum(sh.Enum, s) {
			broken(s, enumConstraint(sh.Enum))
		}
	case KindBlob:
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			c.fail("Invalid value for parameter %s: %s is not valid base64.", paramName(key), quote(s))
			return false
		}
		n := int64(len(b))
		if sh.HasMax && n > sh.Max {
			broken(s, lengthMax(sh.Max))
		}
		if sh.HasMin && n < sh.Min {
			broken(s, lengthMin(sh.Min))
		}
	case KindInteger, KindLong:
		bits, what := 32, "an integer"
		if sh.Kind == KindLong {
			bits, what = 64, "a long integer"
		}
		n, err := strconv.ParseInt(s, 10, bits)
		if err != nil {
			c.fail("Invalid value for parameter %s: %s is not %s from %d to %d.", paramName(key), quote(s), what, int64(-1)<<(bits-1), uint64(1)<<(bits-1)-1)
			return false
		}
		// AWS shows the number it parsed.
		if sh.HasMax && n > sh.Max {
			broken(strconv.FormatInt(n, 10), valueMax(sh.Max))
		}
		if sh.HasMin && n < sh.Min {
			broken(strconv.FormatInt(n, 10), valueMin(sh.Min))
		}
	case KindFloat:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			c.fail("Invalid value for parameter %s: %s is not a finite number.", paramName(key), quote(s))
			return false
		}
		if sh.HasMax && f > float64(sh.Max) {
			broken(strconv.FormatFloat(f, 'g', -1, 64), valueMax(sh.Max))
		}
		if sh.HasMin && f < float64(sh.Min) {
			broken(strconv.FormatFloat(f, 'g', -1, 64), valueMin(sh.Min))
		}
	case KindBoolean:
		if _, valid := query.ParseBool(s); !valid {
			c.fail("Invalid value for parameter %s: %s is not a boolean (true or false).", paramName(key), quote(s))
			return false
		}
	case KindTimestamp:
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			c.fail("Invalid value for parameter %s: %s is not an ISO 8601 timestamp such as 2010-05-08T12:00:00Z.", paramName(key), quote(s))
			return false
		}
	}
	return ok
}

func inEnum(enum []string, s string) bool {
	for _, e := range enum {
		if e == s {
			return true
		}
	}
	return false
}

// Constraint wordings, as AWS's validation messages state them.

func lengthMax(n int64) string {
	return "Member must have length less than or equal to " + strconv.FormatInt(n, 10)
}

func lengthMin(n int64) string {
	return "Member must have length greater than or equal to " + strconv.FormatInt(n, 10)
}

func valueMax(n int64) string {
	return "Member must have value less than or equal to " + strconv.FormatInt(n, 10)
}

func valueMin(n int64) string {
	return "Member must have value greater than or equal to " + strconv.FormatInt(n, 10)
}

func patternConstraint(p *Pattern) string {
	return "Member must satisfy regular expression pattern: " + p.Model
}

func enumConstraint(enum []string) string {
	return "Member must satisfy enum value set: [" + strings.Join(enum, ", ") + "]"
}

// constraints lists every constraint of a collection's element shape, the
// way AWS words "Member must satisfy constraint: [...]".
func constraints(sh *Shape) string {
	var cs []string
	switch sh.Kind {
	case KindString, KindBlob:
		if sh.HasMax {
			cs = append(cs, lengthMax(sh.Max))
		}
		if sh.HasMin {
			cs = append(cs, lengthMin(sh.Min))
		}
		if sh.Pattern != nil {
			cs = append(cs, patternConstraint(sh.Pattern))
		}
		if len(sh.Enum) > 0 {
			cs = append(cs, enumConstraint(sh.Enum))
		}
	case KindInteger, KindLong, KindFloat:
		if sh.HasMax {
			cs = append(cs, valueMax(sh.Max))
		}
		if sh.HasMin {
			cs = append(cs, valueMin(sh.Min))
		}
	}
	return strings.Join(cs, ", ")
}

// listValue renders a list the way AWS shows one in a message (Java's
// List.toString): "[a, b]" for scalars, "[{Key: k, Value: v}, ...]" for
// structures. Rendering stops early once the result is long enough to be
// truncated by quote.
func (c *checker) listValue(sh *Shape, prefix string, n int) string {
	var b strings.Builder
	b.WriteByte('[')
	for i := 1; i <= n && b.Len() <= 4*maxValueInMessage; i++ {
		if i > 1 {
			b.WriteString(", ")
		}
		ek := prefix + strconv.Itoa(i)
		switch {
		case isScalar(sh.Elem):
			b.WriteString(c.v[ek])
		case sh.Elem.Kind == KindStructure:
			b.WriteByte('{')
			first := true
			for _, m := range sh.Elem.Members {
				s, ok := c.v[ek+"."+m.LocationName]
				if !ok || !isScalar(m.Shape) {
					continue
				}
				if !first {
					b.WriteString(", ")
				}
				first = false
				b.WriteString(m.Name)
				b.WriteString(": ")
				b.WriteString(s)
			}
			b.WriteByte('}')
		default:
			b.WriteString("[...]")
		}
	}
	b.WriteByte(']')
	return b.String()
}

// mapValue renders a map as Java's Map.toString does: "{k=v, k2=v2}".
func (c *checker) mapValue(sh *Shape, prefix string, n int) string {
	var b strings.Builder
	b.WriteByte('{')
	for i := 1; i <= n && b.Len() <= 4*maxValueInMessage; i++ {
		if i > 1 {
			b.WriteString(", ")
		}
		ep := prefix + strconv.Itoa(i) + "."
		b.WriteString(c.v[ep+sh.KeyName])
		b.WriteByte('=')
		b.WriteString(c.v[ep+sh.ElemName])
	}
	b.WriteByte('}')
	return b.String()
}

// quote renders a client value for a message: in single quotes as AWS
// does, invalid UTF-8 replaced by U+FFFD, cut after maxValueInMessage
// characters with "...". Escaping for XML is the renderer's job.
func quote(s string) string {
	return "'" + bounded(s, maxValueInMessage) + "'"
}

// paramName renders a parameter name as sent, bounded like values.
func paramName(s string) string { return bounded(s, 128) }

func bounded(s string, limit int) string {
	i, n := 0, 0
	for i < len(s) && n < limit {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		n++
	}
	if i < len(s) {
		return strings.ToValidUTF8(s[:i], "\uFFFD") + "..."
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
