package relying_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/latchkey/latchkey/relying"
)

// An object store that trusts Latchkey: the Verifier verifies each
// request (locally, with the signing key Latchkey gives it), asks whether
// the principal may read or write the object, and serves the request only
// when it may.
func Example() {
	// A stand-in for a Latchkey server where the service is registered
	// for objects-1/s3 and alice may read bucket/report.txt.
	latchkey := newFakeLatchkey("objects-1/s3")
	defer latchkey.Close()
	latchkey.addUser("AKIAALICEEXAMPLE0001", "alice-secret", "alice", "s3:GetObject arn:aws:s3:::bucket/report.txt")

	verifier := relying.NewVerifier(relying.Options{
		Client: relying.NewClient(latchkey.URL, "AKIASERVICEEXAMPLE01", "service-secret"),
		Authorize: func(r *http.Request) []relying.Question {
			action := "s3:GetObject"
			if r.Method == http.MethodPut {
				action = "s3:PutObject"
			}
			return []relying.Question{{Action: action, Resource: "arn:aws:s3:::" + strings.TrimPrefix(r.URL.Path, "/")}}
		},
	})
	defer verifier.Close()
	objects := httptest.NewServer(verifier.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := relying.PrincipalFrom(r.Context())
		fmt.Fprintf(w, "%s %s for %s", r.Method, r.URL.Path, p.ARN)
	})))
	defer objects.Close()

	// Alice's requests, signed as an S3 client signs them.
	alice := aws.Credentials{AccessKeyID: "AKIAALICEEXAMPLE0001", SecretAccessKey: "alice-secret"}
	for _, method := range []string{"GET", "PUT"} {
		req, _ := http.NewRequest(method, objects.URL+"/bucket/report.txt", nil)
		req.Header.Set("X-Amz-Content-Sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
		_ = v4.NewSigner().SignHTTP(context.Background(), alice, req, req.Header.Get("X-Amz-Content-Sha256"), "s3", "objects-1", time.Now())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, strings.TrimPrefix(string(body), "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"))
	}
	// Output:
	// 200 GET /bucket/report.txt for arn:aws:iam::123456789012:user/alice
	// 403 <Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>
}
