package relying

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/arn"
	"github.com/latchkey/latchkey/internal/awserr"
	"github.com/latchkey/latchkey/internal/principal"
	"github.com/latchkey/latchkey/internal/sigv4"
	"github.com/latchkey/latchkey/internal/store"
)

// ---- authorize ----

type authorizeInput struct {
	// Principal names a user or an account root by ARN; a session is
	// named by its credentials instead (AccessKeyID and SessionToken),
	// since its permissions are its own.
	Principal    *struct{ ARN string } `json:"principal,omitempty"`
	AccessKeyID  string                `json:"access_key_id,omitempty"`
	SessionToken string                `json:"session_token,omitempty"`
	Authorize    []Question            `json:"authorize"`
}

// AuthorizeResult is /authorize's answer.
type AuthorizeResult struct {
	Principal Principal  `json:"principal"`
	Decisions []Decision `json:"decisions"`
}

func (h *Handler) authorize(ctx context.Context, c *caller, now time.Time) (any, error) {
	var in authorizeInput
	if err := decodeJSON(c.body, &in); err != nil {
		return nil, err
	}
	var p *principal.Principal
	var err error
	switch {
	case in.Principal != nil && in.AccessKeyID == "":
		p, err = h.principalByARN(ctx, in.Principal.ARN)
	case in.Principal == nil && in.AccessKeyID != "":
		p, err = h.Auth.Credentials(ctx, in.AccessKeyID, in.SessionToken, now)
	default:
		err = awserr.InvalidInput("Name the principal by principal.arn, or by access_key_id (and session_token for a session), not both")
	}
	if err != nil {
		return nil, err
	}
	ds, err := h.decide(ctx, p, in.Authorize, now, "", c.service.AccountID)
	if err != nil {
		return nil, err
	}
	return AuthorizeResult{Principal: principalOf(p), Decisions: ds}, nil
}

// principalByARN is the user or root an ARN names, as stored now.
func (h *Handler) principalByARN(ctx context.Context, a string) (*principal.Principal, error) {
	kind, account, _, name, ok := arn.ParseEntity(a)
	switch {
	case ok && kind == "user":
		u, err := h.Store.GetUser(ctx, account, name)
		if errors.Is(err, store.ErrNotFound) {
			return nil, awserr.NoSuchEntity("The user with name %s cannot be found.", name)
		}
		if err != nil {
			return nil, awserr.InternalFailure(err)
		}
		if arnOf := arn.User(u.AccountID, u.Path, u.Name); arnOf != a {
			return nil, awserr.NoSuchEntity("No user has the ARN %s", a)
		}
		return &principal.Principal{Kind: principal.User, AccountID: u.AccountID, ID: u.ID, Name: u.Name, Path: u.Path}, nil
	case strings.HasSuffix(a, ":root"):
		account, ok := arn.Account(a)
		if !ok || a != arn.Root(account) {
			break
		}
		if _, err := h.Store.GetAccount(ctx, account); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return nil, awserr.NoSuchEntity("No account %s", account)
			}
			return nil, awserr.InternalFailure(err)
		}
		return &principal.Principal{Kind: principal.Root, AccountID: account, ID: account}, nil
	}
	return nil, awserr.InvalidInput("principal.arn must be a user's or an account root's ARN; name a session by its credentials")
}

// ---- signing keys ----

type signingKeyInput struct {
	AccessKeyID  string `json:"access_key_id"`
	SessionToken string `json:"session_token,omitempty"`
	Date         string `json:"date"` // yyyymmdd
	Region       string `json:"region"`
	Service      string `json:"service"`
}

// SigningKey is /signing-keys' answer: the SigV4 signing key of one
// access key for one day, region and service, which verifies that key's
// requests in that scope without its secret.
type SigningKey struct {
	SigningKey string    `json:"signing_key"` // base64 of kSigning
	Principal  Principal `json:"principal"`
	// NotAfter is the last moment a request signed in this scope can be
	// accepted: the day's end plus the clock skew allowed, or the
	// session's end.
	NotAfter time.Time `json:"not_after"`
	// RevocationSeq is the change log's position when the key was derived:
	// follow /revocations from it, and forget the key on a change of its
	// access key or principal.
	RevocationSeq int64 `json:"revocation_seq"`
}

func (h *Handler) signingKey(ctx context.Context, c *caller, now time.Time) (any, error) {
	var in signingKeyInput
	if err := decodeJSON(c.body, &in); err != nil {
		return nil, err
	}
	day, err := time.Parse("20060102", in.Date)
	if err != nil || in.AccessKeyID == "" || in.Region == "" || in.Service == "" {
		return nil, awserr.InvalidInput("access_key_id, date (yyyymmdd), region and service are required")
	}
	if !scopeListed(c.service.Scopes, in.Region, in.Service) {
		return nil, awserr.AccessDenied("%s/%s is not a scope of relying service %s", in.Region, in.Service, c.service.Name)
	}
	notAfter := day.Add(24*time.Hour + sigv4.MaxSkew)
	if now.After(notAfter) || day.After(now.Add(sigv4.MaxSkew)) {
		return nil, awserr.InvalidInput("date must be a day whose requests can still be accepted")
	}
	// The position first: a change after it is in the feed from it.
	_, _, seq, err := h.Store.Changes(ctx, 1<<62, 1)
	if err != nil {
		return nil, awserr.InternalFailure(err)
	}
	p, secretKey, err := h.Auth.Secret(ctx, in.AccessKeyID, in.SessionToken, now)
	if err != nil {
		return nil, err
	}
	if p.Session != nil && p.Session.Expiration.Before(notAfter) {
		notAfter = p.Session.Expiration
	}
	return SigningKey{
		SigningKey:    base64.StdEncoding.EncodeToString(sigv4.DeriveSigningKey(secretKey, in.Date, in.Region, in.Service)),
		Principal:     principalOf(p),
		NotAfter:      notAfter.UTC(),
		RevocationSeq: seq,
	}, nil
}

