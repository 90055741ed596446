package console

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/latchkey/latchkey/internal/arn"
	"github.com/latchkey/latchkey/internal/audit"
	"github.com/latchkey/latchkey/internal/awserr"
	"github.com/latchkey/latchkey/internal/password"
	"github.com/latchkey/latchkey/internal/principal"
	"github.com/latchkey/latchkey/internal/server"
	"github.com/latchkey/latchkey/internal/sigv4"
	"github.com/latchkey/latchkey/internal/store"
)

// The sign-in calls. Both answer JSON: a SignInResult, or
// {"Code": …, "Message": …} with the error's HTTP status.
//
//	POST /latchkey/v1/console/sign-in  {"Account", "UserName", "Password"}, unsigned
//	                                   {"Root": true}, SigV4-signed (service latchkey) by a root key
//	POST /latchkey/v1/console/refresh  {}, SigV4-signed with a console session's credentials
//
// A failed sign-in says only InvalidSignIn, whatever failed (no such
// account, user or login profile, or a wrong password), and takes as long
// either way: a missing profile is checked against a hash made for the
// purpose. Each sign-in, failed or not, is an audit record (service
// signin, action ConsoleLogin, as CloudTrail names it).

// SignInResult is what a sign-in or refresh answers.
type SignInResult struct {
	Credentials           any    `json:"Credentials"`
	Arn                   string `json:"Arn"`
	AccountID             string `json:"AccountId"`
	UserName              string `json:"UserName,omitempty"`
	AccountAlias          string `json:"AccountAlias,omitempty"`
	PasswordResetRequired bool   `json:"PasswordResetRequired"`
	IdleTimeoutSeconds    int    `json:"IdleTimeoutSeconds"`
	// SessionEndsAt is when the sign-in ends, refreshed or not.
	SessionEndsAt string `json:"SessionEndsAt"`
}

type signInRequest struct {
	Account  string `json:"Account"`
	UserName string `json:"UserName"`
	Password string `json:"Password"`
	Root     bool   `json:"Root"`
}

const maxBody = 8 << 10

// Patterns of the sign-in form's fields: an account id or alias (IAM's
// accountAliasType) and a user name (IAM's userNameType).
var (
	accountIDPattern = regexp.MustCompile(`^[0-9]{12}$`)
	aliasPattern     = regexp.MustCompile(`^[a-z0-9]([a-z0-9]|-[a-z0-9])*$`)
	userNamePattern  = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
)

func invalidSignIn() *awserr.Error {
	return &awserr.Error{Code: "InvalidSignIn", Message: "Your authentication information is incorrect. Please try again.", Status: http.StatusUnauthorized, Sender: true}
}

// throttledError is a sign-in refused by the Limiter, with the seconds
// until the next may be made (its Retry-After).
type throttledError struct {
	err     *awserr.Error
	seconds int
}

func (e *throttledError) Error() string { return e.err.Error() }
func (e *throttledError) Unwrap() error { return e.err }

func throttled(wait time.Duration) error {
	secs := int((wait + time.Second - 1) / time.Second)
	return &throttledError{&awserr.Error{Code: "Throttling", Message: fmt.Sprintf("Too many failed sign-in attempts. Try again in %d seconds.", secs), Status: http.StatusTooManyRequests, Sender: true}, secs}
}

func (h *Handler) serveAPI(w http.ResponseWriter, r *http.Request) {
	var (
		res *SignInResult
		err error
	)
	id := server.NewRequestID()
	w.Header().Set("X-Amzn-RequestId", id)
	r = r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id))
	switch strings.TrimPrefix(r.URL.Path, APIPrefix) {
	case "sign-in":
		res, err = h.call(w, r, h.signIn)
	case "refresh":
		res, err = h.call(w, r, h.refresh)
	default:
		err = &awserr.Error{Code: "NotFound", Message: "No such API: " + r.URL.Path, Status: http.StatusNotFound, Sender: true}
	}
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		e := awserr.As(err)
		if e.Status >= 500 && h.Logger != nil {
			h.Logger.Error("console call failed", "path", r.URL.Path, "request_id", id, "err", err)
		}
		var te *throttledError
		if errors.As(err, &te) {
			w.Header().Set("Retry-After", strconv.Itoa(te.seconds))
		}
		w.WriteHeader(e.Status)
		_ = json.NewEncoder(w).Encode(map[string]string{"Code": e.Code, "Message": e.Message, "RequestId": id})
		return
	}
	_ = json.NewEncoder(w).Encode(res)
}

