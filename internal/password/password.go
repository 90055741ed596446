// Package password hashes console passwords with argon2id and checks them.
//
// A hash is a PHC string, $argon2id$v=19$m=MEMORY_KIB,t=TIME,p=THREADS$SALT$KEY
// with the salt and key in unpadded standard base64: the parameters travel
// with the hash, so hashes made with other parameters keep verifying. New
// hashes use Default: time 2, 64 MiB of memory, 2 threads, a 16-byte random
// salt and a 32-byte key (RFC 9106's second recommended option, with a
// larger time cost); at most GOMAXPROCS are computed at once. Verify
// compares in constant time. Nothing here logs.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost parameters and output sizes.
type Params struct {
	Time    uint32 // passes over memory
	Memory  uint32 // KiB
	Threads uint8
	SaltLen int
	KeyLen  int
}

// Default are the parameters of new hashes.
var Default = Params{Time: 2, Memory: 64 * 1024, Threads: 2, SaltLen: 16, KeyLen: 32}

// ErrMalformed is returned for a string that is not an argon2id PHC hash
// within the bounds Parse accepts.
var ErrMalformed = errors.New("password: malformed argon2id hash")

// Bounds on parsed parameters, so a stored string cannot make Verify
// spend unbounded memory or time.
const (
	maxTime    = 16
	maxMemory  = 1 << 20 // 1 GiB
	maxKeyLen  = 128
	maxSaltLen = 64
)

// running bounds the hashes computed at once: each takes Params.Memory
// (64 MiB by default), so a burst of password calls must queue, not
// exhaust the machine's memory.
var running = make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))

func idKey(password string, salt []byte, p Params) []byte {
	running <- struct{}{}
	defer func() { <-running }()
	return argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(p.KeyLen))
}

// Hash returns the PHC string of password under p with a fresh salt.
func Hash(password string, p Params) (string, error) {
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	return encode(p, salt, idKey(password, salt, p)), nil
}

func encode(p Params, salt, key []byte) string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// Parse reads a PHC string into its parameters, salt and key.
func Parse(hash string) (Params, []byte, []byte, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return Params{}, nil, nil, ErrMalformed
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return Params{}, nil, nil, ErrMalformed
	}
	var p Params
	var threads uint32
	if n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &threads); err != nil || n != 3 {
		return Params{}, nil, nil, ErrMalformed
	}
	if fmt.Sprintf("m=%d,t=%d,p=%d", p.Memory, p.Time, threads) != parts[3] {
		return Params{}, nil, nil, ErrMalformed
	}
	if p.Time < 1 || p.Time > maxTime || threads < 1 || threads > 255 || p.Memory < 8*threads || p.Memory > maxMemory {
		return Params{}, nil, nil, ErrMalformed
	}
	p.Threads = uint8(threads)
	b64 := base64.RawStdEncoding
	salt, err := b64.Strict().DecodeString(parts[4])
	if err != nil || len(salt) < 8 || len(salt) > maxSaltLen {
		return Params{}, nil, nil, ErrMalformed
	}
	key, err := b64.Strict().DecodeString(parts[5])
	if err != nil || len(key) < 16 || len(key) > maxKeyLen {
		return Params{}, nil, nil, ErrMalformed
	}
	p.SaltLen, p.KeyLen = len(salt), len(key)
	return p, salt, key, nil
}

// Verify reports whether password is the one hash was made of. A
// malformed hash is an error, never a match.
func Verify(password, hash string) (bool, error) {
	p, salt, key, err := Parse(hash)
	if err != nil {
		return false, err
	}
	got := idKey(password, salt, p)
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}
