package relying_test

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/latchkey/latchkey/relying"
)

const (
	aliceKey = "AKIAALICEEXAMPLE0001"
	bobKey   = "AKIABOBEXAMPLE000001"
)

// objectsFixture is a fake Latchkey and a service behind a Verifier that
// echoes the principal, or reads the body and answers its error.
type objectsFixture struct {
	latchkey *fakeLatchkey
	verifier *relying.Verifier
	server   *httptest.Server
	clock    atomic.Int64 // offset added to time.Now, ns
}

func newObjects(t *testing.T, opts relying.Options) *objectsFixture {
	t.Helper()
	f := &objectsFixture{latchkey: newFakeLatchkey("objects-1/s3")}
	t.Cleanup(f.latchkey.Close)
	f.latchkey.addUser(aliceKey, "alice-secret", "alice", "s3:GetObject *")
	f.latchkey.addUser(bobKey, "bob-secret", "bob", "s3:GetObject *", "s3:PutObject *")
	opts.Client = relying.NewClient(f.latchkey.URL, "AKIASERVICEEXAMPLE01", "service-secret")
	if testing.Verbose() {
		opts.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	} else {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	opts.Now = func() time.Time { return time.Now().Add(time.Duration(f.clock.Load())) }
	f.verifier = relying.NewVerifier(opts)
	t.Cleanup(f.verifier.Close)
	f.server = httptest.NewServer(f.verifier.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); err != nil {
			var e *relying.Error
			if errors.As(err, &e) {
				relying.WriteError(w, e)
				return
			}
			http.Error(w, err.Error(), 500)
			return
		}
		p, _ := relying.PrincipalFrom(r.Context())
		io.WriteString(w, p.ARN)
	})))
	t.Cleanup(f.server.Close)
	return f
}

// do sends a request signed as an S3 client signs (x-amz-content-sha256
// of body, or of signedBody when given) and returns status and body.
func (f *objectsFixture) do(t *testing.T, keyID, secret, method, path string, body []byte, signedBody ...[]byte) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, f.server.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	signed := body
	if len(signedBody) > 0 {
		signed = signedBody[0]
	}
	req.Header.Set("X-Amz-Content-Sha256", sha256Hex(signed))
	if err := v4.NewSigner().SignHTTP(t.Context(), aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret}, req, sha256Hex(signed), "s3", "objects-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func code(body string) string {
	_, c, _ := strings.Cut(body, "<Code>")
	c, _, _ = strings.Cut(c, "</Code>")
	return c
}

// TestLocalVerification: concurrent requests of one key cost one
// signing-key fetch and no /verify; a wrong secret, a changed body and a
// scope the service does not have are refused with AWS's errors.
func TestLocalVerification(t *testing.T) {
	f := newObjects(t, relying.Options{})
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if status, body := f.do(t, aliceKey, "alice-secret", "GET", "/bucket/a", nil); status != 200 || body != "arn:aws:iam::123456789012:user/alice" {
				t.Errorf("GET: %d %s", status, body)
			}
		}()
	}
	wg.Wait()
	if n, v := f.latchkey.count("signing-keys"), f.latchkey.count("verify"); n != 1 || v != 0 {
		t.Fatalf("signing-keys calls %d, verify calls %d; want 1 and 0", n, v)
	}
	if status, body := f.do(t, aliceKey, "wrong", "GET", "/bucket/a", nil); status != 403 || code(body) != "SignatureDoesNotMatch" {
		t.Errorf("a wrong secret: %d %s", status, body)
	}
	if status, body := f.do(t, bobKey, "bob-secret", "PUT", "/bucket/a", []byte("jello"), []byte("hello")); status != 400 || code(body) != "XAmzContentSHA256Mismatch" {
		t.Errorf("a changed body: %d %s", status, body)
	}
	if status, body := f.do(t, bobKey, "bob-secret", "PUT", "/bucket/a", []byte("hello")); status != 200 {
		t.Errorf("PUT: %d %s", status, body)
	}
	// Unsigned: refused here, without a call.
	resp, err := http.Get(f.server.URL + "/bucket/a")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 403 || code(string(b)) != "MissingAuthenticationToken" {
		t.Errorf("unsigned: %d %s", resp.StatusCode, b)
	}
	if keys, _, heard := f.verifier.CacheStats(); keys != 2 || !heard {
		t.Errorf("cache: %d keys, feed heard %v", keys, heard)
	}
}

// TestUnknownKeyAsksLatchkey: a key Latchkey refuses is answered with
// /verify's error, not a 503.
func TestUnknownKeyAsksLatchkey(t *testing.T) {
	f := newObjects(t, relying.Options{})
	if status, body := f.do(t, "AKIANOSUCHKEY0000000", "x", "GET", "/bucket/a", nil); status != 403 || code(body) != "InvalidClientTokenId" {
		t.Fatalf("an unknown key: %d %s", status, body)
	}
	if f.latchkey.count("verify") != 1 {
		t.Fatalf("verify calls: %d", f.latchkey.count("verify"))
	}
}