// call checks what every console call must be (a same-origin JSON POST
// of bounded size) and runs fn on its body.
func (h *Handler) call(w http.ResponseWriter, r *http.Request, fn func(r *http.Request, body []byte) (*SignInResult, error)) (*SignInResult, error) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return nil, &awserr.Error{Code: "MethodNotAllowed", Message: r.URL.Path + " takes POST", Status: http.StatusMethodNotAllowed, Sender: true}
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return nil, awserr.ValidationError("The body must be application/json")
	}
	if !sameOrigin(r) {
		return nil, awserr.AccessDenied("Sign-in is only accepted from the console's own origin")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		return nil, awserr.ValidationError("The body must be at most %d bytes", maxBody)
	}
	return fn(r, body)
}

// sameOrigin refuses what a browser says came from another site: an
// Origin other than the request's own host, or Sec-Fetch-Site
// cross-site. (A JSON POST from another origin needs a CORS preflight,
// which is never answered; this is the second lock.)
func sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site == "cross-site" || site == "same-site" {
		return false
	}
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && u.Host != "" && strings.EqualFold(u.Host, r.Host)
}

func decode(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return awserr.ValidationError("The body is not a sign-in request: %v", err)
	}
	if dec.More() {
		return awserr.ValidationError("The body is not a sign-in request: more than one JSON value")
	}
	return nil
}

// signIn is the sign-in call: a user's password, or the root's signature.
func (h *Handler) signIn(r *http.Request, body []byte) (*SignInResult, error) {
	var in signInRequest
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.Root {
		if in.Account != "" || in.UserName != "" || in.Password != "" {
			return nil, awserr.ValidationError("The root signs in with its access key pair only: give no account, user name or password")
		}
		res, err := h.rootSignIn(r, body)
		return h.counted("root", res, err)
	}
	if r.Header.Get("Authorization") != "" || r.URL.Query().Get("X-Amz-Signature") != "" {
		return nil, awserr.ValidationError("A user signs in with its password, unsigned")
	}
	switch {
	case in.Account == "" || in.UserName == "" || in.Password == "":
		return nil, awserr.ValidationError("Account, UserName and Password are required")
	case !accountIDPattern.MatchString(in.Account) && (len(in.Account) < 3 || len(in.Account) > 63 || !aliasPattern.MatchString(in.Account)):
		return nil, awserr.ValidationError("Account must be a 12-digit account id or an account alias")
	case !userNamePattern.MatchString(in.UserName):
		return nil, awserr.ValidationError("UserName must be 1 to 64 letters, digits and +=,.@_-")
	case len(in.Password) > 128:
		return nil, invalidSignIn()
	}
	res, err := h.passwordSignIn(r, in)
	return h.counted("password", res, err)
}

// counted reports a sign-in's result to SignedIn.
func (h *Handler) counted(kind string, res *SignInResult, err error) (*SignInResult, error) {
	if h.SignedIn != nil {
		result := "success"
		if err != nil {
			result = awserr.As(err).Code
		}
		h.SignedIn(kind, result)
	}
	return res, err
}

// dummyHash is what a password is checked against when there is no
// profile to check it against, so that a missing user takes as long.
var dummyHash = sync.OnceValues(func() (string, error) { return password.Hash("latchkey: no such login profile", password.Default) })

