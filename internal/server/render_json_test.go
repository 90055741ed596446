package server

import (
	"net/http"
	"testing"
)

func TestAcceptsJSON(t *testing.T) {
	for _, tc := range []struct {
		accept []string
		want   bool
	}{
		{nil, false},
		{[]string{"application/json"}, true},
		{[]string{"text/xml, application/json;q=0.5"}, true},
		{[]string{"*/*"}, false},
		{[]string{"application/x-amz-json-1.1"}, false},
		{[]string{"text/xml"}, false},
	} {
		r := &http.Request{Header: http.Header{"Accept": tc.accept}}
		if got := acceptsJSON(r); got != tc.want {
			t.Errorf("Accept %q: acceptsJSON = %v, want %v", tc.accept, got, tc.want)
		}
	}
}
