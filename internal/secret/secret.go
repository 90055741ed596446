// Package secret seals access key secrets at rest with AES-256-GCM under a
// master key, and generates the random identifiers and secrets IAM hands out.
//
// The master key is 32 random bytes kept hex-encoded in a file readable only
// by its owner. Each sealed value is nonce || ciphertext || tag, with the
// access key id as additional data, so a ciphertext moved to another key's
// row does not open.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// MasterKey seals and opens secrets. Safe for concurrent use.
type MasterKey struct {
	id   string
	raw  []byte
	aead cipher.AEAD
}

// ErrWrongKey means a sealed value does not open under this master key.
var ErrWrongKey = errors.New("secret: value does not open under this master key")

// NewMasterKey builds a master key from 32 raw bytes.
func NewMasterKey(raw []byte) (*MasterKey, error) {
	if len(raw) != 32 {
		return nil, fmt.Errorf("secret: master key must be 32 bytes, got %d", len(raw))
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(append([]byte("latchkey master key id\x00"), raw...))
	return &MasterKey{id: hex.EncodeToString(sum[:8]), raw: append([]byte(nil), raw...), aead: aead}, nil
}

// ID is a fingerprint naming the key; it reveals nothing about it.
func (m *MasterKey) ID() string { return m.id }

// Seal encrypts plaintext bound to aad.
func (m *MasterKey) Seal(plaintext, aad []byte) []byte {
	nonce := make([]byte, m.aead.NonceSize(), m.aead.NonceSize()+len(plaintext)+m.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic("secret: crypto/rand failed: " + err.Error()) // crypto/rand never fails on Linux
	}
	return m.aead.Seal(nonce, nonce, plaintext, aad)
}

// SealKey seals the key k under m (k's raw bytes, with aad), to keep it in
// the store.
func (m *MasterKey) SealKey(k *MasterKey, aad []byte) []byte { return m.Seal(k.raw, aad) }

// Open decrypts a value made by Seal with the same aad.
func (m *MasterKey) Open(sealed, aad []byte) ([]byte, error) {
	n := m.aead.NonceSize()
	if len(sealed) < n+m.aead.Overhead() {
		return nil, ErrWrongKey
	}
	pt, err := m.aead.Open(nil, sealed[:n], sealed[n:], aad)
	if err != nil {
		return nil, ErrWrongKey
	}
	return pt, nil
}

// WriteMasterKey writes raw to path with mode 0600, durably and without
// replacing an existing file.
func WriteMasterKey(path string, raw []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("create master key: %w", err)
	}
	if _, err := f.WriteString(hex.EncodeToString(raw) + "\n"); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
