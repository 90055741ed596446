package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/latchkey/latchkey/internal/store"
)

// The change log. A write that can change what authenticates or what is
// allowed notes what it changed (txn.changed) as it runs; when its batch
// commits, the batch's changes are numbered by the change counter, which
// advances by their number inside the batch's transaction (its last lock,
// taken just before the commit, so that commits are numbered in the order
// they become visible and a reader never sees a later number without the
// earlier ones), and written to change_log in one statement. The counter
// is also what servers sharing a PostgreSQL database sync on (feed.go).

// changed notes a change of the write now running in tx. Outside a write
// (a read transaction, a migration) it does nothing.
func (t *txn) changed(kind store.ChangeKind, accountID, subject string) {
	if t.job != nil {
		t.job.changes = append(t.job.changes, store.Change{Kind: kind, AccountID: accountID, Subject: subject})
	}
}

// pruneEvery is how often a committer prunes the change log, at most.
const pruneEvery = time.Minute

// appendChanges numbers changes, writes them to the log inside tx and
// returns the number of the last; the counter notifies other servers of
// it where the dialect can.
func (s *Store) appendChanges(ctx context.Context, tx *txn, changes []store.Change) (int64, error) {
	var last int64
	if err := tx.QueryRowContext(ctx, s.q(s.d.bumpChanges), len(changes)).Scan(&last); err != nil {
		return 0, fmt.Errorf("advance the change counter: %w", err)
	}
	now := time.Now()
	first := last - int64(len(changes)) + 1
	if s.d.insertChanges == "" {
		// In process (SQLite): a prepared insert a change is cheaper than
		// building and expanding one JSON document.
		for i, c := range changes {
			if _, err := tx.ExecContext(ctx, `INSERT INTO change_log (seq, kind, account_id, subject, at) VALUES (?, ?, ?, ?, ?)`,
				first+int64(i), string(c.Kind), c.AccountID, c.Subject, millis(now)); err != nil {
				return 0, fmt.Errorf("write the change log: %w", err)
			}
		}
	} else {
		// Over the network (PostgreSQL): one statement, one round trip.
		rows := make([][3]string, len(changes))
		for i, c := range changes {
			rows[i] = [3]string{string(c.Kind), c.AccountID, c.Subject}
		}
		doc, err := json.Marshal(rows)
		if err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, s.q(s.d.insertChanges), first, millis(now), string(doc)); err != nil {
			return 0, fmt.Errorf("write the change log: %w", err)
		}
	}
	if now.Sub(s.pruned) >= pruneEvery {
		s.pruned = now
		// Up to the first entry young enough, found from the oldest: the
		// log is in commit order, so the scan visits only what it deletes
		// (this batch's entries are young enough).
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM change_log WHERE seq < COALESCE((SELECT seq FROM change_log WHERE at >= ? ORDER BY seq LIMIT 1), ?)`),
			millis(now.Add(-store.ChangeRetention)), last+1); err != nil {
			return 0, fmt.Errorf("prune the change log: %w", err)
		}
	}
	return last, nil
}

// Changes implements store.ChangeLog.
func (s *Store) Changes(ctx context.Context, after int64, limit int) (changes []store.Change, first, last int64, err error) {
	err = s.readTx(ctx, func(tx *txn) error {
		if err := tx.QueryRowContext(ctx, `SELECT seq FROM changes WHERE id = 1`).Scan(&last); err != nil {
			return err
		}
		var oldest sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT MIN(seq) FROM change_log`).Scan(&oldest); err != nil {
			return err
		}
		first = last + 1
		if oldest.Valid {
			first = oldest.Int64
		}
		rows, err := tx.QueryContext(ctx, s.q(`SELECT seq, kind, account_id, subject, at FROM change_log WHERE seq > ? ORDER BY seq LIMIT ?`), after, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c store.Change
			var at int64
			if err := rows.Scan(&c.Seq, &c.Kind, &c.AccountID, &c.Subject, &at); err != nil {
				return err
			}
			c.At = fromMillis(at)
			changes = append(changes, c)
		}
		return rows.Err()
	})
	return changes, first, last, err
}
