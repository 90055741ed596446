package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/latchkey/latchkey/internal/store"
)

// Login profiles: one row per user (user_id is the key, so a second is a
// unique violation whatever races), its earlier hashes in
// password_history numbered per user, newest highest. The user's row is
// locked first in every write, so writes to one user's profile serialize
// and DeleteUser's dependents check sees a profile created before it.
// Password policies: one row per account. Both are recorded in the change
// log.

// CreateLoginProfile implements store.LoginProfiles.
func (s *Store) CreateLoginProfile(ctx context.Context, p store.LoginProfile) error {
	return s.tx(ctx, func(tx *txn) error {
		tx.changed(store.ChangeLoginProfileChanged, p.AccountID, p.UserName)
		u, err := s.getUser(ctx, tx, p.AccountID, p.UserName, true)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO login_profiles (user_id, account_id, password_hash, reset_required, created_at, password_changed_at) VALUES (?, ?, ?, ?, ?, ?)`),
			u.ID, p.AccountID, p.PasswordHash, boolInt(p.PasswordResetRequired), millis(p.CreatedAt), millis(p.PasswordChangedAt))
		if err != nil && s.d.isUniqueViolation(err) {
			return fmt.Errorf("login profile of %s: %w", p.UserName, store.ErrAlreadyExists)
		}
		return err
	})
}

func (s *Store) getLoginProfile(ctx context.Context, q querier, accountID, userName string, lock bool) (store.LoginProfile, string, error) {
	u, err := s.getUser(ctx, q, accountID, userName, lock)
	if err != nil {
		return store.LoginProfile{}, "", err
	}
	p := store.LoginProfile{AccountID: accountID, UserName: u.Name}
	var reset int
	var created, changed int64
	err = q.QueryRowContext(ctx, s.q(`SELECT password_hash, reset_required, created_at, password_changed_at FROM login_profiles WHERE user_id = ?`), u.ID).
		Scan(&p.PasswordHash, &reset, &created, &changed)
	if errors.Is(err, sql.ErrNoRows) {
		return store.LoginProfile{}, "", &store.NotFoundError{Entity: store.EntityLoginProfile, Name: u.Name}
	}
	if err != nil {
		return store.LoginProfile{}, "", err
	}
	p.PasswordResetRequired, p.CreatedAt, p.PasswordChangedAt = reset != 0, fromMillis(created), fromMillis(changed)
	rows, err := q.QueryContext(ctx, s.q(`SELECT password_hash FROM password_history WHERE user_id = ? ORDER BY n DESC`), u.ID)
	if err != nil {
		return store.LoginProfile{}, "", err
	}
	defer rows.Close()
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return store.LoginProfile{}, "", err
		}
		p.History = append(p.History, h)
	}
	return p, u.ID, rows.Err()
}

// GetLoginProfile implements store.LoginProfiles.
func (s *Store) GetLoginProfile(ctx context.Context, accountID, userName string) (store.LoginProfile, error) {
	var p store.LoginProfile
	err := s.readTx(ctx, func(tx *txn) error {
		var err error
		p, _, err = s.getLoginProfile(ctx, tx, accountID, userName, false)
		return err
	})
	return p, err
}

// UpdateLoginProfile implements store.LoginProfiles.
func (s *Store) UpdateLoginProfile(ctx context.Context, accountID, userName string, update func(store.LoginProfile) (store.LoginProfile, error)) (store.LoginProfile, error) {
	var out store.LoginProfile
	err := s.tx(ctx, func(tx *txn) error {
		tx.changed(store.ChangeLoginProfileChanged, accountID, userName)
		old, userID, err := s.getLoginProfile(ctx, tx, accountID, userName, true)
		if err != nil {
			return err
		}
		in := old
		in.History = append([]string(nil), old.History...)
		p, err := update(in)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE login_profiles SET password_hash = ?, reset_required = ?, password_changed_at = ? WHERE user_id = ?`),
			p.PasswordHash, boolInt(p.PasswordResetRequired), millis(p.PasswordChangedAt), userID); err != nil {
			return err
		}
		history := old.History
		if p.PasswordHash != old.PasswordHash {
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO password_history (user_id, n, password_hash) VALUES (?, (SELECT COALESCE(MAX(n), 0) + 1 FROM password_history WHERE user_id = ?), ?)`),
				userID, userID, old.PasswordHash); err != nil {
				return err
			}
			history = append([]string{old.PasswordHash}, history...)
			if len(history) > store.MaxPasswordHistory {
				history = history[:store.MaxPasswordHistory]
				if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM password_history WHERE user_id = ? AND n <= (SELECT MAX(n) FROM password_history WHERE user_id = ?) - ?`),
					userID, userID, store.MaxPasswordHistory); err != nil {
					return err
				}
			}
		}
		out = store.LoginProfile{AccountID: accountID, UserName: old.UserName, PasswordHash: p.PasswordHash,
			PasswordResetRequired: p.PasswordResetRequired, CreatedAt: old.CreatedAt,
			PasswordChangedAt: fromMillis(millis(p.PasswordChangedAt)), History: history}
		return nil
	})
	if err != nil {
		return store.LoginProfile{}, err
	}
	return out, nil
}

