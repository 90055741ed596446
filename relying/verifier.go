package relying

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/latchkey/latchkey/internal/sigv4"
)

// Options configure a Verifier. Only Client is required.
type Options struct {
	// Client calls Latchkey as the service.
	Client *Client
	// Hosts are the hosts the service answers at, as registered with
	// --host. A request addressed to another host is refused before any
	// call, as Latchkey refuses it. Set it to the registration's list:
	// requests verified locally are checked against it alone (empty: any
	// host, as for a registration without --host).
	Hosts []string
	// Authorize, when set, builds from a request the questions to ask for
	// its principal (say GET /bucket/key → s3:GetObject on
	// arn:aws:s3:::bucket/key). The request is served only when every
	// decision allows; otherwise the client is answered AccessDenied.
	// No question: any verified principal is served.
	Authorize func(r *http.Request) []Question
	// CacheSize bounds the signing keys and the decisions held (each);
	// default 10000. Negative: no cache, every request is verified by
	// Latchkey (/verify).
	CacheSize int
	// KeyTTL is how long a signing key is used before it is fetched
	// again, jittered by ±10 % and never past its NotAfter; default 10
	// minutes. Revocations end it sooner; the TTL bounds what the feed
	// cannot say.
	KeyTTL time.Duration
	// RefreshAhead: a key used within RefreshAhead of its end is fetched
	// again in the background, so that busy keys never expire in a
	// request's path; default KeyTTL/5.
	RefreshAhead time.Duration
	// DecisionTTL is how long an answer to the same questions for the
	// same credentials is reused; default 30 s; negative: never.
	// Conditions on the clock (aws:CurrentTime, aws:EpochTime) are judged
	// at the decision's time, up to DecisionTTL before the request.
	DecisionTTL time.Duration
	// FeedWait is the revocation feed's long-poll wait; default and cap
	// 20 s. The feed counts as silent after 2×FeedWait + 5 s without an
	// answer.
	FeedWait time.Duration
	// CallTimeout bounds each call to Latchkey in a request's path;
	// default 5 s.
	CallTimeout time.Duration
	// MaxBufferedBody bounds the body of a request that does not sign its
	// payload's hash (no x-amz-content-sha256): it is read here to hash it.
	// Default 8 MiB; larger bodies are refused with 413.
	MaxBufferedBody int64
	// Logger receives failures to reach Latchkey and the feed's state
	// changes; signature mismatches at debug level with the canonical
	// request. Default slog.Default().
	Logger *slog.Logger
	// WriteError renders a refusal; default WriteError (S3's XML).
	WriteError func(w http.ResponseWriter, r *http.Request, e *Error)
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Verifier verifies the SigV4 requests a relying service receives through
// Latchkey: locally, with signing keys fetched from Latchkey and cached,
// while the revocation feed is heard; remotely (/verify) otherwise. It is
// safe for concurrent use. Close stops its feed.
type Verifier struct {
	opts   Options
	client *Client
	log    *slog.Logger
	now    func() time.Time

	mu        sync.Mutex
	keys      *lru[keyID, *keyEntry]           // nil: no cache
	decisions *lru[decisionID, *decisionEntry] // nil: not cached
	// epoch counts the revocation batches applied and the drops: a
	// fetch that saw another epoch begin does not use its answer.
	epoch uint64
	feed  feedState

	fetches singleflight.Group
	stop    context.CancelFunc
	ctx     context.Context
	wg      sync.WaitGroup
}

// keyID is what makes a signing key reusable: the access key, the
// session it belongs to (by the token's hash), and the scope.
type keyID struct {
	accessKeyID string
	token       [sha256.Size]byte
	date        string
	region      string
	service     string
}

type keyEntry struct {
	key        []byte
	principal  Principal
	expires    time.Time // min(fetched + jittered TTL, NotAfter)
	refreshAt  time.Time
	refreshing bool
}

type decisionID struct {
	accessKeyID string
	token       [sha256.Size]byte
	questions   string // JSON
}

type decisionEntry struct {
	principal Principal
	decisions []Decision
	expires   time.Time
}

// NewVerifier returns a verifier with opts' defaults filled in.
func NewVerifier(opts Options) *Verifier {
	if opts.Client == nil {
		panic("relying: Options.Client is required")
	}
	if opts.CacheSize == 0 {
		opts.CacheSize = 10000
	}
	if opts.KeyTTL <= 0 {
		opts.KeyTTL = 10 * time.Minute
	}
	if opts.RefreshAhead <= 0 || opts.RefreshAhead >= opts.KeyTTL {
		opts.RefreshAhead = opts.KeyTTL / 5
	}
	if opts.DecisionTTL == 0 {
		opts.DecisionTTL = 30 * time.Second
	}
	if opts.FeedWait <= 0 || opts.FeedWait > 20*time.Second {
		opts.FeedWait = 20 * time.Second
	}
	if opts.CallTimeout <= 0 {
		opts.CallTimeout = 5 * time.Second
	}
	if opts.MaxBufferedBody <= 0 {
		opts.MaxBufferedBody = 8 << 20
	}
	if opts.WriteError == nil {
		opts.WriteError = func(w http.ResponseWriter, _ *http.Request, e *Error) { WriteError(w, e) }
	}
	v := &Verifier{opts: opts, client: opts.Client, log: opts.Logger, now: opts.Now}
	if v.log == nil {
		v.log = slog.Default()
	}
	if v.now == nil {
		v.now = time.Now
	}
	if opts.CacheSize > 0 {
		v.keys = newLRU[keyID, *keyEntry](opts.CacheSize)
		if opts.DecisionTTL > 0 {
			v.decisions = newLRU[decisionID, *decisionEntry](opts.CacheSize)
		}
	}
	v.ctx, v.stop = context.WithCancel(context.Background())
	return v
}

// Middleware is NewVerifier(opts).Handler(next), for a verifier that lives
// as long as the process.
func Middleware(next http.Handler, opts Options) http.Handler {
	return NewVerifier(opts).Handler(next)
}

// Close stops the revocation feed and waits for it; the verifier then
// verifies remotely only.
func (v *Verifier) Close() {
	v.stop()
	v.wg.Wait()
	v.mu.Lock()
	v.dropAllLocked()
	v.mu.Unlock()
}

type contextKey struct{}

type verified struct {
	principal *Principal
	decisions []Decision
}

// PrincipalFrom returns the principal the Verifier's handler verified for
// the request whose context ctx is.
func PrincipalFrom(ctx context.Context) (*Principal, bool) {
	v, ok := ctx.Value(contextKey{}).(*verified)
	if !ok {
		return nil, false
	}
	return v.principal, true
}

// DecisionsFrom returns the decisions on the questions Options.Authorize
// asked for the request whose context ctx is, in order.
func DecisionsFrom(ctx context.Context) []Decision {
	v, _ := ctx.Value(contextKey{}).(*verified)
	if v == nil {
		return nil
	}
	return v.decisions
}

// Handler verifies each request and serves it with next, the principal
// in its context (PrincipalFrom), or answers the client the AWS error:
// the signature's, AccessDenied when a decision does not allow, 503
// ServiceUnavailable when Latchkey cannot be asked.
func (v *Verifier) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var qs []Question
		if v.opts.Authorize != nil {
			qs = v.opts.Authorize(r)
		}
		p, ds, err := v.VerifyRequest(r, qs...)
		if err != nil {
			v.opts.WriteError(w, r, v.clientError(r, err))
			return
		}
		for _, d := range ds {
			if !d.Allowed() {
				v.opts.WriteError(w, r, &Error{Code: "AccessDenied", Message: "Access Denied", HTTPStatus: http.StatusForbidden})
				return
			}
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), contextKey{}, &verified{principal: p, decisions: ds})))
	})
}

