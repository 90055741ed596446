// Package relying serves the API other services use to trust Latchkey:
// verifying the SigV4 requests their clients send them, deciding what
// those clients may do, deriving signing keys so that they verify locally,
// and the feed of revocations that tells them when to forget.
//
// A relying service calls as a principal of its own, with a request signed
// with SigV4 for the service "latchkey" (any region), and must be
// registered (store.RelyingService): the record names the principal it
// calls as and the credential scopes and hosts its clients' requests may
// carry. Each call is also authorized by the caller's policies with the one
// evaluator: latchkey:Verify, latchkey:Authorize, latchkey:GetSigningKey
// and latchkey:ReadRevocations, on the record's ARN
// (arn:aws:latchkey::ACCOUNT:relying-service/NAME).
//
// Every answer is JSON. A call that cannot be served (not signed, not
// registered, not allowed, malformed) answers its HTTP status with
// {"error": {"code", "message", "http_status"}}; a verification that
// refuses the client's request answers 200 with the same "error" object,
// the AWS error the service should give its client.
package relying

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/latchkey/latchkey/internal/arn"
	"github.com/latchkey/latchkey/internal/audit"
	"github.com/latchkey/latchkey/internal/authz"
	"github.com/latchkey/latchkey/internal/awserr"
	"github.com/latchkey/latchkey/internal/op"
	"github.com/latchkey/latchkey/internal/policy"
	"github.com/latchkey/latchkey/internal/principal"
	"github.com/latchkey/latchkey/internal/server"
	"github.com/latchkey/latchkey/internal/sigv4"
	"github.com/latchkey/latchkey/internal/store"
)

// Prefix is the path under which the API is served.
const Prefix = "/latchkey/v1/"

// Service is the SigV4 service name relying services sign their calls for.
const Service = "latchkey"

// maxBody bounds a call's body: a verified request's body travels in it
// only when small (maxInlineBody).
const (
	maxBody       = 2 << 20
	maxInlineBody = 1 << 20
	maxDecisions  = 100
)

// Store is what the API reads.
type Store interface {
	store.RelyingServices
	store.KeyPolicies
	store.ChangeLog
	store.ChangeFeed
	store.Accounts
	store.Users
	ListQuarantinedKeys(ctx context.Context, accountID string) ([]store.AccessKey, error)
}

// Handler serves the API.
type Handler struct {
	Auth       *server.Authenticator
	Authorizer *server.PolicyAuthorizer
	Source     *authz.Source
	Store      Store
	Logger     *slog.Logger
	// Audit receives a record of every call that fails and of every
	// client request a verification refuses; nil disables it.
	Audit *audit.Log
	// Unavailable reports whether an internal error means the store cannot
	// be reached: the answer is then 503 ServiceUnavailable.
	Unavailable func(error) bool
	Now         func() time.Time
	// PollInterval is how often a waiting revocations call looks at the
	// change log (default 100 ms); MaxWait caps its wait (default 25 s).
	PollInterval time.Duration
	MaxWait      time.Duration
	// Observe, when set, is told of every call answered: its route (the
	// path under Prefix, "relying-services/{name}" for one service's,
	// "other" for no API) and HTTP status. It must be cheap.
	Observe func(route string, status int)

	stopOnce sync.Once
	stopMu   sync.Mutex
	stop     chan struct{} // closed by Shutdown
}

// Shutdown ends the revocations calls waiting (each answers what it has,
// a heartbeat), so that a graceful shutdown does not wait for them.
func (h *Handler) Shutdown() {
	h.stopOnce.Do(func() { close(h.stopping()) })
}

func (h *Handler) stopping() chan struct{} {
	h.stopMu.Lock()
	defer h.stopMu.Unlock()
	if h.stop == nil {
		h.stop = make(chan struct{})
	}
	return h.stop
}

// Error is the JSON shape of a refusal.
type Error struct {
	Code       string `json:"code"`
	Message    string `json:"message"`
	HTTPStatus int    `json:"http_status"`
}

func errorOf(err error) *Error {
	e := awserr.As(err)
	return &Error{Code: e.Code, Message: e.Message, HTTPStatus: e.Status}
}

