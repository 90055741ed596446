package sigv4

import (
	"net/http"
	"testing"
	"time"
)

// benchRequest is a typical IAM call as aws-sdk-go-v2 signs it (POST form,
// content-length;content-type;host;x-amz-date signed) or a presigned STS
// GetCallerIdentity, with its body and signing time.
func benchRequest(b *testing.B, presign bool) (*http.Request, []byte, time.Time) {
	b.Helper()
	at := time.Date(2026, 11, 23, 14, 30, 0, 0, time.UTC)
	c := sdkCases()[0]
	if presign {
		c = sdkCases()[10]
	}
	req, body := c.sign(b, "https://"+c.service+".amazonaws.com", at)
	return req, body, at
}

func BenchmarkParse(b *testing.B) {
	for _, presign := range []bool{false, true} {
		name := "header"
		if presign {
			name = "presigned"
		}
		b.Run(name, func(b *testing.B) {
			req, body, at := benchRequest(b, presign)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(req, body, at); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	req, body, at := benchRequest(b, false)
	s, err := Parse(req, body, at)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("nocache", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := s.Verify(sdkCreds.SecretAccessKey, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cache", func(b *testing.B) {
		cache := NewSigningKeyCache(4096)
		b.ReportAllocs()
		for b.Loop() {
			if err := s.Verify(sdkCreds.SecretAccessKey, cache); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parse+verify/cache", func(b *testing.B) {
		cache := NewSigningKeyCache(4096)
		b.ReportAllocs()
		for b.Loop() {
			s, err := Parse(req, body, at)
			if err != nil {
				b.Fatal(err)
			}
			if err := s.Verify(sdkCreds.SecretAccessKey, cache); err != nil {
				b.Fatal(err)
			}
		}
	})
}
