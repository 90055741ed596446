package e2e

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	jose "github.com/go-jose/go-jose/v4"

	"github.com/latchkey/latchkey/internal/e2etest"
)

// testIssuer is an OpenID Connect issuer on loopback, over TLS as AWS
// requires: a discovery document, a JWKS, and ID tokens signed with its
// current key. Rotate replaces the key (a new key id); the JWKS then
// holds the new key alone.
type testIssuer struct {
	srv *httptest.Server
	// URL is the issuer (https://127.0.0.1:PORT); CAFile the PEM of its
	// certificate, for the server's SSL_CERT_FILE.
	URL    string
	CAFile string

	mu        sync.Mutex
	key       *rsa.PrivateKey
	kid       string
	jwksReads atomic.Int32
	down      atomic.Bool
}

func newTestIssuer(t *testing.T) *testIssuer {
	t.Helper()
	is := &testIssuer{}
	is.Rotate(t)
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		if is.down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"issuer": is.URL, "jwks_uri": is.URL + "/keys",
			"id_token_signing_alg_values_supported": []string{"RS256"}, "response_types_supported": []string{"id_token"},
			"subject_types_supported": []string{"public"}})
	})
	mux.HandleFunc("/keys", func(w http.ResponseWriter, r *http.Request) {
		is.jwksReads.Add(1)
		if is.down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		is.mu.Lock()
		set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &is.key.PublicKey, KeyID: is.kid, Algorithm: "RS256", Use: "sig"}}}
		is.mu.Unlock()
		json.NewEncoder(w).Encode(set)
	})
	is.srv = httptest.NewTLSServer(mux)
	t.Cleanup(is.srv.Close)
	is.URL = is.srv.URL
	is.CAFile = filepath.Join(t.TempDir(), "issuer-ca.pem")
	pemCert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: is.srv.Certificate().Raw})
	if err := os.WriteFile(is.CAFile, pemCert, 0o600); err != nil {
		t.Fatal(err)
	}
	return is
}

// Rotate gives the issuer a new signing key.
func (is *testIssuer) Rotate(t *testing.T) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	is.mu.Lock()
	defer is.mu.Unlock()
	is.key = key
	is.kid = "k" + time.Now().Format("150405.000000000")
}