// record is what a call's log line and audit record say.
type record struct {
	action, caller, accessKeyID, account, target string
	// refused is the code of a client request a verification refused.
	refused string
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	now := h.now()
	var (
		res any
		err error
	)
	rec := &record{}
	route := strings.TrimPrefix(r.URL.Path, Prefix)
	switch route {
	case "verify":
		res, err = h.call(w, r, rec, now, http.MethodPost, "latchkey:Verify", h.verify)
	case "authorize":
		res, err = h.call(w, r, rec, now, http.MethodPost, "latchkey:Authorize", h.authorize)
	case "signing-keys":
		res, err = h.call(w, r, rec, now, http.MethodPost, "latchkey:GetSigningKey", h.signingKey)
	case "revocations":
		res, err = h.call(w, r, rec, now, http.MethodGet, "latchkey:ReadRevocations", h.revocations)
	case "relying-services":
		res, err = h.manage(w, r, rec, now, "")
	case "key-policy":
		res, err = h.keyPolicy(w, r, rec, now)
	case "quarantined-keys":
		res, err = h.quarantinedKeys(w, r, rec, now)
	default:
		if name, ok := strings.CutPrefix(r.URL.Path, Prefix+"relying-services/"); ok && name != "" {
			route = "relying-services/{name}"
			res, err = h.manage(w, r, rec, now, name)
			break
		}
		route = "other"
		err = &awserr.Error{Code: "NotFound", Message: "No such API: " + r.URL.Path, Status: http.StatusNotFound, Sender: true}
	}
	status, code := http.StatusOK, ""
	if err != nil {
		if h.Unavailable != nil && h.Unavailable(err) {
			err = awserr.ServiceUnavailable(err)
		}
		e := errorOf(err)
		status, code = e.HTTPStatus, e.Code
		writeJSON(w, status, map[string]any{"error": e})
	} else {
		if v, ok := res.(VerifyResult); ok && v.Error != nil {
			rec.refused = v.Error.Code
		}
		writeJSON(w, http.StatusOK, res)
	}
	h.log(r, rec, status, code, err, time.Since(start))
	if h.Observe != nil {
		h.Observe(route, status)
	}
	if h.Audit != nil && (code != "" || rec.refused != "") {
		// A refused client request is recorded as the failure it is
		// for its signer (Caller and AccessKeyID stay the service's).
		result, errCode := "failure", code
		if code == "" {
			errCode = rec.refused
		}
		if aerr := h.Audit.Write(audit.Record{Time: start.UTC(), AccountID: rec.account, Caller: rec.caller, AccessKeyID: rec.accessKeyID,
			SourceIP: server.SourceIP(r), Service: Service, Action: rec.action, Target: rec.target, Result: result, ErrorCode: errCode}); aerr != nil && h.Logger != nil {
			h.Logger.Error("audit write failed", "err", aerr)
		}
	}
}

// log writes the call's one line: at error for a failure of Latchkey's
// own, at info otherwise.
func (h *Handler) log(r *http.Request, rec *record, status int, code string, err error, latency time.Duration) {
	if h.Logger == nil {
		return
	}
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	if !h.Logger.Enabled(r.Context(), level) {
		return
	}
	attrs := []slog.Attr{slog.String("service", Service), slog.String("path", r.URL.Path), slog.String("action", rec.action),
		slog.String("caller", rec.caller), slog.String("access_key_id", rec.accessKeyID), slog.Int("status", status),
		slog.String("code", code), slog.String("refused", rec.refused), slog.Duration("latency", latency), slog.String("remote", r.RemoteAddr)}
	if status >= 500 && err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	h.Logger.LogAttrs(r.Context(), level, "relying-service call", attrs...)
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now().UTC()
	}
	return time.Now().UTC()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// caller is an authenticated, registered and authorized relying service.
type caller struct {
	p       *principal.Principal
	service store.RelyingService
	body    []byte
	query   url.Values
}

// RecordARN is a relying-service record's ARN, the resource its calls are
// authorized on.
func RecordARN(accountID, name string) string {
	return "arn:aws:latchkey::" + accountID + ":relying-service/" + name
}

// call authenticates the relying service's own request, finds its record,
// authorizes permission on it, and runs fn.
func (h *Handler) call(w http.ResponseWriter, r *http.Request, rec *record, now time.Time, method, permission string, fn func(ctx context.Context, c *caller, now time.Time) (any, error)) (any, error) {
	p, sr, body, err := h.authenticate(w, r, rec, now, method, permission)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	rs, err := h.Store.RelyingServiceFor(ctx, p.AccountID, p.PrincipalARN())
	if errors.Is(err, store.ErrNotFound) {
		return nil, awserr.AccessDenied("%s is not registered as a relying service", p.ARN())
	}
	if err != nil {
		return nil, awserr.InternalFailure(err)
	}
	if err := h.authorizeCall(r, rec, sr, p, permission, RecordARN(rs.AccountID, rs.Name), rs.AccountID, now); err != nil {
		return nil, err
	}
	return fn(ctx, &caller{p: p, service: rs, body: body, query: r.URL.Query()}, now)
}

