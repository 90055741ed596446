package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/latchkey/latchkey/internal/store"
)

// Credential reports: one row per account, the CSV as generated. What a
// report is made of is read in one read transaction (one snapshot on
// either backend), so a report never mixes states of the account.

// CredentialSnapshot implements store.CredentialReports.
func (s *Store) CredentialSnapshot(ctx context.Context, accountID string) (store.CredentialSnapshot, error) {
	var snap store.CredentialSnapshot
	err := s.readTx(ctx, func(tx *txn) error {
		snap = store.CredentialSnapshot{}
		a, err := s.getAccountIn(ctx, tx, accountID)
		if err != nil {
			return err
		}
		snap.Account = a
		snap.Holders = []store.CredentialHolder{{Root: true}}
		rows, err := tx.QueryContext(ctx, s.q(`SELECT `+userColumns+` FROM users WHERE account_id = ? ORDER BY name_key`), accountID)
		if err != nil {
			return err
		}
		byUser := map[string]int{}
		for rows.Next() {
			u, err := scanUser(rows)
			if err != nil {
				rows.Close()
				return err
			}
			byUser[u.ID] = len(snap.Holders)
			snap.Holders = append(snap.Holders, store.CredentialHolder{User: u})
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = tx.QueryContext(ctx, s.q(`SELECT user_id, reset_required, created_at, password_changed_at FROM login_profiles WHERE account_id = ?`), accountID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var userID string
			var reset int
			var created, changed int64
			if err := rows.Scan(&userID, &reset, &created, &changed); err != nil {
				rows.Close()
				return err
			}
			i, ok := byUser[userID]
			if !ok {
				rows.Close()
				return errors.New("credential report: login profile of a user not in the account")
			}
			h := &snap.Holders[i]
			h.LoginProfile = &store.LoginProfile{AccountID: accountID, UserName: h.User.Name, PasswordResetRequired: reset != 0,
				CreatedAt: fromMillis(created), PasswordChangedAt: fromMillis(changed)}
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
		switch pp, err := s.getPasswordPolicy(ctx, tx, accountID); {
		case err == nil:
			snap.PasswordPolicy = &pp
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
		rows, err = tx.QueryContext(ctx, s.q(`SELECT `+keyColumns+` FROM access_keys k LEFT JOIN users u ON u.id = k.user_id WHERE k.account_id = ? ORDER BY k.created_at, k.id`), accountID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			k, err := scanKey(rows)
			if err != nil {
				return err
			}
			k.SecretCiphertext, k.MasterKeyID = nil, ""
			i := 0 // the root's
			if !k.Root {
				var ok bool
				if i, ok = byUser[k.UserID]; !ok {
					return errors.New("credential report: access key " + k.ID + " of a user not in the account")
				}
			}
			snap.Holders[i].Keys = append(snap.Holders[i].Keys, k)
		}
		return rows.Err()
	})
	if err != nil {
		return store.CredentialSnapshot{}, err
	}
	return snap, nil
}

func (s *Store) getCredentialReport(ctx context.Context, q querier, accountID string) (store.CredentialReport, error) {
	r := store.CredentialReport{AccountID: accountID}
	var ms int64
	var content string
	err := q.QueryRowContext(ctx, s.q(`SELECT generated_at, content FROM credential_reports WHERE account_id = ?`), accountID).Scan(&ms, &content)
	if errors.Is(err, sql.ErrNoRows) {
		return store.CredentialReport{}, &store.NotFoundError{Entity: store.EntityCredentialReport, Name: accountID}
	}
	if err != nil {
		return store.CredentialReport{}, err
	}
	r.GeneratedAt, r.Content = fromMillis(ms), []byte(content)
	return r, nil
}

// GetCredentialReport implements store.CredentialReports.
func (s *Store) GetCredentialReport(ctx context.Context, accountID string) (store.CredentialReport, error) {
	return s.getCredentialReport(ctx, s.read, accountID)
}

// PutCredentialReport implements store.CredentialReports. The account's
// row is locked first, so writers racing for one account serialize and
// the check of the held report's age holds until the commit. A report
// decides nothing about what a principal may do: the generation stays.
func (s *Store) PutCredentialReport(ctx context.Context, r store.CredentialReport, notBefore time.Time) (store.CredentialReport, bool, error) {
	var held store.CredentialReport
	var stored bool
	err := s.txQuiet(ctx, func(tx *txn) error {
		held, stored = store.CredentialReport{}, false
		if _, err := s.lockAccount(ctx, tx, r.AccountID); err != nil {
			return err
		}
		cur, err := s.getCredentialReport(ctx, tx, r.AccountID)
		switch {
		case err == nil && cur.GeneratedAt.After(notBefore):
			held = cur
			return nil
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO credential_reports (account_id, generated_at, content) VALUES (?, ?, ?)
			ON CONFLICT (account_id) DO UPDATE SET generated_at = excluded.generated_at, content = excluded.content`),
			r.AccountID, millis(r.GeneratedAt), string(r.Content)); err != nil {
			return err
		}
		held, stored = r, true
		held.GeneratedAt = fromMillis(millis(r.GeneratedAt))
		return nil
	})
	if err != nil {
		return store.CredentialReport{}, false, err
	}
	return held, stored, nil
}
