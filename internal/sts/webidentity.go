package sts

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/latchkey/latchkey/internal/arn"
	"github.com/latchkey/latchkey/internal/authz"
	"github.com/latchkey/latchkey/internal/awserr"
	"github.com/latchkey/latchkey/internal/op"
	"github.com/latchkey/latchkey/internal/policy"
	"github.com/latchkey/latchkey/internal/principal"
	"github.com/latchkey/latchkey/internal/store"
)

// Issuers verifies OpenID Connect ID tokens against their issuers' keys.
// An issuer's discovery document (ISSUER/.well-known/openid-configuration)
// is fetched the first time one of its tokens is seen and again after
// rediscoverAfter (5 minutes); its signing keys (the discovery document's jwks_uri)
// are cached, and fetched again when a token names a key id the cache
// does not hold, which is how issuers rotate keys. Issuers are reached
// over HTTPS with the system's roots (SSL_CERT_FILE and SSL_CERT_DIR add
// a private CA).
type Issuers struct {
	// Client fetches discovery documents and keys; nil is a client with a
	// 10-second timeout.
	Client *http.Client

	mu    sync.Mutex
	byURL map[string]*issuer
}

type issuer struct {
	verifier   *oidc.IDTokenVerifier
	discovered time.Time
}

const (
	// rediscoverAfter bounds how long a verifier (discovery document and
	// keys) is reused: a key the issuer withdrew verifies no longer than
	// that.
	rediscoverAfter = 5 * time.Minute
	maxIssuers      = 1000
	// notBeforeLeeway is the clock skew allowed on a token's nbf.
	notBeforeLeeway = time.Minute
)

// errIssuerUnreachable: the issuer's discovery document or keys could not
// be fetched.
var errIssuerUnreachable = errors.New("identity provider unreachable")

func (is *Issuers) client() *http.Client {
	if is.Client != nil {
		return is.Client
	}
	return &http.Client{Timeout: 10 * time.Second}
}

// verifier returns the verifier of issuerURL, discovering it if needed.
func (is *Issuers) verifier(issuerURL string, now time.Time) (*oidc.IDTokenVerifier, error) {
	is.mu.Lock()
	iss := is.byURL[issuerURL]
	is.mu.Unlock()
	if iss != nil && now.Sub(iss.discovered) < rediscoverAfter {
		return iss.verifier, nil
	}
	// The key set outlives this request: it keeps the client of the
	// context it is made with, not its deadline.
	discoverCtx, cancel := context.WithTimeout(oidc.ClientContext(context.Background(), is.client()), 10*time.Second)
	defer cancel()
	p, err := oidc.NewProvider(discoverCtx, issuerURL)
	if err != nil {
		return nil, fmt.Errorf("%w: discover %s: %v", errIssuerUnreachable, issuerURL, err)
	}
	v := p.Verifier(&oidc.Config{SkipClientIDCheck: true, SkipExpiryCheck: true})
	is.mu.Lock()
	if is.byURL == nil || len(is.byURL) >= maxIssuers {
		is.byURL = make(map[string]*issuer)
	}
	is.byURL[issuerURL] = &issuer{verifier: v, discovered: now}
	is.mu.Unlock()
	return v, nil
}

// unverifiedIssuer reads a JWT's iss claim without verifying anything:
// only to find which provider must verify it.
func unverifiedIssuer(token string) (string, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", false
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return "", false
	}
	var claims struct {
		Issuer string `json:"iss"`
	}
	if json.Unmarshal(payload, &claims) != nil || claims.Issuer == "" {
		return "", false
	}
	return claims.Issuer, true
}

type assumeRoleWithWebIdentityResult struct {
	Credentials                 Credentials        `xml:"Credentials"`
	SubjectFromWebIdentityToken string             `xml:"SubjectFromWebIdentityToken"`
	AssumedRoleUser             xmlAssumedRoleUser `xml:"AssumedRoleUser"`
	PackedPolicySize            *int               `xml:"PackedPolicySize,omitempty"`
	Provider                    string             `xml:"Provider"`
	Audience                    string             `xml:"Audience"`
}

func invalidIdentityToken(format string, args ...any) *awserr.Error {
	return &awserr.Error{Code: "InvalidIdentityToken", Message: fmt.Sprintf(format, args...), Status: http.StatusBadRequest, Sender: true}
}

// idpUnreachable: the issuer's discovery document or keys could not be
// fetched.
func idpUnreachable(cause error) *awserr.Error {
	return &awserr.Error{Code: "IDPCommunicationError", Message: "Couldn't retrieve verification key from your identity provider, please reference AssumeRoleWithWebIdentity documentation for requirements",
		Status: http.StatusBadRequest, Sender: true, Cause: cause}
}

func webIdentityDenied() *awserr.Error {
	return awserr.AccessDenied("Not authorized to perform sts:AssumeRoleWithWebIdentity")
}

