// Package lastused records when each access key and each role was last
// used without turning authentication into a write: uses are coalesced in
// memory (one entry per key or role, the newest wins) and flushed to the
// store in one batched transaction every Interval and at shutdown.
//
// Bound: the stored LastUsedDate lags the truth by at most Interval (plus
// one flush's duration); a crash loses at most the uses of the last
// Interval. Reads through Pending see unflushed uses, so the API's answer
// is current on the server that served the use.
package lastused

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/latchkey/latchkey/internal/store"
)

// DefaultInterval is the flush period.
const DefaultInterval = 5 * time.Second

// Tracker coalesces key uses. Safe for concurrent use.
type Tracker struct {
	store    store.AccessKeys
	interval time.Duration
	log      *slog.Logger

	mu      sync.Mutex
	pending map[string]store.LastUsed
	// since is when the oldest entry of pending was noted.
	since time.Time

	// OnFlush, when set, is told of each flush that had uses to write:
	// how many, how long the oldest of them waited in memory until
	// written, and the flush's error. Set it before Run.
	OnFlush func(updates int, lag time.Duration, err error)
}

// New returns a tracker flushing to s every interval.
func New(s store.AccessKeys, interval time.Duration, log *slog.Logger) *Tracker {
	if interval <= 0 {
		interval = DefaultInterval
	}
	return &Tracker{store: s, interval: interval, log: log, pending: make(map[string]store.LastUsed)}
}

// Record notes that key id was used at t for service in region.
func (t *Tracker) Record(id string, at time.Time, service, region string) {
	t.note(id, store.LastUsed{Time: at, Service: service, Region: region})
}

// RecordRole notes that the role with id roleID was assumed, or acted
// through a session, at t in region.
func (t *Tracker) RecordRole(roleID string, at time.Time, region string) {
	t.note(rolePrefix+roleID, store.LastUsed{Time: at, Region: region})
}

// rolePrefix keys roles apart from access keys in pending (no key id
// contains a slash).
const rolePrefix = "role/"

func (t *Tracker) note(key string, lu store.LastUsed) {
	t.mu.Lock()
	if len(t.pending) == 0 {
		t.since = time.Now()
	}
	if old, ok := t.pending[key]; !ok || lu.Time.After(old.Time) {
		t.pending[key] = lu
	}
	t.mu.Unlock()
}

// Pending returns the newest unflushed use of key id.
func (t *Tracker) Pending(id string) (store.LastUsed, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	lu, ok := t.pending[id]
	return lu, ok
}

// PendingRole returns the newest unflushed use of the role with id roleID.
func (t *Tracker) PendingRole(roleID string) (store.LastUsed, bool) {
	return t.Pending(rolePrefix + roleID)
}

// PendingAge is how long the oldest use not yet flushed has waited; 0 when
// none waits.
func (t *Tracker) PendingAge() time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.pending) == 0 {
		return 0
	}
	return time.Since(t.since)
}

// Flush writes the pending uses in one transaction. On failure they are put
// back, so a later flush retries them.
func (t *Tracker) Flush(ctx context.Context) error {
	t.mu.Lock()
	batch, since := t.pending, t.since
	t.pending = make(map[string]store.LastUsed, len(batch))
	t.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	updates := make([]store.LastUsedUpdate, 0, len(batch))
	for key, lu := range batch {
		if roleID, ok := strings.CutPrefix(key, rolePrefix); ok {
			updates = append(updates, store.LastUsedUpdate{RoleID: roleID, LastUsed: lu})
		} else {
			updates = append(updates, store.LastUsedUpdate{AccessKeyID: key, LastUsed: lu})
		}
	}
	err := t.store.RecordLastUsed(ctx, updates)
	if err != nil {
		for key, lu := range batch {
			t.note(key, lu)
		}
		t.mu.Lock()
		if since.Before(t.since) {
			t.since = since // they wait since they were first noted
		}
		t.mu.Unlock()
	}
	if t.OnFlush != nil {
		t.OnFlush(len(updates), time.Since(since), err)
	}
	return err
}

// Run flushes every interval until ctx ends, then flushes once more.
func (t *Tracker) Run(ctx context.Context) {
	tick := time.NewTicker(t.interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			if err := t.Flush(context.WithoutCancel(ctx)); err != nil {
				t.log.Error("final last-used flush failed", "err", err)
			}
			return
		case <-tick.C:
			if err := t.Flush(ctx); err != nil {
				t.log.Warn("last-used flush failed; will retry", "err", err)
			}
		}
	}
}
