package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/latchkey/latchkey/internal/e2etest"
)

const minioBearer = "minio-plugin-token"

// minioAsk sends the request MinIO's access-management plugin sends
// (MINIO_POLICY_PLUGIN_AUTH_TOKEN="Bearer …" as the Authorization header)
// and returns the status and the decision.
func minioAsk(t *testing.T, s *e2etest.Server, auth string, input map[string]any) (int, bool) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"input": input})
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/latchkey/v1/minio/authorize", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out struct {
		Result struct {
			Allow bool `json:"allow"`
		} `json:"result"`
	}
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("not JSON: %s", b)
		}
	}
	return resp.StatusCode, out.Result.Allow
}

// minioInput is a request in MinIO's shape, with the conditions MinIO
// fills in.
func minioInput(account, action, bucket, object string, extra map[string][]string) map[string]any {
	conditions := map[string][]string{
		"Authorization":    {"AWS4-HMAC-SHA256 Credential=" + account + "/20260601/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=0000"},
		"CurrentTime":      {"2026-06-01T12:00:00Z"},
		"EpochTime":        {"1780315200"},
		"Referer":          {""},
		"SecureTransport":  {"false"},
		"SourceIp":         {"127.0.0.1"},
		"User-Agent":       {"MinIO (linux; amd64) minio-go/v7.0.70 mc/RELEASE"},
		"UserAgent":        {"MinIO (linux; amd64) minio-go/v7.0.70 mc/RELEASE"},
		"authType":         {"REST-HEADER"},
		"principaltype":    {"User"},
		"signatureversion": {"AWS4-HMAC-SHA256"},
		"userid":           {account},
		"username":         {account},
		"versionid":        {""},
	}
	for k, v := range extra {
		conditions[k] = v
	}
	return map[string]any{"account": account, "groups": nil, "action": action, "bucket": bucket, "object": object,
		"conditions": conditions, "owner": false, "claims": map[string]any{}}
}

// TestMinIOPolicyPlugin: MinIO takes its decisions from Latchkey's
// policies through its access-management plugin.
func TestMinIOPolicyPlugin(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{Args: []string{"--minio-plugin-token-file", writeFile(t, "minio-token", minioBearer)}})
	reader := newUserWithKey(t, s, "photo-reader")
	must[*iam.PutUserPolicyOutput](t)(s.IAM(e2etest.Root).PutUserPolicy(t.Context(), &iam.PutUserPolicyInput{UserName: aws.String("photo-reader"), PolicyName: aws.String("photos"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"},
			{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::photos","Condition":{"StringLike":{"s3:prefix":"public/*"}}},
			{"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*","Condition":{"NotIpAddress":{"aws:SourceIp":"127.0.0.0/8"}}}]}`)}))
	bearer := "Bearer " + minioBearer

	for _, tc := range []struct {
		name  string
		input map[string]any
		allow bool
	}{
		{"allowed object read", minioInput(reader.KeyID, "s3:GetObject", "photos", "public/cat.jpg", nil), true},
		{"write not allowed", minioInput(reader.KeyID, "s3:PutObject", "photos", "public/cat.jpg", nil), false},
		{"other bucket", minioInput(reader.KeyID, "s3:GetObject", "secrets", "key.pem", nil), false},
		{"listing with the allowed prefix", minioInput(reader.KeyID, "s3:ListBucket", "photos", "", map[string][]string{"Prefix": {"public/"}, "Delimiter": {"/"}}), true},
		{"listing with another prefix", minioInput(reader.KeyID, "s3:ListBucket", "photos", "", map[string][]string{"Prefix": {"private/"}}), false},
		{"denied from another address", minioInput(reader.KeyID, "s3:GetObject", "photos", "public/cat.jpg", map[string][]string{"SourceIp": {"203.0.113.9"}}), false},
		{"MinIO cannot speak for the principal", minioInput(reader.KeyID, "s3:PutObject", "photos", "x", map[string][]string{"aws:username": {"root"}, "username": {"root"}}), false},
		{"unknown account", minioInput("minioadmin", "s3:GetObject", "photos", "public/cat.jpg", nil), false},
		{"an account root may do everything", minioInput(e2etest.RootKeyID, "s3:PutObject", "photos", "x", nil), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, allow := minioAsk(t, s, bearer, tc.input)
			if status != http.StatusOK || allow != tc.allow {
				t.Fatalf("HTTP %d, allow %v; want allow %v", status, allow, tc.allow)
			}
		})
	}
	t.Run("plugin token", func(t *testing.T) {
		for _, auth := range []string{"", minioBearer, "Bearer wrong", "Basic " + minioBearer} {
			if status, _ := minioAsk(t, s, auth, minioInput(reader.KeyID, "s3:GetObject", "photos", "public/cat.jpg", nil)); status != http.StatusUnauthorized {
				t.Fatalf("Authorization %q: HTTP %d", auth, status)
			}
		}
	})
	t.Run("deactivated key", func(t *testing.T) {
		must[*iam.UpdateAccessKeyOutput](t)(s.IAM(e2etest.Root).UpdateAccessKey(t.Context(), &iam.UpdateAccessKeyInput{
			UserName: aws.String("photo-reader"), AccessKeyId: aws.String(reader.KeyID), Status: iamtypes.StatusTypeInactive}))
		if status, allow := minioAsk(t, s, bearer, minioInput(reader.KeyID, "s3:GetObject", "photos", "public/cat.jpg", nil)); status != http.StatusOK || allow {
			t.Fatalf("HTTP %d, allow %v", status, allow)
		}
	})
	// Each integration is off unless configured: this server has no
	// Kubernetes webhook.
	t.Run("kubernetes off", func(t *testing.T) {
		if status, _ := postTokenReview(t, s, kubeBearer, "k8s-aws-v1.x"); status != http.StatusNotFound {
			t.Fatalf("HTTP %d", status)
		}
	})
}

// TestMinIOPluginOff: without --minio-plugin-token-file the plugin's path
// is not served.
func TestMinIOPluginOff(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	if status, _ := minioAsk(t, s, "Bearer x", minioInput(e2etest.RootKeyID, "s3:GetObject", "b", "o", nil)); status != http.StatusNotFound {
		t.Fatalf("HTTP %d", status)
	}
}
