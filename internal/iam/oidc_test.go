package iam

import (
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/awserr"
)

func TestOIDCProviderURL(t *testing.T) {
	for _, tc := range []struct {
		url, name string // name "" when the URL is refused
	}{
		{"https://server.example.com", "server.example.com"},
		{"https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE", "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"},
		{"HTTPS://Server.Example.com/Path/", "Server.Example.com/Path/"}, // kept as given
		{"https://keycloak.internal:8443/realms/ci", "keycloak.internal:8443/realms/ci"},
		{"example.org", ""}, // AWS's recorded ValidationError
		{"http://server.example.com", ""},
		{"https://", ""},
		{"https:///path", ""},
		{"https://server.example.com?x=1", ""},
		{"https://server.example.com/#frag", ""},
		{"https://user@server.example.com", ""},
		{"https://server.example.com:port", ""},
		{"https://server example.com", ""},
		{"https://server.example.com/a\tb", ""},
		{`https://server.example.com\evil`, ""},
	} {
		name, err := oidcProviderURL(tc.url)
		if tc.name == "" {
			if e := awserr.As(err); err == nil || e.Code != "ValidationError" || e.Message != "Invalid Open ID Connect Provider URL" {
				t.Errorf("oidcProviderURL(%q) = %q, %v; want AWS's ValidationError", tc.url, name, err)
			}
			continue
		}
		if err != nil || name != tc.name {
			t.Errorf("oidcProviderURL(%q) = %q, %v; want %q", tc.url, name, err, tc.name)
		}
	}
}

func TestCheckThumbprints(t *testing.T) {
	hex := "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"
	for _, tc := range []struct {
		name string
		list []string
		msg  string // "" when accepted
	}{
		{"none", nil, ""},
		{"one", []string{hex}, ""},
		{"upper case", []string{strings.ToUpper(hex)}, ""},
		{"five", []string{hex, hex, hex, hex, hex}, ""},
		{"six", []string{hex, hex, hex, hex, hex, hex}, "Thumbprint list must contain fewer than 5 entries."},
		{"not hex", []string{"3768084dfb3d2b68b7897bf5f565da8efEXAMPLE"}, "Thumbprint 3768084dfb3d2b68b7897bf5f565da8efEXAMPLE is not a hex-encoded SHA-1 hash of 40 characters."},
	} {
		err := checkThumbprints(tc.list)
		if tc.msg == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		if e := awserr.As(err); err == nil || e.Code != "InvalidInput" || e.Message != tc.msg {
			t.Errorf("%s: %v, want InvalidInput %q", tc.name, err, tc.msg)
		}
	}
}
