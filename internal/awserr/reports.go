package awserr

import "net/http"

// The credential report's errors, with the codes and HTTP statuses of
// botocore's IAM model (CredentialReportNotPresentException,
// CredentialReportExpiredException).

// ReportNotPresent: no credential report was generated (HTTP 410).
func ReportNotPresent(format string, args ...any) *Error {
	return sender("ReportNotPresent", http.StatusGone, format, args...)
}

// ReportExpired: the account's credential report is too old (HTTP 410).
func ReportExpired(format string, args ...any) *Error {
	return sender("ReportExpired", http.StatusGone, format, args...)
}
