package kubernetes

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/latchkey/latchkey/internal/sigv4"
)

const (
	testKeyID  = "AKIAIOSFODNN7EXAMPLE"
	testSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	testSig    = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
)

// presign makes a token as aws-iam-authenticator does: a GET
// GetCallerIdentity presigned for 60 seconds with x-k8s-aws-id signed,
// by aws-sdk-go-v2's signer.
func presign(t testing.TB, host, clusterID, extraQuery string, at time.Time) string {
	t.Helper()
	u := "https://" + host + "/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Expires=60" + extraQuery
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set(ClusterIDHeader, clusterID)
	signed, _, err := v4.NewSigner().PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret},
		req, sigv4.EmptyPayloadHash, "sts", "us-east-1", at)
	if err != nil {
		t.Fatal(err)
	}
	return TokenPrefix + base64.RawURLEncoding.EncodeToString([]byte(signed))
}

func encode(rawURL string) string {
	return TokenPrefix + base64.RawURLEncoding.EncodeToString([]byte(rawURL))
}

func TestDecodeToken(t *testing.T) {
	at := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	good := presign(t, "sts.us-east-1.amazonaws.com", "prod", "", at)
	raw, _ := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(good, TokenPrefix))
	replace := func(old, new string) string { return encode(strings.Replace(string(raw), old, new, 1)) }
	for _, tc := range []struct {
		name, token, reason string
	}{
		{"regional endpoint", good, ""},
		{"global endpoint", presign(t, "sts.amazonaws.com", "prod", "", at), ""},
		{"session token allowed", presign(t, "sts.amazonaws.com", "prod", "&X-Amz-Security-Token=abc", at), ""},
		{"no prefix", strings.TrimPrefix(good, TokenPrefix), "does not start with"},
		{"padded base64", good + "==", "base64url"},
		{"standard base64", TokenPrefix + base64.StdEncoding.EncodeToString(raw), "base64url"},
		{"too long", good + strings.Repeat("A", MaxTokenBytes), "longer than"},
		{"http", replace("https://", "http://"), "scheme"},
		{"other host", replace("sts.us-east-1.amazonaws.com", "sts.evil.example"), "host"},
		{"host suffix", replace("sts.us-east-1.amazonaws.com", "sts.us-east-1.amazonaws.com.evil.example"), "host"},
		{"port", replace("sts.us-east-1.amazonaws.com", "sts.us-east-1.amazonaws.com:443"), "host"},
		{"user info", replace("https://", "https://me@"), "user"},
		{"fragment", encode(string(raw) + "#x"), "fragment"},
		{"path", replace("/?", "/x?"), "path"},
		{"extra parameter", presign(t, "sts.amazonaws.com", "prod", "&Foo=bar", at), `"Foo"`},
		{"lower-case parameter", replace("Action=", "action="), `"action"`},
		{"repeated parameter", encode(string(raw) + "&Version=2011-06-15"), "repeated"},
		{"other action", replace("Action=GetCallerIdentity", "Action=AssumeRole"), "Action"},
		{"other version", replace("Version=2011-06-15", "Version=2010-05-08"), "Version"},
		{"cluster id not signed", replace("x-k8s-aws-id", "x-other"), "x-k8s-aws-id"},
		{"expires too long", replace("X-Amz-Expires=60", "X-Amz-Expires=901"), "X-Amz-Expires"},
		{"expires missing", replace("X-Amz-Expires=60&", ""), "X-Amz-Expires"},
		{"bad date", replace("X-Amz-Date=", "X-Amz-Date=x"), "X-Amz-Date"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := DecodeToken(tc.token)
			if tc.reason == "" {
				if err != nil || !tok.Date.Equal(at) {
					t.Fatalf("DecodeToken = %+v, %v", tok, err)
				}
				return
			}
			var fe *FormatError
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.reason) {
				t.Fatalf("DecodeToken = %+v, %v; want a FormatError about %q", tok, err, tc.reason)
			}
		})
	}
}

// FuzzKubernetesToken: the decoder never panics, and what it accepts is
// what it promises: an STS host, only allowed parameters, each once, a
// signed cluster id.
func FuzzKubernetesToken(f *testing.F) {
	at := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	f.Add(presign(f, "sts.us-east-1.amazonaws.com", "prod", "", at))
	f.Add(encode("https://sts.amazonaws.com/?Action=GetCallerIdentity&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Expires=60&X-Amz-Date=20260601T120000Z&X-Amz-Signature=" + testSig))
	f.Add(encode("https://sts.amazonaws.com/?Action=GetCallerIdentity&Action=GetCallerIdentity"))
	f.Add("k8s-aws-v1.")
	f.Fuzz(func(t *testing.T, token string) {
		tok, err := DecodeToken(token)
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) || tok != nil {
				t.Fatalf("DecodeToken(%q) = %+v, %v", token, tok, err)
			}
			return
		}
		if len(token) > MaxTokenBytes || !stsHost.MatchString(tok.Host) {
			t.Fatalf("accepted %q: %+v", token, tok)
		}
		q, err := url.ParseQuery(tok.RawQuery)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range q {
			if !allowedParams[k] || len(v) != 1 {
				t.Fatalf("accepted parameter %q=%q", k, v)
			}
		}
		if q.Get("Action") != "GetCallerIdentity" || !strings.Contains(strings.ToLower(q.Get("X-Amz-SignedHeaders")), ClusterIDHeader) {
			t.Fatalf("accepted %q", tok.RawQuery)
		}
	})
}
