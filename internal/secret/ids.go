package secret

import (
	"crypto/rand"
	"math/big"
)

const (
	base32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	secretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
)

// randomString draws n characters uniformly from alphabet with crypto/rand.
// Alphabets are powers of two long, so masking a byte is unbiased.
func randomString(alphabet string, n int) string {
	buf := make([]byte, n)
	if _, err := rand.Read(buf); err != nil {
		panic("secret: crypto/rand failed: " + err.Error())
	}
	mask := byte(len(alphabet) - 1)
	for i := range buf {
		buf[i] = alphabet[buf[i]&mask]
	}
	return string(buf)
}

// NewAccessKeyID returns "AKIA" and 16 base-32 characters, as AWS formats
// long-lived access key ids.
func NewAccessKeyID() string { return "AKIA" + randomString(base32Alphabet, 16) }

// NewUserID returns "AIDA" and 17 base-32 characters, as AWS formats user ids.
func NewUserID() string { return "AIDA" + randomString(base32Alphabet, 17) }

// NewGroupID returns a group id: "AGPA" and 17 characters, as AWS's.
func NewGroupID() string { return "AGPA" + randomString(base32Alphabet, 17) }

// NewRoleID returns a role id: "AROA" and 17 characters, as AWS's.
func NewRoleID() string { return "AROA" + randomString(base32Alphabet, 17) }

// NewInstanceProfileID returns an instance profile id: "AIPA" and 17
// characters, as AWS's.
func NewInstanceProfileID() string { return "AIPA" + randomString(base32Alphabet, 17) }

// NewPolicyID returns a managed policy id: "ANPA" and 17 characters, as AWS's.
func NewPolicyID() string { return "ANPA" + randomString(base32Alphabet, 17) }

// NewSecretAccessKey returns 40 characters of base64 alphabet, as AWS's
// secret access keys look.
func NewSecretAccessKey() string { return randomString(secretAlphabet, 40) }

// NewAccountID returns a random 12-digit account id not starting with 0.
func NewAccountID() string {
	n, err := rand.Int(rand.Reader, big.NewInt(9e11))
	if err != nil {
		panic("secret: crypto/rand failed: " + err.Error())
	}
	return big.NewInt(0).Add(n, big.NewInt(1e11)).String()
}
