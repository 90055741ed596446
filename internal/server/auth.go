package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/latchkey/latchkey/internal/awserr"
	"github.com/latchkey/latchkey/internal/principal"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/sigv4"
	"github.com/latchkey/latchkey/internal/store"
)

// UseRecorder is told of every successful authentication.
type UseRecorder interface {
	Record(accessKeyID string, at time.Time, service, region string)
}

// KeyLookup finds an access key by id across accounts.
type KeyLookup func(ctx context.Context, id string) (store.AccessKey, error)

// Authenticator verifies SigV4 signatures against the stored keys.
type Authenticator struct {
	Lookup KeyLookup
	Keys   *secret.Keyring
	Cache  *sigv4.SigningKeyCache
	Uses   UseRecorder
	Logger *slog.Logger
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
		return nil, sr, sigv4Error(err)
	}
	if sr.SecurityToken != "" {
		// Latchkey issues no temporary credentials, so no session token
		// is valid; AWS refuses an invalid one this way.
		return nil, sr, &awserr.Error{Code: "InvalidClientTokenId", Message: "The security token included in the request is invalid.", Status: http.StatusForbidden, Sender: true}
	}
	switch sr.Service {
	case "iam", "sts":
	default:
		return nil, sr, awserr.SignatureDoesNotMatch("Credential should be scoped to correct service: 'iam'. ")
	}
	k, err := a.Lookup(ctx, sr.AccessKeyID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, sr, awserr.InvalidClientTokenID()
	}
	if err != nil {
		return nil, sr, awserr.InternalFailure(err)
	}
	if k.Status != store.StatusActive {
		return nil, sr, awserr.InvalidClientTokenID()
	}
	plain, err := a.Keys.Open(k.MasterKeyID, k.SecretCiphertext, []byte(k.ID))
	if err != nil {
		return nil, sr, awserr.InternalFailure(err)
	}
	if err := sr.Verify(string(plain), a.Cache); err != nil {
		if a.Logger != nil && a.Logger.Enabled(context.Background(), slog.LevelDebug) {
			var dbg interface{ Debug() (string, string) }
			if errors.As(err, &dbg) {
				creq, sts := dbg.Debug()
				a.Logger.Debug("signature mismatch", "access_key_id", sr.AccessKeyID, "canonical_request", creq, "string_to_sign", sts)
			}
		}
		return nil, sr, sigv4Error(err)
	}
	if a.Uses != nil {
		a.Uses.Record(k.ID, now, sr.Service, sr.Region)
	}
	p, err := keyPrincipal(k)
	if err != nil {
		return nil, sr, awserr.InternalFailure(err)
	}
	return p, sr, nil
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

// sigv4Error maps the verifier's failures to AWS's codes; the messages are
// the verifier's, which are AWS's words.
func sigv4Error(err error) error {
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
