package sqlstore

import (
	"context"
	"database/sql/driver"
	"errors"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// The change feed of a store several processes share: servers on one
// PostgreSQL database; a server and the admin commands on one embedded
// database (which poll: SQLite has no notifications).
//
// Every write transaction that can change what authenticates or what is
// allowed advances the one row of the changes table inside the
// transaction, by the number of changes it writes to the change log
// (changelog.go), just before it commits (its last lock, so no deadlock
// cycle goes through it), and notifies the latchkey_changes channel,
// which PostgreSQL delivers on commit. The counter is gap-free: writers
// serialize on its row.
//
// Each server syncs: it reads the counter every SyncInterval, and at once
// when a notification arrives (notifications only hasten a sync: they
// carry the counter's new value and nothing of the change, a server skips
// those of its own commits, and the bound holds without them). A change
// of the counter by another server, or in either direction, advances the
// store's generations, which drops every cache that follows them; the
// server's own commits advanced its generation as they committed, and a
// sync does not count them again. After a sync that failed, the next one
// that completes drops the caches too, whatever the counter says. A
// server uses its caches only while its last completed sync started less
// than MaxStaleness ago; otherwise the generations advance on every call
// and every answer reads the database.
//
// The bound: a write acknowledged at T is in every answer a server gives
// after T+MaxStaleness. A cached answer at U > T+MaxStaleness is validated
// by a completed sync that started after U-MaxStaleness > T, and a sync
// that starts after a commit reads the counter that commit advanced.
const (
	SyncInterval = 200 * time.Millisecond
	MaxStaleness = time.Second
)

// feed is a shared store's view of the change counter.
type feed struct {
	dsn    string
	notify bool
	// mu guards the counter as this server knows it: seen, the value up to
	// which it has taken every change into account (read by a sync, or
	// reached by its own commits), synced, the value the last sync read,
	// and mine, the ranges of values its own commits took above seen (the
	// first value of each to the last).
	mu     sync.Mutex
	seen   int64
	synced int64
	mine   map[int64]int64

	syncedAt atomic.Int64 // when the last completed sync started, as monoNow

	lost     atomic.Bool // a sync failed since the last that completed
	external atomic.Uint64
	wake     chan struct{}
	stop     context.CancelFunc
	done     chan struct{}
}

// monoNow is the time since the process started on the monotonic clock:
// a wall clock stepped back must not make an old sync look recent.
func monoNow() int64 { return int64(time.Since(processStart)) }

var processStart = time.Now()

// fresh reports whether the server may answer from its caches: never
// before a sync has completed (syncedAt 0).
func (f *feed) fresh() bool {
	at := f.syncedAt.Load()
	return at > 0 && time.Duration(monoNow()-at) < MaxStaleness
}

// Fresh reports whether the store vouches for caches: always for the
// embedded store; for a shared one, while its last completed sync started
// less than MaxStaleness ago (false before the first, and while the
// database cannot be reached).
func (s *Store) Fresh() bool { return s.feed == nil || s.feed.fresh() }

// Generation implements store.ChangeFeed.
func (s *Store) Generation() uint64 {
	if s.feed != nil && !s.feed.fresh() {
		return s.gen.Add(1)
	}
	return s.gen.Load()
}

// ExternalGeneration implements store.ChangeFeed.
func (s *Store) ExternalGeneration() uint64 {
	if s.feed == nil {
		return 0
	}
	if !s.feed.fresh() {
		return s.feed.external.Add(1)
	}
	return s.feed.external.Load()
}

// startFeed reads the counter once (a server answers from caches only
// after its first sync) and starts the sync loop and, unless notify is
// off, the listener.
func (s *Store) startFeed(ctx context.Context, dsn string, notify bool) error {
	f := &feed{dsn: dsn, notify: notify, mine: map[int64]int64{}, wake: make(chan struct{}, 1), done: make(chan struct{})}
	s.feed = f
	s.sync(ctx)
	loopCtx, stop := context.WithCancel(context.Background())
	f.stop = stop
	go func() {
		defer close(f.done)
		if notify {
			go s.listen(loopCtx)
		}
		tick := time.NewTicker(SyncInterval)
		defer tick.Stop()
		for {
			select {
			case <-loopCtx.Done():
				return
			case <-tick.C:
			case <-f.wake:
			}
			s.sync(loopCtx)
		}
	}()
	return nil
}

// sync reads the counter; on a change it advances the generations before
// it marks the sync complete.
func (s *Store) sync(ctx context.Context) {
	f := s.feed
	start := monoNow()
	readCtx, cancel := context.WithTimeout(ctx, MaxStaleness)
	defer cancel()
	var seq int64
	if err := s.read.QueryRowContext(readCtx, `SELECT seq FROM changes WHERE id = 1`).Scan(&seq); err != nil {
		f.lost.Store(true) // stays stale: the caches are bypassed
		return
	}
	// Back after a failed sync (the database unreachable, restarted,
	// failed over): whatever the counter says, the caches start again.
	if f.observe(seq) || f.lost.Swap(false) {
		s.gen.Add(1)
		f.external.Add(1)
	}
	f.syncedAt.Store(max(start, 1))
}

// committed notes the counter values first..last a commit of this server
// took: a sync that reads them need not take them for another server's
// changes.
func (f *feed) committed(first, last int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if last > f.seen {
		f.mine[first] = last
		f.advanceLocked()
	}
}

// covers reports whether a notification's counter value is one this
// server has already taken into account (its own commit, typically). Any
// other payload wakes the sync.
func (f *feed) covers(payload string) bool {
	seq, err := strconv.ParseInt(payload, 10, 64)
	if err != nil {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.advanceLocked()
	return seq <= f.seen
}

// advanceLocked moves seen over this server's own commits that follow it.
func (f *feed) advanceLocked() {
	for {
		last, ok := f.mine[f.seen+1]
		if !ok {
			return
		}
		delete(f.mine, f.seen+1)
		f.seen = last
	}
}

// observe takes the counter as a sync read it and reports whether it
// holds changes this server has not taken into account: some other
// server's commit (or one of its own not noted yet, which costs only a
// cache refill), or a counter gone backwards (a database restored or
// replaced).
func (f *feed) observe(seq int64) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if seq < f.synced {
		f.seen, f.synced = seq, seq
		clear(f.mine)
		return true
	}
	f.synced = seq
	f.advanceLocked()
	if seq <= f.seen {
		return false // read before some of this server's own commits
	}
	f.seen = seq
	for first, last := range f.mine {
		if last <= seq {
			delete(f.mine, first)
		}
	}
	return true
}

// listen wakes the sync loop on every notification, reconnecting as long
// as the store is open; a new connection wakes it too (notifications may
// have been missed while it was down).
func (s *Store) listen(ctx context.Context) {
	f := s.feed
	wake := func() {
		select {
		case f.wake <- struct{}{}:
		default:
		}
	}
	for ctx.Err() == nil {
		conn, err := pgx.Connect(ctx, f.dsn)
		if err == nil {
			if _, err = conn.Exec(ctx, `LISTEN latchkey_changes`); err == nil {
				wake()
				for err == nil {
					var n *pgconn.Notification
					if n, err = conn.WaitForNotification(ctx); err == nil && !f.covers(n.Payload) {
						wake()
					}
				}
			}
			conn.Close(context.Background())
		}
		select {
		case <-ctx.Done():
		case <-time.After(SyncInterval):
		}
	}
}

// stopFeed ends the sync loop and the listener.
func (s *Store) stopFeed() {
	if s.feed != nil && s.feed.stop != nil {
		s.feed.stop()
		<-s.feed.done
	}
}

// IsUnavailable reports whether err says the database cannot be reached
// (a refused or broken connection, a server shutting down or starting),
// as opposed to a failure of the request itself: the server answers
// 503 for it.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// Class 08, connection exception; 57P01-57P03, the server shutting
		// down or starting.
		return len(pe.Code) == 5 && (pe.Code[:2] == "08" || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03")
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) || errors.Is(err, driver.ErrBadConn) || pgconn.SafeToRetry(err)
}
