package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/latchkey/latchkey/internal/awserr"
	"github.com/latchkey/latchkey/internal/principal"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/sigv4"
	"github.com/latchkey/latchkey/internal/store"
)

// TestSessionExpiry: a session authenticates until its expiry and is
// refused with ExpiredToken from then on (clock injected).
func TestSessionExpiry(t *testing.T) {
	keys, err := secret.CreateKeyring(filepath.Join(t.TempDir(), "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	issued := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	sess := secret.Session{AccountID: "123456789012", AccessKeyID: secret.NewTemporaryAccessKeyID(), Secret: secret.NewSecretAccessKey(),
		Kind: "role", ID: secret.NewRoleID(), Name: "deploy", Path: "/", SessionName: "s", IssuedAt: issued.Unix(), Expiration: issued.Add(15 * time.Minute).Unix()}
	token, err := secret.SealSession(keys.Primary(), sess)
	if err != nil {
		t.Fatal(err)
	}
	noKeys := func(context.Context, string) (store.AccessKey, error) {
		return store.AccessKey{}, errors.New("a session must not read the store")
	}
	a := &Authenticator{Lookup: noKeys, Keys: keys, SessionKey: keys.Primary(), Cache: sigv4.NewSigningKeyCache(8)}
	request := func(at time.Time) (*http.Request, []byte) {
		body := []byte("Action=GetCallerIdentity&Version=2011-06-15")
		req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:7480/", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		sum := sha256.Sum256(body)
		creds := aws.Credentials{AccessKeyID: sess.AccessKeyID, SecretAccessKey: sess.Secret, SessionToken: token}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "sts", "us-east-1", at); err != nil {
			t.Fatal(err)
		}
		return req, body
	}
	for _, tc := range []struct {
		name string
		at   time.Time
		code string
	}{
		{"just issued", issued, ""},
		{"a second before expiry", issued.Add(15*time.Minute - time.Second), ""},
		{"at expiry", issued.Add(15 * time.Minute), "ExpiredToken"},
		{"an hour later", issued.Add(time.Hour), "ExpiredToken"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, body := request(tc.at)
			p, _, err := a.Authenticate(t.Context(), req, body, tc.at)
			if tc.code == "" {
				if err != nil || p.Kind != principal.AssumedRole || p.ARN() != "arn:aws:sts::123456789012:assumed-role/deploy/s" || p.UserID() != sess.ID+":s" {
					t.Fatalf("Authenticate = %+v, %v", p, err)
				}
				return
			}
			var ae *awserr.Error
			if !errors.As(err, &ae) || ae.Code != tc.code || ae.Message != "The security token included in the request is expired" || ae.Status != http.StatusForbidden {
				t.Fatalf("Authenticate = %v, want %s", err, tc.code)
			}
		})
	}
}

// TestResetSessionOnlyForIAMAndSTS: a console session whose password must
// be reset authenticates only through the IAM and STS pipeline
// (Authenticate, then narrowed by sessionRestriction); Verify, which the
// relying services, the Kubernetes webhook and the console's refresh
// use, refuses it for every service, sts and iam included.
func TestResetSessionOnlyForIAMAndSTS(t *testing.T) {
	keys, err := secret.CreateKeyring(filepath.Join(t.TempDir(), "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	sess := secret.Session{AccountID: "123456789012", AccessKeyID: secret.NewTemporaryAccessKeyID(), Secret: secret.NewSecretAccessKey(),
		Kind: "console-user", ID: "AIDAALICE", Name: "alice", Path: "/", IssuedAt: now.Unix(), Expiration: now.Add(15 * time.Minute).Unix(),
		SignedInAt: now.UnixMilli(), ResetRequired: true}
	token, err := secret.SealSession(keys.Primary(), sess)
	if err != nil {
		t.Fatal(err)
	}
	noKeys := func(context.Context, string) (store.AccessKey, error) {
		return store.AccessKey{}, errors.New("a session must not read the store")
	}
	a := &Authenticator{Lookup: noKeys, Keys: keys, SessionKey: keys.Primary(), Cache: sigv4.NewSigningKeyCache(8)}
	signed := func(service string) (*http.Request, []byte) {
		body := []byte("Action=GetCallerIdentity&Version=2011-06-15")
		req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:7480/", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		sum := sha256.Sum256(body)
		creds := aws.Credentials{AccessKeyID: sess.AccessKeyID, SecretAccessKey: sess.Secret, SessionToken: token}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, "us-east-1", now); err != nil {
			t.Fatal(err)
		}
		return req, body
	}
	for _, service := range []string{"sts", "iam"} {
		req, body := signed(service)
		p, _, err := a.Authenticate(t.Context(), req, body, now)
		if err != nil || !p.Session.PasswordResetRequired {
			t.Fatalf("Authenticate (%s) = %+v, %v", service, p, err)
		}
		if err := sessionRestriction(p, service, "ListUsers"); err == nil {
			t.Fatalf("a reset session may call %s ListUsers", service)
		}
	}
	for _, service := range []string{"sts", "iam", "latchkey", "s3"} {
		req, body := signed(service)
		sr, err := sigv4.Parse(req, body, now)
		if err != nil {
			t.Fatal(err)
		}
		var ae *awserr.Error
		if p, err := a.Verify(t.Context(), sr, now); !errors.As(err, &ae) || ae.Code != "AccessDenied" {
			t.Fatalf("Verify (%s) of a reset session = %+v, %v; want AccessDenied", service, p, err)
		}
	}
}