// authenticate reads and verifies a call to the API: signed with SigV4
// for the service latchkey, by credentials Latchkey issued.
func (h *Handler) authenticate(w http.ResponseWriter, r *http.Request, rec *record, now time.Time, method, permission string) (*principal.Principal, *sigv4.SignedRequest, []byte, error) {
	rec.action = strings.TrimPrefix(permission, "latchkey:")
	if r.Method != method {
		return nil, nil, nil, &awserr.Error{Code: "MethodNotAllowed", Message: r.URL.Path + " takes " + method, Status: http.StatusMethodNotAllowed, Sender: true}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, nil, nil, awserr.RequestEntityTooLarge()
		}
		return nil, nil, nil, awserr.InvalidInput("Could not read the request body")
	}
	sr, err := sigv4.Parse(r, body, now)
	if sr != nil {
		rec.accessKeyID = sr.AccessKeyID
	}
	if err != nil {
		return nil, sr, nil, server.SigV4Error(err)
	}
	if sr.Service != Service {
		return nil, sr, nil, awserr.SignatureDoesNotMatch("Credential should be scoped to correct service: '%s'. ", Service)
	}
	p, err := h.Auth.Verify(r.Context(), sr, now)
	if err != nil {
		return nil, sr, nil, err
	}
	rec.caller, rec.account = p.ARN(), p.AccountID
	return p, sr, body, nil
}

// authorizeCall decides permission on resource with the one evaluator.
func (h *Handler) authorizeCall(r *http.Request, rec *record, sr *sigv4.SignedRequest, p *principal.Principal, permission, resource, account string, now time.Time) error {
	rec.target = resource
	info := authz.RequestInfo{Time: now, SourceIP: server.SourceIP(r), SecureTransport: r.TLS != nil, Region: sr.Region, UserAgent: r.Header.Get("User-Agent")}
	_, err := h.Authorizer.Decide(r.Context(), p, permission, op.Target{ARN: resource, Account: account}, info)
	return err
}

// decodeJSON reads the call's body into v, refusing unknown fields.
func decodeJSON(body []byte, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return awserr.InvalidInput("The request body is not valid JSON for this call: %s", err.Error())
	}
	if dec.More() {
		return awserr.InvalidInput("The request body holds more than one JSON value")
	}
	return nil
}

// ---- principals and decisions ----

// Principal is the JSON shape of a verified principal.
type Principal struct {
	Type        string            `json:"type"` // root, user, assumed-role, federated-user
	ARN         string            `json:"arn"`
	Account     string            `json:"account"`
	ID          string            `json:"id"` // GetCallerIdentity's UserId
	AccessKeyID string            `json:"access_key_id"`
	SessionTags map[string]string `json:"session_tags,omitempty"`
	// Expiration is when temporary credentials end.
	Expiration *time.Time `json:"expiration,omitempty"`
}

// principalTypes name the kinds of principal in the JSON answers.
var principalTypes = map[principal.Kind]string{
	principal.Root: "root", principal.User: "user", principal.AssumedRole: "assumed-role", principal.FederatedUser: "federated-user",
}

func principalOf(p *principal.Principal) Principal {
	out := Principal{Type: principalTypes[p.Kind], ARN: p.ARN(), Account: p.AccountID, ID: p.UserID(), AccessKeyID: p.AccessKeyID}
	if p.Session != nil {
		out.SessionTags = p.Session.Tags
		exp := p.Session.Expiration.UTC()
		out.Expiration = &exp
	}
	return out
}

// Question asks whether the principal may perform Action on Resource with
// Context (condition keys; the request's own keys are added).
type Question struct {
	Action   string              `json:"action"`
	Resource string              `json:"resource"`
	Context  map[string][]string `json:"context,omitempty"`
}

// Decision answers a Question as SimulatePrincipalPolicy does.
type Decision struct {
	Decision             string      `json:"decision"` // allowed, explicitDeny, implicitDeny
	MatchedStatements    []Statement `json:"matched_statements"`
	MissingContextValues []string    `json:"missing_context_values"`
}

// Statement names a statement that decided.
type Statement struct {
	SourcePolicyID   string `json:"source_policy_id"`
	SourcePolicyType string `json:"source_policy_type"`
	Sid              string `json:"sid,omitempty"`
}