// clientError is what the client is told of err: an *Error as it is,
// anything else (Latchkey unreachable, failing, refusing the service's
// own call) 503, with the cause in the log.
func (v *Verifier) clientError(r *http.Request, err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	v.log.Warn("relying: cannot verify a request", "method", r.Method, "path", r.URL.Path, "error", err)
	return unavailable
}

var unavailable = &Error{Code: "ServiceUnavailable", Message: "Service is unable to handle request.", HTTPStatus: http.StatusServiceUnavailable}

// WriteError renders e as S3 does: its HTTP status and
// <Error><Code/><Message/></Error>.
func WriteError(w http.ResponseWriter, e *Error) {
	status := e.HTTPStatus
	if status < 400 {
		status = http.StatusForbidden
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, xml.Header)
	_ = xml.NewEncoder(w).Encode(struct {
		XMLName xml.Name `xml:"Error"`
		Code    string
		Message string
	}{Code: e.Code, Message: e.Message})
}

// VerifyRequest verifies r, a request the service received, and answers
// the questions for its principal. It may replace r.Body: with the body
// it read to hash it, or with a reader that fails with
// XAmzContentSHA256Mismatch (an *Error) at the end of a body that is not
// the one x-amz-content-sha256 signs, so the handler must not commit what
// it read before the body's end.
//
// A refusal of the request is an *Error for the client; any other error
// means the request cannot be verified now (answer 503).
func (v *Verifier) VerifyRequest(r *http.Request, questions ...Question) (*Principal, []Decision, error) {
	now := v.now().UTC()
	sr, err := sigv4.Parse(r, nil, now)
	if err != nil {
		var se *sigv4.Error
		if errors.As(err, &se) {
			return nil, nil, &Error{Code: se.Kind.Code(), Message: se.Message, HTTPStatus: se.Kind.HTTPStatus()}
		}
		return nil, nil, err
	}
	if len(v.opts.Hosts) > 0 && !hostListed(v.opts.Hosts, r.Host) {
		return nil, nil, &Error{Code: "SignatureDoesNotMatch", Message: "The request was not addressed to a host of this service: '" + r.Host + "'.", HTTPStatus: http.StatusForbidden}
	}
	payloadHash, remote, err := v.payload(r, sr)
	if err != nil {
		return nil, nil, err
	}
	if v.keys == nil {
		return v.remote(r, remote, questions)
	}
	p, ds, err := v.local(r.Context(), sr, payloadHash, questions, now)
	if errors.Is(err, errAskLatchkey) {
		return v.remote(r, remote, questions)
	}
	return p, ds, err
}