func (h *Handler) passwordSignIn(r *http.Request, in signInRequest) (*SignInResult, error) {
	ctx := r.Context()
	now := h.now().UTC()
	rec := h.newRecord(r, now)
	account, err := h.resolveAccount(ctx, in.Account)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, h.failed(rec, awserr.InternalFailure(err), "account lookup failed")
	}
	limitKey := strings.ToLower(in.Account) + "/" + strings.ToLower(in.UserName)
	if account != "" {
		limitKey = account + "/" + strings.ToLower(in.UserName)
	}
	attempt, wait := h.limiter().Begin(limitKey, rec.SourceIP, now)
	if attempt == nil {
		rec.AccountID = account
		return nil, h.failed(rec, throttled(wait), "too many failed attempts")
	}
	var (
		user    store.User
		profile store.LoginProfile
		reason  string
	)
	if account == "" {
		reason = "no such account"
	} else {
		rec.AccountID = account
		user, err = h.Store.GetUser(ctx, account, in.UserName)
		if err == nil {
			rec.Caller = arn.User(account, user.Path, user.Name)
			profile, err = h.Store.GetLoginProfile(ctx, account, user.Name)
		}
		switch {
		case errors.Is(err, store.ErrNotFound):
			reason = "no such user or login profile"
		case err != nil:
			return nil, h.failed(rec, awserr.InternalFailure(err), "store read failed")
		}
	}
	hash := profile.PasswordHash
	if reason != "" {
		if hash, err = dummyHash(); err != nil {
			return nil, h.failed(rec, awserr.InternalFailure(err), "hash failed")
		}
	}
	ok, err := password.Verify(in.Password, hash)
	if err != nil {
		return nil, h.failed(rec, awserr.InternalFailure(err), "stored password hash unreadable")
	}
	if reason != "" || !ok {
		if reason == "" {
			reason = "wrong password"
		}
		return nil, h.failed(rec, invalidSignIn(), reason)
	}
	policy, err := h.Store.GetPasswordPolicy(ctx, account)
	if errors.Is(err, store.ErrNotFound) {
		err = nil
	} else if err != nil {
		return nil, h.failed(rec, awserr.InternalFailure(err), "store read failed")
	}
	reset := profile.PasswordResetRequired
	if passwordExpired(profile, policy, now) {
		if policy.HardExpiry {
			// The right password, expired for good: only an administrator
			// may set a new one (the attempt is not a guess).
			attempt.Succeeded()
			return nil, h.failed(rec, &awserr.Error{Code: "PasswordExpired", Message: "Your password has expired. An administrator must set a new one.", Status: http.StatusForbidden, Sender: true}, "password expired (hard expiry)")
		}
		reset = true
	}
	attempt.Succeeded()
	p := &principal.Principal{Kind: principal.User, AccountID: account, ID: user.ID, Name: user.Name, Path: user.Path,
		Session: &principal.Session{Origin: principal.ConsoleSignIn, SignedInAt: now, PasswordResetRequired: reset}}
	res, err := h.issue(ctx, p, now)
	if err != nil {
		return nil, h.failed(rec, err, "issuing the session failed")
	}
	if err := h.Store.RecordPasswordUse(ctx, account, user.ID, now); err != nil && h.Logger != nil {
		// The date is for the operator's reports; the sign-in stands.
		h.Logger.Warn("recording a password's use failed", "account_id", account, "user", user.Name, "err", err)
	}
	rec.Result, rec.AccessKeyID = "success", res.accessKeyID
	if reset {
		rec.Decision = "password reset required"
	}
	h.write(rec)
	return res.SignInResult, nil
}

// resolveAccount is the account an id or alias names ("" and
// ErrNotFound for none).
func (h *Handler) resolveAccount(ctx context.Context, v string) (string, error) {
	if accountIDPattern.MatchString(v) {
		if _, err := h.Store.GetAccount(ctx, v); err != nil {
			return "", err
		}
		return v, nil
	}
	return h.Store.AccountByAlias(ctx, v)
}

