package bench

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// The verify operation: a relying service (the root, registered for the
// scope bench-1/s3) asks Latchkey to verify a client's signed S3 GET and
// whether the client may read the object. Latchkey only: moto serves no
// such API.

// s3Signer signs as the S3 client does: the path URI-encoded once.
var s3Signer = v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })

const (
	verifyRegion = "bench-1"
	verifyHost   = "objects.bench"
)

// CallJSON POSTs (or GETs, with a nil body) path on the endpoint, signed
// with creds for the service latchkey.
func (c *Client) CallJSON(ctx context.Context, creds Creds, method, path string, body []byte) (Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.Endpoint+path, bytes.NewReader(body))
	if err != nil {
		return Response{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	sum := sha256.Sum256(body)
	cr := aws.Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey}
	if err := c.signer.SignHTTP(ctx, cr, req, hex.EncodeToString(sum[:]), "latchkey", c.Region, time.Now()); err != nil {
		return Response{}, fmt.Errorf("sign: %w", err)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return Response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return Response{Status: resp.StatusCode, Body: b}, err
}

// clientGet is a client's S3 GET of key, signed with creds, described as
// a relying service passes it to /verify.
func (c *Client) clientGet(ctx context.Context, creds Creds, key string) (map[string]any, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+verifyHost+"/bucket/"+key, nil)
	if err != nil {
		return nil, err
	}
	const unsigned = "UNSIGNED-PAYLOAD"
	req.Header.Set("X-Amz-Content-Sha256", unsigned)
	cr := aws.Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey}
	if err := s3Signer.SignHTTP(ctx, cr, req, unsigned, "s3", verifyRegion, time.Now()); err != nil {
		return nil, err
	}
	return map[string]any{"method": req.Method, "host": verifyHost, "path": req.URL.EscapedPath(), "query": "", "headers": req.Header}, nil
}

func prepareVerify(ctx context.Context, c *Client, root Creds, o OpOptions, workers int) (opFunc, error) {
	user := o.Prefix + "-client"
	if err := ensureUser(ctx, c, root, user, ""); err != nil {
		return nil, err
	}
	read := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}]}`
	if _, err := c.MustOK(ctx, root, "iam", "PutUserPolicy", url.Values{"UserName": {user}, "PolicyName": {"read"}, "PolicyDocument": {read}}); err != nil {
		return nil, err
	}
	creds, err := freshKey(ctx, c, root, user)
	if err != nil {
		return nil, err
	}
	body, err := c.MustOK(ctx, root, "sts", "GetCallerIdentity", nil)
	if err != nil {
		return nil, err
	}
	account := xmlText(body, "Account")
	reg, _ := json.Marshal(map[string]any{"name": o.Prefix, "principal": "arn:aws:iam::" + account + ":root", "scopes": []string{verifyRegion + "/s3"}})
	resp, err := c.CallJSON(ctx, root, http.MethodPost, "/latchkey/v1/relying-services", reg)
	if err != nil {
		return nil, err
	}
	if !resp.OK() && resp.Status != http.StatusConflict {
		return nil, fmt.Errorf("register the relying service: HTTP %d %s", resp.Status, resp.Body)
	}
	// One client request per worker, signed once: each call verifies it
	// in full (Latchkey keeps no verdicts).
	calls := make([][]byte, workers)
	for w := range workers {
		req, err := c.clientGet(ctx, creds, fmt.Sprintf("k%d", w))
		if err != nil {
			return nil, err
		}
		if calls[w], err = json.Marshal(map[string]any{"request": req,
			"authorize": []map[string]any{{"action": "s3:GetObject", "resource": fmt.Sprintf("arn:aws:s3:::bucket/k%d", w)}}}); err != nil {
			return nil, err
		}
	}
	return func(ctx context.Context, w int, rec *recorder) bool {
		start := time.Now()
		resp, err := c.CallJSON(ctx, root, http.MethodPost, "/latchkey/v1/verify", calls[w])
		if !rec.observe(start, resp, err) {
			return false
		}
		var out struct {
			Principal *struct{ ARN string } `json:"principal"`
			Decisions []struct{ Decision string }
		}
		if err := json.Unmarshal(resp.Body, &out); err != nil || out.Principal == nil || len(out.Decisions) != 1 || out.Decisions[0].Decision != "allowed" {
			rec.fail("wrong-answer", "verify answered "+string(resp.Body))
			return false
		}
		return true
	}, nil
}
