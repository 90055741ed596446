package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/latchkey/latchkey/internal/awserr"
	"github.com/latchkey/latchkey/internal/principal"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/sigv4"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/sts"
)

// UseRecorder is told of every successful authentication: of the access
// key, or of the role a session acts for.
type UseRecorder interface {
	Record(accessKeyID string, at time.Time, service, region string)
	RecordRole(roleID string, at time.Time, region string)
}

// KeyLookup finds an access key by id across accounts.
type KeyLookup func(ctx context.Context, id string) (store.AccessKey, error)

// Authenticator verifies SigV4 signatures against the stored keys.
type Authenticator struct {
	Lookup KeyLookup
	// Expired, when set, reports whether an Active key is past its
	// account's key policy (it is then refused as if Inactive, before the
	// store marks it Expired); an error refuses the request.
	Expired func(ctx context.Context, k store.AccessKey, now time.Time) (bool, error)
	Keys    *secret.Keyring
	// SessionKey opens session tokens.
	SessionKey *secret.MasterKey
	Cache      *sigv4.SigningKeyCache
	Uses       UseRecorder
	Logger     *slog.Logger

	// sessions caches opened session tokens (only tokens that opened are
	// kept, keyed by key id and token), so a session's requests decrypt
	// its token once; its signature and expiry are still checked on every
	// request.
	mu       sync.Mutex
	sessions map[string]secret.Session
}

const maxOpenSessions = 10_000

// openSession opens a session token, from the cache when it opened before.
func (a *Authenticator) openSession(token, accessKeyID string) (secret.Session, error) {
	key := accessKeyID + "\x00" + token
	a.mu.Lock()
	s, ok := a.sessions[key]
	a.mu.Unlock()
	if ok {
		return s, nil
	}
	s, err := secret.OpenSession(a.SessionKey, token, accessKeyID)
	if err != nil {
		return s, err
	}
	a.mu.Lock()
	if a.sessions == nil || len(a.sessions) >= maxOpenSessions {
		a.sessions = make(map[string]secret.Session)
	}
	a.sessions[key] = s
	a.mu.Unlock()
	return s, nil
}

// Authenticate verifies r and returns the caller. The signed request is
// returned whenever its authentication parsed, even if verification then
// failed, so the access key id can be logged.
//
// Order, as AWS: parse and check the clock; look the key up (unknown,
// deleted or Inactive: InvalidClientTokenId); verify the signature in
// constant time (SignatureDoesNotMatch). Nothing in the answer says more.
func (a *Authenticator) Authenticate(ctx context.Context, r *http.Request, body []byte, now time.Time) (*principal.Principal, *sigv4.SignedRequest, error) {
	sr, err := sigv4.Parse(r, body, now)
	if err != nil {
		return nil, sr, SigV4Error(err)
	}
	switch sr.Service {
	case "iam", "sts":
	default:
		return nil, sr, awserr.SignatureDoesNotMatch("Credential should be scoped to correct service: 'iam'. ")
	}
	p, err := a.verify(ctx, sr, now, true)
	return p, sr, err
}

// Verify verifies a parsed request, of any service, and returns the
// caller: a session's when it carries a security token, else the access
// key's owner, which must be Active. The use is recorded as the key's (or
// the role's) last use, with the request's service and region.
//
// A console session whose password must be reset is refused: only the
// IAM and STS pipeline (Authenticate) takes one, narrowed by
// sessionRestriction to choosing the new password.
func (a *Authenticator) Verify(ctx context.Context, sr *sigv4.SignedRequest, now time.Time) (*principal.Principal, error) {
	return a.verify(ctx, sr, now, false)
}