// decide answers each question for p, with the one evaluator: the
// principal's policy set (sessions limited by their policies), the global
// condition keys of a request by p at now, then the question's own keys.
// The root of an account may do everything in it, as in AWS.
//
// owner is the account the questions' resources belong to when their ARN
// names none (an S3 bucket: the relying service's account); "" takes the
// principal's own. A principal of another account is allowed nothing: in
// AWS the resource's account must grant it too, by a resource-based policy,
// and these resources have none (the root included: it may do everything
// in its own account only).
func (h *Handler) decide(ctx context.Context, p *principal.Principal, qs []Question, now time.Time, region, owner string) ([]Decision, error) {
	if len(qs) > maxDecisions {
		return nil, awserr.InvalidInput("At most %d questions in one call", maxDecisions)
	}
	out := make([]Decision, 0, len(qs))
	if len(qs) == 0 {
		return out, nil
	}
	for _, q := range qs {
		if q.Action == "" || q.Resource == "" {
			return nil, awserr.InvalidInput("Each question needs an action and a resource")
		}
	}
	if owner == "" {
		owner = p.AccountID
	}
	foreign := func(resource string) bool {
		account, ok := arn.Account(resource)
		if !ok || account == "" {
			account = owner
		}
		return account != p.AccountID
	}
	var set *authz.Set
	var base map[string][]string
	if p.Kind != principal.Root {
		var err error
		if set, err = h.Source.Principal(ctx, p); err != nil {
			return nil, awserr.InternalFailure(err)
		}
		base = authz.Context(p, set, authz.RequestInfo{Time: now, Region: region}, nil)
	}
	for _, q := range qs {
		switch {
		case p.Kind == principal.Root && !foreign(q.Resource):
			out = append(out, Decision{Decision: string(authz.Allowed), MatchedStatements: []Statement{}, MissingContextValues: []string{}})
			continue
		case p.Kind == principal.Root:
			out = append(out, Decision{Decision: string(authz.ImplicitDeny), MatchedStatements: []Statement{}, MissingContextValues: []string{}})
			continue
		}
		qset := set
		if foreign(q.Resource) {
			cross := *set
			cross.CrossAccount = true // no resource-based policy: nothing is allowed
			qset = &cross
		}
		c := make(map[string][]string, len(base)+len(q.Context))
		for k, v := range base {
			c[k] = v
		}
		for k, v := range q.Context {
			c[k] = v
		}
		res := authz.Decide(qset, policy.Request{Action: q.Action, Resource: q.Resource, Context: c,
			Principal: &policy.PrincipalRef{ARN: p.ARN(), Account: p.AccountID}}, true)
		d := Decision{Decision: string(res.Decision), MatchedStatements: []Statement{}, MissingContextValues: set.MissingContext(c)}
		for _, m := range res.Matched {
			d.MatchedStatements = append(d.MatchedStatements, Statement{SourcePolicyID: m.Policy.ID, SourcePolicyType: string(m.Policy.Type), Sid: m.Sid})
		}
		out = append(out, d)
	}
	return out, nil
}

// ---- verify ----

// Request describes a request the relying service received, as it
// received it.
type Request struct {
	Method  string              `json:"method"`
	Host    string              `json:"host"`
	Path    string              `json:"path"`  // raw, as on the request line
	Query   string              `json:"query"` // raw, without '?'
	Headers map[string][]string `json:"headers"`
	// BodySHA256 is the hex SHA-256 of the body the service received;
	// Body the body itself (base64, at most 1 MiB). One of them is
	// required unless the request signs its payload's hash itself
	// (x-amz-content-sha256) or is presigned for S3.
	BodySHA256 string `json:"body_sha256,omitempty"`
	Body       string `json:"body,omitempty"`
}

type verifyInput struct {
	Request   *Request   `json:"request"`
	Authorize []Question `json:"authorize,omitempty"`
}

// VerifyResult is /verify's answer.
type VerifyResult struct {
	Principal *Principal `json:"principal,omitempty"`
	Decisions []Decision `json:"decisions,omitempty"`
	Error     *Error     `json:"error,omitempty"`
}