// TestRevocationDropsKey: a deactivation in the feed drops the key at
// once; the next request is refused.
func TestRevocationDropsKey(t *testing.T) {
	f := newObjects(t, relying.Options{})
	if status, _ := f.do(t, aliceKey, "alice-secret", "GET", "/bucket/a", nil); status != 200 {
		t.Fatal(status)
	}
	if status, _ := f.do(t, bobKey, "bob-secret", "GET", "/bucket/a", nil); status != 200 {
		t.Fatal(status)
	}
	time.Sleep(50 * time.Millisecond) // the feed polls
	start := time.Now()
	f.latchkey.revoke(relying.AccessKeyDeactivated, aliceKey)
	for {
		status, body := f.do(t, aliceKey, "alice-secret", "GET", "/bucket/a", nil)
		if status == 403 && code(body) == "InvalidClientTokenId" {
			break
		}
		if time.Since(start) > time.Second {
			t.Fatalf("still %d %s after %v", status, body, time.Since(start))
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Logf("refused %v after the revocation", time.Since(start))
	if keys, _, _ := f.verifier.CacheStats(); keys != 1 {
		t.Errorf("bob's key should stay: %d keys", keys)
	}
	// A policy change drops decisions only; a store change everything.
	f.latchkey.revoke(relying.StoreChanged, "")
	deadline := time.Now().Add(time.Second)
	for keys, _, _ := f.verifier.CacheStats(); keys != 0; keys, _, _ = f.verifier.CacheStats() {
		if time.Now().After(deadline) {
			t.Fatalf("StoreChanged left %d keys", keys)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestDecisions: a question denied is AccessDenied; answers are reused,
// and a policy change drops them.
func TestDecisions(t *testing.T) {
	f := newObjects(t, relying.Options{Authorize: func(r *http.Request) []relying.Question {
		action := map[string]string{"GET": "s3:GetObject", "PUT": "s3:PutObject"}[r.Method]
		return []relying.Question{{Action: action, Resource: "arn:aws:s3:::" + strings.TrimPrefix(r.URL.Path, "/")}}
	}})
	if status, body := f.do(t, aliceKey, "alice-secret", "PUT", "/bucket/a", []byte("x")); status != 403 || code(body) != "AccessDenied" {
		t.Fatalf("PUT by a reader: %d %s", status, body)
	}
	for range 3 {
		if status, body := f.do(t, aliceKey, "alice-secret", "GET", "/bucket/a", nil); status != 200 {
			t.Fatalf("GET: %d %s", status, body)
		}
	}
	if n := f.latchkey.count("authorize"); n != 2 {
		t.Fatalf("authorize calls: %d, want 2", n)
	}
	time.Sleep(50 * time.Millisecond)
	f.latchkey.revoke(relying.PolicyChanged, "user/alice")
	deadline := time.Now().Add(time.Second)
	for _, d, _ := f.verifier.CacheStats(); d != 0; _, d, _ = f.verifier.CacheStats() {
		if time.Now().After(deadline) {
			t.Fatalf("PolicyChanged left %d decisions", d)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if keys, _, _ := f.verifier.CacheStats(); keys != 1 {
		t.Fatalf("a policy change dropped the signing key")
	}
}

// TestFeedNotHeard: a failing feed drops the cache and sends requests to
// /verify; a silent one too, after 2×FeedWait + 5 s; when it answers again
// verification is local again.
func TestFeedNotHeard(t *testing.T) {
	f := newObjects(t, relying.Options{FeedWait: time.Second})
	f.do(t, aliceKey, "alice-secret", "GET", "/bucket/a", nil)
	f.latchkey.mu.Lock()
	f.latchkey.feedDown = true
	f.latchkey.mu.Unlock()
	deadline := time.Now().Add(3 * time.Second)
	for _, _, heard := f.verifier.CacheStats(); heard; _, _, heard = f.verifier.CacheStats() {
		if time.Now().After(deadline) {
			t.Fatal("a failing feed is still taken as heard")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if status, _ := f.do(t, aliceKey, "alice-secret", "GET", "/bucket/a", nil); status != 200 || f.latchkey.count("verify") != 1 {
		t.Fatalf("while the feed fails: %d, verify calls %d", status, f.latchkey.count("verify"))
	}
	if keys, _, _ := f.verifier.CacheStats(); keys != 0 {
		t.Fatalf("%d keys kept while the feed fails", keys)
	}
	f.latchkey.mu.Lock()
	f.latchkey.feedDown = false
	f.latchkey.mu.Unlock()
	deadline = time.Now().Add(8 * time.Second)
	for _, _, heard := f.verifier.CacheStats(); !heard; _, _, heard = f.verifier.CacheStats() {
		if time.Now().After(deadline) {
			t.Fatal("the feed is not heard again")
		}
		time.Sleep(10 * time.Millisecond)
	}
	f.do(t, aliceKey, "alice-secret", "GET", "/bucket/a", nil)
	verifies := f.latchkey.count("verify")
	f.do(t, aliceKey, "alice-secret", "GET", "/bucket/a", nil)
	if f.latchkey.count("verify") != verifies {
		t.Fatal("not local again after the feed came back")
	}
	// Silence: the clock moves past 2×FeedWait + 5 s with no answer.
	f.clock.Store(int64(8 * time.Second))
	if _, _, heard := f.verifier.CacheStats(); heard {
		t.Fatal("a silent feed is taken as heard")
	}
	f.do(t, aliceKey, "alice-secret", "GET", "/bucket/a", nil)
	if f.latchkey.count("verify") != verifies+1 {
		t.Fatal("a silent feed: not verified remotely")
	}
}

// TestFailClosed: Latchkey gone, requests are 503, cached key or not.
func TestFailClosed(t *testing.T) {
	f := newObjects(t, relying.Options{})
	f.do(t, aliceKey, "alice-secret", "GET", "/bucket/a", nil)
	f.latchkey.CloseClientConnections()
	f.latchkey.Close()
	start := time.Now()
	for {
		status, body := f.do(t, aliceKey, "alice-secret", "GET", "/bucket/a", nil)
		if status == 503 && code(body) == "ServiceUnavailable" {
			break
		}
		if time.Since(start) > time.Second {
			t.Fatalf("Latchkey gone: still %d %s", status, body)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if status, _ := f.do(t, bobKey, "bob-secret", "GET", "/bucket/a", nil); status != 503 {
		t.Fatalf("a key never cached: %d", status)
	}
}

// TestExpiredPosition: a 410 drops everything; the next key restarts the
// feed.
func TestExpiredPosition(t *testing.T) {
	f := newObjects(t, relying.Options{FeedWait: 100 * time.Millisecond})
	f.do(t, aliceKey, "alice-secret", "GET", "/bucket/a", nil)
	f.latchkey.mu.Lock()
	f.latchkey.first = 100
	f.latchkey.mu.Unlock()
	deadline := time.Now().Add(2 * time.Second)
	for keys, _, _ := f.verifier.CacheStats(); keys != 0; keys, _, _ = f.verifier.CacheStats() {
		if time.Now().After(deadline) {
			t.Fatal("a 410 left the cache")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestRefreshAhead: a key used near its end is fetched again in the
// background; the request does not wait.
func TestRefreshAhead(t *testing.T) {
	f := newObjects(t, relying.Options{KeyTTL: 40 * time.Second, RefreshAhead: 20 * time.Second})
	f.do(t, aliceKey, "alice-secret", "GET", "/bucket/a", nil)
	// Past the latest refresh point (1.1×40 s − 20 s), before the earliest
	// end (0.9×40 s), while the feed is still heard (2×20 s + 5 s).
	f.clock.Store(int64(30 * time.Second))
	if status, _ := f.do(t, aliceKey, "alice-secret", "GET", "/bucket/a", nil); status != 200 {
		t.Fatal(status)
	}
	deadline := time.Now().Add(time.Second)
	for f.latchkey.count("signing-keys") != 2 {
		if time.Now().After(deadline) {
			t.Fatalf("signing-keys calls: %d, want a refresh", f.latchkey.count("signing-keys"))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestBoundedCache: the cache holds at most CacheSize keys.
func TestBoundedCache(t *testing.T) {
	f := newObjects(t, relying.Options{CacheSize: 2})
	for i := range 5 {
		id := "AKIAUSER" + strings.Repeat(string(rune('A'+i)), 12)
		f.latchkey.addUser(id, "s", "u"+string(rune('a'+i)))
		if status, body := f.do(t, id, "s", "GET", "/bucket/a", nil); status != 200 {
			t.Fatalf("%d %s", status, body)
		}
	}
	if keys, _, _ := f.verifier.CacheStats(); keys != 2 {
		t.Fatalf("%d keys held, want 2", keys)
	}
}

// TestRemoteOnly: CacheSize < 0 sends every request to /verify.
func TestRemoteOnly(t *testing.T) {
	f := newObjects(t, relying.Options{CacheSize: -1})
	for range 3 {
		if status, body := f.do(t, aliceKey, "alice-secret", "GET", "/bucket/a", nil); status != 200 {
			t.Fatalf("%d %s", status, body)
		}
	}
	if status, body := f.do(t, bobKey, "bob-secret", "PUT", "/bucket/a", []byte("jello"), []byte("hello")); status != 400 || code(body) != "XAmzContentSHA256Mismatch" {
		t.Errorf("a changed body: %d %s", status, body)
	}
	if n, v := f.latchkey.count("signing-keys"), f.latchkey.count("verify"); n != 0 || v != 4 {
		t.Fatalf("signing-keys %d, verify %d", n, v)
	}
}
