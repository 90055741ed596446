package relying

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Client calls Latchkey's relying-service API as the service: each call
// is signed with the service's own credentials for the service "latchkey".
// A Client is safe for concurrent use; its fields must not change once it
// is in use.
type Client struct {
	// URL is Latchkey's base URL, e.g. https://latchkey.internal:8443.
	URL string
	// Credentials are the relying service's own (the principal it was
	// registered with).
	Credentials aws.CredentialsProvider
	// Region is the region the service signs its own calls for (Latchkey
	// accepts any); default us-east-1.
	Region string
	// HTTPClient carries the calls; default http.DefaultClient. Bound
	// calls with their context rather than with its Timeout, which would
	// also cut the revocation feed's long poll.
	HTTPClient *http.Client
	// Now is the clock calls are signed with; default time.Now.
	Now func() time.Time
}

// NewClient returns a client of the Latchkey at url calling with the
// static credentials keyID and secret.
func NewClient(url, keyID, secret string) *Client {
	return &Client{URL: url, Credentials: credentials.NewStaticCredentialsProvider(keyID, secret, "")}
}

// Payload is what the caller knows of a request's body: its hex SHA-256,
// or the body itself (hashed here; the body never travels to Latchkey).
// The zero Payload is for a request that signs its payload's hash itself
// (S3's x-amz-content-sha256), is presigned for S3, or has no body.
type Payload struct {
	SHA256 string
	Body   []byte
}

func (p Payload) hash() string {
	if p.Body != nil {
		sum := sha256.Sum256(p.Body)
		return hex.EncodeToString(sum[:])
	}
	return strings.ToLower(p.SHA256)
}

// RequestJSON is the description of a received request /verify takes.
type RequestJSON struct {
	Method     string              `json:"method"`
	Host       string              `json:"host"`
	Path       string              `json:"path"`
	Query      string              `json:"query"`
	Headers    map[string][]string `json:"headers"`
	BodySHA256 string              `json:"body_sha256,omitempty"`
}

// describe is r as /verify takes it: the path and query as they came on
// the request line, the headers as received, the Host (which Go's server
// moves out of the header map) and the Content-Length and
// Transfer-Encoding it moves out too.
func describe(r *http.Request, p Payload) RequestJSON {
	h := make(map[string][]string, len(r.Header)+2)
	for k, v := range r.Header {
		h[k] = v
	}
	if _, ok := h["Content-Length"]; !ok && r.ContentLength > 0 {
		h["Content-Length"] = []string{strconv.FormatInt(r.ContentLength, 10)}
	}
	if _, ok := h["Transfer-Encoding"]; !ok && len(r.TransferEncoding) > 0 {
		h["Transfer-Encoding"] = r.TransferEncoding
	}
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	return RequestJSON{Method: r.Method, Host: host, Path: rawPath(r), Query: r.URL.RawQuery, Headers: h, BodySHA256: p.hash()}
}

// rawPath is the path as the client sent it (r.RequestURI on a server),
// else the URL's escaped path.
func rawPath(r *http.Request) string {
	if u := r.RequestURI; strings.HasPrefix(u, "/") {
		u, _, _ = strings.Cut(u, "?")
		return u
	}
	return r.URL.EscapedPath()
}

type verifyAnswer struct {
	Principal *Principal `json:"principal"`
	Decisions []Decision `json:"decisions"`
	Error     *Error     `json:"error"`
}

// Verify asks Latchkey to verify r, a request the service received, and
// to answer the questions for its principal. A request Latchkey refuses
// is an *Error, the AWS error to give the client; Latchkey refusing or
// failing the call itself is a *CallError, and not reaching it wraps
// ErrUnavailable.
func (c *Client) Verify(ctx context.Context, r *http.Request, p Payload, questions ...Question) (*Principal, []Decision, error) {
	in := struct {
		Request   RequestJSON `json:"request"`
		Authorize []Question  `json:"authorize,omitempty"`
	}{describe(r, p), questions}
	var out verifyAnswer
	if err := c.call(ctx, http.MethodPost, "verify", nil, in, &out); err != nil {
		return nil, nil, err
	}
	if out.Error != nil {
		return nil, nil, out.Error
	}
	if out.Principal == nil {
		return nil, nil, &CallError{StatusCode: http.StatusOK, Code: "InvalidAnswer", Message: "verify answered neither a principal nor an error"}
	}
	if len(out.Decisions) != len(questions) {
		return nil, nil, &CallError{StatusCode: http.StatusOK, Code: "InvalidAnswer", Message: "verify answered the wrong number of decisions"}
	}
	return out.Principal, out.Decisions, nil
}

