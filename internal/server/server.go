// Package server is Latchkey's HTTP front: it serves IAM and STS over the AWS
// Query protocol on one endpoint. Every request passes once through the same
// pipeline around the operation table: read the body (bounded), authenticate
// (SigV4), decode the parameters, find the operation, validate its input
// against the service model, authorize, run the handler, render the XML, and
// log one line.
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/audit"
	"github.com/latchkey/latchkey/internal/awserr"
	"github.com/latchkey/latchkey/internal/awsmodel"
	"github.com/latchkey/latchkey/internal/op"
	"github.com/latchkey/latchkey/internal/principal"
	"github.com/latchkey/latchkey/internal/query"
	"github.com/latchkey/latchkey/internal/sigv4"
)

// MaxBodyBytes bounds a request body. The largest legitimate IAM request
// is a policy document of 131,072 characters, percent-encoded.
const MaxBodyBytes = 2 << 20

// API versions of the two services.
const (
	iamVersion = "2010-05-08"
	stsVersion = "2011-06-15"
)

// Authorizer decides whether the caller may perform an operation on its
// target, computed by calling target when needed. It returns nil to allow,
// or the *awserr.Error to answer; detail explains the decision for the
// audit trail (the deciding statement), never for the client.
type Authorizer interface {
	Authorize(ctx context.Context, r *op.Request, o *op.Operation, target func() (op.Target, error)) (detail string, err error)
}

// Config is what a Server is built from.
type Config struct {
	Auth       *Authenticator
	Authorizer Authorizer
	Operations []op.Operation
	Logger     *slog.Logger
	Now        func() time.Time
	// Ready reports whether the server may answer /healthz with 200.
	Ready func() bool
	// Unavailable reports whether an internal error means the store
	// cannot be reached: the answer is then 503 ServiceUnavailable.
	Unavailable func(error) bool
	// Audit receives a record of every mutating call and every
	// authentication or authorization failure; nil disables it.
	Audit *audit.Log
	// Observer is told of every request answered (metrics); nil for none.
	Observer Observer
	// JSONLines, when set, is where Logger's JSON handler writes (with no
	// options but the level): info-level request lines are then encoded
	// by hand straight into it, as that handler would (logline.go).
	JSONLines io.Writer
}

// Observer is told of the requests a Server answers. It is called on the
// request path, after the answer is written: it must be cheap and must not
// block.
type Observer interface {
	// Operation returns the observer of one operation's requests. New
	// asks once per row of the table, and once per service with action ""
	// for the requests naming no action served.
	Operation(service, action string) OperationObserver
	// AuthFailure is told of a request refused by authentication or
	// authorization, by its error code.
	AuthFailure(code string)
}

// OperationObserver is told of each request of one operation once it is
// answered.
type OperationObserver interface {
	Observe(status int, latency time.Duration)
}

// Server is the http.Handler serving IAM and STS.
type Server struct {
	cfg Config
	ops map[string]*operation // "iam:CreateUser"
	// unknown observes, by service, the requests naming no action served.
	unknown map[string]OperationObserver
}

// operation is a row of the table with its observer.
type operation struct {
	*op.Operation
	obs OperationObserver
}

