// Package lastused records when each access key was last used without
// turning authentication into a write: uses are coalesced in memory (one
// entry per key, the newest wins) and flushed to the store in one batched
// transaction every Interval and at shutdown.
//
// Bound: the stored LastUsedDate lags the truth by at most Interval (plus
// one flush's duration); a crash loses at most the uses of the last
// Interval. Reads through Pending see unflushed uses, so the API's answer
// is current on the server that served the use.
package lastused

import (
	"context"
	"log/slog"
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
	t.mu.Lock()
	if old, ok := t.pending[id]; !ok || at.After(old.Time) {
		t.pending[id] = store.LastUsed{Time: at, Service: service, Region: region}
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

// Flush writes the pending uses in one transaction. On failure they are put
// back, so a later flush retries them.
func (t *Tracker) Flush(ctx context.Context) error {
	t.mu.Lock()
	batch := t.pending
	t.pending = make(map[string]store.LastUsed, len(batch))
	t.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	updates := make([]store.LastUsedUpdate, 0, len(batch))
	for id, lu := range batch {
		updates = append(updates, store.LastUsedUpdate{AccessKeyID: id, LastUsed: lu})
	}
	if err := t.store.RecordLastUsed(ctx, updates); err != nil {
		for id, lu := range batch {
			t.Record(id, lu.Time, lu.Service, lu.Region)
		}
		return err
	}
	return nil
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
