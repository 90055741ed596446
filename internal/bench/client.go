package bench

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// API versions of the two services.
const (
	iamVersion = "2010-05-08"
	stsVersion = "2011-06-15"
)

// Creds is an access key pair.
type Creds struct {
	AccessKeyID     string
	SecretAccessKey string
}

// Client sends AWS Query requests, each signed afresh with SigV4 by
// aws-sdk-go-v2's signer on a plain net/http request, as an SDK does (the
// signer caches the derived signing key per key and day, as in the SDK).
type Client struct {
	Endpoint string // http://host:port
	Region   string
	HTTP     *http.Client
	signer   *v4.Signer
}

// NewClient returns a client for endpoint keeping up to conns connections
// alive, so a run at concurrency c measures requests, not TCP handshakes.
func NewClient(endpoint string, conns int) *Client {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        conns + 8,
		MaxIdleConnsPerHost: conns + 8,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return &Client{
		Endpoint: strings.TrimRight(endpoint, "/"),
		Region:   "us-east-1",
		HTTP:     &http.Client{Transport: tr, Timeout: 60 * time.Second},
		signer:   v4.NewSigner(),
	}
}

// Close drops the idle connections.
func (c *Client) Close() { c.HTTP.CloseIdleConnections() }

// Response is one answer: its status and body.
type Response struct {
	Status int
	Body   []byte
}

// OK reports a 2xx status.
func (r Response) OK() bool { return r.Status >= 200 && r.Status < 300 }

// NewRequest builds the POST of action with params to service ("iam" or
// "sts"), signed with creds at the current time.
func (c *Client) NewRequest(ctx context.Context, creds Creds, service, action string, params url.Values) (*http.Request, error) {
	form := url.Values{"Action": {action}}
	if service == "sts" {
		form.Set("Version", stsVersion)
	} else {
		form.Set("Version", iamVersion)
	}
	for k, v := range params {
		form[k] = v
	}
	body := []byte(form.Encode())
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Endpoint+"/", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256(body)
	cr := aws.Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey}
	if err := c.signer.SignHTTP(ctx, cr, req, hex.EncodeToString(sum[:]), service, c.Region, time.Now()); err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	return req, nil
}

// Call sends the request NewRequest builds. A non-2xx answer is not an
// error: only a failure to get an answer is.
func (c *Client) Call(ctx context.Context, creds Creds, service, action string, params url.Values) (Response, error) {
	req, err := c.NewRequest(ctx, creds, service, action, params)
	if err != nil {
		return Response{}, err
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return Response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return Response{}, err
	}
	return Response{Status: resp.StatusCode, Body: b}, nil
}

// MustOK is Call that also fails on a non-2xx answer, quoting its error
// code; for setting up what an operation needs.
func (c *Client) MustOK(ctx context.Context, creds Creds, service, action string, params url.Values) ([]byte, error) {
	r, err := c.Call(ctx, creds, service, action, params)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", action, err)
	}
	if !r.OK() {
		return r.Body, &APIError{Action: action, Status: r.Status, Code: xmlText(r.Body, "Code"), Message: xmlText(r.Body, "Message")}
	}
	return r.Body, nil
}

// APIError is a non-2xx answer during set-up.
type APIError struct {
	Action, Code, Message string
	Status                int
}

func (e *APIError) Error() string {
	return fmt.Sprintf("%s: HTTP %d %s: %s", e.Action, e.Status, e.Code, e.Message)
}

// xmlText returns the text of the first <tag> element of an AWS Query
// answer, unescaped, or "". The answers are flat and machine-made; a full
// XML decoder would cost the load generator more CPU than the server.
func xmlText(body []byte, tag string) string {
	open := []byte("<" + tag + ">")
	i := bytes.Index(body, open)
	if i < 0 {
		return ""
	}
	rest := body[i+len(open):]
	j := bytes.Index(rest, []byte("</"+tag+">"))
	if j < 0 {
		return ""
	}
	return xmlUnescape.Replace(string(rest[:j]))
}

// xmlTexts returns the text of every <tag> element.
func xmlTexts(body []byte, tag string) []string {
	var out []string
	open, end := []byte("<"+tag+">"), []byte("</"+tag+">")
	for {
		i := bytes.Index(body, open)
		if i < 0 {
			return out
		}
		body = body[i+len(open):]
		j := bytes.Index(body, end)
		if j < 0 {
			return out
		}
		out = append(out, xmlUnescape.Replace(string(body[:j])))
		body = body[j+len(end):]
	}
}

var xmlUnescape = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&quot;", `"`, "&apos;", "'", "&#39;", "'", "&#34;", `"`, "&#xA;", "\n", "&#x9;", "\t", "&#xD;", "\r", "&amp;", "&")