// errAskLatchkey: local verification cannot answer; Latchkey will.
var errAskLatchkey = errors.New("verify remotely")

func (v *Verifier) remote(r *http.Request, p Payload, qs []Question) (*Principal, []Decision, error) {
	ctx, cancel := context.WithTimeout(r.Context(), v.opts.CallTimeout)
	defer cancel()
	return v.client.Verify(ctx, r, p, qs...)
}

// payload is the canonical request's payload line, as Latchkey computes
// it: S3's signed x-amz-content-sha256 (the body is then checked against
// it as it is read), UNSIGNED-PAYLOAD for a presigned S3 request, else the
// body's hash. remote is what to tell /verify of the body.
func (v *Verifier) payload(r *http.Request, sr *sigv4.SignedRequest) (string, Payload, error) {
	if h := r.Header.Get("X-Amz-Content-Sha256"); h != "" {
		switch {
		case isHexHash(h):
			if r.Body != nil && r.Body != http.NoBody {
				r.Body = &checkedBody{r: r.Body, h: sha256.New(), want: strings.ToLower(h)}
			} else if !strings.EqualFold(h, sigv4.EmptyPayloadHash) {
				return "", Payload{}, errContentMismatch
			}
		case strings.HasPrefix(h, "STREAMING-"):
			return "", Payload{}, &Error{Code: "NotImplemented", Message: "Chunked uploads (aws-chunked) are not supported by this service.", HTTPStatus: http.StatusNotImplemented}
		}
		return h, Payload{}, nil
	}
	if sr.Presigned && sr.Service == "s3" {
		return "UNSIGNED-PAYLOAD", Payload{}, nil
	}
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return sigv4.EmptyPayloadHash, Payload{SHA256: sigv4.EmptyPayloadHash}, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, v.opts.MaxBufferedBody+1))
	if err != nil {
		return "", Payload{}, &Error{Code: "IncompleteBody", Message: "The request body could not be read.", HTTPStatus: http.StatusBadRequest}
	}
	if int64(len(body)) > v.opts.MaxBufferedBody {
		return "", Payload{}, &Error{Code: "EntityTooLarge", Message: fmt.Sprintf("A body that does not sign its hash (x-amz-content-sha256) may hold at most %d bytes.", v.opts.MaxBufferedBody), HTTPStatus: http.StatusRequestEntityTooLarge}
	}
	r.Body.Close()
	r.Body = io.NopCloser(strings.NewReader(string(body)))
	sum := sha256.Sum256(body)
	h := hex.EncodeToString(sum[:])
	return h, Payload{SHA256: h}, nil
}

