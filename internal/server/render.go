package server

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strconv"
	"sync"

	"github.com/latchkey/latchkey/internal/awserr"
	"github.com/latchkey/latchkey/internal/op"
)

// Namespaces of the two services' XML responses.
const (
	iamNamespace = "https://iam.amazonaws.com/doc/2010-05-08/"
	stsNamespace = "https://sts.amazonaws.com/doc/2011-06-15/"
)

func namespace(service string) string {
	if service == "sts" {
		return stsNamespace
	}
	return iamNamespace
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// renderResult writes the AWS Query success envelope:
//
//	<ActionResponse xmlns="…"><ActionResult>…</ActionResult>
//	<ResponseMetadata><RequestId>…</RequestId></ResponseMetadata></ActionResponse>
//
// An action without a result (result == nil) has no ActionResult element,
// unless its model declares a result wrapper for an empty result
// (UpdateRole): then the element is there, empty, as AWS sends it and the
// SDKs require it.
func renderResult(w http.ResponseWriter, service, action, requestID string, result any, emptyWrapper bool) error {
	buf := bufPool.Get().(*bytes.Buffer)
	defer bufPool.Put(buf)
	buf.Reset()
	buf.WriteString("<" + action + "Response xmlns=\"" + namespace(service) + "\">\n")
	if result == nil && emptyWrapper {
		buf.WriteString("  <" + action + "Result/>\n")
	} else if a, ok := result.(op.XMLAppender); ok {
		buf.WriteString("  <" + action + "Result>\n")
		buf.Write(a.AppendXML(buf.AvailableBuffer()))
		buf.WriteString("  </" + action + "Result>\n")
	} else if result != nil {
		enc := xml.NewEncoder(buf)
		enc.Indent("  ", "  ")
		if err := enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: action + "Result"}}); err != nil {
			return err
		}
		if err := enc.Close(); err != nil {
			return err
		}
		buf.WriteString("\n")
	}
	buf.WriteString("  <ResponseMetadata>\n    <RequestId>" + requestID + "</RequestId>\n  </ResponseMetadata>\n</" + action + "Response>\n")
	writeXML(w, http.StatusOK, requestID, buf.Bytes())
	return nil
}

// renderError writes AWS's Query ErrorResponse.
func renderError(w http.ResponseWriter, service, requestID string, e *awserr.Error) {
	buf := bufPool.Get().(*bytes.Buffer)
	defer bufPool.Put(buf)
	buf.Reset()
	buf.WriteString("<ErrorResponse xmlns=\"" + namespace(service) + "\">\n  <Error>\n    <Type>" + e.Type() + "</Type>\n    <Code>")
	_ = xml.EscapeText(buf, []byte(e.Code))
	buf.WriteString("</Code>\n    <Message>")
	_ = xml.EscapeText(buf, []byte(e.Message))
	buf.WriteString("</Message>\n  </Error>\n  <RequestId>" + requestID + "</RequestId>\n</ErrorResponse>\n")
	writeXML(w, e.Status, requestID, buf.Bytes())
}

func writeXML(w http.ResponseWriter, status int, requestID string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/xml")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("x-amzn-RequestId", requestID)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