// AuthorizeInput names a principal and asks questions about it: a user or
// account root by PrincipalARN, or any principal by its credentials
// (AccessKeyID, and SessionToken for temporary credentials).
type AuthorizeInput struct {
	PrincipalARN string
	AccessKeyID  string
	SessionToken string
	Questions    []Question
}

// Authorize answers the questions for a principal as Latchkey's policies
// decide now.
func (c *Client) Authorize(ctx context.Context, in AuthorizeInput) (*Principal, []Decision, error) {
	body := map[string]any{"authorize": in.Questions}
	if in.PrincipalARN != "" {
		body["principal"] = map[string]string{"ARN": in.PrincipalARN}
	}
	if in.AccessKeyID != "" {
		body["access_key_id"] = in.AccessKeyID
	}
	if in.SessionToken != "" {
		body["session_token"] = in.SessionToken
	}
	var out struct {
		Principal Principal  `json:"principal"`
		Decisions []Decision `json:"decisions"`
	}
	if err := c.call(ctx, http.MethodPost, "authorize", nil, body, &out); err != nil {
		return nil, nil, err
	}
	if len(out.Decisions) != len(in.Questions) {
		return nil, nil, &CallError{StatusCode: http.StatusOK, Code: "InvalidAnswer", Message: "authorize answered the wrong number of decisions"}
	}
	return &out.Principal, out.Decisions, nil
}

// SigningKeyInput names the access key and scope of a signing key.
type SigningKeyInput struct {
	AccessKeyID  string `json:"access_key_id"`
	SessionToken string `json:"session_token,omitempty"`
	Date         string `json:"date"` // yyyymmdd
	Region       string `json:"region"`
	Service      string `json:"service"`
}

// SigningKey asks Latchkey for the signing key of an access key in one of
// the service's scopes. A key Latchkey does not know or has deactivated,
// or a scope that is not the service's, is a *CallError (403).
func (c *Client) SigningKey(ctx context.Context, in SigningKeyInput) (*SigningKey, error) {
	var out struct {
		SigningKey
		Encoded string `json:"signing_key"`
	}
	if err := c.call(ctx, http.MethodPost, "signing-keys", nil, in, &out); err != nil {
		return nil, err
	}
	key, err := base64.StdEncoding.DecodeString(out.Encoded)
	if err != nil || len(key) != sha256.Size {
		return nil, &CallError{StatusCode: http.StatusOK, Code: "InvalidAnswer", Message: "signing_key is not a base64 SHA-256 key"}
	}
	out.SigningKey.Key = key
	return &out.SigningKey, nil
}

// Revocations reads the revocations after position after, waiting up to
// wait for one (Latchkey caps the wait, 25 s by default). A position the
// change log no longer holds is an error matching ErrRevocationsExpired.
func (c *Client) Revocations(ctx context.Context, after int64, wait time.Duration) (*Revocations, error) {
	q := url.Values{"after": {strconv.FormatInt(after, 10)}, "wait": {wait.String()}}
	var out Revocations
	if err := c.call(ctx, http.MethodGet, "revocations", q, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// maxAnswer bounds an answer's size.
const maxAnswer = 4 << 20

// call signs and sends one call, and decodes its answer into out.
func (c *Client) call(ctx context.Context, method, name string, query url.Values, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return err
		}
	}
	u := strings.TrimSuffix(c.URL, "/") + "/latchkey/v1/" + name
	if query != nil {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if body == nil {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	req.Header.Set("Content-Type", "application/json")
	if c.Credentials == nil {
		return errors.New("relying: Client.Credentials is nil")
	}
	creds, err := c.Credentials.Retrieve(ctx)
	if err != nil {
		return fmt.Errorf("relying: the service's credentials: %w", err)
	}
	sum := sha256.Sum256(body)
	region := c.Region
	if region == "" {
		region = "us-east-1"
	}
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	if err := signer.SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "latchkey", region, now()); err != nil {
		return err
	}
	hc := c.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return fmt.Errorf("%w: reading the answer: %v", ErrUnavailable, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error *Error `json:"error"`
		}
		ce := &CallError{StatusCode: resp.StatusCode, Code: http.StatusText(resp.StatusCode), Message: strings.TrimSpace(string(raw))}
		if json.Unmarshal(raw, &e) == nil && e.Error != nil {
			ce.Code, ce.Message = e.Error.Code, e.Error.Message
		}
		return ce
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return &CallError{StatusCode: resp.StatusCode, Code: "InvalidAnswer", Message: "the answer is not JSON: " + err.Error()}
	}
	return nil
}

var signer = v4.NewSigner()