// New builds a server from cfg. The operation table is checked first: an
// action listed twice, an action the service models do not have, a row
// without a handler, or a permission-checked row without a resource is an
// error, so a mistake in the table stops the server from starting rather
// than shadowing or exposing an action.
func New(cfg Config) (*Server, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg, ops: make(map[string]*operation, len(cfg.Operations))}
	for i := range cfg.Operations {
		o := &cfg.Operations[i]
		key := o.Service + ":" + o.Action
		switch {
		case s.ops[key] != nil:
			return nil, fmt.Errorf("operation table: %s is listed twice", key)
		case o.Service != "iam" && o.Service != "sts":
			return nil, fmt.Errorf("operation table: %s: unknown service", key)
		case o.Handler == nil:
			return nil, fmt.Errorf("operation table: %s has no handler", key)
		case o.Permission != "" && o.Resource == nil:
			return nil, fmt.Errorf("operation table: %s needs %s but names no resource", key, o.Permission)
		case o.Unsigned && o.Permission != "":
			return nil, fmt.Errorf("operation table: %s is unsigned, so no policy can grant %s", key, o.Permission)
		}
		if _, ok := awsmodel.Operation(o.Service, o.Action); !ok {
			return nil, fmt.Errorf("operation table: %s is not in the %s service model", key, o.Service)
		}
		s.ops[key] = &operation{Operation: o}
		if cfg.Observer != nil {
			s.ops[key].obs = cfg.Observer.Operation(o.Service, o.Action)
		}
	}
	if cfg.Observer != nil {
		s.unknown = map[string]OperationObserver{"iam": cfg.Observer.Operation("iam", ""), "sts": cfg.Observer.Operation("sts", "")}
	}
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/livez" && r.Method == http.MethodGet {
		// Liveness: the process runs, whatever its store.
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "ok\n")
		return
	}
	if r.URL.Path == "/healthz" && r.Method == http.MethodGet && r.Header.Get("Authorization") == "" && !r.URL.Query().Has("X-Amz-Algorithm") {
		if s.cfg.Ready != nil && !s.cfg.Ready() {
			http.Error(w, "starting", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "ok\n")
		return
	}
	start := time.Now()
	rec := &logRecord{requestID: NewRequestID(), service: "iam"}
	rec.status = s.serveAWS(w, r, rec)
	latency := time.Since(start)
	s.log(r, rec, start, latency)
	failure := rec.code != "" && auditedFailures[rec.code]
	if s.cfg.Audit != nil && (rec.mutating || failure) {
		s.audit(r, rec, start)
	}
	if s.cfg.Observer != nil {
		s.observe(rec, latency, failure)
	}
}

// observe tells the observer of the request's operation (found again when
// the request failed before its row was).
func (s *Server) observe(rec *logRecord, latency time.Duration, authFailure bool) {
	o := rec.op
	if o == nil {
		o = s.ops[rec.service+":"+rec.action]
	}
	if o != nil {
		o.obs.Observe(rec.status, latency)
	} else {
		s.unknown[rec.service].Observe(rec.status, latency)
	}
	if authFailure {
		s.cfg.Observer.AuthFailure(rec.code)
	}
}

// auditedFailures are the error codes of authentication and authorization
// failures, recorded whatever the action.
var auditedFailures = map[string]bool{
	"MissingAuthenticationToken": true,
	"IncompleteSignature":        true,
	"InvalidClientTokenId":       true,
	"ExpiredToken":               true,
	"SignatureDoesNotMatch":      true,
	"AccessDenied":               true,
}

func (s *Server) audit(r *http.Request, rec *logRecord, start time.Time) {
	result := "success"
	if rec.code != "" {
		result = "failure"
	}
	err := s.cfg.Audit.Write(audit.Record{
		Time: start.UTC(), RequestID: rec.requestID, AccountID: rec.accountID, Caller: rec.caller,
		AccessKeyID: rec.accessKeyID, SourceIP: SourceIP(r), Service: rec.service, Action: rec.action,
		Target: rec.target, Result: result, ErrorCode: rec.code, Decision: rec.decision,
	})
	if err != nil {
		s.cfg.Logger.Error("audit write failed", "request_id", rec.requestID, "err", err)
	}
}

// logRecord collects what the request's log line says.
type logRecord struct {
	requestID, service, action, caller, accessKeyID, code string
	accountID, target, decision                           string
	mutating                                              bool
	json                                                  bool // answer in AWS's JSON shape
	status                                                int
	cause                                                 error
	op                                                    *operation // the row, once found
}

// log writes the request's line. It goes to the handler directly: the
// Logger would look up its caller's program counter for every line,
// which no handler of ours uses, and read the clock again.
func (s *Server) log(r *http.Request, rec *logRecord, start time.Time, latency time.Duration) {
	level := slog.LevelInfo
	if rec.status >= 500 {
		level = slog.LevelError
	}
	h := s.cfg.Logger.Handler()
	if !h.Enabled(context.Background(), level) {
		return // at --log-level warn, a success costs no line to build
	}
	if level == slog.LevelInfo && s.cfg.JSONLines != nil {
		_ = writeRequestLine(s.cfg.JSONLines, start.Add(latency), rec, latency, r.RemoteAddr)
		return
	}
	_ = h.Handle(context.Background(), requestRecord(start.Add(latency), level, rec, latency, r.RemoteAddr))
}

