package condition

import (
	"encoding/base64"
	"strings"
)

// boolMatcher is Bool: the policy's values are "true" or "false" (JSON
// booleans or strings, any case), compared with the request's ignoring case.
type boolMatcher struct {
	values []string
}

func newBool(values []string, _ bool) (matcher, error) {
	m := &boolMatcher{values: make([]string, len(values))}
	for i, v := range values {
		if !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
			return nil, badValue(v)
		}
		m.values[i] = strings.ToLower(v)
	}
	return m, nil
}

func (m *boolMatcher) match(value string, _ map[string][]string) bool {
	for _, v := range m.values {
		if strings.EqualFold(value, v) {
			return true
		}
	}
	return false
}

// binaryMatcher is BinaryEquals: base64-encoded values compared byte for byte.
type binaryMatcher struct {
	values []string
}

func newBinary(values []string, _ bool) (matcher, error) {
	for _, v := range values {
		if _, err := base64.StdEncoding.DecodeString(v); err != nil {
			return nil, badValue(v)
		}
	}
	return &binaryMatcher{values: values}, nil
}

func (m *binaryMatcher) match(value string, _ map[string][]string) bool {
	for _, v := range m.values {
		if value == v {
			return true
		}
	}
	return false
}
