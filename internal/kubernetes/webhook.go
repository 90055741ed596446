package kubernetes

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/awserr"
	"github.com/latchkey/latchkey/internal/principal"
	"github.com/latchkey/latchkey/internal/server"
	"github.com/latchkey/latchkey/internal/sigv4"
)

// Prefix is the path under which the webhook is served; TokenReviewPath
// is the webhook itself.
const (
	Prefix          = "/latchkey/v1/kubernetes/"
	TokenReviewPath = Prefix + "tokenreview"
)

// maxBody bounds a TokenReview.
const maxBody = 64 << 10

// Handler serves the authentication webhook kube-apiserver calls with a
// TokenReview (authentication.k8s.io/v1, or v1beta1 of the same shape).
type Handler struct {
	Auth *server.Authenticator
	// ClusterID is the value tokens must sign in x-k8s-aws-id
	// (`aws eks get-token --cluster-name ID`).
	ClusterID string
	Mapping   *Mapping
	// BearerToken is what kube-apiserver's webhook kubeconfig presents
	// (Authorization: Bearer …); every other caller is refused.
	BearerToken string
	Logger      *slog.Logger
	Now         func() time.Time
}

// TokenReview is the part of a TokenReview the webhook reads and writes.
type TokenReview struct {
	APIVersion string             `json:"apiVersion"`
	Kind       string             `json:"kind"`
	Spec       *TokenReviewSpec   `json:"spec,omitempty"`
	Status     *TokenReviewStatus `json:"status,omitempty"`
}

// TokenReviewSpec is the token to review.
type TokenReviewSpec struct {
	Token     string   `json:"token"`
	Audiences []string `json:"audiences,omitempty"`
}

// TokenReviewStatus is the answer: the user, or why not.
type TokenReviewStatus struct {
	Authenticated bool   `json:"authenticated"`
	User          *User  `json:"user,omitempty"`
	Error         string `json:"error,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"code": code, "message": message, "http_status": status}})
}

// ServeHTTP implements http.Handler. A call that cannot be served (wrong
// path or method, no or wrong bearer token, not a TokenReview) answers
// its HTTP status with the relying-service API's error object; a token
// reviewed answers 200 with the TokenReview, authenticated or not.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != TokenReviewPath {
		writeError(w, http.StatusNotFound, "NotFound", "No such API: "+r.URL.Path)
		return
	}
	if r.Method != http.MethodPost {
		writeError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", r.URL.Path+" takes POST")
		return
	}
	if !BearerMatches(r.Header.Get("Authorization"), h.BearerToken) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="latchkey"`)
		writeError(w, http.StatusUnauthorized, "Unauthorized", "The webhook's bearer token is missing or wrong")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "The TokenReview is too large or could not be read")
		return
	}
	var in TokenReview
	if err := json.Unmarshal(body, &in); err != nil || in.Kind != "TokenReview" || in.Spec == nil ||
		(in.APIVersion != "authentication.k8s.io/v1" && in.APIVersion != "authentication.k8s.io/v1beta1") {
		writeError(w, http.StatusBadRequest, "InvalidInput", "The body is not an authentication.k8s.io/v1 TokenReview")
		return
	}
	now := time.Now().UTC()
	if h.Now != nil {
		now = h.Now().UTC()
	}
	out := TokenReview{APIVersion: in.APIVersion, Kind: "TokenReview", Status: &TokenReviewStatus{}}
	user, err := h.Review(r.Context(), in.Spec.Token, now)
	var refused *reviewError
	if err != nil && !errors.As(err, &refused) {
		ae := awserr.As(err)
		if h.Logger != nil {
			h.Logger.Error("kubernetes token review failed", "error", err)
		}
		writeError(w, ae.Status, ae.Code, ae.Message)
		return
	}
	if refused != nil {
		out.Status.Error = refused.Error()
		writeJSON(w, http.StatusOK, out)
		return
	}
	out.Status.Authenticated, out.Status.User = true, &user
	writeJSON(w, http.StatusOK, out)
}

// BearerMatches reports, in constant time, whether an Authorization
// header carries "Bearer TOKEN" with want as TOKEN. An empty want matches
// nothing.
func BearerMatches(header, want string) bool {
	scheme, got, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || want == "" {
		return false
	}
	g, w := sha256.Sum256([]byte(strings.TrimSpace(got))), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}

// reviewError is a refusal of the token: its message goes to
// kube-apiserver (which logs it), never the token.
type reviewError struct{ msg string }

func (e *reviewError) Error() string { return e.msg }

// Review verifies a token and maps its principal: the token's form
// (DecodeToken); its age (at most MaxTokenAge since X-Amz-Date, not dated
// in the future beyond the clock skew); then its signature, by Latchkey's
// own verifier, over the GET request the URL describes with the cluster
// id as x-k8s-aws-id (a token signed for another cluster does not
// verify), scoped to the sts service; finally the mapping. A refusal is a
// *reviewError; any other error is Latchkey's own failure.
func (h *Handler) Review(ctx context.Context, token string, now time.Time) (User, error) {
	p, err := h.verify(ctx, token, now)
	if err != nil {
		return User{}, err
	}
	u, ok := h.Mapping.Map(p)
	if !ok {
		return User{}, &reviewError{msg: "the principal " + p.ARN() + " is not mapped to a Kubernetes user"}
	}
	return u, nil
}

func (h *Handler) verify(ctx context.Context, token string, now time.Time) (*principal.Principal, error) {
	tok, err := DecodeToken(token)
	if err != nil {
		return nil, &reviewError{msg: err.Error()}
	}
	switch {
	case now.After(tok.Date.Add(MaxTokenAge)):
		return nil, &reviewError{msg: "the token has expired: it is dated " + tok.Date.Format(sigv4.TimeFormat) + ", and lives 15 minutes"}
	case tok.Date.After(now.Add(sigv4.MaxSkew)):
		return nil, &reviewError{msg: "the token is dated in the future: " + tok.Date.Format(sigv4.TimeFormat)}
	}
	r, err := http.NewRequest(http.MethodGet, "https://"+tok.Host+"/?"+tok.RawQuery, nil)
	if err != nil {
		return nil, &reviewError{msg: "the token's URL is malformed"}
	}
	r.Header.Set(ClusterIDHeader, h.ClusterID)
	// The clock given to Parse is the token's own date: its life was
	// checked above, and STS holds presigned URLs to 15 minutes whatever
	// their X-Amz-Expires says.
	sr, err := sigv4.Parse(r, nil, tok.Date)
	if err != nil {
		return nil, refusal(server.SigV4Error(err))
	}
	if sr.Service != "sts" {
		return nil, &reviewError{msg: "the token's credential is not scoped to the sts service"}
	}
	p, err := h.Auth.Verify(ctx, sr, now)
	if err != nil {
		return nil, refusal(err)
	}
	return p, nil
}

// refusal is err as a refusal, unless it is Latchkey's own failure.
func refusal(err error) error {
	ae := awserr.As(err)
	if ae.Status >= 500 {
		return err
	}
	return &reviewError{msg: ae.Code + ": " + ae.Message}
}
