package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/latchkey/latchkey/internal/store"
)

// Account aliases: one row per alias. The alias is the table's key, so it
// names one account across the store; account_id is unique, so an account
// has one alias at most. Both hold by the constraints, whatever races.
// Aliases decide nothing about what a principal may do: the generation
// stays.

// CreateAccountAlias implements store.AccountAliases. The account's row is
// locked first, so replacements of one account's alias serialize.
func (s *Store) CreateAccountAlias(ctx context.Context, accountID, alias string) error {
	return s.txQuiet(ctx, func(tx *txn) error {
		if _, err := s.lockAccount(ctx, tx, accountID); err != nil {
			return err
		}
		var held string
		err := tx.QueryRowContext(ctx, s.q(`SELECT alias FROM account_aliases WHERE account_id = ?`), accountID).Scan(&held)
		switch {
		case err == nil && held == alias:
			return fmt.Errorf("account alias %s: %w", alias, store.ErrAlreadyExists)
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM account_aliases WHERE account_id = ?`), accountID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO account_aliases (alias, account_id) VALUES (?, ?)`), alias, accountID)
		if err != nil && s.d.isUniqueViolation(err) {
			return fmt.Errorf("account alias %s: %w", alias, store.ErrAlreadyExists)
		}
		return err
	})
}

// DeleteAccountAlias implements store.AccountAliases.
func (s *Store) DeleteAccountAlias(ctx context.Context, accountID, alias string) error {
	return s.txQuiet(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM account_aliases WHERE account_id = ? AND alias = ?`), accountID, alias)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return &store.NotFoundError{Entity: store.EntityAccountAlias, Name: alias}
		}
		return nil
	})
}

// ListAccountAliases implements store.AccountAliases.
func (s *Store) ListAccountAliases(ctx context.Context, accountID string) ([]string, error) {
	rows, err := s.read.QueryContext(ctx, s.q(`SELECT alias FROM account_aliases WHERE account_id = ? ORDER BY alias`), accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, err
		}
		list = append(list, a)
	}
	return list, rows.Err()
}

// AccountByAlias implements store.AccountAliases.
func (s *Store) AccountByAlias(ctx context.Context, alias string) (string, error) {
	var id string
	err := s.read.QueryRowContext(ctx, s.q(`SELECT account_id FROM account_aliases WHERE alias = ?`), alias).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", &store.NotFoundError{Entity: store.EntityAccountAlias, Name: alias}
	}
	return id, err
}
