package kubernetes

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/server"
	"github.com/latchkey/latchkey/internal/sigv4"
	"github.com/latchkey/latchkey/internal/store"
)

func testHandler(t *testing.T, now time.Time) *Handler {
	t.Helper()
	keys, err := secret.CreateKeyring(filepath.Join(t.TempDir(), "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	key := store.AccessKey{ID: testKeyID, AccountID: "123456789012", UserID: "AIDAEXAMPLE", UserName: "alice", UserPath: "/ops/", Status: store.StatusActive,
		MasterKeyID: keys.Primary().ID(), SecretCiphertext: keys.Primary().Seal([]byte(testSecret), []byte(testKeyID))}
	lookup := func(_ context.Context, id string) (store.AccessKey, error) {
		if id != key.ID {
			return store.AccessKey{}, store.ErrNotFound
		}
		return key, nil
	}
	m, err := ParseMapping([]byte(configMap))
	if err != nil {
		t.Fatal(err)
	}
	return &Handler{Auth: &server.Authenticator{Lookup: lookup, Keys: keys, SessionKey: keys.Primary(), Cache: sigv4.NewSigningKeyCache(8)},
		ClusterID: "prod", Mapping: m, BearerToken: "webhook-secret", Now: func() time.Time { return now }}
}

func review(t *testing.T, h http.Handler, bearer, body string) (int, TokenReview) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, TokenReviewPath, strings.NewReader(body))
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var out TokenReview
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return rec.Code, out
}

func tokenReview(token string) string {
	b, _ := json.Marshal(TokenReview{APIVersion: "authentication.k8s.io/v1", Kind: "TokenReview", Spec: &TokenReviewSpec{Token: token}})
	return string(b)
}

func TestWebhook(t *testing.T) {
	signed := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	good := presign(t, "sts.us-east-1.amazonaws.com", "prod", "", signed)
	for _, tc := range []struct {
		name   string
		now    time.Time
		token  string
		bearer string
		status int
		want   string // username, or a part of the error
		ok     bool
	}{
		{"fresh", signed.Add(time.Second), good, "webhook-secret", 200, "alice", true},
		{"past X-Amz-Expires, within 15 minutes", signed.Add(14 * time.Minute), good, "webhook-secret", 200, "alice", true},
		{"older than 15 minutes", signed.Add(15*time.Minute + time.Second), good, "webhook-secret", 200, "expired", false},
		{"dated in the future", signed.Add(-20 * time.Minute), good, "webhook-secret", 200, "future", false},
		{"other cluster", signed, presign(t, "sts.us-east-1.amazonaws.com", "staging", "", signed), "webhook-secret", 200, "SignatureDoesNotMatch", false},
		{"malformed", signed, "k8s-aws-v1.!!", "webhook-secret", 200, "base64url", false},
		{"wrong bearer", signed, good, "guess", 401, "", false},
		{"no bearer", signed, good, "", 401, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, out := review(t, testHandler(t, tc.now), tc.bearer, tokenReview(tc.token))
			if status != tc.status {
				t.Fatalf("HTTP %d, want %d", status, tc.status)
			}
			if status != 200 {
				return
			}
			if out.Kind != "TokenReview" || out.APIVersion != "authentication.k8s.io/v1" || out.Status == nil || out.Status.Authenticated != tc.ok {
				t.Fatalf("answer %+v", out)
			}
			if tc.ok && (out.Status.User.Username != tc.want || out.Status.User.Groups[0] != "system:masters") {
				t.Fatalf("user %+v", out.Status.User)
			}
			if !tc.ok && !strings.Contains(out.Status.Error, tc.want) {
				t.Fatalf("error %q, want %q", out.Status.Error, tc.want)
			}
		})
	}
	if status, _ := review(t, testHandler(t, signed), "webhook-secret", `{"kind":"Pod"}`); status != 400 {
		t.Fatalf("not a TokenReview: HTTP %d", status)
	}
}
