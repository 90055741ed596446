package secret

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Session tokens: the temporary credentials STS hands out are
// self-contained. The token carries, sealed with AES-256-GCM, everything
// needed to authenticate a request signed with its access key (the key id,
// the secret, the role and session, the expiry), so verifying a session
// reads nothing from the store and no table grows with sessions.
//
// Each token is sealed under a key of its own, derived with HKDF-SHA256
// from the data dir's session key and a random 32-byte salt carried in
// the token. The session key is a 32-byte key kept in the store, sealed
// under the master key like every secret, so master-key rotations
// re-seal it and live sessions survive them and restarts. The session
// key itself never seals tokens (callers choose how many
// tokens are made, and GCM's random nonces must not be spent on one key
// without bound). The additional data binds the token to its format
// version, its session key id and its access key id: a token presented
// with any other key id does not open.
//
// Format: "LKS1." + the session key's id + "." + base64url (no padding,
// only [A-Za-z0-9_-]) of salt‖nonce‖ciphertext‖tag. Without the master key
// it reveals only the session key's fingerprint and the payload's length (about
// 250 bytes of JSON without session policies or tags, so tokens are about
// 380 characters; session policies and tags add their length).

// Session is what a session token carries: the identity the credentials
// stand for and what limits them.
type Session struct {
	// Kind is "role" (AssumeRole), "web" (AssumeRoleWithWebIdentity),
	// "user" or "root" (GetSessionToken), "federated" (GetFederationToken),
	// "console-user" or "console-root" (console sign-in).
	Kind        string `json:"t"`
	AccountID   string `json:"a"`
	AccessKeyID string `json:"k"` // ASIA…
	Secret      string `json:"s"`
	// ID, Name and Path: the role's (AROA…), the user's (AIDA…), the
	// account id for the root, a federated user's creator.
	ID   string `json:"id"`
	Name string `json:"n,omitempty"`
	Path string `json:"p,omitempty"`
	// SessionName: a role session's name, a federated user's name.
	SessionName string `json:"sn,omitempty"`
	// ByRoot: a federated user made by the root.
	ByRoot     bool  `json:"br,omitempty"`
	IssuedAt   int64 `json:"i"` // Unix seconds
	Expiration int64 `json:"e"` // Unix seconds
	// Policy and PolicyARNs are the session policies, none when empty.
	Policy     string   `json:"sp,omitempty"`
	PolicyARNs []string `json:"pa,omitempty"`
	// Tags are session tags, TransitiveTags the keys of those a chained
	// role session inherits.
	Tags           map[string]string `json:"tg,omitempty"`
	TransitiveTags []string          `json:"tt,omitempty"`
	SourceIdentity string            `json:"si,omitempty"`
	// SignedInAt (Unix milliseconds), SignedInWith and ResetRequired:
	// a console session's sign-in time, the root key that signed it, and
	// that it may only choose a new password.
	SignedInAt    int64  `json:"ci,omitempty"`
	SignedInWith  string `json:"cw,omitempty"`
	ResetRequired bool   `json:"cr,omitempty"`
}

const sessionTokenPrefix = "LKS1."

// ErrBadToken: a session token that is malformed, altered, sealed under a
// key this server does not hold, or presented with another access key id.
var ErrBadToken = errors.New("secret: invalid session token")

const saltSize = 32

func sessionAAD(masterKeyID, accessKeyID string) []byte {
	return []byte(sessionTokenPrefix + masterKeyID + "\x00" + accessKeyID)
}

