package relying_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/latchkey/latchkey/internal/sigv4"
	"github.com/latchkey/latchkey/relying"
)

// fakeLatchkey serves the relying-service API for one account from
// memory, for tests and the example: keys, what each may do, a change
// log. It does not check the service's own signature beyond its scope.
type fakeLatchkey struct {
	*httptest.Server
	mu       sync.Mutex
	keys     map[string]*fakeKey
	scopes   map[string]bool // region/service
	seq      int64
	first    int64 // the oldest position served
	revs     []relying.Revocation
	changed  chan struct{} // closed and replaced on each change
	calls    map[string]int
	feedDown bool // /revocations answers 500
}

type fakeKey struct {
	secret    string
	principal relying.Principal
	active    bool
	allow     map[string]bool // "action resource"
}

func newFakeLatchkey(scopes ...string) *fakeLatchkey {
	f := &fakeLatchkey{keys: map[string]*fakeKey{}, scopes: map[string]bool{}, changed: make(chan struct{}), calls: map[string]int{}, seq: 10, first: 1}
	for _, s := range scopes {
		f.scopes[s] = true
	}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	return f
}

func (f *fakeLatchkey) addUser(keyID, secret, name string, allow ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := &fakeKey{secret: secret, active: true, allow: map[string]bool{},
		principal: relying.Principal{Type: "user", ARN: "arn:aws:iam::123456789012:user/" + name, Account: "123456789012", ID: "AIDA" + strings.ToUpper(name), AccessKeyID: keyID}}
	for _, a := range allow {
		k.allow[a] = true
	}
	f.keys[keyID] = k
}

// revoke records a revocation (and applies a deactivation).
func (f *fakeLatchkey) revoke(kind, subject string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if kind == relying.AccessKeyDeactivated {
		f.keys[subject].active = false
	}
	f.seq++
	f.revs = append(f.revs, relying.Revocation{Seq: f.seq, Kind: kind, Account: "123456789012", Subject: subject, At: time.Now().UTC()})
	close(f.changed)
	f.changed = make(chan struct{})
}

func (f *fakeLatchkey) count(name string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[name]
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func refuse(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": relying.Error{Code: code, Message: msg, HTTPStatus: status}})
}

func (f *fakeLatchkey) serve(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/latchkey/v1/")
	f.mu.Lock()
	f.calls[name]++
	f.mu.Unlock()
	if !strings.Contains(r.Header.Get("Authorization"), "/latchkey/aws4_request") {
		refuse(w, 403, "MissingAuthenticationToken", "Request is missing Authentication Token")
		return
	}
	switch name {
	case "signing-keys":
		var in relying.SigningKeyInput
		_ = json.NewDecoder(r.Body).Decode(&in)
		f.mu.Lock()
		k, ok := f.keys[in.AccessKeyID]
		scoped := f.scopes[in.Region+"/"+in.Service]
		seq := f.seq
		f.mu.Unlock()
		day, _ := time.Parse("20060102", in.Date)
		switch {
		case !scoped:
			refuse(w, 403, "AccessDenied", "not a scope of this service")
		case !ok || !k.active:
			refuse(w, 403, "InvalidClientTokenId", "The security token included in the request is invalid.")
		default:
			writeJSON(w, 200, map[string]any{"signing_key": base64.StdEncoding.EncodeToString(sigv4.DeriveSigningKey(k.secret, in.Date, in.Region, in.Service)),
				"principal": k.principal, "not_after": day.Add(24*time.Hour + sigv4.MaxSkew), "revocation_seq": seq})
		}
	case "verify":
		var in struct {
			Request   relying.RequestJSON `json:"request"`
			Authorize []relying.Question  `json:"authorize"`
		}
		_ = json.NewDecoder(r.Body).Decode(&in)
		p, k, err := f.verify(in.Request)
		if err != nil {
			writeJSON(w, 200, map[string]any{"error": err})
			return
		}
		writeJSON(w, 200, map[string]any{"principal": p, "decisions": decide(k, in.Authorize)})
	case "authorize":
		var in struct {
			AccessKeyID string             `json:"access_key_id"`
			Authorize   []relying.Question `json:"authorize"`
		}
		_ = json.NewDecoder(r.Body).Decode(&in)
		f.mu.Lock()
		k, ok := f.keys[in.AccessKeyID]
		f.mu.Unlock()
		if !ok || !k.active {
			refuse(w, 403, "InvalidClientTokenId", "The security token included in the request is invalid.")
			return
		}
		writeJSON(w, 200, map[string]any{"principal": k.principal, "decisions": decide(k, in.Authorize)})
	case "revocations":
		after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
		wait, _ := time.ParseDuration(r.URL.Query().Get("wait"))
		deadline := time.After(wait)
		for {
			f.mu.Lock()
			down, changed, seq, first := f.feedDown, f.changed, f.seq, f.first
			var out []relying.Revocation
			for _, rev := range f.revs {
				if rev.Seq > after {
					out = append(out, rev)
				}
			}
			f.mu.Unlock()
			switch {
			case down:
				refuse(w, 500, "InternalFailure", "down")
				return
			case after+1 < first:
				refuse(w, 410, "RevocationsExpired", "expired")
				return
			case len(out) > 0:
				writeJSON(w, 200, relying.Revocations{Revocations: out, Last: out[len(out)-1].Seq})
				return
			}
			select {
			case <-changed:
			case <-deadline:
				writeJSON(w, 200, relying.Revocations{Revocations: []relying.Revocation{}, Last: seq})
				return
			case <-r.Context().Done():
				return
			}
		}
	default:
		refuse(w, 404, "NotFound", "no such API")
	}
}

func decide(k *fakeKey, qs []relying.Question) []relying.Decision {
	out := []relying.Decision{}
	for _, q := range qs {
		d := "implicitDeny"
		if k.allow[q.Action+" "+q.Resource] || k.allow[q.Action+" *"] {
			d = "allowed"
		}
		out = append(out, relying.Decision{Decision: d})
	}
	return out
}

// verify checks a described request with the key's secret, as Latchkey
// does (without its host and scope checks).
func (f *fakeLatchkey) verify(d relying.RequestJSON) (*relying.Principal, *fakeKey, *relying.Error) {
	u := &url.URL{Path: d.Path, RawPath: d.Path, RawQuery: d.Query}
	r := &http.Request{Method: d.Method, URL: u, Host: d.Host, Header: http.Header(d.Headers), ContentLength: -1}
	sr, err := sigv4.Parse(r, nil, time.Now())
	var se *sigv4.Error
	if errors.As(err, &se) {
		return nil, nil, &relying.Error{Code: se.Kind.Code(), Message: se.Message, HTTPStatus: se.Kind.HTTPStatus()}
	}
	sr.PayloadHash = d.BodySHA256
	if h := r.Header.Get("X-Amz-Content-Sha256"); h != "" {
		sr.PayloadHash = h
	} else if sr.Presigned && sr.Service == "s3" {
		sr.PayloadHash = "UNSIGNED-PAYLOAD"
	}
	f.mu.Lock()
	k, ok := f.keys[sr.AccessKeyID]
	f.mu.Unlock()
	if !ok || !k.active {
		return nil, nil, &relying.Error{Code: "InvalidClientTokenId", Message: "The security token included in the request is invalid.", HTTPStatus: 403}
	}
	if sr.Verify(k.secret, nil) != nil {
		return nil, nil, &relying.Error{Code: "SignatureDoesNotMatch", Message: sigv4.MismatchMessage, HTTPStatus: 403}
	}
	p := k.principal
	return &p, k, nil
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
