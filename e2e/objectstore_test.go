package e2e

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/latchkey/latchkey/internal/e2etest"
	"github.com/latchkey/latchkey/internal/sigv4"
	"github.com/latchkey/latchkey/relying"
)

// An example relying service: a minimal S3-compatible object store
// (PutObject, GetObject, HeadObject, ListObjectsV2; path-style
// /bucket/key) over a folder, behind relying.Verifier.

// objectStore serves the objects of dir: dir/BUCKET/ESCAPED-KEY.
type objectStore struct{ dir string }

// s3Questions maps a request to the S3 permission it needs.
func s3Questions(r *http.Request) []relying.Question {
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if key == "" {
		return []relying.Question{{Action: "s3:ListBucket", Resource: "arn:aws:s3:::" + bucket,
			Context: map[string][]string{"s3:prefix": {r.URL.Query().Get("prefix")}}}}
	}
	action := "s3:GetObject"
	if r.Method == http.MethodPut {
		action = "s3:PutObject"
	}
	return []relying.Question{{Action: action, Resource: "arn:aws:s3:::" + bucket + "/" + key}}
}

func (o *objectStore) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if bucket == "" || strings.ContainsAny(bucket, `/\.`) {
		relying.WriteError(w, &relying.Error{Code: "InvalidBucketName", Message: "The specified bucket is not valid.", HTTPStatus: 400})
		return
	}
	dir := filepath.Join(o.dir, bucket)
	switch {
	case key == "" && r.Method == http.MethodGet:
		o.list(w, r, bucket, dir)
	case key != "" && r.Method == http.MethodPut:
		o.put(w, r, dir, key)
	case key != "" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		f, err := os.Open(filepath.Join(dir, url.PathEscape(key)))
		if err != nil {
			relying.WriteError(w, &relying.Error{Code: "NoSuchKey", Message: "The specified key does not exist.", HTTPStatus: 404})
			return
		}
		defer f.Close()
		st, _ := f.Stat()
		b, _ := io.ReadAll(f)
		sum := md5.Sum(b)
		w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:])+`"`)
		w.Header().Set("Last-Modified", st.ModTime().UTC().Format(http.TimeFormat))
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", fmt.Sprint(len(b)))
		if r.Method == http.MethodGet {
			w.Write(b)
		}
	default:
		relying.WriteError(w, &relying.Error{Code: "NotImplemented", Message: "A header you provided implies functionality that is not implemented.", HTTPStatus: 501})
	}
}

// put writes the object once the whole body is read: a body that is not
// the one signed fails at its end and leaves nothing behind.
func (o *objectStore) put(w http.ResponseWriter, r *http.Request, dir, key string) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		relying.WriteError(w, &relying.Error{Code: "InternalError", Message: "We encountered an internal error. Please try again.", HTTPStatus: 500})
		return
	}
	tmp, err := os.CreateTemp(dir, ".upload-")
	if err != nil {
		relying.WriteError(w, &relying.Error{Code: "InternalError", Message: "We encountered an internal error. Please try again.", HTTPStatus: 500})
		return
	}
	defer os.Remove(tmp.Name())
	h := md5.New()
	_, err = io.Copy(io.MultiWriter(tmp, h), r.Body)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		var e *relying.Error
		if !errors.As(err, &e) {
			e = &relying.Error{Code: "IncompleteBody", Message: "You did not provide the number of bytes specified by the Content-Length HTTP header.", HTTPStatus: 400}
		}
		relying.WriteError(w, e)
		return
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, url.PathEscape(key))); err != nil {
		relying.WriteError(w, &relying.Error{Code: "InternalError", Message: "We encountered an internal error. Please try again.", HTTPStatus: 500})
		return
	}
	w.Header().Set("ETag", `"`+hex.EncodeToString(h.Sum(nil))+`"`)
}

type listBucketResult struct {
	XMLName        xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListBucketResult"`
	Name           string
	Prefix         string
	Delimiter      string `xml:",omitempty"`
	KeyCount       int
	MaxKeys        int
	IsTruncated    bool
	Contents       []listEntry
	CommonPrefixes []struct{ Prefix string }
}

type listEntry struct {
	Key          string
	LastModified string
	ETag         string
	Size         int64
	StorageClass string
}

