package relying

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/awserr"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/server"
	"github.com/latchkey/latchkey/internal/store"
)

// FuzzVerifyRequest: whatever a relying service sends as the request to
// verify, the decoder and the rebuilding of the request answer an AWS
// error and never a principal (no key is known here), and never panic.
func FuzzVerifyRequest(f *testing.F) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	for _, seed := range []string{
		`{"request":{"method":"GET","host":"objects.example","path":"/bucket/key","query":"","headers":{"Authorization":["AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20261202/objects-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=` + "0000000000000000000000000000000000000000000000000000000000000000" + `"],"X-Amz-Date":["20261202T100000Z"],"X-Amz-Content-Sha256":["UNSIGNED-PAYLOAD"]}}}`,
		`{"request":{"method":"PUT","host":"objects.example","path":"/b/%2Fk","query":"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20261202%2Fobjects-1%2Fs3%2Faws4_request&X-Amz-Date=20261202T100000Z&X-Amz-SignedHeaders=host&X-Amz-Signature=00","headers":{},"body":"aGVsbG8="}}`,
		`{"request":{"method":"POST","host":"h","path":"/","headers":{"Content-Length":["-1"]},"body_sha256":"zz"},"authorize":[{"action":"s3:GetObject","resource":"*"}]}`,
		`{"request":null}`,
		`{}`,
	} {
		f.Add([]byte(seed))
	}
	h := &Handler{Auth: &server.Authenticator{
		Lookup: func(context.Context, string) (store.AccessKey, error) {
			return store.AccessKey{}, &store.NotFoundError{Entity: store.EntityAccessKey}
		},
		SessionKey: mustKey(f),
	}}
	rs := store.RelyingService{AccountID: "123456789012", Name: "objects", Scopes: []store.Scope{{Region: "objects-1", Service: "s3"}}, Hosts: []string{"objects.example"}}
	f.Fuzz(func(t *testing.T, body []byte) {
		var in verifyInput
		if err := decodeJSON(body, &in); err != nil {
			if awserr.As(err).Status != 400 {
				t.Fatalf("a bad body: %v", err)
			}
			return
		}
		if in.Request == nil {
			return
		}
		p, _, err := h.verifyRequest(context.Background(), rs, in.Request, now)
		if err == nil || p != nil {
			t.Fatalf("verified with no key known: %+v, %v", p, err)
		}
		if e := awserr.As(err); e.Status < 400 || e.Status >= 500 {
			t.Fatalf("not a client error: %v", err)
		}
		if _, err := json.Marshal(errorOf(err)); err != nil {
			t.Fatal(err)
		}
	})
}

func mustKey(f *testing.F) *secret.MasterKey {
	mk, err := secret.NewRandomMasterKey()
	if err != nil {
		f.Fatal(err)
	}
	return mk
}