// rootSignIn signs the root in: the request is signed (service latchkey)
// by one of its access keys, which the browser keeps.
func (h *Handler) rootSignIn(r *http.Request, body []byte) (*SignInResult, error) {
	ctx := r.Context()
	now := h.now().UTC()
	rec := h.newRecord(r, now)
	sr, err := sigv4.Parse(r, body, now)
	if sr != nil {
		rec.AccessKeyID = sr.AccessKeyID
	}
	if err != nil {
		return nil, h.failed(rec, invalidSignIn(), "signature unreadable: "+awserr.As(server.SigV4Error(err)).Code)
	}
	if sr.Presigned {
		// A presigned URL would sign the root in for days, from any log
		// it lands in.
		return nil, h.failed(rec, invalidSignIn(), "presigned, not signed in the Authorization header")
	}
	// Counted by source alone: a root key's secret cannot be guessed, and
	// a count by key id (which is no secret) would let anyone lock the
	// root out.
	attempt, wait := h.limiter().Begin("", rec.SourceIP, now)
	if attempt == nil {
		return nil, h.failed(rec, throttled(wait), "too many failed attempts")
	}
	if sr.Service != serviceName {
		return nil, h.failed(rec, invalidSignIn(), "signed for service "+sr.Service)
	}
	p, err := h.Auth.Verify(ctx, sr, now)
	if err != nil {
		if e := awserr.As(err); e.Status >= 500 {
			return nil, h.failed(rec, err, "verification failed")
		}
		return nil, h.failed(rec, invalidSignIn(), "signature refused: "+awserr.As(err).Code)
	}
	rec.AccountID, rec.Caller = p.AccountID, p.ARN()
	if !p.IsRoot() || p.Session != nil {
		return nil, h.failed(rec, invalidSignIn(), "signed by a key that is not the root's long-term key")
	}
	if !h.replays.first(sr.Signature, sr.Time, now) {
		return nil, h.failed(rec, invalidSignIn(), "a signed sign-in sent again")
	}
	attempt.Succeeded()
	cp := &principal.Principal{Kind: principal.Root, AccountID: p.AccountID, ID: p.AccountID,
		Session: &principal.Session{Origin: principal.ConsoleSignIn, SignedInAt: now, SignedInWith: sr.AccessKeyID}}
	res, err := h.issue(ctx, cp, now)
	if err != nil {
		return nil, h.failed(rec, err, "issuing the session failed")
	}
	rec.Result = "success"
	h.write(rec)
	return res.SignInResult, nil
}

// serviceName is the signing service of the console's signed calls.
const serviceName = "latchkey"

// refresh issues new credentials for a console session that is still
// good, for another idle timeout (never past the sign-in's end).
func (h *Handler) refresh(r *http.Request, body []byte) (*SignInResult, error) {
	ctx := r.Context()
	now := h.now().UTC()
	if err := decode(body, &struct{}{}); err != nil {
		return nil, err
	}
	sr, err := sigv4.Parse(r, body, now)
	if err != nil {
		return nil, server.SigV4Error(err)
	}
	if sr.Service != serviceName {
		return nil, awserr.SignatureDoesNotMatch("Credential should be scoped to correct service: '%s'. ", serviceName)
	}
	if sr.SecurityToken == "" || sr.Presigned {
		return nil, awserr.AccessDenied("Only a console session is refreshed, signed in the Authorization header")
	}
	p, err := h.Auth.Verify(ctx, sr, now)
	if err != nil {
		return nil, err
	}
	if !h.replays.first(sr.Signature, sr.Time, now) {
		return nil, awserr.AccessDenied("This refresh was answered already; a signed refresh is answered once")
	}
	s := p.Session
	if s == nil || s.Origin != principal.ConsoleSignIn {
		return nil, awserr.AccessDenied("Only a console session is refreshed")
	}
	if s.PasswordResetRequired {
		// (Verify refuses such a session already.)
		return nil, awserr.AccessDenied("A session whose password must be reset is not refreshed")
	}
	if !now.Before(s.SignedInAt.Add(h.maxSession())) {
		return nil, awserr.AccessDenied("The console session has reached its maximum length; sign in again")
	}
	path, err := h.stillSignedIn(ctx, p, now)
	if err != nil {
		return nil, err
	}
	next := &principal.Principal{Kind: p.Kind, AccountID: p.AccountID, ID: p.ID, Name: p.Name, Path: path,
		Session: &principal.Session{Origin: principal.ConsoleSignIn, SignedInAt: s.SignedInAt, SignedInWith: s.SignedInWith}}
	res, err := h.issue(ctx, next, now)
	if err != nil {
		return nil, err
	}
	return res.SignInResult, nil
}