func (o *objectStore) list(w http.ResponseWriter, r *http.Request, bucket, dir string) {
	q := r.URL.Query()
	prefix, delim := q.Get("prefix"), q.Get("delimiter")
	res := listBucketResult{Name: bucket, Prefix: prefix, Delimiter: delim, MaxKeys: 1000}
	entries, _ := os.ReadDir(dir)
	seen := map[string]bool{}
	for _, e := range entries {
		key, err := url.PathUnescape(e.Name())
		if err != nil || strings.HasPrefix(e.Name(), ".upload-") || !strings.HasPrefix(key, prefix) {
			continue
		}
		if delim != "" {
			if i := strings.Index(key[len(prefix):], delim); i >= 0 {
				p := key[:len(prefix)+i+len(delim)]
				if !seen[p] {
					seen[p] = true
					res.CommonPrefixes = append(res.CommonPrefixes, struct{ Prefix string }{p})
				}
				continue
			}
		}
		info, _ := e.Info()
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		sum := md5.Sum(b)
		res.Contents = append(res.Contents, listEntry{Key: key, LastModified: info.ModTime().UTC().Format("2006-01-02T15:04:05.000Z"),
			ETag: `"` + hex.EncodeToString(sum[:]) + `"`, Size: info.Size(), StorageClass: "STANDARD"})
	}
	sort.Slice(res.Contents, func(i, j int) bool { return res.Contents[i].Key < res.Contents[j].Key })
	res.KeyCount = len(res.Contents) + len(res.CommonPrefixes)
	w.Header().Set("Content-Type", "application/xml")
	io.WriteString(w, xml.Header)
	xml.NewEncoder(w).Encode(res)
}

// startObjectStore starts the store on srv (unstarted, its address
// registered as the service's host) behind a Verifier that calls Latchkey
// as svc, and returns its URL.
func startObjectStore(t testing.TB, s *e2etest.Server, svc e2etest.Creds, srv *httptest.Server, opts relying.Options) (string, *relying.Verifier) {
	t.Helper()
	opts.Client = relying.NewClient(s.URL, svc.KeyID, svc.Secret)
	opts.Hosts = []string{srv.Listener.Addr().String()}
	if opts.Authorize == nil {
		opts.Authorize = s3Questions
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(testWriter{t}, nil))
	}
	v := relying.NewVerifier(opts)
	srv.Config.Handler = v.Handler(&objectStore{dir: t.TempDir()})
	srv.Start()
	t.Cleanup(srv.Close)
	t.Cleanup(v.Close)
	return srv.URL, v
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Logf("%s", bytes.TrimRight(p, "\n"))
	return len(p), nil
}

// registerObjects makes the relying service NAME (user NAME, allowed every
// latchkey action on its record), registered for region/s3 at host.
func registerObjects(tb testing.TB, s *e2etest.Server, name, region, host string) e2etest.Creds {
	tb.Helper()
	svc := userWithPolicy(tb, s, name, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"latchkey:*","Resource":"arn:aws:latchkey::123456789012:relying-service/`+name+`"}]}`)
	s.RunAdmin(tb, "relying-service", "add", "--account", "123456789012", "--name", name,
		"--principal", "arn:aws:iam::123456789012:user/"+name, "--scope", region+"/s3", "--host", host)
	return svc
}

// userWithPolicy creates a user with an access key and an inline policy.
func userWithPolicy(tb testing.TB, s *e2etest.Server, name, policy string) e2etest.Creds {
	tb.Helper()
	ctx := context.Background()
	root := s.GoIAM(e2etest.Root)
	if _, err := root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		tb.Fatal(err)
	}
	key, err := root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(policy)}); err != nil {
		tb.Fatal(err)
	}
	return e2etest.Creds{KeyID: *key.AccessKey.AccessKeyId, Secret: *key.AccessKey.SecretAccessKey}
}

// bufferedClient hands net/http bodies read in full (as e2etest's SDK
// clients do), so the SDK's body stream never races the response.
var bufferedClient = &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		b, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return nil, err
		}
		r = r.Clone(r.Context())
		r.Body = io.NopCloser(bytes.NewReader(b))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
		r.ContentLength = int64(len(b))
	}
	return http.DefaultTransport.RoundTrip(r)
})}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// s3Client is aws-sdk-go-v2's S3 client for the store: path-style, the
// service's region, no retries.
func s3Client(endpoint string, c e2etest.Creds, region string) *s3.Client {
	return s3.New(s3.Options{
		Region:           region,
		BaseEndpoint:     aws.String(endpoint),
		UsePathStyle:     true,
		Credentials:      credentials.NewStaticCredentialsProvider(c.KeyID, c.Secret, c.Token),
		RetryMaxAttempts: 1,
		HTTPClient:       bufferedClient,
	})
}

func s3Code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func httpStatus(err error) int {
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

const readPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}]}`

