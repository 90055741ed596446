package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/latchkey/latchkey/internal/audit"
	"github.com/latchkey/latchkey/internal/awserr"
	"github.com/latchkey/latchkey/internal/principal"
	"github.com/latchkey/latchkey/internal/relying"
	"github.com/latchkey/latchkey/internal/server"
	"github.com/latchkey/latchkey/internal/sigv4"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/store/sqlstore"
)

// Development servers (latchkey serve --dev) stand in for an emulator in
// a test suite: their data lives in a temporary folder removed when they
// close, they may run with authorization off, and they serve a reset.

// Root credentials of a development server's account when the bootstrap
// variables do not give them: AWS's documentation example key, which
// tools and tests written for emulators already use.
const (
	DevAccountID       = "123456789012"
	DevAccessKeyID     = "AKIAIOSFODNN7EXAMPLE"
	DevSecretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

// ResetPath is where a development server serves its reset.
const ResetPath = relying.Prefix + "reset"

// DevOptions configure a development server's data.
type DevOptions struct {
	// AuthorizationOff lets every authenticated caller do everything in
	// its own account (server.OwnAccountAuthorizer).
	AuthorizationOff bool
}

// devMode is what makes a Data a development server's.
type devMode struct {
	dir              string
	authorizationOff bool
}

// OpenDev opens a development server's data: the embedded store and a
// master key in a new temporary folder, which Close removes.
func OpenDev(ctx context.Context, opts DevOptions) (*Data, error) {
	dir, err := os.MkdirTemp("", "latchkey-dev-")
	if err != nil {
		return nil, fmt.Errorf("create the development data folder: %w", err)
	}
	d, err := Open(ctx, Options{DataDir: dir})
	if err != nil {
		return nil, errors.Join(err, os.RemoveAll(dir))
	}
	d.dev = &devMode{dir: dir, authorizationOff: opts.AuthorizationOff}
	return d, nil
}

// DevDir is the temporary folder of a development server's data; "" for
// any other data.
func (d *Data) DevDir() string {
	if d.dev == nil {
		return ""
	}
	return d.dev.dir
}

// removeDev removes a development server's folder (nothing for other
// data), once its store is closed.
func (d *Data) removeDev() error {
	if d.dev == nil {
		return nil
	}
	return os.RemoveAll(d.dev.dir)
}

// authorizer is the request pipeline's: policies', unless d is a
// development server's with authorization off.
func (d *Data) authorizer(policies *server.PolicyAuthorizer) server.Authorizer {
	if d.dev != nil && d.dev.authorizationOff {
		return server.OwnAccountAuthorizer{}
	}
	return policies
}

// devHandlers adds a development server's reset to the handlers served
// under the relying-service prefix; other data serves none, so the path
// answers as any unknown one. st must be the store the handlers write
// through (the key cache), so that its cache follows the reset.
func (d *Data) devHandlers(more map[string]http.Handler, auth *server.Authenticator, st store.Store, rel http.Handler, log *slog.Logger) map[string]http.Handler {
	if d.dev == nil {
		return more
	}
	more[ResetPath] = &resetHandler{auth: auth, store: st, rel: rel, audit: d.Audit, log: log}
	return more
}

// resetHandler serves POST ResetPath: signed with SigV4 for the service
// latchkey (any region) by a root access key of the first account, it
// empties the store back to that account and its root keys
// (store.Store.Reset). Every cache follows: the key cache drops its keys,
// and the policy caches see the store's generation advance.
type resetHandler struct {
	auth  *server.Authenticator
	store store.Store
	rel   http.Handler // paths that only start with ResetPath
	audit *audit.Log
	log   *slog.Logger
}

// maxResetBody bounds a reset's body, which should be empty.
const maxResetBody = 64 << 10

func (h *resetHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != ResetPath {
		h.rel.ServeHTTP(w, r)
		return
	}
	start := time.Now()
	p, account, err := h.reset(w, r, start.UTC())
	rec := audit.Record{Time: start.UTC(), SourceIP: remoteHost(r), Service: relying.Service, Action: "Reset", Result: "success"}
	if p != nil {
		rec.AccountID, rec.Caller, rec.AccessKeyID = p.AccountID, p.ARN(), p.AccessKeyID
	}
	status := http.StatusOK
	var body any = map[string]string{"account": account}
	if err != nil {
		if sqlstore.IsUnavailable(err) {
			err = awserr.ServiceUnavailable(err)
		}
		e := awserr.As(err)
		status, rec.Result, rec.ErrorCode = e.Status, "failure", e.Code
		body = map[string]any{"error": relying.Error{Code: e.Code, Message: e.Message, HTTPStatus: e.Status}}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	attrs := []slog.Attr{slog.String("path", r.URL.Path), slog.String("caller", rec.Caller), slog.Int("status", status),
		slog.String("code", rec.ErrorCode), slog.Duration("latency", time.Since(start))}
	if status >= 500 {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	h.log.LogAttrs(r.Context(), level, "development reset", attrs...)
	if h.audit != nil {
		if aerr := h.audit.Write(rec); aerr != nil {
			h.log.Error("audit write failed", "err", aerr)
		}
	}
}

// reset authenticates the call as relying-service calls are (SigV4 for
// the service latchkey, a key Latchkey issued), requires the first
// account's root, and resets the store to that account.
func (h *resetHandler) reset(w http.ResponseWriter, r *http.Request, now time.Time) (*principal.Principal, string, error) {
	if r.Method != http.MethodPost {
		return nil, "", &awserr.Error{Code: "MethodNotAllowed", Message: ResetPath + " takes POST", Status: http.StatusMethodNotAllowed, Sender: true}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxResetBody))
	if err != nil {
		return nil, "", awserr.RequestEntityTooLarge()
	}
	sr, err := sigv4.Parse(r, body, now)
	if err != nil {
		return nil, "", server.SigV4Error(err)
	}
	if sr.Service != relying.Service {
		return nil, "", awserr.SignatureDoesNotMatch("Credential should be scoped to correct service: '%s'. ", relying.Service)
	}
	ctx := r.Context()
	p, err := h.auth.Verify(ctx, sr, now)
	if err != nil {
		return nil, "", err
	}
	account, err := h.store.GetMeta(ctx, metaBootstrapAccount)
	if err != nil {
		return p, "", awserr.InternalFailure(fmt.Errorf("read the first account's id: %w", err))
	}
	if !p.IsRoot() || p.Session != nil || p.AccountID != account {
		return p, "", awserr.AccessDenied("User: %s is not authorized to perform: latchkey:Reset: only a root access key of account %s may reset a development server", p.ARN(), account)
	}
	if err := h.store.Reset(ctx, account); err != nil {
		return p, "", awserr.InternalFailure(fmt.Errorf("reset: %w", err))
	}
	return p, account, nil
}

func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
