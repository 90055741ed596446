package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/latchkey/latchkey/internal/store"
)

const day = 24 * time.Hour

// GetKeyPolicy implements store.KeyPolicies.
func (s *Store) GetKeyPolicy(ctx context.Context, accountID string) (store.KeyPolicy, error) {
	p := store.KeyPolicy{AccountID: accountID}
	var days int64
	err := s.read.QueryRowContext(ctx, s.q(`SELECT max_age_days FROM key_policies WHERE account_id = ?`), accountID).Scan(&days)
	if errors.Is(err, sql.ErrNoRows) {
		return p, nil
	}
	p.MaxAge = time.Duration(days) * day
	return p, err
}

// PutKeyPolicy implements store.KeyPolicies.
func (s *Store) PutKeyPolicy(ctx context.Context, p store.KeyPolicy) error {
	if p.MaxAge < 0 || p.MaxAge%day != 0 {
		return fmt.Errorf("a key policy's maximum age is a whole number of days, not %v", p.MaxAge)
	}
	return s.tx(ctx, func(tx *txn) error {
		tx.changed(store.ChangeKeyPolicyChanged, p.AccountID, p.AccountID)
		if _, err := s.lockAccount(ctx, tx, p.AccountID); err != nil {
			return err
		}
		if p.MaxAge == 0 {
			_, err := tx.ExecContext(ctx, s.q(`DELETE FROM key_policies WHERE account_id = ?`), p.AccountID)
			return err
		}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO key_policies (account_id, max_age_days) VALUES (?, ?) ON CONFLICT (account_id) DO UPDATE SET max_age_days = excluded.max_age_days`),
			p.AccountID, int64(p.MaxAge/day))
		return err
	})
}

// ListKeyPolicies implements store.KeyPolicies.
func (s *Store) ListKeyPolicies(ctx context.Context) ([]store.KeyPolicy, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT account_id, max_age_days FROM key_policies ORDER BY account_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.KeyPolicy
	for rows.Next() {
		var p store.KeyPolicy
		var days int64
		if err := rows.Scan(&p.AccountID, &days); err != nil {
			return nil, err
		}
		p.MaxAge = time.Duration(days) * day
		out = append(out, p)
	}
	return out, rows.Err()
}

// ExpireKeys implements store.KeyPolicies.
func (s *Store) ExpireKeys(ctx context.Context, accountID string, createdBefore time.Time) ([]store.AccessKey, error) {
	const due = ` FROM access_keys k LEFT JOIN users u ON u.id = k.user_id WHERE k.account_id = ? AND k.created_at < ? AND k.status <> ?`
	// Nothing due, nothing written (and nothing in the change log).
	var n int
	if err := s.read.QueryRowContext(ctx, s.q(`SELECT COUNT(*)`+due), accountID, millis(createdBefore), store.StatusExpired).Scan(&n); err != nil || n == 0 {
		return nil, err
	}
	lock := ""
	if s.d.lockSuffix != "" {
		lock = s.d.lockSuffix + " OF k" // not the outer join's nullable side
	}
	var expired []store.AccessKey
	err := s.tx(ctx, func(tx *txn) error {
		expired = expired[:0]
		rows, err := tx.QueryContext(ctx, s.q(`SELECT `+keyColumns+due+` ORDER BY k.created_at, k.id`+lock),
			accountID, millis(createdBefore), store.StatusExpired)
		if err != nil {
			return err
		}
		for rows.Next() {
			k, err := scanKey(rows)
			if err != nil {
				rows.Close()
				return err
			}
			k.SecretCiphertext, k.MasterKeyID = nil, ""
			expired = append(expired, k)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for _, k := range expired {
			tx.changed(store.ChangeAccessKeyExpired, accountID, k.ID)
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE access_keys SET status = ?, quarantined_at = NULL, quarantine_reason = '' WHERE id = ?`), store.StatusExpired, k.ID); err != nil {
				return err
			}
		}
		return nil
	})
	return expired, err
}