// ---- revocations ----

// Revocation is a change that may end what a relying service decided or
// derived before it.
type Revocation struct {
	Seq     int64            `json:"seq"`
	Kind    store.ChangeKind `json:"kind"`
	Account string           `json:"account"`
	Subject string           `json:"subject"`
	At      time.Time        `json:"at"`
}

// Revocations is /revocations' answer. Last is the change log's position:
// the after of the next call. An answer with no revocation after a wait is
// the heartbeat.
type Revocations struct {
	Revocations []Revocation `json:"revocations"`
	Last        int64        `json:"last"`
}

// revokes reports whether a change can take back something granted
// before it: everything but what only adds.
func revokes(k store.ChangeKind) bool {
	switch k {
	case store.ChangeAccountCreated, store.ChangeUserCreated, store.ChangeAccessKeyCreated, store.ChangeGroupCreated,
		store.ChangeRoleCreated, store.ChangeAccessKeyActivated, store.ChangeInstanceProfileChanged, store.ChangeProviderChanged:
		return false
	}
	return true
}

// keyRevocation reports whether a change ends an access key: a service
// gets these of every account, since it verifies (and caches signing
// keys of) the keys of other accounts' principals too; their other
// changes decide nothing for it (another account's principal is allowed
// nothing on its resources).
func keyRevocation(k store.ChangeKind) bool {
	return k == store.ChangeAccessKeyDeactivated || k == store.ChangeAccessKeyDeleted || k == store.ChangeAccessKeyExpired
}

// revocations answers the changes after the after parameter that revoke
// something in the service's account (or the whole store), and every
// account's key revocations, waiting up to
// the wait parameter (default and cap MaxWait) for one. A position older
// than the log holds is 410 Gone: the service must forget everything.
func (h *Handler) revocations(ctx context.Context, c *caller, now time.Time) (any, error) {
	after, err := strconv.ParseInt(c.query.Get("after"), 10, 64)
	if err != nil || after < 0 {
		return nil, awserr.InvalidInput("after must be a change log position (0 for the start)")
	}
	maxWait := h.MaxWait
	if maxWait <= 0 {
		maxWait = 25 * time.Second
	}
	wait := maxWait
	if v := c.query.Get("wait"); v != "" {
		if wait, err = time.ParseDuration(v); err != nil || wait < 0 {
			return nil, awserr.InvalidInput("wait must be a duration such as 20s")
		}
		wait = min(wait, maxWait)
	}
	poll := h.PollInterval
	if poll <= 0 {
		poll = 100 * time.Millisecond
	}
	deadline := time.Now().Add(wait)
	gen := h.Store.Generation()
	stop := h.stopping()
	for {
		changes, first, last, err := h.Store.Changes(ctx, after, 1000)
		if err != nil {
			return nil, awserr.InternalFailure(err)
		}
		if after+1 < first && after < last {
			return nil, &awserr.Error{Code: "RevocationsExpired", Message: "The change log no longer holds position " + strconv.FormatInt(after, 10) + ": forget what was derived before, and follow from " + strconv.FormatInt(last, 10), Status: http.StatusGone, Sender: true}
		}
		out := Revocations{Revocations: []Revocation{}, Last: last}
		if len(changes) > 0 {
			out.Last = changes[len(changes)-1].Seq
		}
		for _, ch := range changes {
			if revokes(ch.Kind) && (ch.AccountID == c.service.AccountID || ch.AccountID == "" || keyRevocation(ch.Kind)) {
				out.Revocations = append(out.Revocations, Revocation{Seq: ch.Seq, Kind: ch.Kind, Account: ch.AccountID, Subject: ch.Subject, At: ch.At})
			}
		}
		if len(out.Revocations) > 0 || time.Now().After(deadline) {
			return out, nil
		}
		after = out.Last
		// Wait for the store's generation to move (a write of this server,
		// or another's once this one has synced), looking at the log at
		// least every poll interval.
		next := time.Now().Add(min(poll, time.Until(deadline)+time.Millisecond))
		for time.Now().Before(next) {
			t := time.NewTimer(genCheck)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, awserr.ServiceUnavailable(ctx.Err())
			case <-stop:
				t.Stop()
				return out, nil // shutting down: what there is, a heartbeat
			case <-t.C:
			}
			if g := h.Store.Generation(); g != gen {
				gen = g
				break
			}
		}
	}
}

// genCheck is how often a waiting revocations call looks at the store's
// generation, an atomic read.
const genCheck = 5 * time.Millisecond