// Token signs claims (iss and exp filled in unless given) with the
// current key, or with key when not nil.
func (is *testIssuer) Token(t *testing.T, claims map[string]any, key *rsa.PrivateKey) string {
	t.Helper()
	is.mu.Lock()
	kid := is.kid
	if key == nil {
		key = is.key
	}
	is.mu.Unlock()
	full := map[string]any{"iss": is.URL, "iat": time.Now().Unix(), "exp": time.Now().Add(10 * time.Minute).Unix()}
	for k, v := range claims {
		full[k] = v
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", kid))
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(full)
	jws, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	token, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// TestAssumeRoleWithWebIdentity: an OpenID Connect ID token from an
// issuer registered as an IAM OIDC provider is exchanged, unsigned, for a
// role session, when the token verifies and the role's trust policy
// allows the provider with the token's sub and aud. This is how
// Kubernetes service accounts and CI systems' OIDC tokens reach AWS.
func TestAssumeRoleWithWebIdentity(t *testing.T) {
	is := newTestIssuer(t)
	s := e2etest.Start(t, e2etest.Options{Env: []string{"SSL_CERT_FILE=" + is.CAFile}})
	ctx := t.Context()
	root := s.GoIAM(e2etest.Root)
	host := strings.TrimPrefix(is.URL, "https://")
	providerARN := acctARN + ":oidc-provider/" + host
	must[*iam.CreateOpenIDConnectProviderOutput](t)(root.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
		Url: aws.String(is.URL), ClientIDList: []string{"sts.amazonaws.com"}}))
	const sub = "system:serviceaccount:apps:deployer"
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + providerARN + `"},"Action":"sts:AssumeRoleWithWebIdentity",` +
		`"Condition":{"StringEquals":{"` + host + `:sub":"` + sub + `","` + host + `:aud":"sts.amazonaws.com"}}}]}`
	must[*iam.CreateRoleOutput](t)(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("k8s-deployer"), AssumeRolePolicyDocument: aws.String(trust)}))
	must[*iam.PutRolePolicyOutput](t)(root.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("k8s-deployer"), PolicyName: aws.String("read"),
		PolicyDocument: aws.String(doc(allow(act("iam:ListRoles"), res("*"))))}))
	const roleARN = acctARN + ":role/k8s-deployer"
	// The SDK's client sends AssumeRoleWithWebIdentity unsigned.
	anon := s.GoSTS(e2etest.Creds{})
	exchange := func(token string) (*sts.AssumeRoleWithWebIdentityOutput, error) {
		return anon.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("pod-1"), WebIdentityToken: aws.String(token)})
	}
	good := map[string]any{"sub": sub, "aud": "sts.amazonaws.com"}

	t.Run("a valid token becomes a role session", func(t *testing.T) {
		out := must[*sts.AssumeRoleWithWebIdentityOutput](t)(exchange(is.Token(t, good, nil)))
		if aws.ToString(out.SubjectFromWebIdentityToken) != sub || aws.ToString(out.Audience) != "sts.amazonaws.com" || aws.ToString(out.Provider) != providerARN {
			t.Fatalf("result %+v", out)
		}
		if aws.ToString(out.AssumedRoleUser.Arn) != "arn:aws:sts::123456789012:assumed-role/k8s-deployer/pod-1" {
			t.Fatalf("assumed role user %+v", out.AssumedRoleUser)
		}
		c := credsOf(out.Credentials)
		id := must[*sts.GetCallerIdentityOutput](t)(s.GoSTS(c).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
		if aws.ToString(id.Arn) != "arn:aws:sts::123456789012:assumed-role/k8s-deployer/pod-1" {
			t.Fatalf("caller identity %+v", id)
		}
		must[*iam.ListRolesOutput](t)(s.GoIAM(c).ListRoles(ctx, &iam.ListRolesInput{}))
		_, err := s.GoIAM(c).ListUsers(ctx, &iam.ListUsersInput{})
		wantDenied(t, err, "arn:aws:sts::123456789012:assumed-role/k8s-deployer/pod-1", "iam:ListUsers")
	})

	t.Run("the trust policy's conditions on sub and aud", func(t *testing.T) {
		_, err := exchange(is.Token(t, map[string]any{"sub": "system:serviceaccount:apps:other", "aud": "sts.amazonaws.com"}, nil))
		wantMessage(t, wantAPIError(t, err, http.StatusForbidden, "AccessDenied"), "Not authorized to perform sts:AssumeRoleWithWebIdentity")
		// An audience the provider does not list is refused before the trust
		// policy.
		_, err = exchange(is.Token(t, map[string]any{"sub": sub, "aud": "someone-else"}, nil))
		wantMessage(t, wantAPIError(t, err, http.StatusBadRequest, "InvalidIdentityToken"), "Incorrect token audience")
		// Listed on the provider, but not what the trust policy wants.
		must[*iam.AddClientIDToOpenIDConnectProviderOutput](t)(root.AddClientIDToOpenIDConnectProvider(ctx, &iam.AddClientIDToOpenIDConnectProviderInput{
			OpenIDConnectProviderArn: aws.String(providerARN), ClientID: aws.String("other-client")}))
		_, err = exchange(is.Token(t, map[string]any{"sub": sub, "aud": "other-client"}, nil))
		wantAPIError(t, err, http.StatusForbidden, "AccessDenied")
	})

	t.Run("forged, expired and foreign tokens", func(t *testing.T) {
		stranger, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		_, err = exchange(is.Token(t, good, stranger))
		wantAPIError(t, err, http.StatusBadRequest, "InvalidIdentityToken")
		token := is.Token(t, good, nil)
		parts := strings.Split(token, ".")
		_, err = exchange(parts[0] + "." + parts[1] + "x." + parts[2])
		wantAPIError(t, err, http.StatusBadRequest, "InvalidIdentityToken")
		_, err = exchange("not-a-jwt")
		wantMessage(t, wantAPIError(t, err, http.StatusBadRequest, "InvalidIdentityToken"), "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)")
		expired := is.Token(t, map[string]any{"sub": sub, "aud": "sts.amazonaws.com", "exp": time.Now().Add(-time.Minute).Unix()}, nil)
		_, err = exchange(expired)
		wantAPIError(t, err, http.StatusBadRequest, "ExpiredTokenException")
		early := is.Token(t, map[string]any{"sub": sub, "aud": "sts.amazonaws.com", "nbf": time.Now().Add(10 * time.Minute).Unix()}, nil)
		_, err = exchange(early)
		wantAPIError(t, err, http.StatusBadRequest, "InvalidIdentityToken")
		foreign := is.Token(t, map[string]any{"sub": sub, "aud": "sts.amazonaws.com", "iss": "https://issuer.invalid"}, nil)
		_, err = exchange(foreign)
		wantMessage(t, wantAPIError(t, err, http.StatusBadRequest, "InvalidIdentityToken"), "No OpenIDConnect provider found in your account for https://issuer.invalid")
	})

	t.Run("a rotated key is fetched when a token names it", func(t *testing.T) {
		before := is.jwksReads.Load()
		must[*sts.AssumeRoleWithWebIdentityOutput](t)(exchange(is.Token(t, good, nil)))
		if is.jwksReads.Load() != before {
			t.Fatal("the keys were fetched again for a key id already known")
		}
		is.Rotate(t)
		must[*sts.AssumeRoleWithWebIdentityOutput](t)(exchange(is.Token(t, good, nil)))
		if is.jwksReads.Load() != before+1 {
			t.Fatalf("JWKS read %d times after rotation, want once", is.jwksReads.Load()-before)
		}
	})

	t.Run("an unreachable issuer", func(t *testing.T) {
		is.down.Store(true)
		defer is.down.Store(false)
		stale := is.Token(t, good, nil) // current key: still cached, verifies
		must[*sts.AssumeRoleWithWebIdentityOutput](t)(exchange(stale))
		is.Rotate(t)
		_, err := exchange(is.Token(t, good, nil))
		wantAPIError(t, err, http.StatusBadRequest, "IDPCommunicationError")
	})

	t.Run("the SDK's web identity provider and the CLI", func(t *testing.T) {
		tokenFile := filepath.Join(t.TempDir(), "token")
		if err := os.WriteFile(tokenFile, []byte(is.Token(t, good, nil)), 0o600); err != nil {
			t.Fatal(err)
		}
		provider := stscreds.NewWebIdentityRoleProvider(anon, roleARN, stscreds.IdentityTokenFile(tokenFile), func(o *stscreds.WebIdentityRoleOptions) {
			o.RoleSessionName = "sdk"
		})
		cached := aws.NewCredentialsCache(provider)
		creds, err := cached.Retrieve(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(creds.AccessKeyID, "ASIA") || !creds.CanExpire {
			t.Fatalf("credentials %+v", creds)
		}
		id := must[*sts.GetCallerIdentityOutput](t)(s.GoSTS(e2etest.Creds{KeyID: creds.AccessKeyID, Secret: creds.SecretAccessKey, Token: creds.SessionToken}).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
		if aws.ToString(id.Arn) != "arn:aws:sts::123456789012:assumed-role/k8s-deployer/sdk" {
			t.Fatalf("caller identity %+v", id)
		}
		out, stderr, err := s.AWSCLI(t, e2etest.Creds{}, "sts", "assume-role-with-web-identity", "--role-arn", roleARN, "--role-session-name", "cli",
			"--web-identity-token", is.Token(t, good, nil))
		if err != nil {
			t.Fatalf("aws sts assume-role-with-web-identity: %v\n%s", err, stderr)
		}
		var res struct {
			AssumedRoleUser struct{ Arn string }
			Credentials     struct {
				AccessKeyID string `json:"AccessKeyId"`
			}
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil || res.AssumedRoleUser.Arn != "arn:aws:sts::123456789012:assumed-role/k8s-deployer/cli" || !strings.HasPrefix(res.Credentials.AccessKeyID, "ASIA") {
			t.Fatalf("CLI output %s (%v)", out, err)
		}
	})
}