func (a *Authenticator) verify(ctx context.Context, sr *sigv4.SignedRequest, now time.Time, resetSessions bool) (*principal.Principal, error) {
	if sr.SecurityToken != "" {
		p, err := a.authenticateSession(sr, now)
		if err == nil && p.Session.PasswordResetRequired && !resetSessions {
			return nil, awserr.AccessDenied("The password must be reset before these credentials can be used")
		}
		return p, err
	}
	k, err := a.Lookup(ctx, sr.AccessKeyID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, awserr.InvalidClientTokenID()
	}
	if err != nil {
		return nil, awserr.InternalFailure(err)
	}
	if err := a.usable(ctx, k, now); err != nil {
		return nil, err
	}
	plain, err := a.Keys.Open(k.MasterKeyID, k.SecretCiphertext, []byte(k.ID))
	if err != nil {
		return nil, awserr.InternalFailure(err)
	}
	if err := sr.Verify(string(plain), a.Cache); err != nil {
		if a.Logger != nil && a.Logger.Enabled(context.Background(), slog.LevelDebug) {
			var dbg interface{ Debug() (string, string) }
			if errors.As(err, &dbg) {
				creq, sts := dbg.Debug()
				a.Logger.Debug("signature mismatch", "access_key_id", sr.AccessKeyID, "canonical_request", redactPasswords(creq), "string_to_sign", sts)
			}
		}
		return nil, SigV4Error(err)
	}
	if a.Uses != nil {
		a.Uses.Record(k.ID, now, sr.Service, sr.Region)
	}
	p, err := keyPrincipal(k)
	if err != nil {
		return nil, awserr.InternalFailure(err)
	}
	return p, nil
}

// Secret returns the principal an access key (with its session token,
// for temporary credentials) stands for, and its secret: for a service
// Latchkey derives signing keys for. The key must be Active, the session
// unexpired; the answers are Authenticate's.
func (a *Authenticator) Secret(ctx context.Context, accessKeyID, sessionToken string, now time.Time) (*principal.Principal, string, error) {
	if sessionToken != "" {
		s, err := a.openSession(sessionToken, accessKeyID)
		if err != nil {
			return nil, "", awserr.InvalidClientTokenID()
		}
		if s.Expired(now) {
			return nil, "", expiredToken()
		}
		p, err := sts.SessionPrincipal(s)
		if err != nil {
			return nil, "", awserr.InvalidClientTokenID()
		}
		return p, s.Secret, nil
	}
	k, err := a.Lookup(ctx, accessKeyID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, "", awserr.InvalidClientTokenID()
	}
	if err != nil {
		return nil, "", awserr.InternalFailure(err)
	}
	if err := a.usable(ctx, k, now); err != nil {
		return nil, "", err
	}
	plain, err := a.Keys.Open(k.MasterKeyID, k.SecretCiphertext, []byte(k.ID))
	if err != nil {
		return nil, "", awserr.InternalFailure(err)
	}
	p, err := keyPrincipal(k)
	if err != nil {
		return nil, "", awserr.InternalFailure(err)
	}
	return p, string(plain), nil
}

// usable refuses a key that is not Active, or past its key policy.
// Usable reports, as an error (InvalidClientTokenId), why k cannot
// authenticate at now: not Active, or past its account's key policy.
func (a *Authenticator) Usable(ctx context.Context, k store.AccessKey, now time.Time) error {
	return a.usable(ctx, k, now)
}

func (a *Authenticator) usable(ctx context.Context, k store.AccessKey, now time.Time) error {
	if k.Status != store.StatusActive {
		return awserr.InvalidClientTokenID()
	}
	if a.Expired != nil {
		expired, err := a.Expired(ctx, k, now)
		if err != nil {
			return awserr.InternalFailure(err)
		}
		if expired {
			return awserr.InvalidClientTokenID()
		}
	}
	return nil
}

// Credentials is Secret without the secret.
func (a *Authenticator) Credentials(ctx context.Context, accessKeyID, sessionToken string, now time.Time) (*principal.Principal, error) {
	p, _, err := a.Secret(ctx, accessKeyID, sessionToken, now)
	return p, err
}

func expiredToken() *awserr.Error {
	return &awserr.Error{Code: "ExpiredToken", Message: "The security token included in the request is expired", Status: http.StatusForbidden, Sender: true}
}

