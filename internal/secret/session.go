package secret

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// Session tokens: the temporary credentials STS hands out are
// self-contained. The token carries, sealed with AES-256-GCM under the
// primary master key, everything needed to authenticate a request signed
// with its access key (the key id, the secret, the role and session, the
// expiry), so verifying a session reads nothing from the store and no
// table grows with sessions. The additional data binds the token to its
// access key id: a token presented with any other key id does not open.
//
// Format: "LKS1." + the sealing master key's id + "." + base64url (no
// padding) of nonce‖ciphertext‖tag. Without the master key it reveals
// only the key id's fingerprint and the payload's length (about 250 to 300
// bytes of JSON, so tokens are 400 to 450 characters; a session policy
// adds its length). A token outlives neither its expiry nor the master
// key that sealed it: after `latchkey master-key rotate` removes the old
// key, sessions sealed under it stop authenticating.

// Session is what a session token carries.
type Session struct {
	AccountID   string `json:"a"`
	AccessKeyID string `json:"k"` // ASIA…
	Secret      string `json:"s"`
	RoleID      string `json:"ri"` // AROA…
	RoleName    string `json:"rn"`
	RolePath    string `json:"rp"`
	SessionName string `json:"sn"`
	IssuedAt    int64  `json:"i"` // Unix seconds
	Expiration  int64  `json:"e"` // Unix seconds
	// Policy is the session policy given to AssumeRole, "" for none.
	Policy string `json:"p,omitempty"`
}

const sessionTokenPrefix = "LKS1."

// ErrBadToken: a session token that is malformed, altered, sealed under a
// key this server does not hold, or presented with another access key id.
var ErrBadToken = errors.New("secret: invalid session token")

func sessionAAD(accessKeyID string) []byte {
	return []byte("latchkey session token\x00" + accessKeyID)
}

// SealSession seals s into a session token under mk.
func SealSession(mk *MasterKey, s Session) (string, error) {
	payload, err := json.Marshal(s)
	if err != nil {
		return "", err
	}
	return sessionTokenPrefix + mk.ID() + "." + base64.RawURLEncoding.EncodeToString(mk.Seal(payload, sessionAAD(s.AccessKeyID))), nil
}

// OpenSession opens a session token presented with accessKeyID. Only keys
// the keyring already holds are tried: an unknown key id is refused
// without reloading the key file, so forged tokens cost no I/O.
func OpenSession(k *Keyring, token, accessKeyID string) (Session, error) {
	rest, ok := strings.CutPrefix(token, sessionTokenPrefix)
	if !ok {
		return Session{}, ErrBadToken
	}
	keyID, sealedText, ok := strings.Cut(rest, ".")
	if !ok {
		return Session{}, ErrBadToken
	}
	sealed, err := base64.RawURLEncoding.Strict().DecodeString(sealedText)
	if err != nil {
		return Session{}, ErrBadToken
	}
	k.mu.RLock()
	mk := k.keys[keyID]
	k.mu.RUnlock()
	if mk == nil {
		return Session{}, ErrBadToken
	}
	payload, err := mk.Open(sealed, sessionAAD(accessKeyID))
	if err != nil {
		return Session{}, ErrBadToken
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	var s Session
	if err := dec.Decode(&s); err != nil || s.AccessKeyID != accessKeyID {
		return Session{}, ErrBadToken
	}
	return s, nil
}

// Expired reports whether the session has expired at now.
func (s Session) Expired(now time.Time) bool { return now.Unix() >= s.Expiration }

// NewTemporaryAccessKeyID returns "ASIA" and 16 base-32 characters, as AWS
// formats temporary access key ids.
func NewTemporaryAccessKeyID() string { return "ASIA" + randomString(base32Alphabet, 16) }