// stillSignedIn checks what the sign-in rested on: the user (the same
// one: its id) with its login profile, its password neither set since nor
// expired by the account's policy; the root's signing key, still usable.
// It returns the user's path as it is now.
func (h *Handler) stillSignedIn(ctx context.Context, p *principal.Principal, now time.Time) (string, error) {
	ended := awserr.AccessDenied("The console session has ended; sign in again")
	if p.IsRoot() {
		k, err := h.Auth.Lookup(ctx, p.Session.SignedInWith)
		if errors.Is(err, store.ErrNotFound) {
			return "", ended
		}
		if err != nil {
			return "", awserr.InternalFailure(err)
		}
		if !k.Root || k.AccountID != p.AccountID {
			return "", ended
		}
		if err := h.Auth.Usable(ctx, k, now); err != nil {
			if awserr.As(err).Status >= 500 {
				return "", err
			}
			return "", ended
		}
		return "", nil
	}
	u, err := h.Store.GetUser(ctx, p.AccountID, p.Name)
	if err == nil && u.ID != p.ID {
		return "", ended
	}
	var lp store.LoginProfile
	if err == nil {
		lp, err = h.Store.GetLoginProfile(ctx, p.AccountID, p.Name)
	}
	var policy store.PasswordPolicy
	if err == nil {
		if policy, err = h.Store.GetPasswordPolicy(ctx, p.AccountID); errors.Is(err, store.ErrNotFound) {
			policy, err = store.PasswordPolicy{}, nil
		}
	}
	if errors.Is(err, store.ErrNotFound) {
		return "", ended
	}
	if err != nil {
		return "", awserr.InternalFailure(err)
	}
	if lp.PasswordChangedAt.After(p.Session.SignedInAt) || lp.PasswordResetRequired || passwordExpired(lp, policy, now) {
		return "", ended
	}
	return u.Path, nil
}

// passwordExpired reports whether lp's password is past the policy's
// MaxPasswordAge at now.
func passwordExpired(lp store.LoginProfile, policy store.PasswordPolicy, now time.Time) bool {
	return policy.MaxPasswordAge > 0 && !now.Before(lp.PasswordChangedAt.AddDate(0, 0, policy.MaxPasswordAge))
}

type issued struct {
	*SignInResult
	accessKeyID string
}

// issue makes p's console session, living the idle timeout but never
// past the sign-in's end.
func (h *Handler) issue(ctx context.Context, p *principal.Principal, now time.Time) (issued, error) {
	ends := p.Session.SignedInAt.Add(h.maxSession())
	exp := now.Add(h.idle())
	if exp.After(ends) {
		exp = ends
	}
	p.Session.IssuedAt, p.Session.Expiration = now, exp
	creds, err := h.STS.IssueConsoleSession(p)
	if err != nil {
		return issued{}, awserr.InternalFailure(err)
	}
	aliases, err := h.Store.ListAccountAliases(ctx, p.AccountID)
	if err != nil {
		return issued{}, awserr.InternalFailure(err)
	}
	res := &SignInResult{Credentials: creds, Arn: p.ARN(), AccountID: p.AccountID, UserName: p.Name,
		PasswordResetRequired: p.Session.PasswordResetRequired, IdleTimeoutSeconds: int(h.idle() / time.Second),
		SessionEndsAt: ends.UTC().Format(time.RFC3339)}
	if len(aliases) > 0 {
		res.AccountAlias = aliases[0]
	}
	return issued{res, creds.AccessKeyID}, nil
}

func (h *Handler) limiter() *Limiter {
	h.defaultLimiter.Do(func() {
		if h.Limiter == nil {
			h.Limiter = DefaultLimiter()
		}
	})
	return h.Limiter
}

// failed records a failed sign-in (why, for the operator only) and
// returns err for the client.
func (h *Handler) failed(rec audit.Record, err error, why string) error {
	rec.ErrorCode, rec.Decision = awserr.As(err).Code, why
	h.write(rec)
	if h.Logger != nil {
		h.Logger.Warn("console sign-in failed", "account_id", rec.AccountID, "caller", rec.Caller, "access_key_id", rec.AccessKeyID,
			"source_ip", rec.SourceIP, "code", rec.ErrorCode, "reason", why)
	}
	return err
}

func (h *Handler) write(rec audit.Record) {
	if h.Audit == nil {
		return
	}
	if err := h.Audit.Write(rec); err != nil && h.Logger != nil {
		h.Logger.Error("audit write failed", "err", err)
	}
}

type requestIDKey struct{}

// newRecord starts the audit record of a sign-in, as a failure.
func (h *Handler) newRecord(r *http.Request, now time.Time) audit.Record {
	id, _ := r.Context().Value(requestIDKey{}).(string)
	return audit.Record{Time: now, RequestID: id, SourceIP: ClientAddr(r.RemoteAddr, r.Header.Values("X-Forwarded-For"), h.TrustedProxies),
		Service: "signin", Action: "ConsoleLogin", Result: "failure"}
}
