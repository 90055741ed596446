package sqlstore

import (
	"context"
	"strings"

	"github.com/latchkey/latchkey/internal/store"
)

// resetStatements empty the store but for one account and its root keys
// (the statements' one parameter), each table before the tables it refers
// to. Tables they do not name keep every row: untouchedByReset.
// TestResetCoversSchema fails on a table in neither, so a new table
// cannot survive a reset unnoticed.
var resetStatements = []string{
	`DELETE FROM group_members`,
	`DELETE FROM instance_profile_roles`,
	`DELETE FROM policy_attachments`,
	`DELETE FROM policy_versions`,
	`DELETE FROM inline_policies`,
	`DELETE FROM credential_reports`,
	`DELETE FROM account_aliases`,
	`DELETE FROM password_history`,
	`DELETE FROM login_profiles`,
	`DELETE FROM password_policies`,
	`DELETE FROM relying_services`,
	`DELETE FROM key_policies`,
	`DELETE FROM oidc_providers`,
	`DELETE FROM access_keys WHERE NOT (account_id = ? AND user_id IS NULL)`,
	`DELETE FROM users`,
	`DELETE FROM iam_groups`,
	`DELETE FROM instance_profiles`,
	`DELETE FROM roles`,
	`DELETE FROM managed_policies`,
	`DELETE FROM accounts WHERE id <> ?`,
}

// untouchedByReset are the tables a reset keeps whole: the store's own
// settings and the change log (whose numbers never go back).
var untouchedByReset = []string{"meta", "changes", "change_log", "schema_migrations"}

// Reset implements store.Store: a fixed number of statements in one
// transaction, whatever the number of entities.
func (s *Store) Reset(ctx context.Context, keepAccount string) error {
	return s.tx(ctx, func(tx *txn) error {
		tx.changed(store.ChangeStore, "", "reset")
		if _, err := s.lockAccount(ctx, tx, keepAccount); err != nil {
			return err
		}
		// Every account row locked up front (PostgreSQL): a write into an
		// account racing the reset waits for it rather than failing it
		// half-way.
		rows, err := tx.QueryContext(ctx, `SELECT id FROM accounts`+s.d.lockSuffix)
		if err != nil {
			return err
		}
		for rows.Next() {
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for _, stmt := range resetStatements {
			var args []any
			if strings.Contains(stmt, "?") {
				args = append(args, keepAccount)
			}
			if _, err := tx.ExecContext(ctx, s.q(stmt), args...); err != nil {
				return err
			}
		}
		return nil
	})
}
