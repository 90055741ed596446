// Package kubernetes serves Kubernetes' webhook token authentication for
// the tokens `aws eks get-token` and aws-iam-authenticator make: a
// presigned sts:GetCallerIdentity URL, which Latchkey verifies itself, and
// a mapping in the shape of EKS's aws-auth ConfigMap from the principal
// to a Kubernetes user and groups.
package kubernetes

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/sigv4"
)

// The token's form, as aws-iam-authenticator defines it.
const (
	// TokenPrefix starts every token; base64url without padding of the
	// presigned URL follows.
	TokenPrefix = "k8s-aws-v1."
	// MaxTokenBytes bounds a token.
	MaxTokenBytes = 4096
	// ClusterIDHeader is the signed header that binds a token to a
	// cluster.
	ClusterIDHeader = "x-k8s-aws-id"
	// MaxTokenAge is how long a token lives after its X-Amz-Date:
	// presigned STS URLs live 15 minutes whatever their X-Amz-Expires (the
	// CLI sets 60, for old authenticators).
	MaxTokenAge = 15 * time.Minute
	// maxExpires is the largest X-Amz-Expires accepted, in seconds.
	maxExpires = 900
)

// allowedParams are the query parameters a token's URL may carry, and no
// other: anything else could make the URL mean something else.
var allowedParams = map[string]bool{
	"Action": true, "Version": true,
	"X-Amz-Algorithm": true, "X-Amz-Credential": true, "X-Amz-Date": true, "X-Amz-Expires": true,
	"X-Amz-SignedHeaders": true, "X-Amz-Signature": true, "X-Amz-Security-Token": true,
}

// stsHost is the global STS endpoint or a regional one.
var stsHost = regexp.MustCompile(`^sts(\.[a-z]{2}(-[a-z]+)+-[0-9]+)?\.amazonaws\.com$`)

// Token is a decoded token: the presigned GetCallerIdentity URL it
// carries, of the form checked, not yet verified.
type Token struct {
	Host     string
	RawQuery string
	// Date is the URL's X-Amz-Date.
	Date time.Time
}

// FormatError is a token that is not of the form; its message may be
// shown to the caller.
type FormatError struct{ Reason string }

func (e *FormatError) Error() string { return "token is not well formed: " + e.Reason }

func formatError(format string, args ...any) error {
	return &FormatError{Reason: fmt.Sprintf(format, args...)}
}

// DecodeToken checks a token's form without any secret or clock: the
// prefix and encoding; an https URL to sts.amazonaws.com or
// sts.REGION.amazonaws.com, path "/", no user, fragment or port; only the
// allowed parameters, each once (names as the SDKs spell them);
// Action=GetCallerIdentity, Version 2011-06-15 when given; the cluster-id
// header among the signed ones; X-Amz-Expires from 1 to 900 and a date in
// ISO 8601 basic format.
func DecodeToken(token string) (*Token, error) {
	if len(token) > MaxTokenBytes {
		return nil, formatError("token is longer than %d bytes", MaxTokenBytes)
	}
	rest, ok := strings.CutPrefix(token, TokenPrefix)
	if !ok {
		return nil, formatError("token does not start with %q", TokenPrefix)
	}
	raw, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil {
		return nil, formatError("token is not base64url without padding")
	}
	u, err := url.Parse(string(raw))
	if err != nil {
		return nil, formatError("token does not hold a URL")
	}
	switch {
	case u.Scheme != "https":
		return nil, formatError("the URL's scheme is not https")
	case u.User != nil || u.Fragment != "" || u.RawFragment != "" || u.Opaque != "":
		return nil, formatError("the URL has a user, an opaque part or a fragment")
	case !stsHost.MatchString(u.Host):
		return nil, formatError("the URL's host is not an STS endpoint: %q", u.Host)
	case u.Path != "/" || u.RawPath != "":
		return nil, formatError("the URL's path is not /")
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, formatError("the URL's query is malformed")
	}
	for k, v := range q {
		if !allowedParams[k] {
			return nil, formatError("the URL has a query parameter that is not allowed: %q", k)
		}
		if len(v) != 1 {
			return nil, formatError("the URL's query parameter %q is repeated", k)
		}
	}
	if q.Get("Action") != "GetCallerIdentity" {
		return nil, formatError("the URL's Action is not GetCallerIdentity")
	}
	if v, ok := q["Version"]; ok && v[0] != "2011-06-15" {
		return nil, formatError("the URL's Version is not 2011-06-15")
	}
	signed := false
	for _, h := range strings.Split(q.Get("X-Amz-SignedHeaders"), ";") {
		if strings.EqualFold(h, ClusterIDHeader) {
			signed = true
		}
	}
	if !signed {
		return nil, formatError("the URL does not sign the %s header", ClusterIDHeader)
	}
	expires, err := strconv.Atoi(q.Get("X-Amz-Expires"))
	if err != nil || expires < 1 || expires > maxExpires {
		return nil, formatError("the URL's X-Amz-Expires is not from 1 to %d", maxExpires)
	}
	date, err := time.Parse(sigv4.TimeFormat, q.Get("X-Amz-Date"))
	if err != nil {
		return nil, formatError("the URL's X-Amz-Date is not in ISO 8601 basic format")
	}
	return &Token{Host: u.Host, RawQuery: u.RawQuery, Date: date}, nil
}
