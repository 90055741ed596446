package console_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/latchkey/latchkey/internal/app"
	"github.com/latchkey/latchkey/internal/console"
	"github.com/latchkey/latchkey/internal/password"
	"github.com/latchkey/latchkey/internal/server"
	"github.com/latchkey/latchkey/internal/sigv4"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/sts"
)

// clock is the handler's time, moved by the test.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

const account = "123456789012"

// newHandler is a console handler on a fresh data dir with a user alice
// whose password "Correct-Horse-9" was set at the clock's time.
func newHandler(t *testing.T, c *clock) (*console.Handler, *app.Data) {
	t.Helper()
	ctx := t.Context()
	d, err := app.Open(ctx, app.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.CreateAccount(ctx, app.RootCredentials{AccountID: account}); err != nil {
		t.Fatal(err)
	}
	if err := d.Store.CreateUser(ctx, store.User{AccountID: account, ID: "AIDAALICE", Name: "alice", Path: "/", CreatedAt: c.t}); err != nil {
		t.Fatal(err)
	}
	hash, err := password.Hash("Correct-Horse-9", password.Default)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Store.CreateLoginProfile(ctx, store.LoginProfile{AccountID: account, UserName: "alice", PasswordHash: hash, CreatedAt: c.t, PasswordChangedAt: c.t}); err != nil {
		t.Fatal(err)
	}
	auth := &server.Authenticator{Lookup: d.Store.GetAccessKey, Keys: d.Keys, SessionKey: d.SessionKey, Cache: sigv4.NewSigningKeyCache(16)}
	h := &console.Handler{Store: d.Store, Auth: auth, STS: &sts.Service{Store: d.Store, SessionKey: d.SessionKey},
		IdleTimeout: 15 * time.Minute, MaxSession: time.Hour, Now: c.now}
	return h, d
}

type answer struct {
	status int
	body   map[string]any
}

func (a answer) code() string { s, _ := a.body["Code"].(string); return s }

func post(t *testing.T, h http.Handler, path string, body any, signer *aws.Credentials, at time.Time) answer {
	t.Helper()
	raw, _ := json.Marshal(body)
	r := httptest.NewRequest(http.MethodPost, "http://console.test"+path, bytes.NewReader(raw))
	r.Header.Set("Content-Type", "application/json")
	if signer != nil {
		sum := sha256.Sum256(raw)
		if err := v4.NewSigner().SignHTTP(context.Background(), *signer, r, hex.EncodeToString(sum[:]), "latchkey", "us-east-1", at); err != nil {
			t.Fatal(err)
		}
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	a := answer{status: w.Code}
	if err := json.Unmarshal(w.Body.Bytes(), &a.body); err != nil {
		t.Fatalf("%s: HTTP %d, not JSON: %s", path, w.Code, w.Body)
	}
	return a
}

func signIn(t *testing.T, h http.Handler, at time.Time) answer {
	t.Helper()
	return post(t, h, console.APIPrefix+"sign-in", map[string]any{"Account": account, "UserName": "alice", "Password": "Correct-Horse-9"}, nil, at)
}

func sessionOf(t *testing.T, a answer) *aws.Credentials {
	t.Helper()
	c, ok := a.body["Credentials"].(map[string]any)
	if a.status != http.StatusOK || !ok {
		t.Fatalf("HTTP %d %v", a.status, a.body)
	}
	return &aws.Credentials{AccessKeyID: c["AccessKeyId"].(string), SecretAccessKey: c["SecretAccessKey"].(string), SessionToken: c["SessionToken"].(string)}
}

// TestPasswordExpiry: under a policy with MaxPasswordAge, a password past
// its age signs in only to choose a new one; with HardExpiry it does not
// sign in at all (PasswordExpired), and the attempt is not a guess.
func TestPasswordExpiry(t *testing.T) {
	set := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	c := &clock{t: set}
	h, d := newHandler(t, c)
	policy := store.PasswordPolicy{AccountID: account, MinimumPasswordLength: 8, MaxPasswordAge: 30}
	if err := d.Store.PutPasswordPolicy(t.Context(), policy); err != nil {
		t.Fatal(err)
	}
	c.t = set.AddDate(0, 0, 29)
	if a := signIn(t, h, c.t); a.status != http.StatusOK || a.body["PasswordResetRequired"] != false {
		t.Fatalf("day 29: HTTP %d %v", a.status, a.body)
	}
	// A session signed in just before the password expires is not
	// renewed once it has.
	c.t = set.AddDate(0, 0, 30).Add(-5 * time.Minute)
	creds := sessionOf(t, signIn(t, h, c.t))
	c.t = set.AddDate(0, 0, 30).Add(time.Minute)
	if r := post(t, h, console.APIPrefix+"refresh", map[string]any{}, creds, c.t); r.status != http.StatusForbidden || r.code() != "AccessDenied" {
		t.Fatalf("refresh once the password expired: HTTP %d %v", r.status, r.body)
	}
	c.t = set.AddDate(0, 0, 30)
	if a := signIn(t, h, c.t); a.status != http.StatusOK || a.body["PasswordResetRequired"] != true {
		t.Fatalf("day 30: HTTP %d %v", a.status, a.body)
	}
	policy.HardExpiry = true
	if err := d.Store.PutPasswordPolicy(t.Context(), policy); err != nil {
		t.Fatal(err)
	}
	for range 8 { // more than the limiter's five failures a user
		if a := signIn(t, h, c.t); a.status != http.StatusForbidden || a.code() != "PasswordExpired" {
			t.Fatalf("hard expiry: HTTP %d %v", a.status, a.body)
		}
	}
}

// TestSessionLength: a console session lives the idle timeout; refreshes
// extend it up to MaxSession after the sign-in, never past it.
func TestSessionLength(t *testing.T) {
	start := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	c := &clock{t: start}
	h, _ := newHandler(t, c)
	a := signIn(t, h, c.t)
	if a.body["Credentials"].(map[string]any)["Expiration"] != "2026-01-01T12:15:00Z" || a.body["SessionEndsAt"] != "2026-01-01T13:00:00Z" {
		t.Fatalf("sign-in: %v", a.body)
	}
	creds := sessionOf(t, a)
	// Past the idle timeout, the session is refused, and so is its refresh.
	c.t = start.Add(16 * time.Minute)
	if r := post(t, h, console.APIPrefix+"refresh", map[string]any{}, creds, c.t); r.status != http.StatusForbidden || r.code() != "ExpiredToken" {
		t.Fatalf("refresh after the idle timeout: HTTP %d %v", r.status, r.body)
	}
	// Refreshed in time, again and again: the last one ends with the session.
	c.t = start.Add(10 * time.Minute)
	for range 5 { // at 10, 20, 30, 40 and 50 minutes
		r := post(t, h, console.APIPrefix+"refresh", map[string]any{}, creds, c.t)
		creds = sessionOf(t, r)
		exp := r.body["Credentials"].(map[string]any)["Expiration"].(string)
		want := c.t.Add(15 * time.Minute)
		if end := start.Add(time.Hour); want.After(end) {
			want = end
		}
		if exp != want.Format(time.RFC3339) {
			t.Fatalf("refresh at %s expires %s, want %s", c.t.Format(time.TimeOnly), exp, want.Format(time.RFC3339))
		}
		c.t = c.t.Add(10 * time.Minute)
	}
	c.t = start.Add(time.Hour - time.Second)
	if r := post(t, h, console.APIPrefix+"refresh", map[string]any{}, creds, c.t); r.status != http.StatusOK {
		t.Fatalf("refresh a second before the end: HTTP %d %v", r.status, r.body)
	}
	c.t = start.Add(time.Hour)
	if r := post(t, h, console.APIPrefix+"refresh", map[string]any{}, creds, c.t); r.status != http.StatusForbidden {
		t.Fatalf("refresh at the session's end: HTTP %d %v", r.status, r.body)
	}
}

// TestSecurityHeaders: every console answer, page, asset, error or call,
// carries the security headers; the page is index.html.
func TestSecurityHeaders(t *testing.T) {
	h, _ := newHandler(t, &clock{t: time.Now()})
	names, err := console.Assets()
	if err != nil || len(names) == 0 {
		t.Fatalf("Assets() = %v, %v", names, err)
	}
	paths := []string{"/console/", "/console/no-such-file.js", "/console/../go.mod"}
	for _, n := range names {
		paths = append(paths, "/console/"+n)
	}
	for _, p := range paths {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "http://console.test"+p, nil))
		hd := w.Header()
		if hd.Get("Content-Security-Policy") != console.ContentSecurityPolicy || hd.Get("X-Frame-Options") != "DENY" ||
			hd.Get("Referrer-Policy") != "no-referrer" || hd.Get("X-Content-Type-Options") != "nosniff" || hd.Get("Cache-Control") != "no-store" {
			t.Errorf("GET %s: headers %v", p, hd)
		}
		switch {
		case p == "/console/":
			if w.Code != http.StatusOK || !strings.HasPrefix(hd.Get("Content-Type"), "text/html") || !strings.Contains(w.Body.String(), "<script type=\"module\"") {
				t.Errorf("GET /console/: HTTP %d %s", w.Code, hd.Get("Content-Type"))
			}
		case strings.Contains(p, "no-such") || strings.Contains(p, ".."):
			if w.Code != http.StatusNotFound {
				t.Errorf("GET %s: HTTP %d, want 404", p, w.Code)
			}
		case strings.HasSuffix(p, ".js"):
			if w.Code != http.StatusOK || !strings.HasPrefix(hd.Get("Content-Type"), "text/javascript") {
				t.Errorf("GET %s: HTTP %d %s", p, w.Code, hd.Get("Content-Type"))
			}
		}
	}
	a := post(t, h, console.APIPrefix+"sign-in", map[string]any{"Account": account, "UserName": "alice", "Password": "wrong"}, nil, time.Now())
	if a.status != http.StatusUnauthorized {
		t.Fatalf("wrong password: HTTP %d", a.status)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "http://console.test/console/", nil))
	if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Content-Security-Policy") == "" {
		t.Fatalf("POST /console/: HTTP %d %v", w.Code, w.Header())
	}
}