// DeleteLoginProfile implements store.LoginProfiles.
func (s *Store) DeleteLoginProfile(ctx context.Context, accountID, userName string) error {
	return s.tx(ctx, func(tx *txn) error {
		tx.changed(store.ChangeLoginProfileChanged, accountID, userName)
		u, err := s.getUser(ctx, tx, accountID, userName, true)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM login_profiles WHERE user_id = ?`), u.ID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return &store.NotFoundError{Entity: store.EntityLoginProfile, Name: u.Name}
		}
		_, err = tx.ExecContext(ctx, s.q(`DELETE FROM password_history WHERE user_id = ?`), u.ID)
		return err
	})
}

const passwordPolicyColumns = `minimum_length, require_symbols, require_numbers, require_uppercase, require_lowercase, allow_users_to_change, max_password_age, reuse_prevention, hard_expiry`

func (s *Store) getPasswordPolicy(ctx context.Context, q querier, accountID string) (store.PasswordPolicy, error) {
	p := store.PasswordPolicy{AccountID: accountID}
	var sym, num, up, low, allow, hard int
	err := q.QueryRowContext(ctx, s.q(`SELECT `+passwordPolicyColumns+` FROM password_policies WHERE account_id = ?`), accountID).
		Scan(&p.MinimumPasswordLength, &sym, &num, &up, &low, &allow, &p.MaxPasswordAge, &p.PasswordReusePrevention, &hard)
	if errors.Is(err, sql.ErrNoRows) {
		return store.PasswordPolicy{}, &store.NotFoundError{Entity: store.EntityPasswordPolicy, Name: accountID}
	}
	if err != nil {
		return store.PasswordPolicy{}, err
	}
	p.RequireSymbols, p.RequireNumbers, p.RequireUppercaseCharacters = sym != 0, num != 0, up != 0
	p.RequireLowercaseCharacters, p.AllowUsersToChangePassword, p.HardExpiry = low != 0, allow != 0, hard != 0
	return p, nil
}

// GetPasswordPolicy implements store.PasswordPolicies.
func (s *Store) GetPasswordPolicy(ctx context.Context, accountID string) (store.PasswordPolicy, error) {
	return s.getPasswordPolicy(ctx, s.read, accountID)
}

// PutPasswordPolicy implements store.PasswordPolicies.
func (s *Store) PutPasswordPolicy(ctx context.Context, p store.PasswordPolicy) error {
	return s.tx(ctx, func(tx *txn) error {
		tx.changed(store.ChangePasswordPolicyChanged, p.AccountID, p.AccountID)
		if _, err := s.lockAccount(ctx, tx, p.AccountID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO password_policies (account_id, `+passwordPolicyColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (account_id) DO UPDATE SET minimum_length = excluded.minimum_length, require_symbols = excluded.require_symbols,
			require_numbers = excluded.require_numbers, require_uppercase = excluded.require_uppercase, require_lowercase = excluded.require_lowercase,
			allow_users_to_change = excluded.allow_users_to_change, max_password_age = excluded.max_password_age,
			reuse_prevention = excluded.reuse_prevention, hard_expiry = excluded.hard_expiry`),
			p.AccountID, p.MinimumPasswordLength, boolInt(p.RequireSymbols), boolInt(p.RequireNumbers), boolInt(p.RequireUppercaseCharacters),
			boolInt(p.RequireLowercaseCharacters), boolInt(p.AllowUsersToChangePassword), p.MaxPasswordAge, p.PasswordReusePrevention, boolInt(p.HardExpiry))
		return err
	})
}

// DeletePasswordPolicy implements store.PasswordPolicies.
func (s *Store) DeletePasswordPolicy(ctx context.Context, accountID string) error {
	return s.tx(ctx, func(tx *txn) error {
		tx.changed(store.ChangePasswordPolicyChanged, accountID, accountID)
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM password_policies WHERE account_id = ?`), accountID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return &store.NotFoundError{Entity: store.EntityPasswordPolicy, Name: accountID}
		}
		return nil
	})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// RecordPasswordUse implements store.LoginProfiles. A last-used date
// decides nothing about authorization: the write records no change.
func (s *Store) RecordPasswordUse(ctx context.Context, accountID, userID string, at time.Time) error {
	return s.txQuiet(ctx, func(tx *txn) error {
		var n int
		ms := millis(at)
		err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM users WHERE account_id = ? AND id = ?`), accountID, userID).Scan(&n)
		if err != nil {
			return err
		}
		if n == 0 {
			return &store.NotFoundError{Entity: store.EntityUser, Name: userID}
		}
		_, err = tx.ExecContext(ctx, s.q(`UPDATE users SET password_last_used = ? WHERE account_id = ? AND id = ? AND (password_last_used IS NULL OR password_last_used < ?)`), ms, accountID, userID, ms)
		return err
	})
}