// TestObjectStore: an object store trusting Latchkey through the relying
// package, driven by aws-sdk-go-v2's S3 client and the AWS CLI. A reader
// reads and cannot write; a deactivated key stops within the bound (1 s);
// a request signed for another service's scope does not verify; with
// Latchkey stopped, requests fail closed.
func TestObjectStore(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	root := s.GoIAM(e2etest.Root)

	srv := httptest.NewUnstartedServer(nil)
	host := srv.Listener.Addr().String()
	svc := registerObjects(t, s, "objects", objectsRegion, host)
	store, verifier := startObjectStore(t, s, svc, srv, relying.Options{})

	alice := userWithPolicy(t, s, "alice", readPolicy)
	bob := userWithPolicy(t, s, "bob", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::bucket","arn:aws:s3:::bucket/*"]}]}`)

	// The SDK: bob writes and lists, alice reads and cannot write.
	bobS3, aliceS3 := s3Client(store, bob, objectsRegion), s3Client(store, alice, objectsRegion)
	if _, err := bobS3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String("reports/q1.txt"), Body: strings.NewReader("first quarter")}); err != nil {
		t.Fatalf("PutObject by a writer: %v", err)
	}
	// A key that S3's clients encode (space, plus, non-ASCII): signed with
	// the key encoded once, as S3 canonicalizes it.
	odd := "odd keys/q1 + summary €.txt"
	if _, err := bobS3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String(odd), Body: strings.NewReader("odd")}); err != nil {
		t.Fatalf("PutObject of %q: %v", odd, err)
	}
	if got, err := aliceS3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String(odd)}); err != nil {
		t.Fatalf("GetObject of %q: %v", odd, err)
	} else {
		got.Body.Close()
	}
	list, err := bobS3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("bucket"), Prefix: aws.String("reports/")})
	if err != nil || len(list.Contents) != 1 || *list.Contents[0].Key != "reports/q1.txt" || *list.Contents[0].Size != int64(len("first quarter")) {
		t.Fatalf("ListObjectsV2: %+v %v", list, err)
	}
	got, err := aliceS3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String("reports/q1.txt")})
	if err != nil {
		t.Fatalf("GetObject by a reader: %v", err)
	}
	body, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if string(body) != "first quarter" {
		t.Fatalf("GetObject: %q", body)
	}
	if _, err := aliceS3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String("reports/q2.txt"), Body: strings.NewReader("x")}); s3Code(err) != "AccessDenied" || httpStatus(err) != 403 {
		t.Fatalf("PutObject by a reader: %v", err)
	}
	if _, err := aliceS3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("bucket")}); s3Code(err) != "AccessDenied" {
		t.Fatalf("ListObjectsV2 by a reader: %v", err)
	}
	if _, err := s3Client(store, e2etest.Creds{KeyID: alice.KeyID, Secret: "not-" + alice.Secret}, objectsRegion).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String("reports/q1.txt")}); s3Code(err) != "SignatureDoesNotMatch" {
		t.Fatalf("GetObject with a wrong secret: %v", err)
	}

	// The AWS CLI.
	dir := t.TempDir()
	local := filepath.Join(dir, "q3.txt")
	if err := os.WriteFile(local, []byte("third quarter"), 0o600); err != nil {
		t.Fatal(err)
	}
	cli := func(c e2etest.Creds, args ...string) (string, string, error) {
		return s.AWSCLI(t, c, append([]string{"--endpoint-url", store, "--region", objectsRegion}, args...)...)
	}
	if out, errOut, err := cli(bob, "s3", "cp", local, "s3://bucket/reports/q3.txt"); err != nil {
		t.Fatalf("aws s3 cp up by a writer: %v\n%s%s", err, out, errOut)
	}
	out, errOut, err := cli(bob, "s3", "ls", "s3://bucket/reports/")
	if err != nil || !strings.Contains(out, "q1.txt") || !strings.Contains(out, "q3.txt") {
		t.Fatalf("aws s3 ls by a writer: %v\n%s%s", err, out, errOut)
	}
	if out, errOut, err := cli(alice, "s3", "cp", "s3://bucket/reports/q3.txt", filepath.Join(dir, "down.txt")); err != nil {
		t.Fatalf("aws s3 cp down by a reader: %v\n%s%s", err, out, errOut)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "down.txt")); string(b) != "third quarter" {
		t.Fatalf("aws s3 cp down: %q", b)
	}
	if out, errOut, err := cli(alice, "s3", "cp", local, "s3://bucket/reports/q4.txt"); err == nil || !strings.Contains(errOut, "AccessDenied") {
		t.Fatalf("aws s3 cp up by a reader: %v\n%s%s", err, out, errOut)
	}
	if out, errOut, err := cli(alice, "s3", "ls", "s3://bucket/"); err == nil || !strings.Contains(errOut, "AccessDenied") {
		t.Fatalf("aws s3 ls by a reader: %v\n%s%s", err, out, errOut)
	}
	if keys, _, heard := verifier.CacheStats(); keys == 0 || !heard {
		t.Fatalf("no local verification: %d keys, feed heard %v", keys, heard)
	}

	// Another service, in another region, with its own signing keys.
	otherSrv := httptest.NewUnstartedServer(nil)
	other := registerObjects(t, s, "other", "other-1", otherSrv.Listener.Addr().String())
	otherStore, _ := startObjectStore(t, s, other, otherSrv, relying.Options{})
	if _, err := s3Client(otherStore, bob, "other-1").PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String("o.txt"), Body: strings.NewReader("o")}); err != nil {
		t.Fatalf("the other service, its own region: %v", err)
	}
	// A request signed for the objects service, sent to the other one.
	if _, err := s3Client(otherStore, bob, objectsRegion).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String("o.txt")}); s3Code(err) != "SignatureDoesNotMatch" {
		t.Fatalf("objects' scope at the other service: %v", err)
	}
	// And the other's scope at the objects service.
	if _, err := s3Client(store, bob, "other-1").GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String("reports/q1.txt")}); s3Code(err) != "SignatureDoesNotMatch" {
		t.Fatalf("the other's scope at the objects service: %v", err)
	}
	// The other's signing key for bob does not verify bob's request to
	// the objects service, and the other gets no key of objects' scope.
	otherClient := relying.NewClient(s.URL, other.KeyID, other.Secret)
	day := time.Now().UTC().Format("20060102")
	otherKey, err := otherClient.SigningKey(ctx, relying.SigningKeyInput{AccessKeyID: bob.KeyID, Date: day, Region: "other-1", Service: "s3"})
	if err != nil {
		t.Fatal(err)
	}
	req := signedS3Request(t, bob, "GET", host, "/bucket/reports/q1.txt", objectsRegion)
	sr, err := sigv4.Parse(req, nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	sr.PayloadHash = sigv4.EmptyPayloadHash
	if err := sr.VerifyWithSigningKey(otherKey.Key); !errors.Is(err, sigv4.ErrSignatureMismatch) {
		t.Fatalf("the other's key verified an objects request: %v", err)
	}
	var ce *relying.CallError
	if _, err := otherClient.SigningKey(ctx, relying.SigningKeyInput{AccessKeyID: bob.KeyID, Date: day, Region: objectsRegion, Service: "s3"}); !errors.As(err, &ce) || ce.StatusCode != 403 || ce.Code != "AccessDenied" {
		t.Fatalf("a key of objects' scope for the other service: %v", err)
	}

	// Deactivating alice's key stops her within the bound.
	if _, err := aliceS3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bucket"), Key: aws.String("reports/q1.txt")}); err != nil {
		t.Fatal(err)
	}
	keysBefore, _, _ := verifier.CacheStats()
	must[*iam.UpdateAccessKeyOutput](t)(root.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: aws.String(alice.KeyID), Status: "Inactive"}))
	revoked := time.Now()
	var allowedAfter int
	for {
		_, err := aliceS3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bucket"), Key: aws.String("reports/q1.txt")})
		if err != nil {
			if httpStatus(err) != 403 {
				t.Fatalf("a deactivated key: %v", err)
			}
			break
		}
		allowedAfter++
		if time.Since(revoked) > 2*time.Second {
			t.Fatalf("a deactivated key still reads %v after the deactivation", time.Since(revoked))
		}
		time.Sleep(2 * time.Millisecond)
	}
	bound := time.Since(revoked)
	t.Logf("a deactivated key was refused %v after UpdateAccessKey answered (%d requests still served meanwhile; %d keys cached before)", bound, allowedAfter, keysBefore)
	if bound >= time.Second {
		t.Fatalf("revocation bound: %v, want < 1s", bound)
	}
	if _, err := aliceS3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String("reports/q1.txt")}); s3Code(err) != "InvalidClientTokenId" {
		t.Fatalf("GetObject with a deactivated key: %v", err)
	}

	// Latchkey gone: requests fail closed, a key cached or not.
	if _, err := bobS3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bucket"), Key: aws.String("reports/q1.txt")}); err != nil {
		t.Fatal(err)
	}
	// Killed rather than stopped: a graceful stop waits for the feed's
	// long poll, and the point is the moment Latchkey is gone.
	s.Kill()
	stopped := time.Now()
	for {
		_, err := bobS3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bucket"), Key: aws.String("reports/q1.txt")})
		if httpStatus(err) == 503 {
			break
		}
		if time.Since(stopped) > time.Second {
			t.Fatalf("Latchkey stopped %v ago: %v", time.Since(stopped), err)
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Logf("with Latchkey gone, requests failed closed %v after it exited", time.Since(stopped))
	if _, err := bobS3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String("reports/q1.txt")}); s3Code(err) != "ServiceUnavailable" {
		t.Fatalf("GetObject with Latchkey stopped: %v", err)
	}
	if _, err := s3Client(store, other, objectsRegion).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String("reports/q1.txt")}); httpStatus(err) != 503 {
		t.Fatalf("a key never cached, Latchkey stopped: %v", err)
	}
}

// signedS3Request is a GET as an S3 client signs it for region.
func signedS3Request(t testing.TB, c e2etest.Creds, method, host, path, region string) *http.Request {
	t.Helper()
	req := httptest.NewRequest(method, "http://"+host+path, nil)
	req.Header.Set("X-Amz-Content-Sha256", sigv4.EmptyPayloadHash)
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: c.KeyID, SecretAccessKey: c.Secret, SessionToken: c.Token},
		req, sigv4.EmptyPayloadHash, "s3", region, time.Now()); err != nil {
		t.Fatal(err)
	}
	return req
}

// BenchmarkMiddlewareVerify measures the Verifier alone (no network to
// the store, a handler that does nothing): one signed GetObject replayed,
// verified locally with the cached signing key, or by Latchkey (/verify)
// for each request; with and without an authorize question (decisions
// cached locally; asked with each /verify remotely).
//
//	go test -run '^$' -bench BenchmarkMiddlewareVerify -benchtime 2s ./e2e
func BenchmarkMiddlewareVerify(b *testing.B) {
	s := e2etest.Start(b, e2etest.Options{})
	const host = "objects.example"
	svc := registerObjects(b, s, "objects", objectsRegion, host)
	alice := userWithPolicy(b, s, "alice", readPolicy)
	for _, bc := range []struct {
		name      string
		cacheSize int
		authorize bool
	}{
		{"local", 0, false},
		{"local+authorize", 0, true},
		{"remote", -1, false},
		{"remote+authorize", -1, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			opts := relying.Options{Client: relying.NewClient(s.URL, svc.KeyID, svc.Secret), Hosts: []string{host}, CacheSize: bc.cacheSize,
				Logger: slog.New(slog.DiscardHandler)}
			if bc.authorize {
				opts.Authorize = s3Questions
			}
			v := relying.NewVerifier(opts)
			defer v.Close()
			h := v.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
			req := signedS3Request(b, alice, "GET", host, "/bucket/report.txt", objectsRegion)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != 200 {
				b.Fatalf("warm-up: %d %s", w.Code, w.Body)
			}
			b.ResetTimer()
			start := time.Now()
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != 200 {
					b.Fatalf("%d %s", w.Code, w.Body)
				}
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "verifications/s")
		})
	}
}
