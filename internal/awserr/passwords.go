package awserr

import "net/http"

// The password API's errors, with the codes and HTTP statuses of
// botocore's IAM model (PasswordPolicyViolationException,
// InvalidUserTypeException).

// PasswordPolicyViolation: a password breaks the account's password
// policy (HTTP 400).
func PasswordPolicyViolation(format string, args ...any) *Error {
	return sender("PasswordPolicyViolation", http.StatusBadRequest, format, args...)
}

// InvalidUserType: the caller is not the kind of user the action is for
// (HTTP 400).
func InvalidUserType(format string, args ...any) *Error {
	return sender("InvalidUserType", http.StatusBadRequest, format, args...)
}

// EntityTemporarilyUnmodifiable: the entity is being changed by another
// request (HTTP 409).
func EntityTemporarilyUnmodifiable(format string, args ...any) *Error {
	return sender("EntityTemporarilyUnmodifiable", http.StatusConflict, format, args...)
}
