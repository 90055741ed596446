package bench

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/latchkey/latchkey/internal/sigv4"
)

// Ceiling is the least a server can do to answer GetCallerIdentity
// correctly on this machine: Go's net/http, the form parsed, the SigV4
// signature checked with Latchkey's own verifier (sigv4.Parse and Verify,
// with the same signing key cache) against one fixed secret held in memory,
// and a GetCallerIdentity-shaped answer. No store, no cache of keys, no
// sealed secret, no logging, no operation table: whatever Latchkey spends
// beyond this is its own overhead.
type Ceiling struct {
	Creds     Creds
	AccountID string

	cache *sigv4.SigningKeyCache
	seq   atomic.Uint64
}

// NewCeiling returns the ceiling for one root key.
func NewCeiling(c Creds, accountID string) *Ceiling {
	return &Ceiling{Creds: c, AccountID: accountID, cache: sigv4.NewSigningKeyCache(4096)}
}

const ceilingMaxBody = 64 << 10

// ServeHTTP implements http.Handler.
func (c *Ceiling) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/healthz" {
		_, _ = io.WriteString(w, "ok\n")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, ceilingMaxBody))
	if err != nil {
		c.fail(w, http.StatusBadRequest, "MalformedHttpRequestException")
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("Action") != "GetCallerIdentity" {
		c.fail(w, http.StatusBadRequest, "InvalidAction")
		return
	}
	sr, err := sigv4.Parse(r, body, time.Now())
	if err != nil {
		c.fail(w, http.StatusForbidden, "SignatureDoesNotMatch")
		return
	}
	if sr.AccessKeyID != c.Creds.AccessKeyID {
		c.fail(w, http.StatusForbidden, "InvalidClientTokenId")
		return
	}
	if err := sr.Verify(c.Creds.SecretAccessKey, c.cache); err != nil {
		c.fail(w, http.StatusForbidden, "SignatureDoesNotMatch")
		return
	}
	id := c.requestID()
	out := `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:iam::` + c.AccountID + `:root</Arn>
    <UserId>` + c.AccountID + `</UserId>
    <Account>` + c.AccountID + `</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata>
    <RequestId>` + id + `</RequestId>
  </ResponseMetadata>
</GetCallerIdentityResponse>
`
	h := w.Header()
	h.Set("Content-Type", "text/xml")
	h.Set("Content-Length", strconv.Itoa(len(out)))
	h.Set("x-amzn-RequestId", id)
	_, _ = io.WriteString(w, out)
}

func (c *Ceiling) requestID() string {
	return "00000000-0000-4000-8000-" + leftPad(strconv.FormatUint(c.seq.Add(1), 16), 12)
}

func leftPad(s string, n int) string {
	for len(s) < n {
		s = "0" + s
	}
	return s
}

func (c *Ceiling) fail(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>`+code+`</Code><Message>`+code+`</Message></Error><RequestId>`+c.requestID()+`</RequestId></ErrorResponse>`)
}

// ServeCeiling serves the ceiling on addr until ctx ends.
func ServeCeiling(ctx context.Context, addr string, c *Ceiling) error {
	srv := &http.Server{Addr: addr, Handler: c, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return srv.Shutdown(sctx)
	}
}