// requestRecord is a request's log line as slog records it (which
// writeRequestLine writes by hand, byte for byte, at info in JSON).
func requestRecord(at time.Time, level slog.Level, rec *logRecord, latency time.Duration, remote string) slog.Record {
	line := slog.NewRecord(at, level, "request", 0)
	line.AddAttrs(
		slog.String("request_id", rec.requestID),
		slog.String("service", rec.service),
		slog.String("action", rec.action),
		slog.String("caller", rec.caller),
		slog.String("access_key_id", rec.accessKeyID),
		slog.Int("status", rec.status),
		slog.Float64("latency_ms", float64(latency.Microseconds())/1000),
		slog.String("remote", remote),
	)
	if rec.code != "" {
		line.AddAttrs(slog.String("error_code", rec.code))
	}
	if rec.status >= 500 && rec.cause != nil {
		line.AddAttrs(slog.String("cause", rec.cause.Error()))
	}
	return line
}

func (s *Server) fail(w http.ResponseWriter, rec *logRecord, err error) int {
	e := awserr.As(err)
	if e.Status >= 500 && s.cfg.Unavailable != nil && s.cfg.Unavailable(e.Cause) {
		e = awserr.ServiceUnavailable(e.Cause)
	}
	rec.code = e.Code
	rec.cause = e.Cause
	if e.Status >= 500 && e.Cause == nil {
		rec.cause = err
	}
	if rec.json {
		renderJSONError(w, rec.requestID, e)
		return e.Status
	}
	renderError(w, rec.service, rec.requestID, e)
	return e.Status
}