// authenticateSession verifies a request signed with temporary
// credentials: the session token must open (sealed by this server's master
// key, for this access key id), the signature must verify with the
// session's secret, and the session must not have expired. Nothing is
// read from the store.
func (a *Authenticator) authenticateSession(sr *sigv4.SignedRequest, now time.Time) (*principal.Principal, error) {
	s, err := a.openSession(sr.SecurityToken, sr.AccessKeyID)
	if err != nil {
		return nil, awserr.InvalidClientTokenID()
	}
	if err := sr.Verify(s.Secret, a.Cache); err != nil {
		return nil, SigV4Error(err)
	}
	if s.Expired(now) {
		return nil, expiredToken()
	}
	p, err := sts.SessionPrincipal(s)
	if err != nil {
		// Sealed by this server yet not a whole principal: refuse it.
		if a.Logger != nil {
			a.Logger.Error("session token refused", "access_key_id", sr.AccessKeyID, "error", err)
		}
		return nil, awserr.InvalidClientTokenID()
	}
	if a.Uses != nil && p.Kind == principal.AssumedRole {
		a.Uses.RecordRole(p.ID, now, sr.Region)
	}
	return p, nil
}

// sessionRestriction refuses what AWS does not let temporary credentials
// do whatever their policies say: credentials from GetSessionToken call no
// IAM action (without MFA, which Latchkey does not serve) and, in STS,
// only AssumeRole and GetCallerIdentity; a federated user calls no IAM
// action and only GetCallerIdentity in STS; no session calls
// GetSessionToken or GetFederationToken. A console session does what its
// user's (or the root's) policies allow, except one whose password must be
// reset: it calls only ChangePassword, GetAccountPasswordPolicy and
// GetCallerIdentity.
func sessionRestriction(c *principal.Principal, service, action string) error {
	if c.Session == nil {
		return nil
	}
	if action == "GetCallerIdentity" && service == "sts" {
		return nil
	}
	origin := c.Session.Origin
	if c.Session.PasswordResetRequired && !(service == "iam" && (action == "ChangePassword" || action == "GetAccountPasswordPolicy")) {
		return awserr.AccessDenied("Cannot call %s before choosing a new password: the password must be reset", action)
	}
	if service == "iam" && (origin == principal.GetSessionToken || origin == principal.GetFederationToken) {
		return awserr.InvalidClientTokenID()
	}
	if service != "sts" {
		return nil
	}
	switch {
	case action == "GetSessionToken" || action == "GetFederationToken":
		return awserr.AccessDenied("Cannot call %s with session credentials", action)
	case origin == principal.GetSessionToken && action != "AssumeRole",
		origin == principal.GetFederationToken:
		return awserr.AccessDenied("Cannot call %s with session credentials", action)
	}
	return nil
}

// keyPrincipal is the identity an access key authenticates: the account's
// root for a root key, else its user, who must be known.
func keyPrincipal(k store.AccessKey) (*principal.Principal, error) {
	if k.Root {
		return &principal.Principal{Kind: principal.Root, AccountID: k.AccountID, ID: k.AccountID, AccessKeyID: k.ID}, nil
	}
	if k.UserID == "" || k.UserName == "" {
		return nil, fmt.Errorf("access key %s has neither the root nor a user as its owner", k.ID)
	}
	return &principal.Principal{Kind: principal.User, AccountID: k.AccountID, ID: k.UserID, Name: k.UserName, Path: k.UserPath, AccessKeyID: k.ID}, nil
}

// SigV4Error maps the verifier's failures to AWS's codes; the messages are
// the verifier's, which are AWS's words.
func SigV4Error(err error) error {
	var e *sigv4.Error
	if !errors.As(err, &e) {
		return awserr.InternalFailure(err)
	}
	switch e.Kind {
	case sigv4.MissingAuth:
		return awserr.MissingAuthenticationToken()
	case sigv4.Incomplete:
		return awserr.IncompleteSignature("%s", e.Message)
	case sigv4.Expired, sigv4.SignatureMismatch:
		return awserr.SignatureDoesNotMatch("%s", e.Message)
	}
	return awserr.IncompleteSignature("%s", e.Message)
}

// passwordParams matches the password parameters of a canonical query
// string (Password, OldPassword, NewPassword), which a request signed in
// its URL carries: the debug log shows them as ***.
var passwordParams = regexp.MustCompile(`(^|&)((?:Old|New)?Password)=[^&\n]*`)

// redactPasswords is a canonical request without its password values.
func redactPasswords(creq string) string {
	lines := strings.SplitN(creq, "\n", 4)
	if len(lines) < 3 {
		return creq
	}
	lines[2] = passwordParams.ReplaceAllString(lines[2], "${1}${2}=***")
	return strings.Join(lines, "\n")
}
