package condition

import (
	"strconv"
	"time"
)

// dateMatcher is the Date... operators. cmp receives request.Compare(policy).
type dateMatcher struct {
	cmp    func(c int) bool
	values []time.Time
}

func newDate(cmp func(c int) bool) constructor {
	return func(values []string, _ bool) (matcher, error) {
		m := &dateMatcher{cmp: cmp, values: make([]time.Time, len(values))}
		for i, v := range values {
			t, ok := parseDate(v)
			if !ok {
				return nil, badValue(v)
			}
			m.values[i] = t
		}
		return m, nil
	}
}

func (m *dateMatcher) match(value string, _ map[string][]string) bool {
	t, ok := parseDate(value)
	if !ok {
		return false
	}
	for _, v := range m.values {
		if m.cmp(t.Compare(v)) {
			return true
		}
	}
	return false
}

// dateLayouts are the ISO 8601 forms AWS documents for date conditions
// ("2020-01-01T00:00:00Z", with an offset or fractional seconds, or a bare
// date); times without a zone are UTC.
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05",
	"2006-01-02T15:04Z07:00",
	"2006-01-02",
}

// parseDate accepts the layouts above, or epoch (UNIX) seconds, as AWS does
// for aws:EpochTime and in date conditions.
func parseDate(s string) (time.Time, bool) {
	if epoch, err := strconv.ParseInt(s, 10, 64); err == nil {
		if epoch > -1<<40 && epoch < 1<<40 { // keep far from time.Time's limits
			return time.Unix(epoch, 0).UTC(), true
		}
		return time.Time{}, false
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
