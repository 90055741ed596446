package app

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/latchkey/latchkey/internal/audit"
	"github.com/latchkey/latchkey/internal/store"
)

// Key expiry. An account's key policy (store.KeyPolicies) gives the age
// past which its access keys expire. A sweeper marks them Expired in the
// store, each with an audit record; between sweeps, authentication refuses
// a key past the age already (keyPolicies.expired), so expiry takes effect
// on time, not on the sweeper's.

// keyPolicies caches the accounts' key policies for authentication. Key
// policies are set by the admin commands, from processes of their own:
// the cache follows the store's ExternalGeneration, which other
// processes' writes advance (within the feed's bound), and an entry is
// read again after keyPolicyTTL in any case (for a change made by this
// process, a development reset). Following every write's generation would
// read the store on every authentication after a write.
type keyPolicies struct {
	st  store.Store
	mu  sync.RWMutex
	gen uint64
	by  map[string]cachedKeyPolicy
}

type cachedKeyPolicy struct {
	maxAge time.Duration // 0: none
	until  time.Time
}

const keyPolicyTTL = time.Second

func (c *keyPolicies) expired(ctx context.Context, k store.AccessKey, now time.Time) (bool, error) {
	gen := c.st.ExternalGeneration()
	mono := time.Now()
	c.mu.RLock()
	e, ok := c.by[k.AccountID]
	ok = ok && c.gen == gen && mono.Before(e.until)
	c.mu.RUnlock()
	if !ok {
		p, err := c.st.GetKeyPolicy(ctx, k.AccountID)
		if err != nil {
			return false, err
		}
		e = cachedKeyPolicy{maxAge: p.MaxAge, until: mono.Add(keyPolicyTTL)}
		c.mu.Lock()
		if c.gen != gen || c.by == nil || len(c.by) >= 100_000 {
			c.gen, c.by = gen, map[string]cachedKeyPolicy{}
		}
		c.by[k.AccountID] = e
		c.mu.Unlock()
	}
	return e.maxAge > 0 && now.Sub(k.CreatedAt) >= e.maxAge, nil
}

// ExpireKeys marks Expired every key past its account's key policy, with
// an audit record each, and returns how many it expired.
func (d *Data) ExpireKeys(ctx context.Context, now time.Time) (int, error) {
	policies, err := d.Store.ListKeyPolicies(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, p := range policies {
		keys, err := d.Store.ExpireKeys(ctx, p.AccountID, now.Add(-p.MaxAge))
		if err != nil {
			return n, err
		}
		for _, k := range keys {
			n++
			if err := d.Audit.Write(audit.Record{Time: now.UTC(), AccountID: p.AccountID, Caller: "key policy", Service: "iam",
				Action: "ExpireAccessKey", Target: k.ID, Result: "success", Decision: "older than " + days(p.MaxAge)}); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

func days(d time.Duration) string { return strconv.Itoa(int(d/(24*time.Hour))) + " days" }

// sweepExpiredKeys runs ExpireKeys every interval until ctx ends.
func (d *Data) sweepExpiredKeys(ctx context.Context, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := d.ExpireKeys(ctx, time.Now()); err != nil {
			if ctx.Err() == nil {
				log.Error("expiring access keys failed", "err", err)
			}
		} else if n > 0 {
			log.Info("access keys expired under their account's key policy", "keys", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
