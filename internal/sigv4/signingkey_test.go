package sigv4

import (
	"errors"
	"net/http"
	"testing"
	"time"
)

// TestVerifyWithSigningKey: the signing key of the request's own scope
// verifies it exactly as the secret does; a key of another day, region or
// service, another secret's key, a truncated key, and a changed request
// do not.
func TestVerifyWithSigningKey(t *testing.T) {
	at := time.Date(2026, 11, 23, 14, 30, 0, 0, time.UTC)
	secret := sdkCreds.SecretAccessKey
	for _, c := range sdkCases() {
		t.Run(c.name, func(t *testing.T) {
			req, body := c.sign(t, "https://"+c.service+".amazonaws.com", at)
			s, err := Parse(req, body, at.Add(30*time.Second))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			day := at.Format("20060102")
			if err := s.VerifyWithSigningKey(DeriveSigningKey(secret, day, c.region, c.service)); err != nil {
				t.Fatalf("the scope's signing key: %v", err)
			}
			for name, key := range map[string][]byte{
				"another day":     DeriveSigningKey(secret, "20261122", c.region, c.service),
				"another region":  DeriveSigningKey(secret, day, c.region+"x", c.service),
				"another service": DeriveSigningKey(secret, day, c.region, c.service+"x"),
				"another secret":  DeriveSigningKey("x"+secret, day, c.region, c.service),
				"truncated":       DeriveSigningKey(secret, day, c.region, c.service)[:31],
				"empty":           nil,
			} {
				err := s.VerifyWithSigningKey(key)
				if !errors.Is(err, ErrSignatureMismatch) {
					t.Errorf("%s: %v, want a signature mismatch", name, err)
				}
			}
		})
	}
	// A request changed after signing fails with the right key too, and
	// its debug detail is the canonical request Verify would show.
	req, body := sdkCases()[6].sign(t, "https://iam.amazonaws.com", at)
	req.URL.RawQuery += "&MaxItems=11"
	s, err := Parse(req, body, at)
	if err != nil {
		t.Fatal(err)
	}
	err = s.VerifyWithSigningKey(DeriveSigningKey(secret, at.Format("20060102"), "ap-southeast-2", "iam"))
	var e *Error
	if !errors.As(err, &e) || e.Kind != SignatureMismatch || e.Kind.HTTPStatus() != http.StatusForbidden {
		t.Fatalf("a changed request: %v", err)
	}
	if creq, _ := e.Debug(); creq != s.CanonicalRequest() {
		t.Fatalf("debug canonical request = %q, want %q", creq, s.CanonicalRequest())
	}
}