var errContentMismatch = &Error{Code: "XAmzContentSHA256Mismatch", Message: "The provided 'x-amz-content-sha256' header does not match what was computed.", HTTPStatus: http.StatusBadRequest}

// checkedBody hashes a body as it is read and, at its end, fails unless
// the hash is the one signed.
type checkedBody struct {
	r    io.ReadCloser
	h    hash.Hash
	want string
	err  error
}

func (b *checkedBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	n, err := b.r.Read(p)
	b.h.Write(p[:n])
	if err == io.EOF && hex.EncodeToString(b.h.Sum(nil)) != b.want {
		b.err = errContentMismatch
		return n, b.err
	}
	return n, err
}

func (b *checkedBody) Close() error { return b.r.Close() }

func isHexHash(s string) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

func hostListed(hosts []string, host string) bool {
	for _, h := range hosts {
		if strings.EqualFold(h, host) {
			return true
		}
	}
	return false
}

// local verifies sr with its scope's signing key, and answers the
// questions from the decision cache or /authorize. errAskLatchkey when
// the feed is not heard, or Latchkey refused the key (it then tells the
// client why, through /verify).
func (v *Verifier) local(ctx context.Context, sr *sigv4.SignedRequest, payloadHash string, qs []Question, now time.Time) (*Principal, []Decision, error) {
	id := keyID{accessKeyID: sr.AccessKeyID, token: sha256.Sum256([]byte(sr.SecurityToken)), date: sr.Date, region: sr.Region, service: sr.Service}
	key, p, err := v.signingKey(ctx, id, sr.SecurityToken, now)
	if err != nil {
		return nil, nil, err
	}
	sr.PayloadHash = payloadHash
	if err := sr.VerifyWithSigningKey(key); err != nil {
		var se *sigv4.Error
		if errors.As(err, &se) {
			if creq, sts := se.Debug(); creq != "" {
				v.log.Debug("relying: signature mismatch", "access_key_id", sr.AccessKeyID, "canonical_request", creq, "string_to_sign", sts)
			}
		}
		return nil, nil, &Error{Code: "SignatureDoesNotMatch", Message: sigv4.MismatchMessage, HTTPStatus: http.StatusForbidden}
	}
	if len(qs) == 0 {
		return &p, nil, nil
	}
	ds, err := v.decide(ctx, id, sr, qs, now)
	if err != nil {
		return nil, nil, err
	}
	return &p, ds, nil
}

// signingKey returns the cached key of id, or fetches it (one fetch per
// key at a time). A key near its end is refreshed in the background.
func (v *Verifier) signingKey(ctx context.Context, id keyID, token string, now time.Time) ([]byte, Principal, error) {
	v.mu.Lock()
	if !v.feedUsableLocked(now) {
		v.dropAllLocked()
		v.mu.Unlock()
		return nil, Principal{}, errAskLatchkey
	}
	if e, ok := v.keys.get(id); ok && now.Before(e.expires) {
		if !now.Before(e.refreshAt) && !e.refreshing {
			e.refreshing = true
			go func() { <-v.fetches.DoChan(id.String(), func() (any, error) { return v.fetch(id, token) }) }()
		}
		v.mu.Unlock()
		return e.key, e.principal, nil
	}
	v.mu.Unlock()
	ch := v.fetches.DoChan(id.String(), func() (any, error) { return v.fetch(id, token) })
	select {
	case res := <-ch:
		if res.Err != nil {
			return nil, Principal{}, res.Err
		}
		e := res.Val.(*keyEntry)
		return e.key, e.principal, nil
	case <-ctx.Done():
		return nil, Principal{}, fmt.Errorf("%w: %v", ErrUnavailable, ctx.Err())
	}
}

func (id keyID) String() string {
	return id.accessKeyID + "/" + hex.EncodeToString(id.token[:]) + "/" + id.date + "/" + id.region + "/" + id.service
}

