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

// keyPolicies caches the accounts' key policies for authentication,
// valid while the store's generation stands (a policy change advances
// it, on this server at once and on others within the feed's bound).
type keyPolicies struct {
	st  store.Store
	mu  sync.RWMutex
	gen uint64
	by  map[string]time.Duration // account → max age (0: none)
}

func (c *keyPolicies) expired(ctx context.Context, k store.AccessKey, now time.Time) (bool, error) {
	gen := c.st.Generation()
	c.mu.RLock()
	maxAge, ok := c.by[k.AccountID]
	fresh := c.gen == gen && c.by != nil
	c.mu.RUnlock()
	if !fresh || !ok {
		p, err := c.st.GetKeyPolicy(ctx, k.AccountID)
		if err != nil {
			return false, err
		}
		maxAge = p.MaxAge
		c.mu.Lock()
		if c.gen != gen || c.by == nil || len(c.by) >= 100_000 {
			c.gen, c.by = gen, map[string]time.Duration{}
		}
		c.by[k.AccountID] = maxAge
		c.mu.Unlock()
	}
	return maxAge > 0 && now.Sub(k.CreatedAt) >= maxAge, nil
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
