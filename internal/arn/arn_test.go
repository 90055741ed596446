package arn

import "testing"

func TestParseOIDCProvider(t *testing.T) {
	for _, tc := range []struct {
		name, in     string
		account, url string
		ok           bool
	}{
		{"host", "arn:aws:iam::123456789012:oidc-provider/server.example.com", "123456789012", "server.example.com", true},
		{"host and path", "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE", "123456789012", "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE", true},
		{"port", "arn:aws:iam::123456789012:oidc-provider/keycloak.local:8443/realms/x", "123456789012", "keycloak.local:8443/realms/x", true},
		{"no URL", "arn:aws:iam::123456789012:oidc-provider/", "", "", false},
		{"a role", "arn:aws:iam::123456789012:role/oidc-provider/x", "", "", false},
		{"not an account", "arn:aws:iam::aws:oidc-provider/x", "", "", false},
		{"another partition", "arn:aws-cn:iam::123456789012:oidc-provider/x", "", "", false},
		{"not an ARN", "server.example.com", "", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			account, url, ok := ParseOIDCProvider(tc.in)
			if account != tc.account || url != tc.url || ok != tc.ok {
				t.Fatalf("ParseOIDCProvider(%q) = %q, %q, %v; want %q, %q, %v", tc.in, account, url, ok, tc.account, tc.url, tc.ok)
			}
			if ok {
				if back := OIDCProvider(account, url); back != tc.in {
					t.Fatalf("OIDCProvider(%q, %q) = %q, want %q", account, url, back, tc.in)
				}
			}
		})
	}
}
