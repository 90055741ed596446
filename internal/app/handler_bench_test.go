package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// BenchmarkHandlerGetCallerIdentity runs the whole request pipeline in
// process (no network): signing is outside the timed part, verification,
// key lookup, decoding, rendering and logging inside.
func BenchmarkHandlerGetCallerIdentity(b *testing.B) {
	ctx := context.Background()
	d, err := Open(ctx, Options{DataDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	creds := RootCredentials{AccountID: "123456789012", AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
	if _, err := d.CreateAccount(ctx, creds); err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.NewJSONHandler(discard{}, &slog.HandlerOptions{Level: slog.LevelInfo}))
	h, _, err := d.Handler(log, time.Hour, nil)
	if err != nil {
		b.Fatal(err)
	}
	body := "Action=GetCallerIdentity&Version=2011-06-15"
	sum := sha256.Sum256([]byte(body))
	signer := v4.NewSigner()
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:7480/", nil)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if err := signer.SignHTTP(ctx, aws.Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey}, req, hex.EncodeToString(sum[:]), "sts", "us-east-1", time.Now()); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := req.Clone(ctx)
		r.Body = http.NoBody
		r.Body = nopCloser{strings.NewReader(body)}
		r.ContentLength = int64(len(body))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body.String())
		}
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

type nopCloser struct{ *strings.Reader }

func (nopCloser) Close() error { return nil }
