package server

import (
	"encoding/json"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/latchkey/latchkey/internal/awserr"
)

// acceptsJSON reports whether the client asks for JSON: an Accept header
// naming application/json. AWS's Query services answer such a client in
// JSON (aws-iam-authenticator's GetCallerIdentity does); the SDKs send no
// Accept header and get XML.
func acceptsJSON(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept") {
		for _, part := range strings.Split(v, ",") {
			mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err == nil && mt == "application/json" {
				return true
			}
		}
	}
	return false
}

// renderJSONResult writes the JSON form of the Query success envelope, as
// STS sends it:
//
//	{"ActionResponse": {"ActionResult": {…},
//	 "ResponseMetadata": {"RequestId": "…"}}}
func renderJSONResult(w http.ResponseWriter, action, requestID string, result any) error {
	type metadata struct {
		RequestID string `json:"RequestId"`
	}
	body, err := json.Marshal(map[string]map[string]any{
		action + "Response": {
			action + "Result":  result,
			"ResponseMetadata": metadata{RequestID: requestID},
		},
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, requestID, body)
	return nil
}

// renderJSONError writes the JSON form of the Query ErrorResponse:
//
//	{"Error": {"Code", "Message", "Type"}, "RequestId": "…"}
func renderJSONError(w http.ResponseWriter, requestID string, e *awserr.Error) {
	type errorBody struct {
		Code    string `json:"Code"`
		Message string `json:"Message"`
		Type    string `json:"Type"`
	}
	body, _ := json.Marshal(struct {
		Error     errorBody `json:"Error"`
		RequestID string    `json:"RequestId"`
	}{errorBody{Code: e.Code, Message: e.Message, Type: e.Type()}, requestID})
	writeJSON(w, e.Status, requestID, body)
}

func writeJSON(w http.ResponseWriter, status int, requestID string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("x-amzn-RequestId", requestID)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
