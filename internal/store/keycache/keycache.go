// Package keycache keeps access keys in memory in front of a store, so
// authenticating a request does not read the database.
//
// This process's writes invalidate the keys they change precisely; the
// writes of other processes sharing the store (servers on one PostgreSQL
// database, the admin commands on the embedded one) are followed through
// the store's ExternalGeneration (store.ChangeFeed): when it advances, the
// whole cache is dropped. Misses are never cached, so a key created
// anywhere authenticates at once.
//
// Coherence: a write invalidates after it commits and before it returns,
// so once a deactivation or deletion is acknowledged no later request
// authenticates with the old state. A lookup that raced with a write (read
// the old row before the commit, finished after the invalidation) must not
// put its stale row back: each invalidation bumps a generation, and a
// lookup only fills the cache if the generation it started under is still
// current.
package keycache

import (
	"context"
	"sync"
	"time"

	"github.com/latchkey/latchkey/internal/store"
)

// Store wraps a store.Store with an access key cache.
type Store struct {
	store.Store

	mu   sync.RWMutex
	gen  uint64
	keys map[string]store.AccessKey
	max  int
	// external is the store's ExternalGeneration the cache holds.
	external uint64

	// Observe, when set, is told of each LookupAccessKey: answered from
	// memory (hit), or read from the store in the time given. Set it
	// before the first lookup; it must be cheap.
	Observe func(hit bool, read time.Duration)
}

// New wraps s, caching at most max keys.
func New(s store.Store, max int) *Store {
	return &Store{Store: s, keys: make(map[string]store.AccessKey), max: max}
}

// LookupAccessKey is GetAccessKey from memory when it can, for
// authentication. The key's LastUsed is never filled: it changes without
// invalidation (use GetAccessKey for it).
func (c *Store) LookupAccessKey(ctx context.Context, id string) (store.AccessKey, error) {
	external := c.Store.ExternalGeneration()
	c.mu.RLock()
	k, ok := c.keys[id]
	gen, held := c.gen, c.external
	c.mu.RUnlock()
	if held != external {
		// Another server wrote, or the store cannot vouch it would know:
		// everything held may be stale.
		c.mu.Lock()
		if c.external != external {
			c.gen++
			clear(c.keys)
			c.external = external
		}
		gen = c.gen
		c.mu.Unlock()
		ok = false
	}
	if ok {
		if c.Observe != nil {
			c.Observe(true, 0)
		}
		return k, nil
	}
	var start time.Time
	if c.Observe != nil {
		start = time.Now()
	}
	k, err := c.Store.GetAccessKey(ctx, id)
	if c.Observe != nil {
		c.Observe(false, time.Since(start))
	}
	if err != nil {
		return k, err
	}
	k.LastUsed = nil
	c.mu.Lock()
	if c.gen == gen {
		if len(c.keys) >= c.max {
			clear(c.keys) // crude but bounded; refills on demand
		}
		c.keys[id] = k
	}
	c.mu.Unlock()
	return k, nil
}

// invalidate drops one key, or all keys when id is "".
func (c *Store) invalidate(id string) {
	c.mu.Lock()
	c.gen++
	if id == "" {
		clear(c.keys)
	} else {
		delete(c.keys, id)
	}
	c.mu.Unlock()
}

// UpdateAccessKeyStatus implements store.AccessKeys.
func (c *Store) UpdateAccessKeyStatus(ctx context.Context, accountID, userName, id, status string) error {
	defer c.invalidate(id)
	return c.Store.UpdateAccessKeyStatus(ctx, accountID, userName, id, status)
}

// QuarantineAccessKey implements store.AccessKeys.
func (c *Store) QuarantineAccessKey(ctx context.Context, accountID, userName, id string, q store.Quarantine) error {
	defer c.invalidate(id)
	return c.Store.QuarantineAccessKey(ctx, accountID, userName, id, q)
}

// DeleteAccessKey implements store.AccessKeys.
func (c *Store) DeleteAccessKey(ctx context.Context, accountID, userName, id string) error {
	defer c.invalidate(id)
	return c.Store.DeleteAccessKey(ctx, accountID, userName, id)
}

// UpdateUser implements store.Users; a rename changes the identity every
// key of the user authenticates as.
func (c *Store) UpdateUser(ctx context.Context, accountID, name string, update func(store.User) (store.User, error)) (store.User, error) {
	defer c.invalidate("")
	return c.Store.UpdateUser(ctx, accountID, name, update)
}

// DeleteUser implements store.Users.
func (c *Store) DeleteUser(ctx context.Context, accountID, name string) error {
	defer c.invalidate("")
	return c.Store.DeleteUser(ctx, accountID, name)
}

// ReplaceSealedSecret implements store.AccessKeys.
func (c *Store) ReplaceSealedSecret(ctx context.Context, id, oldMasterKeyID string, ciphertext []byte, newMasterKeyID string) (bool, error) {
	defer c.invalidate(id)
	return c.Store.ReplaceSealedSecret(ctx, id, oldMasterKeyID, ciphertext, newMasterKeyID)
}

// Reset implements store.Store; every key but the kept account's root
// keys goes.
func (c *Store) Reset(ctx context.Context, keepAccount string) error {
	defer c.invalidate("")
	return c.Store.Reset(ctx, keepAccount)
}
