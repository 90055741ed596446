package sigv4

import (
	"crypto/sha256"
	"sync"
)

// SigningKeyCache caches derived signing keys, which depend only on the
// secret and the scope (date, region, service) and so serve every request of
// one key for a day. It is safe for concurrent use and holds at most max
// keys.
//
// Entries are keyed by access key id, a SHA-256 fingerprint of the secret,
// date, region and service: a changed secret never reuses a stale key, and
// the cache holds no secret. Eviction is by generation: when the current
// generation is full it becomes the old one and the previous old one is
// dropped; a hit in the old generation moves the entry forward. Recently used
// keys survive, stale days age out, and no per-entry bookkeeping is needed.
type SigningKeyCache struct {
	mu       sync.Mutex
	genMax   int // entries per generation: max/2, at least 1
	cur, old map[signingKeyID][sha256.Size]byte
}

type signingKeyID struct {
	accessKeyID, date, region, service string
	secret                             [sha256.Size]byte
}

// NewSigningKeyCache returns a cache of at most max keys (max < 2 is taken
// as 2).
func NewSigningKeyCache(max int) *SigningKeyCache {
	g := max / 2
	if g < 1 {
		g = 1
	}
	return &SigningKeyCache{genMax: g, cur: make(map[signingKeyID][sha256.Size]byte, g)}
}

// Len returns the number of cached keys.
func (c *SigningKeyCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.cur) + len(c.old)
}

// get returns the signing key, deriving and caching it when absent.
func (c *SigningKeyCache) get(accessKeyID, secret, date, region, service string) [sha256.Size]byte {
	id := signingKeyID{accessKeyID: accessKeyID, date: date, region: region, service: service, secret: fingerprint(secret)}
	c.mu.Lock()
	if k, ok := c.cur[id]; ok {
		c.mu.Unlock()
		return k
	}
	if k, ok := c.old[id]; ok {
		c.put(id, k)
		c.mu.Unlock()
		return k
	}
	c.mu.Unlock()
	k := deriveSigningKey(secret, date, region, service) // outside the lock
	c.mu.Lock()
	c.put(id, k)
	c.mu.Unlock()
	return k
}

// put stores k in the current generation, turning generations when full.
// c.mu is held.
func (c *SigningKeyCache) put(id signingKeyID, k [sha256.Size]byte) {
	if len(c.cur) >= c.genMax {
		c.old, c.cur = c.cur, make(map[signingKeyID][sha256.Size]byte, c.genMax)
	}
	c.cur[id] = k
}

// fingerprint is the SHA-256 of secret, hashed from a stack copy when short.
func fingerprint(secret string) [sha256.Size]byte {
	var buf [128]byte
	if len(secret) > len(buf) {
		return sha256.Sum256([]byte(secret))
	}
	n := copy(buf[:], secret)
	sum := sha256.Sum256(buf[:n])
	clear(buf[:n])
	return sum
}
