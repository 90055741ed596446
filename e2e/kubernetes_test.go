package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/latchkey/latchkey/internal/e2etest"
	"github.com/latchkey/latchkey/internal/sigv4"
)

const (
	kubeClusterID = "prod-cluster"
	kubeBearer    = "kube-apiserver-webhook-token"
)

// kubeMapping is an aws-auth ConfigMap as EKS documents it.
const kubeMapping = `apiVersion: v1
kind: ConfigMap
metadata:
  name: aws-auth
  namespace: kube-system
data:
  mapUsers: |
    - userarn: arn:aws:iam::123456789012:user/dev
      username: dev-{{AccountID}}
      groups:
        - developers
        - system:authenticated
`

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

type tokenReviewAnswer struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Status     struct {
		Authenticated bool   `json:"authenticated"`
		Error         string `json:"error"`
		User          struct {
			Username string              `json:"username"`
			UID      string              `json:"uid"`
			Groups   []string            `json:"groups"`
			Extra    map[string][]string `json:"extra"`
		} `json:"user"`
	} `json:"status"`
}

// postTokenReview sends a TokenReview as kube-apiserver's webhook does.
func postTokenReview(t *testing.T, s *e2etest.Server, bearer, token string) (int, tokenReviewAnswer) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview",
		"spec": map[string]any{"token": token, "audiences": []string{"https://kubernetes.default.svc"}}})
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/latchkey/v1/kubernetes/tokenreview", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, */*")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out tokenReviewAnswer
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("not JSON: %s", b)
		}
	}
	return resp.StatusCode, out
}

// eksToken runs `aws eks get-token` (which signs locally) and returns its
// token.
func eksToken(t *testing.T, s *e2etest.Server, c e2etest.Creds, cluster string) string {
	t.Helper()
	out, stderr, err := s.AWSCLI(t, c, "eks", "get-token", "--cluster-name", cluster)
	if err != nil {
		t.Fatalf("aws eks get-token: %v\n%s", err, stderr)
	}
	var cred struct {
		Kind   string `json:"kind"`
		Status struct {
			Token string `json:"token"`
		} `json:"status"`
	}
	if err := json.Unmarshal([]byte(out), &cred); err != nil || cred.Kind != "ExecCredential" || !strings.HasPrefix(cred.Status.Token, "k8s-aws-v1.") {
		t.Fatalf("aws eks get-token printed %q (%v)", out, err)
	}
	return cred.Status.Token
}

// presignedToken builds a token as aws-iam-authenticator does, with
// aws-sdk-go-v2's presigner, to host, dated at, with extra query.
func presignedToken(t *testing.T, c e2etest.Creds, host, cluster, extra string, at time.Time) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, "https://"+host+"/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Expires=60"+extra, nil)
	req.Header.Set("x-k8s-aws-id", cluster)
	signed, _, err := v4.NewSigner().PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: c.KeyID, SecretAccessKey: c.Secret},
		req, sigv4.EmptyPayloadHash, "sts", "us-east-1", at)
	if err != nil {
		t.Fatal(err)
	}
	return "k8s-aws-v1." + base64.RawURLEncoding.EncodeToString([]byte(signed))
}

// TestKubernetesTokenReview: kube-apiserver's webhook token authentication
// against Latchkey, with the token the real AWS CLI makes; wrong cluster,
// expired, altered, misaddressed and revoked tokens, and callers without
// the webhook's bearer token, are refused.
func TestKubernetesTokenReview(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{Args: []string{
		"--kubernetes-cluster-id", kubeClusterID,
		"--kubernetes-mapping", writeFile(t, "aws-auth.yaml", kubeMapping),
		"--kubernetes-webhook-token-file", writeFile(t, "webhook-token", kubeBearer+"\n"),
	}})
	dev := newUserWithKey(t, s, "dev")
	other := newUserWithKey(t, s, "other")

	token := eksToken(t, s, dev, kubeClusterID)
	status, out := postTokenReview(t, s, kubeBearer, token)
	u := out.Status.User
	if status != http.StatusOK || !out.Status.Authenticated || out.Kind != "TokenReview" || out.APIVersion != "authentication.k8s.io/v1" {
		t.Fatalf("HTTP %d: %+v", status, out)
	}
	if u.Username != "dev-123456789012" || strings.Join(u.Groups, ",") != "developers,system:authenticated" ||
		!strings.HasPrefix(u.UID, "latchkey:123456789012:AIDA") || u.Extra["arn"][0] != "arn:aws:iam::123456789012:user/dev" || u.Extra["accessKeyId"][0] != dev.KeyID {
		t.Fatalf("user %+v", u)
	}

	refused := func(t *testing.T, token, reason string) {
		t.Helper()
		status, out := postTokenReview(t, s, kubeBearer, token)
		if status != http.StatusOK || out.Status.Authenticated || !strings.Contains(out.Status.Error, reason) {
			t.Fatalf("HTTP %d: %+v; want refused with %q", status, out.Status, reason)
		}
		if strings.Contains(out.Status.Error, token) {
			t.Fatal("the error repeats the token")
		}
	}
	now := time.Now().UTC()
	t.Run("wrong cluster id", func(t *testing.T) { refused(t, eksToken(t, s, dev, "other-cluster"), "SignatureDoesNotMatch") })
	t.Run("expired", func(t *testing.T) {
		refused(t, presignedToken(t, dev, "sts.us-east-1.amazonaws.com", kubeClusterID, "", now.Add(-16*time.Minute)), "expired")
	})
	t.Run("past X-Amz-Expires, within 15 minutes", func(t *testing.T) {
		status, out := postTokenReview(t, s, kubeBearer, presignedToken(t, dev, "sts.us-east-1.amazonaws.com", kubeClusterID, "", now.Add(-5*time.Minute)))
		if status != http.StatusOK || !out.Status.Authenticated {
			t.Fatalf("HTTP %d: %+v", status, out.Status)
		}
	})
	t.Run("extra query parameter", func(t *testing.T) {
		refused(t, presignedToken(t, dev, "sts.amazonaws.com", kubeClusterID, "&DurationSeconds=900", now), "not allowed")
	})
	t.Run("wrong host", func(t *testing.T) {
		refused(t, presignedToken(t, dev, "sts.example.com", kubeClusterID, "", now), "host")
	})
	t.Run("unmapped principal", func(t *testing.T) { refused(t, eksToken(t, s, other, kubeClusterID), "not mapped") })
	t.Run("bearer token", func(t *testing.T) {
		for _, bearer := range []string{"", "wrong", kubeBearer + "x"} {
			if status, _ := postTokenReview(t, s, bearer, token); status != http.StatusUnauthorized {
				t.Fatalf("bearer %q: HTTP %d", bearer, status)
			}
		}
	})
	t.Run("deactivated key", func(t *testing.T) {
		must[*iam.UpdateAccessKeyOutput](t)(s.IAM(e2etest.Root).UpdateAccessKey(t.Context(), &iam.UpdateAccessKeyInput{
			UserName: aws.String("dev"), AccessKeyId: aws.String(dev.KeyID), Status: iamtypes.StatusTypeInactive}))
		refused(t, token, "InvalidClientTokenId")
	})
}
