package sigv4

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// TestS3PathSignedOnce: S3's clients sign the object key URI-encoded once
// and not normalized (aws-sdk-go-v2's S3 client signs with
// DisableURIPathEscaping); other services' paths are encoded again. Both
// verify, and neither verifies as the other.
func TestS3PathSignedOnce(t *testing.T) {
	now := time.Now().UTC()
	creds := aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}
	for _, tc := range []struct {
		service string
		s3Rule  bool // sign as the S3 client does
		verify  bool
	}{
		{"s3", true, true},
		{"s3", false, false},
		{"iam", false, true},
		{"iam", true, false},
	} {
		paths := []string{"/bucket/report%201.txt", "/bucket/%E2%82%AC", "/bucket/c%2Bd"}
		if tc.service == "s3" && tc.s3Rule {
			// Not normalized either: a key may hold "//" and "..".
			paths = append(paths, "/bucket/a//b/../c")
		}
		for _, path := range paths {
			req, _ := http.NewRequest(http.MethodGet, "https://objects.example"+path, nil)
			req.URL.RawPath = path
			req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
			err := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = tc.s3Rule }).
				SignHTTP(context.Background(), creds, req, "UNSIGNED-PAYLOAD", tc.service, "objects-1", now)
			if err != nil {
				t.Fatal(err)
			}
			req.RequestURI = path // as a server receives it
			sr, err := Parse(req, nil, now)
			if err != nil {
				t.Fatal(err)
			}
			sr.PayloadHash = "UNSIGNED-PAYLOAD"
			if got := sr.Verify(creds.SecretAccessKey, nil) == nil; got != tc.verify {
				t.Errorf("%s %s signed with the S3 rule %v: verified %v, want %v", tc.service, path, tc.s3Rule, got, tc.verify)
			}
		}
	}
}