func (h *Handler) verify(ctx context.Context, c *caller, now time.Time) (any, error) {
	var in verifyInput
	if err := decodeJSON(c.body, &in); err != nil {
		return nil, err
	}
	if in.Request == nil {
		return nil, awserr.InvalidInput("request is required")
	}
	p, sr, err := h.verifyRequest(ctx, c.service, in.Request, now)
	if err != nil {
		if ae := awserr.As(err); ae.Status >= 500 {
			return nil, err
		}
		return VerifyResult{Error: errorOf(err)}, nil
	}
	pj := principalOf(p)
	res := VerifyResult{Principal: &pj}
	if len(in.Authorize) > 0 {
		if res.Decisions, err = h.decide(ctx, p, in.Authorize, now, sr.Region, c.service.AccountID); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// verifyRequest rebuilds the described request, checks that it is signed
// for one of the service's scopes and addressed to one of its hosts, and
// verifies its signature: the canonical request and the string to sign are
// Latchkey's own, from the request's parts, never the caller's.
func (h *Handler) verifyRequest(ctx context.Context, rs store.RelyingService, d *Request, now time.Time) (*principal.Principal, *sigv4.SignedRequest, error) {
	if d.Method == "" || d.Host == "" || d.Path == "" || !strings.HasPrefix(d.Path, "/") {
		return nil, nil, awserr.InvalidInput("request needs a method, a host and a path starting with '/'")
	}
	if len(rs.Hosts) > 0 && !hostListed(rs.Hosts, d.Host) {
		return nil, nil, awserr.SignatureDoesNotMatch("The request was not addressed to a host of this service: '%s'.", d.Host)
	}
	u := &url.URL{Path: d.Path, RawPath: d.Path, RawQuery: d.Query}
	if p, err := url.PathUnescape(d.Path); err == nil {
		u.Path = p
	}
	// RequestURI as received: the canonical request starts from the path
	// exactly as the client sent it.
	uri := d.Path
	if d.Query != "" {
		uri += "?" + d.Query
	}
	r := &http.Request{Method: d.Method, URL: u, RequestURI: uri, Host: d.Host, Header: http.Header{}}
	for name, values := range d.Headers {
		if strings.EqualFold(name, "Host") {
			continue // the host is d.Host
		}
		r.Header[http.CanonicalHeaderKey(name)] = append(r.Header[http.CanonicalHeaderKey(name)], values...)
	}
	var body []byte
	if d.Body != "" {
		b, err := base64.StdEncoding.DecodeString(d.Body)
		if err != nil || len(b) > maxInlineBody {
			return nil, nil, awserr.InvalidInput("body must be base64, at most %d bytes decoded", maxInlineBody)
		}
		body = b
		r.ContentLength = int64(len(b))
	}
	if v := r.Header.Get("Content-Length"); v != "" {
		fmt.Sscan(v, &r.ContentLength)
	}
	sr, err := sigv4.Parse(r, body, now)
	if err != nil {
		return nil, sr, server.SigV4Error(err)
	}
	if !scopeListed(rs.Scopes, sr.Region, sr.Service) {
		return nil, sr, awserr.SignatureDoesNotMatch("Credential should be scoped to a region and service of this service, not '%s/%s'. ", sr.Region, sr.Service)
	}
	hash, err := payloadHash(d, r, sr, body)
	if err != nil {
		return nil, sr, err
	}
	sr.PayloadHash = hash
	p, err := h.Auth.Verify(ctx, sr, now)
	return p, sr, err
}

// payloadHash is the canonical request's payload line: S3's signed
// x-amz-content-sha256 (which must match the body when the body or its
// hash is given), UNSIGNED-PAYLOAD for a presigned S3 request, else the
// body's hash, given or computed.
func payloadHash(d *Request, r *http.Request, sr *sigv4.SignedRequest, body []byte) (string, error) {
	given := strings.ToLower(d.BodySHA256)
	if given != "" {
		if b, err := hex.DecodeString(given); err != nil || len(b) != sha256.Size {
			return "", awserr.InvalidInput("body_sha256 must be 64 hex digits")
		}
	}
	if d.Body != "" {
		sum := sha256.Sum256(body)
		computed := hex.EncodeToString(sum[:])
		if given != "" && given != computed {
			return "", awserr.InvalidInput("body_sha256 is not the hash of body")
		}
		given = computed
	}
	if h := r.Header.Get("X-Amz-Content-Sha256"); h != "" {
		if len(h) == 2*sha256.Size && given != "" && !strings.EqualFold(h, given) {
			return "", &awserr.Error{Code: "XAmzContentSHA256Mismatch", Message: "The provided 'x-amz-content-sha256' header does not match what was computed.", Status: http.StatusBadRequest, Sender: true}
		}
		return h, nil
	}
	if given != "" {
		return given, nil
	}
	if sr.Presigned && sr.Service == "s3" {
		return "UNSIGNED-PAYLOAD", nil
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodDelete || r.Method == http.MethodOptions {
		return sigv4.EmptyPayloadHash, nil
	}
	return "", awserr.InvalidInput("body_sha256 or body is required for a %s request that does not sign its payload's hash", r.Method)
}

func hostListed(hosts []string, host string) bool {
	for _, h := range hosts {
		if strings.EqualFold(h, host) {
			return true
		}
	}
	return false
}

func scopeListed(scopes []store.Scope, region, service string) bool {
	for _, s := range scopes {
		if s.Region == region && s.Service == service {
			return true
		}
	}
	return false
}