// assumeRoleWithWebIdentity exchanges an OpenID Connect ID token for a
// role session. The call is unsigned: the token is the proof. Its issuer
// must be an OIDC provider of the role's account, its signature must
// verify with the issuer's current keys, it must not have expired, its
// audience must be one of the provider's client ids, and the role's trust
// policy must allow sts:AssumeRoleWithWebIdentity to the provider
// (Principal {"Federated": PROVIDER-ARN}) with the token's claims as the
// ISSUER:sub, ISSUER:aud and ISSUER:amr condition keys.
func (s *Service) assumeRoleWithWebIdentity(ctx context.Context, r *op.Request) (any, error) {
	if r.Input.Has("ProviderId") {
		return nil, awserr.ValidationError("ProviderId is for OAuth 2.0 access tokens, which this server does not accept; send an OpenID Connect ID token without it.")
	}
	roleARN := r.Input.String("RoleArn")
	account, path, name, ok := arn.ParseRole(roleARN)
	if !ok {
		return nil, awserr.ValidationError("%s is not a valid role ARN.", roleARN)
	}
	raw := r.Input.String("WebIdentityToken")
	issuerURL, ok := unverifiedIssuer(raw)
	if !ok {
		return nil, invalidIdentityToken("The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)")
	}
	url, ok := strings.CutPrefix(issuerURL, "https://")
	if !ok {
		return nil, invalidIdentityToken("No OpenIDConnect provider found in your account for %s", issuerURL)
	}
	provider, err := s.Store.GetOpenIDConnectProvider(ctx, account, url)
	if errors.Is(err, store.ErrNotFound) {
		return nil, invalidIdentityToken("No OpenIDConnect provider found in your account for %s", issuerURL)
	}
	if err != nil {
		return nil, awserr.InternalFailure(err)
	}
	v, err := s.Issuers.verifier(issuerURL, r.Time)
	if err != nil {
		return nil, idpUnreachable(err)
	}
	token, err := v.Verify(ctx, raw)
	if err != nil {
		if strings.Contains(err.Error(), "fetching keys") {
			return nil, idpUnreachable(err)
		}
		return nil, invalidIdentityToken("The web identity token could not be verified: its signature, issuer or form is not valid.")
	}
	now := r.Time.UTC()
	// The verifier skips its own time checks (SkipExpiryCheck, which also
	// skips nbf): both are made here, against the request's clock.
	var times struct {
		NotBefore *float64 `json:"nbf"`
	}
	if err := token.Claims(&times); err != nil {
		return nil, invalidIdentityToken("The web identity token could not be verified: its signature, issuer or form is not valid.")
	}
	if times.NotBefore != nil && now.Add(notBeforeLeeway).Before(time.Unix(int64(*times.NotBefore), 0)) {
		return nil, invalidIdentityToken("The web identity token is not valid yet: its nbf is in the future.")
	}
	if !now.Before(token.Expiry) {
		return nil, &awserr.Error{Code: "ExpiredTokenException", Message: fmt.Sprintf("Token expired: current date/time %d must be before the expiration date/time %d", now.Unix(), token.Expiry.Unix()),
			Status: http.StatusBadRequest, Sender: true}
	}
	audience := ""
	for _, aud := range token.Audience {
		if slices.Contains(provider.ClientIDs, aud) {
			audience = aud
			break
		}
	}
	if audience == "" {
		return nil, invalidIdentityToken("Incorrect token audience")
	}
	var claims struct {
		AMR any `json:"amr"`
	}
	_ = token.Claims(&claims)

	role, trust, found, err := s.roleAndTrust(ctx, account, path, name)
	if err != nil {
		return nil, awserr.InternalFailure(err)
	}
	if !found {
		return nil, webIdentityDenied()
	}
	providerARN := arn.OIDCProvider(account, provider.URL)
	sessionName := r.Input.String("RoleSessionName")
	keys := map[string][]string{
		"sts:RoleSessionName":   {sessionName},
		"aws:FederatedProvider": {providerARN},
		provider.URL + ":sub":   {token.Subject},
		provider.URL + ":aud":   {audience},
	}
	if amr := claimStrings(claims.AMR); len(amr) > 0 {
		keys[provider.URL+":amr"] = amr
	}
	info := authz.InfoOf(r)
	ctxKeys := authz.Context(r.Caller, nil, info, keys)
	decision := policy.Evaluate([]*policy.Policy{trust}, policy.Request{Action: "sts:AssumeRoleWithWebIdentity", Resource: roleARN, Context: ctxKeys,
		Principal: &policy.PrincipalRef{Federated: providerARN}})
	if decision != policy.Allow {
		return nil, webIdentityDenied()
	}

	limits, err := readSessionLimits(r, false)
	if err != nil {
		return nil, err
	}
	session, creds, err := s.issueRoleSession(r, role, principal.AssumeRoleWithWebIdentity, limits, "")
	if err != nil {
		return nil, err
	}
	return assumeRoleWithWebIdentityResult{
		Credentials:                 creds,
		SubjectFromWebIdentityToken: token.Subject,
		AssumedRoleUser:             xmlAssumedRoleUser{AssumedRoleID: session.UserID(), Arn: session.ARN()},
		PackedPolicySize:            limits.packed,
		Provider:                    providerARN,
		Audience:                    audience,
	}, nil
}

// claimStrings is a claim that is a string or a list of strings.
func claimStrings(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
