package secret

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestSealOpen(t *testing.T) {
	mk, err := NewRandomMasterKey()
	if err != nil {
		t.Fatal(err)
	}
	plain := []byte("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
	sealed := mk.Seal(plain, []byte("AKIAONE"))
	if bytes.Contains(sealed, plain) {
		t.Fatal("sealed value contains the plaintext")
	}
	if again := mk.Seal(plain, []byte("AKIAONE")); bytes.Equal(again, sealed) {
		t.Fatal("two seals of one value are equal: nonces repeat")
	}
	got, err := mk.Open(sealed, []byte("AKIAONE"))
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("Open = %q, %v", got, err)
	}
	tests := []struct {
		name   string
		sealed []byte
		aad    string
		key    *MasterKey
	}{
		{"another key id (moved ciphertext)", sealed, "AKIATWO", mk},
		{"flipped byte", append(append([]byte{}, sealed[:20]...), append([]byte{sealed[20] ^ 1}, sealed[21:]...)...), "AKIAONE", mk},
		{"truncated", sealed[:10], "AKIAONE", mk},
		{"another master key", sealed, "AKIAONE", mustKey(t)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.key.Open(tc.sealed, []byte(tc.aad)); !errors.Is(err, ErrWrongKey) {
				t.Fatalf("Open = %v, want ErrWrongKey", err)
			}
		})
	}
}

func mustKey(t *testing.T) *MasterKey {
	t.Helper()
	mk, err := NewRandomMasterKey()
	if err != nil {
		t.Fatal(err)
	}
	return mk
}

func TestKeyringFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "master.key")
	kr, err := CreateKeyring(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v", fi.Mode().Perm())
	}
	if _, err := CreateKeyring(path); err == nil {
		t.Fatal("CreateKeyring replaced an existing key file")
	}
	old := kr.Primary()
	sealed := old.Seal([]byte("s"), nil)
	next := mustKey(t)
	if err := WriteKeyringFile(path, []*MasterKey{next}); err != nil {
		t.Fatal(err)
	}
	// A value sealed with a key the file no longer holds still opens in a
	// process that held it; a new key in the file is found by id.
	if _, err := kr.Open(old.ID(), sealed, nil); err != nil {
		t.Fatalf("old key forgotten: %v", err)
	}
	if _, err := kr.Key(next.ID()); err != nil || kr.Primary().ID() != next.ID() {
		t.Fatalf("new key not picked up: %v", err)
	}
	fresh, err := LoadKeyring(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fresh.Open(old.ID(), sealed, nil); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("a fresh load opened a value of a destroyed key: %v", err)
	}
	if err := os.WriteFile(path, []byte("zz\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadKeyring(path); err == nil || !strings.Contains(err.Error(), "64 hex characters") {
		t.Fatalf("bad key file: %v", err)
	}
}

func TestIdentifiers(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		for _, c := range []struct {
			id string
			re string
		}{
			{NewAccessKeyID(), `^AKIA[A-Z2-7]{16}$`},
			{NewUserID(), `^AIDA[A-Z2-7]{17}$`},
			{NewSecretAccessKey(), `^[A-Za-z0-9+/]{40}$`},
			{NewAccountID(), `^[1-9][0-9]{11}$`},
		} {
			if !regexp.MustCompile(c.re).MatchString(c.id) {
				t.Fatalf("%q does not match %s", c.id, c.re)
			}
			if seen[c.id] && !strings.HasPrefix(c.re, `^[1-9]`) {
				t.Fatalf("%q drawn twice", c.id)
			}
			seen[c.id] = true
		}
	}
}

// TestKeyringFollow: the store's current key seals wherever the file
// holds it, also after reloads, and one added to the file later is found;
// without it the file's first key seals.
func TestKeyringFollow(t *testing.T) {
	path := filepath.Join(t.TempDir(), "master.key")
	old, next := mustKey(t), mustKey(t)
	if err := WriteKeyringFile(path, []*MasterKey{old}); err != nil {
		t.Fatal(err)
	}
	kr, err := LoadKeyring(path)
	if err != nil {
		t.Fatal(err)
	}
	if kr.Follow(next.ID()) || kr.Primary().ID() != old.ID() {
		t.Fatalf("followed a key the file does not hold: primary %s", kr.Primary().ID())
	}
	// The new key added as a later line: found, and it seals.
	if err := WriteKeyringFile(path, []*MasterKey{old, next}); err != nil {
		t.Fatal(err)
	}
	if !kr.Follow(next.ID()) || kr.Primary().ID() != next.ID() {
		t.Fatalf("primary %s, want the followed %s", kr.Primary().ID(), next.ID())
	}
	if err := kr.Reload(); err != nil || kr.Primary().ID() != next.ID() || kr.Len() != 2 {
		t.Fatalf("after a reload: primary %s, %d keys, %v", kr.Primary().ID(), kr.Len(), err)
	}
	if !kr.Follow(old.ID()) || kr.Primary().ID() != old.ID() {
		t.Fatal("following the first key back")
	}
}
