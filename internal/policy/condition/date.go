package condition

import (
	"strings"
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
			t, ok := ParseDate(v)
			if !ok {
				return nil, badValue(v)
			}
			m.values[i] = t
		}
		return m, nil
	}
}

func (m *dateMatcher) match(value string, _ map[string][]string) bool {
	t, ok := ParseDate(value)
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

// Limits of the date grammar: the years of Java's long milliseconds (AWS's
// parser is Java), and epoch seconds up to the largest long.
const (
	minYear  = -292275054
	maxYear  = 292278993
	maxEpoch = 1<<63 - 1
	// epochClamp keeps epoch seconds far from time.Time's limits; every
	// date the ISO form can write is below it, so comparisons hold.
	epochClamp = 1 << 55
)

// ParseDate parses a date as IAM's legacy policy parser accepts one when a
// policy is stored (a value it refuses makes the policy fail with "The
// policy failed legacy parsing"). The grammar, matched case-insensitively:
// a value holding neither 't' nor '-' is epoch seconds, 0 to 2^63-1;
// anything else is an ISO 8601 date and time,
//
//	[-]year[-month[-day]][T[hour][:minute[:second[.fraction][Z|+hh[:mm]|-hh[:mm]]]]]
//
// with year -292275054 to 292278993, month 1-12, day 1-31, hour 0-23,
// minute and second 0-59, a fraction of at most 999999999 and a zone of
// two-digit hours 0-23 and minutes 0-59. Times without a zone are UTC.
//
// This is the rule of moto's IAM policy validator, whose test documents were
// checked against AWS: "01T", "-292275054" and "2016-12-13t2:00:00.593194+23"
// are accepted; "sdfdsf", "234-13", "2016-12-13t2:00:00.593194+1",
// "...00.1999999999+10:59" and "9223372036854775808" are refused. One
// deviation: moto refuses a negative zone ("-05:00"), which ISO 8601 allows
// and stored policies may hold; Latchkey accepts it.
func ParseDate(s string) (time.Time, bool) {
	v := strings.ToLower(s)
	if !strings.ContainsAny(v, "t-") {
		n, ok := parseInt(v, 0, maxEpoch)
		if !ok {
			return time.Time{}, false
		}
		return time.Unix(min(n, epochClamp), 0).UTC(), true
	}
	datePart, timePart, _ := strings.Cut(v, "t")
	negative := strings.HasPrefix(datePart, "-")
	fields := strings.Split(strings.TrimPrefix(datePart, "-"), "-")
	if len(fields) > 3 {
		return time.Time{}, false
	}
	yearText := fields[0]
	if negative {
		yearText = "-" + yearText
	}
	year, ok := parseInt(yearText, minYear, maxYear)
	month, day := int64(1), int64(1)
	if ok && len(fields) > 1 {
		month, ok = parseInt(fields[1], 1, 12)
	}
	if ok && len(fields) > 2 {
		day, ok = parseInt(fields[2], 1, 31)
	}
	if !ok {
		return time.Time{}, false
	}
	var hour, minute, second, nanos, offset int64
	parts := strings.Split(timePart, ":")
	if parts[0] != "" {
		if hour, ok = parseInt(parts[0], 0, 23); !ok {
			return time.Time{}, false
		}
	}
	if len(parts) > 1 {
		if minute, ok = parseInt(parts[1], 0, 59); !ok {
			return time.Time{}, false
		}
	}
	if len(parts) > 2 {
		if second, nanos, offset, ok = parseSeconds(parts[2], parts[3:]); !ok {
			return time.Time{}, false
		}
	}
	t := time.Date(int(year), time.Month(month), int(day), int(hour), int(minute), int(second), int(nanos), time.UTC)
	return t.Add(-time.Duration(offset) * time.Second), true
}

// parseSeconds parses "ss[.fraction][z|+hh|-hh]"; the zone's minutes, if
// any, are the next colon-separated field (rest[0]).
func parseSeconds(s string, rest []string) (second, nanos, offset int64, ok bool) {
	secs, zone, sign := s, "", int64(0)
	switch i := strings.IndexAny(s, "z+-"); {
	case i < 0:
	case s[i] == 'z':
		if s[i+1:] != "" {
			return 0, 0, 0, false
		}
		secs = s[:i]
	default:
		secs, zone, sign = s[:i], s[i+1:], 1
		if s[i] == '-' {
			sign = -1
		}
	}
	whole, fraction, hasFraction := strings.Cut(secs, ".")
	if second, ok = parseInt(whole, 0, 59); !ok {
		return 0, 0, 0, false
	}
	if hasFraction {
		f, ok := parseInt(fraction, 0, 999999999)
		if !ok {
			return 0, 0, 0, false
		}
		nanos = f
		digits := len(strings.TrimLeft(fraction, "+-"))
		for i := digits; i < 9; i++ {
			nanos *= 10
		}
		for i := digits; i > 9; i-- {
			nanos /= 10 // leading zeros: "0000000001" is 1e-10 s
		}
	}
	if sign != 0 {
		if len(zone) != 2 {
			return 0, 0, 0, false
		}
		h, ok := parseInt(zone, 0, 23)
		if !ok {
			return 0, 0, 0, false
		}
		// The zone's minutes: moto's rule never reads them (they fall in
		// the next colon-separated field); use them when they are two
		// digits, 00-59.
		var m int64
		if len(rest) > 0 && len(rest[0]) == 2 {
			m, _ = parseInt(rest[0], 0, 59)
		}
		offset = sign * (h*3600 + m*60)
	}
	return second, nanos, offset, true
}

// parseInt parses an optionally signed decimal integer in [lo, hi], as
// Java's Long.parseLong reads one (no spaces, no underscores).
func parseInt(s string, lo, hi int64) (int64, bool) {
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
		if n > (1<<64-1-9)/10 {
			return 0, false // far beyond any limit used here
		}
		n = n*10 + uint64(s[i]-'0')
	}
	switch {
	case !neg && n <= 1<<63-1 && int64(n) <= hi && int64(n) >= lo:
		return int64(n), true
	case neg && n <= 1<<63 && -int64(n-1)-1 >= lo && -int64(n-1)-1 <= hi:
		return -int64(n-1) - 1, true
	}
	return 0, false
}