func (s *Server) serveAWS(w http.ResponseWriter, r *http.Request, rec *logRecord) int {
	ctx := r.Context()
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		return s.fail(w, rec, &awserr.Error{Code: "InvalidHttpRequest", Message: "The HTTP method " + r.Method + " is not supported.", Status: http.StatusMethodNotAllowed, Sender: true})
	}
	body, err := readBody(r)
	if err != nil {
		return s.fail(w, rec, err)
	}

	// Parameters: the URL query, plus the form body of a POST.
	params, err := query.Decode(r.URL.RawQuery)
	if err != nil {
		return s.fail(w, rec, err)
	}
	if r.Method == http.MethodPost && isForm(r.Header.Get("Content-Type")) && len(body) > 0 {
		form, err := query.Decode(string(body))
		if err != nil {
			return s.fail(w, rec, err)
		}
		if params, err = query.Merge(params, form); err != nil {
			return s.fail(w, rec, err)
		}
	}
	rec.action = params.String("Action")
	if o := s.ops["sts:"+rec.action]; o != nil && o.JSON && acceptsJSON(r) {
		rec.json = true
	}
	if s.ops["sts:"+rec.action] != nil && s.ops["iam:"+rec.action] == nil {
		rec.service = "sts"
	}

	now := s.cfg.Now()
	var caller *principal.Principal
	var signed *sigv4.SignedRequest
	if unsigned := s.ops["sts:"+rec.action]; unsigned != nil && unsigned.Unsigned {
		// No credentials are checked, whatever the request carries: the
		// action's input is its proof.
		caller = &principal.Principal{Kind: principal.Anonymous}
		signed = &sigv4.SignedRequest{Service: "sts"}
	} else {
		caller, signed, err = s.cfg.Auth.Authenticate(ctx, r, body, now)
		if signed != nil {
			rec.accessKeyID = signed.AccessKeyID
			if signed.Service == "sts" || signed.Service == "iam" {
				rec.service = signed.Service
			}
		}
		if err != nil {
			return s.fail(w, rec, err)
		}
	}
	rec.caller = caller.ARN()
	rec.accountID = caller.AccountID

	if rec.action == "" {
		return s.fail(w, rec, &awserr.Error{Code: "MissingAction", Message: "Missing Action", Status: http.StatusBadRequest, Sender: true})
	}
	version := iamVersion
	if rec.service == "sts" {
		version = stsVersion
	}
	o := s.ops[rec.service+":"+rec.action]
	if v := params.String("Version"); v != "" && v != version {
		// AWS binds an action to its API version.
		return s.fail(w, rec, awserr.InvalidAction(rec.action, v))
	}
	if o == nil {
		return s.fail(w, rec, awserr.InvalidAction(rec.action, version))
	}
	rec.op = o
	if caller.Kind == principal.Anonymous && !o.Unsigned {
		// Never reached while no IAM action shares an unsigned STS
		// action's name; if one did, it must not run unauthenticated.
		return s.fail(w, rec, awserr.MissingAuthenticationToken())
	}
	if err := sessionRestriction(caller, o.Service, o.Action); err != nil {
		return s.fail(w, rec, err)
	}
	rec.mutating = o.Mutating
	rec.target = auditTarget(params)
	m, ok := awsmodel.Operation(o.Service, o.Action)
	if !ok { // New refuses such a row; never serve one unvalidated
		return s.fail(w, rec, awserr.InternalFailure(fmt.Errorf("%s:%s has no service model", o.Service, o.Action)))
	}
	if err := m.Validate(params); err != nil {
		return s.fail(w, rec, err)
	}
	req := &op.Request{Caller: caller, Input: params, RequestID: rec.requestID, Region: signed.Region, Service: signed.Service, Time: now,
		SourceIP: SourceIP(r), SecureTransport: r.TLS != nil, UserAgent: r.Header.Get("User-Agent")}
	if o.Permission != "" {
		if s.cfg.Authorizer == nil {
			return s.fail(w, rec, awserr.InternalFailure(errors.New("no authorizer configured")))
		}
		// The target may cost a read (a user's path and tags); it is
		// computed only if the authorizer needs it.
		target := func() (op.Target, error) {
			t, err := o.Resource(ctx, req)
			if err == nil {
				req.Target = &t
				if rec.target == "" {
					rec.target = t.ARN
				}
			}
			return t, err
		}
		detail, err := s.cfg.Authorizer.Authorize(ctx, req, o.Operation, target)
		rec.decision = detail
		if err != nil {
			return s.fail(w, rec, err)
		}
	}
	result, err := o.Handler(ctx, req)
	if err != nil {
		return s.fail(w, rec, err)
	}
	if rec.json {
		if err := renderJSONResult(w, o.Action, rec.requestID, result); err != nil {
			return s.fail(w, rec, awserr.InternalFailure(err))
		}
		return http.StatusOK
	}
	if err := renderResult(w, o.Service, o.Action, rec.requestID, result, m.ResultWrapper != ""); err != nil {
		return s.fail(w, rec, awserr.InternalFailure(err))
	}
	return http.StatusOK
}

// auditTarget names what a call acts on for the audit trail: the access
// key, else the user or group (and its inline policy) named in the
// request, else the managed policy.
func auditTarget(p query.Values) string {
	if id := p.String("AccessKeyId"); id != "" {
		return id
	}
	for _, e := range []struct{ param, kind string }{{"UserName", "user/"}, {"GroupName", "group/"}} {
		if name := p.String(e.param); name != "" {
			if pn := p.String("PolicyName"); pn != "" {
				return e.kind + name + "/policy/" + pn
			}
			if pa := p.String("PolicyArn"); pa != "" {
				return e.kind + name + "/" + pa
			}
			return e.kind + name
		}
	}
	return p.String("PolicyArn")
}

// SourceIP is the client's address without its port: the request's
// peer (aws:SourceIp, and the audit trail's source_ip).
func SourceIP(r *http.Request) string {
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return ip
}

func isForm(contentType string) bool {
	ct, _, _ := strings.Cut(contentType, ";")
	return strings.EqualFold(strings.TrimSpace(ct), "application/x-www-form-urlencoded")
}

// readBody reads at most MaxBodyBytes; a larger body is refused whole.
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	if r.ContentLength > MaxBodyBytes {
		return nil, awserr.RequestEntityTooLarge()
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, awserr.RequestEntityTooLarge()
		}
		return nil, &awserr.Error{Code: "MalformedHttpRequestException", Message: "The request body could not be read.", Status: http.StatusBadRequest, Sender: true, Cause: err}
	}
	if len(body) > MaxBodyBytes {
		return nil, awserr.RequestEntityTooLarge()
	}
	return body, nil
}
