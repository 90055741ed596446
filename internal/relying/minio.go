package relying

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/latchkey/latchkey/internal/authz"
	"github.com/latchkey/latchkey/internal/awserr"
	"github.com/latchkey/latchkey/internal/kubernetes"
)

// MinIOPath is where MinIO's access-management plugin calls
// (MINIO_POLICY_PLUGIN_URL).
const MinIOPath = Prefix + "minio/authorize"

// MinIO answers MinIO's access-management plugin: for every request MinIO
// has authenticated, whether its account may do it, decided by Latchkey's
// policies with the one evaluator. The account is the request's MinIO
// access key, which must be a Latchkey access key id (Active); any other
// account is denied.
type MinIO struct {
	Relying *Handler
	// BearerToken is what MinIO sends in Authorization
	// (MINIO_POLICY_PLUGIN_AUTH_TOKEN="Bearer TOKEN"); every other caller
	// is refused.
	BearerToken string
}

// MinIORequest is the plugin's request body.
type MinIORequest struct {
	Input struct {
		Account    string              `json:"account"`
		Groups     []string            `json:"groups"`
		Action     string              `json:"action"`
		Bucket     string              `json:"bucket"`
		Object     string              `json:"object"`
		Conditions map[string][]string `json:"conditions"`
		Owner      bool                `json:"owner"`
		Claims     map[string]any      `json:"claims"`
	} `json:"input"`
}

// MinIOResult is the plugin's answer: {"result": {"allow": …}}.
type MinIOResult struct {
	Result struct {
		Allow bool `json:"allow"`
	} `json:"result"`
}

// ServeHTTP implements http.Handler.
func (m *MinIO) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	fail := func(err *awserr.Error) { writeJSON(w, err.Status, map[string]any{"error": errorOf(err)}) }
	switch {
	case r.URL.Path != MinIOPath:
		fail(&awserr.Error{Code: "NotFound", Message: "No such API: " + r.URL.Path, Status: http.StatusNotFound, Sender: true})
		return
	case r.Method != http.MethodPost:
		fail(&awserr.Error{Code: "MethodNotAllowed", Message: r.URL.Path + " takes POST", Status: http.StatusMethodNotAllowed, Sender: true})
		return
	case !kubernetes.BearerMatches(r.Header.Get("Authorization"), m.BearerToken):
		w.Header().Set("WWW-Authenticate", `Bearer realm="latchkey"`)
		fail(&awserr.Error{Code: "Unauthorized", Message: "The plugin's bearer token is missing or wrong", Status: http.StatusUnauthorized, Sender: true})
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		fail(awserr.RequestEntityTooLarge())
		return
	}
	var in MinIORequest
	if err := json.Unmarshal(body, &in); err != nil || in.Input.Action == "" {
		fail(awserr.InvalidInput("The body is not a MinIO access-management plugin request"))
		return
	}
	allow, err := m.allow(r, &in)
	if err != nil {
		e := awserr.As(err)
		if m.Relying.Logger != nil {
			m.Relying.Logger.Error("minio authorization failed", "error", err)
		}
		fail(e)
		return
	}
	var out MinIOResult
	out.Result.Allow = allow
	writeJSON(w, http.StatusOK, out)
}

// allow decides the request for its account. An account that is not an
// Active Latchkey access key is denied; only Latchkey's own failures are
// errors.
func (m *MinIO) allow(r *http.Request, in *MinIORequest) (bool, error) {
	h := m.Relying
	now := h.now()
	if in.Input.Account == "" {
		return false, nil
	}
	p, err := h.Auth.Credentials(r.Context(), in.Input.Account, "", now)
	if err != nil {
		var ae *awserr.Error
		if errors.As(err, &ae) && ae.Status < 500 {
			return false, nil
		}
		return false, err
	}
	resource := "arn:aws:s3:::*"
	switch {
	case in.Input.Bucket != "" && in.Input.Object != "":
		resource = "arn:aws:s3:::" + in.Input.Bucket + "/" + in.Input.Object
	case in.Input.Bucket != "":
		resource = "arn:aws:s3:::" + in.Input.Bucket
	}
	// A MinIO deployment answers to no one account: its buckets count as
	// the caller's own account's.
	ds, err := h.decide(r.Context(), p, []Question{{Action: in.Input.Action, Resource: resource, Context: minioContext(in.Input.Conditions)}}, now, "", "")
	if err != nil {
		if ae := awserr.As(err); ae.Status < 500 {
			return false, nil
		}
		return false, err
	}
	return len(ds) == 1 && ds[0].Decision == string(authz.Allowed), nil
}

// minioGlobalKeys are the request-describing keys MinIO sends without
// their "aws:" prefix.
var minioGlobalKeys = map[string]string{
	"sourceip": "aws:SourceIp", "securetransport": "aws:SecureTransport", "useragent": "aws:UserAgent",
	"user-agent": "aws:UserAgent", "referer": "aws:Referer", "currenttime": "aws:CurrentTime", "epochtime": "aws:EpochTime",
}

// minioDropped are keys that describe the principal or carry the
// request's credentials: Latchkey's own values stand for the principal,
// and a signature is no condition.
var minioDropped = map[string]bool{
	"authorization": true, "username": true, "userid": true, "principaltype": true, "groups": true,
	"x-amz-security-token": true, "x-amz-signature": true, "x-amz-credential": true,
}

// minioContext turns MinIO's conditions into condition keys: the
// request's global keys as aws:…, S3's (prefix, delimiter, max-keys,
// versionid, x-amz-…) as s3:…, keys already prefixed with s3: as sent.
// Keys about the principal, other services' keys and claims are dropped,
// so MinIO cannot speak for the principal.
func minioContext(conditions map[string][]string) map[string][]string {
	out := make(map[string][]string, len(conditions))
	for k, v := range conditions {
		lower := strings.ToLower(k)
		switch {
		case minioDropped[lower]:
		case minioGlobalKeys[lower] != "":
			if _, ok := out[minioGlobalKeys[lower]]; !ok {
				out[minioGlobalKeys[lower]] = v
			}
		case strings.HasPrefix(lower, "s3:"):
			out[k] = v
		case !strings.Contains(k, ":"):
			out["s3:"+k] = v
		}
	}
	return out
}
