package condition

import "strconv"

// numericMatcher is the Numeric... operators. Policy values are decimal
// numbers (integer or floating point), checked when the policy is parsed; a
// request value that is not a number matches nothing.
type numericMatcher struct {
	cmp    func(request, policy float64) bool
	values []float64
}

func newNumeric(cmp func(request, policy float64) bool) constructor {
	return func(values []string, _ bool) (matcher, error) {
		m := &numericMatcher{cmp: cmp, values: make([]float64, len(values))}
		for i, v := range values {
			f, ok := parseNumber(v)
			if !ok {
				return nil, badValue(v)
			}
			m.values[i] = f
		}
		return m, nil
	}
}

func (m *numericMatcher) match(value string, _ map[string][]string) bool {
	f, ok := parseNumber(value)
	if !ok {
		return false
	}
	for _, v := range m.values {
		if m.cmp(f, v) {
			return true
		}
	}
	return false
}

// parseNumber accepts [+-]digits[.digits][e[+-]digits] (strconv.ParseFloat
// alone would also take "NaN", "Inf", hex floats and underscores).
func parseNumber(s string) (float64, bool) {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for ; i < len(s) && isDigit(s[i]); i++ {
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for ; i < len(s) && isDigit(s[i]); i++ {
			digits++
		}
	}
	if digits == 0 {
		return 0, false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for ; i < len(s) && isDigit(s[i]); i++ {
			exp++
		}
		if exp == 0 {
			return 0, false
		}
	}
	if i != len(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
