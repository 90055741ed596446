// Package sigv4 verifies AWS Signature Version 4 on the server side, as IAM
// and STS do for the Query protocol: Parse reads the authentication
// (Authorization header or presigned query) and checks everything that needs
// no secret, including the clock; the caller then looks the secret up by
// access key id and calls Verify, which rebuilds the canonical request and
// the string to sign and compares signatures in constant time.
//
// The package is pure: standard library only, no store, no server, no
// globals; the clock is passed in. The SigV4 stages (CanonicalRequest,
// StringToSign, DeriveSigningKey, Signature) are exported and tested one by
// one against AWS's test vectors, and requests signed by aws-sdk-go-v2 and
// botocore are verified end to end.
//
// Failures are *Error values whose Kind maps to AWS's error code and whose
// Message is AWS's wording, safe to send verbatim. The canonical request is
// never put in a message; Error.Debug gives it to debug logs.
package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"time"
)

// SignedRequest is a request whose SigV4 authentication has been parsed
// (header or presigned query form) and whose timing has been checked, but
// whose signature is not verified yet.
type SignedRequest struct {
	AccessKeyID   string
	Date          string    // yyyymmdd from the credential scope
	Region        string    // as sent in the scope (any region is accepted)
	Service       string    // as sent in the scope ("iam", "sts", ...)
	Time          time.Time // X-Amz-Date (or Date header), UTC
	SignedHeaders []string  // as sent, in order
	Signature     string    // hex as sent
	Presigned     bool
	// SecurityToken is X-Amz-Security-Token (the header, or the query
	// parameter when presigned), as sent. Parse does not check it.
	SecurityToken string
	// PayloadHash, when set, is the canonical request's last line in
	// place of the body's hash: for a request verified on behalf of
	// another service, which holds the body (S3's signed
	// x-amz-content-sha256, UNSIGNED-PAYLOAD, or the body's hash it
	// computed).
	PayloadHash string

	in   canonicalInput // what the canonical request is rebuilt from
	body []byte
}

// Scope is the credential scope: date/region/service/aws4_request.
func (s *SignedRequest) Scope() string {
	return s.Date + "/" + s.Region + "/" + s.Service + "/aws4_request"
}

// CanonicalRequest returns the canonical request the server rebuilds for s.
func (s *SignedRequest) CanonicalRequest() string {
	return string(s.appendCanonicalRequest(nil))
}

// StringToSign returns the string to sign the server rebuilds for s.
func (s *SignedRequest) StringToSign() string {
	return StringToSign(s.Time, s.Scope(), s.CanonicalRequest())
}

func (s *SignedRequest) appendCanonicalRequest(dst []byte) []byte {
	if s.PayloadHash != "" {
		return s.in.appendTo(dst, s.PayloadHash)
	}
	if len(s.body) == 0 {
		return s.in.appendTo(dst, EmptyPayloadHash)
	}
	ph := payloadHash(s.body)
	return s.in.appendTo(dst, string(ph[:]))
}

// Verify rebuilds the canonical request and the string to sign and compares
// the signature with the one sent, in constant time (crypto/hmac.Equal).
// secret is the secret access key of s.AccessKeyID. cache may be nil.
//
// A mismatch is an *Error of kind SignatureMismatch with AWS's message; its
// Debug method returns the canonical request and string to sign.
func (s *SignedRequest) Verify(secret string, cache *SigningKeyCache) error {
	var key [sha256.Size]byte
	if cache != nil {
		key = cache.get(s.AccessKeyID, secret, s.Date, s.Region, s.Service)
	} else {
		key = deriveSigningKey(secret, s.Date, s.Region, s.Service)
	}
	return s.verify(key[:])
}

// VerifyWithSigningKey is Verify for a verifier that holds the signing key
// of s's scope (DeriveSigningKey of the secret, s.Date, s.Region and
// s.Service) instead of the secret: a relying service given the key by
// Latchkey. A key of another scope, or of the wrong length, does not match.
func (s *SignedRequest) VerifyWithSigningKey(signingKey []byte) error {
	if len(signingKey) != sha256.Size {
		return &Error{Kind: SignatureMismatch, Message: MismatchMessage}
	}
	return s.verify(signingKey)
}

// verify compares the signature sent with the one key makes of the rebuilt
// string to sign.
func (s *SignedRequest) verify(key []byte) error {
	// Both texts are built in stack buffers when they fit (the usual case).
	var cbuf [2048]byte
	creq := s.appendCanonicalRequest(cbuf[:0])
	var sbuf [256]byte
	sts := appendStringToSign(sbuf[:0], s.Time, "", s.Date, s.Region, s.Service, sha256.Sum256(creq))
	want := hmacSHA256(key, sts)
	got, ok := decodeSignature(s.Signature)
	if !hmac.Equal(want[:], got[:]) || !ok {
		return &Error{Kind: SignatureMismatch, Message: MismatchMessage, creq: string(creq), sts: string(sts)}
	}
	return nil
}

// decodeSignature decodes a signature as the SDKs write it: 64 lower-case
// hex digits. Anything else is no match (AWS compares the hex as sent).
func decodeSignature(v string) (sig [sha256.Size]byte, ok bool) {
	if len(v) != 2*len(sig) {
		return sig, false
	}
	ok = true
	for i := range sig {
		hi, lo := v[2*i], v[2*i+1]
		if !lowerHex(hi) || !lowerHex(lo) {
			ok = false
		}
		sig[i] = unhex(hi)<<4 | unhex(lo)
	}
	return sig, ok
}

func lowerHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' }