// tokenAEAD is the AEAD of one token: a key derived from the master key
// and the token's salt.
func tokenAEAD(mk *MasterKey, salt []byte) (cipher.AEAD, error) {
	key, err := hkdf.Key(sha256.New, mk.raw, salt, "latchkey session token v1", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// SealSession seals s into a session token under a key derived from the
// session key mk.
func SealSession(mk *MasterKey, s Session) (string, error) {
	payload, err := json.Marshal(s)
	if err != nil {
		return "", err
	}
	out := make([]byte, saltSize+12, saltSize+12+len(payload)+16)
	if _, err := rand.Read(out[:saltSize+12]); err != nil {
		return "", err
	}
	aead, err := tokenAEAD(mk, out[:saltSize])
	if err != nil {
		return "", err
	}
	out = aead.Seal(out, out[saltSize:saltSize+12], payload, sessionAAD(mk.ID(), s.AccessKeyID))
	return sessionTokenPrefix + mk.ID() + "." + base64.RawURLEncoding.EncodeToString(out), nil
}

// tokenAlphabet reports whether s holds only base64url characters (the
// decoder alone would skip line breaks, making tokens malleable).
func tokenAlphabet(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// OpenSession opens a session token sealed under mk and presented with
// accessKeyID. A token naming another key is refused before any
// decryption.
func OpenSession(mk *MasterKey, token, accessKeyID string) (Session, error) {
	rest, ok := strings.CutPrefix(token, sessionTokenPrefix)
	if !ok {
		return Session{}, ErrBadToken
	}
	keyID, sealedText, ok := strings.Cut(rest, ".")
	if !ok || !tokenAlphabet(sealedText) {
		return Session{}, ErrBadToken
	}
	sealed, err := base64.RawURLEncoding.Strict().DecodeString(sealedText)
	if err != nil || len(sealed) < saltSize+12+16 {
		return Session{}, ErrBadToken
	}
	if mk == nil || keyID != mk.ID() {
		return Session{}, ErrBadToken
	}
	aead, err := tokenAEAD(mk, sealed[:saltSize])
	if err != nil {
		return Session{}, ErrBadToken
	}
	payload, err := aead.Open(nil, sealed[saltSize:saltSize+12], sealed[saltSize+12:], sessionAAD(keyID, accessKeyID))
	if err != nil {
		return Session{}, ErrBadToken
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	var s Session
	if err := dec.Decode(&s); err != nil || dec.More() || s.AccessKeyID != accessKeyID {
		return Session{}, ErrBadToken
	}
	return s, nil
}

// Expired reports whether the session has expired at now.
func (s Session) Expired(now time.Time) bool { return now.Unix() >= s.Expiration }

// NewTemporaryAccessKeyID returns "ASIA" and 16 base-32 characters, as AWS
// formats temporary access key ids, carrying the account as AWS's do: the
// 10 decoded bytes hold the account id in bits 1-39 of the first 6 (the
// rest random), so GetAccessKeyInfo answers for a session's key id
// without a record of it, and tools that read accounts from key ids read
// it too. Without an account id (or with one that is not 12 digits) the
// id is all random.
func NewTemporaryAccessKeyID(accountID ...string) string {
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		panic("secret: crypto/rand failed: " + err.Error())
	}
	if len(accountID) == 1 {
		if n, err := strconv.ParseUint(accountID[0], 10, 64); err == nil && len(accountID[0]) == 12 {
			var head [8]byte
			binary.BigEndian.PutUint64(head[:], n<<7|uint64(b[5]&0x7f))
			copy(b[:6], head[2:])
		}
	}
	return "ASIA" + base32.StdEncoding.EncodeToString(b)
}

// AccountOfTemporaryKeyID reads the account id an ASIA… key id carries
// (see NewTemporaryAccessKeyID).
func AccountOfTemporaryKeyID(id string) (string, bool) {
	rest, ok := strings.CutPrefix(id, "ASIA")
	if !ok || len(rest) != 16 {
		return "", false
	}
	b, err := base32.StdEncoding.DecodeString(rest)
	if err != nil {
		return "", false
	}
	var head [8]byte
	copy(head[2:], b[:6])
	n := binary.BigEndian.Uint64(head[:]) & 0x7fffffffff80 >> 7
	if n > 999_999_999_999 {
		return "", false
	}
	return fmt.Sprintf("%012d", n), true
}
