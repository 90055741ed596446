package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/latchkey/latchkey/internal/e2etest"
	"github.com/latchkey/latchkey/internal/sigv4"
)

// vaultLoginData is what Vault's AWS auth login helper sends Vault: a
// POST GetCallerIdentity to STS, signed with aws-sdk-go-v2's signer, with
// X-Vault-AWS-IAM-Server-ID signed, its headers (with Host added) as JSON.
type vaultLoginData struct {
	method, url, body string
	headers           http.Header
}

func vaultLogin(t *testing.T, c e2etest.Creds, stsURL, serverID string) vaultLoginData {
	t.Helper()
	const body = "Action=GetCallerIdentity&Version=2011-06-15"
	req, err := http.NewRequest(http.MethodPost, stsURL, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	req.Header.Set("X-Vault-AWS-IAM-Server-ID", serverID)
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: c.KeyID, SecretAccessKey: c.Secret, SessionToken: c.Token},
		req, hex.EncodeToString(sum[:]), "sts", "us-east-1", time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	headers := req.Header.Clone()
	if headers.Get("Host") == "" {
		headers.Set("Host", req.URL.Host)
	}
	// Through the wire format, as Vault receives it: base64 of JSON.
	raw, _ := json.Marshal(headers)
	enc := base64.StdEncoding.EncodeToString(raw)
	dec, _ := base64.StdEncoding.DecodeString(enc)
	var back http.Header
	if err := json.Unmarshal(dec, &back); err != nil {
		t.Fatal(err)
	}
	return vaultLoginData{method: req.Method, url: req.URL.String(), body: body, headers: back}
}

// vaultReplay sends the login data to endpoint as Vault's server does
// (buildHttpRequest and submitCallerIdentityRequest): the URL is the
// endpoint, "/", then the client URL's request URI (so "//"), the Host is
// the client URL's host, every header is copied, and redirects are not
// followed.
func vaultReplay(t *testing.T, endpoint string, d vaultLoginData) (*http.Response, []byte) {
	t.Helper()
	parsed, err := url.Parse(d.url)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(d.method, endpoint+"/"+parsed.RequestURI(), strings.NewReader(d.body))
	if err != nil {
		t.Fatal(err)
	}
	req.Host = parsed.Host
	for k, vals := range d.headers {
		for _, v := range vals {
			req.Header.Add(k, v)
		}
	}
	client := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// TestVaultAWSAuth: Vault's and OpenBao's AWS auth method with sts_endpoint
// pointed at Latchkey: the client's signed request, replayed by Vault to
// the path "//" with the Host the client signed, verifies and answers
// GetCallerIdentity in XML; a tampered replay is refused.
func TestVaultAWSAuth(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	client := newUserWithKey(t, s, "vault-client")
	type result struct {
		Arn, UserId, Account string
	}
	var xmlOut struct {
		Result result `xml:"GetCallerIdentityResult"`
	}
	for _, stsURL := range []string{"https://sts.amazonaws.com/", "https://sts.us-east-1.amazonaws.com/", "https://sts.amazonaws.com"} {
		t.Run(stsURL, func(t *testing.T) {
			d := vaultLogin(t, client, stsURL, "vault.example.com")
			resp, body := vaultReplay(t, s.URL, d)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("HTTP %d: %s", resp.StatusCode, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "text/xml" {
				t.Fatalf("Content-Type %q", ct)
			}
			if err := xml.Unmarshal(body, &xmlOut); err != nil {
				t.Fatal(err)
			}
			if xmlOut.Result.Arn != "arn:aws:iam::123456789012:user/vault-client" || xmlOut.Result.Account != "123456789012" || !strings.HasPrefix(xmlOut.Result.UserId, "AIDA") {
				t.Fatalf("GetCallerIdentity = %+v", xmlOut.Result)
			}
		})
	}

	t.Run("tampered", func(t *testing.T) {
		for name, tamper := range map[string]func(*vaultLoginData){
			"server id header":      func(d *vaultLoginData) { d.headers.Set("X-Vault-AWS-IAM-Server-ID", "other.example.com") },
			"host as Latchkey's":    func(d *vaultLoginData) { d.url = "https://" + s.Addr + "/" },
			"body":                  func(d *vaultLoginData) { d.body = "Action=GetCallerIdentity&Version=2011-06-15&X=1" },
			"server id header gone": func(d *vaultLoginData) { d.headers.Del("X-Vault-AWS-IAM-Server-ID") },
		} {
			t.Run(name, func(t *testing.T) {
				d := vaultLogin(t, client, "https://sts.amazonaws.com/", "vault.example.com")
				tamper(&d)
				resp, body := vaultReplay(t, s.URL, d)
				if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "<Code>SignatureDoesNotMatch</Code>") {
					t.Fatalf("HTTP %d: %s", resp.StatusCode, body)
				}
			})
		}
	})

	// aws-iam-authenticator and Vault's JSON-speaking callers: a presigned
	// GET with Accept: application/json gets AWS's JSON shape.
	t.Run("presigned GET, JSON", func(t *testing.T) {
		get := func(tamper bool) (*http.Response, []byte) {
			req, _ := http.NewRequest(http.MethodGet, "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Expires=60", nil)
			signed, _, err := v4.NewSigner().PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: client.KeyID, SecretAccessKey: client.Secret},
				req, sigv4.EmptyPayloadHash, "sts", "us-east-1", time.Now().UTC())
			if err != nil {
				t.Fatal(err)
			}
			u, _ := url.Parse(signed)
			if tamper {
				q := u.Query()
				q.Set("Version", "2011-06-16")
				u.RawQuery = q.Encode()
			}
			r, _ := http.NewRequest(http.MethodGet, s.URL+"/?"+u.RawQuery, nil)
			r.Host = u.Host
			r.Header.Set("Accept", "application/json")
			resp, err := http.DefaultClient.Do(r)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp, b
		}
		resp, body := get(false)
		var out struct {
			GetCallerIdentityResponse struct {
				GetCallerIdentityResult result
				ResponseMetadata        struct{ RequestId string }
			}
		}
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("HTTP %d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatal(err)
		}
		r := out.GetCallerIdentityResponse
		if r.GetCallerIdentityResult.Arn != "arn:aws:iam::123456789012:user/vault-client" || r.GetCallerIdentityResult.Account != "123456789012" ||
			!strings.HasPrefix(r.GetCallerIdentityResult.UserId, "AIDA") || r.ResponseMetadata.RequestId == "" {
			t.Fatalf("JSON answer %s", body)
		}
		resp, body = get(true)
		var e struct {
			Error     struct{ Code, Message, Type string }
			RequestId string
		}
		if err := json.Unmarshal(body, &e); err != nil || resp.StatusCode == http.StatusOK || e.Error.Code == "" || e.Error.Type != "Sender" || e.RequestId == "" {
			t.Fatalf("tampered: HTTP %d: %s", resp.StatusCode, body)
		}
	})
}