// fetch asks Latchkey for id's key and caches it, unless a revocation was
// applied meanwhile (the key may predate it: it is then not used).
func (v *Verifier) fetch(id keyID, token string) (*keyEntry, error) {
	v.mu.Lock()
	epoch := v.epoch
	v.mu.Unlock()
	ctx, cancel := context.WithTimeout(v.ctx, v.opts.CallTimeout)
	defer cancel()
	sk, err := v.client.SigningKey(ctx, SigningKeyInput{AccessKeyID: id.accessKeyID, SessionToken: token, Date: id.date, Region: id.region, Service: id.service})
	if err != nil {
		var ce *CallError
		refused := errors.As(err, &ce) && ce.StatusCode < 500
		v.mu.Lock()
		if e, ok := v.keys.get(id); ok {
			e.refreshing = false
			if refused {
				v.keys.remove(id) // Latchkey no longer gives it
			}
		}
		v.mu.Unlock()
		if refused {
			return nil, errAskLatchkey
		}
		return nil, err
	}
	now := v.now()
	ttl := time.Duration(float64(v.opts.KeyTTL) * (0.9 + 0.2*rand.Float64()))
	e := &keyEntry{key: sk.Key, principal: sk.Principal, expires: now.Add(ttl)}
	if sk.NotAfter.Before(e.expires) {
		e.expires = sk.NotAfter
	}
	e.refreshAt = e.expires.Add(-v.opts.RefreshAhead)
	v.mu.Lock()
	defer v.mu.Unlock()
	if old, ok := v.keys.get(id); ok {
		old.refreshing = false
	}
	v.startFeedLocked(sk.RevocationSeq, now)
	if v.epoch != epoch || !v.feedUsableLocked(now) {
		return nil, errAskLatchkey
	}
	v.keys.put(id, e)
	return e, nil
}

// decide answers qs for the credentials of id, from the cache or
// /authorize (with the request's region, as /verify adds it).
func (v *Verifier) decide(ctx context.Context, id keyID, sr *sigv4.SignedRequest, qs []Question, now time.Time) ([]Decision, error) {
	asked := make([]Question, len(qs))
	for i, q := range qs {
		c := make(map[string][]string, len(q.Context)+1)
		c["aws:RequestedRegion"] = []string{sr.Region}
		for k, val := range q.Context {
			c[k] = val
		}
		asked[i] = Question{Action: q.Action, Resource: q.Resource, Context: c}
	}
	var did decisionID
	var epoch uint64
	if v.decisions != nil {
		raw, err := json.Marshal(asked)
		if err != nil {
			return nil, err
		}
		did = decisionID{accessKeyID: id.accessKeyID, token: id.token, questions: string(raw)}
		v.mu.Lock()
		epoch = v.epoch
		if e, ok := v.decisions.get(did); ok && now.Before(e.expires) {
			v.mu.Unlock()
			return e.decisions, nil
		}
		v.mu.Unlock()
	}
	cctx, cancel := context.WithTimeout(ctx, v.opts.CallTimeout)
	defer cancel()
	p, ds, err := v.client.Authorize(cctx, AuthorizeInput{AccessKeyID: id.accessKeyID, SessionToken: sr.SecurityToken, Questions: asked})
	if err != nil {
		var ce *CallError
		if errors.As(err, &ce) && ce.StatusCode < 500 {
			return nil, errAskLatchkey
		}
		return nil, err
	}
	if v.decisions != nil {
		v.mu.Lock()
		if v.epoch == epoch && v.feedUsableLocked(now) {
			v.decisions.put(did, &decisionEntry{principal: *p, decisions: ds, expires: now.Add(v.opts.DecisionTTL)})
		}
		v.mu.Unlock()
	}
	return ds, nil
}

// CacheStats reports how many signing keys and decisions are held, and
// whether the revocation feed is heard (local verification on).
func (v *Verifier) CacheStats() (keys, decisions int, feedHeard bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.keys != nil {
		keys = v.keys.len()
	}
	if v.decisions != nil {
		decisions = v.decisions.len()
	}
	return keys, decisions, v.feed.running && v.feedUsableLocked(v.now())
}
