package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/pgtest"
	"github.com/latchkey/latchkey/internal/store"
)

// TestBatchFailureStandsAlone: in one batch, a write that fails after it
// has changed something leaves nothing behind, and the writes before and
// after it commit (the batch runs first without savepoints, then again
// with them). Run on the batch directly, so that the writes surely share
// it.
func TestBatchFailureStandsAlone(t *testing.T) {
	for name, open := range map[string]func(t *testing.T) *Store{
		"sqlite": func(t *testing.T) *Store {
			s, err := OpenSQLite(t.Context(), t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
		"postgres": func(t *testing.T) *Store {
			s, err := OpenPostgres(t.Context(), pgtest.Database(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
	} {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			ctx := t.Context()
			errRefused := errors.New("refused")
			put := func(name string, fail error) *job {
				return &job{ctx: ctx, done: make(chan struct{}), fn: func(tx *txn) error {
					if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO meta (name, value) VALUES (?, ?)`), name, "v"); err != nil {
						return err
					}
					return fail
				}}
			}
			// A unique violation (on PostgreSQL it aborts the transaction)
			// and a failure after a write, between writes that succeed.
			batch := []*job{put("a", nil), put("b", errRefused), put("c", nil), put("a", nil), put("d", nil)}
			s.commitBatch(batch)
			for i, want := range []bool{true, false, true, false, true} {
				if got := batch[i].err == nil; got != want {
					t.Errorf("write %d: err %v", i, batch[i].err)
				}
			}
			if !errors.Is(batch[1].err, errRefused) || !s.d.isUniqueViolation(batch[3].err) {
				t.Errorf("errors: %v, %v", batch[1].err, batch[3].err)
			}
			for name, want := range map[string]bool{"a": true, "b": false, "c": true, "d": true} {
				var n int
				if err := s.read.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM meta WHERE name = ?`), name).Scan(&n); err != nil {
					t.Fatal(err)
				}
				if (n == 1) != want {
					t.Errorf("meta %s: %d rows", name, n)
				}
			}
		})
	}
}

// TestPreparedWrites: on the embedded store a statement a write meets is
// prepared once the write has committed, and runs prepared in the writes
// after it; the cache stops growing at its bound.
func TestPreparedWrites(t *testing.T) {
	s, err := OpenSQLite(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := t.Context()
	const stmt = `INSERT INTO meta (name, value) VALUES (?, ?)`
	for i := range 3 {
		if err := s.txQuiet(ctx, func(tx *txn) error {
			_, err := tx.ExecContext(ctx, stmt, fmt.Sprintf("k%d", i), "v")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		// Prepared after the batch that met it, before the next batch:
		// surely by the time the next write has returned.
		s.prepared.mu.Lock()
		_, prepared := s.prepared.stmts[stmt]
		s.prepared.mu.Unlock()
		if i > 0 && !prepared {
			t.Fatalf("after write %d the statement is not prepared", i)
		}
	}
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM meta WHERE name LIKE 'k%'`).Scan(&n); err != nil || n != 3 {
		t.Fatalf("%d rows, %v", n, err)
	}

	c := newStmtCache(s.write)
	defer c.close()
	for i := range maxCachedStatements + 10 {
		c.get(fmt.Sprintf("SELECT %d", i))
	}
	c.prepareMet(context.Background())
	if len(c.stmts) != maxCachedStatements {
		t.Fatalf("%d statements cached, bound %d", len(c.stmts), maxCachedStatements)
	}
}

// TestFeedOwnCommits: a server's own commits, noted in any order, do not
// count as changes when a sync reads them; another server's commit among
// them does, and so does a counter gone backwards. A notification of an
// own commit does not wake the sync.
func TestFeedOwnCommits(t *testing.T) {
	f := &feed{mine: map[int64]int64{}}
	if !f.observe(10) {
		t.Fatal("the first sync must count as a change")
	}
	f.committed(12, 12)
	f.committed(11, 11)
	if f.seen != 12 {
		t.Fatalf("own commits 11, 12: seen %d", f.seen)
	}
	if f.observe(11) || f.observe(12) {
		t.Fatal("own commits counted as a change")
	}
	if !f.covers("12") || f.covers("13") || f.covers("") || f.covers("x") {
		t.Fatal("covers")
	}
	f.committed(14, 15) // 13 is another server's
	if !f.observe(15) {
		t.Fatal("another server's commit 13 not counted")
	}
	if f.seen != 15 || len(f.mine) != 0 {
		t.Fatalf("seen %d, mine %v", f.seen, f.mine)
	}
	f.committed(16, 18)
	if !f.observe(3) || f.seen != 3 || len(f.mine) != 0 {
		t.Fatalf("a counter gone backwards: seen %d, mine %v", f.seen, f.mine)
	}
}

// TestChangeLogPruned: entries older than the retention go with the next
// write after a prune is due; the log then starts later, and says so.
func TestChangeLogPruned(t *testing.T) {
	s, err := OpenSQLite(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := t.Context()
	if err := s.PutMeta(ctx, "a", "1"); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-store.ChangeRetention - time.Hour)
	if _, err := s.write.ExecContext(ctx, `UPDATE change_log SET at = ?`, millis(old)); err != nil {
		t.Fatal(err)
	}
	s.pruned = time.Time{}
	if err := s.PutMeta(ctx, "b", "2"); err != nil {
		t.Fatal(err)
	}
	changes, first, last, err := s.Changes(ctx, 0, 10)
	if err != nil || len(changes) != 1 || changes[0].Subject != "b" || first != last || last != 2 {
		t.Fatalf("after pruning: %+v, first %d, last %d, %v", changes, first, last, err)
	}
}
