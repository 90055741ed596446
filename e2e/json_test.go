package e2e

import (
	"encoding/json"
	"testing"
)

func jsonDecode(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("decode %q: %v", s, err)
	}
}

// fmtAny renders a response for searching.
func fmtAny(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
