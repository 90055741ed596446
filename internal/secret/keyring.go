package secret

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Keyring is the set of master keys a data dir's secrets may be sealed
// with, as kept in the master key file: one key (64 hex characters) per
// line, the first being the primary that seals new secrets. During a
// rotation the file holds the new key first and the old one after it; once
// every secret is re-sealed, the old line is removed.
//
// A keyring reloads its file when asked for a key it does not know, so a
// running server follows a rotation made by another process.
//
// The key that seals new secrets is the one the store names current when
// the file holds it (Follow), else the file's first: servers holding
// copies of the file rotate without a window by adding the new key to
// every copy first, as a later line, then rotating the store to it.
type Keyring struct {
	path string

	mu      sync.RWMutex
	first   *MasterKey // the file's first key
	follow  string     // the id Follow named ("" for none)
	primary *MasterKey // follow's key when held, else first
	keys    map[string]*MasterKey
}

// LoadKeyring reads the key file at path.
func LoadKeyring(path string) (*Keyring, error) {
	k := &Keyring{path: path}
	if err := k.Reload(); err != nil {
		return nil, err
	}
	return k, nil
}

// CreateKeyring generates a key file with one fresh key at path (mode
// 0600); it fails if the file exists.
func CreateKeyring(path string) (*Keyring, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	if err := WriteMasterKey(path, raw); err != nil {
		return nil, err
	}
	return LoadKeyring(path)
}

// Reload rereads the key file: its keys join those already held, and its
// first key becomes the primary unless the key Follow named is held.
func (k *Keyring) Reload() error {
	b, err := os.ReadFile(k.path)
	if err != nil {
		return fmt.Errorf("read master key file: %w", err)
	}
	var primary *MasterKey
	keys := map[string]*MasterKey{}
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		raw, err := hex.DecodeString(line)
		if err != nil || len(raw) != 32 {
			return fmt.Errorf("master key file %s: each line must hold 64 hex characters", k.path)
		}
		mk, err := NewMasterKey(raw)
		if err != nil {
			return err
		}
		if primary == nil {
			primary = mk
		}
		keys[mk.ID()] = mk
	}
	if primary == nil {
		return fmt.Errorf("master key file %s holds no key", k.path)
	}
	k.mu.Lock()
	// Keys this process already holds stay: values it read (and may have
	// cached) before the file changed must keep opening until restart.
	for id, mk := range k.keys {
		if keys[id] == nil {
			keys[id] = mk
		}
	}
	k.first, k.keys = primary, keys
	k.choosePrimaryLocked()
	k.mu.Unlock()
	return nil
}

// Follow makes the key with id, the store's current one, the key that
// seals new secrets, reloading the file once if it does not hold it. It
// reports whether the keyring holds it; if not, the file's first key
// seals, and the store will refuse what it seals until the file catches
// up.
func (k *Keyring) Follow(id string) bool {
	k.mu.Lock()
	k.follow = id
	_, ok := k.keys[id]
	k.choosePrimaryLocked()
	k.mu.Unlock()
	if ok {
		return true
	}
	if err := k.Reload(); err != nil {
		return false
	}
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.primary.ID() == id
}

func (k *Keyring) choosePrimaryLocked() {
	k.primary = k.first
	if mk := k.keys[k.follow]; mk != nil {
		k.primary = mk
	}
}

// Len is how many keys the keyring holds.
func (k *Keyring) Len() int {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return len(k.keys)
}

// Path is the key file.
func (k *Keyring) Path() string { return k.path }

// Primary is the key that seals new secrets.
func (k *Keyring) Primary() *MasterKey {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.primary
}

// Key returns the key with id, reloading the file once if it is unknown.
func (k *Keyring) Key(id string) (*MasterKey, error) {
	k.mu.RLock()
	mk := k.keys[id]
	k.mu.RUnlock()
	if mk != nil {
		return mk, nil
	}
	if err := k.Reload(); err != nil {
		return nil, err
	}
	k.mu.RLock()
	mk = k.keys[id]
	k.mu.RUnlock()
	if mk == nil {
		return nil, fmt.Errorf("%w: master key %s is not in %s", ErrWrongKey, id, k.path)
	}
	return mk, nil
}

// Open opens a value sealed with the key named keyID.
func (k *Keyring) Open(keyID string, sealed, aad []byte) ([]byte, error) {
	mk, err := k.Key(keyID)
	if err != nil {
		return nil, err
	}
	return mk.Open(sealed, aad)
}

// WriteKeyringFile replaces the key file at path with keys (primary first),
// atomically: written to a temporary file, synced, renamed, and the
// directory synced.
func WriteKeyringFile(path string, keys []*MasterKey) error {
	if len(keys) == 0 {
		return errors.New("secret: a key file needs at least one key")
	}
	var buf bytes.Buffer
	for _, mk := range keys {
		buf.WriteString(hex.EncodeToString(mk.raw) + "\n")
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".master-key-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// NewRandomMasterKey generates a fresh master key.
func NewRandomMasterKey() (*MasterKey, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	return NewMasterKey(raw)
}
