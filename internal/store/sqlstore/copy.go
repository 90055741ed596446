package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// storeTables are the tables of a store, each after the tables it refers
// to. Both dialects' schemas have the same tables and columns.
var storeTables = []string{
	"accounts", "users", "access_keys", "inline_policies", "iam_groups", "group_members",
	"managed_policies", "policy_versions", "policy_attachments", "roles", "instance_profiles",
	"instance_profile_roles", "oidc_providers", "credential_reports", "account_aliases", "relying_services",
	"login_profiles", "password_history", "password_policies", "meta",
}

// CopyTo copies everything s holds into dst, an empty store (no account,
// no meta value): every row of every table, from one snapshot of s, in one
// transaction of dst. Secrets stay sealed: dst needs the same master key.
// It returns the rows copied per table.
func (s *Store) CopyTo(ctx context.Context, dst *Store) (map[string]int, error) {
	var accounts, metas int
	if err := dst.read.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM accounts), (SELECT COUNT(*) FROM meta)`).Scan(&accounts, &metas); err != nil {
		return nil, err
	}
	if accounts > 0 || metas > 0 {
		return nil, errors.New("the target store is not empty: copy only into a new database")
	}
	counts := make(map[string]int, len(storeTables))
	err := s.readTx(ctx, func(src *txn) error {
		return dst.tx(ctx, func(tx *txn) error {
			for _, table := range storeTables {
				n, err := copyTable(ctx, src, tx, dst, table)
				if err != nil {
					return fmt.Errorf("copy %s: %w", table, err)
				}
				counts[table] = n
			}
			return nil
		})
	})
	return counts, err
}

func copyTable(ctx context.Context, src, tx *txn, dst *Store, table string) (int, error) {
	rows, err := src.QueryContext(ctx, `SELECT * FROM `+table)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	insert := dst.q(`INSERT INTO ` + table + ` (` + strings.Join(cols, ", ") + `) VALUES (` + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + `)`)
	stmt, err := tx.PrepareContext(ctx, insert)
	if err != nil {
		return 0, err
	}
	defer stmt.Close()
	values := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range values {
		ptrs[i] = &values[i]
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		if _, err := stmt.ExecContext(ctx, values...); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}

// Backup writes a consistent copy of the embedded database to path (which
// must not exist), online: writers wait while it is made. Restore by
// putting the file as latchkey.db in a data dir with the master key file.
func (s *Store) Backup(ctx context.Context, path string) error {
	if s.d.name != "sqlite" {
		return errors.New("back PostgreSQL up with its own tools (pg_dump, or base backups with WAL archiving)")
	}
	_, err := s.write.ExecContext(ctx, `VACUUM INTO ?`, path)
	return err
}
